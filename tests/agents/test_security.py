"""Security settings reach both Kafka clients; no code-executing codec anywhere; safe web bind default."""

from __future__ import annotations

import re
from pathlib import Path

import faust

from agents.app import create_app, credentials
from agents.kafka import kafka_security
from agents.settings import Security, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_sasl_scram_for_worker_and_cli() -> None:
    s = Settings.from_env(
        {
            "WIRESTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "WIRESTREAM_SASL_MECHANISM": "SCRAM-SHA-256",
            "WIRESTREAM_SASL_USERNAME": "desk",
            "WIRESTREAM_SASL_PASSWORD": "secret",
        }
    )
    creds = credentials(s.security)
    assert isinstance(creds, faust.SASLCredentials)
    assert (creds.username, creds.password, str(creds.mechanism.value)) == ("desk", "secret", "SCRAM-SHA-256")
    kw = kafka_security(s)
    assert kw == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "desk",
        "sasl_plain_password": "secret",
    }


def test_plaintext_has_no_credentials_and_ssl_gets_a_context() -> None:
    assert credentials(Security()) is None
    assert kafka_security(Settings.from_env({})) == {"security_protocol": "PLAINTEXT"}
    assert isinstance(credentials(Security(protocol="SSL")), faust.SSLCredentials)
    kw = kafka_security(
        Settings.from_env({"WIRESTREAM_SECURITY_PROTOCOL": "SSL", "WIRESTREAM_SSL_CAFILE": "/ca.pem"})
    )
    assert kw["ssl_cafile"] == "/ca.pem" and kw["security_protocol"] == "SSL"


def test_web_binds_to_loopback_by_default(tmp_path: Path) -> None:
    s = Settings.from_env({"WIRESTREAM_DATA_DIR": str(tmp_path)})
    app = create_app(s).app
    assert app.conf.web_bind == "127.0.0.1" and app.conf.web_port == 6066


def test_no_pickle_or_code_executing_codec_in_our_code() -> None:
    pattern = re.compile(r"\b(pickle|cPickle|dill|marshal|yaml\.load\(|yaml\.unsafe_load|eval\(|exec\()")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pipeline", "agents")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_topics_and_table_use_raw_and_json_codecs(tmp_path: Path) -> None:
    from agents.stages import register

    s = Settings.from_env({"WIRESTREAM_DATA_DIR": str(tmp_path)})
    wiring = create_app(s)
    for topic in wiring.topics.all():
        assert topic.value_serializer == "raw" and topic.key_serializer == "raw"
    register(wiring, s, stages=["dedup"])
    table = wiring.app.tables["dedup"]
    assert wiring.app.conf.value_serializer == "json" and table.changelog_topic.value_serializer in (
        None,
        "json",
    )
