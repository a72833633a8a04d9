"""Dedup stage: normalisation, sketches, statuses, languages, corrections, state and expiry."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import DedupConfig
from pipeline.dedup import Deduplicator, MemoryStore, load_dedup_markers, normalise
from pipeline.dedup.sketch import Sketcher, jaccard, words_of
from pipeline.evaluation.storygen import stories
from pipeline.records import Story

DATA = Path(__file__).resolve().parents[2] / "data" / "dedup"
RECORDS = {
    r["id"]: r
    for p in sorted(DATA.glob("*.jsonl"))
    for r in map(json.loads, p.read_text("utf-8").splitlines())
}
BASE = [Story.from_json(s) for s in stories(30, seed=5, words=300)]
NOW = 1_800_000_000.0


def story(rid: str, **changes: Any) -> Story:
    r = RECORDS[rid]
    return replace(Story(r["id"], r["body"], headline=r["headline"], source=r["source"]), **changes)


def seen(*items: Story, language: str = "en") -> Deduplicator:
    d = Deduplicator(MemoryStore())
    for s in items:
        assert d.check(s, s.body, language, now=NOW).status == "unique"
    return d


class JsonStore:
    """A store that keeps only JSON text, as a Faust table's changelog would."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> Any | None:
        return json.loads(self.data[key]) if key in self.data else None

    def set(self, key: str, value: Any) -> None:
        self.data[key] = json.dumps(value)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def items(self) -> list[tuple[str, Any]]:
        return [(k, json.loads(v)) for k, v in self.data.items()]


# -- normalisation and sketches ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("\u201cHello,\u201d  she SAID.\n", '"hello," she said.'),
        ("\u00abBonjour\u00bb, a-t-il dit", '"bonjour", a t il dit'),
        ("L\u2019\u00e9quipage", "l'\u00e9quipage"),
        ("e\u0301te\u0301", "\u00e9t\u00e9"),  # decomposed accents
        ("\uff26\uff55\uff4c\uff4c width", "full WIDTH"),
        ("Stra\u00dfe", "STRASSE"),
        ("\u0130stanbul", "i\u0307stanbul"),
        ("one\u00a0two\tthree\n\nfour", "one two three four"),
        ("\u01f0ava \u1e96", "\u01f0AVA \u1e96"),  # folds that NFKC composes again: no endless refolding
    ],
)
def test_normalise_ignores_quote_style_case_width_and_whitespace(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The 212 passengers \u2014 all safe!", ["the", "212", "passengers", "all", "safe"]),
        ("\u6d77\u6ee8\u5e02\u5730\u94c1", ["\u6d77", "\u6ee8", "\u5e02", "\u5730", "\u94c1"]),
        ("\u0e44\u0e17\u0e22", ["\u0e44", "\u0e17", "\u0e22"]),
        ("ok \U0001f600 \U00020000", ["ok", "\U00020000"]),  # emoji separate, Han extension B is a word
        ("\u2014 \u2026 !!", []),
    ],
)
def test_words_are_letter_and_digit_runs_and_single_characters_in_spaceless_scripts(
    text: str, words: list[str]
) -> None:
    assert words_of(text) == words


def test_reordered_paragraphs_keep_the_signature_and_a_changed_word_lowers_it() -> None:
    sk = Sketcher()
    body = BASE[0].body
    paras = body.split("\n\n")
    reordered = sk.sketch("\n\n".join(reversed(paras)))
    assert reordered.signature is not None and jaccard(sk.sketch(body).signature, reordered.signature) == 1.0  # type: ignore[arg-type]
    assert reordered.exact != sk.sketch(body).exact
    edited = sk.sketch(body.replace(" the ", " a ", 5))
    assert 0.8 < jaccard(sk.sketch(body).signature, edited.signature) < 1.0  # type: ignore[arg-type]


