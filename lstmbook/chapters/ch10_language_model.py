"""The language model of chapter 10 (``book/10_language_model.ipynb``): a character-level LSTM
(or RNN) trained on real text with teacher forcing and truncated BPTT over parallel streams, its
perplexity, temperature sampling and the next-character explorer.

Pure computation (NumPy and lstmbook only); the chapter plots the results with ``lstmbook.viz``
and ``benchmarks/bench_language_model.py`` times the same shape against PyTorch.

The model ({ref}`eq-lm-factorisation`): characters → :class:`~lstmbook.nn.embedding.Embedding`
({ref}`eq-embedding`) → one or more recurrent layers, with inverted dropout
({ref}`eq-dropout`) on every connection between layers → a Linear read-out → softmax over the
vocabulary. Trained on the mean cross-entropy of the next character ({ref}`eq-lm-loss`), whose
exponential is the perplexity ({ref}`eq-perplexity`).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from lstmbook.corpora import CharVocabulary, load_corpus, split_tokens
from lstmbook.messages import fmt
from lstmbook.nn import training
from lstmbook.nn._checks import (
    check_finite_loss,
    fraction,
    int_array,
    make_rng,
    nonnegative_int,
    positive_float,
    positive_int,
)
from lstmbook.nn.activations import log_softmax
from lstmbook.nn.dropout import Dropout
from lstmbook.nn.embedding import Embedding
from lstmbook.nn.layers import Container, Linear
from lstmbook.nn.losses import softmax_cross_entropy
from lstmbook.nn.lstm import LSTM
from lstmbook.nn.optim import Adam
from lstmbook.nn.rnn import RNN
from lstmbook.nn.streams import stream_batches
from lstmbook.nn.training import Batch
from lstmbook.stats import paired_comparison

__all__ = [
    "COMPARE",
    "DROPOUT",
    "DROPOUT_P",
    "DROPOUT_TRAIN_CHARS",
    "EXPLORER_PROMPTS",
    "MAIN",
    "SEEDS",
    "TEMPERATURES",
    "CharLM",
    "LMData",
    "LMRun",
    "SeedStudy",
    "compare_cells",
    "count_model_perplexity",
    "dropout_study",
    "explorer_grid",
    "NextCharView",
    "batch_perplexity",
    "char_label",
    "evaluate_loss",
    "load_text",
    "make_model",
    "next_char_probs",
    "next_char_view",
    "perplexity",
    "sample_text",
    "temperature_softmax",
    "train_lm",
    "uniform_perplexity",
]

_CELLS = ("lstm", "rnn")

#: the chapter's main model and its training (about 6 s on one core)
MAIN = dict(cell="lstm", hidden=128, layers=1, embed=16, dropout=0.0, n_streams=32, k=32,
            updates=500, lr=1e-2, clip=0.5, forget_bias=1.0, eval_every=50)
#: the paired comparison of a plain RNN and an LSTM: smaller, so that 5 seeds of each fit
COMPARE = dict(hidden=64, layers=1, embed=16, n_streams=32, k=32, updates=400, lr=1e-2,
               clip=0.5, forget_bias=1.0, eval_every=400, n_train_eval=2000)
#: the dropout study: two stacked LSTM layers on a small training text, where they overfit
DROPOUT = dict(cell="lstm", hidden=64, layers=2, embed=16, n_streams=16, k=16, updates=250,
               lr=1e-2, clip=0.5, forget_bias=1.0, eval_every=50)
#: characters of training text in the dropout study, and its dropout rate
DROPOUT_TRAIN_CHARS = 3000
DROPOUT_P = 0.3
#: the seeds of every paired comparison
SEEDS = (0, 1, 2, 3, 4)
#: the temperatures of the samples, and the explorer's grid (prompts × temperatures)
TEMPERATURES = (0.5, 1.0, 1.5)
EXPLORER_PROMPTS = ("the value of ", "an exception ", 'the "for', "the argument", "(see ")


# --------------------------------------------------------------------------- the data
class LMData(NamedTuple):
    """The chapter's text as tokens (what :func:`load_text` returns)."""

    corpus: object  #: the :class:`lstmbook.corpora.Corpus` (text, source, licence, sha256)
    vocab: CharVocabulary
    train: np.ndarray  #: (L_train,) int64 token ids, the first 90% of the text
    valid: np.ndarray  #: (L_valid,) int64 token ids, the last 10%


