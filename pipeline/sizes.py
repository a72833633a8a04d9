"""The size policy: how large a story may be, derived from the topics' `max.message.bytes`.

Every topic the worker writes is created with `max.message.bytes` = M (WIRESTREAM_MAX_MESSAGE_BYTES,
default 8 MiB) and every producer gets `max_request_size` = M. Producers measure a record before
compression, the broker after it (zstd), so a record the producer lets through always fits the topic;
the worker checks each record against `record_limit(M)` before sending it, and one over it becomes a
compact `too_large` dead letter instead.

The hand-over between the stages carries the body once, so it is the body plus about a kilobyte. The
enriched record adds the annotations: on the densest copy we measured (our story generator's, a quote and
a few names in every sentence) it was 3.6 to 4.8 times the body (3.6 for bodies of a megabyte, whose
entities come from the first 200,000 characters only). The default body limit is therefore a quarter of the
record limit: every story under it passes both hand-overs, and its enriched record fits unless its copy is
denser than that. A story whose record does not fit becomes `too_large`.

`wire.raw` takes larger messages (WIRESTREAM_MAX_RAW_BYTES, default 32 MiB), so a story over the body
limit still reaches the worker and comes out as a `body_too_large` dead letter, not a publisher's error.
"""

from __future__ import annotations

MIB = 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 8 * MIB
DEFAULT_MAX_RAW_BYTES = 32 * MIB
RECORD_RESERVE = 1024  # of M, kept for the record batch's and the record's own headers (and zstd's frame)
RECORD_GROWTH = 4  # an enriched record is at most about this many times its body (measured, see above)


def record_limit(max_message_bytes: int) -> int:
    """The largest encoded record (key + value) the worker sends to a topic of that `max.message.bytes`."""
    return max(1, max_message_bytes - RECORD_RESERVE)


def body_limit(max_message_bytes: int) -> int:
    """The default largest body (UTF-8 bytes) that passes end to end through topics of that size."""
    return max(1, record_limit(max_message_bytes) // RECORD_GROWTH)
