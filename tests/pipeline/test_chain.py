"""The chain end to end in memory: order, dead letters, duplicates skipped, offsets valid."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline.chain import Chain, Prepared
from pipeline.records import DeadLetter, Enriched

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "deploy" / "samples" / "stories.jsonl"


@pytest.fixture(scope="module")
def chain() -> Chain:
    return Chain()


def fresh() -> Chain:
    return Chain()


def test_samples_keep_input_order_and_statuses() -> None:
    lines = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    out = list(fresh().run(lines, batch_size=4))
    assert len(out) == len(lines)
    kinds = [o.dedup.status if isinstance(o, Enriched) else o.error for o in out]
    ids = [o.story.id if isinstance(o, Enriched) else o.id for o in out]
    assert ids == [
        "ws-0001",
        "ws-0002",
        "ws-0003",
        "ws-0004",
        "ws-0005",
        "agg-77812",
        "ws-0001",
        None,
        "ws-0002",
        "ws-0006",
    ]
    assert kinds == [
        "unique",
        "unique",
        "unique",
        "unique",
        "unique",
        "duplicate",
        "update",
        "invalid_json",
        "correction",
        "unique",
    ]
    dup = out[5]
    assert isinstance(dup, Enriched) and dup.dedup.of == "ws-0001" and dup.enrichment == "skipped"
    assert dup.entities == [] and dup.quotes == []


def test_languages_models_and_offsets() -> None:
    lines = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    records = [o.to_json() for o in fresh().run(lines) if isinstance(o, Enriched)]
    by_id = {(r["id"], r["version"]): r for r in records}
    assert by_id[("ws-0003", 1)]["language"]["code"] == "fr"
    assert by_id[("ws-0001", 1)]["language"]["code"] == "en"
    assert by_id[("ws-0003", 1)]["entities_model"].startswith("fr_core_news")
    harbor = by_id[("ws-0001", 1)]
    assert "Breaking News" not in harbor["body"] and "Subscribe" not in harbor["body"]
    assert "Marta Lindqvist" in {p["name"] for p in harbor["people"]}
    for r in records:
        for e in r["entities"]:
            assert r["body"][e["start"] : e["end"]] == e["text"]
        for q in r["quotes"]:
            assert r["body"][q["start"] : q["end"]] == q["text"]
            if q["speaker"]:
                assert r["body"][q["speaker"]["start"] : q["speaker"]["end"]] == q["speaker"]["text"]
    speakers = {q["speaker"]["canonical"] for q in harbor["quotes"] if q["speaker"]}
    assert "Marta Lindqvist" in speakers
    assert set(harbor["stages"]) >= {"clean", "language", "dedup", "entities", "quotes"}


def test_language_without_model_has_empty_entities(chain: Chain) -> None:
    story = {
        "id": "nl-1",
        "body": "De regering in Den Haag heeft dinsdag een nieuwe begroting aangenomen. "
        "De minister van Financiën sprak van een moeilijk jaar voor het hele land.",
    }
    [out] = chain.run([json.dumps(story)])
    assert isinstance(out, Enriched)
    assert out.language.code == "nl" and out.entities == [] and out.entities_model is None


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"not json at all", "invalid_json"),
        (b'\xff\xfe{"id": 1}', "invalid_utf8"),
        (b"[1, 2, 3]", "not_an_object"),
        (b"null", "not_an_object"),
        (b'{"body": "text"}', "missing_id"),
        (b'{"id": 7, "body": "text"}', "invalid_id"),
        (b'{"id": "x"}', "missing_body"),
        (b'{"id": "x", "body": 12}', "invalid_body"),
        (b'{"id": "x", "body": "   "}', "empty_body"),
        (b"[" * 100_000 + b"]" * 100_000, "json_too_deep"),
        (b'{"id": "x", "body": "ok text here", "version": "two"}', "invalid_version"),
    ],
)
def test_bad_input_becomes_a_dead_letter(chain: Chain, raw: bytes, error: str) -> None:
    [out] = chain.run([raw])
    assert isinstance(out, DeadLetter)
    assert out.error == error and out.stage == "parse" and out.detail
    if error == "invalid_utf8":
        assert out.raw_encoding == "base64"


def test_body_over_the_limit_is_refused() -> None:
    from pipeline.config import PipelineConfig

    small = Chain(PipelineConfig(max_body_bytes=100))
    [out] = small.run([json.dumps({"id": "big", "body": "word " * 50})])
    assert isinstance(out, DeadLetter) and out.error == "body_too_large" and out.id == "big"


def test_body_limit_counts_utf8_bytes_not_characters() -> None:
    from pipeline.config import PipelineConfig

    small = Chain(PipelineConfig(max_body_bytes=100))
    # 40 characters, 120 bytes of UTF-8: over a 100-byte limit although under 100 characters
    [out] = small.run([json.dumps({"id": "wide", "body": "€" * 40}, ensure_ascii=False)])
    assert isinstance(out, DeadLetter) and out.error == "body_too_large" and "120 bytes" in out.detail
    [fits] = small.run([json.dumps({"id": "fits", "body": "é" * 50}, ensure_ascii=False)])  # 100 bytes
    assert not (isinstance(fits, DeadLetter) and fits.error == "body_too_large")


def test_nul_bytes_and_lone_surrogates_are_repaired(chain: Chain) -> None:
    raw = (
        '{"id": "s1", "headline": "bad \\ud800 head", "body": "The mayor of Harlow\\u0000 said on Monday '
        'that the \\udc00 bridge would reopen in March after repairs."}'
    )
    [out] = chain.run([raw])
    assert isinstance(out, Enriched)
    record = json.dumps(out.to_json(), ensure_ascii=False).encode("utf-8")  # must not raise
    assert b"\x00" not in record and "\ufffd" in out.story.headline
    assert "reopen in March" in out.body


def test_prepared_round_trips_through_json(chain: Chain) -> None:
    story = chain.parse(
        json.dumps({"id": "r1", "body": "The council met on Monday to discuss the budget.", "x": 1})
    )
    assert not isinstance(story, DeadLetter)
    p = chain.deduplicate(chain.prepare(story))
    p.received = 12.5
    again = Prepared.from_json(json.loads(json.dumps(p.to_json())))
    assert again == p and again.story.extra == {"x": 1}


@pytest.mark.parametrize(
    ("body", "quotes"),
    [
        ("He said \u201cthis is never closed. The council met on Monday to discuss the budget.", None),
        ("\u201c" * 20_000 + " said the mayor of Harlow on Monday.", 0),
        ('"' * 20_001 + " The mayor of Harlow spoke on Monday.", 0),
        ("\u201cWe will rebuild the bridge,\u201d said Elena Ruiz. " * 2000, 2000),
        ("x" * 200_000, 0),
    ],
    ids=["unbalanced", "thousands-curly", "thousands-straight", "two-thousand-quotes", "one-200k-word"],
)
def test_hostile_bodies_come_out_enriched(chain: Chain, body: str, quotes: int | None) -> None:
    [out] = chain.run([json.dumps({"id": f"hostile-{len(body)}-{body[:3]}", "body": body})])
    assert isinstance(out, Enriched)
    if quotes is not None:  # an unclosed quote: the stage may keep what it trusts, never more than one
        assert len(out.quotes) == quotes
    assert len(out.quotes) <= 1 or quotes
    for q in out.quotes:
        assert out.body[q.start : q.end] == q.text
    assert len(out.body) >= len(body.strip()) * 0.9


def test_handover_carries_the_body_once(chain: Chain) -> None:
    body = "The council met on Monday to discuss the budget for the harbour. " * 2000
    story = chain.parse(json.dumps({"id": "once", "body": body, "headline": "Budget"}))
    assert not isinstance(story, DeadLetter)
    p = chain.prepare(story)
    text = json.dumps(p.to_json(), ensure_ascii=False)
    assert text.count("discuss the budget for the harbour") == 2000  # the cleaned body, once
    assert len(text) < len(p.body) + 2048
    assert Prepared.from_json(json.loads(text)).story.body == p.body


def test_big_story_comes_out_whole_and_one_over_the_limit_as_a_dead_letter(chain: Chain) -> None:
    """Hostile input by size: a body of a megabyte is enriched in full (offsets valid at its end), one
    byte over the body limit is a dead letter that says how large it was."""
    from pipeline.config import PipelineConfig
    from pipeline.evaluation.storygen import stories

    paragraphs = [s["body"] for s in stories(1300, seed=8, words=120, prefix="big")]
    body = "\n\n".join(paragraphs)  # storygen's stories are 800 bytes or so: a megabyte and more
    assert 1_000_000 <= len(body.encode("utf-8")) < PipelineConfig().max_body_bytes
    [out] = chain.run([json.dumps({"id": "big-1mb", "body": body}, ensure_ascii=False)])
    assert isinstance(out, Enriched), getattr(out, "detail", out)
    assert len(out.body.encode("utf-8")) >= 1_000_000 * 0.9 and out.entities and out.quotes
    last = out.quotes[-1]
    assert last.start > len(out.body) // 2 and out.body[last.start : last.end] == last.text
    limit = PipelineConfig().max_body_bytes
    small = Chain(PipelineConfig(max_body_bytes=limit), models=chain.models)
    over = "x" * limit + "é"  # a multi-byte character takes it one byte over... and then some
    [dead] = small.run([json.dumps({"id": "big-over", "body": over}, ensure_ascii=False)])
    assert isinstance(dead, DeadLetter) and dead.error == "body_too_large" and dead.id == "big-over"
    assert dead.size is not None and dead.size > limit and f"{limit + 2} bytes" in dead.detail


def test_defuse_hides_only_long_runs_and_keeps_length() -> None:
    from pipeline.chain import LONG_RUN_CHARS, defuse

    text = "Elena Ruiz spoke. " + '"' * (LONG_RUN_CHARS + 5) + " Then Harlow voted."
    out = defuse(text)
    assert len(out) == len(text)
    assert out.startswith("Elena Ruiz spoke. ") and out.endswith(" Then Harlow voted.")
    assert '"' not in out
    short = "A normal sentence with https://example.org/a/short/link in it."
    assert defuse(short) == short


def _strict_json(data: bytes) -> object:
    """What any JSON consumer reads: UTF-8, and no NaN or Infinity."""

    def refuse(name: str) -> object:
        raise ValueError(name)

    return json.loads(data.decode("utf-8"), parse_constant=refuse)


@pytest.mark.parametrize(
    "raw",
    [
        '{"id": "bad\\ud800id"}',  # a dead letter whose id holds a lone surrogate
        '{"id": "s2", "body": "The mayor said the bridge would reopen in March.", "tag": "\\udc80x"}',
        '{"id": "s3", "body": "The mayor said the bridge would reopen in March.", '
        '"meta": {"\\ud800k": ["\\udfff"]}}',
    ],
)
def test_every_outcome_encodes_to_valid_utf8_json(chain: Chain, raw: str) -> None:
    """CONTRACT.md: enriched and dead-letter records are JSON; lone surrogates anywhere never raise."""
    [out] = chain.run([raw])
    record = out.to_json()
    data = json.dumps(record, ensure_ascii=False).encode("utf-8")  # must not raise
    assert _strict_json(data) == record
    if isinstance(out, DeadLetter):
        assert out.id == "bad\ufffdid" and out.error == "missing_body"


@pytest.mark.parametrize(
    "raw",
    [
        '{"id": "n1", "body": "The mayor said the bridge would reopen.", "score": NaN}',
        '{"id": "n2", "body": "The mayor said the bridge would reopen.", "score": -Infinity}',
        '{"id": "n3", "body": "The mayor said the bridge would reopen.", "score": 1e999}',
    ],
)
def test_nan_and_infinity_are_not_json(chain: Chain, raw: str) -> None:
    """Python reads NaN / Infinity / 1e999, but the record would then carry a value no JSON consumer reads."""
    [out] = chain.run([raw])
    assert isinstance(out, DeadLetter) and out.error == "invalid_json" and out.id is None


def test_a_later_stage_dead_letter_names_the_raw_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRACT.md: a dead letter carries topic, partition and offset, enough to replay it: for a failure
    in the model stages too (the worker hands the story over between agents as JSON)."""
    chain = fresh()
    raw = json.dumps({"id": "m1", "body": "The mayor of Harlow said on Monday the bridge would reopen."})
    front = chain.front(raw, topic="wire.raw", partition=1, offset=7)
    assert isinstance(front, Prepared)
    handed = chain.dedup_or_dead(Prepared.from_json(json.loads(json.dumps(front.to_json()))))
    assert isinstance(handed, Prepared)
    again = Prepared.from_json(json.loads(json.dumps(handed.to_json())))

    def broken(lang: str) -> None:
        raise OSError("model files missing")

    monkeypatch.setattr(chain.models, "get", broken)
    [letter] = chain.annotate([again])
    assert isinstance(letter, DeadLetter) and letter.error == "model_error"
    assert (letter.topic, letter.partition, letter.offset, letter.id) == ("wire.raw", 1, 7, "m1")
    assert json.loads(letter.raw)["id"] == "m1"


