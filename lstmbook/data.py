"""Every toy task of the book, made in code, in one signature style.

``task(n, T, *, options..., rng=None, seed=None, dtype=np.float64) -> NamedTuple``: ``n``
sequences of ``T`` steps (``lag`` for :func:`lag_task`, whose length is ``lag + 1``), options by
keyword, randomness only through a ``numpy.random.Generator`` passed as ``rng`` or built from
``seed`` (never both), float arrays in ``dtype``. Each returns a named tuple that unpacks as
``X, y`` (or ``X, Y, mask``): inputs first, batch-first ``(n, T, D)``, then the targets.

========================  =======  =================================================
task                      chapter  what it asks
========================  =======  =================================================
:func:`delayed_recall`    2        output the input of ``delay`` steps ago
:func:`tiny_sentiment`    2        classify 40 short sentences (a fixed set; "not")
:func:`noisy_sine`        3, 4     predict the next value of a noisy sine
:func:`lag_task`          4        remember one bit for ``lag`` steps
:func:`memory_task`       5        store one marked value, output it at a cue
:func:`timing_task`       7        fire ``delay`` steps after a pulse
:func:`later_cue_task`    8        tag "apple" as fruit or company from a later word
:func:`parity_task`       8        the parity of the last ``k`` inputs
:func:`copy_task`         8        repeat ``T`` symbols after ``delay`` blank steps
:func:`adding_problem`    9        add two marked numbers across a long sequence
========================  =======  =================================================

Padding, masks and one-hot vectors are the library's (:mod:`lstmbook.nn.sequences`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from lstmbook.nn._checks import (
    float_dtype,
    int_array,
    make_rng,
    nonnegative_float,
    nonnegative_int,
    positive_int,
    probability,
)
from lstmbook.nn.sequences import one_hot, pad_sequences

__all__ = [
    "COMPANY_CUES",
    "CUE_FILLER",
    "CUE_NOUNS",
    "CUE_TAGS",
    "CUE_VOCAB",
    "FRUIT_CUES",
    "AddingProblem",
    "CopyTask",
    "CueTask",
    "LagTask",
    "MemoryTask",
    "NoisySine",
    "ParityTask",
    "RecallTask",
    "SentimentData",
    "TimingTask",
    "adding_problem",
    "copy_task",
    "decode_cue_tokens",
    "delayed_recall",
    "encode_cue_sentence",
    "lag_task",
    "later_cue_task",
    "memory_task",
    "noisy_sine",
    "parity_task",
    "split_by_frame",
    "tiny_sentiment",
]


# --------------------------------------------------------------------------- tasks
class AddingProblem(NamedTuple):
    """Arrays of :func:`adding_problem` (unpacks as ``X, y``)."""

    X: np.ndarray  #: (n, T, 2) channel 0 the values, channel 1 the markers
    y: np.ndarray  #: (n, 1) the sum of the two marked values


def adding_problem(n, T, *, rng=None, seed=None, dtype=np.float64,
                   layout="halves") -> AddingProblem:
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

    ``layout="1997"`` places the markers as in the 1997 paper (the other simplifications stay):
    the first marked step among the first ten, ``[0, min(10, T // 2 - 1))``, the second among
    the first ``T // 2 - 1`` steps and different from the first. Both marked values then lie in
    the first half, and the read-out comes at least ``T - T // 2 + 1`` steps after the later
    one (the minimal lag, about ``T / 2``). Needs ``T >= 6``.

    Parameters
    ----------
    n : int, number of sequences (>= 1).
    T : int, sequence length (>= 2, so that each half holds at least one step).
    rng, seed : a ``numpy.random.Generator``, or a seed to build one (not both).
    dtype : floating dtype of the arrays (float64 by default).
    layout : ``"halves"`` (one marker in each half, the default) or ``"1997"`` (see above).

    Returns
    -------
    AddingProblem(X, y): ``X`` (n, T, 2), channel 0 the values, channel 1 the markers;
    ``y`` (n, 1), the sum of the two marked values.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be >= 2 (one marker in each half of the sequence), got {T}")
    if layout not in ("halves", "1997"):
        raise ValueError(f"layout must be 'halves' or '1997', got {layout!r}")
    if layout == "1997" and T < 6:
        raise ValueError(f"T must be >= 6 for layout='1997' (two distinct steps among the "
                         f"first T // 2 - 1), got {T}")
    dt = float_dtype(dtype)
    gen = make_rng(rng, seed)
    half = T // 2
    values = gen.uniform(-1.0, 1.0, size=(n, T))
    if layout == "halves":
        first = gen.integers(0, half, size=n)
        second = gen.integers(half, T, size=n)
    else:  # Hochreiter & Schmidhuber (1997), experiment 4: both in the first half
        first = gen.integers(0, min(10, half - 1), size=n)
        second = gen.integers(0, half - 2, size=n)  # one of the half - 1 steps except `first`
        second += second >= first
    rows = np.arange(n)
    X = np.zeros((n, T, 2))
    X[:, :, 0] = values
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]
    return AddingProblem(X.astype(dt, copy=False), y.astype(dt, copy=False))


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
    dt = float_dtype(dtype)
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


class NoisySine(NamedTuple):
    """Arrays of :func:`noisy_sine` (unpacks as ``X, Y``)."""

    X: np.ndarray  #: (n, T, 1) inputs s_0 .. s_{T-1}
    Y: np.ndarray  #: (n, T, 1) next-step targets s_1 .. s_T


def noisy_sine(n, T, *, noise=0.1, period=20.0, rng=None, seed=None,
               dtype=np.float64) -> NoisySine:
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
    NoisySine(X, Y): ``X`` (n, T, 1) inputs, ``Y`` (n, T, 1) next-step targets.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    noise = nonnegative_float(noise, "noise")
    period = nonnegative_float(period, "period")
    if period == 0:
        raise ValueError("period must be a finite number > 0, got 0.0")
    dt = float_dtype(dtype)
    gen = make_rng(rng, seed)
    phase = gen.uniform(0.0, 2 * np.pi, size=(n, 1))
    t = np.arange(T + 1)[None, :]
    s = np.sin(2 * np.pi * t / period + phase) + noise * gen.standard_normal((n, T + 1))
    X = s[:, :-1, None]
    Y = s[:, 1:, None]
    return NoisySine(X.astype(dt), Y.astype(dt))


# --------------------------------------------------------------------------- chapters 2 to 8
class RecallTask(NamedTuple):
    """Arrays of :func:`delayed_recall` (unpacks as ``X, Y, mask``)."""

    X: np.ndarray  #: (n, T, 1) inputs uniform in (-1, 1)
    Y: np.ndarray  #: (n, T, 1) targets d_t = x_{t − delay} (0 for the first steps)
    mask: np.ndarray  #: (n, T) bool, False for the first ``delay`` steps (nothing to recall)


def delayed_recall(n, T, *, delay=4, rng=None, seed=None, dtype=np.float64) -> RecallTask:
    """Chapter 2's common task for the recurrent family: recall the input of ``delay`` steps ago.

    The input at each step is uniform in (-1, 1) and the target is ``d_t = x_{t − delay}``; for
    the first ``delay`` steps there is nothing to recall, so the mask leaves them out of the loss.
    Remembering nothing (always predicting 0) gives the variance of the inputs, 1/3.
    """
    n, T = positive_int(n, "n"), positive_int(T, "T")
    delay = positive_int(delay, "delay")
    if delay >= T:
        raise ValueError(f"delay must be smaller than T = {T}, got {delay}")
    dt = float_dtype(dtype)
    X = make_rng(rng, seed).uniform(-1, 1, size=(n, T, 1))
    Y = np.zeros_like(X)
    Y[:, delay:] = X[:, :-delay]
    mask = np.zeros((n, T), dtype=bool)
    mask[:, delay:] = True
    return RecallTask(X.astype(dt), Y.astype(dt), mask)


class LagTask(NamedTuple):
    """Arrays of :func:`lag_task` (unpacks as ``X, y``)."""

    X: np.ndarray  #: (n, lag + 1, 1) random ±1 values
    y: np.ndarray  #: (n,) int64, the class of the first value (1 for +1, 0 for −1)


def lag_task(n, lag, *, rng=None, seed=None, dtype=np.float64) -> LagTask:
    """The "remember one bit for ``lag`` steps" task (many-to-one).

    Each sequence has ``lag + 1`` steps of random ±1 values (one feature). The target is the
    class of the **first** value (1 for +1, 0 for −1), asked at the last step: the network must
    keep one bit for ``lag`` steps while ``lag`` more random values pass by. Chance is 50 %.
    """
    n = positive_int(n, "n")
    lag = positive_int(lag, "lag")
    gen = make_rng(rng, seed)
    bits = gen.integers(0, 2, size=(n, lag + 1))
    X = (2.0 * bits - 1.0)[:, :, None].astype(float_dtype(dtype))
    return LagTask(X, bits[:, 0].astype(np.int64))


class MemoryTask(NamedTuple):
    """A store-and-recall task for the memory-cell demos (all arrays ``(n, T)``)."""

    x: np.ndarray  #: the values, uniform in (-1, 1) at every step
    marker: np.ndarray  #: 1.0 at the one step whose value must be stored, else 0
    cue: np.ndarray  #: 1.0 at the one step where the stored value must be read out, else 0
    target: np.ndarray  #: the stored value at the cue step, 0 at every other step


def memory_task(n, T, *, rng=None, seed=None, dtype=np.float64) -> MemoryTask:
    """``n`` sequences of ``T`` steps: one relevant value (marked, in the first half) among
    ``T - 1`` distractors, to be output at the cue step (in the second half) and nowhere else.
    """
    n, T = positive_int(n, "n"), positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be >= 2 (a marked step, then a cue step), got {T}")
    gen = make_rng(rng, seed)
    x = gen.uniform(-1.0, 1.0, size=(n, T))
    rows = np.arange(n)
    first = gen.integers(0, T // 2, size=n)
    cue_at = gen.integers(T // 2, T, size=n)
    marker = np.zeros((n, T))
    cue = np.zeros((n, T))
    marker[rows, first] = 1.0
    cue[rows, cue_at] = 1.0
    target = cue * x[rows, first][:, None]
    dt = float_dtype(dtype)
    return MemoryTask(*(a.astype(dt) for a in (x, marker, cue, target)))


class TimingTask(NamedTuple):
    """Arrays of :func:`timing_task` (unpacks as ``X, Y``)."""

    X: np.ndarray  #: (n, T, 1) inputs: 1.0 at the pulse step, 0 elsewhere
    Y: np.ndarray  #: (n, T, 1) targets: 1.0 at pulse + delay, 0 elsewhere


def timing_task(n, T, *, delay, rng=None, seed=None, dtype=np.float64) -> TimingTask:
    """``n`` sequences of ``T`` steps, a pulse at ``t0`` uniform in ``[0, T - delay)``, a
    target spike at ``t0 + delay``."""
    n, T, delay = positive_int(n, "n"), positive_int(T, "T"), positive_int(delay, "delay")
    if delay >= T:
        raise ValueError(f"delay must be smaller than T = {T}, got {delay}")
    gen = make_rng(rng, seed)
    t0 = gen.integers(0, T - delay, size=n)
    rows = np.arange(n)
    X = np.zeros((n, T, 1))
    Y = np.zeros((n, T, 1))
    X[rows, t0, 0] = 1.0
    Y[rows, t0 + delay, 0] = 1.0
    dt = float_dtype(dtype)
    return TimingTask(X.astype(dt), Y.astype(dt))


class ParityTask(NamedTuple):
    """Arrays of :func:`parity_task` (unpacks as ``X, Y, mask``)."""

    X: np.ndarray  #: (n, T, 1) inputs ±1
    Y: np.ndarray  #: (n, T, 1) the parity of the last k inputs, as ±1
    mask: np.ndarray  #: (n, T) bool, False for the first k − 1 steps


def parity_task(n, T=12, *, k=3, rng=None, seed=None, dtype=np.float64) -> ParityTask:
    """Inputs ``x_t = ±1`` at random; target ``y_t = x_t · x_{t−1} ⋯ x_{t−k+1}`` (the parity of
    the last ``k`` inputs, as ±1), for chapter 8's stacked layers. The loss ``mask`` is False for
    the first ``k − 1`` steps, where the target is undefined."""
    n, T, k = positive_int(n, "n"), positive_int(T, "T"), positive_int(k, "k")
    if k > T:
        raise ValueError(f"k must be at most T = {T}, got {k}")
    gen = make_rng(rng, seed)
    x = gen.choice(np.array([-1.0, 1.0]), size=(n, T))
    y = np.zeros((n, T))
    y[:, k - 1:] = np.prod([x[:, j:T - k + 1 + j] for j in range(k)], axis=0)
    mask = np.zeros((n, T), dtype=bool)
    mask[:, k - 1:] = True
    dt = float_dtype(dtype)
    return ParityTask(x[..., None].astype(dt), y[..., None].astype(dt), mask)


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


# ------------------------------------------------------------- the later-cue task (chapter 8)
#: Words whose class never changes: "banana" is a fruit, "google" a company.
CUE_NOUNS = ("apple", "banana", "google")
#: Cue words: after "apple", one of these settles its class.
FRUIT_CUES = ("eat", "peel")
COMPANY_CUES = ("use", "charge")
#: Words that carry no class information.
CUE_FILLER = ("is", "something", "that", "i", "like", "to", "really", "my")
#: The vocabulary: token id = position in this tuple ("." ends every sentence).
CUE_VOCAB = CUE_NOUNS + FRUIT_CUES + COMPANY_CUES + CUE_FILLER + (".",)
#: The tag of each token: "other" for every word except the noun, which is fruit or company.
CUE_TAGS = ("other", "fruit", "company")

_IDX = {w: i for i, w in enumerate(CUE_VOCAB)}


class CueTask(NamedTuple):
    """A batch of the later-cue task (:func:`later_cue_task`)."""

    tokens: np.ndarray  #: (n, T) int token ids (into CUE_VOCAB)
    X: np.ndarray  #: (n, T, len(CUE_VOCAB)) one-hot inputs
    tags: np.ndarray  #: (n, T) int tag ids (into CUE_TAGS)
    ambiguous: np.ndarray  #: (n, T) bool, True where the token is "apple"


def later_cue_task(n, T=9, *, p_ambiguous=0.5, rng=None, seed=None,
                   dtype=np.float64) -> CueTask:
    """Sentences of ``T`` tokens to tag word by word; the tag of "apple" depends on a later word.

    Each sentence holds one noun at a random position ``p`` in ``[0, T − 3]``, one cue word at a
    random position in ``(p, T − 2]`` (always *after* the noun), filler words elsewhere and "."
    at the end. With probability ``p_ambiguous`` the noun is "apple" and its class (fruit or
    company, equally likely) shows only in the cue ("eat"/"peel" or "use"/"charge"); otherwise
    it is "banana" (fruit) or "google" (company) and the cue agrees with it. The tag is the
    noun's class at the noun and "other" everywhere else.

    A model that reads left to right cannot know the tag of "apple" when it reaches it: the best
    it can do there is guess (50 %); a model that also reads right to left can.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    if T < 3:
        raise ValueError(f"T must be at least 3 (noun, cue, '.'), got {T}")
    p_ambiguous = probability(p_ambiguous, "p_ambiguous")
    gen = make_rng(rng, seed)
    filler = np.array([_IDX[w] for w in CUE_FILLER])
    tokens = gen.choice(filler, size=(n, T))
    tokens[:, -1] = _IDX["."]
    tags = np.zeros((n, T), dtype=np.int64)
    rows = np.arange(n)
    p = gen.integers(0, T - 2, size=n)                      # noun position
    q = p + 1 + gen.integers(0, T - 2 - p)                   # cue position, after the noun
    cls = gen.integers(1, 3, size=n)                         # 1 fruit, 2 company
    amb = gen.random(n) < p_ambiguous
    noun = np.where(amb, _IDX["apple"], np.where(cls == 1, _IDX["banana"], _IDX["google"]))
    fruit_cue = gen.choice([_IDX[w] for w in FRUIT_CUES], size=n)
    company_cue = gen.choice([_IDX[w] for w in COMPANY_CUES], size=n)
    tokens[rows, p] = noun
    tokens[rows, q] = np.where(cls == 1, fruit_cue, company_cue)
    tags[rows, p] = cls
    return CueTask(tokens, one_hot(tokens, len(CUE_VOCAB), dtype=float_dtype(dtype)), tags,
                   tokens == _IDX["apple"])


def encode_cue_sentence(sentence) -> np.ndarray:
    """Token ids ``(T,)`` of a sentence written in the task's vocabulary.

    Case is ignored and "." is split off:
    ``encode_cue_sentence("Apple is something that I like to eat.")``.
    Raises ValueError naming any word outside :data:`CUE_VOCAB`.
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    words = re.findall(r"[a-z]+|\.", sentence.lower())
    if not words:
        raise ValueError(f"sentence must contain at least one word, got {sentence!r}")
    unknown = sorted({w for w in words if w not in _IDX})
    if unknown:
        raise ValueError(f"sentence has words outside the vocabulary: {unknown}; "
                         f"the vocabulary is {list(CUE_VOCAB)}")
    return np.array([_IDX[w] for w in words], dtype=np.int64)


def decode_cue_tokens(tokens) -> list[str]:
    """The words of token ids (the inverse of :func:`encode_cue_sentence`)."""
    tokens = int_array(tokens, "tokens", ndim=1)
    if np.any((tokens < 0) | (tokens >= len(CUE_VOCAB))):
        raise ValueError(f"tokens must be ids in [0, {len(CUE_VOCAB)}), got {tokens.tolist()}")
    return [CUE_VOCAB[t] for t in tokens]
