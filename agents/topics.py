"""Topic names (from the prefix) and the codec: plain JSON bytes in and out, no Faust envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.records import scrub


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
