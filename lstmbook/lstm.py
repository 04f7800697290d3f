"""Long short-term memory: the step functions the book shows and the fused layer it runs.

Equations ({ref}`eq-lstm-gates`, {ref}`eq-lstm-cell`, {ref}`eq-lstm-hidden`), gate blocks in the
order **i, f, g, o** (``GATES``), row-vector convention ``a = x W^T + h U^T + b``::

    i = σ(a_i + p_i ⊙ c_{t-1})       input gate   (入力ゲート)
    f = σ(a_f + p_f ⊙ c_{t-1})       forget gate  (忘却ゲート)
    g = tanh(a_g)                    candidate c̃ (候補セル)
    c_t = f ⊙ c_{t-1} + i ⊙ g        cell update  (セル状態の更新)
    o = σ(a_o + p_o ⊙ c_t)           output gate  (出力ゲート)
    h_t = o ⊙ tanh(c_t)

Peepholes ``p_i, p_f, p_o`` (shape ``(H,)``) exist only when ``peephole=True``
({ref}`eq-peephole`); without them the p-terms are absent.
Shapes: ``x (N, D)``, ``h, c (N, H)``, ``W (4H, D)``, ``U (4H, H)``, ``b (4H,)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._layer import RecurrentLayer
from .functions import sigmoid, tanh

#: The order of the gate blocks in W, U and b (PyTorch's order; g is the candidate c̃).
GATES = ("i", "f", "g", "o")


def split_gates(a: np.ndarray, n_gates: int = 4) -> tuple[np.ndarray, ...]:
    """Split the last axis of ``a`` (size n_gates·H) into the gate blocks, in ``GATES`` order.

    The only place gate blocks are sliced; returns views.
    """
    H = a.shape[-1] // n_gates
    if H * n_gates != a.shape[-1]:
        raise ValueError(f"a must have a last axis divisible by {n_gates}, got shape {a.shape}")
    return tuple(a[..., k * H:(k + 1) * H] for k in range(n_gates))


class LSTMCache(NamedTuple):
    """What one forward step keeps for its backward step (and what widgets plot)."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    tanh_c: np.ndarray


def lstm_step(x_t, h_prev, c_prev, params):
    """One LSTM step: ``(h_t, c_t, cache)`` from ``x_t (N, D)``, ``h_prev, c_prev (N, H)``.

    Implements {ref}`eq-lstm-gates`, {ref}`eq-lstm-cell` and {ref}`eq-lstm-hidden`, with the
    peephole terms of {ref}`eq-peephole` when ``params`` holds ``p_i, p_f, p_o``.
    """
    W, U, b = params["W"], params["U"], params["b"]
    a_i, a_f, a_g, a_o = split_gates(x_t @ W.T + h_prev @ U.T + b)
    peep = "p_i" in params
    i = sigmoid(a_i + params["p_i"] * c_prev if peep else a_i)
    f = sigmoid(a_f + params["p_f"] * c_prev if peep else a_f)
    g = tanh(a_g)
    c = f * c_prev + i * g  # eq-lstm-cell
    o = sigmoid(a_o + params["p_o"] * c if peep else a_o)
    tanh_c = tanh(c)
    h = o * tanh_c  # eq-lstm-hidden
    return h, c, LSTMCache(x_t, h_prev, c_prev, i, f, g, o, c, tanh_c)


def lstm_step_backward(dh_t, dc_t, cache: LSTMCache, params):
    """Backward of :func:`lstm_step`: ``(dx_t, dh_prev, dc_prev, grads)``.

    ``dh_t``, ``dc_t`` are ∂L/∂h_t and ∂L/∂c_t arriving from later steps and the output;
    ``grads`` has the keys of ``params``. The cell path ({ref}`eq-cell-path`):
    ``dc_prev = dc ⊙ f`` (+ peephole terms) — the additive update lets the error pass through
    multiplied only by the forget gate.
    """
    x, h_prev, c_prev, i, f, g, o, c, tanh_c = cache
    peep = "p_i" in params
    do = dh_t * tanh_c
    dc = dc_t + dh_t * o * (1.0 - tanh_c**2)
    da_o = do * o * (1.0 - o)
    if peep:
        dc = dc + da_o * params["p_o"]
    da_i = dc * g * i * (1.0 - i)
    da_f = dc * c_prev * f * (1.0 - f)
    da_g = dc * i * (1.0 - g**2)
    dc_prev = dc * f
    if peep:
        dc_prev = dc_prev + da_i * params["p_i"] + da_f * params["p_f"]
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    grads = {
        "W": da.T @ x,
        "U": da.T @ h_prev,
        "b": da.sum(axis=0),
    }
    if peep:
        grads["p_i"] = (da_i * c_prev).sum(axis=0)
        grads["p_f"] = (da_f * c_prev).sum(axis=0)
        grads["p_o"] = (da_o * c).sum(axis=0)
    dx = da @ params["W"]
    dh_prev = da @ params["U"]
    return dx, dh_prev, dc_prev, grads


