"""exactly_once wiring: the commit gate, the source of a send, and transactional ids Faust agrees with."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from faust.types import TP

from agents.app import create_app
from agents.faust_ext.transactions import (
    CommitGate,
    Consumer,
    GatedConsumer,
    SourceTransactionManager,
    Transport,
    from_source,
    source_partition,
)
from agents.settings import Settings


def test_a_commit_waits_for_the_event_being_handled() -> None:
    async def run() -> list[str]:
        gate, log = CommitGate(), []

        async def handle() -> None:
            async with gate.handling():
                log.append("send")
                await asyncio.sleep(0.05)  # a send that has to wait
                log.append("ack")

        async def commit() -> None:
            await asyncio.sleep(0.01)
            async with gate.committing():
                log.append("commit")

        await asyncio.gather(handle(), commit())
        return log

    assert asyncio.run(run()) == ["send", "ack", "commit"]


def test_no_new_handling_starts_while_a_commit_waits() -> None:
    async def run() -> list[str]:
        gate, log = CommitGate(), []

        async def first() -> None:
            async with gate.handling():
                await asyncio.sleep(0.05)
                log.append("first done")

        async def commit() -> None:
            await asyncio.sleep(0.01)
            async with gate.committing():
                log.append("commit")

        async def second() -> None:
            await asyncio.sleep(0.02)  # arrives while the commit waits for `first`
            async with gate.handling():
                log.append("second")

        await asyncio.gather(first(), commit(), second())
        return log

    assert asyncio.run(run()) == ["first done", "commit", "second"]


def test_a_send_belongs_to_the_partition_set_for_it() -> None:
    assert source_partition() is None  # no stream event, nothing set
    with from_source(TP("wire.stage.annotate", 1)):
        assert source_partition() == TP("wire.stage.annotate", 1)
        with from_source(TP("wire.stage.annotate", 0)):
            assert source_partition() == TP("wire.stage.annotate", 0)
        assert source_partition() == TP("wire.stage.annotate", 1)
    assert source_partition() is None


@pytest.mark.parametrize("topic, group, partition", [("t.raw", 1, 1), ("t.stage.dedup", 0, 0)])
def test_outputs_go_to_the_producer_that_commits_the_source_offsets(
    tmp_path: Path, topic: str, group: int, partition: int
) -> None:
    async def run() -> None:
        wiring = create_app(
            Settings(topic_prefix="t", processing_guarantee="exactly_once", data_dir=tmp_path)
        )
        app = wiring.app
        assert isinstance(app.transport, Transport)
        assert isinstance(app.consumer, GatedConsumer)
        manager = app.consumer.transactions
        assert isinstance(manager, SourceTransactionManager)
        assert wiring.gate is app.transport.gate
        app.assignor._topic_groups = {topic: group}  # what the group leader's assignment sets
        source = TP(topic, partition)
        # Faust starts one producer per assigned partition under this name, and commits its offsets there
        assert {manager.transactional_id(source)} == manager._tps_to_transactional_ids({source})
        assert manager.transactional_id(source) == f"wirestream-t-{group}-{partition}"

    asyncio.run(run())


def test_at_least_once_has_no_transactions_but_the_same_consumer_fix(tmp_path: Path) -> None:
    async def run() -> None:
        wiring = create_app(Settings(topic_prefix="t", data_dir=tmp_path))
        assert not isinstance(wiring.app.transport, Transport)
        assert isinstance(wiring.app.consumer, Consumer)
        assert not isinstance(wiring.app.consumer, GatedConsumer)

    asyncio.run(run())


def _offsets_after(
    tmp_path: Path, committed: int, markers: tuple[int, int], next_record: int, acked: list[int]
) -> int | None:
    """What the exactly_once consumer commits for one partition: `committed` so far, then transaction
    markers (no records) from markers[0] to markers[1], then records from `next_record` on."""

    async def run() -> int | None:
        wiring = create_app(
            Settings(topic_prefix="t", processing_guarantee="exactly_once", data_dir=tmp_path)
        )
        consumer = wiring.app.consumer
        assert isinstance(consumer, GatedConsumer)
        tp = TP("t.stage.dedup", 0)
        consumer._committed_offset[tp] = committed
        # as the fetcher reports it: the last read offset + 1 up to the record that came after the gap
        await consumer._add_gap(tp, markers[0], next_record)
        for offset in acked:
            consumer._acked[tp].append(offset)
            consumer._acked_index[tp].add(offset)
        return consumer._new_offset(tp)

    return asyncio.run(run())


def test_one_commit_takes_every_acked_offset_past_transaction_markers(tmp_path: Path) -> None:
    # records up to 280 committed, markers at 281 and 282, records 283..301 handled: commit up to 302 now
    # (Faust stopped at 284, leaving 284..301 for a later transaction than their outputs)
    assert _offsets_after(tmp_path, 281, (281, 282), 283, list(range(283, 302))) == 302


def test_a_record_after_markers_is_not_committed_before_it_is_acked(tmp_path: Path) -> None:
    # 283 still in hand, 284 acked: commit past the markers only (Faust counted 283 as a gap: 285)
    assert _offsets_after(tmp_path, 281, (281, 282), 283, [284]) == 283
