"""Push the store to a bigger SPARQL store with the SPARQL 1.1 Graph Store HTTP Protocol.

One HTTP ``PUT`` per source graph, to ``URL?graph=<source IRI>``, with the
graph as N-Triples. ``PUT`` replaces the graph on the other side, so pushing
again is idempotent and the target keeps one named graph per source, as here:
provenance survives the move. Works with any Graph Store Protocol endpoint:
Oxigraph (``http://host:7878/store``), Fuseki (``http://host:3030/DATASET/data``),
GraphDB, Virtuoso. Credentials may be given in the URL
(``https://user:password@host/...``) and are sent as HTTP Basic auth.

Graphs are written to a temporary file first and streamed from there, so a
source of millions of triples is never held in memory as one string. A graph
removed here is not removed there: push to an empty dataset to mirror exactly.

>>> graph_url("http://127.0.0.1:7878/store", "https://w3id.org/survkg/id/source/ab")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fsurvkg%2Fid%2Fsource%2Fab'
"""

import base64
import ipaddress
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat, Triple

from kg.errors import KgError
from kg.store import INTERNAL_PREFIX, LOADING_PREFIX, Store

TIMEOUT = 300.0
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"


@dataclass(frozen=True)
class PushResult:
    """What was sent: the number of named graphs and of triples, and where (no credentials)."""

    graphs: int
    triples: int
    endpoint: str


def named_graphs(store: Store) -> list[str]:
    """IRIs of every named graph, bookkeeping graphs included."""
    return [str(row["g"].value) for row in store.select(_GRAPHS)
            if isinstance(row["g"], NamedNode)]


def half_written(graphs: list[str]) -> list[str]:
    """Source graphs an interrupted bulk load left half-written (their marker is still there)."""
    return [g.removeprefix(LOADING_PREFIX) for g in graphs if g.startswith(LOADING_PREFIX)]


def source_graphs(store: Store) -> list[str]:
    """IRIs of the complete source graphs (sources, ontology, registry).

    Never a staging or marker graph, nor a graph an interrupted bulk load left half-written.
    """
    graphs = named_graphs(store)
    partial = set(half_written(graphs))
    return [g for g in graphs if not g.startswith(INTERNAL_PREFIX) and g not in partial]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1).

    >>> is_loopback("127.0.0.1"), is_loopback("[::1]"), is_loopback("example.org")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store Protocol address of one named graph (``?graph=`` indirect form)."""
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + joiner + urllib.parse.urlencode({"graph": graph})


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """The URL without ``user:password@`` and the Basic auth header it stood for."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"{url!r} is not an http(s) URL; give the store's Graph Store endpoint, "
                      f"e.g. http://127.0.0.1:7878/store")
    if parts.username is None:
        return url, {}
    netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if ":" in parts.hostname:
        netloc = f"[{parts.hostname}]" + ("" if parts.port is None else f":{parts.port}")
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return parts._replace(netloc=netloc).geturl(), {"Authorization": f"Basic {token}"}


def _triples(store: Store, graph: str) -> Iterator[Triple]:
    for quad in store.graph_quads(graph):
        yield Triple(quad.subject, quad.predicate, quad.object)


def _write_graph(store: Store, graph: str, out: IO[bytes]) -> int:
    """Write one graph as N-Triples into ``out``; returns its triple count."""
    count = 0

    def counted() -> Iterator[Triple]:
        nonlocal count
        for triple in _triples(store, graph):
            count += 1
            yield triple

    pyoxigraph.serialize(counted(), out, RdfFormat.N_TRIPLES)
    return count


def _put(endpoint: str, graph: str, body: IO[bytes], size: int, headers: dict[str, str],
         timeout: float) -> None:
    """One Graph Store PUT; ``endpoint`` carries no credentials, so messages may show it."""
    request = urllib.request.Request(graph_url(endpoint, graph), data=body, method="PUT", headers={
        **headers, "Content-Type": "application/n-triples", "Content-Length": str(size)})
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    opener = _DIRECT if is_loopback(host) else urllib.request.build_opener()
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip().splitlines()
        reason = f"HTTP {error.code} {error.reason}" + (f": {detail[0]}" if detail else "")
        raise KgError(f"{endpoint} refused graph <{graph}>: {reason}; "
                      f"is it a writable Graph Store endpoint?") from error
    except (urllib.error.URLError, OSError) as error:
        cause = error.reason if isinstance(error, urllib.error.URLError) else error
        raise KgError(f"cannot reach {endpoint}: {cause}; "
                      f"is the server running?") from error


def push(store: Store, url: str, *, on_graph: Callable[[str, int], None] | None = None,
         timeout: float = TIMEOUT) -> PushResult:
    """PUT every named graph of ``store`` to the Graph Store endpoint ``url``.

    ``on_graph(graph_iri, triples)`` is called after each graph is accepted.
    The first refused graph stops the push with a one-line KgError; graphs
    already sent stay there (each PUT is atomic on its own).
    """
    endpoint, headers = _split_credentials(url)
    graphs = source_graphs(store)
    total = 0
    for graph in graphs:
        with tempfile.TemporaryFile() as body:
            count = _write_graph(store, graph, body)
            size = body.tell()
            body.seek(0)
            _put(endpoint, graph, body, size, headers, timeout)
        total += count
        if on_graph is not None:
            on_graph(graph, count)
    return PushResult(len(graphs), total, endpoint)
