"""Answers written by a chat model from numbered passages, then checked sentence by sentence.

The passages go in as delimited data, packed by relevance into the model's context budget
(``service.answering.packing``). What comes back is split into sentences with their ``[n]``
markers (``service.answering.reply_parsing``); markers that name no passage are dropped, and
each sentence is judged against the passages it cites (``service.answering.support``). Any
failure of the model itself raises ``LLMFailure`` so the caller can fall back to the
extractive answer.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.answering.chat_model import (
    LLMFailure,
    build_chat_model,
    describe_failure,
    model_settings,
)
from service.answering.packing import (
    TokenCount,
    as_data,
    estimate_tokens,
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
from service.answering.sentence_vectors import SentenceVectors
from service.answering.support import SentenceMatch, SupportChecker
from service.contract import AnswerSentence, Citation, CitationEvent, DeltaEvent, Passage
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
    """One question's prompt: the passages as numbered for the model, and the messages."""

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


def citation_for(n: int, match: SentenceMatch) -> Citation:
    return Citation.quoting(n, match.passage.chunk, match.text, match.start, match.end)


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

    def _messages(self, question: str, passages: str) -> list[tuple[str, str]]:
        return self.prompt.messages(
            passages=passages,
            question=as_data(question),
            decline=DECLINE_FORM,
            max_sentences=self.settings.answer_sentences + 1,
        )

    def prepare(self, question: str, passages: list[Passage]) -> Draft:
        empty = self._messages(question, "")
        overhead = sum(self.count(text) for _, text in empty)
        budget = (
            self.settings.llm_context_tokens
            - self.settings.llm_max_tokens
            - overhead
            - RESERVED_TOKENS
        )
        packed = pack_passages(passages, budget, self.count)
        blocks = "\n\n".join(passage_block(n, p) for n, p in enumerate(packed, start=1))
        return Draft(question, packed, self._messages(question, blocks))

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
        if not any(d.markers for d in drafts):
            raise LLMFailure("the LLM answer cites no passage (malformed output)")

        direct = (
            drafts[0]
            if len(drafts) > 1
            and not drafts[0].markers
            and len(drafts[0].text.split()) <= DIRECT_ANSWER_WORDS
            else None
        )
        claims = [d for d in drafts if d is not direct]
        self.checker.prefetch(
            [(d.text, [p for n in d.markers if (p := draft.passage(n))]) for d in claims]
        )
        vectors = self.checker.vectors.embed([d.text for d in claims])
        judged: list[tuple[DraftSentence, bool, dict[int, SentenceMatch]]] = []
        for d, vector in zip(claims, vectors, strict=True):
            cited = [draft.passage(n) for n in d.markers]
            judgement = self.checker.judge(d.text, [p for p in cited if p], claim_vector=vector)
            matches = {n: judgement.matches[draft.passage(n).id] for n in d.markers}
            judged.append((d, judgement.supported, matches))
            if not judgement.supported:
                problems.append(f"unsupported ({judgement.score:.2f}): {d.text[:80]!r}")

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
        if direct is not None:
            backed = any(ok for _, ok, _ in kept)
            if backed or not strict:
                sentences.insert(0, AnswerSentence(text=direct.text, supported=backed))
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
