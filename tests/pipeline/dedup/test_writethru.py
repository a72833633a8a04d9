"""Write-thrus under a new id: new paragraphs of text from the same source update the earlier story,
however long it was; a redelivery that changes only chrome, quote style, headline or order does not."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from pipeline.config import DedupConfig
from pipeline.dedup import Deduplicator, MemoryStore
from pipeline.dedup.deduplicator import paragraph_diff
from pipeline.dedup.sketch import Sketcher
from pipeline.evaluation.storygen import story as generate
from pipeline.records import Story

NOW = 1_800_000_000.0
CONFIG = DedupConfig()


def first_take(words: int, seed: int) -> Story:
    rng = random.Random(seed)
    return Story.from_json({**generate(seed, rng, words=words, prefix="take"), "source": "Northwire"})


def new_paragraphs(n: int, seed: int) -> list[str]:
    """Paragraphs of other text by the same desk (the generator's pools: names, places, phrases)."""
    rng = random.Random(10_000 + seed)
    return generate(seed, rng, words=80 * n + 120, prefix="more")["body"].split("\n\n")[1 : 1 + n]


def paragraphs(s: Story) -> list[str]:
    return s.body.split("\n\n")


def check(d: Deduplicator, s: Story, at: float = 60.0) -> tuple[str, str | None]:
    got = d.check(s, s.body, "en", now=NOW + at)
    return got.status, got.of


def seen(*stories: Story) -> Deduplicator:
    d = Deduplicator(MemoryStore())
    for s in stories:
        assert d.check(s, s.body, "en", now=NOW).status == "unique"
    return d


@pytest.mark.parametrize("words", [200, 600, 1200, 2000])
@pytest.mark.parametrize("added", [1, 2, 3])
def test_new_paragraphs_appended_under_a_new_id_update_the_story_however_long(words: int, added: int) -> None:
    take = first_take(words, seed=words + added)
    body = "\n\n".join([*paragraphs(take), *new_paragraphs(added, seed=words + added)])
    update = replace(take, id=f"{take.id}-u1", body=body, headline=f"UPDATE 1-{take.headline}")
    assert check(seen(take), update) == ("update", take.id)


@pytest.mark.parametrize("words", [200, 800, 2000])
def test_a_rewritten_lead_and_new_paragraphs_update_the_story(words: int) -> None:
    take = first_take(words, seed=words)
    old = paragraphs(take)
    more = new_paragraphs(4, seed=words)
    lead = f"{more[0]} {old[0].split('. ')[0].rstrip('.')}."
    update = replace(take, id=f"{take.id}-u1", body="\n\n".join([lead, *old[1:], *more[1:]]))
    assert check(seen(take), update) == ("update", take.id)


def test_a_short_story_with_much_new_text_is_found_by_its_kept_paragraphs() -> None:
    """A 200-word take plus a new lead and three paragraphs shares too little text as a whole for
    the LSH bands; its unchanged paragraphs still find it."""
    take = first_take(200, seed=3)
    old = paragraphs(take)
    more = new_paragraphs(4, seed=3)
    update = replace(take, id="u", body="\n\n".join([more[0], *old[1:], *more[1:]]))
    sketcher = Sketcher(CONFIG)
    a, b = sketcher.sketch(take.body), sketcher.sketch(update.body)
    assert a.signature is not None and b.signature is not None
    assert check(seen(take), update) == ("update", take.id)


def test_new_paragraphs_before_the_closing_one_update_too() -> None:
    take = first_take(900, seed=11)
    old = paragraphs(take)
    update = replace(take, id="u", body="\n\n".join([*old[:-1], *new_paragraphs(2, seed=11), old[-1]]))
    assert check(seen(take), update) == ("update", take.id)


@pytest.mark.parametrize("how", ["chrome", "quote-style", "headline", "order", "dateline"])
@pytest.mark.parametrize("words", [200, 2000])
def test_the_same_source_resending_with_cosmetic_changes_is_a_duplicate(how: str, words: int) -> None:
    take = first_take(words, seed=words)
    old = paragraphs(take)
    body, headline = take.body, take.headline
    if how == "chrome":
        body = "\n\n".join(["Breaking News", *old, "Share this article", "Follow us for more"])
    elif how == "quote-style":
        body = take.body.replace("\u201c", '"').replace("\u201d", '"').replace("\n\n", "\n\n\n")
    elif how == "headline":
        headline = f"UPDATE 2-{take.headline}"
    elif how == "order":
        body = "\n\n".join([old[0], *reversed(old[1:])])
    else:
        body = f"HARLOW, England (Northwire) - {take.body}"
    again = replace(take, id=f"{take.id}-again", body=body, headline=headline)
    assert check(seen(take), again) == ("duplicate", take.id)


def test_the_first_take_re_sent_after_its_write_thru_is_a_duplicate_of_the_first_take() -> None:
    take = first_take(700, seed=21)
    d = seen(take)
    update = replace(take, id="u1", body="\n\n".join([*paragraphs(take), *new_paragraphs(2, seed=21)]))
    assert check(d, update) == ("update", take.id)
    assert check(d, replace(take, id="again"), at=120) == ("duplicate", take.id)


def test_a_second_write_thru_updates_again() -> None:
    take = first_take(700, seed=31)
    more = new_paragraphs(4, seed=31)
    d = seen(take)
    first = replace(take, id="u1", body="\n\n".join([*paragraphs(take), *more[:2]]))
    second = replace(take, id="u2", body="\n\n".join([*paragraphs(take), *more]))
    assert check(d, first) == ("update", take.id)
    assert check(d, second, at=120)[0] == "update"


def test_another_outlet_adding_paragraphs_does_not_update_the_story() -> None:
    take = first_take(1500, seed=41)
    body = "\n\n".join([*paragraphs(take), *new_paragraphs(2, seed=41)])
    other = replace(take, id="elsewhere", source="Global Aggregator", body=body)
    assert check(seen(take), other)[0] == "duplicate"


def test_a_same_source_story_sharing_background_paragraphs_is_not_an_update() -> None:
    """Desks reuse background paragraphs in the next day's story: a few shared paragraphs among new
    ones is another story, not a write-thru."""
    take = first_take(800, seed=51)
    old = paragraphs(take)
    fresh = first_take(800, seed=52)
    body = "\n\n".join([*paragraphs(fresh)[:10], *old[-3:]])
    assert check(seen(take), replace(fresh, id="next-day", body=body)) == ("unique", None)


def test_docs_without_paragraph_samples_fall_back_to_the_whole_text_rule() -> None:
    """State written before paragraph samples existed still yields updates."""
    take = first_take(400, seed=61)
    store = MemoryStore()
    d = Deduplicator(store)
    assert d.check(take, take.body, "en", now=NOW).status == "unique"
    doc = store.get(f"doc:{take.id}")
    assert doc is not None and doc["p"]
    store.set(f"doc:{take.id}", {k: v for k, v in doc.items() if k != "p"})
    d.invalidate()
    update = replace(take, id="u", body="\n\n".join([*paragraphs(take), *new_paragraphs(3, seed=61)]))
    assert check(d, update) == ("update", take.id)


def test_a_rebuilt_index_finds_write_thrus_by_their_paragraphs() -> None:
    take = first_take(200, seed=71)
    store = MemoryStore()
    assert Deduplicator(store).check(take, take.body, "en", now=NOW).status == "unique"
    old = paragraphs(take)
    more = new_paragraphs(4, seed=71)
    update = replace(take, id="u", body="\n\n".join([more[0], *old[1:], *more[1:]]))
    assert check(Deduplicator(store), update) == ("update", take.id)


# -- the paragraph comparison itself ---------------------------------------------------------------


def samples(text: str) -> np.ndarray:
    got = Sketcher(CONFIG).sketch(text).paragraphs
    assert got is not None
    return got


def diff(old: str, new: str) -> tuple[float, int, bool]:
    d = paragraph_diff(
        samples(old), samples(new), same_at=CONFIG.paragraph_same, rewrite_at=CONFIG.paragraph_rewrite
    )
    return round(d.kept, 3), d.added, d.repeats


def test_samples_hold_one_row_per_paragraph_long_enough() -> None:
    text = "Breaking News\n\n" + first_take(300, seed=81).body
    rows = samples(text)
    long_enough = [p for p in text.split("\n\n") if len(p.split()) >= CONFIG.paragraph_min_shingles + 2]
    assert len(rows) == len(long_enough)
    assert rows.shape[1] == 1 + CONFIG.paragraph_sample
    assert (np.diff(rows[:, 1:].astype(np.int64), axis=1) >= 0).all()  # the k smallest, in order


def test_paragraph_diff_counts_new_paragraphs_and_what_is_kept() -> None:
    take = first_take(500, seed=91)
    more = new_paragraphs(2, seed=91)
    assert diff(take.body, take.body) == (1.0, 0, True)
    assert diff(take.body, "\n\n".join([*paragraphs(take), *more])) == (1.0, 2, False)
    kept, added, _ = diff(take.body, "\n\n".join(paragraphs(take)[: len(paragraphs(take)) // 2]))
    assert added == 0 and kept < 0.7


def test_a_lightly_edited_paragraph_is_not_new_text() -> None:
    take = first_take(500, seed=93)
    old = paragraphs(take)
    longest = max(range(len(old)), key=lambda i: len(old[i]))
    words = old[longest].split(" ")
    words[len(words) // 2] = "also"
    edited = [*old[:longest], " ".join(words), *old[longest + 1 :]]
    kept, added, repeats = diff(take.body, "\n\n".join(edited))
    assert added == 0 and repeats and kept == 1.0
