"""Award records, independent of the format they came in.

Every procurement loader (USAspending now; FPDS, OCDS later) turns its rows
into ``ContractRecord`` objects and hands them to ``Context.contract``. This
module holds what they share: the record and its roll-up of modifications, the
Contract IRI, the quarantine log for bad rows, the per-file counts (with the
invariant loaded + quarantined = read), and how a source's stream is written.

>>> rollup = ContractRecord("CONT_AWD_X_7012_-NONE-_-NONE-", line=2)
>>> rollup.add_action(Decimal("100"), "2017-10-01", line=2)
>>> rollup.add_action(Decimal("-40.50"), "2018-02-01", line=9)
>>> rollup.obligated, rollup.first_action, rollup.last_action, rollup.actions
(Decimal('59.50'), '2017-10-01', '2018-02-01', 2)
>>> contract_iri("CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-")
'https://w3id.org/survkg/id/contract/cont-awd-70cdcr18p00000017-7012-none-none'
"""

import csv
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import XSD

from kg import terms as t
from kg.errors import KgError
from kg.ids import slug
from kg.store import Store
from kg.vocab import BASE

if TYPE_CHECKING:
    from kg.context import Context

_DATE = t.node(XSD.date)
_DECIMAL = t.node(XSD.decimal)
# Predicates, built once: a million awards make tens of millions of triples.
P = {name: t.skg(name) for name in (
    "awardId", "piid", "permalink", "description", "psc", "naics", "obligated",
    "firstActionDate", "lastActionDate", "endDate", "actions", "line", "relevant",
    "relevanceReason", "category", "awarded", "awardedTo", "forProduct", "supportedBy",
    "subawardOf")}
_CONTRACT = t.skg("Contract")
_TRUE, _FALSE = t.boolean(True), t.boolean(False)


@dataclass
class ContractRecord:
    """One award as one source states it; transactions roll up into it with ``add_action``."""

    award_key: str
    line: int
    piid: str | None = None
    permalink: str | None = None
    description: str | None = None
    psc: str | None = None
    naics: str | None = None
    obligated: Decimal | None = None
    first_action: str | None = None
    last_action: str | None = None
    end_date: str | None = None
    actions: int | None = None  # None for an award summary; the count for a roll-up
    relevant: bool | None = None  # None: this source does not judge (a prime named by a subaward)
    reason: str = ""
    category: str | None = None
    subaward_of: str | None = None

    def add_action(self, amount: Decimal, action_date: str | None, *, line: int,
                   end_date: str | None = None) -> None:
        """Roll one modification in: sum obligations (de-obligations stay negative), widen dates."""
        self.obligated = amount if self.obligated is None else self.obligated + amount
        self.actions = (self.actions or 0) + 1
        self.line = min(self.line, line)
        if action_date:
            if self.first_action is None or action_date < self.first_action:
                self.first_action = action_date
            if self.last_action is None or action_date >= self.last_action:
                self.last_action = action_date
                self.end_date = end_date or self.end_date
        elif end_date and not self.end_date:
            self.end_date = end_date


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def contract_iri(award_key: str) -> str:
    """IRI of the award with this unique key: the same award in two files is one Contract."""
    if award_key.isascii() and len(award_key) <= 80:  # kg.ids.slug's result, faster
        key = _NON_ALNUM.sub("-", award_key.lower()).strip("-")
        if key:
            return f"{BASE}id/contract/{key}"
    return f"{BASE}id/contract/{slug(award_key)}"


def amount_text(amount: Decimal) -> str:
    """A Decimal as xsd:decimal text (never exponent notation)."""
    return format(amount, "f")


