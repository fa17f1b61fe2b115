"""Who is who in award records: vendor and agency resolution with recorded reasons.

A recipient is matched, in order, by a judgement the user wrote, its UEI, its
DUNS, a registry name or alias, and its normalised name (case, punctuation,
"THE", legal suffixes); otherwise it becomes a new entity keyed by the
strongest key it has. A parent named by the record (recipient_parent_*) is
resolved the same way and becomes SUBSIDIARY_OF, never a merge. A new company
whose name begins with a registry company's name ("SAFRAN POWER USA LLC")
becomes a subsidiary of it (rule ``registry-group``), again not a merge.

Every decision carries a rule id and a one-line reason; the loader stores them
(``skg:ResolutionDecision``) so ``explain`` can show them later. A judgement
file (``resolution.judgements.csv``: name_a,name_b,verdict,note with verdict
``same`` or ``not-same``) overrides any rule; it is looked up in the store
directory, so a team can edit it, commit it and reload.

>>> from kg.registry import load_registry
>>> resolver = Resolver(load_registry())
>>> west = resolver.vendor("WEST PUBLISHING CORPORATION", uei="L997DB4PEJL8")
>>> west.rule, west.iri.rsplit("/", 1)[-1]
('registry-alias', 'west-publishing')
>>> resolver.vendor("West Publishing Corp", duns="148508286").rule
'registry-alias'
>>> resolver.vendor("PARAGON SYSTEMS, INC.").iri.rsplit("/", 1)[-1]
'paragon-systems'
>>> resolver.vendor("PARAGON INC").iri.rsplit("/", 1)[-1]  # "Paragon" alone is ambiguous
'name-paragon'
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.ids import entity_iri
from kg.judgements import Judgement
from kg.names import normalise, strip_country
from kg.registry import RefEntity, Registry

if TYPE_CHECKING:
    from kg.resolution_store import Explanation
    from kg.store import Store

_TRAILING_THE = re.compile(r",?\s+THE\s*$", re.IGNORECASE)
# First words too common to say that "X Anything LLC" belongs to registry company X.
GENERIC_WORDS = frozenset(
    "american national united general global international first new advanced digital data "
    "security systems solutions technologies technology group services west east north south "
    "central pacific atlantic federal us usa".split()
)


@dataclass(frozen=True)
class Decision:
    """Which entity a name (with its keys) was taken to be, and why."""

    name: str
    iri: str
    kind: str  # "vendor" or "agency"
    rule: str
    reason: str
    registry: bool = False


def clean_duns(value: str) -> str:
    """DUNS as 9 digits: spreadsheets drop leading zeros ("74108176" is 074108176).

    >>> clean_duns("74108176"), clean_duns(""), clean_duns("NAN")
    ('074108176', '', '')
    """
    digits = value.strip()
    return digits.zfill(9) if digits.isdigit() and len(digits) <= 9 else ""


def clean_uei(value: str) -> str:
    """UEI as 12 capital letters or digits, else empty."""
    text = value.strip().upper()
    return text if len(text) == 12 and text.isalnum() else ""


@dataclass
class _Keys:
    """Key -> IRI maps for one kind, learned while loading (and seeded from the store)."""

    uei: dict[str, str] = field(default_factory=dict)
    duns: dict[str, str] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)


class Resolver:
    """Vendor and agency resolution for one ingest run; every answer is a ``Decision``."""

    def __init__(self, registry: Registry, judgements: Iterable[Judgement] = ()) -> None:
        self.registry = registry
        self.judgements = list(judgements)
        self._keys: dict[str, _Keys] = defaultdict(_Keys)
        self._cache: dict[tuple[str, str, str, str], Decision] = {}
        self._names_of: dict[str, set[str]] = defaultdict(set)  # iri -> normalised names
        self._links: dict[str, set[str]] = defaultdict(set)  # child -> parents (this run)
        self._same: dict[str, set[str]] = {}
        self._same_iri: dict[str, str] = {}
        self._apart: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        self._groups = _group_index(registry)
        for judgement in self.judgements:
            self._add_judgement(judgement)

    @property
    def digest(self) -> str:
        """Hash of the registry and the judgements: a change means sources load again."""
        text = self.registry.digest + "".join(
            f"|{j.name_a}|{j.name_b}|{j.same}" for j in self.judgements)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _add_judgement(self, judgement: Judgement) -> None:
        a, b = normalise(judgement.name_a), normalise(judgement.name_b)
        if not judgement.same:
            self._apart[a].append((b, True))  # name_a must not join what name_b names
            self._apart[b].append((a, False))  # nor name_b what name_a was made
            return
        group = self._same.get(a, {a}) | self._same.get(b, {b})
        for member in group:
            self._same[member] = group

    def learn(self, kind: str, iri: str, *, uei: str = "", duns: str = "",
              names: Iterable[str] = ()) -> None:
        """Teach keys the store already holds, so a re-run mints the same IRIs."""
        keys = self._keys[kind]
        if uei:
            keys.uei.setdefault(uei, iri)
        if duns:
            keys.duns.setdefault(duns, iri)
        for name in names:
            norm = normalise(name)
            if norm:
                keys.name.setdefault(norm, iri)
                self._names_of[iri].add(norm)

    # ------------------------------------------------------------ vendors
    def vendor(self, name: str, uei: str = "", duns: str = "", *,
               kind: str = "vendor") -> Decision:
        """The vendor (or, with ``kind="agency"``, government recipient) a record names."""
        name = _TRAILING_THE.sub("", name)  # "THOMSON COMPANY INC, THE"
        uei, duns = clean_uei(uei), clean_duns(duns)
        cache_key = (kind, name, uei, duns)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._decide(kind, name, uei, duns)
            self._remember(kind, found, uei, duns)
            self._cache[cache_key] = found
        return found

    def _decide(self, kind: str, name: str, uei: str, duns: str) -> Decision:
        norm = normalise(name)
        keys = self._keys[kind]
        judged = self._judged_same(kind, name, norm)
        if judged is not None:
            return judged
        other = self._keys["agency" if kind == "vendor" else "vendor"]
        candidates = [  # a key seen under the other kind keeps it (flags vary per award)
            ("uei", (keys.uei.get(uei) or other.uei.get(uei)) if uei else None,
             f"UEI {uei} was seen before"),
            ("duns", (keys.duns.get(duns) or other.duns.get(duns)) if duns else None,
             f"DUNS {duns} was seen before"),
        ]
        ref = self._registry_match(name, kind)
        if ref is not None:
            candidates.append(("registry-alias", ref.iri,
                               f"'{norm}' is a registry name of {ref.name}"))
        candidates.append(("name", keys.name.get(norm) if norm else None,
                           f"normalised name '{norm}' was seen before"))
        blockers = []
        for rule, iri, reason in candidates:
            if iri is None:
                continue
            blocker = self._blocked(norm, iri)
            if blocker is None:
                found_kind = "agency" if "/id/agency/" in iri else "vendor"
                return Decision(name, iri, found_kind, rule, reason,
                                iri in self.registry.entities)
            blockers.append(blocker)
        if blockers:
            reason = f"judged not the same as '{min(blockers)}'"
            return self._mint(kind, name, norm, "", "", "judgement", reason)
        return self._mint(kind, name, norm, uei, duns, "new", "")

    def _mint(self, kind: str, name: str, norm: str, uei: str, duns: str, rule: str,
              reason: str) -> Decision:
        if uei:
            key, why = f"uei-{uei}", f"new {kind} keyed by UEI {uei}"
        elif duns:
            key, why = f"duns-{duns}", f"new {kind} keyed by DUNS {duns}"
        else:
            key, why = f"name-{norm or name}", f"new {kind} keyed by its name"
        if rule == "judgement":
            key += "-judged-apart"
        return Decision(name, entity_iri(kind, key), kind, rule, reason or why)

    def _remember(self, kind: str, decision: Decision, uei: str, duns: str) -> None:
        self.learn(kind, decision.iri, uei=uei, duns=duns, names=[decision.name])
        group = self._same.get(normalise(decision.name))
        if group is not None:
            self._same_iri.setdefault(min(group), decision.iri)

    def _registry_match(self, name: str, kind: str) -> RefEntity | None:
        """A registry entity by exact (normalised) name, refusing ambiguous one-word aliases.

        "PARAGON INC" normalises to "paragon", an alias of Paragon Solutions (the
        spyware maker) that is also the first word of Paragon Systems (a guard
        company): a one-word alias shared by two unrelated families is not trusted.
        """
        ref = self.registry.lookup(name, [kind])
        if ref is None:
            return None
        norm = normalise(name)
        if " " in norm or norm == normalise(ref.name):
            return ref
        families = {self._root(iri) for _, iri in self._groups.get(norm, [])}
        return ref if len(families | {self._root(ref.iri)}) == 1 else None

    def _root(self, iri: str) -> str:
        chain = self.registry.ancestors(iri)
        return chain[-1] if chain else iri

    # --------------------------------------------------------- judgements
    def _judged_same(self, kind: str, name: str, norm: str) -> Decision | None:
        group = self._same.get(norm)
        if group is None:
            return None
        iri = self._same_iri.get(min(group))
        if iri is None:
            for member in sorted(group - {norm}):
                ref = self.registry.lookup(member, [kind])
                if ref is not None:
                    iri = ref.iri
                    break
        if iri is None:
            return None
        others = ", ".join(f"'{m}'" for m in sorted(group - {norm}))
        where = next((j.where for j in self.judgements if j.same and norm in
                      (normalise(j.name_a), normalise(j.name_b))), "judgements")
        return Decision(name, iri, kind, "judgement", f"judged the same as {others} ({where})",
                        iri in self.registry.entities)

    def _blocked(self, norm: str, iri: str) -> str | None:
        """The other name of a not-same judgement that keeps ``norm`` away from ``iri``.

        ``name_a,name_b,not-same`` reads "records named name_a are not what name_b
        names": name_a may not join the registry entity called name_b, nor the
        entity name_b was resolved to in this run; name_b may not join what name_a
        was resolved to (but keeps its registry entity: "PENLINK" judged apart from
        "Pen-Link" leaves "PEN-LINK, LTD." with the registry's Pen-Link).
        """
        for other, registry_too in self._apart.get(norm, ()):
            targets = {self._keys[kind].name.get(other) for kind in ("vendor", "agency")}
            if registry_too:
                ref = self.registry.lookup(other)
                targets.add(ref.iri if ref else None)
            if iri in targets:
                return other
        return None

    # ------------------------------------------------------------ parents
    def parent(self, child: Decision, name: str, uei: str = "", duns: str = "", *,
               child_uei: str = "", child_duns: str = "") -> Decision | None:
        """The parent company a record names, or None when it is the recipient itself."""
        uei, duns = clean_uei(uei), clean_duns(duns)
        child_uei, child_duns = clean_uei(child_uei), clean_duns(child_duns)
        if not (name or uei or duns):
            return None
        if (uei and uei == child_uei) or (duns and duns == child_duns):
            return None
        if normalise(_TRAILING_THE.sub("", name)) == normalise(child.name):
            return None  # another registration of the same company, not a parent
        parent = self.vendor(name or uei or duns, uei, duns, kind=child.kind)
        if parent.iri == child.iri or self._reaches(parent.iri, child.iri):
            return None
        self._links[child.iri].add(parent.iri)
        return parent

    def group(self, decision: Decision) -> Decision | None:
        """The registry company a new company's name places it under, if any."""
        if decision.registry or decision.kind != "vendor":
            return None
        norm = normalise(decision.name)
        words = norm.split()
        if len(words) < 2 or words[0] in GENERIC_WORDS:
            return None
        for label, iri in self._groups.get(words[0], []):
            size = len(label.split())
            if size >= len(words) or words[:size] != label.split():
                continue
            if size == 1 and len(label) < 5:
                continue
            if self._blocked(norm, iri) or self._reaches(iri, decision.iri):
                continue
            self._links[decision.iri].add(iri)
            ref = self.registry.entities[iri]
            return Decision(ref.name, iri, "vendor", "registry-group",
                            f"'{decision.name}' begins with the registry name '{label}'", True)
        return None

    def _reaches(self, start: str, goal: str) -> bool:
        """Is ``goal`` an ancestor of ``start`` (registry or this run's links)? Stops cycles."""
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node in seen:
                continue
            seen.add(node)
            todo += self._links.get(node, ())
            ref = self.registry.entities.get(node)
            if ref is not None and ref.parent:
                todo.append(ref.parent)
        return False

    def family(self, iri: str) -> tuple[str, ...]:
        """The entity, then everything above it (nearest first): whose products it may sell."""
        seen: dict[str, None] = {}
        todo = [iri]
        while todo:
            node = todo.pop(0)
            if node in seen:
                continue
            seen[node] = None
            todo += sorted(self._links.get(node, ()))
            ref = self.registry.entities.get(node)
            if ref is not None and ref.parent:
                todo.append(ref.parent)
        return tuple(seen)

    # ----------------------------------------------------------- agencies
    def agency(self, name: str, code: str = "", *, tier: str,
               parent: str | None = None) -> Decision:
        """An awarding agency (``tier`` toptier, subtier or office) by registry name or code."""
        cache_key = ("agency-" + tier, name, code, parent or "")
        found = self._cache.get(cache_key)
        if found is None:
            found = self._decide_agency(name, code, tier, parent)
            self._cache[cache_key] = found
        return found

    def _decide_agency(self, name: str, code: str, tier: str, parent: str | None) -> Decision:
        for variant in _agency_variants(name):
            ref = self.registry.lookup(variant, ["agency"])
            if ref is not None:
                return Decision(name, ref.iri, "agency", "agency-name",
                                f"'{variant}' is a registry name of {ref.name}", True)
        if tier == "office":
            owner = (parent or "").rsplit("/", 1)[-1]
            key = f"{owner} office {strip_country(name) or code}"
            return Decision(name, entity_iri("agency", key), "agency", "new",
                            f"office of {owner} keyed by its name")
        if code:
            return Decision(name, entity_iri("agency", f"{tier}-{code}"), "agency",
                            "agency-code", f"{tier} agency keyed by code {code}")
        return Decision(name, entity_iri("agency", name), "agency", "new",
                        f"{tier} agency keyed by its name")


def _agency_variants(name: str) -> list[str]:
    """"DEPARTMENT OF HOMELAND SECURITY (DHS)": the name, without the acronym, the acronym."""
    variants = [name]
    if name.endswith(")") and "(" in name:
        head, _, tail = name.rpartition("(")
        variants += [head.strip(), tail.rstrip(")").strip()]
    return variants


def _group_index(registry: Registry) -> dict[str, list[tuple[str, str]]]:
    """Registry vendor names by first word, longest first (for registry-group)."""
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entity in registry.entities.values():
        if entity.kind != "vendor":
            continue
        for label in {normalise(x) for x in (entity.name, *entity.labels)}:
            if label:
                index[label.split()[0]].append((label, entity.iri))
    for entries in index.values():
        entries.sort(key=lambda e: (-len(e[0].split()), e[0], e[1]))
    return index


def explain(store: "Store", name: str, **options: Any) -> "Explanation":
    """Why ``name`` resolves as it does: decisions, links and judgements on record.

    A thin door to ``kg.resolution_store.explain`` (imported late: that module
    reads the store and imports this one).
    """
    from kg.resolution_store import explain as run

    return run(store, name, **options)
