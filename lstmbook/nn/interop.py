"""Weights in PyTorch's layout (as NumPy arrays; torch itself is never needed) to and from
lstmbook layers.

PyTorch names a recurrent module's weights ``weight_ih_l{k}``, ``weight_hh_l{k}``,
``bias_ih_l{k}``, ``bias_hh_l{k}`` (suffix ``_reverse`` for the backward direction). Both use
the gate order i, f, g, o (LSTM) and r, z, n (GRU), so ``W = weight_ih``, ``U = weight_hh``,
``b = bias_ih + bias_hh`` — except GRU's n-gate, whose recurrent bias stays apart (``b_hn``)
because it is multiplied by the reset gate.

Example (with torch installed)::

    sd = {k: v.detach().numpy() for k, v in torch_lstm.state_dict().items()}
    layer = from_torch("lstm", sd, num_layers=2, bidirectional=True)
"""

from __future__ import annotations

import numpy as np

from ._checks import one_of, positive_int
from .gru import GRU
from .layers import Bidirectional, Stack
from .lstm import LSTM
from .rnn import RNN

_KINDS = {"rnn": (RNN, 1), "lstm": (LSTM, 4), "gru": (GRU, 3)}


def _kind(kind):
    return _KINDS[one_of(kind, sorted(_KINDS), "kind")]


def _get(sd, key):
    if key not in sd:
        raise KeyError(f"state_dict has no {key!r}; keys present: {sorted(sd)}")
    arr = np.asarray(sd[key])
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"state_dict[{key!r}] must hold floats, got {arr.dtype}")
    return arr


def _one(kind, sd, suffix, nonlinearity, dtype):
    cls, n_gates = _kind(kind)
    W = _get(sd, f"weight_ih{suffix}")
    U = _get(sd, f"weight_hh{suffix}")
    H = U.shape[1]
    if W.shape[0] != n_gates * H or U.shape != (n_gates * H, H):
        raise ValueError(f"weight_ih{suffix}/weight_hh{suffix} must have {n_gates}·H rows for "
                         f"kind {kind!r}, got {W.shape} and {U.shape}")
    kwargs = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    layer = cls(W.shape[1], H, seed=0, dtype=dtype, **kwargs)
    b_ih = _get(sd, f"bias_ih{suffix}") if f"bias_ih{suffix}" in sd else np.zeros(n_gates * H)
    b_hh = _get(sd, f"bias_hh{suffix}") if f"bias_hh{suffix}" in sd else np.zeros(n_gates * H)
    p = layer.params
    p["W"][...] = W
    p["U"][...] = U
    if kind == "gru":
        p["b"][...] = np.concatenate([b_ih[:2 * H] + b_hh[:2 * H], b_ih[2 * H:]])
        p["b_hn"][...] = b_hh[2 * H:]
    else:
        p["b"][...] = b_ih + b_hh
    return layer


def from_torch(kind, state_dict, *, num_layers=1, bidirectional=False, nonlinearity="tanh",
               dtype=np.float64):
    """Build the lstmbook layer equal to ``torch.nn.RNN/LSTM/GRU`` with these weights.

    One layer, one direction gives an ``RNN``/``LSTM``/``GRU``; ``bidirectional`` wraps each
    level in a :class:`~lstmbook.nn.layers.Bidirectional`; ``num_layers > 1`` gives a
    :class:`~lstmbook.nn.layers.Stack`. ``state_dict`` maps PyTorch's names to arrays.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"state_dict must be a dict of arrays, got {type(state_dict).__name__}")
    num_layers = positive_int(num_layers, "num_layers")
    levels = []
    for k in range(num_layers):
        fwd = _one(kind, state_dict, f"_l{k}", nonlinearity, dtype)
        if bidirectional:
            levels.append(Bidirectional(fwd, _one(kind, state_dict, f"_l{k}_reverse",
                                                  nonlinearity, dtype)))
        else:
            levels.append(fwd)
    return levels[0] if num_layers == 1 else Stack(levels)


def to_torch(kind, layer, *, which="params"):
    """The inverse of :func:`from_torch`: a dict in PyTorch's names (all bias in ``bias_ih``,
    except GRU's ``b_hn`` which goes to the n-block of ``bias_hh``).

    ``which="grads"`` maps the gradients as PyTorch would compute them: lstmbook's ``b`` is the
    sum ``bias_ih + bias_hh``, so both of PyTorch's bias gradients equal the gradient of ``b``
    (for a GRU: in the r and z blocks; the n block of ``bias_hh`` is the gradient of ``b_hn``,
    and that of ``bias_ih`` the gradient of ``b``'s n block).
    """
    _, n_gates = _kind(kind)
    if which not in ("params", "grads"):
        raise ValueError(f"which must be 'params' or 'grads', got {which!r}")
    levels = layer.layers if isinstance(layer, Stack) else [layer]
    out = {}
    for k, level in enumerate(levels):
        pairs = ([("", level.fwd), ("_reverse", level.bwd)] if isinstance(level, Bidirectional)
                 else [("", level)])
        for rev, one in pairs:
            p = getattr(one, which)
            H = one.hidden_size
            s = f"_l{k}{rev}"
            out[f"weight_ih{s}"] = p["W"].copy()
            out[f"weight_hh{s}"] = p["U"].copy()
            out[f"bias_ih{s}"] = p["b"].copy()
            b_hh = (p["b"].copy() if which == "grads"
                    else np.zeros(n_gates * H, p["b"].dtype))
            if kind == "gru":
                b_hh[2 * H:] = p["b_hn"]
            out[f"bias_hh{s}"] = b_hh
    return out


def state_from_torch(h_n, c_n=None, *, num_layers=1, bidirectional=False):
    """PyTorch's stacked ``h_n`` (and ``c_n``), shaped ``(layers·directions, N, H)``, as the
    state structure the lstmbook layer built by :func:`from_torch` takes."""
    def one(idx):
        h = np.ascontiguousarray(h_n[idx])
        return h if c_n is None else (h, np.ascontiguousarray(c_n[idx]))

    d = 2 if bidirectional else 1
    if np.shape(h_n)[0] != num_layers * d:
        raise ValueError(f"h_n must have num_layers·directions = {num_layers * d} rows, "
                         f"got shape {np.shape(h_n)}")
    levels = [(one(d * k), one(d * k + 1)) if bidirectional else one(k)
              for k in range(num_layers)]
    return levels[0] if num_layers == 1 else levels


def state_to_torch(state, *, num_layers=1, bidirectional=False, has_cell=False):
    """The inverse of :func:`state_from_torch`: ``h_n`` (and ``c_n`` when ``has_cell``)."""
    levels = [state] if num_layers == 1 else list(state)
    flat = [s for lvl in levels for s in (lvl if bidirectional else (lvl,))]
    if has_cell:
        return np.stack([s[0] for s in flat]), np.stack([s[1] for s in flat])
    return np.stack(flat)
