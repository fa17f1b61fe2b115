"""GraphML and GEXF: the same view as the HTML, every attribute kept, and both read back."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.details import add_details
from kg.errors import KgError
from kg.export import export_gexf, export_graphml
from kg.graph_files import GraphFileSummary, read_graph_file
from kg.projection import PropertyGraph, project
from kg.store import Store
from kg.subgraph import select
from tests.test_html import (
    HOSTILE_OUTLET,
    HOSTILE_QUOTE,
    HOSTILE_VENDOR,
    IMG_TITLE,
    SCRIPT_TITLE,
    fill_hostile,
)

WRITERS = {".graphml": export_graphml, ".gexf": export_gexf}
NODE_KEYS = ("label", "name", "aliases", "resolved")
EDGE_KEYS = ("type", "status", "product", "product_id", "amount_usd", "start_date", "sources",
             "evidence", "rules", "relationships")


@pytest.fixture
def graph(store: Store) -> PropertyGraph:
    return add_details(project(fill_hostile(store)), store)


def edge_set(graph: PropertyGraph) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    return {(u, v, d["type"], d.get("product_id") or ""): d for u, v, d in graph.edges(data=True)}


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_round_trip_keeps_every_projection_attribute(graph: PropertyGraph, tmp_path: Path,
                                                     suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    summary = WRITERS[suffix](graph, out)
    view = select(graph)
    assert summary == GraphFileSummary(view.number_of_nodes(), view.number_of_edges())
    back = read_graph_file(out)
    assert set(back) == set(view)
    for node in view:
        for key in NODE_KEYS:
            assert back.nodes[node][key] == view.nodes[node][key], (node, key)
    written, read = edge_set(view), edge_set(back)
    assert written.keys() == read.keys()
    for ends, attrs in written.items():
        for key in EDGE_KEYS:
            if attrs.get(key) is not None:
                assert read[ends][key] == attrs[key], (ends, key)
        quotes = [c["quote"] for c in read[ends]["citations"]]
        assert quotes == [c["quote"] for c in attrs["citations"]]


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_hostile_text_survives_as_text(graph: PropertyGraph, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    WRITERS[suffix](graph, out)
    ET.parse(out)  # well-formed XML
    back = read_graph_file(out)
    assert HOSTILE_VENDOR in {d["name"] for _, d in back.nodes(data=True)}
    citations = [c for _, _, d in back.edges(data=True) for c in d["citations"]]
    assert HOSTILE_QUOTE in {c["quote"] for c in citations}
    assert {IMG_TITLE, SCRIPT_TITLE} <= {c["title"] for c in citations}
    assert HOSTILE_OUTLET in {c.get("outlet") for c in citations}
    assert all(c.get("url", "https://").startswith("https://") for c in citations)


def test_networkx_and_gephi_read_the_raw_files(graph: PropertyGraph, tmp_path: Path) -> None:
    export_graphml(graph, tmp_path / "g.graphml")
    export_gexf(graph, tmp_path / "g.gexf")
    raw = nx.read_graphml(tmp_path / "g.graphml")
    names = {d["label"] for _, d in raw.nodes(data=True)}
    assert "Lakemoor Township Police" in names  # Gephi shows the label: the name
    assert {d["node_type"] for _, d in raw.nodes(data=True)} == {"Vendor", "Agency", "Product"}
    assert {d["label"] for _, _, d in raw.edges(data=True)} == {"SELLS_TO", "MAKES"}
    root = ET.parse(tmp_path / "g.gexf").getroot()
    assert root.tag == "{http://www.gexf.net/1.2draft}gexf"
    colours = root.findall(".//{http://www.gexf.net/1.2draft/viz}color")
    assert len(colours) == graph.number_of_nodes() - len(
        [n for n in graph if n not in select(graph)])
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    assert gexf.is_directed()


def test_filters_are_the_html_filters(graph: PropertyGraph, tmp_path: Path) -> None:
    summary = export_gexf(graph, tmp_path / "optics.gexf", vendor="Brightline Optics")
    assert (summary.nodes, summary.edges) == (3, 2)
    back = read_graph_file(tmp_path / "optics.gexf")
    assert {d["status"] for _, _, d in back.edges(data=True)} >= {"ended"}
    with pytest.raises(KgError, match="no vendor named 'Nobody'"):
        export_graphml(graph, tmp_path / "x.graphml", vendor="Nobody")
    assert not (tmp_path / "x.graphml").exists()


def test_control_characters_do_not_break_the_xml(graph: PropertyGraph, tmp_path: Path) -> None:
    node = next(n for n, d in graph.nodes(data=True) if d["name"] == "GlassEye 3")
    graph.nodes[node]["name"] = "Glass\x0bEye\x00 3"
    graph.nodes[node]["aliases"] = ["Glass\x0bEye"]
    for suffix, writer in WRITERS.items():
        writer(graph, tmp_path / f"g{suffix}")
        back = read_graph_file(tmp_path / f"g{suffix}")
        assert back.nodes[node]["name"] == "Glass\ufffdEye\ufffd 3"
        assert back.nodes[node]["aliases"] == ["Glass\x0bEye"]


def test_only_out_is_written_and_errors_are_one_line(graph: PropertyGraph, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    export_graphml(graph, work / "g.graphml")
    assert os.listdir(work) == ["g.graphml"]
    with pytest.raises(KgError, match=r"^cannot write .*missing.*g\.gexf: "):
        export_gexf(graph, work / "missing" / "g.gexf")
    with pytest.raises(KgError, match=r"use a \.graphml or \.gexf file"):
        read_graph_file(work / "g.csv")
