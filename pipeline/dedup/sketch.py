"""Text sketches for dedup: normalised word hashes, an exact hash, a one-permutation MinHash, LSH bands.

Everything runs in numpy over the text's code points (no per-word Python work), because the dedup stage
must keep up with ~2,000 600-word stories a second on one core. Hashes are fixed polynomials and mixers,
not Python's `hash`, so signatures stored by one process compare with those of the next.

Normalisation: NFKC, case folding; a word is a run of letters, marks and digits, so quote style,
punctuation, dashes and whitespace never count. Han, kana, Thai, Lao, Khmer and Myanmar characters
are words on their own (those scripts do not separate words with spaces).
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from pipeline.config import DedupConfig

_P = np.uint64(0x100000001B3)  # odd multiplier of the rolling hash; its inverse mod 2**64 undoes a shift
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_LOW32 = np.uint64(0xFFFFFFFF)
_S29, _S32, _S33 = np.uint64(29), np.uint64(32), np.uint64(33)
_BAND_MIX = np.random.default_rng(7).integers(1, 1 << 63, size=64, dtype=np.uint64) | np.uint64(1)
_OWN_WORD_RANGES = (  # scripts written without spaces: each character is a word
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),  # Han
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),  # half-width Katakana
)
SEP, WORD, OWN, MULTI, UNSTABLE = 0, 1, 2, 4, 8
_FOLD_SHIFT = 4
_HANGUL_VT = ((0x1161, 0x1175), (0x11A8, 0x11C2))  # jamo that compose with the syllable before them


@cache
def char_table() -> np.ndarray:
    """For every BMP code point: its one-character case fold << 4 | UNSTABLE | MULTI | its class.

    Letters, marks and digits are WORD characters (OWN in scripts without spaces); the rest separate
    words. MULTI marks characters whose fold is longer (\u00df -> ss). UNSTABLE marks characters that
    NFKC may change, alone or with the character before them (a compatibility or canonical mapping, a
    combining class, the second half of a composition): a text without any is already NFKC. One lookup
    in numpy folds case, classifies and checks normalisation, instead of `str.casefold`, a regex pass
    and `unicodedata.is_normalized`.
    """
    seconds = set()  # characters that compose with the one before them
    for cp in range(0x10000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    for lo, hi in _HANGUL_VT:
        seconds.update(range(lo, hi + 1))
    table = np.empty(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        ch = chr(cp)
        folded = ch.casefold()
        multi = len(folded) != 1
        if multi:
            folded = ch.lower() if len(ch.lower()) == 1 else ch
        kind = WORD if unicodedata.category(ch)[0] in "LMN" else SEP
        unstable = (
            cp in seconds
            or 0xD800 <= cp <= 0xDFFF
            or unicodedata.combining(ch) != 0
            or unicodedata.normalize("NFKC", ch) != ch
        )
        flags = (MULTI if multi else 0) | (UNSTABLE if unstable else 0)
        table[cp] = (ord(folded) << _FOLD_SHIFT) | flags | kind
    for lo, hi in _OWN_WORD_RANGES:
        seg = table[lo : hi + 1]
        seg[(seg & 3) == WORD] += OWN - WORD
    return table


def normalise(text: str) -> str:
    """The text as dedup compares it: NFKC, case-folded, words joined by single spaces."""
    return " ".join(words_of(text))


def words_of(text: str) -> list[str]:
    """The words dedup sees, as strings (for tests and debugging; `Sketcher` never builds these)."""
    cp, starts, ends = _words(text)
    s = cp.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    return [s[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def _words(text: str, casefolded: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Folded code points of the NFKC text, and the start and end offsets of its words.

    `casefolded`: the text went through `str.casefold` already; characters with a longer fold that NFKC
    composes again (\u01f0, \u1e96) are then taken as they are, not folded forever.
    """
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    top = int(cp.max()) if len(cp) else 0
    if top > 0xFFFF:  # astral planes (rare): the table does not cover them, ask unicodedata
        if not unicodedata.is_normalized("NFKC", text):
            return _words(unicodedata.normalize("NFKC", text), casefolded)
        packed = char_table().take(np.minimum(cp, 0xFFFF))
    else:
        packed = char_table().take(cp)
    if top >= 0x80:
        flags = int(np.bitwise_or.reduce(packed))
        if flags & UNSTABLE and top <= 0xFFFF and not unicodedata.is_normalized("NFKC", text):
            return _words(unicodedata.normalize("NFKC", text), casefolded)
        if flags & MULTI and not casefolded:  # rare: fold in Python, so "Stra\u00dfe" meets "STRASSE"
            return _words(unicodedata.normalize("NFKC", text.casefold()), True)
    cls = packed & 3
    folded = packed >> _FOLD_SHIFT
    if top > 0xFFFF:  # astral planes: Han extensions are words, the rest (emoji, symbols) is not
        astral = cp > 0xFFFF
        folded[astral] = cp[astral]
        cls[astral] = np.where((cp[astral] >= 0x20000) & (cp[astral] < 0x40000), OWN, SEP)
    word = np.zeros(len(cp) + 2, dtype=bool)  # padded with a separator on each side
    np.not_equal(cls, SEP, out=word[1:-1])
    if top >= 0x0E00 and (cls == OWN).any():
        own = np.zeros(len(cp) + 2, dtype=bool)
        np.equal(cls, OWN, out=own[1:-1])
        here, before, after = word[1:-1], word[:-2], word[2:]
        starts = np.flatnonzero(here & (~before | own[1:-1] | own[:-2]))
        ends = np.flatnonzero(here & (~after | own[1:-1] | own[2:])) + 1
        return folded, starts, ends
    edges = (word[1:] ^ word[:-1]).nonzero()[0]  # alternately a word's start and its end
    return folded, edges[0::2], edges[1::2]


