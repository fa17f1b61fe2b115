"""Cypher against Neo4j: connect, run read-only queries, read the query library.

Why read-only: ``kg query cypher`` is for asking questions; the graph in Neo4j
is a copy of the RDF store that ``kg neo4j push`` owns, and a stray ``DELETE``
typed into a question would silently diverge it. Queries run in a read
transaction (Neo4j itself refuses writes there), and write clauses are refused
before anything is sent, so the user sees why in one line.

Values come back as JSON-able Python (nodes and relationships as property
maps), so the CLI can print them as a table, JSON or CSV alike.
"""

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath

from kg.errors import KgError

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
BOLT_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
# The library ships as the data-only package `queries` (see pyproject.toml).
QUERIES_DIR = Path(str(resources.files("queries")))
# Bookkeeping properties of `kg neo4j push`; not part of the journalist schema.
INTERNAL_PROPERTIES = frozenset({"kg", "kg_hash"})
_WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH",
                  "LOAD", "GRANT", "DENY", "REVOKE", "ALTER", "RENAME", "TERMINATE")


@dataclass(frozen=True)
class Neo4jTarget:
    """Where to connect. The password only ever comes from the environment."""

    uri: str
    user: str
    password: str | None
    database: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, uri: str | None = None,
                 user: str | None = None, database: str | None = None) -> "Neo4jTarget":
        """Options first, then ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_DATABASE``, defaults.

        >>> Neo4jTarget.from_env({"NEO4J_PASSWORD": "s"})
        Neo4jTarget(uri='bolt://localhost:7687', user='neo4j', password='s', database=None)
        """
        return cls(uri or env.get("NEO4J_URI") or DEFAULT_URI,
                   user or env.get("NEO4J_USER") or DEFAULT_USER, env.get("NEO4J_PASSWORD"),
                   database or env.get("NEO4J_DATABASE") or None)


def neo4j_target(env: Mapping[str, str], *, uri: str | None = None, user: str | None = None,
                 database: str | None = None, force: bool = False) -> Neo4jTarget | None:
    """The Neo4j to query, or None (use the embedded engine) without a URI or ``force``.

    >>> neo4j_target({}) is None, neo4j_target({}, force=True) is None
    (True, False)
    """
    if not (force or uri or env.get("NEO4J_URI")):
        return None
    return Neo4jTarget.from_env(env, uri=uri, user=user, database=database)


# ------------------------------------------------------------- connecting
@contextmanager
def neo4j_errors(target: Neo4jTarget) -> Iterator[None]:
    """Turn the driver's exceptions into one-line KgErrors that name the fix."""
    try:
        yield
    except neo.AuthError as error:
        raise KgError(f"Neo4j at {target.uri} refused user {target.user!r}: check NEO4J_USER "
                      "and NEO4J_PASSWORD") from error
    except neo.ClientError as error:
        raise KgError(_client_error_message(error, target)) from error
    except neo.ServiceUnavailable as error:
        raise KgError(f"cannot reach Neo4j at {target.uri}: is the server running and the URI "
                      "right? (--uri or NEO4J_URI)") from error
    except neo.ConfigurationError as error:
        raise KgError(f"cannot use Neo4j URI {target.uri!r}: {_message(error)}") from error
    except (neo.Neo4jError, neo.DriverError) as error:
        raise KgError(f"Neo4j at {target.uri}: {_message(error)}") from error


def _client_error_message(error: neo.ClientError, target: Neo4jTarget) -> str:
    if error.code == "Neo.ClientError.Database.DatabaseNotFound":
        return (f"Neo4j at {target.uri} has no database {target.database!r}: name one that "
                "SHOW DATABASES lists (Community edition has only 'neo4j'), or omit --database")
    if error.code == "Neo.ClientError.Statement.AccessMode":
        return "kg query cypher is read-only; change the graph with `kg neo4j push`"
    if error.code == "Neo.ClientError.Statement.ParameterMissing":
        return f"{_message(error)}: pass it with --param name=value"
    return f"Neo4j at {target.uri}: {_message(error)}"


def _message(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error)
    return " ".join(str(text).split())


@contextmanager
def connect(target: Neo4jTarget) -> Iterator[Driver]:
    """A driver that has reached the server; every driver error becomes a KgError.

    Connectivity is checked first because transaction functions retry an
    unreachable server for 30 s before giving up.
    """
    scheme = target.uri.partition("://")[0] if "://" in target.uri else ""
    if scheme not in BOLT_SCHEMES:
        raise KgError(f"cannot use Neo4j URI {target.uri!r}: write it like bolt://host:7687, "
                      "neo4j://host or neo4j+s://host")
    auth = (target.user, target.password) if target.password is not None else None
    with neo4j_errors(target):
        # Notifications (unknown property keys in a fresh database, deprecations) would
        # reach users as multi-line log records; results and errors say what matters.
        driver = GraphDatabase.driver(target.uri, auth=auth, connection_timeout=15,
                                      user_agent="surveillance-kg",
                                      notifications_min_severity="OFF")
        try:
            driver.verify_connectivity()
            yield driver
        finally:
            driver.close()


