"""Integration fixtures: the real local Kafka broker (started if needed) and real worker processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("WIRESTREAM_BROKER", "127.0.0.1:9092")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def broker() -> str:
    """A running broker: started with the project's own script when none answers (never skipped)."""
    subprocess.run([str(ROOT / "deploy" / "kafka" / "broker.sh"), "start"], check=True, cwd=ROOT)
    return BROKER


class LocalBroker:
    """A second broker of our own (other ports, temp data), for tests that stop and start it; `env` may
    ask broker.sh for more (WIRESTREAM_KAFKA_SECURITY=sasl_ssl and its settings)."""

    def __init__(self, port: int, controller_port: int, data: Path, **env: str) -> None:
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self.env = dict(
            os.environ,
            WIRESTREAM_KAFKA_PORT=str(port),
            WIRESTREAM_KAFKA_CONTROLLER_PORT=str(controller_port),
            WIRESTREAM_KAFKA_DATA=str(data),
            **env,
        )

    def start(self) -> None:
        subprocess.run(
            [str(ROOT / "deploy" / "kafka" / "broker.sh"), "start"], check=True, cwd=ROOT, env=self.env
        )

    def stop(self) -> None:
        subprocess.run(
            [str(ROOT / "deploy" / "kafka" / "broker.sh"), "stop"], check=True, cwd=ROOT, env=self.env
        )


@pytest.fixture
def own_broker(broker: str, tmp_path: Path) -> Iterator[LocalBroker]:
    # free ports, so two test runs on one machine (or a busy fixed port) never collide
    b = LocalBroker(_free_port(), _free_port(), tmp_path / "kafka-data")
    b.start()
    yield b
    b.stop()


@dataclass
class Worker:
    """A `wirestream worker` subprocess on its own topic prefix, data dir and web port."""

    prefix: str
    data_dir: Path
    port: int
    log: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    _logged: int = 0  # the log's size when the worker last started

    @property
    def env(self) -> dict[str, str]:
        env = dict(
            os.environ,
            WIRESTREAM_BROKER=BROKER,
            WIRESTREAM_TOPIC_PREFIX=self.prefix,
            WIRESTREAM_DATA_DIR=str(self.data_dir),
            WIRESTREAM_WEB_PORT=str(self.port),
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0, *, ready: bool = True) -> Worker:
        """Start the worker and wait until Faust says it is ready (recovery done, streams resumed), or
        with `ready=False` only until its web server answers (it may still be recovering its tables)."""
        exe = Path(sys.executable).with_name("wirestream")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        logged = self.log.stat().st_size if self.log.exists() else 0  # a restart appends to the same log
        out = open(self.log, "ab")  # noqa: SIM115 - owned by the child
        self.proc = subprocess.Popen([str(exe), "worker"], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self._logged = logged
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"worker exited with {self.proc.returncode}; log:\n{self.log.read_text()[-4000:]}"
                )
            if self._answers() and (not ready or self.ready()):
                return self
            time.sleep(0.5)
        raise TimeoutError(f"worker not ready; log:\n{self.log.read_text()[-4000:]}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2):
                return True
        except OSError:
            return False

    def ready(self) -> bool:
        """Whether Faust has logged "Worker ready" since the last start (tables recovered, streams on)."""
        with open(self.log, "rb") as log:
            log.seek(self._logged)
            return b"Worker ready" in log.read()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as resp:
            return resp.read().decode()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can tell a failed test at teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def worker_factory(broker: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Make workers on one fresh prefix; all are stopped at teardown. When the test failed, workers
    still running first write every thread's and task's stack to their log (SIGUSR1), to show a stall."""
    prefix = f"it-{uuid.uuid4().hex[:10]}"
    made: list[Worker] = []

    def make(**env: str) -> Worker:
        w = Worker(
            prefix,
            tmp_path / f"data-{len(made)}",
            _free_port(),
            ROOT / "build" / "it" / f"{prefix}-{len(made)}.log",
            env,
        )
        made.append(w)
        return w

    make.prefix = prefix  # type: ignore[attr-defined]
    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        live = [w for w in made if w.proc is not None and w.proc.poll() is None]
        for w in live:
            assert w.proc is not None
            w.proc.send_signal(signal.SIGUSR1)  # mode's worker logs all stacks ("cry")
        if live:
            time.sleep(3)
            print("stacks of the live workers are in:", *(str(w.log) for w in live))
    for w in made:
        w.stop()


def publish(
    prefix: str, records: list[dict[str, Any]] | list[bytes], broker: str = BROKER, **client: Any
) -> None:
    """Raw stories to `<prefix>.raw`; `client` adds kafka-python settings (security, max_request_size)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=[broker], acks="all", linger_ms=5, **client)
    for r in records:
        if isinstance(r, bytes):
            producer.send(f"{prefix}.raw", value=r)
        else:
            producer.send(f"{prefix}.raw", key=r["id"].encode(), value=json.dumps(r).encode())
    producer.flush(30)
    producer.close()


def consume(
    prefix: str,
    expected: int,
    timeout: float = 240.0,
    broker: str = BROKER,
    *,
    ids: Collection[str] | None = None,
    isolation_level: str = "read_committed",
    at_once: bool = False,
    **client: Any,
) -> dict[str, list[tuple[int, int, dict[str, Any]]]]:
    """(partition, offset, record) per output topic, until `expected` records, or with `ids` until every
    one of those story ids came out (records emitted twice do not count twice), or timeout; then on
    until the topics are silent for a second, unless `at_once` (to act mid-stream: output may flow on
    for minutes). `read_uncommitted` also shows what aborted transactions wrote (exactly_once)."""
    from kafka import KafkaConsumer

    topics = [f"{prefix}.enriched", f"{prefix}.duplicates", f"{prefix}.deadletter"]
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=[broker],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
        isolation_level=isolation_level,
        **client,
    )
    got: dict[str, list[tuple[int, int, dict[str, Any]]]] = {t.split(".", 1)[1]: [] for t in topics}
    missing = set(ids) if ids is not None else set()

    def done() -> bool:
        return not missing if ids is not None else sum(len(v) for v in got.values()) >= expected

    deadline = time.time() + timeout
    try:
        while not done() and time.time() < deadline:
            for msg in consumer:
                value = json.loads(msg.value)
                got[msg.topic.split(".", 1)[1]].append((msg.partition, msg.offset, value))
                missing.discard(value.get("id"))
                if at_once and done():
                    break
    finally:
        consumer.close()
    return got
