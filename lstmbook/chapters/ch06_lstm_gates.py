"""Chapter 6, LSTM gates (``book/06_lstm_gates.ipynb``): the gates taken apart. The concatenated
form, hand-set gate schedules, the "forget 1, input 0" memory, the gradient along the cell path
and the gate explorer's model.

Everything here is pure NumPy computation on top of :mod:`lstmbook.nn.lstm`; the chapter's gate
explorer (:func:`lstmbook.widgets.build_gate_explorer`) draws what :func:`run_cell` returns.

- :func:`to_concat` / :func:`from_concat` convert between the book's ``W x_t + U h_{t-1} + b``
  ({ref}`eq-lstm-gates`) and the concatenated ``W [h_{t-1}, x_t] + b`` ({ref}`eq-lstm-concat`);
  :func:`lstm_step_concat` is one step computed in the concatenated form.
- :func:`run_cell` runs the cell update ({ref}`eq-lstm-cell`, {ref}`eq-lstm-hidden`) for gate
  values chosen by hand, step by step; :func:`gate_schedule` builds such schedules.
- :func:`keep_forever_params` sets an LSTM's weights so that its forget gate is exactly 1 and
  its input gate exactly 0: the cell keeps its content for ever.
- :func:`cell_path_gradient` chains :func:`lstmbook.nn.lstm.lstm_step_backward` with ∂L/∂h = 0, the
  gradient along the cell alone, which equals the product of forget gates ({ref}`eq-cell-path`).
- :func:`gradient_reach` follows the whole backward pass (through h and U as well as the cell)
  beside the cell path alone: why an LSTM can still explode and still needs clipping;
  :func:`recurrent_scale_params` builds the LSTMs it is shown on.
- :func:`gate_run_cache` turns one step of a hand-set run into an ``LSTMCache``, the live view
  of the cell diagram ({func}`lstmbook.diagrams.lstm_cell`).
- :data:`DLFS2_GATE_ORDER` and :func:`from_dlfs2` map DLFS2's LSTM weights (gate order f, g, i,
  o; ``Wx (D, 4H)``, ``x Wx``) to the book's (i, f, g, o; ``W (4H, D)``, ``x W^T``).
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from lstmbook.messages import fmt, sentences
from lstmbook.nn._checks import as_array, check_shape, make_rng, positive_int
from lstmbook.nn.activations import sigmoid, tanh
from lstmbook.nn.lstm import GATES, LSTMCache, lstm_forward, lstm_step_backward, split_gates

__all__ = [
    "DLFS2_GATE_ORDER",
    "CellPath",
    "GradientReach",
    "from_dlfs2",
    "gate_run_cache",
    "gradient_reach",
    "recurrent_scale_params",
    "GateExplorerView",
    "GateRun",
    "cell_path_gradient",
    "default_candidate",
    "from_concat",
    "gate_explorer_view",
    "gate_schedule",
    "keep_forever_params",
    "lstm_param_count",
    "lstm_step_concat",
    "run_cell",
    "to_concat",
]


# --------------------------------------------------------------------------- concatenated form
def _check_params(params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(params, dict):
        raise TypeError(
            f"params must be a dict with keys 'W', 'U', 'b', got {type(params).__name__}"
        )
    missing = [k for k in ("W", "U", "b") if k not in params]
    if missing:
        raise ValueError(f"params must hold 'W', 'U' and 'b'; missing {missing}")
    W = as_array(params["W"], "params['W']", 2)
    U = as_array(params["U"], "params['U']", 2)
    b = as_array(params["b"], "params['b']", 1)
    H4 = W.shape[0]
    if H4 % 4:
        raise ValueError(f"params['W'] must have 4H rows (gates i, f, g, o), got shape {W.shape}")
    H = H4 // 4
    check_shape(U, "params['U']", (4 * H, H))
    check_shape(b, "params['b']", (4 * H,))
    return W, U, b


def to_concat(params) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated form ({ref}`eq-lstm-concat`) of the weights ``W (4H, D)``, ``U (4H, H)``.

    Returns ``(W_cat, b)`` with ``W_cat = [U | W]`` of shape ``(4H, H + D)``: its first H
    columns multiply h_{t-1}, the last D columns x_t, so that
    ``W_cat @ [h_{t-1}; x_t] = U h_{t-1} + W x_t``. Rows keep the gate order i, f, g, o;
    note 001's per-gate ``W_f`` is the block ``W_cat[H:2H]``.
    """
    W, U, b = _check_params(params)
    return np.concatenate([U, W], axis=1), b.copy()


