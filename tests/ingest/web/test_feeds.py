"""RSS 2.0 and Atom feeds read with feedparser, and what changed since the last poll."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.web.feeds import FeedError, FeedState, parse_feed

pytestmark = pytest.mark.unit

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Riverton Gazette</title>
<item><title>Tram approved</title><link>https://gazette.example/tram</link>
<guid isPermaLink="false">urn:gazette:tram-1</guid><pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate>
<author>ana@gazette.example (Ana Ruiz)</author></item>
<item><title>No link, no guid</title></item>
<item><link>https://gazette.example/bus</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Estoria Ledger</title>
<entry><id>urn:ledger:42</id><title>Budget passed</title>
<link href="https://ledger.example/budget"/>
<updated>2023-11-27T08:45:00Z</updated><author><name>J. Doe</name></author></entry>
</feed>"""


def test_an_rss_feed_gives_its_items_with_their_dates():
    feed = parse_feed(RSS.encode(), "https://gazette.example/feed.xml")
    assert feed.title == "Riverton Gazette"
    assert [(i.key, i.link) for i in feed.items] == [
        ("urn:gazette:tram-1", "https://gazette.example/tram"),
        ("https://gazette.example/bus", "https://gazette.example/bus"),
    ]
    assert feed.items[0].published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert feed.items[0].hints(feed.title)["source"] == "Riverton Gazette"


def test_an_atom_feed_gives_its_entries():
    feed = parse_feed(ATOM.encode(), "https://ledger.example/atom")
    (entry,) = feed.items
    assert (entry.key, entry.link, entry.title) == (
        "urn:ledger:42",
        "https://ledger.example/budget",
        "Budget passed",
    )
    assert entry.author == "J. Doe"
    assert entry.updated == datetime(2023, 11, 27, 8, 45, tzinfo=UTC)


def test_a_page_that_is_not_a_feed_is_refused():
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>hello</p></body></html>", "https://x.example/")


def test_an_item_is_new_until_seen_and_changed_when_its_feed_entry_changes():
    (item,) = parse_feed(ATOM.encode(), "https://ledger.example/atom").items
    state = FeedState(etag='"v1"', last_modified="Mon, 27 Nov 2023 08:45:00 GMT")
    assert state.is_new_or_changed(item)
    state.seen[item.key] = item.fingerprint
    assert not state.is_new_or_changed(item)
    edited = ATOM.replace("2023-11-27T08:45:00Z", "2023-11-28T10:00:00Z")
    (again,) = parse_feed(edited.encode(), "https://ledger.example/atom").items
    assert state.is_new_or_changed(again)
    assert state.conditional_headers() == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 27 Nov 2023 08:45:00 GMT",
    }
