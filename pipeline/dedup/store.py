"""The dedup state's storage: a tiny key-value protocol and a dict behind it.

The protocol is four calls over string keys and JSON-serialisable values (dict, list, str, int, float,
bool, None), so a Faust table (RocksDB + changelog) can stand behind it as easily as a dict. Values are
read and written whole; the Deduplicator writes one per story (`doc:<id>`) and derives its lookups from
them (`items`, read once when it builds its in-memory index).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class DedupStore(Protocol):
    """What the Deduplicator needs from its state: get, set, delete, and every item (to rebuild)."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...  # value: JSON-serialisable

    def delete(self, key: str) -> None: ...

    def items(self) -> Iterable[tuple[str, Any]]: ...


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

    def items(self) -> Iterable[tuple[str, Any]]:
        return list(self.data.items())

    def __len__(self) -> int:
        return len(self.data)
