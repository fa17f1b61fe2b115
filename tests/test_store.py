"""The store: atomic per-source replacement, removal, locking, bound queries."""

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg.errors import StoreLocked
from kg.store import STAGING_PREFIX, Store

G = "https://w3id.org/survkg/id/source/test"
P = NamedNode("https://example.org/p")


def triples(*values: str) -> list[tuple[NamedNode, NamedNode, Literal]]:
    return [(NamedNode("https://example.org/s"), P, Literal(v)) for v in values]


def test_replace_graph_swaps_content_and_leaves_no_staging(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    assert store.replace_graph(G, triples("a", "b")) == 2
    assert store.replace_graph(G, triples("c")) == 1
    values = sorted(q.object.value for q in store.graph_quads(G))
    assert values == ["c"]
    assert not any(q.graph_name.value.startswith(STAGING_PREFIX) for q in store._db)


def test_replace_with_nothing_removes_the_graph(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.replace_graph(G, triples("a"))
    assert store.replace_graph(G, []) == 0
    assert not store.has_graph(G)


def test_other_graphs_are_untouched(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.replace_graph(G, triples("a"))
    store.replace_graph(G + "2", triples("b"))
    store.remove_graph(G)
    assert [q.object.value for q in store.graph_quads(G + "2")] == ["b"]
    assert store.remove_graph(G) is False


def test_bindings_are_values_not_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.replace_graph(G, triples('x" } ; DROP ALL ; #', "y"))
    rows = store.select("SELECT ?s ?o WHERE { ?s ?p ?o }", {"o": Literal('x" } ; DROP ALL ; #')})
    assert len(rows) == 1
    assert store.count() == 2


def test_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    first = Store(tmp_path / "s")
    with pytest.raises(StoreLocked, match="locked by another kg process"):
        Store(tmp_path / "s")
    del first


def test_stale_staging_graph_is_dropped_on_open(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    # simulate a load killed between staging and the move
    store._db.add(Quad(NamedNode("https://e.org/s"), P, Literal("x"),
                       NamedNode(STAGING_PREFIX + G)))
    del store
    reopened = Store(tmp_path / "s")
    assert reopened.count() == 0
