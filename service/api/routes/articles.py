"""/articles: add, list, read and delete indexed articles, through the article service."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.models import Article
from ingest.pipeline import IngestCancelled, IngestTooLarge
from service.api.cancellation import CLIENT_CLOSED_REQUEST, on_index_while_wanted
from service.api.deps import Articles
from service.api.errors import found, invalid, invalid_records, on_index
from service.api.openapi import ARTICLE_EXAMPLES, problem_responses
from service.api.schemas import (
    MAX_ARTICLES_PER_REQUEST,
    ArticlePage,
    ArticlesIn,
    ArticleSummary,
    IngestResult,
)
from service.articles import ArticlesRefused, InvalidArticles, RecordProblem
from service.contract import DayOrTime

log = logging.getLogger("newsdesk.api")
router = APIRouter()
ArticleId = Annotated[str, PathParam(description="The article id or its URL (percent-encoded).")]
ORIGIN = "POST /articles"


@router.post(
    "/articles",
    response_model=IngestResult,
    tags=["articles"],
    responses={201: {"description": "At least one article was new."}},
)
async def add_articles(
    request: Request,
    articles: Articles,
    response: Response,
    body: Annotated[ArticlesIn, Body(openapi_examples=ARTICLE_EXAMPLES)],
) -> IngestResult:
    """Index one article or a list (the same ingest as the CLI); re-posting is a no-op.

    A request making more passages than `NEWSDESK_MAX_INGEST_CHUNKS` is refused (413) before
    any is embedded; one whose client disconnects stops, each article indexed whole or not
    at all."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise _body_error("no articles in the request")
    if len(items) > MAX_ARTICLES_PER_REQUEST:
        raise _body_error(f"at most {MAX_ARTICLES_PER_REQUEST} articles per request")
    records = [item.model_dump(mode="json", exclude_none=True) for item in items]
    try:
        report = await on_index_while_wanted(request, articles.add, records, ORIGIN)
    except InvalidArticles as exc:
        raise invalid_records(
            [
                {"loc": _location(problem, len(items) > 1), "msg": problem.message}
                for problem in exc.problems
            ]
        ) from None
    except ArticlesRefused as exc:
        raise StarletteHTTPException(422, str(exc)) from None
    except IngestTooLarge as exc:
        detail = f"{exc} (NEWSDESK_MAX_INGEST_CHUNKS); nothing was indexed"
        raise StarletteHTTPException(413, detail) from None
    except IngestCancelled as exc:
        log.info("%s stopped, its client left: %s", ORIGIN, exc)
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    response.status_code = 201 if report.new else 200
    return IngestResult.of(report)


@router.get("/articles", response_model=ArticlePage, tags=["articles"])
async def list_articles(
    articles: Articles,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    source: Annotated[str | None, Query(max_length=200)] = None,
    published_after: Annotated[DayOrTime | None, Query()] = None,
    published_before: Annotated[DayOrTime | None, Query()] = None,
) -> ArticlePage:
    """Indexed articles, newest first, optionally by outlet and publication date (ISO 8601, as
    the request bodies take them; a bare `published_before` date counts the whole day)."""
    found_articles, total = await on_index(
        articles.page, offset, limit, source, published_after, published_before
    )
    return ArticlePage(
        total=total,
        offset=offset,
        limit=limit,
        items=[ArticleSummary.of(a) for a in found_articles],
    )


@router.get(
    "/articles/{article_id:path}",
    response_model=Article,
    tags=["articles"],
    responses=problem_responses(404),
)
async def get_article(articles: Articles, article_id: ArticleId) -> Article:
    return found(await on_index(articles.get, article_id), "article", article_id)


@router.delete(
    "/articles/{article_id:path}",
    status_code=204,
    tags=["articles"],
    responses=problem_responses(404),
)
async def delete_article(articles: Articles, article_id: ArticleId) -> Response:
    """Removes the article, every passage of it and its earlier versions from the index."""
    found(await on_index(articles.delete, article_id), "article", article_id)
    return Response(status_code=204)


def _location(problem: RecordProblem, in_list: bool) -> tuple[str, ...]:
    """Where in the body: the field, after the article's position when a list was sent."""
    position = (str(problem.position),) if in_list else ()
    field = (problem.field,) if problem.field else ()
    return ("body", *(position + field or ("body",)))


def _body_error(message: str) -> RequestValidationError:
    return invalid([{"loc": ("body",), "msg": message}])
