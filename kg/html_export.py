"""The interactive HTML view: one self-contained file a reporter can send or publish.

Opening the file makes no network request: vis-network's script and style are
read from the installed pyvis package (which ships vis-network 9.1.2, dual
licensed Apache-2.0/MIT; its licence header stays at the top of the inlined
script) and written into the page, the page's own script and style come from
``kg/static/``, and a Content-Security-Policy allows only those two scripts (by
their SHA-256), inline style and ``data:`` images, so nothing else can load
even if an escape were missed.

Every string from a source (names, aliases, titles, outlets, quotes, links) is
untrusted. It travels as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u`` escapes, so it cannot
close the element; the page parses it with ``JSON.parse`` and builds every
element with ``textContent``; links are kept only when they are http(s).
"""

import base64
import gzip
import hashlib
import html
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from kg import __version__
from kg.details import web_link
from kg.errors import KgError
from kg.projection import PropertyGraph
from kg.relations import REFERENCE_GRAPHS
from kg.subgraph import is_cited, seed_layout, select, sizes

VIS_NETWORK = ("templates", "lib", "vis-9.1.2")
# Colour and vis-network shape per journalist label (the legend is drawn from these).
NODE_STYLES = {
    "Vendor": ("#d1495b", "dot"),
    "Agency": ("#00798c", "square"),
    "Product": ("#edae49", "diamond"),
    "Organization": ("#66a182", "triangle"),
    "Contract": ("#8d6a9f", "box"),
}
OTHER_NODE = ("#9e9e9e", "dot")
# Colour per relationship type; the status is drawn as the line's dash pattern.
EDGE_COLOURS = {
    "SELLS_TO": "#c0392b",
    "PITCHED_TO": "#e67e22",
    "PILOTS": "#8e44ad",
    "USES": "#2980b9",
    "MAKES": "#7f8c8d",
    "SUBSIDIARY_OF": "#95a5a6",
    "PART_OF": "#16a085",
    "AWARDED": "#27ae60",
    "AWARDED_TO": "#2ecc71",
    "FOR_PRODUCT": "#b7950b",
    "SHARES_DATA_WITH": "#1f618d",
    "CRITICIZES": "#6d4c41",
}
OTHER_EDGE = "#555555"
STATUSES = ("active", "ended", "proposed", "paused")
SEED_ABOVE = 300  # nodes: above this, Python gives starting positions (see seed_layout)
GZIP_ABOVE = 1_000_000  # characters of JSON: above this, the data is gzipped and base64
CSP = ("default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")
_MARKER = re.compile(r"@@([A-Z]+)@@")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass(frozen=True)
class HtmlSummary:
    """What ``export_html`` wrote."""

    nodes: int
    edges: int
    bytes: int


def export_html(graph: PropertyGraph, out: Path, *, title: str = "surveillance-kg graph",
                focus: str | None = None, depth: int = 1, vendor: str | None = None,
                agency: str | None = None, category: str | None = None,
                since: str | None = None, size_by: str = "degree",
                built: datetime | None = None) -> HtmlSummary:
    """Write the view of ``graph`` that the filters select to ``out`` as one HTML file.

    ``graph`` is the projection, ideally with ``kg.details.add_details`` applied
    (source outlets, dates and links; product categories, needed by ``category``).
    Only ``out`` is written (through ``out.part``, renamed over it), nothing else.
    """
    view = select(graph, focus=focus, depth=depth, vendor=vendor, agency=agency,
                  category=category, since=since)
    chosen = {"focus": focus and f"{focus} (depth {depth})", "vendor": vendor,
              "agency": agency, "category": category, "since": since}
    data = page_data(view, graph, sizes(view, size_by), built or datetime.now(UTC))
    data["footer"] = footer(data, {k: v for k, v in chosen.items() if v}, title)
    page = render(title, data)
    write_atomically(out, page)
    return HtmlSummary(len(data["nodes"]), len(data["edges"]), len(page.encode("utf-8")))


