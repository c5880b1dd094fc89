"""Every decline rule in one place: what each checks, the exact words the reader gets, and the
switch that turns it off."""

import pytest

from service.answering.declines import (
    ABSENT_NAME,
    KIND_MESSAGES,
    RULES,
    UNKNOWN_OUTLET,
    WEAK_EVIDENCE,
    WEAK_OUTLET,
    Declines,
    Evidence,
    llm_decline_message,
    weak_evidence_message,
)
from service.question.parsed import ParsedQuestion
from service.settings import AnsweringSettings, Settings

pytestmark = pytest.mark.unit

NOT_FOUND = "I could not find this in the indexed articles: "


def declines(**settings) -> Declines:
    return Declines(Settings(_env_file=None, **settings))


def no_absent_names(parsed: ParsedQuestion) -> list[str]:
    return []


def not_looked_up(parsed: ParsedQuestion) -> list[str]:
    raise AssertionError("the absent-name rule is off: nothing to look up")


def test_every_rule_but_the_models_own_has_a_switch_that_is_on_by_default():
    switches = [rule.setting for rule in RULES if rule.setting]
    assert switches == [
        "decline_unknown_outlets",
        "decline_absent_names",
        "decline_weak_outlets",
        "decline_weak_evidence",
    ]
    defaults = AnsweringSettings(_env_file=None)
    assert all(getattr(defaults, switch) is True for switch in switches)
    assert [rule.setting for rule in RULES].count(None) == 1


def test_the_decline_texts_are_the_ones_readers_have_always_had():
    parsed = ParsedQuestion(text="", unknown_outlets=["Bloomberg", "CNET"])
    assert declines().before_answering(parsed, no_absent_names) == (
        NOT_FOUND + "none of them comes from “Bloomberg” or “CNET”, which the question relies on."
    )
    named = ParsedQuestion(text="", names=["A B", "C D", "E F"])
    assert declines().before_answering(named, lambda parsed: parsed.names) == (
        NOT_FOUND + "none of them mentions “A B”, “C D” or “E F”."
    )
    assert WEAK_OUTLET.message.format(outlet="TechCrunch") == (
        NOT_FOUND + "no article from “TechCrunch” comes close to what the question says about it."
    )
    assert (
        weak_evidence_message(None)
        == WEAK_EVIDENCE.message
        == (NOT_FOUND + "no passage answers the question closely enough to quote.")
    )
    assert (
        weak_evidence_message("time")
        == KIND_MESSAGES["time"]
        == (
            NOT_FOUND + "no passage gives the time the question asks about closely enough to quote."
        )
    )
    assert llm_decline_message(None) == NOT_FOUND + "no passage answers the question."
    assert llm_decline_message("the model said so") == NOT_FOUND + "the model said so."


def test_the_rules_before_answering_read_the_parsed_question_and_can_be_switched_off():
    """No raw text: the object alone says what the question credits and names."""
    parsed = ParsedQuestion(text="", unknown_outlets=["Bloomberg"], names=["Shubha Satheesh"])
    assert declines().before_answering(parsed, no_absent_names) == UNKNOWN_OUTLET.message.format(
        outlets="“Bloomberg”"
    )
    relaxed = declines(decline_unknown_outlets=False)
    assert relaxed.before_answering(parsed, lambda p: p.names) == ABSENT_NAME.message.format(
        names="“Shubha Satheesh”"
    )
    assert relaxed.before_answering(parsed, no_absent_names) is None
    both_off = declines(decline_unknown_outlets=False, decline_absent_names=False)
    assert both_off.before_answering(parsed, not_looked_up) is None


@pytest.mark.parametrize(
    ("evidence", "kind", "expected"),
    [
        (Evidence(0.40), None, None),
        (Evidence(0.38), None, None),  # the threshold itself clears it
        (Evidence(0.37), None, WEAK_EVIDENCE.message),
        (Evidence(0.37), "name", KIND_MESSAGES["name"]),
        # naming outlets holds the question to the outlet threshold (0.33), not the general one
        (Evidence(0.36, 0.34, "The Roar"), None, None),
        (Evidence(0.50, 0.30, "The Roar"), None, WEAK_OUTLET.message.format(outlet="The Roar")),
        (Evidence(0.32, 0.30, "The Roar"), "quantity", KIND_MESSAGES["quantity"]),
    ],
)
def test_the_evidence_rules_at_the_calibrated_thresholds(evidence, kind, expected):
    assert declines().on_evidence(evidence, kind) == expected


def test_weak_outlet_off_judges_the_plain_evidence_by_the_general_threshold():
    relaxed = declines(decline_weak_outlets=False)
    assert relaxed.on_evidence(Evidence(0.50, 0.30, "The Roar"), None) is None
    assert relaxed.on_evidence(Evidence(0.36, 0.34, "The Roar"), None) == WEAK_EVIDENCE.message
    assert relaxed.judged(Evidence(0.36, 0.34, "The Roar")) == (0.36, 0.38)
    assert not relaxed.counts_outlets(Evidence(0.36, 0.34, "The Roar"))


def test_weak_evidence_off_quotes_however_weak_and_whatever_the_kind():
    relaxed = declines(decline_weak_evidence=False)
    assert not relaxed.kind_required and declines().kind_required
    assert relaxed.on_evidence(Evidence(0.05), "name") is None
    assert relaxed.on_evidence(Evidence(0.32, 0.30, "The Roar"), None) is None
    # the weak-outlet rule is its own: still on, it still names the outlet
    assert relaxed.on_evidence(Evidence(0.50, 0.30, "The Roar"), None) == (
        WEAK_OUTLET.message.format(outlet="The Roar")
    )


def test_calibration_moves_the_thresholds_and_nothing_else():
    moved = declines(decline_weak_outlets=False).with_thresholds(0.30, 0.20)
    assert moved.judged(Evidence(0.31, 0.25, "X")) == (0.31, 0.30)
    assert moved.on_evidence(Evidence(0.29), None) == WEAK_EVIDENCE.message
    assert moved.settings.decline_weak_outlets is False
