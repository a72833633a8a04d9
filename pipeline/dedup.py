"""Dedup stage: exact hash, then MinHash/LSH over word shingles, then versions and corrections.

State lives behind a tiny store protocol (`get`/`set`/`delete` of JSON-serialisable values): an
in-memory dict offline, a Faust table in the worker. Keys:

    doc:<id>            the latest version seen of a story: signature, sizes, source, language, time
    exact:<lang>:<hash> the id whose normalised body had that hash
    band:<lang>:<i>:<h> ids whose signature has band hash h at band i (LSH buckets)
    hour:<n>            ids recorded in hour n since the epoch (walked by `expire`)
    meta:oldest_hour    the oldest hour bucket not yet expired

Stories in different languages never meet: the language is part of every lookup key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import numpy as np

from pipeline.config import DedupConfig
from pipeline.records import Dedup, Story

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_BAND_HITS = 2  # candidates must share this many LSH bands before their signatures are compared
CONTAINED = 0.9  # share of the earlier text that must reappear for a same-source story to be its update
GROWTH = 1.05  # ... and the newer text must be at least this much longer


class DedupStore(Protocol):
    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryStore:
    """A dict-backed store, for offline runs and tests."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


MARKER_WINDOW = 600  # correction notes stand at the top or the bottom of a story


@dataclass(frozen=True, slots=True)
class DedupMarkers:
    corrections: re.Pattern[str]  # one alternation of the data file's patterns
    stems: tuple[str, ...]  # lower-case substrings one of which every marker contains (a cheap pre-check)

    def says_correction(self, headline: str | None, body: str) -> bool:
        window = (
            body if len(body) <= 2 * MARKER_WINDOW else body[:MARKER_WINDOW] + "\n" + body[-MARKER_WINDOW:]
        )
        lowered = f"{headline or ''}\n{window}".casefold()
        if not any(stem in lowered for stem in self.stems):
            return False  # no marker can match: skip the regex
        if headline and self.corrections.search(headline):
            return True
        if len(body) > 2 * MARKER_WINDOW:
            return bool(
                self.corrections.search(body[:MARKER_WINDOW])
                or self.corrections.search(body[-MARKER_WINDOW:])
            )
        return bool(self.corrections.search(body))


def _lines(name: str) -> list[str]:
    text = resources.files("pipeline.resources.dedup").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@cache
def load_dedup_markers() -> DedupMarkers:
    pattern = re.compile("|".join(f"(?:{p})" for p in _lines("corrections.txt")), re.I)
    return DedupMarkers(pattern, tuple(s.casefold() for s in _lines("correction_stems.txt")))


