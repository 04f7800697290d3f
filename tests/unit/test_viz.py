"""lstmbook.viz: every public plot draws on the axes it is given and returns exactly them; every
colour comes from the palette; the sections follow the book's chapters.

The figures are plain ``matplotlib.figure.Figure`` objects (no pyplot, no global figure state),
rendered once to PNG in memory so that legends and layout are drawn too.
"""

import ast
import inspect
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import CSS4_COLORS
from matplotlib.figure import Figure

from lstmbook import data, viz
from lstmbook.chapters import ch01_sequence_data as ch01
from lstmbook.chapters import ch02_rnn_forward as ch02
from lstmbook.chapters import ch03_bptt as ch03
from lstmbook.chapters import ch04_gradient_problems as ch04
from lstmbook.chapters import ch05_cec as ch05
from lstmbook.chapters import ch06_lstm_gates as ch06
from lstmbook.chapters import ch07_peephole as ch07
from lstmbook.chapters import ch08_variants as ch08
from lstmbook.chapters import ch09_long_time_lags as ch09
from lstmbook.chapters import ch10_language_model as ch10
from lstmbook.nn.activations import sigmoid
from lstmbook.stats import paired_comparison

ROOT = Path(__file__).resolve().parents[2]
VIZ = (ROOT / "lstmbook" / "viz.py").read_text(encoding="utf-8")
WIDGETS = (ROOT / "lstmbook" / "widgets.py").read_text(encoding="utf-8")
SECTION = re.compile(r"^# --- Chapter (\d+): (.+) ---$", re.MULTILINE)


# --------------------------------------------------------------------------- small data
def _rng():
    return np.random.default_rng(0)


def _run():
    """A GateRun of 2 units over 6 steps (``unit`` picks one)."""
    T, H = 6, 2
    i = np.zeros((T, H))
    i[1] = 1.0
    o = np.zeros((T, H))
    o[4:] = 1.0
    return ch06.run_cell(i, np.ones((T, H)), o, np.full((T, H), 0.5))


def _race():
    return ch09.Race(6, 4, np.array([100, 200]), np.array([0.6, 0.4]), np.array([0.5, 0.05]))


def _birnn_view():
    words = ["i", "eat", "apple", "."]
    return ch08.BirnnView(words, np.array([0.1, -0.2, 0.3, 0.0]), np.array([0.2, 0.4, 1.0, 0.1]),
                          0.0, ["other", "other", "fruit", "other"], 2, "summary")


def _batch_stats():
    mask = np.arange(5)[None] < np.array([5, 3, 2])[:, None]
    return ch02.batch_stats_per_step(_rng().normal(size=(3, 5, 2)), mask)


def _next_char_view(temperature):
    probs = np.array([0.1, 0.2, 0.3, 0.4]) ** (1 / temperature)
    return ch10.NextCharView("ab", temperature, "ab \n", probs / probs.sum(), ("\n", " "), "a",
                             3.0)


t10 = np.arange(10.0)

