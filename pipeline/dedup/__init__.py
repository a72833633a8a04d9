"""Dedup stage: is a story new, a redelivery, an update or a correction of one seen within the horizon?

`Deduplicator(store=...)` is the stage, over the small `DedupStore` protocol (`MemoryStore` here, a Faust
table in the worker); `sketch` turns text into hashes and MinHash signatures, `index` keeps the in-memory
lookups rebuilt from the store, `deduplicator` decides (and reads the correction markers, data files).
"""

from pipeline.dedup.deduplicator import (
    Deduplicator,
    DedupMarkers,
    MarkerSet,
    load_dedup_markers,
)
from pipeline.dedup.sketch import normalise
from pipeline.dedup.store import DedupStore, MemoryStore

__all__ = [
    "DedupMarkers",
    "DedupStore",
    "Deduplicator",
    "MarkerSet",
    "MemoryStore",
    "load_dedup_markers",
    "normalise",
]
