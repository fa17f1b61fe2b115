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
from loaders.extract.names import (
    CAPRUN,
    LIST_ITEM_RE,
    LIST_RE,
    OPENERS,
    PERSON_AFTER,
    PERSON_BEFORE,
    POLICE_AFTER_RE,
    PRODUCT_NOUN,
    TITLES,
    classify,
    split_run,
    trim_run,
)

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
_QUOTED_PRODUCT_RE = re.compile(
    r"(?:called|named|dubbed|known as|its|their|the)\s+[\"“]([A-Z][^\"”]{1,40})[\"”]"
)
_ITS_PRODUCT_RE = re.compile(
    rf"\b(?:its|their)\s+((?:[A-Z][\w\-]*\s+){{1,3}}){PRODUCT_NOUN}\b"
)
# "its app, Neighbors", "a tool called Locate X", "software known as Rekognition"
_NAMED_PRODUCT_RE = re.compile(
    rf"\b{PRODUCT_NOUN}s?,?\s+(?:(?:called|named|dubbed|known as)\s+|(?<=,\s))[\"“]?"
    r"([A-Z][\w.\-]*(?:\s+[A-Z0-9][\w.\-]*){0,3})"
)

LIST_SCAN_MAX = 2_000  # a longer "sentence" is a table or a dump: no lists looked for


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


# "the city" means a city government, not the latest police department.
_PLURAL_KIND = {"agencies": "agency", "departments": "agency", "cities": "agency",
                "companies": "vendor", "firms": "vendor", "vendors": "vendor",
                "groups": "organization", "organizations": "organization"}
_PLURAL_REFERENCE_RE = re.compile(
    r"\b(?:these|those|the|such|all|both|each of these|each of the)\s+(?:two\s+|three\s+)?"
    r"((?:police\s+)?(?:agencies|departments|cities|companies|firms|vendors|groups|"
    r"organizations))\b",
    re.IGNORECASE,
)
# "deployed in Arizona": a place after a locative preposition is where, not who.
_LOCATIVE = re.compile(r"\b(?:in|across|throughout|near|around|outside|inside|at|to|from|"
                       r"through|along|within)\s+(?:the\s+)?$", re.IGNORECASE)
_NAMED_REFERENCE_RE = re.compile(
    r"\b[Tt]he\s+([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)\s+(?:department|agency|office|police|"
    r"sheriff['’]s office|bureau)\b")
# "a Virginia data broker": a place after "a" describes, it does not act.
_WHERE = re.compile(r"\b(?:in|across|throughout|near|around|outside|inside|along|within)\s+"
                    r"(?:the\s+)?$", re.IGNORECASE)
_ARTICLE = re.compile(r"\b(?:a|an)\s+$", re.IGNORECASE)
_BODIES_RE = re.compile(
    r"\b((?:\d[\d,]*|dozens|hundreds|thousands|several|many|scores)\s+(?:of\s+)?(?:other\s+)?"
    r"(?:school districts|cities|counties|towns|transit agencies|state agencies|"
    r"federal agencies|government agencies|agencies|governments|states))\b",
    re.IGNORECASE,
)
# Cheap lowercase checks before the two expensive group patterns.
_BODY_WORDS = re.compile(r"districts|cities|counties|towns|agencies|governments|states")
_GROUP_WORDS = re.compile(r"police|law enforcement|sheriff")
_LOCAL_BODY = re.compile(r"\b((?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+)\s+(?:Police Department|Police|"
                         r"City Council|Fire Department|Public Schools|Town Council)\b")
_NOT_PLACES = frozenset("state county city capitol metro transit university campus airport "
                        "port park school tribal military border federal national".split())
