"""lstmbook.nn.sequences: padding a list of sequences, lengths to masks, the many-to-one
read-out at each sequence's last step, one-hot codes, and bad input."""

import numpy as np

from lstmbook.nn.sequences import last_valid, lengths_to_mask, one_hot, pad_sequences

from .helpers import assert_raises_naming, bad_input


def test_pad_sequences_features():
    seqs = [np.ones((3, 2)), 2 * np.ones((1, 2)), 3 * np.ones((5, 2))]
    X, mask, lengths = pad_sequences(seqs, pad_value=-1.0)
    assert X.shape == (3, 5, 2) and mask.shape == (3, 5)
    np.testing.assert_array_equal(lengths, [3, 1, 5])
    assert lengths.dtype == np.int64
    np.testing.assert_array_equal(mask.sum(axis=1), lengths)
    assert np.all(X[~mask] == -1.0)
    for k, s in enumerate(seqs):
        np.testing.assert_array_equal(X[k, : len(s)], s)


def test_pad_sequences_tokens_keep_integer_dtype():
    X, mask, lengths = pad_sequences([np.array([4, 5]), np.array([7])], pad_value=0)
    assert X.dtype.kind == "i"
    np.testing.assert_array_equal(X, [[4, 5], [7, 0]])
    np.testing.assert_array_equal(mask, [[True, True], [True, False]])


def test_lengths_to_mask():
    m = lengths_to_mask(np.array([2, 0, 3]), 4)
    np.testing.assert_array_equal(
        m, [[1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 1, 0]]
    )
    assert m.dtype == bool
    assert lengths_to_mask(np.array([5, 3, 7, 2])).shape == (4, 7)  # T defaults to the max


def test_last_valid_reads_each_sequences_last_step():
    Y = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)
    out = last_valid(Y, np.array([2, 4]))
    np.testing.assert_array_equal(out, np.stack([Y[0, 1], Y[1, 3]]))
    assert out.shape == (2, 3)


def test_one_hot():
    oh = one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert oh.shape == (2, 2, 3) and oh.dtype == np.float64
    np.testing.assert_array_equal(oh.argmax(-1), [[0, 2], [1, 1]])
    assert one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32


CASES = [
    ("seqs not a list", lambda: pad_sequences(np.zeros((2, 3))), TypeError,
     ["seqs must be a list"]),
    ("no sequence", lambda: pad_sequences([]), ValueError, ["at least one"]),
    ("sequence a list", lambda: pad_sequences([[1.0, 2.0]]), TypeError, ["seqs[0]"]),
    ("feature sizes differ", lambda: pad_sequences([np.zeros((2, 3)), np.zeros((2, 4))]),
     ValueError, ["seqs[1]"]),
    ("empty sequence", lambda: pad_sequences([np.zeros((0, 3))]), ValueError, ["empty"]),
    ("sequence of rank 3", lambda: pad_sequences([np.zeros((2, 3, 1))]), ValueError,
     ["(T_i, D)"]),
    ("lengths a list", lambda: lengths_to_mask([1, 2], 3), TypeError, ["lengths"]),
    ("lengths not integers", lambda: lengths_to_mask(np.array([1.0, 2.0]), 3), TypeError,
     ["integer"]),
    ("length beyond T", lambda: lengths_to_mask(np.array([4, 2]), 3), ValueError, ["[0, T]"]),
    ("read-out of rank 2", lambda: last_valid(np.zeros((2, 3)), np.array([1, 2])), ValueError,
     ["(N, T, H)"]),
    ("read-out lengths mismatched", lambda: last_valid(np.zeros((2, 3, 1)), np.array([1, 2, 3])),
     ValueError, ["lengths"]),
    ("read-out length zero", lambda: last_valid(np.zeros((2, 3, 1)), np.array([0, 2])),
     ValueError, ["[1, T]"]),
    ("index beyond depth", lambda: one_hot(np.array([0, 3]), 3), ValueError, ["depth"]),
    ("indices not integers", lambda: one_hot(np.array([0.0]), 3), TypeError, ["indices"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)
