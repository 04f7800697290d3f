"""lstmbook: recurrent networks and LSTM in NumPy, with checked gradients, for the lstmbook
textbook.

- :mod:`lstmbook.nn` — the library the book teaches (NumPy only); its layers and steps are
  re-exported here, so ``lstmbook.LSTM`` is ``lstmbook.nn.lstm.LSTM``.
- :mod:`lstmbook.data` — every toy task of the book.
- :mod:`lstmbook.chapters` — one module per chapter: its experiments and explorer models.
- :mod:`lstmbook.viz` (matplotlib), :mod:`lstmbook.widgets` (ipywidgets),
  :mod:`lstmbook.exercises` (graders), :mod:`lstmbook.quiz` (jupyterquiz),
  :mod:`lstmbook.symbolic` (SymPy), :mod:`lstmbook.source` — what the reader sees and uses.
  They are imported on demand (``from lstmbook import viz``), so ``import lstmbook`` is fast.
- :mod:`lstmbook.i18n`, :mod:`lstmbook.messages` — the reader's language. When
  ``LSTMBOOK_LANG`` names another language than English (the Japanese edition's build sets
  ``ja``), importing the package routes figure text and printed lines through the message
  catalogue (:func:`lstmbook.messages.install`); in English it changes nothing.
"""

from .i18n import language as _language
from .messages import install as _install
from .nn import (
    GATES,
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    EchoStateNetwork,
    JordanRNN,
    Linear,
    Stack,
    gru_step,
    gru_step_backward,
    lstm_backward,
    lstm_forward,
    lstm_step,
    lstm_step_backward,
    rnn_step,
    rnn_step_backward,
    split_gates,
)

__version__ = "0.2.0"

if _language() != "en":
    _install()

__all__ = [
    "GATES", "GRU", "LSTM", "RNN", "Bidirectional", "EchoStateNetwork", "JordanRNN", "Linear",
    "Stack", "gru_step", "gru_step_backward", "lstm_backward", "lstm_forward", "lstm_step",
    "lstm_step_backward", "rnn_step", "rnn_step_backward", "split_gates",
]
