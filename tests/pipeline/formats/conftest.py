"""Our own sample documents (tests/data/formats/), read through the registry as the chain reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.formats import Item, read_document

DATA = Path(__file__).resolve().parents[2] / "data" / "formats"


def load(relative: str) -> bytes:
    return (DATA / relative).read_bytes()


def items(relative: str) -> list[Item]:
    return read_document(load(relative))


def one(relative: str) -> Item:
    found = items(relative)
    assert len(found) == 1, [i.id for i in found]
    return found[0]


@pytest.fixture
def data_dir() -> Path:
    return DATA
