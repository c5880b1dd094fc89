"""Retrieval scores of one question: gold quotes in the ranked passages, evidence articles
among them.

A passage from another outlet's copy of a gold article (``Dataset.copies``) stands for that
article: its id is read as the original's, and its text is allowed the copy's light edits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

_WS = re.compile(r"\s+")
COPY_RUN = 4
"""Shorter common runs are letters any two texts share, not the quote."""
COPY_COVERAGE = 0.9
"""Two swapped word pairs cost a quote a few percent of its characters; a missing clause more."""


def squash(text: str) -> str:
    """All whitespace removed: the MultiHop-RAG paper's comparison of facts and chunks."""
    return _WS.sub("", text)


def carries(quote: str, text: str) -> bool:
    """Whether a copy's passage holds a squashed gold quote: its edits (words swapped, a
    sentence dropped) break exact containment, so nearly all of the quote must be there in
    runs of several characters instead."""
    blocks = SequenceMatcher(None, text, quote, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= COPY_RUN) >= COPY_COVERAGE * len(quote)


def first_hit_rank(
    quotes: Sequence[str], passages: Sequence[str], k: int, copied: Sequence[bool] = ()
) -> int | None:
    """Rank (1-based) of the first of the top-k passages containing a gold quote; a passage
    flagged in ``copied`` (from a copy of an article) may carry it with the copy's edits."""
    gold = [squash(q) for q in quotes if q.strip()]
    for rank, text in enumerate(passages[:k], start=1):
        flat = squash(text)
        loose = rank <= len(copied) and copied[rank - 1]
        if any(q in flat or (loose and carries(q, flat)) for q in gold):
            return rank
    return None


def hits_at(
    quotes: Sequence[str], passages: Sequence[str], k: int, copied: Sequence[bool] = ()
) -> bool | None:
    if not any(q.strip() for q in quotes):
        return None
    return first_hit_rank(quotes, passages, k, copied) is not None


def reciprocal_rank(
    quotes: Sequence[str], passages: Sequence[str], k: int, copied: Sequence[bool] = ()
) -> float | None:
    if not any(q.strip() for q in quotes):
        return None
    rank = first_hit_rank(quotes, passages, k, copied)
    return 1.0 / rank if rank else 0.0


def all_evidence_at(gold: Sequence[str], retrieved: Sequence[str], k: int) -> bool | None:
    """Strict multi-hop: every evidence article has a passage among the top k."""
    if not gold:
        return None
    return set(gold) <= set(retrieved[:k])


def evidence_recall_at(gold: Sequence[str], retrieved: Sequence[str], k: int) -> float | None:
    if not gold:
        return None
    wanted = set(gold)
    return len(wanted & set(retrieved[:k])) / len(wanted)


def ndcg_at(gold: Sequence[str], retrieved: Sequence[str], k: int) -> float | None:
    """Binary gain for the first passage of each evidence article; later ones gain nothing."""
    if not gold:
        return None
    wanted, seen, dcg = set(gold), set(), 0.0
    for rank, article_id in enumerate(retrieved[:k], start=1):
        if article_id in wanted and article_id not in seen:
            seen.add(article_id)
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal
