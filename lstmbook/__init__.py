"""lstmbook: recurrent networks and LSTM in NumPy, with checked gradients, for the lstmbook
textbook.

The maths core imports only NumPy; ``symbolic`` (SymPy), ``viz`` (matplotlib), ``widgets``
(ipywidgets) and ``quiz`` (jupyterquiz) are imported on demand (``import lstmbook.viz``).
"""

from .gru import GRU, gru_step, gru_step_backward
from .layers import Bidirectional, Linear, Stack
from .lstm import GATES, LSTM, lstm_step, lstm_step_backward, split_gates
from .rnn import RNN, EchoStateNetwork, JordanRNN, rnn_step, rnn_step_backward

__version__ = "0.1.0"

__all__ = [
    "GATES", "GRU", "LSTM", "RNN", "Bidirectional", "EchoStateNetwork", "JordanRNN", "Linear",
    "Stack", "gru_step", "gru_step_backward", "lstm_step", "lstm_step_backward", "rnn_step",
    "rnn_step_backward", "split_gates",
]
