"""Dedup stage: exact and near duplicates, updates, corrections, languages, expiry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.config import DedupConfig
from pipeline.dedup import Deduplicator, MemoryStore, normalise
from pipeline.evaluation.storygen import stories
from pipeline.records import Story

BASE = [Story.from_json(s) for s in stories(40, seed=5, words=300)]
NOW = 1_800_000_000.0


@pytest.fixture
def dedup() -> Deduplicator:
    d = Deduplicator(MemoryStore())
    for s in BASE:
        assert d.check(s, s.body, "en", now=NOW).status == "unique"
    return d


def test_normalise_ignores_quote_style_case_and_whitespace() -> None:
    assert normalise("\u201cHello,\u201d  she SAID.\n") == normalise('"hello," she said.')


def test_redelivery_under_another_id_is_a_duplicate(dedup: Deduplicator) -> None:
    s = BASE[3]
    out = dedup.check(replace(s, id="other"), s.body.replace("\u201c", '"').upper(), "en", now=NOW)
    assert (out.status, out.of, out.similarity) == ("duplicate", s.id, 1.0)


def test_same_id_same_version_is_a_duplicate_of_itself(dedup: Deduplicator) -> None:
    s = BASE[4]
    assert dedup.check(s, s.body, "en", now=NOW).of == s.id


def test_near_duplicate_with_a_changed_sentence(dedup: Deduplicator) -> None:
    s = BASE[5]
    words = s.body.split(" ")
    words[len(words) // 2] = "suddenly"
    out = dedup.check(replace(s, id="near", source="Other Outlet"), " ".join(words), "en", now=NOW)
    assert (
        out.status == "duplicate" and out.of == s.id and out.similarity is not None and out.similarity > 0.8
    )


def test_higher_version_is_an_update_and_correction_marker_makes_a_correction(dedup: Deduplicator) -> None:
    s = BASE[6]
    up = dedup.check(replace(s, version=2), s.body + "\n\nA second vote is planned for March.", "en", now=NOW)
    assert (up.status, up.of) == ("update", s.id)
    fix = dedup.check(
        replace(s, version=3, headline="CORRECTED: " + (s.headline or "")), s.body, "en", now=NOW
    )
    assert (fix.status, fix.of) == ("correction", s.id)


def test_older_version_after_newer_is_a_duplicate(dedup: Deduplicator) -> None:
    s = BASE[7]
    dedup.check(replace(s, version=3), s.body + " More news.", "en", now=NOW)
    assert dedup.check(replace(s, version=2), s.body, "en", now=NOW).status == "duplicate"


def test_same_source_write_thru_under_a_new_id_is_an_update(dedup: Deduplicator) -> None:
    s = BASE[8]
    extra = " ".join(BASE[30].body.split()[:80])
    out = dedup.check(replace(s, id="write-thru"), s.body + "\n\n" + extra, "en", now=NOW)
    assert (out.status, out.of) == ("update", s.id)


def test_other_language_is_never_a_duplicate(dedup: Deduplicator) -> None:
    s = BASE[9]
    assert dedup.check(replace(s, id="fr-copy"), s.body, "fr", now=NOW).status == "unique"


def test_different_story_on_the_same_event_stays_unique() -> None:
    d = Deduplicator(MemoryStore())
    a = Story(
        "a",
        "The Harlow council voted 31 to 9 on Monday to fund a night bus network costing 12 million euros "
        "a year. Deputy Mayor Samuel Okafor said the lines would serve hospital workers.",
        source="One",
    )
    b = Story(
        "b",
        "Night buses are coming to Harlow: on Monday councillors backed, by 31 votes to 9, a 12 million "
        "euro yearly plan that Samuel Okafor, the deputy mayor, says will help night-shift staff.",
        source="Two",
    )
    assert d.check(a, a.body, "en", now=NOW).status == "unique"
    assert d.check(b, b.body, "en", now=NOW).status == "unique"


def test_state_expires_after_the_horizon() -> None:
    d = Deduplicator(MemoryStore(), config=DedupConfig(horizon_seconds=3600))
    s = BASE[0]
    d.check(s, s.body, "en", now=NOW)
    assert d.expire(now=NOW + 1800) == 0
    assert d.expire(now=NOW + 3 * 3600) == 1
    assert d.check(replace(s, id="late"), s.body, "en", now=NOW + 3 * 3600).status == "unique"
    assert len(d.store.data) < 60  # type: ignore[attr-defined]


def test_store_values_are_json_serialisable(dedup: Deduplicator) -> None:
    import json

    json.dumps(dedup.store.data)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("headline", "body", "says"),
    [
        ("CORRECTED: Council vote", "The council met.", True),
        (None, "Correction: an earlier version misstated the vote.\n\nThe council met.", True),
        ("Rectificatif : le vote du conseil", "Le conseil s'est réuni.", True),
        (None, "The council met. " * 200 + "This story has been corrected to fix a name.", True),
        ("Council vote", "The council met and voted on the budget for the bridge.", False),
        ("Council vote", "Correctional officers protested outside the prison.", False),
    ],
)
def test_correction_markers(headline: str | None, body: str, says: bool) -> None:
    from pipeline.dedup import load_dedup_markers

    assert load_dedup_markers().says_correction(headline, body) is says
