"""The ``kg`` command line. Each command opens what it needs, calls one Python
function of the same name, and prints; errors become one line and exit 1."""

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kg import __version__
from kg.errors import KgError
from kg.store import Store, resolve_store_path

if TYPE_CHECKING:
    from kg.projection import PropertyGraph

F = TypeVar("F", bound=Callable[..., Any])
# Wide when piped (CI logs, files): rich would otherwise wrap tables at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def friendly_errors(func: F) -> F:
    """Turn a KgError into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as error:
            err.print(f"error: {error}", markup=False)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_store(ctx: click.Context) -> Iterator[Store]:
    """The store named by --store, $KG_STORE or ./kg-data, closed on exit.

    Readers open it read-write too: Oxigraph's lock then makes a reader that
    starts during a load fail fast with "store is locked" instead of reading
    files the writer is compacting (RocksDB's read-only mode does not guard that).
    """
    store = Store(resolve_store_path(ctx.obj["store"], dict(os.environ)))
    for graph in store.recovered:
        err.print(f"{store.path}: finished or undid an interrupted load of {graph}",
                  markup=False)
    try:
        yield store
    finally:
        store.close()


def _cell(value: Any) -> str:
    """A table or CSV cell: lists and maps as JSON, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def emit_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str, title: str = "") -> None:
    """Print rows as a table, JSON or CSV."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: _cell(row.get(c)) for c in columns} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    table = Table(title=title or None)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                      default="table", show_default=True, help="Output format.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Store directory (default: $KG_STORE, else ./kg-data).")
@click.version_option(__version__, prog_name="kg")
@click.pass_context
def main(ctx: click.Context, store: Path | None) -> None:
    """surveillance-kg: a cited knowledge graph of surveillance procurement."""
    ctx.ensure_object(dict)
    ctx.obj["store"] = store


# ------------------------------------------------------------------ ingest
@main.group()
def ingest() -> None:
    """Load sources into the store."""


@ingest.command("articles")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--max-bytes", default=5_000_000, show_default=True,
              help="Skip files larger than this (articles are small; this catches mistakes).")
@click.option("--strict", is_flag=True, help="Exit 1 if any file was skipped.")
@click.pass_context
@friendly_errors
def ingest_articles(ctx: click.Context, paths: tuple[Path, ...], max_bytes: int,
                    strict: bool) -> None:
    """Load news articles (.txt, .md, .html; files or folders)."""
    from kg.ingest import ARTICLE_SUFFIXES, expand_paths
    from kg.ingest import ingest_articles as run

    files = expand_paths(paths, ARTICLE_SUFFIXES)
    with open_store(ctx) as store, Progress(console=err, transient=True) as progress:
        task = progress.add_task("articles", total=len(files))
        summary = run(store, files, max_bytes=max_bytes,
                      on_file=lambda _: progress.advance(task))
    for _path, reason in summary.skipped:
        err.print(f"skipped: {reason}", markup=False)
    out.print(f"{len(files)} files: {len(summary.loaded)} loaded, "
              f"{len(summary.unchanged)} unchanged, {len(summary.skipped)} skipped; "
              f"{summary.relations} relations extracted", markup=False)
    if summary.skipped and (strict or not (summary.loaded or summary.unchanged)):
        sys.exit(1)


# ------------------------------------------------------------ ingest records
RECORD_OPTIONS = [
    click.option("--judgements", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Judgement file (default: <store>/resolution.judgements.csv if present)."),
    click.option("--columns", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Column list (a data dictionary CSV) for files without a header row."),
    click.option("--force", is_flag=True, help="Load files even if they are unchanged."),
    click.option("--contracts", type=click.Choice(["all", "relevant"]), default="all",
                 show_default=True,
                 help="USAspending files: which awards become Contract nodes. 'relevant' "
                      "keeps the others only in their vendor-agency totals (for "
                      "million-row downloads: several times fewer triples)."),
    click.option("--strict", is_flag=True,
                 help="Exit 1 if any file was skipped or any row quarantined."),
]


def record_options(func: F) -> F:
    """--judgements, --columns, --force, --contracts and --strict, in that order."""
    for option in reversed(RECORD_OPTIONS):
        func = option(func)
    return func


@ingest.command("usaspending")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@record_options
@click.pass_context
@friendly_errors
def ingest_usaspending(ctx: click.Context, paths: tuple[Path, ...], judgements: Path | None,
                       columns: Path | None, force: bool, contracts: str, strict: bool) -> None:
    """Load USAspending downloads and API results (prime awards, subawards, transactions)."""
    run_record_ingest(ctx, paths, "usaspending", judgements, columns, force, contracts, strict)


def _record_command(fmt: str, doc: str) -> None:
    """One `kg ingest FORMAT` command per record loader; they differ only in format."""

    @ingest.command(fmt, help=doc)
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @record_options
    @click.pass_context
    @friendly_errors
    def command(ctx: click.Context, paths: tuple[Path, ...], judgements: Path | None,
                columns: Path | None, force: bool, contracts: str, strict: bool) -> None:
        run_record_ingest(ctx, paths, fmt, judgements, columns, force, contracts, strict)


_record_command("fpds", "Load FPDS-NG ATOM feeds (XML; DOCTYPE/ENTITY declarations are refused).")
_record_command("ocds", "Load OCDS release or record packages (releases compiled by ocid).")
_record_command("atlas", "Load EFF Atlas of Surveillance CSV exports (agency, technology, "
                         "vendor, links).")
_record_command("survey", "Load agency surveys: a newsroom's table of agencies and the vendor "
                          "of their surveillance technology (e.g. the N&O plate-reader survey).")


@ingest.command("sharing")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@record_options
@click.option("--shared-with", metavar="AGENCY",
              help="For a partner list (Name,State,Type): the agency each listed "
                   "organisation shares its data with.")
@click.option("--shared-by", metavar="AGENCY",
              help="For a partner list: the agency that shares its data with each listed "
                   "organisation (the other direction).")
@click.pass_context
@friendly_errors
def ingest_sharing(ctx: click.Context, paths: tuple[Path, ...], judgements: Path | None,
                   columns: Path | None, force: bool, contracts: str, strict: bool,
                   shared_with: str | None, shared_by: str | None) -> None:
    """Load agency data-sharing lists (SHARES_DATA_WITH between agencies)."""
    run_record_ingest(ctx, paths, "sharing", judgements, columns, force, contracts, strict,
                      shared=(shared_with, shared_by))


@ingest.command("auto")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@record_options
@click.pass_context
@friendly_errors
def ingest_auto(ctx: click.Context, paths: tuple[Path, ...], judgements: Path | None,
                columns: Path | None, force: bool, contracts: str, strict: bool) -> None:
    """Load record files, detecting each file's format (kg ingest auto FILE...)."""
    run_record_ingest(ctx, paths, "auto", judgements, columns, force, contracts, strict)


