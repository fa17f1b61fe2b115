"""Fuzzing the record loaders (#8): mangled files are quarantined or refused, never lost.

Every example writes a mangled copy of a fixture (rows with missing or extra
fields, huge fields, Windows-1252 or broken bytes, truncation, junk, the whole
file in UTF-16 or Latin-1) and ingests it with one loader (USAspending, FPDS,
OCDS, Atlas, sharing, survey) or through ``kg ingest auto``'s detection: the file is
skipped with a one-line reason, or loaded with ``read == loaded + quarantined``;
no other exception escapes, and a source loaded before (the sentinel) keeps
every quad. Hostile JSON for OCDS (deep nesting, NaN, 1e400, 5,000-digit
numbers, wrong types) is tried case by case; hostile XML is in test_fuzz_xml.
"""

import csv
import json
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import RecordSummary, ingest_records
from kg.reference import ensure_reference
from kg.store import Store
from tests.conftest import FIXTURES, load_records

HERE = FIXTURES / "usaspending"
CSVS = [HERE / "Contracts_PrimeAwardSummaries_2020-01-01_H00M00S00_1.csv",
        HERE / "Contracts_Subawards_2025-01-01_H00M00S00_1.csv",
        HERE / "fy17_no_header.csv", HERE / "api_transactions_saved.csv"]
JSONS = [HERE / "spending_by_award.json", HERE / "spending_by_transaction.json"]
FUZZ = settings(max_examples=60, deadline=10_000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
OPS = ["drop_field", "extra_fields", "huge_field", "cp1252", "bad_bytes", "truncate",
       "junk_line", "blank_header", "duplicate_row", "quote"]


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = Store(tmp_path_factory.mktemp("fuzz") / "store")
    ensure_reference(db)
    yield db
    db.close()


def _mangle(raw: bytes, ops: list[str], rng: random.Random) -> bytes:
    lines = raw.split(b"\n")
    for op in ops:
        at = rng.randrange(len(lines))
        line = lines[at]
        if op == "drop_field" and b"," in line:
            fields = line.split(b",")
            del fields[rng.randrange(len(fields))]
            lines[at] = b",".join(fields)
        elif op == "extra_fields":
            lines[at] = line + b",x" * rng.randint(1, 5)
        elif op == "huge_field":
            lines[at] = line.replace(b",", b"," + b"Z" * 300_000 + b",", 1)
        elif op == "cp1252":
            lines[at] = line.decode("utf-8", "replace").replace("e", "é").encode(
                "cp1252", "replace")
        elif op == "bad_bytes":
            lines[at] = line[: len(line) // 2] + bytes([0xFF, 0xFE, 0x00, 0x80]) + \
                line[len(line) // 2:]
        elif op == "truncate":
            cut = rng.randrange(len(raw) + 1)
            return b"\n".join(lines)[:cut]
        elif op == "junk_line":
            lines.insert(at, bytes(rng.randrange(256) for _ in range(rng.randint(0, 80))))
        elif op == "blank_header":
            lines[0] = b""
        elif op == "duplicate_row":
            lines.insert(at, line)
        elif op == "quote":
            lines[at] = line.replace(b",", b',"', 1)  # an unterminated quoted field
    return b"\n".join(lines)


def _ingest(store: Store, path: Path, fmt: str = "usaspending") -> RecordSummary:
    summary = ingest_records(store, [path], fmt, force=True)
    for skipped, reason in summary.skipped:
        assert skipped == path and reason and "\n" not in reason, reason
        assert reason.startswith(f"{path}: "), reason  # names the file
    for result in summary.files:
        assert result.loaded + result.quarantined == result.read, result
        assert result.read >= 0 and result.status in ("loaded", "unchanged", "superseded")
    assert len(summary.files) + len(summary.skipped) == 1
    return summary


@FUZZ
@given(index=st.integers(0, len(CSVS) - 1), ops=st.lists(st.sampled_from(OPS), max_size=4),
       seed=st.integers(0, 2**16))
def test_mangled_csv_is_quarantined_or_refused(shared_store: Store, tmp_path: Path, index: int,
                                               ops: list[str], seed: int) -> None:
    path = tmp_path / CSVS[index].name
    path.write_bytes(_mangle(CSVS[index].read_bytes(), ops, random.Random(seed)))
    _ingest(shared_store, path)


@FUZZ
@given(index=st.integers(0, len(JSONS) - 1), cut=st.floats(0, 1), junk=st.binary(max_size=32))
def test_truncated_json_is_loaded_or_refused(shared_store: Store, tmp_path: Path, index: int,
                                             cut: float, junk: bytes) -> None:
    raw = JSONS[index].read_bytes()
    path = tmp_path / JSONS[index].name
    path.write_bytes(raw[: int(len(raw) * cut)] + junk)
    _ingest(shared_store, path)


@FUZZ
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".json"]))
def test_arbitrary_bytes_are_refused_or_quarantined(shared_store: Store, tmp_path: Path,
                                                    raw: bytes, suffix: str) -> None:
    path = tmp_path / f"anything{suffix}"
    path.write_bytes(raw)
    _ingest(shared_store, path)


