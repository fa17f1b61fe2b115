"""Load a synthetic prime-award file end to end and compare with reading it with csv alone.

For N rows (``generate_awards.py`` writes the file if it is missing) this
measures, each in a fresh child process so peak memory is the load's own:

* ``csv read``: Python's csv module iterating the file, nothing else (the floor);
* ``transform``: read, resolve, tag and build every triple, but store nothing;
* ``load``: ``kg.ingest.ingest_records`` into a new on-disk store (what users run).

Prints a Markdown table (seconds, rows/s, load time over csv time, peak RSS).
Run: ``python benchmarks/bench_awards.py 100000 1000000 --dir /tmp/bench``.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CSV_ONLY = """
import csv, sys, time
t = time.perf_counter()
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    rows = sum(1 for _ in csv.reader(handle)) - 1
import resource
print(rows, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
TRANSFORM = """
import sys, time
from pathlib import Path
import loaders.usaspending as u
from kg.store import Store
from kg.ingest import ingest_records

def consume(store, graph, triples):
    return sum(1 for _ in triples)

u.bulk_replace_graph = consume
u.BULK_BYTES = 0
store = Store(sys.argv[2])
t = time.perf_counter()
summary = ingest_records(store, [Path(sys.argv[1])], "usaspending", force=True)
elapsed = time.perf_counter() - t
import resource
print(summary.total("read"), elapsed, summary.files[0].triples,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
LOAD = """
import sys, time
from pathlib import Path
from kg.store import Store
from kg.ingest import ingest_records
store = Store(sys.argv[2])
t = time.perf_counter()
summary = ingest_records(store, [Path(sys.argv[1])], "usaspending")
store.close()
elapsed = time.perf_counter() - t
result = summary.files[0]
import resource
print(result.read, elapsed, result.triples, result.quarantined,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _child(code: str, *args: str) -> tuple[list[str], float]:
    """Run ``code`` in a fresh interpreter; its stdout words and its own peak RSS in MiB."""
    done = subprocess.run([sys.executable, "-c", code, *args], check=True,
                          capture_output=True, text=True, cwd=HERE.parent)
    words = done.stdout.split()
    return words, int(words[-1]) / 1024  # ru_maxrss is in KiB on Linux


def bench(rows: int, folder: Path) -> dict[str, float]:
    """Measure one size; generates the file on first use."""
    path = folder / f"awards_{rows}.csv"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate_awards.py"), str(rows), str(path)],
                       check=True, cwd=HERE.parent)
    out: dict[str, float] = {"rows": rows, "mib": path.stat().st_size / 2**20}
    words, out["csv_rss"] = _child(CSV_ONLY, str(path))
    out["csv_s"] = float(words[1])
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        words, out["transform_rss"] = _child(TRANSFORM, str(path), str(Path(tmp) / "store"))
        out["transform_s"], out["triples"] = float(words[1]), float(words[2])
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        words, out["load_rss"] = _child(LOAD, str(path), str(Path(tmp) / "store"))
        out["load_s"], out["quarantined"] = float(words[1]), float(words[3])
    return out


def table(results: list[dict[str, float]]) -> str:
    """The Markdown table docs/benchmarks.md shows."""
    lines = ["| rows | file | csv read | transform (no store) | load end to end | rows/s | "
             "load / csv | triples | peak RSS (load) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {int(r['rows']):,} | {r['mib']:.0f} MiB | {r['csv_s']:.1f} s | "
            f"{r['transform_s']:.1f} s | {r['load_s']:.1f} s | {r['rows'] / r['load_s']:,.0f} | "
            f"{r['load_s'] / r['csv_s']:.1f}× | {int(r['triples']):,} | "
            f"{r['load_rss'] / 1024:.2f} GiB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="+")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path, help="Also write the raw numbers here.")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    results = [bench(rows, args.dir) for rows in args.rows]
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
