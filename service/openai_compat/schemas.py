"""The OpenAI chat-completions shapes newsdesk speaks: what clients send, what they read back.

Sampling and tool options (temperature, max_tokens, tools, …) are accepted and ignored: answers
are quoted from articles, not sampled. newsdesk's own filters ride along as extra body fields
(the openai client's ``extra_body``). Responses add the answer's citations, its id and status.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.contract import JSON_NUMBER, MAX_QUESTION_CHARS, Citation, Day, DayOrTime, TopK

MODEL_ID = "newsdesk"
OWNER = "newsdesk"


class ContentPart(BaseModel):
    """One part of a message's content; only ``text`` parts are read (images are not)."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        """The message's text, its text parts joined."""
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = Field(False, strict=True)


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [
                        {"role": "user", "content": "What did Kestrel Semiconductor report?"}
                    ],
                }
            ]
        },
    )

    model: str = Field(description=f"Always '{MODEL_ID}'.")
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The conversation, oldest first; the last one is the user's question (a "
        f"visible character, at most {MAX_QUESTION_CHARS}) and the earlier ones are what a "
        "follow-up is read against. System messages are ignored.",
    )
    stream: bool = Field(False, strict=True)
    stream_options: StreamOptions | None = None
    n: Annotated[int, Field(ge=1, le=1), JSON_NUMBER] = Field(
        1, description="One answer per question."
    )
    top_k: TopK | None = Field(None, description="newsdesk: passages to retrieve.")
    published_after: DayOrTime | None = Field(
        None, description="newsdesk: a date filter, not later than `published_before`."
    )
    published_before: DayOrTime | None = Field(None, description="newsdesk: a date filter.")
    source: str | None = Field(None, max_length=200, description="newsdesk: only this outlet.")
    as_of: Day | None = Field(
        None, description="newsdesk: the date relative dates in the question are judged against."
    )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Not counted (zeros): newsdesk meters no tokens. Present because clients expect it."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class AnswerFields(BaseModel):
    """What a chat completion carries beyond OpenAI's fields, from newsdesk's Answer."""

    citations: list[Citation] = Field(
        default_factory=list,
        description="newsdesk: what each [n] in the text points to: the quoted span, its "
        "offsets in the article body, the article's title, outlet, date and URL.",
    )
    answer_id: str | None = Field(
        None,
        description="newsdesk: the Answer's id (GET /answers/{id} returns it whole; POST "
        "/feedback rates it).",
    )
    status: Literal["answered", "declined"] | None = Field(
        None, description="newsdesk: 'declined' when the articles do not answer the question."
    )
    standalone_question: str | None = Field(
        None, description="newsdesk: the follow-up rewritten into a question that stands alone."
    )


class ChatCompletion(AnswerFields):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    system_fingerprint: str | None = Field(None, description="The index version answered from.")
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(AnswerFields):
    """One server-sent event of a streamed completion; the last one with choices carries
    ``finish_reason`` and the answer's fields."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL_ID
    system_fingerprint: str | None = None
    choices: list[ChunkChoice]
    usage: Usage | None = None

    def to_json(self) -> str:
        """The chunk as sent: the answer's fields only on the chunk that closes the answer."""
        if self.answer_id is not None:
            return self.model_dump_json()
        return self.model_dump_json(exclude=set(AnswerFields.model_fields))


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = OWNER


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard] = Field(default_factory=lambda: [ModelCard()])


class ErrorDetail(BaseModel):
    message: str = Field(description="What went wrong, in words to show the user.")
    type: str = Field(
        description="'invalid_request_error' for a refused request (a 4xx status), "
        "'server_error' when newsdesk failed (500) or its index is unreachable (503)."
    )
    param: str | None = Field(None, description="The body field at fault, when there is one.")
    code: str | None = Field(
        None, description="newsdesk's name for the error: 'invalid_api_key', 'model_not_found'…"
    )


class ErrorBody(BaseModel):
    """OpenAI's error envelope: every refusal under /v1, and a stream's failure after it has
    begun, so OpenAI clients raise their typed errors with newsdesk's message."""

    error: ErrorDetail
