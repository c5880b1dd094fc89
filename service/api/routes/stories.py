"""/stories: the copies of one story that several outlets carried, through the article service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam

from service.api.deps import Articles
from service.api.errors import found, on_index
from service.api.openapi import problem_responses
from service.api.schemas import Story

router = APIRouter()
StoryId = Annotated[
    str,
    PathParam(
        description="A story id, or the id or percent-encoded URL of any of its articles "
        "(a citation's `article_id`)."
    ),
]


@router.get(
    "/stories/{story_id:path}",
    response_model=Story,
    tags=["stories"],
    responses=problem_responses(404),
)
async def get_story(articles: Articles, story_id: StoryId) -> Story:
    """Every outlet's copy of the story, earliest published first; an article no other
    outlet carried is a story of one."""
    story, members = found(await on_index(articles.story, story_id), "story", story_id)
    return Story.of(story, members)