def load_text(valid_fraction=0.1) -> LMData:
    """The checked corpus (:func:`lstmbook.corpora.load_corpus`), its character vocabulary and
    the split into training text and validation text, in text order."""
    corpus = load_corpus("python_reference")
    vocab = CharVocabulary(corpus.text)
    train, valid = split_tokens(vocab.encode(corpus.text), valid_fraction)
    return LMData(corpus, vocab, train, valid)


# --------------------------------------------------------------------------- perplexity
def perplexity(mean_cross_entropy) -> float:
    """``exp(mean cross-entropy in nats)`` ({ref}`eq-perplexity`): the number of equally likely
    choices that would leave the model as uncertain as it is, on average."""
    return float(np.exp(mean_cross_entropy))


def uniform_perplexity(vocab_size) -> float:
    """Perplexity of the uniform model ``p = 1/V`` for every token: its cross-entropy is
    ``log V``, so its perplexity is ``V`` ({ref}`eq-perplexity`)."""
    return perplexity(np.log(positive_int(vocab_size, "vocab_size")))


# --------------------------------------------------------------------------- the model
class CharLM(Container):
    """Embedding → recurrent layers (dropout between them) → Linear read-out: next-token logits.

    ``forward(tokens (N, T), state=None) -> (logits (N, T, V), state)`` where ``state`` is a list
    with one state per recurrent layer (pass it back in to continue the text: the state carried
    across batches); ``backward(dlogits)`` fills ``grads`` (the gradient stops at the initial
    state: truncated BPTT). ``training`` switches dropout on (True) or off (False).
    """

    recurrent = False

    def __init__(self, vocab_size, *, cell="lstm", hidden=128, layers=1, embed=16, dropout=0.0,
                 forget_bias=1.0, seed=0, dtype=np.float32, vocab=None):
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {_CELLS}, got {cell!r}")
        V = positive_int(vocab_size, "vocab_size")
        hidden, layers = positive_int(hidden, "hidden"), positive_int(layers, "layers")
        embed = positive_int(embed, "embed")
        self.p_drop = fraction(dropout, "dropout")
        rng = make_rng(seed=seed)
        self.cell, self.vocab = cell, vocab
        self.embed = Embedding(V, embed, rng=rng, dtype=dtype)
        self.layers = []
        for k in range(layers):
            D = embed if k == 0 else hidden
            if cell == "lstm":
                self.layers.append(LSTM(D, hidden, forget_bias=forget_bias, rng=rng, dtype=dtype))
            else:
                self.layers.append(RNN(D, hidden, rng=rng, dtype=dtype))
        self.head = Linear(hidden, V, rng=rng, dtype=dtype)
        # one dropout before each recurrent layer and one before the read-out (Zaremba et al.)
        drop_rng = np.random.default_rng([seed, 1])
        self.drops = [Dropout(self.p_drop, rng=drop_rng) for _ in range(layers + 1)]
        self.vocab_size, self.hidden_size = V, hidden
        self.training = True
        self.carry = None  #: the state carried across windows by loss_and_grads

    def __repr__(self):
        return (f"CharLM({self.cell}, V={self.vocab_size}, embed={self.embed.output_size}, "
                f"hidden={self.hidden_size}, layers={len(self.layers)}, dropout={self.p_drop})")

    def _children(self):
        kids = {"embed": self.embed}
        kids.update({str(k): la for k, la in enumerate(self.layers)})
        kids["head"] = self.head
        return kids

    @property
    def training(self) -> bool:
        return self._training

    @training.setter
    def training(self, value):
        self._training = bool(value)
        for d in getattr(self, "drops", []):
            d.training = self._training

    def forward(self, tokens, state=None):
        if state is None:
            state = [None] * len(self.layers)
        if not isinstance(state, list) or len(state) != len(self.layers):
            raise TypeError(f"state must be a list with one state per layer "
                            f"({len(self.layers)}), got {type(state).__name__}")
        X = self.embed.forward(tokens)  # eq-embedding
        finals = []
        for drop, layer, s in zip(self.drops[:-1], self.layers, state, strict=True):
            X, f = layer.forward(drop.forward(X), s)
            finals.append(f)
        return self.head.forward(self.drops[-1].forward(X)), finals

    def loss_and_grads(self, batch, loss_fn):
        """One step of :func:`lstmbook.nn.training.train` on a window of the streams: forward
        from the state carried over from the previous window (``carry``; ``None`` starts a
        pass), loss ({ref}`eq-lm-loss`), backward through this window only. Teacher forcing:
        ``batch.X`` is the true text, not the model's own guesses."""
        logits, self.carry = self.forward(batch.X, self.carry)
        loss, dlogits = loss_fn(logits, batch.y)
        check_finite_loss(loss, "the loss")
        self.backward(dlogits)
        return loss

    def backward(self, dlogits):
        dX = self.drops[-1].backward(self.head.backward(dlogits))
        for drop, layer in zip(self.drops[-2::-1], self.layers[::-1], strict=True):
            dX, _ = layer.backward(dX)  # the initial state gets no gradient: truncation
            dX = drop.backward(dX)
        self.embed.backward(dX)


