"""Sentence-aware chunks measured in the embedding model's own tokens, with exact offsets.

LangChain's splitters strip text and recover offsets with ``str.find``, which can land on the
wrong repeat of a sentence; here offsets come straight from the sentence spans, so
``article.body[chunk.start:chunk.end] == chunk.text`` always holds.

Each chunk is embedded after its article's header (title, outlet, date; ``context_header``).
Given the model's window, the chunker leaves room for that header, so a long headline never
pushes the end of a chunk past what the model reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ingest.index.schema import context_header
from ingest.models import Article, Chunk
from ingest.sentences import sentence_spans

if TYPE_CHECKING:
    from ingest.embedding import Embedder

TokenOffsets = Callable[[list[str]], list[list[tuple[int, int]]]]
"""Maps texts to the character span of each of their tokens (no special tokens)."""

MIN_CHUNK_TOKENS = 32


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


class Chunker:
    def __init__(
        self,
        token_offsets: TokenOffsets,
        chunk_tokens: int,
        overlap_tokens: int,
        window: Callable[[], int] | None = None,
    ):
        """``window``: how many tokens of text the embedding model reads (None: no limit),
        asked when the first article is split: re-ingesting unchanged articles loads no model."""
        if overlap_tokens >= chunk_tokens:
            raise ValueError("overlap must be smaller than the chunk size")
        self._token_offsets = token_offsets
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self._window = window

    @classmethod
    def for_model(cls, embedder: Embedder, chunk_tokens: int, overlap_tokens: int) -> Chunker:
        """Chunks measured in ``embedder``'s tokens that fit its window with their header."""
        return cls(
            embedder.token_offsets, chunk_tokens, overlap_tokens, lambda: embedder.text_tokens
        )

    @cached_property
    def window(self) -> int | None:
        return self._window() if self._window else None

    def budget(self, article: Article) -> int:
        """Tokens one chunk of ``article`` may hold: the configured size, or less when the
        header and the chunk would not fit the model's window together. A header leaving less
        than ``MIN_CHUNK_TOKENS`` still gets chunks that size, of which the model reads the
        start: better than slicing the body into shreds."""
        if self.window is None:
            return self.chunk_tokens
        header = context_header(article.title, article.source, article.published)
        room = self.window - len(self._token_offsets([header])[0])
        return max(MIN_CHUNK_TOKENS, min(self.chunk_tokens, room))

    def split(self, article: Article) -> list[Chunk]:
        body = article.body
        budget = self.budget(article)
        units = self._units(body, sentence_spans(body), budget)
        chunks: list[Chunk] = []
        for first, last in self._pack(units, budget, min(self.overlap_tokens, budget // 2)):
            start, end = units[first].start, units[last].end
            chunks.append(
                Chunk(
                    id=Chunk.make_id(article.id, len(chunks)),
                    article_id=article.id,
                    index=len(chunks),
                    text=body[start:end],
                    start=start,
                    end=end,
                    title=article.title,
                    url=article.url,
                    source=article.source,
                    author=article.author,
                    published=article.published,
                )
            )
        return chunks

    def _units(self, body: str, spans: Sequence[tuple[int, int]], budget: int) -> list[_Unit]:
        """Sentences, with any sentence longer than a chunk cut at token boundaries."""
        offsets = self._token_offsets([body[s:e] for s, e in spans]) if spans else []
        units: list[_Unit] = []
        for (start, end), token_spans in zip(spans, offsets, strict=True):
            if len(token_spans) <= budget:
                units.append(_Unit(start, end, max(1, len(token_spans))))
                continue
            for i in range(0, len(token_spans), budget):
                piece = token_spans[i : i + budget]
                piece_start = start if i == 0 else start + piece[0][0]
                is_last = i + budget >= len(token_spans)
                piece_end = end if is_last else start + token_spans[i + budget][0]
                while piece_end > piece_start and body[piece_end - 1].isspace():
                    piece_end -= 1
                units.append(_Unit(piece_start, piece_end, len(piece)))
        return units

    @staticmethod
    def _pack(units: Sequence[_Unit], budget: int, overlap_tokens: int) -> list[tuple[int, int]]:
        """Greedy packing; each chunk after the first repeats trailing sentences as overlap."""
        groups: list[tuple[int, int]] = []
        first = 0
        while first < len(units):
            last, used = first, units[first].tokens
            while last + 1 < len(units) and used + units[last + 1].tokens <= budget:
                last += 1
                used += units[last].tokens
            groups.append((first, last))
            if last + 1 >= len(units):
                break
            next_first, overlap = last + 1, 0
            while (
                next_first - 1 > first and overlap + units[next_first - 1].tokens <= overlap_tokens
            ):
                next_first -= 1
                overlap += units[next_first].tokens
            first = next_first
        return groups
