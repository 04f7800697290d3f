"""Chapter 1 (sequence data): the padding explorer's model and the quiz's numeric keys (the
figures: tests/unit/test_viz.py; the grader: tests/unit/exercises/test_ch01_sequence_data.py)."""

import numpy as np

from lstmbook.chapters import ch01_sequence_data as ch01
from lstmbook.nn.sequences import lengths_to_mask, pad_sequences
from lstmbook.quiz import key_matches, recompute

from .helpers import numeric_questions


def test_padding_view():
    v = ch01.padding_view(N=5, T=7, seed=2)
    assert v.X.shape == (5, 7, 2) and v.mask.shape == (5, 7)
    assert v.lengths.max() == 7 and v.lengths.min() >= 1
    assert v.n_valid == v.mask.sum() == v.lengths.sum() and v.n_slots == 35
    np.testing.assert_array_equal(v.readout, v.X[np.arange(5), v.lengths - 1])
    assert np.all(v.X[~v.mask] == 0)
    again = ch01.padding_view(N=5, T=7, seed=2)
    np.testing.assert_array_equal(v.X, again.X)
    assert "(5, 7, 2)" in v.summary


def test_quiz_numeric_answers_recomputed_independently():
    _, numeric = numeric_questions("01_sequence_data")
    # Recompute independently of the check expressions, from the question's own numbers.
    lengths = np.array([5, 3, 7, 2])
    assert int(lengths_to_mask(lengths, 7).sum()) == 17 == recompute(numeric[0])
    X, _, _ = pad_sequences([np.zeros((n, 3)) for n in lengths])
    assert X.size == 84 == recompute(numeric[1])
    assert key_matches(numeric[0], 17) and not key_matches(numeric[0], 28)