def make_model(cell="lstm", *, vocab=None, **options) -> CharLM:
    """A :class:`CharLM` for the chapter's vocabulary (``vocab``, default that of
    :func:`load_text`); ``options`` go to :class:`CharLM`."""
    vocab = load_text().vocab if vocab is None else vocab
    return CharLM(len(vocab), cell=cell, vocab=vocab, **options)


# --------------------------------------------------------------------------- evaluation
def evaluate_loss(model, tokens, *, n_streams=128, chunk=32) -> float:
    """Mean cross-entropy (nats per character) of ``model`` on the text ``tokens``, read with
    teacher forcing as ``n_streams`` parallel streams, ``chunk`` steps at a time with the state
    carried (dropout off). Short chunks keep the work arrays small: one pass over all steps at
    once would allocate, and fault in, arrays of tens of MB at every evaluation."""
    tokens = int_array(tokens, "tokens", ndim=1)
    n = positive_int(n_streams, "n_streams")
    chunk = positive_int(chunk, "chunk")
    S = (tokens.shape[0] - 1) // n
    if S < 1:
        raise ValueError(f"tokens must hold more than n_streams = {n} tokens, got "
                         f"{tokens.shape[0]}")
    layout = stream_batches(tokens, n, S)
    x_all, y_all = layout.inputs, layout.targets
    was = model.training
    model.training = False
    total, state = 0.0, None
    try:
        for t0 in range(0, S, chunk):
            logits, state = model.forward(x_all[:, t0:t0 + chunk], state)
            logp = log_softmax(logits.astype(np.float64))
            y = y_all[:, t0:t0 + chunk]
            total -= float(np.take_along_axis(logp, y[..., None], axis=-1).sum())
    finally:
        model.training = was
    return total / (n * S)


# --------------------------------------------------------------------------- training
class LMRun(NamedTuple):
    """What :func:`train_lm` returns."""

    model: CharLM
    steps: np.ndarray  #: updates after which the perplexities were measured
    train_ppl: np.ndarray  #: perplexity on a fixed slice of the training text (dropout off)
    valid_ppl: np.ndarray  #: perplexity on the validation text
    loss: np.ndarray  #: training loss (nats) of every update
    grad_norm: np.ndarray  #: global gradient norm of every update, before clipping
    seconds: float  #: wall time of the updates (evaluations excluded)
    config: dict

    @property
    def final_valid_ppl(self) -> float:
        return float(self.valid_ppl[-1])