def from_concat(W_cat, b, input_size) -> dict:
    """Inverse of :func:`to_concat`: split ``W_cat (4H, H + D)`` into ``{"W", "U", "b"}``."""
    D = positive_int(input_size, "input_size")
    W_cat = as_array(W_cat, "W_cat", 2)
    b = as_array(b, "b", 1)
    H4, cols = W_cat.shape
    if H4 % 4 or cols != H4 // 4 + D:
        raise ValueError(
            f"W_cat must have shape (4H, H + input_size) = (4H, H + {D}), got {W_cat.shape}"
        )
    H = H4 // 4
    check_shape(b, "b", (4 * H,))
    return {"W": W_cat[:, H:].copy(), "U": W_cat[:, :H].copy(), "b": b.copy()}


def lstm_step_concat(x_t, h_prev, c_prev, W_cat, b):
    """One LSTM step written in the concatenated form of note 001 ({ref}`eq-lstm-concat`).

    ``z = [h_{t-1}, x_t]`` is one row per example (``(N, H + D)``); each gate is
    ``σ(z W_k^T + b_k)`` and the candidate ``tanh(z W_g^T + b_g)``. Returns ``(h_t, c_t)``; the
    result equals :func:`lstmbook.nn.lstm.lstm_step` with ``from_concat(W_cat, b, D)``.
    """
    z = np.concatenate([h_prev, x_t], axis=1)  # [h_{t-1}, x_t]
    a_i, a_f, a_g, a_o = split_gates(z @ W_cat.T + b)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g  # eq-lstm-cell
    return o * tanh(c), c  # eq-lstm-hidden


def lstm_param_count(input_size, hidden_size) -> int:
    """Number of parameters of an LSTM layer: ``4 (H D + H² + H)`` (W, U and one bias b)."""
    D = positive_int(input_size, "input_size")
    H = positive_int(hidden_size, "hidden_size")
    return 4 * (H * D + H * H + H)


# --------------------------------------------------------------------------- hand-set gates
class GateRun(NamedTuple):
    """What :func:`run_cell` returns; every array has shape ``(T,)`` or ``(T, H)``."""

    i: np.ndarray  #: input gate at each step
    f: np.ndarray  #: forget gate
    o: np.ndarray  #: output gate
    g: np.ndarray  #: candidate c̃ (what would be written)
    c: np.ndarray  #: cell state c_t after step t
    h: np.ndarray  #: hidden output h_t
    c0: np.ndarray  #: the cell state before the first step


def _schedule(x, name, shape=None, lo=0.0, hi=1.0):
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        if shape is None:
            raise TypeError(f"{name} must be an array when the others are numbers")
        x = np.full(shape, float(x))
    x = as_array(x, name, (1, 2))
    if shape is not None and x.shape != shape:
        raise ValueError(
            f"{name} must have the shape of the other schedules {shape}, got {x.shape}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} must have at least one time step, got shape {x.shape}")
    if np.any(x < lo) or np.any(x > hi):
        raise ValueError(f"{name} must lie in [{lo:g}, {hi:g}], got values in "
                         f"[{x.min():.3g}, {x.max():.3g}]")
    return x


