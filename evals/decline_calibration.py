"""Calibrate the extractive answerer's decline threshold on unanswerable and off-topic questions.

    python -m evals.decline_calibration [--limit 400] [--seed 7] [--exclude-seed 13]

For a seeded sample of MultiHop-RAG questions (leaving out the CI gate's sample, so the gate
is not measured on the data that set the threshold) and for newsdesk's own off-topic
questions (``evals/off_topic_questions.txt``: general knowledge, how-to, fiction) it records
the evidence score the extractive answerer sees, then prints, for each candidate threshold,
the share of unanswerable, answerable, answerable-with-evidence-retrieved and off-topic
questions that would be declined. Questions declined before any answerer runs, for relying on
an outlet the index lacks (``decline_unknown_outlets``) or naming something no article
mentions (``decline_absent_names``), count as declined at every threshold. The suggestion is
the highest threshold that declines no answerable question whose evidence was retrieved (a
reader told "not found" while the articles hold the answer is failed outright); the table
shows what that costs in unanswerable and off-topic questions answered.
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import date
from pathlib import Path

import numpy as np

from evals.datasets import load_multihop
from evals.runner import DEFAULT_CACHE, index_key
from ingest.embedding import get_embedder
from ingest.index import NewsIndex
from ingest.settings import Settings
from service.answering import AnswerService
from service.schemas import AskRequest

OFF_TOPIC = Path(__file__).parent / "off_topic_questions.txt"


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exclude-seed", type=int, default=13, help="The CI sample's seed.")
    parser.add_argument("--exclude-limit", type=int, default=300)
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

    def measure(question: str, as_of: date | None = None) -> tuple[float, bool, set[str]]:
        """Evidence score, whether a check declines it before answering, articles found."""
        request = AskRequest(question=question, as_of=as_of)
        retrieval = service.retriever.retrieve(
            request.question, settings.top_k, service.filters_for(request), as_of=request.as_of
        )
        early = service.early_decline(request, retrieval) is not None
        extract = service.extractive.answer(
            request.question, retrieval.query_vector, retrieval.passages
        )
        return extract.evidence, early, {p.chunk.article_id for p in retrieval.passages}

    rows = []
    for question in questions:
        evidence, early, found = measure(question.question, question.as_of)
        retrieved = bool(question.evidence_articles) and found >= set(question.evidence_articles)
        rows.append((evidence, early, question.answerable, retrieved))
    evidence = np.array([r[0] for r in rows])
    early = np.array([r[1] for r in rows], dtype=bool)
    ans = np.array([r[2] for r in rows], dtype=bool)
    ret = np.array([r[3] for r in rows], dtype=bool)
    off_topic = off_topic_questions()
    off = np.array([measure(q)[:2] for q in off_topic])
    off_evidence, off_early = off[:, 0], off[:, 1].astype(bool)

    print(f"questions {len(rows)}: unanswerable {(~ans).sum()}, answerable {ans.sum()}")
    print(
        f"declined before answering (unknown outlet or absent name): {early[~ans].sum()} "
        f"unanswerable, {early[ans].sum()} answerable ({early[ans & ret].sum()} with their "
        f"evidence retrieved); off-topic {off_early.sum()} of {len(off_topic)}"
    )
    print(
        " threshold  unanswerable  answerable  answerable-with-evidence  off-topic  "
        "(shares declined)"
    )
    suggestion = None
    for threshold in np.arange(0.30, 0.61, 0.02):
        declined = early | (evidence < threshold)
        recall = declined[~ans].mean() if (~ans).any() else 0.0
        off_rate = (off_early | (off_evidence < threshold)).mean()
        print(
            f"   {threshold:5.2f}   {recall:11.3f}  {declined[ans].mean():10.3f}  "
            f"{declined[ans & ret].mean() if (ans & ret).any() else 0.0:24.3f}  {off_rate:9.3f}"
        )
        if not declined[ans & ret].any():
            suggestion = threshold
    if suggestion is not None:
        print(
            f"suggested NEWSDESK_DECLINE_THRESHOLD={suggestion:.2f}: the highest that declines "
            "no answerable question with its evidence retrieved"
        )


def off_topic_questions() -> list[str]:
    lines = OFF_TOPIC.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


if __name__ == "__main__":
    main()
