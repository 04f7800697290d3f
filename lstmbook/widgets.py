"""Interactive explorers (ipywidgets). Each is a pure ``_compute_*`` function, tested on its own,
a ``_draw_*`` that hands the result to :mod:`lstmbook.viz`, and a thin ``build_*()`` UI.

ipywidgets (and matplotlib's pyplot) are imported only inside the ``build_*`` functions, so
importing this module needs neither.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook._checks import make_rng, positive_int
from lstmbook.data import last_valid, pad_sequences


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
    import ipywidgets as w  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415

    text = w.HTML() if text is None else text
    out = w.Output()

    def update(*_):
        try:
            view = compute()
        except errors as err:
            text.value = f"<p style='color:#D55E00'>{err}</p>"
            return
        caption = view.summary if summary is None else summary(view)
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


# --------------------------------------------------------------------------- chapter 1: padding
class PaddingView(NamedTuple):
    X: np.ndarray  #: (N, T, D) padded batch (D features per step; padding is 0)
    mask: np.ndarray  #: (N, T) bool
    lengths: np.ndarray  #: (N,) int
    readout: np.ndarray  #: (N, D) what a many-to-one head reads: X at each last valid step
    n_valid: int  #: number of real steps, mask.sum()
    n_slots: int  #: N * T
    summary: str  #: one-paragraph description


def _compute_padding(N=4, T=8, seed=0, D=2) -> PaddingView:
    """Draw ``N`` sequences of random lengths in [1, T] (the longest has exactly T steps), with
    ``D`` features per step, and pad them into one batch ``(N, T, D)``.

    Pure: the same arguments give the same arrays.
    """
    N = positive_int(N, "N")
    T = positive_int(T, "T")
    D = positive_int(D, "D")
    rng = make_rng(seed=seed)
    lengths = rng.integers(1, T + 1, size=N)
    lengths[rng.integers(N)] = T  # pad to T exactly: one sequence is full length
    seqs = [np.round(rng.uniform(-1, 1, size=(int(L), D)), 1) for L in lengths]
    X, mask, lengths = pad_sequences(seqs)
    n_valid, n_slots = int(mask.sum()), N * T
    summary = (
        f"X has shape (N, T, D) = ({N}, {T}, {D}): {n_slots} time slots of {D} features,\n"
        f"{n_valid} real and {n_slots - n_valid} padding ({(n_slots - n_valid) / n_slots:.0%}).\n"
        f"lengths = {lengths.tolist()}: a many-to-one head reads steps {(lengths - 1).tolist()}."
    )
    return PaddingView(X, mask, lengths, last_valid(X, lengths), n_valid, n_slots, summary)


def _draw_padding(ax, view: PaddingView, *, readout=True):
    from lstmbook.viz import plot_padded_batch  # noqa: PLC0415 - matplotlib only when drawing

    N, T, _ = view.X.shape
    return plot_padded_batch(ax, view.mask, values=view.X[:, :, 0], readout=readout,
                             title=f"padded batch: N={N} sequences, T={T} steps (feature 0 shown)")


def build_padding_explorer(N=4, T=8, seed=0):
    """Sliders for N, T and the random lengths (seed); shows the padded batch, its mask and
    the steps a many-to-one head reads (red boxes). Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    n_slider = w.IntSlider(value=N, min=1, max=8, description="N (batch)")
    t_slider = w.IntSlider(value=T, min=1, max=12, description="T (steps)")
    seed_slider = w.IntSlider(value=seed, min=0, max=30, description="lengths seed")
    readout = w.Checkbox(value=True, description="show many-to-one read-out")
    return _explorer(
        [w.HBox([n_slider, t_slider]), w.HBox([seed_slider, readout])],
        (n_slider, t_slider, seed_slider, readout),
        lambda: _compute_padding(n_slider.value, t_slider.value, seed_slider.value),
        lambda ax, view: _draw_padding(ax, view, readout=readout.value),
        lambda _: (1.0 + 0.7 * t_slider.value, 0.8 + 0.5 * n_slider.value))


# --- Chapter 5: the constant error carousel ---
class ErrorFlowView(NamedTuple):
    lags: np.ndarray  #: (T,) steps back from the last step
    rnn: np.ndarray  #: (T,) the plain RNN's error ratio at each lag
    cec: np.ndarray  #: (T,) the CEC's error ratio (all ones)
    theory: np.ndarray  #: (T,) scale ** lag, the linear RNN's exact ratio
    summary: str


