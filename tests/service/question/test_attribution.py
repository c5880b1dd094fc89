"""Which outlets a question credits as its source, and which of them the index lacks."""

import pytest

from service.question.attribution import attributed_outlets, unknown_outlets

INDEX_OUTLETS = [
    "TechCrunch",
    "The Guardian",
    "The New York Times",
    "BBC News - Technology",
    "Business Line",
    "Live Science: The Most Interesting Articles",
    "Sporting News",
]


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
    assert unknown_outlets(question, INDEX_OUTLETS) == []


def test_outlets_the_index_holds_count_in_short_long_and_quoted_forms():
    for question in (
        "What did a BBC article say about the new phone?",
        "Did a report in The Hindu Business Line cover the rupee?",
        "Does the 'Live Science: The Most Interesting Articles' article on whales agree?",
        "Who, according to a Sporting News report, is the top receiver?",
    ):
        assert unknown_outlets(question, INDEX_OUTLETS) == [], question


def test_only_the_missing_outlets_are_named():
    question = "Did a TechCrunch article and a Bloomberg report agree, as reported by CNET?"
    assert unknown_outlets(question, INDEX_OUTLETS) == ["Bloomberg", "CNET"]
    question = "Who, according to articles from The New York Times and The Washington Post, won?"
    assert unknown_outlets(question, INDEX_OUTLETS) == ["Washington Post"]