# name -> (how many axes, the call on them). Every public plot_* has an entry (checked below).
CASES = {
    # chapter 1
    "plot_io_pattern": (1, lambda ax: viz.plot_io_pattern(ax, "seq_to_seq", T=3, T_out=2,
                                                          title="seq2seq")),
    "plot_sequences": (1, lambda ax: viz.plot_sequences(
        ax, _rng().normal(size=(3, 6, 2)), lengths=[6, 4, 2], channel=1, title="s")),
    "plot_padded_batch": (1, lambda ax: viz.plot_padded_batch(
        ax, np.arange(4)[None] < np.array([4, 2])[:, None], values=np.ones((2, 4)), title="p")),
    "plot_padding_view": (1, lambda ax: viz.plot_padding_view(ax, ch01.padding_view(3, 5))),
    # chapter 2
    "plot_recall_predictions": (1, lambda ax: viz.plot_recall_predictions(
        ax, t10, {"a": t10 + 1, "b": t10 - 1}, t0=2, title="r")),
    "plot_hidden_trajectories": (1, lambda ax: viz.plot_hidden_trajectories(
        ax, np.exp(t10)[:, None] * np.ones((1, 3)), bound=1.0, log=True, title="h")),
    "plot_state_gap": (1, lambda ax: viz.plot_state_gap(ax, {"x": np.array([1.0, 0.1, 0.0])})),
    "plot_perturbation": (1, lambda ax: viz.plot_perturbation(
        ax, {"rnn": 0.5 ** t10, "ff": np.eye(10)[0]}, t_perturbed=0, title="p")),
    "plot_batch_stats": (2, lambda axes: viz.plot_batch_stats(
        axes[0], axes[1], _batch_stats().count, _batch_stats().mean, feature=1)),
    "plot_hidden_trajectories_view": (2, lambda axes: viz.plot_hidden_trajectories_view(
        axes, ch02.hidden_trajectories(0.9, "tanh", "random", T=8, H=3))),
    # chapter 3
    "plot_error_flow_matrix": (1, lambda ax: viz.plot_error_flow_matrix(
        ax, np.tril(np.ones((6, 6))), mask=ch03.tbptt_mask(6, 2), k=2, title="m")),
    "plot_truncation_curve": (1, lambda ax: viz.plot_truncation_curve(
        ax, {"r": (np.arange(1, 4), [0.5, 0.8, 1.0], [0.4, 0.9, 1.0])}, k=2, title="c")),
    "plot_truncation_view": (2, lambda axes: viz.plot_truncation_view(
        axes, ch03.truncation_view(k=2, radius=1.5, T=6, H=3))),
    # chapter 4
    "plot_activation_derivatives": (1, lambda ax: viz.plot_activation_derivatives(
        ax, t10, {"a": t10, "b": -t10}, peaks=[(0.0, 0.0, "0")], title="d")),
    "plot_error_flow": (1, lambda ax: viz.plot_error_flow(
        ax, np.arange(3), {"a": np.ones(3), "b": [1.0, 0.1, 0.0]},
        styles={"b": {"linestyle": "--"}}, title="e")),
    "plot_lag_experiment": (1, lambda ax: viz.plot_lag_experiment(
        ax, [2, 4, 6], [10, 50, None], 100, title="l")),
    "plot_training_curves": (1, lambda ax: viz.plot_training_curves(
        ax, {"a": [1.0, 0.5], "b": [2.0, 0.1]}, hline=1.0, hline_label="threshold", title="t")),
    "plot_gradient_norm_view": (1, lambda ax: viz.plot_gradient_norm_view(
        ax, ch04.gradient_norm_view(1.0, "tanh", T=8, H=4), title="g")),
    # chapter 5
    "plot_cec_traces": (1, lambda ax: viz.plot_cec_traces(
        ax, np.eye(6)[1], {"s": np.ones(6), "y": np.eye(6)[4]}, marker=np.eye(6)[1],
        cue=np.eye(6)[4], title="c")),
    "plot_error_flow_view": (1, lambda ax: viz.plot_error_flow_view(
        ax, ch05.error_flow_view(0.9, "tanh", T=8, H=4), scale=0.9)),
    # chapter 6
    "plot_forget_products": (1, lambda ax: viz.plot_forget_products(
        ax, np.arange(5), {"f = 0.5": 0.5 ** np.arange(5), "f = 1": np.ones(5)}, title="f")),
    "plot_gate_schedule": (1, lambda ax: viz.plot_gate_schedule(ax, _run(), unit=1, title="g")),
    "plot_cell_trace": (1, lambda ax: viz.plot_cell_trace(ax, _run(), unit=1, legend=False)),
    "plot_gate_explorer_view": (2, lambda axes: viz.plot_gate_explorer_view(
        axes, ch06.gate_explorer_view(write_at=2, read_at=5, T=8), title="g")),
    # chapter 7
    "plot_peephole_curves": (1, lambda ax: viz.plot_peephole_curves(
        ax, t10, {"cell": t10 / 10, "o": 1 - t10 / 10}, ylabel="y", threshold=0.5,
        styles={"cell": {"linestyle": "--"}}, title="p")),
    "plot_curves_band": (1, lambda ax: viz.plot_curves_band(
        ax, {"a": _rng().uniform(1, 2, (3, 20))}, smooth=5, log=True, title="b")),
    "plot_seed_comparison": (1, lambda ax: viz.plot_seed_comparison(
        ax, {"x": [1.0, 2.0], "y": [1.5, 1.0]}, ylabel="e", log=True, title="s")),
    "plot_paired_differences": (1, lambda ax: viz.plot_paired_differences(
        ax, {"c": paired_comparison(np.arange(5.0), np.arange(5.0) + 0.1)}, ylabel="d",
        title="p")),
    "plot_peephole_timing_view": (2, lambda axes: viz.plot_peephole_timing_view(
        axes, {"p_o = 4": ch07.peephole_timing_view(4.0, -4.0, T=10)})),
    # chapter 8
    "plot_input_target": (1, lambda ax: viz.plot_input_target(
        ax, np.sign(t10 - 4.5), np.sign(t10 - 2.5), valid=t10 > 1, title="x")),
    "plot_state_heatmap": (1, lambda ax: viz.plot_state_heatmap(
        ax, _rng().uniform(-1, 1, (5, 3)), title="h")),
    "plot_grouped_scores": (1, lambda ax: viz.plot_grouped_scores(
        ax, ["g1", "g2"], {"a": np.ones((3, 2)), "b": np.zeros((3, 2))}, chance=0.5,
        title="s")),
    "plot_probe_r2": (1, lambda ax: viz.plot_probe_r2(
        ax, _rng().uniform(0, 1, (2, 2, 3)), ["f1", "f2", "f3"], ["l1", "l2"], title="r")),
    "plot_direction_contributions": (1, lambda ax: viz.plot_direction_contributions(
        ax, ["a", "b"], [1.0, -1.0], [0.5, 0.5], highlight=1, tags=["x", "y"], title="d")),
    "plot_birnn_view": (1, lambda ax: viz.plot_birnn_view(ax, _birnn_view(), title="b")),
    # chapter 9
    "plot_adding_sequence": (1, lambda ax: viz.plot_adding_sequence(
        ax, data.adding_problem(1, 10, seed=0)[0][0], target=0.5)),
    "plot_mse_curves": (1, lambda ax: viz.plot_mse_curves(
        ax, [1, 2], {"a": [0.5, 0.1]}, references={"r": 0.6}, title="m")),
    "plot_grad_reach": (1, lambda ax: viz.plot_grad_reach(
        ax, {"a": np.ones(5), "b": 0.5 ** np.arange(5)}, title="g")),
    "plot_trace_heatmap": (1, lambda ax: viz.plot_trace_heatmap(
        ax, _rng().uniform(0, 1, (8, 3)), marked=[2, 5], cmap=viz.SEQUENTIAL, vmin=0, vmax=1,
        title="i")),
    "plot_final_mse_by_lag": (1, lambda ax: viz.plot_final_mse_by_lag(
        ax, [5, 10], {"a": [0.1, 0.2]}, references={"r": 0.6}, title="f")),
    "plot_long_lag_race": (1, lambda ax: viz.plot_long_lag_race(ax, _race())),
    # chapter 10
    "plot_perplexity_curves": (1, lambda ax: viz.plot_perplexity_curves(
        ax, [10, 20], {"train": [30.0, 8.0], "test": [32.0, 9.0]}, references={"uniform": 40},
        title="p")),
    "plot_next_char_bars": (1, lambda ax: viz.plot_next_char_bars(
        ax, "ab \n", [0.1, 0.2, 0.3, 0.4], top=3, title="n")),
    "plot_temperature_bars": (1, lambda ax: viz.plot_temperature_bars(
        ax, [_next_char_view(0.5), _next_char_view(2.0)], top=3)),
    "plot_next_char_view": (1, lambda ax: viz.plot_next_char_view(ax, _next_char_view(1.0))),
}


