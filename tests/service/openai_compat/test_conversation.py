"""The messages an OpenAI client sends read back as a question and the turns before it."""

from __future__ import annotations

import pytest

from service.openai_compat.conversation import NoQuestion, read_conversation
from service.openai_compat.schemas import ChatMessage

pytestmark = pytest.mark.unit


def messages(*pairs: tuple[str, object]) -> list[ChatMessage]:
    return [ChatMessage(role=role, content=content) for role, content in pairs]


def test_the_last_user_message_is_the_question_and_earlier_ones_are_turns():
    read = read_conversation(
        messages(
            ("system", "Be brief."),
            ("user", "What did Valmora record on Thursday?"),
            ("assistant", "The city recorded 41.3 degrees. [1]\n\nSources:\n[1] Valmora"),
            ("user", "And on Friday?"),
            ("assistant", "I could not find this."),
            ("user", [{"type": "text", "text": "Who is the mayor?"}, {"type": "image_url"}]),
        )
    )
    assert read.question == "Who is the mayor?"
    first, second = read.history
    assert first.standalone_question == first.question == "What did Valmora record on Thursday?"
    assert first.answer_text == "The city recorded 41.3 degrees. [1]"
    assert second.question == "And on Friday?"
    assert second.standalone_question == "What did Valmora record on Friday?"
    assert second.answer_text == "I could not find this."


def test_a_span_answer_is_what_a_pronoun_next_stands_for():
    read = read_conversation(
        messages(
            ("user", "Who is the mayor of Valmora?"),
            ("assistant", "**Mayor Aurelio Pask** [1]\n\nMayor Aurelio Pask asked… [1]"),
            ("user", "What did he ask employers?"),
        )
    )
    assert read.history[0].answer_span == "Mayor Aurelio Pask"


@pytest.mark.parametrize(
    ("pairs", "index"),
    [
        ((("user", "Who?"), ("assistant", "Pask.")), 1),
        ((("user", "  "),), 0),
        ((("user", [{"type": "image_url"}]),), 0),
    ],
)
def test_no_question_at_the_end_is_refused_naming_the_message(pairs, index):
    with pytest.raises(NoQuestion) as refused:
        read_conversation(messages(*pairs))
    assert refused.value.index == index
