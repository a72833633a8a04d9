"""The PolNeAR scorer: brat parsing, half-overlap one-to-one matching, speaker rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.quotes import Gold, Predicted, match, parse_ann, read_corpus, score, speaker_right
from pipeline.records import Quote, QuoteKind

ANN = (
    "T1\tSource 0 10\tElena Ruiz\n"
    "T2\tCue 11 15\tsaid\n"
    "T3\tContent 16 40\t\u201cthe bridge will reopen\u201d\n"
    "T4\tAttribution 11 15\tsaid\n"
    "E1\tAttribution:T4 Cue:T2 Source:T1 Content:T3\n"
    "T5\tContent 50 60;70 80\tthat taxes would rise\n"
    "T6\tAttribution 45 49\tsaid\n"
    "E2\tAttribution:T6 Content:T5\n"
)


def test_parse_ann_reads_sources_contents_and_fragments() -> None:
    first, second = parse_ann(ANN)
    assert first.source == ((0, 10),) and first.source_text == "Elena Ruiz" and first.direct
    assert second.content == ((50, 60), (70, 80)) and second.source is None and not second.direct


def gold(
    start: int, end: int, source: tuple[int, int] | None, text: str = "\u201cx", src: str | None = None
) -> Gold:
    return Gold(((start, end),), text, None if source is None else (source,), src)


def test_matching_needs_half_of_the_shorter_and_is_one_to_one() -> None:
    g = [gold(0, 100, None), gold(200, 220, None)]
    p = [
        Predicted(((10, 60),), "direct", None, None),
        Predicted(((0, 90),), "direct", None, None),
        Predicted(((215, 240),), "direct", None, None),
    ]
    pairs = match(g, p)
    assert [(gg.content, pp.content) for gg, pp in pairs] == [(((0, 100),), ((0, 90),))]  # 215-240: 5 < 10


@pytest.mark.parametrize(
    ("source", "src_text", "speaker", "canonical", "right"),
    [
        ((0, 10), "Elena Ruiz", (0, 5), "Elena", True),  # mention overlaps the gold source
        ((0, 10), "Ruiz", (30, 32), "Elena Ruiz", True),  # gold words all in the canonical name
        ((0, 10), "Elena Ruiz", (30, 32), "Ruiz", False),
        (None, None, None, None, True),  # both absent
        (None, None, (3, 5), "x", False),
        ((0, 10), "Elena Ruiz", None, None, False),
    ],
)
def test_speaker_rules(source, src_text, speaker, canonical, right) -> None:  # type: ignore[no-untyped-def]
    assert (
        speaker_right(
            gold(50, 60, source, src=src_text), Predicted(((50, 60),), "direct", speaker, canonical)
        )
        is right
    )


def test_score_counts_right_predicted_and_gold() -> None:
    g = [gold(0, 20, (30, 35), src="Ruiz"), gold(100, 120, (130, 135), src="Okafor")]
    p = [
        Predicted(((0, 20),), "direct", (30, 35), "Elena Ruiz"),
        Predicted(((100, 120),), "direct", None, None),
        Predicted(((300, 320),), "direct", None, None),
    ]
    s = score(g, p)
    assert (s.right, s.predicted, s.gold) == (1, 3, 2)
    assert s.precision == pytest.approx(1 / 3) and s.recall == pytest.approx(0.5)


def test_read_corpus_takes_one_annotator_file_per_article(tmp_path: Path) -> None:
    split = tmp_path / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "a1.txt").write_text("Elena Ruiz said \u201cthe bridge will reopen\u201d on Monday.")
    (split / "attributions" / "a1_b.ann").write_text(ANN)
    (split / "attributions" / "a1_a.ann").write_text(ANN.split("T5")[0])
    [article] = read_corpus(tmp_path, "dev")
    assert article.name == "a1" and len(article.gold) == 1  # a1_a.ann, the first by name
    with pytest.raises(FileNotFoundError):
        read_corpus(tmp_path, "train")


def test_quotes_sharing_a_cue_form_one_attribution() -> None:
    from pipeline.evaluation.quotes import attributions
    from pipeline.records import Cue, Speaker

    text = "\u201cA is true,\u201d said Ruiz. \u201cB too.\u201d\n\u201cC here,\u201d said Okafor."
    ruiz = Speaker("Ruiz", 19, 23, "Elena Ruiz")
    okafor = Speaker("Okafor", 48, 54, "Samuel Okafor")
    quotes = [
        Quote("A is true", 1, 10, "direct", ruiz, Cue("said", 14, 18)),
        Quote("B too.", 26, 32, "direct", ruiz, None),
        Quote("C here", 35, 41, "direct", okafor, Cue("said", 43, 47)),
    ]
    first, second = attributions(text, quotes)
    assert first.content == ((1, 10), (26, 32)) and first.canonical == "Elena Ruiz"
    assert second.content == ((35, 41),)


# -- grouping predictions as PolNeAR annotates, and the two scores ------------------------------

TEXT = (
    "Nadia Haddad said the depot was a \u201cdisgrace to the town\u201d and must close.\n"
    "\u201cWe were never asked,\u201d said Haddad. \u201cNot once.\u201d\n"
    "\u201cThe first part runs on\n"
    "\u201cand ends here.\u201d\n"
    "\u201cA new paragraph,\u201d she said."
)


def _q(text: str, fragment: str, kind: QuoteKind, cue_at: int | None, speaker: str = "Haddad") -> Quote:
    from pipeline.records import Cue, Speaker

    start = text.index(fragment)
    sp = text.index(speaker)
    cue = None if cue_at is None else Cue(text[cue_at : cue_at + 4], cue_at, cue_at + 4)
    return Quote(
        fragment,
        start,
        start + len(fragment),
        kind,
        Speaker(speaker, sp, sp + len(speaker), "Nadia Haddad"),
        cue,
    )


def test_partial_inside_its_reported_clause_is_one_indirect_attribution() -> None:
    from pipeline.evaluation.quotes import attributions

    said = TEXT.index("said")
    clause = "the depot was a \u201cdisgrace to the town\u201d and must close"
    [only] = attributions(
        TEXT, [_q(TEXT, clause, "indirect", said), _q(TEXT, "disgrace to the town", "partial", said)]
    )
    start = TEXT.index(clause)
    assert only.kind == "indirect" and only.content == ((start, start + len(clause)),)


def test_continuation_joins_within_a_paragraph_or_an_unclosed_one_only() -> None:
    from pipeline.evaluation.quotes import attributions

    said2 = TEXT.index("said Haddad")
    quotes = [
        _q(TEXT, "We were never asked", "direct", said2),
        _q(TEXT, "Not once.", "direct", None),
        _q(TEXT, "The first part runs on", "direct", None),
        _q(TEXT, "and ends here.", "direct", None),
        _q(TEXT, "A new paragraph", "direct", TEXT.index("said.")),
    ]
    groups = attributions(TEXT, quotes)
    assert [len(g.content) for g in groups] == [2, 2, 1]


@pytest.mark.parametrize(
    ("gold_span", "pred_span", "matched"),
    [
        ((0, 20), (10, 40), True),  # overlap 10 = half of the shorter (20)
        ((0, 20), (11, 40), False),  # overlap 9 < 10
        ((0, 100), (40, 46), True),  # a short prediction inside a long clause
        ((0, 10), (10, 20), False),  # touching is not overlapping
    ],
)
def test_half_of_the_shorter_span_is_the_threshold(
    gold_span: tuple[int, int], pred_span: tuple[int, int], matched: bool
) -> None:
    g = [gold(*gold_span, None)]
    p = [Predicted((pred_span,), "direct", None, None)]
    assert bool(match(g, p)) is matched


def test_greedy_matching_takes_the_largest_overlap_first() -> None:
    g = [gold(0, 50, None), gold(60, 80, None)]
    p = [Predicted(((30, 70),), "direct", None, None), Predicted(((0, 40),), "direct", None, None)]
    pairs = {gg.content: pp.content for gg, pp in match(g, p)}
    assert pairs == {((0, 50),): ((0, 40),), ((60, 80),): ((30, 70),)}


def test_direct_score_keeps_gold_opening_with_a_mark_and_direct_or_partial_predictions() -> None:
    from pipeline.evaluation.quotes import Article, score_article

    text = "Ruiz said \u201cthe bridge will reopen\u201d and that taxes would rise."
    q_start = text.index("\u201c")
    t_start = text.index("that")
    golds = [
        Gold(((q_start, q_start + 23),), text[q_start : q_start + 23], ((0, 4),), "Ruiz"),
        Gold(((t_start, len(text) - 1),), text[t_start:-1], ((0, 4),), "Ruiz"),
    ]
    quotes = [
        _q(text, "the bridge will reopen", "direct", 5, "Ruiz"),
        _q(text, "that taxes would rise", "indirect", text.index("and"), "Ruiz"),
    ]
    direct, every = score_article(Article("a", text, golds), quotes)
    assert (direct.right, direct.predicted, direct.gold) == (1, 1, 1)
    assert (every.right, every.predicted, every.gold) == (2, 2, 2)


def test_per_quote_scoring_counts_every_quote() -> None:
    from pipeline.evaluation.quotes import Article, score_article

    said = TEXT.index("said")
    clause = "the depot was a \u201cdisgrace to the town\u201d and must close"
    start = TEXT.index(clause)
    gold_clause = Gold(((start, start + len(clause)),), clause, ((0, 12),), "Nadia Haddad")
    quotes = [_q(TEXT, clause, "indirect", said), _q(TEXT, "disgrace to the town", "partial", said)]
    grouped = score_article(Article("a", TEXT, [gold_clause]), quotes)
    alone = score_article(Article("a", TEXT, [gold_clause]), quotes, per_quote=True)
    assert (grouped[1].right, grouped[1].predicted) == (1, 1)
    assert (alone[1].right, alone[1].predicted) == (1, 2) and alone[0].predicted == 1


def test_read_corpus_takes_a_split_folder_directly(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "b2.txt").write_text("Words.")
    (tmp_path / "attributions" / "b2_z.ann").write_text(ANN)
    [article] = read_corpus(tmp_path, "train")
    assert article.name == "b2" and len(article.gold) == 2


def test_main_prints_the_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.evaluation.quotes import main
    from pipeline.nlp import ModelRegistry

    if ModelRegistry().get("en") is None:
        pytest.skip("no English model installed")
    split = tmp_path / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    text = "\u201cThe bridge will reopen in March,\u201d said Elena Ruiz."
    (split / "text" / "a1.txt").write_text(text)
    (split / "attributions" / "a1_a.ann").write_text(
        "T1\tSource 44 54\tElena Ruiz\nT2\tCue 39 43\tsaid\nT3\tContent 0 37\t" + text[:37] + "\n"
        "E1\tAttribution:T2 Cue:T2 Source:T1 Content:T3\n"
    )
    assert main(["--polnear", str(tmp_path), "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["direct"]["f1"] == 1.0 and out["all"]["f1"] == 1.0 and out["articles"] == 1
    assert out["quote_vs_entity_time"] is not None
    assert main(["--polnear", str(split)]) == 0
    table = capsys.readouterr().out
    assert "(a) direct quotes" in table and "(b) all attributions" in table and "entity time" in table
    assert main(["--polnear", str(tmp_path / "nowhere")]) == 2
    assert "PolNeAR dev:" in table
    train = split.rename(tmp_path / "train")  # the label names the folder read, whatever --split says
    assert main(["--polnear", str(train)]) == 0 and "PolNeAR train:" in capsys.readouterr().out
