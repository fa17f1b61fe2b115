"""What every benchmark reports, so one runner can print and record them all.

Each ``bench_*.py`` module exposes ``figures(scale, workdir) -> list[Figure]``.
A figure is one measurement beside its baseline from the same run (the ratio is
what the targets speak of), with the peak memory of the process that did the
work. ``benchmarks/run.py`` calls the modules and prints one Markdown table.
"""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Scale:
    """How big one run is: ``small`` runs in CI in under two minutes, ``full`` by hand."""

    name: str
    awards: int
    vendors: int
    agencies: int
    articles: int
    sparql_articles: int
    cypher_edges: int
    html_nodes: int
    html_edges: int


SCALES = {
    "small": Scale("small", awards=20_000, vendors=1_000, agencies=100, articles=300,
                   sparql_articles=100, cypher_edges=20_000, html_nodes=1_000,
                   html_edges=4_000),
    "full": Scale("full", awards=1_000_000, vendors=50_000, agencies=5_000, articles=20_000,
                  sparql_articles=500, cypher_edges=1_000_000, html_nodes=5_000,
                  html_edges=20_000),
}


@dataclass(frozen=True)
class Figure:
    """One measured number, its baseline and target, as one row of the table."""

    area: str  # awards, articles, sparql, cypher, neo4j, html
    measure: str  # what was timed, in words ("load 1,000,000 rows end to end")
    value: float
    unit: str  # s, ms, rows/s, relationships/s, MB
    baseline: str = ""  # the baseline's own figure, in words ("csv read 15.8 s")
    ratio: float | None = None  # value over baseline, when the target is a ratio
    target: str = ""  # in words ("<= 2x csv read")
    met: bool | None = None  # None when there is no target
    peak_rss_mib: float | None = None


def run_child(code: str, *args: str) -> tuple[list[str], float]:
    """Run ``code`` in a fresh interpreter from the project root, so each figure's memory
    is that step's alone. The code must print its ``ru_maxrss`` (KiB) as its last word;
    returns the words before it and that peak in MiB."""
    done = subprocess.run([sys.executable, "-c", code, *args], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    words = done.stdout.split()
    return words[:-1], int(words[-1]) / 1024


PRINT_PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
"""Append to a child's code: prints the peak RSS ``run_child`` expects last."""