# --------------------------------------------------------------- querying
class CypherResult(NamedTuple):
    """Column names and rows of JSON-able values."""

    columns: list[str]
    rows: list[list[Any]]


def run_cypher(query: str, params: Mapping[str, Any] | None, uri: str, user: str,
               password: str | None, database: str | None = None) -> CypherResult:
    """Run one read-only Cypher query on Neo4j with bound parameters."""
    check_read_only(query)
    target = Neo4jTarget(uri, user, password, database)
    with connect(target) as driver, driver.session(database=database) as session:
        return session.execute_read(_read, query, dict(params or {}))


def _read(tx: Any, query: str, params: dict[str, Any]) -> CypherResult:
    result = tx.run(query, params)
    columns = list(result.keys())
    return CypherResult(columns, [[to_json(value) for value in record.values()]
                                  for record in result])


def check_read_only(query: str) -> None:
    """Refuse a query with a write clause (strings and comments are ignored).

    >>> check_read_only("MATCH (n {name: 'DELETE me'}) RETURN n.set // CREATE")
    >>> check_read_only("MATCH (n) DETACH DELETE n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.KgError: kg query cypher is read-only and this query has DETACH; ...
    """
    code = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", " ",
                  query, flags=re.DOTALL)
    for match in re.finditer(r"(?<![\w.$:])([A-Za-z]+)\b(?!\s*:)", code):
        word = match.group(1).upper()
        if word in _WRITE_CLAUSES:
            raise KgError(f"kg query cypher is read-only and this query has {word}; "
                          "change the graph with `kg neo4j push`")


def to_json(value: Any) -> Any:
    """A Neo4j value as plain Python: nodes and relationships become property maps.

    A node is ``{"_labels": [...], **properties}``, a relationship
    ``{"_type": ..., "_start": start id, "_end": end id, **properties}``, a path
    ``{"nodes": [...], "relationships": [...]}``; temporal values are ISO strings.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **_properties(value)}
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        return {"_type": value.type, "_start": start.get("id") if start else None,
                "_end": end.get("id") if end else None, **_properties(value)}
    if isinstance(value, GraphPath):
        return {"nodes": [to_json(n) for n in value.nodes],
                "relationships": [to_json(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    return str(value)


def _properties(entity: Node | Relationship) -> dict[str, Any]:
    return {key: to_json(item) for key, item in sorted(entity.items())
            if key not in INTERNAL_PROPERTIES}


def parse_param(text: str) -> tuple[str, Any]:
    """``name=value``: JSON values (numbers, true, null, lists, "quoted") as such, else text.

    >>> parse_param("limit=10"), parse_param("agency=ICE"), parse_param('year="2019"')
    (('limit', 10), ('agency', 'ICE'), ('year', '2019'))
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise KgError(f"--param {text!r}: expected name=value")
    try:
        return name.strip(), json.loads(value)
    except ValueError:
        return name.strip(), value


# ------------------------------------------------------------ the library
@dataclass(frozen=True)
class LibraryQuery:
    """One ``queries/*.cypher`` file: its purpose, default parameters and text."""

    name: str
    purpose: str
    params: dict[str, Any]
    descriptions: dict[str, str]
    text: str


_PARAM = re.compile(r"//\s*param\s+(\w+)\s*:\s*(.*)$")


def parse_query(name: str, text: str) -> LibraryQuery:
    """Read the header: ``// purpose: ...`` first, then ``// param name: JSON — what``."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("// purpose:"):
        raise KgError(f"query {name}: the first line must be `// purpose: ...`")
    params: dict[str, Any] = {}
    descriptions: dict[str, str] = {}
    for line in lines[1:]:
        match = _PARAM.match(line.strip())
        if not match:
            continue
        try:
            value, end = json.JSONDecoder().raw_decode(match.group(2))
        except ValueError as error:
            raise KgError(f"query {name}: default of ${match.group(1)} is not JSON") from error
        if isinstance(value, dict):
            raise KgError(f"query {name}: default of ${match.group(1)} must be a scalar or list")
        params[match.group(1)] = value
        descriptions[match.group(1)] = match.group(2)[end:].strip(" —-")
    return LibraryQuery(name, lines[0].removeprefix("// purpose:").strip(), params,
                        descriptions, text)


def read_cypher(text_or_file: str) -> LibraryQuery:
    """The query itself, or a ``.cypher`` file with its header's default parameters."""
    path = Path(text_or_file)
    if path.suffix in (".cypher", ".cql"):
        if not path.is_file():
            raise KgError(f"query file {path} does not exist")
        return parse_query(path.stem, path.read_text(encoding="utf-8"))
    return LibraryQuery("query", "", {}, {}, text_or_file)


def load_library(directory: Path = QUERIES_DIR) -> list[LibraryQuery]:
    """Every ``*.cypher`` of the query library, by file name."""
    files = sorted(directory.glob("*.cypher"))
    if not files:
        raise KgError(f"no .cypher files in {directory}")
    return [parse_query(path.stem, path.read_text(encoding="utf-8")) for path in files]
