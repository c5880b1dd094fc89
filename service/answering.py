"""Question in, Answer out: the one code path behind every channel and the eval runner."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from ingest.embedding import Embedder, get_embedder
from ingest.index import NewsIndex
from ingest.settings import Settings
from service.citations import drop_invalid, render
from service.extractive import ExtractiveAnswerer
from service.models import (
    Answer,
    AnswerEvent,
    CitationEvent,
    DeltaEvent,
    Filters,
    Passage,
    PassagesEvent,
    StageTimings,
    StreamEvent,
)
from service.retrieval import Retriever
from service.schemas import AskRequest

DECLINE_TEXT = (
    "I could not find this in the indexed articles: no passage answers the question "
    "closely enough to quote."
)


class AnswerService:
    def __init__(self, settings: Settings, index: NewsIndex, embedder: Embedder):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.retriever = Retriever(settings, index, embedder)
        self.extractive = ExtractiveAnswerer(
            embedder,
            max_sentences=settings.answer_sentences,
            threshold=settings.decline_threshold,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerService:
        embedder = get_embedder(settings)
        return cls(
            settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
        )

    def filters_for(self, request: AskRequest) -> Filters:
        return Filters(
            published_after=request.after_utc,
            published_before=request.before_utc,
            sources=self.retriever.resolve_sources([request.source]) if request.source else [],
        )

    def search(self, request: AskRequest) -> tuple[list[Passage], StageTimings]:
        result = self.retriever.retrieve(
            request.question, request.top_k or self.settings.top_k, self.filters_for(request)
        )
        return result.passages, result.timings

    def ask(self, request: AskRequest) -> Answer:
        started = time.perf_counter()
        filters = self.filters_for(request)
        retrieval = self.retriever.retrieve(
            request.question, request.top_k or self.settings.top_k, filters
        )
        timings = retrieval.timings

        step = time.perf_counter()
        extract = self.extractive.answer(
            request.question, retrieval.query_vector, retrieval.passages
        )
        timings.answer_ms = (time.perf_counter() - step) * 1000

        step = time.perf_counter()
        articles = self.index.get_articles([c.article_id for c in extract.citations])
        sentences, citations, _ = drop_invalid(extract.sentences, extract.citations, articles)
        timings.verify_ms = (time.perf_counter() - step) * 1000
        timings.total_ms = (time.perf_counter() - started) * 1000

        answered = bool(sentences)
        return Answer(
            id=uuid.uuid4().hex,
            question=request.question,
            status="answered" if answered else "declined",
            text=render(sentences) if answered else DECLINE_TEXT,
            sentences=sentences,
            citations=citations,
            passages=retrieval.passages,
            filters=filters,
            timings=timings,
            answerer=self.extractive.name,
            index_version=self.index.generation(),
            created_at=datetime.now(UTC),
        )

    def stream(self, request: AskRequest) -> Iterator[StreamEvent]:
        """The answer as events: passages first, then text and citations, then the Answer.

        A consumer that stops iterating stops the work (the generator is simply not resumed).
        """
        answer = self.ask(request)
        yield PassagesEvent(passages=answer.passages)
        by_n = {c.n: c for c in answer.citations}
        if answer.status == "declined":
            yield DeltaEvent(text=answer.text)
        for i, sentence in enumerate(answer.sentences):
            yield DeltaEvent(text=("" if i == 0 else " ") + sentence.text)
            for n in sentence.citations:
                yield DeltaEvent(text=f" [{n}]")
                if n in by_n:
                    yield CitationEvent(citation=by_n[n])
        yield AnswerEvent(answer=answer)
