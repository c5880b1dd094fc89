"""A minimal answered Answer, for tests of what stores and channels do with one."""

from datetime import UTC, datetime

from service.contract import Answer


def make_answer(question: str = "Who won?", **extra) -> Answer:
    return Answer(
        id=extra.pop("id", f"a-{abs(hash(question))}"),
        question=question,
        status="answered",
        text=extra.pop("text", "The council did [1]."),
        created_at=datetime.now(UTC),
        **extra,
    )
