"""One long token stream cut into parallel streams and windows of ``k`` steps: the layout of
truncated BPTT over a corpus ({ref}`eq-tbptt`, {ref}`eq-stream-layout`).

A text of ``L`` tokens is laid out as ``n`` rows (streams) of ``S = ⌊(L − 1 − offset) / n⌋``
consecutive tokens: stream ``i`` starts at token ``offset + i·S``. Batch ``b`` is the window of
steps ``b·k … b·k + k − 1`` of every stream; its targets are the same window shifted by one
token (next-token prediction). Batch ``b + 1`` continues each row exactly where batch ``b``
stopped, so the final state of batch ``b`` is the right initial state of batch ``b + 1``: the
state is **carried** across batches while the gradient stops at the batch boundary.

The rows of one batch are ``S`` tokens apart in the text, so they are nearly independent; the
steps of one row are consecutive. Chapter 3 taught the same cut of one sequence into windows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import int_array, nonnegative_int, positive_int

__all__ = ["StreamBatches", "TokenBatch", "stream_batches"]


class TokenBatch(NamedTuple):
    """One window of every stream: inputs ``x (n, k)`` and next-token targets ``y (n, k)``."""

    x: np.ndarray
    y: np.ndarray


class StreamBatches:
    """The batches of :func:`stream_batches`: ``len()``, indexing and iteration in order.

    ``inputs``/``targets`` are the ``(n, S)`` layouts ({ref}`eq-stream-layout`); batch ``b`` is
    ``TokenBatch(inputs[:, b·k : b·k + k], targets[:, b·k : b·k + k])`` (views, no copy).
    """

    def __init__(self, inputs, targets, k, offset):
        self.inputs, self.targets, self.k, self.offset = inputs, targets, k, offset

    @property
    def n_streams(self) -> int:
        return self.inputs.shape[0]

    @property
    def stream_length(self) -> int:
        return self.inputs.shape[1]

    def __len__(self) -> int:
        return self.stream_length // self.k

    def __getitem__(self, b) -> TokenBatch:
        b = nonnegative_int(b, "b")
        if b >= len(self):
            raise IndexError(f"batch {b} out of range: there are {len(self)} batches")
        sl = slice(b * self.k, (b + 1) * self.k)
        return TokenBatch(self.inputs[:, sl], self.targets[:, sl])

    def __iter__(self):
        return (self[b] for b in range(len(self)))

    def __repr__(self):
        return (f"StreamBatches({self.n_streams} streams of {self.stream_length} tokens, "
                f"{len(self)} batches of k = {self.k}, offset {self.offset})")


def stream_batches(tokens, n_streams, k, *, offset=0) -> StreamBatches:
    """Lay ``tokens (L,)`` out as ``n_streams`` parallel streams and cut them into windows of
    ``k`` steps ({ref}`eq-stream-layout`); returns :class:`StreamBatches`.

    ``offset`` (``0 ≤ offset < L``) skips the first tokens: a different offset in each epoch
    moves the window boundaries, so the model does not always see the text cut at the same
    places. The tail that does not fill a whole window is left out.
    """
    tokens = int_array(tokens, "tokens", ndim=1)
    n = positive_int(n_streams, "n_streams")
    k = positive_int(k, "k")
    offset = nonnegative_int(offset, "offset")
    S = (tokens.shape[0] - 1 - offset) // n
    if S < k:
        raise ValueError(f"{tokens.shape[0]} tokens (offset {offset}) give streams of {max(S, 0)} "
                         f"steps for n_streams = {n}: too short for one window of k = {k}")
    body = tokens[offset:offset + n * S + 1]
    inputs = body[:-1].reshape(n, S)   # stream i = tokens offset + i·S … offset + i·S + S − 1
    targets = body[1:].reshape(n, S)   # the next token of each input
    return StreamBatches(inputs, targets, k, offset)