def _compute_error_flow(scale=1.0, nonlinearity="tanh", T=100, H=16, seed=0) -> ErrorFlowView:
    """Error against lag for a plain RNN (recurrent matrix ``scale · Q``, ``Q`` orthogonal) and
    for a CEC (:func:`lstmbook.cec.rnn_error_flow`, :func:`lstmbook.cec.cec_error_flow`).

    Pure: the same arguments give the same arrays.
    """
    from lstmbook.cec import cec_error_flow, rnn_error_flow  # noqa: PLC0415

    rnn = rnn_error_flow(scale, T=T, H=H, nonlinearity=nonlinearity, seed=seed)
    cec = cec_error_flow(T=T, seed=seed)
    theory = float(scale) ** rnn.lags.astype(float)
    k = min(50, T - 1)
    summary = (f"{k} steps back, the {nonlinearity} RNN's error is {rnn.ratio[k]:.3g} times the "
               f"error at the end (scale^{k} = {theory[k]:.3g}); the CEC's is "
               f"{cec.ratio[k]:.4f}.")
    return ErrorFlowView(rnn.lags, rnn.ratio, cec.ratio, theory, summary)


def _draw_error_flow(ax, view: ErrorFlowView, *, scale=None, nonlinearity="tanh"):
    from lstmbook.viz import GREY, plot_error_flow  # noqa: PLC0415

    name = f"plain RNN ({nonlinearity}, scale {scale:g})" if scale is not None else "plain RNN"
    curves = {name: view.rnn, "CEC (linear, self-weight 1)": view.cec}
    styles = {"CEC (linear, self-weight 1)": {"linewidth": 3}}
    if scale is not None:
        curves[f"scale^lag = {scale:g}^lag"] = view.theory
        styles[f"scale^lag = {scale:g}^lag"] = {"color": GREY, "linestyle": "--"}
    plot_error_flow(ax, view.lags, curves, styles=styles,
                    title="error flowing back in time: plain RNN against CEC")
    ax.set_ylim(1e-12, 1e12)
    return ax


