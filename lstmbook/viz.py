"""Pure plotting functions: ``plot_*(ax, data, ...) -> ax``.

Each draws on a matplotlib ``Axes`` it is given and returns it; none creates figures, reads
globals or computes maths (that lives in the other modules). matplotlib is imported only here
(and only by callers of this module), so ``import lstmbook`` stays light.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyArrowPatch, Rectangle

from lstmbook.chapters import ch09_long_time_lags as ch09

# Colour-blind-safe palette (Okabe & Ito).
BLUE, ORANGE, GREEN, VERMILION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#BBBBBB"

IO_PATTERNS = ("many_to_many", "many_to_one", "seq_to_seq")


def plot_padded_batch(ax, mask, *, values=None, readout=True, title=None):
    """A padded batch as an ``(N, T)`` grid: real steps coloured, padding grey and hatched.

    ``mask`` is the ``(N, T)`` boolean mask; ``values`` (optional, ``(N, T)``) colours the real
    steps by value (shown as numbers in the cells); with ``readout`` a thick box marks each
    sequence's last valid step, the one a many-to-one head reads.
    """
    mask = np.asarray(mask, dtype=bool)
    N, T = mask.shape
    lengths = mask.sum(axis=1)
    ax.imshow(mask.astype(float), cmap=ListedColormap(["#F2F2F2", "#CFE3F3"]), vmin=0, vmax=1,
              aspect="auto", interpolation="nearest")
    for n in range(N):
        for t in range(T):
            if mask[n, t]:
                text = f"{values[n, t]:.1f}" if values is not None else "x"
                ax.text(t, n, text, ha="center", va="center", fontsize=9, color="#10304A")
            else:
                ax.add_patch(Rectangle((t - 0.5, n - 0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor=GREY, linewidth=0))
                ax.text(t, n, "pad", ha="center", va="center", fontsize=8, color="#777777")
        if readout and lengths[n] > 0:
            ax.add_patch(Rectangle((lengths[n] - 1.42, n - 0.42), 0.84, 0.84, fill=False,
                                   edgecolor=VERMILION, linewidth=2.5, zorder=5))
    ax.set_xticks(range(T))
    ax.set_yticks(range(N))
    ax.set_yticklabels([f"n={n}  (T_n={lengths[n]})" for n in range(N)])
    ax.set_xlabel("time step t")
    ax.set_xticks(np.arange(-0.5, T), minor=True)
    ax.set_yticks(np.arange(-0.5, N), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title)
    return ax


def _box(ax, x, y, text, color, w=0.74, h=0.56):
    ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, facecolor=color, edgecolor="black",
                           linewidth=1, alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=12, color="white" if color in
            (BLUE, VERMILION, GREEN) else "black")


def _arrow(ax, p, q):
    ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=10, color="#444444",
                                 linewidth=1))


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
    if title:
        ax.set_title(title, fontsize=12)
    return ax


def plot_sequences(ax, X, *, lengths=None, channel=0, title=None, max_lines=8):
    """Line plot of ``X[n, :T_n, channel]`` for the first ``max_lines`` sequences of a batch
    ``X (N, T, D)``; each line stops at its sequence's length (``lengths``, default T)."""
    X = np.asarray(X)
    N, T = X.shape[:2]
    lengths = np.full(N, T) if lengths is None else np.asarray(lengths)
    colors = (BLUE, ORANGE, GREEN, VERMILION, "#CC79A7", "#56B4E9", "#F0E442", "#000000")
    for n in range(min(N, max_lines)):
        ax.plot(np.arange(lengths[n]), X[n, : lengths[n], channel], marker="o", markersize=3,
                color=colors[n % len(colors)], label=f"n={n}")
    ax.set_xlabel("time step t")
    ax.set_ylabel(f"x[n, t, {channel}]")
    if title:
        ax.set_title(title)
    return ax


