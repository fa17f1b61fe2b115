"""Split an article body into sentences that keep their character offsets.

A relation is cited by the sentence it came from, so each sentence must be an exact
slice of the body (``body[start:end] == text``). The splitter is rule-based and works
word by word over ``\\S+`` tokens, which keeps it linear in the length of the text even
for pathological input (one megabyte without punctuation or whitespace).

>>> [s.text for s in split_sentences("Acme Inc. won a U.S. contract on Jan. 17. It is big.")]
['Acme Inc. won a U.S. contract on Jan. 17.', 'It is big.']
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

_WORD = re.compile(r"\S+")
_TERMINATORS = ".!?…"
_CLOSERS = "”’\"')]"
_QUOTES = "“‘\"'"
_OPENERS = "“‘\"'(["
_QUOTE_SET = frozenset(_QUOTES)
# Compact word lists: the formatter would put every word on its own line.
# fmt: off
# Titles and Latin abbreviations precede more of the same sentence: never split after them.
_NEVER_SPLIT = frozenset(
    {
        "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sen.", "Sens.", "Rep.", "Reps.", "Gov.", "Gen.",
        "Col.", "Maj.", "Lt.", "Sgt.", "Capt.", "Det.", "St.", "No.", "Nos.", "vs.", "v.",
        "e.g.", "i.e.", "cf.", "etc.",
    }
)
# These can also end a sentence ("... sold to the U.S. The deal ..."): split after them
# only when the next word is a typical sentence opener.
_SOMETIMES_FINAL = frozenset(
    {
        "U.S.", "U.K.", "U.N.", "Jr.", "Sr.", "Inc.", "Corp.", "Co.", "Ltd.", "Dept.", "Jan.",
        "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.",
        "Dec.", "a.m.", "p.m.",
    }
)
_SENTENCE_OPENERS = frozenset(
    {
        "The", "This", "That", "These", "Those", "It", "In", "On", "At", "But", "However",
        "He", "She", "They", "We", "A", "An",
    }
)
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+")
_LEADING_WORD = re.compile(r"[A-Za-z]+")
_BULLET = re.compile(r"[•·▪◦‣●○■□►➢➤*–—-][ \t]+(?=\S)")
# A line ending in one of these words continues on the next line even if that starts
# with a capital ("signed a contract with\nPalantir").
_CONTINUING_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to",
        "with", "that", "than",
    }
)
# fmt: on
_LINE_PUNCTUATION = ".!?:;,-–—…"

Span = tuple[int, int]


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == body[start:end]``; ``paragraph`` counts from 0."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(body: str, max_words: int = 80) -> list[Sentence]:
    """Sentences of ``body`` in order; none crosses a paragraph or exceeds ``max_words``.

    >>> text = "ICE signs deal\\nThe agency paid.\\n\\nMr. Li said so."
    >>> [(s.text, s.paragraph) for s in split_sentences(text)]
    [('ICE signs deal', 0), ('The agency paid.', 0), ('Mr. Li said so.', 1)]
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    sentences: list[Sentence] = []
    for paragraph, lines in enumerate(_paragraphs(body)):
        for segment in _segments(body, lines):
            for words in _sentence_words(body, segment):
                for start, end in _chunks(body, words, max_words):
                    sentences.append(
                        Sentence(len(sentences), body[start:end], start, end, paragraph)
                    )
    return sentences


def _paragraphs(body: str) -> Iterator[list[Span]]:
    """Group the non-blank lines (as stripped spans) into blank-line separated paragraphs."""
    lines: list[Span] = []
    position = 0
    while position <= len(body):
        newline = body.find("\n", position)
        end = len(body) if newline < 0 else newline
        span = _strip(body, position, end)
        if span is not None:
            lines.append(span)
        elif lines:
            yield lines
            lines = []
        position = end + 1
    if lines:
        yield lines


def _strip(body: str, start: int, end: int) -> Span | None:
    """The span without surrounding whitespace, or None when only whitespace remains."""
    text = body[start:end]
    stripped = text.lstrip()
    if not stripped:
        return None
    start += len(text) - len(stripped)
    return start, start + len(stripped.rstrip())


