"""The in-memory side of dedup state: exact-hash and LSH-band lookups, and the expiry queue.

The store keeps one entry per story (`doc:<id>`: its sketch, source, time, ...); everything here
derives from those docs and is rebuilt from the store (`DedupIndex.build`) when a process starts or a
partition is (re)assigned. A Faust table then writes one changelog record per story, not one per LSH
band it touches, and a lookup costs dict probes instead of store reads.

Memory: about 2.5 KB per remembered story (32 band keys in a dict, the exact hash, a queue entry);
the horizon bounds how many stories there are.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Generator, Iterable
from typing import Any

import numpy as np

from pipeline.dedup.sketch import Sketcher, decode_signature

DOC = "doc:"


class DedupIndex:
    """Which remembered stories share an exact hash or LSH bands with a text, and which are due to expire.

    Band keys mix the language in, so stories in different languages never share a bucket (callers
    still compare languages: a 64-bit collision is not impossible). A bucket keeps at most `cap` ids,
    the oldest dropping out, which bounds degenerate texts that all hash alike.
    """

    def __init__(self, sketcher: Sketcher, cap: int) -> None:
        self.sketcher = sketcher
        self.cap = max(1, cap)
        self.exact: dict[str, str] = {}  # "<lang>:<hash>" -> id
        self.buckets: dict[int, str | list[str]] = {}  # band key -> id, or ids oldest first
        self.queue: list[tuple[float, int, str]] = []  # heap of (time, sequence, id) for `expire`
        self.next_seq = 0
        self._salts: dict[str, np.ndarray] = {}

    # -- keys --------------------------------------------------------------------------------------

    def _salt(self, lang: str) -> np.ndarray:
        salt = self._salts.get(lang)
        if salt is None:
            digest = hashlib.shake_128(lang.encode("utf-8")).digest(8 * self.sketcher.config.bands)
            salt = self._salts[lang] = np.frombuffer(digest, dtype="<u8").astype(np.uint64)
        return salt

    def band_keys(self, lang: str, signature: np.ndarray | None) -> list[int]:
        """One key per LSH band of `signature`, in band order (none for a text without words)."""
        if signature is None or len(signature) != self.sketcher.config.num_perm:
            return []
        keys: list[int] = (self.sketcher.band_hashes(signature) ^ self._salt(lang)).tolist()
        return keys

    @staticmethod
    def exact_key(lang: str, digest: str) -> str:
        return f"{lang}:{digest}"

    # -- lookups -----------------------------------------------------------------------------------

    def hits(self, keys: Iterable[int]) -> dict[str, int]:
        """Ids in the buckets of `keys` and how many of those buckets each is in (first seen first)."""
        hits: dict[str, int] = {}
        get = self.buckets.get
        for key in keys:
            ids = get(key)
            if ids is None:
                continue
            if isinstance(ids, str):
                hits[ids] = hits.get(ids, 0) + 1
            else:
                for cid in ids:
                    hits[cid] = hits.get(cid, 0) + 1
        return hits

    # -- changes -----------------------------------------------------------------------------------

    def add(self, sid: str, doc: dict[str, Any], keys: list[int] | None = None) -> None:
        """Queue a stored doc for expiry and, unless it is a duplicate (`ix` false), index it.

        `keys`: its band keys when the caller has them (else they come from the doc's signature).
        """
        seq = int(doc.get("q", 0))
        heapq.heappush(self.queue, (float(doc["t"]), seq, sid))
        self.next_seq = max(self.next_seq, seq + 1)
        if doc.get("ix", True):
            self._index(sid, doc, keys)

    def _index(self, sid: str, doc: dict[str, Any], keys: list[int] | None) -> None:
        lang = doc["lang"]
        self.exact[self.exact_key(lang, doc["h"])] = sid
        if keys is None:
            keys = self.band_keys(lang, decode_signature(doc.get("s")))
        buckets, cap = self.buckets, self.cap
        for key in keys:
            ids = buckets.get(key)
            if ids is None or cap == 1:
                buckets[key] = sid
            elif isinstance(ids, str):
                buckets[key] = [ids, sid]
            else:
                ids.append(sid)
                if len(ids) > cap:
                    del ids[0]

    def remove(self, sid: str, doc: dict[str, Any]) -> None:
        """Take a doc out of the lookups (its queue entry goes stale and is skipped when due)."""
        if not doc.get("ix", True):
            return
        lang = doc["lang"]
        key = self.exact_key(lang, doc["h"])
        if self.exact.get(key) == sid:
            del self.exact[key]
        buckets = self.buckets
        for band in self.band_keys(lang, decode_signature(doc.get("s"))):
            ids = buckets.get(band)
            if ids == sid:
                del buckets[band]
            elif isinstance(ids, list) and sid in ids:
                ids.remove(sid)
                if len(ids) == 1:
                    buckets[band] = ids[0]

    def due(self, cutoff: float) -> tuple[float, int, str] | None:
        """Pop the oldest queue entry if it is older than `cutoff`."""
        if self.queue and self.queue[0][0] < cutoff:
            return heapq.heappop(self.queue)
        return None

    # -- rebuilding --------------------------------------------------------------------------------

    @classmethod
    def build(cls, sketcher: Sketcher, cap: int, items: Iterable[tuple[str, Any]]) -> DedupIndex:
        """The index of every doc in a store's items, in one go (see `building`)."""
        steps = cls.building(sketcher, cap, items)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                index: DedupIndex = done.value
                return index

    @classmethod
    def building(
        cls, sketcher: Sketcher, cap: int, items: Iterable[tuple[str, Any]], step: int = 2000
    ) -> Generator[int, None, DedupIndex]:
        """Build the index of every doc in a store's items, yielding the count done every `step` docs
        (so an async caller can let its event loop breathe); returns the index.

        Docs are added in the order they were first remembered (time, then sequence), so buckets hold
        what they held before. Other keys are ignored.
        """
        index = cls(sketcher, cap)
        docs: list[tuple[float, int, str, dict[str, Any]]] = []
        for k, v in items:
            if k.startswith(DOC):
                docs.append((float(v["t"]), int(v.get("q", 0)), k[len(DOC) :], v))
                if len(docs) % step == 0:
                    yield len(docs)
        docs.sort(key=lambda d: (d[0], d[1]))
        index.queue = [(t, seq, sid) for t, seq, sid, _ in docs]  # sorted: already a heap
        index.next_seq = max((seq for _, seq, _, _ in docs), default=-1) + 1
        num_perm = sketcher.config.num_perm
        for start in range(0, len(docs), step):
            chunk = docs[start : start + step]
            sigs: list[np.ndarray] = []
            rows: list[int] = []
            for i, (_, _, _, doc) in enumerate(chunk):
                sig = decode_signature(doc.get("s")) if doc.get("ix", True) else None
                if sig is not None and len(sig) == num_perm:
                    sigs.append(sig)
                    rows.append(i)
            keys: dict[int, list[int]] = {}
            if sigs:  # the chunk's bands in one numpy pass
                hashes = sketcher.band_hashes(np.stack(sigs))
                for row, i in enumerate(rows):
                    keys[i] = (hashes[row] ^ index._salt(chunk[i][3]["lang"])).tolist()
            for i, (_, _, sid, doc) in enumerate(chunk):
                if doc.get("ix", True):
                    index._index(sid, doc, keys.get(i, []))
            yield start + len(chunk)
        return index
