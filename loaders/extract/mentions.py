"""Find the entities a sentence speaks of: registry names, new names typed by
their head word or descriptor, generic agency groups, and references back to
earlier entities ("the company", "the agency", "the software", "it").
"""

import re
from dataclasses import dataclass, field

from kg.names import normalise
from kg.registry import Registry
from loaders.extract import lexicon as lx
from loaders.extract.gazetteer import Gazetteer, tokenize

_CAPWORD = r"(?:[A-Z][\w’'&.\-]*|[0-9][\w\-]*[A-Za-z][\w\-]*)"
_CAPRUN = re.compile(rf"{_CAPWORD}(?:\s+(?:(?:of|for|on|de|the|&)\s+)*{_CAPWORD})*")
_OPENERS = frozenset("""
the a an according in on at but however and last this that these those it its after before
while when since as for from with by under over meanwhile also still yet so if though although
during than earlier later now today then first second new one some many most several his her
their our my we they he she i you there here what who why how where which
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
""".split())
_ABBREVIATED = frozenset({"inc.", "corp.", "co.", "ltd.", "jr.", "sr.", "st."})
_GROUP_RE = re.compile(
    r"\b((?:(?:\d[\d,]*|hundreds|dozens|thousands|several|many|two|three|four|five|"
    r"at least \w+)\s+(?:of\s+)?)?(?:(?:local|state|federal|municipal|county|city|u\.s\.|"
    r"american|other)\s+(?:and\s+(?:local|state|federal)\s+)?)*(?:law enforcement|police|"
    r"sheriff['’]s)(?:\s+and\s+(?:law enforcement|police|sheriff['’]s))?(?:\s+(?:agencies|"
    r"departments|offices|forces))?(?:\s+(?:in|across|around)\s+(?:at least\s+)?(?:\w+\s+)?"
    r"(?:states|cities|counties|the country|the u\.s\.|the united states))?)\b"
    r"(?!\s+(?:districts?|officers?|chiefs?|headquarters|cars?|stations?|reports?|records?|"
    r"unions?|commanders?|departments?|officials?|work|body|footage|data|use)\b)",
    re.IGNORECASE,
)
_POLICE_AFTER_RE = re.compile(
    r"\s+(police(?:\s+department)?|sheriff['’]s\s+(?:office|department)|"
    r"county\s+sheriff['’]s\s+office|city\s+council|council)\b"
)
_LIST_RE = re.compile(
    rf"{_CAPWORD}(?:\s+{_CAPWORD})*(?:,\s+{_CAPWORD}(?:\s+{_CAPWORD})*)+,?\s+(?:and|or)\s+"
    rf"{_CAPWORD}(?:\s+{_CAPWORD})*"
)
_LIST_ITEM_RE = re.compile(rf"{_CAPWORD}(?:\s+{_CAPWORD})*")
# ", a surveillance software company that ...": the head noun ends the phrase
# before any relative clause.
_APPOSITION_RE = re.compile(
    r"^,\s+(?:a|an|the)\s+((?:[\w\-’']+\s+){0,6}?[\w\-]+)"
    r"(?=\s+(?:that|which|who|whose|based|with|in|of|for)\b|\s*[,.;]|$)"
)
_PRODUCT_NOUN = (r"(?:software|platform|tool|app|application|system|database|program|service|"
                 r"technology|product|cameras?|devices?|drones?|towers?)")
_QUOTED_PRODUCT_RE = re.compile(
    r"(?:called|named|dubbed|known as|its|their|the)\s+[\"“]([A-Z][^\"”]{1,40})[\"”]"
)
_ITS_PRODUCT_RE = re.compile(
    rf"\b(?:its|their)\s+((?:[A-Z][\w\-]*\s+){{1,3}}){_PRODUCT_NOUN}\b"
)
# "its app, Neighbors", "a tool called Locate X", "software known as Rekognition"
_NAMED_PRODUCT_RE = re.compile(
    rf"\b{_PRODUCT_NOUN}s?,?\s+(?:(?:called|named|dubbed|known as)\s+|(?<=,\s))[\"“]?"
    r"([A-Z][\w.\-]*(?:\s+[A-Z0-9][\w.\-]*){0,3})"
)