def _public_plots():
    return {name for name, fn in inspect.getmembers(viz, inspect.isfunction)
            if name.startswith("plot_") and fn.__module__ == viz.__name__}


def test_every_public_plot_has_a_case():
    assert set(CASES) == _public_plots()


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_draws_on_the_axes_it_is_given_and_returns_them(name):
    n_axes, draw = CASES[name]
    fig = Figure(figsize=(8, 3))
    given = fig.subplots() if n_axes == 1 else fig.subplots(1, n_axes)
    returned = draw(given)
    if name == "plot_batch_stats":  # two axes passed one by one come back as a pair
        assert returned[0] is given[0] and returned[1] is given[1]
    else:
        assert returned is given
    assert all(a.has_data() or a.patches or a.texts for a in np.atleast_1d(given)
               if a.get_visible() and a.axison)
    fig.savefig(io.BytesIO(), format="png", dpi=40)  # legends and layout are drawn too


def test_hidden_trajectories_view_without_a_random_start_explains_its_empty_panel():
    fig = Figure()
    axes = fig.subplots(1, 2)
    view = ch02.hidden_trajectories(1.5, "relu", "zeros", T=8, H=3)
    assert viz.plot_hidden_trajectories_view(axes, view) is axes
    assert not axes[1].axison and "nothing to fade" in axes[1].texts[0].get_text()


