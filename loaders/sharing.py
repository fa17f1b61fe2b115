"""Plate-reader data-sharing lists: Agency SHARES_DATA_WITH Agency.

Entry point: ``load_sharing(store, path, ...)``. One file is one source (a named
graph) written whole or not at all. Two layouts are read, each field by name:

- pairs (the Flock "agency access" export, e.g. the News & Observer's
  ``agency_access20240426.csv``): ``src_agency,external_agency[,src_agency_id,
  external_agency_id]``, one row per agency sharing its data with another;
- list (a public-records response naming an agency's sharing partners, e.g.
  Eugene's ``list.csv``): ``Name[,State,Type]``; the agency the list belongs to
  is not in the file, so the caller names it and the direction: ``shared_with``
  (each listed organisation shares its data with that agency) or ``shared_by``
  (that agency shares its data with each listed organisation).

A row is quarantined (file, line, field, reason) when a name is empty, an agency
would share with itself, the pair was already stated on an earlier line, or the
list's Type says the partner is not a government body (SHARES_DATA_WITH joins
agencies), or a field holds bytes that are not UTF-8 text.
``loaded + quarantined == read`` is checked for every file.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import __version__
from kg import terms as t
from kg.context import Context, SourceInfo
from kg.errors import InputError
from kg.records import (
    Quarantine,
    RecordLoad,
    RowError,
    RowRejected,
    settle,
    write_stream,
)
from kg.resolve import Resolver
from kg.store import Store
from loaders.detect import csv_records, require_text
from loaders.usaspending import SourceKeys
from loaders.usaspending_input import Progress

LOADER = "sharing"
BULK_BYTES = 2_000_000
PAIR_COLUMNS = ("src_agency", "external_agency")
LIST_COLUMNS = ("Name",)
NOT_AGENCY = frozenset({"private business", "business", "hoa", "homeowners association",
                        "private", "company"})
Triple = tuple[Any, Any, Any]


def sharing_layout(header: list[str]) -> str | None:
    """"pairs" or "list" for a header row, None if it is neither."""
    names = {name.strip().lstrip("\ufeff") for name in header}
    if all(column in names for column in PAIR_COLUMNS):
        return "pairs"
    if all(column in names for column in LIST_COLUMNS):
        return "list"
    return None


@dataclass(frozen=True)
class Holder:
    """The agency a partner list belongs to, and which way the data goes."""

    agency: str
    shares: bool  # True: the agency shares with the listed ones (--shared-by)

    @property
    def option(self) -> str:
        """The CLI option that named it, for error messages."""
        return "--shared-by" if self.shares else "--shared-with"

    @property
    def words(self) -> str:
        """How a source title says it."""
        return f"shared by {self.agency}" if self.shares else f"sharing with {self.agency}"


class _Reader:
    """Streams one file's triples; counts rows into ``result``."""

    def __init__(self, ctx: Context, resolver: Resolver, result: RecordLoad,
                 quarantine: Quarantine, holder: "Holder | None") -> None:
        self.ctx, self.resolver, self.result = ctx, resolver, result
        self.quarantine, self.holder = quarantine, holder
        self._pairs: dict[tuple[str, str], int] = {}
        self._shares = t.skg("sharesDataWith")

    def stream(self, reader: "csv.DictReader[str]", layout: str,
               progress: Progress | None) -> Iterator[Triple]:
        holder = self._agency(self.holder.agency, self.holder.option) \
            if layout == "list" and self.holder else ""
        chars = 0
        for row in reader:
            self.result.read += 1
            chars += sum(len(v) + 1 for v in row.values() if isinstance(v, str))
            line = reader.line_num
            try:
                if None in row:
                    raise RowRejected(RowError("(row)", "more fields than the header"))
                require_text(row)
                if layout == "pairs":
                    self._pair(line, self._agency(row.get("src_agency"), "src_agency"),
                               self._agency(row.get("external_agency"), "external_agency"))
                else:
                    kind = (row.get("Type") or "").strip()
                    if kind.lower() in NOT_AGENCY:
                        raise RowRejected(RowError("Type", "not a government agency; "
                                                           "SHARES_DATA_WITH joins agencies",
                                                   kind))
                    partner = self._agency(row.get("Name"), "Name")
                    if self.holder and self.holder.shares:
                        self._pair(line, holder, partner)
                    else:
                        self._pair(line, partner, holder)
                self.result.loaded += 1
            except RowRejected as rejected:
                self.quarantine.add(line, rejected.error)
                self.result.quarantined += 1
            if progress and self.result.read % 1000 == 0:
                progress(self.result.read, chars)
            if len(self.ctx.triples) >= 20_000:
                yield from self.ctx.drain()
        if progress:
            progress(self.result.read, chars)
        yield from self.ctx.drain()

    def _agency(self, value: str | None, field: str) -> str:
        name = " ".join((value or "").split())
        if not name:
            raise RowRejected(RowError(field, "empty agency name"))
        decision = self.resolver.agency(name, tier="local")
        self.ctx.organization(decision.iri, "agency", name)
        self.ctx.decision(name, decision.iri, decision.rule, decision.reason)
        self.result.agency_ids.add(decision.iri)
        return decision.iri

    def _pair(self, line: int, sharer: str, receiver: str) -> None:
        if sharer == receiver:
            raise RowRejected(RowError("external_agency", "an agency sharing with itself"))
        held = self._pairs.get((sharer, receiver))
        if held is not None:
            raise RowRejected(RowError("external_agency", f"pair already on line {held}"))
        self._pairs[(sharer, receiver)] = line
        self.ctx.emit(t.node(sharer), self._shares, t.node(receiver))


def load_sharing(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
                 progress: Progress | None = None, holder: Holder | None = None,
                 bulk_bytes: int | None = None) -> RecordLoad:
    """Load one data-sharing CSV as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) if the header is neither layout, or a
    list file comes without its ``holder``.
    """
    with csv_records(path) as reader:
        layout = sharing_layout(list(reader.fieldnames or []))
        if layout is None:
            raise InputError(f"{path}: not a data-sharing list (needs the columns "
                             f"{', '.join(PAIR_COLUMNS)}, or {', '.join(LIST_COLUMNS)})")
        if layout == "list" and not holder:
            raise InputError(f"{path}: a list of sharing partners does not name the agency "
                             f"it belongs to; give it with --shared-with AGENCY (they share "
                             f"with it) or --shared-by AGENCY (it shares with them)")
        title = f"Data-sharing {layout}: {path.name}" + \
            (f" ({holder.words})" if layout == "list" and holder else "")
        info = SourceInfo(iri=source.iri, kind="Record", title=title, loader=LOADER,
                          loader_version=__version__, content_hash=source.content_hash,
                          file=str(path), resolution_hash=source.resolution_hash)
        result = RecordLoad(path, "loaded", info.iri, layout)
        quarantine = Quarantine(path)
        stream = _Reader(Context(info, resolver.registry), resolver, result, quarantine,
                         holder).stream(reader, layout, progress)
        big = path.stat().st_size >= (BULK_BYTES if bulk_bytes is None else bulk_bytes)
        result.triples = write_stream(store, info.iri, stream, bulk=big)
    return settle(result, store, quarantine)
