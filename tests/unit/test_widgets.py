"""The interactive explorers (``lstmbook.widgets.build_*``): each builds without a kernel, draws
its figure on the Agg backend, and redraws with a new summary when a control changes."""

import matplotlib.pyplot as plt
import pytest

from lstmbook import widgets
from lstmbook.chapters import ch08_variants as vs

w = pytest.importorskip("ipywidgets")


@pytest.fixture
def shown(monkeypatch):
    """Record (figure size, number of axes) of every figure an explorer shows, then close it."""
    figures = []

    def show(*_, **__):
        fig = plt.gcf()
        figures.append((tuple(round(float(x), 3) for x in fig.get_size_inches()), len(fig.axes)))
        plt.close(fig)

    monkeypatch.setattr(plt, "show", show)
    yield figures
    plt.close("all")


def _children(box):
    """Every widget in a VBox/HBox tree, depth first."""
    for child in box.children:
        yield child
        if isinstance(child, w.Box):
            yield from _children(child)


def _parts(box):
    assert isinstance(box, w.VBox)
    outs = [c for c in box.children if isinstance(c, w.Output)]
    assert len(outs) == 1
    htmls = [c for c in box.children if isinstance(c, w.HTML)]
    return htmls[-1], list(_children(box))


# name, builder call, (control type, index among that type, new value), expected figures
# (figure size, axes) for the first draw and after the change
CASES = {
    "padding": (lambda: widgets.build_padding_explorer(N=5, T=8, seed=3),
                (w.IntSlider, 0, 3), [((6.6, 3.3), 1), ((6.6, 2.3), 1)]),
    "error_flow": (lambda: widgets.build_error_flow_explorer(scale=0.9, nonlinearity="tanh"),
                   (w.FloatSlider, 0, 1.5), [((7.5, 4.0), 1), ((7.5, 4.0), 1)]),
    "hidden": (lambda: widgets.build_hidden_explorer(scale=0.9, nonlinearity="tanh",
                                                     init="random"),
               (w.FloatSlider, 0, 1.5), [((10.0, 3.2), 2), ((10.0, 3.2), 2)]),
    "gate": (lambda: widgets.build_gate_explorer(),
             (w.IntSlider, 0, 6), [((8.0, 4.6), 2), ((8.0, 4.6), 2)]),
    "truncation": (lambda: widgets.build_truncation_explorer(k=4, radius=1.5),
                   (w.IntSlider, 0, 8), [((11.0, 4.2), 2), ((11.0, 4.2), 2)]),
    "gradient_norm": (lambda: widgets.build_gradient_norm_explorer(radius=1.0,
                                                                   nonlinearity="tanh"),
                      (w.FloatSlider, 0, 2.0), [((7.5, 4.0), 1), ((7.5, 4.0), 1)]),
    "peephole": (lambda: widgets.build_peephole_timing_explorer(),
                 (w.FloatSlider, 0, 8.0), [((11.0, 3.8), 2), ((11.0, 3.8), 2)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_slider_explorers_build_and_update(name, shown):
    build, (kind, index, new), expected_figures = CASES[name]
    box = build()
    summary, children = _parts(box)
    before = summary.value
    assert before.startswith("<p>") and len(before) > 10
    control = [c for c in children if type(c) is kind][index]
    assert control.value != new
    control.value = new
    assert summary.value != before and summary.value.startswith("<p>")
    assert shown == expected_figures


def test_gate_explorer_shows_its_five_rows(shown):
    assert len(widgets.build_gate_explorer().children) == 5


def test_gate_explorer_shows_the_cell_diagram_of_the_chosen_step(shown):
    box = widgets.build_gate_explorer(write_at=4, read_at=17)
    info, children = _parts(box)
    assert "<svg" in info.value and 'role="img"' in info.value
    step = next(c for c in children if isinstance(c, w.IntSlider)
                and c.description.startswith("cell diagram"))
    assert step.value == 17
    before = info.value
    step.value = 2          # before the write: the cell still holds 0
    assert info.value != before and "<svg" in info.value


def test_birnn_explorer_builds_and_updates(shown):
    model = vs.make_tagger("lstm", bidirectional=True, hidden_size=2, seed=0)  # untrained
    box = widgets.build_birnn_explorer(model)
    info, children = _parts(box)
    before = info.value
    assert before.startswith("<p>") and "fruit − company" in before
    choose = next(c for c in children if isinstance(c, w.Dropdown))
    text = next(c for c in children if isinstance(c, w.Text))
    choose.value = vs.BIRNN_SENTENCES[2]  # picking a sentence fills the text box
    assert text.value == vs.BIRNN_SENTENCES[2]
    assert info.value != before
    n = len(text.value.split()) + 1  # words plus the final "."
    assert shown[-1] == ((round(1.2 + 0.9 * n, 3), 3.2), 1)
    text.value = "zebra crossing"  # not in the vocabulary: an error message, no new figure
    assert "color:#D55E00" in info.value
    assert len(shown) == 2


def test_long_lag_explorer_builds_and_retrains(shown):
    box = widgets.build_long_lag_explorer(T=4, hidden=2, iters=100)
    text, children = _parts(box)
    before = text.value
    assert before.startswith("<p>After 100 iterations")
    T_slider = next(c for c in children if isinstance(c, w.IntSlider))
    go = next(c for c in children if isinstance(c, w.Button))
    T_slider.value = 6
    assert text.value == before  # the sliders alone do not retrain
    go.click()
    assert text.value.startswith("<p>After 100 iterations") and not go.disabled
    assert shown == [((7.0, 3.6), 1), ((7.0, 3.6), 1)]
