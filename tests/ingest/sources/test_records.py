"""JSON records made into articles: one without a title is accepted with a title assumed."""

from __future__ import annotations

import pytest

from ingest.sources.records import RecordError, article_from_record

pytestmark = pytest.mark.unit

FIRST = "Riverton's council voted 31 to 12 for the east tram line on Tuesday."
BODY = FIRST + " Construction starts in spring 2025. The budget is 410 million euros."
LONG_FIRST = (
    "In a session that ran late into the evening and drew hundreds of residents to the town "
    "hall, where speakers for and against queued for hours, the council of Riverton finally "
    "voted 31 to 12 for the east tram line. Work starts in 2025."
)


def test_a_record_with_a_title_is_loaded_as_before():
    article = article_from_record({"title": "  Tram approved ", "body": BODY})
    assert article.title == "Tram approved" and article.assumed == ()


@pytest.mark.parametrize("title", [None, "", "   "])
def test_a_record_without_title_takes_its_first_sentence_and_says_so(title):
    record = {"body": BODY, "url": "https://gazette.example/news/tram"}
    if title is not None:
        record["title"] = title
    article = article_from_record(record)
    assert article.title == FIRST
    assert article.assumed == (f"no title: assumed the first sentence {FIRST!r}",)


def test_the_page_title_is_preferred_when_the_record_has_one():
    article = article_from_record({"body": BODY, "page_title": "Tram | Gazette"})
    assert article.title == "Tram | Gazette"
    assert article.assumed == ("no title: assumed the page title 'Tram | Gazette'",)


def test_a_long_first_sentence_gives_way_to_the_url_slug():
    url = "https://gazette.example/news/2024/03/riverton-tram-vote.html?utm_source=x"
    article = article_from_record({"body": LONG_FIRST, "url": url})
    assert article.title == "Riverton tram vote"
    assert article.assumed == ("no title: assumed 'Riverton tram vote' from the URL",)


def test_without_url_a_long_first_sentence_is_cut_at_a_word():
    article = article_from_record({"body": LONG_FIRST})
    assert article.title.endswith("…") and len(article.title) <= 161
    assert LONG_FIRST.startswith(article.title[:-1])
    assert "the start of the first sentence" in article.assumed[0]


def test_a_title_that_is_not_text_is_still_an_error():
    with pytest.raises(RecordError, match="title must be a string") as error:
        article_from_record({"title": 42, "body": BODY})
    assert error.value.field == "title"


def test_boilerplate_lines_are_stripped_from_a_records_body():
    body = f"Accept all cookies\n{FIRST}\nRead more: the bus network redrawn\nThe budget is set."
    article = article_from_record({"title": "Tram approved", "body": body})
    assert article.body == f"{FIRST}\nThe budget is set."


def test_a_body_of_nothing_but_boilerplate_is_an_error():
    with pytest.raises(RecordError, match="nothing but boilerplate"):
        article_from_record({"title": "Tram", "body": "Sign up for our free newsletter"})
