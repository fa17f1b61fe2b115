"""Find the entities a sentence speaks of: registry names, new names typed by
their head word or descriptor, generic agency groups, and references back to
earlier entities ("the company", "the agency", "the software", "it").
"""

import re
from dataclasses import dataclass, field

from kg.names import normalise
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
    r"(?:states|cities|counties|the country|the u\.s\.|the united states))?)\b",
    re.IGNORECASE,
)
_APPOSITION_RE = re.compile(r"^,\s+(?:a|an|the)\s+((?:[\w\-’']+\s+){0,6}?)([\w\-]+)\b")
_QUOTED_PRODUCT_RE = re.compile(
    r"(?:called|named|dubbed|known as|its|their|the)\s+[\"“]([A-Z][^\"”]{1,40})[\"”]"
)
_ITS_PRODUCT_RE = re.compile(
    r"\b(?:its|their)\s+((?:[A-Z][\w\-]*\s+){1,3})(?:software|platform|tool|app|system|"
    r"database|program|service|technology|product|cameras?|devices?)\b"
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
    """Kind of a capitalised name from its head word, its descriptor or an apposition."""
    head = normalise(run).split()[-1] if normalise(run) else ""
    if head in lx.AGENCY_HEADS or re.search(r"\b(?:Police|Sheriff)", run):
        return "agency", f"head:{head}"
    if run.startswith(("City of", "County of", "State of", "Town of")):
        return "agency", "head:government"
    descriptor = before.split()[-1].lower() if before.split() else ""
    if descriptor in lx.VENDOR_DESCRIPTORS:
        return "vendor", f"descriptor:{descriptor}"
    if descriptor in lx.ORG_DESCRIPTORS:
        return "organization", f"descriptor:{descriptor}"
    if head in lx.VENDOR_HEADS:
        return "vendor", f"head:{head}"
    if head in lx.ORG_HEADS:
        return "organization", f"head:{head}"
    if apposition := _APPOSITION_RE.match(after):
        noun = apposition.group(2).lower()
        if noun in lx.VENDOR_DESCRIPTORS:
            return "vendor", f"apposition:{noun}"
        if noun in lx.ORG_DESCRIPTORS:
            return "organization", f"apposition:{noun}"
    return None


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

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.history: list[Mention] = []
        self._short_names: dict[str, Mention] = {}

    def find(self, index: int, text: str) -> list[Mention]:
        """Every mention in sentence ``index``, in text order; references resolved."""
        found = self._registry(index, text)
        found += self._patterns(index, text, found)
        found += self._groups(index, text, found)
        found += self._products(index, text, found)
        found.sort(key=lambda m: m.start)
        found += self._references(index, text, found)
        found.sort(key=lambda m: m.start)
        self.history.extend(m for m in found if m.kind != "pronoun")
        return found

    def _registry(self, index: int, text: str) -> list[Mention]:
        return [Mention(m.entity.kind, m.entity.name, index, m.start, m.end, "registry",
                        m.entity.iri, m.possessive)
                for m in self.gazetteer.find(text, tokenize(text))]

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
            if kind_rule is None:
                continue
            mention = Mention(kind_rule[0], run, index, start, end, kind_rule[1],
                              possessive=possessive)
            self._remember_short_name(mention)
            found.append(mention)
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
            if _overlaps(match.start(1), match.end(1), taken):
                continue
            found.append(Mention("agency", phrase, index, match.start(1), match.end(1),
                                 "group"))
        return found

    def _products(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        for regex, rule in ((_QUOTED_PRODUCT_RE, "quoted"), (_ITS_PRODUCT_RE, "its-product")):
            for match in regex.finditer(text):
                start, end = match.start(1), match.start(1) + len(match.group(1).strip())
                if not _overlaps(start, end, taken + found):
                    found.append(Mention("product", text[start:end], index, start, end, rule))
        return found

    def _references(self, index: int, text: str, found: list[Mention]) -> list[Mention]:
        refs: list[Mention] = []
        for match in lx.REFERENCE_RE.finditer(text):
            if _overlaps(match.start(), match.end(), found):
                continue
            kind = lx.KIND_OF_REFERENCE[match.group(1).lower()]
            antecedent = self.latest(kind, index, match.start(), found)
            if antecedent is not None:
                refs.append(Mention(kind, antecedent.name, index, match.start(), match.end(),
                                    f"reference:{match.group(0).lower()}", antecedent.iri,
                                    antecedent=antecedent.resolved))
        for match in lx.PRONOUN_RE.finditer(text):
            refs.append(Mention("pronoun", match.group(1), index, match.start(), match.end(),
                                "pronoun", possessive=match.group(1).lower() == "its"))
        return refs

    def latest(self, kind: str, index: int, before: int,
               current: list[Mention]) -> Mention | None:
        """The most recent mention of ``kind`` before a position (this or earlier sentences)."""
        for mention in reversed(current):
            if mention.kind == kind and mention.end <= before:
                return mention.resolved
        for mention in reversed(self.history):
            if mention.kind == kind and index - mention.sentence <= 4:
                return mention.resolved
        return None


def _overlaps(start: int, end: int, mentions: list[Mention]) -> bool:
    return any(m.start < end and start < m.end for m in mentions)
