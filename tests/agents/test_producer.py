"""agents.faust_ext.producer: sends skip Faust's stampede once the producer runs."""

from __future__ import annotations

import faust
import pytest

from agents.faust_ext.producer import skip_stampede_once_started


def app_with_started_producer(name: str) -> faust.App:
    app = faust.App(name, broker="kafka://127.0.0.1:1", autodiscover=False)
    app.producer._started.set()  # what App.start leaves behind (no broker needed to tell the calls apart)
    return app


def test_a_started_producer_comes_back_without_a_pass_through_the_event_loop() -> None:
    app = app_with_started_producer("stampede-skipped")
    skip_stampede_once_started(app)
    step = app.maybe_start_producer()
    with pytest.raises(StopIteration) as done:
        step.send(None)  # done in one step: nothing awaited that yields to the loop
    assert done.value.value is app.producer


def test_fausts_own_method_yields_to_the_event_loop_even_when_started() -> None:
    """What the workaround is for: without it, every send passes through the event loop (3 times)."""
    app = app_with_started_producer("stampede-faust")
    step = app.maybe_start_producer()
    assert step.send(None) is None  # asyncio.sleep(0) yielded
    step.close()


def test_exactly_once_gets_the_transaction_manager_as_from_faust() -> None:
    app = faust.App("stampede-eos", broker="kafka://127.0.0.1:1", autodiscover=False)
    app.conf.processing_guarantee = "exactly_once"
    app.in_worker = True  # in a worker, Faust's method returns the transaction manager, started or not
    skip_stampede_once_started(app)
    step = app.maybe_start_producer()
    with pytest.raises(StopIteration) as done:
        step.send(None)
    assert done.value.value is app.consumer.transactions
