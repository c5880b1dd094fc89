import pytest

from ingest.sentences import sentence_spans

pytestmark = pytest.mark.unit


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Mr. Smith met U.S. officials on Jan. 5. They agreed. J. R. Doe was there."
    assert split(text) == [
        "Mr. Smith met U.S. officials on Jan. 5.",
        "They agreed.",
        "J. R. Doe was there.",
    ]


def test_quotes_questions_and_line_breaks():
    text = '"We will stay," she said. Will they?\n• Around 30 troops\n\nNext paragraph here.'
    assert split(text) == [
        '"We will stay," she said.',
        "Will they?",
        "• Around 30 troops",
        "Next paragraph here.",
    ]


def test_spans_are_exact_offsets_without_surrounding_space():
    text = "  First one.   Second one!  \n Third  "
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip()
    assert split(text) == ["First one.", "Second one!", "Third"]


def test_decimal_numbers_stay_whole():
    assert split("Prices rose 3.5 percent in May. Then fell.") == [
        "Prices rose 3.5 percent in May.",
        "Then fell.",
    ]
