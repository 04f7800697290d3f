"""Chapter 6 grader, check_lstm_cell_update: the package's LSTM step passes; each typical mistake
in the cell update or the output fails the first case it should and the report names it."""

import numpy as np
import pytest

from lstmbook.exercises import check_lstm_cell_update
from lstmbook.exercises.ch06_lstm_gates import MISTAKES
from lstmbook.nn.activations import sigmoid
from lstmbook.nn.lstm import lstm_step, split_gates

FORGET_ONLY = "forget only (input gate shut): c_t"
INPUT_ONLY = "input only (forget gate shut): c_t"
MIXED_H = "mixed gates: h_t"
BATCH_C = "a batch (N = 3, H = 2): c_t"


def _step_with(cell_update, hidden):
    def my_lstm_step(x_t, h_prev, c_prev, params):
        a_i, a_f, a_g, a_o = split_gates(x_t @ params["W"].T + h_prev @ params["U"].T
                                         + params["b"])
        i, f, o, g = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), np.tanh(a_g)
        c = cell_update(i, f, g, o, c_prev)
        return hidden(o, c, c_prev), c

    return my_lstm_step


def _good_c(i, f, g, o, cp):
    return f * cp + i * g


def _good_h(o, c, cp):
    return o * np.tanh(c)


def _package(x, h, c, p):
    return lstm_step(x, h, c, p)[:2]


@pytest.mark.parametrize("fn", [_package, _step_with(_good_c, _good_h)])
def test_grader_passes_correct_steps(fn):
    assert check_lstm_cell_update(fn).passed


WRONG = {
    "keeps only": (_step_with(lambda i, f, g, o, cp: f * cp, _good_h), INPUT_ONLY,
                   "add what the input gate writes"),
    "writes only": (_step_with(lambda i, f, g, o, cp: i * g, _good_h), FORGET_ONLY,
                    "old content"),
    "gates swapped": (_step_with(lambda i, f, g, o, cp: i * cp + f * g, _good_h), FORGET_ONLY,
                      "swapped"),
    "no input gate": (_step_with(lambda i, f, g, o, cp: f * cp + g, _good_h), FORGET_ONLY,
                      "through the input gate"),
    "no forget gate": (_step_with(lambda i, f, g, o, cp: cp + i * g, _good_h), FORGET_ONLY,
                       "through the forget gate"),
    "output gate in the cell": (_step_with(lambda i, f, g, o, cp: o * cp + i * g, _good_h),
                                FORGET_ONLY, "the output gate o is not part of the cell update"),
    "no tanh": (_step_with(_good_c, lambda o, c, cp: o * c), MIXED_H,
                "squash the cell state with tanh"),
    "no output gate": (_step_with(_good_c, lambda o, c, cp: np.tanh(c)), MIXED_H,
                       "output gate must multiply"),
    "old cell state": (_step_with(_good_c, lambda o, c, cp: o * np.tanh(cp)), MIXED_H,
                       "new cell state"),
    "tanh outside": (_step_with(_good_c, lambda o, c, cp: np.tanh(o * c)), MIXED_H,
                     "tanh applies to c_t alone"),
    "matrix product": (_step_with(lambda i, f, g, o, cp: f @ cp.T + i * g, _good_h),
                       ["mixed gates: c_t", MIXED_H, BATCH_C, "a batch (N = 3, H = 2): h_t"],
                       "raised ValueError ... Hadamard"),
    "c_t alone": (lambda x, h, c, p: lstm_step(x, h, c, p)[1], FORGET_ONLY, "return h, c"),
    "pair swapped": (lambda x, h, c, p: lstm_step(x, h, c, p)[1::-1], FORGET_ONLY,
                     "wrong values"),
    "lists": (lambda x, h, c, p: [a.tolist() for a in _package(x, h, c, p)], FORGET_ONLY,
              "got list ... if c_t failed, fix it first"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_the_failing_case(kind, fails_with):
    fails_with(check_lstm_cell_update, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_lstm_cell_update, MISTAKES, WRONG)


def test_grader_output_is_deterministic():
    bad = _step_with(lambda i, f, g, o, cp: f * cp, lambda o, c, cp: o * c)
    assert str(check_lstm_cell_update(bad)) == str(check_lstm_cell_update(bad))
