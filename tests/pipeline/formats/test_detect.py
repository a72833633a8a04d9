"""Detection by content, the extensible registry, and what `read_document` guarantees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.formats import (
    FormatError,
    Item,
    detect,
    looks_like_document,
    read_document,
    readers,
    register,
    unregister,
)

EXPECTED = {"nitf": "nitf", "newsml-g2": "newsml-g2", "newsml1": "newsml-1", "feed": "feed"}


def test_every_sample_is_detected_by_its_reader(data_dir: Path) -> None:
    seen = 0
    for folder, reader_name in EXPECTED.items():
        for path in sorted((data_dir / folder).glob("*.xml")):
            assert detect(path.read_bytes()).name == reader_name, path.name
            seen += 1
    assert seen >= 15


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- feed 7 -->\n<nitf/>", "nitf"),
        (b"  <nar:newsItem xmlns:nar='http://iptc.org/std/nar/2006-10-01/'/>", "newsml-g2"),
        (b"<packageItem/>", "newsml-g2"),
        (b"<!DOCTYPE NewsML SYSTEM 'x.dtd'><NewsML/>", "newsml-1"),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "feed"),
        ("<?xml version='1.0' encoding='UTF-16'?><nitf/>".encode("utf-16"), "nitf"),
    ],
)
def test_sniffing_past_prolog_prefix_and_encoding(head: bytes, name: str) -> None:
    assert detect(head).name == name


def test_our_json_stories_are_claimed_by_no_reader() -> None:
    folder = Path(__file__).resolve().parents[2] / "data" / "dedup"
    lines = [line for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]
    assert len(lines) > 20
    for line in lines:
        assert json.loads(line)["id"]
        assert not looks_like_document(line.encode())


def test_unknown_content_is_unsupported() -> None:
    for data in (b"<invoice/>", b"<feed/>", b"plain words", b""):
        with pytest.raises(FormatError) as caught:
            detect(data)
        assert caught.value.code == "unsupported_format"


class _Memo:
    """A user's reader for an in-house format: a line `MEMO id` then the text."""

    name = "memo"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"MEMO ")

    def read(self, data: bytes) -> list[Item]:
        first, _, rest = data.decode().partition("\n")
        return [Item(format="memo", id=first.split()[1], body=rest.strip())]


class _PickyNitf:
    """A provider-specific NITF reader that takes over from the generic one once registered."""

    name = "nitf-picky"

    def sniff(self, head: bytes) -> bool:
        return b"<nitf" in head

    def read(self, data: bytes) -> list[Item]:
        return [Item(format="nitf-picky", body="picked")]


def test_registered_readers_come_first_and_can_be_removed() -> None:
    memo, picky = _Memo(), _PickyNitf()
    register(memo)
    register(picky)
    try:
        assert readers()[:2] == [picky, memo]
        assert read_document(b"MEMO m-1\nThe text.")[0].id == "m-1"
        item = read_document(b"<nitf/>")[0]
        assert item.format == "nitf-picky" and item.id is not None and item.id.startswith("nitf-picky:")
    finally:
        unregister(memo)
        unregister(picky)
    assert detect(b"<nitf/>").name == "nitf"
    with pytest.raises(FormatError):
        detect(b"MEMO m-1\nThe text.")


def test_size_limit_is_checked_first() -> None:
    with pytest.raises(FormatError) as caught:
        read_document(b"<invoice/>" + b" " * 100, max_bytes=50)
    assert caught.value.code == "document_too_large"
