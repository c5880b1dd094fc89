"""The answer log and user feedback, in SQLite.

Every answer is kept whole (question, retrieved passages, citations, timings) under its id, so
``GET /answers/{id}`` and a thumbs-down can be traced to exactly what the user saw, whichever
channel (API, chat page, Slack) produced it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.contract import Answer
from service.settings import Settings
from service.stores.sqlite import SqliteStore

Rating = Literal["up", "down"]
MAX_COMMENT_CHARS = 2000


class UnknownAnswer(KeyError):
    """Feedback names an answer id that was never recorded."""

    def __init__(self, answer_id: str):
        super().__init__(answer_id)
        self.answer_id = answer_id

    def __str__(self) -> str:
        return f"no answer with id '{self.answer_id}'"


class Feedback(BaseModel):
    id: int
    answer_id: str
    rating: Rating
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    channel: str = "api"
    created_at: datetime


class AnswerLog(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS answers (
        id TEXT PRIMARY KEY,
        question TEXT NOT NULL,
        status TEXT NOT NULL,
        channel TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        comment TEXT,
        channel TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerLog:
        return cls(settings.sqlite_path)

    def record_answer(self, answer: Answer, channel: str = "api") -> None:
        """Keep the whole answer under its id; recording the same id again replaces it."""
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers (id, question, status, channel, created_at, body)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    answer.id,
                    answer.question,
                    answer.status,
                    channel,
                    answer.created_at.isoformat(),
                    answer.model_dump_json(),
                ),
            )

    def get_answer(self, answer_id: str) -> Answer | None:
        """The answer exactly as it was given, with its passages and citations."""
        with self.connect() as db:
            row = db.execute("SELECT body FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return Answer.model_validate_json(row["body"]) if row else None

    def record_feedback(
        self,
        answer_id: str,
        rating: Rating,
        comment: str | None = None,
        channel: str = "api",
    ) -> Feedback:
        """Store a thumbs up/down; raises UnknownAnswer if the answer was never recorded."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
        created = datetime.now(UTC)
        with self.connect() as db:
            if not db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone():
                raise UnknownAnswer(answer_id)
            cursor = db.execute(
                "INSERT INTO feedback (answer_id, rating, comment, channel, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (answer_id, rating, comment, channel, created.isoformat()),
            )
            row_id = cursor.lastrowid
        return Feedback(
            id=row_id,
            answer_id=answer_id,
            rating=rating,
            comment=comment,
            channel=channel,
            created_at=created,
        )

    def list_feedback(self, answer_id: str | None = None) -> list[Feedback]:
        """Feedback rows, oldest first; all of them, or those for one answer."""
        query = "SELECT * FROM feedback"
        params: tuple[str, ...] = ()
        if answer_id is not None:
            query += " WHERE answer_id = ?"
            params = (answer_id,)
        with self.connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [Feedback(**dict(row)) for row in rows]
