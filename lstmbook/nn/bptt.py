"""Backpropagation through time, full and truncated ({ref}`eq-bptt-weights`,
{ref}`eq-tbptt`).

Full BPTT unrolls the whole sequence and sends the error back to step 0. Truncated BPTT with
length ``k`` cuts the sequence into chunks of ``k`` steps: the hidden state is **carried**
forward from chunk to chunk (the forward pass still sees the whole past), but the gradient is
**cut** at each chunk boundary (no error flows into an earlier chunk). With ``k ≥ T`` the two
are the same computation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_finite_loss, positive_int


class BPTTResult(NamedTuple):
    """Loss of the whole sequence batch and the final state (to carry into the next batch)."""

    loss: float
    final_state: object


def _detach(state):
    """A copy of the state with no link to the graph: the truncation point."""
    if state is None:
        return None
    if isinstance(state, np.ndarray):
        return state.copy()
    return type(state)(_detach(s) for s in state)


def bptt(layer, head, X, targets, loss_fn, *, mask=None, truncate=None, state=None):
    """Forward and backward through ``layer`` then the time-distributed ``head``; fills
    ``layer.grads`` and ``head.grads`` and returns a :class:`BPTTResult`.

    ``loss_fn(pred, targets, mask, reduction)`` is one of :mod:`lstmbook.nn.losses`; the loss is
    the mean over all valid steps of the whole sequence, whatever ``truncate`` is, so full and
    truncated BPTT report the same number. ``truncate=None`` (or ≥ T) is full BPTT;
    ``truncate=k`` cuts the gradient every ``k`` steps. Stops with FloatingPointError when the
    loss is not finite.
    """
    X = as_array(X, "X", 3)
    N, T, _ = X.shape
    k = T if truncate is None else positive_int(truncate, "truncate")
    if not isinstance(targets, np.ndarray) or targets.shape[:2] != (N, T):
        raise ValueError(f"targets must be an array with leading shape (N, T) = {(N, T)}, got "
                         f"{getattr(targets, 'shape', type(targets).__name__)}")
    if mask is not None and (not isinstance(mask, np.ndarray) or mask.shape != (N, T)):
        raise ValueError(f"mask must be an array of shape {(N, T)}, got "
                         f"{getattr(mask, 'shape', type(mask).__name__)}")
    count = float(N * T if mask is None else np.sum(mask))
    if count == 0:
        raise ValueError("mask must mark at least one valid step")
    total = 0.0
    acc_layer = {name: np.zeros_like(p) for name, p in layer.params.items()}
    acc_head = {name: np.zeros_like(p) for name, p in head.params.items()}
    for start in range(0, T, k):
        sl = slice(start, min(start + k, T))
        Y, state_next = layer.forward(X[:, sl], state)
        pred = head.forward(Y)
        m = None if mask is None else mask[:, sl]
        loss, dpred = loss_fn(pred, targets[:, sl], m, reduction="sum")
        check_finite_loss(loss, f"the loss of steps {sl.start}..{sl.stop - 1}")
        total += loss
        dY = head.backward(dpred / count)
        layer.backward(dY)  # the gradient stops here: no error flows into the previous chunk
        for name, g in layer.grads.items():
            acc_layer[name] += g
        for name, g in head.grads.items():
            acc_head[name] += g
        state = _detach(state_next)  # the state is carried forward
    layer.grads = acc_layer
    head.grads = acc_head
    return BPTTResult(total / count, state)
