"""Push the journalist property graph to Neo4j: batched, idempotent, named by the ontology.

Why it is built this way:

- Labels and relationship types cannot be Cypher parameters, so they are the
  only text put into a query, and only after checking them against the names
  the ontology declares (``kg.schema``); every value travels in ``$rows``.
- Uniqueness constraints come first (``id`` per label, ``key`` per relationship
  type, Neo4j 5.7 or later): lookups use their index, and the database itself
  refuses duplicates, so new elements can be CREATEd (cheaper than MERGE) and
  a concurrent writer fails loudly instead of doubling the graph.
- Idempotent without rewriting: Neo4j counts ``SET`` of an unchanged value as
  a property set, so each element carries ``kg_hash``, a digest of what this
  tool wrote. The push reads the hashes already there and sends only new or
  changed elements; pushing unchanged data again writes nothing.
- Deletion is exact: elements this tool wrote carry ``kg: true``; those the
  projection no longer has (a removed source's claims) are deleted. Nodes and
  relationships without the mark are the user's and are left alone, except
  relationships a user hung on a node that disappears with ``DETACH DELETE``.

A relationship is identified by its start id, type, end id and product id,
stored in ``key``: a Vendor selling two products to one agency is two edges.
Writes are ordered nodes, stale nodes, stale relationships, relationships, so
a node that changed label (same id) never collides with its old self.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from neo4j import ManagedTransaction, Session, SummaryCounters

from kg.cypher import Neo4jTarget, connect
from kg.errors import KgError
from kg.projection import PropertyGraph, project
from kg.schema import Schema, journalist_schema
from kg.store import Store

# The mark and digest properties; queries below spell them out (`n.kg`, `kg_hash`).
MARK, HASH = "kg", "kg_hash"
# Rows per transaction: each one costs a round trip, a plan lookup and a commit, so
# 20,000 (a few MB of parameters) writes markedly faster than 5,000 and stays far below
# the memory of a 1 GB heap.
BATCH_SIZE = 20_000
# Projection attributes that are not properties: the label/type is the element's
# own name; citations (maps) are stored as the parallel list evidence_sources;
# relationships are RDF claim IRIs, for SPARQL users, not journalists.
NODE_SKIP = frozenset({"label"})
EDGE_SKIP = frozenset({"type", "citations", "relationships"})
Progress: TypeAlias = Callable[[int, int], None]
Group: TypeAlias = tuple[str, str, str]  # (start label, relationship type, end label)
Row: TypeAlias = dict[str, Any]


@dataclass
class PushReport:
    """What the push changed in Neo4j, summed from the server's own counters."""

    nodes: int = 0
    relationships: int = 0
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    constraints_added: int = 0
    batches: int = 0

    def add(self, counters: SummaryCounters) -> None:
        """Add one transaction's counters."""
        self.nodes_created += counters.nodes_created
        self.nodes_deleted += counters.nodes_deleted
        self.relationships_created += counters.relationships_created
        self.relationships_deleted += counters.relationships_deleted
        self.properties_set += counters.properties_set
        self.constraints_added += counters.constraints_added

    @property
    def changed(self) -> bool:
        """True if anything was written."""
        return any((self.nodes_created, self.nodes_deleted, self.relationships_created,
                    self.relationships_deleted, self.properties_set, self.constraints_added))

    def summary(self) -> str:
        """One line for the CLI."""
        return (f"{self.nodes} nodes, {self.relationships} relationships in the graph; "
                f"created {self.nodes_created} nodes and {self.relationships_created} "
                f"relationships, deleted {self.nodes_deleted} and "
                f"{self.relationships_deleted}, set {self.properties_set} properties "
                f"in {self.batches} batches")


@dataclass(frozen=True)
class Names:
    """The labels and relationship types the ontology declares: the only text in queries."""

    labels: frozenset[str]
    types: frozenset[str]

    @classmethod
    def from_schema(cls, schema: Schema) -> "Names":
        """Every node label and edge type of the journalist schema."""
        types = set(schema.direct_edges.values())
        types |= {rule.edge_type for rule in schema.edge_rules.values()}
        return cls(frozenset(schema.node_labels.values()), frozenset(types))

    def label(self, name: str) -> str:
        """``name`` quoted for Cypher, if the ontology declares it as a label."""
        return _quoted(name, self.labels, "node label")

    def rel_type(self, name: str) -> str:
        """``name`` quoted for Cypher, if the ontology declares it as a relationship type."""
        return _quoted(name, self.types, "relationship type")


