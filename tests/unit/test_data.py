"""lstmbook.data, every toy task of the book: shapes, dtypes, determinism, what each task asks
and bad input (padding and masks: tests/unit/nn/test_sequences.py)."""

import numpy as np
import pytest

from lstmbook import data
from lstmbook.data import adding_problem, copy_task, noisy_sine, tiny_sentiment
from lstmbook.nn.sequences import lengths_to_mask


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


def test_adding_problem_1997_layout_places_both_markers_early():
    T = 100
    X, y = adding_problem(20_000, T, seed=2, layout="1997")
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    pos = np.array([np.flatnonzero(m) for m in markers])
    assert pos[:, 0].min() == 0 and pos[:, 0].max() <= T // 2 - 2  # two distinct steps
    first_ten = (pos < 10).any(axis=1)
    assert first_ten.all()  # one marker among the first ten steps
    assert pos.max() == T // 2 - 2  # the later one among the first T // 2 - 1 steps
    assert T - 1 - pos.max() == T - T // 2 + 1  # the minimal lag, about T / 2
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1))
    # the default layout is unchanged by the new argument
    np.testing.assert_array_equal(adding_problem(5, 12, seed=0)[0],
                                  adding_problem(5, 12, seed=0, layout="halves")[0])
    with pytest.raises(ValueError, match="layout"):
        adding_problem(2, 20, layout="1996")
    with pytest.raises(ValueError, match="T must be >= 6"):
        adding_problem(2, 5, layout="1997")


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


# --------------------------------------------------------------------------- lag task (ch. 4)
def test_lag_task_targets_are_the_first_value():
    X, y = data.lag_task(50, 7, seed=0)
    assert X.shape == (50, 8, 1) and y.shape == (50,) and y.dtype == np.int64
    assert set(np.unique(X)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(y, (X[:, 0, 0] > 0).astype(int))
    X2, y2 = data.lag_task(50, 7, seed=0)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="lag"):
        data.lag_task(5, 0)


# --------------------------------------------------------------------------- memory task (ch. 5)
def test_memory_task_structure():
    task = data.memory_task(50, 12, seed=2)
    x, marker, cue, target = task
    assert x.shape == marker.shape == cue.shape == target.shape == (50, 12)
    assert np.all(marker.sum(1) == 1) and np.all(cue.sum(1) == 1)
    assert np.all(marker.argmax(1) < 6) and np.all(cue.argmax(1) >= 6)
    rows = np.arange(50)
    assert np.allclose(target[rows, cue.argmax(1)], x[rows, marker.argmax(1)])
    assert np.count_nonzero(target) <= 50
    with pytest.raises(ValueError, match="T"):
        data.memory_task(3, 1)


# --------------------------------------------------------------------------- timing task (ch. 7)
def test_timing_task():
    X, Y = data.timing_task(20, 12, delay=4, seed=0)
    assert X.shape == Y.shape == (20, 12, 1)
    assert np.all(X.sum(axis=(1, 2)) == 1) and np.all(Y.sum(axis=(1, 2)) == 1)
    assert np.array_equal(Y[:, :, 0].argmax(1), X[:, :, 0].argmax(1) + 4)
    assert np.array_equal(X, data.timing_task(20, 12, delay=4, seed=0).X)


@pytest.mark.parametrize("kwargs, exc", [
    ({"n": 3, "T": 5, "delay": 5}, ValueError),
    ({"n": 0, "T": 5, "delay": 2}, ValueError),
    ({"n": 3, "T": 5, "delay": 2.0}, TypeError),
])
def test_timing_task_bad_input(kwargs, exc):
    with pytest.raises(exc):
        data.timing_task(**kwargs)


# --------------------------------------------------------------------------- later cue (ch. 8)
def test_later_cue_task_structure():
    d = data.later_cue_task(400, T=9, seed=0)
    V = len(data.CUE_VOCAB)
    assert d.tokens.shape == d.tags.shape == d.ambiguous.shape == (400, 9)
    assert d.X.shape == (400, 9, V) and np.array_equal(d.X.argmax(-1), d.tokens)
    idx = {w: i for i, w in enumerate(data.CUE_VOCAB)}
    fruit_cues = [idx[w] for w in data.FRUIT_CUES]
    company_cues = [idx[w] for w in data.COMPANY_CUES]
    assert np.all(d.tokens[:, -1] == idx["."])
    for toks, tags in zip(d.tokens, d.tags, strict=True):
        nouns = np.flatnonzero(np.isin(toks, [idx[w] for w in data.CUE_NOUNS]))
        cues = np.flatnonzero(np.isin(toks, fruit_cues + company_cues))
        assert len(nouns) == 1 and len(cues) == 1
        p, q = nouns[0], cues[0]
        assert q > p  # the cue always comes after the noun
        assert np.count_nonzero(tags) == 1 and tags[p] != 0
        assert (tags[p] == 1) == (toks[q] in fruit_cues)  # the cue agrees with the tag
        if toks[p] == idx["banana"]:
            assert tags[p] == 1
        if toks[p] == idx["google"]:
            assert tags[p] == 2
    # about half the sentences are ambiguous, and "apple" is fruit and company about equally
    amb_rows = d.ambiguous.any(axis=1)
    assert 0.4 < amb_rows.mean() < 0.6
    assert 0.4 < (d.tags[d.ambiguous] == 1).mean() < 0.6


def test_later_cue_task_is_deterministic_and_rejects_bad_input():
    a, b = data.later_cue_task(5, seed=3), data.later_cue_task(5, seed=3)
    assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.tags, b.tags)
    with pytest.raises(ValueError, match="T"):
        data.later_cue_task(5, T=2)
    with pytest.raises(ValueError, match="p_ambiguous"):
        data.later_cue_task(5, p_ambiguous=1.5)
    with pytest.raises(TypeError, match="n"):
        data.later_cue_task(2.5)


def test_encode_decode():
    tokens = data.encode_cue_sentence("Apple is something that I like to eat.")
    assert data.decode_cue_tokens(tokens) == ["apple", "is", "something", "that", "i", "like", "to",
                                              "eat", "."]
    with pytest.raises(ValueError, match="pear"):
        data.encode_cue_sentence("a pear is something i like to eat")
    with pytest.raises(TypeError, match="sentence"):
        data.encode_cue_sentence(["apple"])
    with pytest.raises(ValueError, match="tokens"):
        data.decode_cue_tokens(np.array([0, 99]))


# --------------------------------------------------------------------------- parity (ch. 8)
def test_parity_task():
    X, Y, mask = data.parity_task(3, T=7, k=3, seed=0)
    x = X[..., 0]
    assert set(np.unique(x)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(Y[:, 2:, 0], x[:, 2:] * x[:, 1:-1] * x[:, :-2])
    assert not mask[:, :2].any() and mask[:, 2:].all()
    with pytest.raises(ValueError, match="k"):
        data.parity_task(2, T=3, k=4)


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
