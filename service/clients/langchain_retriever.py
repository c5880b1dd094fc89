"""NewsdeskRetriever: newsdesk's retrieval as a LangChain retriever, for LangChain apps.

Over a running newsdesk (``GET /search`` through httpx, with the API key when keys are set) or
in-process over an AnswerService. Either way it is the same hybrid retrieval the answers use
(keyword + dense, fused, at most two passages per article, dates and outlets read from the
question). Each passage is a Document of the chunk's text, whose metadata says where it comes
from: the article, its title, outlet, date and URL, the chunk's offsets in the body, the scores.
``source`` is the article's URL (else its id), as LangChain's loaders use it; the outlet is
``outlet``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor
from pydantic import Field, SecretStr, model_validator

from service.answering.service import AnswerService
from service.api.schemas import SearchResponse
from service.contract import AskRequest, Passage


class NewsdeskRetriever(BaseRetriever):
    """Passages for a query, from ``base_url`` (a running newsdesk) or ``service`` (this
    process); exactly one of them."""

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8000")
    api_key: SecretStr | None = Field(None, description="One of the server's NEWSDESK_API_KEYS.")
    service: AnswerService | None = Field(None, description="Retrieve in-process instead.")
    k: int | None = Field(None, ge=1, le=50, description="Passages; unset: the server's top_k.")
    source: str | None = Field(None, description="Only this outlet.")
    published_after: datetime | date | None = None
    published_before: datetime | date | None = None
    timeout: float = Field(30.0, gt=0, description="Seconds, for the HTTP request.")

    @model_validator(mode="after")
    def _one_backend(self) -> NewsdeskRetriever:
        if (self.base_url is None) == (self.service is None):
            raise ValueError("give either base_url (a running newsdesk) or service, not both")
        return self

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        if self.service is not None:
            passages, _ = self.service.search(self._request(query))
        else:
            with httpx.Client(**self._client_options()) as client:
                passages = _passages(client.get("/search", params=self._params(query)))
        return [as_document(p) for p in passages]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        if self.service is not None:
            passages, _ = await run_in_executor(None, self.service.search, self._request(query))
        else:
            async with httpx.AsyncClient(**self._client_options()) as client:
                passages = _passages(await client.get("/search", params=self._params(query)))
        return [as_document(p) for p in passages]

    def _request(self, query: str) -> AskRequest:
        return AskRequest(
            question=query,
            top_k=self.k,
            source=self.source,
            published_after=self.published_after,
            published_before=self.published_before,
        )

    def _params(self, query: str) -> dict[str, str | int]:
        """The /search query string: ``q``, ``k`` and the filters that are set."""
        params: dict[str, Any] = {
            "q": query,
            "k": self.k,
            "source": self.source,
            "published_after": self.published_after and self.published_after.isoformat(),
            "published_before": self.published_before and self.published_before.isoformat(),
        }
        return {name: value for name, value in params.items() if value is not None}

    def _client_options(self) -> dict[str, Any]:
        headers = {}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        return {"base_url": self.base_url or "", "headers": headers, "timeout": self.timeout}


def _passages(response: httpx.Response) -> list[Passage]:
    """The passages of a /search response; an error status raises httpx.HTTPStatusError with
    the server's problem details in its message."""
    if response.is_error:
        raise httpx.HTTPStatusError(
            f"newsdesk answered {response.status_code}: {response.text}",
            request=response.request,
            response=response,
        )
    return SearchResponse.model_validate_json(response.content).passages


def as_document(passage: Passage) -> Document:
    chunk = passage.chunk
    return Document(
        id=chunk.id,
        page_content=chunk.text,
        metadata={
            "chunk_id": chunk.id,
            "article_id": chunk.article_id,
            "title": chunk.title,
            "url": chunk.url,
            "source": chunk.url or chunk.article_id,
            "outlet": chunk.source,
            "author": chunk.author,
            "published": chunk.published.isoformat() if chunk.published else None,
            "start": chunk.start,
            "end": chunk.end,
            "rank": passage.rank,
            "fused_score": passage.fused_score,
            "dense_score": passage.dense_score,
            "keyword_score": passage.keyword_score,
            "rerank_score": passage.rerank_score,
        },
    )