def test_each_clean_fixture_loads_every_row(shared_store: Store) -> None:
    for path in CSVS + JSONS:
        summary = ingest_records(shared_store, [path], "usaspending", force=True)
        assert not summary.skipped, summary.skipped
        (result,) = summary.files
        assert result.read > 0 and result.loaded + result.quarantined == result.read


def test_rows_with_wrong_widths_are_quarantined_not_lost(shared_store: Store,
                                                         tmp_path: Path) -> None:
    with CSVS[0].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[3].append("extra")  # lines 4 and 5 load cleanly (line 2 has a duplicate)
    rows[4].pop()
    path = tmp_path / "widths.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    (result,) = ingest_records(shared_store, [path], "usaspending").files
    (clean,) = ingest_records(shared_store, [CSVS[0]], "usaspending", force=True).files
    assert result.read == clean.read  # the fixture has bad rows of its own
    assert result.quarantined == clean.quarantined + 2
    assert result.loaded == clean.loaded - 2


# ------------------------------------------------- FPDS, OCDS, Atlas, sharing, auto
RECORDS = FIXTURES / "records"
SAMPLES = {
    "fpds": [RECORDS / "fpds" / "feed_sample.xml"],
    "ocds": [RECORDS / "ocds" / "release_package.json", RECORDS / "ocds" / "record_package.json"],
    "atlas": [RECORDS / "atlas" / "atlas_sample.csv"],
    "sharing": [RECORDS / "sharing" / "agency_access_sample.csv"],
    "survey": [RECORDS / "survey" / "harlow_county_survey.csv"],
}
EVERY_SAMPLE = [path for paths in SAMPLES.values() for path in paths] + CSVS + JSONS
ENCODINGS = ["utf-8", "utf-16", "latin-1"]
SUFFIXES = [".csv", ".json", ".xml", ".atom", ".txt"]
HUGE = "Zq " * 350_000  # a 1 MB name or description (8 times the csv module's default limit)


@dataclass
class Sentinel:
    """A store holding one source loaded before any fuzzed file, and that source's size."""

    store: Store
    source: str
    quads: int

    def check(self) -> None:
        """The sentinel source still has every quad it had: a refused file touched nothing."""
        assert sum(1 for _ in self.store.graph_quads(self.source)) == self.quads


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sentinel]:
    folder = tmp_path_factory.mktemp("sentinel")
    db = Store(folder / "store")
    ensure_reference(db)
    path = Path(shutil.copy(SAMPLES["sharing"][0], folder / "sentinel.csv"))
    (result,) = load_records(db, path, fmt="sharing").files
    quads = sum(1 for _ in db.graph_quads(result.source))
    assert quads > 0
    yield Sentinel(db, result.source, quads)
    db.close()