def test_a_step_times_its_stage_and_names_it_when_it_fails() -> None:
    """Chain's one step wrapper: timings in ms per stage; a failure becomes StageFailed naming the stage,
    with the input's own code for an InvalidStory and `stage_error` (exception type and message) else."""
    from pipeline.chain import StageFailed, step
    from pipeline.records import InvalidStory

    stages: dict[str, float] = {}
    assert step(stages, "clean", str.upper, "wire") == "WIRE" and stages["clean"] >= 0.0

    def broken(text: str) -> str:
        raise KeyError(text)

    with pytest.raises(StageFailed) as failed:
        step(stages, "language", broken, "xx")
    assert (failed.value.stage, failed.value.code) == ("language", "stage_error")
    assert failed.value.detail == "KeyError: 'xx'" and "language" in stages

    def empty(text: str) -> str:
        raise InvalidStory("empty_after_clean", "nothing left")

    with pytest.raises(StageFailed) as failed:
        step(stages, "clean", empty, "")
    assert (failed.value.stage, failed.value.code, failed.value.detail) == (
        "clean",
        "empty_after_clean",
        "nothing left",
    )


def test_looking_ahead_keeps_every_outcome_and_its_order() -> None:
    lines = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    plain = [o.to_json() for o in fresh().run(lines, batch_size=3)]
    ahead = [o.to_json() for o in fresh().run(lines, batch_size=3, ahead=True)]
    drop = ("stages", "processed_at", "received_at")  # timings differ run to run
    assert [{k: v for k, v in r.items() if k not in drop} for r in ahead] == [
        {k: v for k, v in r.items() if k not in drop} for r in plain
    ]


