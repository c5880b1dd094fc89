"""Settings of the index: where it lives, which model embeds it, how articles are chunked.

Only what the writer side needs; the service's own settings (``service.settings``) extend these,
so one set of ``NEWSDESK_`` env vars (or a ``.env`` file) configures every process. Fields that
change what the index holds are marked ``shapes_index``: the eval cache keys its indexes on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.cpu_features import fastest_document_encoder

SHAPES_INDEX = {"shapes_index": True}

ENV = SettingsConfigDict(
    env_prefix="NEWSDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
)


class IndexSettings(BaseSettings):
    model_config = ENV

    data_dir: Path = Field(Path("data"), description="Where the embedded index and SQLite live.")
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server; unset means embedded Chroma."
    )
    collection_prefix: str = Field("newsdesk", min_length=3, pattern=r"^[a-zA-Z0-9_-]+$")

    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (the packaged copy) or any sentence-transformers path.",
        json_schema_extra=SHAPES_INDEX,
    )
    embedding_dtype: Literal["float32", "bfloat16"] = Field(
        "float32", json_schema_extra=SHAPES_INDEX
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    document_encoder: Literal["torch", "bf16", "onnx-int8"] = Field(
        default_factory=fastest_document_encoder,
        description="Runtime for embedding chunks at ingest: 'bf16' (a bfloat16 copy of the "
        "model, 2-3x fp32; the default on CPUs with AVX512_BF16 or AMX, where it is native), "
        "'torch' (the model as loaded, fp32; the default elsewhere) or 'onnx-int8' (ONNX "
        "Runtime, int8 weights). bf16 vectors stay within the fp32 fingerprint's tolerance, so "
        "an index may hold both; int8's do not, so it is a fingerprint of its own.",
        json_schema_extra=SHAPES_INDEX,
    )
    question_encoder: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx",
        description="Runtime for embedding one question: 'onnx' gives the same vectors ~2x "
        "faster (exported once from the local model); torch is kept if the export fails. "
        "'onnx-int8' (int8 weights) is ~3x faster again, with vectors close to fp32's but not "
        "equal (cosine ~0.99; the README gives its effect on the retrieval eval).",
    )
    model_cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "newsdesk" / "models",
        description="Where models converted for faster questions, and the local LLM "
        "assembled from its packaged parts (~1.1 GB), are kept.",
    )
    stale_write_seconds: float = Field(
        600.0,
        ge=0,
        description="An article write left unfinished this long is taken for a dead writer's "
        "and undone when the index is opened; one whose writer ran on this host and is gone "
        "is undone at once. A write takes seconds: younger ones may be another process's, "
        "still at work.",
    )
    story_similarity: float = Field(
        0.7,
        gt=0,
        le=0.99,
        description="Estimated Jaccard similarity of two bodies' five-word shingles from which "
        "they are copies of one story (syndicated, lightly edited): a copy of a ten-sentence story "
        "missing a sentence scores ~0.7, another outlet's own report of the same event < 0.1. "
        "At most 0.99, which groups only copies equal but for a word or two: above it the LSH "
        "index that finds copies cannot be built (fewer than two bands of 128 permutations).",
        json_schema_extra=SHAPES_INDEX,
    )
    chunk_tokens: int = Field(200, ge=32, le=512, json_schema_extra=SHAPES_INDEX)
    chunk_overlap_tokens: int = Field(40, ge=0, le=256, json_schema_extra=SHAPES_INDEX)

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("NEWSDESK_CHROMA_URL must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _overlap_fits(self) -> IndexSettings:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("NEWSDESK_CHUNK_OVERLAP_TOKENS must be smaller than CHUNK_TOKENS")
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @classmethod
    def shaping_fields(cls) -> list[str]:
        """The settings that change what the index holds, not only where or how fast."""
        return sorted(
            name
            for name, field in cls.model_fields.items()
            if (field.json_schema_extra or {}).get("shapes_index")
        )