# --- Chapter 5: the constant error carousel ---
def plot_error_flow(ax, lags, curves, *, title=None, styles=None):
    """Error reaching each lag, relative to the error injected at lag 0, on a log axis.

    ``curves`` maps a label to an array of ratios (one per lag); ``styles`` (optional) maps a
    label to a dict of matplotlib line options. The line ratio = 1 (constant error) is dotted.
    """
    lags = np.asarray(lags)
    colors = (BLUE, ORANGE, GREEN, VERMILION, "#CC79A7", "#56B4E9", "#000000")
    for k, (label, ratio) in enumerate(curves.items()):
        style = {"color": colors[k % len(colors)], "linewidth": 1.8}
        style.update((styles or {}).get(label, {}))
        ax.semilogy(lags, np.maximum(np.asarray(ratio, dtype=float), 1e-300), label=label,
                    **style)
    ax.axhline(1.0, color=GREY, linestyle=":", linewidth=1)
    ax.set_xlabel("lag: steps back in time")
    ax.set_ylabel("error reaching that step / error at the end")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def plot_cec_traces(ax, x, traces, *, marker=None, cue=None, title=None):
    """One sequence through memory cells: the inputs ``x (T,)`` as grey bars, each trace of
    ``traces`` (label -> ``(T,)``) as a line; the ``marker`` step (store) and ``cue`` step (read)
    as vertical bands."""
    x = np.asarray(x)
    t = np.arange(len(x))
    ax.bar(t, x, color=GREY, width=0.6, label="input x_t")
    colors = (BLUE, ORANGE, GREEN, VERMILION, "#CC79A7")
    lines = ("-", "--", ":", "-.")
    for k, (label, trace) in enumerate(traces.items()):
        ax.plot(t, trace, marker="o", markersize=4 - k, color=colors[k % len(colors)],
                label=label, linewidth=3.0 - k, linestyle=lines[k % len(lines)])
    for steps, color, name in ((marker, GREEN, "marker: store"), (cue, VERMILION, "cue: read")):
        if steps is not None:
            for s in np.flatnonzero(np.asarray(steps)):
                ax.axvspan(s - 0.45, s + 0.45, color=color, alpha=0.18, label=name)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("time step t")
    ax.set_xticks(t[::2] if len(t) > 12 else t)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    if title:
        ax.set_title(title, fontsize=11)
    return ax