def train_lm(cell="lstm", *, hidden=128, layers=1, embed=16, dropout=0.0, n_streams=32, k=32,
             updates=500, lr=1e-2, clip=0.5, forget_bias=1.0, seed=0, eval_every=50,
             train_tokens=None, valid_tokens=None, n_train_eval=20000, data=None,
             dtype=np.float32, progress=None) -> LMRun:
    """Train a :class:`CharLM` on the chapter's text with teacher forcing and truncated BPTT.

    The training text is laid out as ``n_streams`` parallel streams
    (:func:`lstmbook.nn.streams.stream_batches`) cut into windows of ``k`` characters; the state
    is carried from window to window and reset at each pass over the text (an *epoch*, which
    starts at a fresh random offset in ``[0, k)``). Each update: forward, mean cross-entropy of
    the next character ({ref}`eq-lm-loss`), backward through the window only, global gradient
    norm clipped to ``clip``, Adam. Every ``eval_every`` updates the perplexity of the
    validation text and of a fixed slice of ``n_train_eval`` training characters is measured
    with dropout off. Same arguments, same numbers.
    """
    data = load_text() if data is None else data
    train = data.train if train_tokens is None else int_array(train_tokens, "train_tokens", 1)
    valid = data.valid if valid_tokens is None else int_array(valid_tokens, "valid_tokens", 1)
    updates = positive_int(updates, "updates")
    eval_every = positive_int(eval_every, "eval_every")
    k = positive_int(k, "k")
    positive_float(lr, "lr")
    n_train_eval = positive_int(n_train_eval, "n_train_eval")
    config = dict(cell=cell, hidden=hidden, layers=layers, embed=embed, dropout=dropout,
                  n_streams=n_streams, k=k, updates=updates, lr=lr, clip=clip,
                  forget_bias=forget_bias, seed=seed)
    model = CharLM(len(data.vocab), cell=cell, hidden=hidden, layers=layers, embed=embed,
                   dropout=dropout, forget_bias=forget_bias, seed=seed, dtype=dtype,
                   vocab=data.vocab)
    order_rng = np.random.default_rng([seed, 2])
    train_slice = train[:n_train_eval]
    steps, train_ppl, valid_ppl = [], [], []
    epoch = None
    evaluating = [0.0]  # seconds spent in evaluations, taken off the training time

    def batches(step):
        nonlocal epoch
        if epoch is None or step - epoch[1] == len(epoch[0]):
            layout = stream_batches(train, n_streams, k, offset=int(order_rng.integers(k)))
            epoch = (layout, step)
            model.carry = None  # a new pass: the streams start elsewhere, so does the state
        x, y = epoch[0][step - epoch[1]]
        return Batch(x, y)

    def evaluate(step, batch, model):
        done = step + 1
        if done % eval_every == 0 or done == updates:
            t0 = time.perf_counter()
            steps.append(done)
            train_ppl.append(perplexity(evaluate_loss(model, train_slice)))
            valid_ppl.append(perplexity(evaluate_loss(model, valid)))
            evaluating[0] += time.perf_counter() - t0
        return False

    t0 = time.perf_counter()
    history = training.train(model, softmax_cross_entropy, Adam([model], lr=lr), batches,
                             steps=updates, clip=clip, callback=evaluate, progress=progress,
                             desc=f"{cell} ({hidden} units, dropout {dropout})")
    seconds = time.perf_counter() - t0 - evaluating[0]
    model.training = False
    return LMRun(model, np.array(steps), np.array(train_ppl), np.array(valid_ppl), history.loss,
                 history.grad_norm, seconds, config)


# --------------------------------------------------------------------------- sampling
def temperature_softmax(logits, temperature=1.0) -> np.ndarray:
    """``softmax(z / τ)`` over the last axis ({ref}`eq-temperature`): τ < 1 sharpens the
    distribution towards the most likely token, τ > 1 flattens it towards uniform."""
    tau = positive_float(temperature, "temperature")
    z = np.asarray(logits, np.float64) / tau
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _encode_prompt(model, prompt):
    if model.vocab is None:
        raise ValueError("model.vocab is None: make the model with make_model or train_lm")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    return model.vocab.encode(prompt)


