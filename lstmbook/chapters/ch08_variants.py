"""Chapter 8, variants (``book/08_variants.ipynb``): measured comparisons of stacked,
bidirectional and GRU against LSTM, and the bidirectional explorer's model.

Everything chapter 8 trains or measures is computed here, so the notebook stays short and the
tests can run the same code:

Bidirectional ({ref}`eq-birnn`)
    :func:`later_cue_task` makes sentences in which the class of the ambiguous word "apple"
    (fruit or company) is decided by a cue word that comes *after* it, as in the notes' "Apple is
    something that I like to eat."; :func:`make_tagger`, :func:`train_tagger`,
    :func:`tagger_accuracy` and :func:`compare_directions` measure a one-directional against a
    bidirectional tagger over seeds; :func:`direction_contributions` splits a bidirectional
    tagger's scores into what the forward and the backward half contribute.
Stacked
    :func:`parity_task` (the target at step t is the product of the last three ±1 inputs),
    :func:`train_stack` and :func:`probe_r2` (how well each layer's states linearly encode the
    inputs and the target).
GRU against LSTM ({ref}`eq-gru`)
    :func:`~lstmbook.nn.protocol.count_params` (re-exported), :func:`compare_cells` (the copy
    task, same hidden size, several seeds, accuracy at several checkpoints),
    :func:`steps_to_solve` (GRU and LSTM with forget bias 0 and 1 trained to an accuracy
    threshold or a budget, paired seeds) and :func:`flip_update_gate` (the z ↦ 1 − z convention).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.data import (
    CUE_NOUNS,
    CUE_TAGS,
    CUE_VOCAB,
    CueTask,
    copy_task,
    decode_cue_tokens,
    encode_cue_sentence,
    later_cue_task,
    parity_task,
)
from lstmbook.nn._checks import make_rng, one_of, positive_float, positive_int, seed_list
from lstmbook.nn.gru import GRU
from lstmbook.nn.layers import Bidirectional, Linear, Stack
from lstmbook.nn.losses import mse, softmax_cross_entropy
from lstmbook.nn.lstm import LSTM, split_gates
from lstmbook.nn.optim import Adam
from lstmbook.nn.protocol import count_params
from lstmbook.nn.sequences import one_hot
from lstmbook.nn.training import Batch, SequenceModel, train

__all__ = [
    "BIRNN_SENTENCES", "CELL_ARMS", "BirnnView", "CellComparison", "CellRace",
    "DirectionComparison", "StackRun",
    "birnn_view", "compare_cells", "compare_directions", "count_params",
    "direction_contributions", "flip_update_gate", "make_tagger", "probe_r2", "tagger_accuracy",
    "steps_to_solve", "train_stack", "train_tagger",
]

_KINDS = {"lstm": LSTM, "gru": GRU}

def _recurrent(kind, input_size, hidden_size, seed):
    return _KINDS[one_of(kind, sorted(_KINDS), "kind")](input_size, hidden_size, seed=seed)


def make_tagger(kind="lstm", *, bidirectional=False, hidden_size=8, seed=0) -> SequenceModel:
    """A token tagger: an LSTM or GRU layer (optionally :class:`Bidirectional`, each direction
    of ``hidden_size``) and a Linear head to the three :data:`CUE_TAGS` at every step."""
    hidden_size = positive_int(hidden_size, "hidden_size")
    V = len(CUE_VOCAB)
    if bidirectional:
        layer = Bidirectional(_recurrent(kind, V, hidden_size, seed),
                              _recurrent(kind, V, hidden_size, seed + 1000))
    else:
        layer = _recurrent(kind, V, hidden_size, seed)
    return SequenceModel(layer, Linear(layer.hidden_size, len(CUE_TAGS), seed=seed + 2000))


def train_tagger(model, *, steps=200, batch_size=32, lr=0.03, T=9, seed=0):
    """Train ``model`` with Adam on fresh batches of :func:`later_cue_task` (cross-entropy on
    every token); returns the :class:`~lstmbook.nn.training.History`."""
    rng = make_rng(seed=seed)
    batch_size = positive_int(batch_size, "batch_size")

    def batches(_step):
        d = later_cue_task(batch_size, T, rng=rng)
        return Batch(d.X, d.tags)

    return train(model, softmax_cross_entropy, Adam([model], lr=positive_float(lr, "lr")),
                 batches, steps=steps)


def tagger_accuracy(model, task: CueTask) -> tuple[float, float]:
    """``(accuracy on the ambiguous "apple" tokens, accuracy on all other tokens)``."""
    if not isinstance(task, CueTask):
        raise TypeError(f"task must be a CueTask (from later_cue_task), got {type(task).__name__}")
    correct = model.forward(task.X).argmax(-1) == task.tags
    if not task.ambiguous.any():
        raise ValueError("task must contain at least one ambiguous token")
    return float(correct[task.ambiguous].mean()), float(correct[~task.ambiguous].mean())


class DirectionComparison(NamedTuple):
    """Result of :func:`compare_directions`; arrays have one entry per seed."""

    seeds: tuple
    uni_ambiguous: np.ndarray  #: accuracy on "apple", one-directional
    uni_other: np.ndarray  #: accuracy on the other tokens, one-directional
    bi_ambiguous: np.ndarray  #: accuracy on "apple", bidirectional
    bi_other: np.ndarray
    uni_models: list
    bi_models: list


def compare_directions(seeds=(0, 1, 2), *, kind="lstm", hidden_size=8, steps=200, n_test=500,
                       test_seed=12345) -> DirectionComparison:
    """Train a one-directional and a bidirectional tagger for each seed (same hidden size per
    direction, same batches) and measure both on one test set of ``n_test`` sentences."""
    seeds = seed_list(seeds)
    test = later_cue_task(n_test, seed=test_seed)
    res = {k: [] for k in ("ua", "uo", "ba", "bo")}
    models = {False: [], True: []}
    for s in seeds:
        for bi, (ka, ko) in ((False, ("ua", "uo")), (True, ("ba", "bo"))):
            m = make_tagger(kind, bidirectional=bi, hidden_size=hidden_size, seed=s)
            train_tagger(m, steps=steps, seed=s)
            a, o = tagger_accuracy(m, test)
            res[ka].append(a)
            res[ko].append(o)
            models[bi].append(m)
    arr = {k: np.array(v) for k, v in res.items()}
    return DirectionComparison(seeds, arr["ua"], arr["uo"], arr["ba"], arr["bo"],
                               models[False], models[True])


def direction_contributions(model, tokens):
    """Split a bidirectional tagger's scores into the forward and the backward half's share.

    The head is linear, so the logits at step t are ``W_f h→_t + W_b h←_t + b`` with
    ``W = [W_f | W_b]`` (eq-birnn concatenates ``[h→_t, h←_t]``). Returns ``(fwd, bwd, bias)``:
    ``fwd`` and ``bwd`` ``(T, C)`` with ``fwd + bwd + bias`` the logits, for the token ids
    ``tokens (T,)``.
    """
    if not isinstance(getattr(model, "layer", None), Bidirectional):
        raise TypeError("model must be a SequenceModel whose layer is Bidirectional "
                        "(make_tagger(..., bidirectional=True))")
    tokens = np.asarray(tokens)
    decode_cue_tokens(tokens)  # checks the ids
    Y, _ = model.layer.forward(one_hot(tokens[None], len(CUE_VOCAB)))
    Hf = model.layer.fwd.hidden_size
    W, b = model.head.params["W"], model.head.params["b"]
    fwd = Y[0, :, :Hf] @ W[:, :Hf].T
    bwd = Y[0, :, Hf:] @ W[:, Hf:].T
    return fwd, bwd, b.copy()


# --------------------------------------------------------------------------- stacked layers
class StackRun(NamedTuple):
    """A trained two-layer stack and what :func:`train_stack` measured on a test batch."""

    model: SequenceModel
    test_mse: float
    states: tuple  #: (layer-1 outputs, layer-2 outputs), each (n_test, T, H)
    X: np.ndarray
    Y: np.ndarray
    mask: np.ndarray


def train_stack(*, hidden_size=8, seed=0, steps=300, T=12, k=3, batch_size=32, lr=0.03,
                n_test=200, test_seed=99) -> StackRun:
    """Train ``Stack([LSTM(1, H), LSTM(H, H)])`` and a Linear head on :func:`parity_task`
    (MSE on the masked steps); return the model, its test MSE and each layer's test outputs."""
    H = positive_int(hidden_size, "hidden_size")
    batch_size = positive_int(batch_size, "batch_size")
    l1, l2 = LSTM(1, H, seed=seed), LSTM(H, H, seed=seed + 1)
    model = SequenceModel(Stack([l1, l2]), Linear(H, 1, seed=seed + 2))
    rng = make_rng(seed=seed)
    train(model, mse, Adam([model], lr=positive_float(lr, "lr")),
          lambda _s: Batch(*parity_task(batch_size, T, k=k, rng=rng)), steps=steps)
    X, Y, mask = parity_task(n_test, T, k=k, seed=test_seed)
    pred = model.forward(X)
    test_mse = float(np.mean((pred - Y)[mask] ** 2))
    Y1, _ = l1.forward(X)
    Y2, _ = l2.forward(Y1)
    return StackRun(model, test_mse, (Y1, Y2), X, Y, mask)


