"""Where the eval suite keeps what it builds: dataset indexes (reused while their key holds) and
run reports. Read from ``NEWSDESK_EVAL_CACHE`` and ``XDG_CACHE_HOME`` like every other setting."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings

from ingest.settings import ENV


class EvalSettings(BaseSettings):
    model_config = ENV

    cache_home: Path = Field(
        default_factory=lambda: Path.home() / ".cache",
        validation_alias=AliasChoices("XDG_CACHE_HOME"),
    )
    eval_cache: Path | None = Field(
        None, description="Where dataset indexes are cached; default ~/.cache/newsdesk/eval-index."
    )

    @property
    def root(self) -> Path:
        return self.cache_home / "newsdesk"

    @property
    def index_cache(self) -> Path:
        return self.eval_cache or self.root / "eval-index"

    @property
    def runs_dir(self) -> Path:
        return self.root / "eval-runs"
