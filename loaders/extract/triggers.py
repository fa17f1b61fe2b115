"""Trigger words in a sentence and the span of text each one governs.

A trigger governs the text from the previous clause boundary or relation
trigger up to the next one. Ending words ("cancelled", "paused") modify other
triggers and so never cut a window: in "the NYPD is cancelling its Palantir
contract" the contract still sees the NYPD.
"""

import re
from dataclasses import dataclass

from kg.values import MONTHS
from loaders.extract import lexicon as lx

MODIFIERS = ("end", "resume")
# "renewed its contract": same-kind words a few lowercase words apart are one trigger;
# a gap holding a name ("paid Clearview AI $1.5M for licenses") keeps them apart.
_MERGEABLE_GAP = re.compile(r"^[\sa-z'’-]{0,20}$")
# Where one clause ends and the next begins: a trigger's arguments stay inside its clause.
CLAUSE_BOUNDARY = re.compile(
    r",\s+(?:and|but|while|whereas|although|though|which|who|after|before|because|since|"
    r"according to)\b|;|\s(?:while|whereas|but)\s|:\s"
)
ENGAGEMENT_NOUNS = {"pilot": "PILOTS", "trial": "PILOTS", "test": "PILOTS",
                    "contract": "SELLS_TO", "deal": "SELLS_TO", "agreement": "SELLS_TO",
                    "subscription": "SELLS_TO", "license": "SELLS_TO", "licence": "SELLS_TO",
                    "partnership": "SELLS_TO", "program": "USES", "use": "USES"}
ENGAGEMENT_NOUN_RE = re.compile(rf"\b({'|'.join(ENGAGEMENT_NOUNS)})s?\b", re.IGNORECASE)
_DATE_WORDS = re.compile(
    rf"\b(?:(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})"
    r"\.?\s+(?:\d{1,2},?\s+)?\d{4}|(?:fiscal(?: year)?|FY)\s*\d{2,4}|\d{4}(?:-\d{2}){0,2})\b",
    re.IGNORECASE,
)


@dataclass
class Trigger:
    """A trigger word (or merged run of same-kind words) in a sentence."""

    kind: str
    start: int
    end: int
    word: str
    left: tuple[int, int] = (0, 0)
    right: tuple[int, int] = (0, 0)
    clause: int = 0
    clause_end: int = 0


def _merge(text: str, found: list[Trigger]) -> list[Trigger]:
    merged: list[Trigger] = []
    for trig in found:
        if merged and trig.start < merged[-1].end:
            continue  # overlapping words: keep the first, longest one
        last = merged[-1] if merged else None
        if last and last.kind == trig.kind and _MERGEABLE_GAP.match(text[last.end:trig.start]):
            last.end, last.word = trig.end, f"{last.word} {trig.word}"
            continue
        merged.append(trig)
    return merged


def find_triggers(text: str) -> list[Trigger]:
    """Triggers in text order; adjacent same-kind words merge; windows assigned."""
    found = [Trigger(m.lastgroup or "", m.start(), m.end(), m.group(0))
             for m in lx.TRIGGER_RE.finditer(text.lower())]
    merged = _merge(text, found)
    bounds = [m.start() for m in CLAUSE_BOUNDARY.finditer(text)]
    cuts = [t for t in merged if t.kind not in MODIFIERS]
    for trig in merged:
        before = [t.end for t in cuts if t.end <= trig.start] + [b for b in bounds
                                                                if b <= trig.start]
        after = [t.start for t in cuts if t.start >= trig.end] + [b for b in bounds
                                                                 if b >= trig.end]
        trig.left = (max(before, default=0), trig.start)
        trig.clause = max((b for b in bounds if b <= trig.start), default=0)
        trig.clause_end = min((b for b in bounds if b >= trig.end), default=len(text))
        trig.right = (trig.end, min(after, default=len(text)))
    return merged


def date_words(window: str) -> str | None:
    """The date as written in a window of text ("December 2017", "FY 2020")."""
    match = _DATE_WORDS.search(window)
    return match.group(0) if match else None