def _encode(raw: bytes, encoding: str) -> bytes:
    """The (mangled) file re-encoded whole, as a spreadsheet's "save as" would."""
    return raw if encoding == "utf-8" else \
        raw.decode("utf-8", "replace").encode(encoding, "replace")


def _ingest_kept(sentinel: Sentinel, path: Path, fmt: str) -> RecordSummary:
    summary = _ingest(sentinel.store, path, fmt)
    sentinel.check()
    return summary


@FUZZ
@given(fmt=st.sampled_from(sorted(SAMPLES)), index=st.integers(0, 1),
       ops=st.lists(st.sampled_from(OPS), max_size=4), seed=st.integers(0, 2**16),
       encoding=st.sampled_from(ENCODINGS))
def test_mangled_records_of_every_loader_are_quarantined_or_refused(
        sentinel: Sentinel, tmp_path: Path, fmt: str, index: int, ops: list[str], seed: int,
        encoding: str) -> None:
    sample = SAMPLES[fmt][index % len(SAMPLES[fmt])]
    path = tmp_path / sample.name
    path.write_bytes(_encode(_mangle(sample.read_bytes(), ops, random.Random(seed)), encoding))
    _ingest_kept(sentinel, path, fmt)


@FUZZ
@given(index=st.integers(0, len(EVERY_SAMPLE) - 1), ops=st.lists(st.sampled_from(OPS),
                                                                 max_size=3),
       seed=st.integers(0, 2**16), encoding=st.sampled_from(ENCODINGS))
def test_detection_of_mangled_files_ends_in_a_load_or_one_line(
        sentinel: Sentinel, tmp_path: Path, index: int, ops: list[str], seed: int,
        encoding: str) -> None:
    sample = EVERY_SAMPLE[index]
    path = tmp_path / sample.name
    path.write_bytes(_encode(_mangle(sample.read_bytes(), ops, random.Random(seed)), encoding))
    _ingest_kept(sentinel, path, "auto")


@FUZZ
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES),
       fmt=st.sampled_from(["auto", *sorted(SAMPLES)]))
