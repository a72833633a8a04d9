"""Dedup stage: is a story new, a redelivery, an update or a correction of one seen within the horizon?

`Deduplicator.check(story, body, language, now=...)` compares the cleaned body with what the store
remembers (exact hash of the normalised words, then MinHash/LSH over word shingles, see
`dedup_sketch`), decides, and remembers the story. Decisions, in order:

1. Same id seen: a higher version is an `update` (`correction` when it carries a correction marker) of
   that id; the same or an older version is a `duplicate` of it (similarity 1.0 for the same text).
2. Same normalised text as a seen story: `duplicate` of it, similarity 1.0 (unless the same source
   re-sends it saying it corrects: `correction`).
3. Seen stories sharing at least `min_band_hits` LSH bands, verified on their signatures:
   - a same-source one whose text the story keeps (`update_containment`) and adds to
     (`update_min_added`, `update_min_growth`): `update` of it (`correction` with a marker), the most
     similar such one; else the most similar same-source one when the story says it corrects and is
     `correction_similarity`-similar: `correction`;
   - else the most similar one, when the story's text is contained in it (`duplicate_containment`: a
     cut or lightly edited copy) or Jaccard >= `threshold`: `duplicate`.
4. Otherwise `unique`.

Stories in different languages never meet: the language is part of every index key. Duplicates are
remembered under their id but not indexed, so a copy of a copy under another id points at the original.

State (JSON values behind the `DedupStore` protocol; see `dedup_store`):

    doc:<id>                    the latest version seen of a story: sketch, sizes, source, time, ...
    exact:<lang>:<hash>         the id whose normalised words hash to <hash>
    band:<lang>:<i>:<hash>      ids whose signature has <hash> in LSH band i (at most `max_bucket_ids`)
    time:<bucket>[:<chunk>]     ids remembered in each `bucket_seconds` bucket (walked by `expire`)
    meta:oldest                 the oldest bucket not yet expired

Limits: the store must see every story (one dedup partition: see README); `now` is the caller's clock
(arrival time, never `published_at`, which feeds get wrong and replays make old), so a replay of an old
topic deduplicates against what it replays, not against the original run; the horizon is rounded up to a
bucket; a story that changes language between versions is compared under its id only; a correction is
an update carrying a marker, so a later version that keeps the correction note is a correction too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.config import DedupConfig
from pipeline.dedup_sketch import Sketch, Sketcher, decode_signature, jaccard, normalise
from pipeline.dedup_store import ChunkedIds, DedupStore, MemoryStore
from pipeline.records import Dedup, DedupStatus, Story

__all__ = [
    "DedupMarkers",
    "DedupStore",
    "Deduplicator",
    "MarkerSet",
    "MemoryStore",
    "load_dedup_markers",
    "normalise",
]

ANY_LANGUAGE = "*"


@dataclass(frozen=True, slots=True)
class MarkerSet:
    """One language's correction markers (with the common ones).

    Every match of a marker contains one of its stems, so a regex runs only on the lines that hold one
    of its own stems: most stories cost a few substring tests, none a full-text regex pass.
    """

    stems: tuple[str, ...]
    markers: tuple[tuple[re.Pattern[str], frozenset[str]], ...]  # (regex, the stems it may contain)

    def search(self, text: str) -> bool:
        lowered = text.casefold()
        present = [stem for stem in self.stems if stem in lowered]
        if not present:
            return False
        for line in text.split("\n"):
            low = line.casefold()
            here = {stem for stem in present if stem in low}
            if here and any(not here.isdisjoint(stems) and rx.search(line) for rx, stems in self.markers):
                return True
        return False


@dataclass(frozen=True, slots=True)
class DedupMarkers:
    """Correction markers per language (from `resources/dedup/corrections/`)."""

    by_language: Mapping[str, MarkerSet]
    window: int = 600  # default for `says_correction` callers without a DedupConfig

    def for_language(self, language: str) -> MarkerSet:
        return self.by_language.get(language) or self.by_language[ANY_LANGUAGE]

    def says_correction(
        self, headline: str | None, body: str, language: str = "und", *, window: int | None = None
    ) -> bool:
        """Does the headline, or the top or bottom of the body, carry a correction marker?"""
        w = self.window if window is None else window
        text = body if len(body) <= 2 * w else f"{body[:w]}\n{body[-w:]}"
        if headline:
            text = f"{headline}\n{text}"
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return self.for_language(language).search(text)


def _marker_file(name: str) -> tuple[list[str], list[str]]:
    """(stems, patterns) of one marker file."""
    text = resources.files("pipeline.resources.dedup").joinpath("corrections", name).read_text("utf-8")
    stems: list[str] = []
    patterns: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("stems:"):
            stems.extend(s.strip().casefold() for s in line[len("stems:") :].split(",") if s.strip())
        else:
            patterns.append(line)
    return stems, patterns


def _marker_set(files: list[tuple[list[str], list[str]]]) -> MarkerSet:
    """Each pattern keeps the stems of its file that its source spells (all of them if none)."""
    markers = []
    for stems, patterns in files:
        for p in patterns:
            own = frozenset(s for s in stems if s in p.casefold()) or frozenset(stems)
            markers.append((re.compile(p, re.I | re.M), own))
    return MarkerSet(tuple(dict.fromkeys(s for f in files for s in f[0])), tuple(markers))


@cache
def load_dedup_markers() -> DedupMarkers:
    """Compile every language's correction markers once (plus "*": all of them, for `und`)."""
    folder = resources.files("pipeline.resources.dedup").joinpath("corrections")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".txt"))
    common = _marker_file("common.txt")
    languages = {n[: -len(".txt")]: _marker_file(n) for n in names if n != "common.txt"}
    by_language = {lang: _marker_set([common, f]) for lang, f in languages.items()}
    by_language[ANY_LANGUAGE] = _marker_set([common, *languages.values()])
    return DedupMarkers(by_language)


