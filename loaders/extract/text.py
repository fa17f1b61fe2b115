"""Read one source document (plain text, Markdown or HTML) into clean body text and metadata.

Every later stage (sentence splitting, mention finding, citations) works on character
offsets into ``Document.body``, so the body is normalised once, here, and never again.
Problems a user can fix (a missing file, a binary file, a wrong encoding) raise
``InputError`` with one line that names the file, the problem and the fix.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = Path(tmp) / "a.txt"
...     _ = path.write_text("title: Deal signed\\n---\\nThe  city\\u00a0signed.\\n\\n\\nMore.\\n")
...     doc = read_document(path)
>>> doc.title, doc.body
('Deal signed', 'The city signed.\\n\\nMore.')
"""

import hashlib
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import InputError

_BINARY_SAMPLE = 8192
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_HTML_SNIFF = re.compile(r"(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_TITLE_MAX = 200


@dataclass(frozen=True)
class Document:
    """A source document: the cleaned body that offsets refer to, plus what cites it."""

    path: Path
    body: str
    title: str
    url: str | None
    published: str | None
    outlet: str | None
    content_hash: str


def read_document(path: Path, max_bytes: int = 5_000_000) -> Document:
    """Read, decode, convert and normalise ``path``; raise ``InputError`` on a bad file."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    raw = _read_bytes(path, max_bytes)
    text = _normalise_newlines(_decode(path, raw))
    meta: dict[str, str | None] = {}
    kind = _kind(path, text)
    if kind != "html":
        meta, text = _split_header(text)
        if _HTML_SNIFF.match(text.lstrip()):
            kind = "html"
    if kind == "html":
        text, found = _html_to_text(text)
        meta = {**found, **{key: value for key, value in meta.items() if value}}
    elif kind == "markdown":
        text = _markdown_to_text(text)
    body = normalise_body(text)
    if not body:
        raise InputError(f"{_name(path)}: empty article; nothing to load")
    return Document(
        path=path,
        body=body,
        title=meta.get("title") or _fallback_title(body, path),
        url=meta.get("url"),
        published=meta.get("published"),
        outlet=meta.get("outlet"),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


# --- bytes -----------------------------------------------------------------------------


def _name(path: Path) -> str:
    """Render a path for a one-line message even if the file name holds a newline."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))


def _size(count: int) -> str:
    """Human size in the unit a reader expects (the limit is usually megabytes)."""
    if count >= 100_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.1f} KB"
    return f"{count} bytes"


def _too_large(path: Path, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"{_name(path)}: {_size(size)} is larger than the {_size(max_bytes)} article limit; "
        "pass --max-bytes to raise it"
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes, checking the size with stat before reading."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{_name(path)}: is a directory, not an article; pass a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{_name(path)}: is not a regular file; pass an article file")
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{_name(path)}: file not found; check the path") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"{_name(path)}: cannot read file ({reason}); check that it is readable"
        ) from None
    if len(raw) > max_bytes:  # the file grew after stat
        raise _too_large(path, len(raw), max_bytes)
    if not raw:
        raise InputError(f"{_name(path)}: empty article; nothing to load")
    return raw


def _looks_binary(sample: str) -> bool:
    """NUL, or more than 10% C0 control characters, means the text is not prose."""
    if "\x00" in sample:
        return True
    controls = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f\v") or c == "\x7f")
    return controls * 10 > len(sample)


def _decode(path: Path, raw: bytes) -> str:
    """UTF-16 with a BOM, else UTF-8 (BOM stripped), else strict Windows-1252."""
    binary = InputError(
        f"{_name(path)}: looks like a binary file, not an article; "
        "convert it to text, Markdown or HTML first"
    )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(
                f"{_name(path)}: has a UTF-16 byte-order mark but is not valid UTF-16 text; "
                "re-save it as UTF-8"
            ) from None
        if _looks_binary(text[:_BINARY_SAMPLE]):
            raise binary
        return text
    if _looks_binary(raw[:_BINARY_SAMPLE].decode("latin-1")):
        raise binary
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{_name(path)}: not valid UTF-8 or Windows-1252 text; re-save it as UTF-8")


