"""Interactive explorers (ipywidgets): wiring only.

Each ``build_*()`` connects its controls to a chapter's model (a pure function in
:mod:`lstmbook.chapters`, tested alone) and to a drawing in :mod:`lstmbook.viz`, through the one
:func:`_explorer` helper. Sections follow the book's order. ipywidgets is imported inside the
functions, so importing this module does not need it.
"""

from __future__ import annotations

from lstmbook import diagrams, viz
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
from lstmbook.data import CUE_VOCAB
from lstmbook.messages import tr


def _explorer(rows, controls, compute, draw, figsize, *, grid=(1, 1), errors=(), text=None,
              summary=None, **subplot_kw):
    """The wiring every ``build_*`` explorer shares: the widget ``rows``, then an HTML summary
    (``text``, made here unless given) and an Output holding the figure, in one VBox.

    Every change of a widget in ``controls`` (a click, for a Button), and once at the start,
    calls ``compute()`` for a view, shows ``summary(view)`` (default ``view.summary``; newlines
    become line breaks) and redraws: ``plt.subplots(*grid, figsize=..., **subplot_kw)``, then
    ``draw(axes, view)``. ``figsize`` is a pair or a function of the view. An exception of a
    type in ``errors`` is shown in red instead, and the old figure stays.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    text = w.HTML() if text is None else text
    out = w.Output()

    def update(*_):
        try:
            view = compute()
        except errors as err:
            text.value = f"<p style='color:#D55E00'>{err}</p>"
            return
        caption = tr(view.summary if summary is None else summary(view))
        text.value = "<p>" + caption.replace("\n", "<br>") + "</p>"
        with out:
            out.clear_output(wait=True)
            fig, axes = plt.subplots(*grid, figsize=figsize(view) if callable(figsize) else figsize,
                                     **subplot_kw)
            draw(axes, view)
            fig.tight_layout()
            plt.show()

    for control in controls:
        if isinstance(control, w.Button):
            control.on_click(update)
        else:
            control.observe(update, names="value")
    update()
    return w.VBox([*rows, text, out])


# --- Chapter 1: sequence data ---
def build_padding_explorer(N=4, T=8, seed=0):
    """Sliders for N, T and the random lengths (seed); shows the padded batch, its mask and
    the steps a many-to-one head reads (red boxes). Needs a live kernel."""
    import ipywidgets as w

    n_slider = w.IntSlider(value=N, min=1, max=8, description=tr("N (batch)"))
    t_slider = w.IntSlider(value=T, min=1, max=12, description=tr("T (steps)"))
    seed_slider = w.IntSlider(value=seed, min=0, max=30, description=tr("lengths seed"))
    readout = w.Checkbox(value=True, description=tr("show many-to-one read-out"))
    return _explorer(
        [w.HBox([n_slider, t_slider]), w.HBox([seed_slider, readout])],
        (n_slider, t_slider, seed_slider, readout),
        lambda: ch01.padding_view(n_slider.value, t_slider.value, seed_slider.value),
        lambda ax, view: viz.plot_padding_view(ax, view, readout=readout.value),
        lambda _: (1.0 + 0.7 * t_slider.value, 0.8 + 0.5 * n_slider.value))


# --- Chapter 2: the RNN forward pass ---
def build_hidden_explorer(scale=0.9, nonlinearity="tanh", init="zeros", seed=0):
    """A slider for the recurrent weight scale (spectral radius of U), menus for the
    nonlinearity and the initial state: shows every hidden unit over 30 steps and how the
    initial state fades. Needs a live kernel."""
    import ipywidgets as w

    s_slider = w.FloatSlider(value=scale, min=0.1, max=2.0, step=0.05,
                             description=tr("radius of U"))
    f_menu = w.Dropdown(options=list(ch02.NONLINEARITIES), value=nonlinearity,
                        description=tr("f"))
    i_menu = w.Dropdown(options=list(ch02.INITS), value=init, description=tr("h_0"))
    seed_slider = w.IntSlider(value=seed, min=0, max=20, description=tr("seed"))
    return _explorer(
        [w.HBox([s_slider, f_menu]), w.HBox([i_menu, seed_slider])],
        (s_slider, f_menu, i_menu, seed_slider),
        lambda: ch02.hidden_trajectories(s_slider.value, f_menu.value, i_menu.value,
                                             seed=seed_slider.value),
        viz.plot_hidden_trajectories_view, (10, 3.2), grid=(1, 2))


# --- Chapter 3: backpropagation through time ---
def build_truncation_explorer(k=4, radius=1.5, T=24):
    """A slider for the truncation length k and a choice of recurrent spectral radius; shows
    which errors truncated BPTT keeps and how close its gradient is to full BPTT's. Needs a
    live kernel."""
    import ipywidgets as w

    k_slider = w.IntSlider(value=k, min=1, max=T, description=tr("k (steps)"))
    radius_box = w.Dropdown(options=[0.9, 1.5], value=radius, description=tr("radius"))
    return _explorer(
        [w.HBox([k_slider, radius_box])], (k_slider, radius_box),
        lambda: ch03.truncation_view(k_slider.value, radius_box.value, T),
        viz.plot_truncation_view, (11, 4.2), grid=(1, 2))


# --- Chapter 4: vanishing and exploding gradients ---
def build_gradient_norm_explorer(radius=1.0, nonlinearity="tanh", T=60):
    """A slider for the recurrent matrix's spectral radius and a choice of nonlinearity; plots
    ‖∂h_T/∂h_t‖ against T − t on a log scale. Needs a live kernel."""
    import ipywidgets as w

    r_slider = w.FloatSlider(value=radius, min=0.25, max=4.0, step=0.05,
                             description=tr("radius"))
    act = w.Dropdown(options=["tanh", "relu", "sigmoid"], value=nonlinearity,
                     description=tr("nonlinearity"))

    def draw(ax, view):
        viz.plot_gradient_norm_view(ax, view, title="how much of the gradient survives T − t steps")
        ax.set_ylim(1e-20, 1e20)

    return _explorer([w.HBox([r_slider, act])], (r_slider, act),
                     lambda: ch04.gradient_norm_view(r_slider.value, act.value, T), draw,
                     (7.5, 4))


# --- Chapter 5: the constant error carousel ---
def build_error_flow_explorer(scale=0.9, nonlinearity="tanh", T=100):
    """A slider for the plain RNN's weight scale and a choice of its activation; plots the error
    reaching each lag for that RNN and for a CEC. Needs a live kernel."""
    import ipywidgets as w

    scale_slider = w.FloatSlider(value=scale, min=0.5, max=3.0, step=0.05,
                                 description=tr("weight scale"))
    act = w.Dropdown(options=[("tanh", "tanh"), ("linear (identity)", "identity")],
                     value=nonlinearity, description=tr("activation"))
    return _explorer(
        [w.HBox([scale_slider, act])], (scale_slider, act),
        lambda: ch05.error_flow_view(scale_slider.value, act.value, T),
        lambda ax, view: viz.plot_error_flow_view(ax, view, scale=scale_slider.value,
                                          nonlinearity=act.value),
        (7.5, 4))


# --- Chapter 6: LSTM gates ---
def build_gate_explorer(write_at=4, forget=1.0, erase_at=None, read_at=17, T=24):
    """Sliders for when the input gate opens, the forget gate's level, when (if ever) the forget
    gate wipes the cell, and when the output gate opens; shows the gates, c_t and h_t, and the
    cell diagram (:func:`lstmbook.diagrams.lstm_cell`) as a live view of the step chosen by
    "cell diagram at t". Needs a live kernel."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    write = w.IntSlider(value=write_at, min=1, max=T, description=tr("input gate opens at t ="),
                        style=style)
    forget_s = w.FloatSlider(value=forget, min=0.0, max=1.0, step=0.01,
                             description=tr("forget gate level"), style=style)
    erase = w.IntSlider(value=erase_at or T, min=1, max=T, description=tr("forget gate 0 at t ="),
                        style=style)
    erase_on = w.Checkbox(value=erase_at is not None, description=tr("wipe the cell once"))
    read = w.IntSlider(value=read_at, min=1, max=T, description=tr("output gate opens at t ="),
                       style=style)
    step = w.IntSlider(value=read_at, min=1, max=T, description=tr("cell diagram at t ="),
                       style=style)

    def with_cell(view):
        # the summary, then the cell diagram as a live view of step `step` of this run
        cell = diagrams.lstm_cell(ch06.gate_run_cache(view.run, step.value))
        return view.summary + "<br>" + cell.html().replace("\n", " ")  # in the reader's language

    return _explorer(
        [w.HBox([write, read]), w.HBox([forget_s, step]), w.HBox([erase, erase_on])],
        (write, forget_s, erase, erase_on, read, step),
        lambda: ch06.gate_explorer_view(write.value, forget_s.value,
                                       erase.value if erase_on.value else None, read.value,
                                       T=T),
        viz.plot_gate_explorer_view, (8, 4.6), grid=(2, 1), sharex=True, summary=with_cell)