def build_error_flow_explorer(scale=0.9, nonlinearity="tanh", T=100):
    """A slider for the plain RNN's weight scale and a choice of its activation; plots the error
    reaching each lag for that RNN and for a CEC. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    scale_slider = w.FloatSlider(value=scale, min=0.5, max=3.0, step=0.05,
                                 description="weight scale")
    act = w.Dropdown(options=[("tanh", "tanh"), ("linear (identity)", "identity")],
                     value=nonlinearity, description="activation")
    return _explorer(
        [w.HBox([scale_slider, act])], (scale_slider, act),
        lambda: _compute_error_flow(scale_slider.value, act.value, T),
        lambda ax, view: _draw_error_flow(ax, view, scale=scale_slider.value,
                                          nonlinearity=act.value),
        (7.5, 4))


# --- Chapter 2: the RNN forward pass (hidden-state explorer) ---
_CH2_NONLINEARITIES = ("tanh", "relu")
_CH2_INITS = ("zeros", "random")


class HiddenTrajectories(NamedTuple):
    hs: np.ndarray  #: (T+1, H) hidden states h_0 .. h_T from the chosen initial state
    hs_zero: np.ndarray  #: (T+1, H) the same inputs and weights started from h_0 = 0
    x: np.ndarray  #: (T,) the input sequence (one feature)
    gap: np.ndarray  #: (T+1,) ‖h_t − h_t(zero start)‖: what is left of the initial state
    radius: float  #: spectral radius of the recurrent matrix U (the "scale")
    max_abs: float  #: largest |h_t| entry of the run
    nonlinearity: str  #: "tanh" or "relu"
    summary: str  #: one-paragraph description


def _compute_hidden_trajectories(scale=0.9, nonlinearity="tanh", init="zeros", *, T=30, H=8,
                                 seed=0, init_std=0.1) -> HiddenTrajectories:
    """Run an Elman RNN (:func:`lstmbook.rnn.rnn_step`, {ref}`eq-rnn-hidden`) over one random
    input sequence of ``T`` steps with ``H`` hidden units.

    The recurrent matrix ``U`` is a random matrix (entries N(0, 1/H) plus 0.3, so its largest
    eigenvalue is real and positive) rescaled to spectral radius ``scale``; ``W`` is uniform in
    [-1, 1], ``b = 0``. ``init`` is ``"zeros"`` or ``"random"`` (h_0 ~ N(0, init_std²)); the
    run from ``h_0 = 0`` is always computed too, so ``gap`` shows how the initial state fades.
    Pure: the same arguments give the same arrays.
    """
    from lstmbook.rnn import rnn_step, spectral_radius  # noqa: PLC0415

    scale = float(scale)
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a finite number >= 0, got {scale}")
    if nonlinearity not in _CH2_NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {_CH2_NONLINEARITIES}, got "
                         f"{nonlinearity!r}")
    if init not in _CH2_INITS:
        raise ValueError(f"init must be one of {_CH2_INITS}, got {init!r}")
    T = positive_int(T, "T")
    H = positive_int(H, "H")
    rng = make_rng(seed=seed)
    M = rng.standard_normal((H, H)) / np.sqrt(H) + 0.3
    params = {"W": rng.uniform(-1, 1, (H, 1)), "U": scale * M / spectral_radius(M),
              "b": np.zeros(H)}
    x = rng.uniform(-1, 1, T)
    h0 = rng.normal(0.0, init_std, (1, H))  # drawn either way: both settings see the same x, W
    if init == "zeros":
        h0 = np.zeros((1, H))

    def run(h):
        hs = [h[0]]
        for t in range(T):
            h, _ = rnn_step(x[t:t + 1, None], h, params, nonlinearity)
            hs.append(h[0])
        return np.array(hs)

    with np.errstate(over="ignore", invalid="ignore"):
        hs, hs_zero = run(h0), run(np.zeros((1, H)))
        gap = np.linalg.norm(hs - hs_zero, axis=1)
    max_abs = float(np.max(np.abs(hs)))
    summary = (
        f"{nonlinearity}, spectral radius of U = {scale:.2f}, h_0 = {init}: the largest |h_t| "
        f"entry is {max_abs:.3g}"
        + (" (tanh keeps every unit in (-1, 1))." if nonlinearity == "tanh" else
           " (ReLU has no upper bound)." if max_abs > 1 else ".")
        + (f" The random start is {gap[0]:.3g} from zero at t = 0 and {gap[min(10, T)]:.2g} at "
           f"t = {min(10, T)}." if init == "random" else "")
    )
    return HiddenTrajectories(hs, hs_zero, x, gap, scale, max_abs, nonlinearity, summary)


def _draw_hidden_trajectories(axes, view: HiddenTrajectories, *, title=None):
    """Left: every hidden unit against t; right: ‖h_t − h_t(zero start)‖ (random start only)."""
    from lstmbook.viz import plot_hidden_trajectories, plot_state_gap  # noqa: PLC0415

    tanh = view.nonlinearity == "tanh"
    log = not tanh and view.max_abs > 20
    plot_hidden_trajectories(axes[0], view.hs, bound=1.0 if tanh else None, log=log,
                             title=title or view.summary.split(":")[0])
    if len(axes) > 1:
        if view.gap[0] > 0:
            plot_state_gap(axes[1], {"random h_0 vs zero h_0": view.gap},
                           title="what is left of the initial state")
        else:
            axes[1].text(0.5, 0.5, "h_0 = 0: nothing to fade\n(choose h_0 = random)",
                         ha="center", va="center", transform=axes[1].transAxes)
            axes[1].set_axis_off()
    return axes


def build_hidden_explorer(scale=0.9, nonlinearity="tanh", init="zeros", seed=0):
    """A slider for the recurrent weight scale (spectral radius of U), menus for the
    nonlinearity and the initial state: shows every hidden unit over 30 steps and how the
    initial state fades. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    s_slider = w.FloatSlider(value=scale, min=0.1, max=2.0, step=0.05,
                             description="radius of U")
    f_menu = w.Dropdown(options=list(_CH2_NONLINEARITIES), value=nonlinearity,
                        description="f")
    i_menu = w.Dropdown(options=list(_CH2_INITS), value=init, description="h_0")
    seed_slider = w.IntSlider(value=seed, min=0, max=20, description="seed")
    return _explorer(
        [w.HBox([s_slider, f_menu]), w.HBox([i_menu, seed_slider])],
        (s_slider, f_menu, i_menu, seed_slider),
        lambda: _compute_hidden_trajectories(s_slider.value, f_menu.value, i_menu.value,
                                             seed=seed_slider.value),
        _draw_hidden_trajectories, (10, 3.2), grid=(1, 2))