def probe_r2(states, features) -> np.ndarray:
    """How much of each feature a linear read-out of ``states`` recovers: R² per feature.

    ``states (M, H)``, ``features (M, F)``; for each feature, least squares with an intercept,
    ``R² = 1 − var(residual) / var(feature)`` (1: perfectly linearly decodable, 0: not at all).
    """
    S = np.asarray(states, dtype=float)
    F = np.asarray(features, dtype=float)
    if S.ndim != 2 or F.ndim != 2 or S.shape[0] != F.shape[0]:
        raise ValueError(f"states and features must be (M, H) and (M, F) with the same M, got "
                         f"{S.shape} and {F.shape}")
    if np.any(F.var(axis=0) == 0):
        raise ValueError("features must not contain a constant column (its R² is undefined)")
    A = np.column_stack([S, np.ones(len(S))])
    coef, *_ = np.linalg.lstsq(A, F, rcond=None)
    resid = F - A @ coef
    return 1.0 - resid.var(axis=0) / F.var(axis=0)


# --------------------------------------------------------------------------- GRU against LSTM
class CellComparison(NamedTuple):
    """Result of :func:`compare_cells`: per kind, arrays over (seed, checkpoint)."""

    seeds: tuple
    checkpoints: tuple
    accuracy: dict  #: kind -> (S, K) recall accuracy at each checkpoint
    loss: dict  #: kind -> (S, steps) training loss per step
    n_params: dict  #: kind -> number of parameters (layer and head)


