"""``newsdesk mcp``: the tools ``ask``, ``search`` and ``get_article`` over MCP's stdio.

An MCP host spawns the command and calls the tools; each returns the HTTP API's contract as
structured output with its JSON schema (``ask`` an Answer, ``search`` the passages and their
scores, ``get_article`` the article), so an agent reads the same citations a person sees. The
service starts loading at once, so the first call waits less; answers go on record in the answer
log like the API's (``GET /answers/{id}`` finds them). Failures the caller can act on (an
invalid argument, an unknown article, an index that cannot be reached) are tool errors whose
message says why.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field, ValidationError

from ingest.index.store import IndexUnavailable, ModelMismatch
from ingest.models import Article
from service.answering.service import AnswerService
from service.api.errors import is_store_error
from service.api.schemas import SearchResponse
from service.articles import ArticleService
from service.contract import MAX_QUESTION_CHARS, Answer, AskRequest, invalid_fields
from service.runtime import ServiceHolder, ServiceUnavailable
from service.settings import Settings
from service.stores.answer_log import AnswerLog

CHANNEL = "mcp"
INSTRUCTIONS = (
    "newsdesk answers questions about a collection of news articles. `ask` returns an answer "
    "whose sentences quote the articles, each [n] marker pointing to a citation (article, "
    "outlet, date, URL, the quoted span); it declines when the articles do not answer. "
    "`search` returns the passages a question retrieves; `get_article` one article whole."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
T = TypeVar("T")

Question = Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS)]
TopK = Annotated[int | None, Field(ge=1, le=50, description="Passages to retrieve.")]
After = Annotated[date | None, Field(description="Only articles published on or after.")]
Before = Annotated[date | None, Field(description="Only articles published on or before.")]
Outlet = Annotated[str | None, Field(max_length=200, description="Only this outlet.")]
AsOf = Annotated[
    date | None, Field(description="The date 'last week' or 'in March' is judged against.")
]


def build_server(settings: Settings, holder: ServiceHolder) -> MCPServer:
    """The server and its tools, over the service ``holder`` loads (on first need)."""
    answers = AnswerLog.from_settings(settings)
    server = MCPServer("newsdesk", version="0.1.0", instructions=INSTRUCTIONS)

    def on_index(work: Callable[[AnswerService], T]) -> T:
        try:
            return work(holder.get())
        except ServiceUnavailable as exc:
            raise ToolError(f"the index is unavailable: {exc.detail}") from exc
        except (IndexUnavailable, ModelMismatch) as exc:
            raise ToolError(str(exc)) from exc
        except Exception as exc:
            if is_store_error(exc):
                raise ToolError(f"the index cannot be reached: {exc}") from exc
            raise

    @server.tool(annotations=READ_ONLY)
    def ask(
        question: Question,
        top_k: TopK = None,
        published_after: After = None,
        published_before: Before = None,
        source: Outlet = None,
        as_of: AsOf = None,
    ) -> Answer:
        """Answer a question from the news articles, quoting them: every [n] in `text` is a
        citation (article, outlet, date, URL, quoted span with its offsets). `status` is
        'declined', with the reason as `text`, when the articles do not answer it."""
        request = _request(question, top_k, published_after, published_before, source, as_of)
        answer = on_index(lambda service: service.ask(request))
        answers.record_answer(answer, CHANNEL)
        return answer

    @server.tool(annotations=READ_ONLY)
    def search(
        query: Question,
        k: TopK = None,
        published_after: After = None,
        published_before: Before = None,
        source: Outlet = None,
    ) -> SearchResponse:
        """The passages a question retrieves (keyword and semantic search, fused), with their
        articles and scores, and no answer."""
        request = _request(query, k, published_after, published_before, source, None)

        def passages(service: AnswerService) -> SearchResponse:
            found, timings = service.search(request)
            return SearchResponse(
                query=request.question,
                filters=service.filters_for(request),
                passages=found,
                timings=timings,
            )

        return on_index(passages)

    @server.tool(annotations=READ_ONLY)
    def get_article(
        id_or_url: Annotated[str, Field(min_length=1, description="An article id or its URL.")],
    ) -> Article:
        """One indexed article whole (title, outlet, author, dates, body), by id or URL: the
        `article_id` or `url` of a citation or passage."""
        article = on_index(lambda service: ArticleService.of(service, settings).get(id_or_url))
        if article is None:
            raise ToolError(f"no article with id or URL '{id_or_url}'")
        return article

    return server


def _request(
    question: str,
    top_k: int | None,
    published_after: date | None,
    published_before: date | None,
    source: str | None,
    as_of: date | None,
) -> AskRequest:
    try:
        return AskRequest(
            question=question,
            top_k=top_k,
            published_after=published_after,
            published_before=published_before,
            source=source,
            as_of=as_of,
        )
    except ValidationError as exc:
        raise ToolError(f"invalid arguments: {invalid_fields(exc, 'arguments')}") from None


def serve_stdio(settings: Settings) -> None:
    """Serve MCP over stdin/stdout until the host closes them; logs go to stderr."""
    logging.basicConfig(level=settings.log_level, stream=sys.stderr)
    holder = ServiceHolder(settings)
    holder.load_in_background()
    build_server(settings, holder).run("stdio")
