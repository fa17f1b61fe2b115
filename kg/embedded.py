"""Embedded Cypher: a LadybugDB index of the journalist property graph, derived from the store.

The index lives in ``<store>/cypher-index/`` and is keyed by a fingerprint of the RDF store
(its triple count and every source graph with its content hash): a query finds it current
and reuses it, or rebuilds it first, so it never answers from stale data.

The schema is the one ``kg neo4j push`` writes (``kg.neo4j_sync.plan_push``): one node
table per label with primary key ``id``, one relationship table per type holding one
FROM/TO pair per (start label, end label) found in the data. Every node table has the
properties of all labels (and every relationship table those of all types), so a property a
label lacks reads as null, as in Neo4j. Rows are bulk-loaded with ``COPY ... FROM (UNWIND
$rows ...)`` in chunks (memory stays bounded at a million edges): no temporary files, and
lists keep their types.
"""

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ladybug

from kg.cypher import INTERNAL_PROPERTIES, check_read_only
from kg.cypher_translate import NAMES_COLUMN, translate
from kg.errors import KgError
from kg.neo4j_sync import HASH, MARK, Names, plan_push
from kg.projection import PropertyGraph, project
from kg.schema import journalist_schema
from kg.sources import list_sources
from kg.store import Store

INDEX_DIR = "cypher-index"
FORMAT_VERSION = 2  # bump when the index layout changes: every index is rebuilt
_SKIP = frozenset({MARK, HASH})


@dataclass(frozen=True)
class IndexInfo:
    """Where the index is, whether this call built it, and how long that took."""

    path: Path
    fingerprint: str
    built: bool
    seconds: float


def fingerprint(store: Store) -> str:
    """A digest of what the index derives from: triple count and each source's content."""
    sources = sorted((s.iri, s.content_hash, s.triples) for s in list_sources(store))
    text = json.dumps([FORMAT_VERSION, ladybug.__version__, store.count(), sources])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def index_path(store: Store) -> Path:
    """The folder of the store's Cypher index."""
    return store.path / INDEX_DIR


def ensure_index(store: Store) -> IndexInfo:
    """The current index of ``store``: reused when its fingerprint matches, else rebuilt."""
    folder = index_path(store)
    key = fingerprint(store)
    stamp = folder / "fingerprint"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key and (folder / "db").exists():
        return IndexInfo(folder / "db", key, False, 0.0)
    began = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"db.new-{os.getpid()}"
    _remove(staging)
    build(project(store), staging)
    stamp.unlink(missing_ok=True)
    _remove(folder / "db")
    staging.rename(folder / "db")
    stamp.write_text(key, encoding="utf-8")
    return IndexInfo(folder / "db", key, True, time.perf_counter() - began)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# ------------------------------------------------------------------ build
_SCALAR = {str: "STRING", bool: "BOOLEAN", int: "INT64", float: "DOUBLE"}


def _column_type(name: str, values: Iterable[Any]) -> str:
    """The LadybugDB type of a property from every value it takes."""
    kinds: set[str] = set()
    for value in values:
        if value is None:
            continue
        if isinstance(value, list):
            items = {_SCALAR.get(type(item), "MIXED") for item in value}
            if not items:
                kinds.add("EMPTY[]")
            elif len(items) == 1:
                kinds.add(f"{items.pop()}[]")
            else:
                kinds.add("MIXED")
        else:
            kinds.add(_SCALAR.get(type(value), "MIXED"))
    if kinds == {"INT64", "DOUBLE"}:
        kinds = {"DOUBLE"}
    if "EMPTY[]" in kinds:
        kinds.discard("EMPTY[]")
        kinds = kinds or {"STRING[]"}
    if len(kinds) > 1 or "MIXED" in kinds:
        raise KgError(f"property {name} has values of several types ({sorted(kinds)}); "
                      "the embedded index needs one type per property")
    return kinds.pop() if kinds else "STRING"


def _columns(rows: Iterable[dict[str, Any]], fixed: set[str]) -> dict[str, str]:
    values: dict[str, list[Any]] = {}
    for row in rows:
        for name, value in row.items():
            if name not in fixed and name not in _SKIP:
                values.setdefault(name, []).append(value)
    return {name: _column_type(name, values[name]) for name in sorted(values)}


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# Rows per COPY statement. LadybugDB turns the whole ``$rows`` parameter into its own
# values before copying (about 10 KB a row): one COPY of 300,000 award edges took
# over 20 GB; chunks of this size keep the build within a few hundred MB.
COPY_CHUNK = 20_000


