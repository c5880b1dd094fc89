"""The claim judge's word test: a claim a sentence states in other order, and the words that
may not go missing."""

import pytest

from ingest.models import Chunk
from service.answering.direct.judge import ClaimJudge, states_every_word
from service.answering.sentence_vectors import SentenceVectors
from service.answering.support import SupportChecker
from service.contract import Passage
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


@pytest.mark.integration
def test_a_sentence_an_earlier_question_embedded_does_not_change_the_judgement(embedder):
    """The claim is judged among the sentences embedded for its own question, whatever the
    shared sentence cache holds from questions asked before."""
    url = "https://example.org/estoria/rates"
    text = (
        "The Central Bank of Estoria kept its main rate at 4.25 percent on Thursday. "
        + BOARD
        + " The board meets again in six weeks."
    )
    chunk = Chunk(
        id=Chunk.make_id(url, 0),
        article_id=url,
        index=0,
        text=text,
        start=0,
        end=len(text),
        title="Estoria holds its rate",
        url=url,
        source="Example Wire",
    )
    passage = Passage(chunk=chunk, rank=1)
    sentences = [s for _, _, s in SupportChecker.evidence_sentences(passage)]
    vectors = SentenceVectors(embedder)
    judge = ClaimJudge(vectors)
    claim = Claim("anyone on the board voted for a cut")
    this_question = frozenset(sentences[:1])
    alone = judge.rank(claim, [passage], embedded=this_question)
    vectors.embed(sentences)
    after = judge.rank(claim, [passage], embedded=this_question)
    assert [s.text for s in after] == [s.text for s in alone] == sentences[:1]
    every = judge.rank(claim, [passage], embedded=frozenset(sentences))
    assert BOARD in every[0].text, "embedded for the question, the stating sentence ranks first"