def compare_cells(seeds=(0, 1, 2), *, kinds=("lstm", "gru"), hidden_size=8,
                  checkpoints=(100, 200, 400), n_symbols=4, length=4, delay=4, batch_size=32,
                  lr=0.03, n_test=500, test_seed=999) -> CellComparison:
    """Train each kind of cell on :func:`~lstmbook.data.copy_task` (remember ``length`` symbols
    over ``delay`` blank steps, then repeat them) with the same hidden size, batches and
    learning rate for each seed; measure recall accuracy on one test set at each checkpoint."""
    seeds = seed_list(seeds)
    checkpoints = tuple(positive_int(c, "checkpoints") for c in checkpoints)
    if list(checkpoints) != sorted(set(checkpoints)):
        raise ValueError(f"checkpoints must be increasing step counts, got {checkpoints}")
    H = positive_int(hidden_size, "hidden_size")
    C = n_symbols + 2
    test = copy_task(n_test, length, n_symbols=n_symbols, delay=delay, seed=test_seed)
    acc, loss, n_params = {}, {}, {}
    for kind in kinds:
        acc[kind] = np.empty((len(seeds), len(checkpoints)))
        loss[kind] = np.empty((len(seeds), checkpoints[-1]))
        for si, s in enumerate(seeds):
            model = SequenceModel(_recurrent(kind, C, H, s), Linear(H, C, seed=s + 2000))
            n_params[kind] = count_params(model)
            opt = Adam([model], lr=positive_float(lr, "lr"))
            rng = make_rng(seed=s)

            def batches(_step, rng=rng):
                d = copy_task(batch_size, length, n_symbols=n_symbols, delay=delay, rng=rng)
                return Batch(d.X, d.targets, d.mask)

            done = 0
            for ci, c in enumerate(checkpoints):
                hist = train(model, softmax_cross_entropy, opt, batches, steps=c - done)
                loss[kind][si, done:c] = hist.loss
                done = c
                pred = model.forward(test.X).argmax(-1)
                acc[kind][si, ci] = float((pred == test.targets)[test.mask].mean())
    return CellComparison(seeds, checkpoints, acc, loss, n_params)