# --- Chapter 6: LSTM gates (the gate explorer) ---
class GateExplorerView(NamedTuple):
    run: object  #: lstmbook.gates.GateRun: gates, candidate, c_t and h_t over t = 1 … T
    stored: float  #: the cell state right after the write (what the cell holds)
    read: float  #: h_t at the first step the output gate is open (0 if it never opens)
    summary: str  #: one-paragraph description of what happened


def _compute_gate_explorer(write_at=4, forget=1.0, erase_at=None, read_at=17, T=24,
                           write_len=1, read_len=4) -> GateExplorerView:
    """Run one LSTM unit with hand-set gates (:func:`lstmbook.gates.gate_schedule` and
    :func:`lstmbook.gates.run_cell`): the input gate opens at ``write_at``, the forget gate stays
    at ``forget`` (dropping to 0 at ``erase_at`` if given), the output gate opens at
    ``read_at``. Steps are 1 … T. Pure: the same arguments give the same arrays."""
    from lstmbook.gates import gate_schedule, run_cell  # noqa: PLC0415

    T = positive_int(T, "T")
    run = run_cell(**gate_schedule(T, write_at=write_at, write_len=write_len, forget=forget,
                                   erase_at=erase_at, read_at=read_at, read_len=read_len))
    w_end = min(write_at + write_len - 1, T)
    stored = float(run.c[w_end - 1])
    read = float(run.h[read_at - 1]) if read_at is not None else 0.0
    if write_len == 1:
        parts = [f"The input gate opens at t = {write_at} and writes the candidate "
                 f"{run.g[write_at - 1]:+.3f}: the cell now holds c = {stored:+.3f}."]
    else:
        parts = [f"The input gate is open from t = {write_at} to t = {w_end} and adds every "
                 f"candidate offered: at t = {w_end} the cell holds c = {stored:+.3f}."]
    if forget == 1 and w_end == T:
        parts.append("The forget gate is at 1: nothing is erased, so the candidates pile up.")
    elif forget == 1:
        parts.append("The forget gate is at 1: while the input gate is shut, the content is "
                     "kept unchanged.")
    else:
        parts.append(f"The forget gate is at {forget:.2f}: the content shrinks by that factor "
                     "at every step.")
    if erase_at is not None:
        parts.append(f"At t = {erase_at} the forget gate drops to 0 and wipes the cell.")
    if read_at is not None:
        parts.append(f"The output gate opens at t = {read_at}: h = o·tanh(c) = {read:+.3f} "
                     f"(the cell holds c = {run.c[read_at - 1]:+.3f} then).")
    parts.append(f"After the last step c_{T} = {run.c[-1]:+.3f}.")
    return GateExplorerView(run, stored, read, " ".join(parts))


def _draw_gate_explorer(axes, view: GateExplorerView, *, title=None):
    """Draw a :class:`GateExplorerView` on two axes: the gate schedule on ``axes[0]``, the cell
    state and hidden output on ``axes[1]``."""
    from lstmbook.viz import plot_cell_trace, plot_gate_schedule  # noqa: PLC0415

    plot_gate_schedule(axes[0], view.run, title=title)
    axes[0].set_xlabel("")
    plot_cell_trace(axes[1], view.run)
    axes[0].set_xlim(axes[1].get_xlim())  # align the two time axes (c_0 sits at t = 0)
    return axes


