"""Relation rules for one sentence: trigger words plus entity types decide who
did what to whom.

A trigger's arguments are the nearest entities of the types the relation needs
(a vendor and an agency for a sale), so direction comes from types, not from
fragile word order; coordinated lists ("the FBI, the DEA and the Marshals
Service") are taken whole. A negation or a hedge before a trigger cancels it.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from kg.values import iso_date, parse_money
from loaders.extract import lexicon as lx
from loaders.extract.mentions import Mention
from loaders.extract.triggers import Trigger, date_words

# "it" and "its" refer back to companies and products; agencies are named or
# referred to as "the agency"/"the department" (resolving "it" to an agency made
# "questioned its use" into a false USES).
PRONOUN_KINDS = ("vendor", "product")
ENGAGEMENTS = ("SELLS_TO", "PITCHED_TO", "PILOTS", "USES")
_PASSIVE_BY = re.compile(r"\s+by\b")
# "The towers, supplied by Anduril": who supplies a product, not yet to whom.
_SUPPLY_WORDS = frozenset("supplied provided supplies provides".split())
_THING = (r"(?:technology|software|tool|system|platform|app|application|service|product|"
          r"program|database)")
# "Rekognition, technology from AWS", "ScanGuard, a social media monitoring service
# operated by Halo Insight", "Locate X, sold by Babel Street": the maker follows.
PRODUCT_FROM = re.compile(
    rf"^,?\s*(?:(?:a|an|the)\s+(?:[a-z][a-z-]*\s+){{0,4}}?{_THING}\s+|{_THING}\s+)?"
    r",?\s*(?:and\s+)?(?:from|by|made by|developed by|built by|sold by|owned by|offered by|"
    r"marketed by|operated by|run by|provided by)\s+"
    r"(?:(?:the\s+)?(?:company|firm|startup|vendor|contractor|maker)\s+)?$"
)
_CHILD_FIRST = re.compile(r"subsidiary of|owned by|acquired by|a unit of|a division of|"
                          r"parent company", re.IGNORECASE)
_BUY_WORDS = frozenset("bought buys buy purchased purchases acquired acquires".split())
# Between two members of a list; a short capitalised tail ("... Department Inspector
# General, ...") may follow a member that the registry matched only in part.
_LIST_GAP = re.compile(r"^(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:,\s*(?:and\s+|or\s+)?|"
                       r"(?:and|or|as well as|&)\s+|,?\s*(?:including|such as)\s+)"
                       r"(?:the\s+)?$")
_DEFINITE_DEAL = re.compile(r"\b(?:the|this|that|its|their)\s+(?:[\w$.,-]+\s+){0,2}$",
                            re.IGNORECASE)
# ", a ... ," and ", which ... ,": asides about the name before them.
_APPOSITIVE = re.compile(r",\s+(?:a|an|which|who)\s+[^,;:]{1,100}?(?=,|$|\.$)")
_SLOT_AFTER = re.compile(r"^\s+(?:(?:with|from|by|to|for)\s+)?(?:the\s+)?$")
_SLOT_BEFORE = re.compile(r"^\s+(?:(?:has|had|have|also|will|would|recently|quietly|then|"
                          r"reportedly)\s+)*(?:been\s+)?$")
# A vendor or product name: a mixed-case word or several words, not an acronym of
# four letters or fewer (outlets, unknown agencies) nor a people's name ("Americans").
_NAME_LIKE = re.compile(r"^(?![A-Z]{1,4}$)(?!\w+(?:ans|ese|ish|ians)$)[A-Z][\w.&'’-]*"
                        r"(?:\s+[A-Z0-9][\w.&'’-]*)*$")
_EXAMPLE_BEFORE = re.compile(r"\b(?:such as|like|including|called|named|dubbed)\s+(?:the\s+)?$")
_DEFINITE_THING = re.compile(
    r"\s+(?:the|its|their|these|those)\s+(?:new\s+)?(?:\w+\s+)?(?:software|tool|system|"
    r"platform|app|technology|product|service|cameras?|devices?|drones?|towers?|sensors?|"
    r"program|database|equipment)\b")
_DEFINITE_THING_ANYWHERE = re.compile(
    r"\b[Tt]he\s+(?:\w+\s+)?(?:software|tool|system|platform|app|technology|product|device|"
    r"equipment|cameras?|drones?|towers?|sensors?|radar|database)\b")
_POSSESSED_DEAL = re.compile(r"(?:['’]s|\bits|\btheir)\s+(?:[A-Z][\w-]*\s+)?$")
_GENERIC_CRITICS = re.compile(
    r"\b(?:groups?|advocates|activists|critics|lawmakers|organi[sz]ations|coalition|they|"
    r"shareholders|investors|employees|senators|members of congress|researchers)\b",
    re.IGNORECASE,
)
# "We urge DHS to cancel ... and stop ...": what is demanded has not happened.
_DEMAND = re.compile(r"\b(?:urg\w*|call\w* on|ask\w*|demand\w*|press\w*|push\w*|petition\w*|"
                     r"want\w*)\b[^.]{0,30}\bto\b[^.]*$", re.IGNORECASE)


@dataclass
class Relation:
    """One extracted claim, with the rule that produced it."""

    type: str
    subject: Mention
    object: Mention
    sentence: int
    rule: str
    product: Mention | None = None
    vendor: Mention | None = None
    status: str = "active"
    reactivated: bool = False
    amount: Decimal | None = None
    date: str | None = None
    date_text: str | None = None

    @property
    def agency(self) -> Mention:
        """The agency end of an engagement."""
        return self.object if self.type in ("SELLS_TO", "PITCHED_TO") else self.subject


class Memory(Protocol):
    """What the rules may ask of the document read so far."""

    past: list[Relation]

    def latest(self, kind: str, index: int, before: int,
               current: list[Mention]) -> Mention | None: ...

    def topic_vendor(self) -> Mention | None: ...

    def maker_of(self, product: Mention) -> Mention | None: ...

    def same_family(self, first: Mention, second: Mention) -> bool: ...

    def give_kind(self, mention: Mention, kind: str, rule: str) -> Mention: ...


class SentenceRules:
    """The rules, bound to one sentence's text and mentions."""

    def __init__(self, index: int, text: str, mentions: list[Mention], memory: Memory) -> None:
        self.index, self.text, self.mentions, self.memory = index, text, mentions, memory
        self.supplied: list[tuple[Mention, Mention]] = []
        self.generic_criticism: Mention | None = None
        self.appositives = [(m.end, m.end + a.end()) for m in mentions
                            if (a := _APPOSITIVE.match(text[m.end:]))]

    # ------------------------------------------------------------ arguments
    def within(self, span: tuple[int, int], kind: str, at: int | None = None) -> list[Mention]:
        """Mentions of ``kind`` inside a span; pronouns resolved to that kind.

        Names inside an apposition ("the Sisters, a congregation in the Tri-State
        Coalition, filed it") describe the name before them and are not arguments,
        unless the span itself lies in that apposition.
        """
        found = []
        named = [m for m in self.mentions if m.kind != "pronoun"]
        asides = [a for a in self.appositives if not (a[0] <= span[0] and span[1] <= a[1])
                  and not (at is not None and a[0] <= at <= a[1])]
        for mention in self.mentions:
            if not (span[0] <= mention.start and mention.end <= span[1]):
                continue
            if any(a[0] <= mention.start and mention.end <= a[1] for a in asides):
                continue
            if mention.kind == kind:
                found.append(mention)
            elif mention.kind == "pronoun" and kind in PRONOUN_KINDS:
                antecedent = self.memory.latest(kind, self.index, mention.start, named)
                if antecedent is not None:
                    found.append(Mention(kind, antecedent.name, self.index, mention.start,
                                         mention.end, f"pronoun:{mention.name.lower()}",
                                         antecedent.iri, mention.possessive, antecedent))
        return found

    def coordinated(self, found: list[Mention], anchor: Mention) -> list[Mention]:
        """The whole list ("A, B and C") that ``anchor`` belongs to."""
        at = found.index(anchor)
        first = last = at
        while first > 0 and self._listed(found[first - 1], found[first]):
            first -= 1
        while last + 1 < len(found) and self._listed(found[last], found[last + 1]):
            last += 1
        return found[first:last + 1]

    def _listed(self, before: Mention, after: Mention) -> bool:
        gap = self.text[before.end:after.start]
        return before.start == after.start or bool(_LIST_GAP.match(gap))

    def nearest(self, trig: Trigger, kind: str, right_first: bool = False) -> Mention | None:
        left = self.within(trig.left, kind, trig.start)
        right = self.within(trig.right, kind, trig.start)
        if right_first:
            return right[0] if right else (left[-1] if left else None)
        return left[-1] if left else (right[0] if right else None)

    def nearest_list(self, trig: Trigger, kind: str, right_first: bool = False) -> list[Mention]:
        left = self.within(trig.left, kind, trig.start)
        right = self.within(trig.right, kind, trig.start)
        order = [(right, 0), (left, -1)] if right_first else [(left, -1), (right, 0)]
        for found, pick in order:
            if found:
                return self.coordinated(found, found[pick])
        return []

    def subject_before(self, trig: Trigger, kind: str) -> Mention | None:
        """The first ``kind`` of the sentence, if it comes before the trigger."""
        return next((m for m in self.within((0, trig.start), kind)), None)

    def denied(self, trig: Trigger) -> str | None:
        """Why a trigger does not hold: a hedge, a demand or a negation before it.

        A possessed deal noun ("ICE's contract with X", "its Palantir contract")
        presupposes the deal, so a hedge or demand around it ("urge DHS to cancel
        ICE's contract") does not deny that the contract exists.
        """
        window = self.text[max(0, trig.start - 80):trig.start]
        if _POSSESSED_DEAL.search(window) and trig.kind == "sell":
            return None
        if match := lx.HEDGE_RE.search(window):
            return f"hedge:{match.group(0).lower()}"
        if _DEMAND.search(window):
            return "hedge:demand"
        if match := lx.NEGATION_RE.search(self.text[max(trig.left[0], trig.start - 60):
                                                    trig.start]):
            return f"negation:{match.group(0).lower()}"
        return None

    def details(self, trig: Trigger, rel: Relation) -> Relation:
        """Money and dates from the trigger's clause; a pause word sets the status."""
        window = self.text[trig.left[0]:trig.right[1]]
        if rel.type in ("SELLS_TO", "FUNDS", "PITCHED_TO"):
            rel.amount = parse_money(window)
        if date := iso_date(window):
            rel.date, rel.date_text = date, date_words(window)
        if lx.PAUSE_RE.search(self.text[trig.left[0]:trig.start] + trig.word):
            rel.status = "paused"
        return rel

    # ---------------------------------------------------------------- rules
    def apply(self, trig: Trigger) -> list[Relation]:
        """Every relation one trigger states, or none if it is denied."""
        if self.denied(trig):
            return []
        rule = getattr(self, f"rule_{trig.kind}")
        return [self.details(trig, rel) for rel in rule(trig)]

    def rule_sell(self, trig: Trigger) -> list[Relation]:
        if _PASSIVE_BY.match(self.text, trig.end) and trig.word.split()[-1] in _SUPPLY_WORDS:
            product = self.nearest(trig, "product")
            vendor = self.nearest(trig, "vendor", right_first=True)
            if product is not None and vendor is not None:
                self.supplied.append((product, vendor))
            return []
        stage = "PITCHED_TO" if lx.PROPOSAL_RE.search(self.text[trig.clause:trig.start]) \
            else "SELLS_TO"
        return self.vendor_agency(trig, stage)

    def rule_pitch(self, trig: Trigger) -> list[Relation]:
        return self.vendor_agency(trig, "PITCHED_TO")

    def vendor_agency(self, trig: Trigger, rel_type: str) -> list[Relation]:
        """A vendor (seller) and the agencies it deals with."""
        passive = _PASSIVE_BY.match(self.text, trig.end)
        if passive and rel_type == "PITCHED_TO":
            return []  # "products offered by the company": an offering, not a pitch to anyone
        vendor = self.nearest(trig, "vendor", right_first=bool(passive))
        product = self.nearest(trig, "product", right_first=True)
        rule = f"{rel_type.lower()}:{trig.word}"
        if vendor is None:
            vendor = self.subject_before(trig, "vendor")
        if vendor is None and (name := self._untyped(trig, right_first=bool(passive))):
            vendor = self.memory.give_kind(name, "vendor", f"role:seller-of-{trig.word}")
        if vendor is None and product is not None:
            vendor = self.memory.maker_of(product)
            rule += "+maker-of-product"
        agencies = self.nearest_list(trig, "agency", right_first=True)
        if not agencies and (agency := self.subject_before(trig, "agency")):
            agencies = [agency]
        if not agencies and trig.word.split()[-1] in _BUY_WORDS:
            return self._acquisition(trig)
        if vendor is None and agencies and _DEFINITE_THING_ANYWHERE.search(self.text):
            earlier_product, vendor = self._thing_of_earlier_deal(trig, agencies[0], anywhere=True)
            product = product or earlier_product
            rule += "+earlier-deal-thing"
        if (vendor is None or not agencies) and _DEFINITE_DEAL.search(self.text[:trig.start]):
            return self._earlier_deal(trig, vendor, agencies)
        if vendor is None:
            return []
        return [Relation(rel_type, vendor, agency, self.index, rule, product=product,
                         vendor=vendor) for agency in agencies]

    def _acquisition(self, trig: Trigger) -> list[Relation]:
        """"Motorola Solutions bought Vigilant Solutions": a company buying a company."""
        buyer, bought = self.within(trig.left, "vendor")[-1:], self.within(trig.right, "vendor")
        if not buyer or not bought:
            return []
        return [Relation("SUBSIDIARY_OF", bought[0], buyer[0], self.index,
                         f"subsidiary:{trig.word}")]

    def _earlier_deal(self, trig: Trigger, vendor: Mention | None,
                      agencies: list[Mention]) -> list[Relation]:
        """"The new contract is worth $224,000": details of a deal stated earlier.

        Only a sentence that adds money or a date counts; "criticized X over the
        deal" merely refers back and states nothing new.
        """
        window = self.text[trig.left[0]:trig.right[1]]
        if parse_money(window) is None and iso_date(window) is None:
            return []
        for earlier in reversed(self.memory.past[-6:]):
            if earlier.type != "SELLS_TO" or self.index - earlier.sentence > 4:
                continue
            if vendor is not None and earlier.subject.key != vendor.key:
                continue
            if agencies and earlier.object.key not in {a.key for a in agencies}:
                continue
            return [Relation("SELLS_TO", earlier.subject, earlier.object, self.index,
                             f"sells_to:{trig.word}+earlier-deal", product=earlier.product,
                             vendor=earlier.vendor)]
        return []

    def rule_pilot(self, trig: Trigger) -> list[Relation]:
        return self.agency_product(trig, "PILOTS")

    def rule_use(self, trig: Trigger) -> list[Relation]:
        return self.agency_product(trig, "USES")

    def agency_product(self, trig: Trigger, rel_type: str) -> list[Relation]:
        """Agencies (all of a list) that pilot or use a product (or a vendor's unnamed one)."""
        agencies = self.nearest_list(trig, "agency")
        product = self.nearest(trig, "product", right_first=True)
        vendor = self.nearest(trig, "vendor", right_first=True)
        rule_suffix = ""
        if product is None and vendor is None and agencies:
            if name := self._untyped(trig, right_first=True):
                product = self.memory.give_kind(name, "product", f"role:{trig.word}-object")
            else:
                product, vendor = self._thing_of_earlier_deal(trig, agencies[0])
                rule_suffix = "+earlier-deal-thing"
        if product is None and vendor is None:  # "evaluating a radar made by Vantor"
            vendor = next(iter(self.within((trig.end, trig.clause_end), "vendor")), None)
        target = product or vendor
        if target is None:
            return []
        rule = f"{rel_type.lower()}:{trig.word}{rule_suffix}"
        return [Relation(rel_type, agency, target, self.index, rule, product=product,
                         vendor=vendor) for agency in agencies]

    def _untyped(self, trig: Trigger, right_first: bool) -> Mention | None:
        """A name no rule has typed yet that fills the argument slot right next to the
        trigger ("paid NorthStar Vision", "a contract with Locus", "Pulsewatch pitched"),
        for the rule to type by its role. Farther names are left alone: most untyped
        capitalised words are people, places, outlets or sentence openers."""
        after = [m for m in self.within(trig.right, "name", trig.start)
                 if _SLOT_AFTER.match(self.text[trig.end:m.start])]
        before = [m for m in self.within(trig.left, "name", trig.start)
                  if _SLOT_BEFORE.match(self.text[m.end:trig.start])]
        found = [n for n in (after[:1] + before[-1:] if right_first else before[-1:] + after[:1])
                 if _NAME_LIKE.match(n.name)]
        return found[0] if found else None

    def _thing_of_earlier_deal(self, trig: Trigger, agency: Mention, anywhere: bool = False
                               ) -> tuple[Mention | None, Mention | None]:
        """"The agency began testing the towers": the product (or vendor) of this
        agency's latest deal, when the object is a definite product noun."""
        if not anywhere and not _DEFINITE_THING.match(self.text, trig.right[0]):
            return None, None
        for earlier in reversed(self.memory.past):
            if self.memory.same_family(agency, earlier.agency):
                return earlier.product, earlier.vendor
        return None, None

    def rule_make(self, trig: Trigger) -> list[Relation]:
        passive = bool(_PASSIVE_BY.match(self.text, trig.end))
        vendor = self.nearest(trig, "vendor", right_first=passive)
        if vendor is None and not passive:  # "Axon, which makes the Taser"
            vendor = self.subject_before(trig, "vendor")
        product = self.nearest(trig, "product", right_first=True)
        if product is None and vendor is not None:
            name = next(iter(self.within((trig.end, trig.clause_end), "name", trig.start)), None)
            if name is not None and _NAME_LIKE.match(name.name) and (  # "makes ... the Falcon"
                    _SLOT_AFTER.match(self.text[trig.end:name.start])
                    or _EXAMPLE_BEFORE.search(self.text[trig.end:name.start])):
                product = self.memory.give_kind(name, "product", f"role:made-by-{trig.word}")
        if vendor is None or product is None:
            return []
        return [Relation("MAKES", vendor, product, self.index, f"makes:{trig.word}",
                         product=product, vendor=vendor)]

    def rule_criticize(self, trig: Trigger) -> list[Relation]:
        """Who criticizes which vendor (or agency, when it is what the verb names)."""
        rest = (trig.end, len(self.text))
        targets = (self.within(rest, "vendor")[:1] or self.within(trig.right, "agency")[:1]
                   or self.within(trig.left, "vendor")[-1:])
        product = self.nearest(trig, "product", right_first=True)
        if not targets and product is not None:
            maker = self.memory.maker_of(product)
            targets = [maker] if maker else []
        if not targets and (topic := self.memory.topic_vendor()):
            targets = [topic]
        if not targets:
            return []
        target = targets[0]
        critics = self._critics(trig, target)
        if not critics and _GENERIC_CRITICS.search(self.text[trig.left[0]:trig.start]):
            self.generic_criticism = target
        return [Relation("CRITICIZES", critic, target, self.index, f"criticizes:{trig.word}",
                         product=product) for critic in critics]

    def _critics(self, trig: Trigger, target: Mention) -> list[Mention]:
        if _PASSIVE_BY.match(self.text, trig.end) or trig.word.endswith(" from"):
            return self.nearest_list(trig, "organization", right_first=True)
        critics = self.nearest_list(trig, "organization")
        if not critics:
            left = [m for m in self.within(trig.left, "vendor") if m.key != target.key]
            critics = self.coordinated(left, left[-1]) if left else []
        return critics

    def rule_fund(self, trig: Trigger) -> list[Relation]:
        agencies = self.within(trig.left, "agency") + self.within(trig.right, "agency")
        if len(agencies) < 2:
            return []
        after_from = re.search(r"\bfrom\b", self.text[trig.end:trig.right[1]])
        funder, recipient = (agencies[-1], agencies[0]) if after_from else (agencies[0],
                                                                             agencies[-1])
        return [Relation("FUNDS", funder, recipient, self.index, f"funds:{trig.word}")]

    def rule_subsidiary(self, trig: Trigger) -> list[Relation]:
        left = self.within(trig.left, "vendor", trig.start)
        right = self.within(trig.right, "vendor", trig.start)
        if not left and (subject := self.subject_before(trig, "vendor")):
            left = [subject]  # "Vantor, which was acquired by Orbis": the relative's antecedent
        if not left or not right:
            return []
        parent_first = not _CHILD_FIRST.fullmatch(trig.word)  # "Amazon-owned Ring", "acquired"
        child, parent = (right[0], left[-1]) if parent_first else (left[-1], right[0])
        return [Relation("SUBSIDIARY_OF", child, parent, self.index, f"subsidiary:{trig.word}")]

    def rule_end(self, trig: Trigger) -> list[Relation]:
        return []  # ending words modify other relations: see loaders.extract.structure

    def rule_resume(self, trig: Trigger) -> list[Relation]:
        return []  # so do reactivations
