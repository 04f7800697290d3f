"""lstmbook.data: shapes, dtypes, determinism, task definitions, padding and bad input."""

import numpy as np
import pytest

from lstmbook import data
from lstmbook.data import adding_problem, copy_task, noisy_sine, tiny_sentiment
from lstmbook.nn.sequences import last_valid, lengths_to_mask, one_hot, pad_sequences


# --------------------------------------------------------------------------- adding problem
def test_adding_problem_shapes_markers_and_target():
    X, y = adding_problem(50, 11, seed=0)
    assert X.shape == (50, 11, 2) and y.shape == (50, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    markers = X[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers[:, : 11 // 2].sum(axis=1) == 1)  # one marker in the first half
    assert np.all(markers[:, 11 // 2 :].sum(axis=1) == 1)  # one in the second half
    assert np.all(np.abs(X[:, :, 0]) < 1)
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1))


def test_adding_problem_smallest_T_and_float32():
    X, y = adding_problem(3, 2, seed=1, dtype=np.float32)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert np.all(X[:, :, 1] == 1.0)  # with T = 2 both steps are marked


def test_same_seed_same_arrays_and_rng_is_used():
    for make in (lambda **k: adding_problem(4, 8, **k), lambda **k: copy_task(4, 3, **k),
                 lambda **k: noisy_sine(4, 8, **k)):
        a, b = make(seed=3), make(seed=3)
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)
        c = make(seed=4)
        assert not np.array_equal(a[0], c[0])
        r1, r2 = np.random.default_rng(7), np.random.default_rng(7)
        np.testing.assert_array_equal(make(rng=r1)[0], make(rng=r2)[0])


# --------------------------------------------------------------------------- copy task
def test_copy_task_layout():
    T, delay, S = 4, 3, 5
    X, targets, mask = copy_task(6, T, n_symbols=S, delay=delay, seed=0)
    L = 2 * T + delay
    assert X.shape == (6, L, S + 2) and targets.shape == (6, L) and mask.shape == (6, L)
    assert targets.dtype == np.int64 and mask.dtype == bool
    np.testing.assert_array_equal(X.sum(axis=-1), 1.0)  # one-hot
    tokens = X.argmax(axis=-1)
    symbols = tokens[:, :T]
    assert symbols.min() >= 1 and symbols.max() <= S
    assert np.all(tokens[:, T : T + delay] == 0)  # blanks
    assert np.all(tokens[:, T + delay :] == S + 1)  # go cue
    np.testing.assert_array_equal(targets[:, T + delay :], symbols)  # recall in order
    assert np.all(targets[~mask] == 0)
    assert mask.sum() == 6 * T and np.all(mask[:, T + delay :])


def test_copy_task_zero_delay():
    out = copy_task(2, 3, delay=0, seed=0)
    assert out.X.shape[1] == 6


# --------------------------------------------------------------------------- noisy sine
def test_noisy_sine_next_step_targets():
    X, Y = noisy_sine(3, 30, noise=0.2, seed=0)
    assert X.shape == Y.shape == (3, 30, 1)
    np.testing.assert_array_equal(Y[:, :-1], X[:, 1:])


def test_noisy_sine_without_noise_is_a_sine():
    X, _ = noisy_sine(2, 40, noise=0.0, period=20.0, seed=0)
    np.testing.assert_allclose(X[:, 20:40], X[:, 0:20], atol=1e-12)  # periodic
    assert np.abs(X).max() <= 1.0


# --------------------------------------------------------------------------- padding
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


# --------------------------------------------------------------------------- tiny sentiment
def test_tiny_sentiment_structure():
    d = tiny_sentiment()
    N, T = d.tokens.shape
    assert N == 40 and T == 9
    assert d.lengths.min() == 3 and d.lengths.max() == 9
    assert d.labels.sum() == 20  # balanced
    assert d.vocab["<pad>"] == 0
    inv = {i: w for w, i in d.vocab.items()}
    for n, s in enumerate(d.sentences):
        assert " ".join(inv[i] for i in d.tokens[n, : d.lengths[n]]) == s
        assert np.all(d.tokens[n, d.lengths[n] :] == 0)
    np.testing.assert_array_equal(d.mask, lengths_to_mask(d.lengths, T))
    assert len(set(d.sentences)) == 40


def test_tiny_sentiment_labels_follow_negation():
    d = tiny_sentiment()
    label = dict(zip(d.sentences, d.labels.tolist(), strict=True))
    assert label["the film was good"] == 1
    assert label["the film was not good"] == 0
    assert label["the film was bad"] == 0
    assert label["the film was not bad"] == 1


def test_tiny_sentiment_is_deterministic_and_seed_only_shuffles():
    a, b, c = tiny_sentiment(), tiny_sentiment(), tiny_sentiment(seed=1)
    np.testing.assert_array_equal(a.tokens, b.tokens)
    assert a.sentences == b.sentences
    assert sorted(a.sentences) == sorted(c.sentences) and a.sentences != c.sentences


def test_tiny_sentiment_defeats_bag_of_words():
    """Every word, 'not' included, is as frequent in positive as in negative sentences, so a
    bag-of-words linear classifier (trained by least squares here) is at chance level."""
    d = tiny_sentiment()
    V = len(d.vocab)
    counts = np.zeros((40, V))
    for n in range(40):
        np.add.at(counts[n], d.tokens[n, : d.lengths[n]], 1)
    np.testing.assert_array_equal(counts[d.labels == 1].sum(0), counts[d.labels == 0].sum(0))
    A = np.hstack([counts, np.ones((40, 1))])
    w, *_ = np.linalg.lstsq(A, 2.0 * d.labels - 1, rcond=None)
    accuracy = ((A @ w > 0) == d.labels).mean()
    assert accuracy <= 0.75


# --------------------------------------------------------------------------- padding explorer
def test_padding_explorer_compute():
    from lstmbook.chapters.ch01_sequence_data import padding_view as _compute_padding

    v = _compute_padding(N=5, T=7, seed=2)
    assert v.X.shape == (5, 7, 2) and v.mask.shape == (5, 7)
    assert v.lengths.max() == 7 and v.lengths.min() >= 1
    assert v.n_valid == v.mask.sum() == v.lengths.sum() and v.n_slots == 35
    np.testing.assert_array_equal(v.readout, v.X[np.arange(5), v.lengths - 1])
    assert np.all(v.X[~v.mask] == 0)
    again = _compute_padding(N=5, T=7, seed=2)
    np.testing.assert_array_equal(v.X, again.X)
    assert "(5, 7, 2)" in v.summary


def test_padding_figure_draws():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmbook import viz
    from lstmbook.chapters.ch01_sequence_data import padding_view as _compute_padding
    from lstmbook.viz import plot_padding_view as _draw_padding

    fig, axes = plt.subplots(1, 4)
    assert _draw_padding(axes[0], _compute_padding(3, 4, 0)) is axes[0]
    for ax, kind in zip(axes[1:], viz.IO_PATTERNS, strict=True):
        assert viz.plot_io_pattern(ax, kind) is ax
    with pytest.raises(ValueError, match="kind"):
        viz.plot_io_pattern(axes[1], "one_to_many_to_one")
    plt.close(fig)


# --------------------------------------------------------------------------- bad input
BAD = [
    (lambda: adding_problem(0, 10), ValueError, "n"),
    (lambda: adding_problem(2.5, 10), TypeError, "n"),
    (lambda: adding_problem(4, 1), ValueError, "T must be >= 2"),
    (lambda: adding_problem(4, 10, dtype=np.int32), TypeError, "dtype"),
    (lambda: adding_problem(4, 10, rng=0), TypeError, "rng"),
    (lambda: adding_problem(4, 10, rng=np.random.default_rng(), seed=1), ValueError, "rng or seed"),
    (lambda: copy_task(4, 0), ValueError, "T"),
    (lambda: copy_task(4, 3, delay=-1), ValueError, "delay"),
    (lambda: copy_task(4, 3, n_symbols=0), ValueError, "n_symbols"),
    (lambda: noisy_sine(4, 5, noise=-0.1), ValueError, "noise"),
    (lambda: noisy_sine(4, 5, period=0.0), ValueError, "period"),
    (lambda: pad_sequences(np.zeros((2, 3))), TypeError, "seqs must be a list"),
    (lambda: pad_sequences([]), ValueError, "at least one"),
    (lambda: pad_sequences([[1.0, 2.0]]), TypeError, r"seqs\[0\]"),
    (lambda: pad_sequences([np.zeros((2, 3)), np.zeros((2, 4))]), ValueError, r"seqs\[1\]"),
    (lambda: pad_sequences([np.zeros((0, 3))]), ValueError, "empty"),
    (lambda: pad_sequences([np.zeros((2, 3, 1))]), ValueError, r"\(T_i, D\)"),
    (lambda: lengths_to_mask([1, 2], 3), TypeError, "lengths"),
    (lambda: lengths_to_mask(np.array([1.0, 2.0]), 3), TypeError, "integer"),
    (lambda: lengths_to_mask(np.array([4, 2]), 3), ValueError, r"\[0, T\]"),
    (lambda: last_valid(np.zeros((2, 3)), np.array([1, 2])), ValueError, r"\(N, T, H\)"),
    (lambda: last_valid(np.zeros((2, 3, 1)), np.array([1, 2, 3])), ValueError, "lengths"),
    (lambda: last_valid(np.zeros((2, 3, 1)), np.array([0, 2])), ValueError, r"\[1, T\]"),
    (lambda: one_hot(np.array([0, 3]), 3), ValueError, "depth"),
    (lambda: one_hot(np.array([0.0]), 3), TypeError, "indices"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_module_has_no_global_randomness():
    src = open(data.__file__, encoding="utf-8").read()
    assert "np.random.seed" not in src and "np.random.rand" not in src


def test_split_by_frame_holds_out_whole_frames():
    d = tiny_sentiment()
    train_idx, test_idx = data.split_by_frame(d, [8, 9])
    assert len(train_idx) == 32 and len(test_idx) == 8
    assert sorted(np.concatenate([train_idx, test_idx]).tolist()) == list(range(40))
    test_sentences = {d.sentences[n] for n in test_idx}
    assert test_sentences == {
        "to be honest the acting was very good", "to be honest the acting was not very good",
        "to be honest the acting was very bad", "to be honest the acting was not very bad",
        "we thought the songs were great", "we thought the songs were not great",
        "we thought the songs were dull", "we thought the songs were not dull",
    }
    assert d.labels[test_idx].sum() == 4  # balanced: two positive sentences per frame
    # the same frames whatever the shuffle
    e = tiny_sentiment(seed=1)
    assert {e.sentences[n] for n in data.split_by_frame(e, [8, 9])[1]} == test_sentences


def test_split_by_frame_bad_input():
    d = tiny_sentiment()
    with pytest.raises(ValueError, match="0 .. 9"):
        data.split_by_frame(d, [10])
    with pytest.raises(TypeError, match="integer"):
        data.split_by_frame(d, [1.5])
