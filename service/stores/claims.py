"""Claims on work that exactly one replica must do, kept in the SQLite file replicas share.

A Slack message must be answered once, however many replicas its deliveries and Slack's retries
reach. The first delivery to claim the message's key answers it. A claim holds for a lease that
its holder renews while it works: a replica that dies lets the claim lapse, and a later delivery
(Slack's retry) takes the work over; one that fails releases it at once; one that finishes closes
it, so no later delivery does the work again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.settings import Settings
from service.stores.sqlite import SqliteStore

KEEP_SECONDS = 24 * 3600
"""How long a claim is remembered after its last change: Slack retries for about six minutes."""


@dataclass(frozen=True)
class Claim:
    """The right to do the work of ``key``, for as long as ``token`` holds it."""

    key: str
    token: str


class Claims(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS claims (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('held', 'open', 'done')),
        token TEXT NOT NULL,
        lease_until REAL NOT NULL,
        attempts INTEGER NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS claims_updated ON claims(updated_at);
    """

    def __init__(
        self,
        path: Path | str,
        lease_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(path)
        self.lease_seconds = lease_seconds
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> Claims:
        return cls(settings.sqlite_path, settings.slack_claim_lease_seconds)

    def claim(self, key: str) -> Claim | None:
        """The claim on ``key`` when no one has done its work and no one holds it; else None.

        One statement decides, under SQLite's write lock, so of any number of processes
        claiming at once exactly one gets it.
        """
        now = self.clock()
        token = uuid.uuid4().hex
        with self.connect() as db:
            db.execute("DELETE FROM claims WHERE updated_at < ?", (now - KEEP_SECONDS,))
            row = db.execute(
                "INSERT INTO claims (key, state, token, lease_until, attempts, updated_at)"
                " VALUES (?, 'held', ?, ?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET state = 'held', token = excluded.token,"
                " lease_until = excluded.lease_until, attempts = claims.attempts + 1,"
                " updated_at = excluded.updated_at"
                " WHERE claims.state = 'open'"
                " OR (claims.state = 'held' AND claims.lease_until <= excluded.updated_at)"
                " RETURNING token",
                (key, token, now + self.lease_seconds, now),
            ).fetchone()
        return Claim(key, token) if row is not None else None

    def renew(self, claim: Claim) -> bool:
        """Extends the lease while the work goes on; False when the claim lapsed and was taken."""
        now = self.clock()
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE claims SET lease_until = ?, updated_at = ?"
                " WHERE key = ? AND token = ? AND state = 'held'",
                (now + self.lease_seconds, now, claim.key, claim.token),
            )
        return cursor.rowcount == 1

    def release(self, claim: Claim) -> None:
        """The work failed: the next delivery may claim it at once."""
        with self.connect() as db:
            db.execute(
                "UPDATE claims SET state = 'open', updated_at = ?"
                " WHERE key = ? AND token = ? AND state = 'held'",
                (self.clock(), claim.key, claim.token),
            )

    def finish(self, claim: Claim) -> None:
        """The work is done: no later delivery does it again, whoever holds the claim now."""
        with self.connect() as db:
            db.execute(
                "UPDATE claims SET state = 'done', updated_at = ? WHERE key = ?",
                (self.clock(), claim.key),
            )
