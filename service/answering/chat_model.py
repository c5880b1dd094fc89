"""The configured chat model, built with LangChain, and plain-words reasons when it fails.

``NEWSDESK_ANSWERER`` is ``provider:model``; an OpenAI-compatible server (vLLM, llama.cpp
server, LM Studio) is ``openai:<model>`` with ``NEWSDESK_LLM_BASE_URL`` pointing at its ``/v1``.
``local`` (or ``local:PATH.gguf``) is the packaged model (``service.answering.local``), served by
llama.cpp on loopback and then talked to as exactly such an ``openai:<model>`` server.
Retries are off: a failed call falls back to the extractive answer at once instead of making
the user wait through back-offs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr, ValidationError

from service.answering.local.model_file import LocalModelUnavailable
from service.answering.local.server import Endpoint, LocalSpec, server_for
from service.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from service.answering.local.chat import LocalChatModel

PLACEHOLDER_KEY = "not-needed"
"""Local OpenAI-compatible servers ignore the key, but the client refuses to start without one."""
LOCAL = "local"


class LLMFailure(Exception):
    """The model could not give a usable answer; ``reason`` says why, for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def split_answerer(answerer: str) -> tuple[str, str]:
    provider, _, model = answerer.partition(":")
    if not provider or not model:
        raise ValueError(
            f"NEWSDESK_ANSWERER={answerer!r}: use 'extractive', 'local' or 'provider:model', "
            "e.g. 'openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5' or 'ollama:llama3.2'"
        )
    return provider.lower(), model


def is_local(answerer: str) -> bool:
    return answerer.strip().lower().partition(":")[0] == LOCAL


def local_spec(settings: Settings) -> LocalSpec:
    _, _, path = settings.answerer.strip().partition(":")
    return LocalSpec(
        model_path=Path(path).expanduser() if path else None,
        cache_dir=settings.model_cache_dir,
        context_tokens=settings.local_context_tokens,
        threads=settings.local_threads,
    )


def local_problem(settings: Settings) -> str | None:
    """Why the local model failed to start in this process, if it is the answerer and did."""
    if not is_local(settings.answerer):
        return None
    return server_for(local_spec(settings)).error


def model_settings(settings: Settings) -> Settings:
    """The settings the LLM path runs with: the local model's own context window and timeout."""
    if not is_local(settings.answerer):
        return settings
    return settings.model_copy(
        update={
            "llm_context_tokens": min(settings.llm_context_tokens, settings.local_context_tokens),
            "llm_timeout": settings.local_timeout,
        }
    )


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model for ``settings.answerer``; no network call happens here.

    For the local model this checks that it is installed (raising ``LocalModelUnavailable``
    with the fix) and defers loading it to the first call.
    """
    from langchain.chat_models import init_chat_model

    if is_local(settings.answerer):
        return _local_chat_model(model_settings(settings))
    provider, model = split_answerer(settings.answerer)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    kwargs: dict[str, Any] = {"temperature": settings.llm_temperature}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if provider == "ollama":
        client: dict[str, Any] = {"timeout": settings.llm_timeout}
        if key:
            client["headers"] = {"Authorization": f"Bearer {key}"}
        kwargs.update(num_predict=settings.llm_max_tokens, client_kwargs=client)
    else:
        kwargs.update(
            timeout=settings.llm_timeout, max_retries=0, max_tokens=settings.llm_max_tokens
        )
        if key:
            kwargs["api_key"] = key
        elif provider == "openai" and settings.llm_base_url:
            kwargs["api_key"] = PLACEHOLDER_KEY
    return init_chat_model(model, model_provider=provider, **kwargs)


def _local_chat_model(settings: Settings) -> LocalChatModel:
    from service.answering.local.chat import LocalChatModel

    server = server_for(local_spec(settings))
    server.check()

    def connect(endpoint: Endpoint) -> BaseChatModel:
        served = settings.model_copy(
            update={
                "answerer": f"openai:{endpoint.model}",
                "llm_base_url": endpoint.base_url,
                "llm_api_key": SecretStr(endpoint.api_key),
            }
        )
        return build_chat_model(served)

    return LocalChatModel(server=server, connect=connect)


def describe_failure(exc: BaseException, settings: Settings | None = None) -> str:
    """Why the call failed, in words a user can act on (no stack trace, no secrets)."""
    for err in _chain(exc):
        if isinstance(err, LocalModelUnavailable):
            return err.reason
    for err in _chain(exc):
        status = _status_code(err)
        if status is not None:
            if status in (401, 403):
                return f"the LLM provider rejected the API key (HTTP {status})"
            if status == 429:
                return "the LLM provider is rate limiting requests (HTTP 429)"
            if status >= 500:
                return f"the LLM provider failed (HTTP {status})"
            return f"the LLM provider refused the request (HTTP {status})"
    for err in _chain(exc):
        if (
            isinstance(err, TimeoutError | httpx.TimeoutException)
            or "Timeout" in type(err).__name__
        ):
            limit = f" within {settings.llm_timeout:g} s" if settings else ""
            return f"the LLM did not respond{limit}"
    for err in _chain(exc):
        if (
            isinstance(err, ConnectionError | httpx.TransportError)
            or "Connection" in type(err).__name__
        ):
            where = f" at {settings.llm_base_url}" if settings and settings.llm_base_url else ""
            return f"the LLM provider is unreachable{where}"
    for err in _chain(exc):
        if isinstance(err, json.JSONDecodeError | ValidationError | KeyError | TypeError):
            return f"the LLM returned a malformed response ({type(err).__name__})"
    return f"the LLM call failed ({type(exc).__name__})"


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_code(err: BaseException) -> int | None:
    status = getattr(err, "status_code", None)
    if status is None:
        status = getattr(getattr(err, "response", None), "status_code", None)
    return status if isinstance(status, int) and status >= 400 else None
