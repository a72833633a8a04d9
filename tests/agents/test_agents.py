"""The stage agents driven in memory with Faust's `agent.test_context()` (no broker): a message goes in on
the agent's channel, and what it sends comes out of in-memory channels standing in for its output topics."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import faust

from agents.app import create_app
from agents.settings import Settings
from agents.stages import Hop, dedup_agent, prepare_agent
from pipeline.chain import Chain, Prepared
from pipeline.evaluation.storygen import stories
from pipeline.ninjs_out import to_ninjs
from pipeline.records import Enriched
from pipeline.schemas import errors

STORY = {
    "id": "agents-1",
    "headline": "Harbour board approves new ferry pier",
    "body": (
        "The harbour board on Tuesday approved a new ferry pier at the north quay, its chair said after a "
        "two-hour meeting. Building is to start in the spring and take about eighteen months, and the old "
        "pier will stay open until the new one is finished, the board said in a statement."
    ),
}


def _hop(
    tmp_path: Path,
    names: tuple[str, ...] = ("stage_dedup", "stage_annotate", "duplicates", "deadletter"),
    **env: str,
) -> tuple[Hop, dict[str, faust.ChannelT]]:
    """A Hop whose output topics are in-memory channels, with a chain over the in-memory dedup store."""
    base = {"WIRESTREAM_DATA_DIR": str(tmp_path), "WIRESTREAM_TABLE_STORE": "memory"}
    settings = Settings.from_env({**base, **env})
    wiring = create_app(settings)
    outputs = {name: wiring.app.channel() for name in names}
    topics = replace(wiring.topics, **outputs)
    hop = Hop(wiring.app, topics, wiring.metrics, wiring.gate, Chain(settings.pipeline), settings)
    # a subscriber per output, so what the agent sends is queued for the test to read
    return hop, {name: channel.clone(is_iterator=True) for name, channel in outputs.items()}


async def _next(channel: faust.ChannelT) -> Any:
    event = await channel.get(timeout=30)
    return event.key, json.loads(event.value)


def test_prepare_hands_a_story_over_to_dedup_and_a_bad_message_to_the_dead_letters(tmp_path: Path) -> None:
    hop, out = _hop(tmp_path)
    agent = prepare_agent(hop)

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put(json.dumps(STORY).encode())
            key, handed = await _next(out["stage_dedup"])
            assert key == b"agents-1"
            prepared = Prepared.from_json(handed)
            assert prepared.story.id == "agents-1" and prepared.language.code == "en"
            assert prepared.body.startswith("The harbour board") and "clean" in prepared.stages
            assert prepared.origin["offset"] == 0

            await tested.put(b"{not json")
            key, letter = await _next(out["deadletter"])
            assert key is None and letter["error"] == "invalid_json" and letter["stage"] == "parse"
            assert letter["offset"] == 1 and letter["raw"] == "{not json"
        assert out["stage_dedup"].empty()

    asyncio.run(run())
    assert hop.metrics.failures.labels("prepare")._value.get() == 1


def test_dedup_sends_a_repeat_straight_to_duplicates_with_enrichment_skipped(tmp_path: Path) -> None:
    hop, out = _hop(tmp_path)
    agent = dedup_agent(hop)
    prepared = hop.chain.front(json.dumps(STORY).encode())
    assert isinstance(prepared, Prepared)
    repeat = replace(prepared, story=replace(prepared.story, id="agents-2"), stages={})

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put(json.dumps(prepared.to_json()).encode())
            key, onward = await _next(out["stage_annotate"])
            assert key == b"agents-1" and onward["dedup"]["status"] == "unique"

            await tested.put(json.dumps(repeat.to_json()).encode())
            key, record = await _next(out["duplicates"])
            assert key == b"agents-2" and record["dedup"]["status"] == "duplicate"
            assert record["dedup"]["of"] == "agents-1" and record["enrichment"] == "skipped"

            await tested.put(b"not a hand-over")
            _, letter = await _next(out["deadletter"])
            assert letter["error"] == "invalid_handover" and letter["offset"] == 2

    asyncio.run(run())


DATA = Path(__file__).resolve().parents[1] / "data" / "formats"


def test_prepare_hands_over_one_story_per_item_of_a_document(tmp_path: Path) -> None:
    """A NewsML-G2 newsMessage: three stories handed over, the concept item a dead letter of its own."""
    hop, out = _hop(tmp_path)
    agent = prepare_agent(hop)

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put((DATA / "newsml-g2" / "message-multi.xml").read_bytes())
            handed = [await _next(out["stage_dedup"]) for _ in range(3)]
            assert [Prepared.from_json(h).story.kind for _, h in handed] == ["text", "text", "picture"]
            assert [k for k, _ in handed] == [
                b"urn:newsml:wsa.example:20260412:bahnstreik",
                b"urn:newsml:wsa.example:20260412:greve-paris",
                b"urn:newsml:wsa.example:20260412:photo-bahnhof",
            ]
            key, letter = await _next(out["deadletter"])
            assert key == b"urn:newsml:wsa.example:concept:uwe-kraemer"
            assert letter["error"] == "unsupported_item" and letter["offset"] == 0

    asyncio.run(run())
    assert hop.metrics.documents.labels("newsml-g2")._value.get() == 3


def test_dedup_publishes_a_kill_at_once_and_holds_an_embargoed_record(tmp_path: Path) -> None:
    names = ("stage_dedup", "stage_annotate", "enriched", "duplicates", "deadletter", "stage_embargo")
    names += ("ninjs",)
    hop, out = _hop(tmp_path, names, WIRESTREAM_EMBARGO="hold")
    agent = dedup_agent(hop)
    kill = hop.chain.front_many((DATA / "nitf" / "fire-es-kill.xml").read_bytes())[0]
    assert isinstance(kill, Prepared)
    future = "2999-01-01T00:00:00Z"
    embargoed = hop.chain.front(json.dumps({**STORY, "id": "agents-emb", "embargoed": future}).encode())
    duplicate = hop.chain.front(json.dumps({**STORY, "id": "agents-dup", "embargoed": future}).encode())
    assert isinstance(embargoed, Prepared) and isinstance(duplicate, Prepared)

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put(json.dumps(kill.to_json()).encode())
            key, record = await _next(out["enriched"])
            assert key == b"wsa-es-20260412-incendio-avila" and record["pubstatus"] == "canceled"
            assert record["enrichment"] == "skipped" and record["dedup"]["withdrawn"] is True
            key, ninjs = await _next(out["ninjs"])  # subscribers withdraw it from the ninjs topic too
            assert key == b"wsa-es-20260412-incendio-avila" and ninjs["pubStatus"] == "canceled"

            await tested.put(json.dumps(embargoed.to_json()).encode())
            _, onward = await _next(out["stage_annotate"])  # enriched first; held when published
            assert onward["story"]["embargoed"] == future

            await tested.put(json.dumps(duplicate.to_json()).encode())
            key, note = await _next(out["stage_embargo"])  # a duplicate's record, published now: held
            assert key == b"agents-dup" and note["hold"]["target"] == "duplicates"
            assert note["hold"]["record"]["embargoed"] == future and note["hold"]["until"] > 3e10
        assert out["duplicates"].empty()

    asyncio.run(run())
    assert hop.metrics.kills.labels("nitf")._value.get() == 1


def test_a_hand_over_over_the_record_limit_becomes_a_compact_too_large_dead_letter(tmp_path: Path) -> None:
    """Topics of 128 KiB, the body limit raised past what they carry: the 150 KB story's hand-over is not
    sent; a compact dead letter names the raw message instead, and the next story goes on."""
    hop, out = _hop(tmp_path, WIRESTREAM_MAX_MESSAGE_BYTES="131072", WIRESTREAM_MAX_BODY_BYTES="1000000")
    agent = prepare_agent(hop)
    paragraphs = [s["body"] for s in stories(200, seed=3, prefix="agents")]  # no two alike: clean keeps all
    big = {**STORY, "id": "agents-big", "body": "\n\n".join(paragraphs)}  # 150 KB

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put(json.dumps(big).encode())
            key, letter = await _next(out["deadletter"])
            assert key == b"agents-big" and letter["error"] == "too_large" and letter["stage"] == "prepare"
            assert "raw" not in letter and letter["size"] > 131072 - 1024 and letter["offset"] == 0
            assert "the hand-over" in letter["detail"] and "WIRESTREAM_MAX_MESSAGE_BYTES" in letter["detail"]
            await tested.put(json.dumps(STORY).encode())
            key, handed = await _next(out["stage_dedup"])
            assert key == b"agents-1" and handed["origin"]["offset"] == 1
        assert out["stage_dedup"].empty() and out["deadletter"].empty()

    asyncio.run(run())
    assert hop.metrics.dead_letters.labels("too_large", "prepare")._value.get() == 1


def test_an_enriched_record_also_goes_out_as_ninjs_with_the_same_key_and_a_duplicate_does_not(
    tmp_path: Path,
) -> None:
    hop, out = _hop(tmp_path, ("enriched", "duplicates", "ninjs"))
    unique, repeat = hop.chain.run(
        [json.dumps(STORY).encode(), json.dumps({**STORY, "id": "agents-2"}).encode()]
    )
    assert (
        isinstance(unique, Enriched) and isinstance(repeat, Enriched) and repeat.dedup.status == "duplicate"
    )

    async def run() -> None:
        async with dedup_agent(hop).test_context():  # the app's loop and channels, as the agents have them
            sent = []
            for outcome in (unique, repeat):
                prepared = hop.chain.front(json.dumps(outcome.story.to_json()).encode())
                assert isinstance(prepared, Prepared)
                sent += await hop.publish(outcome, prepared, "annotate")
            assert [s.topic for s in sent] == ["(channel)"] * 3 and await hop.outputs.settle(sent)
            key, record = await _next(out["enriched"])
            ninjs_key, ninjs = await _next(out["ninjs"])
            assert key == ninjs_key == b"agents-1"
            assert errors("ninjs", ninjs) == []
            assert ninjs["altIds"] == [{"role": "wirestream:id", "value": "agents-1"}]
            assert ninjs["bodies"][0]["value"] == record["body"]
            key, _ = await _next(out["duplicates"])
            assert key == b"agents-2" and out["ninjs"].empty()

    asyncio.run(run())


def test_a_ninjs_over_the_record_limit_is_not_sent_and_leaves_no_second_trace(tmp_path: Path) -> None:
    hop, out = _hop(tmp_path, ("enriched", "ninjs", "deadletter"))
    [story] = hop.chain.run([json.dumps(STORY).encode()])
    assert isinstance(story, Enriched)
    prepared = hop.chain.front(json.dumps(STORY).encode())
    assert isinstance(prepared, Prepared)
    enriched_size = len(json.dumps(story.to_json(), ensure_ascii=False, separators=(",", ":")).encode())
    ninjs_size = len(
        json.dumps(to_ninjs(story.to_json()), ensure_ascii=False, separators=(",", ":")).encode()
    )
    assert ninjs_size > enriched_size  # a quote-dense short story: its ninjs is the larger
    hop.outputs.limit = enriched_size + len(b"agents-1")  # the enriched record fits, its ninjs does not

    async def run() -> None:
        async with dedup_agent(hop).test_context():
            sent = await hop.publish(story, prepared, "annotate")
            assert len(sent) == 1 and not sent[0].letter and await hop.outputs.settle(sent)
            key, _ = await _next(out["enriched"])
            assert key == b"agents-1" and out["ninjs"].empty() and out["deadletter"].empty()

    asyncio.run(run())


def test_dedup_takes_hand_overs_in_batches_and_keeps_their_order(tmp_path: Path) -> None:
    """Several hand-overs put back to back (taken together by take_events as they come); each comes out in
    the order it went in, and a repeat inside the same batch is found against the one before it."""

    hop, out = _hop(tmp_path)
    agent = dedup_agent(hop)
    batch = [hop.chain.front(json.dumps(s).encode()) for s in stories(6, seed=3, words=120, prefix="batch")]
    assert all(isinstance(p, Prepared) for p in batch)
    first = batch[0]
    assert isinstance(first, Prepared)
    repeat = replace(first, story=replace(first.story, id="batch-again"), stages={})

    async def run() -> None:
        async with agent.test_context() as tested:
            for prepared in [*batch, repeat]:
                await tested.put(json.dumps(prepared.to_json()).encode())  # type: ignore[union-attr]
            onward = [await _next(out["stage_annotate"]) for _ in batch]
            assert [key for key, _ in onward] == [p.story.id.encode() for p in batch]  # type: ignore[union-attr]
            assert {record["dedup"]["status"] for _, record in onward} == {"unique"}
            key, record = await _next(out["duplicates"])
            assert key == b"batch-again" and record["dedup"]["of"] == first.story.id

    asyncio.run(run())
    assert hop.metrics.stories.labels("dedup")._value.get() == len(batch) + 1


def test_as_current_sets_faust_s_current_event_for_the_block_only() -> None:
    from faust.streams import current_event
    from faust.types import TP
    from faust.types.tuples import Message

    from agents.faust_ext.batches import as_current

    app = faust.App("as-current-test", autodiscover=False)
    message = Message("t", 0, 7, 0.0, 1, None, b"k", b"v", None, tp=TP("t", 0))
    event = faust.Event(app, b"k", b"v", {}, message)
    assert current_event() is None
    with as_current(event):
        assert current_event() is event
    assert current_event() is None
