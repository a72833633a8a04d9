"""The one line a command ends with when the broker cannot be used as configured (agents.preflight) or a
send fails for a reason no dead letter can carry (agents.outputs): each names the setting to fix."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka import errors

from agents.outputs import Halt, explain
from agents.preflight import AccessError, Needs, check, explain_connect, worker_needs
from agents.settings import Security, Settings

SCRAM = Security("SASL_SSL", "SCRAM-SHA-512", "desk", "secret", "/ca.pem")


def test_each_connect_failure_names_its_setting() -> None:
    cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cert.verify_message = "self-signed certificate in certificate chain"
    cases = {
        "WIRESTREAM_SSL_CAFILE": cert,
        "WIRESTREAM_SASL_PASSWORD": errors.SaslAuthenticationFailed("invalid credentials"),
        "WIRESTREAM_SASL_MECHANISM": errors.UnsupportedSaslMechanismError(),
        "WIRESTREAM_BROKER": ConnectionRefusedError(111, "Connection refused"),
        "WIRESTREAM_SECURITY_PROTOCOL": ssl.SSLError(1, "wrong version number"),
    }
    for setting, exc in cases.items():
        _, line = explain_connect(exc, "kafka1:9093", SCRAM)
        assert setting in line and "kafka1:9093" in line and "\n" not in line, (setting, line)
    assert "self-signed" in explain_connect(cert, "k:1", SCRAM)[1]


def test_a_refused_login_says_more_than_a_refused_connection() -> None:
    refused = explain_connect(ConnectionRefusedError(111, "refused"), "a:1", SCRAM)
    login = explain_connect(errors.SaslAuthenticationFailed("no"), "b:1", SCRAM)
    assert max(refused, login) == login


def test_no_broker_at_all_is_one_line_naming_the_address() -> None:
    settings = Settings.from_env({"WIRESTREAM_BROKER": "127.0.0.1:1"})  # nothing listens on port 1
    with pytest.raises(AccessError, match=r"no Kafka broker answers at 127\.0\.0\.1:1 .*WIRESTREAM_BROKER"):
        check(settings, Needs(write=("wire.raw",)))


def test_worker_needs_its_topics_faust_s_group_and_transactional_ids() -> None:
    env = {"WIRESTREAM_TOPIC_PREFIX": "desk", "WIRESTREAM_PROCESSING_GUARANTEE": "exactly_once"}
    settings = Settings.from_env(env)
    needs = worker_needs(settings)
    assert "desk.raw" in needs.read and "desk.enriched" in needs.write and "desk.enriched" not in needs.read
    changelog = "wirestream-desk-dedup-changelog"
    assert changelog in needs.read and changelog in needs.write
    assert needs.group == "wirestream-desk" and needs.transactional_id == "wirestream-desk-0-0"
    assert worker_needs(Settings.from_env({})).transactional_id is None


def test_send_failures_that_stop_the_worker_name_the_topic_and_the_fix() -> None:
    assert "grant WRITE" in explain(errors.TopicAuthorizationFailedError(), "wire.enriched")
    assert "does not exist" in explain(errors.UnknownTopicOrPartitionError(), "wire.enriched")
    assert "WIRESTREAM_BROKER" in explain(errors.KafkaTimeoutError(), "wire.enriched")
    assert "transactional ids" in explain(errors.TransactionalIdAuthorizationFailed(), "wire.enriched")


def test_halt_stops_once_with_the_first_reason() -> None:
    stops: list[int] = []
    halt = Halt(stop=lambda: stops.append(1))
    halt.now("first")
    halt.now("second")
    assert halt.reason == "first" and stops == [1]


def test_a_command_against_no_broker_ends_at_once_with_one_line() -> None:
    """Without the preflight, kafka-python retried for 30 s and said only "Unable to bootstrap"."""
    exe = str(Path(sys.executable).with_name("wirestream"))
    env = dict(os.environ, WIRESTREAM_BROKER="127.0.0.1:1")
    started = time.monotonic()
    proc = subprocess.run(
        [exe, "tail", "enriched", "--timeout", "5"], env=env, capture_output=True, timeout=120
    )
    lines = proc.stderr.decode().strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert (
        lines[0].startswith("wirestream tail: no Kafka broker answers at 127.0.0.1:1")
        and "WIRESTREAM_BROKER" in lines[0]
    )
    assert time.monotonic() - started < 25
