"""The `wirestream` command as a user runs it (offline parts; broker commands are integration-tested)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.schemas import errors, load_schema
from tests.contract import assert_follows_contract

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("wirestream"))
SAMPLES = ROOT / "deploy" / "samples" / "stories.jsonl"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=300, cwd=ROOT)


def test_enrich_file_keeps_order_and_sends_dead_letters_to_stderr() -> None:
    proc = run("enrich", str(SAMPLES), "--stats")
    assert proc.returncode == 0, proc.stderr.decode()
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    expected = [
        json.loads(line)["id"] for line in SAMPLES.read_text().splitlines() if '"ws-broken"' not in line
    ]
    assert [r["id"] for r in records] == expected
    err = proc.stderr.decode().splitlines()
    dead = [json.loads(line) for line in err if line.startswith("{")]
    assert [d["error"] for d in dead] == ["invalid_json"]
    assert "stories/s" in err[-1]
    for record in records:
        assert_follows_contract("enriched", record)
    assert_follows_contract("deadletter", dead[0])


@pytest.mark.parametrize(("version", "schema"), [("3", "ninjs-3.1"), ("2", "ninjs-2.2")])
def test_enrich_writes_ninjs_valid_against_the_official_schema(version: str, schema: str) -> None:
    proc = run("enrich", str(SAMPLES), "--output", "ninjs", "--ninjs-version", version)
    assert proc.returncode == 0, proc.stderr.decode()
    documents = [json.loads(line) for line in proc.stdout.splitlines()]
    expected = [
        json.loads(line)["id"] for line in SAMPLES.read_text().splitlines() if '"ws-broken"' not in line
    ]
    ids = [d["altIds" if version == "3" else "altids"][0]["value"] for d in documents]
    assert ids == expected  # every record, in input order (duplicates marked in wirestream:dedup)
    for document in documents:
        assert errors(schema, document) == [], document["uri"]
        assert document["standard"]["version"] == ("3.1" if version == "3" else "2.2")


def test_schema_prints_each_schema_and_refuses_an_unknown_name() -> None:
    for name in ("raw", "enriched", "deadletter", "ninjs"):
        proc = run("schema", name)
        assert proc.returncode == 0 and json.loads(proc.stdout) == load_schema(name)
    proc = run("schema", "nitf")
    assert proc.returncode == 2 and proc.stdout == b""
    assert len(proc.stderr.decode().strip().splitlines()) == 1 and "enriched" in proc.stderr.decode()


def test_enrich_stdin_with_binary_garbage_never_crashes() -> None:
    lines = b"\n".join(
        [
            b'{"id": "ok-1", "body": "The council of Harlow met on Monday to discuss the bridge repairs."}',
            b"\xff\xfe\x00garbage",
            b"",
            b'{"id": "ok-2", "body": "Le conseil municipal de Lyon a vot\xc3\xa9 le budget mardi soir."}',
        ]
    )
    proc = run("enrich", "-", stdin=lines)
    assert proc.returncode == 0
    assert [json.loads(x)["id"] for x in proc.stdout.splitlines()] == ["ok-1", "ok-2"]
    [dead] = [json.loads(x) for x in proc.stderr.splitlines() if x.startswith(b"{")]
    assert dead["error"] == "invalid_utf8" and dead["raw_encoding"] == "base64"


def test_unknown_eval_and_bad_setting_are_reported() -> None:
    proc = subprocess.run(
        [EXE, "enrich", "-"],
        input=b"",
        capture_output=True,
        timeout=60,
        env={"WIRESTREAM_WEB_PORT": "abc", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2 and b"WIRESTREAM_WEB_PORT" in proc.stderr


def test_enrich_never_crashes_on_lone_surrogates_or_nan_and_writes_strict_json() -> None:
    """CONTRACT.md: bad lines become dead-letter records on stderr (JSONL), never a crash."""
    body = "The mayor of Harlow said on Monday that the bridge would reopen in March."
    lines = [
        b'{"id": "\\ud800"}',
        json.dumps({"id": "x1", "body": body}).encode()[:-1] + b', "tag": "\\udc80"}',
        json.dumps({"id": "x2", "body": body}).encode()[:-1] + b', "score": NaN}',
        json.dumps({"id": "x3", "body": body + " Again."}).encode(),
    ]

    def refuse(name: str) -> object:
        raise ValueError(name)

    proc = run("enrich", "-", stdin=b"\n".join(lines))
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = [json.loads(x.decode("utf-8"), parse_constant=refuse) for x in proc.stdout.splitlines()]
    assert [r["id"] for r in out] == ["x1", "x3"]
    dead = [json.loads(x.decode("utf-8"), parse_constant=refuse) for x in proc.stderr.splitlines()]
    assert [(d["id"], d["error"]) for d in dead] == [("\ufffd", "missing_body"), (None, "invalid_json")]


def test_tail_prints_every_value_as_one_line_of_utf8_json() -> None:
    """CONTRACT.md: `wirestream tail TOPIC` prints a topic's records as JSONL, whatever a producer sent."""
    from agents.tail import tail_line

    compact = b'{"id":"a","body":"x"}'
    assert tail_line(compact) == compact + b"\n"  # our own records pass untouched
    assert tail_line(b'{\n  "id": "pretty",\n  "body": "x"\n}\n') == b'{"id":"pretty","body":"x"}\n'
    assert tail_line('{"id":"u16"}'.encode("utf-16")) == b'{"id":"u16"}\n'
    assert tail_line(b"\xef\xbb\xbf" + compact) == compact + b"\n"  # a UTF-8 byte order mark
    assert tail_line(None) == b"null\n"  # a tombstone
    assert tail_line(b"not json\nat all") == b'"not json\\nat all"\n'
    assert tail_line(b"NaN") == b'"NaN"\n'
    assert tail_line(b"\xff\xfe garbage") == '"\ufffd\ufffd garbage"\n'.encode()