def run_record_ingest(ctx: click.Context, paths: tuple[Path, ...], fmt: str,
                      judgements: Path | None, columns: Path | None, force: bool,
                      contracts: str, strict: bool,
                      shared: tuple[str | None, str | None] = (None, None)) -> None:
    """Progress bar per file, then one table and a totals line."""
    from kg.ingest import RECORD_SUFFIXES, expand_paths, ingest_records

    files = expand_paths(paths, RECORD_SUFFIXES)
    with open_store(ctx) as store, Progress(console=err, transient=True) as progress:
        tasks: dict[Path, Any] = {}

        def on_progress(path: Path, rows: int, chars: int, size: int) -> None:
            if path not in tasks:
                tasks[path] = progress.add_task(path.name, total=size)
            progress.update(tasks[path], completed=chars, description=f"{path.name} {rows:,}")

        summary = ingest_records(store, files, fmt, judgements=judgements, columns=columns,
                                 force=force, on_progress=on_progress,
                                 shared_with=shared[0], shared_by=shared[1],
                                 contracts=contracts)
        quarantine = store.path / "quarantine"
    rows = [{"file": r.path.name, "status": r.status, "layout": r.layout, "read": r.read,
             "loaded": r.loaded, "quarantined": r.quarantined, "awards": r.awards,
             "relevant": r.relevant} for r in summary.files]
    emit_rows(rows, ["file", "status", "layout", "read", "loaded", "quarantined", "awards",
                     "relevant"], "table", title="records")
    for result in summary.files:
        for reason, count in result.reasons.most_common():
            out.print(f"{result.path.name}: {count} quarantined: {reason}", markup=False)
        for note in result.notes:
            out.print(f"{result.path.name}: {note}", markup=False)
        if result.folded:
            out.print(f"{result.path.name}: {result.folded} awards not relevant to "
                      f"surveillance kept only in their vendor-agency totals "
                      f"(--contracts relevant)", markup=False)
    for _path, reason in summary.skipped:
        err.print(f"skipped: {reason}", markup=False)
    out.print(f"{len(files)} files: {summary.total('read')} rows read, "
              f"{summary.total('loaded')} loaded, {summary.total('quarantined')} quarantined"
              + (f" (see {quarantine})" if summary.total("quarantined") else "")
              + f"; {summary.total('awards')} awards, {summary.vendors} vendors, "
              f"{summary.agencies} agencies", markup=False)
    if (strict and (summary.skipped or summary.total("quarantined"))) or \
            (summary.skipped and not summary.files):
        sys.exit(1)


