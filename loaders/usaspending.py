"""USAspending award records: Contracts tied to resolved vendors, agencies and products.

Entry point: ``load_usaspending(store, path, ...)``. One file is one source (a
named graph) written whole or not at all. Rows stream through the csv module;
a bad row is quarantined with its line, field and reason, and
``loaded + quarantined == read`` is checked for every file. Prime award
summaries give one Contract per row; transaction and subaward files roll their
modifications up into one Contract per award (obligations summed, negative
de-obligations kept, first and last action dates). Each award supports one
engagement per vendor, agency and product (SELLS_TO in the journalist graph);
an award to a government body is Funding between two agencies instead.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg import terms as t
from kg.context import Context, Evidence, SourceInfo, engagement_iri
from kg.engagements import EngagementTotals
from kg.records import (
    ContractRecord,
    Quarantine,
    RecordLoad,
    RowError,
    RowRejected,
    contract_iri,
    settle,
    write_stream,
)
from kg.resolve import Decision, Resolver, clean_duns, clean_uei
from kg.store import Store
from loaders.record_values import MISSING, TRUE, DateReader, read_amount
from loaders.relevance import RelevanceTagger
from loaders.usaspending_input import Progress, Rows, open_rows
from loaders.usaspending_layouts import GOVERNMENT_FLAGS, generated_award_key

METADATA: dict[str, str | list[str]] = {
    "title": "USAspending award downloads and API results",
    "publisher": "U.S. Department of the Treasury, USAspending.gov",
    "formats": ["prime award summaries (286 / 279 columns)", "subawards (118 columns)",
                "transactions (2018, 259 columns, with or without header)",
                "spending_by_award (awards and subawards) / spending_by_transaction JSON: "
                "one response, pages in a JSON array, JSON Lines or appended responses; "
                "display-name CSV"],
}
LOADER = "usaspending"
BULK_BYTES = 2_000_000  # bigger files stream through the bulk loader
CHUNK = 20_000  # triples handed to the store at a time
Triple = tuple[Any, Any, Any]


@dataclass
class _Parties:
    """Who an award joins, as resolved for the row that introduced it."""

    awarded_by: str
    agency: str
    recipient: Decision
    family: tuple[str, ...]
    government: bool
    office_name: str


@dataclass
class _Pending:
    record: ContractRecord
    parties: _Parties
    recipient_name: str
    prime: tuple[str, str | None, str] | None = None  # (prime key, piid, prime vendor IRI)


@dataclass
class _Loader:
    """Reads one file's rows into one context; ``stream`` yields the source's triples."""

    ctx: Context
    rows: Rows
    resolver: Resolver
    tagger: RelevanceTagger
    result: RecordLoad
    quarantine: Quarantine
    dates: DateReader = field(init=False)
    _fields: list[tuple[str, int]] = field(default_factory=list)
    _gov: list[int] = field(default_factory=list)
    _agencies: dict[tuple[str, ...], tuple[str, str, str]] = field(default_factory=dict)
    _recipients: dict[tuple[Any, ...], tuple[Decision, tuple[str, ...]]] = field(
        default_factory=dict)
    _engagements: dict[tuple[str, str, str], str] = field(default_factory=dict)
    _totals: EngagementTotals = field(default_factory=EngagementTotals)
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dates = DateReader(self.rows.date_order)
        gov = set(GOVERNMENT_FLAGS)
        self._fields = [(k, i) for k, i in self.rows.columns.items() if k not in gov]
        self._gov = [i for k, i in self.rows.columns.items() if k in gov]

    # ----------------------------------------------------------- driving
    def stream(self) -> Iterator[Triple]:
        """Every triple of the source, in chunks, with the totals at the end."""
        width, bad = self.rows.width, self.rows.bad_lines
        for line, fields in self.rows.rows:
            self.result.read += 1
            try:
                if width and len(fields) != width:
                    raise RowRejected(RowError("(row)", f"{len(fields)} fields, the header "
                                                        f"has {width}"))
                if bad and line in bad:
                    raise RowRejected(RowError("(row)", "undecodable bytes (not UTF-8)"))
                self._row(line, fields)
                self.result.loaded += 1
            except RowRejected as rejected:
                self.quarantine.add(line, self._as_written(rejected.error))
                self.result.quarantined += 1
            if len(self.ctx.triples) >= CHUNK:
                yield from self.ctx.drain()
        for pending in self._pending.values():
            self._emit(pending)
            if len(self.ctx.triples) >= CHUNK:
                yield from self.ctx.drain()
        self._totals.emit(self.ctx, f"usaspending:{self.rows.layout.name}")
        yield from self.ctx.drain()

    def _as_written(self, error: RowError) -> RowError:
        """The error with the field named as the file names it (total_obligated_amount)."""
        index = self.rows.columns.get(error.field)
        if index is None:
            return error
        return RowError(self.rows.header[index], error.reason, error.value)

    def _row(self, line: int, fields: list[str]) -> None:
        # hot path (a million rows): inline what clean() does; rows have the header's width
        values = {name: value for name, i in self._fields
                  if (value := fields[i].strip()) and value not in MISSING}
        government = any(fields[i] in TRUE for i in self._gov) or \
            "GOVERNMENT" in values.get("business_types", "").upper()
        parties = self._parties(values, government)
        kind = self.rows.layout.kind
        if kind == "award":
            self._award(line, values, parties)
        else:
            self._action(line, values, parties, kind)

    # ------------------------------------------------------------ awards
    def _award(self, line: int, values: dict[str, str], parties: _Parties) -> None:
        key = values.get("award_key") or self._fallback_key(values)
        if key in self._seen:
            raise RowRejected(RowError("award_key", f"award already on line {self._seen[key]}",
                                       key))
        record = ContractRecord(key, line, piid=values.get("piid") or None,
                                permalink=values.get("permalink") or None,
                                description=values.get("description") or None,
                                psc=values.get("psc") or None, naics=values.get("naics") or None)
        obligated = values.get("obligated", "")
        if obligated:
            record.obligated = read_amount(obligated, "obligated")
        elif "obligated" in self.rows.columns and self.rows.layout.name == "prime-awards":
            raise RowRejected(RowError("total_obligated_amount", "empty amount"))
        record.first_action = self._date(values, "first_action") or self._date(values, "start")
        record.last_action = self._date(values, "last_action") or record.first_action
        record.end_date = self._date(values, "end")
        self._seen[key] = line
        self._emit(_Pending(record, parties, values.get("recipient", "")))

    def _action(self, line: int, values: dict[str, str], parties: _Parties, kind: str) -> None:
        amount = read_amount(values.get("obligated", ""), "obligated") \
            if values.get("obligated") else None
        if amount is None:
            raise RowRejected(RowError("obligated", "empty amount"))
        action = self._date(values, "action_date")
        if action is None:
            raise RowRejected(RowError("action_date", "empty date"))
        end = self._date(values, "end")
        prime = None
        if kind == "subaward":
            prime_key = values.get("prime_key")
            if not prime_key:
                raise RowRejected(RowError("prime_key", "no prime award key: nothing to hang "
                                                        "it under"))
            key = f"SUB_{prime_key}_{values.get('sub_number', '')}"
            prime = (prime_key, values.get("prime_piid") or None, self._prime_vendor(values))
        else:
            key = values.get("award_key") or self._transaction_key(values)
        pending = self._pending.get(key)
        if pending is None:
            record = ContractRecord(key, line, piid=values.get("piid") or None,
                                    permalink=values.get("permalink") or None)
            pending = self._pending[key] = _Pending(record, parties,
                                                    values.get("recipient", ""), prime)
        record = pending.record
        record.add_action(amount, action, line=line, end_date=end)
        record.description = record.description or values.get("description") or None
        record.psc = values.get("psc") or record.psc
        record.naics = values.get("naics") or record.naics

    def _date(self, values: dict[str, str], name: str) -> str | None:
        text = values.get(name)
        return self.dates.read(text, name) if text else None

    def _transaction_key(self, values: dict[str, str]) -> str:
        piid, code = values.get("piid", ""), values.get("subagency_code", "")
        if not piid:
            raise RowRejected(RowError("award_id_piid", "empty contract number"))
        if not code:
            return self._fallback_key(values)
        return generated_award_key(piid, code, values.get("parent_piid", ""),
                                   values.get("parent_agency_id", ""),
                                   values.get("idv_flag", "").upper() == "IDV")

    def _fallback_key(self, values: dict[str, str]) -> str:
        """API rows without generated_internal_id: keyed by PIID and agency (noted once)."""
        piid = values.get("piid", "")
        if not piid:
            raise RowRejected(RowError("award_key", "no award key and no Award ID"))
        note = "rows without generated_internal_id are keyed by Award ID and agency; " \
               "they will not join the same award from a prime-award file"
        if note not in self.result.notes:
            self.result.notes.append(note)
        agency = values.get("subagency_code") or values.get("subagency") or \
            values.get("agency", "")
        return f"PIID_{piid}_{agency}"

    # ------------------------------------------------------------ parties
    def _parties(self, values: dict[str, str], government: bool) -> _Parties:
        awarded_by, agency, office = self._awarding(values)
        get = values.get
        key = (get("recipient", ""), get("uei", ""), get("duns", ""), get("parent", ""),
               get("parent_uei", ""), get("parent_duns", ""), government)
        found = self._recipients.get(key)
        if found is None:
            name, uei, duns = key[0], clean_uei(key[1]), clean_duns(key[2])
            if not (name or uei or duns):
                raise RowRejected(RowError("recipient_name", "no recipient name, UEI or DUNS"))
            parent = (key[3], clean_uei(key[4]), clean_duns(key[5]))
            recipient = self._recipient(name, uei, duns, parent, government)
            found = (recipient, self.resolver.family(recipient.iri))
            self._recipients[key] = found
        return _Parties(awarded_by, agency, found[0], found[1], government, office)

    def _recipient(self, name: str, uei: str, duns: str, parent: tuple[str, str, str],
                   government: bool) -> Decision:
        kind = "agency" if government or self.resolver.registry.lookup(name, ["agency"]) \
            else "vendor"
        decision = self.resolver.vendor(name or uei or duns, uei, duns, kind=kind)
        self._organization(decision, (("uei", uei), ("duns", duns)))
        found = self.resolver.parent(decision, *parent, child_uei=uei, child_duns=duns)
        if found is not None:
            self._organization(found, (("uei", parent[1]), ("duns", parent[2])))
            quote = f"{name}: parent {parent[0] or '?'}" + \
                "".join(f" ({k} {v})" for k, v in (("UEI", parent[1]), ("DUNS", parent[2])) if v)
            self._link(decision.iri, found.iri, kind, quote, "parent-field")
        for member in (decision, found):
            group = self.resolver.group(member) if member is not None else None
            if member is not None and group is not None:
                self.ctx.organization(group.iri, group.kind, group.name)
                self.result.vendor_ids.add(group.iri)
                self._link(member.iri, group.iri, kind, group.reason, "registry-group")
        return decision

    def _link(self, child: str, parent: str, kind: str, quote: str, rule: str) -> None:
        if kind == "agency":
            self.ctx.emit(t.node(child), t.skg("partOf"), t.node(parent))
            return
        self.ctx.relationship("Ownership", child, parent, evidence=Evidence(quote, rule))

    def _organization(self, decision: Decision, keys: tuple[tuple[str, str], ...]) -> None:
        self.ctx.organization(decision.iri, decision.kind, decision.name,
                              keys=tuple((k, v) for k, v in keys if v))
        self.ctx.decision(decision.name, decision.iri, decision.rule, decision.reason)
        ids = self.result.vendor_ids if decision.kind == "vendor" else self.result.agency_ids
        ids.add(decision.iri)

    def _awarding(self, values: dict[str, str]) -> tuple[str, str, str]:
        """(awarding office or agency, agency of the engagement, office name), PART_OF emitted."""
        key = tuple(values.get(k, "") for k in ("agency", "agency_code", "subagency",
                                                "subagency_code", "office", "office_code"))
        found = self._agencies.get(key)
        if found is not None:
            return found
        agency, agency_code, sub, sub_code, office, office_code = key
        if not (sub or agency):
            raise RowRejected(RowError("awarding_sub_agency_name", "no awarding agency"))
        chain: list[Decision] = []
        for tier, name, code in (("toptier", agency, agency_code), ("subtier", sub, sub_code),
                                 ("office", office, office_code)):
            if name:
                parent = chain[-1].iri if chain else None
                decision = self.resolver.agency(name, code, tier=tier, parent=parent)
                self._organization(decision, (("agencyCode", code),))
                if parent and parent != decision.iri:
                    self.ctx.emit(t.node(decision.iri), t.skg("partOf"), t.node(parent))
                chain.append(decision)
        buyer = chain[1] if sub and agency else chain[0]  # the sub-agency journalists name
        found = (chain[-1].iri, buyer.iri, office)
        self._agencies[key] = found
        return found

    def _prime_vendor(self, values: dict[str, str]) -> str:
        uei, duns = clean_uei(values.get("prime_uei", "")), clean_duns(values.get("prime_duns", ""))
        name = values.get("prime_recipient", "") or uei or duns
        decision = self.resolver.vendor(name, uei, duns)
        self._organization(decision, (("uei", uei), ("duns", duns)))
        return decision.iri

    # ----------------------------------------------------------- emitting
    def _emit(self, pending: _Pending) -> None:
        record, parties = pending.record, pending.parties
        tag = self.tagger.tag(record.description or "", record.psc or "", record.naics or "",
                              parties.family)
        record.relevant, record.reason, record.category = tag.relevant, tag.reason, tag.category
        self.result.relevant += tag.relevant
        if tag.product:
            self.ctx.organization(tag.product, "product", "")
        party = parties.recipient.iri
        kind = "funding" if parties.recipient.kind == "agency" else "engagement"
        product = tag.product if kind == "engagement" else None
        supports = self._engagement(parties.agency, party, product) \
            if kind == "engagement" else None
        if pending.prime is not None:
            record.subaward_of = self._prime(pending.prime, parties.awarded_by)
        self.ctx.contract(record, awarded_by=parties.awarded_by, recipient=party,
                          product=tag.product, supports=supports)
        self.result.awards += 1
        self._totals.add((kind, parties.agency, party, product or ""), record,
                         (pending.recipient_name, parties.office_name))

    def _engagement(self, agency: str, vendor: str, product: str | None) -> str:
        key = (agency, vendor, product or "")
        found = self._engagements.get(key)
        if found is None:
            found = self._engagements[key] = engagement_iri(
                "contract", agency=agency, vendor=vendor, product=product)
        return found

    def _prime(self, prime: tuple[str, str | None, str], awarded_by: str) -> str:
        key, piid, vendor = prime
        if key not in self._seen:
            self._seen[key] = 0
            self.ctx.contract(ContractRecord(key, 0, piid=piid), awarded_by=awarded_by,
                              recipient=vendor)
        return contract_iri(key)

@dataclass(frozen=True)
class SourceKeys:
    """What identifies the source a file is loaded as (computed by the caller)."""

    iri: str
    content_hash: str
    resolution_hash: str
    fold_irrelevant: bool = False  # ``kg ingest --contracts relevant``


def load_usaspending(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
                     tagger: RelevanceTagger, progress: Progress | None = None,
                     columns_file: Path | None = None,
                     bulk_bytes: int | None = None) -> RecordLoad:
    """Load one USAspending file as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) if the file's structure cannot be read.
    """
    rows = open_rows(path, columns_file=columns_file, progress=progress)
    info = SourceInfo(
        iri=source.iri, kind="Record", title=f"USAspending {rows.layout.name}: {path.name}",
        loader=LOADER, loader_version=__version__, content_hash=source.content_hash,
        file=str(path), resolution_hash=source.resolution_hash,
    )
    result = RecordLoad(path, "loaded", info.iri, rows.layout.name,
                        unexpected_columns=rows.unexpected)
    if rows.headerless:
        result.notes.append("no header row: columns taken from the 2018 data dictionary")
    quarantine = Quarantine(path)
    ctx = Context(info, resolver.registry, fold_irrelevant=source.fold_irrelevant)
    loader = _Loader(ctx, rows, resolver, tagger, result, quarantine)
    big = path.stat().st_size >= (BULK_BYTES if bulk_bytes is None else bulk_bytes)
    result.triples = write_stream(store, info.iri, loader.stream(), bulk=big)
    result.folded = ctx.folded
    return settle(result, store, quarantine)