def contract_triples(iri: str, record: ContractRecord) -> list[tuple[Any, Any, Any]]:
    """The Contract node's own triples (keys, money, dates, relevance)."""
    node = NamedNode(iri)
    out: list[tuple[Any, Any, Any]] = [
        (node, t.TYPE, _CONTRACT),
        (node, P["awardId"], Literal(record.award_key)),
        (node, P["line"], t.integer(record.line)),
    ]
    if record.relevant is not None:
        out.append((node, P["relevant"], _TRUE if record.relevant else _FALSE))
    texts = (("piid", record.piid), ("description", record.description),
             ("psc", record.psc), ("naics", record.naics), ("relevanceReason", record.reason))
    out += [(node, P[name], Literal(value)) for name, value in texts if value]
    dates = (("firstActionDate", record.first_action), ("lastActionDate", record.last_action),
             ("endDate", record.end_date))
    out += [(node, P[name], Literal(value, datatype=_DATE)) for name, value in dates if value]
    if record.obligated is not None:
        out.append((node, P["obligated"],
                    Literal(amount_text(record.obligated), datatype=_DECIMAL)))
    if record.actions is not None:
        out.append((node, P["actions"], t.integer(record.actions)))
    if record.permalink:
        out.append((node, P["permalink"], t.any_uri(record.permalink)))
    if record.category:
        out.append((node, P["category"], t.node(record.category)))
    if record.subaward_of:
        out.append((node, P["subawardOf"], t.node(record.subaward_of)))
    return out


# ---------------------------------------------------------------- quarantine
QUARANTINE_COLUMNS = ["file", "line", "field", "reason", "value"]


@dataclass(frozen=True)
class RowError:
    """Why one row was not loaded: the field at fault and a one-line reason."""

    field: str
    reason: str
    value: str = ""