@dataclass(frozen=True, slots=True)
class Sketch:
    """What dedup keeps of a text: the exact hash of its word sequence and a MinHash signature."""

    exact: str  # hex digest of the normalised word sequence
    signature: np.ndarray | None  # uint32[num_perm]; None for a text without words
    shingles: int  # how many shingles (word n-grams) the text has

    def encoded(self) -> str | None:
        """The signature as a short JSON-friendly string (base64 of little-endian uint32)."""
        if self.signature is None:
            return None
        return base64.b64encode(self.signature.astype("<u4").tobytes()).decode("ascii")


def decode_signature(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    return np.frombuffer(base64.b64decode(text), dtype="<u4")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature slots: the Jaccard estimate (0 for signatures of another shape)."""
    if a.shape != b.shape:
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


class Sketcher:
    """Computes sketches with one-permutation MinHash and densification, all in numpy.

    Each shingle hash falls into one of `num_perm` bins by its low bits; a bin keeps its minimum; an
    empty bin borrows from the next filled one. The share of equal bins estimates the Jaccard
    similarity of the two shingle sets. Slots are stored as 32 bits: a false match is 1 in 4 billion.
    """

    def __init__(self, config: DedupConfig = DedupConfig()) -> None:
        if config.num_perm < 2 or config.num_perm & (config.num_perm - 1) or config.num_perm % config.bands:
            raise ValueError("num_perm must be a power of two and a multiple of bands")
        if config.num_perm // config.bands > len(_BAND_MIX):
            raise ValueError(f"at most {len(_BAND_MIX)} rows per band")
        self.config = config
        self.bits = np.uint64(config.num_perm.bit_length() - 1)
        self.mask = np.uint64(config.num_perm - 1)
        self._pow = np.ones(1, dtype=np.uint64)
        self._pow_inv = np.ones(1, dtype=np.uint64)
        char_table()

    def _powers(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """P**i and P**-i (mod 2**64) for i < n, grown by doubling and kept."""
        if len(self._pow) < n:
            size = max(n, 2 * len(self._pow), 4096)
            for name, base in (("_pow", _P), ("_pow_inv", _P_INV)):
                arr = np.empty(size, dtype=np.uint64)
                arr[0] = 1
                arr[1:] = base
                np.cumprod(arr, out=arr)  # wraps mod 2**64, which is what the hash wants
                setattr(self, name, arr)
        return self._pow[:n], self._pow_inv[:n]

    def word_hashes(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One 64-bit hash per normalised word, in text order, and the line (paragraph) of each word."""
        cp, starts, ends = _words(text)
        if not len(starts):
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
        n = len(cp)
        pw, pw_inv = self._powers(n + 1)
        prefix = np.empty(n + 1, dtype=np.uint64)
        prefix[0] = 0
        np.multiply(cp, pw[:n], out=prefix[1:])
        prefix[1:].cumsum(out=prefix[1:])
        hashes = prefix[ends]
        hashes -= prefix[starts]
        hashes *= pw_inv[starts]
        # the line of each word = the line breaks before it; few breaks, so place each among the words
        before = starts.searchsorted((cp == 10).nonzero()[0])
        lines = np.bincount(before, minlength=len(starts) + 1)[: len(starts)].cumsum()
        return hashes, lines

    def sketch(self, text: str) -> Sketch:
        """Exact hash of the word sequence; MinHash over the word n-grams within each line.

        Shingles do not cross line breaks (the clean stage's paragraphs), so paragraphs in another
        order make the same shingle set; a text whose lines are all shorter than n words is
        shingled across them.
        """
        words, lines = self.word_hashes(text)
        if not len(words):  # no letters or digits at all: only the exact hash of the folded text
            folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
            return Sketch(hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest(), None, 0)
        exact = hashlib.blake2b(words.tobytes(), digest_size=16).hexdigest()
        k = min(self.config.shingle_words, len(words))
        m = len(words) - k + 1
        h = words[:m].copy()
        for j in range(1, k):
            h *= _SHINGLE_MIX
            h += words[j : j + m]
        if k > 1 and lines[-1] != lines[0]:  # several lines: drop the shingles that span a break
            within = lines[:m] == lines[k - 1 :]
            if within.any() and not within.all():
                h = h[within]
        tmp = np.empty_like(h)
        np.right_shift(h, _S33, out=tmp)  # murmur3's finaliser: every input bit reaches the bin and the value
        h ^= tmp
        h *= _MIX1
        np.right_shift(h, _S29, out=tmp)
        h ^= tmp
        h *= _MIX2
        np.right_shift(h, _S32, out=tmp)
        h ^= tmp
        sig = np.full(self.config.num_perm, _EMPTY, dtype=np.uint64)
        np.minimum.at(sig, (h & self.mask).astype(np.intp), h >> self.bits)
        empty = sig == _EMPTY
        if empty.any():
            filled = np.flatnonzero(~empty)
            holes = np.flatnonzero(empty)
            nxt = np.searchsorted(filled, holes) % len(filled)
            dist = (filled[nxt] - holes) % self.config.num_perm
            sig[holes] = sig[filled[nxt]] + dist.astype(np.uint64) * _MIX2
        return Sketch(exact, (sig & _LOW32).astype(np.uint32), len(h))

    def band_hashes(self, signatures: np.ndarray) -> np.ndarray:
        """One 64-bit hash per LSH band (its rows mixed with fixed odd multipliers), for one signature
        (uint32[num_perm] -> uint64[bands]) or a stack of them (uint32[n, num_perm] -> uint64[n, bands])."""
        rows = self.config.num_perm // self.config.bands
        shape = (*signatures.shape[:-1], self.config.bands, rows)
        mixed = signatures.astype(np.uint64).reshape(shape) * _BAND_MIX[:rows]
        folded: np.ndarray = np.bitwise_xor.reduce(mixed ^ (mixed >> np.uint64(29)), axis=-1)
        return folded