def test_looking_ahead_loads_a_later_batchs_language_while_this_batch_runs() -> None:
    bodies = [
        "Officials in Leeds said the bridge over the Aire would reopen on Monday after repairs.",
        "The Bank of England kept its main rate unchanged, Governor Andrew Bailey told reporters.",
        "Storm Dara cut power to 40,000 homes in Cornwall and Devon, Western Power said.",
        "Manchester United signed the Portuguese winger on a five-year contract, the club said.",
    ]
    english = [json.dumps({"id": f"en-{i}", "body": body}) for i, body in enumerate(bodies)]
    french = json.dumps(
        {"id": "fr-1", "body": "Le maire de Lyon a annoncé lundi la réouverture du pont après des travaux."}
    )
    chain = fresh()
    outcomes = chain.run([*english, french], batch_size=4, ahead=True)
    first = next(outcomes)  # the first batch is done; the French story's batch is not
    assert isinstance(first, Enriched) and first.story.id == "en-0"
    deadline = time.time() + 120
    while not chain.models.ready("fr") and time.time() < deadline:
        time.sleep(0.05)
    assert chain.models.ready("fr"), "the French model loads before its story's batch is asked for"
    assert [o.story.id for o in outcomes if isinstance(o, Enriched)] == ["en-1", "en-2", "en-3", "fr-1"]
