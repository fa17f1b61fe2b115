"""EFF Atlas of Surveillance CSV export: Agency USES technology (from a vendor), cited.

Entry point: ``load_atlas(store, path, ...)``. One file is one source (a named
graph) written whole or not at all; fields are taken by name from the header
row (``AOSNUMBER, City, County, State, Agency, ..., Technology, Vendor, Link 1,
Link 1 Snapshot, Link 1 Source, Link 1 Type, Link 1 Date, ... Link 3 Date``).

Each row is a deployment engagement of its Agency (keyed by name and State
unless the registry knows it) with each Vendor named (free text; "A | B" names
two; empty means the supplier is unstated), carrying the registry's technology
category (``skg:category``, matched by label). The row's Summary is the quoted
evidence, and each Link N becomes a Source (URL, outlet, date) that the
engagement cites (``dct:source``). A row is quarantined (file, line, field,
reason) when its Agency is empty, its Technology is not a registry category, a
link date cannot be read, it holds bytes that are not UTF-8 text, or it repeats
an earlier row word for word.
``loaded + quarantined == read`` is checked for every file.
"""

from pathlib import Path

from kg import __version__
from kg import terms as t
from kg.context import Context, Evidence, SourceInfo
from kg.errors import InputError
from kg.ids import entity_iri, source_iri
from kg.records import Quarantine, RecordLoad, RowError, RowRejected, finish
from kg.resolve import Resolver
from kg.store import Store
from kg.values import date_literal
from loaders.detect import csv_records, take_csv_rows
from loaders.record_values import MISSING, DateReader
from loaders.usaspending import SourceKeys
from loaders.usaspending_input import Progress

LOADER = "atlas"
REQUIRED = ("AOSNUMBER", "State", "Agency", "Technology", "Vendor", "Summary")
LINKS = 3
UNKNOWN_DATES = MISSING | {"?", "N/A", "n/a", "NA", "unknown", "Unknown"}


def _date(text: str, field: str, dates: DateReader) -> str | None:
    """ISO date or year of a link date ("10/06/2018", "2024"); RowRejected if unreadable.

    "?" and "N/A" say the date is unknown: no date, not an error.
    """
    if text in UNKNOWN_DATES:
        return None
    if len(text) == 4 and text.isdigit():
        return text
    return dates.read(text, field)


class _Reader:
    def __init__(self, ctx: Context, resolver: Resolver, result: RecordLoad,
                 quarantine: Quarantine) -> None:
        self.ctx, self.resolver, self.result, self.quarantine = ctx, resolver, result, quarantine
        self.dates = DateReader("mdy")
        self._rows: dict[tuple[str, ...], int] = {}
        self._sources: set[str] = set()

    def row(self, line: int, row: dict[str, str]) -> None:
        values = {k: " ".join(v.split()) for k, v in row.items() if isinstance(k, str) and v}
        key = tuple(values.get(k, "") for k in row if isinstance(k, str))
        if key in self._rows:
            raise RowRejected(RowError("AOSNUMBER", f"row already on line {self._rows[key]}",
                                       values.get("AOSNUMBER", "")))
        name, state = values.get("Agency", ""), values.get("State", "")
        if not name:
            raise RowRejected(RowError("Agency", "empty agency name"))
        technology = values.get("Technology", "")
        category = self.resolver.registry.lookup(technology, ["category"])
        if category is None:
            raise RowRejected(RowError("Technology", "not a technology category of the "
                                                     "registry", technology))
        published = [_date(values.get(f"Link {n} Date", ""), f"Link {n} Date", self.dates)
                     for n in range(1, LINKS + 1)]
        self._rows[key] = line
        links = [self._link(values, n, published[n - 1]) for n in range(1, LINKS + 1)]
        agency = self._agency(name, state)
        vendors: list[str | None] = list(self._vendors(values.get("Vendor", "")))
        quote = values.get("Summary") or f"{name}: {technology}"
        evidence = Evidence(quote, f"atlas:{values.get('AOSNUMBER', '')}")
        for vendor in vendors or [None]:  # no vendor named: the supplier is unstated
            iri = self.ctx.engagement("deployment", agency=agency, vendor=vendor,
                                      evidence=evidence)
            self.ctx.emit(t.node(iri), t.skg("category"), t.node(category.iri))
            for link in links:
                if link:
                    self.ctx.emit(t.node(iri), t.CITES, t.node(link))

    def _agency(self, name: str, state: str) -> str:
        decision = self.resolver.agency(name, tier="local")
        iri = decision.iri
        if not decision.registry and state:  # "Police Department" names recur across states
            iri = entity_iri("agency", f"{state} {name}")
        self.ctx.organization(iri, "agency", name)
        self.ctx.decision(name, iri, decision.rule, decision.reason +
                          ("" if decision.registry else f", in {state}"))
        self.result.agency_ids.add(iri)
        return iri

    def _vendors(self, text: str) -> list[str]:
        found: list[str] = []
        for name in (part.strip() for part in text.split("|")):
            if not name:
                continue
            decision = self.resolver.vendor(name)
            self.ctx.organization(decision.iri, "vendor", name)
            self.ctx.decision(name, decision.iri, decision.rule, decision.reason)
            self.result.vendor_ids.add(decision.iri)
            if decision.iri not in found:
                found.append(decision.iri)
        return found

    def _link(self, values: dict[str, str], n: int, published: str | None) -> str | None:
        """The Source IRI of Link n (emitted once), or None if the row has no such link."""
        text, prefix = values.get(f"Link {n}", ""), f"Link {n}"
        if not text:
            return None
        iri = source_iri(text)
        if iri in self._sources:
            return iri
        self._sources.add(iri)
        node, outlet = t.node(iri), values.get(f"{prefix} Source", "")
        self.ctx.emit(node, t.TYPE, t.skg("Source"))
        if text.startswith(("http://", "https://")):
            self.ctx.emit(node, t.skg("url"), t.any_uri(text))
            self.ctx.emit(node, t.TITLE, t.text(outlet or text))
        else:  # the Atlas sometimes gives a document's title instead of its address
            self.ctx.emit(node, t.TITLE, t.text(text))
        if outlet:
            self.ctx.emit(node, t.skg("outlet"), t.text(outlet))
        if published and (literal := date_literal(published)) is not None:
            self.ctx.emit(node, t.ISSUED, literal)
        return iri


def load_atlas(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
               progress: Progress | None = None) -> RecordLoad:
    """Load one Atlas of Surveillance CSV as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) if the header lacks a required column.
    """
    with csv_records(path) as reader:
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: not an Atlas of Surveillance export (no column "
                             f"{', '.join(missing)}; the first row must be the header)")
        info = SourceInfo(iri=source.iri, kind="Record", title=f"Atlas of Surveillance: "
                          f"{path.name}", loader=LOADER, loader_version=__version__,
                          content_hash=source.content_hash, file=str(path),
                          url="https://atlasofsurveillance.org/",
                          outlet="Electronic Frontier Foundation",
                          resolution_hash=source.resolution_hash)
        result = RecordLoad(path, "loaded", info.iri, "atlas")
        quarantine = Quarantine(path)
        ctx = Context(info, resolver.registry)
        rows = _Reader(ctx, resolver, result, quarantine)
        take_csv_rows(reader, result, quarantine, progress, rows.row)
    return finish(result, ctx, store, quarantine)

