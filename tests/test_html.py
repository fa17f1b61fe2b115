"""The HTML view, read as text: one self-contained file, nothing fetched, hostile data inert.

The same page is opened in a real browser by tests/test_html_browser.py.
"""

import base64
import hashlib
import json
import os
import re
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kg.context import Context, Evidence, SourceInfo
from kg.details import add_details
from kg.errors import KgError
from kg.export import export_html
from kg.html_export import HtmlSummary
from kg.html_export import export_html as export_page
from kg.ids import source_iri
from kg.projection import PropertyGraph, project
from kg.registry import load_registry
from kg.store import Store

IMG_TITLE = "<img src=x onerror=alert(1)>"
SCRIPT_TITLE = "</script><script>alert(2)</script>"
HOSTILE_VENDOR = "<img src=x onerror=\"window.pwned=3\"> & 'Sons'"
HOSTILE_QUOTE = ("The township bought GlassEye 3 from the vendor </script><script>alert(4)"
                 "</script> <!-- & \u2028 for $48,000.")
HOSTILE_OUTLET = "<b onmouseover=alert(5)>Gazette</b>"
EVIL_URL = "javascript:alert(6)"
TRICKY_URL = "https://news.example.org/a?q=\"><script>alert(7)</script>"
BUILT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def write_source(store: Store, key: str, *, title: str, url: str | None, vendor: str,
                 status: str, quote: str, published: str | None, outlet: str | None) -> str:
    """A made-up source: a vendor sells a camera to a township police force."""
    info = SourceInfo(iri=source_iri(f"test:{key}"), kind="Article", title=title, loader="test",
                      loader_version="1", content_hash=f"h-{key}", url=url, outlet=outlet,
                      published=published)
    ctx = Context(info, load_registry())
    seller = ctx.entity("vendor", vendor)
    agency = ctx.entity("agency", "Lakemoor Township Police")
    product = ctx.entity("product", "GlassEye 3")
    said = Evidence(quote, "test-rule", 1)
    ctx.engagement("contract", agency=agency, vendor=seller, product=product, status=status,
                   amount=Decimal("48000"), start_date=published, evidence=said)
    ctx.relationship("Making", seller, product, evidence=said)
    ctx.commit(store)
    return info.iri


def fill_hostile(store: Store) -> Store:
    """Two sources whose titles, names, quotes, outlets and links are all hostile."""
    write_source(store, "img", title=IMG_TITLE, url=EVIL_URL, vendor=HOSTILE_VENDOR,
                 status="active", quote=HOSTILE_QUOTE, published="2022-01-15",
                 outlet=HOSTILE_OUTLET)
    write_source(store, "script", title=SCRIPT_TITLE, url=TRICKY_URL,
                 vendor="Brightline Optics", status="ended",
                 quote="Brightline Optics & co. sold GlassEye 3 to the township.",
                 published="2019-03", outlet="Example Gazette")
    return store


