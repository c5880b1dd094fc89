"""Whether a yes/no verdict learned more than the prior: the majority-class baseline, the lift
over it, and the precision and recall of Yes and of No, each with its bootstrap interval.

Works on plain (verdict, gold) pairs so that any group of questions can be scored the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from evals.answer_text import VERDICTS
from evals.bootstrap import Estimate, mean_ci, ratio_ci

VERDICT_METRICS: dict[str, str] = {
    "majority_baseline": "Majority-class baseline (yes/no gold)",
    "verdict_lift": "Verdict correct − baseline",
    **{f"{v}_{m}": f"{v.capitalize()} {m}" for v in VERDICTS for m in ("precision", "recall")},
}


def verdict_figures(
    judged: Sequence[tuple[str, bool]],
    asked: Sequence[tuple[str | None, str | None]],
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Estimate]:
    """``judged``: (gold verdict, answer correct) of each yes/no-gold question; ``asked``:
    (verdict said, gold verdict or None) of every question asked.

    The baseline always answers the group's majority gold verdict (Yes on a tie), fixed on the
    whole group; the lift is correctness minus it question by question, so its interval is
    paired. Precision counts every question answered Yes (or No), recall every question whose
    gold answer is Yes (or No).
    """
    golds = [gold for gold, _ in judged]
    majority = "no" if golds.count("no") > golds.count("yes") else "yes"
    baseline = [float(gold == majority) for gold in golds]
    lift = [float(correct) - b for (_, correct), b in zip(judged, baseline, strict=True)]
    out = {
        "majority_baseline": mean_ci(baseline, resamples, seed),
        "verdict_lift": mean_ci(lift, resamples, seed),
    }
    for verdict in VERDICTS:
        hits = [said == verdict == gold for said, gold in asked]
        predicted = [said == verdict for said, _ in asked]
        relevant = [gold == verdict for _, gold in asked]
        out[f"{verdict}_precision"] = ratio_ci(hits, predicted, resamples, seed)
        out[f"{verdict}_recall"] = ratio_ci(hits, relevant, resamples, seed)
    return out