def _quoted(name: str, allowed: frozenset[str], what: str) -> str:
    if name not in allowed or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise KgError(f"{what} {name!r} is not declared by the ontology; "
                      "only ontology names are written to Neo4j")
    return f"`{name}`"


# ------------------------------------------------------------------ plan
@dataclass
class Plan:
    """What Neo4j should hold: rows by label and by (start label, type, end label)."""

    nodes: dict[str, dict[str, Row]] = field(default_factory=lambda: defaultdict(dict))
    relationships: dict[Group, dict[str, Row]] = field(
        default_factory=lambda: defaultdict(dict))


def plan_push(graph: PropertyGraph, names: Names) -> Plan:
    """Turn the projection into rows; fails on a name or value Neo4j cannot take.

    Runs once per element of a graph of a million edges, so each name is checked
    once (not per element) and values of the common plain types skip the slow check.
    """
    plan = Plan()
    label, rel_type = _checked(names.label), _checked(names.rel_type)
    for node, attrs in graph.nodes(data=True):
        label(attrs["label"])
        props = _properties(attrs, NODE_SKIP, f"node {node}")
        plan.nodes[attrs["label"]][node] = {"id": node, "props": _stamped(props, node)}
    for start, end, attrs in graph.edges(data=True):
        rel_type(attrs["type"])
        key = " ".join((start, attrs["type"], end, attrs.get("product_id") or ""))
        props = _properties(attrs, EDGE_SKIP, f"relationship {key}")
        props["evidence_sources"] = [c["source"] for c in attrs.get("citations", [])]
        group = (graph.nodes[start]["label"], attrs["type"], graph.nodes[end]["label"])
        plan.relationships[group][key] = {"start": start, "end": end, "key": key,
                                          "props": _stamped(props, key)}
    return plan


def _checked(check: Callable[[str], str]) -> Callable[[str], None]:
    """``check`` run once per distinct name: the names are few, the elements many."""
    seen: set[str] = set()

    def once(name: str) -> None:
        if name not in seen:
            check(name)
            seen.add(name)

    return once


_PLAIN = frozenset({str, bool, int, float, type(None)})
_PLAIN_ITEMS = frozenset({str, bool, int, float})


def _properties(attrs: dict[str, Any], skip: frozenset[str], where: str) -> Row:
    return {name: value if type(value) in _PLAIN else _value(value, f"{where}: {name}")
            for name, value in attrs.items() if name not in skip}


