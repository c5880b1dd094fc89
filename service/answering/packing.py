"""The passages as a prompt's data: delimited so they cannot pass for instructions, numbered,
and packed by relevance into the model's context budget (counted with a local tokenizer).

When the service ranked the passages' sentences for the question, each passage is shown as an
excerpt of its ``EXCERPT_SENTENCES`` best: prompt tokens are what a small local model spends
most of its time on, and it keeps to the point better."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Protocol

from ingest.embedding import Embedder
from service.contract import Passage

_TAG = re.compile(r"<(?=\s*/?\s*(?:passages?|question|conversation)\b)", re.IGNORECASE)

TokenCount = Callable[[str], int]
EXCERPT_SENTENCES = 3
"""Sentences of each passage the model is shown when the service ranked them."""


def estimate_tokens(text: str) -> int:
    """Four characters a token: on the safe side for English and every common tokenizer."""
    return math.ceil(len(text) / 4)


def token_counter(embedder: Embedder | None) -> TokenCount:
    """The larger of the embedding model's own token count and the chars/4 estimate.

    A local tokenizer, never tiktoken: tiktoken downloads its tables at run time.
    """
    if embedder is None:
        return estimate_tokens

    def count(text: str) -> int:
        # Through the embedder, which holds its lock: its tokenizer is not safe to share
        # across threads, and an ingest may be using it.
        return max(len(embedder.token_offsets([text])[0]), estimate_tokens(text))

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


class RankedSentence(Protocol):
    """A sentence of a passage scored against the question (offsets in the article body)."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float


def excerpts(passages: list[Passage], ranked: Sequence[RankedSentence]) -> list[Passage]:
    """The passages holding ranked sentences, in their order, each cut down to its
    ``EXCERPT_SENTENCES`` best in reading order ("…" where text was left out). Without ranked
    sentences, the passages whole."""
    best: dict[str, list[RankedSentence]] = {}
    for sentence in sorted(ranked, key=lambda r: -r.score):
        chosen = best.setdefault(sentence.passage.id, [])
        if len(chosen) < EXCERPT_SENTENCES:
            chosen.append(sentence)
    shown = []
    for passage in passages:
        if passage.id not in best:
            continue
        chunk = passage.chunk
        parts = sorted(best[passage.id], key=lambda r: r.start)
        text = parts[0].text
        for before, after in pairwise(parts):
            gap = chunk.text[before.end - chunk.start : after.start - chunk.start]
            text += (" " if not gap.strip() else " … ") + after.text
        shown.append(passage.model_copy(update={"chunk": chunk.model_copy(update={"text": text})}))
    return shown or passages
