"""Every drawing of the book, as pure plotting functions: ``plot_*(ax, data, ...) -> ax``.

The contract, for every public ``plot_*``: it draws on the matplotlib ``Axes`` it is given (or
on the axes it is given, for a figure of several panels) and returns exactly what it was given;
it creates no figure, shows nothing (no ``plt.show``), reads no globals and computes none of
the book's maths: the chapter modules (:mod:`lstmbook.chapters`) compute, a plot arranges their
numbers on the axes. (A heat map adds its colour bar beside its axes, in the same figure.) The
caller makes the figure, lays it out and shows it.

Every colour comes from the palette block below (the book's colours from
:mod:`lstmbook.palette`, the plots' own extras here). The line plots share one core, :func:`_curves`
("labelled curves against x"), and every plot ends with :func:`_finish` (labels, grid, legend,
title). The sections follow the book's chapters; each holds that chapter's plots, its
explorer's drawing last. matplotlib is imported only here (and only by callers of this module),
so ``import lstmbook`` stays light.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator, NullFormatter

from lstmbook.chapters import ch09_long_time_lags as ch09
from lstmbook.chapters import ch10_language_model as ch10
from lstmbook.palette import BLUE, GREEN, GREY, INK, ORANGE, PURPLE, SKY, VERMILION, YELLOW

# --- palette: every colour the figures use ---
# The book's colours (Okabe & Ito's colour-blind-safe set, the grey, the ink of outlines,
# reference levels and per-seed marks) come from lstmbook.palette (imported above), shared
# with the diagrams, and are re-exported here for the notebooks (viz.BLUE, ...).

# The plots' own extras: greys for what is not the subject, pale fills for backgrounds of cells.
DARK_GREY = "#555555"  # arrows, the y = 0 line, secondary text
LIGHT_GREY = "#E4E4E4"  # padding cells, errors truncation cuts, "not learned" bars
PALE_BLUE = "#CFE3F3"  # real steps of a padded batch
PALE_ORANGE = "#F2E6C9"  # the highlighted word
PAPER = "white"  # lines between grid cells, text on dark boxes
SEQUENTIAL, DIVERGING = "viridis", "RdBu_r"  # colour maps: magnitudes; signed values

# Colour orders for several curves (the k-th curve takes the k-th colour).
CYCLE = (BLUE, ORANGE, GREEN, VERMILION, PURPLE, INK, SKY, YELLOW)
CONTRAST = (VERMILION, BLUE, GREEN, ORANGE)  # warm: the model that struggles; cool: it copes
BASELINE_FIRST = (GREY, *CYCLE)  # a baseline in grey, then the others
# --- end of palette ---

REFERENCE = {"color": INK, "linestyle": ":", "linewidth": 1}  # a reference level
ZERO = {"color": DARK_GREY, "linestyle": "-", "linewidth": 0.6}  # the line y = 0
LEGEND = {"fontsize": 8, "framealpha": 0.9}
TITLE_SIZE = 10


# --- shared helpers ---
def _finish(ax, title=None, legend=None, *, xlabel=None, ylabel=None, grid=None,
            title_loc="center"):
    """The closing lines every plot shares: axis labels, a light ``grid`` (True, or "x"/"y"
    for one axis), the ``legend`` (None: none; a location such as "best"; or a dict of legend
    options) and the ``title``. Returns ``ax``."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if grid:
        ax.grid(True, axis="both" if grid is True else grid, alpha=0.3)
    if legend is not None:
        ax.legend(**{**LEGEND, **({"loc": legend} if isinstance(legend, str) else legend)})
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE, loc=title_loc)
    return ax


def _curves(ax, x, curves, *, colors=CYCLE, base=None, styles=None, logy=False, hlines=(),
            title=None, legend=None, **finish):
    """The core of every line plot: each ``label -> y`` of ``curves`` as a line against ``x``
    (None: 0, 1, …, len(y) − 1), the k-th in ``colors[k]``, with the line options ``base`` and
    then ``styles[label]`` on top. ``logy`` puts y on a log axis, where values <= 0 are left
    out. ``hlines`` are ``(y, options)`` levels drawn like :data:`REFERENCE` unless the options
    say otherwise (a ``label`` puts one in the legend). Ends with :func:`_finish` (``title``,
    ``legend`` and the ``finish`` options). Returns ``ax``."""
    for k, (label, y) in enumerate(curves.items()):
        y = np.asarray(y, dtype=float)
        if logy:
            y = np.where(y > 0, y, np.nan)
        style = {"color": colors[k % len(colors)], **(base or {}), **(styles or {}).get(label, {})}
        ax.plot(np.arange(len(y)) if x is None else x, y, label=label, **style)
    for level, options in hlines:
        ax.axhline(level, **{**REFERENCE, **options})
    if logy:
        ax.set_yscale("log")
    return _finish(ax, title, legend, **finish)


def _cycled(labels, **options):
    """Per-label line options, each option cycling through its values:
    ``_cycled(curves, linestyle=("-", "--"))`` gives the curves solid and dashed in turn."""
    return {label: {key: values[k % len(values)] for key, values in options.items()}
            for k, label in enumerate(labels)}


def _references(ax, references, at, *, right=False):
    """Each ``label -> value`` of ``references`` as a dotted level with its label written at
    x = ``at`` (to the left of it when ``right``)."""
    for label, value in (references or {}).items():
        ax.axhline(value, **REFERENCE)
        ax.annotate(label, (at, value), xytext=(-4 if right else 2, 3), textcoords="offset points",
                    ha="right" if right else "left", va="bottom", fontsize=8)


