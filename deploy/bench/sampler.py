"""Stack sampling of a live `wirestream worker` (every thread: event loop and the nlp thread).

cProfile sees one thread and slows a worker down a lot. With py-spy installed (`pip install -e
'.[bench]'`), `python -m deploy.bench --profile-worker` attaches it to each worker for the timed run only
(`PySpy`): it samples from outside the process (the worker pays no GIL for it) every thread using CPU, or
with `--profile-worker gil` only the one holding the GIL (a worker's threads take turns on it: what one
holds, the others wait for; the nlp thread runs much of spaCy's model without it). Without py-spy the
worker runs under the in-process `Sampler` below, which samples every thread's stack every `interval`
seconds while the file `OUT.txt.on` exists (the bench creates it for the timed run only, so start-up and
model loading stay out); it cannot tell a thread waiting in C (a socket, a lock) from one working, and it
takes the GIL to sample. Either way the report says how often each function was on a stack (inclusive)
and at its top (own), per thread:

    python -m deploy.bench.sampler OUT.txt [wirestream args ...]
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from types import FrameType

Frame = tuple[str, str, int]  # file name, function, first line
CLK_TCK = os.sysconf("SC_CLK_TCK")


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
        head = f"sampled every {self.interval * 1000:.0f} ms; counts are samples (x interval = seconds)"
        return report(head, self.samples, self.inclusive, self.own, top)

    def write(self, path: Path) -> None:
        self._stop.set()
        path.write_text(self.report())


def report(
    head: str,
    samples: Counter[str],
    inclusive: dict[str, Counter[Frame]],
    own: dict[str, Counter[Frame]],
    top: int = 40,
) -> str:
    """Per thread (busiest first): the functions most often on its stacks, and at their top."""
    lines = [head]
    for name, total in samples.most_common():
        if total < 10:
            continue
        lines.append(f"\n==== thread {name}: {total} samples ====")
        for title, counter in (("inclusive", inclusive[name]), ("own", own[name])):
            lines.append(f"-- {title}")
            for (file, func, line), n in counter.most_common(top):
                lines.append(f"{n:8d} {100 * n / total:5.1f}%  {func}  ({file}:{line})")
    return "\n".join(lines) + "\n"


# a frame of py-spy's raw (collapsed) output with --function: `func (path/file.py:line)`
_SPY_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")


def thread_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """CPU seconds (user, system) each live thread of a process has used so far, by thread id."""
    out: dict[int, tuple[float, float]] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK)
    return out


def collapsed_report(
    raw: Iterable[str],
    rate: int,
    top: int = 40,
    cpu: dict[int, tuple[float, float]] | None = None,
    what: str = "the threads using CPU",
) -> str:
    """py-spy's raw output (`thread (tid): name;frame;...;frame count` per line, outermost frame first)
    as `report` tables; samples of every thread whose name starts with `nlp` (the executor's) count as
    one thread. `cpu` ((user, system) seconds by thread id, from /proc) adds what each thread used, the GIL
    held or not."""
    tids: dict[str, set[int]] = {}
    samples: Counter[str] = Counter()
    inclusive: dict[str, Counter[Frame]] = {}
    own: dict[str, Counter[Frame]] = {}
    for line in raw:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        thread, *frames = stack.split(";")
        name = thread.rpartition("): ")[2] or thread  # `thread (1234): MainThread`
        name = "nlp" if name.startswith("nlp") else name
        if m := re.search(r"\((\d+)\)", thread):
            tids.setdefault(name, set()).add(int(m.group(1)))
        n = int(count)
        keys: list[Frame] = []
        for frame in frames:
            m = _SPY_FRAME.match(frame)
            if m is not None:
                keys.append((Path(m["file"]).name, m["func"], int(m["line"] or 0)))
        if not keys:
            continue
        samples[name] += n
        own.setdefault(name, Counter())[keys[-1]] += n
        inclusive.setdefault(name, Counter()).update(dict.fromkeys(set(keys), n))
    head = f"py-spy, {rate} samples/s of {what}: x {1000 / rate:.0f} ms = seconds"
    if cpu is not None:
        named = {tid for ids in tids.values() for tid in ids}
        groups = {**tids, "(other threads)": {t for t in cpu if t not in named}}
        used = {
            name: (sum(cpu.get(t, (0.0, 0.0))[0] for t in ids), sum(cpu.get(t, (0.0, 0.0))[1] for t in ids))
            for name, ids in groups.items()
        }
        head += "\nCPU seconds used by thread (/proc): " + ", ".join(
            f"{name} {user + system:.2f} (system {system:.2f})"
            for name, (user, system) in sorted(used.items(), key=lambda kv: -sum(kv[1]))
        )
    return report(head, samples, inclusive, own, top)


def py_spy() -> str | None:
    """py-spy next to this interpreter (the bench extra installs it) or on PATH; None without it."""
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


class PySpy:
    """py-spy recording one process from outside while `start`ed; `stop` writes the report to `out`."""

    RATE = 200

    def __init__(self, exe: str, pid: int, out: Path, *, gil: bool = False) -> None:
        self.exe, self.pid, self.out, self.gil = exe, pid, out, gil
        self.raw = out.with_name(out.name + ".raw")
        self.proc: subprocess.Popen[bytes] | None = None
        self.cpu: dict[int, tuple[float, float]] = {}

    def start(self) -> None:
        self.cpu = thread_cpu(self.pid)
        cmd = [
            self.exe, "record", "--pid", str(self.pid), "--rate", str(self.RATE), "--format", "raw",
            "--threads", "--function", "--nonblocking", "--output", str(self.raw),
        ]  # fmt: skip
        cmd += ["--gil"] if self.gil else []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.proc = None
        before = self.cpu
        used = {
            tid: (user - before.get(tid, (0.0, 0.0))[0], system - before.get(tid, (0.0, 0.0))[1])
            for tid, (user, system) in thread_cpu(self.pid).items()
        }
        if not self.raw.exists():
            self.out.write_text(f"py-spy wrote nothing: {err.decode(errors='replace')[-2000:]}\n")
            return
        with self.raw.open() as raw:
            what = "the thread holding the GIL" if self.gil else "the threads using CPU"
            self.out.write_text(collapsed_report(raw, self.RATE, cpu=used, what=what))


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
