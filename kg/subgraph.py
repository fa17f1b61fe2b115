"""The part of the journalist graph a reader wants to see, and how big to draw each node.

``select`` keeps what the loaded sources say: relationship edges backed by at
least one source other than the ontology and the reference registry (Source
nodes and MENTIONS edges are left out), filtered by ``since``, ``vendor``,
``agency`` and ``category``, cut to the neighbourhood of ``focus``, and then
given back the registry's own edges (who makes what, who is part of whom)
between the nodes that remain, as context.

>>> g = example()
>>> sorted(g.nodes[n]["name"] for n in select(g))
['Acme', 'Acme Cam', 'ICE']
>>> [(u, v, d["type"]) for u, v, d in select(g, since="2021").edges(data=True)]
[('v:acme', 'a:ice', 'SELLS_TO')]
>>> sorted(select(g, focus="ICE", depth=1))
['a:ice', 'p:cam', 'v:acme']
>>> select(g, vendor="Nobody")
Traceback (most recent call last):
kg.errors.KgError: no vendor named 'Nobody' in the graph; `kg relations` lists the names
"""

import math
import re
from collections import deque
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.errors import KgError
from kg.names import normalise
from kg.projection import PropertyGraph
from kg.relations import REFERENCE_GRAPHS

HIDDEN_LABELS = frozenset({"Source"})
STRUCTURAL = frozenset({"MENTIONS"})
PARENT_TYPES = frozenset({"PART_OF", "SUBSIDIARY_OF"})
SIZE_BY = ("degree", "money", "none")
MIN_SIZE, MAX_SIZE = 10.0, 40.0
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def example() -> PropertyGraph:
    """A four-node graph for the doctests: Acme sells its camera to ICE, part of DHS."""
    g: PropertyGraph = nx.MultiDiGraph()
    for iri, label, name, aliases in [("v:acme", "Vendor", "Acme", ["Acme Inc"]),
                                      ("a:ice", "Agency", "ICE", []),
                                      ("a:dhs", "Agency", "DHS", []),
                                      ("p:cam", "Product", "Acme Cam", [])]:
        g.add_node(iri, label=label, name=name, aliases=aliases, resolved=True)
    g.nodes["p:cam"]["categories"] = ["Face Recognition"]
    g.graph["categories"] = {"Face Recognition": ["FRT"]}
    article, registry = ["s:one"], sorted(REFERENCE_GRAPHS)[:1]
    g.add_edge("v:acme", "a:ice", type="SELLS_TO", sources=article, amount_usd=5e5,
               start_date="2021-03", product_id="p:cam")
    g.add_edge("a:ice", "p:cam", type="USES", sources=article, amount_usd=None,
               start_date="2019", product_id=None)
    g.add_edge("v:acme", "p:cam", type="MAKES", sources=registry, amount_usd=None,
               start_date=None, product_id=None)
    g.add_edge("a:ice", "a:dhs", type="PART_OF", sources=registry, amount_usd=None,
               start_date=None, product_id=None)
    return g


def is_cited(attrs: dict[str, Any]) -> bool:
    """Does a loaded source (not only the ontology or the registry) back this edge?

    >>> is_cited({"sources": ["s:one"]}), is_cited({"sources": sorted(REFERENCE_GRAPHS)})
    (True, False)
    """
    return any(s not in REFERENCE_GRAPHS for s in attrs.get("sources") or [])


