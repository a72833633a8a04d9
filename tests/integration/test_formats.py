"""Agency documents through the real broker: published as they are, their stories out on enriched; a kill
gives the canceled record; an embargo held in a table comes out at its time, across a worker restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import BROKER, consume, publish

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))
DATA = Path(__file__).resolve().parents[1] / "data" / "formats"


def cli_publish(prefix: str, *paths: Path) -> None:
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    subprocess.run([EXE, "publish", *map(str, paths)], check=True, env=env, timeout=120)


def test_documents_published_as_they_are_come_out_as_stories(worker_factory: Any, tmp_path: Path) -> None:
    prefix = worker_factory.prefix
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(DATA / "nitf" / "harbor-strike-en.xml", folder)
    shutil.copy(DATA / "newsml-g2" / "message-multi.xml", folder)
    laughs = b'<!DOCTYPE nitf [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><nitf>&b;</nitf>'
    xxe = b'<!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]><nitf><body>&x;</body></nitf>'
    all_fail = b"""<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
      <conceptItem guid="c-1"/><planningItem guid="p-1"/></itemSet></newsMessage>"""
    hostile = [b"<nitf><head></nitf>", laughs, xxe, b"<invoice><total>3</total></invoice>", all_fail]
    worker = worker_factory().start()
    publish(prefix, hostile)
    cli_publish(prefix, folder)  # a directory: one message per document
    got = consume(prefix, 11)
    ids = {r["id"]: r for _, _, r in got["enriched"]}
    assert set(ids) == {
        "wsa-2026-0412-harbor",
        "urn:newsml:wsa.example:20260412:bahnstreik",
        "urn:newsml:wsa.example:20260412:greve-paris",
        "urn:newsml:wsa.example:20260412:photo-bahnhof",
    }
    harbor = ids["wsa-2026-0412-harbor"]
    assert harbor["format"] == "nitf" and harbor["byline"] == "By MARGARET OKAFOR"
    assert any(e["canonical"] == "Dana Whitcomb" for e in harbor["entities"])
    assert ids["urn:newsml:wsa.example:20260412:bahnstreik"]["language"]["code"] == "de"
    dead = sorted((d["error"], d["id"] or "") for _, _, d in got["deadletter"])
    assert dead == [
        ("invalid_xml", ""),
        ("unsafe_xml", ""),
        ("unsafe_xml", ""),
        ("unsupported_format", ""),
        ("unsupported_item", "c-1"),
        ("unsupported_item", "p-1"),
        ("unsupported_item", "urn:newsml:wsa.example:concept:uwe-kraemer"),
    ]
    assert all(d["topic"] == f"{prefix}.raw" for _, _, d in got["deadletter"])
    assert not any("root:" in d["raw"] for _, _, d in got["deadletter"])  # /etc/passwd never read

    cli_publish(prefix, DATA / "newsml-g2" / "kill-en.xml", DATA / "newsml-g2" / "newsitem-en.xml")
    more = consume(prefix, 13)
    metrics = worker.metrics()
    worker.stop()
    tunnel = [r for _, _, r in more["enriched"] if r["id"] == "urn:newsml:wsa.example:20260412:rail-tunnel"]
    assert [r["pubstatus"] for r in tunnel] == ["canceled"]
    assert tunnel[0]["dedup"]["withdrawn"] is True and tunnel[0]["enrichment"] == "skipped"
    # the story itself, delivered after its kill, is not published as new
    (after,) = [r for _, _, r in more["duplicates"] if r["id"] == tunnel[0]["id"]]
    assert after["dedup"]["withdrawn"] is True and after["pubstatus"] == "usable"
    assert any(
        line.startswith("wirestream_kills_total") and float(line.split()[-1]) == 1.0
        for line in metrics.splitlines()
    ), [line for line in metrics.splitlines() if "kill" in line]


def _embargoed(sid: str, until: datetime) -> bytes:
    stamp = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{sid}" version="1">
  <itemMeta><itemClass qcode="ninat:text"/><provider literal="WSA"/><pubStatus qcode="stat:usable"/>
  <embargoed>{stamp}</embargoed></itemMeta>
  <contentMeta><language tag="en"/><headline>Budget figures under embargo</headline></contentMeta>
  <contentSet><inlineData>The finance ministry will publish its spring forecast on Monday, officials said.
The forecast is expected to cut growth estimates for the year.</inlineData></contentSet>
</newsItem>""".encode()


def test_embargo_hold_survives_a_restart(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    worker = worker_factory(WIRESTREAM_EMBARGO="hold").start()
    until = datetime.now(UTC) + timedelta(seconds=45)
    free = b'{"id": "' + prefix.encode() + b'-free", "body": "A story with no embargo at all."}'
    publish(prefix, [_embargoed(f"{prefix}-held", until), free])
    early = consume(prefix, 1, timeout=120)
    assert [r["id"] for _, _, r in early["enriched"]] == [f"{prefix}-free"]  # the held one is not out yet
    worker.stop()
    time.sleep(2)
    # another worker, with an empty data dir: the held record comes back from the table's changelog
    restarted = worker_factory(WIRESTREAM_EMBARGO="hold").start()
    got = consume(prefix, 2, timeout=240, ids={f"{prefix}-held"})
    restarted.stop()
    held = [r for _, _, r in got["enriched"] if r["id"] == f"{prefix}-held"]
    assert len(held) >= 1 and held[0]["embargoed"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert time.time() >= until.timestamp() - 1  # not before its time
