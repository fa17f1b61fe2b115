"""Relation rules: trigger words plus entity types decide who did what to whom.

Each trigger (a verb or noun such as "sold", "pilot", "proposed") owns the text
between it and its neighbouring triggers. Its arguments are the nearest
entities of the types the relation needs (a vendor and an agency for a sale),
so direction comes from types, not from fragile word order. A negation or a
hedge before a trigger cancels it; an ending word marks the nearest
relation as ended.
"""

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from kg.values import MONTHS, iso_date, parse_money
from loaders.extract import lexicon as lx
from loaders.extract.mentions import Mention, MentionFinder

# "it" and "its" refer back to companies and products; agencies are named or
# referred to as "the agency"/"the department" (resolving "it" to an agency made
# "questioned its use" into a false USES).
_PRONOUN_KINDS = ("vendor", "product")
STAGE_OF = {"sell": "SELLS_TO", "pitch": "PITCHED_TO", "pilot": "PILOTS", "use": "USES"}
_MODIFIERS = ("end",)
_MERGE_GAP = 25
# Where one clause ends and the next begins: a trigger's arguments stay inside its clause.
_CLAUSE_BOUNDARY = re.compile(
    r",\s+(?:and|but|while|whereas|although|though|which|who|after|before|because|since|"
    r"according to)\b|;|\s(?:while|whereas|but)\s|\s[—–]\s|\s-\s|:\s"
)
_PASSIVE_BY = re.compile(r"\s+by\b")
_PRODUCT_FROM = re.compile(
    r"^,?\s*(?:(?:technology|software|tool|system|platform|app|service|product)\s+)?"
    r"(?:,\s*)?(?:a\s+)?(?:(?:technology|software|tool|service)\s+)?"
    r"(?:from|by|made by|developed by|built by|sold by|owned by)\s+$"
)
_CHILD_FIRST = re.compile(r"subsidiary of|owned by|acquired by|bought by|purchased by|"
                          r"a unit of|a division of|part of|merged", re.IGNORECASE)


@dataclass
class Trigger:
    """A trigger word (or merged run of same-kind words) in a sentence."""

    kind: str
    start: int
    end: int
    word: str
    left: tuple[int, int] = (0, 0)
    right: tuple[int, int] = (0, 0)


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
    amount: Decimal | None = None
    date: str | None = None
    date_text: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def find_triggers(text: str) -> list[Trigger]:
    """Triggers in text order; adjacent same-kind words merge; windows assigned."""
    found = sorted(
        (Trigger(kind, m.start(), m.end(), m.group(0).lower()) for kind, regex in
         lx.TRIGGER_RES.items() for m in regex.finditer(text)),
        key=lambda trig: (trig.start, -trig.end),
    )
    merged: list[Trigger] = []
    for trig in found:
        if merged and trig.start < merged[-1].end:
            continue  # overlapping words: keep the first, longest one
        if merged and merged[-1].kind == trig.kind and trig.start - merged[-1].end < _MERGE_GAP \
                and "," not in text[merged[-1].end:trig.start]:
            merged[-1].end = trig.end
            merged[-1].word += " " + trig.word
            continue
        merged.append(trig)
    bounds = [m.start() for m in _CLAUSE_BOUNDARY.finditer(text)]
    for i, trig in enumerate(merged):
        left = max([merged[i - 1].end if i else 0, *(b for b in bounds if b <= trig.start)])
        right = min([merged[i + 1].start if i + 1 < len(merged) else len(text),
                     *(b for b in bounds if b >= trig.end)])
        trig.left, trig.right = (left, trig.start), (trig.end, right)
    return merged


