"""A sequence model (a recurrent layer and a Linear read-out) and the training loop every
chapter uses: BPTT, optional clipping, an optimizer step, divergence stops, progress.

``SequenceModel(layer, head, readout="all")`` predicts at every step (many-to-many);
``readout="last"`` reads each sequence's last valid step (many-to-one, {ref}`eq-many-to-one`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_finite_loss, one_of, positive_int
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

    ``head=None`` uses the layer's own outputs as the predictions (a Jordan network, which is
    its own read-out). After :meth:`loss_and_grads`, ``predictions`` holds that step's output.
    """

    recurrent = False

    def __init__(self, layer, head=None, *, readout="all"):
        one_of(readout, _READOUTS, "readout")
        out = getattr(layer, "output_size", None) or getattr(layer, "hidden_size", None)
        if head is not None and out != head.input_size:
            raise ValueError(f"head.input_size must equal the layer's output size {out}, "
                             f"got {head.input_size}")
        self.layer, self.head, self.readout = layer, head, readout
        self._shape = None
        self.predictions = None

    def _children(self):
        return {"layer": self.layer} if self.head is None else {"layer": self.layer,
                                                                 "head": self.head}

    def _head(self, Y):
        return Y if self.head is None else self.head.forward(Y)

    def forward(self, X, lengths=None, state=None):
        """Predictions: ``(N, T, O)`` for ``readout="all"``, ``(N, O)`` for ``"last"``."""
        Y, self.final_state = self.layer.forward(X, state)
        self._shape = Y.shape
        if self.readout == "all":
            return self._head(Y)
        if lengths is None:
            lengths = np.full(Y.shape[0], Y.shape[1])
        self._lengths = np.asarray(lengths)
        return self._head(last_valid(Y, self._lengths))

    def backward(self, dpred):
        """Fills ``grads``; returns ∂L/∂X."""
        d_out = dpred if self.head is None else self.head.backward(dpred)
        if self.readout == "last":
            dY = np.zeros(self._shape, d_out.dtype)
            dY[np.arange(self._shape[0]), self._lengths - 1] = d_out
        else:
            dY = d_out
        dX, _ = self.layer.backward(dY)
        return dX

    def loss_and_grads(self, batch: Batch, loss_fn):
        """Forward, loss, backward: the loss (grads filled; ``predictions`` kept)."""
        pred = self.forward(batch.X, batch.lengths)
        loss, d = loss_fn(pred, batch.y, batch.mask if self.readout == "all" else None)
        check_finite_loss(loss, "the loss")
        self.backward(d)
        self.predictions = pred
        return loss


class History(NamedTuple):
    """What :func:`train` records at every step."""

    loss: np.ndarray
    grad_norm: np.ndarray  # before clipping
    lr: np.ndarray


def train(model, loss_fn, optimizer, batches, *, steps, clip=None, scheduler=None,
          callback=None, progress=None, desc="training"):
    """Train ``model`` for ``steps`` steps; ``batches(step) -> Batch`` gives each batch.

    Each step: forward, loss, BPTT, (clip the global gradient norm to ``clip``), optimizer
    step, ``scheduler.step()``, then ``callback(step, batch, model)`` when given: a callback that
    returns True stops training early (the history then holds only the steps run). Stops with
    FloatingPointError naming the step when the loss or the gradient stops being finite
    (training diverged). ``progress`` wraps the steps in a progress bar: a callable such as
    ``tqdm.auto.tqdm`` (called as ``progress(range(steps), desc=desc)``; the library itself
    imports nothing but NumPy). This is the book's one training loop.
    """
    steps = positive_int(steps, "steps")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    losses, norms, lrs = np.empty(steps), np.empty(steps), np.empty(steps)
    it = range(steps)
    bar = None
    if progress is not None:
        if not callable(progress):
            raise TypeError(f"progress must be a callable such as tqdm.auto.tqdm, or None, got "
                            f"{type(progress).__name__}")
        bar = progress(it, desc=desc)
        it = bar
    ran = steps
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
        if bar is not None and step % 50 == 0 and hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{loss:.4f}")
        if callback is not None and callback(step, batch, model):
            ran = step + 1
            break
    if hasattr(bar, "close"):
        bar.close()
    return History(losses[:ran], norms[:ran], lrs[:ran])