# --- Chapter 2: the RNN forward pass ---
def plot_recall_predictions(ax, target, predictions, *, title=None, t0=0):
    """A delayed-recall test sequence: the ``target (T,)`` as black dots and each model's
    prediction (``predictions``: name -> ``(T,)``) as a line, from step ``t0`` on."""
    target = np.asarray(target)
    t = np.arange(t0, len(target))
    ax.plot(t, target[t0:], "o", color="black", markersize=4, label="target", zorder=3)
    colors = (BLUE, ORANGE, GREEN, VERMILION, "#CC79A7", "#56B4E9")
    for k, (name, pred) in enumerate(predictions.items()):
        ax.plot(t, np.asarray(pred)[t0:], color=colors[k % len(colors)], linewidth=1.6,
                label=name)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.legend(fontsize=8, loc="upper right", ncol=2)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_hidden_trajectories(ax, hs, *, title=None, bound=None, log=False):
    """Every unit of one hidden-state sequence ``hs (T+1, H)`` (rows h_0 .. h_T) against t.

    ``bound`` draws dashed lines at ±bound (e.g. 1 for tanh's range); ``log`` plots |h| on a
    logarithmic axis (for states that grow without limit).
    """
    hs = np.asarray(hs)
    t = np.arange(hs.shape[0])
    for j in range(hs.shape[1]):
        ax.plot(t, np.abs(hs[:, j]) if log else hs[:, j], linewidth=1.2, alpha=0.85)
    if bound is not None:
        for s in ((1,) if log else (-1, 1)):
            ax.axhline(s * bound, color="black", linestyle="--", linewidth=1)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel("|h_t| per unit (log)" if log else "h_t per unit")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_state_gap(ax, gaps, *, title=None):
    """Semi-log plot of ‖h_t − h'_t‖ against t for each entry of ``gaps`` (label -> ``(T+1,)``):
    how far two runs that differ only in their initial state are apart at each step."""
    colors = (BLUE, ORANGE, GREEN, VERMILION)
    for k, (label, gap) in enumerate(gaps.items()):
        gap = np.asarray(gap, dtype=float)
        t = np.arange(len(gap))
        keep = gap > 0
        ax.semilogy(t[keep], gap[keep], marker="o", markersize=3, color=colors[k % 4],
                    label=label)
    ax.set_xlabel("time step t")
    ax.set_ylabel("‖h_t − h_t(zero start)‖")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_perturbation(ax, changes, *, t_perturbed=0, title=None):
    """|Δy_t| at every step after changing the input at ``t_perturbed``, one line per model
    (``changes``: name -> ``(T,)``)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    colors = (BLUE, ORANGE, GREEN, VERMILION)
    markers = ("o", "s", "^", "v")
    for k, (name, d) in enumerate(changes.items()):
        d = np.asarray(d, dtype=float)
        ax.plot(np.arange(len(d)), d, marker=markers[k % 4], markersize=4, color=colors[k % 4],
                label=name)
    ax.axvline(t_perturbed, color=GREY, linestyle=":", linewidth=2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.annotate("input changed here", (t_perturbed, ax.get_ylim()[1] * 0.9),
                xytext=(6, 0), textcoords="offset points", fontsize=8, va="top")
    ax.set_xlabel("time step t")
    ax.set_ylabel("|change in output y_t|")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_batch_stats(ax_count, ax_mean, count, mean, *, feature=0):
    """Per-step batch statistics of a padded batch: on ``ax_count`` how many sequences are
    still running at each step (bars), on ``ax_mean`` the batch mean of one ``feature`` at each
    step (the statistic batch normalisation would need separately for every step)."""
    count = np.asarray(count)
    mean = np.asarray(mean)
    t = np.arange(len(count))
    ax_count.bar(t, count, color=BLUE)
    ax_count.set_xlabel("time step t")
    ax_count.set_ylabel("sequences still running")
    ax_count.set_title("samples behind each step's statistics", fontsize=10)
    ax_mean.plot(t, mean[:, feature], marker="o", color=VERMILION)
    ax_mean.set_xlabel("time step t")
    ax_mean.set_ylabel(f"batch mean of unit {feature}")
    ax_mean.set_title("the statistics change from step to step", fontsize=10)
    return ax_count, ax_mean


# --- Chapter 6: LSTM gates ---
def plot_gate_schedule(ax, run, *, unit=None, title=None, legend=True):
    """The gate openness of a :class:`~lstmbook.chapters.ch06_lstm_gates.GateRun` over time, as
    step lines.

    Input gate i (orange), forget gate f (blue), output gate o (green), each in [0, 1], and the
    candidate c̃ = g (grey bars, in [−1, 1]) that the input gate may write. ``unit`` picks one
    unit when the run has shape ``(T, H)``.
    """
    def pick(a):
        a = np.asarray(a)
        return a if a.ndim == 1 else a[:, 0 if unit is None else unit]

    t = np.arange(1, len(pick(run.i)) + 1)
    ax.bar(t, pick(run.g), width=0.6, color=GREY, label="candidate $\\tilde c_t = g_t$")
    ax.step(t, pick(run.f) + 0.02, where="mid", color=BLUE, linewidth=2,
            label="forget gate $f_t$")
    ax.step(t, pick(run.i), where="mid", color=ORANGE, linewidth=2, label="input gate $i_t$")
    ax.step(t, pick(run.o) - 0.02, where="mid", color=GREEN, linewidth=2, linestyle="--",
            label="output gate $o_t$")
    ax.axhline(0, color="#444444", linewidth=0.6)
    ax.set_ylim(-1.05, 1.15)
    ax.set_xlim(0.4, t[-1] + 0.6)
    ax.set_ylabel("openness / value")
    ax.set_xlabel("time step t")
    if legend:
        ax.legend(loc="lower left", fontsize=8, ncol=2, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_cell_trace(ax, run, *, unit=None, title=None, legend=True):
    """Cell state c_t (solid blue, with c_0 at t = 0) and hidden output h_t = o_t tanh(c_t)
    (dashed vermilion) of a :class:`lstmbook.chapters.ch06_lstm_gates.GateRun` over time."""
    def pick(a):
        a = np.asarray(a)
        return a if a.ndim <= 1 else a[..., 0 if unit is None else unit]

    c, h = pick(run.c), pick(run.h)
    T = len(c)
    ax.plot(np.arange(T + 1), np.concatenate([[float(pick(run.c0))], c]), color=BLUE,
            marker="o", markersize=3, linewidth=2, label="cell state $c_t$")
    ax.plot(np.arange(1, T + 1), h, color=VERMILION, marker="s", markersize=3, linewidth=1.5,
            linestyle="--", label="hidden output $h_t$")
    ax.axhline(0, color="#444444", linewidth=0.6)
    reach = max(1.0, float(np.abs(c).max()))  # the cell is unbounded; h stays in (-1, 1)
    ax.set_ylim(-1.05 * reach, 1.05 * reach)
    ax.set_xlim(-0.4, T + 0.6)
    ax.set_xlabel("time step t")
    ax.set_ylabel("state")
    if legend:
        ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_forget_products(ax, lags, curves, *, title=None):
    """How much of the error survives ``lags`` steps along the cell: one line per forget
    level (``curves``: label -> values, e.g. f^lag), on a logarithmic y axis."""
    colors = (BLUE, ORANGE, GREEN, VERMILION, "#CC79A7", "#000000")
    styles = ("-", "--", "-.", ":", "-", "--")
    for k, (label, values) in enumerate(curves.items()):
        ax.plot(lags, np.maximum(values, 1e-300), color=colors[k % 6],
                linestyle=styles[k % 6], linewidth=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("lag T − t (steps)")
    ax.set_ylabel("$\\partial c_T / \\partial c_t$ along the cell")
    ax.legend(fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- Chapter 3: backpropagation through time ---
def plot_error_flow_matrix(ax, norms, *, mask=None, k=None, title=None, vmin=None):
    """Where the error of each loss step goes: ``norms[s, t]`` = ‖∂E_s/∂h_t‖ as a heat map,
    loss step s down the rows, the step t it reaches across the columns (log colour scale).

    ``mask`` (boolean, same shape) marks what truncated BPTT keeps: the other reached cells
    are flat grey (error computed by full BPTT, cut by truncation); ``k`` draws the chunk
    boundaries. The colour scale spans ``vmin`` (default: the largest value / 1000) to the
    largest value. Returns ``ax`` (the image is ``ax.images[0]``, for a colour bar).
    """
    from matplotlib.colors import LogNorm  # noqa: PLC0415

    norms = np.asarray(norms, dtype=float)
    T = norms.shape[0]
    reached = np.tril(np.ones((T, T), dtype=bool))
    top = float(np.max(np.where(reached, norms, 0.0)))
    vmax = top if top > 0 else 1.0
    vmin = vmax / 1000 if vmin is None else float(vmin)
    shown = np.where(reached, np.maximum(norms, vmin), np.nan)
    ax.imshow(shown, norm=LogNorm(vmin=vmin, vmax=vmax), cmap="viridis", origin="upper",
              interpolation="nearest")
    if mask is not None:
        cut = reached & ~np.asarray(mask, dtype=bool)
        ax.imshow(np.where(cut, 1.0, np.nan), cmap=ListedColormap(["#D9D9D9"]), vmin=0, vmax=1,
                  origin="upper", interpolation="nearest")
    if k is not None and k < T:
        for edge in range(k, T, k):
            ax.axvline(edge - 0.5, color=VERMILION, linewidth=1.2)
            ax.axhline(edge - 0.5, color=VERMILION, linewidth=1.2)
    ax.set_xlabel("step t the error reaches")
    ax.set_ylabel("loss step s")
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylim(T - 0.5, -0.5)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_truncation_curve(ax, curves, *, k=None, title=None):
    """Truncated against full BPTT for every truncation length k.

    ``curves`` maps a label to ``(ks, cosine, norm_ratio)``: the cosine between the truncated
    and the full U-gradient (solid) and the ratio of their norms (dashed). ``k`` marks the
    current truncation length with a vertical line.
    """
    colors = (BLUE, VERMILION, GREEN, ORANGE)
    for i, (label, (ks, cosine, ratio)) in enumerate(curves.items()):
        c = colors[i % len(colors)]
        ax.plot(ks, cosine, color=c, marker="o", markersize=3, linewidth=1.6,
                label=f"{label}: cosine")
        ax.plot(ks, ratio, color=c, linestyle="--", linewidth=1.3, label=f"{label}: norm ratio")
    ax.axhline(1.0, color=GREY, linestyle=":", linewidth=1)
    if k is not None:
        ax.axvline(k, color="black", linewidth=1, alpha=0.6)
    ax.set_xlabel("truncation length k (steps)")
    ax.set_ylabel("truncated vs full gradient of U")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- Chapter 4: vanishing and exploding gradients ---
def plot_activation_derivatives(ax, x, curves, *, peaks=(), title=None):
    """Functions of ``x`` (label -> values) as lines; ``peaks`` is a sequence of
    ``(x0, y0, text)`` marked with a dot and a note (the maxima of σ' and tanh')."""
    colors = (BLUE, ORANGE, GREEN, VERMILION)
    styles = ("-", "--", "-", "--")
    for i, (label, y) in enumerate(curves.items()):
        ax.plot(x, y, color=colors[i % 4], linestyle=styles[i % 4], linewidth=1.8, label=label)
    for x0, y0, text in peaks:
        ax.plot([x0], [y0], "o", color="black", markersize=5)
        ax.annotate(text, (x0, y0), xytext=(12, 4), textcoords="offset points", fontsize=9)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_lag_experiment(ax, lags, steps, max_steps, *, title=None):
    """Training steps a plain RNN needed to learn each lag; a hatched grey bar reaching
    ``max_steps`` means "not learned within the budget" (``steps`` entry None)."""
    lags = list(lags)
    if len(steps) != len(lags):
        raise ValueError(f"steps must have one entry per lag ({len(lags)}), got {len(steps)}")
    for i, n in enumerate(steps):
        if n is None:
            ax.bar(i, max_steps, color="#EEEEEE", edgecolor=GREY, hatch="///")
            ax.text(i, max_steps, "not\nlearned", ha="center", va="bottom", fontsize=8)
        else:
            ax.bar(i, n, color=BLUE)
            ax.text(i, n, str(n), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(lags)))
    ax.set_xticklabels([str(lag) for lag in lags])
    ax.set_yscale("log")
    ax.set_ylim(10, max_steps * 4)
    ax.set_xlabel("lag (steps the bit must be kept)")
    ax.set_ylabel("training steps to 95 % accuracy")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_training_curves(ax, curves, *, ylabel="loss", logy=True, hline=None,
                         hline_label=None, title=None):
    """Curves against the training step (label -> values), on a log axis by default;
    ``hline`` draws a horizontal reference (a clipping threshold). For values near the float64
    limit (1e300 and up) pass ``np.log10(values)`` with ``logy=False``: matplotlib's log-axis
    ticks overflow there."""
    colors = (VERMILION, BLUE, GREEN, ORANGE)
    if logy:
        ax.set_yscale("log")
    for i, (label, y) in enumerate(curves.items()):
        y = np.asarray(y, dtype=float)
        ax.plot(np.arange(len(y)), y, color=colors[i % 4], linewidth=1.4, label=label)
    if hline is not None:
        ax.axhline(hline, color="black", linestyle=":", linewidth=1.2, label=hline_label)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- Chapter 8: variants (stacked, bidirectional, GRU) ---
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
    palette = colors or (GREY, BLUE, ORANGE, GREEN, VERMILION)
    for k, name in enumerate(names):
        vals = np.asarray(series[name], dtype=float).reshape(-1, G)
        x = np.arange(G) - 0.4 + width * (k + 0.5)
        color = palette[k % len(palette)]
        ax.bar(x, vals.mean(axis=0), width * 0.9, color=color, alpha=0.55, label=name,
               edgecolor=color)
        for g in range(G):
            ax.plot([x[g], x[g]], [vals[:, g].min(), vals[:, g].max()], color="black", lw=1.2)
            ax.scatter(np.full(len(vals), x[g]), vals[:, g], s=14, color="black", zorder=3)
    if chance is not None:
        ax.axhline(chance, color=VERMILION, ls="--", lw=1, label=f"chance ({chance:g})")
    ax.set_xticks(np.arange(G))
    ax.set_xticklabels(groups)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, framealpha=0.9, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_state_heatmap(ax, A, *, title=None, ylabel="unit", vmax=1.0):
    """Hidden states ``A (T, H)`` of one sequence as a heatmap: units down, time across
    (blue negative, red positive, in ``[-vmax, vmax]``). Returns the image's axes."""
    A = np.asarray(A, dtype=float)
    im = ax.imshow(A.T, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                   interpolation="nearest")
    ax.set_ylabel(ylabel)
    ax.set_yticks(range(A.shape[1]))
    ax.set_xticks(range(A.shape[0]))
    ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return ax