def build_gate_explorer(write_at=4, forget=1.0, erase_at=None, read_at=17, T=24):
    """Sliders for when the input gate opens, the forget gate's level, when (if ever) the forget
    gate wipes the cell, and when the output gate opens; shows the gates, c_t and h_t.
    Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    style = {"description_width": "initial"}
    write = w.IntSlider(value=write_at, min=1, max=T, description="input gate opens at t =",
                        style=style)
    forget_s = w.FloatSlider(value=forget, min=0.0, max=1.0, step=0.01,
                             description="forget gate level", style=style)
    erase = w.IntSlider(value=erase_at or T, min=1, max=T, description="forget gate 0 at t =",
                        style=style)
    erase_on = w.Checkbox(value=erase_at is not None, description="wipe the cell once")
    read = w.IntSlider(value=read_at, min=1, max=T, description="output gate opens at t =",
                       style=style)
    return _explorer(
        [w.HBox([write, read]), w.HBox([forget_s]), w.HBox([erase, erase_on])],
        (write, forget_s, erase, erase_on, read),
        lambda: _compute_gate_explorer(write.value, forget_s.value,
                                       erase.value if erase_on.value else None, read.value,
                                       T=T),
        _draw_gate_explorer, (8, 4.6), grid=(2, 1), sharex=True)


# --- Chapter 8: variants (the bidirectional explorer) ---
#: Sentences offered by the bidirectional explorer (any sentence in the task's words works).
BIRNN_SENTENCES = (
    "Apple is something that I like to eat.",
    "Apple is something that I like to charge.",
    "my apple is really something i like to peel.",
    "i like to use my apple.",
    "banana is something that i like to eat.",
)


class BirnnView(NamedTuple):
    words: list  #: the sentence's words
    fwd: np.ndarray  #: (T,) forward half's share of the fruit − company score at each word
    bwd: np.ndarray  #: (T,) backward half's share
    bias: float  #: the head's bias share of that score
    tags: list  #: predicted tag of each word
    noun: int | None  #: index of the first noun (apple, banana, google), or None
    summary: str  #: one-paragraph description


def _compute_birnn_view(model, sentence) -> BirnnView:
    """Run a trained bidirectional tagger (:func:`lstmbook.variants_study.make_tagger` with
    ``bidirectional=True``) on ``sentence`` and split its fruit − company score at every word
    into the forward and the backward half's shares. Pure: no plotting, no globals."""
    from lstmbook import variants_study as vs  # noqa: PLC0415 - keeps import lstmbook light

    tokens = vs.encode(sentence)
    fwd, bwd, bias = vs.direction_contributions(model, tokens)
    fi, ci = vs.TAGS.index("fruit"), vs.TAGS.index("company")
    logits = fwd + bwd + bias
    tags = [vs.TAGS[k] for k in logits.argmax(axis=1)]
    words = vs.decode(tokens)
    nouns = [k for k, w in enumerate(words) if w in vs.NOUNS]
    noun = nouns[0] if nouns else None
    f_m, b_m = fwd[:, fi] - fwd[:, ci], bwd[:, fi] - bwd[:, ci]
    if noun is None:
        summary = "No noun (apple, banana, google) in this sentence: every word is tagged 'other'."
    else:
        summary = (f"At '{words[noun]}' (word {noun + 1}) the fruit − company score is "
                   f"{f_m[noun] + b_m[noun] + bias[fi] - bias[ci]:+.2f}: forward half "
                   f"{f_m[noun]:+.2f}, backward half {b_m[noun]:+.2f}, bias "
                   f"{bias[fi] - bias[ci]:+.2f}. Predicted tag: {tags[noun]}.")
    return BirnnView(words, f_m, b_m, float(bias[fi] - bias[ci]), tags, noun, summary)


def _draw_birnn(ax, view: BirnnView, *, title=None):
    from lstmbook.viz import plot_direction_contributions  # noqa: PLC0415

    return plot_direction_contributions(ax, view.words, view.fwd, view.bwd, highlight=view.noun,
                                        tags=view.tags, title=title)


