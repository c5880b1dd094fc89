"""Runs a dataset through newsdesk: build or reuse its index, ask every question, score it.

Questions go through ``AnswerService`` exactly as the HTTP API sends them. Retrieval is also
measured on its own at depth 10 (``AnswerService.search``), so Hits@10 and MRR@10 do not
depend on how many passages the answerer is given.

The index of a dataset's corpus is cached outside the checkout under a key made of the corpus
hash, the embedding model's fingerprint, every setting that changes the index and the source of
the ingest code that shapes it: an unchanged corpus is never embedded twice, and any change
that would give a different index gets a fresh one.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from filelock import FileLock
from pydantic import BaseModel, Field

from evals.bootstrap import Estimate
from evals.datasets import Dataset, Question
from evals.metrics import (
    ANSWER_SCORES,
    SKIPPED,
    STAGES,
    CitedSpan,
    QuestionResult,
    QuestionScores,
    RetrievedPassage,
    score_question,
    summarise_by_type,
    supported_rate,
)
from evals.settings import EvalSettings
from ingest import chunking
from ingest.index import schema, stories
from ingest.settings import IndexSettings
from service.contract import Answer, AskRequest, Passage, StageTimings
from service.conversations.followups import rewrite_followup
from service.conversations.store import Turn, answer_span
from service.settings import Settings

if TYPE_CHECKING:
    from service.answering.service import AnswerService

INDEX_CODE_ROOTS = (chunking, schema, stories)
"""The modules that decide what the index holds (chunk boundaries, embedded text, metadata,
stories), with every ingest module they use (``index_code``); how writes are batched and the
reader side may change and keep the cache."""
RETRIEVAL_DEPTH = 10
Scorer = Callable[..., QuestionScores]  # score_question with the dataset's texts bound


class RunMeta(BaseModel):
    dataset: str
    questions: int
    articles: int
    limit: int | None = None
    seed: int = 13
    types: list[str] | None = None
    corpus_hash: str
    index_key: str
    index_dir: str
    index_seconds: float = 0.0
    chunks_written: int = 0
    run_seconds: float = 0.0
    errors: int = 0
    retrieval_only: bool = False
    settings: dict[str, object] = Field(default_factory=dict)
    git_commit: str | None = None
    started_at: datetime
    resamples: int = 1000


class RunResult(BaseModel):
    meta: RunMeta
    metrics: dict[str, dict[str, Estimate]]
    questions: list[QuestionResult]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def index_code(roots: tuple[ModuleType, ...] = INDEX_CODE_ROOTS) -> dict[str, str]:
    """The sha256 of each ingest module ``roots`` use, followed through what they import."""
    seen: dict[str, ModuleType] = {}
    pending = list(roots)
    while pending:
        module = pending.pop()
        if module.__name__ in seen:
            continue
        seen[module.__name__] = module
        for value in vars(module).values():
            owner = value if isinstance(value, ModuleType) else inspect.getmodule(value)
            if owner is not None and owner.__name__.split(".")[0] == "ingest":
                pending.append(owner)
    return {
        name: hashlib.sha256(inspect.getsource(module).encode()).hexdigest()
        for name, module in sorted(seen.items())
    }


def index_key(dataset: Dataset, settings: Settings, model_fingerprint: str) -> str:
    parts = {
        "corpus": dataset.corpus_hash,
        "model": model_fingerprint,
        **{name: getattr(settings, name) for name in IndexSettings.shaping_fields()},
        "code": index_code(),
    }
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return f"{dataset.name}-{hashlib.sha256(blob).hexdigest()[:16]}"


def open_cached(dataset: Dataset) -> AnswerService:
    """The service over the dataset's cached eval index, for scripts that measure one stage
    on it (the calibrations); the index must have been built by a run."""
    from ingest.embedding import get_embedder
    from ingest.index.store import NewsIndex
    from service.answering.service import AnswerService

    base = Settings(_env_file=None)
    embedder = get_embedder(base)
    key = index_key(dataset, base, embedder.fingerprint)
    settings = base.model_copy(
        update={"data_dir": EvalSettings().index_cache / key, "collection_prefix": "eval"}
    )
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    if index.counts()["articles"] < len(dataset.articles):
        raise SystemExit(
            f"build the eval index first: newsdesk eval --dataset {dataset.name} --limit 1"
        )
    return AnswerService(settings, index, embedder)


def _passages(retrieved: list[Passage]) -> list[RetrievedPassage]:
    return [
        RetrievedPassage(
            rank=p.rank,
            chunk_id=p.chunk.id,
            article_id=p.chunk.article_id,
            text=p.chunk.text,
            start=p.chunk.start,
            end=p.chunk.end,
        )
        for p in retrieved
    ]


def standalone_question(
    question: Question, ask: Callable[[AskRequest], Answer] | None = None
) -> str:
    """The question as the channels answer it: a follow-up rewritten against its history,
    each earlier question of the conversation rewritten in turn, as the chat page does. With
    ``ask``, each earlier question is answered too, so a pronoun can stand for the name an
    answer gave ("Who runs Norrvik?" … "What does he expect?")."""
    turns: list[Turn] = []
    for index, asked in enumerate(question.history):
        standalone = rewrite_followup(asked, turns)
        answer = ask(AskRequest(question=standalone, as_of=question.as_of)) if ask else None
        turns.append(
            Turn(
                index=index,
                question=asked,
                standalone_question=standalone,
                answer_span=answer_span(answer) if answer else "",
                created_at=datetime.now(UTC),
            )
        )
    return rewrite_followup(question.question, turns) if turns else question.question


def _row(question: Question, **fields) -> QuestionResult:
    return QuestionResult(
        id=question.id,
        type=question.type,
        question=question.question,
        gold_answers=question.answers,
        evidence_articles=question.evidence_articles,
        **fields,
    )


def _timings(timings: StageTimings) -> dict[str, float]:
    values = timings.model_dump()
    return {s: values[f"{s}_ms"] for s in STAGES if f"{s}_ms" in values}


def _result_row(
    question: Question, answer: Answer, retrieved: list[Passage], score: Scorer
) -> QuestionResult:
    passages = _passages(retrieved)
    citations = [
        CitedSpan(n=c.n, article_id=c.article_id, quote=c.quote, start=c.start, end=c.end)
        for c in answer.citations
    ]
    return _row(
        question,
        status=answer.status,
        answer=answer.text,
        passages=passages,
        citations=citations,
        timings_ms=_timings(answer.timings),
        answerer=answer.answerer,
        degraded_reason=answer.degraded_reason,
        scores=score(question, answer.status, answer.text, passages, citations).model_copy(
            update={
                "supported_rate": supported_rate(
                    [s.supported for s in answer.sentences if s.citations],
                    len(answer.removed_sentences),
                )
                if answer.status == "answered"
                else None,
                "removed_sentences": float(len(answer.removed_sentences))
                if answer.status == "answered"
                else None,
                "degraded": answer.degraded,
            }
        ),
    )


def _retrieval_row(
    question: Question, retrieved: list[Passage], timings: StageTimings, score: Scorer
) -> QuestionResult:
    """Retrieval scored alone (``--retrieval-only``): nothing answered, nothing to judge."""
    passages = _passages(retrieved)
    scores = score(question, SKIPPED, "", passages, [])
    return _row(
        question,
        status=SKIPPED,
        passages=passages,
        timings_ms=_timings(timings),
        scores=scores.model_copy(update=dict.fromkeys(ANSWER_SCORES)),
    )


def _error_row(question: Question, error: Exception, score: Scorer) -> QuestionResult:
    """A question that raised scores as nothing retrieved, nothing answered."""
    return _row(
        question,
        status="error",
        error=f"{type(error).__name__}: {error}",
        scores=score(question, "error", "", [], []),
    )


Progress = Callable[[str, int, int], None]
"""(phase, done, total) for a progress display: phase is 'index' or 'questions'."""


def run_dataset(
    dataset: Dataset,
    base: Settings,
    cache_root: Path | None = None,
    progress: Progress | None = None,
    resamples: int = 1000,
    selection: dict[str, object] | None = None,
    retrieval_only: bool = False,
) -> RunResult:
    """Index (or reuse) the corpus, answer every question, score and summarise."""
    from ingest.embedding import get_embedder
    from ingest.index.store import NewsIndex
    from ingest.pipeline import build_ingestor
    from service.answering.service import AnswerService

    started_at, commit = datetime.now(UTC), _git_commit()
    report = progress or (lambda phase, done, total: None)
    embedder = get_embedder(base)
    key = index_key(dataset, base, embedder.fingerprint)
    cache_root = cache_root or EvalSettings().index_cache
    settings = base.model_copy(
        update={"data_dir": cache_root / key, "collection_prefix": "eval", "chroma_url": None}
    )
    cache_root.mkdir(parents=True, exist_ok=True)
    # Two runs with one key would write the same embedded Chroma at once: the second waits,
    # then finds every article already indexed.
    with FileLock(cache_root / f"{key}.lock"):
        index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
        ingestor = build_ingestor(settings, index=index, embedder=embedder)
        done = 0

        def advance(step: int) -> None:
            nonlocal done
            done += step
            report("index", done, len(dataset.articles))

        ingestor.on_progress = advance
        report("index", 0, len(dataset.articles))
        ingest = ingestor.ingest_articles(dataset.articles, origin=dataset.name)
    if not ingest.ok:
        raise RuntimeError(f"indexing the {dataset.name} corpus failed: {ingest.errors[0]}")

    service = AnswerService(settings, index, embedder)
    score = partial(score_question, bodies=dataset.bodies, copies=dataset.copies)
    rows: list[QuestionResult] = []
    clock = time.perf_counter()
    report("questions", 0, len(dataset.questions))
    for number, question in enumerate(dataset.questions, start=1):
        try:
            ask = None if retrieval_only else service.ask
            request = AskRequest(question=standalone_question(question, ask), as_of=question.as_of)
            retrieved, timings = service.search(
                request.model_copy(update={"top_k": RETRIEVAL_DEPTH})
            )
            if retrieval_only:
                rows.append(_retrieval_row(question, retrieved, timings, score))
            else:
                rows.append(_result_row(question, service.ask(request), retrieved, score))
            if question.history:
                rows[-1].standalone_question = request.question
        except Exception as exc:  # one bad question must not lose the whole run
            rows.append(_error_row(question, exc, score))
        report("questions", number, len(dataset.questions))
    meta = RunMeta(
        dataset=dataset.name,
        questions=len(dataset.questions),
        articles=len(dataset.articles),
        corpus_hash=dataset.corpus_hash,
        index_key=key,
        index_dir=str(settings.data_dir),
        index_seconds=round(ingest.seconds, 2),
        chunks_written=ingest.chunks_written,
        run_seconds=round(time.perf_counter() - clock, 2),
        errors=sum(r.status == "error" for r in rows),
        retrieval_only=retrieval_only,
        settings={
            "embedding_fingerprint": embedder.fingerprint,
            **{
                name: getattr(settings, name)
                for name in IndexSettings.shaping_fields() + Settings.answer_fields()
            },
            "retrieval_depth": RETRIEVAL_DEPTH,
        },
        git_commit=commit,
        started_at=started_at,
        resamples=resamples,
        **(selection or {}),
    )
    return RunResult(meta=meta, metrics=summarise_by_type(rows, resamples), questions=rows)