# --- normalising ---------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?|[\v\f\u2028\u0085]")
_UNICODE_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_SPACE_RUNS = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _normalise_newlines(text: str) -> str:
    """One newline convention before any line-based parsing (header, Markdown)."""
    return _NEWLINES.sub("\n", text).replace("\u2029", "\n\n")


def normalise_body(text: str) -> str:
    """Canonical body: one space between words, ``\\n\\n`` between paragraphs, no junk.

    Offsets and evidence quotes are computed on this text, so two copies of an article
    that differ only in invisible characters or line endings give the same sentences.

    >>> normalise_body("a\\u200b b\\t\\tc  \\r\\n\\n\\n\\nd\\u00a0e ")
    'a b c\\n\\nd e'
    """
    text = _normalise_newlines(text)
    text = _INVISIBLE.sub("", _UNICODE_SPACES.sub(" ", text))
    text = _SPACE_RUNS.sub(" ", text)
    text = "\n".join(line.strip(" ") for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


# --- header --------------------------------------------------------------------------

# Compact tables: the formatter would put every word on its own line.
# fmt: off
_HEADER_KEYS = {
    "url": "url", "title": "title", "published": "published", "date": "published",
    "outlet": "outlet", "source": "outlet",
}
# fmt: on
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z_-]*)[ \t]*:[ \t]*(.*)")
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
_UNKNOWN_DATES = {"unknown", "n/a", "none", "-"}


def _split_header(text: str) -> tuple[dict[str, str | None], str]:
    """Split a ``key: value`` header ending at the FIRST ``---`` line from the body.

    Only a block whose first non-empty line is a known key and whose every line is a
    ``key: value`` pair counts, so prose that starts with "Source: ..." stays body text.
    A leading ``---`` line (Markdown front matter) is allowed.
    """
    stripped = text.lstrip("\n").removeprefix("---\n")
    first = _HEADER_LINE.fullmatch(stripped.split("\n", 1)[0].strip())
    if first is None or first.group(1).lower() not in _HEADER_KEYS:
        return {}, text
    separator = _SEPARATOR.search(stripped)
    if separator is None:
        return {}, text
    pairs: dict[str, str] = {}
    for line in stripped[: separator.start()].split("\n"):
        if not line.strip():
            continue
        match = _HEADER_LINE.fullmatch(line.strip())
        if match is None:
            return {}, text
        pairs.setdefault(match.group(1).lower(), match.group(2))
    return _header_fields(pairs), stripped[separator.end() :]


def _header_fields(pairs: dict[str, str]) -> dict[str, str | None]:
    """Map header keys (with their aliases) to fields; the canonical key wins."""
    fields: dict[str, str | None] = {}
    for key in ("url", "title", "published", "outlet", "date", "source"):
        value = _clean_value(pairs.get(key))
        if value is not None and fields.get(_HEADER_KEYS[key]) is None:
            fields[_HEADER_KEYS[key]] = value
    if (fields.get("published") or "").lower() in _UNKNOWN_DATES:
        fields["published"] = None
    return fields


def _clean_value(value: str | None) -> str | None:
    """Collapse whitespace in a metadata value; empty becomes None."""
    cleaned = " ".join((value or "").split())
    return cleaned or None


def _fallback_title(body: str, path: Path) -> str:
    """A short first line that is not a sentence is a headline; else use the file name."""
    first = body.split("\n", 1)[0].strip()
    if first and len(first) < _TITLE_MAX and not first.endswith("."):
        return first
    return path.stem


# --- formats -------------------------------------------------------------------------


def _kind(path: Path, text: str) -> str:
    """Choose the converter: by suffix, but an HTML page is HTML whatever its name."""
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES or _HTML_SNIFF.match(text.lstrip()):
        return "html"
    return "markdown" if suffix in _MARKDOWN_SUFFIXES else "plain"


_MD_FENCE = re.compile(r"(```|~~~)")
_MD_RULE = re.compile(r"(?:[-*_][ \t]*){3,}")
_MD_REFDEF = re.compile(r"\[[^\]\n]+\]:\s+\S+.*")
_MD_HEADING = re.compile(r"#{1,6}(?:[ \t]+(.*))?")
_MD_BULLET = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_MD_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_MD_INLINE = [
    (re.compile(r"!\[[^\[\]\n]*\]\([^()\n]*\)"), ""),  # images
    (re.compile(r"\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\[\]\n]*)\]\[[^\[\]\n]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^<>\s]+)>"), r"\1"),  # <http://autolink>
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"\*\*([^*\n]+)\*\*"), r"\1"),
    (re.compile(r"__([^_\n]+)__"), r"\1"),
    (re.compile(r"~~([^~\n]+)~~"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!])"), r"\1"),  # backslash escapes
]