def test_arbitrary_bytes_in_every_record_loader(sentinel: Sentinel, tmp_path: Path, raw: bytes,
                                                suffix: str, fmt: str) -> None:
    path = tmp_path / f"anything{suffix}"
    path.write_bytes(raw)
    _ingest_kept(sentinel, path, fmt)


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_truncated_valid_files_at_every_tenth(sentinel: Sentinel, tmp_path: Path,
                                              fmt: str) -> None:
    raw = SAMPLES[fmt][0].read_bytes()
    for tenth in range(10):
        path = tmp_path / f"cut{tenth}{SAMPLES[fmt][0].suffix}"
        path.write_bytes(raw[: len(raw) * tenth // 10])
        _ingest_kept(sentinel, path, fmt)


@pytest.mark.parametrize(("fmt", "needle"), [
    ("fpds", "Alpha Plate Data LLC"), ("fpds", "LICENSE PLATE READER DATA ACCESS"),
    ("ocds", "Flock Safety"), ("atlas", "Alder Police Department"), ("sharing", "FBI"),
    ("survey", "Flock Safety")])
def test_a_huge_field_loads_or_is_quarantined(sentinel: Sentinel, tmp_path: Path, fmt: str,
                                              needle: str) -> None:
    sample = SAMPLES[fmt][0]
    path = tmp_path / sample.name
    path.write_text(sample.read_text(encoding="utf-8").replace(needle, HUGE, 1),
                    encoding="utf-8")
    (result,) = _ingest_kept(sentinel, path, fmt).files
    assert result.read > 0


@pytest.mark.parametrize("fmt", ["atlas", "sharing", "survey"])
def test_a_field_over_the_csv_limit_is_one_line_naming_the_file(sentinel: Sentinel,
                                                                tmp_path: Path, fmt: str) -> None:
    """csv.Error ("field larger than field limit") used to escape as a traceback."""
    header = SAMPLES[fmt][0].read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "limit.csv"
    path.write_text(f'{header}\n"{"Z" * (17 * 1024 * 1024)}",x\n', encoding="utf-8")
    summary = _ingest_kept(sentinel, path, fmt)
    ((_, reason),) = summary.skipped
    assert "broken CSV" in reason and "line 2" in reason


@pytest.mark.parametrize("fmt", ["atlas", "sharing", "survey"])
def test_a_latin1_or_utf16_csv_loses_no_row(sentinel: Sentinel, tmp_path: Path,
                                            fmt: str) -> None:
    """UTF-16 (with its BOM) reads as UTF-8 does; a Latin-1 row is quarantined, not a crash."""
    sample = SAMPLES[fmt][0]
    (plain,) = _ingest_kept(sentinel, sample, fmt).files
    wide = tmp_path / f"wide{sample.suffix}"
    wide.write_bytes(sample.read_text(encoding="utf-8").encode("utf-16"))
    (utf16,) = _ingest_kept(sentinel, wide, fmt).files
    assert (utf16.read, utf16.loaded, utf16.quarantined) == \
        (plain.read, plain.loaded, plain.quarantined)
    lines = sample.read_text(encoding="utf-8").splitlines()
    lines[1] = "\xc0" + lines[1]  # "À" in Latin-1: one byte, not UTF-8
    latin = tmp_path / f"latin{sample.suffix}"
    latin.write_bytes("\n".join(lines).encode("latin-1"))
    (result,) = _ingest_kept(sentinel, latin, fmt).files
    assert result.read == plain.read
    assert result.reasons["(row): bytes that are not UTF-8 text; re-save the file as UTF-8"] == 1


# ------------------------------------------------------------ hostile OCDS JSON
OCDS_AWARD = {"ocid": "ocds-fuzz-1", "buyer": {"name": "Alder County Sheriff"},
              "awards": [{"id": "a1", "title": "License plate readers", "date": "2021-02-26",
                          "suppliers": [{"name": "Flock Safety"}],
                          "value": {"amount": 25000, "currency": "USD"}}]}
WRONG_TYPES = ["text", 3, [1], {"x": 1}, True]
TYPED_FIELDS = {"buyer": "buyer", "awards": "awards", "parties": "parties",
                "awards.0.value": "awards[0].value", "awards.0.suppliers": "awards[0].suppliers",
                "awards.0.contractPeriod": "awards[0].contractPeriod"}


def _with(field: str, value: Any) -> dict[str, Any]:
    """OCDS_AWARD with ``field`` (a dotted path, list indexes as digits) set to ``value``."""
    release: Any = json.loads(json.dumps(OCDS_AWARD))
    *parents, last = field.split(".")
    node = release
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return dict(release)


def _ocds(sentinel: Sentinel, tmp_path: Path, text: str) -> RecordSummary:
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    return _ingest_kept(sentinel, path, "ocds")


@pytest.mark.parametrize("value", WRONG_TYPES[:-1], ids=repr)
@pytest.mark.parametrize("field", sorted(TYPED_FIELDS))
def test_ocds_fields_of_the_wrong_type_are_quarantined(sentinel: Sentinel, tmp_path: Path,
                                                       field: str, value: Any) -> None:
    """A string where OCDS has an object or an array used to raise AttributeError."""
    (result,) = _ocds(sentinel, tmp_path, json.dumps(_with(field, value))).files
    if result.quarantined:
        (reason,) = result.reasons
        assert reason.startswith(TYPED_FIELDS[field]), reason


@pytest.mark.parametrize(("amount", "loaded"), [
    ("NaN", False), ("Infinity", False), ("-Infinity", False), ("1e400", False),
    ("1e20", False), ("-2500.75", True), ("0", True), ("1e-999999", True)])  # 0.0 to json
def test_ocds_amounts_python_reads_but_money_is_not(sentinel: Sentinel, tmp_path: Path,
                                                    amount: str, loaded: bool) -> None:
    """NaN, Infinity and 1e400 are JSON to Python; they used to be stored as amounts."""
    text = json.dumps(OCDS_AWARD).replace("25000", amount)
    (result,) = _ocds(sentinel, tmp_path, text).files
    assert (result.loaded, result.quarantined) == ((1, 0) if loaded else (0, 1))
    if not loaded:
        (reason,) = result.reasons
        assert reason.startswith("awards[0].value.amount: not a")


FPDS_AMOUNTS = ["1e999999999", "-1e-999999999", "0e-999999999", "1e15", "NaN", "sNaN",
                "Infinity"]


def test_fpds_amounts_that_are_numbers_but_not_money(sentinel: Sentinel,
                                                     tmp_path: Path) -> None:
    """"1e999999999" is a finite Decimal whose xsd:decimal text is a billion digits: it took
    3 s and a gigabyte per action before amounts were bounded (and two actions overflowed).
    One run loads the clean feed and a copy per amount, each one amount changed."""
    sample = SAMPLES["fpds"][0]
    paths = [Path(shutil.copy(sample, tmp_path / "clean.xml"))]
    for n, amount in enumerate(FPDS_AMOUNTS):
        paths.append(tmp_path / f"amount{n}.xml")
        paths[-1].write_text(sample.read_text(encoding="utf-8").replace("50000.00", amount, 1),
                             encoding="utf-8")
    started = time.monotonic()
    clean, *results = load_records(sentinel.store, *paths, fmt="fpds", force=True).files
    assert time.monotonic() - started < 5 * len(paths)
    sentinel.check()

    def amounts(reasons: Counter[str]) -> int:
        return sum(n for reason, n in reasons.items() if reason.startswith("obligatedAmount"))

    for amount, result in zip(FPDS_AMOUNTS, results, strict=True):
        assert result.quarantined == clean.quarantined + 1, amount
        assert amounts(result.reasons) == amounts(clean.reasons) + 1, amount


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    '{"ocid": "x", "buyer": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
    '{"ocid": "x", "value": ' + "9" * 5000 + "}",
    '{"releases": [' + ", ".join(['{"ocid": "x", "buyer": {"name": "B"}}'] * 3) + "] ",
    '{"records": [{"x": 1}]}',
    "",
], ids=["deep-array", "deep-object", "5000-digits", "truncated", "no-releases", "empty"])
def test_ocds_structure_it_cannot_read_is_one_line(sentinel: Sentinel, tmp_path: Path,
                                                   text: str) -> None:
    summary = _ocds(sentinel, tmp_path, text)
    ((_, reason),) = summary.skipped
    assert "not an OCDS release or record package" in reason


def test_ocds_duplicate_keys_huge_strings_and_odd_ids_load(sentinel: Sentinel,
                                                           tmp_path: Path) -> None:
    """Python keeps the last of duplicate keys, as OCDS tools do; nothing is lost."""
    release = json.dumps(_with("awards.0.title", HUGE))
    text = release.replace('"ocid": "ocds-fuzz-1"', '"ocid": "dropped", "ocid": {"odd": 1}')
    (result,) = _ocds(sentinel, tmp_path, text).files
    assert (result.read, result.loaded, result.awards) == (1, 1, 1)


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000, '{"ocid": ' + "9" * 5000 + "}", '{"ocid": NaN}'])
def test_detection_survives_json_python_cannot_hold(sentinel: Sentinel, tmp_path: Path,
                                                    text: str) -> None:
    """``kg ingest auto`` asked the USAspending sniffer first, which raised RecursionError
    or ValueError out of detection: a traceback for a file it could simply not claim."""
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    _ingest_kept(sentinel, path, "auto")