class RowRejected(Exception):
    """Raised while reading a row; the loader quarantines the row and goes on."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


@dataclass
class Quarantine:
    """Rejected rows of one file, written to ``<store>/quarantine/<file>.csv``."""

    file: Path
    rows: list[tuple[int, RowError]] = field(default_factory=list)

    def add(self, line: int, error: RowError) -> None:
        """Remember one rejected row (kept small: one error per row)."""
        self.rows.append((line, error))

    @property
    def reasons(self) -> Counter[str]:
        """Rejected rows per ``field: reason`` (values stripped so reasons group)."""
        return Counter(f"{error.field}: {error.reason}" for _, error in self.rows)

    def write(self, store_path: Path) -> Path | None:
        """Write the quarantine file (or delete a stale one when nothing was rejected)."""
        target = store_path / "quarantine" / f"{self.file.name}.csv"
        if not self.rows:
            target.unlink(missing_ok=True)
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(QUARANTINE_COLUMNS)
            for line, error in self.rows:
                writer.writerow([str(self.file), line, error.field, error.reason, error.value])
        return target


@dataclass
class RecordLoad:
    """What happened to one record file; ``loaded + quarantined == read`` always holds."""

    path: Path
    status: str  # "loaded", "unchanged", "superseded"
    source: str = ""
    layout: str = ""
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    awards: int = 0
    relevant: int = 0
    folded: int = 0  # awards kept only in their engagement's totals (``--contracts relevant``)
    vendor_ids: set[str] = field(default_factory=set, repr=False)
    agency_ids: set[str] = field(default_factory=set, repr=False)
    triples: int = 0
    quarantine_file: Path | None = None
    unexpected_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def vendors(self) -> int:
        """Distinct vendors the file names (recipients and their parents)."""
        return len(self.vendor_ids)

    @property
    def agencies(self) -> int:
        """Distinct agencies the file names (awarding offices and government recipients)."""
        return len(self.agency_ids)

    def check(self) -> None:
        """Fail loudly if a row was lost: every row read is loaded or quarantined."""
        if self.loaded + self.quarantined != self.read:
            raise KgError(f"{self.path}: {self.read} rows read but {self.loaded} loaded and "
                          f"{self.quarantined} quarantined; this is a bug, please report it")


# -------------------------------------------------------------- projection
CONTRACT_FIELDS = ("awardId", "piid", "obligated", "firstActionDate", "lastActionDate",
                   "endDate", "actions", "relevant", "relevanceReason", "category",
                   "description", "permalink")


def contract_details(statements: list[dict[str, str]]) -> dict[str, Any]:
    """One award's details from what each source states (a dict per source graph).

    A summary (no ``actions``) states the award's totals, so the newest summary
    wins (latest last action date: a newer download updates amounts and end
    dates). Without one, each transaction file states the sum of its own
    modifications, so distinct statements add up.

    >>> old = {"graph": "a", "obligated": "100", "lastActionDate": "2020-01-01"}
    >>> new = {"graph": "b", "obligated": "250.5", "lastActionDate": "2021-06-30"}
    >>> contract_details([old, new])["amount_usd"]
    250.5
    >>> fy17 = {"graph": "c", "obligated": "10", "actions": "2", "firstActionDate": "2017-01-05"}
    >>> fy18 = {"graph": "d", "obligated": "-4", "actions": "1", "lastActionDate": "2018-03-01"}
    >>> d = contract_details([fy17, fy18])
    >>> d["amount_usd"], d["first_action_date"], d["last_action_date"], d["actions"]
    (6.0, '2017-01-05', '2018-03-01', 3)
    """
    summaries = [s for s in statements if "actions" not in s]
    if summaries:
        best = max(summaries, key=lambda s: (s.get("lastActionDate", ""), s["graph"]))
        amount = best.get("obligated")
        total = float(amount) if amount is not None else None
        first, last = best.get("firstActionDate"), best.get("lastActionDate")
        actions = None
    else:
        unique = {tuple(sorted((k, v) for k, v in s.items() if k != "graph")): s
                  for s in statements}.values()
        best = max(unique, key=lambda s: (s.get("lastActionDate", ""), s["graph"]))
        total = sum(float(s.get("obligated", 0)) for s in unique)
        first = min((s["firstActionDate"] for s in unique if "firstActionDate" in s), default=None)
        last = max((s["lastActionDate"] for s in unique if "lastActionDate" in s), default=None)
        actions = sum(int(s.get("actions", 0)) for s in unique)
    flags = [s["relevant"] for s in statements if "relevant" in s]
    relevant = ("true" in flags) if flags else None
    # the reason shown is one that led to the flag shown (the newest such statement)
    judged = max((s for s in statements if s.get("relevant") == ("true" if relevant else
                                                                  "false")),
                 default=best, key=lambda s: (s.get("lastActionDate", ""), s["graph"]))
    return {
        "award_id": best.get("awardId"), "piid": best.get("piid"), "amount_usd": total,
        "first_action_date": first, "last_action_date": last, "end_date": best.get("endDate"),
        "actions": actions, "description": best.get("description"),
        "permalink": best.get("permalink"),
        "relevant": relevant,
        "relevance_reason": judged.get("relevanceReason"), "category_id": judged.get("category"),
        "statements": len(statements),
    }


def take(result: "RecordLoad", quarantine: Quarantine, position: int,
         handle: Callable[[], None]) -> None:
    """Count one input item: loaded if ``handle`` accepts it, else quarantined with its
    reason; every loader counts this way, so loaded + quarantined = read holds by design."""
    result.read += 1
    try:
        handle()
        result.loaded += 1
    except RowRejected as rejected:
        quarantine.add(position, rejected.error)
        result.quarantined += 1


def finish(result: "RecordLoad", ctx: "Context", store: Store,
           quarantine: Quarantine) -> "RecordLoad":
    """Commit the source's graph, write its quarantine file and check the counts."""
    result.triples = ctx.commit(store)
    return settle(result, store, quarantine)


def settle(result: "RecordLoad", store: Store, quarantine: Quarantine) -> "RecordLoad":
    """Write the quarantine file and check loaded + quarantined = read."""
    result.reasons = quarantine.reasons
    result.quarantine_file = quarantine.write(store.path)
    result.check()
    return result


def write_stream(store: Store, graph: str, triples: Iterable[tuple[Any, Any, Any]], *,
                 bulk: bool) -> int:
    """Write a source's streamed triples: through the bulk loader when the file is big,
    else atomically. The garbage collector is off meanwhile: millions of short-lived
    acyclic objects, so collections only cost (~12%)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        if bulk:
            return store.bulk_replace_graph(graph, triples)
        return store.replace_graph(graph, list(triples))
    finally:
        if collecting:
            gc.enable()
