"""Calibrate the claim judge's support bar: how well a claim's own article is told from others.

    python -m evals.claim_calibration [--limit 600] [--seed 7] [--exclude-seed 13]

For a seeded sample of MultiHop-RAG's yes/no questions answered Yes (leaving out the CI gate's
sample), each claim naming one outlet is judged twice against the retrieved passages, exactly
as the service judges it (``service.answering.direct.judge``, among the sentences the extractive
answerer embedded for the question):

- *own*: only the passages of the question's evidence articles from that outlet, which hold the
  fact the claim paraphrases;
- *other*: only the passages of that outlet's other retrieved articles (same outlet, same
  question, a different article: the hard case).

It prints the share of each that reaches each candidate bar. ``judge.SUPPORTED`` is the
highest bar (in steps of 0.02) at which at least 90% of the *own* claims pass: a true claim
left unsettled fails the reader outright, while a Yes shows the sentence it rests on. The
*other* pass rate at that bar is high because MultiHop-RAG's outlets often cover one story in
several articles, so another article of the outlet may well state the claim too; it is an upper
bound on false support, not a measure of it.
"""

from __future__ import annotations

import argparse
import os
import random

import numpy as np

from evals.datasets import load_multihop
from evals.runner import open_cached
from service.answering.direct.judge import ClaimJudge
from service.contract import Filters
from service.question.claims import Claim

OWN_PASS = 0.90


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exclude-seed", type=int, default=13, help="The CI sample's seed.")
    parser.add_argument("--exclude-limit", type=int, default=300)
    args = parser.parse_args()

    dataset = load_multihop()
    gated = {
        q.id for q in dataset.select(limit=args.exclude_limit, seed=args.exclude_seed).questions
    }
    pool = [
        q
        for q in dataset.questions
        if q.id not in gated and [a.lower() for a in q.answers] == ["yes"]
    ]
    questions = random.Random(args.seed).sample(pool, min(args.limit, len(pool)))

    service = open_cached(dataset)
    settings = service.settings
    judge = ClaimJudge(service.vectors)

    own: list[float] = []
    other: list[float] = []
    for question in questions:
        retrieval = service.retriever.retrieve(question.question, settings.top_k, Filters())
        asked = retrieval.parsed.yes_no
        if asked is None:
            continue
        gold = set(question.evidence_articles)
        scored = service.extractive.candidates(
            retrieval.parsed, retrieval.query_vector, retrieval.passages
        )
        embedded = frozenset(c.text for c in scored)
        for claim in asked.claims:
            if len(claim.outlets) != 1:
                continue
            bare = Claim(claim.text)
            outlet = claim.outlets[0].casefold()
            mine = [p for p in retrieval.passages if (p.chunk.source or "").casefold() == outlet]
            held = [p for p in mine if p.chunk.article_id in gold]
            others = [p for p in mine if p.chunk.article_id not in gold]
            if held:
                own.append(_best(judge, bare, held, embedded))
            if others:
                other.append(_best(judge, bare, others, embedded))

    own_scores, other_scores = np.array(own), np.array(other)
    print(f"claims judged: own article {len(own)}, another article of the outlet {len(other)}")
    print("bar   own passes  other passes")
    chosen = None
    for bar in np.arange(0.30, 0.80, 0.02):
        own_rate = float((own_scores >= bar).mean()) if len(own) else 0.0
        other_rate = float((other_scores >= bar).mean()) if len(other) else 0.0
        if own_rate >= OWN_PASS:
            chosen = bar
        print(f"{bar:.2f}  {own_rate:10.3f}  {other_rate:12.3f}")
    if chosen is not None:
        print(f"\nhighest bar passing at least {OWN_PASS:.0%} of own-article claims: {chosen:.2f}")


def _best(judge: ClaimJudge, claim: Claim, passages: list, embedded: frozenset[str]) -> float:
    ranked = judge.rank(claim, passages, embedded=embedded)
    return ranked[0].support if ranked else 0.0


if __name__ == "__main__":
    main()
