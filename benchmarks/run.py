"""Run every benchmark at one scale, print the machine and one table, optionally record it.

``python benchmarks/run.py --scale small|full [--only awards,articles,...]
[--workdir DIR] [--write docs/benchmarks.md]``

Each ``bench_<area>.py`` module exposes ``figures(scale, workdir)``; they run in
the order of ``AREAS``, each with its own folder under the work directory (a
temporary one unless ``--workdir`` keeps generated inputs for the next run).
A module that raises makes the run exit 1 after the others have run, and
nothing is written: a broken benchmark must fail CI, not leave an old table
standing. A target that is not met is a finding, shown in the table, not a
failure. ``--write`` replaces only the text between this scale's markers
(``<!-- bench:small:begin -->`` ... ``<!-- bench:small:end -->``), so the CI
run, the committed full-size table and the prose around them never overwrite
each other.
"""

import argparse
import importlib
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SCALES, Figure, Scale, table  # sibling script

AREAS = ["awards", "articles", "sparql", "cypher", "neo4j", "html"]
ORDER = ["full", "small"]  # the order of the scales' sections in the document


@dataclass
class Outcome:
    """What one module gave: figures, a reason it was skipped, or an error, and its time."""

    area: str
    seconds: float = 0.0
    figures: list[Figure] = field(default_factory=list)
    skipped: str = ""
    error: str = ""


def run_area(area: str, scale: Scale, workdir: Path) -> Outcome:
    """Import ``bench_<area>`` only now (a missing or unfinished module is skipped with a
    note, so the runner works while modules are being written) and collect its figures."""
    try:
        module = importlib.import_module(f"bench_{area}")
    except ModuleNotFoundError as error:
        if error.name != f"bench_{area}":
            raise  # the module exists but something it needs does not: that is a failure
        return Outcome(area, skipped=f"benchmarks/bench_{area}.py does not exist")
    if not hasattr(module, "figures"):
        return Outcome(area, skipped=f"bench_{area}.py has no figures(scale, workdir) yet")
    folder = workdir / area
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    try:
        found = list(module.figures(scale, folder))
    except Exception as error:  # report every module's failure, then exit 1
        detail = getattr(error, "stderr", None) or ""
        return Outcome(area, time.perf_counter() - began,
                       error=f"{traceback.format_exc()}{detail}")
    return Outcome(area, time.perf_counter() - began, figures=found)


def machine() -> list[str]:
    """The machine the numbers belong to: they mean little without it."""
    memory = _first("/proc/meminfo", "MemTotal:")
    ram = f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "unknown RAM"
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    return [f"{os.cpu_count()} cores, {ram}, {cpu.split(':', 1)[-1].strip()}",
            f"{_os_name()}, Python {platform.python_version()}",
            f"commit {_commit()}"]


def _first(path: str, prefix: str) -> str:
    """The rest of the first line of ``path`` that starts with ``prefix``, or ''."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return next((line[len(prefix):] for line in lines if line.startswith(prefix)), "")


def _os_name() -> str:
    pretty = _first("/etc/os-release", "PRETTY_NAME=").strip('"')
    return f"{pretty or platform.system()} (kernel {platform.release()})"


def _commit() -> str:
    """The checked-out commit, with '+changes' when the tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" +changes" if dirty.strip() else "")


def load() -> str:
    """The 1, 5 and 15-minute load averages: other jobs move every figure."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(scale: Scale, outcomes: list[Outcome], started: datetime, before: str,
           after: str) -> str:
    """The section the runner prints and writes: heading, machine, table, notes."""
    ran = [o for o in outcomes if not o.skipped and not o.error]
    times = ", ".join(f"{o.area} {o.seconds:.0f} s" for o in ran)
    lines = [f"## Latest `{scale.name}` run"
             f" (`python benchmarks/run.py --scale {scale.name}`)", "",
             f"{started:%Y-%m-%d %H:%M} UTC; " + "; ".join(machine()) + ".",
             f"Load average (1/5/15 min) before {before}, after {after}. "
             f"Time per area: {times or 'none'}.", "",
             table(f for o in outcomes for f in o.figures)]
    notes = [f"- {o.area}: skipped, {o.skipped}" for o in outcomes if o.skipped]
    notes += [f"- {o.area}: **failed**, see the run's output" for o in outcomes if o.error]
    return "\n".join(lines + (["", *notes] if notes else []))


def replace_section(text: str, scale: str, section: str) -> str:
    """``text`` with this scale's marked section replaced, or added if it has none.

    A new section goes under the first heading, after the sections of scales listed
    before it in ``ORDER`` (the full-size table first), above the hand-written prose.
    """
    begin, end = f"<!-- bench:{scale}:begin -->", f"<!-- bench:{scale}:end -->"
    block = f"{begin}\n{section}\n{end}"
    if begin in text and end in text and text.index(begin) < text.index(end):
        return text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    cut = _after_title(text)
    for earlier in ORDER[:ORDER.index(scale)] if scale in ORDER else ORDER:
        marker = f"<!-- bench:{earlier}:end -->"
        if marker in text:
            cut = max(cut, text.index(marker) + len(marker))
    head, tail = text[:cut].rstrip("\n"), text[cut:].lstrip("\n")
    return f"{head}\n\n{block}\n\n{tail}" if head else f"{block}\n\n{tail}"


def _after_title(text: str) -> int:
    """Where the line after the document's first ``# `` heading starts (0 if none)."""
    if text.startswith("# "):
        return text.find("\n") + 1 if "\n" in text else len(text)
    at = text.find("\n# ")
    if at < 0:
        return 0
    newline = text.find("\n", at + 1)
    return newline + 1 if newline >= 0 else len(text)


def write(path: Path, scale: str, section: str) -> None:
    """Record the section in ``path`` (created with a title if it does not exist)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(text, scale, section).rstrip("\n") + "\n",
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--only", help=f"comma-separated areas of {','.join(AREAS)}")
    parser.add_argument("--workdir", type=Path,
                        help="keep generated inputs here for the next run (default: temporary)")
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help="replace this scale's marked section of FILE with the result")
    args = parser.parse_args()
    areas = AREAS if not args.only else [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    scale = SCALES[args.scale]
    started, before = datetime.now(UTC), load()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temporary:
        workdir = (args.workdir or Path(temporary)).resolve()
        outcomes = [announce(run_area(area, scale, workdir)) for area in areas]
    section = report(scale, outcomes, started, before, load())
    print(section)
    failed = [o for o in outcomes if o.error]
    if failed:
        print(f"\nFAILED: {', '.join(o.area for o in failed)}; nothing written.",
              file=sys.stderr)
        return 1
    if args.write:
        write(args.write, scale.name, section)
        print(f"\nwrote the {scale.name} section of {args.write}")
    return 0


def announce(outcome: Outcome) -> Outcome:
    """Say each area's result as it finishes: a long run shows where it is."""
    if outcome.skipped:
        print(f"[{outcome.area}] skipped: {outcome.skipped}", flush=True)
    elif outcome.error:
        print(f"[{outcome.area}] FAILED after {outcome.seconds:.1f} s:\n{outcome.error}",
              file=sys.stderr, flush=True)
    else:
        print(f"[{outcome.area}] {len(outcome.figures)} figures in {outcome.seconds:.1f} s",
              flush=True)
    return outcome


if __name__ == "__main__":
    sys.exit(main())