def next_char_probs(model, prompt, temperature=1.0):
    """``(probs (V,), state)``: the model's distribution of the character after ``prompt``
    (read with teacher forcing, dropout off) at ``temperature``, and the state after the
    prompt."""
    ids = _encode_prompt(model, prompt)
    was = model.training
    model.training = False
    try:
        logits, state = model.forward(ids[None, :])
    finally:
        model.training = was
    return temperature_softmax(logits[0, -1], temperature), state


def sample_text(model, prompt, n=200, *, temperature=1.0, seed=0) -> str:
    """``n`` characters generated after ``prompt`` by free running: each sampled character is
    the next input ({ref}`eq-temperature`). Seeded: same arguments, same text."""
    n = nonnegative_int(n, "n")
    rng = make_rng(seed=seed)
    probs, state = next_char_probs(model, prompt, temperature)
    was = model.training
    model.training = False
    out = []
    try:
        for _ in range(n):
            token = int(rng.choice(len(probs), p=probs))
            out.append(token)
            logits, state = model.forward(np.array([[token]]), state)  # its own output goes in
            probs = temperature_softmax(logits[0, -1], temperature)
    finally:
        model.training = was
    return model.vocab.decode(np.array(out, np.int64))


# --------------------------------------------------------------------------- the explorer
class NextCharView(NamedTuple):
    """What the next-character explorer shows for one prompt and temperature."""

    prompt: str
    temperature: float
    chars: str  #: the vocabulary, in token order
    probs: np.ndarray  #: (V,) distribution of the next character
    top: tuple  #: the most likely characters, most likely first
    sample: str  #: a continuation drawn at this temperature
    entropy_ppl: float  #: exp(entropy): the effective number of choices for this character

    @property
    def summary(self) -> str:
        best = ", ".join(f"{char_label(c)} {p:.2f}" for c, p in self.top[:3])
        return fmt("after %1 at temperature %2: %3; effective number of choices %4\n"
                   "sample: %5", repr(self.prompt), f"{self.temperature:g}", best,
                   f"{self.entropy_ppl:.1f}", self.prompt + self.sample)


def char_label(ch: str) -> str:
    """A character as the figures and the explorer show it: space ␣, line break ⏎."""
    return {" ": "␣", "\n": "⏎"}.get(ch, ch)


def next_char_view(model, prompt, temperature=1.0, *, n_sample=60, top=8,
                   seed=0) -> NextCharView:
    """The explorer's model: the distribution of the next character after ``prompt`` at
    ``temperature``, its ``top`` most likely characters and a sampled continuation of
    ``n_sample`` characters. Pure: a grid of prompts × temperatures can be computed ahead."""
    probs, _ = next_char_probs(model, prompt, temperature)
    order = np.argsort(-probs, kind="stable")[:positive_int(top, "top")]
    chars = model.vocab.chars
    nz = probs[probs > 0]
    ent = float(np.exp(-(nz * np.log(nz)).sum()))
    sample = sample_text(model, prompt, n_sample, temperature=temperature, seed=seed)
    return NextCharView(prompt, float(temperature), chars, probs,
                        tuple((chars[i], float(probs[i])) for i in order), sample, ent)


def explorer_grid(model, prompts=EXPLORER_PROMPTS, temperatures=TEMPERATURES, *, n_sample=60,
                  seed=0) -> dict:
    """``{(prompt, temperature): NextCharView}`` for every pair: what a kernel-free version of
    the explorer shows, computed ahead of time."""
    return {(p, float(t)): next_char_view(model, p, t, n_sample=n_sample, seed=seed)
            for p in prompts for t in temperatures}