def _true_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        out: set[tuple[str, ...]] = set()
        for line in text.split("\n"):
            w = words_of(line)
            out.update(tuple(w[i : i + 3]) for i in range(len(w) - 2))
        return out

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_minhash_estimates_track_the_true_jaccard() -> None:
    """The one-permutation MinHash (with densification) is unbiased enough to threshold on."""
    sk = Sketcher()
    errors = []
    for i, s in enumerate(BASE[:20]):
        paras = s.body.split("\n\n")
        other = BASE[i + 1].body.split("\n\n")
        edited = "\n\n".join(paras[: len(paras) - i % 4] + other[: i % 5])
        a, b = sk.sketch(s.body).signature, sk.sketch(edited).signature
        assert a is not None and b is not None
        errors.append(jaccard(a, b) - _true_jaccard(s.body, edited))
    assert max(abs(e) for e in errors) < 0.15
    assert abs(sum(errors) / len(errors)) < 0.03


def test_signatures_do_not_depend_on_the_process() -> None:
    """Stored signatures are compared by later processes: no PYTHONHASHSEED, no randomness."""
    code = (
        "from pipeline.dedup.sketch import Sketcher; "
        "s = Sketcher().sketch('Ferry back in Solvik'); print(s.exact, s.encoded())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    here = Sketcher().sketch("Ferry back in Solvik")
    assert runs == {f"{here.exact} {here.encoded()}\n"}


# -- statuses --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rid", ["en-ferry", "fr-crue", "de-bruecke", "es-sequia", "pt-seca", "it-porto", "zh-metro"]
)
def test_redelivery_under_another_id_with_other_quotes_and_case_is_a_duplicate(rid: str) -> None:
    s = story(rid)
    d = seen(s, language=RECORDS[rid]["language"])
    copy = replace(s, id="copy", source="Aggregator")
    body = s.body.replace("\u201c", '"').replace("\u201d", '"').replace("\u00ab", '"').upper()
    out = d.check(copy, body, RECORDS[rid]["language"], now=NOW)
    assert (out.status, out.of, out.similarity) == ("duplicate", rid, 1.0)


def test_same_id_and_version_is_a_duplicate_of_itself() -> None:
    s = story("en-bus")
    d = seen(s)
    assert d.check(s, s.body, "en", now=NOW + 5) == d.check(s, s.body, "en", now=NOW + 9)
    out = d.check(s, s.body, "en", now=NOW + 10)
    assert (out.status, out.of, out.similarity) == ("duplicate", "en-bus", 1.0)


@pytest.mark.parametrize("rid", ["en-steel", "zh-metro"])
def test_near_duplicate_with_a_changed_word_links_to_the_original(rid: str) -> None:
    s = story(rid)
    lang = RECORDS[rid]["language"]
    d = seen(s, language=lang)
    body = (
        s.body.replace("640", "650", 1) if lang == "en" else s.body.replace("\u5468\u516d", "\u5468\u65e5", 1)
    )
    out = d.check(replace(s, id="near", source="Other"), body, lang, now=NOW)
    assert (
        out.status == "duplicate"
        and out.of == rid
        and out.similarity is not None
        and 0.8 < out.similarity < 1
    )


def test_a_copy_of_a_copy_points_at_the_original() -> None:
    s = story("en-museum")
    d = seen(s)
    assert d.check(replace(s, id="copy1", source="A"), s.body + "\n\nAdvertisement", "en", now=NOW).of == s.id
    out = d.check(replace(s, id="copy2", source="B"), s.body + "\n\nAdvertisement", "en", now=NOW)
    assert (out.status, out.of) == ("duplicate", s.id)


def test_truncated_copy_is_a_duplicate() -> None:
    s = story("fr-crue")
    d = seen(s, language="fr")
    cut = "\n\n".join(s.body.split("\n\n")[:4])
    out = d.check(replace(s, id="cut", source="Other"), cut, "fr", now=NOW)
    assert (out.status, out.of) == ("duplicate", s.id)


