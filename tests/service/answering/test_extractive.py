"""The extractive answerer quotes the sentences that answer, from the question as parsed once;
the decline rules it consults decide when the evidence is too weak."""

from dataclasses import replace

import pytest

from ingest.models import Chunk
from service.answering.declines import KIND_MESSAGES, WEAK_OUTLET, Declines
from service.answering.extractive import ExtractiveAnswerer
from service.answering.sentence_vectors import SentenceVectors
from service.contract import Passage
from service.question.parsed import parse_question
from service.settings import Settings

pytestmark = pytest.mark.integration

ARTICLE = "https://example.org/science/penicillin-history"
TEXT = (
    "The discovery of penicillin changed medicine for ever, and doctors still prescribe the "
    "drug every day around the world. Penicillin was first discovered in 1928, in a "
    "laboratory where a mould had contaminated a dish of bacteria. Before antibiotics, a "
    "scratch could turn into a fatal infection within a few days of the injury."
)


def answerer_for(embedder, **rules) -> ExtractiveAnswerer:
    settings = Settings(_env_file=None, **rules)
    return ExtractiveAnswerer(SentenceVectors(embedder), Declines(settings))


@pytest.fixture(scope="module")
def answerer(embedder) -> ExtractiveAnswerer:
    return answerer_for(embedder)


def passage_for(embedder, question: str, text: str = TEXT) -> Passage:
    chunk = Chunk(
        id=Chunk.make_id(ARTICLE, 0),
        article_id=ARTICLE,
        index=0,
        text=text,
        start=0,
        end=len(text),
        title="How penicillin changed medicine",
        url=ARTICLE,
        source="Example Science",
    )
    similarity = float(embedder.embed([text])[0] @ embedder.embed_query(question))
    return Passage(chunk=chunk, rank=1, dense_score=similarity)


def ask(answerer, embedder, question: str, text: str = TEXT, **kwargs):
    return answerer.answer(
        parse_question(question),
        embedder.embed_query(question),
        [passage_for(embedder, question, text)],
        **kwargs,
    )


def test_a_who_question_is_declined_when_the_passage_names_nobody(answerer, embedder):
    extract = ask(answerer, embedder, "Who discovered penicillin?")
    assert extract.sentences == [] and extract.declined == KIND_MESSAGES["name"]


def test_a_when_question_about_the_same_passage_quotes_the_date(answerer, embedder):
    extract = ask(answerer, embedder, "When was penicillin discovered?")
    assert extract.sentences, f"evidence {extract.evidence.plain:.3f}"
    assert "1928" in extract.sentences[0].text
    assert all("1928" in c.quote or "days" in c.quote for c in extract.citations)


def test_a_who_question_quotes_the_sentence_that_opens_with_the_name(answerer, embedder):
    text = (
        "Visitors to St Mary's Hospital in London can still see the laboratory of Alexander "
        "Fleming, which opened as a museum. Fleming discovered penicillin in 1928, after a "
        "mould spoiled one of his dishes of bacteria."
    )
    extract = ask(answerer, embedder, "Who discovered penicillin?", text)
    assert extract.sentences, f"evidence {extract.evidence.plain:.3f}"
    assert extract.sentences[0].text.startswith("Fleming discovered penicillin")


def test_the_answerer_reads_the_parsed_question_not_its_text(answerer, embedder):
    """The kind asked for comes from the parsed object: told the question wants a name, the
    answerer finds nothing to quote in a passage it quotes for the question as written."""
    question = "When was penicillin discovered?"
    assert ask(answerer, embedder, question).sentences
    parsed = replace(parse_question(question), kind="name")
    extract = answerer.answer(
        parsed, embedder.embed_query(question), [passage_for(embedder, question)]
    )
    assert extract.sentences == []


def test_weak_evidence_off_quotes_the_best_sentences_whatever_they_hold(embedder):
    relaxed = answerer_for(embedder, decline_weak_evidence=False)
    extract = ask(relaxed, embedder, "Who discovered penicillin?")
    assert extract.declined is None and extract.sentences
    assert any("discovered in 1928" in s.text for s in extract.sentences)


def test_a_named_outlet_far_from_the_question_declines_by_name_unless_switched_off(embedder):
    question = "When was penicillin discovered?"
    support = {"TechCrunch": 0.4, "The Roar": 0.0}
    strict = answerer_for(embedder, decline_outlet_threshold=0.5)
    extract = ask(strict, embedder, question, outlet_support=support)
    assert extract.evidence.outlets < 0.5 <= extract.evidence.plain
    assert extract.declined == WEAK_OUTLET.message.format(outlet="The Roar")
    relaxed = answerer_for(embedder, decline_outlet_threshold=0.5, decline_weak_outlets=False)
    kept = ask(relaxed, embedder, question, outlet_support=support)
    assert kept.declined is None and kept.sentences
    assert kept.evidence == extract.evidence, "the switch changes the rule, not the evidence"


class CallCounter:
    """The real embedder, counting the model calls."""

    def __init__(self, embedder):
        self.embedder, self.calls = embedder, 0

    def embed(self, texts, encoder="torch", max_tokens=None):
        self.calls += 1
        return self.embedder.embed(texts, encoder, max_tokens)


def test_the_direct_answers_claims_embed_in_the_sentences_model_call(embedder):
    counter = CallCounter(embedder)
    vectors = SentenceVectors(counter)
    answerer = ExtractiveAnswerer(vectors, Declines(Settings(_env_file=None)))
    claim = "penicillin was discovered in 1928"
    question = "Was penicillin discovered in 1928?"
    extract = ask(answerer, embedder, question, also=[claim])
    assert extract.sentences
    assert counter.calls == 1
    vectors.embed([claim])
    assert counter.calls == 1, "the claim was cached by that call"
