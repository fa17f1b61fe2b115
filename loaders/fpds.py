"""FPDS-NG ATOM feeds: contract actions rolled up into awards, read safely.

Entry point: ``load_fpds(store, path, ...)``. One file is one source (a named
graph) written whole or not at all. The feed is parsed with the standard
library only after a check that rejects any DOCTYPE (so no entity, external
entity, external DTD or entity-expansion bomb is ever read), and only up to
``MAX_BYTES``. The check is made by expat itself, so it holds in every encoding
expat reads (UTF-16, or an 8-bit one named by the XML declaration), where a
byte search for "<!DOCTYPE" would miss it.

A "row" is one ``<entry>`` (one contract action); its "line" in the quarantine
file is its position in the feed (1 for the first entry). Fields are taken by
their FPDS element names. Actions roll up into one Contract per award, keyed as
USAspending keys it (``CONT_AWD_<PIID>_<agencyID>_<IDV PIID>_<IDV agencyID>``),
so an award in both sources is one node: obligations summed (negative
de-obligations kept), first and last signed dates, latest completion date. The
contracting office's department and agency become Agencies (PART_OF); the
vendor is named by ``vendorName``, else ``UEILegalBusinessName``, else
``contractorName`` (the sample feeds leave ``vendorName`` empty), with its UEI
and DUNS. A vendor flagged a government body is an Agency, funded, not sold to.
An entry is quarantined when it has no PIID or agency, no vendor name or key, or
an amount or date that cannot be read. ``loaded + quarantined == read`` holds.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from kg import __version__
from kg import terms as t
from kg.context import Context, Evidence, SourceInfo, engagement_iri
from kg.errors import InputError
from kg.records import (
    ContractRecord,
    Quarantine,
    RecordLoad,
    RowError,
    RowRejected,
    finish,
    take,
)
from kg.resolve import Resolver, clean_duns, clean_uei
from kg.store import Store
from loaders.record_values import DateReader, read_amount
from loaders.relevance import RelevanceTagger
from loaders.usaspending import SourceKeys
from loaders.usaspending_input import Progress
from loaders.usaspending_layouts import generated_award_key

LOADER = "fpds"
MAX_BYTES = 100_000_000
ATOM = "{http://www.w3.org/2005/Atom}"
# amounts of 10^15 USD or more, or with digits below 10^-12 USD, are not money
_INVERTED = re.compile(r"^(.+), DEPARTMENT OF( THE)?$", re.IGNORECASE)


def department_name(name: str) -> str:
    """FPDS writes "HOMELAND SECURITY, DEPARTMENT OF"; registries say it the other way round.

    >>> department_name("HOMELAND SECURITY, DEPARTMENT OF")
    'DEPARTMENT OF HOMELAND SECURITY'
    """
    match = _INVERTED.match(name.strip())
    return f"DEPARTMENT OF{match.group(2) or ''} {match.group(1)}" if match else name


class _Declaration(Exception):
    """Raised from expat's DOCTYPE handler: stops the parse before any entity is declared."""


def _refuse(*_args: object) -> NoReturn:
    raise _Declaration


def refuse_declarations(data: bytes, path: Path) -> None:
    """InputError if the document has a DOCTYPE (hence any ENTITY), in any encoding.

    A first pass of expat with no element handlers: it costs a fraction of
    building the tree, and it decodes the bytes exactly as the tree builder will.
    """
    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = _refuse
    scanner.EntityDeclHandler = _refuse
    scanner.ExternalEntityRefHandler = _refuse
    try:
        scanner.Parse(data, True)
    except _Declaration:
        raise InputError(f"{path}: the XML declares a DOCTYPE or ENTITY; refused "
                         f"(external entities and entity expansion are not read)") from None
    except expat.ExpatError as error:
        raise InputError(f"{path}: not well-formed XML ({error})") from None
    except (LookupError, ValueError) as error:  # encoding="utf-7", "hex", "no-such"
        raise InputError(f"{path}: XML in an encoding expat cannot read ({error}); "
                         f"re-save it as UTF-8") from None