def test_higher_version_is_an_update_and_a_correction_note_makes_it_a_correction() -> None:
    r = RECORDS["en-ferry"]
    s = story("en-ferry")
    d = seen(s)
    v2 = d.check(replace(s, version=2), f"{s.body}\n\n{r['addendum']}", "en", now=NOW + 1)
    assert (v2.status, v2.of) == ("update", s.id) and v2.similarity is not None and v2.similarity < 1
    fixed = f"{r['correction']['note']}\n\n{s.body}\n\n{r['addendum']}"
    v3 = d.check(replace(s, version=3), fixed, "en", now=NOW + 2)
    assert (v3.status, v3.of) == ("correction", s.id)


def test_older_version_after_a_newer_one_is_a_duplicate_of_it() -> None:
    s = story("en-steel")
    d = Deduplicator(MemoryStore())
    d.check(replace(s, version=3), s.body + "\n\n" + RECORDS["en-steel"]["addendum"], "en", now=NOW)
    out = d.check(replace(s, version=2), s.body, "en", now=NOW + 1)
    assert (out.status, out.of) == ("duplicate", s.id)
    assert d.check(replace(s, version=4), s.body, "en", now=NOW + 2).status == "update"


@pytest.mark.parametrize("rid", ["en-bus", "fr-greve", "de-bruecke", "es-sequia", "it-porto", "zh-metro"])
def test_same_source_write_thru_under_a_new_id_is_an_update(rid: str) -> None:
    r, s = RECORDS[rid], story(rid)
    d = seen(s, language=r["language"])
    out = d.check(replace(s, id=f"{rid}-wt"), f"{s.body}\n\n{r['addendum']}", r["language"], now=NOW)
    assert (out.status, out.of) == ("update", rid)
    lead = "\n\n".join([r["new_lead"], *s.body.split("\n\n")[1:], r["addendum"]])
    out = d.check(replace(s, id=f"{rid}-nl"), lead, r["language"], now=NOW)
    assert out.status == "update" and out.of in (rid, f"{rid}-wt")


def test_added_paragraphs_from_another_source_are_not_an_update() -> None:
    r, s = RECORDS["en-bus"], story("en-bus")
    d = seen(s)
    out = d.check(
        replace(s, id="other", source="Another Desk"), f"{s.body}\n\n{r['addendum']}", "en", now=NOW
    )
    assert out.status in ("duplicate", "unique")


@pytest.mark.parametrize(
    ("rid", "headline_only"),
    [
        ("en-museum", True),
        ("fr-greve", False),
        ("de-bruecke", False),
        ("es-sequia", True),
        ("pt-seca", False),
    ],
)
def test_same_source_corrected_text_under_a_new_id_is_a_correction(rid: str, headline_only: bool) -> None:
    r, s = RECORDS[rid], story(rid)
    fix = r["correction"]
    d = seen(s, language=r["language"])
    body = s.body.replace(fix["old"], fix["new"], 1)
    corrected = replace(s, id="fix", headline=fix["headline"]) if headline_only else replace(s, id="fix")
    out = d.check(corrected, body if headline_only else f"{body}\n\n{fix['note']}", r["language"], now=NOW)
    assert (out.status, out.of) == ("correction", rid)
    again = d.check(
        replace(corrected, id="fix-again"),
        body if headline_only else f"{body}\n\n{fix['note']}",
        r["language"],
        now=NOW,
    )
    assert again.status == "duplicate"  # a second copy of the correction is a redelivery


@pytest.mark.parametrize(
    ("a", "b"),
    [("en-ferry", "fr-ferry"), ("en-bus", "de-bus"), ("es-sequia", "pt-seca"), ("zh-metro", "en-metro")],
)
def test_translations_are_never_duplicates(a: str, b: str) -> None:
    d = seen(story(a), language=RECORDS[a]["language"])
    assert d.check(story(b), story(b).body, RECORDS[b]["language"], now=NOW).status == "unique"


