"""The calibration rule: the highest threshold that declines no answerable question whose
evidence was retrieved, with questions declined before answering counted at every threshold."""

import numpy as np
import pytest

from evals.decline_calibration import _table, miss_bound

pytestmark = pytest.mark.unit


def test_the_suggestion_spares_every_answerable_question_with_evidence(capsys):
    evidence = np.array([0.20, 0.31, 0.45, 0.29, 0.50])
    early = np.array([False, False, False, True, False])
    answerable = np.array([False, True, True, False, True])
    retrieved = np.array([False, True, True, False, False])
    # 0.31 is the lowest answerable score with evidence retrieved: 0.31 still spares it, 0.32
    # would not. The answerable 0.50 without its evidence does not hold the threshold down.
    assert _table(evidence, early, answerable, retrieved, None, None) == pytest.approx(0.31)
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[1:]}
    # At 0.24 the unanswerable 0.29 is declined only because it was declined early.
    assert rows["0.24"][:3] == ["1.000", "0.000", "0.000"]
    assert rows["0.32"][:3] == ["1.000", "0.333", "0.500"]


def test_no_suggestion_when_even_the_lowest_threshold_declines_an_answer(capsys):
    """An answerable question declined early, or scoring under every threshold, leaves no
    threshold to suggest."""
    evidence = np.array([0.10, 0.60])
    flags = np.array([False, False])
    answerable = np.array([True, True])
    off = np.array([0.1, 0.7])
    assert _table(evidence, flags, answerable, answerable, off, flags) is None
    assert "0.500" in capsys.readouterr().out  # off-topic share printed when given


def test_a_calibrated_threshold_declines_new_answerable_questions_at_most_once_in_n_plus_1(
    capsys,
):
    """The printed bound holds for the rule as run: calibrate on n answerable scores, then
    count how often one more drawn from the same distribution falls below the threshold."""
    rng = np.random.default_rng(3)
    n, trials = 20, 600
    declined = 0
    for _ in range(trials):
        scores = rng.uniform(0.30, 0.60, n + 1)
        flags = np.zeros(n, dtype=bool)
        spared = np.ones(n, dtype=bool)
        threshold = _table(scores[:n], flags, spared, spared, None, None)
        declined += threshold is not None and scores[n] < threshold
    capsys.readouterr()
    assert miss_bound(n) == pytest.approx(1 / 21)
    # 1/21 of 600 is 28.6 expected at most; the grid sits below the lowest score, so fewer.
    assert 0 < declined <= 600 * miss_bound(n) + 3 * np.sqrt(600 * miss_bound(n))
