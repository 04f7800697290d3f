"""Chapter 10 (book/10_language_model.ipynb): the checked corpus, the character model's
gradients, truncated BPTT with a carried state, perplexity and its baselines, temperature
sampling, the explorer's model; and the small-scale behaviour the chapter's claims rest on."""

import hashlib
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstmbook import corpora, viz, widgets
from lstmbook.chapters import ch10_language_model as ch10
from lstmbook.nn.activations import softmax
from lstmbook.nn.gradcheck import numerical_gradient, relative_error
from lstmbook.nn.losses import softmax_cross_entropy

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def data():
    return ch10.load_text()


@pytest.fixture(scope="module")
def tiny_run(data):
    return ch10.train_lm("lstm", hidden=16, embed=8, n_streams=8, k=16, updates=30,
                         eval_every=10, data=data, n_train_eval=2000)


# --------------------------------------------------------------------------- the corpus
def test_corpus_is_the_committed_text(data):
    text = data.corpus.text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == data.corpus.sha256
    assert len(data.vocab) == 52 and "\n" in data.vocab.chars and "A" not in data.vocab.chars
    assert len(data.train) + len(data.valid) == len(text)
    assert len(data.valid) == round(0.1 * len(text))
    assert text.startswith('the "assert" statement')
    assert (corpora.HERE / "LICENSE-PSF.txt").read_text().count("PYTHON SOFTWARE FOUNDATION") >= 1


def test_a_changed_corpus_file_is_refused(tmp_path, monkeypatch):
    name = "python_reference"
    file, digest, source, licence = corpora.CORPORA[name]
    changed = tmp_path / file
    changed.write_bytes((corpora.HERE / file).read_bytes() + b"x")
    monkeypatch.setattr(corpora, "HERE", tmp_path)
    with pytest.raises(corpora.CorpusError, match="the file was changed"):
        corpora.load_corpus(name)
    changed.unlink()
    with pytest.raises(corpora.CorpusError, match="missing"):
        corpora.load_corpus(name)
    with pytest.raises(ValueError, match="name must be one of"):
        corpora.load_corpus("shakespeare")


@pytest.mark.skipif(sys.version_info[:3] != (3, 11, 7), reason="the corpus comes from 3.11.7")
def test_make_corpus_rebuilds_the_same_file():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "make_corpus.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_vocabulary_round_trip_and_errors(data):
    v = data.vocab
    ids = v.encode("the for statement")
    assert ids.dtype == np.int64 and v.decode(ids) == "the for statement"
    assert v.index("a") == v.chars.index("a")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        v.encode("The")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 52\)"):
        v.decode(np.array([52]))
    with pytest.raises(TypeError, match="text must be a str"):
        v.encode(3)


# --------------------------------------------------------------------------- perplexity
def test_perplexity_and_uniform_baseline():
    assert ch10.perplexity(0.0) == 1.0
    assert ch10.uniform_perplexity(52) == pytest.approx(52)
    assert ch10.perplexity(np.log(4)) == pytest.approx(4)
    logits = np.zeros((2, 3, 52))
    targets = np.zeros((2, 3), np.int64)
    assert ch10.batch_perplexity(logits, targets) == pytest.approx(52)


def test_count_models(data):
    V = len(data.vocab)
    ppl = [ch10.count_model_perplexity(data.train, data.valid, V, context=c) for c in (0, 1, 2)]
    assert V > ppl[0] > ppl[1] > ppl[2] > 1
    # context 0 by hand: add-one smoothed character frequencies
    counts = np.bincount(data.train, minlength=V) + 1.0
    p = counts / counts.sum()
    assert ppl[0] == pytest.approx(np.exp(-np.log(p[data.valid]).mean()))
    with pytest.raises(ValueError, match="context must be 0, 1 or 2"):
        ch10.count_model_perplexity(data.train, data.valid, V, context=3)


def test_evaluate_loss_of_a_uniform_model_is_log_v(data):
    model = ch10.make_model(hidden=8, embed=4, vocab=data.vocab, dtype=np.float64)
    model.head.params["W"][...] = 0.0
    model.head.params["b"][...] = 0.0
    assert ch10.evaluate_loss(model, data.valid[:3001]) == pytest.approx(np.log(52))


# --------------------------------------------------------------------------- the model
@pytest.mark.parametrize("cell,layers", [("lstm", 1), ("lstm", 2), ("rnn", 2)])
def test_model_gradients_match_finite_differences(cell, layers):
    V = 6
    model = ch10.CharLM(V, cell=cell, hidden=4, layers=layers, embed=3, seed=1,
                        dtype=np.float64)
    rng = np.random.default_rng(2)
    x, y = rng.integers(0, V, (2, 5)), rng.integers(0, V, (2, 5))
    state = [(rng.standard_normal((2, 4)), rng.standard_normal((2, 4))) if cell == "lstm"
             else rng.standard_normal((2, 4)) for _ in range(layers)]

    def loss():
        return softmax_cross_entropy(model.forward(x, state)[0], y)[0]

    logits, _ = model.forward(x, state)
    model.backward(softmax_cross_entropy(logits, y)[1])
    grads = {k: g.copy() for k, g in model.grads.items()}
    assert set(grads) == set(model.params)
    for name, p in model.params.items():
        assert relative_error(grads[name], numerical_gradient(loss, p)) < 1e-6, name


