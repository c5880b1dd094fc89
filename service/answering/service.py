"""Question in, Answer out: the one code path behind every channel and the eval runner.

With ``NEWSDESK_ANSWERER=extractive`` (the default) answers are quoted sentences. With a
``provider:model`` answerer a chat model writes the answer from the same passages; whatever goes
wrong with the model (unreachable, refused, rate limited, slow, malformed) the user still gets
the extractive answer, marked ``degraded`` with the reason. The question is read once, by the
retriever; the decline rules (``service.answering.declines``) run on what it read, in order.

Both answerers start from the same work (``quotes``): ranked sentences, evidence-based declines
and the direct answer. An LLM is asked only when that evidence holds, reads the best sentences,
and its answer leads with the same direct answer (``leading``), never its own Yes or No.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from ingest.embedding import Embedder, get_embedder
from ingest.index.store import NewsIndex
from service.answering.chat_model import LLMFailure, local_problem
from service.answering.citations import drop_invalid, quote_is_exact, render
from service.answering.declines import Declines, llm_decline_message, weak_evidence_message
from service.answering.direct.compose import DirectAnswerer
from service.answering.extractive import ExtractiveAnswerer
from service.answering.leading import cited_by, lead
from service.answering.llm import Draft, LLMAnswerer, LLMResult
from service.answering.quotes import Quotes, gather
from service.answering.replay import replay
from service.answering.sentence_vectors import SentenceVectors
from service.contract import (
    Answer,
    AnswerEvent,
    AskRequest,
    CitationEvent,
    DeltaEvent,
    DirectEvent,
    Filters,
    Passage,
    PassagesEvent,
    StageTimings,
    StreamEvent,
)
from service.retrieval.retriever import RetrievalResult, Retriever
from service.settings import Settings

log = logging.getLogger("newsdesk.answering")


class AnswerService:
    def __init__(self, settings: Settings, index: NewsIndex, embedder: Embedder):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.retriever = Retriever(settings, index, embedder)
        self.declines = Declines(settings)
        self.vectors = SentenceVectors.configured(embedder, settings)
        self.extractive = ExtractiveAnswerer.configured(self.vectors, self.declines, settings)
        self.direct = DirectAnswerer(self.vectors, max_sentences=settings.answer_sentences)
        self.llm, self.llm_error = LLMAnswerer.configured(settings, self.vectors)

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerService:
        embedder = get_embedder(settings)
        return cls(
            settings, NewsIndex(settings, embedder.fingerprint, embedder.dimension), embedder
        )

    def warm(self) -> None:
        """Do now what the first question would wait for: load the embedding model, build the
        ONNX question encoder (exported once per machine) and read the keyword index. A
        failure is only logged: each question reports its own errors."""
        try:
            self.embedder.embed_query("newsdesk is warming up")
            self.retriever.keywords.refresh()
        except Exception as exc:
            log.warning("warm-up failed, the first question will load what it needs: %s", exc)

    @property
    def llm_problem(self) -> str | None:
        """What keeps the configured LLM from answering, when known (for /health)."""
        return self.llm_error or local_problem(self.settings)

    @property
    def uses_llm(self) -> bool:
        return self.llm is not None or self.llm_error is not None

    def filters_for(self, request: AskRequest) -> Filters:
        return Filters(
            published_after=request.after_utc,
            published_before=request.before_utc,
            sources=self.retriever.resolve_sources([request.source]) if request.source else [],
        )

    def search(self, request: AskRequest) -> tuple[list[Passage], StageTimings]:
        result = self._retrieve(request)
        return result.passages, result.timings

    def _retrieve(self, request: AskRequest) -> RetrievalResult:
        return self.retriever.retrieve(
            request.question,
            request.top_k or self.settings.top_k,
            self.filters_for(request),
            as_of=request.as_of,
        )

    def ask(self, request: AskRequest) -> Answer:
        started = time.perf_counter()
        retrieval = self._retrieve(request)
        early = self._early_answer(request, retrieval, started)
        if early is not None:
            return early
        if not self.uses_llm or not retrieval.passages:
            return self._extractive_answer(request, retrieval, started)
        step = time.perf_counter()
        quotes = self._quotes(retrieval)
        try:
            llm = self._llm()
            if quotes.extract.declined is not None:
                return self._extractive_answer(
                    request, retrieval, started, quotes=quotes, answerer=llm.name
                )
            draft = llm.prepare(request.question, retrieval.passages, quotes.ranked)
            raw = llm.generate(draft)
            retrieval.timings.answer_ms = _ms(step)
            step = time.perf_counter()
            result = lead(llm.finish(draft, raw), quotes)
            return self._llm_answer(request, retrieval, result, started, step)
        except LLMFailure as exc:
            log.warning("LLM answer failed, falling back to extractive: %s", exc.reason)
            return self._extractive_answer(
                request, retrieval, started, degraded=exc.reason, quotes=quotes
            )

    def stream(self, request: AskRequest) -> Iterator[StreamEvent]:
        """The answer as events: passages, then text and citations as written, then the Answer.

        The closing ``answer`` event is authoritative: strict citation checks run once the text
        is complete and may remove sentences already shown. A model's text streams as written;
        its direct answer (``direct``) and any citation not streamed yet follow it, once the
        direct answer's citations are numbered into the model's. A consumer that stops
        iterating (closes the generator) stops the work, including the model's HTTP stream.
        """
        started = time.perf_counter()
        retrieval = self._retrieve(request)
        yield PassagesEvent(passages=retrieval.passages)
        early = self._early_answer(request, retrieval, started)
        if early is not None or not self.uses_llm or not retrieval.passages:
            answer = early or self._extractive_answer(request, retrieval, started)
            yield from replay(answer)
            yield AnswerEvent(answer=answer)
            return
        shown = False
        streamed: set[int] = set()
        step = time.perf_counter()
        quotes = self._quotes(retrieval)
        try:
            llm = self._llm()
            if quotes.extract.declined is not None:
                answer = self._extractive_answer(
                    request, retrieval, started, quotes=quotes, answerer=llm.name
                )
                yield from replay(answer)
                yield AnswerEvent(answer=answer)
                return
            draft = llm.prepare(request.question, retrieval.passages, quotes.ranked)
            events = llm.stream(draft)
            try:
                while True:
                    try:
                        event = next(events)
                    except StopIteration as done:
                        raw = done.value
                        break
                    shown = shown or isinstance(event, DeltaEvent)
                    if isinstance(event, CitationEvent):
                        streamed.add(event.citation.n)
                    yield event
            finally:
                events.close()
            retrieval.timings.answer_ms = _ms(step)
            step = time.perf_counter()
            result = lead(llm.finish(draft, raw), quotes)
            answer = self._llm_answer(request, retrieval, result, started, step)
        except LLMFailure as exc:
            log.warning("LLM stream failed, falling back to extractive: %s", exc.reason)
            answer = self._extractive_answer(
                request, retrieval, started, degraded=exc.reason, quotes=quotes
            )
        if not shown:
            yield from replay(answer)
        else:
            if answer.direct is not None:
                yield DirectEvent(direct=answer.direct)
            for citation in answer.citations:
                if citation.n not in streamed:
                    yield CitationEvent(citation=citation)
        yield AnswerEvent(answer=answer)

    def llm_prompt(self, request: AskRequest) -> Draft | None:
        """The prompt the LLM is sent for ``request``, or None when it would not be asked (no
        LLM, or the question is declined first): for evals that check what a model was shown.
        Retrieval and ranking are deterministic, so it is the prompt ``ask`` sends."""
        if self.llm is None:
            return None
        retrieval = self._retrieve(request)
        if not retrieval.passages or self.early_decline(retrieval) is not None:
            return None
        quotes = self._quotes(retrieval)
        if quotes.extract.declined is not None:
            return None
        return self.llm.prepare(request.question, retrieval.passages, quotes.ranked)

    def _llm(self) -> LLMAnswerer:
        if self.llm is None:
            raise LLMFailure(self.llm_error or "no LLM is configured")
        return self.llm

    def early_decline(self, retrieval: RetrievalResult) -> str | None:
        """Why the question is declined before any answerer runs (an outlet it relies on or a
        name the index lacks), or None."""
        return self.declines.before_answering(
            retrieval.parsed, lambda parsed: self.retriever.absent_names(parsed, retrieval.snapshot)
        )

    def _early_answer(
        self, request: AskRequest, retrieval: RetrievalResult, started: float
    ) -> Answer | None:
        step = time.perf_counter()
        text = self.early_decline(retrieval)
        retrieval.timings.answer_ms = _ms(step)
        if text is None:
            return None
        retrieval.timings.total_ms = _ms(started)
        return Answer(
            id=uuid.uuid4().hex,
            question=request.question,
            status="declined",
            text=text,
            passages=retrieval.passages,
            filters=retrieval.filters,
            timings=retrieval.timings,
            answerer=self.llm.name if self.llm else self.extractive.name,
            index_version=self.index.generation(),
            created_at=datetime.now(UTC),
        )

    def _quotes(self, retrieval: RetrievalResult) -> Quotes:
        return gather(self.extractive, self.direct, retrieval, for_llm=self.llm is not None)

    def _extractive_answer(
        self,
        request: AskRequest,
        retrieval: RetrievalResult,
        started: float,
        degraded: str | None = None,
        quotes: Quotes | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """The quoted answer; ``answerer`` names the LLM when it declines before asking one."""
        timings = retrieval.timings
        quotes = quotes or self._quotes(retrieval)
        extract, composed = quotes.extract, quotes.composed
        sentences, citations, direct = extract.sentences, extract.citations, None
        if composed is not None:
            sentences, citations, direct = composed.sentences, composed.citations, composed.direct
        timings.answer_ms = quotes.ms

        step = time.perf_counter()
        articles = self.index.get_articles([c.article_id for c in citations])
        shown = sentences[:1]
        sentences, citations, _ = drop_invalid(sentences, citations, articles)
        if direct is not None and sentences[:1] != shown:
            direct = None
        timings.verify_ms = _ms(step)
        timings.total_ms = _ms(started)

        answered = bool(sentences)
        return Answer(
            id=uuid.uuid4().hex,
            question=request.question,
            status="answered" if answered else "declined",
            text=render(sentences)
            if answered
            else extract.declined or weak_evidence_message(retrieval.parsed.kind),
            direct=direct if answered else None,
            sentences=sentences,
            citations=citations,
            passages=retrieval.passages,
            filters=retrieval.filters,
            timings=timings,
            answerer=answerer or self.extractive.name,
            degraded=degraded is not None,
            degraded_reason=degraded,
            index_version=self.index.generation(),
            created_at=datetime.now(UTC),
        )

    def _llm_answer(
        self,
        request: AskRequest,
        retrieval: RetrievalResult,
        result: LLMResult,
        started: float,
        verify_started: float,
    ) -> Answer:
        """The checked model answer, after one last check that every quote is verbatim (a
        direct answer with a quote that is not goes, as on the extractive path)."""
        sentences, citations, direct = result.sentences, result.citations, result.direct
        removed = list(result.removed)
        reason = result.decline_reason
        if not result.declined:
            articles = self.index.get_articles([c.article_id for c in citations])
            exact = {c.n for c in citations if quote_is_exact(c, articles.get(c.article_id))}
            citations = [c for c in citations if c.n in exact]
            if direct is not None and not set(cited_by(direct)) <= exact:
                direct, sentences = None, sentences[1:]
            checked = []
            for sentence in sentences:
                kept = [n for n in sentence.citations if n in exact]
                if sentence.citations and not kept:
                    sentence = sentence.model_copy(update={"supported": False})
                checked.append(sentence.model_copy(update={"citations": kept}))
            if self.settings.strict_citations:
                removed += [s for s in checked if not s.supported]
                checked = [s for s in checked if s.supported]
            sentences = checked
            if not any(s.citations for s in sentences):
                reason = reason or "no quote of the cited passages could be verified"
        answered = any(s.citations for s in sentences)
        timings = retrieval.timings
        timings.verify_ms = _ms(verify_started)
        timings.total_ms = _ms(started)
        llm = self._llm()
        return Answer(
            id=uuid.uuid4().hex,
            question=request.question,
            status="answered" if answered else "declined",
            text=render(sentences) if answered else llm_decline_message(reason),
            direct=direct if answered else None,
            sentences=sentences if answered else [],
            removed_sentences=removed,
            citations=citations if answered else [],
            passages=retrieval.passages,
            filters=retrieval.filters,
            timings=timings,
            answerer=llm.name,
            prompt=llm.prompt.id,
            index_version=self.index.generation(),
            created_at=datetime.now(UTC),
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
