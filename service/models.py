"""The answer contract shared by every channel: API, stream, chat page, Slack and evals."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ingest.models import Chunk


class Passage(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    rank: int = Field(ge=1)
    dense_score: float | None = None
    keyword_score: float | None = None
    fused_score: float = 0.0
    rerank_score: float | None = None

    @property
    def id(self) -> str:
        return self.chunk.id


class Citation(BaseModel):
    """One ``[n]``: a quoted span of a named article, with offsets into its body."""

    n: int = Field(ge=1, description="The marker number as it appears in the answer text.")
    passage_id: str
    article_id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    quote: str
    start: int = Field(ge=0, description="Offset of the quote in the article body.")
    end: int = Field(ge=0)

    @classmethod
    def quoting(cls, n: int, chunk: Chunk, quote: str, start: int, end: int) -> Citation:
        """A citation of ``body[start:end]`` of the chunk's article."""
        return cls(
            n=n,
            passage_id=chunk.id,
            article_id=chunk.article_id,
            title=chunk.title,
            url=chunk.url,
            source=chunk.source,
            published=chunk.published,
            quote=quote,
            start=start,
            end=end,
        )


class AnswerSentence(BaseModel):
    text: str = Field(description="The sentence as shown, without its markers.")
    citations: list[int] = Field(default_factory=list, description="Marker numbers it cites.")
    supported: bool = True


class StageTimings(BaseModel):
    """Milliseconds spent in each stage of answering."""

    parse_ms: float = 0.0
    embed_ms: float = 0.0
    dense_ms: float = 0.0
    keyword_ms: float = 0.0
    fuse_ms: float = 0.0
    rerank_ms: float = 0.0
    answer_ms: float = 0.0
    verify_ms: float = 0.0
    total_ms: float = 0.0


class Filters(BaseModel):
    """What the retrieval was restricted to, whether asked for or read from the question."""

    published_after: datetime | None = None
    published_before: datetime | None = None
    sources: list[str] = Field(default_factory=list)


class Answer(BaseModel):
    id: str = Field(description="Stable handle for feedback and for looking the answer up.")
    question: str
    standalone_question: str | None = Field(
        None, description="The follow-up rewritten into a question that stands alone."
    )
    status: Literal["answered", "declined"]
    text: str = Field(description="The answer with [n] markers; for a decline, the reason.")
    sentences: list[AnswerSentence] = Field(default_factory=list)
    removed_sentences: list[AnswerSentence] = Field(
        default_factory=list,
        description="Sentences the citation check found unsupported and removed (strict mode).",
    )
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    filters: Filters = Field(default_factory=Filters)
    timings: StageTimings = Field(default_factory=StageTimings)
    answerer: str = "extractive"
    prompt: str | None = Field(None, description="Prompt name and hash, for LLM answers.")
    degraded: bool = False
    degraded_reason: str | None = None
    index_version: str = ""
    created_at: datetime


class PassagesEvent(BaseModel):
    event: Literal["passages"] = "passages"
    passages: list[Passage]


class DeltaEvent(BaseModel):
    event: Literal["delta"] = "delta"
    text: str


class CitationEvent(BaseModel):
    event: Literal["citation"] = "citation"
    citation: Citation


class AnswerEvent(BaseModel):
    event: Literal["answer"] = "answer"
    answer: Answer


class ErrorEvent(BaseModel):
    event: Literal["error"] = "error"
    status: int
    title: str
    detail: str | None = None


StreamEvent = PassagesEvent | DeltaEvent | CitationEvent | AnswerEvent | ErrorEvent
