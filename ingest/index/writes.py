"""How an article write becomes visible all at once: versioned chunks, committed by the record.

Chroma has no transaction across records, so every write of an article gets a fresh *write id*.
Its chunks are stored under keys carrying that id (``{chunk_id}#{write}``), next to the chunks
of the version readers are being served, and the article record names the write it belongs to.
Upserting that one record is the commit: a chunk is visible only while its article's record
names its write, so readers get the old version or the new one, never a mix, and never chunks
of a write that did not finish. Records and chunks stored before write ids existed carry none
(``LEGACY``) and stay visible.

Each write (and each deletion) first records an *intent* naming its article and its writer, and
removes it when done: an intent left behind marks a write cut short. Opening the index removes
every chunk no record names, except those of writes still under way (``Intent.stale``).
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

LEGACY = ""
"""The write id of chunks and records written before writes had ids."""

WRITE_KEY = "write"
"""The article record's metadata key naming its committed write."""

_KEY = re.compile(r"(?P<chunk>.+)#(?P<write>[0-9a-f]{32})", re.DOTALL)


def new_write() -> str:
    return uuid.uuid4().hex


def stored_key(chunk_id: str, write: str) -> str:
    """The Chroma id of a chunk of a given write; a legacy chunk is stored under its own id."""
    return f"{chunk_id}#{write}" if write else chunk_id


def split_key(key: str) -> tuple[str, str]:
    """(chunk id, write id) of a stored chunk key."""
    match = _KEY.fullmatch(key)
    return (match["chunk"], match["write"]) if match else (key, LEGACY)


def article_of(chunk_id: str) -> str:
    """The article id in a chunk id (``{article_id}:{index}``)."""
    return chunk_id.rpartition(":")[0]


@dataclass(frozen=True)
class Committed:
    """Which write of each article readers are served, as of one index generation."""

    generation: str
    writes: Mapping[str, str]
    stories: Mapping[str, str] = field(default_factory=dict)
    """Each article's story id (``ingest.index.stories``)."""

    def chunk_id(self, key: str) -> str | None:
        """The chunk id behind a stored key if that chunk is visible, else None."""
        chunk_id, write = split_key(key)
        return chunk_id if self.writes.get(article_of(chunk_id)) == write else None


def this_writer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Intent(BaseModel):
    """A write (or deletion) of one article under way, recorded before it touches anything."""

    write: str
    article_id: str
    kind: Literal["write", "delete"]
    owner: str = Field(default_factory=this_writer, description="host:pid of the writer")
    started: float = Field(default_factory=time.time)

    def stale(self, after_seconds: float) -> bool:
        """Whether the writer is gone: older than ``after_seconds``, or started on this host by
        a process that no longer exists. A writer on another host (a replica, an ingest
        worker) is trusted until the age limit."""
        if time.time() - self.started >= after_seconds:
            return True
        host, _, pid = self.owner.rpartition(":")
        return host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, run by another user
    return True


class RepairAction(BaseModel):
    article_id: str
    what: Literal["write", "delete", "orphan"] = Field(
        description="What was cut short: a write, a deletion, or nothing known (chunks no "
        "record names and no intent claims, e.g. left by a version without write ids)."
    )
    outcome: Literal["completed", "rolled back", "removed"]
    chunks_removed: int
    versions_removed: int = Field(
        0,
        description="Kept versions removed: a copy an unfinished write made, or a deleted "
        "article's.",
    )

    def __str__(self) -> str:
        versions = f", {self.versions_removed} versions" if self.versions_removed else ""
        if self.what == "orphan":
            return (
                f"removed {self.chunks_removed} orphan chunks{versions} of article "
                f"{self.article_id}"
            )
        return (
            f"{self.what} of article {self.article_id} cut short, {self.outcome} "
            f"({self.chunks_removed} chunks{versions} removed)"
        )


class RepairReport(BaseModel):
    """What opening the index found left by writers that stopped half-way, and did about it."""

    actions: list[RepairAction] = Field(default_factory=list)
    pending: int = Field(0, description="Writes under way by live writers, left to them.")

    @property
    def changed(self) -> bool:
        return bool(self.actions)
