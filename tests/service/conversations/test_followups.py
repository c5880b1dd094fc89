from datetime import UTC, datetime

import pytest

from service.conversations.followups import is_followup, rewrite_followup
from service.conversations.store import Turn

pytestmark = pytest.mark.unit

FIRST = "How many North Korean troops were killed or wounded in the Kursk region?"


def turn(question: str, standalone: str | None = None) -> Turn:
    return Turn(
        index=0,
        question=question,
        standalone_question=standalone or question,
        created_at=datetime.now(UTC),
    )


def test_first_question_is_left_alone():
    assert rewrite_followup("and who said that?", []) == "and who said that?"


def test_pronoun_followup_carries_the_previous_entities():
    rewritten = rewrite_followup("and who said that?", [turn(FIRST)])
    assert rewritten.startswith("Who said that")
    for term in ("North", "Korean", "troops", "Kursk"):
        assert term in rewritten


def test_what_about_keeps_the_previous_question_and_the_new_subject():
    rewritten = rewrite_followup("What about Ukraine?", [turn(FIRST)])
    assert "Kursk" in rewritten and "Ukraine" in rewritten


def test_a_question_naming_its_own_subject_stands_alone():
    question = "Did Apple report record earnings in Q4 2023?"
    assert not is_followup(question)
    assert rewrite_followup(question, [turn(FIRST)]) == question


def test_uses_the_latest_standalone_question():
    history = [turn("Who won the vote?"), turn("and when?", "When was the Harrowgate tram vote?")]
    assert "Harrowgate" in rewrite_followup("Who opposed it?", history)


def test_a_plugged_in_rewriter_is_used():
    rewritten = rewrite_followup("and who said that?", [turn(FIRST)], lambda q, h: "LLM says")
    assert rewritten == "LLM says"


def test_a_failing_rewriter_falls_back_to_the_offline_one():
    def broken(question, history):
        raise TimeoutError("llm down")

    rewritten = rewrite_followup("and who said that?", [turn(FIRST)], broken)
    assert "Kursk" in rewritten


def answered(question: str, span: str) -> Turn:
    return turn(question).model_copy(update={"answer_span": span})


@pytest.mark.parametrize(
    ("previous", "followup", "expected"),
    [
        (
            "What temperature did Valmora record on Thursday?",
            "And on Friday?",
            "What temperature did Valmora record on Friday?",
        ),
        (
            "What temperature did Valmora record on Thursday?",
            "What about Friday?",
            "What temperature did Valmora record on Friday?",
        ),
        (
            "What revenue did Norrvik report for the fourth quarter?",
            "and the third quarter?",
            "What revenue did Norrvik report for the third quarter?",
        ),
        (
            FIRST,
            "And in Kharkiv?",
            "How many North Korean troops were killed or wounded in Kharkiv?",
        ),
    ],
)
def test_a_fragment_swaps_the_part_of_the_previous_question_it_names(previous, followup, expected):
    assert rewrite_followup(followup, [turn(previous)]) == expected


def test_a_fragment_whose_part_is_unclear_keeps_the_previous_terms():
    rewritten = rewrite_followup("And on Friday?", [turn("Who won the vote in March?")])
    assert "Friday" in rewritten and "vote" in rewritten


def test_he_stands_for_the_name_the_previous_answer_gave():
    history = [answered("Who runs Norrvik Microdevices?", "Tobias Lyng")]
    assert (
        rewrite_followup("What does he expect from phone makers?", history)
        == "What does Tobias Lyng expect from phone makers?"
    )
    assert rewrite_followup("Is his pay rising?", history) == "Is Tobias Lyng’s pay rising?"


def test_he_is_not_replaced_by_an_answer_that_was_not_a_name():
    history = [answered("How much did Norrvik earn?", "2.1 billion dollars")]
    rewritten = rewrite_followup("What does he expect from phone makers?", history)
    assert "2.1 billion" not in rewritten and "Norrvik" in rewritten
