"""Find registry names in a sentence with a token trie (longest match wins).

A trie over lowercased tokens is linear in the sentence length whatever the
registry size, unlike one regular expression with a thousand alternatives.
Names match case-insensitively but must be written with a capital letter
(so "a ring of" is not the company Ring); acronyms match exactly ("ICE", not "ice").
"""

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from kg.names import LEGAL_SUFFIXES, normalise
from kg.registry import RefEntity

TOKEN = re.compile(r"[^\W_]+|&")
_END = "\x00"


class Token(NamedTuple):
    """A word of a sentence, with its offsets; ``possessive`` if followed by 's.

    A NamedTuple, not a dataclass: tokenizing is on the hot path of extraction.
    """

    norm: str
    start: int
    end: int
    possessive: bool


class Match(NamedTuple):
    """A registry entity found at [start, end) of a sentence."""

    entity: RefEntity
    start: int
    end: int
    possessive: bool
    mode: str


def tokenize(text: str) -> list[Token]:
    """Lowercased word tokens; the "s" of a possessive is folded into the word before."""
    tokens: list[Token] = []
    for match in TOKEN.finditer(text):
        word = match.group().lower()
        if word == "s" and tokens and text[match.start() - 1 : match.start()] in ("'", "’"):
            last = tokens[-1]
            tokens[-1] = Token(last.norm, last.start, last.end, True)
            continue
        tokens.append(Token("and" if word == "&" else word, match.start(), match.end(), False))
    return tokens


def _label_tokens(label: str) -> list[str]:
    """Tokens of a label without a trailing legal suffix (see kg.names.normalise)."""
    return normalise(label).split()


class Gazetteer:
    """A token trie over every written form of the registry's entities."""

    def __init__(self, forms: Iterable[tuple[str, RefEntity, str]]) -> None:
        self._root: dict[str, Any] = {}
        for label, entity, mode in forms:
            full = [token.norm for token in tokenize(label)]
            short = _label_tokens(label)
            self._insert(full, (0, label, entity, mode))
            if short != full:  # "ShotSpotter Inc." also matches "ShotSpotter", as a last resort
                self._insert(short, (1, label, entity, mode))
            if mode == "name" and len(full[-1]) > 3 and not full[-1].endswith("s"):
                self._insert([*full[:-1], full[-1] + "s"], (2, label, entity, "plural"))
        self._sort(self._root)

    def _insert(self, words: list[str], payload: tuple[int, str, RefEntity, str]) -> None:
        if not words:
            return
        node = self._root
        for word in words:
            node = node.setdefault(word, {})
        node.setdefault(_END, []).append(payload)

    def _sort(self, node: dict[str, Any]) -> None:
        """Exact labels before suffix-stripped ones, so the written form decides."""
        for key, child in node.items():
            if key == _END:
                child.sort(key=lambda payload: payload[0])
            else:
                self._sort(child)

    def find(self, text: str, tokens: list[Token]) -> list[Match]:
        """Non-overlapping longest matches, left to right."""
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            best = self._longest(text, tokens, i)
            if best is None:
                i += 1
                continue
            entity, last, mode = best
            while entity.kind == "vendor" and last + 1 < len(tokens) \
                    and tokens[last + 1].norm in LEGAL_SUFFIXES and not tokens[last].possessive:
                last += 1  # "Axon Enterprise Inc.": the suffix belongs to the name
            end = tokens[last].end
            if tokens[last].norm in LEGAL_SUFFIXES and text[end:end + 1] == ".":
                end += 1
            found.append(Match(entity, tokens[i].start, end, tokens[last].possessive, mode))
            i = last + 1
        return found

    def _longest(self, text: str, tokens: list[Token],
                 i: int) -> tuple[RefEntity, int, str] | None:
        node: dict[str, Any] | None = self._root
        best: tuple[RefEntity, int, str] | None = None
        for j in range(i, len(tokens)):
            node = node.get(tokens[j].norm) if node is not None else None
            if node is None:
                break
            for _, label, entity, mode in node.get(_END, []):
                if _form_ok(text, tokens, i, j, label, mode):
                    best = (entity, j, mode)
                    break
        return best


def _form_ok(text: str, tokens: list[Token], i: int, j: int, label: str, mode: str) -> bool:
    """Does the text at tokens i..j match ``label`` under its match mode?"""
    written = text[tokens[i].start : tokens[j].end]
    if mode == "acronym":
        return written == label
    if mode == "place":
        return written[:1].isupper() and not _in_longer_name(text, tokens, i, j)
    return label.islower() or not written.islower()


def _in_longer_name(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """"Chicago Tribune", "New York Times", "Chicago-based": part of another name."""
    after = text[tokens[j].end : tokens[j].end + 1]
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    if after == "-" or (following is not None and not tokens[j].possessive and
                        text[tokens[j].end:following.start].strip() == "" and
                        text[following.start:following.start + 1].isupper()):
        return True
    previous = tokens[i - 1] if i > 0 else None
    return previous is not None and text[previous.end:tokens[i].start].strip() == "" and \
        text[previous.start:previous.start + 1].isupper() and i > 1
