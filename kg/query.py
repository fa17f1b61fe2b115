"""SPARQL over the store with bound parameters (values are never pasted into text)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Literal, NamedNode, QuerySolutions

from kg.errors import KgError
from kg.store import PREFIXES, Store


@dataclass(frozen=True)
class QueryResult:
    """A SELECT table, an ASK answer, or a graph from CONSTRUCT/DESCRIBE."""

    columns: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None
    graph: str | None = None


def read_query(text_or_file: str) -> str:
    """The query itself, or the contents of a ``.rq`` / ``.sparql`` file."""
    path = Path(text_or_file)
    if path.suffix in (".rq", ".sparql") and path.is_file():
        return path.read_text(encoding="utf-8")
    if path.suffix in (".rq", ".sparql"):
        raise KgError(f"query file {path} does not exist")
    return text_or_file


def parse_param(text: str) -> tuple[str, Any]:
    """``name=value``: an http(s) value becomes an IRI, anything else a string literal."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise KgError(f"--param {text!r}: expected name=value")
    if value.startswith(("http://", "https://")):
        return name.strip(), NamedNode(value)
    return name.strip(), Literal(value)


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def sparql(store: Store, query: str, params: dict[str, Any] | None = None) -> QueryResult:
    """Run a SPARQL query over the union of all source graphs."""
    prefixed = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()
                       if f"PREFIX {p}:" not in query) + query
    result = store.query(prefixed, params)
    if isinstance(result, (bool, pyoxigraph.QueryBoolean)):
        return QueryResult([], [], boolean=bool(result))
    if isinstance(result, QuerySolutions):
        columns = [v.value for v in result.variables]
        return QueryResult(columns, [[_text(row[c]) for c in columns] for row in result])
    # No "id:" prefix here: "id:source\/6d79..." is valid Turtle but hard to read.
    prefixes = {name: iri for name, iri in PREFIXES.items() if name != "id"}
    data = pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
    return QueryResult([], [], graph=(data or b"").decode("utf-8"))