def build_birnn_explorer(model, sentence=BIRNN_SENTENCES[0]):
    """Pick or type a sentence (words of the task's vocabulary); see what the forward and the
    backward half of the trained bidirectional ``model`` add to the fruit − company score at
    each word, and the predicted tags. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    from lstmbook import variants_study as vs  # noqa: PLC0415

    choose = w.Dropdown(options=list(BIRNN_SENTENCES), value=None, description="pick")
    text = w.Text(value=sentence, description="sentence", continuous_update=False,
                  layout=w.Layout(width="min(100%, 40em)"))
    vocab = w.HTML(f"<p><small>Words you can use: {', '.join(vs.VOCAB)}</small></p>")

    def pick(change):
        if change["new"]:
            text.value = change["new"]

    choose.observe(pick, names="value")
    return _explorer(
        [choose, text, vocab], (text,), lambda: _compute_birnn_view(model, text.value),
        _draw_birnn, lambda view: (1.2 + 0.9 * len(view.words), 3.2), errors=(ValueError,))


# --- Chapter 3: backpropagation through time (truncation explorer) ---
class TruncationView(NamedTuple):
    k: int  #: truncation length
    radius: float  #: spectral radius of the RNN's recurrent matrix
    curve: object  #: lstmbook.gradient_flow.TruncationCurve (cosine, norm ratio for every k)
    mask: np.ndarray  #: (T, T) which (loss step, reached step) pairs truncation keeps
    cosine: float  #: at this k
    norm_ratio: float  #: at this k
    summary: str


def _compute_truncation(k=4, radius=1.5, T=24, H=8, seed=0) -> TruncationView:
    """Full against truncated BPTT for an Elman RNN (recurrent spectral radius ``radius``) and
    a Linear read-out predicting the next value of a noisy sine (``T`` steps, 4 sequences).

    Pure: the same arguments give the same arrays.
    """
    from lstmbook.data import noisy_sine  # noqa: PLC0415
    from lstmbook.gradient_flow import rnn_with_radius, tbptt_mask, truncation_curve  # noqa: PLC0415
    from lstmbook.layers import Linear  # noqa: PLC0415
    from lstmbook.losses import mse  # noqa: PLC0415

    T = positive_int(T, "T")
    k = positive_int(k, "k")
    if k > T:
        raise ValueError(f"k must be at most T = {T}, got {k}")
    X, Y = noisy_sine(4, T, seed=seed)
    rnn = rnn_with_radius(H, radius, seed=seed)
    head = Linear(H, 1, seed=seed + 1)
    curve = truncation_curve(rnn, head, X, Y, mse)
    mask = tbptt_mask(T, k)
    cos, ratio = float(curve.cosine[k - 1]), float(curve.norm_ratio[k - 1])
    kept = float(curve.flow.norms[mask].sum() / curve.flow.norms.sum())
    summary = (f"k = {k}: the error flows back at most {k - 1} steps. The truncated gradient of "
               f"U has cosine {cos:.3f} with the full one and {ratio:.3f} times its norm; "
               f"{kept:.0%} of the total error (summed norms) is kept.")
    return TruncationView(k, float(radius), curve, mask, cos, ratio, summary)


def _draw_truncation(axes, view: TruncationView):
    from lstmbook.viz import plot_error_flow_matrix, plot_truncation_curve  # noqa: PLC0415

    c = view.curve
    plot_error_flow_matrix(axes[0], c.flow.norms, mask=view.mask, k=view.k,
                           title=f"error reaching step t from loss step s (k = {view.k})")
    plot_truncation_curve(axes[1], {f"radius {view.radius:g}": (c.ks, c.cosine, c.norm_ratio)},
                          k=view.k, title="truncated vs full gradient of U")
    return axes


def build_truncation_explorer(k=4, radius=1.5, T=24):
    """A slider for the truncation length k and a choice of recurrent spectral radius; shows
    which errors truncated BPTT keeps and how close its gradient is to full BPTT's. Needs a
    live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    k_slider = w.IntSlider(value=k, min=1, max=T, description="k (steps)")
    radius_box = w.Dropdown(options=[0.9, 1.5], value=radius, description="radius")
    return _explorer(
        [w.HBox([k_slider, radius_box])], (k_slider, radius_box),
        lambda: _compute_truncation(k_slider.value, radius_box.value, T),
        _draw_truncation, (11, 4.2), grid=(1, 2))


# --- Chapter 4: vanishing and exploding gradients (gradient-norm explorer) ---
class GradientNormView(NamedTuple):
    flow: object  #: lstmbook.gradient_flow.GradientFlow
    reference: np.ndarray  #: radius ** lag, what a linear RNN with a normal U would give
    summary: str


def _compute_gradient_norms(radius=1.0, nonlinearity="tanh", T=60, H=32, seed=0):
    """‖∂h_T/∂h_t‖ against T − t (:func:`lstmbook.gradient_flow.jacobian_norms`) and the
    reference curve radius^(T − t). Pure: the same arguments give the same arrays."""
    from lstmbook.gradient_flow import jacobian_norms  # noqa: PLC0415

    flow = jacobian_norms(radius, nonlinearity, T=T, hidden_size=H, seed=seed)
    reference = float(radius) ** flow.lags.astype(float)
    k = min(30, T - 1)
    summary = (f"{nonlinearity}, spectral radius {radius:g}: mean f'(u) = "
               f"{flow.mean_fprime:.3f}; {k} steps back ‖∂h_T/∂h_t‖ = {flow.norms[k]:.2g} "
               f"(radius^{k} = {reference[k]:.2g}).")
    return GradientNormView(flow, reference, summary)


