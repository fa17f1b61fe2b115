"""Hostile XML for the FPDS loader (#8): bombs and external entities are refused, unread.

Every attack is a real FPDS feed (the fixture) with a DOCTYPE put in front and
an entity referenced inside the vendor name, so a parser that expanded it would
carry the expansion (or /etc/passwd) into the store. Each must end in a one-line
refusal naming the file, fast and in little memory; nothing is fetched (a local
HTTP server counts requests) and the store keeps exactly what it held. Each
attack is tried in UTF-8, UTF-16 (with and without a byte-order mark) and a
declared Latin-1: a check that searched the bytes for "<!DOCTYPE" would miss the
UTF-16 ones (it did, before the check moved into expat).
"""

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from kg.ingest import ingest_records
from kg.reference import ensure_reference
from kg.store import Store
from loaders.fpds import parse_feed
from tests.conftest import FIXTURES, load_records

KG = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "kg"
SAMPLE = FIXTURES / "records" / "fpds" / "feed_sample.xml"
SENTINEL = FIXTURES / "records" / "ocds" / "release_package.json"
PASSWD = Path("/etc/passwd")
VENDOR = "Alpha Plate Data LLC</ns1:vendorName>"
SECONDS = 5.0  # per refusal in process; a bomb that expanded would take minutes
PEAK_RSS_MB = 300  # the whole CLI run (a plain ingest peaks near 100 MB); a bomb needs GBs
LOL = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
# name: (DOCTYPE, what replaces the vendor name); {url} is the local server's address
ATTACKS = {
    "billion_laughs": (f'<!DOCTYPE feed [<!ENTITY l0 "lol">{LOL}]>', "&l9;"),
    "quadratic_blowup": (f'<!DOCTYPE feed [<!ENTITY a "{"a" * 50_000}">]>', "&a;" * 20_000),
    "external_file": ('<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    "external_http": ('<!DOCTYPE feed [<!ENTITY x SYSTEM "{url}/entity">]>', "&x;"),
    "external_dtd": ('<!DOCTYPE feed SYSTEM "{url}/evil.dtd">', "&x;"),
    "public_dtd": ('<!DOCTYPE feed PUBLIC "-//X//EN" "{url}/public.dtd">', "Vendor"),
    "parameter_entity_file": (
        '<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', "Vendor"),
    "parameter_entity_http": ('<!DOCTYPE feed [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>',
                              "&x;"),
    "internal_entity": ('<!DOCTYPE feed [<!ENTITY v "Vendor">]>', "&v;"),
    "doctype_alone": ("<!DOCTYPE feed>", "Vendor"),
}
# Python codec: the name the XML declaration gives (UTF-16BE has no byte-order mark)
ENCODINGS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "utf-16-be": "UTF-16BE",
             "latin-1": "ISO-8859-1"}


