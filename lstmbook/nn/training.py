"""A sequence model (a recurrent layer and a Linear read-out) and the training loop every
chapter uses: BPTT, optional clipping, an optimizer step, divergence stops, progress.

``SequenceModel(layer, head, readout="all")`` predicts at every step (many-to-many);
``readout="last"`` reads each sequence's last valid step (many-to-one, {ref}`eq-many-to-one`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_finite_loss, positive_int
from .clipping import clip_grad_norm, global_norm
from .layers import Container
from .sequences import last_valid

_READOUTS = ("all", "last")


class Batch(NamedTuple):
    """One training batch: inputs ``X (N, T, D)``, targets, an optional loss ``mask`` (for
    ``readout="all"``) and optional ``lengths (N,)`` (for ``readout="last"``)."""

    X: np.ndarray
    y: np.ndarray
    mask: np.ndarray | None = None
    lengths: np.ndarray | None = None


class SequenceModel(Container):
    """A recurrent ``layer`` (RNN, LSTM, GRU, Stack, Bidirectional) followed by a Linear
    ``head`` applied at every step (``readout="all"``) or at each sequence's last valid step
    (``readout="last"``). ``params``/``grads`` merge both under ``"layer."``/``"head."``.
    """

    stateful = False

    def __init__(self, layer, head, *, readout="all"):
        if readout not in _READOUTS:
            raise ValueError(f"readout must be one of {_READOUTS}, got {readout!r}")
        out = getattr(layer, "hidden_size", None)
        if out != head.input_size:
            raise ValueError(f"head.input_size must equal the layer's output size {out}, "
                             f"got {head.input_size}")
        self.layer, self.head, self.readout = layer, head, readout
        self._shape = None

    def _children(self):
        return {"layer": self.layer, "head": self.head}

    def forward(self, X, lengths=None, state=None):
        """Predictions: ``(N, T, O)`` for ``readout="all"``, ``(N, O)`` for ``"last"``."""
        Y, self.final_state = self.layer.forward(X, state)
        self._shape = Y.shape
        if self.readout == "all":
            return self.head.forward(Y)
        if lengths is None:
            lengths = np.full(Y.shape[0], Y.shape[1])
        self._lengths = np.asarray(lengths)
        return self.head.forward(last_valid(Y, self._lengths))

    def backward(self, dpred):
        """Fills ``grads``; returns ∂L/∂X."""
        dH = self.head.backward(dpred)
        if self.readout == "last":
            dY = np.zeros(self._shape, dH.dtype)
            dY[np.arange(self._shape[0]), self._lengths - 1] = dH
        else:
            dY = dH
        dX, _ = self.layer.backward(dY)
        return dX

    def loss_and_grads(self, batch: Batch, loss_fn):
        """Forward, loss, backward: the loss (grads filled)."""
        pred = self.forward(batch.X, batch.lengths)
        loss, d = loss_fn(pred, batch.y, batch.mask if self.readout == "all" else None)
        check_finite_loss(loss, "the loss")
        self.backward(d)
        return loss


class History(NamedTuple):
    """What :func:`train` records at every step."""

    loss: np.ndarray
    grad_norm: np.ndarray  # before clipping
    lr: np.ndarray


def train(model, loss_fn, optimizer, batches, *, steps, clip=None, scheduler=None,
          progress=False, desc="training"):
    """Train ``model`` for ``steps`` steps; ``batches(step) -> Batch`` gives each batch.

    Each step: forward, loss, BPTT, (clip the global gradient norm to ``clip``), optimizer
    step, ``scheduler.step()``. Stops with FloatingPointError naming the step when the loss or
    the gradient stops being finite (training diverged). ``progress=True`` shows a tqdm bar
    (notebooks hide its output from nbval).
    """
    steps = positive_int(steps, "steps")
    losses, norms, lrs = np.empty(steps), np.empty(steps), np.empty(steps)
    it = range(steps)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(it, desc=desc, mininterval=0.5)
        it = bar
    for step in it:
        batch = batches(step)
        try:
            loss = model.loss_and_grads(batch, loss_fn)
            norm = clip_grad_norm(model, clip) if clip else global_norm(model)
            check_finite_loss(norm, "the gradient norm")
        except FloatingPointError as err:
            raise FloatingPointError(f"step {step}: {err}") from None
        lrs[step] = optimizer.lr
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses[step], norms[step] = loss, norm
        if bar is not None and step % 50 == 0:
            bar.set_postfix(loss=f"{loss:.4f}")
    return History(losses, norms, lrs)
