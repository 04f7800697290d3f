"""Chapter 6 grader (``book/06_lstm_gates.ipynb``): :func:`check_lstm_cell_update`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises.core import Case, Result, grade
from lstmbook.nn.lstm import lstm_step, split_gates

__all__ = ["check_lstm_cell_update"]

_NOT_HC = "not a pair (h_t, c_t)"


def _lstm_exercise_params(D, H, seed, shut=None):
    """Random LSTM parameters; ``shut="i"`` or ``"f"`` closes that gate exactly (its W and U
    blocks zero, its bias −1000, so σ gives exactly 0 whatever the input)."""
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(0.0, 0.6, (4 * H, D)), "U": rng.normal(0.0, 0.6, (4 * H, H)),
              "b": rng.normal(0.0, 0.3, 4 * H)}
    if shut is not None:
        k = "ifgo".index(shut)
        split_gates(params["W"].T)[k][...] = 0.0
        split_gates(params["U"].T)[k][...] = 0.0
        split_gates(params["b"])[k][...] = -1000.0
    return params


def _lstm_step_hint(which, cache):
    i, f, g, o, c_prev, c = cache.i, cache.f, cache.g, cache.o, cache.c_prev, cache.c

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, ValueError) and ("matmul" in str(out) or "broadcast" in str(out)):
                return ("the gates act element by element (the Hadamard product ⊙): use `*`, "
                        "not `@` or np.dot, between gates and states; all of i, f, g, o, "
                        "c_prev have shape (N, H).")
            return None
        if isinstance(out, str) and out == _NOT_HC:
            return "return the new hidden and cell states as a pair: `return h, c`."
        if which == "c":
            wrong = (
                (f * c_prev, "this only keeps (part of) the old content f ⊙ c_{t-1}; add what "
                             "the input gate writes, i ⊙ g."),
                (i * g, "this only writes the new candidate i ⊙ g; the old content f ⊙ c_{t-1} "
                        "must be added to it."),
                (f * c_prev + g, "the candidate g must pass through the input gate: i ⊙ g."),
                (c_prev + i * g, "the old cell state must pass through the forget gate: "
                                 "f ⊙ c_{t-1}."),
                (i * c_prev + f * g, "the gates are swapped: the forget gate multiplies the old "
                                     "state, the input gate the candidate."),
                (o * c_prev + i * g, "the output gate o is not part of the cell update; the old "
                                     "state is multiplied by the forget gate f."),
            )
        else:
            wrong = (
                (o * c, "squash the cell state with tanh before the output gate: "
                        "h_t = o ⊙ tanh(c_t)."),
                (np.tanh(c), "the output gate must multiply: h_t = o ⊙ tanh(c_t)."),
                (o * np.tanh(c_prev), "use the new cell state c_t, not c_{t-1}."),
                (np.tanh(o * c), "tanh applies to c_t alone, then the output gate multiplies: "
                                 "o ⊙ tanh(c_t)."),
            )
        for ref, text in wrong:
            if same(out, ref) and not same(ref, c if which == "c" else o * np.tanh(c)):
                return text
        if which == "h":
            return "h_t = o ⊙ tanh(c_t) uses the new cell state: if c_t failed, fix it first."
        return None

    return hint


def check_lstm_cell_update(fn: Callable) -> Result:
    """Grade ``fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)``: one LSTM step, in particular the
    cell update ``c_t = f ⊙ c_{t-1} + i ⊙ g`` ({ref}`eq-lstm-cell`) and the output
    ``h_t = o ⊙ tanh(c_t)`` ({ref}`eq-lstm-hidden`), against :func:`lstmbook.nn.lstm.lstm_step`.

    Cases: the input gate shut (only forgetting acts), the forget gate shut (only writing acts),
    both at work, and a batch of three examples with two units; c_t and h_t are checked
    separately, and a failed case names the likely mistake.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def part(which, x_t, h_prev, c_prev, params):
        out = fn(x_t, h_prev, c_prev, params)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            return _NOT_HC
        return out[0] if which == "h" else out[1]

    part.__name__ = getattr(fn, "__name__", "your function")
    scenarios = (
        ("forget only (input gate shut)", 1, 2, 1, 0, "i", "c"),
        ("input only (forget gate shut)", 1, 2, 1, 1, "f", "c"),
        ("mixed gates", 1, 3, 2, 2, None, "ch"),
        ("a batch (N = 3, H = 2)", 3, 3, 2, 3, None, "ch"),
    )
    cases = []
    for name, N, D, H, seed, shut, checked in scenarios:
        params = _lstm_exercise_params(D, H, seed, shut)
        rng = np.random.default_rng(100 + seed)
        x_t = rng.normal(0.0, 1.0, (N, D))
        h_prev = rng.uniform(-0.8, 0.8, (N, H))
        c_prev = rng.uniform(-1.5, 1.5, (N, H))
        h, c, cache = lstm_step(x_t, h_prev, c_prev, params)
        for which in checked:
            label = "c_t" if which == "c" else "h_t"
            cases.append(Case(f"{name}: {label}", (which, x_t, h_prev, c_prev, params),
                              c if which == "c" else h, hint=_lstm_step_hint(which, cache)))
    return grade(part, cases, title="Checking your LSTM step")