def run_cell(i, f, o, g, c0=0.0) -> GateRun:
    """Run the cell update for gate values given by hand, step by step.

    ``i, f, o`` (openness) and the candidate ``g`` are arrays of shape
    ``(T,)`` (one unit) or ``(T, H)``; a plain number stands for a constant schedule. ``c0`` is
    the initial cell state (a number or ``(H,)``). For t = 1 … T::

        c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t     (eq-lstm-cell)
        h_t = o_t ⊙ tanh(c_t)               (eq-lstm-hidden)

    Set by hand, a gate may be exactly 0 or 1 (in [0, 1], where a sigmoid gives (0, 1)) and
    the candidate in [−1, 1].

    No weights are involved: this is the part of the LSTM that the gates control, so one can
    see what each gate does before any learning.
    """
    arrays = [x for x in (i, f, o, g) if isinstance(x, np.ndarray)]
    if not arrays:
        raise TypeError("at least one of i, f, o, g must be an array of shape (T,) or (T, H)")
    shape = arrays[0].shape
    i = _schedule(i, "i", shape)
    f = _schedule(f, "f", shape)
    o = _schedule(o, "o", shape)
    g = _schedule(g, "g", shape, lo=-1.0, hi=1.0)
    if isinstance(c0, numbers.Real) and not isinstance(c0, bool):
        c_prev = np.full(shape[1:], float(c0))
    else:
        c_prev = as_array(c0, "c0", len(shape) - 1)
        check_shape(c_prev, "c0", shape[1:])
    c0 = np.array(c_prev, dtype=float)
    c = np.empty(shape)
    for t in range(shape[0]):
        c_prev = f[t] * c_prev + i[t] * g[t]  # eq-lstm-cell
        c[t] = c_prev
    return GateRun(i, f, o, g, c, o * tanh(c), c0)


def _window(T, start, length, name):
    """A 0/1 array over steps t = 1 … T that is 1 on steps start … start + length − 1."""
    if start is None:
        return np.zeros(T)
    if isinstance(start, bool) or not isinstance(start, numbers.Integral) or not 1 <= start <= T:
        raise ValueError(f"{name} must be an integer step in 1 … {T} (or None), got {start!r}")
    w = np.zeros(T)
    w[int(start) - 1:int(start) - 1 + length] = 1.0
    return w


def default_candidate(T) -> np.ndarray:
    """The candidate values c̃_t the explorer offers to the cell: a slow wave in [−0.9, 0.9],
    so that writing at different steps stores different values."""
    T = positive_int(T, "T")
    return np.round(0.9 * np.sin(0.45 * np.arange(T) + 0.6), 3)


def gate_schedule(T=24, *, write_at=4, write_len=1, forget=1.0, erase_at=None, read_at=17,
                  read_len=4, g=None) -> dict:
    """Gate schedules for the explorer: ``{"i", "f", "o", "g"}``, each of shape ``(T,)``.

    Steps are numbered t = 1 … T (entry ``t − 1`` of each array). The input gate is open (1)
    for ``write_len`` steps from ``write_at`` and shut (0) otherwise;
    the forget gate stays at ``forget`` except at step ``erase_at`` (if given), where it drops
    to 0 and wipes the cell; the output gate is open for ``read_len`` steps from ``read_at``.
    ``g`` is the candidate sequence (default :func:`default_candidate`).
    Pass the result to :func:`run_cell` as ``run_cell(**gate_schedule(...))``.
    """
    T = positive_int(T, "T")
    write_len = positive_int(write_len, "write_len")
    read_len = positive_int(read_len, "read_len")
    if isinstance(forget, bool) or not isinstance(forget, numbers.Real) or not 0 <= forget <= 1:
        raise ValueError(f"forget must be a number in [0, 1], got {forget!r}")
    i = _window(T, write_at, write_len, "write_at")
    f = np.full(T, float(forget))
    if erase_at is not None:
        f[_window(T, erase_at, 1, "erase_at") == 1] = 0.0
    o = _window(T, read_at, read_len, "read_at")
    g = default_candidate(T) if g is None else _schedule(g, "g", (T,), lo=-1.0, hi=1.0)
    return {"i": i, "f": f, "o": o, "g": g}


