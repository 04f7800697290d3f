"""lstmbook.nn.clipping: clip by global norm (eq-clip-norm) and by value."""

import warnings

import numpy as np
import pytest

from lstmbook.nn.clipping import clip_grad_norm, clip_grad_value, global_norm

from .helpers import FakeLayer


def make_grads(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {
        "W": rng.normal(size=(8, 3)).astype(dtype),
        "U": rng.normal(size=(8, 2)).astype(dtype),
        "b": rng.normal(size=(8,)).astype(dtype),
    }


def flat(grads):
    return np.concatenate([g.ravel() for g in grads.values()])


def test_global_norm_is_the_norm_of_all_entries():
    g = make_grads()
    assert global_norm(g) == pytest.approx(np.linalg.norm(flat(g)), rel=1e-14)
    assert global_norm([np.array([3.0]), np.array([[4.0]])]) == pytest.approx(5.0, rel=1e-15)
    assert global_norm({}) == 0.0


def test_global_norm_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        n = global_norm([np.array([3e200]), np.array([4e200])])
    assert n == pytest.approx(5e200, rel=1e-14)


def test_below_threshold_leaves_gradients_bitwise_unchanged():
    g = make_grads()
    before = {k: v.copy() for k, v in g.items()}
    norm = clip_grad_norm(g, 1e6)
    assert norm == pytest.approx(np.linalg.norm(flat(before)), rel=1e-14)
    for k in g:
        assert np.array_equal(g[k], before[k])
        assert g[k].tobytes() == before[k].tobytes()


@pytest.mark.parametrize("max_norm", [0.5, 1.0, 3.0])
def test_above_threshold_caps_the_norm_and_keeps_the_direction(max_norm):
    g = make_grads()
    arrays = {k: id(v) for k, v in g.items()}
    before = flat(g).copy()
    norm = clip_grad_norm(g, max_norm)
    assert norm == pytest.approx(np.linalg.norm(before), rel=1e-14)
    assert norm > max_norm
    after = flat(g)
    assert abs(np.linalg.norm(after) - max_norm) < 1e-12
    cosine = after @ before / (np.linalg.norm(after) * np.linalg.norm(before))
    assert cosine == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(after, before * max_norm / norm, rtol=1e-15)
    assert {k: id(v) for k, v in g.items()} == arrays  # in place


def test_exactly_one_rescale():
    g = [np.array([6.0, 8.0])]  # norm 10
    clip_grad_norm(g, 5.0)
    np.testing.assert_array_equal(g[0], [3.0, 4.0])  # not 1.5, 2 (a second rescale)


def test_zero_gradient_stays_zero_without_division_by_zero():
    g = {"W": np.zeros((3, 2)), "b": np.zeros(3)}
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        norm = clip_grad_norm(g, 1.0)
        clip_grad_value(g, 1.0)
    assert norm == 0.0
    assert not np.any(g["W"]) and not np.any(g["b"])
    assert np.all(np.isfinite(g["W"]))


def test_float32_gradients_stay_float32():
    g = make_grads(dtype=np.float32)
    clip_grad_norm(g, 0.1)
    assert all(v.dtype == np.float32 for v in g.values())
    assert abs(np.linalg.norm(flat(g).astype(np.float64)) - 0.1) < 1e-7


def test_non_finite_norm_raises_and_changes_nothing():
    g = make_grads()
    g["b"][0] = np.nan
    before = {k: v.copy() for k, v in g.items()}
    with pytest.raises(FloatingPointError, match="NaN or infinity"):
        clip_grad_norm(g, 1.0)
    for k in g:
        np.testing.assert_array_equal(g[k], before[k])
    with pytest.raises(FloatingPointError):
        clip_grad_norm([np.array([np.inf, 1.0])], 1.0)


def test_clip_grad_value_bounds_each_entry():
    g = make_grads()
    g["W"] *= 10
    before = {k: v.copy() for k, v in g.items()}
    assert clip_grad_value(g, 0.5) is None
    for k in g:
        assert np.all(np.abs(g[k]) <= 0.5)
        np.testing.assert_array_equal(g[k], np.clip(before[k], -0.5, 0.5))
    # entries inside the bounds are untouched
    inside = np.abs(before["b"]) < 0.5
    np.testing.assert_array_equal(g["b"][inside], before["b"][inside])


def _containers():
    """The same gradients (norm 10) in each accepted form, with a getter back to the arrays."""
    a, b = np.array([6.0]), np.array([[8.0]])
    yield "dict", {"a": a, "b": b}
    a, b = np.array([6.0]), np.array([[8.0]])
    yield "list", [a, b]
    a, b = np.array([6.0]), np.array([[8.0]])
    yield "tuple", (a, b)
    a, b = np.array([6.0]), np.array([[8.0]])
    yield "layer", FakeLayer(grads={"a": a, "b": b})
    a, b = np.array([6.0]), np.array([[8.0]])
    yield "list of layers", [FakeLayer(grads={"a": a}), FakeLayer(grads={"b": b})]
    a, b = np.array([6.0]), np.array([[8.0]])
    layer = FakeLayer(grads={"a": a, "b": b})
    yield "same array twice", [layer, FakeLayer(grads={"a2": a}), layer.grads]


@pytest.mark.parametrize("kind", [k for k, _ in _containers()])
def test_works_on_dicts_lists_and_layers(kind):
    grads = dict(_containers())[kind]
    assert global_norm(grads) == pytest.approx(10.0, rel=1e-15)
    assert clip_grad_norm(grads, 5.0) == pytest.approx(10.0, rel=1e-15)
    assert global_norm(grads) == pytest.approx(5.0, rel=1e-15)
    clip_grad_value(grads, 1.0)
    assert global_norm(grads) == pytest.approx(np.sqrt(2.0), rel=1e-15)


@pytest.mark.parametrize(
    ("fn", "arg", "value", "error"),
    [
        (clip_grad_norm, "max_norm", 0.0, ValueError),
        (clip_grad_norm, "max_norm", -1.0, ValueError),
        (clip_grad_norm, "max_norm", float("nan"), ValueError),
        (clip_grad_norm, "max_norm", float("inf"), ValueError),
        (clip_grad_norm, "max_norm", "1.0", TypeError),
        (clip_grad_norm, "max_norm", None, TypeError),
        (clip_grad_norm, "max_norm", True, TypeError),
        (clip_grad_value, "clip_value", 0, ValueError),
        (clip_grad_value, "clip_value", -0.5, ValueError),
        (clip_grad_value, "clip_value", float("nan"), ValueError),
        (clip_grad_value, "clip_value", [1.0], TypeError),
    ],
)
def test_bad_thresholds_raise_naming_the_argument(fn, arg, value, error):
    g = make_grads()
    before = {k: v.copy() for k, v in g.items()}
    with pytest.raises(error, match=arg):
        fn(g, value)
    for k in g:
        np.testing.assert_array_equal(g[k], before[k])


@pytest.mark.parametrize(
    ("grads", "error", "match"),
    [
        ({"W": [1.0, 2.0]}, TypeError, r"grads\['W'\]"),
        ([np.arange(3)], TypeError, r"grads\[0\].*floating"),
        (3.0, TypeError, "grads must be"),
        (FakeLayer(grads={"b": "x"}), TypeError, r"grads.grads\['b'\]"),
    ],
)
def test_bad_grads_raise_naming_the_entry(grads, error, match):
    with pytest.raises(error, match=match):
        clip_grad_norm(grads, 1.0)
