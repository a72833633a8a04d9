"""Every record the suite produces is checked against the contract's JSON Schemas (schemas/): the
`to_json` of `Enriched` and `DeadLetter` validate what they return while a test runs. A test that builds
an out-of-contract record on purpose opts out with `@pytest.mark.no_contract`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pipeline.records import DeadLetter, Enriched
from tests.contract import assert_follows_contract


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_contract: records this test makes are not checked against schemas/"
    )


def _checked(to_json: Callable[[Any], dict[str, Any]], kind: str) -> Callable[[Any], dict[str, Any]]:
    def checked(self: Any) -> dict[str, Any]:
        record = to_json(self)
        assert_follows_contract(kind, record)
        return record

    return checked


@pytest.fixture(autouse=True)
def records_follow_the_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("no_contract"):
        yield
        return
    patch = pytest.MonkeyPatch()
    patch.setattr(Enriched, "to_json", _checked(Enriched.to_json, "enriched"))
    patch.setattr(DeadLetter, "to_json", _checked(DeadLetter.to_json, "deadletter"))
    try:
        yield
    finally:
        patch.undo()
