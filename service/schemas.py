"""Request bodies shared by the API, the CLI, Slack and the eval runner."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pydantic import BaseModel, Field, field_validator, model_validator

MAX_QUESTION_CHARS = 2000


def as_utc(value: date | datetime | None, end_of_day: bool = False) -> datetime | None:
    """A bare date means the whole day; a naive time is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end_of_day else time.min)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AskRequest(BaseModel):
    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        examples=["How many North Korean troops were killed or wounded in the Kursk region?"],
    )
    top_k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve.")
    published_after: datetime | date | None = Field(None, examples=["2023-11-01"])
    published_before: datetime | date | None = Field(None, examples=["2023-12-31"])
    source: str | None = Field(None, max_length=200, examples=["The Verge"])
    as_of: date | None = Field(
        None, description="The date relative dates in the question are judged against."
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the question is empty")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> AskRequest:
        after, before = self.after_utc, self.before_utc
        if after and before and after > before:
            raise ValueError("published_after is later than published_before")
        return self

    @property
    def after_utc(self) -> datetime | None:
        return as_utc(self.published_after)

    @property
    def before_utc(self) -> datetime | None:
        return as_utc(self.published_before, end_of_day=True)
