"""Fuzzing the USAspending loader (#8): mangled files are quarantined or refused, never lost.

Every example writes a mangled copy of a fixture (rows with missing or extra
fields, huge fields, Windows-1252 or broken bytes, truncation, junk) and
ingests it: the file is skipped with a one-line reason, or loaded with
``read == loaded + quarantined``; no other exception escapes.
"""

import csv
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import ingest_records
from kg.reference import ensure_reference
from kg.store import Store
from tests.conftest import FIXTURES

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


def _ingest(store: Store, path: Path) -> None:
    summary = ingest_records(store, [path], "usaspending", force=True)
    for skipped, reason in summary.skipped:
        assert skipped == path and reason and "\n" not in reason, reason
    for result in summary.files:
        assert result.loaded + result.quarantined == result.read, result
        assert result.read >= 0 and result.status in ("loaded", "unchanged", "superseded")
    assert len(summary.files) + len(summary.skipped) == 1


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
