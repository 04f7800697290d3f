"""Graders for the reader's code, with kind feedback: one module per chapter, on one core.

:mod:`lstmbook.exercises.core` runs the reader's function on named cases and explains each
failure; each chapter's module (same stem as its notebook) declares its cases and its reader's
likely mistakes as tables on that core.
``from lstmbook.exercises import check_clip_grad_norm`` works for every grader.
"""

from .ch01_sequence_data import check_last_valid
from .ch02_rnn_forward import check_rnn_step
from .ch03_bptt import check_bptt_delta
from .ch04_gradient_problems import check_clip_grad_norm
from .ch05_cec import check_gated_cec
from .ch06_lstm_gates import check_lstm_cell_update, check_lstm_step_backward
from .ch07_peephole import check_peephole_input_gate
from .ch08_variants import check_bidirectional
from .ch09_long_time_lags import check_adding_target
from .ch10_language_model import check_perplexity

__all__ = [
    "check_adding_target",
    "check_bidirectional",
    "check_bptt_delta",
    "check_clip_grad_norm",
    "check_gated_cec",
    "check_last_valid",
    "check_lstm_cell_update",
    "check_lstm_step_backward",
    "check_peephole_input_gate",
    "check_perplexity",
    "check_rnn_step",
]
