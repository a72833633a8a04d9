"""Desk routes around the worker: the rules file as the worker loads it, and the offline commands.

`pipeline.routes` is the filter language; this adds what only the worker knows: the topic prefix, the
worker's own topics (a route must never write into one: a route on `<prefix>.enriched` would feed the
route stage its own output), and one topic per route. `wirestream routes check` and `routes test` call
the same `load_router`, so a file they accept is a file the worker starts with.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from agents.settings import Settings
from agents.topics import TopicNames
from pipeline.routes import RouteError, Router, load_routes


def load_router(path: str | Path, settings: Settings) -> Router:
    """Read, compile and check a rules file for this worker's prefix; `RouteError` (one line naming the
    route and the problem) when it cannot be used."""
    router = load_routes(path, prefix=settings.topic_prefix)
    check_topics(router, settings)
    return router


def refusal(path: str | Path, exc: RouteError) -> str:
    """The one line a refused rules file is reported with: the file, then the route and the problem."""
    text = str(exc)
    return text if text.startswith(str(path)) else f"{path}: {text}"


def check_topics(router: Router, settings: Settings) -> None:
    """Each route has a topic of its own, and none is a topic the worker itself reads or writes.

    Two routes on one topic would put a record matching both there twice; a route on the worker's own
    topics would mix routed copies into them (on `enriched`, the route stage would read its output again).
    """
    own = set(TopicNames(settings.topic_prefix).partitions(settings.partitions))
    owners: dict[str, str] = {}
    for route in router.routes:
        if route.topic in own or route.topic.startswith(f"{settings.app_id}-"):
            raise RouteError(f"route {route.name!r}: topic {route.topic} is one of the worker's own topics")
        if route.topic in owners:
            raise RouteError(
                f"route {route.name!r}: topic {route.topic} is route {owners[route.topic]!r}'s already"
            )
        owners[route.topic] = route.name


def route_topics(router: Router, settings: Settings) -> dict[str, int]:
    """The routes' topics with their partition count (that of the enriched topic they are derived from)."""
    return {route.topic: settings.partitions for route in router.routes}


def summary(path: str | Path, router: Router) -> str:
    """One line: how many routes, which alert, where they write."""
    alerts = [r.name for r in router.routes if r.alert]
    noted = f" ({len(alerts)} with alerts: {', '.join(alerts)})" if alerts else ""
    topics = ", ".join(r.topic for r in router.routes) or "no topic"
    return f"{path}: {len(router.routes)} routes{noted} -> {topics}"


@dataclass(slots=True)
class Trial:
    """What `routes test` found: per route the ids it takes and its alert count, in file order."""

    taken: dict[str, list[str]]
    alerts: dict[str, int]
    records: int = 0
    unrouted: list[str] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)  # 1-based numbers of lines that hold no record


def trial(router: Router, lines: Iterable[bytes]) -> Trial:
    """Route enriched records (JSONL) offline: no broker, the worker's matching and alerts."""
    out = Trial({r.name: [] for r in router.routes}, {r.name: 0 for r in router.routes if r.alert})
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = _record(line)
        if record is None:
            out.bad_lines.append(number)
            continue
        out.records += 1
        ident = str(record.get("id"))
        matches = router.route(record)
        if not matches:
            out.unrouted.append(ident)
        for match in matches:
            out.taken[match.route.name].append(ident)
            if match.route.alert:
                out.alerts[match.route.name] += 1
    return out


def every_line(path: str | Path) -> Iterator[bytes]:
    """Every line of a file (`-`: stdin), blank ones too, so `trial` can name a bad line by its number."""
    stream: BinaryIO = sys.stdin.buffer if str(path) == "-" else open(path, "rb")  # noqa: SIM115
    try:
        yield from stream
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _record(line: bytes) -> Mapping[str, Any] | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def trial_lines(result: Trial) -> list[str]:
    """The report of `routes test`: one line per route, then the records no route took."""
    width = max([len(name) for name in result.taken] + [10])
    rows: list[str] = []
    for name, ids in result.taken.items():
        alert = f" ({result.alerts[name]} alerts)" if name in result.alerts else ""
        rows.append(f"{name:<{width}} {len(ids):>5}{alert}" + (f": {', '.join(ids)}" if ids else ""))
    unrouted = result.unrouted
    rows.append(
        f"{'(no route)':<{width}} {len(unrouted):>5}" + (f": {', '.join(unrouted)}" if unrouted else "")
    )
    bad = f"; {len(result.bad_lines)} lines not a JSON record: {_numbers(result.bad_lines)}"
    rows.append(f"{result.records} records" + (bad if result.bad_lines else ""))
    return rows


def _numbers(lines: list[int], shown: int = 10) -> str:
    more = f" and {len(lines) - shown} more" if len(lines) > shown else ""
    return ", ".join(str(n) for n in lines[:shown]) + more
