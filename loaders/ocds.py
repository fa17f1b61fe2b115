"""Open Contracting (OCDS) releases and records: buyer to supplier awards.

Entry point: ``load_ocds(store, path, ...)``. One file is one source (a named
graph) written whole or not at all. The file may be a release package
(``releases``), a record package (``records``), one record (``compiledRelease``
or ``releases``) or one release (``ocid``); releases are compiled per ``ocid``
(in date order, later values win, awards and parties merged by ``id``).

A "row" is one contracting process (one ocid); its "line" in the quarantine file
is its position in the file (1 for the first process). For each award the buyer
becomes an Agency, each supplier a Vendor, the award a Contract (value as
obligated when the currency is USD; other currencies are kept in the
description, as the graph's money is USD) and a SELLS_TO engagement (stage
contract). A process is quarantined when it has no ocid, no buyer name, an award
supplier without a name, an award value or date that cannot be read, or a field
of the wrong JSON type (a string where OCDS has an object or an array). A
process without awards (a tender only) is loaded: its buyer is recorded.
``loaded + quarantined == read`` is checked for every file.
"""

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from kg import __version__
from kg.context import Context, Evidence, SourceInfo
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
from kg.resolve import Resolver
from kg.store import Store
from loaders.record_values import DateReader, read_amount
from loaders.relevance import RelevanceTagger
from loaders.usaspending import SourceKeys
from loaders.usaspending_input import Progress

LOADER = "ocds"
MAX_BYTES = 200_000_000
Release = dict[str, Any]


