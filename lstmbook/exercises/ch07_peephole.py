"""Chapter 7 grader (``book/07_peephole.ipynb``): :func:`check_peephole_input_gate`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises.core import Case, Result, grade
from lstmbook.nn.activations import sigmoid

__all__ = ["check_peephole_input_gate"]

def _peephole_gate_hint(a, c, p):
    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, ValueError) and ("matmul" in str(out) or "broadcast" in str(out)):
            return ("the peephole weights are diagonal: multiply element by element, "
                    "p_i * c_prev, not with a matrix product.")
        if isinstance(out, BaseException):
            return None
        if same(out, a + p * c):
            return "a gate is squashed by the sigmoid: return sigmoid(a_i + p_i * c_prev)."
        if same(out, sigmoid(a) + p * c) or same(out, sigmoid(a) * (1 + p * c)):
            return ("the peephole term belongs inside the sigmoid, added to the gate's input "
                    "a_i: sigmoid(a_i + p_i * c_prev).")
        if same(out, np.tanh(a + p * c)):
            return "gates use the sigmoid (values in [0, 1]), not tanh."
        if np.any(p != 0) and same(out, sigmoid(a)):
            return "the peephole term is missing: add p_i * c_prev to a_i before the sigmoid."
        if same(out, sigmoid(a + c)):
            return "the cell must be weighted by the peephole weights: p_i * c_prev."
        if isinstance(out, np.ndarray) and out.shape != a.shape:
            return (f"the gate has one value per sequence and unit, shape {a.shape}; "
                    "p_i * c_prev is an element-wise (diagonal) product.")
        return None

    return hint


def check_peephole_input_gate(fn: Callable) -> Result:
    """Grade ``fn(a_i, c_prev, p_i) -> i``: the peephole input gate ({ref}`eq-peephole`),
    ``i = σ(a_i + p_i ⊙ c_{t-1})`` with ``a_i, c_prev (N, H)`` and ``p_i (H,)``.

    Cases: no peephole (p = 0), a batch with positive peepholes, negative peepholes, one
    sequence with a saturating cell.
    """
    rng = np.random.default_rng(7)
    scenarios = (
        ("no peephole (p_i = 0): the plain LSTM's gate", (2, 3), np.zeros(3)),
        ("peepholes of different sizes, a batch of 2 sequences x 3 units", (2, 3),
         np.array([0.5, 2.0, 1.0])),
        ("negative peepholes: a full cell closes the gate", (3, 2), np.array([-3.0, -1.0])),
        ("one sequence, 4 units, a large cell", (1, 4), np.array([1.0, -2.0, 0.3, 4.0])),
    )
    cases = []
    for name, shape, p in scenarios:
        a = np.round(rng.uniform(-1, 1, shape), 2)
        c = np.round(rng.uniform(-2, 2, shape), 2)
        if name.startswith("one sequence"):
            c = c * 3
        cases.append(Case(name, (a, c, p), sigmoid(a + p * c), hint=_peephole_gate_hint(a, c, p)))
    return grade(fn, cases, title="Checking your peephole input gate")
