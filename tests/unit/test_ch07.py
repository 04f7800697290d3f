"""Chapter 7, peephole connections: the comparison study (on a tiny configuration), the timing
widget's compute, the plots and the quiz keys (the grader:
tests/unit/exercises/test_ch07_peephole.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lstmbook  # noqa: E402
from lstmbook.chapters import ch07_peephole as ps
from lstmbook.chapters.ch07_peephole import peephole_timing_view as _compute_peephole_timing
from lstmbook.nn.activations import sigmoid  # noqa: E402
from lstmbook.nn.gradcheck import check_layer_gradients  # noqa: E402
from lstmbook.quiz import load_quiz, recompute  # noqa: E402
from lstmbook.viz import plot_peephole_timing_view as _draw_peephole_timing

TINY = {"H": 3, "T": 8, "delay": 3, "steps": 5, "batch_size": 4, "n_test": 10}


# --------------------------------------------------------------------------- the layer
def test_peephole_lstm_gradients():
    rng = np.random.default_rng(0)
    layer = lstmbook.LSTM(2, 3, peephole=True, seed=0)
    for k in ("p_i", "p_f", "p_o"):
        layer.params[k][...] = rng.normal(size=3)
    X = rng.normal(size=(2, 4, 2))
    errors = check_layer_gradients(layer, X, (rng.normal(size=(2, 3)), rng.normal(size=(2, 3))))
    assert max(errors.values()) < 1e-6


def test_zero_peepholes_equal_plain_lstm():
    X = np.random.default_rng(1).normal(size=(2, 5, 3))
    plain = lstmbook.LSTM(3, 4, seed=5)
    peep = lstmbook.LSTM(3, 4, peephole=True, seed=5)
    for k in ("p_i", "p_f", "p_o"):
        peep.params[k][...] = 0.0
    assert np.array_equal(plain.forward(X)[0], peep.forward(X)[0])


# --------------------------------------------------------------------------- the study
def test_timing_task():
    X, Y = ps.timing_task(20, 12, delay=4, seed=0)
    assert X.shape == Y.shape == (20, 12, 1)
    assert np.all(X.sum(axis=(1, 2)) == 1) and np.all(Y.sum(axis=(1, 2)) == 1)
    assert np.array_equal(Y[:, :, 0].argmax(1), X[:, :, 0].argmax(1) + 4)
    assert np.array_equal(X, ps.timing_task(20, 12, delay=4, seed=0).X)


@pytest.mark.parametrize("kwargs, exc", [
    ({"n": 3, "T": 5, "delay": 5}, ValueError),
    ({"n": 0, "T": 5, "delay": 2}, ValueError),
    ({"n": 3, "T": 5, "delay": 2.0}, TypeError),
])
def test_timing_task_bad_input(kwargs, exc):
    with pytest.raises(exc):
        ps.timing_task(**kwargs)


def test_train_timing_tiny_is_deterministic_and_paired():
    a = ps.train_timing(True, 0, **TINY)
    b = ps.train_timing(True, 0, **TINY)
    assert a.test_mse == b.test_mse and np.array_equal(a.losses, b.losses)
    assert a.peephole and a.seed == 0 and a.losses.shape == (5,)
    assert 0 <= a.timing_accuracy <= 1 and np.isfinite(a.test_mse)
    c = ps.train_timing(False, 0, **TINY)
    # same W, U, b, read-out and batches: the first loss is the same (peepholes start small)
    assert not c.peephole and abs(c.losses[0] - a.losses[0]) < 0.5 * a.losses[0]


def test_compare_and_summarize_tiny():
    comp = ps.compare_peepholes((0, 1), **TINY)
    assert [r.seed for r in comp.plain] == [0, 1] == [r.seed for r in comp.peephole]
    assert not any(r.peephole for r in comp.plain) and all(r.peephole for r in comp.peephole)
    s = ps.summarize(comp.plain)
    mses = [r.test_mse for r in comp.plain]
    assert s.n == 2 and np.isclose(s.mean_mse, np.mean(mses))
    assert np.isclose(s.std_mse, np.std(mses, ddof=1))
    assert s.min_mse <= s.mean_mse <= s.max_mse and 0 <= s.n_solved <= 2


def test_study_bad_input():
    with pytest.raises(TypeError, match="peephole"):
        ps.train_timing(1, 0, **TINY)
    with pytest.raises(ValueError, match="seed"):
        ps.train_timing(True, -1, **TINY)
    with pytest.raises(ValueError, match="lr"):
        ps.train_timing(True, 0, lr=0.0, **TINY)
    with pytest.raises(TypeError, match="runs"):
        ps.summarize([])
    with pytest.raises(ValueError, match="seeds"):
        ps.compare_peepholes(())


# --------------------------------------------------------------------------- widget, plots
def test_peephole_timing_fires_at_threshold():
    views = [_compute_peephole_timing(p, -4.0) for p in (0.0, 2.0, 4.0, 8.0)]
    assert [v.fire_step for v in views] == [-1, 28, 14, 7]
    v = views[2]
    assert np.allclose(np.diff(v.c), 0.07, atol=1e-3)  # the cell counts up by `rate`
    assert np.allclose(v.o, sigmoid(-4.0 + 4.0 * v.c))
    assert np.allclose(v.h, v.o * np.tanh(v.c))
    assert v.c[v.fire_step] >= 1.0 > v.c[v.fire_step - 1]
    assert "step 14" in v.summary and "never" in views[0].summary


def test_peephole_timing_bad_input():
    with pytest.raises(ValueError, match="rate"):
        _compute_peephole_timing(rate=1.5)
    with pytest.raises(TypeError, match="p_o"):
        _compute_peephole_timing(p_o="4")


def test_plots_draw():
    from lstmbook import viz

    fig, axes = plt.subplots(1, 3)
    views = {"a": _compute_peephole_timing(4.0, -4.0, T=10)}
    _draw_peephole_timing(axes[:2], views)
    assert len(axes[0].get_lines()) >= 2
    assert viz.plot_seed_comparison(axes[2], {"x": [1.0, 2.0], "y": [1.5, 1.0]},
                                    ylabel="e") is axes[2]
    plt.close(fig)


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_keys_recomputed_independently():
    questions = load_quiz("07_peephole")
    numeric = [q for q in questions if q["type"] == "numeric"]
    assert len(questions) >= 5 and all("check" in q for q in numeric)
    H, D = 64, 10
    assert recompute(numeric[0]) == 3 * H
    assert recompute(numeric[1]) == 4 * H * (D + H + 1) + 3 * H
    assert np.isclose(recompute(numeric[2]), 1 / (1 + np.exp(-1.0)))
