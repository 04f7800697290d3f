"""lstmbook.nn.optim: SGD with momentum and Adam, checked against updates written out by hand."""

import numpy as np
import pytest

from lstmbook.nn.optim import SGD, Adam, StepLR, halve_every

from .helpers import FakeLayer


def small_layer(dtype=np.float64):
    p = np.array([[0.5, -1.0], [2.0, 0.0]], dtype=dtype)
    g = np.array([[0.1, -0.2], [0.3, -0.4]], dtype=dtype)
    return FakeLayer({"W": p}, {"W": g})


def test_one_adam_step_equals_the_hand_computed_update():
    layer = small_layer()
    p0, g = layer.params["W"].copy(), layer.grads["W"].copy()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    Adam(layer, lr=lr, betas=(b1, b2), eps=eps).step()

    m = (1 - b1) * g
    v = (1 - b2) * g**2
    m_hat = m / (1 - b1)
    v_hat = v / (1 - b2)
    expected = p0 - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(layer.params["W"], expected, rtol=1e-15, atol=1e-15)
    # the first step of Adam moves every entry by about lr * sign(g)
    np.testing.assert_allclose(layer.params["W"], p0 - lr * np.sign(g), rtol=1e-6)


def test_two_adam_steps_equal_the_hand_computed_updates():
    layer = small_layer()
    p = layer.params["W"].copy()
    g1 = layer.grads["W"].copy()
    g2 = np.array([[-0.3, 0.05], [0.2, 1.0]])
    lr, b1, b2, eps = 0.1, 0.8, 0.99, 1e-6
    opt = Adam([layer], lr=lr, betas=(b1, b2), eps=eps)
    opt.step()
    layer.grads["W"][...] = g2
    opt.step()
    assert opt.t == 2

    m1 = (1 - b1) * g1
    v1 = (1 - b2) * g1**2
    p = p - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2 = b1 * m1 + (1 - b1) * g2
    v2 = b2 * v1 + (1 - b2) * g2**2
    p = p - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(layer.params["W"], p, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(opt.state[(0, "W")]["m"], m2, rtol=1e-15)
    np.testing.assert_allclose(opt.state[(0, "W")]["v"], v2, rtol=1e-15)


def test_sgd_plain_step():
    layer = small_layer()
    p0, g = layer.params["W"].copy(), layer.grads["W"].copy()
    SGD(layer, lr=0.5).step()
    np.testing.assert_allclose(layer.params["W"], p0 - 0.5 * g, rtol=1e-15)


def test_sgd_momentum_two_steps_by_hand():
    layer = small_layer()
    p = layer.params["W"].copy()
    g1 = layer.grads["W"].copy()
    g2 = np.array([[1.0, 0.0], [-1.0, 0.5]])
    lr, mu = 0.1, 0.9
    opt = SGD([layer], lr=lr, momentum=mu)
    opt.step()
    layer.grads["W"][...] = g2
    opt.step()

    v1 = g1  # v starts at 0: v1 = mu * 0 + g1
    p = p - lr * v1
    v2 = mu * v1 + g2
    p = p - lr * v2
    np.testing.assert_allclose(layer.params["W"], p, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(opt.state[(0, "W")]["velocity"], v2, rtol=1e-15)


@pytest.mark.parametrize("make", [lambda L: SGD(L, 0.1, momentum=0.9), lambda L: Adam(L, 0.1)])
def test_float32_stays_float32_and_arrays_keep_their_identity(make):
    layer = small_layer(np.float32)
    before = layer.params["W"]
    opt = make([layer])
    for _ in range(3):
        opt.step()
    assert layer.params["W"] is before
    assert layer.params["W"].dtype == np.float32
    assert all(a.dtype == np.float32 for s in opt.state.values() for a in s.values())


def test_several_layers_get_separate_state_and_shared_arrays_step_once():
    a = FakeLayer({"W": np.ones(3)}, {"W": np.full(3, 2.0)})
    b = FakeLayer({"W": np.ones(2)}, {"W": np.full(2, -1.0)})
    shared = FakeLayer({"0.W": a.params["W"]}, {"0.W": a.grads["W"]})  # like a Stack
    opt = SGD([a, b, shared], lr=0.25, momentum=0.5)
    opt.step()
    np.testing.assert_allclose(a.params["W"], 0.5)  # 1 - 0.25 * 2, once only
    np.testing.assert_allclose(b.params["W"], 1.25)
    assert set(opt.state) == {(0, "W"), (1, "W")}


def test_zero_grad_fills_grads_in_place():
    layer = small_layer()
    g = layer.grads["W"]
    Adam(layer).zero_grad()
    assert layer.grads["W"] is g
    assert not np.any(g)


def test_lr_is_mutable_and_checked():
    layer = small_layer()
    p0, g = layer.params["W"].copy(), layer.grads["W"].copy()
    opt = SGD(layer, lr=1.0)
    opt.lr /= 2
    opt.step()
    np.testing.assert_allclose(layer.params["W"], p0 - 0.5 * g)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = 0.0


def test_halve_every():
    opt = SGD(small_layer(), lr=0.8)
    sched = halve_every(opt, 2)
    lrs = []
    for _ in range(5):
        sched.step()
        lrs.append(opt.lr)
    assert lrs == [0.8, 0.4, 0.4, 0.2, 0.2]
    with pytest.raises(ValueError, match="every"):
        StepLR(opt, 0)
    with pytest.raises(TypeError, match="optimizer"):
        StepLR(small_layer(), 2)


def test_non_finite_gradient_stops_before_any_update():
    a = FakeLayer({"W": np.ones(2)}, {"W": np.ones(2)})
    b = FakeLayer({"W": np.ones(2)}, {"W": np.array([1.0, np.nan])})
    opt = Adam([a, b], lr=0.1)
    with pytest.raises(FloatingPointError, match=r"layers\[1\].grads\['W'\]"):
        opt.step()
    np.testing.assert_array_equal(a.params["W"], 1.0)
    assert opt.t == 0


def _layer():
    return small_layer()


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: SGD(_layer(), lr=0.0), ValueError, "lr"),
        (lambda: SGD(_layer(), lr=-0.1), ValueError, "lr"),
        (lambda: SGD(_layer(), lr=float("nan")), ValueError, "lr"),
        (lambda: SGD(_layer(), lr="0.1"), TypeError, "lr"),
        (lambda: SGD(_layer(), lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: SGD(_layer(), lr=0.1, momentum=-0.1), ValueError, "momentum"),
        (lambda: SGD(_layer(), lr=0.1, momentum=float("nan")), ValueError, "momentum"),
        (lambda: Adam(_layer(), betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
        (lambda: Adam(_layer(), betas=(0.9, -0.1)), ValueError, r"betas\[1\]"),
        (lambda: Adam(_layer(), betas=0.9), TypeError, "betas"),
        (lambda: Adam(_layer(), eps=0.0), ValueError, "eps"),
        (lambda: Adam(_layer(), lr=0), ValueError, "lr"),
        (lambda: Adam([]), ValueError, "layers"),
        (lambda: Adam(np.ones(3)), TypeError, r"layers\[0\]"),
        (lambda: Adam([_layer(), {"W": np.ones(2)}]), TypeError, r"layers\[1\]"),
        (
            lambda: Adam(FakeLayer({"W": np.ones(2), "b": np.ones(1)}, {"W": np.ones(2)})),
            ValueError,
            "missing.*'b'",
        ),
        (
            lambda: Adam(FakeLayer({"W": np.ones(2)}, {"W": np.ones(3)})),
            ValueError,
            r"grads\['W'\].*\(2,\).*\(3,\)",
        ),
        (
            lambda: Adam(FakeLayer({"W": [1.0, 2.0]}, {"W": np.ones(2)})),
            TypeError,
            r"params\['W'\]",
        ),
    ],
)
def test_bad_arguments_raise_naming_them(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_key_mismatch_after_construction_is_caught_at_step():
    layer = small_layer()
    opt = Adam(layer)
    layer.grads["extra"] = np.zeros(1)
    with pytest.raises(ValueError, match="extra"):
        opt.step()
