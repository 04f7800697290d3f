"""What the tests of lstmbook.nn share: the small sizes, the finite-difference harness, the
bad-input check, a stand-in layer, an LSTM whose peepholes carry gradient, its test data and
the step loop written out."""

import numpy as np
import pytest

from lstmbook.nn.gradcheck import check_layer_gradients, numerical_gradient, relative_error
from lstmbook.nn.lstm import LSTM

#: finite differences against backward passes: float64, relative error below this
TOL = 1e-6
#: batch, steps, input and hidden size of the small layers the tests build
N, T, D, H = 3, 5, 4, 6
PEEPHOLES = ("p_i", "p_f", "p_o")


def sequence(seed=1, shape=(N, T, D)):
    """A standard normal batch of sequences ``X``."""
    return np.random.default_rng(seed).standard_normal(shape)


def hidden(size=H, seed=2):
    """A hidden state ``(N, size)``, 0.5 times standard normal."""
    return np.random.default_rng(seed).standard_normal((N, size)) * 0.5


# --------------------------------------------------------------------------- gradients
def _arrays(state):
    """The arrays of a state (an array, or tuples and lists of them)."""
    if state is None:
        return []
    if isinstance(state, np.ndarray):
        return [state]
    return [a for s in state for a in _arrays(s)]


def assert_layer_gradients(layer, X, state=None, *, seed=4, tol=TOL):
    """Every parameter, input and initial-state gradient of ``layer`` (a ``check_layer_gradients``
    report naming each of them, and only them) agrees with finite differences within ``tol``."""
    errors = check_layer_gradients(layer, X, state, seed=seed)
    states = {f"state[{k}]" for k in range(len(_arrays(state)))}
    assert set(errors) == set(layer.params) | {"X"} | states
    bad = {k: e for k, e in errors.items() if not e < tol}
    assert not bad, f"{type(layer).__name__}: gradients off: {bad}"


def assert_step_backward(step, step_backward, params, seed=0):
    """A step function's backward (``rnn_step_backward``, ``gru_step_backward``) against finite
    differences of ``Σ step(x, h)[0] ⊙ R``: the input, the previous state and every parameter."""
    rng = np.random.default_rng(seed)
    x, h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    R = rng.standard_normal((N, H))
    _, cache = step(x, h, params)
    dx, dh, grads = step_backward(R, cache, params)

    def f():
        return float(np.sum(step(x, h, params)[0] * R))

    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    assert relative_error(dh, numerical_gradient(f, h)) < TOL
    for k in params:
        assert relative_error(grads[k], numerical_gradient(f, params[k])) < TOL, k


def assert_layer_equals_chained_steps(layer, step):
    """The layer's fused forward equals ``step`` (``rnn_step`` or ``gru_step``, the clear
    version the book shows) applied at every time step with ``h`` carried."""
    X, h = sequence(), hidden()
    Y, _ = layer.forward(X, h)
    ys = []
    for t in range(X.shape[1]):
        h, _ = step(X[:, t], h, layer.params)
        ys.append(h)
    np.testing.assert_allclose(Y, np.stack(ys, 1), atol=1e-13)


# --------------------------------------------------------------------------- bad input
def bad_input(cases):
    """``pytest.mark.parametrize`` over a table of ``(id, call, exception, words)``."""
    return pytest.mark.parametrize(("call", "exc", "words"), [c[1:] for c in cases],
                                   ids=[c[0] for c in cases])


def assert_raises_naming(call, exc, words):
    """``call()`` raises ``exc`` whose message contains each of ``words``."""
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for w in words:
        assert w in msg, f"message {msg!r} should mention {w!r}"


# --------------------------------------------------------------------------- layers
class FakeLayer:
    """A stand-in for any layer: ``params`` and ``grads`` dicts with the same keys (the one not
    given is zeros shaped like the other)."""

    def __init__(self, params=None, grads=None):
        self.params = (params if params is not None
                       else {k: np.zeros_like(v) for k, v in grads.items()})
        self.grads = (grads if grads is not None
                      else {k: np.zeros_like(v) for k, v in self.params.items()})


def lstm_layer(hidden_size=H, *, input_size=D, peephole=False, fused=True, dtype=np.float64,
               seed=1):
    """An LSTM (forget bias 1); with ``peephole``, non-zero peepholes so their paths carry
    gradient."""
    layer = LSTM(input_size, hidden_size, peephole=peephole, forget_bias=1.0, seed=seed,
                 dtype=dtype, fused=fused)
    if peephole:
        rng = np.random.default_rng(seed + 10)
        for k in PEEPHOLES:
            layer.params[k][...] = rng.uniform(-0.5, 0.5, hidden_size)
    return layer


def lstm_data(batch=N, steps=T, hidden_size=H, *, input_size=D, dtype=np.float64, seed=0):
    """``X``, ``dY``, an initial state ``(h0, c0)`` and a final-state gradient
    ``(dh_T, dc_T)``, drawn in float64 and cast to ``dtype``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, steps, input_size))
    dY = rng.standard_normal((batch, steps, hidden_size))
    state = (0.5 * rng.standard_normal((batch, hidden_size)),
             0.5 * rng.standard_normal((batch, hidden_size)))
    d_final = (rng.standard_normal((batch, hidden_size)),
               rng.standard_normal((batch, hidden_size)))
    return (X.astype(dtype), dY.astype(dtype), tuple(a.astype(dtype) for a in state),
            tuple(a.astype(dtype) for a in d_final))
