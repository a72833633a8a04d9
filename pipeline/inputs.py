"""Files and folders as messages: what `wirestream publish` sends and `wirestream enrich` reads.

A file holding an agency document (NITF, NewsML, a feed, one ninjs object, an ANPA take, ...) is one
message, its bytes as they are; a JSONL file is one message per non-blank line (our raw stories, or
ninjs objects one a line), as before. A folder is its files in name order (hidden ones skipped),
recursively. `-` is stdin, told apart the same way from its first bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.formats import HEAD_BYTES, looks_like_document, looks_like_xml


def is_document(head: bytes, whole: bytes | None = None) -> bool:
    """Whether a file starting with `head` is one document (else JSON lines).

    JSON claimed by a reader (ninjs) is one document only when the whole file is one JSON value:
    ninjs objects one a line are JSON lines.
    """
    if looks_like_xml(head):
        return True
    if not looks_like_document(head):
        return False
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return True  # ANPA, IPTC 7901: text with control characters
    if whole is None:
        return False
    try:
        json.loads(whole)
    except ValueError:
        return False
    return True


def _lines(data: bytes) -> Iterator[bytes]:
    for line in data.splitlines():
        line = line.rstrip(b"\r\n")
        if line.strip():
            yield line


def file_messages(path: Path) -> Iterator[bytes]:
    """One file's messages (see the module doc)."""
    data = path.read_bytes()
    if is_document(data[:HEAD_BYTES], data):
        yield data
    else:
        yield from _lines(data)


def stream_messages(stream: BinaryIO) -> Iterator[bytes]:
    """Stdin's messages: a document is read whole, JSON lines one at a time as they come."""
    head = stream.peek(HEAD_BYTES)[:HEAD_BYTES] if hasattr(stream, "peek") else b""
    if head and is_document(head):
        yield stream.read()
        return
    if head.lstrip()[:1] in (b"{", b"[") and looks_like_document(head):
        data = stream.read()  # ninjs: one object, or one a line
        yield from ([data] if is_document(head, data) else _lines(data))
        return
    for line in stream:
        line = line.rstrip(b"\r\n")
        if line.strip():
            yield line


def files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files of `paths`: files as given, folders' files in name order, recursively."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    yield f
        else:
            yield p


def messages(paths: Iterable[str | Path]) -> Iterator[bytes]:
    """Every message of `paths` in order; `-` is stdin."""
    for p in paths:
        if str(p) == "-":
            yield from stream_messages(sys.stdin.buffer)
        else:
            for f in files([p]):
                yield from file_messages(f)
