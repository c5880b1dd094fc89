"""A question asking who, when or how many is answered only by a sentence that can say it."""

import pytest

from ingest.models import Chunk
from service.answering.extractive import ExtractiveAnswerer
from service.contract import Passage
from service.question.kinds import carries, names_within, wanted_kind
from service.settings import Settings


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who discovered penicillin?", "name"),
        ("Which company, as reported by TechCrunch, bought the startup?", "name"),
        ("What player scored the winning try?", "name"),
        ("How many players are on a rugby union team?", "quantity"),
        ("What was the price of the new console?", "quantity"),
        ("When did the trial of Sam Bankman-Fried begin?", "time"),
        ("In what year was the company founded?", "time"),
        ("Who, according to Sporting News, wins when the favourite loses?", "name"),
        ("Which shares gained most when the market fell?", None),
        ("Who paid how much for the club?", "name"),
        ("Did The Verge report the launch before TechCrunch?", None),
        ("What is the plot of Hamlet?", None),
        ("Why did the shares fall?", None),
    ],
)
def test_the_kind_of_answer_is_read_from_the_wording(question, kind):
    assert wanted_kind(question) == kind


def test_a_name_must_be_new_to_the_question():
    question = "Who wrote Pride and Prejudice?"
    assert not carries("name", "She loves the plot of Pride and Prejudice.", question)
    assert not carries("name", "Today the novel is read in schools in September.", question)
    assert carries("name", "The novel was written by Jane Austen in 1813.", question)
    assert carries("name", "In 2005, Focus Features filmed it.", "Who filmed the novel?")


def test_a_sentence_may_start_with_its_answer_when_the_articles_call_it_a_name():
    question = "Who pleaded not guilty?"
    sentence = "Bankman-Fried pleaded not guilty to all seven counts."
    assert not carries("name", sentence, question)
    names = names_within(["The trial of Sam Bankman-Fried opened in New York.", sentence])
    assert carries("name", sentence, question, names)
    assert not carries("name", "Prosecutors said the fraud was deliberate.", question, names)


def test_quantities_and_times():
    assert carries("quantity", "Thirty people were hurt.", "How many were hurt?")
    assert carries("quantity", "About 1,200 fans came.", "How many fans came?")
    assert not carries("quantity", "Many fans came.", "How many fans came?")
    assert carries("time", "It opened on March 3, 2021.", "When did it open?")
    assert not carries("time", "It opened to great fanfare.", "When did it open?")


ARTICLE = "https://example.org/science/penicillin-history"
TEXT = (
    "The discovery of penicillin changed medicine for ever, and doctors still prescribe the "
    "drug every day around the world. Penicillin was first discovered in 1928, in a "
    "laboratory where a mould had contaminated a dish of bacteria. Before antibiotics, a "
    "scratch could turn into a fatal infection within a few days of the injury."
)


@pytest.fixture(scope="module")
def answerer(embedder) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(embedder, threshold=Settings(_env_file=None).decline_threshold)


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


def test_a_who_question_is_declined_when_the_passage_names_nobody(answerer, embedder):
    question = "Who discovered penicillin?"
    extract = answerer.answer(
        question, embedder.embed_query(question), [passage_for(embedder, question)]
    )
    assert extract.sentences == [] and extract.wanted == "name"


def test_a_when_question_about_the_same_passage_quotes_the_date(answerer, embedder):
    question = "When was penicillin discovered?"
    extract = answerer.answer(
        question, embedder.embed_query(question), [passage_for(embedder, question)]
    )
    assert extract.sentences, f"evidence {extract.evidence:.3f}"
    assert "1928" in extract.sentences[0].text
    assert all("1928" in c.quote or "days" in c.quote for c in extract.citations)


def test_a_who_question_quotes_the_sentence_that_opens_with_the_name(answerer, embedder):
    question = "Who discovered penicillin?"
    text = (
        "Visitors to St Mary's Hospital in London can still see the laboratory of Alexander "
        "Fleming, which opened as a museum. Fleming discovered penicillin in 1928, after a "
        "mould spoiled one of his dishes of bacteria."
    )
    extract = answerer.answer(
        question, embedder.embed_query(question), [passage_for(embedder, question, text)]
    )
    assert extract.sentences, f"evidence {extract.evidence:.3f}"
    assert extract.sentences[0].text.startswith("Fleming discovered penicillin")
