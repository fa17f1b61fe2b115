"""Fuzzing the article path (#8): any bytes end in a Document or a one-line InputError.

``read_document`` then ``extract`` over arbitrary bytes, arbitrary text in
each supported suffix, mangled fixture articles and one huge line: no other
exception, no offsets outside the body, nothing slow.
"""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.registry import Registry, load_registry
from loaders.extract import extract
from loaders.extract.text import read_document

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))
SUFFIXES = [".txt", ".md", ".html", ".htm", ".markdown"]
FUZZ = settings(max_examples=40, deadline=5000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
REGISTRY: Registry = load_registry()


def _read_and_extract(path: Path) -> None:
    try:
        doc = read_document(path, max_bytes=200_000)
    except InputError as error:
        message = str(error)
        assert message and "\n" not in message, message
        return
    assert doc.body and doc.title
    found = extract(doc.body, REGISTRY)
    for mention in found.mentions:
        assert 0 <= mention.start <= mention.end <= len(doc.body)


@FUZZ
@given(raw=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(raw)
    _read_and_extract(path)


@FUZZ
@given(text=st.text(max_size=3000), suffix=st.sampled_from(SUFFIXES),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "utf-8-sig"]))
def test_arbitrary_text_in_any_encoding(tmp_path: Path, text: str, suffix: str,
                                        encoding: str) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(text.encode(encoding, errors="replace"))
    _read_and_extract(path)


@FUZZ
@given(index=st.integers(0, len(ARTICLES) - 1), cut=st.floats(0, 1),
       junk=st.binary(max_size=64), markup=st.sampled_from(
           ["", "<script>alert(1)</script>", "<!DOCTYPE html><html><body>", "]]>&amp;&#0;",
            '<!ENTITY x "x"><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;']))
def test_truncated_and_spliced_articles(tmp_path: Path, index: int, cut: float, junk: bytes,
                                        markup: str) -> None:
    raw = ARTICLES[index].read_bytes()
    at = int(len(raw) * cut)
    path = tmp_path / "a.html"
    path.write_bytes(markup.encode() + raw[:at] + junk + raw[at:at + 200])
    _read_and_extract(path)


@pytest.mark.parametrize("body", [
    b"A" * 150_000,  # took 540 s before mentions.LIST_SCAN_MAX (LIST_RE backtracking)
    b"A " * 75_000, b"Ab, " * 40_000, b"Palantir, Google and " * 7_000,
    b"Palantir sold " * 12_000, b"(" * 100_000, b"<b>" * 50_000, b"\n" * 150_000 + b"x"])
def test_huge_fields_end_quickly(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(body)
    started = time.monotonic()
    _read_and_extract(path)
    assert time.monotonic() - started < 15


def test_an_oversized_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 100_000)
    with pytest.raises(InputError) as caught:
        read_document(path, max_bytes=10_000)
    assert "\n" not in str(caught.value)