def build(graph: PropertyGraph, path: Path) -> None:
    """Write ``graph`` as a LadybugDB database at ``path`` (which must not exist)."""
    schema = journalist_schema()
    names = Names.from_schema(schema)
    plan = plan_push(graph, names)
    node_columns = {"id": "STRING", "name": "STRING", "aliases": "STRING[]",
                    **_columns((row["props"] for rows in plan.nodes.values()
                                for row in rows.values()), {"id", "name", "aliases"})}
    rel_columns = {"key": "STRING", **_columns((row["props"] for rows in
                                                plan.relationships.values()
                                                for row in rows.values()), {"key"})}
    labels = sorted(names.labels | set(plan.nodes))
    pairs: dict[str, list[tuple[str, str]]] = {t: [] for t in sorted(names.types)}
    for start, rel_type, end in sorted(plan.relationships):
        pairs.setdefault(rel_type, []).append((start, end))
    database = ladybug.Database(str(path))
    try:
        conn = ladybug.Connection(database)
        node_spec = ", ".join(f"{_ident(n)} {t}" for n, t in node_columns.items())
        for label in labels:
            conn.execute(f"CREATE NODE TABLE {_ident(label)}({node_spec}, PRIMARY KEY(id))")
        rel_spec = ", ".join(f"{_ident(n)} {t}" for n, t in rel_columns.items())
        for rel_type, ends in pairs.items():
            ends = ends or [(labels[0], labels[0])]  # a type without data still parses
            froms = ", ".join(f"FROM {_ident(a)} TO {_ident(b)}" for a, b in ends)
            conn.execute(f"CREATE REL TABLE {_ident(rel_type)}({froms}, {rel_spec})")
        node_return = ", ".join(_cast(n, t) for n, t in node_columns.items())
        for label, rows in plan.nodes.items():
            _copy(database, f"COPY {_ident(label)} FROM (UNWIND $rows AS r RETURN {node_return})",
                  (_row({**row["props"], "id": row["id"]}, node_columns)
                   for row in rows.values()))
        for label in labels:
            _add_names(database, label)
        rel_return = ", ".join(_cast(n, t) for n, t in rel_columns.items())
        for (start, rel_type, end), rows in sorted(plan.relationships.items()):
            _copy(database, f"COPY {_ident(rel_type)} FROM (UNWIND $rows AS r RETURN "
                        f"r._start, r._end, {rel_return}) "
                        f"(from={json.dumps(start)}, to={json.dumps(end)})",
                  ({"_start": row["start"], "_end": row["end"],
                    **_row({**row["props"], "key": row["key"]}, rel_columns)}
                   for row in rows.values()))
        conn.close()
    finally:
        database.close()


def _add_names(database: ladybug.Database, label: str) -> None:
    """The lowered name and aliases of every node, for the library's name test (see
    ``kg.cypher_translate``); computed by LadybugDB's own functions, as the test was."""
    conn = ladybug.Connection(database)
    try:
        conn.execute(f"ALTER TABLE {_ident(label)} ADD {_ident(NAMES_COLUMN)} STRING[]")
        conn.execute(f"MATCH (n:{_ident(label)}) SET n.{_ident(NAMES_COLUMN)} = "
                     "[toLower(n.name)] + list_transform(n.aliases, alias -> toLower(alias))")
    finally:
        conn.close()


def _copy(database: ladybug.Database, statement: str, rows: Iterable[dict[str, Any]]) -> None:
    """Run a ``COPY ... FROM (UNWIND $rows ...)`` once per ``COPY_CHUNK`` rows.

    Each chunk gets a connection of its own: LadybugDB 0.22 crashes (segmentation
    fault) when one connection runs the same COPY text a second time.
    """
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == COPY_CHUNK:
            _copy_chunk(database, statement, chunk)
            chunk = []
    if chunk:
        _copy_chunk(database, statement, chunk)


def _copy_chunk(database: ladybug.Database, statement: str, rows: list[dict[str, Any]]) -> None:
    conn = ladybug.Connection(database)
    try:
        conn.execute(statement, {"rows": rows})
    finally:
        conn.close()


def _cast(name: str, kind: str) -> str:
    """A row field typed as its column: a field null in the first rows stays typed."""
    return f"CAST(r.{_ident(name)}, '{kind}')"


def _row(props: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """Every column present (nulls included) so UNWIND sees one struct type."""
    row: dict[str, Any] = {}
    for name, kind in columns.items():
        value = props.get(name)
        if value is not None and kind == "DOUBLE":
            value = float(value)
        row[name] = value
    return row


# ------------------------------------------------------------------ query
def run_embedded(store: Store, query: str, params: dict[str, Any] | None = None
                 ) -> tuple[list[str], list[list[Any]]]:
    """Run a read-only Neo4j-style Cypher query on the store's embedded index.

    Returns the column names and rows, values as plain JSON-able Python shaped like
    ``kg.cypher.to_json`` shapes Neo4j's.
    """
    check_read_only(query)
    text = translate(query)
    info = ensure_index(store)
    return query_index(info.path, text, params)


def query_index(path: Path, text: str, params: dict[str, Any] | None = None
                ) -> tuple[list[str], list[list[Any]]]:
    """Run already translated Cypher on the index at ``path`` (read-only); the
    benchmark calls this on an index it built from a synthetic graph."""
    database = ladybug.Database(str(path), read_only=True)
    try:
        conn = ladybug.Connection(database)
        try:
            result = conn.execute(text, dict(params or {}))
        except RuntimeError as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise KgError(f"embedded Cypher: {message}") from error
        if isinstance(result, list):
            result = result[-1]
        columns = list(result.get_column_names())
        rows: list[list[Any]] = []
        while result.has_next():
            rows.append([_to_json(value) for value in result.get_next()])
        result.close()
        conn.close()
    finally:
        database.close()
    return columns, rows


def _to_json(value: Any) -> Any:
    """A LadybugDB value like ``kg.cypher.to_json`` makes a Neo4j one."""
    if isinstance(value, dict):
        if "_NODES" in value and "_RELS" in value:
            return {"nodes": [_to_json(n) for n in value["_NODES"]],
                    "relationships": [_to_json(r) for r in value["_RELS"]]}
        if "_SRC" in value and "_LABEL" in value:
            parts = str(value.get("key") or "").split(" ")
            return {"_type": value["_LABEL"], "_start": parts[0] or None,
                    "_end": parts[2] if len(parts) > 2 else None, **_props(value)}
        if "_ID" in value and "_LABEL" in value:
            return {"_labels": [value["_LABEL"]], **_props(value)}
        return {str(k): _to_json(v) for k, v in value.items() if k != NAMES_COLUMN}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _props(value: dict[str, Any]) -> dict[str, Any]:
    """Stored properties without LadybugDB's internals, bookkeeping or nulls (Neo4j has none)."""
    return {k: _to_json(v) for k, v in sorted(value.items())
            if not k.startswith("_") and k not in INTERNAL_PROPERTIES and v is not None}