# --------------------------------------------------------------------------- forget 1, input 0
def keep_forever_params(input_size, hidden_size, *, saturation=1000.0, seed=None, rng=None):
    """LSTM parameters whose forget gate is exactly 1 and input gate exactly 0, whatever the
    input: ``W`` and ``U`` are zero in the i and f blocks, ``b_f = +saturation`` and
    ``b_i = −saturation`` (σ(±1000) is 1 and 0 exactly in float64). The candidate and output
    blocks are random, so the layer still reads its input and exposes its cell.

    With these weights ``c_t = 1 · c_{t-1} + 0 · g_t = c_{t-1}`` at every step: note 004's
    "forget gate 1, input gate 0 keeps the memory for ever".
    """
    D = positive_int(input_size, "input_size")
    H = positive_int(hidden_size, "hidden_size")
    if isinstance(saturation, bool) or not isinstance(saturation, numbers.Real) \
            or not saturation >= 40:
        raise ValueError(f"saturation must be a number >= 40 (σ(40) rounds to 1), got "
                         f"{saturation!r}")
    rng = make_rng(rng, seed)
    params = {
        "W": rng.normal(0.0, 0.5, (4 * H, D)),
        "U": rng.normal(0.0, 0.5, (4 * H, H)),
        "b": rng.normal(0.0, 0.5, 4 * H),
    }
    for key in ("W", "U", "b"):
        W_i, W_f, _, _ = split_gates(params[key].T if key != "b" else params[key])
        W_i[...] = 0.0
        W_f[...] = 0.0
    b_i, b_f, _, _ = split_gates(params["b"])
    b_i[...] = -float(saturation)
    b_f[...] = float(saturation)
    return params


# --------------------------------------------------------------------------- the cell path
class CellPath(NamedTuple):
    """What :func:`cell_path_gradient` returns (arrays over t = 0 … T, batch N, units H)."""

    grad: np.ndarray  #: (T + 1, N, H): ∂c_T/∂c_t along the cell, from lstm_step_backward
    forget_product: np.ndarray  #: (T + 1, N, H): f_{t+1} ⊙ … ⊙ f_T (1 at t = T)
    f: np.ndarray  #: (T, N, H): the forget gate at steps 1 … T
    c: np.ndarray  #: (T + 1, N, H): c_0 … c_T


def cell_path_gradient(params, X, h0=None, c0=None) -> CellPath:
    """The gradient ∂c_T/∂c_t along the cell path ({ref}`eq-cell-path`), two ways.

    Runs :func:`lstmbook.nn.lstm.lstm_forward` over ``X (N, T, D)``, then chains
    :func:`lstmbook.nn.lstm.lstm_step_backward` from ``dc_T = 1`` with ``dh = 0`` at every step
    and the ``dh_prev`` it returns dropped: only the path along the cell remains, through
    ``c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t``. Returns a :class:`CellPath` with that gradient and,
    for comparison, the running product of the forget gates; the two are equal.
    (The full derivative of c_T also has paths through h_{t} and the gates of later steps.)
    """
    W, U, _ = _check_params(params)
    X = as_array(X, "X", 3)
    N, T, D = X.shape
    H = U.shape[1]
    check_shape(X, "X", (None, None, W.shape[1]))
    h = np.zeros((N, H)) if h0 is None else as_array(h0, "h0", 2)
    c = np.zeros((N, H)) if c0 is None else as_array(c0, "c0", 2)
    check_shape(h, "h0", (N, H))
    check_shape(c, "c0", (N, H))
    _, _, caches = lstm_forward(X, (h, c), params)
    grad = np.empty((T + 1, N, H))
    grad[T] = 1.0
    zero = np.zeros((N, H))
    dc = np.ones((N, H))
    for t in range(T - 1, -1, -1):
        _, _, dc, _ = lstm_step_backward(zero, dc, caches[t], params)  # dh = 0: cell path only
        grad[t] = dc
    f = np.stack([cache.f for cache in caches])
    product = np.ones((T + 1, N, H))
    for t in range(T - 1, -1, -1):
        product[t] = product[t + 1] * f[t]
    return CellPath(grad, product, f, np.stack([c] + [cache.c for cache in caches]))


# --------------------------------------------------------------------------- the explorer
class GateExplorerView(NamedTuple):
    run: object  #: GateRun: gates, candidate, c_t and h_t over t = 1 … T
    stored: float  #: the cell state right after the write (what the cell holds)
    read: float  #: h_t at the first step the output gate is open (0 if it never opens)
    summary: str  #: one-paragraph description of what happened, in the reader's language