def _draw_gradient_norms(ax, views, *, reference=True, title=None):
    """Draw one or several :class:`GradientNormView` on one log axis."""
    from lstmbook.viz import GREY, plot_error_flow  # noqa: PLC0415

    views = [views] if isinstance(views, GradientNormView) else list(views)
    curves, styles = {}, {}
    for v in views:
        curves[f"{v.flow.nonlinearity}, radius {v.flow.radius:g}"] = v.flow.norms
    if reference and len(views) == 1:
        v = views[0]
        label = f"radius^(T−t) = {v.flow.radius:g}^(T−t)"
        curves[label] = v.reference
        styles[label] = {"color": GREY, "linestyle": "--"}
    plot_error_flow(ax, views[0].flow.lags, curves, styles=styles, title=title)
    ax.set_xlabel("distance T − t (steps back)")
    ax.set_ylabel("‖∂h_T/∂h_t‖ (spectral norm)")
    return ax


def build_gradient_norm_explorer(radius=1.0, nonlinearity="tanh", T=60):
    """A slider for the recurrent matrix's spectral radius and a choice of nonlinearity; plots
    ‖∂h_T/∂h_t‖ against T − t on a log scale. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    r_slider = w.FloatSlider(value=radius, min=0.25, max=4.0, step=0.05,
                             description="radius")
    act = w.Dropdown(options=["tanh", "relu", "sigmoid"], value=nonlinearity,
                     description="nonlinearity")

    def draw(ax, view):
        _draw_gradient_norms(ax, view, title="how much of the gradient survives T − t steps")
        ax.set_ylim(1e-20, 1e20)

    return _explorer([w.HBox([r_slider, act])], (r_slider, act),
                     lambda: _compute_gradient_norms(r_slider.value, act.value, T), draw,
                     (7.5, 4))


# --- Chapter 7: peephole connections (the timing explorer) ---
class PeepholeTimingView(NamedTuple):
    t: np.ndarray  #: (T,) time steps
    c: np.ndarray  #: (T,) the cell, growing by about `rate` per step
    o: np.ndarray  #: (T,) the output gate σ(b_o + p_o c_t)
    h: np.ndarray  #: (T,) the output o_t tanh(c_t)
    fire_step: int  #: first step with o_t >= 0.5 (-1 if never)
    summary: str


def _compute_peephole_timing(p_o=4.0, b_o=-4.0, rate=0.07, T=30) -> PeepholeTimingView:
    """One LSTM unit (:func:`lstmbook.lstm.lstm_step`, H = 1) reading a constant input 1,
    with input and forget gates held open (biases 10), candidate ``g = rate`` and no recurrent
    weights: its cell counts up by ``rate`` per step. Its output gate has bias ``b_o`` and
    peephole ``p_o`` ({ref}`eq-peephole`): with ``p_o > 0`` and ``b_o < 0`` it opens when the
    cell passes ``-b_o / p_o``, so the unit fires at a time set by its weights.

    Pure: the same arguments give the same arrays.
    """
    from lstmbook.lstm import lstm_step  # noqa: PLC0415

    T = positive_int(T, "T")
    for value, name in ((p_o, "p_o"), (b_o, "b_o"), (rate, "rate")):
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not 0 < rate < 1:
        raise ValueError(f"rate must be in (0, 1) (the candidate is a tanh), got {rate}")
    params = {
        "W": np.zeros((4, 1)), "U": np.zeros((4, 1)),
        "b": np.array([10.0, 10.0, np.arctanh(rate), float(b_o)]),
        "p_i": np.zeros(1), "p_f": np.zeros(1), "p_o": np.array([float(p_o)]),
    }
    x = np.ones((1, 1))
    h, c = np.zeros((1, 1)), np.zeros((1, 1))
    cs, os_, hs = np.empty(T), np.empty(T), np.empty(T)
    for t in range(T):
        h, c, cache = lstm_step(x, h, c, params)
        cs[t], os_[t], hs[t] = c[0, 0], cache.o[0, 0], h[0, 0]
    opened = np.flatnonzero(os_ >= 0.5)
    fire = int(opened[0]) if opened.size else -1
    when = (f"o_t passes 0.5 at step {fire} (c_t = {cs[fire]:.2f})" if fire >= 0
            else f"o_t never passes 0.5 (last o_t = {os_[-1]:.3f})")
    summary = f"p_o = {p_o:g}, b_o = {b_o:g}: {when}"
    return PeepholeTimingView(np.arange(T), cs, os_, hs, fire, summary)


def _draw_peephole_timing(axes, views: dict):
    """``views`` maps a label to a :class:`PeepholeTimingView`; draws the output gates on
    ``axes[0]`` and the outputs on ``axes[1]`` (the shared cell in grey on both)."""
    from lstmbook.viz import plot_peephole_curves  # noqa: PLC0415

    first = next(iter(views.values()))
    cell = {"cell c_t": first.c}
    style = {"cell c_t": {"linestyle": "--", "linewidth": 1.5}}
    plot_peephole_curves(axes[0], first.t, {**cell, **{k: v.o for k, v in views.items()}},
                         ylabel="output gate o_t (and cell c_t)", threshold=0.5, styles=style,
                         title="output gate o_t = σ(b_o + p_o c_t)")
    plot_peephole_curves(axes[1], first.t, {**cell, **{k: v.h for k, v in views.items()}},
                         ylabel="output h_t (and cell c_t)", styles=style,
                         title="unit output h_t = o_t tanh(c_t)")
    return axes


def build_peephole_timing_explorer(p_o=4.0, b_o=-4.0, rate=0.07, T=30):
    """Sliders for the output gate's peephole weight p_o and bias b_o and the cell's growth
    rate; plots when the output gate opens. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    p_slider = w.FloatSlider(value=p_o, min=-4.0, max=10.0, step=0.5, description="p_o")
    b_slider = w.FloatSlider(value=b_o, min=-10.0, max=2.0, step=0.5, description="b_o")
    r_slider = w.FloatSlider(value=rate, min=0.02, max=0.2, step=0.01, description="rate")
    return _explorer(
        [w.HBox([p_slider, b_slider, r_slider])], (p_slider, b_slider, r_slider),
        lambda: _compute_peephole_timing(p_slider.value, b_slider.value, r_slider.value, T),
        lambda axes, view: _draw_peephole_timing(axes, {f"p_o = {p_slider.value:g}": view}),
        (11, 3.8), grid=(1, 2))


