"""Every output an agent sends, accounted for before its input is acked.

An input leaves exactly one trace: its record, or a dead letter. So an agent sends its outputs through
`Outputs`, then `settle`s them and acks the input only when that returns True:

- a record over the record limit (pipeline.sizes) is not sent: a compact `too_large` dead letter, naming
  the raw message, goes instead; so does one the broker refuses as too large (a topic made with a smaller
  `max.message.bytes` than the worker was told);
- a dead letter that would itself be too large goes compact (no `raw`);
- a failure that is not the story's fault and that a dead letter would not get past either (not
  authorised, no such topic, a timeout after the producer's retries): the worker stops (`Halt`) with one
  line naming what to fix, and the input is not acked, so it is not committed and is done again after the fix;
- a failure a rebalance causes (a fenced producer whose transaction is aborted): logged, the input is acked
  as before (its transaction is aborted with it, or its partition's new owner does it again).

Sends are awaited until the broker has them (Faust's producer otherwise reports a failed delivery only in
its log, after the offset may have been committed): an agent holds a message until its outputs are in.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka import errors

from agents.faust_ext.transactions import from_source, source_partition
from agents.topics import encode, key_of
from pipeline.records import DeadLetter

log = logging.getLogger(__name__)
TOO_LARGE = (errors.MessageSizeTooLargeError, errors.RecordTooLargeError, errors.RecordListTooLargeError)
# failures no retry or dead letter gets past: the worker stops (what a rebalance causes, a fenced producer
# in an aborted transaction, is not among them: that input is done again by its partition's new owner)
FATAL = (
    errors.TopicAuthorizationFailedError,
    errors.TransactionalIdAuthorizationFailed,
    errors.ClusterAuthorizationFailedError,
    errors.UnknownTopicOrPartitionError,
    errors.KafkaTimeoutError,
    errors.RequestTimedOutError,
    TimeoutError,
)


class Halt:
    """Stops the worker, once, with one line saying why; `cmd_worker` exits non-zero with that line."""

    def __init__(self, stop: Callable[[], None] | None = None) -> None:
        self.reason: str | None = None
        self._stop = stop or (lambda: os.kill(os.getpid(), signal.SIGTERM))  # Faust's graceful stop

    def now(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            log.critical("wirestream worker stops: %s", reason)
            self._stop()


@dataclass(slots=True)
class Sent:
    """One output on its way: the broker's answer to come (`delivery`), or the error it already got."""

    topic: str
    size: int
    story_id: str | None
    origin: dict[str, Any]
    stage: str
    what: str
    letter: bool  # a dead letter (never replaced by another one)
    source: Any = None  # the partition whose message it came from: its transaction (exactly_once)
    delivery: Awaitable[Any] | None = None
    error: BaseException | None = field(default=None)


def explain(exc: BaseException, topic: str) -> str:
    """The line a worker stops with when a send to `topic` fails for a reason no dead letter can carry."""
    if isinstance(exc, errors.TopicAuthorizationFailedError):
        return (
            f"not allowed to write to {topic} ({type(exc).__name__}): grant WRITE on it to the worker's user "
            "(WIRESTREAM_SASL_USERNAME; see docs/security.md)"
        )
    if isinstance(exc, errors.TransactionalIdAuthorizationFailed | errors.ClusterAuthorizationFailedError):
        return (
            f"not allowed to write to {topic} in a transaction ({type(exc).__name__}): grant WRITE on the "
            "transactional ids starting with the app id (see docs/security.md)"
        )
    if isinstance(exc, errors.UnknownTopicOrPartitionError):
        return f"topic {topic} does not exist: create it (or let the worker: CREATE on it; docs/security.md)"
    if isinstance(exc, errors.KafkaTimeoutError | errors.RequestTimedOutError | TimeoutError):
        return f"writing to {topic} timed out after the producer's retries: is WIRESTREAM_BROKER up?"
    return f"writing to {topic} failed: {type(exc).__name__}: {exc}"


