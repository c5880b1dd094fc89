"""The feeds newsdesk watches and what their last poll left (ETag, Last-Modified, items seen),
in the SQLite file every replica and the CLI share, so a feed is polled conditionally whoever
polls it next."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from ingest.web.feeds import FeedState
from ingest.web.harvest import WebSummary
from service.settings import Settings
from service.stores.sqlite import SqliteStore


class WatchedFeed(BaseModel):
    url: str
    added_at: datetime
    polled_at: datetime | None = Field(None, description="When it was last polled (None: never).")
    state: FeedState = Field(default_factory=FeedState)
    last: WebSummary | None = Field(None, description="What the last poll did.")


class FeedStore(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS feeds (
        url TEXT PRIMARY KEY,
        added_at TEXT NOT NULL,
        polled_at TEXT,
        state TEXT NOT NULL,
        last TEXT
    );
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedStore:
        return cls(settings.sqlite_path)

    def add(self, url: str) -> bool:
        """Watch the feed; False when it was watched already (nothing changes then)."""
        with self.connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (url, added_at, state) VALUES (?, ?, ?)",
                (url, datetime.now(UTC).isoformat(), FeedState().model_dump_json()),
            )
        return cursor.rowcount == 1

    def get(self, url: str) -> WatchedFeed | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row) if row is not None else None

    def all(self) -> list[WatchedFeed]:
        with self.connect() as db:
            rows = db.execute("SELECT * FROM feeds ORDER BY added_at, url").fetchall()
        return [_feed(row) for row in rows]

    def record_poll(self, url: str, state: FeedState, summary: WebSummary) -> None:
        with self.connect() as db:
            db.execute(
                "UPDATE feeds SET polled_at = ?, state = ?, last = ? WHERE url = ?",
                (
                    datetime.now(UTC).isoformat(),
                    state.model_dump_json(),
                    summary.model_dump_json(),
                    url,
                ),
            )


def _feed(row) -> WatchedFeed:
    return WatchedFeed(
        url=row["url"],
        added_at=row["added_at"],
        polled_at=row["polled_at"],
        state=FeedState.model_validate_json(row["state"]),
        last=WebSummary.model_validate_json(row["last"]) if row["last"] else None,
    )
