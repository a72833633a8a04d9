"""`wirestream eval language DIR`: accuracy of the language stage, per language.

DIR holds one-sentence-per-line UTF-8 files named by ISO 639-1 code (the layout of lingua's own test
data: DIR/en.txt, DIR/fr.txt, ...); `und.txt`, if present, holds lines that should come out `und`
(too short, or mixed). Each line goes through `LanguageDetector.detect` exactly as the chain calls it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import LanguageConfig
from pipeline.language import LanguageDetector

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "language"


@dataclass(slots=True)
class Tally:
    total: int = 0
    correct: int = 0
    und: int = 0
    confusions: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def read_sets(folder: Path, only: set[str] | None, limit: int | None) -> dict[str, list[str]]:
    """Sentences per expected code, from `<code>.txt` files."""
    sets: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        code = path.stem.lower()
        if only and code not in only:
            continue
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        sets[code] = lines[:limit] if limit else lines
    return sets


def evaluate(detector: LanguageDetector, sets: dict[str, list[str]]) -> tuple[dict[str, Tally], float]:
    """Per-language tallies and the mean detection time in ms per line."""
    tallies: dict[str, Tally] = {}
    started = time.perf_counter()
    count = 0
    for code, lines in sets.items():
        tally = tallies.setdefault(code, Tally())
        for line in lines:
            got = detector.detect(line).code
            count += 1
            tally.total += 1
            tally.correct += got == code
            tally.und += got == "und"
            if got != code:
                tally.confusions[got] = tally.confusions.get(got, 0) + 1
    ms = (time.perf_counter() - started) * 1000 / max(1, count)
    return tallies, ms


def report(tallies: dict[str, Tally], ms: float) -> str:
    lines = [f"{'lang':<6}{'n':>6}{'correct':>9}{'acc':>8}{'und':>6}  confused with"]
    for code, t in sorted(tallies.items()):
        confused = ", ".join(f"{c}:{n}" for c, n in sorted(t.confusions.items(), key=lambda kv: -kv[1]))
        lines.append(f"{code:<6}{t.total:>6}{t.correct:>9}{t.accuracy:>8.3f}{t.und:>6}  {confused}")
    total = sum(t.total for t in tallies.values())
    correct = sum(t.correct for t in tallies.values())
    macro = sum(t.accuracy for t in tallies.values()) / max(1, len(tallies))
    lines.append(f"{'all':<6}{total:>6}{correct:>9}{correct / max(1, total):>8.3f}   macro {macro:.3f}")
    lines.append(f"{ms:.3f} ms per line")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wirestream eval language", description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="folder of <iso>.txt files")
    parser.add_argument("--languages", help="comma-separated codes to evaluate (default: every file)")
    parser.add_argument("--limit", type=int, help="at most this many lines per language")
    parser.add_argument("--low-accuracy", action="store_true", help="lingua's low-accuracy (trigram) mode")
    parser.add_argument(
        "--no-cascade",
        action="store_true",
        help="high-accuracy mode over every language for every line (no low-accuracy screen)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        print(f"wirestream eval language: {args.dir} is not a folder", file=sys.stderr)
        return 2
    only = {c.strip().lower() for c in args.languages.split(",")} if args.languages else None
    sets = read_sets(args.dir, only, args.limit)
    if not sets:
        print(f"wirestream eval language: no <iso>.txt files in {args.dir}", file=sys.stderr)
        return 2
    config = replace(LanguageConfig(), low_accuracy=args.low_accuracy, cascade=not args.no_cascade)
    detector = LanguageDetector(config)
    started = time.perf_counter()  # lingua loads its n-gram models on first use: time that apart
    detector.warm(("en",))
    detector.detect("Warm-up line for the detector.")
    detector.detect("A longer warm-up text for the detector, so that it also reads the trigram models. " * 3)
    load_s = time.perf_counter() - started
    tallies, ms = evaluate(detector, sets)
    if args.json:
        out = {
            code: {"n": t.total, "accuracy": round(t.accuracy, 4), "und": t.und, "confusions": t.confusions}
            for code, t in tallies.items()
        }
        figures = {"languages": out, "ms_per_line": round(ms, 3), "load_s": round(load_s, 2)}
        figures["high_accuracy_languages"] = sorted(detector.high_accuracy_languages)
        print(json.dumps(figures, indent=2))
    else:
        print(report(tallies, ms))
        print(
            f"{load_s:.2f} s to build lingua and load its models ({len(detector.config.languages)} languages)"
        )
        if config.cascade and not config.low_accuracy:
            print(
                f"high-accuracy models needed for {len(detector.high_accuracy_languages)} languages "
                "(the lines the low-accuracy screen could not settle)"
            )
    return 0
