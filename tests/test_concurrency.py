"""Concurrency (#8): a second writer or a server fails fast while a load runs.

The first ``kg ingest`` holds the RocksDB lock for its whole run; a second
``kg ingest`` and ``kg serve``'s snapshot must say the store is locked (no
traceback, no wait), and the first load still completes.
"""

import subprocess
import time
from pathlib import Path

import pytest

from kg.errors import StoreLocked
from kg.serve import snapshot
from kg.store import Store
from tests.conftest import generate_awards

ROOT = Path(__file__).resolve().parents[1]
KG = ROOT / ".venv" / "bin" / "kg"
ARTICLES = Path(__file__).parent / "fixtures" / "articles"



def test_a_second_ingest_and_a_server_fail_fast_while_a_load_runs(tmp_path: Path) -> None:
    big, store = generate_awards(12_000, tmp_path / "awards.csv"), tmp_path / "store"
    first = subprocess.Popen([str(KG), "--store", str(store), "ingest", "usaspending", str(big)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while first.poll() is None and not any(store.glob("bulk-*.sst")):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert first.poll() is None, "the first load ended before the second could start"
        started = time.monotonic()
        second = subprocess.run([str(KG), "--store", str(store), "ingest", "articles",
                                 str(ARTICLES)], capture_output=True, text=True, timeout=60)
        with pytest.raises(StoreLocked, match="is locked"):
            snapshot(store, tmp_path / "serve")
        assert first.poll() is None, "the second process did not overlap the first"
        assert time.monotonic() - started < 10  # failed fast, did not wait for the lock
        assert second.returncode != 0
        assert "is locked" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "12000 rows read, 12000 loaded, 0 quarantined" in out
    db = Store(store)  # the lock is released: the store opens and the articles now load
    db.close()
    again = subprocess.run([str(KG), "--store", str(store), "ingest", "articles", str(ARTICLES)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