@dataclass
class Mention:
    """One mention of an entity in one sentence."""

    kind: str
    name: str
    sentence: int
    start: int
    end: int
    rule: str
    iri: str | None = None
    possessive: bool = False
    antecedent: "Mention | None" = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """Identity used to group mentions of one entity."""
        target = self.antecedent or self
        return target.iri or f"{target.kind}:{normalise(target.name)}"

    @property
    def resolved(self) -> "Mention":
        """The mention a reference points back to (itself if it is not a reference)."""
        return self.antecedent or self


def _classify(run: str, before: str, after: str) -> tuple[str, str] | None:
    """Kind of a capitalised name from its head word, its descriptor or an apposition.

    Head words type only names of two or more words: "Police" or "Law" alone at
    the start of a sentence is a common noun, "Chicago Police" is a name.
    """
    words = normalise(run).split()
    head = words[-1] if words else ""
    if len(words) > 1 and (head in lx.AGENCY_HEADS or re.search(r"(?:Police|Sheriff)$", run)):
        return "agency", f"head:{head}"
    if len(words) > 2 and words[0] in lx.AGENCY_HEADS and words[1] in ("of", "for", "on"):
        return "agency", f"head:{words[0]}-of"
    if run.startswith(("City of", "County of", "State of", "Town of", "Village of")):
        return "agency", "head:government"
    descriptor = before.split()[-1].lower() if before.split() else ""
    if descriptor in lx.VENDOR_DESCRIPTORS:
        return "vendor", f"descriptor:{descriptor}"
    if descriptor in lx.ORG_DESCRIPTORS:
        return "organization", f"descriptor:{descriptor}"
    if len(words) > 1 and head in lx.VENDOR_HEADS:
        return "vendor", f"head:{head}"
    if len(words) > 1 and head in lx.ORG_HEADS:
        return "organization", f"head:{head}"
    if apposition := _APPOSITION_RE.match(after):
        noun = apposition.group(1).split()[-1].lower()
        if noun in lx.VENDOR_DESCRIPTORS:
            return "vendor", f"apposition:{noun}"
        if noun in lx.ORG_DESCRIPTORS:
            return "organization", f"apposition:{noun}"
    return None


_PLURAL_KIND = {"agencies": "agency", "departments": "agency", "cities": "agency",
                "companies": "vendor", "firms": "vendor", "vendors": "vendor",
                "groups": "organization", "organizations": "organization"}
_PLURAL_REFERENCE_RE = re.compile(
    r"\b(?:these|those|the|such|all|both|each of these|each of the)\s+(?:two\s+|three\s+)?"
    r"((?:police\s+)?(?:agencies|departments|cities|companies|firms|vendors|groups|"
    r"organizations))\b",
    re.IGNORECASE,
)
# "the city" means a city government, not the latest police department.
_GOVERNMENT_NAME = {
    "city": re.compile(r"^(?:City|Town|Village)\b|\bCity$|City and County", re.IGNORECASE),
    "county": re.compile(r"\bCounty\b"),
}
_LEADING_WORD = re.compile(r"(\S+)\s+")


