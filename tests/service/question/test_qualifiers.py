"""Occasions named in a question and in a sentence: another day, quarter or season is another
fact, and a follow-up fragment swaps the occasion it names."""

import pytest

from service.question.qualifiers import clash, qualifiers, replaced

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("asked", "said", "other"),
    [
        (
            "How many Skyhaven flights were cancelled on Thursday?",
            "Skyhaven cancelled 140 flights on Tuesday and Wednesday.",
            ["Tuesday", "Wednesday"],
        ),
        (
            "What revenue did Norrvik report for the third quarter?",
            "Its fourth-quarter revenue fell 6 percent to 2.1 billion dollars.",
            ["fourth-quarter"],
        ),
        ("What did Kestrel earn in Q2?", "Revenue rose in the first quarter.", ["first quarter"]),
        (
            "How many goals did he score in his first season at Northbridge?",
            "He scored 31 goals in all competitions last season.",
            ["last season"],
        ),
        ("Who won the 2024 election?", "She won the 2019 election by 400 votes.", ["2019"]),
    ],
)
def test_another_occasion_of_the_same_kind_clashes(asked, said, other):
    found = clash(asked, said)
    assert found is not None
    assert [q.text for q in found[1]] == other


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        # the asked occasion is among those named
        ("What fell on Tuesday?", "Flights were cancelled on Tuesday and Wednesday."),
        # a sentence naming no occasion of that kind says nothing against it
        ("How many flights were cancelled on Thursday?", "Skyhaven cancelled 140 flights."),
        # occasions of different kinds do not compare: last year is not a weekday
        ("What did Norrvik earn last year?", "Norrvik said on Tuesday that revenue fell."),
        ("Who won in 2024?", "She won in 2024 after losing in 2020."),
        ("What did it report for the fourth quarter?", "Q4 revenue rose 12 percent."),
    ],
)
def test_the_same_or_an_unnamed_occasion_does_not_clash(asked, said):
    assert clash(asked, said) is None


def test_a_fragment_swaps_the_one_occasion_of_its_kind():
    fragment = "And Friday?"
    assert (
        replaced("What did Valmora record on Thursday?", qualifiers(fragment))
        == "What did Valmora record on Friday?"
    )
    # two weekdays: which one the fragment replaces is a guess, so none is made
    assert replaced("Flights on Tuesday and Wednesday?", qualifiers(fragment)) is None
    assert replaced("What did Valmora record?", qualifiers(fragment)) is None