# ----------------------------------------------------------------- resolve
@main.group("resolve")
def resolve() -> None:
    """Entity resolution: why names became which vendor or agency."""


@resolve.command("explain")
@click.argument("name")
@click.option("--judgements", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Judgement file (default: <store>/resolution.judgements.csv if present).")
@click.pass_context
@friendly_errors
def resolve_explain(ctx: click.Context, name: str, judgements: Path | None) -> None:
    """Every recorded decision behind NAME: rules, reasons, parents, judgements."""
    from kg.resolve import explain

    with open_store(ctx) as store:
        explanation = explain(store, name, judgements=judgements)
    for line in explanation.lines():
        out.print(line, markup=False)
    if not explanation.entities:
        sys.exit(1)


@resolve.command("evaluate")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@friendly_errors
def resolve_evaluate(ctx: click.Context, gold: Path) -> None:
    """Precision and recall of parent companies against a recipient -> parent table."""
    from kg.resolution_eval import evaluate_parents

    with open_store(ctx) as store:
        scores = evaluate_parents(store, gold)
    out.print(f"{scores.matched_awards} of {scores.gold_awards} gold awards in the store; "
              f"parent precision {scores.precision:.2f}, recall {scores.recall:.2f} "
              f"({scores.correct} right of {scores.predicted_with_parent} given, "
              f"{scores.gold_with_parent} expected)", markup=False)


# --------------------------------------------------------------- relations
RELATION_COLUMNS = ["subject", "relation", "object", "product", "status", "amount_usd",
                    "start_date", "sources"]


@main.command("relations")
@click.option("--vendor", help="Only relations touching this vendor (name or alias).")
@click.option("--agency", help="Only relations touching this agency (or its sub-agencies).")
@click.option("--all", "include_reference", is_flag=True,
              help="Include reference facts, and relations no surveillance-relevant award "
                   "supports.")
@click.option("--explain", is_flag=True, help="Show the rule and sentence behind each relation.")
@FORMAT
@click.pass_context
@friendly_errors
def relations(ctx: click.Context, vendor: str | None, agency: str | None,
              include_reference: bool, explain: bool, fmt: str) -> None:
    """Vendor–agency relationships with their status and number of sources."""
    from kg.relations import relations as run

    with open_store(ctx) as store:
        rows = [r.as_dict() for r in run(store, vendor, agency, include_reference)]
    if explain and fmt == "table":
        for row in rows:
            out.print(f"{row['subject']} {row['relation']} {row['object']}", markup=False)
            for cite in row["citations"]:
                out.print(f"   [{cite['rule']}] {cite['title']}: “{cite['quote']}”",
                          markup=False)
        return
    emit_rows(rows, RELATION_COLUMNS, fmt, title="relations")


# ----------------------------------------------------------------- sources
@main.group("sources", invoke_without_command=True)
@FORMAT
@click.pass_context
@friendly_errors
def sources(ctx: click.Context, fmt: str) -> None:
    """List loaded sources (subcommand: remove)."""
    if ctx.invoked_subcommand:
        return
    from kg.sources import list_sources

    with open_store(ctx) as store:
        rows = [{**vars(s), "id": s.short_id} for s in list_sources(store)]
    emit_rows(rows, ["id", "kind", "title", "loader", "triples", "file"], fmt, title="sources")


@sources.command("remove")
@click.argument("ident")
@click.pass_context
@friendly_errors
def sources_remove(ctx: click.Context, ident: str) -> None:
    """Delete one source (id, IRI, URL or file) and exactly its claims."""
    from kg.sources import remove_source

    with open_store(ctx) as store:
        removed = remove_source(store, ident)
    out.print(f"removed {removed.short_id} ({removed.title}): {removed.triples} triples",
              markup=False)


# ------------------------------------------------------------------- query
@main.group()
def query() -> None:
    """Query the graph."""


@query.command("sparql")
@click.argument("query_text", metavar="QUERY|FILE.rq")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (an http(s) value binds an IRI).")
@FORMAT
@click.pass_context
@friendly_errors
def query_sparql(ctx: click.Context, query_text: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a SPARQL query (text or .rq file) over every source graph."""
    from kg.query import parse_param, read_query, sparql

    bindings = dict(parse_param(p) for p in params)
    with open_store(ctx) as store:
        result = sparql(store, read_query(query_text), bindings)
    if result.boolean is not None:
        click.echo("true" if result.boolean else "false")
    elif result.graph is not None:
        click.echo(result.graph, nl=False)
    else:
        emit_rows([dict(zip(result.columns, r, strict=True)) for r in result.rows],
                  result.columns, fmt)


# ------------------------------------------------------------------- neo4j
NEO4J_OPTIONS = [
    click.option("--uri", help="Bolt URI (default: $NEO4J_URI, else bolt://localhost:7687)."),
    click.option("--user", help="User (default: $NEO4J_USER, else neo4j); the password is "
                               "read from $NEO4J_PASSWORD only."),
    click.option("--database", help="Database (default: $NEO4J_DATABASE, else the server's "
                                   "default)."),
]


def neo4j_options(func: F) -> F:
    """--uri, --user and --database, in that order."""
    for option in reversed(NEO4J_OPTIONS):
        func = option(func)
    return func


@main.group("neo4j")
def neo4j_group() -> None:
    """Copy the graph to Neo4j; write its query library as a Browser guide."""


@neo4j_group.command("push")
@neo4j_options
@click.pass_context
@friendly_errors
def neo4j_push(ctx: click.Context, uri: str | None, user: str | None,
               database: str | None) -> None:
    """Write the journalist graph to Neo4j: unchanged data is not rewritten, and a removed
    source's claims are deleted. Only nodes and relationships marked `kg` are touched."""
    from kg.cypher import Neo4jTarget
    from kg.neo4j_sync import push
    from kg.projection import project

    target = Neo4jTarget.from_env(os.environ, uri=uri, user=user, database=database)
    with open_store(ctx) as store:
        graph = project(store)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("neo4j", total=None)
        report = push(graph, target.uri, target.user, target.password, target.database,
                      on_progress=lambda done, total: progress.update(
                          task, completed=done, total=total))
    out.print(f"pushed to {target.uri}: {report.summary()}", markup=False)


@neo4j_group.command("guide")
@click.argument("out_path", metavar="OUT.html", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--queries", "directory", default=None,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of .cypher files (default: the bundled queries/).")
@friendly_errors
def neo4j_guide(out_path: Path, directory: Path | None) -> None:
    """Write the query library as a Neo4j Browser guide (serve it over http, then :play URL)."""
    from kg.cypher import QUERIES_DIR
    from kg.neo4j_guide import write_guide

    count = write_guide(out_path, directory or QUERIES_DIR)
    out.print(f"wrote {out_path}: {count} queries", markup=False)


@query.command("cypher")
@click.argument("query_text", metavar="QUERY|FILE.cypher")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help='Bind $NAME to VALUE: JSON (10, true, null, [1,2], "quoted") keeps its '
                   "type, anything else is text. A .cypher file's defaults apply otherwise.")
@click.option("--neo4j", "use_neo4j", is_flag=True,
              help="Run on Neo4j even without $NEO4J_URI (then bolt://localhost:7687).")
@FORMAT
@click.pass_context
@friendly_errors
def query_cypher(ctx: click.Context, query_text: str, params: tuple[str, ...],
                 use_neo4j: bool, fmt: str) -> None:
    """Run a read-only Cypher query (text or .cypher file) on Neo4j or the embedded engine."""
    from kg.cypher import neo4j_target, parse_param, read_cypher, run_cypher

    query_file = read_cypher(query_text)
    bindings = {**query_file.params, **dict(parse_param(p) for p in params)}
    target = neo4j_target(os.environ, force=use_neo4j)
    if target is None:  # the embedded engine, a derived index of the store
        from kg.embedded import run_embedded

        with open_store(ctx) as store:
            columns, rows = run_embedded(store, query_file.text, bindings)
    else:
        columns, rows = run_cypher(query_file.text, bindings, target.uri, target.user,
                                   target.password, target.database)
    emit_rows([dict(zip(columns, row, strict=True)) for row in rows], columns, fmt)


# ------------------------------------------------------------------ export
SUBGRAPH_OPTIONS = [
    click.option("--focus", metavar="NAME",
                 help="Only NAME (a name, alias or acronym) and its neighbourhood."),
    click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
                 help="How many hops around --focus."),
    click.option("--vendor", metavar="NAME",
                 help="Only relationships of this vendor or its subsidiaries."),
    click.option("--agency", metavar="NAME",
                 help="Only relationships of this agency or its parts."),
    click.option("--category", metavar="NAME",
                 help="Only deals about products of this technology category (e.g. ALPR)."),
    click.option("--since", metavar="DATE",
                 help="Only relationships that started on or after DATE (YYYY[-MM[-DD]])."),
]


