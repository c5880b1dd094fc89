"""Answers written by a chat model from numbered passages, then checked sentence by sentence.

The passages go in as delimited data, packed by relevance into the model's context budget
(``service.answering.packing``; with the sentences the service ranked, each passage is shown as
an excerpt of its best). What comes back is split into sentences with their ``[n]`` markers
(``service.answering.reply_parsing``; a bare Yes/No opening is dropped); markers that name no
passage are dropped, and each sentence is checked against the passages it cites
(``service.answering.sentence_checks``). Any failure of the model itself raises ``LLMFailure``
so the caller can fall back to the extractive answer.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.answering.chat_model import (
    LLMFailure,
    build_chat_model,
    describe_failure,
    model_settings,
)
from service.answering.local.model_file import LocalModelUnavailable
from service.answering.packing import (
    RankedSentence,
    TokenCount,
    as_data,
    estimate_tokens,
    excerpts,
    pack_passages,
    passage_block,
    token_counter,
)
from service.answering.prompts import Prompt, load_prompt
from service.answering.reply_parsing import (
    DECLINE_FORM,
    MARKERS,
    DraftSentence,
    is_decline,
    parse_answer,
    shown_text,
    undecided,
)
from service.answering.sentence_checks import SentenceChecks
from service.answering.sentence_vectors import SentenceVectors
from service.answering.support import SentenceMatch, SupportChecker
from service.contract import (
    AnswerSentence,
    Citation,
    CitationEvent,
    DeltaEvent,
    DirectAnswer,
    Passage,
)
from service.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("newsdesk.llm")

PROMPT_NAME = "answer"
RESERVED_TOKENS = 64
"""Slack in the context budget for chat-template tokens the counter cannot see."""
DIRECT_ANSWER_WORDS = 8


@dataclass
class Draft:
    """One question's prompt: the passages as numbered for the model, and the messages.

    ``passages`` are whole, as retrieved: sentences are judged against all of a passage even
    when the model was shown an excerpt of it."""

    question: str
    passages: list[Passage]
    messages: list[tuple[str, str]]

    def passage(self, n: int) -> Passage | None:
        return self.passages[n - 1] if 1 <= n <= len(self.passages) else None


@dataclass
class LLMResult:
    declined: bool
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    decline_reason: str | None = None
    problems: list[str] = field(default_factory=list)
    removed: list[AnswerSentence] = field(default_factory=list)
    direct: DirectAnswer | None = None
    """The code's direct answer, also the first sentence, once ``lead_with`` put it there."""


def citation_for(n: int, match: SentenceMatch) -> Citation:
    return Citation.quoting(n, match.passage, match.text, match.start, match.end)


