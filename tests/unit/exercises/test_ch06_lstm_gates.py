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


# --------------------------------------------------------------------------- the backward step
from lstmbook.exercises import check_lstm_step_backward  # noqa: E402
from lstmbook.exercises.ch06_lstm_gates import BACKWARD_MISTAKES  # noqa: E402
from lstmbook.nn.lstm import lstm_step_backward  # noqa: E402

ONLY_C = "only dc_next arrives (dh_t = 0): dc_prev"
ONLY_C_H = "only dc_next arrives (dh_t = 0): dh_prev"
ONLY_H = "only dh_t arrives (dc_next = 0): dc_prev"
ONLY_H_H = "only dh_t arrives (dc_next = 0): dh_prev"


def _backward_with(dc_of=None, dc_prev_of=None, do_of=None, sig=True, tanh_g=True,
                   dh_of=None):
    """A reader's backward step with one line replaced."""
    def my_step_backward(dh_t, dc_next, cache, params):
        x, h_prev, c_prev, i, f, g, o, c, tanh_c = cache
        dc = (dh_t * o * (1 - tanh_c**2) + dc_next if dc_of is None
              else dc_of(dh_t, dc_next, o, c, tanh_c))
        do = dh_t * tanh_c if do_of is None else do_of(dh_t, c, tanh_c)
        di, df, dg = dc * g, dc * c_prev, dc * i
        da_i = di * i * (1 - i) if sig else di
        da_f = df * f * (1 - f) if sig else df
        da_o = do * o * (1 - o) if sig else do
        da_g = dg * (1 - g**2) if tanh_g else dg
        da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
        dh_prev = da @ params["U"] if dh_of is None else dh_of(da, params["U"])
        dc_prev = dc * f if dc_prev_of is None else dc_prev_of(dc, i, f)
        return dh_prev, dc_prev

    return my_step_backward


def _package_backward(dh_t, dc_next, cache, params):
    _, dh_prev, dc_prev, _ = lstm_step_backward(dh_t, dc_next, cache, params)
    return dh_prev, dc_prev


@pytest.mark.parametrize("fn", [_package_backward, _backward_with()])
def test_backward_grader_passes_the_reference(fn):
    assert check_lstm_step_backward(fn).passed


BACKWARD_WRONG = {
    "no h path": (_backward_with(dc_of=lambda dh, dcn, o, c, t: dcn), ONLY_H,
                  "add dh_t ⊙ o ⊙ (1 − tanh²(c_t))"),
    "forgot dc_next": (_backward_with(dc_of=lambda dh, dcn, o, c, t: dh * o * (1 - t**2)),
                       ONLY_C, "dc_next is missing"),
    "c for tanh(c)": (_backward_with(dc_of=lambda dh, dcn, o, c, t: dh * o * (1 - c**2) + dcn),
                      ONLY_H, "not 1 − c_t²"),
    "no tanh'": (_backward_with(dc_of=lambda dh, dcn, o, c, t: dh * o + dcn), ONLY_H,
                 "multiply by its derivative"),
    "no o": (_backward_with(dc_of=lambda dh, dcn, o, c, t: dh * (1 - t**2) + dcn), ONLY_H,
             "scaled by the output gate o"),
    "no forget gate": (_backward_with(dc_prev_of=lambda dc, i, f: dc), ONLY_C,
                       "multiply by the forget gate"),
    "input gate": (_backward_with(dc_prev_of=lambda dc, i, f: dc * i), ONLY_C,
                   "not the input gate i"),
    "no tanh' on g": (_backward_with(tanh_g=False), ONLY_C_H, "da_g = dg ⊙ (1 − g²)"),
    "no sigma'": (_backward_with(sig=False), ONLY_C_H, "σ′ = s(1 − s)"),
    "c in do": (_backward_with(do_of=lambda dh, c, t: dh * c), ONLY_H_H,
                "not c_t"),
    "U transposed": (_backward_with(dh_of=lambda da, U: da @ U.T),
                     [ONLY_C, ONLY_C_H, ONLY_H, ONLY_H_H, "both arrive: dc_prev",
                      "both arrive: dh_prev", "a batch (N = 3, H = 2): dc_prev",
                      "a batch (N = 3, H = 2): dh_prev"],
                     "no transpose"),
    "dc doubled": (_backward_with(dc_of=lambda dh, dcn, o, c, t: 2 * (dh * o * (1 - t**2) + dcn)),
                   ONLY_C, "if dc_prev failed, fix dc first"),
    "not a pair": (lambda dh, dcn, cache, p: _package_backward(dh, dcn, cache, p)[1], ONLY_C,
                   "return dh_prev, dc_prev"),
}


@pytest.mark.parametrize("kind", sorted(BACKWARD_WRONG))
def test_backward_grader_names_the_mistake(kind, fails_with):
    fails_with(check_lstm_step_backward, *BACKWARD_WRONG[kind])


def test_every_backward_mistake_is_recognised(covers):
    covers(check_lstm_step_backward, BACKWARD_MISTAKES, BACKWARD_WRONG)


def test_backward_grader_output_is_deterministic():
    bad = _backward_with(dc_prev_of=lambda dc, i, f: dc)
    assert str(check_lstm_step_backward(bad)) == str(check_lstm_step_backward(bad))
