"""Watch-list alerts as lines on a terminal: a sample consumer of `<prefix>.alerts` (docs/routes.md).

    .venv/bin/python deploy/alerts_tail.py                 # alerts from now on, until Ctrl-C
    .venv/bin/python deploy/alerts_tail.py --from-start --max 20

One line per alert: when, the route, the headline, the names and quotes that made it match, the story
id and source. A chat or mail bridge is this loop with another `print`. Broker, prefix and security come
from the same environment as the worker (`agents.settings`); only committed alerts are read (a worker
under exactly_once writes them in transactions).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from agents.kafka import kafka_security
from agents.settings import Settings
from agents.topics import TopicNames

QUOTE_CHARS = 80  # a quote is cut to this many characters on the line


def alert_line(alert: Mapping[str, Any], timestamp_ms: int | None = None) -> str:
    """One alert as one line of text (no newline inside, whatever the story held)."""
    when = datetime.fromtimestamp(timestamp_ms / 1000, UTC) if timestamp_ms else None
    parts = [when.strftime("%Y-%m-%d %H:%M:%S") if when else "-", f"[{alert.get('route')}]"]
    parts.append(str(alert.get("headline") or "(no headline)"))
    why = [str(name) for name in alert.get("names") or []]
    for quote in alert.get("quotes") or []:
        text = str(quote.get("text") or "")
        text = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
        why.append(f"“{text}” ({quote.get('speaker') or 'unknown'})")
    if why:
        parts.append("— " + "; ".join(why))
    source = f", {alert['source']}" if alert.get("source") else ""
    parts.append(f"(id {alert.get('id')}{source})")
    return " ".join(" ".join(part.split()) for part in parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--from-start", action="store_true", help="every alert the topic holds, not only new")
    parser.add_argument("--group", help="a consumer group remembering what was shown (none by default)")
    parser.add_argument("--max", type=int, default=0, help="stop after this many alerts")
    parser.add_argument("--timeout", type=float, default=0.0, help="stop after this many idle seconds")
    args = parser.parse_args(argv)

    from kafka import KafkaConsumer

    settings = Settings.from_env()
    topic = TopicNames(settings.topic_prefix).alerts
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=args.group,
        enable_auto_commit=args.group is not None,
        auto_offset_reset="earliest" if args.from_start else "latest",
        consumer_timeout_ms=int(args.timeout * 1000) if args.timeout else float("inf"),
        isolation_level="read_committed",
        **kafka_security(settings),
    )
    shown = 0
    try:
        for message in consumer:
            try:
                alert = json.loads(message.value)
            except (TypeError, ValueError):
                alert = None
            if not isinstance(alert, dict):  # not one of ours: say so, never stop over it
                print(f"(not an alert at {topic}[{message.partition}]@{message.offset})", file=sys.stderr)
                continue
            print(alert_line(alert, message.timestamp), flush=True)
            shown += 1
            if args.max and shown >= args.max:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
