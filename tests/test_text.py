"""Reading source documents: header, formats, encodings and one-line errors."""

import hashlib
from pathlib import Path

import pytest

from kg.errors import InputError
from loaders.extract.text import read_document

ARTICLE = (
    "url: https://news.example.org/2021/drones---city-council?ref=---home\n"
    "Title: Council Approves Drone Pilot\n"
    "published: 2021-03-09\n"
    "outlet: Example Gazette\n"
    "---\n"
    "The council of Lakeview approved a drone pilot on Tuesday.\n"
    "\n"
    "Harborline Labs will supply four aircraft.\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def read(tmp_path: Path, name: str, content: str | bytes) -> tuple[str, str]:
    document = read_document(write(tmp_path, name, content))
    return document.title, document.body


# --- header --------------------------------------------------------------------------


def test_header_fields_and_body(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", ARTICLE)
    document = read_document(path)
    assert document.url == "https://news.example.org/2021/drones---city-council?ref=---home"
    assert document.title == "Council Approves Drone Pilot"
    assert document.published == "2021-03-09"
    assert document.outlet == "Example Gazette"
    assert document.body == (
        "The council of Lakeview approved a drone pilot on Tuesday.\n\n"
        "Harborline Labs will supply four aircraft."
    )
    assert document.path == path
    assert document.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_header_aliases_and_unknown_date(tmp_path: Path) -> None:
    content = "\nDATE: unknown\nsource: County Wire\n---\nThe county bought cameras.\n"
    document = read_document(write(tmp_path, "b.txt", content))
    assert document.published is None
    assert document.outlet == "County Wire"
    assert document.url is None
    assert document.body == "The county bought cameras."


def test_separator_is_the_first_dashes_line(tmp_path: Path) -> None:
    content = "title: Two Rules\n---\nAbove the rule.\n---\nBelow the rule.\n"
    document = read_document(write(tmp_path, "c.txt", content))
    assert document.title == "Two Rules"
    assert document.body == "Above the rule.\n---\nBelow the rule."


def test_prose_that_resembles_a_header_stays_in_the_body(tmp_path: Path) -> None:
    content = "Source: a former employee, who asked not to be named.\nShe said so.\n---\nEnd.\n"
    _, body = read(tmp_path, "d.txt", content)
    assert body.startswith("Source: a former employee")
    assert body.endswith("---\nEnd.")


# --- title fallback and normalising -------------------------------------------------


def test_title_falls_back_to_a_headline_first_line(tmp_path: Path) -> None:
    title, body = read(tmp_path, "e.txt", "Sheriff Buys Plate Readers\nThe sheriff did.\n")
    assert title == "Sheriff Buys Plate Readers"
    assert body == "Sheriff Buys Plate Readers\nThe sheriff did."


def test_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    assert read(tmp_path, "sheriff_story.txt", "The sheriff bought it.\n")[0] == "sheriff_story"
    long_line = "word " * 60
    assert read(tmp_path, "long_one.txt", long_line)[0] == "long_one"


def test_body_is_normalised(tmp_path: Path) -> None:
    content = "  One\u00a0two\u2003three\u200b four\t\tfive \r\n\r\n\r\n\r\nSix\u2009seven.\rEight"
    _, body = read(tmp_path, "f.txt", content)
    assert body == "One two three four five\n\nSix seven.\nEight"


# --- formats -------------------------------------------------------------------------


def test_markdown_is_reduced_to_prose(tmp_path: Path) -> None:
    content = (
        "# The *Big* Contract\n"
        "The agency paid **Harborline Labs** for [plate readers](https://example.org/x).\n"
        "![diagram](img.png)\n"
        "```\n"
        "select * from contracts;\n"
        "```\n"
        "- first _item_\n"
        "* second item\n"
        "1. third item\n"
        "> quoted remark\n"
    )
    title, body = read(tmp_path, "g.md", content)
    assert title == "The Big Contract"
    assert body == (
        "The Big Contract\n\n"
        "The agency paid Harborline Labs for plate readers.\n\n"
        "first item\n\nsecond item\n\nthird item\nquoted remark"
    )


HTML = """<!DOCTYPE html>
<html><head>
<title>Drone Deal &amp; More | Example Gazette</title>
<meta property="og:url" content="https://news.example.org/drone-deal">
<meta property="article:published_time" content="2022-05-04T10:00:00Z">
<meta property="og:site_name" content="Example Gazette">
<style>p { color: red; }</style>
</head>
<body><script>alert(1)</script><noscript>Enable JavaScript</noscript>
<svg><title>menu icon</title><path d="M0"/></svg>
<h1>Drone   Deal</h1><p>The city&#8217;s police bought drones &eacute;t&eacute;.<br>Second
line &lt;b&gt;here&lt;/b&gt;.</p>
<ul><li>One</li><li>Two</li></ul><template><p>hidden</p></template>
</body></html>
"""


def test_html_is_converted(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "h.html", HTML))
    assert document.title == "Drone Deal & More | Example Gazette"
    assert document.url == "https://news.example.org/drone-deal"
    assert document.published == "2022-05-04"
    assert document.outlet == "Example Gazette"
    assert document.body == (
        "Drone Deal\n\nThe city’s police bought drones été.\n\n"
        "Second line <b>here</b>.\n\nOne\n\nTwo"
    )
    for hidden in ("alert", "color", "JavaScript", "menu icon", "hidden"):
        assert hidden not in document.body


def test_html_prefers_og_title_and_falls_back_to_canonical(tmp_path: Path) -> None:
    content = (
        '<html><head><title>Long | Site</title><meta property="og:title" content="Short">'
        '<link rel="canonical" href="https://example.org/c"></head><body>Text.</body></html>'
    )
    document = read_document(write(tmp_path, "i.htm", content))
    assert (document.title, document.url, document.body) == (
        "Short",
        "https://example.org/c",
        "Text.",
    )


def test_txt_body_with_markup_stays_as_text(tmp_path: Path) -> None:
    content = "title: Markup\n---\nThe field said <script>alert(1)</script> &amp; more.\n"
    assert read(tmp_path, "j.txt", content)[1] == (
        "The field said <script>alert(1)</script> &amp; more."
    )


def test_txt_that_starts_like_html_is_html(tmp_path: Path) -> None:
    content = "\n<!doctype html><title>Saved Page</title><p>Body here.<script>x()</script>"
    assert read(tmp_path, "k.txt", content) == ("Saved Page", "Body here.")


# --- encodings -------------------------------------------------------------------------


def test_windows_1252_curly_quotes_decode(tmp_path: Path) -> None:
    raw = b"The chief called it \x93a success\x94 \x96 twice.\r\n"
    assert read(tmp_path, "l.txt", raw)[1] == "The chief called it “a success” – twice."


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    raw = "\ufefftitle: Bom\n---\nCafé owners objected.".encode()
    assert read(tmp_path, "m.txt", raw) == ("Bom", "Café owners objected.")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes(tmp_path: Path, encoding: str) -> None:
    text = "\ufeffThe café’s cameras were removed.\n"
    raw = text.encode(encoding) if encoding != "utf-16" else text[1:].encode(encoding)
    assert read(tmp_path, "n.txt", raw)[1] == "The café’s cameras were removed."


# --- errors --------------------------------------------------------------------------


def error_for(path: Path, max_bytes: int = 5_000_000) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path, max_bytes=max_bytes)
    message = str(caught.value)
    assert "\n" not in message
    assert path.name.replace("\n", "\\n") in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in error_for(tmp_path / "nowhere.txt")


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in error_for(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"  \n\t\r\n \xc2\xa0 \n", b"title: Only A Header\n---\n\n", b"<html><script>x</script>"],
)
def test_empty_articles(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty.txt", content)
    assert error_for(path).endswith("empty.txt: empty article; nothing to load")


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert "looks like a binary file, not an article" in error_for(path)


def test_many_control_characters_are_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "ctl.txt", b"abc\x01\x02\x03\x04def" * 10)
    assert "binary" in error_for(path)


