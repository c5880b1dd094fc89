"""The contract every channel shares (API, stream, chat page, Slack, evals): what a question
asks for and the Answer it gets back."""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ingest.index.filters import Filters
from ingest.models import Chunk

__all__ = [
    "Answer",
    "AnswerEvent",
    "AnswerSentence",
    "AskRequest",
    "Citation",
    "CitationEvent",
    "ClaimCheck",
    "DeltaEvent",
    "DirectAnswer",
    "DirectEvent",
    "ErrorEvent",
    "Filters",
    "Passage",
    "PassagesEvent",
    "StageTimings",
    "StreamEvent",
]

MAX_QUESTION_CHARS = 2000
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern)."""
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})
"""Control and format characters (zero-width spaces and joiners, direction marks)
and separators."""


def _invisible(code: int) -> bool:
    ch = chr(code)
    return ch.isspace() or ch in BLANK or unicodedata.category(ch) in INVISIBLE_CATEGORIES


def char_class(codes: list[int]) -> str:
    """The code points as a regex class of ranges: BMP ones escaped, the others written out
    (Python's re and ECMA-262 with the ``u`` flag both read them so)."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges)


NUMBER = re.compile(r"[-+]?[\d.]+(e[-+]?\d+)?", re.IGNORECASE | re.ASCII)
BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
VISIBLE = re.compile(f"[^{char_class([c for c in range(sys.maxunicode + 1) if _invisible(c)])}]")
"""A character that shows: the question's ``pattern`` in the OpenAPI document and the test its
validator makes, so the document and the 422 agree on what an empty question is."""


def _written_date(value: Any) -> Any:
    """A date written as one: pydantic would read a number (or a string of one) as seconds
    since 1970, which the document's ``date``/``date-time`` formats do not allow, and a bare
    date as midnight unless it is made a ``date`` here (a bare date means the whole day)."""
    text = value if isinstance(value, str) else ""
    if isinstance(value, int | float) or NUMBER.fullmatch(text):
        raise ValueError(
            "a date is written like 2023-11-01 or 2023-11-01T08:45:00+00:00, not as a number"
        )
    if BARE_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return value
    return value


def _a_number(value: Any) -> Any:
    """A JSON number: a bool (``true`` as 1) or a string of digits is not one, though pydantic
    reads them so; 5.0 is, as JSON Schema's ``integer`` has it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a whole number such as 5, not {type(value).__name__}")
    return value


JSON_NUMBER = BeforeValidator(_a_number)
"""After an integer's bounds in ``Annotated`` (before them, the document loses the bounds)."""
TopK = Annotated[int, Field(ge=1, le=50), JSON_NUMBER]
"""Passages to retrieve."""
Day = Annotated[date, BeforeValidator(_written_date)]
"""A calendar date, YYYY-MM-DD."""
DayOrTime = Annotated[datetime | date, BeforeValidator(_written_date)]
"""ISO 8601: a bare date is the whole day, a naive time is UTC."""


def as_utc(value: date | datetime | None, end_of_day: bool = False) -> datetime | None:
    """A bare date means the whole day; a naive time is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end_of_day else time.min)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AskRequest(BaseModel):
    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        examples=["How many North Korean troops were killed or wounded in the Kursk region?"],
        json_schema_extra={"pattern": VISIBLE.pattern},
    )
    top_k: TopK | None = Field(None, description="Passages to retrieve.")
    published_after: DayOrTime | None = Field(
        None,
        examples=["2023-11-01"],
        description="Not later than `published_before` (a 422 on `published_after` if so).",
    )
    published_before: DayOrTime | None = Field(None, examples=["2023-12-31"])
    source: str | None = Field(None, max_length=200, examples=["The Verge"])
    as_of: Day | None = Field(
        None, description="The date relative dates in the question are judged against."
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not VISIBLE.search(value):
            raise ValueError(
                "the question is empty: it has no visible character (only spaces, zero-width "
                "or other invisible characters)"
            )
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> AskRequest:
        after, before = self.after_utc, self.before_utc
        if after and before and after > before:
            raise ValueError("published_after is later than published_before")
        return self

    @property
    def after_utc(self) -> datetime | None:
        return as_utc(self.published_after)

    @property
    def before_utc(self) -> datetime | None:
        return as_utc(self.published_before, end_of_day=True)


class Passage(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    rank: int = Field(ge=1)
    dense_score: float | None = None
    keyword_score: float | None = None
    fused_score: float = 0.0
    rerank_score: float | None = None
    also_carried_by: list[str] = Field(
        default_factory=list,
        description="The other outlets that carried the same story (syndicated copies), "
        "earliest first; their copies are left out of the results.",
    )

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
    also_carried_by: list[str] = Field(
        default_factory=list,
        description="The other outlets that carried the same story: reported by `source`, "
        "also carried by these.",
    )
    article_version: int | None = Field(
        None,
        ge=1,
        description="The version of the article quoted (`GET /articles/{id}/versions/{n}` "
        "reads it, also after the article was edited); None in answers recorded before "
        "versions were kept.",
    )
    content_hash: str | None = Field(
        None, description="SHA-256 (hex) of that version's title and body."
    )

    @classmethod
    def quoting(cls, n: int, passage: Passage, quote: str, start: int, end: int) -> Citation:
        """A citation of ``body[start:end]`` of the passage's article."""
        chunk = passage.chunk
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
            also_carried_by=passage.also_carried_by,
            article_version=chunk.article_version,
            content_hash=chunk.content_hash,
        )