class _Counting(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an entity-laden DTD, and counts the requests."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b'<!ENTITY x "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet: the test reads ``requests`` instead."""


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """A local server any fetched entity or DTD would hit; asserts nothing reached it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    assert _Counting.requests == [], f"the loader fetched {_Counting.requests}"


@pytest.fixture(scope="module")
def sentinel_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding one OCDS source, whose quads must survive every refused feed."""
    db = Store(tmp_path_factory.mktemp("xml") / "store")
    ensure_reference(db)
    load_records(db, SENTINEL, fmt="ocds")
    yield db
    db.close()


def hostile_feed(attack: str, encoding: str, url: str) -> bytes:
    """The fixture feed with the attack's DOCTYPE and entity reference, in ``encoding``."""
    doctype, vendor = ATTACKS[attack]
    body = SAMPLE.read_text(encoding="utf-8").replace(VENDOR, f"{vendor}</ns1:vendorName>", 1)
    declaration = f'<?xml version="1.0" encoding="{ENCODINGS[encoding]}"?>'
    text = f"{declaration}\n{doctype.format(url=url)}\n{body}"
    return text.encode(encoding)


def passwd_lines() -> list[str]:
    """Lines of /etc/passwd long enough not to match by chance."""
    text = PASSWD.read_text(encoding="utf-8", errors="replace") if PASSWD.exists() else ""
    return [line for line in text.splitlines() if len(line) > 12]


def store_text(store: Store) -> str:
    """Every literal and IRI in the store, as one string to search."""
    rows = store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return "\n".join(row["o"].value for row in rows)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_doctype_is_refused_in_one_line_and_nothing_is_read(
        sentinel_store: Store, http_url: str, tmp_path: Path, attack: str,
        encoding: str) -> None:
    path = tmp_path / f"{attack}.xml"
    path.write_bytes(hostile_feed(attack, encoding, http_url))
    before = sentinel_store.count()
    started = time.monotonic()
    summary = ingest_records(sentinel_store, [path], "fpds", force=True)
    assert time.monotonic() - started < SECONDS
    assert summary.files == []
    ((skipped, reason),) = summary.skipped
    assert skipped == path and "\n" not in reason
    assert reason == f"{path}: the XML declares a DOCTYPE or ENTITY; refused (external " \
                     f"entities and entity expansion are not read)"
    assert sentinel_store.count() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_detection_sends_hostile_feeds_to_the_same_refusal(sentinel_store: Store,
                                                           http_url: str, tmp_path: Path,
                                                           encoding: str) -> None:
    paths = []
    for attack in sorted(ATTACKS):
        paths.append(tmp_path / f"{attack}.xml")
        paths[-1].write_bytes(hostile_feed(attack, encoding, http_url))
    before = sentinel_store.count()
    summary = ingest_records(sentinel_store, paths, "auto", force=True)
    assert summary.files == [] and [p for p, _ in summary.skipped] == paths
    for path, reason in summary.skipped:  # a 50 kB DOCTYPE hides the feed from detection
        assert reason.startswith(f"{path}: ") and "\n" not in reason
        assert "declares a DOCTYPE" in reason or "format not recognised" in reason, reason
    assert sentinel_store.count() == before


def test_the_cli_refuses_every_attack_fast_in_bounded_memory(http_url: str,
                                                             tmp_path: Path) -> None:
    """One ``kg ingest fpds`` over every attack in every encoding, measured from outside."""
    paths = []
    for attack in sorted(ATTACKS):
        for encoding in ENCODINGS:
            paths.append(tmp_path / f"{attack}-{encoding}.xml")
            paths[-1].write_bytes(hostile_feed(attack, encoding, http_url))
    store = tmp_path / "store"
    started = time.monotonic()
    code, out, err, peak_mb = run_measured(
        [str(KG), "--store", str(store), "ingest", "fpds", *map(str, paths)], tmp_path)
    assert time.monotonic() - started < 60
    assert peak_mb < PEAK_RSS_MB, f"peak memory {peak_mb:.0f} MB"
    assert code == 1  # every file skipped: nothing loaded
    assert "Traceback" not in out + err
    refusals = [line for line in err.splitlines() if line.startswith("skipped: ")]
    assert len(refusals) == len(paths)
    for path, line in zip(paths, refusals, strict=True):
        assert line.startswith(f"skipped: {path}: the XML declares a DOCTYPE")
    db = Store(store)
    try:
        text = store_text(db) + out + err
    finally:
        db.close()
    assert not any(line in text for line in passwd_lines())
    assert "FETCHED" not in text and "lollollol" not in text


# Runs the command as its child and writes that child's peak RSS (KiB) to argv[1]. A child
# of pytest itself would not do: Linux counts the parent's memory, copied at the fork, in
# the child's peak (a long suite made a 90 MB ingest look like 1 GB).
_PEAK = ("import resource, subprocess, sys\n"
         "code = subprocess.call(sys.argv[2:])\n"
         "with open(sys.argv[1], 'w') as out:\n"
         "    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
         "sys.exit(code)\n")


def run_measured(argv: list[str], tmp_path: Path,
                 timeout: float = 120) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak resident MB) of one command run to its end.

    A hang fails the test: after ``timeout`` seconds the whole process group dies.
    """
    peak = tmp_path / "peak-kib"
    process = subprocess.Popen([sys.executable, "-c", _PEAK, str(peak), *argv],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return process.returncode, out, err, int(peak.read_text()) / 1024


def test_an_entity_free_feed_in_utf16_still_loads(sentinel_store: Store,
                                                   tmp_path: Path) -> None:
    """The refusal is of DOCTYPEs, not of encodings: the fixture in UTF-16 loads as in UTF-8."""
    plain = load_records(sentinel_store, SAMPLE, fmt="fpds", force=True).files[0]
    path = tmp_path / "utf16.xml"
    path.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("utf-16"))
    (wide,) = load_records(sentinel_store, path, fmt="fpds").files
    assert (wide.read, wide.loaded, wide.quarantined, wide.awards) == \
        (plain.read, plain.loaded, plain.quarantined, plain.awards)


@pytest.mark.parametrize("document", [
    b"<" + b"<a>" * 200_000,  # deep, unclosed
    b"<feed>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</feed>",  # deep, well formed
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>' + b"x" * 5_000_000 + b"</entry></feed>",
    b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><feed>\xff\xfe</feed>",
    *(f'<?xml version="1.0" encoding="{name}"?><feed/>'.encode() for name in (
        "x-no-such-encoding", "utf-7", "utf-32", "shift_jis", "rot13", "hex", "idna",
        "punycode", "cp037")),
    b"",
])
def test_other_hostile_xml_is_refused_or_quarantined(sentinel_store: Store, tmp_path: Path,
                                                     document: bytes) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(document)
    started = time.monotonic()
    summary = ingest_records(sentinel_store, [path], "fpds", force=True)
    assert time.monotonic() - started < SECONDS
    for skipped, reason in summary.skipped:
        assert skipped == path and reason.startswith(str(path)) and "\n" not in reason
    for result in summary.files:
        assert result.loaded + result.quarantined == result.read


def test_parse_feed_refuses_a_doctype_hidden_by_utf16(tmp_path: Path) -> None:
    """The unit under the loader: the byte search it replaced passed this document."""
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE f [<!ENTITY a "b">]><f>&a;</f>'
    with pytest.raises(Exception, match="declares a DOCTYPE"):
        parse_feed(document.encode("utf-16"), tmp_path / "f.xml")
