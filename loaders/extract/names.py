"""Capitalised names in a sentence: where a name starts and ends, and what kind
of thing its head word, descriptor or apposition says it is."""

import re

from kg.names import normalise
from loaders.extract import lexicon as lx

CAPWORD = r"(?:[A-Z][\w’'&.\-]*|[0-9][\w\-]*[A-Za-z][\w\-]*)"
CAPRUN = re.compile(rf"{CAPWORD}(?:\s+(?:(?:of|for|on|de|the|&)\s+)*{CAPWORD})*")
OPENERS = frozenset("""
the a an according in on at but however and last this that these those it its after before
while when since as for from with by under over meanwhile also still yet so if though although
during than earlier later now today then first second new one some many most several his her
their our my we they he she i you there here what who why how where which
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
each every all both neither either no not only even just such other another under
""".split())
ABBREVIATED = frozenset({"inc.", "corp.", "co.", "ltd.", "jr.", "sr.", "st."})
POLICE_AFTER_RE = re.compile(
    r"\s+(police(?:\s+department)?|sheriff['’]s\s+(?:office|department)|"
    r"county\s+sheriff['’]s\s+office|city\s+council|council)\b"
)
LIST_RE = re.compile(
    rf"{CAPWORD}(?:\s+{CAPWORD})*(?:,\s+{CAPWORD}(?:\s+{CAPWORD})*)+,?\s+(?:and|or)\s+"
    rf"{CAPWORD}(?:\s+{CAPWORD})*"
)
LIST_ITEM_RE = re.compile(rf"{CAPWORD}(?:\s+{CAPWORD})*")
# ", a surveillance software company that ...": the head noun ends the phrase
# before any relative clause.
_APPOSITION_RE = re.compile(
    r"^,\s+(?:a|an|the)\s+((?:[\w\-’']+\s+){0,6}?[\w\-]+)"
    r"(?=\s+(?:that|which|who|whose|based|with|in|of|for|operated|run|made|built|sold|"
    r"offered|developed|owned|used|provided|from|by)\b|\s*[,.;]|$)"
)
PRODUCT_NOUN = (r"(?:software|platform|tool|app|application|system|database|program|service|"
                r"technology|product|cameras?|devices?|drones?|towers?)")
_PRODUCT_NOUNS = frozenset(re.findall(r"[a-z]+", PRODUCT_NOUN.replace("?", "")))

def classify(run: str, before: str, after: str) -> tuple[str, str] | None:
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
        if noun.rstrip("s") in _PRODUCT_NOUNS or noun in _PRODUCT_NOUNS:
            return "product", f"apposition:{noun}"
    if _PRODUCT_OBJECT.search(before):
        return "product", "object-of-trial"
    return None


def split_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut "SkyHawk Robotics for the Riverton County Sheriff's Office" in two: a connector
    joins two names when each side has a head word of its own."""
    run = text[start:end]
    for connector in _CONNECTOR.finditer(run):
        left, right = run[:connector.start()], run[connector.end():]
        left_words = normalise(left).split()
        if len(left_words) > 1 and left_words[-1] in _HEADS and right[:1].isupper() \
                and classify(right, "", "") is not None:
            return [(start, start + connector.start()),
                    *split_run(text, start + connector.end(), end)]
    return [(start, end)]


_CONNECTOR = re.compile(r"\s+(?:for the|on the|for|on|the)\s+")
_HEADS = lx.AGENCY_HEADS | lx.VENDOR_HEADS | lx.ORG_HEADS
# "ended its trial of FaceMatch": the thing tried or used is a product.
_PRODUCT_OBJECT = re.compile(r"\b(?:trial|pilot|test|testing|evaluation|use|deployment|"
                             r"rollout|purchase|version)\s+of\s+$", re.IGNORECASE)
# A name after a title is a person: "Mayor Brandon Johnson", "spokesperson Ana Ruiz".
TITLES = frozenset("mayor sen rep gov chief sheriff commissioner secretary president ceo "
                   "director officer judge councilmember dr mr ms mrs lt sgt capt detective "
                   "attorney general".split())
PERSON_BEFORE = re.compile(
    r"\b(?:Mayor|Sen|Rep|Gov|Chief|Sheriff|Commissioner|Secretary|President|CEO|Director|"
    r"Officer|Judge|Councilmember|Dr|Mr|Ms|Mrs|Lt|Sgt|Capt|Detective|Attorney|spokes\w+|"
    r"said|says|analyst|researcher|professor|founder)\.?\s+$"
)
PERSON_AFTER = re.compile(r"^(?:\s+(?:said|says|told|wrote|added)\b|,\s+(?:who|a|the)\s+"
                          r"(?:spokes|director|chief|officer|professor|executive|member|head))")


_LEADING_WORD = re.compile(r"(\S+)\s+")
_DATE_TAIL = re.compile(
    r"\s+(?:on|in|since|by)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b.*$")


def trim_run(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """Drop sentence openers, a trailing period and a possessive from a capitalised run."""
    while (word := _LEADING_WORD.match(text, start, end)) and word.group(1).lower() in OPENERS:
        start = word.end()
    if text[start:end].lower() in OPENERS:
        return start, start, False
    if tail := _DATE_TAIL.search(text, start, end):
        end = tail.start()  # "the Board of Supervisors on Tuesday"
    possessive = False
    for suffix in ("'s", "’s", "'", "’"):
        if text[start:end].endswith(suffix):
            end -= len(suffix)
            possessive = True
            break
    words = text[start:end].split()
    if words and words[-1].endswith(".") and words[-1].lower() not in ABBREVIATED:
        end -= 1
    return start, end, possessive