def test_dropout_only_in_training():
    model = ch10.CharLM(6, hidden=8, layers=2, embed=4, dropout=0.5, seed=0, dtype=np.float64)
    x = np.arange(12).reshape(2, 6) % 6
    model.training = True
    a, b = model.forward(x)[0], model.forward(x)[0]
    assert not np.allclose(a, b)
    model.training = False
    np.testing.assert_array_equal(model.forward(x)[0], model.forward(x)[0])
    assert all(not d.training for d in model.drops) and len(model.drops) == 3


def test_carrying_the_state_continues_the_text(data):
    model = ch10.make_model(hidden=8, embed=4, vocab=data.vocab, dtype=np.float64)
    ids = data.vocab.encode("the value of the expression")[None, :]
    whole, _ = model.forward(ids)
    first, state = model.forward(ids[:, :10])
    rest, _ = model.forward(ids[:, 10:], state)
    np.testing.assert_allclose(np.concatenate([first, rest], axis=1), whole, atol=1e-12)


def test_model_checks_its_arguments():
    with pytest.raises(ValueError, match="cell must be one of"):
        ch10.CharLM(6, cell="gru")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        ch10.CharLM(6, dropout=1.0)
    model = ch10.CharLM(6, layers=2)
    with pytest.raises(TypeError, match="one state per layer"):
        model.forward(np.zeros((1, 3), np.int64), [None])


# --------------------------------------------------------------------------- training
def test_training_lowers_the_perplexity_and_repeats_exactly(data, tiny_run):
    run = tiny_run
    assert run.steps.tolist() == [10, 20, 30]
    assert run.valid_ppl[-1] < run.valid_ppl[0] < 52
    assert run.loss.shape == run.grad_norm.shape == (30,)
    assert run.config["hidden"] == 16 and not run.model.training
    again = ch10.train_lm("lstm", hidden=16, embed=8, n_streams=8, k=16, updates=30,
                          eval_every=10, data=data, n_train_eval=2000)
    np.testing.assert_array_equal(run.valid_ppl, again.valid_ppl)
    np.testing.assert_array_equal(run.loss, again.loss)


def test_training_clips_the_gradient_norm(data):
    run = ch10.train_lm("rnn", hidden=8, embed=4, n_streams=4, k=8, updates=5, eval_every=5,
                        clip=1e-3, data=data, n_train_eval=500)
    assert np.all(run.grad_norm > 1e-3)  # norms are reported before clipping


# --------------------------------------------------------------------------- sampling
def test_temperature_softmax():
    z = np.array([2.0, 1.0, 0.0])
    np.testing.assert_allclose(ch10.temperature_softmax(z, 1.0), softmax(z))
    assert ch10.temperature_softmax(z, 0.5)[0] == pytest.approx(np.exp(4) / (np.exp(4) +
                                                                              np.exp(2) + 1))
    assert ch10.temperature_softmax(z, 0.01)[0] == pytest.approx(1.0)
    np.testing.assert_allclose(ch10.temperature_softmax(z, 1e6), 1 / 3, rtol=1e-5)
    assert np.isfinite(ch10.temperature_softmax(np.array([1e4, 0.0]), 0.1)).all()
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        ch10.temperature_softmax(z, 0.0)


def test_sampling_is_seeded_and_free_running(tiny_run):
    model = tiny_run.model
    a = ch10.sample_text(model, "the ", 40, temperature=1.0, seed=3)
    assert len(a) == 40 and set(a) <= set(model.vocab.chars)
    assert a == ch10.sample_text(model, "the ", 40, temperature=1.0, seed=3)
    assert a != ch10.sample_text(model, "the ", 40, temperature=1.0, seed=4)
    assert ch10.sample_text(model, "the ", 0) == ""
    with pytest.raises(ValueError, match="outside the vocabulary"):
        ch10.sample_text(model, "The ", 5)
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        ch10.next_char_probs(model, "")


