"""Syndicated copies in the eval: the copied corpus, and a copy of a gold article credited."""

from __future__ import annotations

import pytest

from evals.datasets import Evidence, Question, load_dev
from evals.metrics import CitedSpan, RetrievedPassage, score_question
from evals.syndicated import with_copies

pytestmark = pytest.mark.unit

ORIGINAL = (
    "The council approved the Eastline tram on Tuesday by seven votes to four. "
    "Construction is due to start in March and the first trams should run in 2029. "
    "Opponents said the cost, put at 412 million, was too high for a city of its size."
)
FACT = "Construction is due to start in March and the first trams should run in 2029."
COPY = (
    "By Riverside Post staff\n\nThe council approved the Eastline tram on Tuesday by seven "
    "votes to four. Construction is due to start in March and first the trams should run in "
    "2029."
)
OTHER = (
    "The harbour authority reported that construction of the new pier is due to start next "
    "year, with the first ferries expected to run from the terminal in 2031 if funds allow."
)
BODIES = {"orig": ORIGINAL, "copy": COPY, "other": OTHER}
COPIES = {"copy": "orig"}


def passage(rank: int, article: str) -> RetrievedPassage:
    text = BODIES[article]
    return RetrievedPassage(
        rank=rank, chunk_id=f"{article}#0", article_id=article, text=text, start=0, end=len(text)
    )


def asked() -> Question:
    return Question(
        id="q",
        question="When should the first Eastline trams run?",
        answers=["2029"],
        evidence=[Evidence(article_id="orig", quote=FACT, start=74, end=74 + len(FACT))],
    )


def test_a_retrieved_copy_of_the_gold_article_is_a_hit_despite_its_edits():
    passages = [passage(1, "other"), passage(2, "copy")]
    credited = score_question(asked(), "skipped", "", passages, [], BODIES, COPIES)
    assert credited.hits10 is True
    assert credited.mrr10 == 0.5
    assert credited.all_evidence10 is True
    uncredited = score_question(asked(), "skipped", "", passages, [], BODIES)
    assert uncredited.hits10 is False
    assert uncredited.all_evidence10 is False


def test_an_unrelated_passage_is_not_taken_for_a_copy():
    """Allowing a copy's edits must not let a passage on another subject carry the fact."""
    passages = [passage(1, "other")]
    scores = score_question(asked(), "skipped", "", passages, [], BODIES, {"other": "orig"})
    assert scores.hits10 is False


def test_a_citation_of_the_copy_counts_for_the_gold_article():
    start = COPY.index("Construction")
    quote = COPY[start:]
    citation = CitedSpan(n=1, article_id="copy", quote=quote, start=start, end=len(COPY))
    scores = score_question(
        asked(), "answered", "2029 [1]", [passage(1, "copy")], [citation], BODIES, COPIES
    )
    assert scores.citation_precision == 1.0
    assert scores.citation_recall == 1.0
    assert scores.citation_validity is True
    plain = score_question(asked(), "answered", "2029 [1]", [], [citation], BODIES)
    assert plain.citation_precision == 0.0
    assert plain.citation_recall == 0.0


def test_copies_are_other_outlets_lightly_edited_versions_and_survive_a_sample():
    data = load_dev()
    copied = with_copies(data, copies=3, seed=5)
    assert copied.name == "dev-copies"
    assert len(copied.articles) == len(data.articles) + 3
    assert len(copied.copies) == 3
    by_id = {a.id: a for a in copied.articles}
    for copy_id, original_id in copied.copies.items():
        copy, original = by_id[copy_id], by_id[original_id]
        assert copy.source != original.source
        assert copy.body.startswith(f"By {copy.source} staff")
        assert copy.body != original.body
        assert copy.title == original.title
    assert copied.questions == data.questions
    assert copied.select(limit=2, seed=1).copies == copied.copies
    assert with_copies(data, copies=3, seed=5).copies == copied.copies
