"""The query library as a Neo4j Browser guide: one slide per question, one click to run.

Why a guide: journalists work in Neo4j Browser, not in a terminal. A guide
(the HTML slide format Browser shows with ``:play <url>``) puts each library
query next to its purpose and its parameters (``:param`` lines, also
runnable), so a reporter can change "ICE" to another agency and run it.
Serve the file over http(s) from a host listed in Neo4j's
``browser.remote_content_hostname_allowlist``, then ``:play`` its URL.

Every text in the page (purposes, parameter values, query text) is escaped:
query files are data, not markup.
"""

import json
from html import escape
from pathlib import Path
from typing import Any

from kg.cypher import QUERIES_DIR, LibraryQuery, load_library
from kg.neo4j_sync import Names
from kg.schema import journalist_schema

TITLE = "surveillance-kg: who sells what to whom"


def write_guide(path: Path, directory: Path = QUERIES_DIR, title: str = TITLE) -> int:
    """Write the guide for every ``*.cypher`` in ``directory``; returns the number of queries."""
    queries = load_library(directory)
    path.write_text(guide_html(queries, title), encoding="utf-8")
    return len(queries)


def guide_html(queries: list[LibraryQuery], title: str = TITLE) -> str:
    """The guide's HTML: an introduction slide, then one slide per query."""
    slides = [_intro_slide(title, Names.from_schema(journalist_schema()))]
    slides += [_query_slide(query) for query in queries]
    return ('<article class="guide">\n  <carousel class="deck container-fluid">\n'
            + "".join(slides) + "  </carousel>\n</article>\n")


def _intro_slide(title: str, names: Names) -> str:
    labels = ", ".join(f"<code>{escape(n)}</code>" for n in sorted(names.labels))
    types = ", ".join(f"<code>{escape(n)}</code>" for n in sorted(names.types))
    return _slide(
        title, "The knowledge graph of surveillance procurement, with a source for every edge.",
        f"<p>Node labels: {labels}. Every node has <code>id</code> (its IRI), "
        "<code>name</code> and <code>aliases</code>.</p>\n"
        f"<p>Relationship types: {types}. Relationships carry <code>status</code>, "
        "<code>product</code>, <code>amount_usd</code>, <code>start_date</code>, "
        "<code>sources</code> (source ids) and <code>evidence</code> (quotes).</p>\n"
        "<p>Each next slide asks one question. Run its <code>:param</code> lines first, "
        "edit the values, then run the query.</p>\n")


def _query_slide(query: LibraryQuery) -> str:
    heading = query.name.replace("_", " ").capitalize()
    described = "".join(
        f"<li><code>${escape(name)}</code>: {escape(query.descriptions.get(name, ''))}</li>"
        for name in query.params)
    params = "\n".join(f":param {name} => {_cypher_literal(value)}"
                       for name, value in query.params.items())
    body = ""
    if params:
        body += _runnable(params, mode=None)
    body += _runnable(_without_header(query.text), mode="cypher")
    side = f"<ul>{described}</ul>\n" if described else ""
    return _slide(heading, query.purpose, side + body)


def _slide(heading: str, lead: str, body: str) -> str:
    return ('    <slide class="row-fluid">\n'
            f'      <div class="col-sm-3">\n        <h3>{escape(heading)}</h3>\n'
            f'        <p class="lead">{escape(lead)}</p>\n      </div>\n'
            f'      <div class="col-sm-9">\n{body}      </div>\n    </slide>\n')


def _runnable(code: str, mode: str | None) -> str:
    attr = f' mode="{mode}"' if mode else ""
    return (f'<figure><pre{attr} class="pre-scrollable code runnable">'
            f"{escape(code)}</pre></figure>\n")


def _without_header(text: str) -> str:
    """The query without its leading ``//`` comment lines (the slide shows them)."""
    lines = text.strip().splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines)


def _cypher_literal(value: Any) -> str:
    """A JSON scalar or list as a Cypher literal (JSON's string escapes are Cypher's).

    >>> _cypher_literal("ICE"), _cypher_literal(None), _cypher_literal([1, "a"])
    ('"ICE"', 'null', '[1, "a"]')
    """
    return json.dumps(value, ensure_ascii=False)