# --- Chapter 7: peephole connections ---
def build_peephole_timing_explorer(p_o=4.0, b_o=-4.0, rate=0.07, T=30):
    """Sliders for the output gate's peephole weight p_o and bias b_o and the cell's growth
    rate; plots when the output gate opens. Needs a live kernel."""
    import ipywidgets as w

    p_slider = w.FloatSlider(value=p_o, min=-4.0, max=10.0, step=0.5, description=tr("p_o"))
    b_slider = w.FloatSlider(value=b_o, min=-10.0, max=2.0, step=0.5, description=tr("b_o"))
    r_slider = w.FloatSlider(value=rate, min=0.02, max=0.2, step=0.01, description=tr("rate"))
    return _explorer(
        [w.HBox([p_slider, b_slider, r_slider])], (p_slider, b_slider, r_slider),
        lambda: ch07.peephole_timing_view(p_slider.value, b_slider.value, r_slider.value, T),
        lambda axes, view: viz.plot_peephole_timing_view(axes, {f"p_o = {p_slider.value:g}": view}),
        (11, 3.8), grid=(1, 2))


# --- Chapter 8: variants ---
def build_birnn_explorer(model, sentence=ch08.BIRNN_SENTENCES[0]):
    """Pick or type a sentence (words of the task's vocabulary); see what the forward and the
    backward half of the trained bidirectional ``model`` add to the fruit − company score at
    each word, and the predicted tags. Needs a live kernel."""
    import ipywidgets as w
    choose = w.Dropdown(options=list(ch08.BIRNN_SENTENCES), value=None, description=tr("pick"))
    text = w.Text(value=sentence, description=tr("sentence"), continuous_update=False,
                  layout=w.Layout(width="min(100%, 40em)"))
    vocab = w.HTML(f"<p><small>{tr('Words you can use:')} {', '.join(CUE_VOCAB)}</small></p>")

    def pick(change):
        if change["new"]:
            text.value = change["new"]

    choose.observe(pick, names="value")
    return _explorer(
        [choose, text, vocab], (text,), lambda: ch08.birnn_view(model, text.value),
        viz.plot_birnn_view, lambda view: (1.2 + 0.9 * len(view.words), 3.2), errors=(ValueError,))


