"""Is an award surveillance? Technology category and relevance flag, with the reason.

Agencies buy ammunition, guards and janitors through the same channels as
face recognition, so every award is tagged from its description, the product it
names, its PSC and NAICS codes and the vendor's registry categories. The first
signal in this order decides, and its wording becomes ``skg:relevanceReason``:

1. the description names a technology (a registry category label, or a phrase
   below such as "INVESTIGATIVE CASE MANAGEMENT") -> relevant, that category;
2. the description names a registry product -> relevant, the product's category
   (one-word names and acronyms such as "UFED" or "CLEAR" only count when the
   vendor belongs to the maker's family or the description names the maker too,
   as a reseller's "CELLEBRITE UFED KITS" does);
3. the PSC or NAICS code is plainly something else (guards, janitors,
   ammunition, food, books ...) -> not relevant;
4. the description speaks of surveillance in general ("SURVEILLANCE",
   "INTERCEPT") -> relevant, no category;
5. the vendor (or a parent) is a registry surveillance vendor, the PSC is one
   of the lines such vendors sell surveillance under (IT, communications and
   detection equipment, data services) and the description does not name an
   everyday good ("RADIOS", "PUBLICATIONS") -> relevant, the vendor's category;
6. a PSC for security and surveillance equipment -> relevant;
7. otherwise not relevant.

>>> from kg.registry import load_registry
>>> tag = RelevanceTagger(load_registry()).tag
>>> west = tag("IGF::CL::IGF ACCESS TO LICENSE PLATE READER DATABASE", "D317", "519190", ())
>>> west.relevant, west.category.rsplit("/", 1)[-1]
(True, 'automated-license-plate-readers')
>>> west.reason
"description names 'license plate reader' (Automated License Plate Readers)"
>>> tag("SUPPLY OF LICENSE PLATES AND REGISTRATIONS", "4910", "", ()).relevant
False
>>> tag("GUARD SERVICES", "S206", "561612", ()).reason
'PSC S206 (housekeeping services) is not surveillance'
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.registry import Registry
from kg.vocab import BASE

CATEGORY = BASE + "id/category/"
# Phrases award descriptions use that the registry's category labels lack.
EXTRA_PHRASES = {
    "investigative case management": "case-management",
    "investigating case management": "case-management",
    "face recognition": "face-recognition",
    "facial recognition": "face-recognition",
    "license plate reader": "automated-license-plate-readers",
    "biometric": "biometrics",
    "biometrics": "biometrics",
    "fingerprint": "biometrics",
    "finger print": "biometrics",
    "fingerprinting": "biometrics",
    "live scan": "biometrics",
    "livescan": "biometrics",
    "tenprint": "biometrics",
    "touchprint": "biometrics",
    "iris scan": "biometrics",
    "cell site simulator": "cell-site-simulator",
    "forensic extraction": "mobile-device-forensics",
    "mobile forensic": "mobile-device-forensics",
    "cellebrite": "mobile-device-forensics",
    "social media": "social-media-monitoring",
    "location data": "location-data",
    "body worn camera": "body-worn-cameras",
    "unmanned aerial": "drones",
    "unmanned aircraft": "drones",
    "video analytics": "video-analytics",
    "surveillance tower": "border-surveillance-towers",
}
GENERIC_PHRASES = (
    "surveillance", "intercept", "wiretap", "wire tap", "lawful intercept", "pen register",
    "tracking device", "gps tracking", "gps tracker", "covert camera", "pole camera",
    "electronic monitoring", "eavesdropping", "investigative database",
)
# Everyday goods a surveillance vendor also sells (Motorola radios, West law books).
EVERYDAY_PHRASES = (
    "radio", "radios", "publication", "publications", "book", "books", "handbook",
    "handbooks", "pamphlet", "pamphlets", "field guide", "law library", "subscriber radios",
    "legal", "attorney", "attorneys", "attys", "westlaw", "legal education",
    "communications", "telecommunications", "wireless", "interoperable", "narrowband",
)
# Where a surveillance vendor's surveillance lines are bought: communications and detection
# equipment (58), IT (70, 7A-7K, D), data and analysis services (R, B5), photography (67),
# and their maintenance, leases and training. A conglomerate's x-ray servicing (J066),
# binoculars (6650) or vehicle parts (25) are not tagged for being theirs.
VENDOR_LINE_PSC = ("58", "63", "67", "70", "7A", "7B", "7C", "7D", "7E", "7F", "7G", "7H",
                   "7J", "7K", "D", "R", "B5", "J058", "J063", "J067", "J070", "K058", "K070",
                   "L058", "L070", "N058", "N063", "N070", "W058", "W070", "U0")
# PSC codes and prefixes that are plainly not surveillance, with what they are.
NOT_SURVEILLANCE_PSC = {
    "S2": "housekeeping services", "10": "weapons", "13": "ammunition and explosives",
    "84": "clothing", "89": "food", "71": "furniture", "75": "office supplies",
    "76": "books and maps", "65": "medical supplies", "Q": "medical services",
    "V": "transport and travel", "Y": "construction", "Z": "building maintenance",
    "X": "lease of facilities", "91": "fuels", "G0": "social services",
}
NOT_SURVEILLANCE_NAICS = {
    "561612": "security guards", "561720": "janitorial services", "332992": "ammunition",
    "332993": "ammunition", "332994": "small arms", "722": "food services",
    "721": "accommodation", "311": "food manufacturing", "315": "apparel",
    "337": "furniture", "511130": "book publishers", "511120": "periodical publishers",
    "236": "construction", "237": "construction", "238": "construction",
    "621": "health care", "622": "hospitals",
}
# Weak positives: most awards under these codes are cameras and recorders. Alarm and
# access-control codes (6350) were tried and dropped: fire alarms, door badges.
SURVEILLANCE_PSC = {"5836": "video recording equipment", "5855": "night vision equipment"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Relevance:
    """The tag of one award and the signal that set it."""

    relevant: bool
    category: str | None
    product: str | None
    reason: str


def _prefix_lookup(table: dict[str, str], code: str) -> str | None:
    for size in range(len(code), 0, -1):
        if code[:size] in table:
            return table[code[:size]]
    return None


def _phrase_regex(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(re.escape(p) for p in ordered)
    return re.compile(rf"(?<![a-z0-9])({body})(?:s|es)?(?![a-z0-9])")


def _plain(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


class RelevanceTagger:
    """Tags awards; build once per run (it compiles the registry's names into regexes)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._category_of: dict[str, str] = {}
        for entity in registry.entities.values():
            if entity.kind != "category":
                continue
            for label in (entity.name, *entity.labels):
                plain = _plain(label)
                if len(plain) >= 4 and plain != "lpr":
                    self._category_of[plain] = entity.iri
        for phrase, slug in EXTRA_PHRASES.items():
            self._category_of[phrase] = CATEGORY + slug
        self._categories = _phrase_regex(list(self._category_of))
        self._generic = _phrase_regex(list(GENERIC_PHRASES))
        self._everyday = _phrase_regex(list(EVERYDAY_PHRASES))
        self._product_of: dict[str, tuple[str, bool]] = {}  # plain label -> (iri, needs family)
        self._acronyms: dict[str, str] = {}
        for entity in registry.entities.values():
            if entity.kind != "product":
                continue
            for label in (entity.name, *entity.labels):
                plain = _plain(label)
                if len(plain) >= 4:
                    self._product_of[plain] = (entity.iri, " " not in plain)
            for acronym in entity.acronyms:
                self._acronyms[acronym] = entity.iri
        self._products = _phrase_regex(list(self._product_of))
        body = "|".join(re.escape(a) for a in sorted(self._acronyms, key=len, reverse=True))
        self._acronym_re = re.compile(rf"(?<![A-Za-z0-9])({body})(?![A-Za-z0-9])")
        self.tag = lru_cache(maxsize=200_000)(self._tag)  # descriptions repeat a lot

    def _tag(self, description: str, psc: str, naics: str,
             family: tuple[str, ...]) -> Relevance:
        plain = f" {_plain(description)} "
        if match := self._categories.search(plain):
            phrase = match.group(1)
            iri = self._category_of[phrase]
            return Relevance(True, iri, self._product(description, plain, family),
                             f"description names '{phrase}' ({self._name(iri)})")
        product = self._product(description, plain, family)
        if product is not None:
            category = (self.registry.entities[product].categories or (None,))[0]
            return Relevance(True, category, product,
                             f"description names the product {self._name(product)}")
        veto = self._veto(psc, naics)
        if veto:
            return Relevance(False, None, None, veto)
        if match := self._generic.search(plain):
            return Relevance(True, None, None, f"description says '{match.group(1)}'")
        vendor = self._vendor_category(family)
        if vendor is not None and not self._everyday.search(plain) and \
                (not psc or psc.startswith(VENDOR_LINE_PSC)):
            who, category = vendor
            return Relevance(True, category, None,
                             f"vendor {who} is a registry {self._name(category)} vendor")
        if psc in SURVEILLANCE_PSC:
            return Relevance(True, None, None, f"PSC {psc} ({SURVEILLANCE_PSC[psc]})")
        codes = "".join(f", {name} {code}" for name, code in (("PSC", psc), ("NAICS", naics))
                        if code)
        return Relevance(False, None, None, f"no surveillance signal in the description{codes}")

    def _product(self, description: str, plain: str, family: tuple[str, ...]) -> str | None:
        if match := self._products.search(plain):
            iri, needs_family = self._product_of[match.group(1)]
            if not needs_family or self._made_by(iri, family):
                return iri
        for match in self._acronym_re.finditer(description):
            iri = self._acronyms[match.group(1)]
            if self._made_by(iri, family) or self._maker_named(iri, plain):
                return iri
        return None

    def _maker_named(self, product: str, plain: str) -> bool:
        """A reseller's "CELLEBRITE UFED KITS": the maker's name next to its product code."""
        maker = self.registry.entities[product].maker
        entity = self.registry.entities.get(maker) if maker else None
        if entity is None:
            return False
        return any(f" {_plain(label)} " in plain for label in (entity.name, *entity.labels)
                   if len(_plain(label)) >= 4)

    def _made_by(self, product: str, family: tuple[str, ...]) -> bool:
        maker = self.registry.entities[product].maker
        if maker is None:
            return False
        return bool({maker, *self.registry.ancestors(maker)} & set(family))

    def _veto(self, psc: str, naics: str) -> str | None:
        if psc and (what := _prefix_lookup(NOT_SURVEILLANCE_PSC, psc)):
            return f"PSC {psc} ({what}) is not surveillance"
        if naics and (what := _prefix_lookup(NOT_SURVEILLANCE_NAICS, naics)):
            return f"NAICS {naics} ({what}) is not surveillance"
        return None

    def _vendor_category(self, family: tuple[str, ...]) -> tuple[str, str] | None:
        for iri in family:  # the vendor first, then its parents
            entity = self.registry.entities.get(iri)
            if entity is not None and entity.kind == "vendor" and entity.categories:
                return entity.name, entity.categories[0]
        return None

    def _name(self, iri: str) -> str:
        entity = self.registry.entities.get(iri)
        return entity.name if entity else iri.rsplit("/", 1)[-1]