def test_next_char_view_and_grid(tiny_run):
    model = tiny_run.model
    v = ch10.next_char_view(model, "the valu", 0.5, n_sample=10, top=5)
    assert v.probs.shape == (52,) and v.probs.sum() == pytest.approx(1.0)
    tops = [p for _, p in v.top]
    assert len(tops) == 5 and tops == sorted(tops, reverse=True)
    assert 1.0 <= v.entropy_ppl <= 52 and len(v.sample) == 10
    assert "after 'the valu' at temperature 0.5" in v.summary
    probs, _ = ch10.next_char_probs(model, "the valu", 0.5)
    np.testing.assert_allclose(v.probs, probs)
    grid = ch10.explorer_grid(model, prompts=("a", "the "), temperatures=(0.5, 1.0), n_sample=5)
    assert set(grid) == {("a", 0.5), ("a", 1.0), ("the ", 0.5), ("the ", 1.0)}
    flat = ch10.next_char_view(model, "the valu", 2.0, n_sample=0)
    assert flat.entropy_ppl > v.entropy_ppl  # a higher temperature: more effective choices


def test_char_label():
    assert ch10.char_label(" ") == "␣" and ch10.char_label("\n") == "⏎"
    assert ch10.char_label("a") == "a"


# --------------------------------------------------------------------------- parity with torch
def test_model_matches_torch():
    torch = pytest.importorskip("torch")
    V, E, H = 9, 5, 6
    model = ch10.CharLM(V, hidden=H, embed=E, seed=0, dtype=np.float64)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, V, (3, 7)), rng.integers(0, V, (3, 7))
    logits, _ = model.forward(x)
    loss, d = softmax_cross_entropy(logits, y)
    model.backward(d)
    emb, lstm = torch.nn.Embedding(V, E).double(), torch.nn.LSTM(E, H, batch_first=True).double()
    head = torch.nn.Linear(H, V).double()
    layer = model.layers[0]
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(model.embed.params["W"]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(layer.params["W"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(layer.params["U"]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"]))
        lstm.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(model.head.params["W"]))
        head.bias.copy_(torch.from_numpy(model.head.params["b"]))
    out, _ = lstm(emb(torch.from_numpy(x)))
    t_loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, V),
                                               torch.from_numpy(y).reshape(-1))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-10)
    g = model.grads
    for key, tg in (("embed.W", emb.weight.grad), ("0.U", lstm.weight_hh_l0.grad),
                    ("0.b", lstm.bias_ih_l0.grad), ("head.W", head.weight.grad)):
        np.testing.assert_allclose(g[key], tg.numpy(), rtol=1e-9, atol=1e-12, err_msg=key)


# --------------------------------------------------------------------------- the studies
def test_studies_are_paired_and_use_the_stats_module(data):
    study = ch10.compare_cells(seeds=range(5), data=data, hidden=8, updates=4, eval_every=4,
                               n_streams=4, k=8, n_train_eval=500)
    assert study.names == ("RNN", "LSTM") and len(study.a) == len(study.b) == 5
    assert study.comparison.seeds == (0, 1, 2, 3, 4)
    np.testing.assert_allclose(study.comparison.a, [r.final_valid_ppl for r in study.a])
    assert all(r.config["cell"] == "rnn" for r in study.a)
    drops = ch10.dropout_study(seeds=range(5), data=data, hidden=8, layers=2, updates=4,
                               eval_every=4, n_streams=4, k=8, train_chars=600)
    assert drops.names == ("no dropout", f"dropout {ch10.DROPOUT_P:g}")
    assert [r.config["dropout"] for r in drops.b] == [ch10.DROPOUT_P] * 5


# --------------------------------------------------------------------------- figures, explorer
def test_plots_and_the_explorer_draw(tiny_run, monkeypatch):
    model = tiny_run.model
    fig, axes = plt.subplots(1, 3)
    assert viz.plot_perplexity_curves(axes[0], tiny_run.steps, {"valid": tiny_run.valid_ppl},
                                      references={"uniform": 52.0}) is axes[0]
    view = ch10.next_char_view(model, "the ", 1.0, n_sample=0)
    assert viz.plot_next_char_view(axes[1], view, top=5) is axes[1]
    assert [t.get_text() for t in axes[1].get_xticklabels()][0] == \
        ch10.char_label(view.top[0][0])
    views = [ch10.next_char_view(model, "the ", t, n_sample=0) for t in (0.5, 1.0)]
    assert viz.plot_temperature_bars(axes[2], views, top=4) is axes[2]
    assert len(axes[2].patches) == 8
    plt.close(fig)

    w = pytest.importorskip("ipywidgets")

    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: (shown.append(len(plt.gcf().axes)),
                                                      plt.close(plt.gcf())))
    box = widgets.build_next_char_explorer(model, prompt="the ", n_sample=10)
    html = [c for c in box.children if isinstance(c, w.HTML)][-1]
    assert "after 'the ' at temperature 1" in html.value and shown == [1]
    text = [c for c in box.children if isinstance(c, w.Text)][0]
    text.value = "an "
    assert "after 'an '" in html.value and shown == [1, 1]
    text.value = "An "  # outside the vocabulary: the message, not a trace
    assert "outside the vocabulary" in html.value
