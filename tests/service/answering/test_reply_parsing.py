"""A chat model's reply read back: sentences with their markers, the decline form, reasoning."""

from __future__ import annotations

import pytest

from service.answering.reply_parsing import (
    DECLINE_FORM,
    is_decline,
    parse_answer,
    shown_text,
    undecided,
)

pytestmark = pytest.mark.unit


def test_markers_attach_to_their_sentences():
    drafts = parse_answer(
        "Yes. Apple sued Epic in 2020 [1]. The court ruled in 2023. [2][3]\n"
        "- Analysts disagreed [1, 4].\n[5]"
    )
    assert [(d.text, d.markers) for d in drafts] == [
        ("Apple sued Epic in 2020.", [1]),
        ("The court ruled in 2023.", [2, 3]),
        ("Analysts disagreed.", [1, 4, 5]),
    ]


def test_reasoning_blocks_are_not_part_of_the_answer():
    drafts = parse_answer("<think>Passage [9] says...</think>\nNo. It was denied [2].")
    assert [(d.text, d.markers) for d in drafts] == [("It was denied.", [2])]


@pytest.mark.parametrize(
    "reply, first",
    [
        ("Yes. Revenue rose [1].", "Revenue rose."),
        ("**No**, the vote failed [2].", "The vote failed."),
        ("Yes, it rose 22 percent [1].", "It rose 22 percent."),
        ("No one was hurt [1].", "No one was hurt."),
        ("Norrvik cut jobs [1].", "Norrvik cut jobs."),
    ],
)
def test_a_bare_yes_or_no_opening_is_never_kept(reply, first):
    """The verdict is decided in code from checked claims, never taken from the model."""
    assert parse_answer(reply)[0].text == first


@pytest.mark.parametrize(
    "reply, declined",
    [
        (DECLINE_FORM, True),
        (f" `{DECLINE_FORM}`.", True),
        (f"<think>nothing here</think>{DECLINE_FORM}", True),
        ("Insufficient evidence is what critics cited [1].", False),
        ("Yes. [1]", False),
    ],
)
def test_the_fixed_decline_form_is_recognised(reply, declined):
    assert is_decline(reply) is declined


def test_an_opening_that_could_still_be_the_decline_form_is_held_back():
    assert undecided("INSUFF") and undecided("<think>weighing the passages")
    assert not undecided("Yes. It was [1]") and not undecided("<think>x</think>Nor")
    assert shown_text("<think>x</think>\n Yes. it was ") == "It was "


@pytest.mark.parametrize("opening", ["Y", "Ye", "Yes", "Yes.", "No", "No, ", "<think>a</think>No."])
def test_an_opening_that_could_still_be_a_verdict_is_held_back(opening):
    assert undecided(opening)
    assert not undecided(opening + " it rose") or opening in ("Y", "Ye")
