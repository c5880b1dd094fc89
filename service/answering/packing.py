"""The passages as a prompt's data: delimited so they cannot pass for instructions, numbered,
and packed by relevance into the model's context budget (counted with a local tokenizer)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ingest.embedding import Embedder
from service.contract import Passage

_TAG = re.compile(r"<(?=\s*/?\s*(?:passages?|question|conversation)\b)", re.IGNORECASE)

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
