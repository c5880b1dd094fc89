"""Calibrate the extractive answerer's decline thresholds on unanswerable and off-topic questions.

    python -m evals.decline_calibration [--limit 400] [--seed 7] [--exclude-seed 13]

For a seeded sample of MultiHop-RAG questions (leaving out the CI gate's sample, so the gate
is not measured on the data that set the thresholds) and for newsdesk's own off-topic
questions (``evals/off_topic_questions.txt``: general knowledge, how-to, fiction) it records
the evidence scores the extractive answerer sees (``service.answering.declines.Evidence``, the
same rules the service declines by), then prints, for each candidate threshold,
the share of unanswerable, answerable, answerable-with-evidence-retrieved and off-topic
questions that would be declined. Questions declined before any answerer runs, for relying on
an outlet the index lacks (``decline_unknown_outlets``) or naming something no article
mentions (``decline_absent_names``), count as declined at every threshold.

Two thresholds are calibrated by one rule: the highest that declines no answerable question
with any of its evidence retrieved (a reader told "not found" while the articles hold the
answer is failed outright). ``decline_threshold`` is set on every question's plain evidence
score; ``decline_outlet_threshold`` on the questions naming outlets the index holds, with the
score that counts the weakest named outlet. The tables show what each costs in unanswerable
and off-topic questions answered; the off-topic questions are asked once more as if from each
of the index's three largest outlets ("According to TechCrunch, ..."), since naming an outlet
switches a question to the second threshold.

The rule promises a rate, not zero: a further answerable question scores below all n that set
the threshold, and is declined, with probability at most 1/(n + 1). The script prints that
bound for both thresholds.
"""

from __future__ import annotations

import argparse
import os
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from evals.datasets import load_multihop
from evals.runner import open_cached
from service.answering.declines import Declines, Evidence
from service.contract import AskRequest
from service.question.kinds import AnswerKind

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

    service = open_cached(dataset)
    settings = service.settings

    def measure(question: str, as_of: date | None = None) -> Measured:
        request = AskRequest(question=question, as_of=as_of)
        retrieval = service.retriever.retrieve(
            request.question, settings.top_k, service.filters_for(request), as_of=request.as_of
        )
        extract = service.extractive.answer(
            retrieval.parsed, retrieval.query_vector, retrieval.passages, retrieval.outlet_support
        )
        return Measured(
            evidence=extract.evidence,
            kind=retrieval.parsed.kind,
            early=service.early_decline(retrieval) is not None,
            found={p.chunk.article_id for p in retrieval.passages},
        )

    rows = []
    for question in questions:
        measured = measure(question.question, question.as_of)
        retrieved = bool(set(question.evidence_articles) & measured.found)
        rows.append((measured, question.answerable, retrieved))
    declines = service.declines
    plain = np.array([m.evidence.plain for m, _, _ in rows])
    named = np.array([declines.counts_outlets(m.evidence) for m, _, _ in rows], dtype=bool)
    with_outlets = np.array([declines.judged(m.evidence)[0] for m, _, _ in rows])
    early = np.array([m.early for m, _, _ in rows], dtype=bool)
    ans = np.array([a for _, a, _ in rows], dtype=bool)
    ret = np.array([r for _, _, r in rows], dtype=bool)
    off_topic = off_topic_questions()
    off = [measure(q) for q in off_topic]
    off_plain = np.array([m.evidence.plain for m in off])
    off_early = np.array([m.early for m in off], dtype=bool)

    print(f"questions {len(rows)}: unanswerable {(~ans).sum()}, answerable {ans.sum()}")
    print(
        f"declined before answering (unknown outlet or absent name): {early[~ans].sum()} "
        f"unanswerable, {early[ans].sum()} answerable ({early[ans & ret].sum()} with evidence "
        f"retrieved); off-topic {off_early.sum()} of {len(off)}"
    )
    print("\nNEWSDESK_DECLINE_THRESHOLD, every question's plain evidence score:")
    general = _table(plain, early, ans, ret, off_plain, off_early)
    print(
        f"\nNEWSDESK_DECLINE_OUTLET_THRESHOLD, the {named.sum()} questions naming outlets the "
        f"index holds ({(named & ~ans).sum()} unanswerable; no off-topic question names one), "
        "scored by their weakest outlet:"
    )
    outlet = _table(with_outlets[named], early[named], ans[named], ret[named], None, None)
    if general is None or outlet is None:
        return
    suggested = declines.with_thresholds(general, outlet)
    declined = np.array([m.declined_by(suggested) for m, _, _ in rows], dtype=bool)
    off_declined = np.array([m.declined_by(suggested) for m in off], dtype=bool)
    print(
        f"\nsuggested NEWSDESK_DECLINE_THRESHOLD={general:.2f} and "
        f"NEWSDESK_DECLINE_OUTLET_THRESHOLD={outlet:.2f}: the highest that decline no "
        "answerable question with its evidence retrieved. Together they decline "
        f"{declined[~ans].sum()} of {(~ans).sum()} unanswerable, {declined[ans].sum()} of "
        f"{ans.sum()} answerable and {off_declined.sum()} of {len(off)} off-topic questions."
    )
    print(
        "A threshold below all n answerable scores declines a further answerable question at "
        f"most once in n + 1: {miss_bound((ans & ret).sum()):.2%} for the first (n = "
        f"{(ans & ret).sum()}), {miss_bound((named & ans & ret).sum()):.2%} for the second "
        f"(n = {(named & ans & ret).sum()})."
    )
    # Naming an outlet must not let an off-topic question through: ask each one again as if
    # it came from one of the index's three largest outlets.
    chunks = service.retriever.keywords.refresh().chunks
    for source, _ in Counter(chunk.source for chunk in chunks).most_common(3):
        prefixed = [measure(f"According to {source}, {q[:1].lower()}{q[1:]}") for q in off_topic]
        count = sum(m.declined_by(suggested) for m in prefixed)
        print(f"off-topic questions asked as 'According to {source}, ...': {count} declined")


