"""The relation a main clause asks of its sides, and its negation."""

import pytest

from service.question.relations import relation_of


@pytest.mark.parametrize(
    ("clause", "relation"),
    [
        ("was the review consistent with the vote report", "agree"),
        ("was the review not consistent with the vote report", "conflict"),
        ("did the review contradict the vote report", "conflict"),
        ("was there a change in the expected cost", "differ"),
        ("was there no change in the expected cost", "same"),
        ("was there no real difference between them", "same"),
        ("did the review give the cost", None),
    ],
)
def test_the_first_relation_word_decides_and_a_negation_turns_it(clause, relation):
    assert relation_of(clause) == relation
