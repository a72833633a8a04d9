"""Against a broker that demands TLS, a SCRAM-SHA-512 login and ACLs (a broker of our own, started once for
the module with `broker.sh` in sasl_ssl mode, certificates made now): the worker at both guarantees,
`publish` and `tail` work with the right settings; a wrong password, an untrusted certificate and a missing
ACL each end with one line on stderr naming what to fix, a non-zero exit, and nothing consumed or committed.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from tests.integration.conftest import ROOT, LocalBroker, _free_port

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))
CLI_TIMEOUT = 120  # s for one command that should fail fast (the machine is shared and slow)


@dataclass
class SecureBroker:
    broker: LocalBroker
    certs: Path
    untrusted: Path  # a CA of its own, which did not sign the broker's certificate
    passwords: dict[str, str]

    def env(self, user: str, prefix: str, **changes: str) -> dict[str, str]:
        """The wirestream settings of `user` on `prefix`, with `changes` on top."""
        env = {
            "WIRESTREAM_BROKER": self.broker.address,
            "WIRESTREAM_TOPIC_PREFIX": prefix,
            "WIRESTREAM_SECURITY_PROTOCOL": "SASL_SSL",
            "WIRESTREAM_SASL_MECHANISM": "SCRAM-SHA-512",
            "WIRESTREAM_SASL_USERNAME": user,
            "WIRESTREAM_SASL_PASSWORD": self.passwords[user],
            "WIRESTREAM_SSL_CAFILE": str(self.certs / "ca.pem"),
        }
        env.update(changes)
        return env

    def client(self, user: str = "admin") -> dict[str, Any]:
        """kafka-python settings of `user`."""
        return {
            "bootstrap_servers": [self.broker.address],
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": user,
            "sasl_plain_password": self.passwords[user],
            "ssl_cafile": str(self.certs / "ca.pem"),
        }

    def grant(
        self, user: str, prefix: str, *, topics: tuple[str, ...], group: bool, transactions: bool
    ) -> None:
        """ACLs for `user` on the topics of `prefix` (and Faust's `wirestream-<prefix>-*` topics), its
        consumer group and its transactional ids, as docs/security.md lists them."""
        from kafka.admin import (
            ACL,
            ACLPermissionType,
            ACLResourcePatternType,
            KafkaAdminClient,
            ResourcePattern,
            ResourceType,
        )
        from kafka.admin import ACLOperation as Op

        app_id = f"wirestream-{prefix}"
        wanted = [
            (ResourceType.TOPIC, f"{prefix}.", topics),
            (ResourceType.TOPIC, f"{app_id}-", topics),
        ]
        if group:
            wanted.append((ResourceType.GROUP, app_id, ("READ",)))
        if transactions:
            wanted.append((ResourceType.TRANSACTIONAL_ID, f"{app_id}-", ("WRITE",)))
        acls = [
            ACL(
                f"User:{user}",
                "*",
                getattr(Op, op),
                ACLPermissionType.ALLOW,
                ResourcePattern(kind, name, ACLResourcePatternType.PREFIXED),
            )
            for kind, name, ops in wanted
            for op in ops
        ]
        admin = KafkaAdminClient(**self.client())
        try:
            result = admin.create_acls(acls)
            assert not result["failed"], result["failed"]
        finally:
            admin.close()

    def committed(self, group: str) -> dict[Any, Any]:
        from kafka.admin import KafkaAdminClient

        admin = KafkaAdminClient(**self.client())
        try:
            return dict(admin.list_group_offsets({group: None}).get(group, {}))
        finally:
            admin.close()

    def count(self, topic: str) -> int:
        """Records on `topic` (0 when it does not exist)."""
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(**self.client())
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in partitions]
            return sum(consumer.end_offsets(tps).values()) if tps else 0
        finally:
            consumer.close()


@pytest.fixture(scope="module")
def secure(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """One SASL_SSL broker for the module: users admin (super user), desk (the worker's: every ACL it
    needs), reader (READ on the topics, nothing else) and stranger (no ACL at all)."""
    base = tmp_path_factory.mktemp("secure-kafka")
    certs, untrusted = base / "certs", base / "untrusted"
    subprocess.run([str(ROOT / "deploy" / "kafka" / "certs.sh"), str(untrusted)], check=True)
    passwords = {name: secrets.token_hex(12) for name in ("admin", "desk", "reader", "stranger")}
    users = ",".join(f"{name}={pw}" for name, pw in passwords.items() if name != "admin")
    local = LocalBroker(
        _free_port(),
        _free_port(),
        base / "data",
        WIRESTREAM_KAFKA_SECURITY="sasl_ssl",
        WIRESTREAM_KAFKA_CERTS=str(certs),
        WIRESTREAM_KAFKA_ADMIN_PASSWORD=passwords["admin"],
        WIRESTREAM_KAFKA_SCRAM_USERS=users,
    )
    local.start()
    try:
        yield SecureBroker(local, certs, untrusted, passwords)
    finally:
        local.stop()


def run(env: dict[str, str], *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    full = dict(os.environ, **env)
    return subprocess.run([EXE, *args], env=full, input=stdin, capture_output=True, timeout=CLI_TIMEOUT)


def jsonl(batch: list[dict[str, Any]]) -> bytes:
    import json

    return b"".join(json.dumps(s).encode() + b"\n" for s in batch)


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_worker_publish_and_tail_work_with_the_right_settings(
    secure: SecureBroker, worker_factory: Any, guarantee: str
) -> None:
    import json

    prefix = f"sec-{uuid.uuid4().hex[:8]}"
    secure.grant("desk", prefix, topics=("READ", "WRITE", "CREATE"), group=True, transactions=True)
    env = secure.env("desk", prefix, WIRESTREAM_PROCESSING_GUARANTEE=guarantee)
    batch = stories(6, seed=61, words=60, prefix=prefix)
    published = run(env, "publish", "-", stdin=jsonl(batch))
    assert published.returncode == 0, published.stderr.decode()
    worker = worker_factory(**env)
    worker.start()
    tail = run(env, "tail", "enriched", "--max", str(len(batch)), "--timeout", "90")
    worker.stop()
    assert tail.returncode == 0, tail.stderr.decode()
    ids = sorted(json.loads(line)["id"] for line in tail.stdout.splitlines())
    assert ids == sorted(s["id"] for s in batch)
    assert worker.proc is not None and worker.proc.returncode == 0, worker.log.read_text()[-3000:]
    assert secure.committed(f"wirestream-{prefix}"), "the worker committed nothing in its group"


@pytest.fixture(scope="module")
def waiting(secure: SecureBroker) -> str:
    """A prefix whose raw topic holds stories no one has consumed: what the failing commands must leave."""
    prefix = f"idle-{uuid.uuid4().hex[:8]}"
    secure.grant("desk", prefix, topics=("READ", "WRITE", "CREATE"), group=True, transactions=True)
    secure.grant("reader", prefix, topics=("READ",), group=False, transactions=False)
    published = run(
        secure.env("desk", prefix), "publish", "-", stdin=jsonl(stories(3, seed=62, prefix=prefix))
    )
    assert published.returncode == 0, published.stderr.decode()
    return prefix


FAULTS = {
    # fault: (user, changes to the user's settings, what the one line must name)
    "wrong password": ("desk", {"WIRESTREAM_SASL_PASSWORD": "not-the-password"}, "WIRESTREAM_SASL_PASSWORD"),
    "untrusted certificate": ("desk", {"WIRESTREAM_SSL_CAFILE": "{untrusted}"}, "WIRESTREAM_SSL_CAFILE"),
    "missing ACL": ("reader", {}, "--allow-principal User:reader"),
}
COMMANDS = {
    "worker": ("worker",),
    "publish": ("publish", "-"),
    "tail": ("tail", "enriched", "--max", "1", "--timeout", "20"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_wrong_setting_ends_in_one_line_naming_it(
    secure: SecureBroker, waiting: str, tmp_path: Path, fault: str, command: str
) -> None:
    user, changes, named = FAULTS[fault]
    if fault == "missing ACL" and command == "tail":
        user, named = "stranger", "--allow-principal User:stranger"  # reader may read: a user who may not
    changes = {k: v.format(untrusted=secure.untrusted / "ca.pem") for k, v in changes.items()}
    env = secure.env(user, waiting, WIRESTREAM_DATA_DIR=str(tmp_path), WIRESTREAM_WEB_PORT=str(_free_port()))
    env.update(changes)
    before = secure.count(f"{waiting}.raw")
    done = run(env, *COMMANDS[command], stdin=jsonl(stories(1, seed=63, prefix=waiting)))
    err = done.stderr.decode()
    lines = [line for line in err.splitlines() if line.strip()]
    assert done.returncode != 0, (done.returncode, err)
    assert len(lines) == 1 and "Traceback" not in err, err
    assert named in lines[0], lines[0]
    assert not done.stdout.strip(), done.stdout
    assert secure.count(f"{waiting}.raw") == before, "a story was published"
    assert secure.count(f"{waiting}.enriched") == 0 and secure.count(f"{waiting}.deadletter") == 0
    assert secure.committed(f"wirestream-{waiting}") == {}, "an offset was committed"
