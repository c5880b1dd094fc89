"""Calibrate the extractive answerer's decline threshold on unanswerable questions.

    python -m evals.decline_calibration [--limit 400] [--seed 7] [--exclude-seed 13]

For a seeded sample of MultiHop-RAG questions (leaving out the CI gate's sample, so the gate
is not measured on the data that set the threshold) it records the best evidence score the
extractive answerer sees, then prints, for each candidate threshold, how many unanswerable
questions would be declined and how many answerable ones — in particular answerable ones whose
evidence was retrieved — would be declined too. It reports the threshold that maximises Youden's J
(decline recall on unanswerable minus decline rate on answerable); the default suggestion is the
lowest threshold that still declines a target share (95%) of unanswerable questions, because
quoting unrelated text is worse for a reader than a plain "not found". Questions declined before
any answerer runs, for naming something no article mentions (``decline_absent_names``), count
as declined at every threshold.
"""

from __future__ import annotations

import argparse
import os
import random

import numpy as np

from evals.datasets import load_multihop
from evals.runner import DEFAULT_CACHE, index_key
from ingest.embedding import get_embedder
from ingest.index import NewsIndex
from ingest.settings import Settings
from service.answering import AnswerService
from service.schemas import AskRequest


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exclude-seed", type=int, default=13, help="The CI sample's seed.")
    parser.add_argument("--exclude-limit", type=int, default=300)
    parser.add_argument(
        "--target-recall",
        type=float,
        default=0.95,
        help="Share of unanswerable questions that must be declined.",
    )
    args = parser.parse_args()

    dataset = load_multihop()
    gate = dataset.select(limit=args.exclude_limit, seed=args.exclude_seed)
    gated = {q.id for q in gate.questions}
    pool = [q for q in dataset.questions if q.id not in gated]
    questions = random.Random(args.seed).sample(pool, min(args.limit, len(pool)))

    base = Settings(_env_file=None)
    embedder = get_embedder(base)
    key = index_key(dataset, base, embedder.fingerprint)
    settings = base.model_copy(
        update={"data_dir": DEFAULT_CACHE / "eval-index" / key, "collection_prefix": "eval"}
    )
    index = NewsIndex(settings, embedder.fingerprint, embedder.dimension)
    if index.counts()["articles"] < len(dataset.articles):
        raise SystemExit("build the eval index first: newsdesk eval --dataset multihop --limit 1")
    service = AnswerService(settings, index, embedder)

    best, answerable, retrieved, absent = [], [], [], []
    for question in questions:
        request = AskRequest(question=question.question, as_of=question.as_of)
        retrieval = service.retriever.retrieve(
            request.question, settings.top_k, service.filters_for(request), as_of=request.as_of
        )
        extract = service.extractive.answer(
            request.question, retrieval.query_vector, retrieval.passages
        )
        best.append(extract.evidence)
        names = service.retriever.absent_names(question.question)
        absent.append(settings.decline_absent_names and bool(names))
        answerable.append(question.answerable)
        found = {p.chunk.article_id for p in retrieval.passages}
        retrieved.append(
            bool(question.evidence_articles) and found >= set(question.evidence_articles)
        )

    best_arr, ans, ret = np.array(best), np.array(answerable), np.array(retrieved)
    named = np.array(absent, dtype=bool)
    print(f"questions {len(best)}: unanswerable {(~ans).sum()}, answerable {ans.sum()}")
    print(
        f"declined for naming what no article mentions: {named[~ans].sum()} unanswerable, "
        f"{named[ans].sum()} answerable ({named[ans & ret].sum()} with their evidence retrieved)"
    )
    print(" threshold  declined-unanswerable  declined-answerable  declined-with-evidence   J")
    rows: list[tuple[float, float, float]] = []
    for threshold in np.arange(0.30, 0.81, 0.02):
        declined = named | (best_arr < threshold)
        recall = declined[~ans].mean() if (~ans).any() else 0.0
        false_rate = declined[ans].mean() if ans.any() else 0.0
        evidence_rate = declined[ans & ret].mean() if (ans & ret).any() else 0.0
        rows.append((float(threshold), recall, recall - false_rate))
        print(
            f"   {threshold:5.2f}   {recall:20.3f}  {false_rate:19.3f}  {evidence_rate:21.3f}"
            f"  {recall - false_rate:5.3f}"
        )
    best_j = max(rows, key=lambda row: row[2])
    print(f"best Youden's J: threshold {best_j[0]:.2f} (J={best_j[2]:.3f})")
    meeting = [row for row in rows if row[1] >= args.target_recall]
    if meeting:
        print(
            f"suggested NEWSDESK_DECLINE_THRESHOLD={meeting[0][0]:.2f}: the lowest that declines "
            f"at least {args.target_recall:.0%} of unanswerable questions"
        )


if __name__ == "__main__":
    main()
