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


def _valid_steps(targets, mask, N, T) -> float:
    """The number of steps the loss is averaged over, after checking ``targets`` and ``mask``."""
    if not isinstance(targets, np.ndarray) or targets.shape[:2] != (N, T):
        raise ValueError(f"targets must be an array with leading shape (N, T) = {(N, T)}, got "
                         f"{getattr(targets, 'shape', type(targets).__name__)}")
    if mask is not None and (not isinstance(mask, np.ndarray) or mask.shape != (N, T)):
        raise ValueError(f"mask must be an array of shape {(N, T)}, got "
                         f"{getattr(mask, 'shape', type(mask).__name__)}")
    count = float(N * T if mask is None else np.sum(mask))
    if count == 0:
        raise ValueError("mask must mark at least one valid step")
    return count


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
    count = _valid_steps(targets, mask, N, T)
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


def bptt_overlap(layer, head, X, targets, loss_fn, *, h, h_prime, mask=None, state=None):
    """Truncated BPTT with overlapping windows, BPTT(h; h′) of Williams & Peng (1990)
    ({ref}`eq-tbptt-overlap`): fills ``layer.grads`` and ``head.grads`` and returns a
    :class:`BPTTResult`, as :func:`bptt` does.

    The sequence is processed in blocks of ``h_prime`` new steps. After each block (ending at
    step ``e``, exclusive) the losses of its ``h_prime`` steps are sent back through the last
    ``h`` steps, the window ``max(0, e − h) … e − 1``; the window starts from the carried,
    detached state at its first step. A loss at step s therefore reaches back at least
    ``h − h_prime + 1`` steps and at most ``h`` (fewer near the start of the sequence), where
    :func:`bptt` with ``truncate=k`` reaches only ``s mod k + 1``. ``h_prime = h = k`` is
    ``bptt(truncate=k)``; ``h_prime = 1`` sends every loss back exactly ``h`` steps (the most
    work: each step is run forwards and backwards about ``h`` times). The loss reported is the
    mean over all valid steps, the same number :func:`bptt` reports.
    """
    X = as_array(X, "X", 3)
    N, T, _ = X.shape
    h = positive_int(h, "h")
    h_prime = positive_int(h_prime, "h_prime")
    if h_prime > h:
        raise ValueError(f"h_prime must be at most h = {h} (the window holds the new steps), "
                         f"got {h_prime}")
    count = _valid_steps(targets, mask, N, T)
    total = 0.0
    acc_layer = {name: np.zeros_like(p) for name, p in layer.params.items()}
    acc_head = {name: np.zeros_like(p) for name, p in head.params.items()}
    start_pos, start_state = 0, _detach(state)  # the carried state at the window's first step
    final_state = start_state
    for new in range(0, T, h_prime):
        end = min(new + h_prime, T)
        ws = max(0, end - h)
        if ws > start_pos:  # move the carried state forward to the window's first step
            _, moved = layer.forward(X[:, start_pos:ws], start_state)
            start_pos, start_state = ws, _detach(moved)
        Y, final_state = layer.forward(X[:, ws:end], start_state)
        pred = head.forward(Y)
        old = new - ws  # steps of the window whose losses were sent back by an earlier block
        m = np.zeros((N, end - ws), dtype=bool)
        m[:, old:] = True if mask is None else mask[:, new:end]
        loss, dpred = loss_fn(pred, targets[:, ws:end], m, reduction="sum")
        check_finite_loss(loss, f"the loss of steps {new}..{end - 1}")
        total += loss
        dY = head.backward(dpred / count)
        layer.backward(dY)  # back through the window only: the gradient stops at step ws
        for name, g in layer.grads.items():
            acc_layer[name] += g
        for name, g in head.grads.items():
            acc_head[name] += g
    layer.grads = acc_layer
    head.grads = acc_head
    return BPTTResult(total / count, _detach(final_state))