class RelationFinder:
    """Applies the relation rules to one sentence at a time."""

    def __init__(self, finder: MentionFinder) -> None:
        self.finder = finder
        self.vendor_counts: Counter[str] = Counter()
        self._topic: dict[str, Mention] = {}
        self.past: list[Relation] = []

    def find(self, index: int, text: str, mentions: list[Mention]) -> list[Relation]:
        """Relations stated by sentence ``index``."""
        for mention in mentions:
            if mention.resolved.kind == "vendor":
                self.vendor_counts[mention.key] += 1
                self._topic.setdefault(mention.key, mention.resolved)
        ctx = _Sentence(index, text, mentions, self)
        relations = ctx.possessive_makes()
        triggers = find_triggers(text)
        for trig in triggers:
            if trig.kind in _MODIFIERS:
                continue
            relations += ctx.apply(trig)
        ctx.apply_endings(triggers, relations)
        kept = _unique(relations)
        self.past += [rel for rel in kept if rel.type in STAGE_OF.values()]
        return kept

    def topic_vendor(self) -> Mention | None:
        """The vendor the document has mentioned most so far."""
        if not self.vendor_counts:
            return None
        return self._topic[self.vendor_counts.most_common(1)[0][0]]


def _unique(relations: list[Relation]) -> list[Relation]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for rel in relations:
        key = (rel.type, rel.subject.key, rel.object.key)
        if key not in seen and rel.subject.key != rel.object.key:
            seen.add(key)
            kept.append(rel)
    return kept


