"""The HTML view in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

Every request other than the page itself is aborted and counted, console errors and
dialogs are recorded, and the reader's steps are done by clicking and typing.
Screenshots go to tests/artifacts/. Without Chromium or the playwright package the
tests are skipped, except under CI=true, where that is a failure.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.details import add_details
from kg.html_export import export_html
from kg.ingest import ingest_articles
from kg.projection import project
from kg.reference import ensure_reference
from kg.store import Store
from tests.test_html import HOSTILE_QUOTE, HOSTILE_VENDOR, IMG_TITLE, SCRIPT_TITLE, fill_hostile

ARTIFACTS = Path(__file__).parent / "artifacts"
FIXTURES = Path(__file__).parent / "fixtures" / "articles"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
# Hostile articles read by the real loader: the title, the outlet and the link are hostile.
HOSTILE_ARTICLES = {
    "img_title.txt": f"title: {IMG_TITLE}\nurl: javascript:alert(11)\n"
                     "outlet: <svg onload=alert(12)>\npublished: 2023-02-01\n---\n"
                     "Brightline Analytics pitched its software to the Harbor City Police "
                     "Department, according to emails.\n",
    "script_title.txt": f"title: {SCRIPT_TITLE}\npublished: 2023-03\n---\n"
                        "The Electronic Frontier Foundation criticized Amazon Web Services "
                        "over the deal.\n",
}
# Every element the page builds; a payload that became markup would add another.
ALLOWED_TAGS = {"header", "h1", "form", "label", "input", "datalist", "option", "button", "span",
                "main", "aside", "fieldset", "legend", "svg", "circle", "rect", "polygon",
                "line", "p", "div", "canvas", "footer", "noscript", "script", "h2", "h3", "dl",
                "dt", "dd", "ol", "ul", "li", "blockquote", "strong", "a"}
GLOBALS_SET_BY_PAYLOADS = "[window.pwned, window.alerted].filter(x => x !== undefined)"


def chromium() -> str:
    """Path of Debian's chromium with playwright importable; else skip (fail under CI)."""
    found = os.environ.get("KG_CHROMIUM") or shutil.which("chromium")
    missing = []
    if not found:
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401 - only checking that it is installed
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; .ci/run must install it")
        pytest.skip(reason)
    assert found
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Each launch gets a fresh temporary profile (Playwright's own --user-data-dir).
        launched = playwright.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Visit:
    """One page opened in a fresh browser context, and everything it tried to do."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clean(self) -> None:
        """No request but the page itself, no console error, no dialog."""
        assert self.blocked == []
        assert self.requests == [self.url]
        assert self.errors == []
        assert self.dialogs == []
        assert self.page.evaluate(GLOBALS_SET_BY_PAYLOADS) == []

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def details(self) -> str:
        return str(self.page.inner_text("#kg-details"))


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def visit(path: Path) -> Visit:
        context = browser.new_context(viewport={"width": 1400, "height": 900},
                                      service_workers="block")
        contexts.append(context)
        seen = Visit(context.new_page(), path.as_uri())

        def route(route: Any) -> None:
            if route.request.url == seen.url:
                route.continue_()
            else:
                seen.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = seen.page
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: seen.errors.append(str(error)))
        def dialog(box: Any) -> None:
            seen.dialogs.append(box.message)
            box.dismiss()

        page.on("dialog", dialog)
        page.goto(seen.url)
        page.wait_for_selector("body[data-kg-ready]", timeout=60_000)
        return seen

    yield visit
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture articles and two hostile ones through the real loader, plus hostile
    names and quotes written through the loader context; exported once."""
    folder = tmp_path_factory.mktemp("html")
    articles = folder / "articles"
    articles.mkdir()
    for name, text in HOSTILE_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    store = Store(folder / "store")
    ensure_reference(store)
    summary = ingest_articles(store, [*sorted(FIXTURES.glob("*.txt")),
                                      *sorted(articles.glob("*.txt"))])
    assert not summary.skipped
    fill_hostile(store)
    graph = add_details(project(store), store)
    store.close()
    out = {"all": folder / "all.html", "big": folder / "big.html"}
    export_html(graph, out["all"], title=SCRIPT_TITLE)
    from benchmarks.bench_html import synthetic_graph

    export_html(synthetic_graph(1_500, 5_000, sources=500), out["big"], size_by="money")
    return out


# Resolves once the view has not moved for 10 frames (a focus animation has ended).
SETTLED = """() => new Promise(resolve => {
  const network = window.kgView.network;
  let last = "", still = 0;
  const check = () => {
    const now = JSON.stringify([network.getViewPosition(), network.getScale()]);
    still = now === last ? still + 1 : 0;
    last = now;
    if (still >= 10) resolve(true); else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})"""


def click_edge(visit: Visit, start: str, edge_type: str, end: str) -> None:
    """Click the drawn line from ``start`` to ``end`` where no other line or node is."""
    visit.page.evaluate(SETTLED)
    point = visit.page.evaluate("""([start, type, end]) => {
      const network = window.kgView.network;
      const edge = Object.values(network.body.edges).find(e =>
        e.from.options.label === start && e.to.options.label === end &&
        e.options.label.startsWith(type));
      const box = network.canvas.frame.getBoundingClientRect();
      for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75]) {
        const at = network.canvasToDOM({x: edge.from.x + t * (edge.to.x - edge.from.x),
                                        y: edge.from.y + t * (edge.to.y - edge.from.y)});
        if (network.getNodeAt(at) === undefined && network.getEdgeAt(at) === edge.id) {
          return [box.left + at.x, box.top + at.y];
        }
      }
      return null;
    }""", [start, edge_type, end])
    assert point, f"no free spot on {start} {edge_type} {end}"
    visit.page.mouse.click(*point)


def search(visit: Visit, text: str) -> str:
    visit.page.fill("#kg-search", text)
    visit.page.press("#kg-search", "Enter")
    return str(visit.page.inner_text("#kg-search-status"))


def test_opens_offline_with_no_error_and_hostile_text_inert(open_page: Any,
                                                           pages: dict[str, Path]) -> None:
    visit = open_page(pages["all"])
    visit.clean()
    assert visit.page.inner_text("#kg-title") == SCRIPT_TITLE
    assert visit.page.title() == SCRIPT_TITLE
    assert visit.page.evaluate("document.querySelectorAll('img, iframe, object').length") == 0
    assert "Brightline Analytics" in visit.page.evaluate(
        "window.kgView.network.body.data.nodes.get().map(n => n.label)")
    visit.screenshot("html_view.png")


def test_legend_and_filters_work_by_clicking_and_typing(open_page: Any,
                                                        pages: dict[str, Path]) -> None:
    visit = open_page(pages["all"])
    page = visit.page
    nodes, edges = page.evaluate("[window.kgView.shownNodes, window.kgView.shownEdges]")
    page.click("#kg-kinds label:has-text('Organization')")
    assert page.evaluate("window.kgView.shownNodes") < nodes
    assert page.evaluate("window.kgView.shownEdges") < edges
    assert page.evaluate("window.kgView.network.body.nodes[0] !== undefined")
    page.click("#kg-kinds label:has-text('Organization')")
    assert page.evaluate("[window.kgView.shownNodes, window.kgView.shownEdges]") == [nodes, edges]
    page.click("#kg-statuses label:has-text('ended')")
    shown = page.evaluate("window.kgView.shownEdges")
    assert 0 < shown < edges
    assert f"{shown} of {edges} relationships" in page.inner_text("#kg-count")
    page.click("#kg-statuses label:has-text('ended')")
    page.click("#kg-relations label:has-text('CRITICIZES')")
    assert page.evaluate("window.kgView.shownEdges") < edges
    page.click("#kg-relations label:has-text('CRITICIZES')")
    page.fill("#kg-from", "2022")
    page.uncheck("#kg-undated")
    dated = page.evaluate("window.kgView.shownEdges")
    assert 0 < dated < edges
    page.fill("#kg-from", "")
    page.check("#kg-undated")
    assert page.evaluate("window.kgView.shownEdges") == edges
    visit.clean()


def test_search_finds_a_node_by_alias_or_acronym(open_page: Any, pages: dict[str, Path]) -> None:
    visit = open_page(pages["all"])
    ice = "U.S. Immigration and Customs Enforcement"
    assert search(visit, "ICE") == f"Found {ice}"
    assert visit.page.inner_text("#kg-details h2") == ice
    selected = visit.page.evaluate("window.kgView.network.getSelectedNodes()")
    labels = visit.page.evaluate("(ids) => window.kgView.network.body.data.nodes.get(ids)"
                                 ".map(n => n.label)", selected)
    assert labels == [ice]
    assert search(visit, "harbor city police") == "Found Harbor City Police Department"
    assert search(visit, "no such agency") == "No node is called “no such agency”."
    visit.clean()


def test_clicking_an_edge_shows_its_source_and_quote(open_page: Any,
                                                     pages: dict[str, Path]) -> None:
    visit = open_page(pages["all"])
    click_edge(visit, "Brightline Analytics", "SELLS TO", "Dover County Sheriff's Office")
    text = visit.details()
    assert "SELLS TO" in text and "$350,000" in text and "2021-03" in text
    quote = visit.page.inner_text("#kg-details blockquote")
    assert "PlateWatch" in quote and "$350,000" in quote
    link = visit.page.locator("#kg-details a")
    assert link.inner_text() == "County buys plate readers"
    assert link.get_attribute("href") == "https://example.org/news/alpha-sale"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert "Example Gazette · 2021-03-04" in text
    # neighbourhood highlight: the other nodes are greyed out
    faded = visit.page.evaluate("window.kgView.network.body.data.nodes.get()"
                                ".filter(n => n.color && n.color.background === '#eeeeee').length")
    assert faded > 0
    visit.screenshot("html_details.png")
    visit.clean()


def test_hostile_titles_names_and_quotes_show_as_text(open_page: Any,
                                                      pages: dict[str, Path]) -> None:
    visit = open_page(pages["all"])
    assert search(visit, "img src") == f"Found {HOSTILE_VENDOR}"
    assert visit.page.inner_text("#kg-details h2") == HOSTILE_VENDOR
    visit.page.click("#kg-details button.kg-link:has-text('SELLS TO')")
    text = visit.details()
    assert IMG_TITLE in text
    assert HOSTILE_QUOTE.replace("\u2028", "\n").split("\n")[0] in text
    assert visit.page.locator("#kg-details a").count() == 0  # javascript: link dropped
    click_edge(visit, "Brightline Analytics", "PITCHED TO", "Harbor City Police Department")
    text = visit.details()
    assert IMG_TITLE in text and "<svg onload=alert(12)>" in text
    assert visit.page.locator("#kg-details a").count() == 0
    assert search(visit, "Electronic Frontier") == "Found Electronic Frontier Foundation"
    visit.page.click("#kg-details button.kg-link:has-text('CRITICIZES')")
    assert SCRIPT_TITLE in visit.details()
    tags = visit.page.evaluate("[...document.querySelectorAll('body *')]"
                               ".map(e => e.tagName.toLowerCase())")
    assert set(tags) <= ALLOWED_TAGS
    visit.screenshot("html_hostile.png")
    visit.clean()


def test_large_graph_settles_and_stops(open_page: Any, pages: dict[str, Path]) -> None:
    visit = open_page(pages["big"])
    visit.clean()
    assert visit.page.evaluate("window.kgView.network.physics.physicsEnabled") is False
    assert visit.page.evaluate("window.kgView.shownNodes") == 1_500
    position = visit.page.evaluate("JSON.stringify(window.kgView.network.getPositions([0]))")
    visit.page.wait_for_timeout(500)
    assert visit.page.evaluate("JSON.stringify(window.kgView.network.getPositions([0]))") \
        == position
    visit.page.click("#kg-kinds label:has-text('Agency')")
    assert visit.page.evaluate("window.kgView.shownNodes") < 1_500
    visit.screenshot("html_large.png")
