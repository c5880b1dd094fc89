"""The claim judge's word test: a claim a sentence states in other order, and the words that
may not go missing."""

import pytest

from service.answering.direct.judge import states_every_word
from service.question.claims import Claim

BOARD = (
    "Six members of the policy board voted to hold and one, Clara Benes, voted for a cut of a "
    "quarter point."
)


@pytest.mark.parametrize(
    ("claim", "states"),
    [
        ("anyone on the board voted for a cut", True),
        ("one member of the board voted for a cut", True),
        ("anyone on the board voted against a cut", False),
        ("anyone on the board voted for a rise", False),
        ("the board did not vote for a cut", False),
    ],
)
def test_a_claim_is_stated_only_when_the_sentence_holds_every_word_but_its_grammar(claim, states):
    assert states_every_word(Claim(claim), BOARD) is states


def test_a_name_may_be_said_elsewhere_in_the_passage():
    claim = Claim("anyone on Estoria's board voted for a cut")
    assert not states_every_word(claim, BOARD)
    assert states_every_word(claim, BOARD, "The Central Bank of Estoria kept its rate on hold.")
    assert not states_every_word(Claim("anyone on the board voted for a cut"), "", BOARD)


def test_a_follow_ups_closing_parenthesis_names_what_the_passage_must_be_about():
    claim = Claim("anyone on the board voted for a cut (about Central Bank Estoria decide)")
    assert states_every_word(claim, BOARD, "The Central Bank of Estoria kept its rate on hold.")
    assert not states_every_word(claim, BOARD, "Norrvik Microdevices cut 900 jobs.")
