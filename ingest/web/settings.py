"""Limits of fetching from the web, read from the same ``NEWSDESK_`` env vars as every setting.

Kept apart from the index settings: they change what may be fetched, never what the index holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode

from ingest.settings import ENV


class FetchSettings(BaseSettings):
    model_config = ENV

    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts or addresses fetched even though they are loopback, private or "
        "link-local (comma-separated, e.g. '127.0.0.1,intranet.example'). An address listed "
        "here is allowed whichever name resolves to it.",
    )
    fetch_only_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="When set, the only hosts fetched at all (comma-separated, e.g. the "
        "outlets an open API may be pointed at); every other host is refused before any DNS "
        "lookup. The address rules still apply to these hosts.",
    )
    fetch_timeout: float = Field(
        15.0, gt=0, le=300, description="Seconds one fetch may take, redirects included."
    )
    fetch_max_bytes: int = Field(
        5_000_000, ge=1024, description="Largest page or feed read; a bigger one is refused."
    )
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    fetch_user_agent: str = Field(
        "newsdesk/0.1 (news question answering; respects robots.txt)", min_length=1
    )
    fetch_ca_bundle: Path | None = Field(
        None,
        description="A PEM file of the certificate authorities trusted for https, instead of "
        "the bundled ones (e.g. a proxy's own CA inside a company network).",
    )
    fetch_robots: bool = Field(
        True, description="Honour robots.txt (the user agent's rules, else '*')."
    )

    @field_validator("fetch_allow_hosts", "fetch_only_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(v).strip().strip("[]").lower() for v in value if str(v).strip()]
        return value
