"""lstmbook.symbolic: the SymPy derivations the book shows."""

import numpy as np
import pytest

from lstmbook.nn.activations import sigmoid
from lstmbook.nn.lstm import lstm_step, lstm_step_backward

sp = pytest.importorskip("sympy")

from lstmbook import symbolic  # noqa: E402 - imports SymPy, so only after the skip above


@pytest.fixture(scope="module")
def sig():
    return symbolic.sigmoid_derivative()


@pytest.fixture(scope="module")
def tanh():
    return symbolic.tanh_derivative()


def test_sigmoid_derivative_is_sigma_one_minus_sigma(sig):
    assert sig.difference == 0
    assert sig.identity_holds
    x = sig.x
    s = 1 / (1 + sp.exp(-x))
    assert sp.simplify(sig.derivative - s * (1 - s)) == 0
    assert sig.label == "eq-sigmoid-grad"


def test_sigmoid_derivative_maximum_is_a_quarter_at_zero(sig):
    assert sig.critical_points == [0]
    assert sig.argmax == 0
    assert sig.maximum == sp.Rational(1, 4)
    assert isinstance(sig.maximum, sp.Rational)
    assert sig.limits == (0, 0)
    xs = np.linspace(-10, 10, 2001)
    d = sig.derivative_numeric(xs)
    assert np.max(d) == pytest.approx(0.25, abs=1e-15)
    assert xs[np.argmax(d)] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(d, sigmoid(xs) * (1 - sigmoid(xs)), rtol=1e-12, atol=1e-15)


def test_tanh_derivative_maximum_is_one_at_zero(tanh):
    assert tanh.difference == 0
    assert tanh.critical_points == [0]
    assert tanh.maximum == 1
    assert tanh.limits == (0, 0)
    assert tanh.label == "eq-tanh-grad"
    xs = np.linspace(-5, 5, 1001)
    np.testing.assert_allclose(tanh.f_numeric(xs), np.tanh(xs), atol=1e-14)
    np.testing.assert_allclose(tanh.derivative_numeric(xs), 1 - np.tanh(xs) ** 2, atol=1e-14)


def test_symbolic_sigma_differentiates_and_rewrites():
    z = sp.Symbol("z", real=True)
    s = symbolic.sigma(z)
    assert sp.simplify(sp.diff(s, z) - s * (1 - s)) == 0
    assert sp.simplify(s.rewrite(sp.exp) - 1 / (1 + sp.exp(-z))) == 0
    assert symbolic.sigma(0) == sp.Rational(1, 2)


@pytest.mark.parametrize("peepholes", [False, True], ids=["plain", "peepholes"])
def test_lstm_cell_gradients_match_central_differences(peepholes):
    cell = symbolic.lstm_cell_gradients(peepholes=peepholes)
    assert len(cell.names) == (18 if peepholes else 15)
    assert set(cell.dh) == set(cell.dc) == set(cell.names)
    rng = np.random.default_rng(0)
    eps = 1e-5
    for _ in range(5):
        point = cell.random_point(rng)
        dh, dc = cell.gradients(**point)
        for name in cell.names:
            up, down = dict(point), dict(point)
            up[name] += eps
            down[name] -= eps
            h_up, c_up = cell.forward(**up)
            h_down, c_down = cell.forward(**down)
            assert abs((h_up - h_down) / (2 * eps) - dh[name]) < 1e-7, f"dh/d{name}"
            assert abs((c_up - c_down) / (2 * eps) - dc[name]) < 1e-7, f"dc/d{name}"


def test_lstm_cell_forward_matches_the_equations():
    cell = symbolic.lstm_cell_gradients(peepholes=True)
    v = cell.random_point(np.random.default_rng(1))

    def pre(k):
        return v[f"w_{k}"] * v["x"] + v[f"u_{k}"] * v["h_prev"] + v[f"b_{k}"]

    i = sigmoid(pre("i") + v["p_i"] * v["c_prev"])
    f = sigmoid(pre("f") + v["p_f"] * v["c_prev"])
    g = np.tanh(pre("g"))
    c = f * v["c_prev"] + i * g
    o = sigmoid(pre("o") + v["p_o"] * c)
    h, c_sym = cell.forward(**v)
    assert c_sym == pytest.approx(c, abs=1e-15)
    assert h == pytest.approx(o * np.tanh(c), abs=1e-15)


def test_lstm_cell_compact_form_and_array_layout():
    cell = symbolic.lstm_cell_gradients()
    o, f, c_t = sp.symbols("o f c_t")
    assert sp.simplify(cell.compact(cell.dh["c_prev"]) - o * f * (1 - sp.tanh(c_t) ** 2)) == 0
    assert cell.dc["c_prev"] == cell.gates["f"]
    v = cell.random_point(np.random.default_rng(2))
    arrays = cell.to_arrays(v)
    assert arrays["W"].shape == (4, 1) and arrays["U"].shape == (4, 1)
    assert arrays["b"].shape == (4,) and arrays["x"].shape == (1, 1)
    assert arrays["W"][2, 0] == v["w_g"] and arrays["b"][3] == v["b_o"]
    assert "p_i" not in arrays


def test_lstm_cell_rejects_wrong_values():
    cell = symbolic.lstm_cell_gradients()
    v = cell.random_point(np.random.default_rng(3))
    del v["b_f"]
    with pytest.raises(ValueError, match="b_f"):
        cell.forward(**v)
    with pytest.raises(ValueError, match="p_i"):
        cell.gradients(**cell.random_point(np.random.default_rng(3)), p_i=0.5)
    with pytest.raises(TypeError, match="peepholes"):
        symbolic.lstm_cell_gradients(peepholes="yes")


def test_rnn_gradient_is_a_product_of_one_step_factors():
    r = symbolic.rnn_gradient_product(3)
    assert r.difference == 0
    assert len(r.factors) == 3
    u = r.symbols["u"]
    assert all(fac.has(u) for fac in r.factors)
    with pytest.raises(ValueError, match="T"):
        symbolic.rnn_gradient_product(0)


@pytest.mark.parametrize("peepholes", [False, True], ids=["plain", "peepholes"])
def test_lstm_cell_gradients_equal_the_numpy_backward_pass(peepholes):
    cell = symbolic.lstm_cell_gradients(peepholes=peepholes)
    rng = np.random.default_rng(4)
    for _ in range(3):
        point = cell.random_point(rng, scale=1.5)
        arrays = cell.to_arrays(point)
        params = {k: v for k, v in arrays.items() if k not in ("x", "h_prev", "c_prev")}
        h, c, cache = lstm_step(arrays["x"], arrays["h_prev"], arrays["c_prev"], params)
        h_sym, c_sym = cell.forward(**point)
        assert h[0, 0] == pytest.approx(h_sym, abs=1e-14)
        assert c[0, 0] == pytest.approx(c_sym, abs=1e-14)
        one, zero = np.ones((1, 1)), np.zeros((1, 1))
        dh_sym, dc_sym = cell.gradients(**point)
        for sym_grads, dh_t, dc_t in [(dh_sym, one, zero), (dc_sym, zero, one)]:
            expected = cell.to_arrays(sym_grads)
            dx, dh_prev, dc_prev, grads = lstm_step_backward(dh_t, dc_t, cache, params)
            got = dict(grads, x=dx, h_prev=dh_prev, c_prev=dc_prev)
            assert set(got) == set(expected)
            for key in expected:
                np.testing.assert_allclose(got[key], expected[key], rtol=1e-12, atol=1e-14)
