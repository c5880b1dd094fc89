"""The loaders: the real MultiHop-RAG files, the dev set, and the general JSONL format."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from evals.answer_text import gold_verdict
from evals.datasets import (
    DEV_QUESTIONS,
    MULTIHOP_DIR,
    DatasetError,
    load_dev,
    load_jsonl,
    load_multihop,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def multihop():
    if not MULTIHOP_DIR.is_dir():
        pytest.skip(f"MultiHop-RAG is not at {MULTIHOP_DIR}")
    return load_multihop()


def test_multihop_counts_and_types(multihop):
    assert len(multihop.articles) == 609
    assert len(multihop.questions) == 2556
    assert Counter(q.type for q in multihop.questions) == {
        "inference": 816,
        "comparison": 856,
        "temporal": 583,
        "null": 301,
    }


def test_multihop_null_queries_are_unanswerable_without_evidence(multihop):
    nulls = [q for q in multihop.questions if q.type == "null"]
    assert all(not q.answerable and not q.evidence for q in nulls)
    assert all(q.answerable for q in multihop.questions if q.type != "null")


def test_multihop_every_quote_is_located_in_its_article(multihop):
    bodies = {a.id: a.body for a in multihop.articles}
    evidence = [e for q in multihop.questions for e in q.evidence]
    assert len(evidence) == 6084
    assert all(bodies[e.article_id][e.start : e.end] == e.quote for e in evidence)


def test_multihop_as_of_is_after_the_newest_article(multihop):
    newest = max(a.published for a in multihop.articles).date()
    assert {q.as_of for q in multihop.questions} == {newest.fromordinal(newest.toordinal() + 1)}


def test_sample_is_seeded_ordered_and_keeps_the_whole_corpus(multihop):
    first = multihop.select(limit=300, seed=13)
    again = multihop.select(limit=300, seed=13)
    other = multihop.select(limit=300, seed=14)
    assert [q.id for q in first.questions] == [q.id for q in again.questions]
    assert [q.id for q in first.questions] != [q.id for q in other.questions]
    assert [q.id for q in first.questions] == sorted(q.id for q in first.questions)
    assert len(first.articles) == 609
    assert first.corpus_hash == multihop.corpus_hash
    nulls = multihop.select(types=["null"], limit=5)
    assert len(nulls.questions) == 5 and {q.type for q in nulls.questions} == {"null"}
    with pytest.raises(DatasetError, match="unknown question type"):
        multihop.select(types=["nope"])


def test_dev_set_covers_the_examples_and_the_sample_article():
    dev = load_dev()
    assert len(dev.articles) == 10
    sample = next(a for a in dev.articles if a.title.startswith("How North Korean Losses"))
    about_sample = [q for q in dev.questions if sample.id in q.evidence_articles]
    assert len(about_sample) >= 5
    assert all(sample.body[e.start : e.end] == e.quote for q in about_sample for e in q.evidence)


def test_dev_set_has_the_mix_issue_19_is_measured_on():
    questions = load_dev().questions
    assert len(questions) >= 40
    assert [q.id for q in questions[:17]] == [f"dev-{n:02d}" for n in range(1, 18)]
    assert sum(not q.answerable for q in questions) >= 10
    verdicts = Counter(gold_verdict(q.answers) for q in questions if gold_verdict(q.answers))
    assert sum(verdicts.values()) >= 10
    assert max(verdicts.values()) <= 0.6 * sum(verdicts.values())
    assert sum(bool(q.history) for q in questions) >= 4
    assert any(q.choices for q in questions)
    assert {"fact", "comparison", "inference", "choice", "unanswerable"} <= {
        q.type for q in questions
    }
    assert all(q.evidence for q in questions if q.answerable)


def test_a_follow_up_carries_its_conversation_oldest_first():
    followup = next(q for q in load_dev().questions if len(q.history) >= 2)
    assert followup.history[0].startswith("Which airline")
    assert followup.question == "What is the union asking for?"


def test_dev_set_without_the_shared_folder_says_what_is_missing(tmp_path):
    with pytest.raises(DatasetError, match=r"needs the sample article .*kursk"):
        load_dev(sample=tmp_path / "shared" / "samples" / "north-korean-troops-kursk.txt")


def test_dev_question_with_a_misquoted_sentence_fails_loudly(tmp_path):
    lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["evidence"][0]["quote"] = "Harrowgate city council voted 8 to 3 on Monday night"
    bad = write_jsonl(tmp_path / "questions.jsonl", [record])
    with pytest.raises(DatasetError, match=r"dev-01: quote 'Harrowgate city council voted 8"):
        load_dev(questions=bad)


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


ARTICLE = {
    "id": "art-1",
    "title": "Bridge reopens",
    "body": "The Old Bridge reopened on Friday\nafter 14 months of repairs.",
    "url": "https://example.org/bridge",
    "source": "Town Post",
    "author": "A. Writer",
    "published": "2024-05-03",
}


def test_general_format_round_trip(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [ARTICLE])
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {
                "id": "1",
                "question": "How long were the repairs?",
                "answers": ["14 months"],
                "type": "fact",
                "evidence": [{"article_id": "art-1", "quote": "after 14 months"}],
                "as_of": "2024-06-01",
            },
            {"id": "2", "question": "Who paid?", "answers": [], "evidence": []},
        ],
    )
    data = load_jsonl(corpus, questions)
    assert data.articles[0].id == "art-1"
    first, second = data.questions
    assert first.evidence[0].start == ARTICLE["body"].index("after 14 months")
    assert str(first.as_of) == "2024-06-01"
    assert not second.answerable and second.type == "question"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"id": "1", "question": "?", "evidence": [{"article_id": "nope"}]}, "not in the corpus"),
        (
            {"id": "1", "question": "?", "evidence": [{"article_id": "art-1", "quote": "zzz"}]},
            "is not in the body",
        ),
        ({"id": "1"}, r"q\.jsonl:1"),
    ],
)
def test_general_format_errors_name_the_record(tmp_path, question, message):
    corpus = write_jsonl(tmp_path / "c.jsonl", [ARTICLE])
    questions = write_jsonl(tmp_path / "q.jsonl", [question])
    with pytest.raises(DatasetError, match=message):
        load_jsonl(corpus, questions)


def test_general_format_rejects_duplicate_ids_and_bad_json(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [ARTICLE])
    dup = write_jsonl(tmp_path / "d.jsonl", [{"id": "1", "question": "a"}] * 2)
    with pytest.raises(DatasetError, match="unique"):
        load_jsonl(corpus, dup)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1: invalid JSON"):
        load_jsonl(bad, dup)