# Internal row order of the fused gate buffer in LSTM.forward: o, i, f (the three sigmoid gates,
# one contiguous block), g, then a slot holding c_{t-1}. Public order (GATES) stays i, f, g, o.
_O, _I, _F, _G, _CPREV = range(5)
#: H·N from which the layer lays its buffers out time-middle (big blocks, few calls)
_TM_MIN_BLOCK = 2048
#: elements per gate block processed at once when the local derivatives are precomputed
_CHUNK_ELEMS = 65536


class LSTM(RecurrentLayer):
    """An LSTM layer over whole sequences (batch-first), optionally with peepholes.

    ``forward(X (N, T, D), state=(h0, c0) or None) -> (Y (N, T, H), (h_T, c_T))``;
    ``backward(dY, d_final_state=(dh_T, dc_T) or None) -> (dX, (dh0, dc0))`` fills ``grads``.
    After ``forward``, ``gate_seq`` is the ``(T, N, 4H)`` array of activated gates (i, f, g, o);
    after ``backward``, ``dh_seq`` is ``(N, T, H)``, ∂L/∂h_t at every step.

    The same maths as chaining :func:`lstm_step` / :func:`lstm_step_backward` (a test checks it),
    arranged so that the loops over time hold only the recurrent chain, each step a handful of
    NumPy calls on small contiguous blocks:

    - the input projection ``x_t W^T + b`` of all steps is one matrix product before the loop;
      the weight gradients are one product each after the backward loop;
    - inside the loops the arrays are feature-major, ``(4H, N)`` per step, so a gate is a
      contiguous block of rows; the rows of i, f, o are pre-scaled by 1/2 so that one ``tanh``
      over all four gates gives σ(a) = (1 + tanh(a/2)) / 2 after one multiply and one add;
    - the gates' local derivatives (σ', 1 − tanh², the factors that multiply dc and dh) are
      computed for all steps at once after the forward loop; a backward step is then six calls.

    ``forget_bias`` is added to the forget gate's block of ``b`` at initialisation.
    """

    def __init__(self, input_size, hidden_size, *, peephole=False, forget_bias=0.0,
                 seed=None, rng=None, dtype=np.float64):
        self.peephole = bool(peephole)
        super().__init__(input_size, hidden_size, seed=seed, rng=rng, dtype=dtype)
        if forget_bias:
            split_gates(self.params["b"])[1][...] += forget_bias
        H = self.hidden_size
        # public rows (i, f, g, o) -> internal rows (o, i, f, g)
        self._perm = np.r_[3 * H:4 * H, 0:3 * H]
        self._gate_buf = None
        self._gate_seq = None

    @property
    def gate_seq(self):
        """Activated gates of the last forward pass, ``(T, N, 4H)`` in ``GATES`` order."""
        if self._gate_seq is None and self._gate_buf is not None:
            Gx = self._gate_buf  # (T + 1, 5, H, N), internal order
            T = Gx.shape[0] - 1
            ifgo = Gx[:T, [_I, _F, _G, _O]]  # (T, 4, H, N)
            N = ifgo.shape[-1]
            self._gate_seq = np.ascontiguousarray(ifgo.transpose(0, 3, 1, 2)).reshape(T, N, -1)
        return self._gate_seq

    @gate_seq.setter
    def gate_seq(self, value):
        self._gate_seq, self._gate_buf = value, None

    def _shapes(self):
        H, D = self.hidden_size, self.input_size
        shapes = {"W": (4 * H, D), "U": (4 * H, H), "b": (4 * H,)}
        if self.peephole:
            shapes.update({"p_i": (H,), "p_f": (H,), "p_o": (H,)})
        return shapes

    def _initial_state(self, state, N):
        if state is None:
            return self._zeros(N), self._zeros(N)
        if not isinstance(state, tuple | list) or len(state) != 2:
            raise TypeError(
                f"state must be a tuple (h0, c0) of arrays shaped (N, {self.hidden_size}), "
                f"got {type(state).__name__}"
            )
        return (self._check_state_array(state[0], "state[0] (h0)", N),
                self._check_state_array(state[1], "state[1] (c0)", N))

    def _buffer(self, shape_t, tm):
        """An empty array of logical shape ``(T, F, ..., N)`` (time first). With ``tm`` the
        memory is laid out feature-major, time-middle (``F, ..., T, N``), so that all steps of
        one feature row form one matrix row for the products over all steps."""
        if not tm:
            return np.empty(shape_t, self.dtype)
        nd = len(shape_t)
        phys = np.empty(shape_t[1:-1] + (shape_t[0], shape_t[-1]), self.dtype)
        return phys.transpose((nd - 2,) + tuple(range(nd - 2)) + (nd - 1,))

    def forward(self, X, state=None):
        X = self._check_input(X)
        N, T, D = X.shape
        H = self.hidden_size
        h0, c0 = self._initial_state(state, N)
        p, dt, peep = self.params, self.dtype, self.peephole
        # Big blocks: the inputs z_t and the backward's dE_t live time-middle in memory, so the
        # weight-gradient product over all steps reads them without a copy.
        tm = H * N >= _TM_MIN_BLOCK
        # Weights in internal row order, sigmoid rows halved: σ(a) = (1 + tanh(a/2)) / 2.
        # One matrix [W | b | U] acting on z_t = [x_t; 1; h_{t-1}]: the bias is the weight of a
        # constant input 1, and a step's whole pre-activation is one product.
        WbU = np.empty((4 * H, D + 1 + H), dt)
        WbU[:, :D] = p["W"][self._perm]
        WbU[:, D] = p["b"][self._perm]
        WbU[:, D + 1:] = p["U"][self._perm]
        WbU[:3 * H] *= 0.5
        # Z[t] = z_t (feature-major, (D + 1 + H, N)); Z[T] holds h_T.
        Z = self._buffer((T + 1, D + 1 + H, N), tm)
        Zf = Z.transpose(1, 0, 2)  # (D + 1 + H, T + 1, N)
        Zf[:D, :T] = X.transpose(2, 1, 0)
        Zf[D, :T] = 1.0
        Z[0, D + 1:] = h0.T
        # Gate buffer Gx[t] = rows o, i, f, g (internal order) and c_{t-1}; Gx[T, 4] = c_T.
        Gx = np.empty((T + 1, 5, H, N), dt)
        A = np.reshape(Gx[:, :4], (T + 1, 4 * H, N), copy=False)  # pre-activations, 2-D
        Gx[0, _CPREV] = c0.T
        TC = np.empty((T, H, N), dt)  # tanh(c_t)
        prod = np.empty((2, H, N), dt)
        if peep:
            pi, pf, po = (0.5 * p[k][:, None] for k in ("p_i", "p_f", "p_o"))
        for a2, a, z, z_next, a_next, tc in zip(A[:T], Gx[:T], Z[:T], Z[1:], Gx[1:], TC,
                                                strict=True):
            np.matmul(WbU, z, out=a2)  # x_t W^T + b + h_{t-1} U^T, all four gates
            if peep:
                c_prev = a[_CPREV]
                a[_I] += pi * c_prev
                a[_F] += pf * c_prev
                np.tanh(a[1:4], out=a[1:4])
                sg = a[1:3]
            else:
                np.tanh(a2, out=a2)
                sg = a[:3]
            sg *= 0.5
            sg += 0.5
            # c_t = f ⊙ c_{t-1} + i ⊙ g   (eq-lstm-cell): [i, f] ⊙ [g, c_{t-1}] in one call
            np.multiply(a[1:3], a[3:5], out=prod)
            ct = a_next[_CPREV]
            np.add(prod[0], prod[1], out=ct)
            if peep:
                o = a[_O]
                o += po * ct
                np.tanh(o, out=o)
                o *= 0.5
                o += 0.5
            np.tanh(ct, out=tc)
            np.multiply(a[_O], tc, out=z_next[D + 1:])  # h_t = o ⊙ tanh(c_t)  (eq-lstm-hidden)
        self._cache = (X.shape, Gx, TC, Z, tm)
        self._gate_buf, self._gate_seq = Gx, None
        Y = np.ascontiguousarray(Z[1:, D + 1:].transpose(2, 0, 1))  # (N, T, H)
        return Y, (Z[T, D + 1:].T.copy(), Gx[T, _CPREV].T.copy())

    def backward(self, dY, d_final_state=None):
        (N, T, D), Gx, TC, Z, tm = self._need_cache()
        H = self.hidden_size
        dt, p, peep = self.dtype, self.params, self.peephole
        dYf = np.ascontiguousarray(self._check_dY(dY, (N, T, H)).transpose(1, 2, 0))  # (T,H,N)
        if d_final_state is None:
            dh_in, dc = np.zeros((H, N), dt), np.zeros((H, N), dt)
        else:
            dhT, dcT = self._initial_state(d_final_state, N)
            dh_in, dc = np.ascontiguousarray(dhT.T), np.ascontiguousarray(dcT.T)
        # dE[t] rows: da_i, da_f, da_g, da_o (public order) and dh ⊙ o (1 − tanh² c_t).
        dE = self._buffer((T, 5, H, N), tm)
        dA = np.reshape(dE[:, :4], (T, 4 * H, N), copy=False)
        dHs = np.empty((T, H, N), dt)
        UT = np.ascontiguousarray(p["U"].T)
        if peep:
            pi, pf, po = (p[k][:, None] for k in ("p_i", "p_f", "p_o"))
        # Local derivatives of the gates do not depend on the recurrence: computed for a chunk
        # of steps at once (all T when the blocks are small), just before the loop needs them.
        K = max(1, min(T, _CHUNK_ELEMS // (H * N)))
        S3 = np.empty((K, 3, H, N), dt)  # da_i, da_f, da_g per unit dc
        Sok = np.empty((K, 2, H, N), dt)  # da_o and the dc increment per unit dh
        dsig = np.empty((K, 3, H, N), dt)
        for t1 in range(T, 0, -K):
            t0 = max(0, t1 - K)
            k = t1 - t0
            s3, sok, ds = S3[:k], Sok[:k], dsig[:k]
            g = Gx[t0:t1]
            sig, tc = g[:, :3], TC[t0:t1]
            np.multiply(sig, sig, out=ds)
            np.subtract(sig, ds, out=ds)  # σ' = σ(1 − σ) for o, i, f
            np.multiply(g[:, _G], ds[:, _I], out=s3[:, 0])  # g σ'(a_i)
            np.multiply(g[:, _CPREV], ds[:, _F], out=s3[:, 1])  # c_{t-1} σ'(a_f)
            np.multiply(g[:, _G], g[:, _G], out=s3[:, 2])
            np.multiply(g[:, _I], s3[:, 2], out=s3[:, 2])
            np.subtract(g[:, _I], s3[:, 2], out=s3[:, 2])  # i (1 − g²)
            np.multiply(tc, ds[:, _O], out=sok[:, 0])  # tanh(c) σ'(a_o)
            np.multiply(tc, tc, out=sok[:, 1])
            np.multiply(g[:, _O], sok[:, 1], out=sok[:, 1])
            np.subtract(g[:, _O], sok[:, 1], out=sok[:, 1])  # o (1 − tanh² c)
            for j in range(k - 1, -1, -1):
                t = t0 + j
                dh = dHs[t]
                np.add(dh_in, dYf[t], out=dh)
                e = dE[t]
                np.multiply(dh, sok[j], out=e[3:])
                dc += e[4]
                if peep:
                    dc += e[3] * po
                np.multiply(dc, s3[j], out=e[:3])  # da_i, da_f, da_g  (eq-cell-path)
                dc *= g[j, _F]  # dc_{t-1} = dc ⊙ f
                if peep:
                    dc += e[0] * pi
                    dc += e[1] * pf
                np.matmul(UT, dA[t], out=dh_in)
        # Weight gradients: one product over all steps, [dW | db | dU] = dA [x; 1; h_{t-1}]^T.
        dA2 = np.reshape(dE.transpose(1, 2, 0, 3)[:4], (4 * H, T * N))
        Zall = np.reshape(Z.transpose(1, 0, 2)[:, :T], (D + 1 + H, T * N))
        gall = dA2 @ Zall.T
        self.grads = {
            "W": np.ascontiguousarray(gall[:, :D]),
            "U": np.ascontiguousarray(gall[:, D + 1:]),
            "b": gall[:, D].copy(),
        }
        if peep:
            Cp, Cs = Gx[:T, _CPREV], Gx[1:, _CPREV]  # c_{t-1}, c_t
            self.grads["p_i"] = (dE[:, 0] * Cp).sum(axis=(0, 2))
            self.grads["p_f"] = (dE[:, 1] * Cp).sum(axis=(0, 2))
            self.grads["p_o"] = (dE[:, 3] * Cs).sum(axis=(0, 2))
        dX = (p["W"].T @ dA2).reshape(D, T, N).transpose(2, 1, 0)
        self.dh_seq = dHs.transpose(2, 0, 1)
        return dX, (dh_in.T.copy(), dc.T.copy())
