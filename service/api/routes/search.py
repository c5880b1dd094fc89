"""/search: the passages a question retrieves, with their scores, and no answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from service.api.deps import AppMetrics, Service
from service.api.errors import invalid, on_index
from service.api.schemas import SearchResponse
from service.contract import MAX_QUESTION_CHARS, VISIBLE, AskRequest, DayOrTime

router = APIRouter()
QUERY_NAMES = {"question": "q", "top_k": "k"}


@router.get("/search", response_model=SearchResponse, tags=["search"])
async def search(
    service: Service,
    metrics: AppMetrics,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            examples=["Kursk"],
            json_schema_extra={"pattern": VISIBLE.pattern},
        ),
    ],
    k: Annotated[int | None, Query(ge=1, le=50, description="Passages to return.")] = None,
    published_after: Annotated[DayOrTime | None, Query()] = None,
    published_before: Annotated[DayOrTime | None, Query()] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
) -> SearchResponse:
    """Passages ranked by fused keyword and semantic relevance, with their scores."""
    try:
        request = AskRequest(
            question=q,
            top_k=k,
            published_after=published_after,
            published_before=published_before,
            source=source,
        )
    except ValidationError as exc:
        raise _as_query_error(exc) from None
    passages, timings = await on_index(service.search, request)
    metrics.observe_timings(timings)
    return SearchResponse(
        query=request.question,
        filters=service.filters_for(request),
        passages=passages,
        timings=timings,
    )


def _as_query_error(exc: ValidationError) -> RequestValidationError:
    """The request's errors under the query parameters' names; a cross-field one (reversed
    dates) under ``published_after``."""
    errors = []
    for err in exc.errors():
        loc = tuple(QUERY_NAMES.get(str(p), p) for p in err["loc"]) or ("published_after",)
        errors.append({"loc": ("query", *loc), "msg": err["msg"], "type": err["type"]})
    return invalid(errors)
