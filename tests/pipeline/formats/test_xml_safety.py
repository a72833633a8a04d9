"""Hostile XML: nothing outside the document is ever read, nothing expands, every refusal has a code."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.formats import FormatError, read_document
from pipeline.formats.xml import parse_with_lxml, parse_xml

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"""


def _code(data: bytes) -> str:
    with pytest.raises(FormatError) as caught:
        read_document(data)
    return caught.value.code


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"FETCHED-FROM-NETWORK")

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def http_server() -> Iterator[str]:
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_billion_laughs_is_refused_fast() -> None:
    started = time.perf_counter()
    assert _code(LAUGHS) == "unsafe_xml"
    assert time.perf_counter() - started < 1.0


def test_lxml_alone_neither_expands_nor_accepts_entities() -> None:
    with pytest.raises(FormatError) as caught:
        parse_with_lxml(LAUGHS)
    assert caught.value.code == "unsafe_xml"


def test_xxe_file_is_never_read(secret_file: Path) -> None:
    doc = f"""<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file://{secret_file}">]>
<nitf><body><body.content><p>&x;</p></body.content></body></nitf>""".encode()
    with pytest.raises(FormatError) as caught:
        read_document(doc)
    assert caught.value.code == "unsafe_xml"
    assert "TOP-SECRET" not in caught.value.detail
    with pytest.raises(FormatError) as lxml_only:
        parse_with_lxml(doc)
    assert lxml_only.value.code == "unsafe_xml" and "TOP-SECRET" not in lxml_only.value.detail


def test_xxe_url_and_external_dtd_are_never_fetched(http_server: str) -> None:
    entity = f"""<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "{http_server}/entity">]>
<nitf><body><body.content><p>&x;</p></body.content></body></nitf>""".encode()
    parameter = f"""<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY % p SYSTEM "{http_server}/param"> %p;]>
<nitf/>""".encode()
    assert _code(entity) == "unsafe_xml"
    assert _code(parameter) == "unsafe_xml"
    for doc in (entity, parameter):
        with pytest.raises(FormatError):
            parse_with_lxml(doc)
    # an external DTD subset (NITF's usual DOCTYPE) is allowed but never loaded
    external = f"""<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "{http_server}/nitf.dtd">
<nitf><head><docdata><doc-id id-string="d"/></docdata></head><body><body.content><p>Fine.</p>
</body.content></body></nitf>""".encode()
    assert read_document(external)[0].body == "Fine."
    time.sleep(0.2)
    assert _Recorder.hits == []


def test_malformed_and_undeclared_entities_are_invalid_xml() -> None:
    assert _code(b"<nitf><head></nitf>") == "invalid_xml"
    assert _code(b"<nitf><body><p>&nbsp;</p></body></nitf>") == "invalid_xml"
    assert _code(b"<newsItem guid='x'>" + b"<a>" * 5 + b"</newsItem>") == "invalid_xml"


def test_deep_nesting_is_refused_not_recursed() -> None:
    depth = 100_000
    doc = b"<nitf>" + b"<p>" * depth + b"x" + b"</p>" * depth + b"</nitf>"
    assert _code(doc) == "invalid_xml"


def test_unknown_root_is_unsupported() -> None:
    assert _code(b"<?xml version='1.0'?><invoice><total>3</total></invoice>") == "unsupported_format"


def test_fifty_megabyte_document_is_refused_before_parsing() -> None:
    paragraph = b"<p>" + b"word " * 200 + b"</p>"
    paragraphs = paragraph * (50 * 1024 * 1024 // len(paragraph))
    doc = b"<nitf><body><body.content>" + paragraphs + b"</body.content></body></nitf>"
    assert len(doc) >= 50 * 1024 * 1024 - len(paragraph)
    started = time.perf_counter()
    assert _code(doc) == "document_too_large"
    assert time.perf_counter() - started < 0.5


def test_message_without_items_and_every_item_failing() -> None:
    empty = b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet/></newsMessage>'
    assert _code(empty) == "no_items"
    concepts = b"""<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
      <conceptItem guid="c1"/><knowledgeItem guid="k1"/></itemSet></newsMessage>"""
    found = read_document(concepts)
    assert [(i.id, i.error.code if i.error else None) for i in found] == [
        ("c1", "unsupported_item"),
        ("k1", "unsupported_item"),
    ]


def test_parse_xml_returns_the_root_of_a_safe_document() -> None:
    root = parse_xml(b'<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.4//EN" "nitf.dtd"><nitf baselang="en"/>')
    assert root.tag == "nitf" and root.get("baselang") == "en"


def test_utf8_declared_latin1_is_read_as_utf8_and_real_latin1_stays() -> None:
    text = "<nitf><body><body.content><p>Décès à Strasbourg</p></body.content></body></nitf>"
    declared = '<?xml version="1.0" encoding="iso-8859-1"?>'
    assert read_document((declared + text).encode("utf-8"))[0].body == "Décès à Strasbourg"
    assert read_document((declared + text).encode("latin-1"))[0].body == "Décès à Strasbourg"