_GOVERNMENT_NAME = {
    "city": re.compile(r"^(?:City|Town|Village)\b|\bCity$|City and County", re.IGNORECASE),
    "county": re.compile(r"\bCounty\b"),
}
class MentionFinder:
    """Finds mentions sentence by sentence, remembering the document so far."""

    def __init__(self, gazetteer: Gazetteer, registry: Registry) -> None:
        self.gazetteer = gazetteer
        self.registry = registry
        self.history: list[Mention] = []
        self._short_names: dict[str, Mention] = {}
        self._places: dict[str, str] = {}

    def find(self, index: int, text: str) -> list[Mention]:
        """Every mention in sentence ``index``, in text order; references resolved."""
        found = self._registry(index, text)
        found += self._groups(index, text, found)
        found += self._products(index, text, found)
        found += self._patterns(index, text, found)
        found += self._lists(index, text, found)
        found.sort(key=lambda m: m.start)
        refs = self._references(index, text, found)
        found = [m for m in found if m.kind != "name" or not _overlaps(m.start, m.end, refs)]
        found += refs
        found.sort(key=lambda m: m.start)
        self.history.extend(m for m in found if m.kind != "pronoun")
        return found

    def _registry(self, index: int, text: str) -> list[Mention]:
        found = [Mention(m.entity.kind, m.entity.name, index, m.start, m.end, "registry",
                         m.entity.iri, m.possessive)
                 for m in self.gazetteer.find(text, tokenize(text))
                 if not (m.mode == "place" and (_LOCATIVE.search(text, 0, m.start)
                                                or _ARTICLE.search(text, 0, m.start)))]
        for mention in found:
            self._remember_product_name(mention)
            if mention.kind in ("vendor", "organization") and len(mention.name.split()) > 1:
                self.remember(mention)  # "Vigilant Solutions", then "Vigilant"
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
                if rest[:1].isupper() and normalise(rest) not in OPENERS:
                    self._short_names.setdefault(normalise(rest), mention)

    def _patterns(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        found: list[Mention] = []
        for match in CAPRUN.finditer(text):
            for start, end in split_run(text, match.start(), match.end()):
                mention = self._name(index, text, start, end, taken)
                if mention is not None:
                    found.append(mention)
        return found

    def _name(self, index: int, text: str, start: int, end: int,
              taken: list[Mention]) -> Mention | None:
        """One capitalised name: an alias seen before, a typed new name, or an untyped one
        that a relation rule may later type by its role ("paid NorthStar Vision")."""
        start, end, possessive = trim_run(text, start, end)
        if end <= start or _overlaps(start, end, taken):
            return None
        run = text[start:end]
        known = self._short_names.get(normalise(run))
        if known is not None:
            return Mention(known.kind, known.name, index, start, end, "alias", known.iri,
                           possessive)
        if (place := self._places.get(normalise(run))) is not None:
            return Mention("agency", place, index, start, end, "place:learned", None,
                           possessive)
        kind_rule = classify(run, text[max(0, start - 40):start], text[end:end + 80])
        police = POLICE_AFTER_RE.match(text, end)
        if police and not possessive:
            end = police.end()
            run, kind_rule = text[start:end], ("agency", f"place+{police.group(1).lower()}")
        if kind_rule is None:
            if PERSON_BEFORE.search(text[max(0, start - 30):start]) or \
                    PERSON_AFTER.match(text[end:end + 40]) or run.lower() in OPENERS or \
                    not run[:1].isupper() or normalise(run).split()[0] in TITLES or \
                    _WHERE.search(text, 0, start):
                return None
            return Mention("name", run, index, start, end, "untyped", possessive=possessive)
        mention = Mention(kind_rule[0], run, index, start, end, kind_rule[1],
                          possessive=possessive)
        self.remember(mention)
        return mention

    def learn_places(self, body: str) -> None:
        """Places named by their police or council ("the Millbrook Police Department") are
        towns, so "Millbrook" alone stands for the town's government."""
        for match in _LOCAL_BODY.finditer(body):
            words = match.group(1).split()
            while words and words[0].lower() in OPENERS:
                words = words[1:]
            place = " ".join(words)
            key = normalise(place)
            if key and key.split()[0] not in OPENERS and key not in _NOT_PLACES and \
                    self.registry.lookup(place) is None:
                self._places.setdefault(key, f"City of {place}")

    def _lists(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        """Untyped names in a list with typed ones take their type: "Facebook, Google and X"."""
        found: list[Mention] = []
        if len(text) > LIST_SCAN_MAX:  # not prose; LIST_RE backtracks quadratically on it
            return found
        for listing in LIST_RE.finditer(text):
            items = list(LIST_ITEM_RE.finditer(text, listing.start(), listing.end()))
            typed = [m for m in taken if listing.start() <= m.start < listing.end()
                     and m.kind in ("vendor", "organization", "agency")]
            kinds = {m.kind for m in typed}
            if len(kinds) != 1 or len(items) < 3:
                continue
            kind = kinds.pop()
            for item in items:
                start, end, possessive = trim_run(text, item.start(), item.end())
                untyped = [m for m in taken if m.kind == "name" and m.start < end
                           and start < m.end]
                for mention in untyped:
                    self.give_kind(mention, kind, f"list:{kind}")
                if end > start and not _overlaps(start, end, taken + found):
                    found.append(Mention(kind, text[start:end], index, start, end,
                                         f"list:{kind}", possessive=possessive))
        return found

    def give_kind(self, mention: Mention, kind: str, rule: str) -> None:
        """Type an untyped name from its context; the type holds for the rest of the text."""
        mention.kind, mention.rule = kind, rule
        self.remember(mention)

    def remember(self, mention: Mention) -> None:
        """A new name, and the first word of a longer one, mean it for the rest of the text."""
        if mention.kind not in ("vendor", "organization", "product"):
            return
        self._short_names.setdefault(normalise(mention.name), mention)
        words = mention.name.split()
        if len(words) > 1 and mention.kind != "product":
            first = normalise(words[0])
            if first and words[0][0].isupper() and first not in OPENERS:
                self._short_names.setdefault(first, mention)

    def _groups(self, index: int, text: str, taken: list[Mention]) -> list[Mention]:
        lower = text.lower()
        found: list[Mention] = [
            Mention("agency", m.group(1), index, m.start(1), m.end(1), "group")
            for m in (_BODIES_RE.finditer(text) if _BODY_WORDS.search(lower) else ())
            if not _overlaps(m.start(1), m.end(1), taken)]
        groups = _GROUP_RE.finditer(text) if _GROUP_WORDS.search(lower) else iter(())
        for match in groups:
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
        named = [m for m in found if m.kind != "name"]
        for match in lx.REFERENCE_RE.finditer(text):
            if _overlaps(match.start(), match.end(), named):
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
        refs += self._named_references(index, text, named)
        for match in lx.PRONOUN_RE.finditer(text):
            refs.append(Mention("pronoun", match.group(1), index, match.start(), match.end(),
                                "pronoun", possessive=match.group(1).lower() == "its"))
        return refs

    def same_family(self, first: Mention, second: Mention) -> bool:
        """One entity, or one part of the other in the registry (a city and its police)."""
        a, b = first.resolved, second.resolved
        if a.key == b.key:
            return True
        towns = [self._government_of(m, _GOVERNMENT_NAME["city"]) for m in (a, b)]
        if (towns[0] and towns[0].key == b.key) or (towns[1] and towns[1].key == a.key):
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

    def _named_references(self, index: int, text: str,
                          named: list[Mention]) -> list[Mention]:
        """"the Harlow department": the latest agency whose name holds "Harlow"."""
        refs: list[Mention] = []
        for match in _NAMED_REFERENCE_RE.finditer(text):
            if _overlaps(match.start(), match.end(), named):
                continue
            words = re.compile(rf"\b{re.escape(match.group(1))}\b")
            antecedent = self.latest("agency", index, match.start(), named, words)
            if antecedent is not None:
                refs.append(Mention("agency", antecedent.name, index, match.start(),
                                    match.end(), f"reference:{match.group(0).lower()}",
                                    antecedent.iri, antecedent=antecedent))
        return refs

    def _plural_references(self, index: int, text: str,
                           found: list[Mention]) -> list[Mention]:
        """"these agencies", "the companies": every member of the latest list of that kind."""
        refs: list[Mention] = []
        for match in _PLURAL_REFERENCE_RE.finditer(text):
            kind = _PLURAL_KIND[match.group(1).lower().split()[-1]]
            named_here = {m.key for m in found if m.kind == kind}
            named = [m for m in found if m.kind != "name"]
            if _overlaps(match.start(), match.end(), named) or len(named_here) > 1:
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
            if mention.kind == kind and target.rule != "group" and (
                    name is None or name.search(target.name)):
                return target
        if name is not None:
            for mention in candidates:
                if mention.kind == kind and (city := self._government_of(mention, name)):
                    return city
        return None

    def _government_of(self, mention: Mention, name: re.Pattern[str]) -> Mention | None:
        """The city (or county) government a mentioned police department belongs to."""
        target = mention.resolved
        for iri in self.registry.ancestors(target.iri) if target.iri else []:
            if name.search(self.registry.entities[iri].name):
                return self.registry_mention(iri, target)
        place = _LOCAL_BODY.match(target.name)
        if place and (city := self._places.get(normalise(place.group(1)))):
            return Mention("agency", city, target.sentence, target.start, target.end,
                           "place:learned")
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