@dataclass(frozen=True, slots=True)
class _Seen:
    """A remembered story, as the decision needs it."""

    id: str
    doc: dict[str, Any]
    similarity: float


def _overlap(seen: _Seen, sketch: Sketch) -> tuple[float, float, float]:
    """(share of the seen text in the new one, share of the new text in the seen one, new shingles),
    from the Jaccard estimate J and the set sizes: |A & B| = J (|A| + |B|) / (1 + J)."""
    j, n_old, n_new = seen.similarity, max(1, int(seen.doc["n"])), max(1, sketch.shingles)
    shared = j * (n_old + n_new) / (1.0 + j)
    return shared / n_old, shared / n_new, n_new - shared


class Deduplicator:
    """Classifies each story against the ones remembered within the horizon, and remembers it.

    Not thread-safe, and it must see every story: run one per store (one dedup partition).
    """

    def __init__(
        self, store: DedupStore, *, config: DedupConfig = DedupConfig(), markers: DedupMarkers | None = None
    ) -> None:
        self.store = store
        self.config = config
        self.markers = markers if markers is not None else load_dedup_markers()
        self.sketcher = Sketcher(config)

    # -- the decision -----------------------------------------------------------------------------

    def check(self, story: Story, body: str, language: str, *, now: float) -> Dedup:
        """Status of `story`, whose cleaned body is `body` and detected language `language`, at `now`.

        `now` is epoch seconds on the caller's clock (the arrival time: the horizon counts from it).
        Side effect: the story is remembered (a duplicate only under its id, never as an original).
        """
        cfg = self.config
        lang = language or "und"
        sketch = self.sketcher.sketch(body)
        corrects = self.markers.says_correction(story.headline, body, lang, window=cfg.marker_window)
        since = now - cfg.horizon_seconds
        old = self.store.get(f"doc:{story.id}")
        prev = old if old is not None and old["t"] >= since else None

        if prev is not None:  # 1. the same id
            same = prev["h"] == sketch.exact
            sim = 1.0 if same else self._similarity(sketch, prev)
            if story.version > prev["v"]:
                self._remember(story, sketch, lang, now, corrects, old=old)
                return Dedup("correction" if corrects else "update", story.id, sim)
            return Dedup("duplicate", story.id, sim)

        exact_id = self.store.get(f"exact:{lang}:{sketch.exact}")  # 2. the same text
        if exact_id is not None and exact_id != story.id:
            doc = self._live(exact_id, since)
            if doc is not None:
                if corrects and not doc.get("c") and story.source and story.source == doc.get("src"):
                    self._remember(story, sketch, lang, now, corrects, old=old)
                    return Dedup("correction", exact_id, 1.0)
                self._remember(story, sketch, lang, now, corrects, old=old, of=exact_id)
                return Dedup("duplicate", exact_id, 1.0)

        keys = self._band_keys(lang, sketch)
        buckets = [self.store.get(k) or [] for k in keys]
        decision = self._decide(story, sketch, corrects, self._candidates(story.id, sketch, buckets, since))
        if decision is not None:  # 3. similar stories
            status, seen = decision
            of = seen.id if status == "duplicate" else None
            self._remember(story, sketch, lang, now, corrects, old=old, of=of, bands=(keys, buckets))
            return Dedup(status, seen.id, round(seen.similarity, 4))
        self._remember(story, sketch, lang, now, corrects, old=old, bands=(keys, buckets))
        return Dedup("unique", None, None)

    def _decide(
        self, story: Story, sketch: Sketch, corrects: bool, candidates: list[_Seen]
    ) -> tuple[DedupStatus, _Seen] | None:
        """update / correction / duplicate of which candidate (most similar first), or None: unique.

        A same-source story that keeps most of a seen story's text and adds to it updates that story,
        even when a later version of it (say, the same write-thru) is closer: it updates the original.
        """
        cfg = self.config
        mine = [c for c in candidates if story.source and c.doc.get("src") == story.source]
        for seen in mine:
            kept, _, added = _overlap(seen, sketch)
            if kept >= cfg.update_containment and added >= max(
                cfg.update_min_added, cfg.update_min_growth * seen.doc["n"]
            ):
                return ("correction" if corrects else "update"), seen
        if corrects and mine and not mine[0].doc.get("c") and mine[0].similarity >= cfg.correction_similarity:
            return "correction", mine[0]
        if candidates:
            best = candidates[0]
            _, within, _ = _overlap(best, sketch)
            if within >= cfg.duplicate_containment or best.similarity >= cfg.threshold:
                return "duplicate", best
        return None

    def _candidates(self, sid: str, sketch: Sketch, buckets: list[list[str]], since: float) -> list[_Seen]:
        """Live stories sharing at least `min_band_hits` bands, with their similarity, most similar first."""
        if sketch.signature is None:
            return []
        hits: dict[str, int] = {}
        for ids in buckets:
            for cid in ids:
                hits[cid] = hits.get(cid, 0) + 1
        out = []
        for cid, n in hits.items():
            if n < self.config.min_band_hits or cid == sid:
                continue  # one shared band is chance; near-duplicates share many
            doc = self._live(cid, since)
            if doc is not None:
                out.append(_Seen(cid, doc, self._similarity(sketch, doc)))
        out.sort(key=lambda c: -c.similarity)
        return out

    def _band_keys(self, lang: str, sketch: Sketch) -> list[str]:
        if sketch.signature is None:
            return []
        return [f"band:{lang}:{i}:{h:x}" for i, h in enumerate(self.sketcher.bands(sketch.signature))]

    def _live(self, sid: str, since: float) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = self.store.get(f"doc:{sid}")
        return doc if doc is not None and doc["t"] >= since else None

    @staticmethod
    def _similarity(sketch: Sketch, doc: dict[str, Any]) -> float:
        theirs = decode_signature(doc.get("s"))
        if sketch.signature is None or theirs is None:
            return 1.0 if sketch.exact == doc.get("h") else 0.0
        return jaccard(sketch.signature, theirs)

    # -- the state ------------------------------------------------------------------------------

    def _remember(
        self,
        story: Story,
        sketch: Sketch,
        lang: str,
        now: float,
        corrects: bool,
        *,
        old: dict[str, Any] | None,
        of: str | None = None,
        bands: tuple[list[str], list[list[str]]] | None = None,
    ) -> None:
        """Store the story's doc; index it (exact hash, LSH bands) unless it is a duplicate (`of`).

        `bands`: the band keys and the buckets read under them in `check`, to save a second read.
        """
        if old is not None:
            self._unindex(story.id, old)
            bands = None  # unindexing may have changed the buckets
        indexed = of is None
        self.store.set(
            f"doc:{story.id}",
            {
                "v": story.version,
                "h": sketch.exact,
                "s": sketch.encoded(),
                "n": sketch.shingles,
                "src": story.source,
                "lang": lang,
                "t": now,
                "c": corrects,
                "of": of,
                "ix": indexed,
            },
        )
        if indexed:
            self.store.set(f"exact:{lang}:{sketch.exact}", story.id)
            keys, buckets = bands if bands is not None else (self._band_keys(lang, sketch), None)
            cap = self.config.max_bucket_ids
            for i, key in enumerate(keys):
                ids = buckets[i] if buckets is not None else self.store.get(key) or []
                self.store.set(key, [*ids[-(cap - 1) :], story.id] if cap > 1 else [story.id])
        bucket = int(now // self.config.bucket_seconds)
        ChunkedIds(self.store, f"time:{bucket}").append(story.id)
        oldest = self.store.get("meta:oldest")
        if oldest is None or bucket < oldest:
            self.store.set("meta:oldest", bucket)

    def _unindex(self, sid: str, doc: dict[str, Any]) -> None:
        """Take a remembered version out of the indexes (its doc key is overwritten or deleted)."""
        if not doc.get("ix", True):
            return
        lang = doc["lang"]
        key = f"exact:{lang}:{doc['h']}"
        if self.store.get(key) == sid:
            self.store.delete(key)
        sig = decode_signature(doc.get("s"))
        if sig is None or len(sig) != self.config.num_perm:
            return
        for i, h in enumerate(self.sketcher.bands(sig)):
            key = f"band:{lang}:{i}:{h:x}"  # as _band_keys spells them
            ids = [x for x in self.store.get(key) or () if x != sid]
            if ids:
                self.store.set(key, ids)
            else:
                self.store.delete(key)

    def expire(self, *, now: float, limit: int | None = None) -> int:
        """Forget stories last seen before `now - horizon`; returns how many were dropped.

        Walks the time buckets that lie wholly before the cut-off, oldest first; with `limit`, stops
        after the bucket in which that many were dropped (the rest waits for the next call), so a
        sweep never blocks its caller for long.
        """
        oldest = self.store.get("meta:oldest")
        if oldest is None:
            return 0
        cutoff = now - self.config.horizon_seconds
        last = int(cutoff // self.config.bucket_seconds)  # buckets before this one end by the cut-off
        dropped = 0
        bucket = int(oldest)
        while bucket < last:
            ids = ChunkedIds(self.store, f"time:{bucket}")
            for sid in ids:
                doc = self.store.get(f"doc:{sid}")
                if doc is not None and doc["t"] < cutoff:
                    self._unindex(sid, doc)
                    self.store.delete(f"doc:{sid}")
                    dropped += 1
            ids.clear()
            bucket += 1
            if limit is not None and dropped >= limit:
                break
        self.store.set("meta:oldest", bucket)
        return dropped