def _segments(body: str, lines: list[Span]) -> Iterator[Span]:
    """Join a paragraph's lines, except after a headline-like line (no final punctuation)
    and before a bulleted line; a leading bullet is not part of the sentence."""
    items = [_unbullet(body, line) for line in lines]
    first = items[0][0][0]
    for (current, _), (following, bulleted) in pairwise(items):
        if bulleted or _ends_headline(body, current, following):
            yield first, current[1]
            first = following[0]
    yield first, items[-1][0][1]


def _unbullet(body: str, line: Span) -> tuple[Span, bool]:
    """The line without a leading list bullet ("• ", "- "), and whether it had one."""
    bullet = _BULLET.match(body, line[0], line[1])
    if bullet is None:
        return line, False
    return (bullet.end(), line[1]), True


def _ends_headline(body: str, line: Span, following: Span) -> bool:
    """Whether a line break ends a sentence: the line lacks final punctuation and the
    next line starts with a capital letter."""
    text = body[line[0] : line[1]].rstrip(_CLOSERS)
    if not text or text[-1] in _LINE_PUNCTUATION:
        return False
    if text.rsplit(None, 1)[-1] in _CONTINUING_WORDS:
        return False
    next_text = body[following[0] : following[1]].lstrip(_OPENERS)
    return bool(next_text) and next_text[0].isupper()


def _sentence_words(body: str, segment: Span) -> Iterator[list[Span]]:
    """Split a segment into sentences, each given as the spans of its words."""
    words = [match.span() for match in _WORD.finditer(body, segment[0], segment[1])]
    first = 0
    for index in range(len(words) - 1):
        end = words[index][1]
        if body[end - 1] not in _CLOSERS and body[end - 1] not in _TERMINATORS:
            continue  # fast path: most words cannot end a sentence
        token = body[words[index][0] : end]
        following = body[words[index + 1][0] : words[index + 1][1]]
        if _ends_sentence(token, following):
            yield words[first : index + 1]
            first = index + 1
    if words[first:]:
        yield words[first:]


def _ends_sentence(token: str, following: str) -> bool:
    """Whether the word ``token`` ends a sentence, given the word that follows it."""
    core = token.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINATORS:
        return False
    if not _starts_sentence(following):
        return False
    if core[-1] != "." or not _QUOTE_SET.isdisjoint(token[len(core) :]):
        return True  # "!", "?", or a closing quote after the period
    word = core.lstrip(_OPENERS)
    if word in _NEVER_SPLIT:
        return False
    if word in _SOMETIMES_FINAL or _INITIALS.fullmatch(word):
        return _opener(following) in _SENTENCE_OPENERS
    return True


def _starts_sentence(word: str) -> bool:
    """A sentence starts with a capital, a digit, or an opening quote."""
    if word[0] in _QUOTES:
        return True
    rest = word.lstrip("([")
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _opener(word: str) -> str:
    """The leading alphabetic part of a word, without opening quotes or brackets."""
    match = _LEADING_WORD.match(word.lstrip(_OPENERS))
    return match.group(0) if match else ""


def _chunks(body: str, words: list[Span], max_words: int) -> Iterator[Span]:
    """Cut a long run of words into pieces of at most ``max_words`` words.

    Text without punctuation (a transcript, a scraped table) would otherwise become one
    huge "sentence"; cutting after a comma or semicolon, or before "and", near the limit
    keeps the pieces readable as evidence.
    """
    first = 0
    while len(words) - first > max_words:
        last = _cut(body, words, first, first + max_words - 1)
        yield words[first][0], words[last][1]
        first = last + 1
    if first < len(words):
        yield words[first][0], words[-1][1]


def _cut(body: str, words: list[Span], first: int, limit: int) -> int:
    """Index of the last word of a chunk ending at or before ``limit``."""
    floor = max(first, limit - max(1, (limit - first + 1) // 4))
    for index in range(limit, floor, -1):
        if body[words[index][1] - 1] in ",;":
            return index
    for index in range(limit + 1, floor + 1, -1):
        if body[words[index][0] : words[index][1]].lower() == "and":
            return index - 1
    return limit


__all__ = ["Sentence", "split_sentences"]