def gate_explorer_view(write_at=4, forget=1.0, erase_at=None, read_at=17, T=24,
                           write_len=1, read_len=4) -> GateExplorerView:
    """Run one LSTM unit with hand-set gates (:func:`gate_schedule` and
    :func:`run_cell`): the input gate opens at ``write_at``, the forget gate stays
    at ``forget`` (dropping to 0 at ``erase_at`` if given), the output gate opens at
    ``read_at``. Steps are 1 … T. Pure: the same arguments give the same arrays."""
    T = positive_int(T, "T")
    run = run_cell(**gate_schedule(T, write_at=write_at, write_len=write_len, forget=forget,
                                   erase_at=erase_at, read_at=read_at, read_len=read_len))
    w_end = min(write_at + write_len - 1, T)
    stored = float(run.c[w_end - 1])
    read = float(run.h[read_at - 1]) if read_at is not None else 0.0
    # one template per sentence, the same as the page script's (web.PAGE_STRINGS), so both
    # find the same catalogue entries in another language
    if write_len == 1:
        parts = [fmt("The input gate opens at t = %1 and writes the candidate %2: the cell now "
                     "holds c = %3.", write_at, f"{run.g[write_at - 1]:+.3f}", f"{stored:+.3f}")]
    else:
        parts = [fmt("The input gate is open from t = %1 to t = %2 and adds every candidate "
                     "offered: at t = %2 the cell holds c = %3.", write_at, w_end,
                     f"{stored:+.3f}")]
    if forget == 1 and w_end == T:
        parts.append(fmt("The forget gate is at 1: nothing is erased, so the candidates pile up."))
    elif forget == 1:
        parts.append(fmt("The forget gate is at 1: while the input gate is shut, the content is "
                         "kept unchanged."))
    else:
        parts.append(fmt("The forget gate is at %1: the content shrinks by that factor at every "
                         "step.", f"{forget:.2f}"))
    if erase_at is not None:
        parts.append(fmt("At t = %1 the forget gate drops to 0 and wipes the cell.", erase_at))
    if read_at is not None:
        parts.append(fmt("The output gate opens at t = %1: h = o·tanh(c) = %2 (the cell holds "
                         "c = %3 then).", read_at, f"{read:+.3f}", f"{run.c[read_at - 1]:+.3f}"))
    parts.append(fmt("After the last step c_%1 = %2.", T, f"{run.c[-1]:+.3f}"))
    return GateExplorerView(run, stored, read, sentences(parts))



# --------------------------------------------------------------------------- the live cell view
def gate_run_cache(run: GateRun, t: int, unit: int = 0) -> LSTMCache:
    """Step ``t`` (1 … T) of a hand-set :class:`GateRun` as an :class:`~lstmbook.nn.lstm.LSTMCache`
    of one unit (arrays ``(1, 1)``), for :func:`lstmbook.diagrams.lstm_cell`. The run has no
    input (its gates are set by hand), so ``x`` is empty; ``h_prev`` is the previous step's
    output (0 before the first step)."""
    T = len(run.c)
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 1 <= t <= T:
        raise ValueError(f"t must be a step in 1 … {T}, got {t!r}")

    def at(a, k):
        a = np.asarray(a, dtype=np.float64)
        v = a[k] if a.ndim >= 1 and a.shape[0] == T else a
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        return np.array([[v[unit if v.size > 1 else 0]]])

    k = t - 1
    c_prev = at(run.c0, 0) if k == 0 else at(run.c, k - 1)
    h_prev = np.zeros((1, 1)) if k == 0 else at(run.h, k - 1)
    c = at(run.c, k)
    return LSTMCache(np.zeros((1, 0)), h_prev, c_prev, at(run.i, k), at(run.f, k), at(run.g, k),
                     at(run.o, k), c, np.tanh(c))