def plot_input_target(ax, x, y, *, valid=None, title=None):
    """One sequence's ±1 inputs ``x (T,)`` and targets ``y (T,)`` as marked step lines;
    steps where ``valid`` is False (no target) are left out of the target line."""
    T = len(x)
    t = np.arange(T)
    ax.plot(t, x, drawstyle="steps-mid", color=ORANGE, marker="o", ms=4, label="input $x_t$")
    yv = np.where(valid, y, np.nan) if valid is not None else y
    ax.plot(t, yv, drawstyle="steps-mid", color=GREEN, marker="s", ms=4, ls="--",
            label="target $y_t$")
    ax.set_ylim(-1.6, 1.6)
    ax.set_yticks([-1, 1])
    ax.set_xlim(-0.5, T - 0.5)
    ax.legend(fontsize=8, loc="upper right", ncol=2)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return ax


def plot_probe_r2(ax, r2, features, layers, *, title=None):
    """Linear-probe R² ``(S, L, F)`` (seeds × layers × features): a bar per layer and feature
    at the mean over seeds, a dot per seed."""
    r2 = np.asarray(r2, dtype=float)
    series = {name: r2[:, li, :] for li, name in enumerate(layers)}
    plot_grouped_scores(ax, features, series, ylabel="R² of a linear read-out", title=title,
                        colors=(ORANGE, BLUE, GREEN))
    ax.set_ylim(0, 1.05)
    return ax