class LLMAnswerer:
    def __init__(
        self,
        settings: Settings,
        model: BaseChatModel,
        checker: SupportChecker,
        count: TokenCount = estimate_tokens,
        prompt: Prompt | None = None,
    ):
        self.settings = settings
        self.model = model
        self.checker = checker
        self.count = count
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self.name = settings.answerer

    @classmethod
    def from_settings(cls, settings: Settings, vectors: SentenceVectors) -> LLMAnswerer:
        """The configured model, judged through the service's shared sentence cache."""
        settings = model_settings(settings)
        return cls(
            settings,
            build_chat_model(settings),
            SupportChecker(vectors),
            token_counter(vectors.embedder),
        )

    @classmethod
    def configured(
        cls, settings: Settings, vectors: SentenceVectors
    ) -> tuple[LLMAnswerer | None, str | None]:
        """The configured answerer, or why it cannot be set up (every answer says so); no
        answerer and no reason with ``NEWSDESK_ANSWERER=extractive``."""
        if settings.answerer.strip().lower() == "extractive":
            return None, None
        try:
            return cls.from_settings(settings, vectors), None
        except LocalModelUnavailable as exc:
            problem = exc.reason
        except Exception as exc:
            # A wrong provider name, a missing key or package.
            problem = (
                f"the LLM {settings.answerer!r} could not be set up ({exc}); check "
                "NEWSDESK_ANSWERER, NEWSDESK_LLM_API_KEY and NEWSDESK_LLM_BASE_URL"
            )
        log.error("%s", problem)
        return None, problem

    def _messages(self, question: str, passages: str) -> list[tuple[str, str]]:
        return self.prompt.messages(
            passages=passages,
            question=as_data(question),
            decline=DECLINE_FORM,
            max_sentences=self.settings.answer_sentences + 1,
        )

    def prepare(
        self, question: str, passages: list[Passage], ranked: Sequence[RankedSentence] = ()
    ) -> Draft:
        """The prompt for ``question``: with ``ranked`` sentences (best first), each passage
        that has some is shown as an excerpt of its best; without, passages are shown whole."""
        empty = self._messages(question, "")
        overhead = sum(self.count(text) for _, text in empty)
        budget = (
            self.settings.llm_context_tokens
            - self.settings.llm_max_tokens
            - overhead
            - RESERVED_TOKENS
        )
        shown = excerpts(passages, ranked)
        packed = pack_passages(shown, budget, self.count)
        whole = {p.id: p for p in passages}
        blocks = "\n\n".join(passage_block(n, p) for n, p in enumerate(packed, start=1))
        return Draft(question, [whole[p.id] for p in packed], self._messages(question, blocks))

    def generate(self, draft: Draft) -> str:
        """The model's whole reply in one call (no streaming)."""
        try:
            return _text(self.model.invoke(draft.messages))
        except Exception as exc:
            raise LLMFailure(describe_failure(exc, self.settings)) from exc

    def stream(self, draft: Draft) -> Generator[DeltaEvent | CitationEvent, None, str]:
        """Text as the model writes it, a citation as each ``[n]`` completes; returns the text.

        The opening is held back only while it could still be the decline form (which is
        never shown as such). Closing this generator closes the model's stream, which drops
        the HTTP connection to the provider.
        """
        raw = ""
        shown = 0
        cited: set[int] = set()
        scanned = 0
        chunks = self.model.stream(draft.messages)
        try:
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    break
                except Exception as exc:
                    raise LLMFailure(describe_failure(exc, self.settings)) from exc
                raw += _text(chunk)
                if undecided(raw):
                    continue
                display = shown_text(raw)
                if shown < len(display):
                    yield DeltaEvent(text=display[shown:])
                    shown = len(display)
                for match in MARKERS.finditer(display, scanned):
                    scanned = match.end()
                    for n in (int(x) for x in match.group(1).split(",")):
                        if n in cited or draft.passage(n) is None:
                            continue
                        cited.add(n)
                        citation = self._stream_citation(draft, display[: match.end()], n)
                        if citation is not None:
                            yield CitationEvent(citation=citation)
        finally:
            getattr(chunks, "close", lambda: None)()
        return raw

    def _stream_citation(self, draft: Draft, text: str, n: int) -> Citation | None:
        sentences = [d for d in parse_answer(text) if n in d.markers]
        passage = draft.passage(n)
        if not sentences or passage is None:
            return None
        return citation_for(n, self.checker.best_match(sentences[-1].text, passage))

    def finish(self, draft: Draft, raw: str) -> LLMResult:
        """Parse, drop out-of-range markers, judge each sentence; strict mode removes failures."""
        if is_decline(raw):
            return LLMResult(
                declined=True, decline_reason="none of the retrieved passages answers the question"
            )
        drafts = parse_answer(raw)
        if not drafts:
            raise LLMFailure("the LLM returned an empty answer")
        problems: list[str] = []
        for d in drafts:
            problems.extend(
                f"[{n}] names no passage" for n in d.markers if draft.passage(n) is None
            )
        drafts = [
            DraftSentence(d.text, [n for n in d.markers if draft.passage(n) is not None])
            for d in drafts
        ]
        opener = (
            drafts[0]
            if len(drafts) > 1
            and not drafts[0].markers
            and len(drafts[0].text.split()) <= DIRECT_ANSWER_WORDS
            else None
        )
        claims = [d for d in drafts if d is not opener]
        self.checker.prefetch(
            [(d.text, [p for n in d.markers if (p := draft.passage(n))]) for d in claims]
        )
        vectors = self.checker.vectors.embed([d.text for d in claims])
        checks = SentenceChecks(self.checker, draft.passages, [d.text for d in drafts])
        judged: list[tuple[DraftSentence, bool, dict[int, SentenceMatch]]] = []
        for d, vector in zip(claims, vectors, strict=True):
            check = checks.check(d, vector)
            problems += [note for note in (check.recited, check.problem) if note]
            judged.append((check.draft, check.problem is None, check.matches))
        if not any(d.markers for d, _, _ in judged):
            raise LLMFailure("the LLM answer cites no passage (malformed output)")

        strict = self.settings.strict_citations
        kept = [(d, ok, m) for d, ok, m in judged if ok or not strict]
        removed = [
            AnswerSentence(text=d.text, citations=d.markers, supported=False)
            for d, ok, _ in judged
            if strict and not ok
        ]
        if strict and not any(ok for _, ok, _ in kept):
            return LLMResult(
                declined=True,
                decline_reason="the drafted answer was not supported by the passages it cited",
                problems=problems,
                removed=removed,
            )
        sentences = [
            AnswerSentence(text=d.text, citations=d.markers, supported=ok) for d, ok, _ in kept
        ]
        if opener is not None:
            # An uncited short answer ("Ilse Marven.") stands on the sentences after it: it
            # ships only when its facts are in the passages they cite.
            backing = [p for d, ok, _ in kept if ok for n in d.markers if (p := draft.passage(n))]
            missing = checks.missing(opener.text, backing)
            backed = bool(backing) and not missing
            if missing:
                problems.append(f"opening not in the passages ({', '.join(missing)})")
            if backed or not strict:
                sentences.insert(0, AnswerSentence(text=opener.text, supported=backed))
            else:
                removed.insert(0, AnswerSentence(text=opener.text, supported=False))
        citations: dict[int, Citation] = {}
        for _, _, matches in kept:
            for n, match in matches.items():
                citations.setdefault(n, citation_for(n, match))
        for problem in problems:
            log.info("llm answer check: %s", problem)
        return LLMResult(
            declined=False,
            sentences=sentences,
            citations=[citations[n] for n in sorted(citations)],
            problems=problems,
            removed=removed,
        )


def _text(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):
        return text
    if callable(text):
        return str(text())
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""
