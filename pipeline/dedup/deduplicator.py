"""Dedup stage: is a story new, a redelivery, an update or a correction of one seen within the horizon?

`Deduplicator.check(story, body, language, now=...)` compares the cleaned body with what the store
remembers (exact hash of the normalised words, then MinHash/LSH over word shingles, see
`dedup.sketch`), decides, and remembers the story. Decisions, in order:

1. Same id seen: a higher version is an `update` (`correction` when it carries a correction marker) of
   that id; the same or an older version is a `duplicate` of it (similarity 1.0 for the same text).
2. Same normalised text as a seen story: `duplicate` of it, similarity 1.0 (unless the same source
   re-sends it saying it corrects: `correction`).
3. Seen stories sharing at least `min_band_hits` LSH bands or paragraph keys, verified on their
   signatures and paragraph samples (`Sketcher.paragraph_samples`):
   - a same-source one whose paragraphs the story keeps (`update_containment` of its text) and to
     which it adds whole paragraphs of new text (`update_min_paragraph_shingles`), however long the
     story (a write-thru: "UPDATE 1-", a rewritten lead, paragraphs appended): `update` of it
     (`correction` with a marker), the most similar such one, unless the story only repeats a closer
     one (the first take re-sent after its write-thru); else the most similar same-source one when
     the story says it corrects and is `correction_similarity`-similar: `correction`;
   - else the most similar one, when the story's text is contained in it (`duplicate_containment`: a
     cut copy; or, paragraph by paragraph, a lightly edited one) or Jaccard >= `threshold`: `duplicate`.
4. Otherwise `unique`.

Stories in different languages never meet: the language is part of every index key. Duplicates are
remembered under their id but not indexed, so a copy of a copy under another id points at the original.

State: one JSON value per story behind the `DedupStore` protocol (see `dedup.store`),

    doc:<id>                    the latest version seen of a story: sketch, sizes, source, time, ...

so a Faust table writes one changelog record per story (and a tombstone when it expires), and

    withdrawn:<id>              a kill (pubstatus canceled) of that id: later deliveries are duplicates

(kept for good: kills are few and final). The lookups (exact hash, LSH bands at most `max_bucket_ids`
ids each, the expiry queue) are a `DedupIndex` in memory, derived from the docs and rebuilt from the store
after a restart or rebalance (`invalidate`).

Limits: the store must see every story (one dedup partition: see README); `now` is the caller's clock
(arrival time, never `published_at`, which feeds get wrong and replays make old), so a replay of an old
topic deduplicates against what it replays, not against the original run; a story that changes language
between versions is compared under its id only; a correction is an update carrying a marker, so a later
version that keeps the correction note is a correction too; the index costs memory (about 2.5 KB per
remembered story) and its rebuild reads every doc once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from pipeline.config import DedupConfig
from pipeline.dedup.index import DOC, DedupIndex
from pipeline.dedup.sketch import Sketch, Sketcher, decode_paragraphs, decode_signature, jaccard
from pipeline.dedup.store import DedupStore
from pipeline.records import Dedup, DedupStatus, Story

ANY_LANGUAGE = "*"
WITHDRAWN = "withdrawn:"  # store key prefix of killed ids (the index ignores keys that are not docs)


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


@dataclass(frozen=True, slots=True)
class ParagraphDiff:
    """How a story's paragraphs compare with a seen story's (from their bottom-k samples)."""

    kept: float  # share of the seen story's sampled shingles in paragraphs the story has again
    added: int  # new paragraphs: ones like no paragraph of the seen story, and not a rewrite of one it lost
    added_shingles: int  # shingles in those paragraphs
    repeats: bool  # every paragraph of the story is one of the seen story's (copied or lightly edited)
    within: float  # share of the story's sampled shingles in paragraphs that are the seen story's
    paragraphs: int  # the story's sampled paragraphs


def paragraph_diff(old: np.ndarray, new: np.ndarray, *, same_at: int, rewrite_at: int) -> ParagraphDiff:
    """Paragraph samples of a seen story (`old`) against a new one's.

    Paragraphs are paired one to one, the pairs sharing most sampled hashes first: a copy shares all
    of them, a light edit, a changed figure or a dateline most, and a rewrite of a paragraph some. An
    old paragraph paired at `same_at` or more is kept; a new paragraph paired with none (sharing fewer
    than `rewrite_at` with every old paragraph still free) is added text. One to one, so a paragraph
    that repeats the phrases of an old one that is copied elsewhere in the story is still new, and
    the phrases every story uses do not make a paragraph old.
    """
    shared = _shared_samples(old[:, 1:], new[:, 1:])
    old_pair = np.zeros(len(old), dtype=np.int64)
    new_pair = np.zeros(len(new), dtype=np.int64)
    rows, cols = np.arange(len(old)), shared.argmax(axis=1)
    best = shared[rows, cols]
    mutual = (shared.argmax(axis=0)[cols] == rows) & (best >= same_at)  # clear pairs, all at once
    old_pair[rows[mutual]] = best[mutual]
    new_pair[cols[mutual]] = best[mutual]
    work = shared.copy()
    work[rows[mutual], :] = -1
    work[:, cols[mutual]] = -1
    while work.size:
        at = int(work.argmax())
        i, j = divmod(at, work.shape[1])
        if work[i, j] < rewrite_at:
            break
        old_pair[i] = new_pair[j] = work[i, j]
        work[i, :] = -1
        work[:, j] = -1
    added = new_pair < rewrite_at
    total = int(old[:, 0].sum())
    kept = float(old[old_pair >= same_at, 0].sum()) / total if total else 0.0
    same = new_pair >= same_at
    own = int(new[:, 0].sum())
    within = float(new[same, 0].sum()) / own if own else 0.0
    return ParagraphDiff(kept, int(added.sum()), int(new[added, 0].sum()), bool(same.all()), within, len(new))


def _shared_samples(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """old x new: how many distinct sampled hashes each pair of paragraphs has in common, found by
    sorting the new samples and looking each old one up (few values are shared, so this beats
    comparing every pair of samples)."""
    shared = np.zeros((len(old), len(new)), dtype=np.int64)
    old_rows, old_values = _distinct(old)
    new_rows, new_values = _distinct(new)
    order = np.argsort(new_values, kind="stable")
    ordered = new_values[order]
    lo = np.searchsorted(ordered, old_values, side="left")
    hi = np.searchsorted(ordered, old_values, side="right")
    hits = hi - lo
    total = int(hits.sum())
    if total:
        first = np.repeat(lo - np.cumsum(hits) + hits, hits) + np.arange(total)
        np.add.at(shared, (np.repeat(old_rows, hits), new_rows[order[first]]), 1)
    return shared


def _distinct(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, value) of each distinct sampled hash of each row (samples are sorted within a row)."""
    once = np.ones(samples.shape, dtype=bool)
    once[:, 1:] = samples[:, 1:] != samples[:, :-1]
    rows, _ = np.nonzero(once)
    return rows, samples[once]