class _Sentence:
    """The rules, bound to one sentence's text and mentions."""

    def __init__(self, index: int, text: str, mentions: list[Mention],
                 owner: RelationFinder) -> None:
        self.index, self.text, self.mentions, self.owner = index, text, mentions, owner

    # ------------------------------------------------------------ arguments
    def _in(self, span: tuple[int, int], kind: str) -> list[Mention]:
        """Mentions of ``kind`` inside a span; pronouns resolved to that kind."""
        found = []
        for mention in self.mentions:
            if not (span[0] <= mention.start and mention.end <= span[1]):
                continue
            if mention.kind == kind:
                found.append(mention)
            elif mention.kind == "pronoun" and kind in _PRONOUN_KINDS:
                antecedent = self.owner.finder.latest(kind, self.index, mention.start,
                                                      [m for m in self.mentions
                                                       if m.kind != "pronoun"])
                if antecedent is not None:
                    found.append(Mention(kind, antecedent.name, self.index, mention.start,
                                         mention.end, f"pronoun:{mention.name.lower()}",
                                         antecedent.iri, mention.possessive, antecedent))
        return found

    def _nearest(self, trig: Trigger, kind: str, right_first: bool = False) -> Mention | None:
        left, right = self._in(trig.left, kind), self._in(trig.right, kind)
        if right_first:
            return right[0] if right else (left[-1] if left else None)
        return left[-1] if left else (right[0] if right else None)

    def _agencies(self, trig: Trigger) -> list[Mention]:
        right = self._in(trig.right, "agency")
        return right or self._in(trig.left, "agency")[-1:]

    def _denied(self, trig: Trigger) -> str | None:
        before = self.text[max(trig.left[0], trig.start - 60):trig.start]
        if match := lx.HEDGE_RE.search(self.text[max(0, trig.start - 80):trig.start]):
            return f"hedge:{match.group(0).lower()}"
        if match := lx.NEGATION_RE.search(before):
            return f"negation:{match.group(0).lower()}"
        return None

    def _details(self, trig: Trigger, rel: Relation) -> Relation:
        window = self.text[trig.left[0]:trig.right[1]]
        if rel.type in ("SELLS_TO", "FUNDS", "PITCHED_TO"):
            rel.amount = parse_money(window)
        date = iso_date(window)
        if date:
            rel.date, rel.date_text = date, _date_words(window)
        before = self.text[trig.left[0]:trig.start]
        if lx.PAUSE_RE.search(before + trig.word):
            rel.status = "paused"
        return rel

    # ---------------------------------------------------------------- rules
    def apply(self, trig: Trigger) -> list[Relation]:
        if self._denied(trig):
            return []
        rule = getattr(self, f"_rule_{trig.kind}")
        return [self._details(trig, rel) for rel in rule(trig)]

    def _rule_sell(self, trig: Trigger) -> list[Relation]:
        stage = "PITCHED_TO" if lx.PROPOSAL_RE.search(self.text[trig.left[0]:trig.start]) \
            else "SELLS_TO"
        return self._vendor_agency(trig, stage)

    def _rule_pitch(self, trig: Trigger) -> list[Relation]:
        return self._vendor_agency(trig, "PITCHED_TO")

    def _vendor_agency(self, trig: Trigger, rel_type: str) -> list[Relation]:
        vendor = self._nearest(trig, "vendor")
        if vendor is None:
            vendor = next((m for m in self.mentions if m.kind == "vendor"), None)
        agencies = self._agencies(trig)
        product = self._nearest(trig, "product", right_first=True)
        rule = f"{rel_type.lower()}:{trig.word}"
        return [Relation(rel_type, vendor, agency, self.index, rule, product=product,
                         vendor=vendor) for agency in agencies if vendor is not None]

    def _rule_pilot(self, trig: Trigger) -> list[Relation]:
        return self._agency_product(trig, "PILOTS")

    def _rule_use(self, trig: Trigger) -> list[Relation]:
        return self._agency_product(trig, "USES")

    def _agency_product(self, trig: Trigger, rel_type: str) -> list[Relation]:
        agency = self._nearest(trig, "agency")
        product = self._nearest(trig, "product", right_first=True)
        vendor = self._nearest(trig, "vendor", right_first=True)
        target = product or vendor
        if agency is None or target is None:
            return []
        return [Relation(rel_type, agency, target, self.index, f"{rel_type.lower()}:{trig.word}",
                         product=product, vendor=vendor)]

    def _rule_make(self, trig: Trigger) -> list[Relation]:
        vendor = self._nearest(trig, "vendor")
        product = self._nearest(trig, "product", right_first=True)
        if vendor is None or product is None:
            return []
        return [Relation("MAKES", vendor, product, self.index, f"makes:{trig.word}",
                         product=product, vendor=vendor)]

    def _rule_criticize(self, trig: Trigger) -> list[Relation]:
        targets = self._in(trig.right, "vendor") or self._in(trig.left, "vendor")[-1:]
        if not targets:
            topic = self.owner.topic_vendor()
            targets = [topic] if topic is not None else []
        left_orgs, right_orgs = self._in(trig.left, "organization"), self._in(trig.right,
                                                                                "organization")
        if _PASSIVE_BY.match(self.text, trig.end):
            critics = right_orgs[:1]
        else:
            critics = left_orgs[-1:] or right_orgs[:1]
        if not critics:
            critics = [m for m in self._in(trig.left, "vendor")[-1:] if m not in targets]
        return [Relation("CRITICIZES", critic, target, self.index, f"criticizes:{trig.word}")
                for critic in critics for target in targets[:1]]

    def _rule_fund(self, trig: Trigger) -> list[Relation]:
        agencies = self._in(trig.left, "agency") + self._in(trig.right, "agency")
        if len(agencies) < 2:
            return []
        after_from = re.search(r"\bfrom\b", self.text[trig.end:trig.right[1]])
        funder, recipient = (agencies[-1], agencies[0]) if after_from else (agencies[0],
                                                                             agencies[-1])
        return [Relation("FUNDS", funder, recipient, self.index, f"funds:{trig.word}")]

    def _rule_subsidiary(self, trig: Trigger) -> list[Relation]:
        left, right = self._in(trig.left, "vendor"), self._in(trig.right, "vendor")
        if not left or not right:
            return []
        child, parent = (left[-1], right[0]) if _CHILD_FIRST.fullmatch(trig.word) \
            else (right[0], left[-1])
        return [Relation("SUBSIDIARY_OF", child, parent, self.index, f"subsidiary:{trig.word}")]

    def possessive_makes(self) -> list[Relation]:
        """"Amazon's Rekognition", "its Gotham software", "Rekognition, technology from
        Amazon Web Services": the owner makes the product."""
        found = []
        ordered = [m for m in self.mentions if m.kind != "pronoun" or m.possessive]
        for product, maker in itertools.pairwise(ordered):
            if product.kind == "product" and maker.resolved.kind == "vendor" and \
                    _PRODUCT_FROM.match(self.text[product.end:maker.start]):
                found.append(Relation("MAKES", maker, product, self.index, "makes:product-from",
                                      product=product, vendor=maker))
        for owner, product in itertools.pairwise(ordered):
            gap = self.text[owner.end:product.start]
            if product.kind != "product" or not owner.possessive or len(gap) > 20:
                continue
            makers = [owner] if owner.resolved.kind == "vendor" else self._in(
                (owner.start, owner.end), "vendor") if owner.kind == "pronoun" else []
            found += [Relation("MAKES", maker, product, self.index, "makes:possessive",
                               product=product, vendor=maker) for maker in makers]
        return found

    # -------------------------------------------------------------- endings
    def apply_endings(self, triggers: list[Trigger], relations: list[Relation]) -> None:
        """An ending word marks the nearest engagement as ended, or states one itself."""
        for trig in triggers:
            if trig.kind != "end" or self._denied(trig):
                continue
            status = "paused" if lx.PAUSE_RE.search(trig.word) else "ended"
            engaged = [r for r in relations if r.type in STAGE_OF.values()]
            if engaged:
                for rel in engaged:
                    rel.status = status
                continue
            relations += self._ended_alone(trig, status)

    def _ended_alone(self, trig: Trigger, status: str) -> list[Relation]:
        agency = self._nearest(trig, "agency")
        target = self._nearest(trig, "product", right_first=True) or self._nearest(
            trig, "vendor", right_first=True)
        if target is None:
            return self._end_earlier(trig, agency, status)
        if agency is None:
            return []
        rel = Relation("USES", agency, target, self.index, f"ended:{trig.word}",
                       product=target if target.kind == "product" else None,
                       vendor=target if target.kind == "vendor" else None, status=status)
        return [self._details(trig, rel)]

    def _end_earlier(self, trig: Trigger, agency: Mention | None,
                     status: str) -> list[Relation]:
        """"The department ended the pilot": end the engagement an earlier sentence stated."""
        noun = _ENGAGEMENT_NOUN_RE.search(self.text, trig.left[0], trig.right[1] + 40)
        if noun is None:
            return []
        wanted = _ENGAGEMENT_NOUNS[noun.group(1).lower()]
        for earlier in reversed(self.owner.past):
            engaged = earlier.object if earlier.type in ("SELLS_TO", "PITCHED_TO") \
                else earlier.subject
            if earlier.type == wanted and (agency is None or engaged.key == agency.key):
                ended = Relation(earlier.type, earlier.subject, earlier.object, self.index,
                                 f"ended-earlier:{trig.word}+{noun.group(1).lower()}",
                                 product=earlier.product, vendor=earlier.vendor, status=status)
                return [self._details(trig, ended)]
        return []


_ENGAGEMENT_NOUNS = {"pilot": "PILOTS", "trial": "PILOTS", "test": "PILOTS",
                     "contract": "SELLS_TO", "deal": "SELLS_TO", "agreement": "SELLS_TO",
                     "subscription": "SELLS_TO", "license": "SELLS_TO", "licence": "SELLS_TO",
                     "partnership": "SELLS_TO", "program": "USES", "use": "USES"}
_ENGAGEMENT_NOUN_RE = re.compile(rf"\b({'|'.join(_ENGAGEMENT_NOUNS)})s?\b", re.IGNORECASE)


_DATE_WORDS = re.compile(
    rf"\b(?:(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})"
    r"\.?\s+(?:\d{1,2},?\s+)?\d{4}|(?:fiscal(?: year)?|FY)\s*\d{2,4}|\d{4}(?:-\d{2}){0,2})\b",
    re.IGNORECASE,
)


def _date_words(window: str) -> str | None:
    match = _DATE_WORDS.search(window)
    return match.group(0) if match else None
