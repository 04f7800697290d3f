"""Chapter 6 (LSTM gates): the concatenated form, hand-set gate runs, the keep-forever cell, the
cell path's gradient, the gate explorer's model and the quiz's answers (the figures:
tests/unit/test_viz.py; the live explorer: tests/unit/test_widgets.py; the grader:
tests/unit/exercises/test_ch06_lstm_gates.py)."""

import numpy as np
import pytest

import lstmbook
from lstmbook.chapters import ch06_lstm_gates as gates
from lstmbook.nn.lstm import lstm_forward, lstm_step, split_gates
from lstmbook.quiz import recompute

from .helpers import numeric_questions


def _state(seed, N=3, D=4, H=5):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, D)), rng.uniform(-1, 1, (N, H)), rng.uniform(-1, 1, (N, H)))


# --------------------------------------------------------------------------- concatenated form
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_concatenated_form_equals_lstm_step(seed):
    lstm = lstmbook.LSTM(4, 5, seed=seed)
    x, h, c = _state(seed)
    W_cat, b = gates.to_concat(lstm.params)
    assert W_cat.shape == (20, 9)
    h1, c1, _ = lstm_step(x, h, c, lstm.params)
    h2, c2 = gates.lstm_step_concat(x, h, c, W_cat, b)
    np.testing.assert_allclose(h2, h1, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c2, c1, rtol=0, atol=1e-14)


def test_concat_layout_is_U_then_W_and_round_trips():
    lstm = lstmbook.LSTM(3, 2, seed=4)
    W_cat, b = gates.to_concat(lstm.params)
    np.testing.assert_array_equal(W_cat[:, :2], lstm.params["U"])
    np.testing.assert_array_equal(W_cat[:, 2:], lstm.params["W"])
    # note 001's per-gate W_f is the f block of rows: [U_f | W_f]
    W_f = split_gates(W_cat.T)[1].T
    np.testing.assert_array_equal(W_f[:, :2], split_gates(lstm.params["U"].T)[1].T)
    back = gates.from_concat(W_cat, b, 3)
    for k in ("W", "U", "b"):
        np.testing.assert_array_equal(back[k], lstm.params[k])
    W_cat[0, 0] += 1.0  # copies, not views
    assert lstm.params["U"][0, 0] != W_cat[0, 0]


def test_concat_bad_input():
    lstm = lstmbook.LSTM(3, 2, seed=0)
    with pytest.raises(TypeError, match="params"):
        gates.to_concat([lstm.params["W"]])
    with pytest.raises(ValueError, match="missing"):
        gates.to_concat({"W": lstm.params["W"]})
    with pytest.raises(ValueError, match="U"):
        gates.to_concat({**lstm.params, "U": np.zeros((8, 3))})
    W_cat, b = gates.to_concat(lstm.params)
    with pytest.raises(ValueError, match="W_cat"):
        gates.from_concat(W_cat, b, 4)
    with pytest.raises(ValueError, match="input_size"):
        gates.from_concat(W_cat, b, 0)


def test_param_count():
    for D, H in [(1, 1), (10, 20), (7, 3)]:
        layer = lstmbook.LSTM(D, H, seed=0)
        assert gates.lstm_param_count(D, H) == sum(v.size for v in layer.params.values())
    assert gates.lstm_param_count(10, 20) == 2480
    with pytest.raises(ValueError, match="hidden_size"):
        gates.lstm_param_count(3, 0)


# --------------------------------------------------------------------------- run_cell
def test_run_cell_follows_the_equations():
    rng = np.random.default_rng(0)
    T, H = 7, 3
    i, f, o = (rng.uniform(0, 1, (T, H)) for _ in range(3))
    g = rng.uniform(-1, 1, (T, H))
    c0 = rng.uniform(-1, 1, H)
    run = gates.run_cell(i, f, o, g, c0=c0)
    c = c0.copy()
    for t in range(T):
        c = f[t] * c + i[t] * g[t]
        np.testing.assert_allclose(run.c[t], c, rtol=1e-15)
        np.testing.assert_allclose(run.h[t], o[t] * np.tanh(c), rtol=1e-15)
    np.testing.assert_array_equal(run.c0, c0)


def test_run_cell_numbers_broadcast_and_quiz_value():
    run = gates.run_cell(np.array([0.5]), 0.8, 1.0, -0.6, c0=1.5)
    assert run.c[-1] == pytest.approx(0.9)
    leak = gates.run_cell(np.zeros(100), 0.99, 0.0, 0.0, c0=1.0)
    assert leak.c[-1] == pytest.approx(0.99**100)


