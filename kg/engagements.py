"""Totals of award records per engagement, stated once at the end of a record source.

A file may hold hundreds of awards between one vendor and one agency. Each
award is its own Contract; the engagement they support (SELLS_TO in the
journalist graph, or FUNDS when a government body is paid) is emitted once,
with the sum of their obligations, the earliest start and latest end, whether
any of them is surveillance-relevant, and the largest award quoted as its
evidence. Shared by every record loader.

>>> totals = EngagementTotals()
>>> key = ("engagement", "agency", "vendor", "")
>>> record = ContractRecord("K1", 2, piid="P1", obligated=Decimal("10"), first_action="2019-01-01")
>>> totals.add(key, record, ("ACME LLC", "OFFICE"))
>>> totals.add(key, ContractRecord("K2", 3, obligated=Decimal("-4"), relevant=True), ("ACME",))
>>> tally = totals.tallies[key]
>>> tally.amount, tally.awards, tally.relevant, tally.quote
(Decimal('6'), 2, True, 'P1 | ACME LLC | OFFICE | 10 USD')
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kg import terms as t
from kg.context import Context, Evidence
from kg.records import ContractRecord, amount_text

# (kind "engagement" or "funding", agency IRI, vendor or recipient IRI, product IRI or "")
TallyKey = tuple[str, str, str, str]


@dataclass
class Tally:
    """One engagement (or funding) of a source, summed over its awards."""

    amount: Decimal = Decimal(0)
    awards: int = 0
    start: str | None = None
    end: str | None = None
    relevant: bool = False
    weight: Decimal = Decimal(-1)
    quote: str = ""


@dataclass
class EngagementTotals:
    """Tallies by engagement; ``emit`` writes them into the source's context."""

    tallies: dict[TallyKey, Tally] = field(default_factory=dict)

    def add(self, key: TallyKey, record: ContractRecord, parties: tuple[str, ...]) -> None:
        """Count one award; ``parties`` are the names the quote gives (recipient, office)."""
        tally = self.tallies.setdefault(key, Tally())
        amount = record.obligated or Decimal(0)
        tally.amount += amount
        tally.awards += 1
        tally.relevant = tally.relevant or bool(record.relevant)
        if record.first_action and (tally.start is None or record.first_action < tally.start):
            tally.start = record.first_action
        if record.end_date and (tally.end is None or record.end_date > tally.end):
            tally.end = record.end_date
        if abs(amount) > tally.weight:
            tally.weight = abs(amount)
            money = f"{amount_text(amount)} USD" if record.obligated is not None else ""
            tally.quote = " | ".join(x for x in (record.piid or record.award_key, *parties,
                                                 money, record.description or "") if x)

    def emit(self, ctx: Context, rule: str, today: str | None = None) -> None:
        """One engagement or funding claim per tally; ended if every award has ended."""
        today = today or date.today().isoformat()
        for (kind, agency, party, product), tally in self.tallies.items():
            evidence = Evidence(f"{tally.awards} award(s); largest: {tally.quote}", rule)
            if kind == "funding":
                iri = ctx.relationship("Funding", agency, party, evidence=evidence,
                                       amount=tally.amount)
            else:
                status = "ended" if tally.end and tally.end < today else "active"
                iri = ctx.engagement("contract", agency=agency, vendor=party,
                                     product=product or None, status=status,
                                     amount=tally.amount, start_date=tally.start,
                                     end_date=tally.end, evidence=evidence)
            ctx.emit(t.node(iri), t.skg("relevant"), t.boolean(tally.relevant))
            if folded := ctx.folded_into.get(iri):
                ctx.emit(t.node(iri), t.skg("foldedAwards"), t.integer(folded))
