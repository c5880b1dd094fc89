"""The configured chat model: answerer strings, and clients built without a network call."""

from __future__ import annotations

import pytest

from service.answering.chat_model import LLMFailure, build_chat_model, split_answerer
from service.settings import Settings

pytestmark = pytest.mark.unit


def test_answerer_strings_and_model_construction():
    assert split_answerer("ollama:llama3.2:3b") == ("ollama", "llama3.2:3b")
    with pytest.raises(ValueError, match="provider:model"):
        split_answerer("gpt4")
    settings = Settings(
        _env_file=None, answerer="openai:local-model", llm_base_url="http://127.0.0.1:9/v1"
    )
    model = build_chat_model(settings)
    assert type(model).__name__ == "ChatOpenAI" and model.max_retries == 0
    ollama = build_chat_model(Settings(_env_file=None, answerer="ollama:llama3.2"))
    assert type(ollama).__name__ == "ChatOllama"
    claude = build_chat_model(
        Settings(_env_file=None, answerer="anthropic:claude-sonnet-4-5", llm_api_key="k")
    )
    assert type(claude).__name__ == "ChatAnthropic" and claude.max_retries == 0
    assert claude.max_tokens == Settings(_env_file=None).llm_max_tokens
    assert LLMFailure("why").reason == "why"
