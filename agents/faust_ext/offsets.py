"""The committed offset of a partition, read from Faust's consumer.

Upstream behaviour: Faust keeps the committed offset (the next one to read) per partition in the private
`Consumer._committed_offset` and has no public accessor (robinhood/faust#752 asks for a consumer's offset
and lag per partition; unanswered). Asking the broker instead (`committed()`) would cost a round trip per
partition every few seconds. This is the one place that reads the private attribute: if a Faust release
renames it, lag reads as the end offset (committed 0) and only this module changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.types import TP


def committed_offsets(consumer: Any) -> Mapping[TP, int | None]:
    """Per assigned partition, the offset this worker committed last (the next one to read); {} if unknown."""
    return getattr(consumer, "_committed_offset", {})
