"""Chapter 5 grader, check_gated_cec: the chapter's gated CEC passes, and so does a loop; each
typical mistake fails the case it should (states s and outputs y are checked apart) and the
report names the mistake."""

import numpy as np
import pytest

from lstmbook.chapters import ch05_cec
from lstmbook.exercises import check_gated_cec
from lstmbook.exercises.ch05_cec import MISTAKES

OPEN = "gates always open (bare self-loop)"
AT2 = "input gate open only at step 2"
AT2_AT5 = "input gate at step 2, output gate only at step 5"
HALF = "both gates half open"


def loop(x, g_in, g_out):
    s = np.zeros_like(x)
    state = 0.0
    for t in range(len(x)):
        state = state + g_in[t] * x[t]
        s[t] = state
    return s, g_out * s


def _late(s):
    return np.concatenate([[0.0], s[:-1]])


def no_output_gate(x, gi, go):
    s = np.cumsum(gi * x)
    return s, s


def stale_read(x, gi, go):
    s = np.cumsum(gi * x)
    return s, go * _late(s)


def late_state(x, gi, go):
    s = _late(np.cumsum(gi * x))
    return s, go * np.cumsum(gi * x)


def reads_the_input(x, gi, go):
    return np.cumsum(gi * x), go * x


def changes_x(x, gi, go):
    x *= 1.0
    x[0] = 0.0
    return loop(x, gi, go)


def raises(x, gi, go):
    raise IndexError("boom")


@pytest.mark.parametrize("fn", [ch05_cec.gated_cec, loop])
def test_grader_passes_the_reference_and_a_loop_version(fn):
    assert check_gated_cec(fn).passed


WRONG = {
    "no self-loop": (lambda x, gi, go: (gi * x, go * gi * x), f"{OPEN}: states s",
                     "s_t must carry what the cell held ... y is read from a state that does not "
                     "accumulate"),
    "no input gate": (lambda x, gi, go: (np.cumsum(x), go * np.cumsum(x)), f"{AT2}: states s",
                      "the input gate must multiply x_t"),
    "no output gate": (no_output_gate, [f"{AT2_AT5}: outputs y", f"{HALF}: outputs y"],
                       "the output gate must multiply the state"),
    "stale read": (stale_read, f"{OPEN}: outputs y", "not s_{t-1}"),
    "state one step late": (late_state, f"{OPEN}: states s", "off by one step"),
    "output reads the input": (reads_the_input, f"{OPEN}: outputs y",
                               "the output reads the cell state s_t, not the input x_t"),
    "one array": (lambda x, gi, go: x, f"{OPEN}: states s", "got str ... `return s, y`"),
    "input changed": (changes_x, f"{OPEN}: states s", "changed its input argument(s) [0]"),
    "raises": (raises, f"{OPEN}: states s", "raised IndexError: boom"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fails_with(check_gated_cec, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_gated_cec, MISTAKES, WRONG)
