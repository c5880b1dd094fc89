"""/articles/{id}/versions: an edited article's versions, so a quote can be read as it was.

An article id is a path (a URL's slashes may be sent as they are), so these routes claim a path
only when it ends in a literal ``/versions`` or ``/versions/{n}``: an article URL sent
percent-encoded whole (``…%2Fversions``) stays an article id for ``GET /articles/{id}``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.routing import APIRoute
from starlette.routing import Match

from ingest.index.versions import ArticleVersion
from service.api.deps import Articles
from service.api.errors import found, on_index
from service.api.openapi import problem_responses
from service.api.routes.articles import ArticleId
from service.api.schemas import ArticleVersions, VersionSummary

LITERAL_TAIL = re.compile(rb"/versions(/[^/]+)?/?$")


class VersionsRoute(APIRoute):
    """Matches only when the raw path's tail is written with literal slashes; an id may hold
    any character, a newline too (Starlette's ``path`` pattern stops at one)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)

    def matches(self, scope: dict[str, Any]) -> tuple[Match, dict[str, Any]]:
        match, child = super().matches(scope)
        raw = scope.get("raw_path")
        if match is Match.FULL and raw is not None and not LITERAL_TAIL.search(raw):
            return Match.NONE, {}
        return match, child


router = APIRouter(route_class=VersionsRoute)
Number = Annotated[int, PathParam(ge=1, description="The version number, from 1.")]


@router.get(
    "/articles/{article_id:path}/versions",
    response_model=ArticleVersions,
    tags=["articles"],
    responses=problem_responses(404),
)
async def list_versions(articles: Articles, article_id: ArticleId) -> ArticleVersions:
    """Every version of the article, oldest first: the current one last, each earlier one
    with the time it was replaced."""
    versions = found(await on_index(articles.versions, article_id), "article", article_id)
    return ArticleVersions(
        article_id=versions[-1].article_id,
        current=versions[-1].number,
        versions=[VersionSummary.of(v) for v in versions],
    )


@router.get(
    "/articles/{article_id:path}/versions/{number}",
    response_model=ArticleVersion,
    tags=["articles"],
    responses=problem_responses(404),
)
async def get_version(articles: Articles, article_id: ArticleId, number: Number) -> ArticleVersion:
    """The title and body of one version, as they were (a citation's `article_version`)."""
    version = await on_index(articles.version, article_id, number)
    return found(version, "version", f"{article_id}/versions/{number}")