def subgraph_options(func: F) -> F:
    """--focus, --depth, --vendor, --agency, --category and --since, in that order."""
    for option in reversed(SUBGRAPH_OPTIONS):
        func = option(func)
    return func


def export_graph(ctx: click.Context) -> "PropertyGraph":
    """The projection with source details and product categories, for the file exports."""
    from kg.details import add_details
    from kg.projection import project

    with open_store(ctx) as store:
        return add_details(project(store), store)


@main.group()
def export() -> None:
    """Write the graph to files."""


@export.command("rdf")
@click.argument("out_path", metavar="OUT.{ttl,nt,nq,trig,jsonld}", type=click.Path(path_type=Path))
@click.pass_context
@friendly_errors
def export_rdf(ctx: click.Context, out_path: Path) -> None:
    """Dump the store as RDF; the format follows the file suffix."""
    from kg.export import export_rdf as run

    with open_store(ctx) as store:
        count = run(store, out_path)
    out.print(f"wrote {count} statements to {out_path}", markup=False)


@export.command("html")
@click.argument("out_path", metavar="OUT.html", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default="surveillance-kg graph", show_default=True,
              help="Page title and heading (shown as text).")
@subgraph_options
@click.option("--size-by", type=click.Choice(["degree", "money", "none"]), default="degree",
              show_default=True, help="Node size: relationships, dollars on them, or equal.")