# --------------------------------------------------------------------------- why clip an LSTM
def recurrent_scale_params(input_size, hidden_size, scale, *, forget_bias=1.0, seed=0) -> dict:
    """LSTM parameters with recurrent weights ``U ~ N(0, scale² / H)`` (so ``scale`` sets the
    size of U's product with h), input weights ``W ~ N(0, 0.5²)``, biases 0 except the forget
    gate's, ``forget_bias``. The same ``seed`` gives the same directions for every ``scale``."""
    D = positive_int(input_size, "input_size")
    H = positive_int(hidden_size, "hidden_size")
    rng = make_rng(seed=seed)
    U = float(scale) * rng.normal(0.0, 1.0 / np.sqrt(H), (4 * H, H))
    W = rng.normal(0.0, 0.5, (4 * H, D))
    b = np.zeros(4 * H)
    split_gates(b)[GATES.index("f")][...] = float(forget_bias)
    return {"W": W, "U": U, "b": b}


class GradientReach(NamedTuple):
    """How far back an error from the last step reaches (index = lag, 0 … T − 1)."""

    full: np.ndarray  #: ‖(∂L/∂h_t, ∂L/∂c_t)‖ of the whole backward pass, per example (rms)
    cell_path: np.ndarray  #: the largest product of forget gates f_{t+1} ⋯ f_T over the units


def gradient_reach(params, X) -> GradientReach:
    """Run ``lstm_forward`` over ``X (N, T, D)``, put the error ``∂L/∂h_T = 1/√H`` (norm 1) on
    the last output and chain :func:`lstmbook.nn.lstm.lstm_step_backward` back: ``full`` is the
    norm of the state's gradient at each lag (every path: the cell, and ``dh_prev = da U``
    through the gates), ``cell_path`` the cell path alone, ``∏ f`` ({ref}`eq-cell-path`), which
    can never exceed 1."""
    X = as_array(X, "X")
    if X.ndim != 3:
        raise ValueError(f"X must have shape (N, T, D), got {X.shape}")
    _, _, caches = lstm_forward(X, None, params)
    N, T, _ = X.shape
    H = params["U"].shape[1]
    dh = np.full((N, H), 1.0 / np.sqrt(H))
    dc = np.zeros((N, H))
    prod = np.ones((N, H))
    full, cell = [1.0], [1.0]
    for t in range(T - 1, 0, -1):
        _, dh, dc, _ = lstm_step_backward(dh, dc, caches[t], params)
        prod = prod * caches[t].f
        full.append(float(np.sqrt(((dh**2).sum() + (dc**2).sum()) / N)))
        cell.append(float(prod.max()))
    return GradientReach(np.array(full), np.array(cell))


# --------------------------------------------------------------------------- DLFS2's layout
#: the gate order of DLFS2's ``LSTM`` (``common/time_layers.py``: ``f = A[:, :H]``,
#: ``g = A[:, H:2*H]``, ``i = A[:, 2*H:3*H]``, ``o = A[:, 3*H:]``)
DLFS2_GATE_ORDER = ("f", "g", "i", "o")


def from_dlfs2(Wx, Wh, b) -> dict:
    """The book's ``{"W", "U", "b"}`` from DLFS2's LSTM weights ``Wx (D, 4H)``, ``Wh (H, 4H)``,
    ``b (4H,)`` (row vectors: ``A = x Wx + h Wh + b``, column blocks in the order f, g, i, o):
    reorder the blocks to i, f, g, o and transpose, so that ``x @ W.T = x Wx`` block for block."""
    Wx, Wh, b = as_array(Wx, "Wx"), as_array(Wh, "Wh"), as_array(b, "b")
    if Wx.ndim != 2 or Wx.shape[1] % 4:
        raise ValueError(f"Wx must have shape (D, 4H), got {Wx.shape}")
    H = Wx.shape[1] // 4
    check_shape(Wh, "Wh", (H, 4 * H))
    check_shape(b, "b", (4 * H,))
    order = [DLFS2_GATE_ORDER.index(k) for k in GATES]

    def reorder(a):
        blocks = [a[..., k * H:(k + 1) * H] for k in range(4)]
        return np.concatenate([blocks[k] for k in order], axis=-1)

    return {"W": reorder(Wx).T.copy(), "U": reorder(Wh).T.copy(), "b": reorder(b).copy()}