def _heatmap(ax, A, *, cmap, vmin, vmax, ylabel, title):
    """A ``(T, H)`` array of one sequence as an image, units down and time across, with a
    colour bar beside it. Returns ``ax``."""
    A = np.asarray(A, dtype=float)
    im = ax.imshow(A.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_yticks(range(A.shape[1]))
    ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    return _finish(ax, title, ylabel=ylabel, title_loc="left")


def _box(ax, x, y, text, color, w=0.74, h=0.56):
    ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, facecolor=color, edgecolor=INK,
                           linewidth=1, alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=12,
            color=PAPER if color in (BLUE, VERMILION, GREEN) else INK)


def _arrow(ax, p, q):
    ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=10, color=DARK_GREY,
                                 linewidth=1))


def _unit(a, unit):
    """One unit's values of a gate or state array (``(T,)`` as it is; ``(T, H)``: column
    ``unit``, default 0)."""
    a = np.asarray(a)
    return a if a.ndim <= 1 else a[..., 0 if unit is None else unit]


# --- Chapter 1: sequence data ---
IO_PATTERNS = ("many_to_many", "many_to_one", "seq_to_seq")


def plot_io_pattern(ax, kind, *, T=4, T_out=3, title=None):
    """Diagram of one input/output pattern of a recurrent network, unrolled over time.

    ``kind`` is ``"many_to_many"`` (an output at every step: T outputs for T inputs),
    ``"many_to_one"`` (one output, read at the last step) or ``"seq_to_seq"`` (read all T
    inputs, then emit ``T_out`` outputs: the lengths may differ). Inputs are orange boxes at the
    bottom, hidden states blue in the middle (arrows to the right carry the state), outputs
    green on top.
    """
    if kind not in IO_PATTERNS:
        raise ValueError(f"kind must be one of {IO_PATTERNS}, got {kind!r}")
    steps = T + (T_out if kind == "seq_to_seq" else 0)
    for t in range(steps):
        reading = t < T
        if reading:
            _box(ax, t, 0, f"$x_{{{t + 1}}}$", ORANGE)
            _arrow(ax, (t, 0.25), (t, 0.75))
        _box(ax, t, 1, f"$h_{{{t + 1}}}$", BLUE)
        if t > 0:
            _arrow(ax, (t - 0.65, 1), (t - 0.35, 1))
        out = (
            kind == "many_to_many"
            or (kind == "many_to_one" and t == T - 1)
            or (kind == "seq_to_seq" and not reading)
        )
        if out:
            label = f"$y_{{{t + 1 - (T if kind == 'seq_to_seq' else 0)}}}$"
            if kind == "many_to_one":
                label = "$y$"
            _arrow(ax, (t, 1.25), (t, 1.75))
            _box(ax, t, 2, label, GREEN)
    ax.set_xlim(-0.6, max(steps, 4) - 0.4)
    ax.set_ylim(-0.5, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return _finish(ax, title)


def plot_sequences(ax, X, *, lengths=None, channel=0, title=None, max_lines=8):
    """Line plot of ``X[n, :T_n, channel]`` for the first ``max_lines`` sequences of a batch
    ``X (N, T, D)``; each line stops at its sequence's length (``lengths``, default T)."""
    X = np.asarray(X)
    N, T = X.shape[:2]
    lengths = np.full(N, T) if lengths is None else np.asarray(lengths)
    curves = {f"n={n}": X[n, : lengths[n], channel] for n in range(min(N, max_lines))}
    return _curves(ax, None, curves, base={"marker": "o", "markersize": 3}, title=title,
                   xlabel="time step t", ylabel=f"x[n, t, {channel}]")


def plot_padded_batch(ax, mask, *, values=None, readout=True, title=None):
    """A padded batch as an ``(N, T)`` grid: real steps coloured, padding grey and hatched.

    ``mask`` is the ``(N, T)`` boolean mask; ``values`` (optional, ``(N, T)``) colours the real
    steps by value (shown as numbers in the cells); with ``readout`` a thick box marks each
    sequence's last valid step, the one a many-to-one head reads.
    """
    mask = np.asarray(mask, dtype=bool)
    N, T = mask.shape
    lengths = mask.sum(axis=1)
    ax.imshow(mask.astype(float), cmap=ListedColormap([LIGHT_GREY, PALE_BLUE]), vmin=0, vmax=1,
              aspect="auto", interpolation="nearest")
    for n in range(N):
        for t in range(T):
            if mask[n, t]:
                text = f"{values[n, t]:.1f}" if values is not None else "x"
                ax.text(t, n, text, ha="center", va="center", fontsize=9, color=INK)
            else:
                ax.add_patch(Rectangle((t - 0.5, n - 0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor=GREY, linewidth=0))
                ax.text(t, n, "pad", ha="center", va="center", fontsize=8, color=DARK_GREY)
        if readout and lengths[n] > 0:
            ax.add_patch(Rectangle((lengths[n] - 1.42, n - 0.42), 0.84, 0.84, fill=False,
                                   edgecolor=VERMILION, linewidth=2.5, zorder=5))
    ax.set_xticks(range(T))
    ax.set_yticks(range(N))
    ax.set_yticklabels([f"n={n}  (T_n={lengths[n]})" for n in range(N)])
    ax.set_xticks(np.arange(-0.5, T), minor=True)
    ax.set_yticks(np.arange(-0.5, N), minor=True)
    ax.grid(which="minor", color=PAPER, linewidth=2)
    ax.tick_params(which="minor", length=0)
    return _finish(ax, title, xlabel="time step t")


def plot_padding_view(ax, view, *, readout=True):
    """The padding explorer's drawing of a
    :class:`~lstmbook.chapters.ch01_sequence_data.PaddingView`: its batch, feature 0 shown."""
    N, T, _ = view.X.shape
    return plot_padded_batch(ax, view.mask, values=view.X[:, :, 0], readout=readout,
                             title=f"padded batch: N={N} sequences, T={T} steps (feature 0 shown)")


# --- Chapter 2: the RNN forward pass ---
def plot_recall_predictions(ax, target, predictions, *, title=None, t0=0):
    """A delayed-recall test sequence: the ``target (T,)`` as black dots and each model's
    prediction (``predictions``: name -> ``(T,)``) as a line, from step ``t0`` on."""
    target = np.asarray(target)
    t = np.arange(t0, len(target))
    ax.plot(t, target[t0:], color=INK, linestyle="none", marker="o", markersize=4,
            label="target", zorder=3)
    return _curves(ax, t, {name: np.asarray(p)[t0:] for name, p in predictions.items()},
                   base={"linewidth": 1.6}, title=title, legend={"loc": "upper right", "ncol": 2},
                   xlabel="time step t", ylabel="value")


def plot_hidden_trajectories(ax, hs, *, title=None, bound=None, log=False):
    """Every unit of one hidden-state sequence ``hs (T+1, H)`` (rows h_0 .. h_T) against t.

    ``bound`` draws dashed lines at ±bound (e.g. 1 for tanh's range); ``log`` plots |h| on a
    logarithmic axis (for states that grow without limit).
    """
    hs = np.asarray(hs, dtype=float)
    units = {f"unit {j}": np.abs(hs[:, j]) if log else hs[:, j] for j in range(hs.shape[1])}
    levels = () if bound is None else (1,) if log else (-1, 1)
    return _curves(ax, None, units, base={"linewidth": 1.2, "alpha": 0.85}, logy=log,
                   hlines=[(s * bound, {"linestyle": "--"}) for s in levels], title=title,
                   xlabel="time step t", ylabel="|h_t| per unit (log)" if log else "h_t per unit")


def plot_state_gap(ax, gaps, *, title=None):
    """Semi-log plot of ‖h_t − h'_t‖ against t for each entry of ``gaps`` (label -> ``(T+1,)``):
    how far two runs that differ only in their initial state are apart at each step."""
    return _curves(ax, None, gaps, base={"marker": "o", "markersize": 3}, logy=True, title=title,
                   legend="best", xlabel="time step t", ylabel="‖h_t − h_t(zero start)‖")


def plot_perturbation(ax, changes, *, t_perturbed=0, title=None):
    """|Δy_t| at every step after changing the input at ``t_perturbed``, one line per model
    (``changes``: name -> ``(T,)``)."""
    _curves(ax, None, changes, base={"markersize": 4},
            styles=_cycled(changes, marker=("o", "s", "^", "v")), title=title, legend="best",
            xlabel="time step t", ylabel="|change in output y_t|")
    ax.axvline(t_perturbed, color=GREY, linestyle=":", linewidth=2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.annotate("input changed here", (t_perturbed, ax.get_ylim()[1] * 0.9),
                xytext=(6, 0), textcoords="offset points", fontsize=8, va="top")
    return ax


def plot_batch_stats(ax_count, ax_mean, count, mean, *, feature=0):
    """Per-step batch statistics of a padded batch: on ``ax_count`` how many sequences are
    still running at each step (bars), on ``ax_mean`` the batch mean of one ``feature`` at each
    step (the statistic batch normalisation would need separately for every step). Returns
    ``(ax_count, ax_mean)``."""
    t = np.arange(len(count))
    ax_count.bar(t, np.asarray(count), color=BLUE)
    _finish(ax_count, "samples behind each step's statistics", xlabel="time step t",
            ylabel="sequences still running")
    _curves(ax_mean, t, {f"unit {feature}": np.asarray(mean)[:, feature]}, colors=(VERMILION,),
            base={"marker": "o"}, title="the statistics change from step to step",
            xlabel="time step t", ylabel=f"batch mean of unit {feature}")
    return ax_count, ax_mean


def plot_hidden_trajectories_view(axes, view, *, title=None):
    """The hidden-state explorer's drawing of a
    :class:`~lstmbook.chapters.ch02_rnn_forward.HiddenTrajectories`: on ``axes[0]`` every
    hidden unit against t; on ``axes[1]``, if given, ‖h_t − h_t(zero start)‖ (random start
    only). Returns ``axes``."""
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


# --- Chapter 3: backpropagation through time ---
def plot_error_flow_matrix(ax, norms, *, mask=None, k=None, title=None, vmin=None):
    """Where the error of each loss step goes: ``norms[s, t]`` = ‖∂E_s/∂h_t‖ as a heat map,
    loss step s down the rows, the step t it reaches across the columns (log colour scale).

    ``mask`` (boolean, same shape) marks what truncated BPTT keeps: the other reached cells
    are flat grey (error computed by full BPTT, cut by truncation); ``k`` draws the chunk
    boundaries. The colour scale spans ``vmin`` (default: the largest value / 1000) to the
    largest value. Returns ``ax`` (the image is ``ax.images[0]``, for a colour bar).
    """
    norms = np.asarray(norms, dtype=float)
    T = norms.shape[0]
    reached = np.tril(np.ones((T, T), dtype=bool))
    top = float(np.max(np.where(reached, norms, 0.0)))
    vmax = top if top > 0 else 1.0
    vmin = vmax / 1000 if vmin is None else float(vmin)
    shown = np.where(reached, np.maximum(norms, vmin), np.nan)
    ax.imshow(shown, norm=LogNorm(vmin=vmin, vmax=vmax), cmap=SEQUENTIAL, origin="upper",
              interpolation="nearest")
    if mask is not None:
        cut = reached & ~np.asarray(mask, dtype=bool)
        ax.imshow(np.where(cut, 1.0, np.nan), cmap=ListedColormap([LIGHT_GREY]), vmin=0, vmax=1,
                  origin="upper", interpolation="nearest")
    if k is not None and k < T:
        for edge in range(k, T, k):
            ax.axvline(edge - 0.5, color=VERMILION, linewidth=1.2)
            ax.axhline(edge - 0.5, color=VERMILION, linewidth=1.2)
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylim(T - 0.5, -0.5)
    return _finish(ax, title, xlabel="step t the error reaches", ylabel="loss step s")


def plot_truncation_curve(ax, curves, *, k=None, title=None):
    """Truncated against full BPTT for every truncation length k.

    ``curves`` maps a label to ``(ks, cosine, norm_ratio)``: the cosine between the truncated
    and the full U-gradient (solid) and the ratio of their norms (dashed). ``k`` marks the
    current truncation length with a vertical line.
    """
    for i, (label, (ks, cosine, ratio)) in enumerate(curves.items()):
        pair = {f"{label}: cosine": cosine, f"{label}: norm ratio": ratio}
        _curves(ax, ks, pair, colors=(CYCLE[i % len(CYCLE)],),
                styles={f"{label}: cosine": {"marker": "o", "markersize": 3, "linewidth": 1.6},
                        f"{label}: norm ratio": {"linestyle": "--", "linewidth": 1.3}})
    ax.axhline(1.0, **{**REFERENCE, "color": GREY})
    if k is not None:
        ax.axvline(k, color=INK, linewidth=1, alpha=0.6)
    return _finish(ax, title, "lower right", xlabel="truncation length k (steps)",
                   ylabel="truncated vs full gradient of U", grid=True)


def plot_truncation_view(axes, view):
    """The truncation explorer's drawing of a :class:`~lstmbook.chapters.ch03_bptt.TruncationView`:
    what truncated BPTT keeps on ``axes[0]``, how close its gradient is on ``axes[1]``. Returns
    ``axes``."""
    c = view.curve
    plot_error_flow_matrix(axes[0], c.flow.norms, mask=view.mask, k=view.k,
                           title=f"error reaching step t from loss step s (k = {view.k})")
    plot_truncation_curve(axes[1], {f"radius {view.radius:g}": (c.ks, c.cosine, c.norm_ratio)},
                          k=view.k, title="truncated vs full gradient of U")
    return axes


# --- Chapter 4: vanishing and exploding gradients ---
def plot_activation_derivatives(ax, x, curves, *, peaks=(), title=None):
    """Functions of ``x`` (label -> values) as lines; ``peaks`` is a sequence of
    ``(x0, y0, text)`` marked with a dot and a note (the maxima of σ' and tanh')."""
    _curves(ax, x, curves, base={"linewidth": 1.8}, styles=_cycled(curves, linestyle=("-", "--")),
            hlines=[(0, ZERO)], title=title, legend="upper left", xlabel="x", grid=True)
    for x0, y0, text in peaks:
        ax.plot([x0], [y0], color=INK, linestyle="none", marker="o", markersize=5)
        ax.annotate(text, (x0, y0), xytext=(12, 4), textcoords="offset points", fontsize=9)
    return ax


def plot_error_flow(ax, lags, curves, *, title=None, styles=None):
    """Error reaching each lag, relative to the error injected at lag 0, on a log axis (drawn
    first in chapter 4, for gradient norms, and again in chapter 5).

    ``curves`` maps a label to an array of ratios (one per lag); ``styles`` (optional) maps a
    label to a dict of matplotlib line options. The line ratio = 1 (constant error) is dotted.
    """
    return _curves(ax, np.asarray(lags), curves, base={"linewidth": 1.8}, styles=styles,
                   logy=True, hlines=[(1.0, {"color": GREY})], title=title, legend="best",
                   xlabel="lag: steps back in time",
                   ylabel="error reaching that step / error at the end", grid=True)


def plot_lag_experiment(ax, lags, steps, max_steps, *, title=None):
    """Training steps a plain RNN needed to learn each lag; a hatched grey bar reaching
    ``max_steps`` means "not learned within the budget" (``steps`` entry None)."""
    lags = list(lags)
    if len(steps) != len(lags):
        raise ValueError(f"steps must have one entry per lag ({len(lags)}), got {len(steps)}")
    for i, n in enumerate(steps):
        if n is None:
            ax.bar(i, max_steps, color=LIGHT_GREY, edgecolor=GREY, hatch="///")
            ax.text(i, max_steps, "not\nlearned", ha="center", va="bottom", fontsize=8)
        else:
            ax.bar(i, n, color=BLUE)
            ax.text(i, n, str(n), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(lags)))
    ax.set_xticklabels([str(lag) for lag in lags])
    ax.set_yscale("log")
    ax.set_ylim(10, max_steps * 4)
    return _finish(ax, title, xlabel="lag (steps the bit must be kept)",
                   ylabel="training steps to 95 % accuracy")


def plot_training_curves(ax, curves, *, ylabel="loss", logy=True, hline=None,
                         hline_label=None, title=None):
    """Curves against the training step (label -> values), on a log axis by default;
    ``hline`` draws a horizontal reference (a clipping threshold). For values near the float64
    limit (1e300 and up) pass ``np.log10(values)`` with ``logy=False``: matplotlib's log-axis
    ticks overflow there."""
    hlines = () if hline is None else [(hline, {"linewidth": 1.2, "label": hline_label})]
    return _curves(ax, None, curves, colors=CONTRAST, base={"linewidth": 1.4}, logy=logy,
                   hlines=hlines, title=title, legend="best", xlabel="training step",
                   ylabel=ylabel, grid=True)


def plot_gradient_norm_view(ax, views, *, reference=True, title=None):
    """The gradient-norm explorer's drawing of one or several
    :class:`~lstmbook.chapters.ch04_gradient_problems.GradientNormView` on one log axis; with
    ``reference`` (and one view) the dashed radius^(T−t) beside it."""
    views = [views] if hasattr(views, "flow") else list(views)
    curves, styles = {}, {}
    for v in views:
        curves[f"{v.flow.nonlinearity}, radius {v.flow.radius:g}"] = v.flow.norms
    if reference and len(views) == 1:
        v = views[0]
        label = f"radius^(T−t) = {v.flow.radius:g}^(T−t)"
        curves[label] = v.reference
        styles[label] = {"color": GREY, "linestyle": "--"}
    plot_error_flow(ax, views[0].flow.lags, curves, styles=styles, title=title)
    return _finish(ax, xlabel="distance T − t (steps back)", ylabel="‖∂h_T/∂h_t‖ (spectral norm)")


# --- Chapter 5: the constant error carousel ---
def plot_cec_traces(ax, x, traces, *, marker=None, cue=None, title=None):
    """One sequence through memory cells: the inputs ``x (T,)`` as grey bars, each trace of
    ``traces`` (label -> ``(T,)``) as a line; the ``marker`` step (store) and ``cue`` step (read)
    as vertical bands."""
    x = np.asarray(x)
    t = np.arange(len(x))
    ax.bar(t, x, color=GREY, width=0.6, label="input x_t")
    _curves(ax, t, traces, base={"marker": "o"}, hlines=[(0, ZERO)],
            styles=_cycled(traces, markersize=(4, 3, 2), linewidth=(3.0, 2.0, 1.0),
                           linestyle=("-", "--", ":", "-.")))
    for steps, color, name in ((marker, GREEN, "marker: store"), (cue, VERMILION, "cue: read")):
        if steps is not None:
            for s in np.flatnonzero(np.asarray(steps)):
                ax.axvspan(s - 0.45, s + 0.45, color=color, alpha=0.18, label=name)
    ax.set_xticks(t[::2] if len(t) > 12 else t)
    return _finish(ax, title, {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncol": 3},
                   xlabel="time step t")


def plot_error_flow_view(ax, view, *, scale=None, nonlinearity="tanh"):
    """The error-flow explorer's drawing of an :class:`~lstmbook.chapters.ch05_cec.ErrorFlowView`:
    the plain RNN against the CEC, with the dashed scale^lag when ``scale`` is given."""
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


# --- Chapter 6: LSTM gates ---
def plot_forget_products(ax, lags, curves, *, title=None):
    """How much of the error survives ``lags`` steps along the cell: one line per forget
    level (``curves``: label -> values, e.g. f^lag), on a logarithmic y axis."""
    return _curves(ax, lags, curves, base={"linewidth": 2}, logy=True, title=title, legend="best",
                   styles=_cycled(curves, linestyle=("-", "--", "-.", ":", "-", "--")),
                   xlabel="lag T − t (steps)",
                   ylabel="$\\partial c_T / \\partial c_t$ along the cell")


def plot_gate_schedule(ax, run, *, unit=None, title=None, legend=True):
    """The gate openness of a :class:`~lstmbook.chapters.ch06_lstm_gates.GateRun` over time, as
    step lines.

    Input gate i (orange), forget gate f (blue), output gate o (green), each in [0, 1], and the
    candidate c̃ = g (grey bars, in [−1, 1]) that the input gate may write. ``unit`` picks one
    unit when the run has shape ``(T, H)``.
    """
    i = _unit(run.i, unit)
    t = np.arange(1, len(i) + 1)
    ax.bar(t, _unit(run.g, unit), width=0.6, color=GREY, label="candidate $\\tilde c_t = g_t$")
    gates = {"forget gate $f_t$": _unit(run.f, unit) + 0.02,  # nudged apart where they coincide
             "input gate $i_t$": i, "output gate $o_t$": _unit(run.o, unit) - 0.02}
    _curves(ax, t, gates, colors=(BLUE, ORANGE, GREEN),
            base={"drawstyle": "steps-mid", "linewidth": 2},
            styles={"output gate $o_t$": {"linestyle": "--"}}, hlines=[(0, ZERO)], title=title,
            legend={"loc": "lower left", "ncol": 2} if legend else None,
            xlabel="time step t", ylabel="openness / value")
    ax.set_ylim(-1.05, 1.15)
    ax.set_xlim(0.4, t[-1] + 0.6)
    return ax


def plot_cell_trace(ax, run, *, unit=None, title=None, legend=True):
    """Cell state c_t (solid blue, with c_0 at t = 0) and hidden output h_t = o_t tanh(c_t)
    (dashed vermilion) of a :class:`lstmbook.chapters.ch06_lstm_gates.GateRun` over time."""
    c = _unit(run.c, unit)
    T = len(c)
    cell, out = "cell state $c_t$", "hidden output $h_t$"
    c0 = _unit(np.reshape(run.c0, (1, -1)), unit)  # c_0 as a one-step sequence
    states = {cell: np.concatenate([c0, c]),
              out: np.concatenate([[np.nan], _unit(run.h, unit)])}  # h starts at t = 1
    _curves(ax, None, states, colors=(BLUE, VERMILION), base={"markersize": 3},
            styles={cell: {"marker": "o", "linewidth": 2},
                    out: {"marker": "s", "linewidth": 1.5, "linestyle": "--"}},
            hlines=[(0, ZERO)], title=title, legend="lower left" if legend else None,
            xlabel="time step t", ylabel="state")
    reach = max(1.0, float(np.abs(c).max()))  # the cell is unbounded; h stays in (-1, 1)
    ax.set_ylim(-1.05 * reach, 1.05 * reach)
    ax.set_xlim(-0.4, T + 0.6)
    return ax


def plot_gate_explorer_view(axes, view, *, title=None):
    """The gate explorer's drawing of a
    :class:`~lstmbook.chapters.ch06_lstm_gates.GateExplorerView` on two axes: the gate schedule
    on ``axes[0]``, the cell state and hidden output on ``axes[1]``. Returns ``axes``."""
    plot_gate_schedule(axes[0], view.run, title=title)
    axes[0].set_xlabel("")
    plot_cell_trace(axes[1], view.run)
    axes[0].set_xlim(axes[1].get_xlim())  # align the two time axes (c_0 sits at t = 0)
    return axes


# --- Chapter 7: peephole connections ---
def plot_peephole_curves(ax, t, curves, *, ylabel, title=None, threshold=None, styles=None):
    """Lines over time steps ``t``: ``curves`` maps a label to a ``(T,)`` array (a gate, the
    cell, the output); ``threshold`` draws a dotted horizontal line (e.g. a gate at 0.5)."""
    return _curves(ax, t, curves, colors=BASELINE_FIRST, base={"linewidth": 2}, styles=styles,
                   hlines=() if threshold is None else [(threshold, {})], title=title,
                   legend="upper left", xlabel="time step t", ylabel=ylabel, grid=True)


def plot_curves_band(ax, curves, *, ylabel="training loss", title=None, smooth=10, log=False):
    """Training curves ``name -> (S, steps)``: the mean over seeds (a running mean over
    ``smooth`` steps) and a band from the lowest to the highest seed."""
    for k, (name, c) in enumerate(curves.items()):
        c = np.asarray(c, dtype=float)
        if smooth > 1:
            kernel = np.ones(smooth) / smooth
            c = np.stack([np.convolve(row, kernel, mode="valid") for row in c])
        steps = np.arange(c.shape[1]) + max(smooth, 1)
        color = CYCLE[k % len(CYCLE)]
        ax.plot(steps, c.mean(axis=0), color=color, label=f"{name} (mean of {len(c)} seeds)")
        ax.fill_between(steps, c.min(axis=0), c.max(axis=0), color=color, alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    return _finish(ax, title, "best", xlabel="training step", ylabel=ylabel)


def plot_peephole_timing_view(axes, views: dict):
    """The peephole explorer's drawing: ``views`` maps a label to a
    :class:`~lstmbook.chapters.ch07_peephole.PeepholeTimingView`; draws the output gates on
    ``axes[0]`` and the outputs on ``axes[1]`` (the shared cell in grey on both). Returns
    ``axes``."""
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



def plot_paired_differences(ax, comparisons: dict, *, ylabel, title=None):
    """Paired comparisons side by side: ``comparisons`` maps a label to a
    :class:`~lstmbook.stats.PairedComparison`; for each, one dot per seed at its difference
    ``b − a``, the mean difference (a bar) and its bootstrap interval (a vertical line), with a
    dashed line at 0 (no difference)."""
    labels = list(comparisons)
    for k, label in enumerate(labels):
        cmp = comparisons[label]
        jitter = np.linspace(-0.12, 0.12, len(cmp.diff))
        ax.scatter(k + jitter, cmp.diff, color=CYCLE[k % len(CYCLE)], s=30, zorder=3)
        ax.plot([k - 0.25, k + 0.25], [cmp.mean_diff] * 2, color=INK, linewidth=2, zorder=2)
        ax.plot([k + 0.32] * 2, list(cmp.ci), color=INK, linewidth=1.5, zorder=2)
    ax.axhline(0.0, color=GREY, linestyle="--", linewidth=1, zorder=1)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    return _finish(ax, title, ylabel=ylabel, grid="y")

# --- Chapter 8: variants ---
def plot_input_target(ax, x, y, *, valid=None, title=None):
    """One sequence's ±1 inputs ``x (T,)`` and targets ``y (T,)`` as marked step lines;
    steps where ``valid`` is False (no target) are left out of the target line."""
    T = len(x)
    yv = np.where(valid, y, np.nan) if valid is not None else y
    _curves(ax, None, {"input $x_t$": x, "target $y_t$": yv}, colors=(ORANGE, GREEN),
            base={"drawstyle": "steps-mid", "markersize": 4},
            styles={"input $x_t$": {"marker": "o"},
                    "target $y_t$": {"marker": "s", "linestyle": "--"}},
            title=title, legend={"loc": "upper right", "ncol": 2}, title_loc="left")
    ax.set_ylim(-1.6, 1.6)
    ax.set_yticks([-1, 1])
    ax.set_xlim(-0.5, T - 0.5)
    return ax


def plot_state_heatmap(ax, A, *, title=None, ylabel="unit", vmax=1.0):
    """Hidden states ``A (T, H)`` of one sequence as a heatmap: units down, time across
    (blue negative, red positive, in ``[-vmax, vmax]``), with a colour bar."""
    _heatmap(ax, A, cmap=DIVERGING, vmin=-vmax, vmax=vmax, ylabel=ylabel, title=title)
    ax.set_xticks(range(np.shape(A)[0]))
    return ax


def plot_grouped_scores(ax, groups, series, *, chance=None, ylabel="accuracy", title=None,
                        colors=None):
    """Per-seed scores of several models on several groups: a bar at each model's mean, a dot
    for every seed and a line spanning the seeds' range (min to max).

    ``groups`` names the G groups (x-axis); ``series`` maps a model name to an ``(S, G)`` array
    (S seeds). ``chance`` draws a dashed line at the score of guessing.
    """
    names = list(series)
    G = len(groups)
    width = 0.8 / max(len(names), 1)
    palette = colors or BASELINE_FIRST
    for k, name in enumerate(names):
        vals = np.asarray(series[name], dtype=float).reshape(-1, G)
        x = np.arange(G) - 0.4 + width * (k + 0.5)
        color = palette[k % len(palette)]
        ax.bar(x, vals.mean(axis=0), width * 0.9, color=color, alpha=0.55, label=name,
               edgecolor=color)
        for g in range(G):
            ax.plot([x[g], x[g]], [vals[:, g].min(), vals[:, g].max()], color=INK, lw=1.2)
            ax.scatter(np.full(len(vals), x[g]), vals[:, g], s=14, color=INK, zorder=3)
    if chance is not None:
        ax.axhline(chance, **{**REFERENCE, "color": VERMILION, "linestyle": "--"},
                   label=f"chance ({chance:g})")
    ax.set_xticks(np.arange(G))
    ax.set_xticklabels(groups)
    return _finish(ax, title, "lower right", ylabel=ylabel)


def plot_probe_r2(ax, r2, features, layers, *, title=None):
    """Linear-probe R² ``(S, L, F)`` (seeds × layers × features): a bar per layer and feature
    at the mean over seeds, a dot per seed."""
    r2 = np.asarray(r2, dtype=float)
    series = {name: r2[:, li, :] for li, name in enumerate(layers)}
    plot_grouped_scores(ax, features, series, ylabel="R² of a linear read-out", title=title,
                        colors=(ORANGE, BLUE, GREEN))
    ax.set_ylim(0, 1.05)
    return ax


def plot_direction_contributions(ax, words, fwd, bwd, *, highlight=None, tags=None,
                                 title=None, ylabel="score: fruit − company"):
    """What the forward and backward halves of a bidirectional tagger add to one score at each
    word: two bars per word (``fwd``, ``bwd``: ``(T,)``). ``highlight`` (an index) shades the
    word of interest; ``tags`` (strings) are written under the words (the predicted tags)."""
    x = np.arange(len(words))
    if highlight is not None:
        ax.axvspan(highlight - 0.5, highlight + 0.5, color=PALE_ORANGE, zorder=0)
    ax.bar(x - 0.2, fwd, 0.4, color=BLUE, label="forward half  $W_f\\,h^{\\rightarrow}_t$")
    ax.bar(x + 0.2, bwd, 0.4, color=ORANGE, label="backward half $W_b\\,h^{\\leftarrow}_t$")
    ax.axhline(0, **ZERO)
    labels = [f"{w}\n[{t}]" for w, t in zip(words, tags, strict=True)] if tags else list(words)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    return _finish(ax, title, "best", ylabel=ylabel)


def plot_birnn_view(ax, view, *, title=None):
    """The bidirectional explorer's drawing of a
    :class:`~lstmbook.chapters.ch08_variants.BirnnView`: both halves' shares at every word."""
    return plot_direction_contributions(ax, view.words, view.fwd, view.bwd, highlight=view.noun,
                                        tags=view.tags, title=title)


# --- Chapter 9: long time lags ---
def plot_adding_sequence(ax, x, *, target=None, title=None):
    """One adding-problem sequence ``x (T, 2)``: the values as bars, the two marked steps
    highlighted with their values written above; ``target`` (the sum) goes in the title."""
    x = np.asarray(x, dtype=float)
    T = x.shape[0]
    ax.bar(np.arange(T), x[:, 0], color=np.where(x[:, 1] > 0.5, VERMILION, GREY), width=0.8)
    for t in np.flatnonzero(x[:, 1] > 0.5):
        ax.annotate(f"{x[t, 0]:+.2f}", (t, x[t, 0]), xytext=(0, 8 if x[t, 0] >= 0 else -14),
                    textcoords="offset points", ha="center", fontsize=9, color=VERMILION)
    ax.axvline(T / 2 - 0.5, **REFERENCE)  # the two halves, one marked step in each
    ax.axhline(0, **ZERO)
    ax.set_xlim(-1, T)
    ax.set_ylim(-1.35, 1.35)
    text = title or "one sequence of the adding problem"
    if target is not None:
        text += f": target = {float(target):+.3f}"
    return _finish(ax, text, xlabel="time step t", ylabel="value (channel 0)")


def plot_mse_curves(ax, steps, curves, *, references=None, title=None):
    """Test MSE against the training iteration (log axis) for each label -> values, measured
    at ``steps``; ``references`` maps a label to a constant drawn as a dotted line."""
    steps = np.asarray(steps)
    _curves(ax, steps, curves, colors=CONTRAST,
            base={"marker": "o", "markersize": 3, "linewidth": 1.5}, logy=True, title=title,
            legend="lower left", xlabel="training iteration", ylabel="test MSE", grid=True)
    _references(ax, references, steps[-1], right=True)
    return ax


def plot_grad_reach(ax, curves, *, title=None):
    """‖∂L/∂h_t‖ against the step t (log axis) for each label -> (T,) array: how much of the
    error signal from the read-out at the last step reaches each earlier step. Curves come in
    pairs (e.g. trained, untrained): a colour per pair, solid then dashed."""
    styles = {label: {"color": CONTRAST[k // 2 % len(CONTRAST)], "linestyle": ("-", "--")[k % 2]}
              for k, label in enumerate(curves)}
    return _curves(ax, None, curves, base={"linewidth": 1.6}, styles=styles, logy=True,
                   title=title, legend="best", ylabel="‖∂L/∂h_t‖", grid=True,
                   xlabel="time step t (the read-out is at the last step)")


def plot_trace_heatmap(ax, A, *, marked=(), title=None, cmap=DIVERGING, vmin=-1.0, vmax=1.0,
                       ylabel="unit"):
    """A ``(T, H)`` array of one sequence (gates or cell states) as a heatmap, units down and
    time across, with a colour bar; the ``marked`` steps get a thin black outline. Returns
    ``ax`` (the image is ``ax.images[0]``)."""
    _heatmap(ax, A, cmap=cmap, vmin=vmin, vmax=vmax, ylabel=ylabel, title=title)
    H = np.shape(A)[1]
    for t in marked:
        ax.add_patch(Rectangle((t - 0.5, -0.5), 1, H, fill=False, edgecolor=INK, linewidth=1.2))
    return ax


def plot_final_mse_by_lag(ax, lags, finals, *, references=None, title=None):
    """Final test MSE against the lag T for each label -> values (one per lag), log axis."""
    _curves(ax, lags, finals, colors=CONTRAST, base={"marker": "o", "linewidth": 1.6}, logy=True,
            title=title, legend="center right", xlabel="lag T (sequence length)",
            ylabel="test MSE after training", grid=True)
    _references(ax, references, lags[0])
    ax.set_xticks(list(lags))
    return ax


def plot_long_lag_race(ax, view, *, title=None):
    """The long-lag explorer's drawing of a :class:`~lstmbook.chapters.ch09_long_time_lags.Race`:
    both test-MSE curves with the two reference levels (predicting the mean; remembering one
    value)."""
    return plot_mse_curves(
        ax, view.eval_steps, {"RNN": view.rnn, "LSTM": view.lstm},
        references={"predict the mean (2/3)": ch09.mean_predictor_mse(),
                    "remember one value (1/3)": ch09.one_value_mse()},
        title=title or f"T = {view.T}, {view.hidden} hidden units")


# --- Chapter 10: a language model ---
def plot_perplexity_curves(ax, steps, curves, *, references=None, styles=None, title=None,
                           logy=True, legend="lower left"):
    """Perplexity curves (``label -> values`` at the updates ``steps``) with dotted reference
    levels (``label -> perplexity``, e.g. the uniform model's V, labelled at the right end), on
    a log axis by default, its ticks written as plain numbers."""
    _curves(ax, steps, curves, styles=styles, logy=logy, legend=legend,
            xlabel="update", ylabel="perplexity", grid=True)
    _references(ax, references, steps[-1] if len(steps) else 0, right=True)
    if references:  # room above the highest level for its label
        ax.set_ylim(top=max(ax.get_ylim()[1], max(references.values()) * (1.3 if logy else 1.1)))
    if logy:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 1.5, 2.0, 3.0, 4.0, 6.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    return _finish(ax, title)


def plot_seed_comparison(ax, values, *, ylabel, title=None, log=False):
    """One column of dots per model (``values`` maps a label to one number per seed), each
    with its mean (a bar) and mean ± one standard deviation (a line, cut at 0 on a linear axis
    and at the smallest value on a log axis); seeds joined by thin grey lines across columns,
    since each seed is a paired comparison."""
    labels = list(values)
    data = [np.asarray(values[k], dtype=float) for k in labels]
    for j in range(len(data[0])):
        ax.plot(range(len(data)), [d[j] for d in data], color=GREY, linewidth=0.8, zorder=1)
    for k, d in enumerate(data):
        ax.scatter(np.full(len(d), k), d, color=CYCLE[k % len(CYCLE)], s=30, zorder=3)
        m, s = d.mean(), d.std(ddof=1) if len(d) > 1 else 0.0
        ax.plot([k - 0.25, k + 0.25], [m, m], color=INK, linewidth=2, zorder=2)
        low = max(m - s, d.min()) if log else max(m - s, 0.0)
        ax.plot([k + 0.3, k + 0.3], [low, m + s], color=INK, linewidth=1, zorder=2)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    if log:
        ax.set_yscale("log")
    return _finish(ax, title, ylabel=ylabel, grid="y")


def plot_next_char_bars(ax, chars, probs, *, top=10, title=None, color=BLUE):
    """The ``top`` most likely next characters as bars, most likely first (``chars`` the
    vocabulary, ``probs`` its distribution); space is shown as ␣ and a line break as ⏎."""
    probs = np.asarray(probs, dtype=float)
    order = np.argsort(-probs, kind="stable")[:top]
    ax.bar(range(len(order)), probs[order], color=color)
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels([ch10.char_label(chars[i]) for i in order], fontsize=11)
    ax.set_ylim(0, 1)
    return _finish(ax, title, ylabel="probability", grid="y")


def plot_temperature_bars(ax, views, *, top=8, title=None):
    """Grouped bars: the next-character distribution after one prompt at several temperatures
    (``views``, :class:`~lstmbook.chapters.ch10_language_model.NextCharView` objects of the same
    prompt); the characters are the ``top`` most likely at the first view's temperature."""
    views = list(views)
    chars = views[0].chars
    order = np.argsort(-views[0].probs, kind="stable")[:top]
    width = 0.8 / len(views)
    for j, v in enumerate(views):
        ax.bar(np.arange(len(order)) + (j - (len(views) - 1) / 2) * width, v.probs[order],
               width=width, color=CYCLE[j % len(CYCLE)], label=f"τ = {v.temperature:g}")
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels([ch10.char_label(chars[i]) for i in order], fontsize=11)
    ax.set_ylim(0, 1)
    return _finish(ax, title or f"after {views[0].prompt!r}", "upper right",
                   ylabel="probability", grid="y")


def plot_next_char_view(ax, view, *, top=10):
    """The explorer's drawing: the next-character bars of one
    :class:`~lstmbook.chapters.ch10_language_model.NextCharView`."""
    return plot_next_char_bars(ax, view.chars, view.probs, top=top,
                               title=f"after {view.prompt!r}, temperature {view.temperature:g}")