def test_usage_errors_are_one_line_and_exit_2() -> None:
    """A missing input file or an unknown stage is reported by name, not with a traceback."""
    for args in (("enrich", "/nonexistent/stories.jsonl"), ("publish", "/nonexistent/stories.jsonl")):
        proc = subprocess.run(
            [EXE, *args], capture_output=True, timeout=60, env={"WIRESTREAM_BROKER": "127.0.0.1:1"}
        )
        assert proc.returncode == 2 and b"/nonexistent/stories.jsonl" in proc.stderr
        assert b"Traceback" not in proc.stderr
    proc = run("worker", "--stages", "prepare,bogus")
    assert proc.returncode == 2 and b"bogus" in proc.stderr and b"Traceback" not in proc.stderr


def test_replay_skips_internal_and_truncated_dead_letters() -> None:
    from agents.replay import replayable

    letter = {"error": "body_too_large", "stage": "parse", "raw": "{}", "raw_truncated": False}
    assert replayable(letter, None) and replayable(letter, ["body_too_large"])
    assert not replayable(letter, ["invalid_json"])
    assert not replayable({**letter, "raw_truncated": True}, None)  # replaying it would not be the input
    assert not replayable({**letter, "stage": "handover"}, None)
    compact = {k: v for k, v in letter.items() if k not in ("raw", "raw_encoding")}
    assert not replayable({**compact, "error": "too_large", "size": 9_000_000}, None)  # no input to replay
    assert replayable({k: v for k, v in letter.items() if k != "raw_truncated"}, None)  # older letters
    assert not replayable(["not", "a", "letter"], None)


def test_an_unreachable_broker_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kafka.errors import KafkaTimeoutError

    from agents import cli

    def unreachable(args: object, settings: object) -> int:
        raise KafkaTimeoutError("Unable to bootstrap from ['127.0.0.1:1']")

    monkeypatch.setattr(cli, "cmd_publish", unreachable)
    monkeypatch.setenv("WIRESTREAM_BROKER", "127.0.0.1:1")
    assert cli.main(["publish", str(SAMPLES)]) == 1
    err = capsys.readouterr().err
    assert "WIRESTREAM_BROKER=127.0.0.1:1" in err and len(err.strip().splitlines()) == 1


def test_kafka_python_checks_crcs_in_c() -> None:
    """publish/tail/replay/demo: kafka-python's pure-Python CRC32C runs at about 9 MB/s, so every
    record batch it writes or reads would cost more than the rest of the client."""
    from kafka.record import util

    assert util.crc32c_c is not None, "the crc32c package is missing"
