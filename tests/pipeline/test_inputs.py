"""Files and folders as messages: documents whole, JSON lines one a line."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pipeline.inputs import is_document, messages, stream_messages

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"


def test_folder_gives_documents_whole_and_jsonl_by_line(tmp_path: Path) -> None:
    nitf = (DATA / "nitf" / "flood-ru.xml").read_bytes()
    (tmp_path / "b.xml").write_bytes(nitf)
    (tmp_path / "a.jsonl").write_text('{"id": "1", "body": "x"}\n\n{"id": "2", "body": "y"}\n')
    (tmp_path / ".hidden").write_text("ignored")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.xml").write_bytes(b"<rss><channel/></rss>")
    out = list(messages([tmp_path]))
    assert out == [b'{"id": "1", "body": "x"}', b'{"id": "2", "body": "y"}', nitf, b"<rss><channel/></rss>"]


def test_unknown_markup_is_one_message_and_plain_text_lines() -> None:
    assert is_document(b"<invoice/>")  # one message: its dead letter says unsupported_format
    assert not is_document(b'{"id": "1", "body": "x"}')
    assert not is_document(b"not json\nat all")


def test_stdin_document_is_read_whole() -> None:
    doc = (DATA / "newsml-g2" / "picture-ru.xml").read_bytes()
    assert list(stream_messages(io.BufferedReader(io.BytesIO(doc)))) == [doc]
    lines = b'{"id": "1", "body": "x"}\n{"id": "2", "body": "y"}\n'
    got = list(stream_messages(io.BufferedReader(io.BytesIO(lines))))
    assert [json.loads(g)["id"] for g in got] == ["1", "2"]
