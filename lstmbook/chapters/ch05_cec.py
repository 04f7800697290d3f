"""Chapter 5, the constant error carousel (``book/05_cec.ipynb``): why a linear self-loop of
weight 1 keeps the error constant, and why such a bare memory cell still needs gates.

The δ recursion of a single unit with self-weight ``w`` (the one-unit recurrent weight U of the
book; the notes write it W) ({ref}`eq-cec`)::

    δ^{t-z-1} = δ^{t-z} · w f'(u^{t-z-1})

multiplies the error by ``w f'`` at every step back in time: after ``k`` steps it is scaled by
``(w f')^k``, which vanishes when ``|w f'| < 1`` and explodes when ``|w f'| > 1``. A linear unit
(``f' = 1``) with ``w = 1`` is the CEC: the factor is exactly 1 at every step.

The memory-cell demos run the gated update (note 004's ``s_t = g^F s_{t-1} + g^I f(u_t)`` with
the forget gate held at 1 and ``f`` the identity, plus an output gate)::

    s_t = s_{t-1} + g^in_t · x_t        y_t = g^out_t · s_t

with the gates either absent (all ones: the bare self-loop), hand-set, or replaced by one fixed
weight, to show the input and output weight conflicts of Hochreiter & Schmidhuber (1997).
Only NumPy is needed; the RNN error flow uses :class:`lstmbook.nn.rnn.RNN` itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.data import MemoryTask
from lstmbook.nn._checks import (
    as_array,
    make_rng,
    nonnegative_int,
    one_of,
    positive_int,
    real_number,
)
from lstmbook.nn.activations import sigmoid
from lstmbook.nn.rnn import RNN

__all__ = [
    "ErrorByLag", "ErrorFlowView", "WeightConflictRow", "cec_error_flow", "delta_recursion",
    "delta_scale", "error_flow_view", "gated_cec", "hand_set_gate", "rnn_error_flow",
    "weight_conflict_study",
]

_NONLINEARITIES = ("tanh", "identity")




# --------------------------------------------------------------------------- the δ recursion
def delta_scale(w, fprime, k) -> float:
    """The factor ``(w f')^k`` by which the error is multiplied after ``k`` steps back in time
    through one unit with self-weight ``w`` and activation slope ``f'`` ({ref}`eq-cec`).

    ``delta_scale(0.9, 1.0, 100)`` is about 2.7e-5 (vanished), ``delta_scale(1.0, 1.0, 100)`` is
    exactly 1 (the CEC), ``delta_scale(1.1, 1.0, 100)`` about 1.4e4 (exploded).
    """
    w, fprime = real_number(w, "w"), real_number(fprime, "fprime")
    k = nonnegative_int(k, "k")
    return float((w * fprime) ** k)


def delta_recursion(w, fprime, steps) -> np.ndarray:
    """Run δ^{t-z-1} = δ^{t-z} · w f' ({ref}`eq-cec`) from δ^t = 1,
    one multiplication per step back in time.

    Returns ``[δ^t, δ^{t-1}, …, δ^{t-steps}]``. ``fprime`` is a number
    (the same slope at every step) or an array of ``steps`` slopes
    ``f'(u^{t-1}), …, f'(u^{t-steps})`` (a tanh unit's slopes change
    from step to step).
    """
    w = real_number(w, "w")
    steps = nonnegative_int(steps, "steps")
    if isinstance(fprime, np.ndarray):
        slopes = as_array(fprime, "fprime", 1)
        if slopes.shape[0] != steps:
            raise ValueError(f"fprime must have shape ({steps},), "
                             f"got {slopes.shape}")
    else:
        slopes = np.full(steps, real_number(fprime, "fprime"))
    delta = np.empty(steps + 1)
    delta[0] = 1.0
    for z in range(steps):
        delta[z + 1] = delta[z] * w * slopes[z]  # eq-cec
    return delta


# --------------------------------------------------------------------------- error against lag
class ErrorByLag(NamedTuple):
    """Error reaching each step, relative to the error injected at the last step."""

    lags: np.ndarray  #: (T,) 0, 1, …, T - 1 steps back from the last step
    ratio: np.ndarray  #: (T,) ‖∂L/∂h_{T-1-lag}‖ / ‖∂L/∂h_{T-1}‖, averaged over the batch
    mean_fprime: float = float("nan")  #: f'(u) averaged over all units, steps and sequences


def _flow_from(layer: RNN, X: np.ndarray, dY_last: np.ndarray) -> ErrorByLag:
    Y, _ = layer.forward(X)
    dY = np.zeros_like(Y)
    dY[:, -1] = dY_last
    layer.backward(dY)
    norms = np.linalg.norm(layer.dh_seq, axis=2)  # (N, T)
    ratio = (norms / norms[:, -1:]).mean(axis=0)[::-1]
    fprime = 1.0 - Y**2 if layer.nonlinearity == "tanh" else np.ones_like(Y)
    return ErrorByLag(np.arange(X.shape[1]), ratio, float(fprime.mean()))


def rnn_error_flow(scale, *, T=100, H=16, N=8, nonlinearity="tanh", seed=0) -> ErrorByLag:
    """Measure how the error of a plain RNN shrinks or grows with the lag.

    An :class:`lstmbook.nn.rnn.RNN` with ``H`` units gets a recurrent matrix ``U = scale · Q``
    (``Q`` a random orthogonal matrix, so every singular value of ``U`` equals ``scale``),
    input weights drawn from N(0, 1) and zero bias; it reads ``N`` random sequences of ``T``
    steps. An error of norm 1 is injected at the last step and sent back by the layer's own
    ``backward``; the result is ``‖∂L/∂h_t‖`` at every step relative to the last one.

    With ``nonlinearity="identity"`` the ratio is exactly ``scale^lag``; with ``"tanh"`` every
    step also multiplies by ``f'(u) ≤ 1``, so the error vanishes even for ``scale`` a little
    above 1.
    """
    scale = real_number(scale, "scale")
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    T, H, N = positive_int(T, "T"), positive_int(H, "H"), positive_int(N, "N")
    one_of(nonlinearity, _NONLINEARITIES, "nonlinearity")
    gen = make_rng(seed=seed)
    rnn = RNN(1, H, nonlinearity=nonlinearity, rng=gen)
    Q, _ = np.linalg.qr(gen.standard_normal((H, H)))
    rnn.params["U"][...] = scale * Q
    rnn.params["W"][...] = gen.standard_normal((H, 1))
    rnn.params["b"][...] = 0.0
    X = gen.standard_normal((N, T, 1))
    v = gen.standard_normal((N, H))
    return _flow_from(rnn, X, v / np.linalg.norm(v, axis=1, keepdims=True))


def cec_error_flow(*, T=100, N=8, seed=0) -> ErrorByLag:
    """The same measurement for a CEC: an :class:`lstmbook.nn.rnn.RNN` of
    one linear (``"identity"``) unit with self-weight ``U = 1``, input
    weight 1 and no bias. The ratio is 1 at every lag ({ref}`eq-cec`)."""
    T, N = positive_int(T, "T"), positive_int(N, "N")
    gen = make_rng(seed=seed)
    cec = RNN(1, 1, nonlinearity="identity", rng=gen)
    cec.params["U"][...] = 1.0
    cec.params["W"][...] = 1.0
    cec.params["b"][...] = 0.0
    X = gen.standard_normal((N, T, 1))
    return _flow_from(cec, X, np.ones((N, 1)))


# --------------------------------------------------------------------------- memory cell
def gated_cec(x, g_in=None, g_out=None, *, s0=0.0):
    """Run a CEC memory cell with an input and an output gate over time
    (the last axis of ``x``):

        s_t = s_{t-1} + g^in_t · x_t   (from s_{-1} = s0),
        y_t = g^out_t · s_t.

    ``x`` has shape ``(T,)`` or ``(N, T)``; ``g_in``, ``g_out`` the same
    shape, or None: always open (all ones), the bare self-loop of
    weight 1. Returns ``(s, y)``, each of ``x``'s shape.
    """
    x = as_array(x, "x", (1, 2))
    gates = []
    for g, name in ((g_in, "g_in"), (g_out, "g_out")):
        if g is None:
            g = np.ones_like(x)
        else:
            g = as_array(g, name, x.ndim)
            if g.shape != x.shape:
                raise ValueError(f"{name} must have x.shape {x.shape}, "
                                 f"got {g.shape}")
        gates.append(g)
    g_in, g_out = gates
    s0 = real_number(s0, "s0")
    s = np.empty_like(x, dtype=np.float64)
    state = np.full(x.shape[:-1], s0)
    for t in range(x.shape[-1]):
        state = state + g_in[..., t] * x[..., t]  # self-weight 1
        s[..., t] = state
    return s, g_out * s


def hand_set_gate(signal, *, weight=20.0, bias=-10.0) -> np.ndarray:
    """A gate as a tiny sigmoid unit reading one input line: ``σ(weight · signal + bias)``.

    With the defaults it is about 1 (0.99995) where ``signal`` is 1 and about 0 (4.5e-5) where
    it is 0: chapter 6's gates have this form, with weights learned instead of set by hand.
    """
    signal = as_array(signal, "signal")
    return sigmoid(real_number(weight, "weight") * signal + real_number(bias, "bias"))


class WeightConflictRow(NamedTuple):
    """One memory cell of :func:`weight_conflict_study` and its errors on the task."""

    name: str
    w_in: float  #: the fixed input weight used (nan when an input gate decides)
    w_out: float  #: the fixed output weight used (nan when an output gate decides)
    mse_cue: float  #: mean squared error of y at the cue steps (reading the stored value)
    mse_rest: float  #: mean squared error of y at all other steps (where y should be 0)


def _best_weight(feature, target) -> float:
    """The scalar ``w`` minimising ``Σ (w · feature − target)²`` (least squares)."""
    den = float(np.sum(feature * feature))
    return 0.0 if den == 0 else float(np.sum(feature * target) / den)


def weight_conflict_study(task: MemoryTask, *, gate_weight=20.0) -> list[WeightConflictRow]:
    """Five memory cells on the same task, from a bare self-loop to a gated CEC.

    1. bare self-loop: input and output weights 1 (stores every value, shows it at every step);
    2. best fixed input weight: the one ``w_in`` that fits the cue targets best (least squares
       over the whole task), output weight 1;
    3. input gate: a hand-set gate writes only at the marker; output weight 1;
    4. input gate and the best fixed output weight ``w_out`` (least squares over all steps);
    5. input and output gates: write at the marker, read at the cue.

    A fixed weight is the same at every step, so it cannot both let the relevant value in and
    keep the distractors out (input weight conflict), nor both show the content at the cue and
    hide it elsewhere (output weight conflict); the gates, which change with the input, can.
    """
    if not isinstance(task, MemoryTask):
        raise TypeError(f"task must be a MemoryTask (from memory_task), got {type(task).__name__}")
    x, marker, cue, target = task
    rest = cue == 0
    g_in = hand_set_gate(marker, weight=gate_weight, bias=-gate_weight / 2)
    g_out = hand_set_gate(cue, weight=gate_weight, bias=-gate_weight / 2)

    def row(name, y, w_in=np.nan, w_out=np.nan):
        err = (y - target) ** 2
        return WeightConflictRow(name, w_in, w_out, float(err[~rest].mean()),
                                 float(err[rest].mean()))

    s_bare, _ = gated_cec(x)
    w_in = _best_weight(s_bare[~rest], target[~rest])
    s_gate, _ = gated_cec(x, g_in)
    w_out = _best_weight(s_gate, target)
    _, y_both = gated_cec(x, g_in, g_out)
    return [
        row("bare self-loop", s_bare, 1.0, 1.0),
        row("best fixed input weight", w_in * s_bare, w_in, 1.0),
        row("input gate only", s_gate, w_out=1.0),
        row("input gate, best fixed w_out", w_out * s_gate, w_out=w_out),
        row("input and output gates", y_both),
    ]


# --------------------------------------------------------------------------- the explorer
class ErrorFlowView(NamedTuple):
    lags: np.ndarray  #: (T,) steps back from the last step
    rnn: np.ndarray  #: (T,) the plain RNN's error ratio at each lag
    cec: np.ndarray  #: (T,) the CEC's error ratio (all ones)
    theory: np.ndarray  #: (T,) scale ** lag, the linear RNN's exact ratio
    summary: str


def error_flow_view(scale=1.0, nonlinearity="tanh", T=100, H=16, seed=0) -> ErrorFlowView:
    """Error against lag for a plain RNN (recurrent matrix ``scale · Q``, ``Q`` orthogonal) and
    for a CEC (:func:`rnn_error_flow`, :func:`cec_error_flow`).

    Pure: the same arguments give the same arrays.
    """
    rnn = rnn_error_flow(scale, T=T, H=H, nonlinearity=nonlinearity, seed=seed)
    cec = cec_error_flow(T=T, seed=seed)
    theory = float(scale) ** rnn.lags.astype(float)
    k = min(50, T - 1)
    summary = (f"{k} steps back, the {nonlinearity} RNN's error is {rnn.ratio[k]:.3g} times the "
               f"error at the end (scale^{k} = {theory[k]:.3g}); the CEC's is "
               f"{cec.ratio[k]:.4f}.")
    return ErrorFlowView(rnn.lags, rnn.ratio, cec.ratio, theory, summary)

