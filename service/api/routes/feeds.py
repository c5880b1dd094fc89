"""/feeds: watch an RSS or Atom feed (polled now, its pages ingested) and list the feeds watched.

The feed is fetched by the same guarded fetcher as ``newsdesk ingest --feed``: a feed on a
loopback, private or link-local address is refused (422, naming the rule) unless its host is in
``NEWSDESK_FETCH_ALLOW_HOSTS``.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from ingest.pipeline import IngestCancelled
from service.api.cancellation import CLIENT_CLOSED_REQUEST, on_index_while_wanted
from service.api.deps import Articles, Feeds
from service.api.errors import on_index, problem
from service.api.schemas import FeedIn, FeedOut
from service.feeds import FeedService, FeedUnreadable

log = logging.getLogger("newsdesk.api")
router = APIRouter()


@router.post(
    "/feeds",
    response_model=FeedOut,
    tags=["feeds"],
    responses={201: {"description": "The feed was not watched before."}},
)
async def watch_feed(
    request: Request, articles: Articles, store: Feeds, response: Response, body: FeedIn
) -> FeedOut:
    """Poll the feed now, ingest its new or changed pages, and keep watching it. Each page
    that fails is listed in `last.failed` with its reason; the others are ingested. Posting a
    watched feed polls it again (conditionally: an unchanged feed costs one 304)."""
    service = FeedService(articles, store)
    try:
        watched, added = await on_index_while_wanted(request, service.watch, body.url)
    except FeedUnreadable as exc:
        return problem(422, "Feed unreadable", str(exc), rule=exc.failure.rule)
    except IngestCancelled as exc:
        log.info("POST /feeds stopped, its client left: %s", exc)
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    response.status_code = 201 if added else 200
    return FeedOut.of(watched)


@router.get("/feeds", response_model=list[FeedOut], tags=["feeds"])
async def list_feeds(store: Feeds) -> list[FeedOut]:
    """The feeds watched, oldest first, with what their last poll did."""
    return [FeedOut.of(feed) for feed in await on_index(store.all)]