def test_bytes_invalid_in_utf8_and_windows_1252(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.txt", b"Plain start then \x81\x8d bytes.")
    assert "not valid UTF-8 or Windows-1252 text" in error_for(path)


def test_size_limit_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "big.txt", "word " * 400)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(Path, "open", refuse)
    message = error_for(path, max_bytes=1000)
    assert "2.0 KB is larger than the 1.0 KB article limit; pass --max-bytes" in message


def test_size_limit_message_in_megabytes(tmp_path: Path) -> None:
    path = write(tmp_path, "mb.txt", b"a" * 210_000)
    assert "0.2 MB is larger than the 0.1 MB article limit" in error_for(path, 100_000)


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "exact.txt", b"Exactly ten")
    assert read_document(path, max_bytes=11).body == "Exactly ten"


def test_file_name_with_newline_gives_one_line(tmp_path: Path) -> None:
    error_for(write(tmp_path, "odd\nname.txt", b""))


def test_markdown_front_matter_is_a_header(tmp_path: Path) -> None:
    content = "---\ntitle: Front Matter\nurl: https://example.org/fm\n---\n## Section\nText.\n"
    document = read_document(write(tmp_path, "fm.md", content))
    assert (document.title, document.url) == ("Front Matter", "https://example.org/fm")
    assert document.body == "Section\n\nText."
