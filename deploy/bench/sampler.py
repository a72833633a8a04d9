"""A small sampling profiler for a live `wirestream worker` (every thread: event loop and the nlp thread).

cProfile sees one thread and slows a worker down a lot; this samples every thread's stack every
`interval` seconds while the file `OUT.txt.on` exists (the bench creates it for the timed run only, so
start-up and model loading stay out) and, when the process exits, writes how often each function was
on a stack (inclusive) and at its top (own), per thread. Used by `python -m deploy.bench
--profile-worker`:

    python -m deploy.bench.sampler OUT.txt [wirestream args ...]
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

Frame = tuple[str, str, int]  # file name, function, first line


def _key(frame: FrameType) -> Frame:
    code = frame.f_code
    return (Path(code.co_filename).name, code.co_name, code.co_firstlineno)


class Sampler:
    """Counts, per thread name, the functions on each sampled stack."""

    def __init__(self, switch: Path | None = None, interval: float = 0.005) -> None:
        self.switch = switch  # sample only while this file exists (None: always)
        self.interval = interval
        self.samples: Counter[str] = Counter()
        self.inclusive: dict[str, Counter[Frame]] = {}
        self.own: dict[str, Counter[Frame]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            if self.switch is not None and not self.switch.exists():
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                name = names.get(ident, str(ident))
                name = "nlp" if name.startswith("nlp") else name
                self.samples[name] += 1
                self.own.setdefault(name, Counter())[_key(frame)] += 1
                seen: set[Frame] = set()
                f: FrameType | None = frame
                while f is not None:
                    seen.add(_key(f))
                    f = f.f_back
                self.inclusive.setdefault(name, Counter()).update(seen)

    def report(self, top: int = 40) -> str:
        lines = [f"sampled every {self.interval * 1000:.0f} ms; counts are samples (x interval = seconds)"]
        for name, total in self.samples.most_common():
            if total < 10:
                continue
            lines.append(f"\n==== thread {name}: {total} samples ====")
            for title, counter in (("inclusive", self.inclusive[name]), ("own", self.own[name])):
                lines.append(f"-- {title}")
                for (file, func, line), n in counter.most_common(top):
                    lines.append(f"{n:8d} {100 * n / total:5.1f}%  {func}  ({file}:{line})")
        return "\n".join(lines) + "\n"

    def write(self, path: Path) -> None:
        self._stop.set()
        path.write_text(self.report())


def switch_of(report: Path) -> Path:
    """The file whose existence turns sampling on for the worker writing `report`."""
    return report.with_name(report.name + ".on")


def main() -> None:
    out = Path(sys.argv[1])
    sampler = Sampler(switch=switch_of(out))
    atexit.register(sampler.write, out)
    sampler.start()
    from agents.cli import main as wirestream

    sys.argv = ["wirestream", *sys.argv[2:]]
    started = time.time()
    try:
        code = wirestream(sys.argv[1:])
    finally:
        print(f"sampler: {time.time() - started:.0f} s sampled, report in {out}", file=sys.stderr)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
