"""Deterministic IRIs.

Every IRI is derived from the fewest stable raw fields, so re-running a load
mints the same IRIs. Changing a rule here is a breaking change to the data.

>>> slug("Clearview AI, Inc.")
'clearview-ai-inc'
>>> entity_iri("vendor", "Clearview AI, Inc.")
'https://w3id.org/survkg/id/vendor/clearview-ai-inc'
"""

import hashlib
import re
import unicodedata

from kg.vocab import BASE

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 80


def digest(*parts: str, length: int = 16) -> str:
    """Stable short hash of the parts (joined with a separator no part contains)."""
    joined = "\x1f".join(parts).encode("utf-8")
    return hashlib.sha256(joined).hexdigest()[:length]


def slug(text: str) -> str:
    """Lowercase ASCII slug; long or empty names fall back to a hash suffix."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if not cleaned:
        return "x-" + digest(text, length=12)
    if len(cleaned) > _MAX_SLUG:
        return cleaned[:_MAX_SLUG].rstrip("-") + "-" + digest(text, length=8)
    return cleaned


def entity_iri(kind: str, key: str) -> str:
    """IRI of an entity of ``kind`` (vendor, agency, product, organization ...)."""
    return f"{BASE}id/{kind}/{slug(key)}"


def source_iri(locator: str) -> str:
    """IRI of a source document, from its URL or, failing that, its file path."""
    return f"{BASE}id/source/{digest(locator)}"


def node_iri(kind: str, *parts: str) -> str:
    """IRI of a relationship or evidence node, from the IRIs and keys it joins."""
    return f"{BASE}id/{kind}/{digest(*parts)}"
