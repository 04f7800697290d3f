"""Chapter 8 (variants): the measured comparisons of directions, depth and cells, the z ↦ 1 − z
conversion, the bidirectional explorer's model and the quiz's numeric keys (the later-cue and
parity tasks: tests/unit/test_data.py; the grader: tests/unit/exercises/test_ch08_variants.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from lstmbook import GRU, LSTM, Bidirectional, Stack, data, gru_step
from lstmbook.chapters import ch08_variants as vs
from lstmbook.nn.activations import sigmoid, tanh
from lstmbook.nn.lstm import split_gates
from lstmbook.quiz import check_answers, key_matches

from .helpers import numeric_questions


# --------------------------------------------------------------------------- bidirectional
@pytest.fixture(scope="module")
def directions():
    return vs.compare_directions(seeds=(0, 1), steps=200)


def test_one_direction_guesses_and_two_directions_solve(directions):
    c = directions
    assert np.all(np.abs(c.uni_ambiguous - 0.5) < 0.1)
    assert np.all(c.bi_ambiguous > 0.98)
    assert np.all(c.uni_other > 0.99) and np.all(c.bi_other > 0.99)


def test_direction_contributions_add_up_to_the_logits(directions):
    model = directions.bi_models[0]
    tokens = data.encode_cue_sentence("Apple is something that I like to charge.")
    fwd, bwd, bias = vs.direction_contributions(model, tokens)
    logits = model.forward(np.eye(len(data.CUE_VOCAB))[tokens][None])[0]
    np.testing.assert_allclose(fwd + bwd + bias, logits, atol=1e-12)
    with pytest.raises(TypeError, match="Bidirectional"):
        vs.direction_contributions(directions.uni_models[0], tokens)


def test_birnn_view_backward_half_decides_apple(directions):
    model = directions.bi_models[0]
    eat = vs.birnn_view(model, vs.BIRNN_SENTENCES[0])
    charge = vs.birnn_view(model, vs.BIRNN_SENTENCES[1])
    assert eat.noun == charge.noun == 0
    assert eat.tags[0] == "fruit" and charge.tags[0] == "company"
    assert eat.fwd[0] == pytest.approx(charge.fwd[0])  # forward half has not read the cue
    assert eat.bwd[0] > 0 > charge.bwd[0]
    assert "Predicted tag: fruit" in eat.summary
    with pytest.raises(ValueError, match="vocabulary"):
        vs.birnn_view(model, "apple pie")
    none = vs.birnn_view(model, "i like to eat .")
    assert none.noun is None and set(none.tags) == {"other"}


# --------------------------------------------------------------------------- stacked
def test_probe_r2():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(500, 4))
    F = np.column_stack([S @ np.array([1.0, -2.0, 0.5, 0.0]) + 3.0, rng.normal(size=500)])
    r2 = vs.probe_r2(S, F)
    assert r2[0] == pytest.approx(1.0) and r2[1] < 0.05
    with pytest.raises(ValueError, match="same M"):
        vs.probe_r2(S, F[:10])
    with pytest.raises(ValueError, match="constant"):
        vs.probe_r2(S, np.ones((500, 1)))


def test_stack_layers_split_the_work():
    run = vs.train_stack(seed=0)
    assert run.test_mse < 0.01
    x, y = run.X[:, :, 0], run.Y[:, :, 0]
    F = np.stack([x[:, 2:], y[:, 2:]], axis=-1).reshape(-1, 2)
    r1, r2 = (vs.probe_r2(S[:, 2:].reshape(-1, S.shape[2]), F) for S in run.states)
    assert r2[1] > 0.99 and r1[1] < r2[1]  # the target: exact at layer 2 only
    assert r1[0] > r2[0]  # the current input fades with depth


# --------------------------------------------------------------------------- GRU
def _other_convention_step(x, h, p):
    xr, xz, xn = split_gates(x @ p["W"].T + p["b"], 3)
    hr, hz, hn = split_gates(h @ p["U"].T, 3)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = tanh(xn + r * (hn + p["b_hn"]))
    return (1 - z) * h + z * n


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flip_update_gate_converts_between_conventions(seed):
    rng = np.random.default_rng(seed)
    gru = GRU(3, 4, seed=seed)
    x, h = rng.normal(size=(2, 3)), rng.uniform(-1, 1, size=(2, 4))
    original = {k: v.copy() for k, v in gru.params.items()}
    flipped = vs.flip_update_gate(gru.params)
    for k in original:  # a copy: the layer's parameters are untouched
        np.testing.assert_array_equal(gru.params[k], original[k])
    ref, _ = gru_step(x, h, gru.params)
    np.testing.assert_allclose(_other_convention_step(x, h, flipped), ref, atol=1e-12)
    assert not np.allclose(_other_convention_step(x, h, gru.params), ref)
    # only the z blocks changed, by a sign; flipping twice gives the original
    H = 4
    np.testing.assert_array_equal(flipped["W"][H:2 * H], -original["W"][H:2 * H])
    np.testing.assert_array_equal(flipped["U"][:H], original["U"][:H])
    twice = vs.flip_update_gate(flipped)
    for k in original:
        np.testing.assert_array_equal(twice[k], original[k])
    with pytest.raises(TypeError, match="GRU params"):
        vs.flip_update_gate({"W": np.zeros((3, 3))})


def test_compare_cells_small():
    c = vs.compare_cells(seeds=(0,), checkpoints=(5, 10), n_test=20)
    assert c.checkpoints == (5, 10)
    for kind in ("lstm", "gru"):
        assert c.accuracy[kind].shape == (1, 2) and c.loss[kind].shape == (1, 10)
        assert np.all((c.accuracy[kind] >= 0) & (c.accuracy[kind] <= 1))
    assert c.n_params["gru"] < c.n_params["lstm"]
    with pytest.raises(ValueError, match="checkpoints"):
        vs.compare_cells(seeds=(0,), checkpoints=(10, 5))
    with pytest.raises(TypeError, match="seeds"):
        vs.compare_cells(seeds=0)
    with pytest.raises(ValueError, match="kind"):
        vs.make_tagger("rnn-ish")


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_keys_recomputed_independently():
    questions, numeric = numeric_questions("08_variants")
    assert len(numeric) == 3
    assert len(check_answers(questions)) == 3
    D, H = 10, 16
    assert key_matches(numeric[0], 3 * (H * D + H * H + 2 * H))
    assert not key_matches(numeric[0], vs.count_params(GRU(D, H)))  # lstmbook's own count
    Y, _ = Bidirectional(LSTM(5, 12), LSTM(5, 12)).forward(np.zeros((2, 4, 5)))
    assert key_matches(numeric[1], Y.shape[2]) and Y.shape[2] == 24
    assert key_matches(numeric[2], vs.count_params(Stack([LSTM(3, 8), LSTM(8, 8)])))
    # the z against 1 − z question exists and marks the conversion answer correct
    conv = [q for q in questions if "1 − z" in q["question"] and "DLFS2" not in q["question"]]
    assert len(conv) == 1
    right = [a for a in conv[0]["answers"] if a["correct"]]
    assert len(right) == 1 and "negating" in right[0]["answer"]


def test_tagger_helpers_reject_bad_input():
    with pytest.raises(TypeError, match="CueTask"):
        vs.tagger_accuracy(vs.make_tagger(), np.zeros(3))
    with pytest.raises(TypeError, match="seeds"):
        vs.compare_directions(seeds=[])
    with pytest.raises(ValueError, match="seeds"):
        vs.compare_directions(seeds=(-1,))
    assert isinstance(vs.make_tagger("gru", bidirectional=True).layer, Bidirectional)
    assert isinstance(vs.make_tagger("lstm").layer, LSTM)


def test_dlfs2_form_quiz_item_keys_the_kept_state():
    path = Path(vs.__file__).parents[1] / "quizzes" / "08_variants.json"
    item = [q for q in json.loads(path.read_text(encoding="utf-8")) if "DLFS2" in q["question"]]
    assert len(item) == 1
    right = [a for a in item[0]["answers"] if a["correct"]]
    assert len(right) == 1 and "keeps its old state" in right[0]["answer"]
    # DLFS2's z near 0 is this book's z near 1: the same step with the z-block negated
    rng = np.random.default_rng(0)
    gru = GRU(3, 4, seed=0)
    x, h = rng.normal(size=(2, 3)), rng.uniform(-1, 1, size=(2, 4))
    p = {k: v.copy() for k, v in gru.params.items()}
    split_gates(p["b"], 3)[1][...] = 30.0      # this book's z ≈ 1: keep the state
    h_new, _ = gru_step(x, h, p)
    assert np.allclose(h_new, h, atol=1e-6)


def test_steps_to_solve_pairs_arms_and_censors_at_the_budget():
    race = vs.steps_to_solve(seeds=(0, 1), threshold=1.0, budget=20, eval_every=10,
                             n_test=50)
    assert race.arms == tuple(a[0] for a in vs.CELL_ARMS)
    for arm in race.arms:
        assert race.steps[arm].shape == (2,) and not race.solved[arm].any()
        assert np.all(race.steps[arm] == 20)          # censored at the budget
    easy = vs.steps_to_solve(seeds=(0,), threshold=0.01, budget=20, eval_every=10, n_test=50)
    assert all(easy.steps[a][0] == 10 and easy.solved[a][0] for a in easy.arms)
    assert easy.n_params["GRU"] < easy.n_params["LSTM, forget bias 1"]
    with pytest.raises(ValueError, match="threshold"):
        vs.steps_to_solve(seeds=(0,), threshold=1.5)