def write_atomically(out: Path, text: str) -> None:
    """Write ``text`` beside ``out`` and rename it over ``out``; one-line KgError on failure."""
    partial = out.with_name(out.name + ".part")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, out)
    except OSError as error:
        raise KgError(f"cannot write {out}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)


# ------------------------------------------------------------------- data
class _Table:
    """Strings (quotes, rules) or sources stored once and referred to by index."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}

    def ref(self, key: Any) -> int:
        return self.index.setdefault(key, len(self.index))


def page_data(view: PropertyGraph, full: PropertyGraph, size: Mapping[str, float],
              built: datetime) -> dict[str, Any]:
    """The JSON the page is drawn from: nodes, edges, sources and strings by index."""
    kinds = _ordered({str(view.nodes[n].get("label")) for n in view}, list(NODE_STYLES))
    types = _ordered({str(d.get("type")) for _, _, d in view.edges(data=True)},
                     list(EDGE_COLOURS))
    ids = {node: i for i, node in enumerate(view)}
    sources, strings = _Table(), _Table()
    nodes = [_node(node, view.nodes[node], kinds, size[node]) for node in view]
    if len(nodes) > SEED_ABOVE:
        seeds = seed_layout(view)
        for node, iri in zip(nodes, view, strict=True):
            node["x"], node["y"] = seeds[iri]
    edges = [_edge(ids[u], ids[v], d, types, sources, strings)
             for u, v, d in view.edges(data=True)]
    return {
        "kinds": [{"name": k, "colour": NODE_STYLES.get(k, OTHER_NODE)[0],
                   "shape": NODE_STYLES.get(k, OTHER_NODE)[1]} for k in kinds],
        "relations": [{"name": t, "colour": EDGE_COLOURS.get(t, OTHER_EDGE)} for t in types],
        "statuses": list(STATUSES),
        "nodes": nodes,
        "edges": edges,
        "sources": [_source(full, iri) for iri in sources.index],
        "strings": list(strings.index),
        "built": built.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
    }


def _ordered(found: set[str], known: list[str]) -> list[str]:
    """``found`` in the legend's order: the known ones first, then the rest by name."""
    return [k for k in known if k in found] + sorted(found - set(known))


def _node(iri: str, attrs: dict[str, Any], kinds: list[str], size: float) -> dict[str, Any]:
    names = [*attrs.get("aliases", []), *attrs.get("acronyms", [])]
    node: dict[str, Any] = {"i": iri, "k": kinds.index(str(attrs.get("label"))),
                            "n": str(attrs.get("name") or iri.rsplit("/", 1)[-1]),
                            "s": round(size, 1)}
    if names:
        node["a"] = sorted({str(n) for n in names})
    if attrs.get("resolved") is False:
        node["u"] = 1
    if attrs.get("categories"):
        node["c"] = [str(c) for c in attrs["categories"]]
    return node


def _edge(start: int, end: int, attrs: dict[str, Any], types: list[str], sources: _Table,
          strings: _Table) -> dict[str, Any]:
    edge: dict[str, Any] = {"f": start, "t": end, "y": types.index(str(attrs.get("type"))),
                            "o": [sources.ref(s) for s in attrs.get("sources") or []]}
    status = str(attrs.get("status") or "active")
    if status != "active":
        edge["s"] = status if status in STATUSES else "active"
    if attrs.get("product"):
        edge["p"] = str(attrs["product"])
    if attrs.get("amount_usd") is not None and math.isfinite(float(attrs["amount_usd"])):
        edge["m"] = float(attrs["amount_usd"])
    if attrs.get("start_date"):
        edge["d"] = str(attrs["start_date"])
    citations = [[sources.ref(c["source"]), strings.ref(str(c["quote"])),
                  strings.ref(str(c.get("rule") or ""))] for c in attrs.get("citations") or []]
    if citations:
        edge["c"] = citations
    if not is_cited(attrs):
        edge["r"] = 1
    return edge


def _source(graph: PropertyGraph, iri: str) -> dict[str, Any]:
    """Title, kind, outlet, date and (http(s) only) link of one source."""
    attrs = graph.nodes[iri] if iri in graph else {}
    source = {"t": str(attrs.get("name") or iri), "k": attrs.get("kind"),
              "o": attrs.get("outlet"), "d": attrs.get("published"),
              "u": web_link(attrs.get("url"))}
    if iri in REFERENCE_GRAPHS:
        source["k"] = "Reference"
    return {key: value for key, value in source.items() if value}


def footer(data: dict[str, Any], chosen: Mapping[str, str], title: str) -> str:
    """One line: what the graph was built from, when, and which filters chose it."""
    articles = [s for s in data["sources"] if s.get("k") != "Reference"]
    dates = sorted(str(s["d"]) for s in articles if s.get("d"))
    text = (f"{title} · built {data['built']} by surveillance-kg {data['version']} from "
            f"{len(articles)} source{'s' if len(articles) != 1 else ''}")
    if dates:
        text += f" published {dates[0]} to {dates[-1]}" if len(dates) > 1 else f" of {dates[0]}"
    if len(articles) < len(data["sources"]):
        text += " and the reference registry"
    text += f" · {len(data['nodes'])} nodes, {len(data['edges'])} relationships"
    if chosen:
        text += " · " + ", ".join(f"{key} {value}" for key, value in chosen.items())
    return text


# ------------------------------------------------------------------- page
def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element and parses back to ``data``.

    >>> script_json({"t": "</script><b>&\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def data_element(data: Any) -> tuple[str, str]:
    """The type and text of the element that carries the data.

    Up to GZIP_ABOVE characters: escaped JSON (``application/json``). Beyond, the
    same JSON gzipped and base64-encoded (``application/gzip``), which the page
    unpacks with the browser's DecompressionStream: a 5,000-node graph with its
    quotes shrinks about fourfold, and base64 holds no character HTML could read.
    """
    text = script_json(data)
    if len(text) <= GZIP_ABOVE:
        return "application/json", text
    packed = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return "application/gzip", base64.b64encode(packed).decode("ascii")


def _resource(package: str, *parts: str) -> str:
    try:
        return files(package).joinpath(*parts).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as error:
        raise KgError(f"cannot read {package}/{'/'.join(parts)}: {error}; "
                      "reinstall with `pip install -e .`") from error


def vis_network() -> tuple[str, str]:
    """vis-network's script (with its licence header) and style, from the pyvis package."""
    script = _resource("pyvis", *VIS_NETWORK, "vis-network.min.js")
    # The source map comment would make an open DevTools fetch a file that is not there.
    script = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", script)
    style = _resource("pyvis", *VIS_NETWORK, "vis-network.css")
    if "</script" in script.lower() or "</style" in style.lower():
        raise KgError("pyvis's vis-network cannot be inlined (it contains a closing tag)")
    return script, style


def script_hash(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def render(title: str, data: dict[str, Any]) -> str:
    """The whole page: template, inlined vis-network, the page's script and the data."""
    vis_js, vis_css = vis_network()
    app_js = _resource("kg", "static", "graph.js")
    app_css = _resource("kg", "static", "graph.css")
    scripts = " ".join(script_hash(s) for s in (vis_js, app_js))
    data_type, payload = data_element(data)
    parts = {
        "CSP": html.escape(CSP.format(scripts=scripts)),
        "TITLE": html.escape(title),
        "FOOTER": html.escape(data["footer"]),
        "STYLE": vis_css + "\n" + app_css,
        "DATA": payload,
        "DATATYPE": data_type,
        "VIS": vis_js,
        "APP": app_js,
    }
    pieces = _MARKER.split(_resource("kg", "static", "graph.html"))
    names = pieces[1::2]
    if set(names) != set(parts):
        raise KgError(f"kg/static/graph.html must hold the markers {sorted(parts)}")
    # One pass: a value is never searched for markers, so data cannot inject one.
    pieces[1::2] = [parts[name] for name in names]
    return "".join(pieces)