# --- Chapter 9: long time lags (the RNN/LSTM race on the adding problem) ---
def _compute_long_lag_race(T=20, hidden=8, *, iters=600, seed=0):
    """Train an RNN and an LSTM of ``hidden`` units on the adding problem with lag ``T``
    (:func:`lstmbook.long_lags.race`, a short schedule); returns the
    :class:`lstmbook.long_lags.Race` with both test-MSE curves. Pure: same arguments, same
    curves."""
    from lstmbook.long_lags import race  # noqa: PLC0415

    T = positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be >= 2 (one marker in each half), got {T}")
    return race(T, positive_int(hidden, "hidden"), iters=positive_int(iters, "iters"),
                seed=seed)


def _draw_long_lag_race(ax, view, *, title=None):
    """Both test-MSE curves of a :class:`lstmbook.long_lags.Race` with the two reference
    levels (predicting the mean; remembering one value)."""
    from lstmbook.long_lags import mean_predictor_mse, one_value_mse  # noqa: PLC0415
    from lstmbook.viz import plot_mse_curves  # noqa: PLC0415

    return plot_mse_curves(
        ax, view.eval_steps, {"RNN": view.rnn, "LSTM": view.lstm},
        references={"predict the mean (2/3)": mean_predictor_mse(),
                    "remember one value (1/3)": one_value_mse()},
        title=title or f"T = {view.T}, {view.hidden} hidden units")


def build_long_lag_explorer(T=20, hidden=8, iters=600):
    """Sliders for the lag T and the hidden size, and a button that trains an RNN and an LSTM
    live (a few seconds) and draws their test MSE. Needs a live kernel."""
    import ipywidgets as w  # noqa: PLC0415

    style = {"description_width": "initial"}
    T_s = w.IntSlider(value=T, min=4, max=100, step=2, description="lag T", style=style)
    H_s = w.IntSlider(value=hidden, min=1, max=32, description="hidden units", style=style)
    go = w.Button(description="train both", button_style="primary")
    text = w.HTML()

    def compute():
        go.disabled = True
        text.value = (f"<p>training for {iters} iterations at T = {T_s.value}, "
                      f"{H_s.value} hidden units …</p>")
        try:
            return _compute_long_lag_race(T_s.value, H_s.value, iters=iters)
        finally:
            go.disabled = False

    return _explorer(
        [w.HBox([T_s, H_s, go])], (go,), compute, _draw_long_lag_race, (7, 3.6), text=text,
        summary=lambda race: (f"After {iters} iterations: RNN test MSE {race.rnn[-1]:.4f}, "
                              f"LSTM test MSE {race.lstm[-1]:.4f}."))