def test_log_axes_leave_out_values_that_are_not_positive():
    ax = Figure().subplots()
    viz.plot_state_gap(ax, {"gap": np.array([1.0, 0.1, 0.0])})
    assert ax.get_yscale() == "log"
    assert np.isnan(ax.get_lines()[0].get_ydata()[-1])


def test_trace_heatmap_returns_the_axes_with_the_image_on_them():
    ax = Figure().subplots()
    assert viz.plot_trace_heatmap(ax, np.zeros((20, 3)), marked=[2, 15]) is ax
    assert ax.images[0].get_array().shape == (3, 20)


# --------------------------------------------------------------------------- what they draw
def test_every_io_pattern_draws_and_an_unknown_one_is_refused():
    axes = Figure().subplots(1, len(viz.IO_PATTERNS))
    for ax, kind in zip(axes, viz.IO_PATTERNS, strict=True):
        assert viz.plot_io_pattern(ax, kind) is ax
    with pytest.raises(ValueError, match="kind"):
        viz.plot_io_pattern(axes[0], "one_to_many_to_one")


def test_truncation_view_draws_both_maps_and_the_curves():
    axes = Figure().subplots(1, 2)
    out = viz.plot_truncation_view(axes, ch03.truncation_view(5, 1.5))
    assert len(out[0].images) == 2 and len(out[1].lines) >= 2


def test_chapter_4_plots_draw_each_curve_and_bar():
    axes = Figure().subplots(1, 4)
    viz.plot_gradient_norm_view(axes[0], ch04.gradient_norm_view(0.9, "tanh"))
    assert len(axes[0].lines) >= 2  # the curve and the radius^(T-t) reference
    viz.plot_lag_experiment(axes[1], [2, 4, 6], [10, 50, None], 100)
    assert len(axes[1].patches) == 3
    x = np.linspace(-3, 3, 7)
    viz.plot_activation_derivatives(axes[2], x, {"σ": sigmoid(x)}, peaks=[(0.0, 0.5, "mid")])
    viz.plot_training_curves(axes[3], {"a": [1.0, 0.5], "b": [2.0, 0.1]}, hline=1.0)
    assert len(axes[3].lines) == 3
    with pytest.raises(ValueError, match="one entry per lag"):
        viz.plot_lag_experiment(axes[1], [2, 4], [10], 100)