def _trim_run(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """Drop sentence openers, a trailing period and a possessive from a capitalised run."""
    while (word := _LEADING_WORD.match(text, start, end)) and word.group(1).lower() in _OPENERS:
        start = word.end()
    if text[start:end].lower() in _OPENERS:
        return start, start, False
    possessive = False
    for suffix in ("'s", "’s", "'", "’"):
        if text[start:end].endswith(suffix):
            end -= len(suffix)
            possessive = True
            break
    words = text[start:end].split()
    if words and words[-1].endswith(".") and words[-1].lower() not in _ABBREVIATED:
        end -= 1
    return start, end, possessive


class MentionFinder:
    """Finds mentions sentence by sentence, remembering the document so far."""

    def __init__(self, gazetteer: Gazetteer, registry: Registry) -> None:
        self.gazetteer = gazetteer
        self.registry = registry
        self.history: list[Mention] = []
        self._short_names: dict[str, Mention] = {}

    def find(self, index: int, text: str) -> list[Mention]:
        """Every mention in sentence ``index``, in text order; references resolved."""
        found = self._registry(index, text)
        found += self._groups(index, text, found)
        found += self._products(index, text, found)
        found += self._patterns(index, text, found)
        found += self._lists(index, text, found)
        found.sort(key=lambda m: m.start)
        found += self._references(index, text, found)
        found.sort(key=lambda m: m.start)
        self.history.extend(m for m in found if m.kind != "pronoun")
        return found

    def _registry(self, index: int, text: str) -> list[Mention]:
        found = [Mention(m.entity.kind, m.entity.name, index, m.start, m.end, "registry",
                         m.entity.iri, m.possessive)
                 for m in self.gazetteer.find(text, tokenize(text))]
        for mention in found:
            self._remember_product_name(mention)
        return found

    def _remember_product_name(self, mention: Mention) -> None:
        """"Palantir Gotham" seen once: "Gotham" alone means it for the rest of the text."""
        entity = self.registry.entities.get(mention.iri or "")
        maker = self.registry.entities.get(entity.maker or "") if entity else None
        if mention.kind != "product" or maker is None:
            return
        for maker_name in (maker.name, *maker.labels):
            if mention.name.startswith(maker_name + " "):
                rest = mention.name[len(maker_name) + 1:]
                if rest[:1].isupper() and normalise(rest) not in _OPENERS:
                    self._short_names.setdefault(normalise(rest), mention)

    def _patterns(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        for match in _CAPRUN.finditer(text):
            start, end, possessive = _trim_run(text, match.start(), match.end())
            if end <= start or _overlaps(start, end, taken):
                continue
            run = text[start:end]
            known = self._short_names.get(normalise(run))
            if known is not None:
                found.append(Mention(known.kind, known.name, index, start, end, "alias",
                                     known.iri, possessive))
                continue
            kind_rule = _classify(run, text[max(0, start - 40):start], text[end:end + 80])
            police = _POLICE_AFTER_RE.match(text, end)
            if police and not possessive:
                end = police.end()
                run, kind_rule = text[start:end], ("agency", f"place+{police.group(1).lower()}")
            if kind_rule is None:
                continue
            mention = Mention(kind_rule[0], run, index, start, end, kind_rule[1],
                              possessive=possessive)
            self._remember_short_name(mention)
            found.append(mention)
        return found

    def _lists(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        """Untyped names in a list with typed ones take their type: "Facebook, Google and X"."""
        found: list[Mention] = []
        for listing in _LIST_RE.finditer(text):
            items = list(_LIST_ITEM_RE.finditer(text, listing.start(), listing.end()))
            typed = [m for m in taken if listing.start() <= m.start < listing.end()
                     and m.kind in ("vendor", "organization", "agency")]
            kinds = {m.kind for m in typed}
            if len(kinds) != 1 or len(items) < 3:
                continue
            kind = kinds.pop()
            for item in items:
                start, end, possessive = _trim_run(text, item.start(), item.end())
                if end > start and not _overlaps(start, end, taken + found):
                    found.append(Mention(kind, text[start:end], index, start, end,
                                         f"list:{kind}", possessive=possessive))
        return found

    def _remember_short_name(self, mention: Mention) -> None:
        words = mention.name.split()
        if mention.kind in ("vendor", "organization") and len(words) > 1:
            first = normalise(words[0])
            if first and words[0][0].isupper() and first not in _OPENERS:
                self._short_names.setdefault(first, mention)

    def _groups(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        for match in _GROUP_RE.finditer(text):
            phrase = match.group(1)
            if phrase.lower() in ("police", "law enforcement", "sheriff's", "sheriff’s"):
                continue  # bare words: a reference or an adjective, not a named group
            if _overlaps(match.start(1), match.end(1), taken) or _inside_name(text, match):
                continue
            found.append(Mention("agency", phrase, index, match.start(1), match.end(1),
                                 "group"))
        return found

    def _products(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        for regex, rule in ((_QUOTED_PRODUCT_RE, "quoted"), (_ITS_PRODUCT_RE, "its-product"),
                            (_NAMED_PRODUCT_RE, "named-product")):
            for match in regex.finditer(text):
                start, end = match.start(1), match.start(1) + len(match.group(1).strip(" ."))
                if not _overlaps(start, end, taken + found):
                    found.append(Mention("product", text[start:end], index, start, end, rule))
        return found

    def _references(self, index: int, text: str, found: list[Mention]) -> list[Mention]:
        refs: list[Mention] = []
        for match in lx.REFERENCE_RE.finditer(text):
            if _overlaps(match.start(), match.end(), found):
                continue
            word = match.group(1).lower()
            kind = lx.KIND_OF_REFERENCE[word]
            antecedent = self.latest(kind, index, match.start(), found,
                                     _GOVERNMENT_NAME.get(word))
            if antecedent is not None:
                refs.append(Mention(kind, antecedent.name, index, match.start(), match.end(),
                                    f"reference:{match.group(0).lower()}", antecedent.iri,
                                    antecedent=antecedent.resolved))
        refs += self._plural_references(index, text, found)
        for match in lx.PRONOUN_RE.finditer(text):
            refs.append(Mention("pronoun", match.group(1), index, match.start(), match.end(),
                                "pronoun", possessive=match.group(1).lower() == "its"))
        return refs

    def same_family(self, first: Mention, second: Mention) -> bool:
        """One entity, or one part of the other in the registry (a city and its police)."""
        a, b = first.resolved, second.resolved
        if a.key == b.key:
            return True
        if a.iri is None or b.iri is None:
            return False
        return a.iri in self.registry.ancestors(b.iri) or b.iri in self.registry.ancestors(a.iri)

    def maker_iri(self, product_iri: str | None) -> str | None:
        """The registry's maker of a registry product."""
        entity = self.registry.entities.get(product_iri or "")
        return entity.maker if entity else None

    def registry_mention(self, iri: str, near: Mention) -> Mention | None:
        """A mention standing for a registry entity the text implies (a product's maker)."""
        entity = self.registry.entities.get(iri)
        if entity is None:
            return None
        return Mention(entity.kind, entity.name, near.sentence, near.start, near.end,
                       "registry:maker", entity.iri)

    def _plural_references(self, index: int, text: str,
                           found: list[Mention]) -> list[Mention]:
        """"these agencies", "the companies": every member of the latest list of that kind."""
        refs: list[Mention] = []
        for match in _PLURAL_REFERENCE_RE.finditer(text):
            kind = _PLURAL_KIND[match.group(1).lower().split()[-1]]
            named_here = {m.key for m in found if m.kind == kind}
            if _overlaps(match.start(), match.end(), found) or len(named_here) > 1:
                continue  # "These agencies include A, B and C" introduces its own list
            for member in self._latest_list(kind, index):
                refs.append(Mention(kind, member.name, index, match.start(), match.end(),
                                    f"reference:{match.group(0).lower()}", member.iri,
                                    antecedent=member.resolved))
        return refs

    def _latest_list(self, kind: str, index: int) -> list[Mention]:
        """Mentions of ``kind`` in the latest earlier sentence that names two or more."""
        for back in range(index - 1, max(-1, index - 3), -1):
            members = {m.key: m for m in self.history if m.sentence == back and m.kind == kind
                       and not m.rule.startswith("reference")}
            if len(members) > 1:
                return list(members.values())
        return []

    def latest(self, kind: str, index: int, before: int, current: list[Mention],
               name: re.Pattern[str] | None = None) -> Mention | None:
        """The most recent mention of ``kind`` (named like ``name``) before a position."""
        candidates = [m for m in current if m.end <= before][::-1] + [
            m for m in reversed(self.history) if index - m.sentence <= 4]
        for mention in candidates:
            target = mention.resolved
            if mention.kind == kind and (name is None or name.search(target.name)):
                return target
        return None


def _inside_name(text: str, match: re.Match[str]) -> bool:
    """A group phrase that is really part of a name: "Dover County Sheriff's Office"."""
    before = text[:match.start(1)].rstrip().split()
    capitalised_before = bool(before) and before[-1][:1].isupper() and match.start(1) > 0
    heads = re.findall(r"\b(?:law|police|sheriff)", match.group(1), re.IGNORECASE)
    capitalised_head = match.start(1) > 0 and any(h[:1].isupper() for h in heads)
    return capitalised_before or capitalised_head


def _overlaps(start: int, end: int, mentions: list[Mention]) -> bool:
    return any(m.start < end and start < m.end for m in mentions)