@dataclass
class Measured:
    evidence: Evidence
    kind: AnswerKind | None
    early: bool  # declined before answering: an unknown outlet or an absent name
    found: set[str]

    def declined_by(self, declines: Declines) -> bool:
        """Whether the service, with these rules, declines the question."""
        return self.early or declines.on_evidence(self.evidence, self.kind) is not None


def _table(
    evidence: np.ndarray,
    early: np.ndarray,
    ans: np.ndarray,
    ret: np.ndarray,
    off_evidence: np.ndarray | None,
    off_early: np.ndarray | None,
) -> float | None:
    """Print the shares declined at each threshold; return the highest declining no
    answerable question with its evidence retrieved."""
    print(
        " threshold  unanswerable  answerable  answerable-with-evidence  off-topic  "
        "(shares declined)"
    )
    suggestion = None
    for threshold in np.round(np.arange(0.24, 0.6001, 0.01), 2):
        declined = early | (evidence < threshold)
        recall = declined[~ans].mean() if (~ans).any() else 0.0
        off_rate = (
            f"{(off_early | (off_evidence < threshold)).mean():9.3f}"
            if off_evidence is not None and off_early is not None
            else "        -"
        )
        print(
            f"   {threshold:5.2f}   {recall:11.3f}  {declined[ans].mean():10.3f}  "
            f"{declined[ans & ret].mean() if (ans & ret).any() else 0.0:24.3f}  {off_rate}"
        )
        if not declined[ans & ret].any():
            suggestion = float(threshold)
    return suggestion


def miss_bound(calibrated_on: int) -> float:
    """The chance that one more answerable question, drawn like the ``calibrated_on`` ones the
    threshold spared, scores below all of them and is declined: a threshold can promise a
    rate this small, never zero."""
    return 1.0 / (calibrated_on + 1)


def off_topic_questions() -> list[str]:
    lines = OFF_TOPIC.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


if __name__ == "__main__":
    main()