def _overlap(seen: _Seen, sketch: Sketch) -> tuple[float, float, float]:
    """(share of the seen text in the new one, share of the new text in the seen one, new shingles),
    from the Jaccard estimate J and the set sizes: |A & B| = J (|A| + |B|) / (1 + J)."""
    j, n_old, n_new = seen.similarity, max(1, int(seen.doc["n"])), max(1, sketch.shingles)
    shared = j * (n_old + n_new) / (1.0 + j)
    return shared / n_old, shared / n_new, n_new - shared


class Deduplicator:
    """Classifies each story against the ones remembered within the horizon, and remembers it.

    Not thread-safe, and it must see every story: run one per store (one dedup partition). The
    lookups live in memory (`DedupIndex`), built from the store on first use and again after
    `invalidate` (a restart or a rebalance changed what the store holds).
    """

    def __init__(
        self, store: DedupStore, *, config: DedupConfig = DedupConfig(), markers: DedupMarkers | None = None
    ) -> None:
        self.store = store
        self.config = config
        self.markers = markers if markers is not None else load_dedup_markers()
        self.sketcher = Sketcher(config)
        self._index: DedupIndex | None = None

    @property
    def index(self) -> DedupIndex:
        """The in-memory lookups, (re)built from the store's docs when missing."""
        if self._index is None:
            self._index = DedupIndex.build(self.sketcher, self.config.max_bucket_ids, self.store.items())
        return self._index

    def invalidate(self) -> None:
        """The store's contents changed behind our back (recovered or reassigned): rebuild before the
        next call. Cheap to call; the rebuild reads every doc once."""
        self._index = None

    def rebuilding(self) -> Generator[int, None, None]:
        """Rebuild the index from the store now, yielding the docs done every few thousand, so an async
        caller (the worker, after a recovery) awaits between steps and keeps its heartbeats going."""
        self._index = None
        index = yield from DedupIndex.building(self.sketcher, self.config.max_bucket_ids, self.store.items())
        if self._index is None:  # else a call in between built it already, from newer state
            self._index = index

    # -- the decision -----------------------------------------------------------------------------

    def check(self, story: Story, body: str, language: str, *, now: float) -> Dedup:
        """Status of `story`, whose cleaned body is `body` and detected language `language`, at `now`.

        `now` is epoch seconds on the caller's clock (the arrival time: the horizon counts from it).
        Side effect: the story is remembered (a duplicate only under its id, never as an original).
        """
        cfg = self.config
        if self.store.get(f"{WITHDRAWN}{story.id}") is not None:  # 0. killed: never new again
            return Dedup("duplicate", story.id, None, withdrawn=True)
        index = self.index
        lang = language or "und"
        sketch = self.sketcher.sketch(body)
        signalled = "correction" in story.signals  # the provider says so (G2 signal, CORRECTED headline)
        corrects = signalled or self.markers.says_correction(
            story.headline, body, lang, window=cfg.marker_window
        )
        since = now - cfg.horizon_seconds
        old = self.store.get(f"{DOC}{story.id}")
        prev = old if old is not None and old["t"] >= since else None

        if prev is not None:  # 1. the same id
            same = prev["h"] == sketch.exact
            sim = 1.0 if same else self._similarity(sketch, prev)
            if story.version > prev["v"] or (signalled and not same):
                self._remember(story, sketch, lang, now, corrects, old=old)
                return Dedup("correction" if corrects else "update", story.id, sim)
            return Dedup("duplicate", story.id, sim)

        exact_id = index.exact.get(index.exact_key(lang, sketch.exact))  # 2. the same text
        if exact_id is not None and exact_id != story.id:
            doc = self._live(exact_id, since)
            if doc is not None:
                if corrects and not doc.get("c") and story.source and story.source == doc.get("src"):
                    self._remember(story, sketch, lang, now, corrects, old=old)
                    return Dedup("correction", exact_id, 1.0)
                self._remember(story, sketch, lang, now, corrects, old=old, of=exact_id)
                return Dedup("duplicate", exact_id, 1.0)

        keys = index.band_keys(lang, sketch.signature) + index.paragraph_keys(lang, sketch.paragraphs)
        candidates = self._candidates(story.id, lang, sketch, index.hits(keys), since)
        decision = self._decide(story, sketch, corrects, candidates)
        if decision is not None:  # 3. similar stories
            status, seen = decision
            of = seen.id if status == "duplicate" else None
            self._remember(story, sketch, lang, now, corrects, old=old, of=of, keys=keys)
            return Dedup(status, seen.id, round(seen.similarity, 4))
        self._remember(story, sketch, lang, now, corrects, old=old, keys=keys)
        return Dedup("correction" if signalled else "unique", None, None)

    def withdraw(self, story: Story, *, now: float) -> Dedup:
        """A kill of `story.id`: remember it for good (one store key, kept past the horizon: a kill is
        final), so later deliveries of the id are duplicates, never new. Returns the kill's own status:
        an update of the story when it was seen, else unique; `withdrawn` set either way."""
        seen = self.store.get(f"{DOC}{story.id}") is not None
        self.store.set(f"{WITHDRAWN}{story.id}", {"t": now, "v": story.version})
        return Dedup("update" if seen else "unique", story.id if seen else None, None, withdrawn=True)

    def withdrawn(self, story_id: str) -> bool:
        """Whether the id was killed."""
        return self.store.get(f"{WITHDRAWN}{story_id}") is not None

    def _decide(
        self, story: Story, sketch: Sketch, corrects: bool, candidates: list[_Seen]
    ) -> tuple[DedupStatus, _Seen] | None:
        """update / correction / duplicate of which candidate (most similar first), or None: unique.

        A same-source story that keeps most of a seen story's text and adds to it updates that story,
        even when a later version of it (say, the same write-thru) is closer: it updates the original.
        One that only repeats a closer seen story (the first take re-sent after its write-thru) updates
        nothing: it is a redelivery of that one.
        """
        cfg = self.config
        mine = [c for c in candidates if story.source and c.doc.get("src") == story.source]
        for seen in mine:
            adds = self._adds(seen, sketch)
            if adds is None:
                break
            if adds:
                return ("correction" if corrects else "update"), seen
        if corrects and mine and not mine[0].doc.get("c") and mine[0].similarity >= cfg.correction_similarity:
            return "correction", mine[0]
        if candidates:
            best = candidates[0]
            _, within, _ = _overlap(best, sketch)
            if within >= cfg.duplicate_containment or best.similarity >= cfg.threshold:
                return "duplicate", best
            diff = self._paragraph_diff(best, sketch) if within >= cfg.paragraphs_from else None
            if (
                diff is not None
                and diff.paragraphs >= cfg.duplicate_min_paragraphs
                and diff.within >= cfg.duplicate_containment
            ):
                return "duplicate", best  # a copy edited a word here and there: its paragraphs are there
        return None

    def _paragraph_diff(self, seen: _Seen, sketch: Sketch) -> ParagraphDiff | None:
        """The paragraph comparison with `seen`, when both have paragraph samples."""
        cfg = self.config
        old = decode_paragraphs(seen.doc.get("p"), cfg.paragraph_sample)
        new = sketch.paragraphs
        if old is None or new is None or not len(old) or not len(new):
            return None
        return paragraph_diff(old, new, same_at=cfg.paragraph_same, rewrite_at=cfg.paragraph_rewrite)

    def _adds(self, seen: _Seen, sketch: Sketch) -> bool | None:
        """Does the story keep most of `seen` and add to it (True), only repeat nearly all of it (None:
        a redelivery of it), or neither (False)? Counted in paragraphs when both have samples: new
        paragraphs of text `seen` does not have, however long `seen` was (a whole-text share of new
        shingles shrinks as the story grows); else from the whole-text estimate."""
        cfg = self.config
        kept, _, added = _overlap(seen, sketch)
        if kept < cfg.paragraphs_from:
            return False  # far from keeping it (a story that shares phrases): no need to look closer
        diff = self._paragraph_diff(seen, sketch)
        if diff is None:
            return kept >= cfg.update_containment and added >= max(
                cfg.update_min_added, cfg.update_min_growth * seen.doc["n"]
            )
        if diff.repeats and diff.kept >= cfg.duplicate_containment:
            return None
        if diff.kept < cfg.update_containment or diff.added == 0:
            return False
        return diff.added_shingles >= max(cfg.update_min_added, cfg.update_min_paragraph_shingles)

    def _candidates(
        self, sid: str, lang: str, sketch: Sketch, hits: dict[str, int], since: float
    ) -> list[_Seen]:
        """Live stories sharing at least `min_band_hits` bands, with their similarity, most similar first."""
        if sketch.signature is None:
            return []
        out = []
        for cid, n in hits.items():
            if n < self.config.min_band_hits or cid == sid:
                continue  # one shared band is chance; near-duplicates share many
            doc = self._live(cid, since)
            if doc is not None and doc["lang"] == lang:
                out.append(_Seen(cid, doc, self._similarity(sketch, doc)))
        out.sort(key=lambda c: -c.similarity)
        return out

    def _live(self, sid: str, since: float) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = self.store.get(f"{DOC}{sid}")
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
        keys: list[int] | None = None,
    ) -> None:
        """Store the story's doc (its one store write) and index it, unless it is a duplicate (`of`).

        `keys`: its band keys, when `check` computed them already.
        """
        index = self.index
        if old is not None:
            index.remove(story.id, old)
        doc = {
            "v": story.version,
            "h": sketch.exact,
            "s": sketch.encoded(),
            "p": sketch.encoded_paragraphs(),
            "n": sketch.shingles,
            "src": story.source,
            "lang": lang,
            "t": now,
            "c": corrects,
            "of": of,
            "ix": of is None,
            "q": index.next_seq,  # the order remembered in, for a rebuild
        }
        self.store.set(f"{DOC}{story.id}", doc)
        if keys is None and of is None:
            keys = index.band_keys(lang, sketch.signature) + index.paragraph_keys(lang, sketch.paragraphs)
        index.add(story.id, doc, keys)

    def expire(self, *, now: float, limit: int | None = None) -> int:
        """Forget stories last seen before `now - horizon`; returns how many were dropped.

        Oldest first; with `limit`, stops after that many (the rest waits for the next call), so a
        sweep never blocks its caller for long. Each dropped story is one store delete.
        """
        index = self.index
        cutoff = now - self.config.horizon_seconds
        dropped = 0
        while limit is None or dropped < limit:
            entry = index.due(cutoff)
            if entry is None:
                break
            _, seq, sid = entry
            doc = self.store.get(f"{DOC}{sid}")
            if doc is None or int(doc.get("q", 0)) != seq:
                continue  # a later version replaced it (and is queued itself), or it is gone
            index.remove(sid, doc)
            self.store.delete(f"{DOC}{sid}")
            dropped += 1
        return dropped
