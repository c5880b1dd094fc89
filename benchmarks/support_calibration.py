"""Calibrate the citation support check on MultiHop-RAG gold evidence.

For a seeded sample of questions, every gold ``fact`` is judged against three passages (chunks
made exactly as ingest makes them):

- own:    the chunk of its own article that holds the fact            -> should be supported
- hard:   the chunk of another evidence article of the same question
          sharing the most content words with the fact (same topic)   -> should not be
- random: the same-rank chunk of a random other article              -> should not be

It prints the score distribution of each group, then the pass rate of each group at a range of
thresholds, so the constants in ``service/support.py`` can be read off.

    HF_HUB_OFFLINE=1 python -m benchmarks.support_calibration --questions 100 --facts 200

(``-P``: benchmarks/ holds scripts named like the packages, e.g. ``ingest.py``.)
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from ingest.chunking import Chunker
from ingest.cleaning import clean_text
from ingest.embedding import get_embedder
from ingest.sources.records import article_from_record
from service.answering.sentence_vectors import SentenceVectors
from service.answering.support import THRESHOLD, SupportChecker
from service.answering.vocabulary import SUPPORT_VOCABULARY, content_words
from service.contract import Passage
from service.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "multihop-rag"


def build_cases(questions: int, facts: int, seed: int, chunker: Chunker) -> list[dict]:
    records = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    queries = json.loads((DATA / "MultiHopRAG.json").read_text(encoding="utf-8"))
    by_url = {r["url"]: r for r in records}
    rng = random.Random(seed)
    sample = rng.sample([q for q in queries if q["evidence_list"]], questions)
    bodies: dict[str, str] = {}
    chunks_of: dict[str, list] = {}

    def chunks(url: str) -> list:
        if url not in chunks_of:
            article = article_from_record(by_url[url])
            bodies[url] = article.body
            chunks_of[url] = chunker.split(article)
        return chunks_of[url]

    cases = []
    for query in sample:
        urls = {e["url"] for e in query["evidence_list"]}
        for evidence in query["evidence_list"]:
            fact, url = clean_text(evidence["fact"]), evidence["url"]
            own_chunks = chunks(url)
            at = bodies[url].find(fact)
            others = sorted(urls - {url})
            if at < 0 or not others:
                continue
            own = max(own_chunks, key=lambda c: min(c.end, at + len(fact)) - max(c.start, at))
            words = content_words(fact, SUPPORT_VOCABULARY)
            hard = max(
                (c for other in others for c in chunks(other)),
                key=lambda c: len(words & content_words(c.text, SUPPORT_VOCABULARY)),
            )
            stranger = rng.choice([r["url"] for r in records if r["url"] not in urls])
            pool = chunks(stranger)
            cases.append(
                {"fact": fact, "own": own, "hard": hard, "random": pool[own.index % len(pool)]}
            )
            if len(cases) == facts:
                return cases
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--facts", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    settings = Settings(_env_file=None)
    embedder = get_embedder(settings)
    chunker = Chunker.for_model(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    started = time.perf_counter()
    cases = build_cases(args.questions, args.facts, args.seed, chunker)
    checker = SupportChecker(SentenceVectors(embedder))
    vectors = embedder.embed([c["fact"] for c in cases])
    scores: dict[str, list[tuple[float, float, float, bool]]] = {
        "own": [],
        "hard": [],
        "random": [],
    }
    for case, vector in zip(cases, vectors, strict=True):
        for group in scores:
            passage = Passage(chunk=case[group], rank=1)
            j = checker.judge(case["fact"], [passage], claim_vector=vector)
            scores[group].append((j.score, j.similarity, j.overlap, not j.missing_numbers))
    elapsed = time.perf_counter() - started

    print(f"{len(cases)} facts from {args.questions} questions (seed {args.seed}), {elapsed:.0f} s")
    header = ("min", "p5", "p50", "p90", "p95", "max")
    print(f"{'group':8} {'signal':10} " + " ".join(f"{h:>5}" for h in header))
    for group, rows in scores.items():
        table = np.array([r[:3] for r in rows])
        for col, name in enumerate(("score", "similarity", "overlap")):
            q = np.percentile(table[:, col], [0, 5, 50, 90, 95, 100])
            print(f"{group:8} {name:10} " + " ".join(f"{v:5.2f}" for v in q))
    print("\npass rate (score >= t and all numbers present)")
    print(f"{'t':>5} " + " ".join(f"{g:>7}" for g in scores))
    for t in sorted({*np.arange(0.50, 0.81, 0.02).round(2), THRESHOLD}):
        rates = [np.mean([s >= t and ok for s, _, _, ok in rows]) for rows in scores.values()]
        mark = "  <- THRESHOLD" if t == THRESHOLD else ""
        print(f"{t:5.2f} " + " ".join(f"{r:7.3f}" for r in rates) + mark)


if __name__ == "__main__":
    main()