def _value(value: Any, where: str) -> Any:
    """A value Neo4j can store: scalars, or lists of one scalar type."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if type(value) is list and len(kinds := set(map(type, value))) <= 1 \
            and kinds <= _PLAIN_ITEMS:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        if len({type(item) for item in items}) <= 1 and all(
                isinstance(item, (str, bool, int, float)) for item in items):
            return items
    raise KgError(f"{where} has a value Neo4j cannot store ({type(value).__name__})")


# One encoder for every digest: json.dumps builds a new one per call when given options.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _stamped(props: Row, identity: str) -> Row:
    """Add the mark and the digest of everything written (identity included)."""
    text = _DIGEST_JSON.encode([identity, props])
    return {**props, MARK: True, HASH: hashlib.sha256(text.encode()).hexdigest()[:32]}


# ------------------------------------------------------------------ diff
@dataclass
class Changes:
    """Only what differs between the plan and what Neo4j holds.

    New elements are created (no lookup needed: the diff knows they are not
    there, and the uniqueness constraints catch a concurrent writer); changed
    ones are merged and updated in place.
    """

    node_creates: dict[str, list[Row]] = field(default_factory=dict)
    node_updates: dict[str, list[Row]] = field(default_factory=dict)
    node_deletes: dict[str, list[str]] = field(default_factory=dict)
    rel_deletes: dict[str, list[str]] = field(default_factory=dict)
    rel_creates: dict[Group, list[Row]] = field(default_factory=dict)
    rel_updates: dict[Group, list[Row]] = field(default_factory=dict)

    def total(self) -> int:
        """Rows to send, for the progress bar."""
        parts = (self.node_creates, self.node_updates, self.node_deletes, self.rel_deletes,
                 self.rel_creates, self.rel_updates)
        return sum(len(rows) for part in parts for rows in part.values())


@dataclass(frozen=True)
class _Existing:
    hash: str | None
    start: str | None = None
    end: str | None = None


def diff(plan: Plan, names: Names, nodes: dict[str, dict[str, _Existing]],
         relationships: dict[str, dict[str, _Existing]]) -> Changes:
    """Rows to create or update (changed hash) and ids/keys to delete (no longer planned)."""
    changes = Changes()
    for label in sorted(names.labels):
        wanted, have = plan.nodes.get(label, {}), nodes.get(label, {})
        changes.node_creates[label] = [_new(row) for node, row in wanted.items()
                                       if node not in have]
        changes.node_updates[label] = [row for node, row in wanted.items() if node in have
                                       and have[node].hash != row["props"][HASH]]
        changes.node_deletes[label] = sorted(set(have) - set(wanted))
    gone = {node for ids in changes.node_deletes.values() for node in ids}
    wanted_keys: dict[str, set[str]] = defaultdict(set)
    for group, rows in plan.relationships.items():
        have = {key: old for key, old in relationships.get(group[1], {}).items()
                if not {old.start, old.end} & gone}  # those go with DETACH DELETE
        wanted_keys[group[1]] |= set(rows)
        changes.rel_creates[group] = [_new(row) for key, row in rows.items() if key not in have]
        changes.rel_updates[group] = [row for key, row in rows.items() if key in have
                                      and have[key].hash != row["props"][HASH]]
    for rel_type, had in relationships.items():
        changes.rel_deletes[rel_type] = sorted(
            key for key, old in had.items()
            if key not in wanted_keys[rel_type] and not {old.start, old.end} & gone)
    return changes


def _new(row: Row) -> Row:
    """A row to CREATE, without its null properties: setting null on a new element
    stores nothing, yet costs the server a property write per null (a third of an
    award edge's properties). Updates keep them: there, null removes an old value."""
    return {**row, "props": {k: v for k, v in row["props"].items() if v is not None}}


# ------------------------------------------------------------------ push
def push(source: Store | PropertyGraph, uri: str, user: str, password: str | None,
         database: str | None = None, on_progress: Progress | None = None,
         batch_size: int = BATCH_SIZE) -> PushReport:
    """Make Neo4j's ``kg``-marked part equal the journalist graph of ``source``.

    ``on_progress(done, total)`` is called after each batch (rows sent so far).
    """
    graph = project(source) if isinstance(source, Store) else source
    names = Names.from_schema(journalist_schema())
    plan = plan_push(graph, names)
    report = PushReport(graph.number_of_nodes(), graph.number_of_edges())
    target = Neo4jTarget(uri, user, password, database)
    with connect(target) as driver, driver.session(database=database) as session:
        _create_constraints(session, names, report)
        changes = diff(plan, names, _read_nodes(session, names),
                       _read_relationships(session, names))
        _apply(session, names, changes, report, _Ticker(changes.total(), on_progress),
               batch_size)
    return report


def _create_constraints(session: Session, names: Names, report: PushReport) -> None:
    for label in sorted(names.labels):
        report.add(session.run(
            f"CREATE CONSTRAINT `kg_{label}_id` IF NOT EXISTS "
            f"FOR (n:{names.label(label)}) REQUIRE n.id IS UNIQUE").consume().counters)
    for rel_type in sorted(names.types):
        report.add(session.run(
            f"CREATE CONSTRAINT `kg_{rel_type}_key` IF NOT EXISTS "
            f"FOR ()-[r:{names.rel_type(rel_type)}]-() REQUIRE r.key IS UNIQUE"
        ).consume().counters)


def _read_nodes(session: Session, names: Names) -> dict[str, dict[str, _Existing]]:
    """Id and hash of every marked node, by label (one query: one round trip, one plan)."""
    found: dict[str, dict[str, _Existing]] = defaultdict(dict)
    query = "MATCH (n) WHERE n.kg = true RETURN labels(n) AS labels, n.id AS id, n.kg_hash AS hash"
    for row in _read_all(session, query):
        for label in names.labels.intersection(row["labels"]):
            found[label][row["id"]] = _Existing(row["hash"])
    return found


def _read_relationships(session: Session, names: Names) -> dict[str, dict[str, _Existing]]:
    """Key, hash and end ids of every marked relationship, by type."""
    found: dict[str, dict[str, _Existing]] = defaultdict(dict)
    query = ("MATCH (a)-[r]->(b) WHERE r.kg = true RETURN type(r) AS type, r.key AS key, "
             "r.kg_hash AS hash, a.id AS start, b.id AS end")
    for row in _read_all(session, query):
        if row["type"] in names.types:
            found[row["type"]][row["key"]] = _Existing(row["hash"], row["start"], row["end"])
    return found


def _read_all(session: Session, query: str) -> list[dict[str, Any]]:
    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [record.data() for record in tx.run(query)]

    return session.execute_read(work)


@dataclass
class _Ticker:
    total: int
    callback: Progress | None
    done: int = 0

    def __post_init__(self) -> None:
        self.advance(0)

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.callback:
            self.callback(self.done, self.total)


def _apply(session: Session, names: Names, changes: Changes, report: PushReport,
           ticker: _Ticker, batch_size: int) -> None:
    """Nodes, then stale nodes, stale relationships, relationships; each in batches."""
    for query, rows, check in _steps(names, changes):
        for batch in _batches(rows, batch_size):
            written = _write(session, query, batch, report)
            if check and written != len(batch):
                raise KgError(f"Neo4j wrote {written} of {len(batch)} relationships: an end "
                              "node is missing; push again, or report this as a bug")
            ticker.advance(len(batch))


def _steps(names: Names, changes: Changes) -> Iterator[tuple[str, list[Any], bool]]:
    """(query, rows, check that every row was written) in the order of the docstring."""
    for label, rows in changes.node_creates.items():
        yield (f"UNWIND $rows AS row CREATE (n:{names.label(label)} {{id: row.id}}) "
               "SET n += row.props RETURN count(n)", rows, False)
    for label, rows in changes.node_updates.items():
        yield (f"UNWIND $rows AS row MERGE (n:{names.label(label)} {{id: row.id}}) "
               "SET n += row.props RETURN count(n)", rows, False)
    for label, ids in changes.node_deletes.items():
        yield (f"UNWIND $rows AS id MATCH (n:{names.label(label)} {{id: id}}) "
               "WHERE n.kg = true DETACH DELETE n RETURN count(*)", ids, False)
    for rel_type, keys in changes.rel_deletes.items():
        yield (f"UNWIND $rows AS key MATCH ()-[r:{names.rel_type(rel_type)} {{key: key}}]->() "
               "WHERE r.kg = true DELETE r RETURN count(*)", keys, False)
    for verb, groups in (("CREATE", changes.rel_creates), ("MERGE", changes.rel_updates)):
        for (start, rel_type, end), rows in groups.items():
            yield (f"UNWIND $rows AS row MATCH (a:{names.label(start)} {{id: row.start}}) "
                   f"MATCH (b:{names.label(end)} {{id: row.end}}) "
                   f"{verb} (a)-[r:{names.rel_type(rel_type)} {{key: row.key}}]->(b) "
                   "SET r += row.props RETURN count(r)", rows, True)


def _batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for first in range(0, len(rows), size):
        yield rows[first:first + size]


def _write(session: Session, query: str, rows: list[Any], report: PushReport) -> int:
    """One batch in one transaction (retried by the driver on transient errors)."""
    def work(tx: ManagedTransaction) -> tuple[int, SummaryCounters]:
        result = tx.run(query, rows=rows)
        record = result.single()
        return (int(record[0]) if record else 0), result.consume().counters

    written, counters = session.execute_write(work)
    report.add(counters)
    report.batches += 1
    return written
