"""Agency documents in: the registry of readers, detection by content, and `read_document`.

Every module of this package with a `READER` (see `base.Reader`) is a built-in reader, found when first
needed, so a new format is one new module. A user adds their own with `register(reader)`; registered
readers are asked first, so one can take over a provider's flavour of a format (a PA-specific NITF, say)
from the generic reader. `detect` asks each reader's `sniff` about the document's first 4 KiB (formats are
told apart by content, never by file name); `read_document` is the one entry point the chain uses.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Sequence

from pipeline.formats.base import FormatError, Item, Reader, Subject
from pipeline.formats.xml import root_name

__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "HEAD_BYTES",
    "FormatError",
    "Item",
    "Reader",
    "Subject",
    "derive_id",
    "detect",
    "claimed_by",
    "looks_like_document",
    "looks_like_xml",
    "read_document",
    "readers",
    "register",
    "unregister",
]

DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # larger documents are refused before parsing
HEAD_BYTES = 4096

_registered: list[Reader] = []
_builtin: list[Reader] | None = None


def _discover() -> list[Reader]:
    """The `READER` of every module in this package, in module-name order."""
    found: list[Reader] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        reader = getattr(module, "READER", None)
        if reader is not None:
            found.append(reader)
    return found


def readers() -> list[Reader]:
    """Registered readers first, then the built-in ones."""
    global _builtin
    if _builtin is None:
        _builtin = _discover()
    return [*_registered, *_builtin]


def register(reader: Reader) -> None:
    """Add a reader; it is asked before the built-in ones (and before readers registered earlier)."""
    if reader not in _registered:
        _registered.insert(0, reader)


def unregister(reader: Reader) -> None:
    """Take a registered reader out again (tests, plugins that are switched off)."""
    if reader in _registered:
        _registered.remove(reader)


def detect(data: bytes, candidates: Sequence[Reader] | None = None) -> Reader:
    """The reader for this document; FormatError `unsupported_format` when none claims it."""
    head = bytes(data[:HEAD_BYTES])
    for reader in readers() if candidates is None else candidates:
        if reader.sniff(head):
            return reader
    raise FormatError("unsupported_format", f"no reader recognises a document starting {_preview(head)}")


def claimed_by(data: bytes) -> Reader | None:
    """The reader that claims the document, or None (the chain's JSON stories are claimed by none)."""
    try:
        return detect(data)
    except FormatError:
        return None


def looks_like_document(data: bytes) -> bool:
    """Whether some reader claims the document."""
    return claimed_by(data) is not None


def looks_like_xml(data: bytes) -> bool:
    """Whether the message is markup at all: one no reader claims is then `unsupported_format`, not a
    JSON error."""
    return root_name(bytes(data[:HEAD_BYTES])) is not None


def read_document(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES, reader: Reader | None = None
) -> list[Item]:
    """All items of an agency document, each with an id (the provider's, or one derived from its content).

    Raises FormatError when the document as a whole fails: `document_too_large` (checked before any
    parsing), `unsupported_format`, the reader's own (`invalid_xml`, `unsafe_xml`, ...), `no_items`.
    An item that alone could not be read comes back with `error` set, among the others. `reader`:
    the one `detect` gave already (the chain asks first), so the sniffing is not done twice.
    """
    if len(data) > max_bytes:
        raise FormatError(
            "document_too_large", f"the document is {len(data)} bytes, over the limit of {max_bytes}"
        )
    reader = reader or detect(data)
    items = reader.read(bytes(data))
    if not items:
        raise FormatError("no_items", f"the {reader.name} document holds no item")
    for item in items:
        if item.id is None or not item.id.strip():
            item.id = derive_id(item)
        if item.version < 1:
            item.version = 1
    return items


def derive_id(item: Item) -> str:
    """A stable id for an item whose format carries none: the same provider and content, the same id."""
    digest = hashlib.sha256()
    for part in (item.format, item.source or "", item.headline or "", item.published_at or "", item.body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return f"{item.format}:{digest.hexdigest()[:24]}"


def _preview(head: bytes) -> str:
    text = head[:40].decode("utf-8", "replace").replace("\n", " ")
    return repr(text)
