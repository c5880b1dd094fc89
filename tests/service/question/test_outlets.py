"""Outlets a question names, the ones it credits as its source, and which the index lacks."""

import pytest

from service.question.outlets import (
    attributed_outlets,
    find_outlets,
    outlet_aliases,
    unknown_outlets,
)

pytestmark = pytest.mark.unit

SOURCES = [
    "TechCrunch",
    "The Verge",
    "Fortune",
    "The New York Times",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "FOX News - Health",
    "Cnbc | World Business News Leader",
    "CBSSports.com",
]

INDEX_OUTLETS = [
    "TechCrunch",
    "The Guardian",
    "The New York Times",
    "BBC News - Technology",
    "Business Line",
    "Live Science: The Most Interesting Articles",
    "Sporting News",
]


def named(question: str, sources: list[str] = SOURCES) -> list[str]:
    """Every index outlet ``question`` names, in order of first mention."""
    found = find_outlets(question, tuple(sorted(set(sources))))
    return list(dict.fromkeys(s for m in found for s in m.sources))


def unknown(question: str, sources: list[str]) -> list[str]:
    held = tuple(sorted(set(sources)))
    return unknown_outlets(question, held, find_outlets(question, held))


@pytest.mark.parametrize(
    ("question", "credited"),
    [
        (
            "Considering a Bloomberg article on Apple's plans and a Reuters report on its "
            "suppliers, which executive leads the project?",
            ["Bloomberg", "Reuters"],
        ),
        (
            "Considering an article in The Guardian and another in The New York Times on "
            "Layton Williams, which character did he play?",
            ["Guardian", "New York Times"],
        ),
        ("Which bank, as reported by The Wall Street Journal, cut jobs?", ["Wall Street Journal"]),
        ("Did an ESPN Cricinfo piece praise Kate Cross?", ["ESPN Cricinfo"]),
        ("Do articles from Engadget and Polygon agree on the console?", ["Engadget", "Polygon"]),
    ],
)
def test_explicit_attributions_are_read(question, credited):
    assert attributed_outlets(question) == credited


@pytest.mark.parametrize(
    "question",
    [
        "According to Elon Musk, when will the Cybertruck ship?",
        "What did the NCAA investigation find about Michigan?",
        "Which company introduced an AI-powered DJ feature?",
        "Does the TechCrunch article on the EU's analysis of X agree with the earlier one?",
        "Does the 'NBA Rookie of the Year Odds' article name a favourite?",
        "After the TechCrunch report published on October 7, 2023, what did Flexport do?",
        "Was Tesla's report on deliveries published by the company in October?",
    ],
)
def test_topics_titles_people_and_dates_are_not_outlets(question):
    assert unknown(question, INDEX_OUTLETS) == []


def test_outlets_the_index_holds_count_in_short_long_and_quoted_forms():
    for question in (
        "What did a BBC article say about the new phone?",
        "Did a report in The Hindu Business Line cover the rupee?",
        "Does the 'Live Science: The Most Interesting Articles' article on whales agree?",
        "Who, according to a Sporting News report, is the top receiver?",
    ):
        assert unknown(question, INDEX_OUTLETS) == [], question


def test_only_the_missing_outlets_are_named():
    question = "Did a TechCrunch article and a Bloomberg report agree, as reported by CNET?"
    assert unknown(question, INDEX_OUTLETS) == ["Bloomberg", "CNET"]
    question = "Who, according to articles from The New York Times and The Washington Post, won?"
    assert unknown(question, INDEX_OUTLETS) == ["Washington Post"]


def test_outlets_named_in_a_question_are_the_index_spellings():
    question = "As reported by TechCrunch and The Verge, and in The New York Times' story?"
    assert named(question) == ["TechCrunch", "The Verge", "The New York Times"]


def test_an_outlet_name_before_its_tagline_matches_every_section():
    assert named("What did The Independent and CNBC say about fox news?") == [
        "The Independent - Life and Style",
        "The Independent - Sports",
        "Cnbc | World Business News Leader",
    ]


def test_a_lower_case_word_that_spells_an_outlet_is_not_one():
    assert named("He spent a fortune on the verge of collapse") == []


def test_outlets_not_in_the_index_are_not_filters():
    assert find_outlets("What did The Times of India report?", tuple(sorted(SOURCES))) == []


def test_aliases_drop_taglines_domains_and_a_leading_the():
    assert outlet_aliases("The Sydney Morning Herald") == {
        "The Sydney Morning Herald",
        "Sydney Morning Herald",
    }
    assert "CBSSports" in outlet_aliases("CBSSports.com")
    assert "Cnbc" in outlet_aliases("Cnbc | World Business News Leader")
