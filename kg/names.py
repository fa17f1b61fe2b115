"""Name normalisation shared by the registry, the loaders and the evaluator.

>>> normalise("The Palantir Technologies, Inc.")
'palantir technologies'
>>> normalise("PEN-LINK, LTD.")
'pen link'
>>> normalise("Customs & Border Protection's")
'customs and border protection'
>>> normalise("FALCON-SA")  # a hyphenated part of a name is not a legal suffix
'falcon sa'
>>> strip_country("U.S. Immigration and Customs Enforcement")
'immigration and customs enforcement'
"""

import re
import unicodedata

LEGAL_SUFFIXES = frozenset(
    "inc incorporated llc l c ltd limited corp corporation co plc lp llp gmbh sa ag".split()
)
# A legal suffix is a separate word at the end ("Axon Enterprise, Inc."), never the
# hyphenated tail of a name ("FALCON-SA").
_SUFFIX_AT_END = re.compile(
    r"(?<=[\w.])[\s,]+(?:" + "|".join(sorted(LEGAL_SUFFIXES, key=len, reverse=True))
    + r"|l\.l\.c|s\.a|n\.a)\.?\s*$"
)
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")
_COUNTRY_PREFIX = re.compile(r"^(?:u s(?: a)?|us|usa|united states(?: of america)?) ")


def normalise(name: str) -> str:
    """Lowercase, unaccented, punctuation-free name without 'the' or legal suffixes."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    text = re.sub(r"['’]s\b", "", text)
    while (suffix := _SUFFIX_AT_END.search(text)) and suffix.start() > 0:
        text = text[:suffix.start()]
    text = _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def strip_country(name: str) -> str:
    """Normalised name without a leading "U.S." / "United States" (agency variants)."""
    return _COUNTRY_PREFIX.sub("", normalise(name))