def flip_update_gate(params) -> dict:
    """A copy of GRU ``params`` with the update gate's block of ``W``, ``U`` and ``b`` negated.

    Since σ(−a) = 1 − σ(a), the flipped parameters give the gate ``z' = 1 − z``: a GRU written
    as ``h_t = (1 − z') ⊙ h_{t−1} + z' ⊙ n`` with them computes exactly what
    ``h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}`` ({ref}`eq-gru`) computes with the originals.
    """
    if not isinstance(params, dict) or not {"W", "U", "b", "b_hn"} <= set(params):
        raise TypeError("params must be a GRU params dict with keys W, U, b, b_hn")
    out = {k: np.array(v, copy=True) for k, v in params.items()}
    for key in ("W", "U", "b"):
        z_block = split_gates(out[key].T if out[key].ndim == 2 else out[key], 3)[1]
        z_block *= -1.0
    return out


# --------------------------------------------------------------------------- the explorer
BIRNN_SENTENCES = (
    "Apple is something that I like to eat.",
    "Apple is something that I like to charge.",
    "my apple is really something i like to peel.",
    "i like to use my apple.",
    "banana is something that i like to eat.",
)


class BirnnView(NamedTuple):
    words: list  #: the sentence's words
    fwd: np.ndarray  #: (T,) forward half's share of the fruit − company score at each word
    bwd: np.ndarray  #: (T,) backward half's share
    bias: float  #: the head's bias share of that score
    tags: list  #: predicted tag of each word
    noun: int | None  #: index of the first noun (apple, banana, google), or None
    summary: str  #: one-paragraph description


def birnn_view(model, sentence) -> BirnnView:
    """Run a trained bidirectional tagger (:func:`lstmbook.chapters.ch08_variants.make_tagger` with
    ``bidirectional=True``) on ``sentence`` and split its fruit − company score at every word
    into the forward and the backward half's shares. Pure: no plotting, no globals."""
    tokens = encode_cue_sentence(sentence)
    fwd, bwd, bias = direction_contributions(model, tokens)
    fi, ci = CUE_TAGS.index("fruit"), CUE_TAGS.index("company")
    logits = fwd + bwd + bias
    tags = [CUE_TAGS[k] for k in logits.argmax(axis=1)]
    words = decode_cue_tokens(tokens)
    nouns = [k for k, w in enumerate(words) if w in CUE_NOUNS]
    noun = nouns[0] if nouns else None
    f_m, b_m = fwd[:, fi] - fwd[:, ci], bwd[:, fi] - bwd[:, ci]
    if noun is None:
        summary = "No noun (apple, banana, google) in this sentence: every word is tagged 'other'."
    else:
        summary = (f"At '{words[noun]}' (word {noun + 1}) the fruit − company score is "
                   f"{f_m[noun] + b_m[noun] + bias[fi] - bias[ci]:+.2f}: forward half "
                   f"{f_m[noun]:+.2f}, backward half {b_m[noun]:+.2f}, bias "
                   f"{bias[fi] - bias[ci]:+.2f}. Predicted tag: {tags[noun]}.")
    return BirnnView(words, f_m, b_m, float(bias[fi] - bias[ci]), tags, noun, summary)



