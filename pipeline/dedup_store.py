"""The dedup state's storage: a tiny key-value protocol, a dict behind it, and a bounded id list.

The protocol is three calls over string keys and JSON-serialisable values (dict, list, str, int, float,
bool, None), so a Faust table (RocksDB + changelog) can stand behind it as easily as a dict. Values are
read and written whole: keep them small, and never grow one without bound (see `ChunkedIds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class DedupStore(Protocol):
    """What the Deduplicator needs from its state: get, set, delete. Nothing else is called."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...  # value: JSON-serialisable

    def delete(self, key: str) -> None: ...


class MemoryStore:
    """A dict-backed store, for offline runs and tests (`data` is open for inspection)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def __len__(self) -> int:
        return len(self.data)


class ChunkedIds:
    """An append-only list of ids under one key prefix, stored in chunks of at most `chunk` ids.

    `<prefix>` holds the count and `<prefix>:<k>` the k-th chunk, so appending rewrites at most one
    chunk (a Faust table writes each `set` to its changelog: one huge value rewritten per story would
    be quadratic). Used for the time buckets that `expire` walks.
    """

    def __init__(self, store: DedupStore, prefix: str, chunk: int = 256) -> None:
        self.store, self.prefix, self.chunk = store, prefix, chunk

    def append(self, item: str) -> None:
        count = int(self.store.get(self.prefix) or 0)
        key = f"{self.prefix}:{count // self.chunk}"
        ids = self.store.get(key) or []
        self.store.set(key, [*ids, item])
        self.store.set(self.prefix, count + 1)

    def __iter__(self) -> Iterator[str]:
        count = int(self.store.get(self.prefix) or 0)
        for k in range(-(-count // self.chunk)):
            yield from self.store.get(f"{self.prefix}:{k}") or ()

    def clear(self) -> None:
        count = int(self.store.get(self.prefix) or 0)
        for k in range(-(-count // self.chunk)):
            self.store.delete(f"{self.prefix}:{k}")
        self.store.delete(self.prefix)