def test_error_flow_view_draws_rnn_theory_and_cec():
    ax = Figure().subplots()
    assert viz.plot_error_flow_view(ax, ch05.error_flow_view(0.9, T=20), scale=0.9) is ax
    assert len(ax.get_lines()) >= 3


def test_gate_explorer_view_shares_time_and_fits_the_cell():
    view = ch06.gate_explorer_view(write_at=4, write_len=21, read_at=17)
    axes = Figure().subplots(2, 1)
    viz.plot_gate_explorer_view(axes, view, title="t")
    assert axes[1].get_ylim()[1] >= np.abs(view.run.c).max()
    assert axes[0].get_xlim() == axes[1].get_xlim()


def test_peephole_timing_view_draws_a_curve_per_signal():
    axes = Figure().subplots(1, 2)
    viz.plot_peephole_timing_view(axes, {"a": ch07.peephole_timing_view(4.0, -4.0, T=10)})
    assert len(axes[0].get_lines()) >= 2


def test_adding_sequence_names_its_target_and_mse_curves_are_logarithmic():
    X, y = data.adding_problem(1, 20, seed=0)
    axes = Figure().subplots(2, 1)
    viz.plot_adding_sequence(axes[0], X[0], target=y[0, 0])
    assert "target" in axes[0].get_title()
    viz.plot_mse_curves(axes[1], [1, 2], {"a": [0.5, 0.1]}, references={"r": 0.6})
    assert axes[1].get_yscale() == "log"


# --------------------------------------------------------------------------- the source
def _tree():
    return ast.parse(VIZ)


def _palette_lines():
    lines = VIZ.splitlines()
    start = next(k for k, line in enumerate(lines, 1) if line.startswith("# --- palette"))
    end = next(k for k, line in enumerate(lines, 1) if line.startswith("# --- end of palette"))
    return start, end


def _docstrings(tree):
    nodes = (ast.Module, ast.FunctionDef, ast.ClassDef)
    return {id(node.body[0].value) for node in ast.walk(tree) if isinstance(node, nodes)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _names_a_colour(text):
    return bool(re.fullmatch(r"#[0-9a-fA-F]{3,8}|C\d|(tab|xkcd):.+", text)
                or text.lower() in CSS4_COLORS or text in colormaps)


COLOUR_OPTIONS = {"color", "colors", "c", "facecolor", "edgecolor", "fc", "ec", "cmap",
                  "markerfacecolor", "markeredgecolor", "mfc", "mec"}
DRAWING = {"plot", "semilogy", "semilogx", "loglog", "step", "bar", "barh", "scatter",
           "fill_between", "axhline", "axvline", "axhspan", "axvspan", "errorbar", "hist",
           "imshow"}


def test_no_colour_is_written_outside_the_palette():
    tree = _tree()
    start, end = _palette_lines()
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = getattr(node, "lineno", start)
        if start <= where <= end:
            continue
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docs and _names_a_colour(node.value)):
            found.append(f"line {where}: {node.value!r}")
        pairs = []
        if isinstance(node, ast.Call):
            pairs = [(kw.arg, kw.value) for kw in node.keywords]
        elif isinstance(node, ast.Dict):
            pairs = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True)
                     if isinstance(k, ast.Constant)]
        found += [f"line {where}: {key}={ast.unparse(value)}" for key, value in pairs
                  if key in COLOUR_OPTIONS and isinstance(value, ast.Constant)]
    assert not found, f"colours written outside the palette block: {found}"


