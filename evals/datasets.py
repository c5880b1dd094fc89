"""Evaluation datasets in one general format, and loaders that produce it.

Every dataset becomes a corpus of ``Article`` and a list of ``Question``. Gold quotes are
located in their article body at load time: a dataset whose quote is not in its article is
rejected, so every metric downstream can rely on evidence offsets.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ingest.cleaning import clean_text
from ingest.models import Article, canonical_url
from ingest.sources.files import load_paths
from ingest.sources.records import LoadError, RecordError, article_from_record

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
MULTIHOP_DIR = SHARED_DIR / "datasets" / "multihop-rag"
DEV_QUESTIONS = Path(__file__).resolve().parent / "dev" / "questions.jsonl"
EXAMPLES_DIR = REPO_ROOT / "examples"
DEV_SAMPLE = SHARED_DIR / "samples" / "north-korean-troops-kursk.txt"


class DatasetError(ValueError):
    """A dataset that cannot be evaluated; the message names the file and the record."""


class Evidence(BaseModel):
    article_id: str
    quote: str = ""
    start: int | None = Field(None, description="Offset of the quote in the body, set at load.")
    end: int | None = None


class Question(BaseModel):
    id: str
    question: str = Field(min_length=1)
    answers: list[str] = Field(default_factory=list, description="Empty: unanswerable.")
    type: str = "question"
    evidence: list[Evidence] = Field(default_factory=list)
    as_of: date | None = None
    choices: list[str] | None = None
    history: list[str] = Field(
        default_factory=list,
        description="A follow-up's earlier questions in the same conversation, oldest first.",
    )

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @property
    def evidence_articles(self) -> list[str]:
        return list(dict.fromkeys(e.article_id for e in self.evidence))


class Dataset(BaseModel):
    name: str
    articles: list[Article]
    questions: list[Question]
    copies: dict[str, str] = Field(
        default_factory=dict,
        description="Articles that are another outlet's copy of one in the corpus: copy id to "
        "the original's id, so a retrieved or cited copy counts as the article it carries.",
    )

    @property
    def corpus_hash(self) -> str:
        """Changes when any article changes; order of the corpus does not matter."""
        digest = hashlib.sha256()
        for fingerprint in sorted(f"{a.id}\x1f{a.fingerprint}" for a in self.articles):
            digest.update(fingerprint.encode("utf-8"))
        return digest.hexdigest()

    @property
    def bodies(self) -> dict[str, str]:
        return {a.id: a.body for a in self.articles}

    @property
    def types(self) -> list[str]:
        return sorted({q.type for q in self.questions})

    def select(
        self, types: Iterable[str] | None = None, limit: int | None = None, seed: int = 13
    ) -> Dataset:
        """A seeded random sample (in dataset order) of the questions of the given types.

        The corpus stays whole: retrieval must search every article, not just the evidence.
        """
        questions = self.questions
        if types:
            wanted = set(types)
            unknown = wanted - set(self.types)
            if unknown:
                raise DatasetError(
                    f"unknown question type(s) {', '.join(sorted(unknown))}; "
                    f"this dataset has {', '.join(self.types)}"
                )
            questions = [q for q in questions if q.type in wanted]
        if limit is not None and limit < len(questions):
            chosen = set(random.Random(seed).sample(range(len(questions)), limit))
            questions = [q for i, q in enumerate(questions) if i in chosen]
        return self.model_copy(update={"questions": questions})


def _locate(questions: list[Question], articles: list[Article], where: str) -> list[Question]:
    """Check every evidence article exists and find each quote's offsets in its body."""
    bodies = {a.id: a.body for a in articles}
    located = []
    for q in questions:
        evidence = []
        for ev in q.evidence:
            if ev.article_id not in bodies:
                raise DatasetError(
                    f"{where}: question {q.id}: evidence article {ev.article_id!r} is not in "
                    "the corpus"
                )
            quote = clean_text(ev.quote)
            if not quote:
                evidence.append(Evidence(article_id=ev.article_id))
                continue
            start = bodies[ev.article_id].find(quote)
            if start < 0:
                raise DatasetError(
                    f"{where}: question {q.id}: quote {quote[:60]!r}... is not in the body of "
                    f"{ev.article_id}"
                )
            evidence.append(
                Evidence(article_id=ev.article_id, quote=quote, start=start, end=start + len(quote))
            )
        located.append(q.model_copy(update={"evidence": evidence}))
    return located


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
    return rows


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, record in _read_jsonl(path):
        try:
            questions.append(Question.model_validate(record))
        except ValidationError as exc:
            raise DatasetError(f"{path}:{number}: {exc.errors()[0]['msg']}") from None
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise DatasetError(f"{path}: question ids must be unique")
    return questions


def load_corpus(path: Path) -> list[Article]:
    articles = []
    for number, record in _read_jsonl(path):
        try:
            articles.append(article_from_record(record))
        except RecordError as exc:
            raise DatasetError(f"{path}:{number}: {exc}") from None
    return articles


def load_jsonl(corpus: Path, questions: Path, name: str | None = None) -> Dataset:
    """The general format (see evals/README.md): a corpus JSONL and a questions JSONL."""
    articles = load_corpus(corpus)
    return Dataset(
        name=name or questions.stem,
        articles=articles,
        questions=_locate(load_questions(questions), articles, str(questions)),
    )


def load_multihop(root: Path = MULTIHOP_DIR) -> Dataset:
    """MultiHop-RAG: article id = canonical url, evidence = the facts, null_query = unanswerable.

    ``as_of`` is the day after the newest article, so relative dates in a question ("last
    week") are read against the dataset's own time, not today's.
    """
    try:
        corpus = json.loads((root / "corpus.json").read_text(encoding="utf-8"))
        raw_questions = json.loads((root / "MultiHopRAG.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"cannot read MultiHop-RAG from {root}: {exc}") from None
    articles = [article_from_record(record) for record in corpus]
    newest = max(a.published for a in articles if a.published)
    as_of = date.fromordinal(newest.date().toordinal() + 1)
    questions = []
    for number, record in enumerate(raw_questions):
        unanswerable = record["question_type"] == "null_query"
        questions.append(
            Question(
                id=f"mh-{number:04d}",
                question=record["query"],
                answers=[] if unanswerable else [record["answer"]],
                type=record["question_type"].removesuffix("_query"),
                evidence=[
                    Evidence(article_id=canonical_url(ev["url"]), quote=ev["fact"])
                    for ev in record["evidence_list"]
                ],
                as_of=as_of,
            )
        )
    return Dataset(
        name="multihop", articles=articles, questions=_locate(questions, articles, str(root))
    )


def load_dev(
    questions: Path = DEV_QUESTIONS, examples: Path = EXAMPLES_DIR, sample: Path = DEV_SAMPLE
) -> Dataset:
    """The hand-written dev set: questions over ``examples/`` and the shared sample article.

    The sample is a real article, so it lives in the shared folder next to the repository,
    not in it; without it the dev set's questions about it could not be scored.
    """
    if not sample.is_file():
        raise DatasetError(
            f"the dev set needs the sample article {sample} (the shared folder next to the "
            "repository)"
        )
    articles = []
    for item in load_paths([examples, sample]):
        if isinstance(item, LoadError):
            raise DatasetError(f"cannot load a dev-set article: {item}")
        articles.append(item.article)
    return Dataset(
        name="dev",
        articles=articles,
        questions=_locate(load_questions(questions), articles, str(questions)),
    )
