"""Chapter 7 grader, check_peephole_input_gate: the package's gate (read from lstm_step's cache)
passes; each typical mistake fails the case it should and the report names it."""

import numpy as np
import pytest

from lstmbook.exercises import check_peephole_input_gate
from lstmbook.exercises.ch07_peephole import MISTAKES
from lstmbook.nn.activations import sigmoid
from lstmbook.nn.lstm import lstm_step

NO_PEEP = "no peephole (p_i = 0): the plain LSTM's gate"
SIZES = "peepholes of different sizes, a batch of 2 sequences x 3 units"


def package_input_gate(a_i, c_prev, p_i):
    N, H = a_i.shape
    params = {"W": np.zeros((4 * H, H)), "U": np.zeros((4 * H, H)), "b": np.zeros(4 * H),
              "p_i": p_i, "p_f": np.zeros(H), "p_o": np.zeros(H)}
    params["W"][:H] = np.eye(H)  # the input gate's block reads a_i
    return lstm_step(a_i, np.zeros((N, H)), c_prev, params)[2].i


@pytest.mark.parametrize("fn", [package_input_gate, lambda a, c, p: sigmoid(a + p * c)])
def test_grader_passes_correct_versions(fn):
    assert check_peephole_input_gate(fn).passed


WRONG = {
    "no peephole": (lambda a, c, p: sigmoid(a), SIZES, "peephole term is missing"),
    "no sigmoid": (lambda a, c, p: a + p * c, NO_PEEP, "squashed by the sigmoid"),
    "peephole outside": (lambda a, c, p: sigmoid(a) + p * c, SIZES, "inside the sigmoid"),
    "peephole as a factor": (lambda a, c, p: sigmoid(a) * (1 + p * c), SIZES,
                             "inside the sigmoid"),
    "tanh": (lambda a, c, p: np.tanh(a + p * c), NO_PEEP, "not tanh"),
    "matrix product": (lambda a, c, p: sigmoid(a + c @ p), NO_PEEP, "diagonal"),
    "unweighted cell": (lambda a, c, p: sigmoid(a + c), NO_PEEP, "peephole weights"),
    "outer product": (lambda a, c, p: sigmoid(a[..., None] + p * c[..., None]), NO_PEEP,
                      "the gate has one value per sequence and unit, shape (2, 3)"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fails_with(check_peephole_input_gate, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_peephole_input_gate, MISTAKES, WRONG)