class AnswerSentence(BaseModel):
    text: str = Field(description="The sentence as shown, without its markers.")
    citations: list[int] = Field(default_factory=list, description="Marker numbers it cites.")
    supported: bool = True


class ClaimCheck(BaseModel):
    """One claim of a yes/no question and what the articles say of it."""

    claim: str = Field(description="The claim, in the question's words.")
    kind: Literal["content", "order"] = Field(
        "content", description="'order': which of two articles was published first."
    )
    outlets: list[str] = Field(default_factory=list, description="Outlets the claim names.")
    status: Literal["supported", "contradicted", "unsettled"]
    reason: str = Field(description="Why, in words a reader can check against the quotes.")
    citations: list[int] = Field(
        default_factory=list, description="Markers of the sentences that support or contradict it."
    )


class DirectAnswer(BaseModel):
    """The answer itself, shown before the quotes that prove it."""

    form: Literal["span", "outlet", "verdict", "choice", "not_said"] = Field(
        description="'span': the name, figure or date asked for, quoted from an article; "
        "'outlet': the source of the article reporting what the question asks about; "
        "'verdict': yes, no or unsettled, decided from the claims; 'choice': which of the two "
        "reports or events the question names came first (or last), by publication date; "
        "'not_said': the articles hold no answer of the asked kind (the quotes are context)."
    )
    text: str = Field(description="As shown, without markers.")
    citations: list[int] = Field(default_factory=list)
    verdict: Literal["yes", "no", "unsettled"] | None = None
    claims: list[ClaimCheck] = Field(default_factory=list)


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


class Answer(BaseModel):
    id: str = Field(description="Stable handle for feedback and for looking the answer up.")
    question: str
    standalone_question: str | None = Field(
        None, description="The follow-up rewritten into a question that stands alone."
    )
    status: Literal["answered", "declined"]
    text: str = Field(description="The answer with [n] markers; for a decline, the reason.")
    direct: DirectAnswer | None = Field(
        None,
        description="The direct answer, also the first of ``sentences``; None when the "
        "question asks for no name, figure, date or verdict.",
    )
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


class DirectEvent(BaseModel):
    """The direct answer, sent before the text: a page can show it first."""

    event: Literal["direct"] = "direct"
    direct: DirectAnswer


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


StreamEvent = PassagesEvent | DirectEvent | DeltaEvent | CitationEvent | AnswerEvent | ErrorEvent


def invalid_fields(exc: ValidationError, whole: str = "request") -> str:
    """The errors as "field: message" pairs, ``whole`` naming an error of no one field: the
    same words on the CLI and to an MCP host."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or whole}: {e['msg']}" for e in exc.errors())