# --------------------------------------------------------------------------- baselines
def count_model_perplexity(train, valid, vocab_size, *, context=1, alpha=1.0) -> float:
    """Perplexity on ``valid`` of the counting model that predicts a character from the
    ``context`` characters before it (0: character frequencies; 1: pairs), with add-``alpha``
    smoothing: ``p(w | c) = (n(c, w) + α) / (n(c) + α V)``, counts from ``train``."""
    train = int_array(train, "train", 1)
    valid = int_array(valid, "valid", 1)
    V = positive_int(vocab_size, "vocab_size")
    c = nonnegative_int(context, "context")
    if c > 2:
        raise ValueError(f"context must be 0, 1 or 2 characters, got {c}")
    alpha = positive_float(alpha, "alpha")

    def codes(tokens):
        code = np.zeros(tokens.shape[0] - c, np.int64)
        for j in range(c + 1):  # base-V number of the (context, next) window
            code = code * V + tokens[j:tokens.shape[0] - c + j]
        return code

    counts = np.bincount(codes(train), minlength=V ** (c + 1)).reshape(-1, V) + alpha
    logp = np.log(counts) - np.log(counts.sum(axis=1, keepdims=True))
    return perplexity(-logp.reshape(-1)[codes(valid)].mean())


# --------------------------------------------------------------------------- paired studies
class SeedStudy(NamedTuple):
    """Two arms trained on the same seeds, and their :func:`lstmbook.stats.paired_comparison`
    on the final validation perplexity (lower is better)."""

    names: tuple  #: (arm a, arm b)
    a: tuple  #: the LMRun of arm a for every seed
    b: tuple  #: the LMRun of arm b for every seed
    comparison: object  #: PairedComparison of the final validation perplexities
    seconds: float  #: wall time of all the runs


def _study(names, make_a, make_b, seeds):
    seeds = tuple(int(s) for s in seeds)
    t0 = time.perf_counter()
    a = tuple(make_a(s) for s in seeds)
    b = tuple(make_b(s) for s in seeds)
    comp = paired_comparison(np.array([r.final_valid_ppl for r in a]),
                             np.array([r.final_valid_ppl for r in b]), names=names, seeds=seeds)
    return SeedStudy(tuple(names), a, b, comp, time.perf_counter() - t0)


def compare_cells(seeds=SEEDS, *, data=None, **overrides) -> SeedStudy:
    """A plain RNN (arm a) and an LSTM (arm b) of the same number of units, trained the same
    way (:data:`COMPARE`, changed by ``overrides``) on every seed: same data order, same
    schedule; each seed also sets the initial weights."""
    data = load_text() if data is None else data
    cfg = {**COMPARE, **overrides}
    return _study(("RNN", "LSTM"),
                  lambda s: train_lm("rnn", **cfg, seed=s, data=data),
                  lambda s: train_lm("lstm", **cfg, seed=s, data=data), seeds)


def dropout_study(seeds=SEEDS, p=DROPOUT_P, *, data=None, train_chars=DROPOUT_TRAIN_CHARS,
                  **overrides) -> SeedStudy:
    """Two stacked LSTM layers (:data:`DROPOUT`) trained on the first ``train_chars``
    characters of the training text only, without dropout (arm a) and with dropout ``p``
    between the layers (arm b), on every seed; both are scored on the whole validation text."""
    data = load_text() if data is None else data
    cfg = {**DROPOUT, **overrides}
    small = data.train[:positive_int(train_chars, "train_chars")]
    cfg.pop("dropout", None)
    return _study(("no dropout", f"dropout {p:g}"),
                  lambda s: train_lm(**cfg, dropout=0.0, seed=s, data=data, train_tokens=small,
                                     n_train_eval=small.shape[0]),
                  lambda s: train_lm(**cfg, dropout=p, seed=s, data=data, train_tokens=small,
                                     n_train_eval=small.shape[0]), seeds)


def batch_perplexity(logits, targets) -> float:
    """Perplexity of a batch: ``exp`` of the mean softmax cross-entropy of the ``targets (N, T)``
    under ``logits (N, T, V)`` ({ref}`eq-lm-loss`, {ref}`eq-perplexity`); the reference answer of
    the chapter's exercise."""
    return perplexity(softmax_cross_entropy(logits, targets)[0])
