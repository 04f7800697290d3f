"""Toy sequence data made in code: tasks, padding and masks for sequences of different lengths.

Every array is batch-first: inputs ``X`` are ``(N, T, D)`` (N sequences, T time steps, D features
per step). Randomness enters only through a ``numpy.random.Generator`` passed as ``rng`` or built
from ``seed`` (:func:`lstmbook._checks.make_rng`), so the same seed always gives the same arrays.

Tasks
    :func:`adding_problem` (long time lags, many-to-one), :func:`copy_task` (memory,
    many-to-many with a mask), :func:`noisy_sine` (next-step prediction, many-to-many),
    :func:`tiny_sentiment` (sentence classification, many-to-one with variable lengths) and
    :func:`split_by_frame` (its train/test split that keeps each frame's four sentences together).
Variable lengths
    :func:`pad_sequences`, :func:`lengths_to_mask`, :func:`last_valid`, and :func:`one_hot`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook._checks import make_rng, nonnegative_float, nonnegative_int, positive_int

__all__ = [
    "CopyTask",
    "SentimentData",
    "adding_problem",
    "copy_task",
    "last_valid",
    "lengths_to_mask",
    "noisy_sine",
    "one_hot",
    "pad_sequences",
    "split_by_frame",
    "tiny_sentiment",
]


# --------------------------------------------------------------------------- argument helpers
def _float_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be a NumPy floating dtype, got {dtype!r}") from err
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"dtype must be a floating dtype (np.float64 or np.float32), got {dt}")
    return dt


def _int_array(x, name: str, ndim: int | None = None) -> np.ndarray:
    """An ndarray of integers (a list is refused, as everywhere in lstmbook)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of integers, got {type(x).__name__}"
            + (" (convert it with np.asarray(...))" if isinstance(x, list | tuple) else "")
        )
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must have an integer dtype, got {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {x.shape}")
    return x




# --------------------------------------------------------------------------- tasks
def adding_problem(n, T, *, rng=None, seed=None, dtype=np.float64):
    """The adding problem: remember two marked numbers across a long sequence and add them.

    Each of the ``n`` sequences has ``T`` steps of two channels. Channel 0 holds a value drawn
    uniformly from (-1, 1) at every step; channel 1 is a marker, 1.0 at exactly two steps and 0.0
    elsewhere: one marked step is drawn uniformly from the first half ``[0, T // 2)`` and one from
    the second half ``[T // 2, T)``. The target is the sum of the two marked values, in (-2, 2).
    The answer depends on an input up to ``T - 1`` steps in the past, so ``T`` sets the time lag.

    This simplifies experiment 4 of Hochreiter & Schmidhuber (1997), "Long Short-Term Memory":
    there, sequences have random lengths between T and T + T/10, the first marker falls in the
    first ten steps and the second in the first T/2 - 1, the first and last steps carry a -1
    marker, and the target is scaled to ``0.5 + (X1 + X2) / 4``. Here every sequence has length
    ``T`` (no padding needed), the markers are one per half, and the target is the plain sum, the
    form most later papers use.

    Parameters
    ----------
    n : int, number of sequences (>= 1).
    T : int, sequence length (>= 2, so that each half holds at least one step).
    rng, seed : a ``numpy.random.Generator``, or a seed to build one (not both).
    dtype : floating dtype of the arrays (float64 by default).

    Returns
    -------
    X : (n, T, 2) array, channel 0 the values, channel 1 the markers.
    y : (n, 1) array, the sum of the two marked values.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be >= 2 (one marker in each half of the sequence), got {T}")
    dt = _float_dtype(dtype)
    gen = make_rng(rng, seed)
    half = T // 2
    values = gen.uniform(-1.0, 1.0, size=(n, T))
    first = gen.integers(0, half, size=n)
    second = gen.integers(half, T, size=n)
    rows = np.arange(n)
    X = np.zeros((n, T, 2))
    X[:, :, 0] = values
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]
    return X.astype(dt, copy=False), y.astype(dt, copy=False)


class CopyTask(NamedTuple):
    """Arrays of :func:`copy_task` (unpacks as ``X, targets, mask``)."""

    X: np.ndarray  #: (n, 2 * T + delay, n_symbols + 2) one-hot inputs
    targets: np.ndarray  #: (n, 2 * T + delay) integer targets; 0 (blank) outside the recall phase
    mask: np.ndarray  #: (n, 2 * T + delay) bool, True on the T recall steps, where the loss counts


def copy_task(n, T, *, n_symbols=8, delay=10, rng=None, seed=None, dtype=np.float64):
    """The copy (memory) task: see ``T`` symbols, wait ``delay`` blank steps, then repeat them.

    Token codes: ``0`` is *blank*, ``1 .. n_symbols`` are the symbols to remember, and
    ``n_symbols + 1`` is *go*, the cue that asks for the recall. Each sequence has
    ``L = T + delay + T`` steps:

    ====================  =======================  ===================================
    steps                 input token              target token (``mask``)
    ====================  =======================  ===================================
    ``[0, T)``            the symbols s_1 .. s_T   blank (False)
    ``[T, T + delay)``    blank                    blank (False)
    ``[T + delay, L)``    go                       s_1 .. s_T, in order (True)
    ====================  =======================  ===================================

    The network must carry ``T`` symbols across ``T + delay`` steps; the loss is counted only on
    the recall steps (``mask``), so ``softmax_cross_entropy(logits, targets, mask)`` scores just
    the copy.

    Parameters
    ----------
    n : int, number of sequences. T : int, number of symbols to remember (>= 1).
    n_symbols : int, alphabet size (>= 1). delay : int, blank steps between seeing and recalling
    (>= 0). rng, seed : randomness (not both). dtype : floating dtype of ``X``.

    Returns
    -------
    CopyTask(X, targets, mask): ``X`` (n, L, n_symbols + 2) one-hot float, ``targets`` (n, L)
    int64 token codes, ``mask`` (n, L) bool.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    n_symbols = positive_int(n_symbols, "n_symbols")
    delay = nonnegative_int(delay, "delay")
    dt = _float_dtype(dtype)
    gen = make_rng(rng, seed)
    L = 2 * T + delay
    go = n_symbols + 1
    symbols = gen.integers(1, n_symbols + 1, size=(n, T))
    tokens = np.zeros((n, L), dtype=np.int64)
    tokens[:, :T] = symbols
    tokens[:, T + delay :] = go
    targets = np.zeros((n, L), dtype=np.int64)
    targets[:, T + delay :] = symbols
    mask = np.zeros((n, L), dtype=bool)
    mask[:, T + delay :] = True
    return CopyTask(one_hot(tokens, n_symbols + 2, dtype=dt), targets, mask)


def noisy_sine(n, T, *, noise=0.1, period=20.0, rng=None, seed=None, dtype=np.float64):
    """Noisy sine waves for next-step prediction (many-to-many: one target per input step).

    Sequence k is ``s_t = sin(2π t / period + φ_k) + noise · ε_t`` for ``t = 0 .. T`` with a
    random phase ``φ_k ~ U[0, 2π)`` and ``ε_t ~ N(0, 1)``. The input is ``s_0 .. s_{T-1}`` and the
    target at each step is the next value, ``s_1 .. s_T``, so ``Y[:, :-1] == X[:, 1:]``.

    Parameters
    ----------
    n, T : int, number of sequences and steps. noise : float >= 0, standard deviation of the
    Gaussian noise. period : float > 0, period in steps. rng, seed : randomness (not both).

    Returns
    -------
    X : (n, T, 1) inputs. Y : (n, T, 1) next-step targets.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    noise = nonnegative_float(noise, "noise")
    period = nonnegative_float(period, "period")
    if period == 0:
        raise ValueError("period must be a finite number > 0, got 0.0")
    dt = _float_dtype(dtype)
    gen = make_rng(rng, seed)
    phase = gen.uniform(0.0, 2 * np.pi, size=(n, 1))
    t = np.arange(T + 1)[None, :]
    s = np.sin(2 * np.pi * t / period + phase) + noise * gen.standard_normal((n, T + 1))
    X = s[:, :-1, None]
    Y = s[:, 1:, None]
    return X.astype(dt), Y.astype(dt)


# --------------------------------------------------------------------------- variable lengths
def pad_sequences(seqs, *, pad_value=0.0):
    """Stack sequences of different lengths into one padded batch, with its mask and lengths.

    Parameters
    ----------
    seqs : list (or tuple) of N arrays, each ``(T_i, D)`` (or each ``(T_i,)``, e.g. token ids),
        all with the same trailing shape and ``T_i >= 1``.
    pad_value : the value written into the padding steps (0.0 by default).

    Returns
    -------
    X : ``(N, T_max, D)`` (or ``(N, T_max)``), sequence n in ``X[n, :T_n]``, then ``pad_value``.
        Its dtype is the common dtype of the inputs.
    mask : ``(N, T_max)`` bool, ``mask[n, t]`` is True where step t of sequence n is real data.
    lengths : ``(N,)`` int64, ``T_n``.
    """
    if not isinstance(seqs, list | tuple):
        raise TypeError(f"seqs must be a list of numpy arrays, got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError("seqs must hold at least one sequence, got an empty list")
    trailing = None
    for k, s in enumerate(seqs):
        if not isinstance(s, np.ndarray):
            raise TypeError(f"seqs[{k}] must be a numpy.ndarray, got {type(s).__name__}")
        if not (np.issubdtype(s.dtype, np.number) or s.dtype == bool):
            raise TypeError(f"seqs[{k}] must hold numbers, got dtype {s.dtype}")
        if s.ndim not in (1, 2):
            raise ValueError(
                f"seqs[{k}] must have shape (T_i, D) or (T_i,), got shape {s.shape}"
            )
        if s.shape[0] == 0:
            raise ValueError(f"seqs[{k}] is empty (length 0); every sequence needs >= 1 step")
        if trailing is None:
            trailing = s.shape[1:]
        elif s.shape[1:] != trailing:
            raise ValueError(
                f"seqs[{k}] has trailing shape {s.shape[1:]}, but seqs[0] has {trailing}: "
                "every sequence needs the same number of features D"
            )
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    T_max = int(lengths.max())
    dtype = np.result_type(*seqs)
    X = np.full((len(seqs), T_max, *trailing), pad_value, dtype=dtype)
    for k, s in enumerate(seqs):
        X[k, : s.shape[0]] = s
    return X, lengths_to_mask(lengths, T_max), lengths


def lengths_to_mask(lengths, T=None):
    """The ``(N, T)`` boolean mask of a padded batch: ``mask[n, t] = t < lengths[n]``.

    ``lengths`` is an ``(N,)`` integer array with ``0 <= lengths[n] <= T``; ``T`` defaults to
    ``lengths.max()``. ``mask.sum()`` is the number of real (valid) steps in the batch.
    """
    lengths = _int_array(lengths, "lengths", ndim=1)
    if T is None:
        if lengths.size == 0:
            raise ValueError("lengths is empty; pass T to say how long the mask is")
        T = int(lengths.max())
    T = positive_int(T, "T")
    if np.any(lengths < 0) or np.any(lengths > T):
        raise ValueError(f"lengths must lie in [0, T] = [0, {T}], got {lengths.tolist()}")
    return np.arange(T)[None, :] < lengths[:, None]


def last_valid(Y, lengths):
    """Each sequence's output at its own last valid step: the many-to-one read-out.

    ``Y`` is ``(N, T, H)`` (outputs of a recurrent layer over a padded batch) and ``lengths``
    ``(N,)`` integers in ``[1, T]``; the result is ``(N, H)`` with row n equal to
    ``Y[n, lengths[n] - 1]``. (``Y[:, -1]`` would read the padding of every shorter sequence.)
    """
    if not isinstance(Y, np.ndarray):
        raise TypeError(f"Y must be a numpy.ndarray of shape (N, T, H), got {type(Y).__name__}")
    if Y.ndim != 3:
        raise ValueError(f"Y must have shape (N, T, H), got shape {Y.shape}")
    lengths = _int_array(lengths, "lengths", ndim=1)
    N, T, _ = Y.shape
    if lengths.shape[0] != N:
        raise ValueError(
            f"lengths must have shape (N,) = ({N},) to match Y {Y.shape}, got {lengths.shape}"
        )
    if np.any(lengths < 1) or np.any(lengths > T):
        raise ValueError(f"lengths must lie in [1, T] = [1, {T}], got {lengths.tolist()}")
    return Y[np.arange(N), lengths - 1]


def one_hot(indices, depth, dtype=np.float64):
    """One-hot vectors: an integer array of shape S becomes ``S + (depth,)`` with a single 1.

    Every index must lie in ``[0, depth)``.
    """
    indices = _int_array(indices, "indices")
    depth = positive_int(depth, "depth")
    dt = _float_dtype(dtype)
    if indices.size and (indices.min() < 0 or indices.max() >= depth):
        raise ValueError(
            f"indices must lie in [0, depth) = [0, {depth}), got values from "
            f"{int(indices.min())} to {int(indices.max())}"
        )
    return (indices[..., None] == np.arange(depth)).astype(dt)


# --------------------------------------------------------------------------- tiny sentiment
# Ten sentence frames; "{neg}" is either "not" or nothing, "{w}" is a positive or negative word.
# Every frame appears four times (positive word, "not" + positive, negative word, "not" +
# negative), so each word, and "not" itself, occurs as often in positive as in negative
# sentences: no weight per word can tell the classes apart (see tiny_sentiment's docstring).
_FRAMES = (
    ("the film was {neg} {w}", "good", "bad"),
    ("{neg} a {w} movie", "great", "boring"),
    ("the story was {neg} very {w}", "fun", "dull"),
    ("the actors were {neg} really {w}", "good", "terrible"),
    ("it was {neg} a {w} story", "great", "bad"),
    ("the ending was {neg} {w}", "funny", "boring"),
    ("i would {neg} call the plot {w}", "clever", "silly"),
    ("this movie is {neg} {w}", "wonderful", "awful"),
    ("to be honest the acting was {neg} very {w}", "good", "bad"),
    ("we thought the songs were {neg} {w}", "great", "dull"),
)
PAD = "<pad>"


class SentimentData(NamedTuple):
    """The tiny sentiment set (:func:`tiny_sentiment`)."""

    tokens: np.ndarray  #: (N, T_max) int64 token ids, 0 = padding
    mask: np.ndarray  #: (N, T_max) bool, True on real words
    lengths: np.ndarray  #: (N,) int64 sentence lengths in words
    labels: np.ndarray  #: (N,) int64, 1 = positive, 0 = negative
    vocab: dict  #: word -> id, with "<pad>" -> 0
    sentences: list  #: the N sentences as strings


def tiny_sentiment(*, seed=0) -> SentimentData:
    """A tiny labelled sentence set for many-to-one classification (感情分析, sentiment analysis).

    40 short English sentences of 3 to 9 words, such as "the film was good" (positive, label 1)
    and "the film was not good" (negative, label 0). The set is built from ten frames, each used
    four times: with a positive word, with "not" and the positive word, with a negative word, and
    with "not" and the negative word. The label is positive exactly when the sentence has a
    positive word and no "not", or a negative word and a "not" (an exclusive or).

    This makes the task impossible for a bag-of-words linear classifier (a weight per word plus a
    bias): within a frame, the four sentences' scores would need ``f + p > 0``, ``f + n + q > 0``,
    ``f + n + p < 0`` and ``f + q < 0`` (f the frame's words, p and q the two sentiment words, n
    the weight of "not"); the first two add to the same sum as the last two, a contradiction. So
    at most three of each frame's four sentences are right, whatever the weights. A recurrent
    network, which reads the words in order and can remember that it saw "not", can learn it.

    ``seed`` only shuffles the order of the sentences; the default gives the book's order.

    Returns
    -------
    SentimentData(tokens, mask, lengths, labels, vocab, sentences): ``tokens`` (40, 9) int64
    (0 = ``"<pad>"``), ``mask`` (40, 9) bool, ``lengths`` (40,), ``labels`` (40,) int64,
    ``vocab`` a dict word -> id (ids sorted alphabetically from 1), ``sentences`` a list of str.
    """
    gen = make_rng(seed=seed)
    items = []
    for frame, pos, neg in _FRAMES:
        for word, positive in ((pos, True), (neg, False)):
            for negated in (False, True):
                text = frame.format(neg="not" if negated else "", w=word)
                items.append((" ".join(text.split()), int(positive != negated)))
    order = gen.permutation(len(items))
    sentences = [items[k][0] for k in order]
    labels = np.array([items[k][1] for k in order], dtype=np.int64)
    words = sorted({w for s in sentences for w in s.split()})
    vocab = {PAD: 0, **{w: i + 1 for i, w in enumerate(words)}}
    seqs = [np.array([vocab[w] for w in s.split()], dtype=np.int64) for s in sentences]
    tokens, mask, lengths = pad_sequences(seqs, pad_value=0)
    return SentimentData(tokens, mask, lengths, labels, vocab, sentences)


def _frame_of_sentence() -> dict[str, int]:
    """Map each sentence of :func:`tiny_sentiment` to the index of its frame in ``_FRAMES``."""
    frame_of = {}
    for k, (frame, pos, neg) in enumerate(_FRAMES):
        for word in (pos, neg):
            for negated in (False, True):
                text = frame.format(neg="not" if negated else "", w=word)
                frame_of[" ".join(text.split())] = k
    return frame_of


def split_by_frame(ds: SentimentData, test_frames):
    """Split :func:`tiny_sentiment` by frame: all four sentences of each test frame are held out.

    A random split of the 40 sentences puts most held-out sentences next to training siblings of
    the same frame whose labels disagree with them, which a memorising network copies. Holding out
    whole frames asks the real question instead: does the network apply "the word's polarity,
    flipped by *not*" to sentences it has never seen?

    Parameters
    ----------
    ds : the ``SentimentData`` returned by :func:`tiny_sentiment` (any ``seed``).
    test_frames : sequence of int, indices of the frames to hold out, in ``0 .. 9`` (frame ``k``
        is the k-th sentence pattern, e.g. 0 is "the film was {not} good/bad").

    Returns
    -------
    train_idx, test_idx : int64 arrays of sentence indices into ``ds``, in increasing order;
    ``test_idx`` has ``4 * len(test_frames)`` entries.
    """
    frames = np.asarray(test_frames)
    if frames.ndim != 1 or not np.issubdtype(frames.dtype, np.integer):
        raise TypeError(
            f"test_frames must be a sequence of integer frame indices, got {test_frames!r}"
        )
    if np.any((frames < 0) | (frames >= len(_FRAMES))):
        raise ValueError(f"test_frames must lie in 0 .. {len(_FRAMES) - 1}, got {test_frames!r}")
    frame_of = _frame_of_sentence()
    try:
        frame = np.array([frame_of[s] for s in ds.sentences], dtype=np.int64)
    except (KeyError, AttributeError, TypeError) as err:
        raise ValueError("ds must be the SentimentData returned by tiny_sentiment()") from err
    test = np.isin(frame, frames)
    return np.flatnonzero(~test), np.flatnonzero(test)
