"""lstmbook.nn: the library the book teaches, in NumPy alone.

One module per idea, in the order the book meets them:

- :mod:`~lstmbook.nn.activations` — sigmoid, tanh, ReLU and their slopes; softmax
- :mod:`~lstmbook.nn.sequences` — padding, masks, the last valid step, one-hot
- :mod:`~lstmbook.nn.protocol` — the layer protocol every recurrent layer follows
- :mod:`~lstmbook.nn.rnn` — Elman (and Jordan, echo-state, time-delay) networks
- :mod:`~lstmbook.nn.losses` — softmax cross-entropy and MSE over masked sequences
- :mod:`~lstmbook.nn.layer_norm` — layer normalisation
- :mod:`~lstmbook.nn.bptt` — full and truncated backpropagation through time
- :mod:`~lstmbook.nn.gradcheck` — finite-difference gradient checks
- :mod:`~lstmbook.nn.clipping` — gradient clipping by norm (and by value)
- :mod:`~lstmbook.nn.optim` — SGD with momentum, Adam, step schedules
- :mod:`~lstmbook.nn.lstm` — the LSTM step, its readable loop and the layer
  (the fused kernel behind it is :mod:`~lstmbook.nn._lstm_fused`)
- :mod:`~lstmbook.nn.gru` — the gated recurrent unit
- :mod:`~lstmbook.nn.layers` — Linear read-out, Stack, Bidirectional
- :mod:`~lstmbook.nn.training` — a sequence model and the training loop
- :mod:`~lstmbook.nn.interop` — weights to and from PyTorch's layout

Nothing here imports anything but NumPy and this package (``tests/unit/test_layout.py`` reads
the files to check it).
"""

from .gru import GRU, gru_step, gru_step_backward
from .layers import Bidirectional, Linear, Stack
from .lstm import (
    GATES,
    LSTM,
    lstm_backward,
    lstm_forward,
    lstm_step,
    lstm_step_backward,
    split_gates,
)
from .rnn import RNN, EchoStateNetwork, JordanRNN, rnn_step, rnn_step_backward

__all__ = [
    "GATES", "GRU", "LSTM", "RNN", "Bidirectional", "EchoStateNetwork", "JordanRNN", "Linear",
    "Stack", "gru_step", "gru_step_backward", "lstm_backward", "lstm_forward", "lstm_step",
    "lstm_step_backward", "rnn_step", "rnn_step_backward", "split_gates",
]
