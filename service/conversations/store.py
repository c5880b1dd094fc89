"""Conversations and their turns, in SQLite, so follow-ups can be read against what came before.

A conversation is created by ``POST /chat`` without an id, or looked up by an external key (a
Slack thread is ``"{channel}:{thread_ts}"``). Each turn keeps the question as asked, the
standalone question it was rewritten into, and the answer's id, text and status; the full answer
with its passages is in the answer log (service.stores.answer_log).
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from service.contract import Answer
from service.settings import Settings
from service.stores.sqlite import SqliteStore


class Turn(BaseModel):
    index: int = Field(ge=0, description="Position in the conversation, from 0.")
    question: str = Field(description="The question as the user asked it.")
    standalone_question: str = Field(description="The question that was actually answered.")
    answer_id: str | None = None
    answer_text: str = ""
    answer_span: str = Field(
        default="",
        description="The direct answer's name, figure or date, when it gave one: what a "
        "pronoun in the next question may stand for.",
    )
    status: Literal["answered", "declined"] = "answered"
    created_at: datetime


class Conversation(BaseModel):
    id: str
    channel: str = "api"
    external_key: str | None = None
    created_at: datetime
    turns: list[Turn] = Field(default_factory=list)


class ConversationStore(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS conversations (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        external_key TEXT UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS turns (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        question TEXT NOT NULL,
        standalone_question TEXT NOT NULL,
        answer_id TEXT,
        answer_text TEXT NOT NULL,
        answer_span TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (conversation_id, idx)
    );
    """

    def __init__(self, path: Path | str):
        super().__init__(path)
        with self.connect() as db:
            columns = {row["name"] for row in db.execute("PRAGMA table_info(turns)")}
            if "answer_span" not in columns:
                # A file written before turns kept their answer's span.
                db.execute("ALTER TABLE turns ADD COLUMN answer_span TEXT NOT NULL DEFAULT ''")

    @classmethod
    def from_settings(cls, settings: Settings) -> ConversationStore:
        return cls(settings.sqlite_path)

    def create(self, channel: str = "api", external_key: str | None = None) -> Conversation:
        """A new, empty conversation with a fresh random id."""
        conversation = Conversation(
            id=uuid.uuid4().hex,
            channel=channel,
            external_key=external_key,
            created_at=datetime.now(UTC),
        )
        with self.connect() as db:
            db.execute(
                "INSERT INTO conversations (id, channel, external_key, created_at)"
                " VALUES (?, ?, ?, ?)",
                (conversation.id, channel, external_key, conversation.created_at.isoformat()),
            )
        return conversation

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation with all its turns, oldest first; None when the id is unknown."""
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                return None
            turns = db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY idx", (conversation_id,)
            ).fetchall()
        return Conversation(
            id=row["id"],
            channel=row["channel"],
            external_key=row["external_key"],
            created_at=row["created_at"],
            turns=[_turn(t) for t in turns],
        )

    def get_or_create(self, external_key: str, channel: str) -> Conversation:
        """The conversation for an outside thread (e.g. a Slack thread), created on first use."""
        with self.connect() as db:
            row = db.execute(
                "SELECT id FROM conversations WHERE external_key = ?", (external_key,)
            ).fetchone()
        if row is not None:
            return self.get(row["id"])  # type: ignore[return-value]
        try:
            return self.create(channel=channel, external_key=external_key)
        except sqlite3.IntegrityError:
            return self.get_or_create(external_key, channel)

    def history(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        """The last ``limit`` turns, oldest first: what a follow-up is read against."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY idx DESC LIMIT ?",
                (conversation_id, limit),
            ).fetchall()
        return [_turn(r) for r in reversed(rows)]

    def add_turn(self, conversation_id: str, question: str, answer: Answer) -> Turn:
        """Append the question and its answer; raises KeyError for an unknown conversation."""
        created = datetime.now(UTC)
        standalone = answer.standalone_question or answer.question
        with self.connect() as db:
            if not db.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone():
                raise KeyError(conversation_id)
            (count,) = db.execute(
                "INSERT INTO turns (conversation_id, idx, question, standalone_question,"
                " answer_id, answer_text, answer_span, status, created_at)"
                " SELECT ?, COALESCE(MAX(idx) + 1, 0), ?, ?, ?, ?, ?, ?, ?"
                " FROM turns WHERE conversation_id = ? RETURNING idx",
                (
                    conversation_id,
                    question,
                    standalone,
                    answer.id,
                    answer.text,
                    answer_span(answer),
                    answer.status,
                    created.isoformat(),
                    conversation_id,
                ),
            ).fetchone()
        return Turn(
            index=count,
            question=question,
            standalone_question=standalone,
            answer_id=answer.id,
            answer_text=answer.text,
            answer_span=answer_span(answer),
            status=answer.status,
            created_at=created,
        )


def _turn(row: sqlite3.Row) -> Turn:
    return Turn(
        index=row["idx"],
        question=row["question"],
        standalone_question=row["standalone_question"],
        answer_id=row["answer_id"],
        answer_text=row["answer_text"],
        answer_span=row["answer_span"],
        status=row["status"],
        created_at=row["created_at"],
    )


def answer_span(answer: Answer) -> str:
    """The span a direct answer gave ("Ilse Marven"), or "" for a verdict or no answer."""
    direct = answer.direct
    return direct.text if direct is not None and direct.form in ("span", "outlet") else ""
