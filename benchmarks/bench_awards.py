"""Load a synthetic prime-award file end to end, beside reading it with csv alone.

For ``scale.awards`` rows over ``scale.vendors`` vendors and ``scale.agencies``
contracting offices (``generate_awards.py`` writes the file once into the
workdir), each step runs in a fresh interpreter so its peak memory is its own:

* ``csv read``: Python's csv module iterating the file, nothing else (the
  baseline the issue's target is stated against: load within 2x of it);
* ``load``: ``kg.ingest.ingest_records`` into a new on-disk store, what
  ``kg ingest usaspending FILE`` runs (every award a Contract node);
* ``load --contracts relevant``: the same with only surveillance-relevant
  awards as Contract nodes, the others kept in their engagement totals.

Run alone: ``python benchmarks/bench_awards.py --scale small`` (or ``--rows N``).
"""

import csv
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Figure, Scale, call_child, standalone

TARGET_RATIO = 2.0
TARGET_RSS_MIB = 4 * 1024


def csv_read(path: str) -> dict[str, float]:
    """Seconds for the csv module to iterate every row (the baseline), and the row count."""
    began = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return {"rows": rows, "seconds": time.perf_counter() - began}


def load(path: str, store_path: str, contracts: str) -> dict[str, Any]:
    """Seconds for ``ingest_records`` into a new store, with the file's counts."""
    from kg.ingest import ingest_records
    from kg.store import Store

    store = Store(store_path)
    began = time.perf_counter()
    summary = ingest_records(store, [Path(path)], "usaspending", contracts=contracts)
    store.close()
    result = summary.files[0]
    return {"seconds": time.perf_counter() - began, "read": result.read,
            "loaded": result.loaded, "quarantined": result.quarantined,
            "triples": result.triples, "relevant": result.relevant,
            "vendors": result.vendors, "agencies": result.agencies}


def award_file(scale: Scale, workdir: Path) -> Path:
    """The scale's synthetic file, generated on first use (same arguments, same bytes)."""
    path = workdir / f"awards_{scale.awards}_{scale.vendors}_{scale.agencies}.csv"
    if not path.exists():
        from generate_awards import generate

        generate(scale.awards, path, vendors=scale.vendors, offices=scale.agencies)
    return path


def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """The baseline read and both loads, as ratios to the read."""
    path = award_file(scale, workdir)
    mib = path.stat().st_size / 2**20
    baseline, csv_rss = call_child("bench_awards", "csv_read", str(path))
    rows, floor = baseline["rows"], baseline["seconds"]
    out = [Figure("awards", f"csv module reads {rows:,} rows ({mib:,.0f} MiB), baseline",
                  floor, "s", peak_rss_mib=csv_rss)]
    for contracts, label in (("all", "load, every award a Contract"),
                             ("relevant", "load --contracts relevant")):
        with tempfile.TemporaryDirectory(dir=workdir) as store:
            done, rss = call_child("bench_awards", "load", str(path), store, contracts)
        assert done["read"] == done["loaded"] + done["quarantined"] == rows, done
        ratio = done["seconds"] / floor
        out.append(Figure(
            "awards", f"{label}: {rows / done['seconds']:,.0f} rows/s, "
                      f"{done['triples']:,} triples, {done['vendors']:,} vendors, "
                      f"{done['agencies']:,} agencies",
            done["seconds"], "s", baseline=f"csv read {floor:.1f} s", ratio=ratio,
            target=f"<= {TARGET_RATIO:.0f}x csv, < 4 GiB",
            met=ratio <= TARGET_RATIO and rss < TARGET_RSS_MIB, peak_rss_mib=rss))
    return out


if __name__ == "__main__":
    standalone(figures, __doc__.split("\n")[0], {"--rows": "awards"})