def parse_feed(data: bytes, path: Path) -> ET.Element:
    """The feed's root element; InputError for declarations (XXE, bombs) or bad XML."""
    refuse_declarations(data, path)
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        raise InputError(f"{path}: not well-formed XML ({error})") from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element | None, path: str) -> ET.Element | None:
    """The element at a slash path of local names (namespaces ignored)."""
    for name in path.split("/"):
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element: ET.Element | None, path: str) -> str:
    found = _find(element, path)
    return " ".join((found.text or "").split()) if found is not None else ""


@dataclass
class _Award:
    record: ContractRecord
    buyer: str
    vendor: str
    vendor_name: str
    government: bool


class _Reader:
    def __init__(self, ctx: Context, resolver: Resolver, result: RecordLoad) -> None:
        self.ctx, self.resolver, self.result = ctx, resolver, result
        self.dates = DateReader("mdy")
        self.awards: dict[str, _Award] = {}

    def entry(self, entry: ET.Element, position: int) -> None:
        content = _find(entry, "content")
        action = next(iter(content), None) if content is not None else None
        if action is None:
            raise RowRejected(RowError("content", "no award or IDV in the entry"))
        idv = _local(action.tag) == "IDV"
        ids = _find(action, "contractID/IDVID" if idv else "awardID/awardContractID")
        piid, code = _text(ids, "PIID"), _text(ids, "agencyID")
        if not piid:
            raise RowRejected(RowError("PIID", "empty contract number"))
        if not code:
            raise RowRejected(RowError("agencyID", "no agency code"))
        ref = _find(action, "awardID/referencedIDVID")
        key = generated_award_key(piid, code, _text(ref, "PIID"), _text(ref, "agencyID"), idv)
        amount_text = _text(action, "dollarValues/obligatedAmount")
        if not amount_text:
            raise RowRejected(RowError("obligatedAmount", "empty amount"))
        amount = read_amount(amount_text, "obligatedAmount")
        signed = self._date(action, "relevantContractDates/signedDate")
        if signed is None:
            raise RowRejected(RowError("signedDate", "empty date"))
        end = self._date(action, "relevantContractDates/currentCompletionDate")
        held = self.awards.get(key)
        if held is None:
            held = self.awards[key] = self._parties(action, key, piid, position)
        held.record.add_action(amount, signed, line=position, end_date=end)
        record = held.record
        record.description = record.description or \
            _text(action, "contractData/descriptionOfContractRequirement") or None
        record.psc = _text(action, "productOrServiceInformation/productOrServiceCode") or \
            record.psc
        record.naics = _text(action, "productOrServiceInformation/principalNAICSCode") or \
            record.naics

    def _date(self, action: ET.Element, path: str) -> str | None:
        text = _text(action, path)
        return self.dates.read(text[:10], path.rsplit("/", 1)[-1]) if text else None

    def _parties(self, action: ET.Element, key: str, piid: str, position: int) -> _Award:
        office = _find(action, "purchaserInformation/contractingOfficeAgencyID")
        if office is None or not (office.get("name") or office.get("departmentName")):
            raise RowRejected(RowError("contractingOfficeAgencyID", "no awarding agency"))
        vendor = _find(action, "vendor")
        ids = _find(vendor, "vendorSiteDetails/entityIdentifiers")
        uei = clean_uei(_text(ids, "vendorUEIInformation/UEI"))
        duns = clean_duns(_text(ids, "vendorDUNSInformation/DUNSNumber"))
        name = _text(vendor, "vendorHeader/vendorName") or \
            _text(ids, "vendorUEIInformation/UEILegalBusinessName") or \
            _text(vendor, "contractorName")
        if not (name or uei or duns):
            raise RowRejected(RowError("vendorName", "no vendor name, UEI or DUNS"))
        types = _find(vendor, "vendorSiteDetails/vendorBusinessTypes")
        government = types is not None and any(
            _local(e.tag).startswith("is") and "Government" in _local(e.tag) and
            (e.text or "").strip() == "true" for e in types.iter())
        buyer = self._agencies(office)
        kind = "agency" if government else "vendor"
        decision = self.resolver.vendor(name or uei or duns, uei, duns, kind=kind)
        self.ctx.organization(decision.iri, decision.kind, decision.name, keys=tuple(
            (k, v) for k, v in (("uei", uei), ("duns", duns)) if v))
        self.ctx.decision(decision.name, decision.iri, decision.rule, decision.reason)
        (self.result.agency_ids if decision.kind == "agency" else
         self.result.vendor_ids).add(decision.iri)
        return _Award(ContractRecord(key, position, piid=piid), buyer, decision.iri,
                      name or uei or duns, decision.kind == "agency")

    def _agencies(self, office: ET.Element) -> str:
        chain: list[str] = []
        for tier, name, code in (("toptier", department_name(office.get("departmentName", "")),
                                  office.get("departmentID", "")),
                                 ("subtier", office.get("name", ""), (office.text or "").strip())):
            if name:
                parent = chain[-1] if chain else None
                decision = self.resolver.agency(name, code, tier=tier, parent=parent)
                self.ctx.organization(decision.iri, "agency", decision.name,
                                      keys=(("agencyCode", code),) if code else ())
                self.ctx.decision(decision.name, decision.iri, decision.rule, decision.reason)
                self.result.agency_ids.add(decision.iri)
                if parent and parent != decision.iri:
                    self.ctx.emit(t.node(decision.iri), t.skg("partOf"), t.node(parent))
                chain.append(decision.iri)
        return chain[-1]

    def emit(self, tagger: RelevanceTagger) -> None:
        """The Contracts and their engagements (or fundings), once every action is in."""
        for award in self.awards.values():
            record = award.record
            tag = tagger.tag(record.description or "", record.psc or "", record.naics or "",
                             self.resolver.family(award.vendor))
            record.relevant, record.reason, record.category = \
                tag.relevant, tag.reason, tag.category
            self.result.relevant += bool(tag.relevant)
            quote = f"{award.vendor_name}: {record.piid} " + \
                f"({record.description or 'no description'})"
            evidence = Evidence(quote, "fpds:award")
            supports = None
            if award.government:
                self.ctx.relationship("Funding", award.buyer, award.vendor,
                                      evidence=evidence, amount=record.obligated)
            else:
                supports = engagement_iri("contract", agency=award.buyer, vendor=award.vendor)
                self.ctx.engagement("contract", agency=award.buyer, vendor=award.vendor,
                                    evidence=evidence, start_date=record.first_action,
                                    end_date=record.end_date)
            self.ctx.contract(record, awarded_by=award.buyer, recipient=award.vendor,
                              supports=supports)
            self.result.awards += 1