def check_date(since: str) -> str:
    """``since`` if it is an ISO date, year-month or year; otherwise a one-line KgError.

    >>> check_date("2020-06")
    '2020-06'
    >>> check_date("June 2020")
    Traceback (most recent call last):
    kg.errors.KgError: --since 'June 2020' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD
    """
    if not _DATE.match(since):
        raise KgError(f"--since {since!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    return since


def started_since(start: str | None, since: str) -> bool:
    """Could a deal known to start at ``start`` (a year, month or day) start on or after ``since``?

    >>> started_since("2021-03", "2021"), started_since("2021", "2021-06")
    (True, True)
    >>> started_since("2020-12-31", "2021"), started_since(None, "2021")
    (False, False)
    """
    if not start:
        return False
    width = min(len(start), len(since))
    return start[:width] >= since[:width]


def names_of(attrs: dict[str, Any]) -> list[str]:
    """A node's name, aliases and acronyms: every name a reader may type."""
    return [str(attrs.get("name") or ""), *attrs.get("aliases", []), *attrs.get("acronyms", [])]


def find_nodes(graph: PropertyGraph, name: str, labels: Iterable[str] = ()) -> set[str]:
    """Nodes (of ``labels``, if given) that go by ``name``: name, alias, acronym or IRI.

    >>> sorted(find_nodes(example(), "acme inc.")), sorted(find_nodes(example(), "a:dhs"))
    (['v:acme'], ['a:dhs'])
    """
    wanted, allowed = normalise(name), set(labels)
    return {node for node, attrs in graph.nodes(data=True)
            if (not allowed or attrs.get("label") in allowed)
            and attrs.get("label") not in HIDDEN_LABELS
            and (node == name or any(normalise(n) == wanted for n in names_of(attrs) if n))}


def with_parts(graph: PropertyGraph, nodes: set[str]) -> set[str]:
    """``nodes`` and everything PART_OF or SUBSIDIARY_OF them, at any depth.

    >>> sorted(with_parts(example(), {"a:dhs"}))
    ['a:dhs', 'a:ice']
    """
    found, queue = set(nodes), deque(nodes)
    while queue:
        parent = queue.popleft()
        for child, _, attrs in graph.in_edges(parent, data=True):
            if attrs.get("type") in PARENT_TYPES and child not in found:
                found.add(child)
                queue.append(child)
    return found


def _named(graph: PropertyGraph, name: str, label: str, what: str) -> set[str]:
    nodes = find_nodes(graph, name, [label])
    if not nodes:
        raise KgError(f"no {what} named {name!r} in the graph; `kg relations` lists the names")
    return with_parts(graph, nodes)


def in_category(graph: PropertyGraph, category: str) -> set[str]:
    """Products of a technology category, named by its name or one of its other names.

    >>> in_category(example(), "frt")
    {'p:cam'}
    """
    known: dict[str, list[str]] = graph.graph.get("categories", {})
    wanted = normalise(category)
    names = {name for name, aliases in known.items()
             if any(normalise(n) == wanted for n in (name, *aliases))}
    if not names:
        listed = ", ".join(known) or "none are loaded"
        raise KgError(f"no technology category {category!r}; known categories: {listed}")
    return {node for node, attrs in graph.nodes(data=True)
            if names & set(attrs.get("categories", []))}


def _cited_edges(graph: PropertyGraph) -> list[tuple[str, str, Any, dict[str, Any]]]:
    return [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
            if d.get("type") not in STRUCTURAL and is_cited(d)
            and graph.nodes[u].get("label") not in HIDDEN_LABELS
            and graph.nodes[v].get("label") not in HIDDEN_LABELS]


def neighbourhood(graph: PropertyGraph, start: set[str], depth: int) -> set[str]:
    """Nodes within ``depth`` hops of ``start``, whichever way the edges point.

    >>> sorted(neighbourhood(example(), {"a:dhs"}, 1))
    ['a:dhs', 'a:ice']
    """
    seen = {n for n in start if n in graph}
    frontier = set(seen)
    for _ in range(max(depth, 0)):
        frontier = {m for n in frontier
                    for m in (*graph.successors(n), *graph.predecessors(n))} - seen
        seen |= frontier
    return seen


def select(graph: PropertyGraph, *, focus: str | None = None, depth: int = 1,
           vendor: str | None = None, agency: str | None = None,
           category: str | None = None, since: str | None = None) -> PropertyGraph:
    """The view of ``graph`` a reader asked for (see the module docstring); a new graph."""
    edges = _cited_edges(graph)
    anchors: set[str] = set()
    if since:
        check_date(since)
        edges = [e for e in edges if started_since(e[3].get("start_date"), since)]
    for name, label, what in ((vendor, "Vendor", "vendor"), (agency, "Agency", "agency")):
        if name:
            named = _named(graph, name, label, what)
            anchors |= named
            edges = [e for e in edges if e[0] in named or e[1] in named]
    if category:
        products = in_category(graph, category)
        edges = [e for e in edges if products & {e[0], e[1], e[3].get("product_id")}]
    view: PropertyGraph = nx.MultiDiGraph()
    view.graph.update(graph.graph)
    for u, v, key, attrs in edges:
        view.add_edge(u, v, key=key, **attrs)
    if focus:
        centre = find_nodes(graph, focus)
        if not centre:
            raise KgError(f"no node named {focus!r} to focus on; `kg relations` lists the names")
        view.add_nodes_from(centre)
        view = view.subgraph(neighbourhood(view, centre, depth)).copy()
    elif not view and anchors:
        view.add_nodes_from(anchors)
    _add_context(graph, view)
    for node in view:
        view.nodes[node].update(graph.nodes[node])
    return view


def _add_context(graph: PropertyGraph, view: PropertyGraph) -> None:
    """The registry's edges between nodes already in the view, unless a source says the same."""
    for u, v, key, attrs in graph.edges(list(view), keys=True, data=True):
        if v not in view or attrs.get("type") in STRUCTURAL:
            continue
        said: dict[Any, dict[str, Any]] = view.get_edge_data(u, v, default={})
        if not any(d.get("type") == attrs.get("type") for d in said.values()):
            view.add_edge(u, v, key=key, **attrs)


def money(graph: PropertyGraph, node: str) -> float:
    """Dollars on the edges that touch ``node``.

    >>> money(example(), "a:ice")
    500000.0
    """
    edges = [*graph.in_edges(node, data=True), *graph.out_edges(node, data=True)]
    return float(sum(d.get("amount_usd") or 0 for _, _, d in edges))


def sizes(graph: PropertyGraph, by: str = "degree") -> dict[str, float]:
    """Node sizes from MIN_SIZE to MAX_SIZE by degree or money (log scale), or all equal.

    >>> s = sizes(example(), "money")
    >>> s["v:acme"] == s["a:ice"] == MAX_SIZE, s["a:dhs"] == MIN_SIZE
    (True, True)
    >>> sizes(example(), "fame")
    Traceback (most recent call last):
    kg.errors.KgError: cannot size nodes by 'fame'; use degree, money or none
    """
    if by not in SIZE_BY:
        raise KgError(f"cannot size nodes by {by!r}; use {', '.join(SIZE_BY[:-1])} or none")
    if by == "none":
        return {node: (MIN_SIZE + MAX_SIZE) / 3 for node in graph}
    if by == "degree":
        raw = {node: math.sqrt(graph.degree(node)) for node in graph}
    else:
        raw = {node: math.log1p(money(graph, node)) for node in graph}
    top = max(raw.values(), default=0.0) or 1.0
    return {node: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * value / top for node, value in raw.items()}


Adjacency = dict[str, list[str]]


def _adjacency(graph: PropertyGraph) -> Adjacency:
    """Each node's neighbours (edges either way), best connected first."""
    degree = dict(graph.degree())
    return {node: sorted({*graph.successors(node), *graph.predecessors(node)},
                         key=lambda n: -degree[n]) for node in graph}


def _components(graph: PropertyGraph, adjacency: Adjacency) -> list[list[str]]:
    """Connected components, largest first, each in BFS order from its best-connected node."""
    degree = dict(graph.degree())
    seen: set[str] = set()
    found = []
    for hub in sorted(graph, key=lambda n: -degree[n]):
        if hub in seen:
            continue
        order, queue = [hub], deque([hub])
        seen.add(hub)
        while queue:
            for other in adjacency[queue.popleft()]:
                if other not in seen:
                    seen.add(other)
                    order.append(other)
                    queue.append(other)
        found.append(order)
    return sorted(found, key=len, reverse=True)


def _radial(adjacency: Adjacency, order: list[str],
            spacing: float) -> dict[str, tuple[float, float]]:
    """A radial tree of one component's BFS tree: rings by depth, wedges by subtree size."""
    parent: dict[str, str] = {}
    depth: dict[str, int] = {order[0]: 0}
    children: dict[str, list[str]] = {n: [] for n in order}
    for node in order:
        for other in adjacency[node]:
            if other not in depth:
                depth[other], parent[other] = depth[node] + 1, node
                children[node].append(other)
    size = dict.fromkeys(order, 1)
    for node in reversed(order[1:]):
        size[parent[node]] += size[node]
    start, span = {order[0]: 0.0}, {order[0]: 2 * math.pi}
    for node in order:
        angle = start[node]
        for child in children[node]:
            start[child], span[child] = angle, span[node] * size[child] / (size[node] - 1)
            angle += span[child]
    # Ring d is an annulus whose area holds its nodes; a node sits at a spread-out radius in it.
    rings = [0.0]
    for level in range(1, max(depth.values()) + 1):
        count = sum(1 for d in depth.values() if d == level)
        rings.append(math.sqrt(rings[-1] ** 2 + count * spacing ** 2 / math.pi) + spacing / 2)
    place: dict[str, tuple[float, float]] = {}
    for index, node in enumerate(order):
        level, angle = depth[node], start[node] + span[node] / 2
        inner = rings[level - 1] + spacing / 2 if level else 0.0
        radius = inner + (rings[level] - inner) * ((index * 0.618034) % 1.0)
        place[node] = (radius * math.cos(angle), radius * math.sin(angle))
    return place


def seed_layout(graph: PropertyGraph, spacing: float = 110.0) -> dict[str, tuple[float, float]]:
    """Starting positions for a large graph, so the browser's physics needs few steps.

    Each component is laid out as a radial tree around its best-connected node;
    components are packed in rows, largest first.

    >>> pos = seed_layout(example())
    >>> pos["a:ice"], len(pos)
    ((0.0, 0.0), 4)
    """
    placed: dict[str, tuple[float, float]] = {}
    adjacency = _adjacency(graph)
    parts = [_radial(adjacency, order, spacing) for order in _components(graph, adjacency)]
    width = math.sqrt(sum(_extent(p)[0] * _extent(p)[1] for p in parts)) * 1.5
    x = y = row = 0.0
    for part in parts:
        (part_w, part_h), (left, top) = _extent(part), _corner(part)
        if x and x + part_w > width:
            x, y, row = 0.0, y + row, 0.0
        for node, (px, py) in part.items():
            placed[node] = (round(px - left + x, 1), round(py - top + y, 1))
        x, row = x + part_w, max(row, part_h)
    if placed:  # centre on the first (largest) component's hub
        cx, cy = placed[next(iter(parts[0]))]
        placed = {n: (round(px - cx, 1), round(py - cy, 1)) for n, (px, py) in placed.items()}
    return placed


def _corner(part: dict[str, tuple[float, float]]) -> tuple[float, float]:
    return min(p[0] for p in part.values()), min(p[1] for p in part.values())


def _extent(part: dict[str, tuple[float, float]]) -> tuple[float, float]:
    left, top = _corner(part)
    pad = 90.0
    return (max(p[0] for p in part.values()) - left + pad,
            max(p[1] for p in part.values()) - top + pad)
