"""An LLM rewriter for follow-up questions, to pass to ``followups.rewrite_followup``.

It fills the ``condense_followup`` prompt with the last turns of the conversation and returns
the model's one-line question. Any failure raises, and ``rewrite_followup`` then falls back to
its offline rewriter. The API and the Slack bot use it whenever ``NEWSDESK_ANSWERER`` is an
LLM (``service.runtime.ServiceHolder``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from service.answering.chat_model import build_chat_model
from service.answering.packing import as_data
from service.answering.prompts import Prompt, load_prompt
from service.answering.reply_parsing import visible_text
from service.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from service.conversations.store import Turn

PROMPT_NAME = "condense_followup"
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


class LLMFollowupRewriter:
    def __init__(
        self,
        model: BaseChatModel,
        prompt: Prompt | None = None,
        max_turns: int = 6,
        max_answer_chars: int = 500,
    ):
        self.model = model
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self.max_turns = max_turns
        self.max_answer_chars = max_answer_chars

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMFollowupRewriter | None:
        """The rewriter for the configured LLM, or None when answers are extractive."""
        if settings.answerer.strip().lower() == "extractive":
            return None
        return cls(build_chat_model(settings))

    def conversation(self, history: Sequence[Turn]) -> str:
        lines = []
        for turn in history[-self.max_turns :]:
            lines.append(f"User: {turn.standalone_question or turn.question}")
            answer = _MARKERS.sub("", turn.answer_text or "")[: self.max_answer_chars]
            if answer:
                lines.append(f"Answer: {answer}")
        return as_data("\n".join(lines))

    def __call__(self, question: str, history: Sequence[Turn]) -> str:
        messages = self.prompt.messages(
            history=self.conversation(history), question=as_data(question)
        )
        reply = self.model.invoke(messages)
        text = visible_text(reply.text if isinstance(reply.text, str) else str(reply.content))
        lines = [line.strip().strip("\"'` ") for line in text.splitlines() if line.strip()]
        if not lines:
            raise ValueError("the LLM returned no question")
        return lines[0]
