"""Chat completions built from an Answer: one whole response, or the chunks of a stream.

Both carry the same text (``rendering``) and the same extra fields, so a streaming client ends
with exactly what a plain one gets.
"""

from __future__ import annotations

import uuid

from service.contract import Answer
from service.openai_compat.rendering import pieces, render
from service.openai_compat.schemas import (
    AnswerFields,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    Usage,
)


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def answer_fields(answer: Answer) -> AnswerFields:
    return AnswerFields(
        citations=answer.citations,
        answer_id=answer.id,
        status=answer.status,
        standalone_question=answer.standalone_question,
    )


def completion(answer: Answer) -> ChatCompletion:
    return ChatCompletion(
        id=completion_id(),
        created=int(answer.created_at.timestamp()),
        system_fingerprint=answer.index_version or None,
        choices=[Choice(message=AssistantMessage(content=render(answer)))],
        **dict(answer_fields(answer)),
    )


class ChunkStream:
    """The chunks of one streamed completion, sharing its id and creation time."""

    def __init__(self, created: int):
        self.id = completion_id()
        self.created = created

    def _chunk(self, choices: list[ChunkChoice], **fields) -> ChatCompletionChunk:
        return ChatCompletionChunk(id=self.id, created=self.created, choices=choices, **fields)

    def opening(self) -> ChatCompletionChunk:
        """Sent at once, before the answer is ready: the assistant's turn has begun."""
        return self._chunk([ChunkChoice(delta=Delta(role="assistant", content=""))])

    def answer(self, answer: Answer, include_usage: bool) -> list[ChatCompletionChunk]:
        """The text piece by piece, then the closing chunk with the answer's fields (and the
        usage chunk, with no choices, when the client asked for it)."""
        chunks = [self._chunk([ChunkChoice(delta=Delta(content=p))]) for p in pieces(answer)]
        chunks.append(
            self._chunk(
                [ChunkChoice(delta=Delta(), finish_reason="stop")],
                system_fingerprint=answer.index_version or None,
                **dict(answer_fields(answer)),
            )
        )
        if include_usage:
            chunks.append(self._chunk([], usage=Usage()))
        return chunks