def _merge(old: Any, new: Any) -> Any:
    """OCDS merge: objects field by field, arrays of objects with ids by id, else new wins."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge(old.get(key), value) if value is not None else old.get(key)
        return merged
    if isinstance(old, list) and isinstance(new, list) and all(
            isinstance(x, dict) and "id" in x for x in old + new):
        by_id = {str(x["id"]): x for x in old}
        for item in new:
            by_id[str(item["id"])] = _merge(by_id.get(str(item["id"])), item)
        return list(by_id.values())
    return new


def compile_releases(releases: list[Release]) -> Release:
    """One compiled release from the releases of one contracting process."""
    compiled: Release = {}
    for release in sorted(releases, key=lambda r: str(r.get("date") or "")):
        compiled = _merge(compiled, release)
    return compiled


def processes(data: Any) -> Iterator[Release]:
    """The compiled release of each contracting process the file holds, in file order."""
    if isinstance(data, list):
        yield from processes({"releases": data})
    elif not isinstance(data, dict):
        raise ValueError("neither an object nor a list")
    elif isinstance(data.get("records"), list):
        for record in data["records"]:
            yield from processes(record) if isinstance(record, dict) else iter([{}])
    elif isinstance(data.get("compiledRelease"), dict):
        yield data["compiledRelease"]
    elif isinstance(data.get("releases"), list):
        groups: dict[str, list[Release]] = {}
        for index, release in enumerate(data["releases"]):
            if not isinstance(release, dict):
                release = {}
            key = str(release.get("ocid") or f"(no ocid #{index})")
            groups.setdefault(key, []).append(release)
        for group in groups.values():
            yield compile_releases(group)
    elif "ocid" in data:
        yield data
    else:
        raise ValueError("no releases, records or ocid")


def _typed(container: Release, key: str, kind: type, where: str) -> Any:
    """``container[key]`` if it has the JSON type OCDS gives it, an empty one if absent.

    Published files do carry ``"value": "25000"`` or ``"suppliers": {...}``: the
    process is quarantined naming the field, instead of failing the whole file.
    """
    value = container.get(key)
    if value is None or value == "":
        return kind()
    if not isinstance(value, kind):
        shown = "an object" if kind is dict else "an array"
        raise RowRejected(RowError(where, f"not {shown}", str(value)[:40]))
    return value


def _name(party: Any) -> str:
    if not isinstance(party, dict):
        return ""
    identifier = party.get("identifier")
    name = party.get("name") or party.get("name_en") or \
        (identifier.get("legalName") if isinstance(identifier, dict) else "") or ""
    return " ".join(str(name).split())


class _Reader:
    def __init__(self, ctx: Context, resolver: Resolver, tagger: RelevanceTagger,
                 result: RecordLoad) -> None:
        self.ctx, self.resolver, self.tagger, self.result = ctx, resolver, tagger, result
        self.dates = DateReader("mdy")

    def process(self, release: Release, position: int) -> None:
        ocid = str(release.get("ocid") or "").strip()
        if not ocid:
            raise RowRejected(RowError("ocid", "no ocid"))
        parties = {str(p.get("id")): p for p in _typed(release, "parties", list, "parties")
                   if isinstance(p, dict)}
        buyer_ref = _typed(release, "buyer", dict, "buyer") or _typed(
            _typed(release, "tender", dict, "tender"), "procuringEntity", dict,
            "tender.procuringEntity")
        buyer_name = _name(buyer_ref) or _name(parties.get(str(buyer_ref.get("id"))))
        if not buyer_name:
            raise RowRejected(RowError("buyer.name", "no buyer name"))
        awards = [self._award(ocid, n, award, parties, position) for n, award
                  in enumerate(_typed(release, "awards", list, "awards")) if award]
        buyer = self.resolver.agency(buyer_name, tier="toptier")
        self.ctx.organization(buyer.iri, "agency", buyer_name)
        self.ctx.decision(buyer_name, buyer.iri, buyer.rule, buyer.reason)
        self.result.agency_ids.add(buyer.iri)
        for record, suppliers, title in awards:
            for supplier_name in suppliers:
                vendor = self.resolver.vendor(supplier_name)
                self.ctx.organization(vendor.iri, "vendor", supplier_name)
                self.ctx.decision(supplier_name, vendor.iri, vendor.rule, vendor.reason)
                self.result.vendor_ids.add(vendor.iri)
                tag = self.tagger.tag(record.description or "", "", "",
                                      self.resolver.family(vendor.iri))
                record.relevant, record.reason, record.category = \
                    tag.relevant, tag.reason, tag.category
                usd = record.obligated
                engagement = self.ctx.engagement(
                    "contract", agency=buyer.iri, vendor=vendor.iri, amount=usd,
                    start_date=record.first_action, end_date=record.end_date,
                    evidence=Evidence(f"{buyer_name} awarded {record.award_key} to "
                                      f"{supplier_name}" + (f": {title}" if title else ""),
                                      "ocds:award"))
                self.ctx.contract(record, awarded_by=buyer.iri, recipient=vendor.iri,
                                  supports=engagement)
                self.result.awards += 1
                self.result.relevant += bool(tag.relevant)

    def _award(self, ocid: str, n: int, award: Any, parties: dict[str, Any],
               position: int) -> tuple[ContractRecord, list[str], str]:
        where = f"awards[{n}]"
        if not isinstance(award, dict):
            raise RowRejected(RowError(where, "not an object"))
        suppliers = []
        for i, supplier in enumerate(_typed(award, "suppliers", list, f"{where}.suppliers")):
            ref = supplier.get("id") if isinstance(supplier, dict) else None
            name = _name(supplier) or _name(parties.get(str(ref)))
            if not name:
                raise RowRejected(RowError(f"{where}.suppliers[{i}].name", "no supplier name"))
            suppliers.append(name)
        title = " ".join(str(award.get("title") or award.get("description") or "").split())
        record = ContractRecord(f"{ocid}/{award.get('id', n)}", position)
        value = _typed(award, "value", dict, f"{where}.value")
        description = title
        if value.get("amount") is not None:
            # NaN, Infinity and 1e400 are valid to Python's json; read_amount refuses them
            amount = read_amount(str(value["amount"]), f"{where}.value.amount")
            currency = str(value.get("currency") or "")
            if currency == "USD":
                record.obligated = amount
            else:
                description = f"{title} (value {amount} {currency or 'no currency'})".strip()
        record.description = description or None
        if award.get("date"):
            record.first_action = record.last_action = \
                self.dates.read(str(award["date"])[:10], f"{where}.date")
        end = _typed(award, "contractPeriod", dict, f"{where}.contractPeriod").get("endDate")
        if end:
            record.end_date = self.dates.read(str(end)[:10], f"{where}.contractPeriod.endDate")
        return record, suppliers, title


def load_ocds(store: Store, path: Path, source: SourceKeys, *, resolver: Resolver,
              tagger: RelevanceTagger, progress: Progress | None = None) -> RecordLoad:
    """Load one OCDS JSON file as the source ``source``; returns its counts.

    Raises ``InputError`` (nothing stored) if the file is not JSON or not OCDS.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES} bytes; split the package")
        data = json.loads(path.read_bytes())
        found = list(processes(data))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    except (ValueError, RecursionError) as error:
        raise InputError(f"{path}: not an OCDS release or record package ({error})") from error
    info = SourceInfo(iri=source.iri, kind="Record", title=f"OCDS: {path.name}", loader=LOADER,
                      loader_version=__version__, content_hash=source.content_hash,
                      file=str(path), resolution_hash=source.resolution_hash)
    result = RecordLoad(path, "loaded", info.iri, "ocds")
    quarantine = Quarantine(path)
    ctx = Context(info, resolver.registry)
    reader = _Reader(ctx, resolver, tagger, result)
    for position, release in enumerate(found, 1):
        # every check runs before the process's first triple is emitted
        take(result, quarantine, position, partial(reader.process, release, position))
        if progress:
            progress(result.read, size * position // len(found))
    return finish(result, ctx, store, quarantine)
