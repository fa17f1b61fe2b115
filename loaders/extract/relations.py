"""Relations across a document: sentence rules plus what earlier sentences said.

The finder keeps the document's memory (earlier engagements, the vendor most
talked about, who makes or supplies which product, criticism whose critics are
named later) and, at the end, draws the inferences that need the whole text.
Every inferred relation names the rule that made it.
"""

import re
from collections import Counter

from loaders.extract.mentions import Mention, MentionFinder
from loaders.extract.rules import ENGAGEMENTS, Relation, SentenceRules
from loaders.extract.structure import apply_endings, structural_makes
from loaders.extract.triggers import MODIFIERS, find_triggers

__all__ = ["Relation", "RelationFinder"]

# Lowercase on purpose: "coalition" the word, not the "Tri-State Coalition" name.
_COALITION = re.compile(r"\b(?:led by|includ(?:es|ing|ed)|joined by|signed by|signatories|"
                        r"members?|coalition|along with|co-signed)\b")


# "a member of the Tri-State Coalition": the body a critic belongs to is not a critic.
_MEMBER_OF = re.compile(r"\b(?:member|part|affiliate)s?\s+of\s+(?:the\s+)?$", re.IGNORECASE)


class RelationFinder:
    """Applies the rules sentence by sentence and keeps the document's memory."""

    def __init__(self, finder: MentionFinder) -> None:
        self.finder = finder
        self.past: list[Relation] = []
        self._vendor_counts: Counter[str] = Counter()
        self._vendors: dict[str, Mention] = {}
        self._makers: dict[str, Mention] = {}
        self._supplied: list[tuple[Mention, Mention, int]] = []
        self._criticized: tuple[Mention, int] | None = None

    # ------------------------------------------------------------- memory
    def latest(self, kind: str, index: int, before: int,
               current: list[Mention]) -> Mention | None:
        """The most recent mention of ``kind`` before a position."""
        return self.finder.latest(kind, index, before, current)

    def topic_vendor(self) -> Mention | None:
        """The vendor the document has mentioned most so far."""
        if not self._vendor_counts:
            return None
        return self._vendors[self._vendor_counts.most_common(1)[0][0]]

    def same_family(self, first: Mention, second: Mention) -> bool:
        """One agency, or one part of the other."""
        return self.finder.same_family(first, second)

    def give_kind(self, mention: Mention, kind: str, rule: str) -> Mention:
        """Type an untyped name by the role a rule found it in."""
        self.finder.give_kind(mention, kind, rule)
        return mention

    def maker_of(self, product: Mention) -> Mention | None:
        """Who makes a product: stated in this document, else the registry's maker."""
        product = product.resolved
        if product.key in self._makers:
            return self._makers[product.key]
        maker_iri = self.finder.maker_iri(product.iri)
        return self.finder.registry_mention(maker_iri, product) if maker_iri else None

    # ------------------------------------------------------------ sentences
    def find(self, index: int, text: str, mentions: list[Mention]) -> list[Relation]:
        """Relations stated by sentence ``index``."""
        for mention in mentions:
            if mention.resolved.kind == "vendor":
                self._vendor_counts[mention.key] += 1
                self._vendors.setdefault(mention.key, mention.resolved)
        rules = SentenceRules(index, text, mentions, self)
        relations = structural_makes(rules)
        for rel in relations:  # a maker named here is known to this sentence's rules
            self._makers.setdefault(rel.object.key, rel.subject.resolved)
        triggers = find_triggers(text)
        for trig in triggers:
            if trig.kind not in MODIFIERS:
                relations += rules.apply(trig)
        apply_endings(rules, triggers, relations)
        relations += self._coalition(index, text, mentions)
        self._remember(rules, relations)
        return _unique(relations)

    def _remember(self, rules: SentenceRules, relations: list[Relation]) -> None:
        self.past += [rel for rel in relations if rel.type in ENGAGEMENTS]
        for rel in relations:
            if rel.type == "MAKES":
                self._makers.setdefault(rel.object.key, rel.subject.resolved)
            if rel.type == "CRITICIZES":
                self._criticized = (rel.object, rules.index)
        if rules.generic_criticism is not None:
            self._criticized = (rules.generic_criticism, rules.index)
        self._supplied += [(p, v, rules.index) for p, v in rules.supplied]

    def _coalition(self, index: int, text: str, mentions: list[Mention]) -> list[Relation]:
        """Critics named after the criticism: "The group, led by X, includes Y and Z"."""
        if self._criticized is None or index - self._criticized[1] > 3:
            return []
        orgs = [m for m in mentions if m.kind == "organization"
                and not _MEMBER_OF.search(text[max(0, m.start - 20):m.start])]
        if not orgs or not _COALITION.search(text):
            return []
        target = self._criticized[0]
        return [Relation("CRITICIZES", org, target, index, "criticizes:coalition")
                for org in orgs]

    # ------------------------------------------------------------- document
    def finish(self, relations: list[Relation]) -> list[Relation]:
        """Inferences over the whole document, then drop uses a sale or pilot already says."""
        relations = relations + self._supplies(relations)
        return [r for r in relations if not self._covered_use(r, relations)]

    def _covered_use(self, use: Relation, relations: list[Relation]) -> bool:
        """An active USES that a sale to the same agency, or a pilot by it (or its parent or
        part), already states: the more specific relation is kept, the use adds nothing."""
        if use.type != "USES" or use.status != "active":
            return False
        things = {m.key for m in (use.vendor, use.product, use.object) if m is not None}
        for other in relations:
            if other.type not in ("SELLS_TO", "PILOTS") or other is use:
                continue
            ends = {m.key for m in (other.vendor, other.product, other.object, other.subject)
                    if m is not None}
            inferred = use.rule.endswith("+earlier-deal-thing")
            same = use.subject.key == other.agency.key or (
                (other.type == "PILOTS" or inferred)
                and self.same_family(use.subject, other.agency))
            if things & ends and same:
                return True
        return False

    def _supplies(self, relations: list[Relation]) -> list[Relation]:
        """"The towers, supplied by Anduril" + "CBP tested the towers": Anduril sells to CBP."""
        found = []
        for product, vendor, index in self._supplied:
            for rel in relations:
                if rel.type in ("PILOTS", "USES") and rel.product is not None \
                        and rel.product.key == product.key:
                    found.append(Relation("SELLS_TO", vendor, rel.subject, index,
                                          "sells_to:supplied-product-used-by-agency",
                                          product=product, vendor=vendor))
        return _unique(found)


def _unique(relations: list[Relation]) -> list[Relation]:
    """One relation per (type, ends, sentence); details a duplicate adds are kept."""
    kept: dict[tuple[str, str, str, int], Relation] = {}
    for rel in relations:
        if rel.subject.key == rel.object.key:
            continue
        key = (rel.type, rel.subject.key, rel.object.key, rel.sentence)
        first = kept.setdefault(key, rel)
        if first is not rel:
            first.amount = first.amount if first.amount is not None else rel.amount
            first.date, first.date_text = (first.date, first.date_text) if first.date \
                else (rel.date, rel.date_text)
            first.product = first.product or rel.product
    return list(kept.values())


