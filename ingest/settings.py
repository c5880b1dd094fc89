"""The one settings object for every part of newsdesk.

It lives at the bottom of the import chain (ingest) so that service and evals read the same
values; every field can be set with an env var prefixed ``NEWSDESK_`` or in a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- the index ---
    data_dir: Path = Field(Path("data"), description="Where the embedded index and SQLite live.")
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server; unset means embedded Chroma."
    )
    collection_prefix: str = Field("newsdesk", min_length=3, pattern=r"^[a-zA-Z0-9_-]+$")

    # --- embedding and chunking ---
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (the packaged copy) or any sentence-transformers path.",
    )
    embedding_dtype: Literal["float32", "bfloat16"] = "float32"
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    question_encoder: Literal["onnx", "torch"] = Field(
        "onnx",
        description="Runtime for embedding one question: 'onnx' gives the same vectors ~2x "
        "faster (exported once from the local model); torch is kept if the export fails.",
    )
    model_cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "newsdesk" / "models",
        description="Where models converted for faster questions are kept.",
    )
    chunk_tokens: int = Field(200, ge=32, le=512)
    chunk_overlap_tokens: int = Field(40, ge=0, le=256)

    # --- retrieval ---
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

    # --- answering ---
    answerer: str = Field("extractive", description="'extractive' or 'provider:model'.")
    answer_sentences: int = Field(4, ge=1, le=12)
    decline_absent_names: bool = Field(
        True,
        description="Decline a question that names someone or something (two or more "
        "capitalised words, not an outlet) that no indexed article mentions.",
    )
    decline_unknown_outlets: bool = Field(
        True,
        description="Decline a question that says its information comes from an outlet the "
        "index holds no article from ('a Bloomberg article', 'reported by Reuters').",
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
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(30.0, gt=0)
    llm_max_tokens: int = Field(512, ge=16)
    llm_context_tokens: int = Field(
        8192, ge=1024, description="The model's context window; passages are packed to fit."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2)
    max_question_chars: int = Field(2000, ge=10)

    # --- HTTP API ---
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(5_000_000, ge=1024)

    # --- Slack ---
    slack_enabled: bool = False
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    slack_socket_mode: bool = False

    log_level: str = "INFO"

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        """Accept a comma-separated env var as well as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("NEWSDESK_CHROMA_URL must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("NEWSDESK_CHUNK_OVERLAP_TOKENS must be smaller than CHUNK_TOKENS")
        if self.slack_enabled and not self.slack_signing_secret:
            raise ValueError(
                "Slack is enabled but NEWSDESK_SLACK_SIGNING_SECRET is not set: "
                "unsigned requests could impersonate Slack. Set the secret or disable Slack."
            )
        if self.slack_enabled and not self.slack_bot_token:
            raise ValueError("Slack is enabled but NEWSDESK_SLACK_BOT_TOKEN is not set.")
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "newsdesk.sqlite3"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once from the environment."""
    return Settings()
