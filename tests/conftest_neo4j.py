"""Fixtures for tests against a real Neo4j (imported by tests/conftest.py).

One server per test session (starting one costs seconds); each test gets it
emptied, because Community edition has a single user database. Without Java or
Maven the tests skip and say why, except under CI (``CI=true``), where a
missing server would silently hide the whole Neo4j suite, so it fails instead.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from neo4j import GraphDatabase

from tests.neo4j_server import Neo4jServer, ServerError, ensure_jars, missing_tools

AUTH_PASSWORD = "correct-horse-battery"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where every test is expected to run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Neo4j tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _start(workdir: Path, password: str | None = None) -> Neo4jServer:
    reason = missing_tools()
    if reason:
        skip_or_fail(reason)
    try:
        return Neo4jServer.start(ensure_jars(), workdir, password=password)
    except ServerError as error:
        skip_or_fail(str(error))


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A Neo4j Community 5.26 server on loopback, auth off, for the whole session."""
    server = _start(tmp_path_factory.mktemp("neo4j"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A second server with auth on (user neo4j, password AUTH_PASSWORD)."""
    server = _start(tmp_path_factory.mktemp("neo4j-auth"), AUTH_PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def neo4j(neo4j_server: Neo4jServer) -> Neo4jServer:
    """The session's server with an empty database.

    The push's own constraints (``kg_*``) stay: creating them costs a second per
    test, and the push finds them in place exactly as it does on a second push.
    """
    reset(neo4j_server.uri)
    return neo4j_server


def reset(uri: str) -> None:
    """Delete every node, and every constraint and index but the push's own."""
    with GraphDatabase.driver(uri, auth=None) as driver, driver.session(
            database="neo4j") as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
        constraints = session.run("SHOW CONSTRAINTS YIELD name WHERE NOT name STARTS WITH "
                                  "'kg_' RETURN name").value()
        for name in constraints:
            session.run("DROP CONSTRAINT $name", name=name).consume()
        indexes = session.run("SHOW INDEXES YIELD name, type, owningConstraint "
                              "WHERE type <> 'LOOKUP' AND owningConstraint IS NULL "
                              "RETURN name").value()
        for name in indexes:
            session.run("DROP INDEX $name", name=name).consume()