def test_forget_one_input_zero_keeps_content_exactly():
    T = 1000
    run = gates.run_cell(np.zeros(T), np.ones(T), np.ones(T),
                         np.random.default_rng(1).uniform(-1, 1, T), c0=0.123456789)
    assert np.all(run.c == 0.123456789)


def test_run_cell_bad_input():
    with pytest.raises(ValueError, match="f must lie in"):
        gates.run_cell(np.zeros(3), np.full(3, 1.2), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="g must lie in"):
        gates.run_cell(np.zeros(3), np.ones(3), np.zeros(3), np.full(3, 2.0))
    with pytest.raises(ValueError, match="o must have the shape"):
        gates.run_cell(np.zeros(3), np.ones(3), np.zeros(4), np.zeros(3))
    with pytest.raises(TypeError, match="at least one"):
        gates.run_cell(0.5, 0.5, 0.5, 0.5)
    with pytest.raises(TypeError, match="i must be"):
        gates.run_cell([0.0, 1.0], np.ones(2), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="c0"):
        gates.run_cell(np.zeros((3, 2)), 1.0, 0.0, 0.0, c0=np.zeros(3))


def test_gate_schedule_windows_are_one_based():
    s = gates.gate_schedule(T=10, write_at=2, write_len=2, forget=0.9, erase_at=6, read_at=9,
                            read_len=5)
    np.testing.assert_array_equal(s["i"], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(s["o"], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    assert s["f"][5] == 0 and np.all(np.delete(s["f"], 5) == 0.9)
    assert s["g"].shape == (10,) and np.abs(s["g"]).max() <= 0.9
    with pytest.raises(ValueError, match="write_at"):
        gates.gate_schedule(T=10, write_at=0)
    with pytest.raises(ValueError, match="read_at"):
        gates.gate_schedule(T=10, read_at=11)
    with pytest.raises(ValueError, match="forget"):
        gates.gate_schedule(forget=1.5)
    with pytest.raises(TypeError, match="T"):
        gates.gate_schedule(T=2.5)


# --------------------------------------------------------------------------- keep forever
def test_keep_forever_params_through_lstm_forward_and_layer():
    params = gates.keep_forever_params(2, 3, seed=0)
    rng = np.random.default_rng(3)
    X = rng.normal(0, 3, size=(1, 1000, 2))
    c0 = np.array([[0.731, -0.25, 0.9]])
    _, (_, c), caches = lstm_forward(X, (np.zeros((1, 3)), c0.copy()), params)
    np.testing.assert_array_equal(c, c0)
    assert all(np.all(cache.f == 1.0) and np.all(cache.i == 0.0) for cache in caches)
    layer = lstmbook.LSTM(2, 3, seed=0)
    for k in params:
        layer.params[k][...] = params[k]
    _, (h_T, c_T) = layer.forward(X, state=(np.zeros((1, 3)), c0))
    np.testing.assert_array_equal(c_T, c0)
    with pytest.raises(ValueError, match="saturation"):
        gates.keep_forever_params(2, 3, saturation=5)


# --------------------------------------------------------------------------- cell path
def test_cell_path_equals_product_of_forget_gates():
    lstm = lstmbook.LSTM(2, 3, forget_bias=3.0, seed=1)
    X = np.random.default_rng(2).normal(size=(2, 25, 2))
    path = gates.cell_path_gradient(lstm.params, X)
    assert path.grad.shape == (26, 2, 3) and path.f.shape == (25, 2, 3)
    np.testing.assert_allclose(path.grad, path.forget_product, rtol=1e-12, atol=0)
    np.testing.assert_allclose(path.forget_product[0], np.prod(path.f, axis=0), rtol=1e-12)
    # the forward pass matches the layer's
    _, (_, c_T) = lstm.forward(X)
    np.testing.assert_allclose(path.c[-1], c_T, rtol=1e-12)


def test_cell_path_bad_input():
    lstm = lstmbook.LSTM(2, 3, seed=1)
    with pytest.raises(ValueError, match="X"):
        gates.cell_path_gradient(lstm.params, np.zeros((1, 4, 3)))
    with pytest.raises(ValueError, match="c0"):
        gates.cell_path_gradient(lstm.params, np.zeros((1, 4, 2)), c0=np.zeros((2, 3)))


# --------------------------------------------------------------------------- the explorer
def test_gate_explorer_view():
    a = gates.gate_explorer_view(write_at=4, forget=1.0, read_at=17)
    assert np.all(a.run.c[3:] == a.stored) and a.read == pytest.approx(np.tanh(a.stored))
    b = gates.gate_explorer_view(write_at=4, forget=0.85, read_at=17)
    assert b.run.c[16] == pytest.approx(b.stored * 0.85**13)
    c = gates.gate_explorer_view(write_at=4, erase_at=10, read_at=17)
    assert c.read == 0 and "wipes" in c.summary
    d = gates.gate_explorer_view(write_at=4, write_len=21, read_at=17)
    assert "adds every candidate" in d.summary
    assert d.summary == gates.gate_explorer_view(write_at=4, write_len=21, read_at=17).summary
    with pytest.raises(ValueError, match="write_at"):
        gates.gate_explorer_view(write_at=30)


# --------------------------------------------------------------------------- quiz
def test_chapter_6_quiz_numeric_answers():
    questions, numeric = numeric_questions("06_lstm_gates")
    assert len(numeric) == 3
    assert recompute(numeric[0]) == pytest.approx(0.8 * 1.5 + 0.5 * -0.6)
    assert recompute(numeric[1]) == 4 * (20 * 10 + 20 * 20 + 20) == 2480
    assert recompute(numeric[2]) == pytest.approx(0.99**100)
    texts = " ".join(q["question"] for q in questions)
    assert "とても" in texts
    first = questions[0]
    correct = [a["answer"] for a in first["answers"] if a["correct"]]
    assert correct == ["The forget gate (忘却ゲート)"]


# --------------------------------------------------------------------------- issue 10/11 additions
def test_from_dlfs2_matches_dlfs2s_forward():
    """DLFS2's LSTM.forward (common/time_layers.py): A = x Wx + h Wh + b, f = A[:, :H],
    g = A[:, H:2H], i = A[:, 2H:3H], o = A[:, 3H:]; the mapped weights give the same step."""
    rng = np.random.default_rng(0)
    D, H = 3, 2
    Wx, Wh, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    x, h, c = rng.normal(size=(4, D)), rng.normal(size=(4, H)), rng.normal(size=(4, H))
    A = x @ Wx + h @ Wh + b
    f, g, i, o = A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    c_next = sig(f) * c + np.tanh(g) * sig(i)
    h_next = sig(o) * np.tanh(c_next)
    params = gates.from_dlfs2(Wx, Wh, b)
    assert params["W"].shape == (4 * H, D) and params["U"].shape == (4 * H, H)
    h1, c1, _ = lstm_step(x, h, c, params)
    assert np.allclose(h1, h_next, atol=1e-14) and np.allclose(c1, c_next, atol=1e-14)
    assert gates.DLFS2_GATE_ORDER == ("f", "g", "i", "o")
    with pytest.raises(ValueError, match="Wx"):
        gates.from_dlfs2(np.zeros((3, 5)), Wh, b)


def test_gate_run_cache_is_the_step_of_the_run():
    view = gates.gate_explorer_view(write_at=4, forget=0.9, read_at=17)
    run = view.run
    for t in (1, 4, 17, 24):
        cache = gates.gate_run_cache(run, t)
        assert cache.x.shape == (1, 0)
        assert cache.c[0, 0] == run.c[t - 1] and cache.i[0, 0] == run.i[t - 1]
        assert cache.c_prev[0, 0] == (run.c0 if t == 1 else run.c[t - 2])
        # the cell update and the read-out hold on the cache
        assert np.isclose(cache.f * cache.c_prev + cache.i * cache.g, cache.c)
        assert np.isclose(cache.o * cache.tanh_c, run.h[t - 1])
    with pytest.raises(ValueError, match="t must be"):
        gates.gate_run_cache(run, 0)


def test_gradient_reach_explodes_through_u_not_the_cell():
    X = np.random.default_rng(1).normal(size=(32, 60, 1))
    small = gates.gradient_reach(gates.recurrent_scale_params(1, 16, 1.0), X)
    large = gates.gradient_reach(gates.recurrent_scale_params(1, 16, 8.0), X)
    assert small.full[59] < 1e-2 and large.full[59] > 1e6
    for r in (small, large):
        assert r.full[0] == 1.0 and np.all(r.cell_path <= 1.0)
        assert np.all(np.diff(r.cell_path) <= 0)
    b = gates.recurrent_scale_params(1, 4, 2.0, forget_bias=1.0)["b"]
    assert np.array_equal(split_gates(b)[1], np.ones(4)) and not split_gates(b)[0].any()