def test_the_same_text_in_another_language_code_is_unique() -> None:
    s = story("en-ferry")
    d = seen(s)
    assert d.check(replace(s, id="x"), s.body, "und", now=NOW).status == "unique"
    assert d.check(replace(s, id="y"), s.body, "", now=NOW).status == "duplicate"  # "" is "und"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("en-ferry", "en-ferry-rw"),
        ("en-bus", "en-bus-rw"),
        ("en-steel", "en-steel-rw"),
        ("fr-crue", "fr-crue-rw"),
        ("de-bruecke", "de-bruecke-rw"),
        ("es-sequia", "es-sequia-rw"),
        ("it-porto", "it-porto-rw"),
        ("zh-metro", "zh-metro-rw"),
    ],
)
def test_different_story_on_the_same_event_stays_unique(a: str, b: str) -> None:
    lang = RECORDS[a]["language"]
    d = seen(story(a), language=lang)
    assert d.check(story(b), story(b).body, lang, now=NOW).status == "unique"
    assert (
        d.check(replace(story(b), source=story(a).source), story(b).body, lang, now=NOW).status == "duplicate"
    )


def test_text_without_words_is_matched_exactly_only() -> None:
    d = Deduplicator(MemoryStore())
    assert d.check(Story("a", "\u2014 \u2014"), "\u2014 \u2014", "und", now=NOW).status == "unique"
    assert d.check(Story("b", "\u2014  \u2014"), "\u2014  \u2014", "und", now=NOW).of == "a"
    assert d.check(Story("c", "* * *"), "* * *", "und", now=NOW).status == "unique"


# -- corrections markers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "headline", "body", "says"),
    [
        ("en", "CORRECTED-Council vote", "The council met.", True),
        ("en", None, "Correction: an earlier version misstated the vote.\n\nThe council met.", True),
        ("en", None, "(Corrects paragraph 3 to show the vote was 31 to 9)\n\nThe council met.", True),
        ("en", None, "The council met. " * 100 + "\n\nThis story has been corrected to fix a name.", True),
        ("en", None, "An earlier version of this story gave the wrong date for the vote.", True),
        ("en", "Council vote", "The council met and voted on the budget for the bridge.", False),
        ("en", "Council vote", "Correctional officers protested outside the prison.", False),
        (
            "en",
            "Council vote",
            "The corrected figures showed a rise. Officials said the count was correct.",
            False,
        ),
        ("en", None, "The magazine printed a correction: it had misnamed the mayor.", False),
        ("fr", "RECTIFICATIF - Le vote du conseil", "Le conseil s'est réuni.", True),
        ("fr", None, "Le conseil s'est réuni.\n\n(Rectificatif : corrige le nom du maire)", True),
        ("fr", None, "Cette dépêche a été corrigée : le vote a eu lieu lundi.", True),
        ("fr", None, "Le gouvernement corrige sa prévision de croissance pour l'an prochain.", False),
        (
            "de",
            None,
            "Berichtigung: In einer früheren Fassung dieses Artikels stand ein falsches Datum.",
            True,
        ),
        ("de", "KORREKTUR: Brücke gesperrt", "Die Brücke ist gesperrt.", True),
        ("de", None, "Die Stadt will die Prognose korrigieren und neue Zahlen vorlegen.", False),
        ("es", None, "Corrección: una versión anterior de esta noticia indicaba otra cifra.", True),
        ("es", None, "El gobierno corrigió su previsión de crecimiento.", False),
        ("it", None, "Correzione: una precedente versione di questo articolo indicava il 6 %.", True),
        ("pt", None, "Correção: uma versão anterior desta notícia indicava outro valor.", True),
        ("nl", None, "Correctie: in een eerdere versie van dit artikel stond een fout.", True),
        ("und", None, "Rectificatif : le vote a eu lieu lundi.", True),
        ("sv", "CORRECTED: Rådet röstade", "Rådet röstade.", True),
    ],
)
def test_correction_markers(language: str, headline: str | None, body: str, says: bool) -> None:
    assert load_dedup_markers().says_correction(headline, body, language) is says


