"""Relations that sentence structure states without a trigger verb, and endings.

- "Amazon's Rekognition", "its Gotham software", "Axon Taser", "Rekognition,
  technology from Amazon Web Services": the owner makes the product.
- An ending word ("cancelled", "paused", "let expire") ends the engagements of
  its sentence; alone, it ends the agency's dealing with the product or vendor
  it names, or the engagement an earlier sentence stated ("ended the pilot").
"""

import itertools
import re

from loaders.extract import lexicon as lx
from loaders.extract.mentions import Mention
from loaders.extract.rules import ENGAGEMENTS, PRODUCT_FROM, Relation, SentenceRules
from loaders.extract.triggers import ENGAGEMENT_NOUN_RE, ENGAGEMENT_NOUNS, Trigger

_POSSESSIVE_GAP = re.compile(r"^[^,.;:()]{0,40}$")
_ADJACENT_GAP = re.compile(r"^\s+$")
_POSSESSIVE_IN_NAME = re.compile(r"\w['’]s\s")


def structural_makes(rules: SentenceRules) -> list[Relation]:
    """MAKES stated by possession, adjacency or "from"."""
    found: list[Relation] = []
    ordered = [m for m in rules.mentions if m.kind != "pronoun" or m.possessive]
    for product in ordered:
        if product.kind == "product" and product.rule == "registry" and \
                _POSSESSIVE_IN_NAME.search(rules.text[product.start:product.end]):
            maker = rules.memory.maker_of(product)  # "Palantir's Gotham"
            if maker is not None:
                found.append(_makes(rules, maker, product, "makes:possessive"))
    for first, second in itertools.pairwise(ordered):
        gap = rules.text[first.end:second.start]
        if first.kind == "product" and second.resolved.kind in ("vendor", "name") \
                and PRODUCT_FROM.match(gap):
            if second.kind == "name":
                rules.memory.give_kind(second, "vendor", "role:maker-of-product")
            found.append(_makes(rules, second, first, "makes:product-from"))
        elif second.kind == "product" and first.resolved.kind == "vendor" \
                and _ADJACENT_GAP.match(gap) and not first.possessive:
            found.append(_makes(rules, first, second, "makes:vendor-product"))
        elif second.kind == "product" and first.possessive and _POSSESSIVE_GAP.match(gap):
            for maker in _owners(rules, first):
                found.append(_makes(rules, maker, second, "makes:possessive"))
    return found


def _owners(rules: SentenceRules, owner: Mention) -> list[Mention]:
    if owner.kind == "pronoun":
        return rules.within((owner.start, owner.end), "vendor")
    return [owner] if owner.resolved.kind == "vendor" else []


def _makes(rules: SentenceRules, vendor: Mention, product: Mention, rule: str) -> Relation:
    return Relation("MAKES", vendor, product, rules.index, rule, product=product, vendor=vendor)


def apply_endings(rules: SentenceRules, triggers: list[Trigger],
                  relations: list[Relation]) -> None:
    """An ending word marks the sentence's engagements as ended, or states one itself;
    a reactivation ("resumed", "reinstated") makes an ended engagement active again."""
    for trig in triggers:
        if trig.kind not in ("end", "resume") or rules.denied(trig):
            continue
        if trig.kind == "resume":
            status = "active"
        else:
            status = "paused" if lx.PAUSE_RE.search(trig.word) else "ended"
        engaged = [r for r in relations if r.type in ENGAGEMENTS]
        for rel in engaged:
            rel.status, rel.reactivated = status, trig.kind == "resume"
        if not engaged:
            relations += _ended_alone(rules, trig, status)


def _ended_alone(rules: SentenceRules, trig: Trigger, status: str) -> list[Relation]:
    """"Chicago will end ShotSpotter": a product ends a use, a vendor ends a contract."""
    agency = rules.nearest(trig, "agency") or rules.subject_before(trig, "agency")
    product = rules.nearest(trig, "product", right_first=True)
    vendor = rules.nearest(trig, "vendor", right_first=True)
    if product is None and vendor is None:
        return _end_earlier(rules, trig, agency, status)
    if agency is None:
        return []
    if (earlier := _earlier_with(rules, agency, product or vendor)) is not None:
        ended = Relation(earlier.type, earlier.subject, earlier.object, rules.index,
                         f"{_verb(trig)}-earlier:{trig.word}", product=earlier.product,
                         vendor=earlier.vendor, status=status,
                         reactivated=trig.kind == "resume")
        return [rules.details(trig, ended)]
    if product is not None:
        rel = Relation("USES", agency, product, rules.index, f"{_verb(trig)}:{trig.word}",
                       product=product, vendor=vendor, status=status,
                       reactivated=trig.kind == "resume")
    else:
        assert vendor is not None
        rel = Relation("SELLS_TO", vendor, agency, rules.index, f"{_verb(trig)}:{trig.word}",
                       vendor=vendor, status=status, reactivated=trig.kind == "resume")
    return [rules.details(trig, rel)]


def _verb(trig: Trigger) -> str:
    return "resumed" if trig.kind == "resume" else "ended"


def _earlier_with(rules: SentenceRules, agency: Mention,
                  target: Mention | None) -> Relation | None:
    """The latest engagement of this agency (or its parent or part) with this product."""
    for earlier in reversed(rules.memory.past):
        ends = {m.key for m in (earlier.product, earlier.vendor, earlier.object) if m}
        if target is not None and target.key in ends and \
                rules.memory.same_family(agency, earlier.agency):
            return earlier
    return None


def _end_earlier(rules: SentenceRules, trig: Trigger, agency: Mention | None,
                 status: str) -> list[Relation]:
    """"The department ended the pilot": end the engagement an earlier sentence stated."""
    noun = ENGAGEMENT_NOUN_RE.search(rules.text, trig.left[0], trig.right[1] + 40)
    if noun is None:
        return []
    wanted = ENGAGEMENT_NOUNS[noun.group(1).lower()]
    candidates = [e for e in reversed(rules.memory.past) if agency is None
                  or rules.memory.same_family(agency, e.agency)]
    candidates.sort(key=lambda e: e.type != wanted)  # the named kind of deal first
    for earlier in candidates[:1]:
            ended = Relation(earlier.type, earlier.subject, earlier.object, rules.index,
                             f"{_verb(trig)}-earlier:{trig.word}+{noun.group(1).lower()}",
                             product=earlier.product, vendor=earlier.vendor, status=status,
                             reactivated=trig.kind == "resume")
            return [rules.details(trig, ended)]
    return []
