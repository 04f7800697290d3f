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

from .activations import sigmoid, tanh
from .protocol import RecurrentLayer

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
#: fewest columns (steps × batch) a weight-gradient product of the backward pass is given
_GEMM_COLS = 512


class LSTM(RecurrentLayer):
    """An LSTM layer over whole sequences (batch-first), optionally with peepholes.

    ``forward(X (N, T, D), state=(h0, c0) or None) -> (Y (N, T, H), (h_T, c_T))``;
    ``backward(dY, d_final_state=(dh_T, dc_T) or None) -> (dX, (dh0, dc0))`` fills ``grads``.
    After ``forward``, ``gate_seq`` is the ``(T, N, 4H)`` array of activated gates (i, f, g, o);
    after ``backward``, ``dh_seq`` is ``(N, T, H)``, ∂L/∂h_t at every step.

    The same maths as chaining :func:`lstm_step` / :func:`lstm_step_backward` (a test checks it),
    arranged so that the loops over time hold only the recurrent chain, each step a handful of
    NumPy calls on small contiguous blocks:

    - a step's whole pre-activation ``x_t W^T + b + h_{t-1} U^T`` is one matrix product (of
      ``[W | b | U]`` with ``[x_t; 1; h_{t-1}]``); the weight gradients and dX are products over
      many steps at once (all T, or chunks of steps whose da is still in cache);
    - inside the loops the arrays are feature-major, ``(4H, N)`` per step, so a gate is a
      contiguous block of rows; the rows of i, f, o are pre-scaled by 1/2 so that one ``tanh``
      over all four gates gives σ(a) = (1 + tanh(a/2)) / 2 after one multiply and one add;
    - the gates' local derivatives (σ', 1 − tanh², the factors that multiply dc and dh) are
      computed for a chunk of steps at once in the backward pass; a backward step is then six
      calls;
    - work arrays are kept from call to call (never handed out), so the loops write to memory
      that is already mapped.

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

    def _scratch(self, name, shape):
        """A work array kept from call to call (never handed to the caller): a fresh array of
        several MB costs a page fault per 4 KiB page each time it is first written."""
        bufs = self.__dict__.setdefault("_scratch_bufs", {})
        buf = bufs.get(name)
        if buf is None or buf.shape != shape or buf.dtype != self.dtype:
            buf = bufs[name] = np.empty(shape, self.dtype)
        return buf

    def _buffer(self, name, shape_t, tm):
        """A work array of logical shape ``(T, F, ..., N)`` (time first). With ``tm`` the
        memory is laid out feature-major, time-middle (``F, ..., T, N``), so that all steps of
        one feature row form one matrix row for the products over all steps."""
        if not tm:
            return self._scratch(name, shape_t)
        nd = len(shape_t)
        phys = self._scratch(name, shape_t[1:-1] + (shape_t[0], shape_t[-1]))
        return phys.transpose((nd - 2,) + tuple(range(nd - 2)) + (nd - 1,))

    def forward(self, X, state=None):
        X = self._check_input(X)
        N, T, D = X.shape
        H = self.hidden_size
        h0, c0 = self._initial_state(state, N)
        p, peep = self.params, self.peephole
        # Big blocks: the inputs z_t live time-middle in memory, so the weight-gradient products
        # over many steps read them without a copy.
        tm = H * N >= _TM_MIN_BLOCK
        # Weights in internal row order, sigmoid rows halved: σ(a) = (1 + tanh(a/2)) / 2.
        # One matrix [W | b | U] acting on z_t = [x_t; 1; h_{t-1}]: the bias is the weight of a
        # constant input 1, and a step's whole pre-activation is one product.
        WbU = self._scratch("WbU", (4 * H, D + 1 + H))
        for cols, src in ((slice(0, D), p["W"]), (D, p["b"]), (slice(D + 1, None), p["U"])):
            WbU[:H, cols] = src[3 * H:]  # o
            WbU[H:, cols] = src[:3 * H]  # i, f, g
        WbU[:3 * H] *= 0.5
        # Z[t] = z_t (feature-major, (D + 1 + H, N)); Z[T] holds h_T.
        Z = self._buffer("Z", (T + 1, D + 1 + H, N), tm)
        Zf = Z.transpose(1, 0, 2)  # (D + 1 + H, T + 1, N)
        for t in range(T):  # step by step: far cheaper than one 3-D transposing copy
            Zf[:D, t] = X[:, t].T
        Zf[D, :T] = 1.0
        Z[0, D + 1:] = h0.T
        # Gate buffer Gx[t] = rows o, i, f, g (internal order) and c_{t-1}; Gx[T, 4] = c_T.
        Gx = self._scratch("Gx", (T + 1, 5, H, N))
        A = np.reshape(Gx[:, :4], (T + 1, 4 * H, N), copy=False)  # pre-activations, 2-D
        Gx[0, _CPREV] = c0.T
        TC = self._scratch("TC", (T, H, N))  # tanh(c_t)
        prod = self._scratch("prod", (2, H, N))
        pre = self._scratch("pre", (4 * H, N))  # one product's result, reused: stays in cache
        if peep:
            pi, pf, po = (0.5 * p[k][:, None] for k in ("p_i", "p_f", "p_o"))
        Y = np.empty((N, T, H), Gx.dtype)  # returned: fresh each call
        for a2, a, z, z_next, a_next, tc, y in zip(A[:T], Gx[:T], Z[:T], Z[1:], Gx[1:], TC,
                                                   Y.transpose(1, 2, 0), strict=True):
            if peep:
                np.matmul(WbU, z, out=a2)  # x_t W^T + b + h_{t-1} U^T, all four gates
                c_prev = a[_CPREV]
                a[_I] += pi * c_prev
                a[_F] += pf * c_prev
                np.tanh(a[1:4], out=a[1:4])
                sg = a[1:3]
            else:
                np.matmul(WbU, z, out=pre)  # x_t W^T + b + h_{t-1} U^T, all four gates
                np.tanh(pre, out=a2)
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
            np.copyto(y, z_next[D + 1:])  # the block is in cache now; a copy later would not be
        self._cache = (X.shape, Gx, TC, Z, tm)
        self._gate_buf, self._gate_seq = Gx, None
        return Y, (Z[T, D + 1:].T.copy(), Gx[T, _CPREV].T.copy())

    def backward(self, dY, d_final_state=None):
        (N, T, D), Gx, TC, Z, tm = self._need_cache()
        H = self.hidden_size
        K = D + 1 + H
        dt, p, peep = self.dtype, self.params, self.peephole
        dY = self._check_dY(dY, (N, T, H))
        if d_final_state is None:
            dh_in, dc = np.zeros((H, N), dt), np.zeros((H, N), dt)
        else:
            dhT, dcT = self._initial_state(d_final_state, N)
            dh_in, dc = np.array(dhT.T, order="C"), np.array(dcT.T, order="C")  # updated in place
        # Local derivatives of the gates do not depend on the recurrence: computed for a chunk of
        # Kc steps at once (all T when the blocks are small), just before the loop needs them.
        # The weight gradients and dX are matrix products over the da of G steps: G = Kc (the
        # chunk's da stays in cache) when that gives the product enough columns, else G = T.
        Kc = max(1, min(T, _CHUNK_ELEMS // (H * N)))
        G = Kc if Kc * N >= max(_GEMM_COLS, 2 * K) else T
        # dE[r] rows: da_i, da_f, da_g, da_o (public order) and dh ⊙ o (1 − tanh² c_t).
        dE = self._scratch("dE", (G, 5, H, N))
        dA = np.reshape(dE[:, :4], (G, 4 * H, N), copy=False)
        dA2 = self._scratch("dA2", (4 * H, G, N))  # the same da, the steps as columns
        gall, gpart = self._scratch("gall", (4 * H, K)), self._scratch("gpart", (4 * H, K))
        S3 = self._scratch("S3", (Kc, 3, H, N))  # da_i, da_f, da_g per unit dc
        Sok = self._scratch("Sok", (Kc, 2, H, N))  # da_o and the dc increment per unit dh
        dsig = self._scratch("dsig", (Kc, 3, H, N))
        dHs = np.empty((T, H, N), dt)  # becomes dh_seq: fresh each call
        dXf = np.empty((D, T, N), dt)  # becomes dX: fresh each call
        UT = p["U"].T  # a view: as fast in the product as a transposed copy, without the copy
        Zf = Z.transpose(1, 0, 2)  # (D + 1 + H, T + 1, N)
        if peep:
            pi, pf, po = (p[k][:, None] for k in ("p_i", "p_f", "p_o"))
            gp = np.zeros((3, H), dt)
        for g1 in range(T, 0, -G):
            g0 = max(0, g1 - G)
            for t1 in range(g1, g0, -Kc):
                t0 = max(g0, t1 - Kc)
                k = t1 - t0
                s3, sok, ds = S3[:k], Sok[:k], dsig[:k]
                g = Gx[t0:t1]
                sig, tc = g[:, :3], TC[t0:t1]
                np.multiply(sig, sig, out=ds)
                np.subtract(sig, ds, out=ds)  # σ' = σ(1 − σ) for o, i, f
                # [g σ'(a_i), c_{t-1} σ'(a_f)] in one call
                np.multiply(g[:, 3:5], ds[:, 1:3], out=s3[:, :2])
                np.multiply(g[:, _G], g[:, _G], out=s3[:, 2])
                np.multiply(g[:, _I], s3[:, 2], out=s3[:, 2])
                np.subtract(g[:, _I], s3[:, 2], out=s3[:, 2])  # i (1 − g²)
                np.multiply(tc, ds[:, _O], out=sok[:, 0])  # tanh(c) σ'(a_o)
                np.multiply(tc, tc, out=sok[:, 1])
                np.multiply(g[:, _O], sok[:, 1], out=sok[:, 1])
                np.subtract(g[:, _O], sok[:, 1], out=sok[:, 1])  # o (1 − tanh² c)
                for j in range(k - 1, -1, -1):
                    t, r = t0 + j, t0 + j - g0
                    dh = dHs[t]
                    np.add(dh_in, dY[:, t].T, out=dh)
                    e = dE[r]
                    np.multiply(dh, sok[j], out=e[3:])
                    dc += e[4]
                    if peep:
                        dc += e[3] * po
                    np.multiply(dc, s3[j], out=e[:3])  # da_i, da_f, da_g  (eq-cell-path)
                    dc *= g[j, _F]  # dc_{t-1} = dc ⊙ f
                    if peep:
                        dc += e[0] * pi
                        dc += e[1] * pf
                    np.matmul(UT, dA[r], out=dh_in)  # dh_{t-1} = da U
            # [dW | db | dU] += dA [x; 1; h_{t-1}]^T and dX^T = W^T dA over steps g0 .. g1 - 1
            n = g1 - g0
            np.copyto(dA2[:, :n], dA[:n].transpose(1, 0, 2))
            a2 = np.reshape(dA2[:, :n], (4 * H, n * N), copy=False)
            zc = np.reshape(Zf[:, g0:g1], (K, n * N))  # a view when Z is time-middle
            np.matmul(a2, zc.T, out=gall if g1 == T else gpart)
            if g1 != T:
                gall += gpart
            np.matmul(p["W"].T, a2, out=np.reshape(dXf[:, g0:g1], (D, n * N), copy=False))
            if peep:
                Cp, Cs = Gx[g0:g1, _CPREV], Gx[g0 + 1:g1 + 1, _CPREV]  # c_{t-1}, c_t
                gp[0] += (dE[:n, 0] * Cp).sum(axis=(0, 2))
                gp[1] += (dE[:n, 1] * Cp).sum(axis=(0, 2))
                gp[2] += (dE[:n, 3] * Cs).sum(axis=(0, 2))
        self.grads = {
            "W": np.ascontiguousarray(gall[:, :D]),
            "U": np.ascontiguousarray(gall[:, D + 1:]),
            "b": gall[:, D].copy(),
        }
        if peep:
            self.grads.update({"p_i": gp[0], "p_f": gp[1], "p_o": gp[2]})
        self.dh_seq = dHs.transpose(2, 0, 1)
        return dXf.transpose(2, 1, 0), (dh_in.T.copy(), dc.T.copy())
