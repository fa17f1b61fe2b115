"""Agency surveys: a newsroom's table of which agency gets which technology from whom.

Entry point: ``load_survey(store, path, ...)``. Reporters often publish their
own census of local agencies, e.g. the News & Observer's survey of North
Carolina plate-reader users (``id, name, type, city, county, notes, company,
cams_confirmed, cams_portal, flock_portal_url, document_url``). Two layouts are
read, each field by name:

* **alpr-survey**: the News & Observer columns above; every row is about
  automated license plate readers;
* **agency-vendor**: any table with ``agency`` and ``vendor`` columns, and
  optionally ``technology``, ``state``, ``notes``, ``url`` / ``document_url``.

Each row is an engagement of the agency with the vendor (no vendor when the
company is "Unknown"): USES by default; PILOTS when the notes speak of a demo
or a test; SELLS_TO when they say a contract is signed but nothing is
installed yet; ended when use was discontinued. The notes (with the camera
count) are the quoted evidence; each http(s) link is a Source the claim cites.
Agencies resolve as the data-sharing loader resolves them, so "Wilson NC PD"
here is the same node as in the Flock sharing lists. A row is quarantined
(file, line, field, reason) when the agency is empty, the technology is not a
registry category, it holds bytes that are not UTF-8, or it repeats a row.
``loaded + quarantined == read`` is checked for every file.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from kg import __version__
from kg import terms as t
from kg.context import Context, Evidence, SourceInfo
from kg.errors import InputError
from kg.ids import source_iri
from kg.records import Quarantine, RecordLoad, RowError, RowRejected, finish
from kg.resolve import Resolver
from kg.store import Store
from loaders.detect import csv_records, take_csv_rows
from loaders.usaspending import SourceKeys
from loaders.usaspending_input import Progress

LOADER = "survey"
UNKNOWN = {"", "na", "n/a", "none", "unknown", "?"}
_PILOT = re.compile(r"\b(demo(ed)?|test(ing)?|trial|pilot)\b", re.IGNORECASE)
_NOT_INSTALLED = re.compile(r"\b(no|none|not yet) (cameras )?installed|no cameras purchased",
                            re.IGNORECASE)
_ENDED = re.compile(r"\bdiscontinued\b|\bno longer\b", re.IGNORECASE)


@dataclass(frozen=True)
class SurveyLayout:
    """Which columns carry the agency, the vendor, the notes and the links."""

    name: str
    agency: str
    vendor: str
    required: tuple[str, ...]
    technology: str | None = None  # the column naming it, or None
    default_technology: str | None = None  # what every row is about, if the layout says
    links: tuple[str, ...] = ()
    count: str | None = None  # a column counting devices, quoted with the notes


LAYOUTS = (
    SurveyLayout("alpr-survey", "name", "company",
                 ("name", "company", "cams_confirmed", "notes"),
                 default_technology="automated license plate readers",
                 links=("document_url", "flock_portal_url"), count="cams_confirmed"),
    SurveyLayout("agency-vendor", "agency", "vendor", ("agency", "vendor"),
                 technology="technology", links=("url", "document_url", "source_url")),
)


def survey_layout(header: list[str]) -> SurveyLayout | None:
    """The layout whose required columns the header holds (names compared in lower case)."""
    names = {h.strip().lower() for h in header}
    return next((layout for layout in LAYOUTS if set(layout.required) <= names), None)


def _stage(notes: str) -> tuple[str, str]:
    """(stage, status) the notes state; a plain confirmation is use (deployment)."""
    status = "ended" if _ENDED.search(notes) else "active"
    if _PILOT.search(notes):
        return "pilot", status
    if _NOT_INSTALLED.search(notes):
        return "contract", status
    return "deployment", status


class _Reader:
    def __init__(self, ctx: Context, resolver: Resolver, layout: SurveyLayout,
                 result: RecordLoad) -> None:
        self.ctx, self.resolver, self.layout, self.result = ctx, resolver, layout, result
        self._rows: dict[tuple[tuple[str, str], ...], int] = {}
        self._sources: set[str] = set()

    def row(self, line: int, row: dict[str, str]) -> None:
        values = {k.strip().lower(): " ".join(v.split()) for k, v in row.items()
                  if isinstance(k, str) and isinstance(v, str)}
        layout = self.layout
        key = tuple(sorted(values.items()))
        if key in self._rows:
            raise RowRejected(RowError(layout.agency, f"row already on line {self._rows[key]}"))
        name = values.get(layout.agency, "")
        if name.lower() in UNKNOWN:
            raise RowRejected(RowError(layout.agency, "empty agency name", name))
        category = self._category(values)
        self._rows[key] = line
        agency = self._party(name, "agency")
        company = values.get(layout.vendor, "")
        vendor = None if company.lower() in UNKNOWN else self._party(company, "vendor")
        notes = values.get("notes", "")
        stage, status = _stage(notes)
        count = values.get(layout.count or "", "")
        quote = "; ".join(x for x in (f"{name}: {company or 'vendor unknown'}", notes,
                                      f"{count} cameras confirmed" if count.isdigit() else "")
                          if x)
        iri = self.ctx.engagement(stage, agency=agency, vendor=vendor, status=status,
                                  evidence=Evidence(quote, f"survey:{layout.name}"))
        if category:
            self.ctx.emit(t.node(iri), t.skg("category"), t.node(category))
        for column in layout.links:
            link = values.get(column, "")
            if link.startswith(("http://", "https://")):
                self.ctx.emit(t.node(iri), t.CITES, t.node(self._source(link)))

    def _category(self, values: dict[str, str]) -> str | None:
        column = self.layout.technology
        text = values.get(column, "") if column else ""
        text = text or self.layout.default_technology or ""
        if not text:
            return None
        category = self.resolver.registry.lookup(text, ["category"])
        if category is None:
            raise RowRejected(RowError(column or "technology",
                                       "not a technology category of the registry", text))
        return category.iri

    def _party(self, name: str, kind: str) -> str:
        decision = self.resolver.agency(name, tier="local") if kind == "agency" \
            else self.resolver.vendor(name)
        self.ctx.organization(decision.iri, kind, name)
        self.ctx.decision(name, decision.iri, decision.rule, decision.reason)
        (self.result.agency_ids if kind == "agency" else self.result.vendor_ids).add(decision.iri)
        return decision.iri

    def _source(self, url: str) -> str:
        """The Source IRI of a cited document (emitted once per file)."""
        iri = source_iri(url)
        if iri not in self._sources:
            self._sources.add(iri)
            node = t.node(iri)
            self.ctx.emit(node, t.TYPE, t.skg("Source"))
            self.ctx.emit(node, t.skg("url"), t.any_uri(url))
            self.ctx.emit(node, t.TITLE, t.text(url))
        return iri


def load_survey(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
                progress: Progress | None = None) -> RecordLoad:
    """Load one agency survey CSV as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) if the header matches no layout.
    """
    with csv_records(path) as reader:
        layout = survey_layout(list(reader.fieldnames or []))
        if layout is None:
            raise InputError(f"{path}: not an agency survey (needs the columns "
                             f"{' or '.join(', '.join(x.required) for x in LAYOUTS)})")
        info = SourceInfo(iri=source.iri, kind="Record", title=f"Agency survey: {path.name}",
                          loader=LOADER, loader_version=__version__,
                          content_hash=source.content_hash, file=str(path),
                          resolution_hash=source.resolution_hash)
        result = RecordLoad(path, "loaded", info.iri, layout.name)
        quarantine = Quarantine(path)
        ctx = Context(info, resolver.registry)
        rows = _Reader(ctx, resolver, layout, result)
        take_csv_rows(reader, result, quarantine, progress, rows.row)
    return finish(result, ctx, store, quarantine)

