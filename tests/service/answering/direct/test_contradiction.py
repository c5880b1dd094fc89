"""The visible signs that a sentence about a claim says otherwise, on sentences from examples/."""

import pytest

from service.answering.direct.contradiction import disagreement, figures, stance


def test_figures_are_keyed_by_what_they_count():
    found = figures("Skyhaven cancelled 140 flights, affecting about 18,000 passengers, in 2024.")
    assert found["flight"] == {"140"}
    assert found["passenger"] == {"18000"}
    assert "2024" in next(v for k, v in found.items() if k.startswith("<"))


@pytest.mark.parametrize(
    ("claim", "sentence", "reason"),
    [
        ("Skyhaven cancel 200 flights", "Skyhaven cancelled 140 flights on Tuesday.", "140"),
        (
            "the factory due to start production in 2025",
            "The factory is due to start production in 2026.",
            "2026",
        ),
        (
            "Norrvik report higher net income",
            "Net income was 188 million dollars, down from 240 million a year earlier.",
            "fall",
        ),
        (
            "the soldiers have combat experience",
            "While these soldiers lack combat experience, they are resilient.",
            "opposite",
        ),
        (
            "Meridian-4b cool enough for liquid water on its surface",
            "Its surface is about 380 kelvin, too hot for liquid water on the surface.",
            "opposite",
        ),
    ],
)
def test_a_sentence_saying_otherwise_contradicts(claim, sentence, reason):
    found = disagreement(claim, sentence)
    assert found is not None and reason in found.reason


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("the crown gain against the euro", "The crown rose 0.4 percent against the euro."),
        ("building work start in 2025", "Construction will still begin in 2025."),
        ("the council approved the tram", "The council approved the tram, ending years of talks."),
        # A negation elsewhere in the sentence bears on something else.
        (
            "the striker scored 31 goals last season",
            "He scored 31 goals last season, though not all of them in the league.",
        ),
    ],
)
def test_a_sentence_saying_the_same_does_not(claim, sentence):
    assert disagreement(claim, sentence) is None


def test_without_negation_only_figures_and_directions_count():
    claim, sentence = "the soldiers have combat experience", "The soldiers lack combat experience."
    assert disagreement(claim, sentence, negation=False) is None


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("The council approved the tram.", "for"),
        ("Harrowgate city council voted 7 to 4 in favour of the line.", "for"),
        ("The four councillors who voted against argued for buses.", "against"),
        ("She asked for a referendum, which the majority rejected.", "against"),
        ("The crown rose 0.4 percent against the euro.", None),
        ("The board approved one plan and rejected another.", None),
    ],
)
def test_a_decision_has_a_stance_and_a_preposition_has_none(text, side):
    assert stance(text) == side


def test_a_stance_missing_from_the_sentence_is_taken_from_its_headline():
    claim, sentence = "the council reject the tram", "The council voted 7 to 4 to build the tram."
    assert disagreement(claim, sentence) is None
    found = disagreement(claim, sentence, headline="Council approves the tram")
    assert found is not None and "approval" in found.reason
    assert (
        disagreement("the council approve the tram", sentence, headline="Council approves") is None
    )