def test_every_drawing_call_names_its_colour():
    """No reliance on matplotlib's default colour cycle, and no format strings ("ko") that
    could carry a colour: every drawing call passes a colour option (or options by **)."""
    found = []
    for node in ast.walk(_tree()):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DRAWING):
            names = {kw.arg for kw in node.keywords}
            if not (names & COLOUR_OPTIONS or None in names):
                found.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
            found += [f"line {node.lineno}: format string {a.value!r}" for a in node.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    assert not found, f"drawing calls without their own colour: {found}"


def test_no_plot_makes_or_shows_a_figure():
    found = []
    for node in ast.walk(_tree()):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            found += [m for m in modules if "pyplot" in m]
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"show", "subplots", "figure", "Figure", "savefig", "close", "gcf", "gca"}:
                found.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
    assert not found, found


# --------------------------------------------------------------------------- book order
def _book():
    """(number, title) of every chapter, in the table of contents' order."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    chapters = []
    for stem in re.findall(r"file: book/(\d\d_\w+)", toc):
        cells = json.loads((ROOT / "book" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        chapters.append((int(stem[:2]), re.search(r"^# (.+)$", text, re.MULTILINE).group(1)))
    return chapters


def _sections(source):
    """[(chapter number, title, first line, last line)] of a source's chapter sections."""
    heads = [(int(m.group(1)), m.group(2), source.count("\n", 0, m.start()) + 1)
             for m in SECTION.finditer(source)]
    ends = [line - 1 for _, _, line in heads[1:]] + [source.count("\n") + 1]
    return [(n, title, line, end) for (n, title, line), end in zip(heads, ends, strict=True)]


def _chapter_of(line, sections):
    return next((n for n, _, first, last in sections if first <= line <= last), None)


def test_sections_follow_the_chapters_of_the_book():
    book = _book()
    sections = _sections(VIZ)
    assert [n for n, *_ in sections] == [n for n, _ in book], "sections out of the book's order"
    for (n, name, *_), (_, title) in zip(sections, book, strict=True):
        assert title.lower().startswith(name.lower()), f"chapter {n}: {name!r} vs {title!r}"


def test_shared_helpers_come_first_and_every_plot_is_in_a_chapter():
    sections = _sections(VIZ)
    first_chapter = sections[0][2]
    for node in _tree().body:
        if isinstance(node, ast.FunctionDef):
            if node.name.startswith("_"):
                assert node.lineno < first_chapter, f"helper {node.name} below chapter 1"
            else:
                assert _chapter_of(node.lineno, sections), f"{node.name} outside the chapters"


def test_each_plot_sits_in_the_first_chapter_that_draws_it():
    """A chapter draws a plot when its notebook or its explorer (widgets.py's section of that
    chapter) calls it, or calls a plot that calls it."""
    sections = _sections(VIZ)
    widget_sections = _sections(WIDGETS)
    first = {}
    for n, _ in _book():
        notebook = next((ROOT / "book").glob(f"{n:02d}_*.ipynb"))
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for m, _, top, bottom in widget_sections:
            if m == n:
                code += "\n" + "\n".join(WIDGETS.splitlines()[top - 1:bottom])
        for name in re.findall(r"\bviz\.(plot_\w+)", code):
            first.setdefault(name, n)
    defined = {node.name: node for node in _tree().body if isinstance(node, ast.FunctionDef)}
    calls = {name: {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call)
                    and isinstance(c.func, ast.Name) and c.func.id.startswith("plot_")}
             for name, node in defined.items()}
    changed = True
    while changed:  # what a plot calls is drawn (at the latest) where that plot is
        changed = False
        for name, n in list(first.items()):
            for callee in calls.get(name, ()):
                if first.get(callee, n + 1) > n:
                    first[callee], changed = n, True
    misplaced = {name: (_chapter_of(defined[name].lineno, sections), n)
                 for name, n in first.items() if _chapter_of(defined[name].lineno, sections) != n}
    assert not misplaced, f"plot: (its section, the first chapter that draws it): {misplaced}"
