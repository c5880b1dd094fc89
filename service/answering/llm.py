"""Answers written by a chat model from numbered passages, then checked sentence by sentence.

The passages go in as delimited data, packed by relevance into the model's context budget.
What comes back is split into sentences with their ``[n]`` markers; markers that name no
passage are dropped, and each sentence is judged against the passages it cites
(``service.answering.support``). Any failure of the model itself raises ``LLMFailure`` so the
caller can fall back to the extractive answer.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingest.embedding import Embedder
from ingest.sentences import sentence_spans
from service.answering.chat_model import LLMFailure, build_chat_model, describe_failure
from service.answering.prompts import Prompt, load_prompt
from service.answering.support import SentenceMatch, SupportChecker
from service.contract import AnswerSentence, Citation, CitationEvent, DeltaEvent, Passage
from service.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("newsdesk.llm")

DECLINE_FORM = "INSUFFICIENT_EVIDENCE"
"""What the answer prompt tells the model to reply, alone, when the passages do not answer."""

PROMPT_NAME = "answer"
RESERVED_TOKENS = 64
"""Slack in the context budget for chat-template tokens the counter cannot see."""
DIRECT_ANSWER_WORDS = 8

_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:[ \t]*\[\d+(?:\s*,\s*\d+)*\])+)")
_YES_NO = re.compile(r"^(yes|no)[.!][ \t]+(?=\S)", re.IGNORECASE)
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_TAG = re.compile(r"<(?=\s*/?\s*(?:passages?|question|conversation)\b)", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

TokenCount = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """Four characters a token: on the safe side for English and every common tokenizer."""
    return math.ceil(len(text) / 4)


def token_counter(embedder: Embedder | None) -> TokenCount:
    """The larger of the embedding model's own token count and the chars/4 estimate.

    A local tokenizer, never tiktoken: tiktoken downloads its tables at run time.
    """
    if embedder is None:
        return estimate_tokens
    tokenizer = embedder.model.tokenizer

    def count(text: str) -> int:
        ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return max(len(ids), estimate_tokens(text))

    return count


def as_data(text: str) -> str:
    """Text that cannot close or open the prompt's own delimiters."""
    return _TAG.sub("‹", text)


def passage_block(n: int, passage: Passage) -> str:
    chunk = passage.chunk
    attrs = [f'id="{n}"', f'title="{_attr(chunk.title)}"']
    if chunk.source:
        attrs.append(f'outlet="{_attr(chunk.source)}"')
    if chunk.published:
        attrs.append(f'published="{chunk.published.date().isoformat()}"')
    return f"<passage {' '.join(attrs)}>\n{as_data(chunk.text)}\n</passage>"


def _attr(value: str) -> str:
    return as_data(value).replace('"', "'").replace("\n", " ")


def pack_passages(passages: list[Passage], budget: int, count: TokenCount) -> list[Passage]:
    """The most relevant passages that fit in ``budget`` tokens, in relevance order.

    A passage too long for what is left is skipped, and a shorter, less relevant one may
    still take its place.
    """
    packed: list[Passage] = []
    for passage in sorted(passages, key=lambda p: p.rank):
        cost = count(passage_block(len(packed) + 1, passage)) + 1
        if cost <= budget:
            packed.append(passage)
            budget -= cost
    return packed


@dataclass(frozen=True)
class DraftSentence:
    text: str
    markers: list[int]


def visible_text(raw: str) -> str:
    """The answer without a reasoning model's ``<think>`` block."""
    return _THINKING.sub("", raw).strip()


def is_decline(raw: str) -> bool:
    return visible_text(raw).strip(" .`'\"*").upper().startswith(DECLINE_FORM)


def parse_answer(raw: str) -> list[DraftSentence]:
    """Sentences with the marker numbers each one carries.

    Markers written after the full stop ("... troops. [2]") belong to the sentence before;
    "[1, 3]" is read as "[1][3]"; a line of markers alone joins the sentence before it.
    """
    text = _MARKERS_AFTER_STOP.sub(r"\2\1", visible_text(raw))
    # "No." is also an abbreviation (of "number"); as an opening it is the answer.
    text = _YES_NO.sub(lambda m: m.group(0).rstrip() + "\n", text)
    drafts: list[DraftSentence] = []
    for start, end in sentence_spans(text):
        piece = _BULLET.sub("", text[start:end])
        markers = [int(n) for group in _MARKERS.findall(piece) for n in group.split(",")]
        words = " ".join(_MARKERS.sub(" ", piece).split())
        words = re.sub(r"\s+([.,;:!?])", r"\1", words)
        if not any(ch.isalnum() for ch in words):
            if drafts and markers:
                last = drafts[-1]
                drafts[-1] = DraftSentence(last.text, _unique(last.markers + markers))
            continue
        drafts.append(DraftSentence(words, _unique(markers)))
    return drafts


def _unique(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


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
    def from_settings(cls, settings: Settings, embedder: Embedder) -> LLMAnswerer:
        return cls(
            settings,
            build_chat_model(settings),
            SupportChecker(embedder),
            token_counter(embedder),
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
                if _undecided(raw):
                    continue
                display = _THINKING.sub("", raw).lstrip()
                if shown < len(display):
                    yield DeltaEvent(text=display[shown:])
                    shown = len(display)
                for match in _MARKERS.finditer(display, scanned):
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
        vectors = self.checker.vectors([d.text for d in claims])
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


def _undecided(raw: str) -> bool:
    """True while the reply so far could still turn out to be the decline form or a
    reasoning block, which are not shown as they arrive."""
    stripped = raw.lstrip()
    if stripped.startswith("<think>"):
        return "</think>" not in stripped
    opening = visible_text(raw).lstrip(" `'\"*").upper()
    return DECLINE_FORM.startswith(opening) or opening.startswith(DECLINE_FORM)


def _text(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):
        return text
    if callable(text):
        return str(text())
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""