def normalise(text: str) -> str:
    """Words only, case-folded and NFC-composed: quote style, punctuation and whitespace drop out."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", text).casefold()))


@dataclass(frozen=True, slots=True)
class Signature:
    exact: str
    minhash: np.ndarray  # uint64[num_perm]
    shingles: int


_P = np.uint64(0x100000001B3)  # odd multiplier of the rolling hash; its inverse mod 2**64 undoes a shift
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_BYTE = np.array([chr(b).isalnum() or b == 0x5F or b >= 0x80 for b in range(256)], dtype=bool)
_C2_PUNCT = np.array([0xA0, 0xAB, 0xBB], dtype=np.uint8)
_BAND_MIX = np.random.default_rng(7).integers(1, 1 << 63, size=64, dtype=np.uint64) | np.uint64(1)


def _powers(base: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    if n:
        out[0] = 1
        out[1:] = base
        np.cumprod(out, out=out)  # wraps mod 2**64, which is what the hash wants
    return out


class MinHasher:
    """One-permutation MinHash (with densification) over word n-gram shingles, all in numpy.

    Shingle hashes come from a rolling polynomial hash over the UTF-8 bytes, so there is no per-word
    Python work and the hashes are the same in every process (no PYTHONHASHSEED dependence). Each
    shingle hash falls into one of `num_perm` bins; a bin keeps its minimum; empty bins borrow from
    the next filled one. The share of equal bins estimates the Jaccard similarity.
    """

    def __init__(self, config: DedupConfig) -> None:
        if config.num_perm & (config.num_perm - 1) or config.num_perm % config.bands:
            raise ValueError("num_perm must be a power of two and a multiple of bands")
        self.config = config
        self.bits = config.num_perm.bit_length() - 1

    def signature(self, text: str) -> Signature:
        """Signature of a cleaned body: words are runs of letters/digits, so case, quote style,
        punctuation and whitespace do not count; the exact hash covers the word sequence."""
        data = text.casefold().encode("utf-8")
        arr = np.frombuffer(data, dtype=np.uint8)
        n = len(arr)
        word = _WORD_BYTE[arr]
        if n > 2 and arr.max() >= 0x80:
            # U+2000-U+203F (curly quotes, dashes, ellipsis) and U+00A0/U+00AB/U+00BB separate words too
            gp = np.flatnonzero((arr[:-2] == 0xE2) & (arr[1:-1] == 0x80))
            for off in (0, 1, 2):
                word[gp + off] = False
            c2 = np.flatnonzero((arr[:-1] == 0xC2) & np.isin(arr[1:], _C2_PUNCT))
            word[c2] = False
            word[c2 + 1] = False
        edges = np.diff(np.concatenate(([0], word.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(arr.astype(np.uint64) * _powers(_P, n), out=prefix[1:])
        words = (prefix[ends] - prefix[starts]) * _powers(_P_INV, n + 1)[starts]
        exact = hashlib.blake2b(words.tobytes(), digest_size=16).hexdigest()
        k = min(self.config.shingle_words, len(words))
        m = len(words) - k + 1
        h = words[:m].copy() if m > 0 else np.zeros(1, dtype=np.uint64)
        for j in range(1, k):
            h = h * _SHINGLE_MIX + words[j : j + m]
        h ^= h >> np.uint64(33)
        h *= _MIX1
        h ^= h >> np.uint64(29)
        h *= _MIX2
        h ^= h >> np.uint64(32)
        h = np.unique(h)
        sig = np.full(self.config.num_perm, _EMPTY, dtype=np.uint64)
        np.minimum.at(
            sig, (h & np.uint64(self.config.num_perm - 1)).astype(np.intp), h >> np.uint64(self.bits)
        )
        empty = sig == _EMPTY
        if empty.any() and not empty.all():
            filled = np.flatnonzero(~empty)
            holes = np.flatnonzero(empty)
            nxt = np.searchsorted(filled, holes) % len(filled)
            dist = (filled[nxt] - holes) % self.config.num_perm
            sig[holes] = sig[filled[nxt]] + dist.astype(np.uint64) * _MIX2
        return Signature(exact, sig, int(len(h)))

    def bands(self, sig: np.ndarray) -> list[str]:
        """One stable 64-bit hash per LSH band (rows mixed with fixed odd multipliers), as hex keys."""
        rows = self.config.num_perm // self.config.bands
        mixed = sig.reshape(self.config.bands, rows) * _BAND_MIX[:rows]
        folded = np.bitwise_xor.reduce(mixed ^ (mixed >> np.uint64(29)), axis=1)
        return [format(int(h), "016x") for h in folded]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def containment(j: float, n_old: int, n_new: int) -> float:
    """Share of the older shingle set inside the newer one, from their Jaccard estimate and sizes."""
    if n_old == 0:
        return 0.0
    return min(1.0, j * (n_old + n_new) / ((1.0 + j) * n_old))


class Deduplicator:
    """Classifies each story against the ones remembered within the horizon, and remembers it."""

    def __init__(
        self, store: DedupStore, *, config: DedupConfig = DedupConfig(), markers: DedupMarkers | None = None
    ):
        self.store = store
        self.config = config
        self.markers = markers or load_dedup_markers()
        self.hasher = MinHasher(config)

    def check(self, story: Story, body: str, language: str, *, now: float) -> Dedup:
        """Status of `story` (cleaned `body`, detected `language`) at time `now` (epoch s, arrival time)."""
        sig = self.hasher.signature(body)
        bands = self.hasher.bands(sig.minhash)
        says_correction = self.markers.says_correction(story.headline, body)
        lang = language or "und"

        previous = self.store.get(f"doc:{story.id}")
        if previous is not None:
            sim = round(jaccard(sig.minhash, np.array(previous["sig"], dtype=np.uint64)), 4)
            if story.version > previous["v"]:
                self._remember(story, sig, bands, lang, now)
                return Dedup("correction" if says_correction else "update", story.id, sim)
            return Dedup("duplicate", story.id, 1.0 if previous["h"] == sig.exact else sim)

        exact_of = self.store.get(f"exact:{lang}:{sig.exact}")
        if exact_of is not None and self.store.get(f"doc:{exact_of}") is not None:
            self._remember(story, sig, bands, lang, now, index_exact=False)
            return Dedup("duplicate", exact_of, 1.0)

        best_id, best_j, best_doc = None, 0.0, None
        hits: Counter[str] = Counter()
        for i, h in enumerate(bands):
            hits.update(self.store.get(f"band:{lang}:{i}:{h}") or ())
        hits.pop(story.id, None)
        for cid, n in hits.items():
            if n < MIN_BAND_HITS:
                continue  # one shared band is chance (Jaccard ~0.4 or less); near-duplicates share many
            doc = self.store.get(f"doc:{cid}")
            if doc is None:
                continue
            j = jaccard(sig.minhash, np.array(doc["sig"], dtype=np.uint64))
            if j > best_j:
                best_id, best_j, best_doc = cid, j, doc
        self._remember(story, sig, bands, lang, now)
        if best_doc is not None and best_id is not None:
            same_source = bool(story.source) and story.source == best_doc.get("src")
            grew = sig.shingles >= best_doc["n"] * GROWTH
            if same_source and grew and containment(best_j, best_doc["n"], sig.shingles) >= CONTAINED:
                return Dedup("correction" if says_correction else "update", best_id, round(best_j, 4))
            if same_source and says_correction and best_j >= self.config.threshold * 0.75:
                return Dedup("correction", best_id, round(best_j, 4))
            if containment(best_j, sig.shingles, best_doc["n"]) >= CONTAINED:
                return Dedup("duplicate", best_id, round(best_j, 4))  # a truncated copy of what was seen
            if best_j >= self.config.threshold:
                return Dedup("duplicate", best_id, round(best_j, 4))
        return Dedup("unique", None, None)

    def _remember(
        self, story: Story, sig: Signature, bands: list[str], lang: str, now: float, index_exact: bool = True
    ) -> None:
        old = self.store.get(f"doc:{story.id}")
        if old is not None:
            self._unindex(story.id, old)
        doc = {
            "v": story.version,
            "h": sig.exact,
            "sig": sig.minhash.tolist(),
            "n": sig.shingles,
            "src": story.source,
            "lang": lang,
            "t": now,
            "b": bands,
            "x": index_exact,
        }
        self.store.set(f"doc:{story.id}", doc)
        if index_exact:
            self.store.set(f"exact:{lang}:{sig.exact}", story.id)
        for i, h in enumerate(bands):
            key = f"band:{lang}:{i}:{h}"
            ids = self.store.get(key) or []
            if story.id not in ids:
                self.store.set(key, [*ids, story.id])
        hour = int(now // 3600)
        ids = self.store.get(f"hour:{hour}") or []
        self.store.set(f"hour:{hour}", [*ids, story.id])
        if self.store.get("meta:oldest_hour") is None:
            self.store.set("meta:oldest_hour", hour)

    def _unindex(self, sid: str, doc: dict[str, Any]) -> None:
        lang = doc["lang"]
        if doc.get("x", True) and self.store.get(f"exact:{lang}:{doc['h']}") == sid:
            self.store.delete(f"exact:{lang}:{doc['h']}")
        for i, h in enumerate(doc["b"]):
            key = f"band:{lang}:{i}:{h}"
            ids = [x for x in self.store.get(key) or [] if x != sid]
            if ids:
                self.store.set(key, ids)
            else:
                self.store.delete(key)

    def expire(self, *, now: float) -> int:
        """Forget stories last seen before `now - horizon`; returns how many were dropped."""
        oldest = self.store.get("meta:oldest_hour")
        if oldest is None:
            return 0
        cutoff = now - self.config.horizon_seconds
        last_hour = int(cutoff // 3600)
        dropped = 0
        hour = int(oldest)
        while hour < last_hour:
            for sid in self.store.get(f"hour:{hour}") or []:
                doc = self.store.get(f"doc:{sid}")
                if doc is not None and doc["t"] < cutoff:
                    self._unindex(sid, doc)
                    self.store.delete(f"doc:{sid}")
                    dropped += 1
            self.store.delete(f"hour:{hour}")
            hour += 1
        self.store.set("meta:oldest_hour", hour)
        return dropped
