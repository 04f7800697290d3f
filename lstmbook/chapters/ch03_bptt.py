"""Chapter 3, backpropagation through time (``book/03_bptt.ipynb``): the δ recursion, truncation,
and how much of the gradient each truncation length keeps.

:func:`bptt_delta` is one step of the δ recursion ({ref}`eq-bptt-delta`; the reader writes it
in the exercise); :func:`tbptt_mask` says which steps the error of each loss step reaches under
truncated BPTT ({ref}`eq-tbptt`); :func:`error_split` measures, for every loss step s and every
earlier step t, the error ∂E_s/∂h_t; :func:`truncation_curve` compares truncated and full
gradients for every truncation length; :func:`gradient_reach` measures how far back each
loss's error actually travels under chunked and overlapping truncation; :func:`error_fading`
measures how the error fades with distance in the chapter's set-up, beside the worst-case norm
of the Jacobian product (chapter 4's measure); :func:`stream_layout` lays a long stream out
for truncated BPTT in mini-batches; :func:`scalar_rnn_grads` is the one-unit RNN the quiz
differentiates by hand; :func:`truncation_view` is the truncation explorer's model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.data import noisy_sine
from lstmbook.nn._checks import (
    as_array,
    make_rng,
    one_of,
    positive_float,
    positive_int,
    real_number,
)
from lstmbook.nn.activations import get_activation
from lstmbook.nn.bptt import bptt, bptt_overlap
from lstmbook.nn.layers import Linear
from lstmbook.nn.losses import mse
from lstmbook.nn.rnn import RNN, spectral_radius
from lstmbook.nn.streams import stream_batches

__all__ = [
    "NONLINEARITIES",
    "ErrorFading",
    "ErrorSplit",
    "StreamLayout",
    "TruncationCurve",
    "TruncationView",
    "bptt_delta",
    "error_fading",
    "error_split",
    "gradient_reach",
    "overlap_cosines",
    "rnn_with_radius",
    "scalar_rnn_grads",
    "stream_layout",
    "tbptt_mask",
    "truncation_curve",
    "truncation_view",
]


def bptt_delta(dout_t, delta_next, U, h_t, nonlinearity="tanh"):
    """One step of the BPTT recursion ({ref}`eq-bptt-delta`), row-vector form::

        δ_t = (∂E/∂h_t from the output + δ_{t+1} U) ⊙ f'(u_t)

    ``dout_t (N, H)`` is the error arriving from the output at step t, ``delta_next (N, H)``
    is δ_{t+1} (zeros at the last step), ``U (H, H)`` the recurrent matrix and ``h_t (N, H)``
    the hidden state f(u_t), through which f' is written (1 − h² for tanh). Returns δ_t.
    This is the line the reader writes in chapter 3's exercise.
    """
    dout_t = as_array(dout_t, "dout_t", 2)
    h_t = as_array(h_t, "h_t", 2)
    delta_next = as_array(delta_next, "delta_next", 2)
    U = as_array(U, "U", 2)
    H = h_t.shape[1]
    if U.shape != (H, H):
        raise ValueError(f"U must have shape ({H}, {H}) to match h_t {h_t.shape}, got {U.shape}")
    for name, a in (("dout_t", dout_t), ("delta_next", delta_next)):
        if a.shape != h_t.shape:
            raise ValueError(f"{name} must have the shape of h_t {h_t.shape}, got {a.shape}")
    _, df = get_activation(nonlinearity)
    return (dout_t + delta_next @ U) * df(h_t)  # eq-bptt-delta


def tbptt_mask(T, k):
    """Which steps the error of each loss step reaches under truncated BPTT ({ref}`eq-tbptt`).

    Returns a boolean ``(T, T)`` array ``M`` with ``M[s, t]`` true when the error of the loss
    at step s flows back to step t. :func:`lstmbook.nn.bptt.bptt` cuts the sequence into chunks
    of ``k`` steps starting at step 0, so ``M[s, t]`` holds for t ≤ s in the same chunk: the
    loss at step s reaches ``s % k + 1`` steps (itself included). With k ≥ T every t ≤ s is
    reached: full BPTT.
    """
    T = positive_int(T, "T")
    k = positive_int(k, "k")
    s, t = np.indices((T, T))
    return (t <= s) & (s // k == t // k)


class ErrorSplit(NamedTuple):
    """The full BPTT error split by loss step s and reached step t (:func:`error_split`;
    steps are 0-based)."""

    norms: np.ndarray  #: (T, T): [s, t] = ‖∂E_s/∂h_t‖ (zero for t > s)
    delta_U: np.ndarray  #: (T, T, H, H): [s, t] = step t's share δ_{s,t}^T h_{t-1} of ∂E_s/∂U
    loss: float  #: the mean loss over all steps


def error_split(layer, head, X, targets, loss_fn):
    """Split the full BPTT gradient by loss step s and by the step t the error reaches.

    ``layer`` is an :class:`~lstmbook.nn.rnn.RNN`, ``head`` a Linear read-out applied at every
    step, ``loss_fn`` one of :mod:`lstmbook.nn.losses` (``loss_fn(pred, targets, reduction=...)``).
    For each s the layer is run backward with the error of step s alone, which gives
    ∂E_s/∂h_t for every t ≤ s (``layer.dh_seq``) and δ_{s,t} = ∂E_s/∂h_t ⊙ f'(u_t). The loss
    is the mean over all N·T steps, as in :func:`lstmbook.nn.bptt.bptt`, so
    ``delta_U[M].sum(0)`` with ``M = tbptt_mask(T, k)`` is exactly the U-gradient that
    ``bptt(..., truncate=k)`` computes.
    """
    if not isinstance(layer, RNN):
        raise TypeError(f"layer must be a lstmbook.RNN, got {type(layer).__name__}")
    X = as_array(X, "X", 3)
    N, T, _ = X.shape
    Y, _ = layer.forward(X)
    pred = head.forward(Y)
    loss, dpred = loss_fn(pred, targets, reduction="sum")
    count = N * T
    dY = head.backward(dpred / count)
    h0 = np.zeros((N, layer.hidden_size))
    h_prev_all = np.concatenate([h0[:, None], Y[:, :-1]], axis=1)  # h_{t-1} (N, T, H)
    _, df = get_activation(layer.nonlinearity)
    dfs = df(Y)
    norms = np.zeros((T, T))
    delta_U = np.zeros((T, T, layer.hidden_size, layer.hidden_size))
    for s in range(T):
        only_s = np.zeros_like(dY)
        only_s[:, s] = dY[:, s]
        layer.backward(only_s)
        dh = layer.dh_seq  # (N, T, H): ∂E_s/∂h_t
        norms[s] = np.linalg.norm(dh, axis=(0, 2))
        delta = dh * dfs
        delta_U[s] = np.einsum("nti,ntj->tij", delta, h_prev_all)
    return ErrorSplit(norms, delta_U, loss / count)


def _cosine(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a.ravel() @ b.ravel() / (na * nb)) if na and nb else 0.0


class TruncationCurve(NamedTuple):
    """What :func:`truncation_curve` returns."""

    ks: np.ndarray  #: truncation lengths 1 … T
    cosine: np.ndarray  #: cos(truncated ∂E/∂U, full ∂E/∂U) for each k
    norm_ratio: np.ndarray  #: ‖truncated ∂E/∂U‖ / ‖full ∂E/∂U‖ for each k
    flow: ErrorSplit  #: the per-(s, t) split of the full gradient


def truncation_curve(layer, head, X, targets, loss_fn):
    """Compare truncated BPTT with full BPTT for every truncation length k = 1 … T.

    Each truncated U-gradient comes from :func:`lstmbook.nn.bptt.bptt` itself (the layer's
    parameters are not changed). Returns a :class:`TruncationCurve`.
    """
    X = as_array(X, "X", 3)
    T = X.shape[1]
    flow = error_split(layer, head, X, targets, loss_fn)
    bptt(layer, head, X, targets, loss_fn)
    full = layer.grads["U"].copy()
    cos, ratio = np.empty(T), np.empty(T)
    for k in range(1, T + 1):
        bptt(layer, head, X, targets, loss_fn, truncate=k)
        g = layer.grads["U"]
        cos[k - 1] = _cosine(g, full)
        ratio[k - 1] = np.linalg.norm(g) / np.linalg.norm(full)
    return TruncationCurve(np.arange(1, T + 1), cos, ratio, flow)


def scalar_rnn_grads(xs, *, w, u, b=0.0, h0=0.0, nonlinearity="identity"):
    """∂h_T/∂(w, u, b, h_0) for a one-unit RNN h_t = f(w x_t + u h_{t-1} + b), by BPTT.

    ``xs`` is a 1-D array of the inputs x_1 … x_T; the "loss" is E = h_T. Uses
    :class:`lstmbook.RNN` with D = H = N = 1, so the numbers are the package's own. Returns a
    dict with ``"h"`` (h_1 … h_T) and the gradients ``"w"``, ``"u"``, ``"b"``, ``"h0"``.
    """
    xs = as_array(xs, "xs", 1)
    T = xs.shape[0]
    if T == 0:
        raise ValueError("xs must hold at least one input")
    w, u, b, h0 = (real_number(v, name) for v, name in ((w, "w"), (u, "u"), (b, "b"), (h0, "h0")))
    rnn = RNN(1, 1, nonlinearity=nonlinearity, seed=0)
    rnn.params["W"][:] = w
    rnn.params["U"][:] = u
    rnn.params["b"][:] = b
    Y, _ = rnn.forward(xs.reshape(1, T, 1), np.array([[float(h0)]]))
    dY = np.zeros_like(Y)
    dY[0, -1, 0] = 1.0
    _, dh0 = rnn.backward(dY)
    return {"h": Y[0, :, 0].copy(), "w": float(rnn.grads["W"][0, 0]),
            "u": float(rnn.grads["U"][0, 0]), "b": float(rnn.grads["b"][0]),
            "h0": float(dh0[0, 0])}


# ------------------------------------------------------------------- how far the error reaches
class _InputGradientRecorder:
    """A recurrent layer seen through a probe: the last input channel carries each step's index;
    ``forward`` strips it, ``backward`` adds ‖∂E/∂x_t‖ at those steps into ``reached``, so the
    steps a BPTT routine sent error to are exactly the non-zero entries."""

    recurrent = True

    def __init__(self, layer, T):
        self.layer, self.reached, self._steps = layer, np.zeros(T), None

    @property
    def params(self):
        return self.layer.params

    @property
    def grads(self):
        return self.layer.grads

    @grads.setter
    def grads(self, value):
        self.layer.grads = value

    def forward(self, X, state=None):
        self._steps = X[0, :, -1].astype(int)
        return self.layer.forward(X[..., :-1], state)

    def backward(self, dY, d_final_state=None):
        dX, dstate = self.layer.backward(dY, d_final_state)
        self.reached[self._steps] += np.linalg.norm(dX, axis=(0, 2))
        return dX, dstate


def gradient_reach(T, *, k=None, h=None, h_prime=None, H=4, seed=0):
    """How many steps back the error of each loss step travels, measured on the package's own
    routines: ``k`` alone is :func:`lstmbook.nn.bptt.bptt` with ``truncate=k`` (chunks that do
    not overlap), ``h`` and ``h_prime`` are :func:`lstmbook.nn.bptt.bptt_overlap`, BPTT(h; h′),
    neither is full BPTT.

    For every loss step s the routine is run with the loss of step s alone (a mask), on a tanh
    RNN with random inputs, and the steps t whose input received a non-zero gradient are found;
    ``reach[s] = s − (earliest such t) + 1`` (step s itself included). Returns ``reach (T,)``.
    """
    T = positive_int(T, "T")
    if (h is None) != (h_prime is None):
        raise ValueError("give h and h_prime together (BPTT(h; h′)), or k alone")
    if k is not None and h is not None:
        raise ValueError("give either k (chunks) or h and h_prime (overlapping windows)")
    gen = make_rng(seed=seed)
    X = gen.standard_normal((1, T, 2))
    Xs = np.concatenate([X, np.arange(T, dtype=float).reshape(1, T, 1)], axis=2)
    targets = gen.standard_normal((1, T, 1))
    reach = np.zeros(T, dtype=int)
    for s in range(T):
        probe = _InputGradientRecorder(RNN(2, H, seed=seed), T)
        head = Linear(H, 1, seed=seed + 1)
        only_s = np.zeros((1, T), dtype=bool)
        only_s[0, s] = True
        if h is not None:
            bptt_overlap(probe, head, Xs, targets, mse, h=h, h_prime=h_prime, mask=only_s)
        else:
            bptt(probe, head, Xs, targets, mse, mask=only_s, truncate=k)
        reached = np.flatnonzero(probe.reached > 0)
        reach[s] = s - reached.min() + 1 if reached.size else 0
    return reach


def overlap_cosines(radius, *, h=8, h_prime=4, seeds=range(8), T=24, H=8):
    """Chunked truncation (``truncate=h``) against BPTT(h; h′), on paired seeds: for each seed
    the RNN of :func:`truncation_view` (``rnn_with_radius(H, radius, seed=seed)``, its read-out
    and its noisy-sine batch) and the cosine of each truncated U-gradient with the full one.
    Returns ``(chunks, overlap)``, two ``(len(seeds),)`` arrays (for
    :func:`lstmbook.stats.paired_comparison`)."""
    chunks, overlap = [], []
    for seed in seeds:
        X, Y = noisy_sine(4, T, seed=seed)
        rnn = rnn_with_radius(H, radius, seed=seed)
        head = Linear(H, 1, seed=seed + 1)
        bptt(rnn, head, X, Y, mse)
        full = rnn.grads["U"].copy()
        bptt(rnn, head, X, Y, mse, truncate=h)
        chunks.append(_cosine(rnn.grads["U"], full))
        bptt_overlap(rnn, head, X, Y, mse, h=h, h_prime=h_prime)
        overlap.append(_cosine(rnn.grads["U"], full))
    return np.array(chunks), np.array(overlap)


class ErrorFading(NamedTuple):
    """What :func:`error_fading` returns (distances d = 0 … T − 1)."""

    distance: np.ndarray  #: (T,) d
    propagated: np.ndarray  #: (T,) mean over s ≥ d of ‖∂E_s/∂h_{s−d}‖ / ‖∂E_s/∂h_s‖
    worst_case: np.ndarray  #: (T,) mean over s ≥ d and sequences of ‖J_s ⋯ J_{s−d+1}‖₂
    radius: float  #: spectral radius ρ(U)
    norm_U: float  #: largest singular value ‖U‖₂ (≥ ρ)
    mean_fprime: float  #: mean of f'(u_t) over units, steps and sequences


def error_fading(radius, *, T=24, H=8, seed=0) -> ErrorFading:
    """How the error fades with distance in this chapter's set-up (the RNN of
    :func:`truncation_view`, on its noisy-sine batch), measured two ways.

    ``propagated``: the error the task's own losses send back, ‖∂E_s/∂h_{s−d}‖ relative to
    ‖∂E_s/∂h_s‖, averaged over the loss steps s. ``worst_case``: the spectral norm (largest
    singular value) of the Jacobian product ∂h_s/∂h_{s−d} = J_s J_{s−1} ⋯ J_{s−d+1} with
    J_j = diag(f'(u_j)) U (column vectors, {ref}`eq-bptt-expanded`), the measure chapter 4 uses:
    the most any error direction can be stretched (on the chapter's RNNs the first stays below
    the second; the tests check it).
    """
    T = positive_int(T, "T")
    X, Y = noisy_sine(4, T, seed=seed)
    rnn = rnn_with_radius(H, radius, seed=seed)
    head = Linear(H, 1, seed=seed + 1)
    flow = error_split(rnn, head, X, Y, mse)
    Hs, _ = rnn.forward(X)
    _, df = get_activation(rnn.nonlinearity)
    fp = df(Hs)  # (N, T, H)
    U = rnn.params["U"]
    prop, worst = np.zeros(T), np.zeros(T)
    for d in range(T):
        s = np.arange(d, T)
        prop[d] = np.mean(flow.norms[s, s - d] / flow.norms[s, s])
        vals = []
        for n in range(X.shape[0]):
            for end in s:
                J = np.eye(H)
                for j in range(end, end - d, -1):  # J_end ⋯ J_{end−d+1}, built right to left
                    J = J @ (fp[n, j][:, None] * U)
                vals.append(np.linalg.norm(J, 2))
        worst[d] = np.mean(vals)
    return ErrorFading(np.arange(T), prop, worst, float(spectral_radius(U)),
                       float(np.linalg.norm(U, 2)), float(fp.mean()))


# ------------------------------------------------------------------- a long stream in mini-batches
class StreamLayout(NamedTuple):
    """What :func:`stream_layout` returns."""

    rows: list  #: rows[b][i]: the text of stream i in batch b
    starts: list  #: starts[i]: the position in the text where stream i begins (i·S)
    carried_equals_one_pass: bool  #: final state carried across batches == one long forward pass
    reset_gap: float  #: max |difference| of the final state when the state is reset every batch
    n_batches: int


def stream_layout(text, n_streams, k, *, H=4, seed=0) -> StreamLayout:
    """Lay ``text`` out for truncated BPTT in mini-batches
    (:func:`lstmbook.nn.streams.stream_batches`): ``n_streams`` parallel streams, each a
    contiguous piece of the text, cut into windows of ``k`` steps. An RNN reads the batches in
    order with the state carried (and detached) from one batch to the next, as
    :func:`lstmbook.nn.bptt.bptt` does; its final state is compared with one forward pass over
    each whole stream, and with resetting the state every batch.
    """
    chars = sorted(set(text))
    tokens = np.array([chars.index(c) for c in text])
    batches = stream_batches(tokens, n_streams, k)
    rows = [["".join(chars[j] for j in b.x[i]) for i in range(batches.n_streams)]
            for b in batches]
    rnn = RNN(len(chars), H, seed=seed)
    eye = np.eye(len(chars))
    state, reset = None, None
    for b in batches:
        _, state = rnn.forward(eye[b.x], state)  # carried across batches
        state = state.copy()                     # detached: the gradient stops here
        _, reset = rnn.forward(eye[b.x])         # state reset to zero every batch
    used = batches.inputs[:, :len(batches) * k]
    _, one_pass = rnn.forward(eye[used])
    starts = [i * batches.stream_length for i in range(batches.n_streams)]
    return StreamLayout(rows, starts, bool(np.allclose(state, one_pass, rtol=0, atol=1e-12)),
                        float(np.abs(reset - one_pass).max()), len(batches))


# --------------------------------------------------------------------------- RNNs of a given radius
NONLINEARITIES = ("tanh", "relu", "sigmoid")


def rnn_with_radius(hidden_size, radius, nonlinearity="tanh", *, input_size=1, seed=0):
    """An Elman :class:`~lstmbook.nn.rnn.RNN` whose recurrent matrix U has spectral radius
    ``radius`` (U drawn standard normal, then rescaled); W and b keep the default init."""
    radius = positive_float(radius, "radius")
    one_of(nonlinearity, NONLINEARITIES, "nonlinearity")
    H = positive_int(hidden_size, "hidden_size")
    gen = make_rng(seed=seed)
    rnn = RNN(input_size, H, nonlinearity=nonlinearity, rng=gen)
    U0 = gen.standard_normal((H, H))
    rnn.params["U"][:] = U0 * (radius / spectral_radius(U0))
    return rnn


# --------------------------------------------------------------------------- the explorer
class TruncationView(NamedTuple):
    k: int  #: truncation length
    radius: float  #: spectral radius of the RNN's recurrent matrix
    curve: object  #: TruncationCurve (cosine, norm ratio for every k)
    mask: np.ndarray  #: (T, T) which (loss step, reached step) pairs truncation keeps
    cosine: float  #: at this k
    norm_ratio: float  #: at this k
    summary: str


def truncation_view(k=4, radius=1.5, T=24, H=8, seed=0) -> TruncationView:
    """Full against truncated BPTT for an Elman RNN (recurrent spectral radius ``radius``) and
    a Linear read-out predicting the next value of a noisy sine (``T`` steps, 4 sequences).

    Pure: the same arguments give the same arrays.
    """
    T = positive_int(T, "T")
    k = positive_int(k, "k")
    if k > T:
        raise ValueError(f"k must be at most T = {T}, got {k}")
    X, Y = noisy_sine(4, T, seed=seed)
    rnn = rnn_with_radius(H, radius, seed=seed)
    head = Linear(H, 1, seed=seed + 1)
    curve = truncation_curve(rnn, head, X, Y, mse)
    mask = tbptt_mask(T, k)
    cos, ratio = float(curve.cosine[k - 1]), float(curve.norm_ratio[k - 1])
    kept = float(curve.flow.norms[mask].sum() / curve.flow.norms.sum())
    summary = (f"k = {k}: the loss at step s sends its error back to s mod {k} + 1 steps (all {k} "
               f"only at the last step of a chunk). The truncated gradient of "
               f"U has cosine {cos:.3f} with the full one and {ratio:.3f} times its norm; "
               f"{kept:.0%} of the total error (summed norms) is kept.")
    return TruncationView(k, float(radius), curve, mask, cos, ratio, summary)