# --------------------------------------------------------------------------- steps to a threshold
#: The arms of :func:`steps_to_solve`: (label, kind, forget-gate bias of the LSTM).
CELL_ARMS = (("GRU", "gru", None), ("LSTM, forget bias 0", "lstm", 0.0),
             ("LSTM, forget bias 1", "lstm", 1.0))


class CellRace(NamedTuple):
    """Result of :func:`steps_to_solve`: per arm label, arrays over seeds."""

    seeds: tuple
    arms: tuple  #: arm labels, in :data:`CELL_ARMS` order
    threshold: float  #: recall accuracy that counts as solved
    budget: int  #: training steps at most
    eval_every: int  #: steps between two accuracy measurements
    steps: dict  #: label -> (S,) first measured step at or above the threshold (budget if never)
    solved: dict  #: label -> (S,) bool, whether the threshold was reached within the budget
    final_acc: dict  #: label -> (S,) recall accuracy when the run stopped
    n_params: dict  #: label -> parameters (layer and head)


def steps_to_solve(seeds=(0, 1, 2, 3, 4), *, arms=CELL_ARMS, hidden_size=8, threshold=0.9,
                   budget=1500, eval_every=50, n_symbols=4, length=4, delay=4, batch_size=32,
                   lr=0.03, n_test=500, test_seed=999) -> CellRace:
    """Train each arm (a GRU, or an LSTM with a given forget-gate bias) on
    :func:`~lstmbook.data.copy_task` until its recall accuracy on one fixed test set reaches
    ``threshold`` (measured every ``eval_every`` steps) or ``budget`` steps have run.

    Paired seeds: for seed ``s`` every arm sees the same batches (data stream seeded by ``s``) and
    the same read-out initialisation; the recurrent layer is drawn from ``s`` too. A run that
    never reaches the threshold is recorded at ``budget`` (censored) and flagged in ``solved``."""
    seeds = seed_list(seeds)
    H = positive_int(hidden_size, "hidden_size")
    budget = positive_int(budget, "budget")
    eval_every = positive_int(eval_every, "eval_every")
    lr = positive_float(lr, "lr")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    C = n_symbols + 2
    test = copy_task(n_test, length, n_symbols=n_symbols, delay=delay, seed=test_seed)
    steps, solved, final, n_params = {}, {}, {}, {}
    for label, kind, fb in arms:
        steps[label] = np.empty(len(seeds))
        solved[label] = np.zeros(len(seeds), bool)
        final[label] = np.empty(len(seeds))
        for si, s in enumerate(seeds):
            layer = (LSTM(C, H, forget_bias=fb, seed=s) if kind == "lstm"
                     else _recurrent(kind, C, H, s))
            model = SequenceModel(layer, Linear(H, C, seed=s + 2000))
            n_params[label] = count_params(model)
            opt = Adam([model], lr=lr)
            rng = make_rng(seed=s)

            def batches(_step, rng=rng):
                d = copy_task(batch_size, length, n_symbols=n_symbols, delay=delay, rng=rng)
                return Batch(d.X, d.targets, d.mask)

            done, acc = 0, 0.0
            while done < budget:
                chunk = min(eval_every, budget - done)
                train(model, softmax_cross_entropy, opt, batches, steps=chunk)
                done += chunk
                pred = model.forward(test.X).argmax(-1)
                acc = float((pred == test.targets)[test.mask].mean())
                if acc >= threshold:
                    solved[label][si] = True
                    break
            steps[label][si] = done
            final[label][si] = acc
    return CellRace(seeds, tuple(a[0] for a in arms), float(threshold), budget, eval_every,
                    steps, solved, final, n_params)