def hostile_graph(store: Store) -> PropertyGraph:
    return add_details(project(fill_hostile(store)), store)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def page_data(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


@pytest.fixture
def hostile_page(store: Store, tmp_path: Path) -> str:
    out = tmp_path / "graph.html"
    export_page(hostile_graph(store), out, title=SCRIPT_TITLE, built=BUILT)
    return out.read_text(encoding="utf-8")


def test_only_out_is_written(store: Store, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    graph = hostile_graph(store)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    summary = export_html(graph, work / "graph.html", title="t")
    assert os.listdir(work) == ["graph.html"]
    assert isinstance(summary, HtmlSummary)
    assert (summary.nodes, summary.edges) == (4, 4)
    assert summary.bytes == (work / "graph.html").stat().st_size


def test_nothing_is_fetched(hostile_page: str) -> None:
    tags = parse(hostile_page)
    names = [tag for tag, _ in tags.tags]
    # Exactly the template's elements: a missed escape would add a script or an img.
    assert names.count("script") == 3
    assert names.count("form") == 1  # the search box, which never submits
    assert not {"img", "iframe", "object", "embed", "frame", "base", "svg"} & set(names)
    for tag, attrs in tags.tags:
        assert not (tag == "script" and "src" in attrs)
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = attrs.get(name) or ""
            assert value in ("", "data:,"), (tag, name, value)
    assert not re.search(r"url\(\s*(?!['\"]?data:)", hostile_page)  # CSS loads data: only
    assert "@import" not in hostile_page


def test_csp_allows_exactly_the_inline_scripts(hostile_page: str) -> None:
    tags = parse(hostile_page)
    csp = next(a["content"] for t, a in tags.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    rules = dict(rule.strip().split(" ", 1) for rule in csp.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["img-src"] == "data:"
    assert "unsafe-inline" not in rules["script-src"]
    code = [text for attrs, text in tags.scripts if "type" not in attrs]
    assert len(code) == 2
    for script in code:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in rules["script-src"]
    assert "vis.js is dual licensed" in code[0]  # vis-network's licence header is kept


def test_hostile_text_is_data_not_markup(hostile_page: str) -> None:
    for raw in (IMG_TITLE, SCRIPT_TITLE, "<img src=x", "<script>alert", "<b onmouseover",
                "\u2028"):
        assert raw not in hostile_page
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>" in hostile_page
    data = page_data(hostile_page)
    assert {s["t"] for s in data["sources"]} >= {IMG_TITLE, SCRIPT_TITLE}
    assert HOSTILE_VENDOR in {n["n"] for n in data["nodes"]}
    assert HOSTILE_QUOTE in data["strings"]
    assert HOSTILE_OUTLET in {s.get("o") for s in data["sources"]}
    links = {s["t"]: s.get("u") for s in data["sources"]}
    assert links[IMG_TITLE] is None  # javascript: is dropped
    assert links[SCRIPT_TITLE] == TRICKY_URL
    assert "javascript:" not in json.dumps(data)


def test_edges_carry_status_money_dates_and_citations(hostile_page: str) -> None:
    data = page_data(hostile_page)
    names = [n["n"] for n in data["nodes"]]
    types = [r["name"] for r in data["relations"]]
    sells = [e for e in data["edges"] if types[e["y"]] == "SELLS_TO"]
    ended = next(e for e in sells if e.get("s") == "ended")
    assert names[ended["f"]] == "Brightline Optics"
    assert names[ended["t"]] == "Lakemoor Township Police"
    assert (ended["m"], ended["d"], ended["p"]) == (48000.0, "2019-03", "GlassEye 3")
    source, quote, rule = ended["c"][0]
    assert data["sources"][source] == {"t": SCRIPT_TITLE, "k": "Article", "o": "Example Gazette",
                                       "d": "2019-03", "u": TRICKY_URL}
    assert data["strings"][quote].startswith("Brightline Optics & co.")
    assert data["strings"][rule] == "test-rule"
    assert [k["name"] for k in data["kinds"]] == ["Vendor", "Agency", "Product"]


def test_footer_names_data_and_date(hostile_page: str) -> None:
    footer = re.search(r'<footer id="kg-footer">(.*?)</footer>', hostile_page, re.S)
    assert footer
    text = footer.group(1)
    assert "built 2024-05-01 12:00 UTC" in text
    assert "from 2 sources published 2019-03 to 2022-01-15" in text
    assert "4 nodes, 4 relationships" in text


def names_in(page: str) -> set[str]:
    return {n["n"] for n in page_data(page)["nodes"]}


@pytest.mark.parametrize(("options", "expected"), [
    ({"focus": "Brightline Optics", "depth": 1},
     {"Brightline Optics", "Lakemoor Township Police", "GlassEye 3"}),
    ({"focus": "GlassEye 3", "depth": 0}, {"GlassEye 3"}),
    ({"vendor": "Brightline Optics"},
     {"Brightline Optics", "Lakemoor Township Police", "GlassEye 3"}),
    ({"since": "2020"}, {HOSTILE_VENDOR, "Lakemoor Township Police"}),
    ({"agency": "Lakemoor Township Police", "since": "2022-01"},
     {HOSTILE_VENDOR, "Lakemoor Township Police"}),
])
def test_subgraph_options(store: Store, tmp_path: Path, options: dict[str, Any],
                          expected: set[str]) -> None:
    out = tmp_path / "view.html"
    export_html(hostile_graph(store), out, **options)
    assert names_in(out.read_text(encoding="utf-8")) == expected


def test_category_keeps_the_products_deals(store: Store, tmp_path: Path) -> None:
    graph = hostile_graph(store)
    rekognition = "https://w3id.org/survkg/id/product/amazon-rekognition"
    graph.add_edge("https://w3id.org/survkg/id/agency/ice", rekognition, key="x", type="USES",
                   status="active", sources=["s:x"], citations=[], product_id=None,
                   amount_usd=None, start_date=None)
    out = tmp_path / "faces.html"
    export_html(graph, out, category="face recognition")
    assert names_in(out.read_text(encoding="utf-8")) >= {
        "Amazon Rekognition", "U.S. Immigration and Customs Enforcement"}
    with pytest.raises(KgError, match="no technology category 'crystal balls'; known"):
        export_html(graph, out, category="crystal balls")


@pytest.mark.parametrize(("options", "message"), [
    ({"focus": "Nobody Inc"}, "no node named 'Nobody Inc' to focus on"),
    ({"vendor": "Lakemoor Township Police"}, "no vendor named"),
    ({"since": "last year"}, "--since 'last year' is not a date"),
    ({"size_by": "fame"}, "cannot size nodes by 'fame'"),
])
def test_bad_options_are_one_line_errors(store: Store, tmp_path: Path, options: dict[str, Any],
                                         message: str) -> None:
    with pytest.raises(KgError, match=re.escape(message)) as caught:
        export_html(hostile_graph(store), tmp_path / "x.html", **options)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "x.html").exists()


def test_size_by_money_and_degree(store: Store, tmp_path: Path) -> None:
    graph = hostile_graph(store)
    for size_by in ("money", "degree", "none"):
        out = tmp_path / f"{size_by}.html"
        export_html(graph, out, size_by=size_by)
        sizes = {n["n"]: n["s"] for n in page_data(out.read_text(encoding="utf-8"))["nodes"]}
        if size_by == "none":
            assert len(set(sizes.values())) == 1
        else:
            assert sizes["Lakemoor Township Police"] == max(sizes.values())


def test_empty_store_gives_an_empty_page(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    summary = export_html(add_details(project(store), store), out)
    assert (summary.nodes, summary.edges) == (0, 0)
    assert "from 0 sources" in out.read_text(encoding="utf-8")


def test_unwritable_place_is_one_line(store: Store, tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"^cannot write .*missing.*graph\.html: "):
        export_html(project(store), tmp_path / "missing" / "graph.html")