# --- Chapter 9: long time lags ---
def build_long_lag_explorer(T=20, hidden=8, iters=600):
    """Sliders for the lag T and the hidden size, and a button that trains an RNN and an LSTM
    live (a few seconds) and draws their test MSE. Needs a live kernel."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    T_s = w.IntSlider(value=T, min=4, max=100, step=2, description=tr("lag T"), style=style)
    H_s = w.IntSlider(value=hidden, min=1, max=32, description=tr("hidden units"), style=style)
    go = w.Button(description=tr("train both"), button_style="primary")
    text = w.HTML()

    def compute():
        go.disabled = True
        text.value = "<p>" + tr(f"training for {iters} iterations at T = {T_s.value}, "
                                f"{H_s.value} hidden units …") + "</p>"
        try:
            return ch09.long_lag_race(T_s.value, H_s.value, iters=iters)
        finally:
            go.disabled = False

    return _explorer(
        [w.HBox([T_s, H_s, go])], (go,), compute, viz.plot_long_lag_race, (7, 3.6), text=text,
        summary=lambda race: (f"After {iters} iterations: RNN test MSE {race.rnn[-1]:.4f}, "
                              f"LSTM test MSE {race.lstm[-1]:.4f}."))



# --- Chapter 10: a language model ---
def build_next_char_explorer(model, prompt="the value of ", temperature=1.0, n_sample=80):
    """Type a prompt and pick a temperature: the trained character model's distribution of the
    next character (bars) and a sampled continuation. Needs a live kernel (the model runs)."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    text = w.Text(value=prompt, description=tr("prompt"), continuous_update=False, style=style,
                  layout=w.Layout(width="min(100%, 30em)"))
    tau = w.FloatSlider(value=temperature, min=0.2, max=2.0, step=0.1,
                        description=tr("temperature"), continuous_update=False, style=style)
    seed = w.IntSlider(value=0, min=0, max=20, description=tr("sample seed"),
                       continuous_update=False, style=style)
    chars = "".join(ch10.char_label(c) for c in model.vocab.chars)
    note = w.HTML(f"<p><small>{tr('Characters the model knows:')} <code>{chars}</code> "
                  f"{tr('(␣ space, ⏎ line break)')}</small></p>")
    return _explorer(
        [text, w.HBox([tau, seed]), note], (text, tau, seed),
        lambda: ch10.next_char_view(model, text.value, tau.value, n_sample=n_sample,
                                    seed=seed.value),
        viz.plot_next_char_view, (8, 3.2), errors=(ValueError,))
