"""The local model as a LangChain chat model: its server starts on the first call.

Until then nothing is loaded; from then on every call goes to an ordinary OpenAI chat model
pointed at the local server, so the LLM path (prompts, streaming, citation checks, fallback to
extractive) is the one every OpenAI-compatible server gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from service.answering.local.server import Endpoint, LocalServer


class LocalChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    server: LocalServer
    connect: Callable[[Endpoint], BaseChatModel]
    """Builds the OpenAI client for the started server (``chat_model.build_chat_model``)."""
    _client: BaseChatModel | None = PrivateAttr(None)

    @property
    def _llm_type(self) -> str:
        return "newsdesk-local"

    def _connected(self) -> BaseChatModel:
        if self._client is None:
            self._client = self.connect(self.server.start())
        return self._client

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._connected()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._connected()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
