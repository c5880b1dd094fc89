"""Articles extracted from real-looking HTML: the page's metadata, its text, nothing guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.sources.records import RecordError
from ingest.web.pages import article_from_page

pytestmark = pytest.mark.unit

VOTE = (
    "The city council of Riverton voted 31 to 12 on Tuesday to build a nine-kilometre tram "
    "line to the eastern districts, after a debate of four hours."
)
BUDGET = "Construction is due to start in spring 2025, and the budget is 410 million euros."
RIDERS = "The mayor said the line would carry 40,000 passengers a day once it opens in 2028."
FURNITURE = (
    "We use cookies to improve your experience. Accept all cookies.",
    "Read more: Riverton's bus network to be redrawn",
    "Sign up for our free newsletter to get the news in your inbox.",
)


def html(head: str = "", paragraphs: tuple[str, ...] = (VOTE, BUDGET, RIDERS)) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


FULL_HEAD = """<title>Riverton tram | Riverton Gazette</title>
<meta property="og:title" content="Riverton approves its east tram line">
<meta property="og:site_name" content="Riverton Gazette">
<meta name="author" content="Ana Ruiz">
<meta property="article:published_time" content="2024-03-05T09:00:00+00:00">
<link rel="canonical" href="https://gazette.example/news/riverton-tram">"""


def test_the_page_metadata_names_title_outlet_author_date_and_canonical_url():
    article = article_from_page(
        html(FULL_HEAD), "https://gazette.example/news/riverton-tram?utm_source=feed"
    )
    assert article.title == "Riverton approves its east tram line"
    assert article.source == "Riverton Gazette"
    assert article.author == "Ana Ruiz"
    assert article.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert article.id == article.url == "https://gazette.example/news/riverton-tram"
    assert VOTE in article.body and RIDERS in article.body
    assert article.assumed == ()


def test_another_sites_canonical_url_is_not_believed():
    head = FULL_HEAD.replace("gazette.example", "rival.example")
    article = article_from_page(html(head), "https://gazette.example/news/riverton-tram")
    assert article.url == "https://gazette.example/news/riverton-tram"


def test_boilerplate_lines_are_stripped_and_the_text_kept_verbatim():
    article = article_from_page(
        html(FULL_HEAD, (FURNITURE[0], VOTE, FURNITURE[1], BUDGET, FURNITURE[2], RIDERS)),
        "https://gazette.example/news/riverton-tram",
    )
    for line in FURNITURE:
        assert line not in article.body
    assert all(p in article.body for p in (VOTE, BUDGET, RIDERS))


def test_an_undated_page_stays_undated_even_with_a_date_in_its_url():
    article = article_from_page(html(), "https://gazette.example/2024/03/05/riverton-tram.html")
    assert article.published is None


def test_a_page_without_title_takes_its_first_sentence_and_says_so():
    article = article_from_page(html(), "https://gazette.example/news/riverton-tram")
    assert article.title == VOTE
    assert article.assumed == (f"no title: assumed the first sentence {VOTE!r}",)


def test_a_feed_item_fills_what_the_page_lacks():
    hints = {"title": "Tram line approved", "published": "2024-03-05T10:00:00+00:00"}
    article = article_from_page(html(), "https://gazette.example/news/riverton-tram", hints)
    assert article.title == "Tram line approved" and article.assumed == ()
    assert article.published == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_a_page_without_article_text_is_an_error():
    with pytest.raises(RecordError, match="no article text"):
        article_from_page(html(paragraphs=FURNITURE[:1]), "https://x.example/")