def _markdown_to_text(text: str) -> str:
    """Reduce Markdown to prose; headings and list items become their own paragraphs.

    >>> _markdown_to_text("# Big *news*\\n- a [link](http://x) here")
    '\\nBig news\\n\\n\\na link here'
    """
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        stripped = line.strip()
        if _MD_FENCE.match(stripped):
            in_fence = not in_fence
            out.append("")
        elif in_fence:
            continue
        elif _MD_RULE.fullmatch(stripped) or _MD_REFDEF.fullmatch(stripped):
            out.append("")
        elif heading := _MD_HEADING.fullmatch(stripped):
            out.extend(["", _heading_text(heading.group(1) or ""), ""])
        elif bullet := _MD_BULLET.match(line):
            out.extend(["", line[bullet.end() :]])
        else:
            out.append(_MD_QUOTE.sub("", line))
    joined = "\n".join(out)
    for pattern, replacement in _MD_INLINE:
        joined = pattern.sub(replacement, joined)
    return joined


def _heading_text(text: str) -> str:
    """Drop an ATX closing sequence ("## Title ##") but keep "C#"; no regex backtracking."""
    text = text.rstrip(" \t")
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        return unclosed.rstrip(" \t")
    return text


# Compact tables, as above.
# fmt: off
_SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCKS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr",
    "blockquote", "ul", "ol", "dl", "dt", "dd", "table", "hr", "pre", "main", "header",
    "footer", "aside", "figure", "figcaption", "address", "nav", "form", "body",
}
_CELLS = {"td", "th"}
_META_FIELDS = {
    "og:url": "url", "og:title": "title", "article:published_time": "published",
    "og:site_name": "outlet",
}
# fmt: on
_DATE_PART = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


class _HtmlText(HTMLParser):
    """Collect visible paragraphs and citation metadata from an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self._current: list[str] = []
        self._skip: dict[str, int] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track skipped regions and paragraph breaks; harvest meta and link tags."""
        values = {key: value or "" for key, value in attrs}
        if tag == "meta":
            self._take_meta(values)
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.meta.setdefault("canonical", values.get("href", "").strip())
        elif tag == "title":
            # An <svg><title> is an icon label, not the page title.
            self._in_title = not (self._skip.keys() - {"head"})
        elif tag in _SKIPPED:
            self._skip[tag] = self._skip.get(tag, 0) + 1
        elif tag in _BLOCKS:
            if tag == "body":  # <head> may be closed only implicitly
                self._skip.pop("head", None)
            self._break()
        elif tag in _CELLS:
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        """Close skipped regions; a closing block tag also ends the paragraph."""
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED and tag in self._skip:
            self._skip[tag] -= 1
            if not self._skip[tag]:
                del self._skip[tag]
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        """Keep text outside skipped regions; entities are already unescaped."""
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            self._current.append(data)

    def close(self) -> None:
        """Flush the last paragraph."""
        super().close()
        self._break()

    def _take_meta(self, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or "").strip().lower()
        content = values.get("content", "").strip()
        if key in _META_FIELDS and content:
            self.meta.setdefault(_META_FIELDS[key], content)

    def _break(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current.clear()


def _html_to_text(text: str) -> tuple[str, dict[str, str | None]]:
    """Visible text of a page, and the url/title/published/outlet it declares.

    ``og:title`` is preferred to ``<title>``, which usually carries the site name too.
    """
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    published = _DATE_PART.match(parser.meta.get("published", "").strip())
    meta = {
        "url": _clean_value(parser.meta.get("url") or parser.meta.get("canonical")),
        "title": _clean_value(parser.meta.get("title") or "".join(parser.title_parts)),
        "published": published.group(0) if published else None,
        "outlet": _clean_value(parser.meta.get("outlet")),
    }
    return "\n\n".join(parser.paragraphs), meta


__all__ = ["Document", "normalise_body", "read_document"]