def plot_curves_band(ax, curves, *, ylabel="training loss", title=None, smooth=10, log=False):
    """Training curves ``name -> (S, steps)``: the mean over seeds (a running mean over
    ``smooth`` steps) and a band from the lowest to the highest seed."""
    palette = (BLUE, ORANGE, GREEN, VERMILION)
    for k, (name, c) in enumerate(curves.items()):
        c = np.asarray(c, dtype=float)
        if smooth > 1:
            kernel = np.ones(smooth) / smooth
            c = np.stack([np.convolve(row, kernel, mode="valid") for row in c])
        steps = np.arange(c.shape[1]) + max(smooth, 1)
        color = palette[k % len(palette)]
        ax.plot(steps, c.mean(axis=0), color=color, label=f"{name} (mean of {len(c)} seeds)")
        ax.fill_between(steps, c.min(axis=0), c.max(axis=0), color=color, alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_direction_contributions(ax, words, fwd, bwd, *, highlight=None, tags=None,
                                 title=None, ylabel="score: fruit − company"):
    """What the forward and backward halves of a bidirectional tagger add to one score at each
    word: two bars per word (``fwd``, ``bwd``: ``(T,)``). ``highlight`` (an index) shades the
    word of interest; ``tags`` (strings) are written under the words (the predicted tags)."""
    T = len(words)
    x = np.arange(T)
    if highlight is not None:
        ax.axvspan(highlight - 0.5, highlight + 0.5, color="#F2E6C9", zorder=0)
    ax.bar(x - 0.2, fwd, 0.4, color=BLUE, label="forward half  $W_f\\,h^{\\rightarrow}_t$")
    ax.bar(x + 0.2, bwd, 0.4, color=ORANGE, label="backward half $W_b\\,h^{\\leftarrow}_t$")
    ax.axhline(0, color="black", lw=0.8)
    labels = [f"{w}\n[{t}]" for w, t in zip(words, tags, strict=True)] if tags else list(words)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, framealpha=0.9, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- Chapter 7: peephole connections ---
def plot_peephole_curves(ax, t, curves, *, ylabel, title=None, threshold=None, styles=None):
    """Lines over time steps ``t``: ``curves`` maps a label to a ``(T,)`` array (a gate, the
    cell, the output); ``threshold`` draws a dotted horizontal line (e.g. a gate at 0.5)."""
    colors = (GREY, BLUE, ORANGE, GREEN, VERMILION, "#CC79A7")
    for k, (label, y) in enumerate(curves.items()):
        style = {"color": colors[k % len(colors)], "linewidth": 2}
        style.update((styles or {}).get(label, {}))
        ax.plot(t, y, label=label, **style)
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle=":", linewidth=1)
    ax.set_xlabel("time step t")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def plot_seed_comparison(ax, values, *, ylabel, title=None, log=False):
    """One column of dots per model (``values`` maps a label to one number per seed), each
    with its mean (a bar) and mean ± one standard deviation (a line, cut at 0 on a linear axis
    and at the smallest value on a log axis); seeds joined by thin grey lines across columns,
    since each seed is a paired comparison."""
    labels = list(values)
    data = [np.asarray(values[k], dtype=float) for k in labels]
    colors = (BLUE, ORANGE, GREEN, VERMILION)
    for j in range(len(data[0])):
        ax.plot(range(len(data)), [d[j] for d in data], color=GREY, linewidth=0.8, zorder=1)
    for k, d in enumerate(data):
        ax.scatter(np.full(len(d), k), d, color=colors[k % len(colors)], s=30, zorder=3)
        m, s = d.mean(), d.std(ddof=1) if len(d) > 1 else 0.0
        ax.plot([k - 0.25, k + 0.25], [m, m], color="black", linewidth=2, zorder=2)
        low = max(m - s, d.min()) if log else max(m - s, 0.0)
        ax.plot([k + 0.3, k + 0.3], [low, m + s], color="black", linewidth=1, zorder=2)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=11)
    return ax


