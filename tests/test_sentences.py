"""Sentence splitting: exact offsets, abbreviations, headlines and very long runs."""

import time

import pytest

from loaders.extract.sentences import Sentence, split_sentences


def texts(body: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(body)]


def assert_offsets(body: str, sentences: list[Sentence]) -> None:
    for position, sentence in enumerate(sentences):
        assert sentence.index == position
        assert body[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.text


def test_plain_sentences() -> None:
    body = "The county bought drones. Did it ask first? Nobody knows! 12 people objected."
    assert texts(body) == [
        "The county bought drones.",
        "Did it ask first?",
        "Nobody knows!",
        "12 people objected.",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "Northwind Analytics Inc. sold the software to the sheriff.",
        "The U.S. Marshals Service renewed the licence.",
        "The contract was posted on Jan. 17 and ran for a year.",
        "Sen. Alvarez and Dr. Okafor asked Mr. Brandt about it.",
        "The memo was signed by J. Whitfield of the records office.",
        "Cameras were installed near St. Paul Avenue at 9 a.m. on Friday.",
        "Small agencies, e.g. the harbour police, also bought licences.",
        "The vote on item No. 4 was delayed.",
    ],
)
def test_abbreviations_do_not_end_sentences(body: str) -> None:
    assert texts(body) == [body]


def test_us_at_sentence_end_splits_before_an_opener() -> None:
    body = "The vendor sells mostly outside the U.S. The new deal changes that."
    assert texts(body) == [
        "The vendor sells mostly outside the U.S.",
        "The new deal changes that.",
    ]


def test_inc_at_sentence_end_splits_before_an_opener() -> None:
    body = "The buyer was Riverbend Systems Inc. It paid in cash."
    assert texts(body) == ["The buyer was Riverbend Systems Inc.", "It paid in cash."]


def test_closing_quotes_stay_with_their_sentence() -> None:
    body = "“We will not renew,” the chief said. “The pilot is over.” Critics cheered."
    assert texts(body) == [
        "“We will not renew,” the chief said.",
        "“The pilot is over.”",
        "Critics cheered.",
    ]


def test_straight_quotes_and_parentheses() -> None:
    body = 'He called it "a mistake." The council agreed. (The mayor did not.) It passed.'
    assert texts(body) == [
        'He called it "a mistake."',
        "The council agreed.",
        "(The mayor did not.)",
        "It passed.",
    ]


def test_lowercase_after_period_does_not_split() -> None:
    body = "The system costs about $4.5 million. per year, officials said."
    assert texts(body) == [body]


def test_headline_line_without_punctuation_is_its_own_sentence() -> None:
    body = "City Hall Approves Drone Program\nThe council voted 7 to 2 on Tuesday."
    sentences = split_sentences(body)
    assert [s.text for s in sentences] == [
        "City Hall Approves Drone Program",
        "The council voted 7 to 2 on Tuesday.",
    ]
    assert {s.paragraph for s in sentences} == {0}


def test_wrapped_lines_join_into_one_sentence() -> None:
    body = "The sheriff signed a contract with\nHarborline Labs for plate\nreaders last spring."
    assert texts(body) == [body]


def test_paragraphs_are_never_joined() -> None:
    body = "First paragraph has no period\n\nsecond one starts lowercase.\n\n\n  Third one.  "
    sentences = split_sentences(body)
    assert [(s.text, s.paragraph) for s in sentences] == [
        ("First paragraph has no period", 0),
        ("second one starts lowercase.", 1),
        ("Third one.", 2),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\n  ",
        "  Leading spaces. And trailing ones.   ",
        "Line one\r\nLine two.\r\n\r\nNew paragraph.",
        "A headline\nThe body starts here. It has “quotes.” And more.\n\nEnd",
        "Tabs\tinside. Words   spaced out! Really?",
    ],
)
def test_offsets_match_the_body(body: str) -> None:
    assert_offsets(body, split_sentences(body))


def test_text_without_punctuation_is_cut_into_chunks() -> None:
    words = [f"w{number}" for number in range(10_000)]
    body = " ".join(words)
    started = time.perf_counter()
    sentences = split_sentences(body)
    assert time.perf_counter() - started < 1.0
    assert_offsets(body, sentences)
    assert all(len(s.text.split()) <= 80 for s in sentences)
    assert [word for s in sentences for word in s.text.split()] == words


def test_chunks_prefer_a_comma_near_the_limit() -> None:
    words = [f"w{number}" for number in range(120)]
    words[69] += ","
    body = " ".join(words)
    sentences = split_sentences(body)
    assert sentences[0].text.endswith("w69,")
    assert [word for s in sentences for word in s.text.split()] == words


def test_chunks_prefer_to_cut_before_and() -> None:
    words = [f"w{number}" for number in range(120)]
    words[75] = "and"
    sentences = split_sentences(" ".join(words))
    assert sentences[0].text.endswith("w74")
    assert sentences[1].text.startswith("and ")


def test_max_words_is_respected_for_small_limits() -> None:
    body = "one two three four five six seven."
    sentences = split_sentences(body, max_words=3)
    assert [len(s.text.split()) for s in sentences] == [3, 3, 1]
    assert_offsets(body, sentences)


def test_max_words_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_words"):
        split_sentences("Some text.", max_words=0)


def test_one_megabyte_splits_quickly() -> None:
    paragraph = (
        "The agency paid Harborline Labs Inc. about $2.1 million on Jan. 4, records show. "
        "“It works,” a spokesperson said. Critics in the U.S. disagree!\n"
    )
    body = "\n".join([paragraph] * (1_000_000 // len(paragraph)))
    started = time.perf_counter()
    sentences = split_sentences(body)
    assert time.perf_counter() - started < 1.0
    assert len(sentences) == 3 * (1_000_000 // len(paragraph))
    assert_offsets(body, sentences[:50])


def test_pathological_input_is_linear() -> None:
    started = time.perf_counter()
    for body in ("." * 1_000_000, "x" * 1_000_000, "\n" * 500_000, "?!" * 300_000):
        split_sentences(body)
    assert time.perf_counter() - started < 2.0


def test_bulleted_lines_are_separate_sentences_without_the_bullet() -> None:
    body = "• The county paid $90,000.\n• Critics want an audit.\n- the vendor declined"
    sentences = split_sentences(body)
    assert [s.text for s in sentences] == [
        "The county paid $90,000.",
        "Critics want an audit.",
        "the vendor declined",
    ]
    assert_offsets(body, sentences)


def test_a_minus_sign_is_not_a_bullet() -> None:
    body = "Temperatures fell to\n-5 degrees overnight."
    assert texts(body) == [body]