def test_markers_are_looked_for_only_near_the_ends_of_a_long_body() -> None:
    middle = (
        "The council met. " * 100 + "\n\nCorrection: a figure was wrong.\n\n" + "The vote was close. " * 100
    )
    markers = load_dedup_markers()
    assert not markers.says_correction(None, middle, "en")
    assert markers.says_correction(None, middle, "en", window=len(middle))


def test_every_marker_file_pattern_spells_one_of_its_stems() -> None:
    """A pattern whose matches hold no stem would be skipped by the pre-check and never fire."""
    from pipeline.dedup.deduplicator import _marker_file

    folder = Path(__file__).resolve().parents[3] / "pipeline" / "resources" / "dedup" / "corrections"
    files = sorted(folder.glob("*.txt"))
    assert files, folder
    for path in files:
        stems, patterns = _marker_file(path.name)
        assert stems and patterns, path.name
        for p in patterns:
            assert any(stem in p.casefold() for stem in stems), (path.name, p)


# -- state -----------------------------------------------------------------------------------------


def _scenario(d: Deduplicator) -> list[tuple[str, str | None]]:
    r, s = RECORDS["en-ferry"], story("en-ferry")
    steps = [
        (s, s.body),
        (replace(s, id="agg"), s.body),
        (replace(s, version=2), f"{s.body}\n\n{r['addendum']}"),
        (replace(s, id="wt"), f"{s.body}\n\n{r['addendum']}\n\n{RECORDS['en-bus']['addendum']}"),
        (story("en-ferry-rw"), story("en-ferry-rw").body),
        (replace(s, version=1), s.body),
    ]
    return [(o.status, o.of) for o in (d.check(x, b, "en", now=NOW + i) for i, (x, b) in enumerate(steps))]


def test_a_store_that_keeps_only_json_gives_the_same_answers() -> None:
    want = [
        ("unique", None),
        ("duplicate", "en-ferry"),
        ("update", "en-ferry"),
        ("update", "en-ferry"),
        ("unique", None),
        ("duplicate", "en-ferry"),
    ]
    assert _scenario(Deduplicator(MemoryStore())) == want
    assert _scenario(Deduplicator(JsonStore())) == want


def test_store_values_are_plain_json() -> None:
    d = Deduplicator(MemoryStore())
    _scenario(d)
    data = d.store.data  # type: ignore[attr-defined]
    assert json.loads(json.dumps(data)) == data
    assert {k.split(":")[0] for k in data} == {"doc"}  # one value per story: the lookups live in memory
    assert set(data) == {"doc:en-ferry", "doc:agg", "doc:wt", "doc:en-ferry-rw"}


def test_state_expires_after_the_horizon_and_leaves_nothing_behind() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(horizon_seconds=3600))
    for i, s in enumerate(BASE[:10]):
        d.check(s, s.body, "en", now=NOW + 60 * i)
    d.check(replace(BASE[0], id="copy"), BASE[0].body, "en", now=NOW + 30)
    assert d.expire(now=NOW + 1800) == 0
    assert d.expire(now=NOW + 3600 + 150) == 4  # the stories of the first 150 s (and the copy)
    assert d.check(replace(BASE[0], id="late"), BASE[0].body, "en", now=NOW + 3600 + 150).status == "unique"
    assert d.expire(now=NOW + 10 * 3600) == 8
    assert d.store.data == {}  # type: ignore[attr-defined]
    assert not d.index.exact and not d.index.buckets and not d.index.queue


def test_stale_state_is_ignored_before_it_is_expired() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(horizon_seconds=3600))
    s = BASE[1]
    d.check(s, s.body, "en", now=NOW)
    assert d.check(s, s.body, "en", now=NOW + 3601).status == "unique"  # its own id, forgotten
    assert d.check(replace(s, id="again"), s.body, "en", now=NOW + 2 * 3600 + 2).status == "unique"
    assert d.check(s, s.body, "en", now=NOW + 2 * 3600 + 3).of == "again"


