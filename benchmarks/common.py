"""What every benchmark reports, so one runner can print and record them all.

Each ``bench_*.py`` module exposes ``figures(scale, workdir) -> list[Figure]``.
A figure is one measurement beside its baseline from the same run (the ratio is
what the targets speak of), with the peak memory of the process that did the
work. ``benchmarks/run.py`` calls the modules and prints one Markdown table.
"""

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    "small": Scale("small", awards=5_000, vendors=250, agencies=25, articles=300,
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


# --- helpers shared by the bench modules and the runner --------------------------------


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes, on the monotonic high-resolution clock."""
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def call_child(module: str, function: str, *args: str) -> tuple[Any, float]:
    """Call ``benchmarks/<module>.py``'s ``function(*args)`` in a fresh interpreter.

    The function returns something JSON can carry; this returns it with the child's
    peak RSS in MiB, so a figure's memory is its step's alone and not what the runner
    or an earlier step built. A failing child raises with the end of its stderr, so a
    broken benchmark fails loudly instead of printing a number of nothing.
    """
    code = (f"import json, sys; sys.path.insert(0, 'benchmarks'); "
            f"from {module} import {function} as work; "
            f"print(json.dumps(work(*sys.argv[1:]))); {PRINT_PEAK}")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-25:])
        raise RuntimeError(f"{module}.{function}{args} exited {done.returncode}:\n{tail}")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-2]), int(lines[-1]) / 1024


def peak_rss_mib(pid: int) -> float | None:
    """A live process's peak RSS (``VmHWM``) in MiB, for processes we did not start
    with ``call_child`` (the Oxigraph server, Chromium's renderer); None if unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, grandchildren ...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces
        parents.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def number(value: float) -> str:
    """A figure's value with as many digits as its size deserves (counts stay whole);
    NaN, a figure that could not be measured, prints as a dash."""
    if value != value:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


TABLE_HEAD = ("| area | measure | value | baseline | ratio | target | met | peak RSS |\n"
              "|---|---|---:|---|---:|---|---|---:|")


def table_row(figure: Figure) -> str:
    """One figure as one Markdown row; a target not met is bold so a reader sees it."""
    met = {True: "yes", False: "**no**", None: ""}[figure.met]
    ratio = "" if figure.ratio is None else f"{figure.ratio:.2f}×"
    peak = "" if figure.peak_rss_mib is None else f"{figure.peak_rss_mib:,.0f} MiB"
    value = f"{number(figure.value)} {figure.unit}".strip()
    return (f"| {figure.area} | {figure.measure} | {value} | {figure.baseline} | {ratio} "
            f"| {figure.target} | {met} | {peak} |")


def table(figures: Iterable[Figure]) -> str:
    """The figures as one Markdown table (the same for every module and the runner)."""
    return "\n".join([TABLE_HEAD, *map(table_row, figures)])


def standalone(figures: Callable[[Scale, Path], list[Figure]], description: str,
               overrides: dict[str, str] | None = None) -> None:
    """``python benchmarks/bench_X.py --scale small|full [--workdir DIR]``: one module's
    figures as the runner prints them, so each module can be run and debugged alone.

    ``overrides`` maps an option to the Scale field it sets (``{"--articles":
    "articles"}``), for a one-off size without inventing a scale.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--workdir", type=Path,
                        help="keep generated inputs here (default: a temporary folder)")
    for option, field in (overrides or {}).items():
        parser.add_argument(option, type=int, dest=field, help=f"override the scale's {field}")
    args = parser.parse_args()
    changes = {field: getattr(args, field) for field in (overrides or {}).values()
               if getattr(args, field) is not None}
    scale = dataclasses.replace(SCALES[args.scale], **changes)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        print(table(figures(scale, workdir)))