# --- Chapter 9: long time lags (the adding problem) ---
def plot_adding_sequence(ax, x, *, target=None, title=None):
    """One adding-problem sequence ``x (T, 2)``: the values as bars, the two marked steps
    highlighted with their values written above; ``target`` (the sum) goes in the title."""
    x = np.asarray(x, dtype=float)
    T = x.shape[0]
    marked = np.flatnonzero(x[:, 1] > 0.5)
    colors = np.where(x[:, 1] > 0.5, VERMILION, GREY)
    ax.bar(np.arange(T), x[:, 0], color=colors, width=0.8)
    for t in marked:
        ax.annotate(f"{x[t, 0]:+.2f}", (t, x[t, 0]), xytext=(0, 8 if x[t, 0] >= 0 else -14),
                    textcoords="offset points", ha="center", fontsize=9, color=VERMILION)
    ax.axvline(T / 2 - 0.5, color="black", linestyle=":", linewidth=1)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlim(-1, T)
    ax.set_ylim(-1.35, 1.35)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value (channel 0)")
    text = title or "one sequence of the adding problem"
    if target is not None:
        text += f": target = {float(target):+.3f}"
    ax.set_title(text, fontsize=10)
    return ax


def plot_mse_curves(ax, steps, curves, *, references=None, title=None):
    """Test MSE against the training iteration (log axis) for each label -> values, measured
    at ``steps``; ``references`` maps a label to a constant drawn as a dotted line."""
    palette = (VERMILION, BLUE, GREEN, ORANGE)
    steps = np.asarray(steps)
    for k, (label, y) in enumerate(curves.items()):
        ax.plot(steps, np.asarray(y, dtype=float), marker="o", markersize=3, linewidth=1.5,
                color=palette[k % 4], label=label)
    for label, value in (references or {}).items():
        ax.axhline(value, color="black", linestyle=":", linewidth=1)
        ax.annotate(label, (steps[-1], value), xytext=(-4, 3), textcoords="offset points",
                    ha="right", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("training iteration")
    ax.set_ylabel("test MSE")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_grad_reach(ax, curves, *, title=None):
    """‖∂L/∂h_t‖ against the step t (log axis) for each label -> (T,) array: how much of the
    error signal from the read-out at the last step reaches each earlier step."""
    palette = (VERMILION, BLUE, GREEN, ORANGE)
    styles = ("-", "--", "-.", ":")
    for k, (label, y) in enumerate(curves.items()):
        y = np.asarray(y, dtype=float)
        ax.plot(np.arange(len(y)), np.maximum(y, 1e-300), color=palette[k // 2 % 4],
                linestyle=styles[k % 2], linewidth=1.6, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time step t (the read-out is at the last step)")
    ax.set_ylabel("‖∂L/∂h_t‖")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_trace_heatmap(ax, A, *, marked=(), title=None, cmap="RdBu_r", vmin=-1.0, vmax=1.0,
                       ylabel="unit"):
    """A ``(T, H)`` array of one sequence (gates or cell states) as a heatmap, units down and
    time across; the ``marked`` steps get a thin black outline. Returns the image."""
    A = np.asarray(A, dtype=float)
    T, H = A.shape
    im = ax.imshow(A.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest", extent=(-0.5, T - 0.5, H - 0.5, -0.5))
    for t in marked:
        ax.add_patch(Rectangle((t - 0.5, -0.5), 1, H, fill=False, edgecolor="black",
                               linewidth=1.2))
    ax.set_yticks(range(H))
    ax.set_ylabel(ylabel)
    ax.figure.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return im


def plot_final_mse_by_lag(ax, lags, finals, *, references=None, title=None):
    """Final test MSE against the lag T for each label -> values (one per lag), log axis."""
    palette = (VERMILION, BLUE, GREEN, ORANGE)
    for k, (label, y) in enumerate(finals.items()):
        ax.plot(lags, np.asarray(y, dtype=float), marker="o", linewidth=1.6,
                color=palette[k % 4], label=label)
    for label, value in (references or {}).items():
        ax.axhline(value, color="black", linestyle=":", linewidth=1)
        ax.annotate(label, (lags[0], value), xytext=(2, 3), textcoords="offset points",
                    fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(list(lags))
    ax.set_xlabel("lag T (sequence length)")
    ax.set_ylabel("test MSE after training")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# --- explorer view: chapter 1 ---
def plot_padding_view(ax, view, *, readout=True):
    N, T, _ = view.X.shape
    return plot_padded_batch(ax, view.mask, values=view.X[:, :, 0], readout=readout,
                             title=f"padded batch: N={N} sequences, T={T} steps (feature 0 shown)")


# --- explorer view: chapter 2 ---
def plot_hidden_trajectories_view(axes, view, *, title=None):
    """Left: every hidden unit against t; right: ‖h_t − h_t(zero start)‖ (random start only)."""
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


# --- explorer view: chapter 3 ---
def plot_truncation_view(axes, view):
    c = view.curve
    plot_error_flow_matrix(axes[0], c.flow.norms, mask=view.mask, k=view.k,
                           title=f"error reaching step t from loss step s (k = {view.k})")
    plot_truncation_curve(axes[1], {f"radius {view.radius:g}": (c.ks, c.cosine, c.norm_ratio)},
                          k=view.k, title="truncated vs full gradient of U")
    return axes


# --- explorer view: chapter 4 ---
def plot_gradient_norm_view(ax, views, *, reference=True, title=None):
    """Draw one or several
    :class:`~lstmbook.chapters.ch04_gradient_problems.GradientNormView` on one log axis."""
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
    ax.set_xlabel("distance T − t (steps back)")
    ax.set_ylabel("‖∂h_T/∂h_t‖ (spectral norm)")
    return ax


# --- explorer view: chapter 5 ---
def plot_error_flow_view(ax, view, *, scale=None, nonlinearity="tanh"):
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


# --- explorer view: chapter 6 ---
def plot_gate_explorer_view(axes, view, *, title=None):
    """Draw a :class:`GateExplorerView` on two axes: the gate schedule on ``axes[0]``, the cell
    state and hidden output on ``axes[1]``."""
    plot_gate_schedule(axes[0], view.run, title=title)
    axes[0].set_xlabel("")
    plot_cell_trace(axes[1], view.run)
    axes[0].set_xlim(axes[1].get_xlim())  # align the two time axes (c_0 sits at t = 0)
    return axes


# --- explorer view: chapter 7 ---
def plot_peephole_timing_view(axes, views: dict):
    """``views`` maps a label to a :class:`PeepholeTimingView`; draws the output gates on
    ``axes[0]`` and the outputs on ``axes[1]`` (the shared cell in grey on both)."""
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


# --- explorer view: chapter 8 ---
def plot_birnn_view(ax, view, *, title=None):
    return plot_direction_contributions(ax, view.words, view.fwd, view.bwd, highlight=view.noun,
                                        tags=view.tags, title=title)


# --- explorer view: chapter 9 ---
def plot_long_lag_race(ax, view, *, title=None):
    """Both test-MSE curves of a :class:`~lstmbook.chapters.ch09_long_time_lags.Race` with the two
    reference
    levels (predicting the mean; remembering one value)."""
    return plot_mse_curves(
        ax, view.eval_steps, {"RNN": view.rnn, "LSTM": view.lstm},
        references={"predict the mean (2/3)": ch09.mean_predictor_mse(),
                    "remember one value (1/3)": ch09.one_value_mse()},
        title=title or f"T = {view.T}, {view.hidden} hidden units")

