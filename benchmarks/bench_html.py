"""HTML view at scale: file size and time until the layout is done in headless Chromium.

Builds a seeded synthetic projection (``scale.html_nodes`` drawn nodes and
``scale.html_edges`` edges, each edge with a cited source and a quote, as real
exports have), writes it with ``export_html`` in a fresh process, then, in
another, opens the file in headless Chromium (system ``chromium`` driven by
Playwright) with every network request blocked and counted, and reads the
page's own clock (``performance.now()``, from navigation start) at the moment
vis-network's stabilisation finished and physics was switched off. The
baseline is the same page's clock when the network was built, before any
layout. Targets: file < 5 MB, layout done < 3 s (median). Peak RSS: the
exporting Python process, and Chromium's largest process (the renderer).
Run: ``python benchmarks/bench_html.py --scale full`` (needs ``chromium`` from
Debian and the ``playwright`` package).
"""

import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # sibling script
    Figure,
    Scale,
    call_child,
    descendants,
    peak_rss_mib,
    standalone,
)

from kg.html_export import export_html
from kg.projection import PropertyGraph

KINDS = [("Vendor", 0.16), ("Agency", 0.50), ("Product", 0.20), ("Organization", 0.04),
         ("Contract", 0.10)]
EDGES = [("Vendor", "SELLS_TO", "Agency", 0.35), ("Vendor", "PITCHED_TO", "Agency", 0.15),
         ("Agency", "USES", "Product", 0.15), ("Agency", "PILOTS", "Product", 0.07),
         ("Vendor", "MAKES", "Product", 0.08), ("Agency", "PART_OF", "Agency", 0.05),
         ("Agency", "AWARDED", "Contract", 0.06), ("Contract", "AWARDED_TO", "Vendor", 0.05),
         ("Organization", "CRITICIZES", "Vendor", 0.04)]
STATUSES = ["active"] * 6 + ["ended"] * 2 + ["proposed", "paused"]
WORDS = ("county city state police sheriff department analytics systems vision secure data "
         "camera sensor cloud network federal office bureau patrol shield signal").split()
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def _name(rng: random.Random, kind: str, number: int) -> str:
    return f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {kind} {number}"


def synthetic_graph(nodes: int = 5_000, edges: int = 20_000, sources: int = 2_000,
                    seed: int = 7) -> PropertyGraph:
    """A projection-shaped graph: drawn nodes, edges with citations, and Source nodes."""
    rng = random.Random(seed)
    graph: PropertyGraph = nx.MultiDiGraph()
    by_kind: dict[str, list[str]] = {}
    for number in range(nodes):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        iri = f"https://w3id.org/survkg/id/{kind.lower()}/synthetic-{number}"
        graph.add_node(iri, label=kind, name=_name(rng, kind, number),
                       aliases=[f"{kind[0]}{number}"], resolved=rng.random() < 0.8)
        by_kind.setdefault(kind, []).append(iri)
    source_iris = [f"https://w3id.org/survkg/id/source/synthetic-{n}" for n in range(sources)]
    for number, iri in enumerate(source_iris):
        title = f"Synthetic story {number} about {_name(rng, 'deal', number)}"
        graph.add_node(iri, label="Source", name=title,
                       aliases=[], resolved=True, kind="Article", outlet="Example Gazette",
                       published=f"{rng.randint(2012, 2024)}-{rng.randint(1, 12):02d}",
                       url=f"https://news.example.org/{number}")
    weights = {kind: [1 / (i + 1) ** 0.6 for i in range(len(iris))]
               for kind, iris in by_kind.items()}  # a few hubs, as real agencies are
    everyone = list(graph)[:nodes]
    for number in range(edges):
        rows = EDGES
        if number < nodes:  # the first edges touch every node once, so none is left out
            kind = graph.nodes[everyone[number]]["label"]
            rows = [e for e in EDGES if kind in (e[0], e[2])]
        start_kind, edge_type, end_kind, _ = rng.choices(rows, [e[3] for e in rows])[0]
        start = rng.choices(by_kind[start_kind], weights[start_kind])[0]
        end = rng.choices(by_kind[end_kind], weights[end_kind])[0]
        if number < nodes:
            if start_kind == graph.nodes[everyone[number]]["label"]:
                start = everyone[number]
            else:
                end = everyone[number]
        source = rng.choice(source_iris)
        quote = (f"{graph.nodes[start]['name']} {edge_type.lower().replace('_', ' ')} "
                 f"{graph.nodes[end]['name']} under a deal first reported in {number}, "
                 "according to documents obtained through a records request.")
        graph.add_edge(start, end, key=f"{edge_type}|{number}", type=edge_type,
                       status=rng.choice(STATUSES), product=None, product_id=None,
                       amount_usd=float(rng.randint(5, 5_000) * 1_000)
                       if edge_type == "SELLS_TO" else None,
                       start_date=f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}",
                       sources=[source], evidence=[quote], rules=["synthetic"],
                       citations=[{"quote": quote, "rule": "synthetic", "source": source}],
                       relationships=[])
    return graph


