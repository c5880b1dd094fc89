"""Encoder batches: every text once, similar lengths together, a cut only where it pays."""

import pytest

from ingest.batching import length_batches

pytestmark = pytest.mark.unit


def test_every_text_is_in_one_batch_sorted_by_length():
    lengths = [40, 5, 96, 7, 33, 6, 90, 41]
    batches = length_batches(lengths, max_batch=32)
    flat = [int(i) for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)


def test_a_few_long_texts_get_a_batch_of_their_own_rather_than_padding_the_rest():
    lengths = [30] * 30 + [96, 96]
    batches = length_batches(lengths, max_batch=32, overhead=96)
    assert [len(b) for b in batches] == [30, 2]


def test_similar_lengths_share_one_call_and_the_limit_holds():
    assert [len(b) for b in length_batches([30, 31, 32, 33], max_batch=32)] == [4]
    assert all(len(b) <= 3 for b in length_batches([20] * 10, max_batch=3))
    assert length_batches([], max_batch=32) == []
