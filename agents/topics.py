"""Topic names (from the prefix), their partition counts, and the codec: plain JSON bytes in and out.

`TOPICS` is the one table of the topics the worker reads or writes: the Faust app declares them from it
(`agents.app`) and the CLI creates them from it (`agents.kafka.all_topics`). A new topic is one more row
(and one more `TopicNames` property).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.records import scrub

# (TopicNames attribute, partitions): None = the configured count; the dedup hand-over has one partition,
# so one worker owns the whole dedup state
TOPICS: tuple[tuple[str, int | None], ...] = (
    ("raw", None),
    ("stage_dedup", 1),
    ("stage_annotate", None),
    ("enriched", None),
    ("duplicates", None),
    ("deadletter", None),
    ("ninjs", None),
)


@dataclass(frozen=True, slots=True)
class TopicNames:
    prefix: str = "wire"

    @property
    def raw(self) -> str:
        return f"{self.prefix}.raw"

    @property
    def enriched(self) -> str:
        return f"{self.prefix}.enriched"

    @property
    def duplicates(self) -> str:
        return f"{self.prefix}.duplicates"

    @property
    def deadletter(self) -> str:
        return f"{self.prefix}.deadletter"

    @property
    def ninjs(self) -> str:
        """The records of `enriched` (kills too, not duplicates) as IPTC ninjs, same key."""
        return f"{self.prefix}.ninjs"

    @property
    def stage_dedup(self) -> str:
        """Cleaned stories on their way to dedup: one partition, so one owner sees every story."""
        return f"{self.prefix}.stage.dedup"

    @property
    def stage_annotate(self) -> str:
        """Non-duplicate stories on their way to the model stages: partitioned by id, scales out."""
        return f"{self.prefix}.stage.annotate"

    def resolve(self, name: str) -> str:
        """A user's topic name: `enriched` means `<prefix>.enriched`; a dotted name is taken as given."""
        return name if "." in name else f"{self.prefix}.{name}"

    def partitions(self, default: int) -> dict[str, int]:
        """Every topic of `TOPICS` by its full name, with its partition count."""
        return {getattr(self, attr): count or default for attr, count in TOPICS}


def encode(obj: Any) -> bytes:
    """One record as compact UTF-8 JSON (a lone surrogate left in a string becomes U+FFFD: never a crash)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return scrub(text).encode("utf-8")


def key_of(story_id: str | None) -> bytes | None:
    """The message key of a story: its id as UTF-8 (lone surrogates as U+FFFD, as in the record's `id`)."""
    return None if story_id is None else scrub(story_id).encode("utf-8")