def topic_name(topic: faust.ChannelT) -> str:
    """A topic's name; an in-memory channel (agent tests) has none."""
    try:
        return topic.get_topic_name()
    except NotImplementedError:
        return "(channel)"


class Outputs:
    """Sends records and dead letters within the record limit; see the module docstring."""

    def __init__(
        self,
        deadletter: faust.TopicT,
        *,
        limit: int,
        halt: Halt,
        counted: Callable[[DeadLetter], None] = lambda letter: None,
    ) -> None:
        self.deadletter = deadletter
        self.limit = limit
        self.halt = halt
        self.counted = counted  # metrics for each dead letter sent

    async def record(
        self,
        topic: faust.TopicT,
        key: bytes | None,
        value: bytes,
        *,
        story_id: str | None,
        origin: dict[str, Any],
        stage: str,
        what: str,
    ) -> Sent:
        """Send one record (`what` names it in a dead letter: "the enriched record") or, when it is over
        the limit, its `too_large` dead letter."""
        name = topic_name(topic)
        size = len(value) + len(key or b"")
        if size > self.limit:
            return await self.letter(self._too_large(what, name, size, story_id, origin, stage))
        sent = Sent(name, size, story_id, origin, stage, what, letter=False, source=source_partition())
        await self._send(sent, topic, key, value)
        return sent

    async def letter(self, letter: DeadLetter) -> Sent:
        """Send a dead letter, compact when the whole one would be over the limit."""
        value = encode(letter.to_json())
        key = key_of(letter.id)
        if len(value) + len(key or b"") > self.limit:
            letter = letter.compact()
            value = encode(letter.to_json())
        self.counted(letter)
        where = {"topic": letter.topic, "partition": letter.partition, "offset": letter.offset}
        name = topic_name(self.deadletter)
        sent = Sent(
            name, len(value), letter.id, where, letter.stage, "the dead letter", True, source_partition()
        )
        await self._send(sent, self.deadletter, key, value)
        return sent

    async def _send(self, sent: Sent, topic: faust.TopicT, key: bytes | None, value: bytes) -> None:
        try:
            sent.delivery = await topic.send(key=key, value=value)
        except Exception as exc:  # refused before it left (aiokafka's own size check, a closed producer)
            sent.error = exc

    async def settle(self, sent: Sequence[Sent]) -> bool:
        """Wait for the broker's answers; replace records refused as too large by their dead letters; on
        any other failure halt the worker and return False (the inputs must not be acked)."""
        for item in sent:
            if item.error is None and item.delivery is not None:
                try:
                    await item.delivery
                except Exception as exc:
                    item.error = exc
        again: list[Sent] = []
        for item in sent:
            if item.error is None:
                continue
            if isinstance(item.error, TOO_LARGE) and not item.letter:
                what, origin = item.what, item.origin
                letter = self._too_large(
                    what, item.topic, item.size, item.story_id, origin, item.stage, refused=True
                )
                with from_source(item.source):  # in the transaction of the record it replaces
                    again.append(await self.letter(letter))
                continue
            if isinstance(item.error, (*FATAL, *TOO_LARGE)):  # (a dead letter too large for its topic too)
                self.halt.now(explain(item.error, item.topic))
                return False
            # a rebalance's: the transaction it was in is aborted, or the input comes again
            log.warning("send to %s failed, left to redelivery: %r", item.topic, item.error)
        return await self.settle(again) if again else True

    def _too_large(
        self,
        what: str,
        topic: str,
        size: int,
        story_id: str | None,
        origin: dict[str, Any],
        stage: str,
        *,
        refused: bool = False,  # by the broker, under our own limit
    ) -> DeadLetter:
        return DeadLetter.too_large(
            f"{what} for {topic}",
            size,
            None if refused else self.limit,
            stage,
            story_id=story_id,
            topic=origin.get("topic"),
            partition=origin.get("partition"),
            offset=origin.get("offset"),
        )
