"""The end of a table recovery keeps what the streams were given while the flow was on already."""

from __future__ import annotations

from pathlib import Path

from mode.utils.queues import FlowControlEvent, FlowControlQueue

from agents.app import create_app
from agents.faust_ext.recovery import Recovery, TableManager, clears_only_when_suspended
from agents.settings import Settings


def test_a_resume_of_a_flow_already_on_keeps_the_queues() -> None:
    flow = FlowControlEvent()
    queue: FlowControlQueue[int] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    flow.resume()
    queue.put_nowait(1)  # delivered while the recovery's flow was on: current work
    with clears_only_when_suspended(flow):
        flow.resume()  # what Faust's on_recovery_completed calls at its end
        assert queue.qsize() == 1
        flow.suspend()  # a rebalance starts meanwhile: what is queued now is stale
        flow.clear()
        assert queue.qsize() == 0
    queue.put_nowait(2)
    flow.resume()  # outside the block, Faust's own behaviour: a resume clears
    assert queue.qsize() == 0


def test_the_worker_app_uses_the_recovery_above(tmp_path: Path) -> None:
    settings = Settings.from_env({"WIRESTREAM_DATA_DIR": str(tmp_path)})
    app = create_app(settings).app
    assert isinstance(app.tables, TableManager)
    assert isinstance(app.tables.recovery, Recovery)
