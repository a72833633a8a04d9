"""The PolNeAR scorer: brat parsing, half-overlap one-to-one matching, speaker rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.quotes import Gold, Predicted, match, parse_ann, read_corpus, score, speaker_right

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
    from pipeline.records import Cue, Quote, Speaker

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