def load_fpds(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
              tagger: RelevanceTagger, progress: Progress | None = None) -> RecordLoad:
    """Load one FPDS-NG ATOM feed as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) for unsafe, malformed or non-feed XML.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES} bytes; split the feed")
        root = parse_feed(path.read_bytes(), path)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    if _local(root.tag) != "feed":
        raise InputError(f"{path}: not an ATOM feed (root element {_local(root.tag)})")
    entries = root.findall(f"{ATOM}entry") or [e for e in root if _local(e.tag) == "entry"]
    info = SourceInfo(iri=source.iri, kind="Record", title=f"FPDS-NG feed: {path.name}",
                      loader=LOADER, loader_version=__version__,
                      content_hash=source.content_hash, file=str(path),
                      resolution_hash=source.resolution_hash)
    result = RecordLoad(path, "loaded", info.iri, "fpds-atom")
    quarantine = Quarantine(path)
    ctx = Context(info, resolver.registry)
    reader = _Reader(ctx, resolver, result)
    for position, entry in enumerate(entries, 1):
        # every check runs before the entry's first triple is emitted
        take(result, quarantine, position, partial(reader.entry, entry, position))
        if progress:
            progress(result.read, size * position // len(entries))
    reader.emit(tagger)
    return finish(result, ctx, store, quarantine)
