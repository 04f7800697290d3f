"""Chapter 6 grader (``book/06_lstm_gates.ipynb``): :func:`check_lstm_cell_update`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_a_pair
from lstmbook.nn.lstm import lstm_step, split_gates

__all__ = ["check_lstm_cell_update"]

# name, N, D, H, seed, the gate shut (None: all at work), the parts checked
CASES = (
    ("forget only (input gate shut)", 1, 2, 1, 0, "i", ("c_t",)),
    ("input only (forget gate shut)", 1, 2, 1, 1, "f", ("c_t",)),
    ("mixed gates", 1, 3, 2, 2, None, ("c_t", "h_t")),
    ("a batch (N = 3, H = 2)", 3, 3, 2, 3, None, ("c_t", "h_t")),
)

PAIR = ("h_t", "c_t")
_COMMON = (
    Raised("the gates act element by element (the Hadamard product ⊙): use `*`, not `@` or "
           "np.dot, between gates and states; all of i, f, g, o, c_prev have shape (N, H).",
           ValueError, says=("matmul", "broadcast")),
    not_a_pair(PAIR, "return the new hidden and cell states as a pair: `return h, c`."),
)

# the gate values i, f, g, o and the states c_prev, c are those of the right step (its cache)
MISTAKES = {
    "c_t": _COMMON + (
        Mistake("this only keeps (part of) the old content f ⊙ c_{t-1}; add what the input "
                "gate writes, i ⊙ g.", lambda f, c_prev: f * c_prev),
        Mistake("this only writes the new candidate i ⊙ g; the old content f ⊙ c_{t-1} must "
                "be added to it.", lambda i, g: i * g),
        Mistake("the candidate g must pass through the input gate: i ⊙ g.",
                lambda f, g, c_prev: f * c_prev + g),
        Mistake("the old cell state must pass through the forget gate: f ⊙ c_{t-1}.",
                lambda i, g, c_prev: c_prev + i * g),
        Mistake("the gates are swapped: the forget gate multiplies the old state, the input "
                "gate the candidate.", lambda i, f, g, c_prev: i * c_prev + f * g),
        Mistake("the output gate o is not part of the cell update; the old state is multiplied "
                "by the forget gate f.", lambda i, g, o, c_prev: o * c_prev + i * g),
    ),
    "h_t": _COMMON + (
        Mistake("squash the cell state with tanh before the output gate: h_t = o ⊙ tanh(c_t).",
                lambda o, c: o * c),
        Mistake("the output gate must multiply: h_t = o ⊙ tanh(c_t).",
                lambda c: np.tanh(c)),
        Mistake("use the new cell state c_t, not c_{t-1}.",
                lambda o, c_prev: o * np.tanh(c_prev)),
        Mistake("tanh applies to c_t alone, then the output gate multiplies: o ⊙ tanh(c_t).",
                lambda o, c: np.tanh(o * c)),
        Symptom("h_t = o ⊙ tanh(c_t) uses the new cell state: if c_t failed, fix it first.",
                lambda: True),
    ),
}


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


def _cases(name, N, D, H, seed, shut, checked) -> list[core.Case]:
    params = _lstm_exercise_params(D, H, seed, shut)
    rng = np.random.default_rng(100 + seed)
    x_t = rng.normal(0.0, 1.0, (N, D))
    h_prev = rng.uniform(-0.8, 0.8, (N, H))
    c_prev = rng.uniform(-1.5, 1.5, (N, H))
    h, c, cache = lstm_step(x_t, h_prev, c_prev, params)
    given = {k: getattr(cache, k) for k in ("i", "f", "g", "o", "c_prev", "c")}
    expected = {"h_t": h, "c_t": c}
    return [core.Case(f"{name}: {part}", (x_t, h_prev, c_prev, params), expected[part], pair=PAIR,
                      part=part, mistakes=MISTAKES[part], given=given)
            for part in checked]


def check_lstm_cell_update(fn: Callable) -> core.Result:
    """Grade ``fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)``: one LSTM step, in particular the
    cell update ``c_t = f ⊙ c_{t-1} + i ⊙ g`` ({ref}`eq-lstm-cell`) and the output
    ``h_t = o ⊙ tanh(c_t)`` ({ref}`eq-lstm-hidden`), against :func:`lstmbook.nn.lstm.lstm_step`.

    Cases: the input gate shut (only forgetting acts), the forget gate shut (only writing acts),
    both at work, and a batch of three examples with two units; c_t and h_t are checked
    separately, and a failed case names the likely mistake.
    """
    return core.grade(fn, core.case_table(CASES, _cases), title="Checking your LSTM step")