@click.pass_context
@friendly_errors
def export_html(ctx: click.Context, out_path: Path, title: str, focus: str | None, depth: int,
                vendor: str | None, agency: str | None, category: str | None,
                since: str | None, size_by: str) -> None:
    """Write one self-contained interactive HTML file: works offline, loads nothing."""
    from kg.export import export_html as run

    summary = run(export_graph(ctx), out_path, title=title, focus=focus, depth=depth,
                  vendor=vendor, agency=agency, category=category, since=since, size_by=size_by)
    out.print(f"wrote {out_path}: {summary.nodes} nodes, {summary.edges} relationships, "
              f"{summary.bytes / 1e6:.1f} MB", markup=False)


def _graph_file(ctx: click.Context, fmt: str, out_path: Path, filters: dict[str, Any]) -> None:
    """GraphML and GEXF share one path: the same view as the HTML, another file format."""
    from kg import export as exports

    run = exports.export_graphml if fmt == "graphml" else exports.export_gexf
    summary = run(export_graph(ctx), out_path, **filters)
    out.print(f"wrote {out_path}: {summary.nodes} nodes, {summary.edges} relationships",
              markup=False)


@export.command("graphml")
@click.argument("out_path", metavar="OUT.graphml", type=click.Path(dir_okay=False, path_type=Path))
@subgraph_options
@click.pass_context
@friendly_errors
def export_graphml(ctx: click.Context, /, out_path: Path, **filters: Any) -> None:
    """Write the graph as GraphML (yEd, Cytoscape, networkx); the same view as the HTML."""
    _graph_file(ctx, "graphml", out_path, filters)


@export.command("gexf")
@click.argument("out_path", metavar="OUT.gexf", type=click.Path(dir_okay=False, path_type=Path))
@subgraph_options
@click.pass_context
@friendly_errors
def export_gexf(ctx: click.Context, /, out_path: Path, **filters: Any) -> None:
    """Write the graph as GEXF for Gephi (colours and sizes included); same view as the HTML."""
    _graph_file(ctx, "gexf", out_path, filters)


