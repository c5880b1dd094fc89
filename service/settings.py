"""Settings of the service, one section per job, on top of the index settings.

``Settings`` is every section together, read from the same ``NEWSDESK_`` env vars (or ``.env``)
as ``ingest.settings.IndexSettings``, which it extends; each part of the service reads the
section it needs. Unsafe combinations are refused at start-up with a message naming the fix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

from ingest.cpu_features import fastest_document_encoder
from ingest.settings import ENV, IndexSettings
from ingest.web.settings import FetchSettings


class RetrievalSettings(BaseSettings):
    model_config = ENV

    top_k: int = Field(8, ge=1, le=50)
    dense_depth: int = Field(
        300, ge=1, le=500, description="Dense candidates; sub-queries filter these in memory."
    )
    keyword_depth: int = Field(150, ge=1, le=500)
    fusion: Literal["zscore", "rrf"] = Field(
        "zscore",
        description="How the dense and keyword lists combine: 'zscore' adds each list's scores "
        "measured above its lowest in standard deviations (keeps how far ahead a passage is); "
        "'rrf' adds reciprocal ranks (ignores the scores).",
    )
    rrf_k: int = Field(10, ge=1, description="Reciprocal rank fusion constant ('rrf' only).")
    dense_weight: float = Field(
        0.3, ge=0, description="Weight of the dense lists (MiniLM trails BM25 on news)."
    )
    keyword_weight: float = Field(0.7, ge=0, description="Weight of the keyword lists.")
    max_passages_per_article: int = Field(2, ge=1)
    same_article_decay: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Each passage already taken from an article multiplies the fused score of "
        "its next ones by this (1: no penalty): the top-k spans more articles.",
    )
    reranker_model: str | None = Field(
        None, description="A sentence-transformers cross-encoder (path or name); unset: none."
    )
    rerank_depth: int = Field(
        30, ge=1, le=200, description="Fused candidates the cross-encoder rescores."
    )
    keyword_stemming: bool = Field(
        True, description="Stem words (Snowball, English) in the BM25 index and queries."
    )
    question_metadata: Literal["off", "subqueries", "filter"] = Field(
        "subqueries",
        description="Outlets and dates named in a question: 'subqueries' adds a search "
        "restricted to each, fused with the unrestricted one; 'filter' restricts the whole "
        "search to them; 'off' ignores them.",
    )
    subquery_weight: float = Field(
        2.0,
        ge=0,
        description="Weight of each outlet/date sub-query's lists (the whole question's: 1).",
    )
    date_padding_hours: int = Field(
        24, ge=0, le=24 * 31, description="Widening of dates read from a question (time zones)."
    )


class AnsweringSettings(BaseSettings):
    """The answerer and the decline rules (``service.answering.declines`` lists them)."""

    model_config = ENV

    answerer: str = Field(
        "extractive",
        description="'extractive', 'provider:model', or 'local' (the packaged model; "
        "'local:PATH.gguf' for another GGUF file; needs the 'local' extra).",
    )
    answer_sentences: int = Field(4, ge=1, le=12)
    sentence_encoder: Literal["torch", "bf16"] = Field(
        default_factory=fastest_document_encoder,
        description="How answer sentences and claims are embedded: 'bf16' where the CPU has "
        "it natively (within the fp32 tolerance, ingest.embedding), else 'torch' (fp32).",
    )
    sentences_embedded: int = Field(
        24,
        ge=1,
        le=128,
        description="How many of the retrieved passages' sentences, the lexically likeliest, "
        "are embedded per question: the model call is most of the answer stage's time (24: no "
        "answer changed against 32 on the CI sample and the dev set, evals/README.md).",
    )
    sentence_tokens: int = Field(
        96,
        ge=0,
        description="Tokens of a sentence embedded (a run-on line is quoted whole but embedded "
        "by its start); 0: the model's limit.",
    )
    decline_unknown_outlets: bool = Field(
        True,
        description="Decline a question that says its information comes from an outlet the "
        "index holds no article from ('a Bloomberg article', 'reported by Reuters').",
    )
    decline_absent_names: bool = Field(
        True,
        description="Decline a question that names someone or something (two or more "
        "capitalised words, not an outlet) that no indexed article mentions.",
    )
    decline_weak_outlets: bool = Field(
        True,
        description="Hold a question naming outlets the index holds to its weakest outlet: its "
        "evidence counts that outlet's closest chunk, against decline_outlet_threshold, and a "
        "decline names the outlet. Off: that evidence is not used and decline_threshold "
        "applies to the plain evidence.",
    )
    decline_weak_evidence: bool = Field(
        True,
        description="Decline when the best sentences score below the decline threshold, and "
        "quote only sentences of the kind asked for (a name for 'who', a figure for 'how "
        "many', a time for 'when'). Off: the best sentences are quoted however weak, whatever "
        "they hold.",
    )
    decline_threshold: float = Field(
        0.38,
        description="Evidence score below which the extractive answerer declines. With the "
        "outlet and name checks it declines 42 of 43 held-out unanswerable MultiHop-RAG "
        "questions and none of the 357 answerable ones (`python -m evals.decline_calibration`).",
    )
    decline_outlet_threshold: float = Field(
        0.33,
        description="The decline threshold for a question naming outlets the index holds, "
        "whose evidence counts the weakest named outlet's closest chunk; calibrated on such "
        "questions alone (`python -m evals.decline_calibration`).",
    )
    strict_citations: bool = True


class LLMSettings(BaseSettings):
    model_config = ENV

    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(30.0, gt=0)
    llm_max_tokens: int = Field(512, ge=16)
    llm_context_tokens: int = Field(
        8192, ge=1024, description="The model's context window; passages are packed to fit."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2)
    local_threads: int = Field(
        2, ge=1, le=256, description="CPU threads of the local model (NEWSDESK_ANSWERER=local)."
    )
    local_context_tokens: int = Field(
        4096,
        ge=1024,
        le=32768,
        description="The local model's context window (its memory grows with it); passages "
        "are packed to fit the smaller of this and llm_context_tokens.",
    )
    local_timeout: float = Field(
        300.0,
        gt=0,
        description="Seconds a local answer may take: on 2 cores the model reads ~30-60 "
        "prompt tokens/s and writes ~4-7 tokens/s, so llm_timeout's 30 s would cut most off.",
    )


class ApiSettings(BaseSettings):
    model_config = ENV

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(5_000_000, ge=1024)
    max_ingest_chunks: int = Field(
        2000,
        ge=1,
        description="Passages one POST /articles may embed, all its articles together (the "
        "longest MultiHop-RAG article makes 104; MiniLM embeds ~25 a second on 2 cores). A "
        "request over it is refused with a 413 before anything is embedded.",
    )
    shutdown_timeout: float = Field(
        5.0,
        ge=0,
        description="Seconds requests under way get to finish once `newsdesk serve` is told "
        "to stop (SIGTERM, Ctrl-C); then they are cancelled, an ingest abandoned whole.",
    )
    log_level: str = "INFO"
    api_docs: bool = Field(
        False,
        description="Serve the interactive API docs at /docs and /redoc. FastAPI loads their "
        "scripts from a CDN, so they need the browser to be online; /openapi.json is always "
        "served.",
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        """Accept a comma-separated env var as well as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class SlackSettings(BaseSettings):
    model_config = ENV

    slack_enabled: bool = False
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    slack_socket_mode: bool = False
    slack_claim_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="How long a replica's claim on a Slack message lasts unless renewed (it is "
        "renewed every third of this while the answer is worked on): a replica that dies "
        "while answering leaves the message to Slack's next retry once this has passed.",
    )

    @model_validator(mode="after")
    def _refuse_unsigned(self) -> SlackSettings:
        if self.slack_enabled and not self.slack_signing_secret:
            raise ValueError(
                "Slack is enabled but NEWSDESK_SLACK_SIGNING_SECRET is not set: "
                "unsigned requests could impersonate Slack. Set the secret or disable Slack."
            )
        if self.slack_enabled and not self.slack_bot_token:
            raise ValueError("Slack is enabled but NEWSDESK_SLACK_BOT_TOKEN is not set.")
        return self


ANSWER_SECTIONS = (RetrievalSettings, AnsweringSettings, LLMSettings)
"""The sections that change an answer: an eval run records every field of them."""


class Settings(
    IndexSettings,
    FetchSettings,
    RetrievalSettings,
    AnsweringSettings,
    LLMSettings,
    ApiSettings,
    SlackSettings,
):
    """Every section: what a service process (API, Slack, CLI, eval runner) is configured with."""

    model_config = ENV

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "newsdesk.sqlite3"

    @classmethod
    def answer_fields(cls) -> list[str]:
        """Every setting that can change an answer, secrets left out."""
        return [
            name
            for section in ANSWER_SECTIONS
            for name, field in section.model_fields.items()
            if field.annotation is not SecretStr and "SecretStr" not in str(field.annotation)
        ]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once from the environment."""
    return Settings()
