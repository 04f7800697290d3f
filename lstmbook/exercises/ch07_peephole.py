"""Chapter 7 grader (``book/07_peephole.ipynb``): :func:`check_peephole_input_gate`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom
from lstmbook.nn.activations import sigmoid

__all__ = ["check_peephole_input_gate"]

# name, shape (N, H) of a_i and c_prev, peephole weights p_i, scale of the cell
CASES = (
    ("no peephole (p_i = 0): the plain LSTM's gate", (2, 3), np.zeros(3), 1),
    ("peepholes of different sizes, a batch of 2 sequences x 3 units", (2, 3),
     np.array([0.5, 2.0, 1.0]), 1),
    ("negative peepholes: a full cell closes the gate", (3, 2), np.array([-3.0, -1.0]), 1),
    ("one sequence, 4 units, a large cell", (1, 4), np.array([1.0, -2.0, 0.3, 4.0]), 3),
)

_INSIDE = ("the peephole term belongs inside the sigmoid, added to the gate's input a_i: "
           "sigmoid(a_i + p_i * c_prev).")

# a is the gate's input a_i, c the cell c_prev, p the peephole weights p_i
MISTAKES = (
    Raised("the peephole weights are diagonal: multiply element by element, p_i * c_prev, not "
           "with a matrix product.", ValueError, says=("matmul", "broadcast")),
    Mistake("a gate is squashed by the sigmoid: return sigmoid(a_i + p_i * c_prev).",
            lambda a, c, p: a + p * c),
    Mistake(_INSIDE, lambda a, c, p: sigmoid(a) + p * c),
    Mistake(_INSIDE, lambda a, c, p: sigmoid(a) * (1 + p * c)),
    Mistake("gates use the sigmoid (values in [0, 1]), not tanh.",
            lambda a, c, p: np.tanh(a + p * c)),
    Mistake("the peephole term is missing: add p_i * c_prev to a_i before the sigmoid.",
            lambda a: sigmoid(a)),
    Mistake("the cell must be weighted by the peephole weights: p_i * c_prev.",
            lambda a, c: sigmoid(a + c)),
    Symptom(lambda a: f"the gate has one value per sequence and unit, shape {a.shape}; "
                      "p_i * c_prev is an element-wise (diagonal) product.",
            lambda out, a: isinstance(out, np.ndarray) and out.shape != a.shape),
)


def check_peephole_input_gate(fn: Callable) -> core.Result:
    """Grade ``fn(a_i, c_prev, p_i) -> i``: the peephole input gate ({ref}`eq-peephole`),
    ``i = σ(a_i + p_i ⊙ c_{t-1})`` with ``a_i, c_prev (N, H)`` and ``p_i (H,)``.

    Cases: no peephole (p = 0), a batch with positive peepholes, negative peepholes, one
    sequence with a saturating cell.
    """
    rng = np.random.default_rng(7)  # one stream over the cases, in table order

    def case(name, shape, p, scale) -> core.Case:
        a = core.rounded_uniform(rng, shape)
        c = core.rounded_uniform(rng, shape, -2, 2) * scale
        return core.Case(name, (a, c, p), sigmoid(a + p * c), mistakes=MISTAKES,
                         given={"a": a, "c": c, "p": p})

    return core.grade(fn, core.case_table(CASES, case), title="Checking your peephole input gate")