def test_expire_with_a_limit_resumes_where_it_stopped() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(horizon_seconds=60))
    for i, s in enumerate(BASE[:6]):
        d.check(s, s.body, "en", now=NOW + 10 * i)
    later = NOW + 10_000
    assert d.expire(now=later, limit=2) == 2
    assert d.expire(now=later, limit=2) == 2
    assert d.expire(now=later) == 2
    assert d.expire(now=later) == 0


def test_a_replaced_version_expires_with_its_latest_time() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(horizon_seconds=3600))
    s = BASE[2]
    d.check(s, s.body, "en", now=NOW)
    d.check(
        replace(s, version=2), s.body + "\n\nA new paragraph on what happened next.", "en", now=NOW + 3000
    )
    assert d.expire(now=NOW + 3700) == 0  # the first version's queue entry is stale
    assert d.check(s, s.body, "en", now=NOW + 3700).status == "duplicate"
    assert d.expire(now=NOW + 6700) == 1


def test_lsh_buckets_stay_bounded_for_repeated_texts() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(max_bucket_ids=8))
    for i in range(30):
        d.check(
            Story(f"n{i}", f"Markets closed. {i}"),
            f"Stock markets closed higher on the day. Report {i}.",
            "en",
            now=NOW,
        )
    buckets = [v for v in d.index.buckets.values() if isinstance(v, list)]
    assert buckets and max(len(b) for b in buckets) == 8


def test_a_restarted_deduplicator_rebuilds_its_index_from_the_store() -> None:
    store = JsonStore()
    first = Deduplicator(store, config=DedupConfig(max_bucket_ids=8))
    for s in BASE[:12]:
        first.check(s, s.body, "en", now=NOW)
    for i in range(20):
        first.check(
            Story(f"n{i}", "x"), f"Stock markets closed higher on the day. Report {i}.", "en", now=NOW + i
        )
    before = (first.index.exact, first.index.buckets, sorted(first.index.queue), first.index.next_seq)
    second = Deduplicator(store, config=DedupConfig(max_bucket_ids=8))  # a restart: same store, no index
    assert (
        second.index.exact,
        second.index.buckets,
        sorted(second.index.queue),
        second.index.next_seq,
    ) == before
    copy = replace(BASE[3], id="copy")
    assert second.check(copy, BASE[3].body, "en", now=NOW + 60).of == BASE[3].id
    near = replace(BASE[4], id="near")
    got = second.check(near, BASE[4].body.replace(" the ", " a ", 2), "en", now=NOW + 60)
    assert (got.status, got.of) == ("duplicate", BASE[4].id)


def test_rebuilding_in_steps_gives_the_index_a_restart_would() -> None:
    store = MemoryStore()
    first = Deduplicator(store)
    for i, s in enumerate(BASE[:25]):
        first.check(s, s.body, "en", now=NOW + i)
    second = Deduplicator(store)
    steps = list(second.rebuilding())
    assert steps and steps[-1] == 25
    assert (second.index.exact, second.index.buckets) == (first.index.exact, first.index.buckets)
    assert second.check(replace(BASE[7], id="copy"), BASE[7].body, "en", now=NOW + 30).of == BASE[7].id


def test_invalidate_rebuilds_from_what_the_store_holds_now() -> None:
    store = MemoryStore()
    d = Deduplicator(store)
    assert not d.index.queue  # built now, from the empty store
    other = Deduplicator(store)  # another owner wrote while this one was not assigned
    s = BASE[5]
    other.check(s, s.body, "en", now=NOW)
    assert s.id not in d.index.exact.values()  # built before the other wrote
    d.invalidate()
    assert d.check(replace(s, id="b"), s.body, "en", now=NOW).of == s.id