@export.command("sparql-store")
@click.argument("url")
@click.pass_context
@friendly_errors
def export_sparql_store(ctx: click.Context, url: str) -> None:
    """PUT every source graph to a SPARQL Graph Store endpoint (e.g. http://host:7878/store)."""
    from kg.sparql_store import push

    with open_store(ctx) as store, Progress(console=err, transient=True) as progress:
        task = progress.add_task("graphs", total=None)
        result = push(store, url, on_graph=lambda _graph, _n: progress.advance(task))
    out.print(f"pushed {result.graphs} graphs ({result.triples} triples) to {result.endpoint}",
              markup=False)


@export.command("ontology-doc")
@click.argument("out_path", metavar="OUT.html", type=click.Path(path_type=Path))
@friendly_errors
def export_ontology_doc(out_path: Path) -> None:
    """Write the ontology's HTML documentation (classes, properties, alignments, version IRI)."""
    from kg.ontology_doc import export_ontology_doc as run

    count = run(out_path)
    out.print(f"wrote {out_path}: {count} terms", markup=False)


# ------------------------------------------------------------------- serve
@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the whole graph.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535))
@click.option("--cors/--no-cors", default=True, show_default=True,
              help="Let browser clients (YASGUI) on other origins query the endpoint.")
@click.option("--timeout-s", type=click.IntRange(1), default=None,
              help="Stop any query running longer than this many seconds.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int, cors: bool, timeout_s: int | None) -> None:
    """SPARQL endpoint over a snapshot of the store (read-only) until Ctrl-C."""
    from kg.serve import Server, is_loopback
    from kg.serve import serve as run

    def ready(server: Server) -> None:
        for graph in server.recovered:
            err.print(f"{path}: finished or undid an interrupted load of {graph}",
                      markup=False)
        out.print(f"serving {path} read-only at {server.url}/ (query UI); SPARQL endpoint "
                  f"{server.query_url}; Ctrl-C to stop", markup=False)
        out.print("loads made from now on show after a restart", markup=False)

    path = resolve_store_path(ctx.obj["store"], dict(os.environ))
    if not is_loopback(host):
        err.print(f"warning: listening on {host}: anyone who reaches it can read the whole graph",
                  markup=False)
    run(path, host, port, cors=cors, timeout_s=timeout_s, on_ready=ready)


# ------------------------------------------------------- validate and stats
@main.command("validate")
@click.pass_context
@friendly_errors
def validate(ctx: click.Context) -> None:
    """Check every source graph against the SHACL shapes."""
    from kg.validate import validate as run

    with open_store(ctx) as store:
        report = run(store)
    for v in report.violations:
        out.print(f"{v.severity}: {v.focus_node} [{v.shape}] {v.message}", markup=False)
    if not report.conforms:
        err.print(f"error: {len(report.violations)} violations", markup=False)
        sys.exit(1)
    out.print("ok: every source graph conforms to the shapes", markup=False)


@main.command("stats")
@FORMAT
@click.pass_context
@friendly_errors
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts of sources, entities and relations."""
    from kg.stats import stats as run

    with open_store(ctx) as store:
        rows = [{"what": k, "count": v} for k, v in run(store).items()]
    emit_rows(rows, ["what", "count"], fmt, title="stats")


# -------------------------------------------------------------------- eval
@main.group("eval")
def evaluate() -> None:
    """Measure extraction quality."""


@evaluate.command("articles")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--errors/--no-errors", default=True, show_default=True,
              help="List false positives and misses.")
@friendly_errors
def eval_articles(directory: Path, errors: bool) -> None:
    """Precision, recall and F1 per relation type against DIRECTORY/gold.jsonl."""
    from kg.evaluate import evaluate_articles

    report = evaluate_articles(directory)
    rows = [{"relation": name, "gold": s.gold, "predicted": s.predicted,
             "precision": f"{s.precision:.2f}", "recall": f"{s.recall:.2f}",
             "f1": f"{s.f1:.2f}"}
            for name, s in sorted(report.scores.items())]
    total = report.overall
    rows.append({"relation": "OVERALL", "gold": total.gold, "predicted": total.predicted,
                 "precision": f"{total.precision:.2f}", "recall": f"{total.recall:.2f}",
                 "f1": f"{total.f1:.2f}"})
    emit_rows(rows, ["relation", "gold", "predicted", "precision", "recall", "f1"], "table",
              title=f"{report.articles} articles in {directory}")
    if errors:
        for fp in report.false_positives:
            out.print(f"false positive: {fp.describe()}  [{fp.rule}]", markup=False)
        for miss in report.misses:
            out.print(f"miss: {miss.describe()}", markup=False)
