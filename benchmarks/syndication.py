"""Syndicated copies: how well ingest finds them, and what the check costs per article.

    python -m benchmarks.syndication [--copies 100] [--seed 20] [--ingest-limit 80] [--json]

The corpus: MultiHop-RAG's 609 articles plus ``--copies`` of them carried again under invented
outlets with light, seeded edits (a byline line added, one sentence dropped, two pairs of
neighbouring words swapped), published a few hours later. Every article is placed in a story
(``ingest.stories.StoryBook``, the code ``NewsIndex`` writes with) in a shuffled order;
precision and recall are over pairs of articles grouped together, against the known
(original, copy) pairs, at the configured ``NEWSDESK_STORY_SIMILARITY`` and at a few others.
Pairs found among the original articles are listed: they may be real syndication.

The cost: ``--ingest-limit`` articles of the corpus (half originals, half their copies) go
through ``newsdesk ingest``'s code path into a temporary embedded index, the check (signature,
LSH, re-pointing) timed inside it, and reported as a ratio to the rest of the ingest.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pydantic import BaseModel

from evals.datasets import load_multihop
from evals.syndicated import with_copies
from ingest.index.schema import published_ts
from ingest.index.store import NewsIndex
from ingest.models import Article
from ingest.pipeline import build_ingestor
from ingest.stories import StoryBook, order_key, signature
from service.settings import Settings

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


class Quality(BaseModel):
    threshold: float
    pairs_found: int
    copies_found: int
    precision: float
    recall: float
    pairs_among_originals: list[tuple[str, str, str, str]]  # ids and outlets


class Cost(BaseModel):
    articles: int
    ingest_seconds: float
    check_seconds: float
    check_ms_per_article: float
    ratio_to_ingest_without: float


class Result(BaseModel):
    originals: int
    copies: int
    configured: float
    quality: list[Quality]
    cost: Cost


def build_corpus(copies: int, seed: int) -> tuple[list[Article], dict[str, str]]:
    data = with_copies(load_multihop(), copies, seed)
    return data.articles, data.copies


def grouped_pairs(articles: list[Article], threshold: float, seed: int) -> set[frozenset[str]]:
    book = StoryBook(threshold)
    order = list(articles)
    random.Random(seed).shuffle(order)
    for i, a in enumerate(order):
        book.place(a.id, signature(a.body), order_key(a.id, published_ts(a.published), f"{i:06}"))
    stories: dict[str, list[str]] = {}
    for aid, member in book.members.items():
        stories.setdefault(member.story, []).append(aid)
    return {frozenset(p) for g in stories.values() for p in itertools.combinations(g, 2)}


def quality(articles: list[Article], copy_to_original: dict[str, str], threshold: float, seed: int):
    found = grouped_pairs(articles, threshold, seed)
    known = {frozenset(pair) for pair in copy_to_original.items()}
    by_id = {a.id: a for a in articles}
    among = sorted(tuple(sorted(p)) for p in found if not p & copy_to_original.keys())
    hits = len(found & known)
    return Quality(
        threshold=threshold,
        pairs_found=len(found),
        copies_found=hits,
        precision=hits / len(found) if found else 1.0,
        recall=hits / len(known),
        pairs_among_originals=[(a, by_id[a].source, b, by_id[b].source) for a, b in among],
    )


def cost(articles: list[Article], copy_to_original: dict[str, str], limit: int) -> Cost:
    """Half originals, half their copies, through the real ingest; the check timed inside."""
    copies = list(copy_to_original.items())[: limit // 2]
    by_id = {a.id: a for a in articles}
    batch = [by_id[o] for _, o in copies] + [by_id[c] for c, _ in copies]
    spent = [0.0]
    timed = NewsIndex._story_fields

    def story_fields(self, article, indexed_at):
        started = time.perf_counter()
        try:
            return timed(self, article, indexed_at)
        finally:
            spent[0] += time.perf_counter() - started

    NewsIndex._story_fields = story_fields
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(_env_file=None, data_dir=Path(tmp))
            ingestor = build_ingestor(settings)
            ingestor.embedder.embed_documents(["warm up"])
            report = ingestor.ingest_articles(batch)
    finally:
        NewsIndex._story_fields = timed
    return Cost(
        articles=len(batch),
        ingest_seconds=report.seconds,
        check_seconds=spent[0],
        check_ms_per_article=spent[0] * 1000 / len(batch),
        ratio_to_ingest_without=spent[0] / (report.seconds - spent[0]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--ingest-limit", type=int, default=80)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    configured = Settings().story_similarity
    articles, copy_to_original = build_corpus(args.copies, args.seed)
    thresholds = sorted({*THRESHOLDS, configured})
    result = Result(
        originals=len(articles) - len(copy_to_original),
        copies=len(copy_to_original),
        configured=configured,
        quality=[quality(articles, copy_to_original, t, args.seed) for t in thresholds],
        cost=cost(articles, copy_to_original, args.ingest_limit),
    )
    if args.json:
        print(result.model_dump_json(indent=2))
        return
    print(f"{result.originals} originals + {result.copies} copies; configured {configured}")
    print("| threshold | pairs found | copies found | precision | recall | among originals |")
    print("|---|---|---|---|---|---|")
    for q in result.quality:
        print(
            f"| {q.threshold} | {q.pairs_found} | {q.copies_found} | {q.precision:.3f} "
            f"| {q.recall:.3f} | {len(q.pairs_among_originals)} |"
        )
    for q in result.quality:
        for a, sa, b, sb in q.pairs_among_originals:
            print(f"  at {q.threshold}, among the originals: {sa}: {a}  ~  {sb}: {b}")
    c = result.cost
    print(
        f"cost: {c.articles} articles ingested in {c.ingest_seconds:.1f} s, the check "
        f"{c.check_seconds:.2f} s ({c.check_ms_per_article:.1f} ms/article), "
        f"{c.ratio_to_ingest_without:.4f} of the ingest without it"
    )


if __name__ == "__main__":
    main()