# In the page, once the layout is done: the page's clock at each step, one full redraw,
# and one click on a legend entry (hide all agencies), each in milliseconds.
_AFTER_READY = """() => {
  const view = window.kgView, network = view.network;
  let start = performance.now();
  network.redraw();
  const redraw = performance.now() - start;
  const box = [...document.querySelectorAll('#kg-kinds input')].find(b => b.value === 'Agency');
  start = performance.now();
  box.click();
  const filter = performance.now() - start;
  return {ready_ms: view.readyAt, data_ms: view.marks.data, network_ms: view.marks.network,
          redraw_ms: redraw, filter_ms: filter, physics_on: network.physics.physicsEnabled};
}"""


def open_in_chromium(page_path: Path, runs: int, timeout_s: float,
                     peaks: list[float] | None = None) -> list[dict[str, Any]]:
    """Open the page ``runs`` times in a fresh context; the page's clock at 'ready'.

    ``peaks``, if given, receives the largest peak RSS (MiB) of any Chromium process
    after each run, read before the context closes and takes the renderer with it.
    """
    from playwright.sync_api import ConsoleMessage, Route, sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=FLAGS, headless=True)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            blocked: list[str] = []
            errors: list[str] = []

            def block(route: Route, blocked: list[str] = blocked) -> None:
                if route.request.url == page_path.as_uri():
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            def console(message: ConsoleMessage, errors: list[str] = errors) -> None:
                if message.type == "error":
                    errors.append(message.text)

            context.route("**/*", block)
            page = context.new_page()
            page.on("console", console)
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-kg-ready]", timeout=timeout_s * 1000)
            results.append({**page.evaluate(_AFTER_READY), "blocked": len(blocked),
                            "errors": len(errors)})
            if peaks is not None:
                peaks.append(max(filter(None, map(peak_rss_mib, descendants(os.getpid()))),
                                 default=0.0))
            context.close()
        browser.close()
    return results


TARGET_MB = 5.0
TARGET_S = 3.0
RUNS = {"small": 2, "full": 5}


def export_page(nodes: str, edges: str, out: str) -> dict[str, Any]:
    """(child) Build the synthetic graph and write the page; the export is timed alone."""
    graph = synthetic_graph(int(nodes), int(edges))
    began = time.perf_counter()
    summary = export_html(graph, Path(out), title="Synthetic benchmark graph", size_by="money")
    return {"seconds": time.perf_counter() - began, "bytes": summary.bytes,
            "nodes": summary.nodes, "edges": summary.edges}


def open_page(out: str, runs: str) -> dict[str, Any]:
    """(child) Open the page ``runs`` times in headless Chromium; its clocks and peaks."""
    if shutil.which("chromium") is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    peaks: list[float] = []
    return {"runs": open_in_chromium(Path(out), int(runs), timeout_s=120, peaks=peaks),
            "chromium_peak_mib": max(peaks, default=0.0)}


def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """File size, time to a stable layout, and what one redraw and one filter click cost."""
    out = workdir / "graph.html"
    made, export_peak = call_child("bench_html", "export_page", str(scale.html_nodes),
                                   str(scale.html_edges), str(out))
    opened, _ = call_child("bench_html", "open_page", str(out),
                           str(RUNS.get(scale.name, 2)))
    runs, chromium = opened["runs"], opened["chromium_peak_mib"]

    def median_s(key: str) -> float:
        return float(statistics.median(r[key] for r in runs)) / 1000

    size_mb, ready, built = made["bytes"] / 1e6, median_s("ready_ms"), median_s("network_ms")
    faults = sum(r["blocked"] + r["errors"] + bool(r["physics_on"]) for r in runs)
    graph = f"{made['nodes']:,} nodes, {made['edges']:,} edges"
    return [
        Figure("html", f"file size, {graph} (export in Python {made['seconds']:.1f} s)",
               size_mb, "MB", target=f"< {TARGET_MB:.0f} MB", met=size_mb < TARGET_MB,
               peak_rss_mib=export_peak),
        Figure("html", f"open to layout done, physics off, median of {len(runs)} in headless "
                       f"Chromium (slowest {max(r['ready_ms'] for r in runs) / 1000:.2f} s)",
               ready, "s", baseline=f"open to network built {built:.2f} s",
               ratio=ready / built, target=f"< {TARGET_S:.0f} s", met=ready < TARGET_S,
               peak_rss_mib=chromium),
        Figure("html", "one full redraw after layout", median_s("redraw_ms") * 1000, "ms"),
        Figure("html", "one legend click (hide every agency)", median_s("filter_ms") * 1000,
               "ms"),
        Figure("html", "network requests + console errors + runs with physics still on",
               faults, "", target="0", met=faults == 0),
    ]


if __name__ == "__main__":
    standalone(figures, __doc__.splitlines()[0],
               {"--nodes": "html_nodes", "--edges": "html_edges"})
