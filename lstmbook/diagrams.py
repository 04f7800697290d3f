"""Diagrams of the networks the book explains, drawn in code from the symbols of the equations.

Every picture of a network comes from this module, so a concept looks the same wherever it
appears: the recurrent family (chapter 2), the unrolled RNN and its truncation windows
(chapter 3), the CEC memory cell (chapter 5), the LSTM cell (chapter 6) with its peepholes
(chapter 7), the GRU cell and the stacked and bidirectional networks (chapter 8).

Contract. Each public builder returns a :class:`Diagram`: the matplotlib ``Figure`` (built
without pyplot, so nothing is shown or kept behind the caller's back), the table of labels it
drew (:class:`Label`), a default alt text and, for a live view, the values it drew. A
``Diagram`` is the output of a notebook cell: its HTML is the SVG inline, so the labels are
page text (searchable, translatable, and coloured by the page: dark mode included).
:func:`to_svg` gives the standalone SVG.

The SVG is deterministic (same call, same bytes): ``svg.hashsalt`` is fixed, the date and
matplotlib's metadata are dropped, the style is reset to matplotlib's defaults while drawing,
and every text is anchored at its baseline, so no coordinate depends on the fonts installed.
Labels are SVG ``<text>`` (``svg.fonttype = "none"``), named with a font list that includes
common Japanese fonts and ends with the generic ``sans-serif``; the reader's browser supplies
the glyphs. Symbols with sub- and superscripts are matplotlib mathtext; their glyphs are put in
reading order in the SVG (``h_{t-1}`` reads "ht−1").

Labels are written once, as the LaTeX of the equations (``"h_{t-1}"``, ``"g^{in}_t"``), in a
table per diagram; the drawing renders that LaTeX, so the picture and the equation cannot
disagree. Lines and labels are drawn in :data:`lstmbook.palette.INK`, which the SVG writes as
``currentColor``; fills are translucent tints of the palette colours, legible on a light and
on a dark page.

Why matplotlib: it is already the book's plotting library (no new dependency), it draws
deterministic vector SVG with text kept as text, its mathtext typesets the symbols without a
TeX installation, and a diagram is just patches and arrows at fixed coordinates, so a whole
cell is a page of code that the tests can read back. (Graphviz lays graphs out by itself and
would move the gates around; TikZ needs TeX; hand-written SVG would need its own typesetting.)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
import warnings
import xml.etree.ElementTree as ET
from typing import NamedTuple

import matplotlib as mpl
import matplotlib.style
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from lstmbook.i18n import language
from lstmbook.palette import (
    ERROR_COLOR,
    GATE_COLORS,
    INK,
    MUTED,
    ROLE_COLORS,
)

__all__ = [
    "FONT_STACK", "GATE_NAMES", "Diagram", "Label", "bidirectional_rnn", "cec_cell", "gru_cell",
    "lstm_cell", "recurrent_family", "stacked_rnn", "to_svg", "truncation_windows",
    "unrolled_rnn",
]

#: The font list the SVG names for every label: the face matplotlib lays the labels out with,
#: common Japanese fonts (Noto, macOS, Windows, IPA), then the generic family.
FONT_STACK = ("'DejaVu Sans', 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', "
              "'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, 'IPAexGothic', sans-serif")

#: Gate names shown beside the symbols with ``names=True`` (``lang="ja"`` shows them by
#: default). The Japanese terms are the glossary's.
GATE_NAMES = {
    "en": {"i": "input gate", "f": "forget gate", "g": "candidate cell state",
           "o": "output gate", "r": "reset gate", "z": "update gate", "n": "candidate",
           "g_in": "input gate", "g_out": "output gate"},
    "ja": {"i": "入力ゲート", "f": "忘却ゲート", "g": "候補セル状態", "o": "出力ゲート",
           "r": "リセットゲート", "z": "更新ゲート", "n": "候補",
           "g_in": "入力ゲート", "g_out": "出力ゲート"},
}

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG_NS)
ET.register_namespace("xlink", _XLINK_NS)

#: inches per unit of the drawing coordinates; every diagram is at most 12 units (4.8 in) wide,
#: so that at a phone's 358 px of text width its 10 pt labels are still 10 px high
_INCH = 0.4
#: font sizes (points): symbols, values and small words
_SYM, _VAL, _WORD = 13, 10, 10.5

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "lstmbook-diagrams",
    "svg.id": None,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "text.usetex": False,
}

# LaTeX commands the labels use, and the characters mathtext draws for them
_TEX_CHARS = {r"\rightarrow": "→", r"\leftarrow": "←", r"\sigma": "σ", r"\delta": "δ",
              r"\tanh": "tanh", r"\odot": "⊙", r"\dots": "…"}
# symbols drawn as plain text (one upright run), not mathtext
_PLAIN_SYMBOLS = {r"\sigma": "σ", r"\tanh": "tanh", "1-": "1−"}


class Label(NamedTuple):
    """One text of a diagram.

    ``kind`` is ``"symbol"`` (a symbol of the equations; ``tex`` is its LaTeX), ``"value"`` (a
    number drawn by a live view), or ``"word"`` (a name, e.g. a gate's name or "trained");
    ``text`` is exactly what the SVG ``<text>`` element holds; ``key`` says what is labelled.
    """

    kind: str
    tex: str
    text: str
    key: str


def plain_text(tex: str) -> str:
    """The characters mathtext draws for ``tex``, in reading order: ``"h_{t-1}"`` → ``"ht−1"``.

    This is the text content of the label's SVG ``<text>`` element."""
    s = re.sub(r"\\mathrm\{([^}]*)\}", r"\1", tex).replace(r"\,", "")
    for command, chars in _TEX_CHARS.items():
        s = s.replace(command, chars)
    return re.sub(r"[{}_^\s]", "", s.replace("-", "−"))


def _fmt(v: float) -> str:
    """A value as a live view writes it: two decimals (three significant digits from 100 on),
    with a true minus sign."""
    v = float(v)
    if not np.isfinite(v):
        s = str(v)
    elif abs(v) >= 100:
        s = f"{v:.3g}"
    else:
        s = f"{v:.2f}"
        if s in ("-0.00",):
            s = "0.00"
    return s.replace("-", "−")


def _fmt_vector(x) -> str:
    x = np.ravel(x)
    shown = ", ".join(_fmt(v) for v in x[:3])
    return f"({shown}{', …' if x.size > 3 else ''})"


class Diagram:
    """A drawn diagram: ``fig`` (a matplotlib ``Figure``), ``labels`` (every text drawn, in
    drawing order), ``alt`` (a description for readers who cannot see it), ``values`` (for a
    live view: the symbol's LaTeX → the number(s) taken from the cache) and ``value_text``
    (the symbol's LaTeX → the text drawn for it).

    In a notebook the diagram shows itself as inline SVG (``_repr_html_``); :meth:`svg` is the
    standalone file, :meth:`html` the inline form.
    """

    def __init__(self, name, fig, labels, alt, values=None, value_text=None):
        self.name = name
        self.fig = fig
        self.labels = tuple(labels)
        self.alt = alt
        self.values = dict(values or {})
        self.value_text = dict(value_text or {})

    def __repr__(self):
        return f"<Diagram {self.name}: {len(self.labels)} labels>"

    @property
    def symbols(self) -> set[str]:
        """The LaTeX of every symbol drawn."""
        return {lab.tex for lab in self.labels if lab.kind == "symbol"}

    def svg(self) -> str:
        """The standalone SVG (see :func:`to_svg`)."""
        return to_svg(self)

    def html(self, alt: str | None = None) -> str:
        """The SVG inline in a ``<div class="lstmbook-diagram">``: it scales down to the width
        of the page (never above its natural size), is an image with ``alt`` as its accessible
        name (``role="img"``, ``aria-label``), and its lines and labels take the page's text
        colour. Ids are prefixed with a hash of the content, so two diagrams on one page do
        not collide."""
        root = _svg_tree(self.fig, self.labels)
        digest = hashlib.sha1(ET.tostring(root)).hexdigest()[:8]
        _prefix_ids(root, f"{self.name.replace('_', '-')}-{digest}-")
        width = root.attrib.pop("width")
        root.attrib.pop("height")
        root.set("class", "lstmbook-diagram-svg")
        root.set("role", "img")
        root.set("aria-label", alt if alt is not None else self.alt)
        root.set("style", f"width: 100%; max-width: {width}; height: auto")
        svg = ET.tostring(root, encoding="unicode")
        return f'<div class="lstmbook-diagram">{svg}</div>'

    def _repr_html_(self):
        return self.html()


# --------------------------------------------------------------------------- SVG writing
def _house_style():
    """matplotlib's defaults plus the diagrams' settings, whatever the caller's rcParams."""
    stack = contextlib.ExitStack()
    stack.enter_context(matplotlib.style.context("default"))
    stack.enter_context(mpl.rc_context(_RC))
    return stack


def _styled(builder):
    """Build the diagram in the house style (a notebook's rcParams must not change it)."""
    @functools.wraps(builder)
    def build(*args, **kwargs):
        with _house_style():
            return builder(*args, **kwargs)
    return build


def _draw_svg(fig) -> str:
    buf = io.StringIO()
    with _house_style(), warnings.catch_warnings():
        # Japanese labels: matplotlib measures them with DejaVu Sans, which has no CJK glyphs;
        # with every text anchored at its baseline the measure is not used, the browser draws
        # the glyphs from FONT_STACK.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.savefig(buf, format="svg", metadata={"Date": None}, transparent=True)
    return buf.getvalue()


def _svg_tree(fig, labels=()) -> ET.Element:
    root = ET.fromstring(_draw_svg(fig))
    svg = f"{{{_SVG_NS}}}"
    for child in list(root):
        if child.tag == svg + "metadata":
            root.remove(child)
        elif child.tag == svg + "defs":
            for style in child.findall(svg + "style"):
                # matplotlib's "*{stroke-linejoin: round; stroke-linecap: butt}" would style the
                # whole page once inline: set it on the root instead
                for prop, value in re.findall(r"(stroke-line(?:join|cap)):\s*(\w+)",
                                              style.text or ""):
                    root.set(prop, value)
                child.remove(style)
            if len(child) == 0:
                root.remove(child)
    ink = re.compile(re.escape(INK), re.IGNORECASE)
    for el in root.iter():
        style = el.get("style")
        if style:
            style = ink.sub("currentColor", style)
            el.set("style", re.sub(r"font-family:[^;]*", f"font-family: {FONT_STACK}", style))
    for el in root.iter(svg + "g"):
        m = re.fullmatch(r"lbl(\d+)", el.get("id", ""))
        if m:
            for text in el.iter(svg + "text"):
                _reading_order(text, labels[int(m.group(1))].text)
    return root


def _reading_order(text: ET.Element, target: str) -> None:
    """Put mathtext's one-glyph ``<tspan>``s (written grouped by font size) in the order of
    ``target``, so that the element's text content reads as the symbol does. Positions are
    absolute, so the picture does not change."""
    spans = [s for s in text if s.tag == f"{{{_SVG_NS}}}tspan"]
    if not spans:
        return
    pool = sorted(spans, key=lambda s: float(s.get("x", "0")))
    ordered = []
    for ch in target:
        k = next((k for k, s in enumerate(pool) if s.text == ch), None)
        if k is None:
            raise ValueError(f"label {target!r}: no glyph {ch!r} among the drawn "
                             f"{[s.text for s in spans]}")
        ordered.append(pool.pop(k))
    if pool:
        raise ValueError(f"label {target!r}: glyphs {[s.text for s in pool]} left over")
    for s in spans:
        text.remove(s)
    text.text = None
    for s in ordered:
        s.tail = None
        text.append(s)


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Drop the ids nothing refers to (matplotlib's ``figure_1``, ``patch_3`` …, which would
    repeat on a page with two diagrams); prefix the ones that are referred to."""
    attrs = [(el, k, v) for el in root.iter() for k, v in el.attrib.items()]
    used = {m for _, _, v in attrs for m in re.findall(r"url\(#([^)]+)\)|^#(.+)$", v)}
    used = {a or b for a, b in used}
    for el in root.iter():
        ident = el.attrib.pop("id", None)
        if ident in used:
            el.set("id", prefix + ident)
    for el, k, v in attrs:
        if k != "id" and "#" in v:
            v = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", v)
            el.set(k, re.sub(r"^#(.+)$", lambda m: f"#{prefix}{m.group(1)}", v))


def to_svg(diagram) -> str:
    """The SVG of a :class:`Diagram` (or of a bare matplotlib ``Figure``), as a string.

    Deterministic: the same call gives the same bytes. Labels are ``<text>`` elements (no
    glyph outlines), lines and labels use ``currentColor``, and no id is left that could clash
    with another diagram on the same page.
    """
    if isinstance(diagram, Diagram):
        root = _svg_tree(diagram.fig, diagram.labels)
    elif isinstance(diagram, Figure):
        root = _svg_tree(diagram)
    else:
        raise TypeError(f"diagram must be a Diagram or a matplotlib Figure, "
                        f"got {type(diagram).__name__}")
    _prefix_ids(root, "lstmbook-")
    return ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- drawing kit
class _Pen:
    """A canvas in drawing units (x to the right, y up) and the label table being filled."""

    def __init__(self, width, y0, y1):
        self.fig = Figure(figsize=(width * _INCH, (y1 - y0) * _INCH))
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(y0, y1)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.pt = 1 / (_INCH * 72)  # drawing units per point
        self.labels = []

    # texts -------------------------------------------------------------------------------
    def _text(self, x, y, s, label, size, ha, va, color=INK):
        if va == "center":  # baseline so that the small letters sit centred on y
            y -= 0.36 * size * self.pt
        elif va == "top":
            y -= 0.78 * size * self.pt
        self.ax.text(x, y, s, ha=ha, va="baseline", fontsize=size, color=color,
                     gid=f"lbl{len(self.labels)}", clip_on=False)
        self.labels.append(label)

    def symbol(self, x, y, tex, key, *, size=_SYM, ha="center", va="center", color=INK):
        """A symbol of the equations, given as its LaTeX."""
        if tex in _PLAIN_SYMBOLS:
            text = _PLAIN_SYMBOLS[tex]
            self._text(x, y, text, Label("symbol", tex, text, key), size, ha, va, color)
        else:
            self._text(x, y, f"${tex}$", Label("symbol", tex, plain_text(tex), key), size, ha,
                       va, color)

    def word(self, x, y, text, key, *, size=_WORD, ha="center", va="center", color=INK):
        self._text(x, y, text, Label("word", text, text, key), size, ha, va, color)

    def value(self, x, y, text, key, *, size=_VAL, ha="center", va="center"):
        self._text(x, y, text, Label("value", key, text, key), size, ha, va)

    # shapes ------------------------------------------------------------------------------
    def wire(self, *points, arrow=True, color=INK, lw=1.4, ls="-", z=2):
        style = "-|>" if arrow else "-"
        self.ax.add_patch(FancyArrowPatch(
            path=Path(points), arrowstyle=style, mutation_scale=10 + 1.5 * lw, color=color,
            linewidth=lw, linestyle=ls, capstyle="butt", joinstyle="miter",
            shrinkA=0, shrinkB=0, zorder=z, clip_on=False))

    def arc(self, p, q, *, rad=0.5, color=ERROR_COLOR, lw=1.3, ls="--"):
        """A curved arrow from ``p`` to ``q`` (bending to the left of the direction p → q for
        a positive ``rad``)."""
        self.ax.add_patch(FancyArrowPatch(
            p, q, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
            mutation_scale=10 + 1.5 * lw, color=color, linewidth=lw, linestyle=ls,
            shrinkA=0, shrinkB=0, zorder=2, clip_on=False))

    def box(self, x, y, w, h, color, *, alpha=0.3, edge=INK, lw=1.2, round_=0.12, z=3):
        # a translucent tint of the palette colour: the page shows through, light or dark
        self.ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={round_}",
            facecolor=mpl.colors.to_rgba(color, alpha), edgecolor=edge, linewidth=lw,
            zorder=z, clip_on=False))

    def op(self, x, y, kind, r=0.3):
        """A pointwise node: ``"mul"`` (⊙, a circle with a dot) or ``"add"`` (a circled +)."""
        self.ax.add_patch(Circle((x, y), r, facecolor=mpl.colors.to_rgba(INK, 0.05),
                                 edgecolor=INK, linewidth=1.3, zorder=4, clip_on=False))
        if kind == "mul":
            self.ax.add_patch(Circle((x, y), 0.22 * r, facecolor=INK, edgecolor="none",
                                     zorder=5, clip_on=False))
        else:
            d = 0.55 * r
            self.wire((x - d, y), (x + d, y), arrow=False, lw=1.3, z=5)
            self.wire((x, y - d), (x, y + d), arrow=False, lw=1.3, z=5)

    def dot(self, x, y):
        self.ax.add_patch(Circle((x, y), 0.07, facecolor=INK, edgecolor="none", zorder=4,
                                 clip_on=False))

    def key(self, y, entries, lang, x0=0.3, x1=11.7):
        """A row (or two) of ``symbol  name`` pairs under the drawing: the gates' names."""
        per_row = min(2, len(entries))
        step = (x1 - x0) / per_row
        for k, (gate, tex) in enumerate(entries):
            x = x0 + (k % per_row) * step
            yy = y - (k // per_row) * 0.75
            color = GATE_COLORS[{"g_in": "i", "g_out": "o"}.get(gate, gate)]
            self.box(x + 0.22, yy, 0.44, 0.44, color, alpha=0.45, round_=0.06)
            self.symbol(x + 0.62, yy, tex, f"key:{gate}", size=12, ha="left")
            # the name starts after the symbol (about 0.23 units a glyph at 12 pt)
            self.word(x + 0.95 + 0.23 * len(plain_text(tex)), yy, GATE_NAMES[lang][gate],
                      f"name:{gate}", ha="left")


def _check_lang(lang, names):
    lang = language(lang)  # None: the reader's language (LSTMBOOK_LANG)
    return lang, ((lang == "ja") if names is None else bool(names))


# --------------------------------------------------------------------------- chapter 2
_FAMILY_ALT = (
    "Four small networks in a two-by-two grid, each with an input box x_t at the bottom, and "
    "arrows marked solid where the weights are trained and dashed grey where they are fixed. "
    "Elman network: x_t feeds a hidden box h_t through W, h_t feeds the output y_t through "
    "W(out), and a loop U carries h_t−1 back into the hidden box. Jordan network, simplified "
    "(without the self-loops of Jordan's state units): the same, but "
    "the loop U carries the previous output y_t−1 from the output box back into the hidden "
    "box, and the output weight is V. Time-delay network: the inputs x_t, x_t−1 to x_t−k+1 "
    "stand side by side and feed y_t through W, with no loop at all. Echo-state network: x_t "
    "feeds a large reservoir of randomly connected units through fixed weights, the reservoir "
    "loops through a fixed U, and only the read-out W(out) to y_t is trained."
)


@_styled
def recurrent_family(*, alt=None) -> Diagram:
    """Chapter 2's four networks side by side (Elman, Jordan, time-delay, echo-state): what
    feeds back where, and which weights are trained (solid) or fixed (dashed grey)."""
    pen = _Pen(12, -1.0, 9.4)
    bh = 0.66

    def node(x, y, tex, role, key, bw=1.4):
        pen.box(x, y, bw, bh, ROLE_COLORS[role])
        pen.symbol(x, y, tex, key, size=12)

    def weight(x, y, tex, key, ha="left"):
        pen.symbol(x, y, tex, key, size=12, ha=ha)

    panels = {"elman": (0, 4.8), "jordan": (6, 4.8), "tdnn": (0, 0), "esn": (6, 0)}
    titles = {"elman": "Elman network", "jordan": "Jordan network (simplified)",
              "tdnn": "time-delay network", "esn": "echo-state network"}
    for name, (ox, oy) in panels.items():
        pen.word(ox + 3, oy + 4.25, titles[name], f"title:{name}", size=11.5)
    # Elman and Jordan: x -> h -> y, with a loop
    for name, out_w, loop_from in (("elman", "W^{(\\mathrm{out})}", "h"), ("jordan", "V", "y")):
        ox, oy = panels[name]
        cx = ox + 2.3
        yx, yh, yy = oy + 0.45, oy + 1.95, oy + 3.45
        node(cx, yx, "x_t", "input", f"{name}:x")
        node(cx, yh, "h_t", "hidden", f"{name}:h")
        node(cx, yy, "y_t", "output", f"{name}:y")
        pen.wire((cx, yx + bh / 2), (cx, yh - bh / 2))
        pen.wire((cx, yh + bh / 2), (cx, yy - bh / 2))
        weight(cx - 0.15, (yx + yh) / 2, "W", f"{name}:W", ha="right")
        weight(cx - 0.15, (yh + yy) / 2, out_w, f"{name}:out", ha="right")
        right = cx + 0.7
        if loop_from == "h":
            pen.wire((right, yh + 0.15), (right + 0.9, yh + 0.15), (right + 0.9, yh - 0.15),
                     (right, yh - 0.15))
            weight(right + 1.05, yh + 0.12, "U", "elman:U")
            weight(right + 1.05, yh - 0.45, "h_{t-1}", "elman:h_prev")
        else:
            pen.wire((right, yy), (right + 0.9, yy), (right + 0.9, yh), (right, yh))
            weight(right + 1.05, yh + 0.95, "U", "jordan:U")
            weight(right + 1.05, yh + 0.35, "y_{t-1}", "jordan:y_prev")
    # time-delay: k inputs side by side, no loop
    ox, oy = panels["tdnn"]
    yx, yy = oy + 0.45, oy + 3.0
    ins = [("x_t", 0.75, 1.2), ("x_{t-1}", 2.2, 1.4), ("x_{t-k+1}", 4.85, 1.7)]
    for k, (tex, dx, bw) in enumerate(ins):
        node(ox + dx, yx, tex, "input", f"tdnn:x{k}", bw=bw)
        pen.wire((ox + dx, yx + bh / 2), (ox + 2.9 + 0.2 * (dx - 2.9), yy - bh / 2))
    pen.symbol(ox + 3.5, yx, r"\dots", "tdnn:dots", size=12)
    node(ox + 2.9, yy, "y_t", "output", "tdnn:y")
    weight(ox + 3.95, (yx + yy) / 2 + 0.35, "W", "tdnn:W")
    # echo state: fixed reservoir, trained read-out
    ox, oy = panels["esn"]
    cx = ox + 2.6
    yx, yr, yy = oy + 0.45, oy + 1.95, oy + 3.45
    node(cx, yx, "x_t", "input", "esn:x")
    pen.ax.add_patch(Ellipse((cx, yr), 2.3, 0.9, facecolor=mpl.colors.to_rgba(
        ROLE_COLORS["hidden"], 0.22), edgecolor=MUTED, linewidth=1.2, linestyle="--", zorder=3))
    pts = [(-0.7, 0.15), (-0.25, -0.2), (0.2, 0.2), (0.65, -0.12), (0.0, 0.0)]
    for (ax_, ay), (bx, by) in ((pts[0], pts[1]), (pts[1], pts[2]), (pts[2], pts[3]),
                                (pts[3], pts[4]), (pts[4], pts[0]), (pts[2], pts[4])):
        pen.wire((cx + ax_, yr + ay), (cx + bx, yr + by), arrow=False, color=MUTED, lw=0.9,
                 z=4)
    for px, py in pts:
        pen.ax.add_patch(Circle((cx + px, yr + py), 0.07, facecolor=MUTED, edgecolor="none",
                                zorder=5))
    node(cx, yy, "y_t", "output", "esn:y")
    pen.wire((cx, yx + bh / 2), (cx, yr - 0.45), color=MUTED, ls="--")
    pen.wire((cx, yr + 0.45), (cx, yy - bh / 2))
    weight(cx - 0.15, (yr + 0.45 + yy - bh / 2) / 2, "W^{(\\mathrm{out})}", "esn:out",
           ha="right")
    right = cx + 1.15
    pen.wire((right, yr + 0.15), (right + 0.7, yr + 0.15), (right + 0.7, yr - 0.15),
             (right, yr - 0.15), color=MUTED, ls="--")
    weight(right + 0.85, yr, "U", "esn:U")
    pen.word(cx - 1.3, yr, "reservoir", "esn:reservoir", size=9.5, ha="right")
    # legend
    pen.wire((2.2, -0.6), (3.4, -0.6))
    pen.word(3.6, -0.6, "trained", "legend:trained", ha="left")
    pen.wire((6.6, -0.6), (7.8, -0.6), color=MUTED, ls="--")
    pen.word(8.0, -0.6, "fixed", "legend:fixed", ha="left")
    return Diagram("recurrent_family", pen.fig, pen.labels, alt or _FAMILY_ALT)


# --------------------------------------------------------------------------- chapter 3
def _chain(pen, T, x0, dx, y_x, y_h, y_y, bw, bh, *, size, outputs=True):
    """x_t → h_t (→ y_t) for t = 1 … T, with h_0 on the left; returns the columns' x."""
    xs = [x0 + dx * (t + 1) for t in range(T)]
    pen.symbol(x0 + 0.1, y_h, "h_0", "h_0", size=size)
    pen.wire((x0 + 0.5, y_h), (xs[0] - bw / 2, y_h))
    for t, x in enumerate(xs, start=1):
        pen.box(x, y_x, bw, bh, ROLE_COLORS["input"])
        pen.symbol(x, y_x, f"x_{{{t}}}", f"x_{t}", size=size)
        pen.box(x, y_h, bw, bh, ROLE_COLORS["hidden"])
        pen.symbol(x, y_h, f"h_{{{t}}}", f"h_{t}", size=size)
        pen.wire((x, y_x + bh / 2), (x, y_h - bh / 2))
        if outputs:
            pen.box(x, y_y, bw, bh, ROLE_COLORS["output"])
            pen.symbol(x, y_y, f"y_{{{t}}}", f"y_{t}", size=size)
            pen.wire((x, y_h + bh / 2), (x, y_y - bh / 2))
        if t < T:
            pen.wire((x + bw / 2, y_h), (xs[t] - bw / 2, y_h))
    return xs


@_styled
def unrolled_rnn(T=4, *, show_deltas=True, alt=None) -> Diagram:
    """Chapter 3: the RNN unrolled over ``T`` steps, the same ``W``, ``U`` and ``W^(out)`` at
    every step, and (``show_deltas``) the errors δ_t of BPTT flowing back ({ref}`eq-bptt-delta`):
    from each step's output and from the step after."""
    T = _steps(T, "T", 2, 5)
    pen = _Pen(12, -0.3, 6.5 if show_deltas else 6.0)
    dx = 11.2 / (T + 0.7)
    bw, bh = min(1.3, 0.62 * dx), 0.75
    y_x, y_h, y_y = 0.6, 2.9, 5.2
    xs = _chain(pen, T, 0.3, dx, y_x, y_h, y_y, bw, bh, size=_SYM)
    for t, x in enumerate(xs, start=1):
        pen.symbol(x - 0.12, (y_x + y_h) / 2, "W", f"W_{t}", size=12, ha="right")
        pen.symbol(x - 0.12, (y_h + y_y) / 2, "W^{(\\mathrm{out})}", f"Wout_{t}", size=12,
                   ha="right")
        if t < T:
            pen.symbol((x + xs[t]) / 2, y_h + 0.3, "U", f"U_{t}", size=12)
    if show_deltas:
        for t, x in enumerate(xs, start=1):
            # from the output at step t, and from step t+1 (through U)
            pen.wire((x + 0.3, y_y - bh / 2), (x + 0.3, y_h + bh / 2), color=ERROR_COLOR,
                     ls="--", lw=1.3)
            if t < T:
                pen.wire((xs[t] - bw / 2, y_h - 0.22), (x + bw / 2, y_h - 0.22),
                         color=ERROR_COLOR, ls="--", lw=1.3)
            pen.symbol(x + 0.2, y_h - bh / 2 - 0.38, f"\\delta_{{{t}}}", f"delta_{t}",
                       size=12, ha="left")
        pen.wire((1.7, 6.15), (0.6, 6.15), color=ERROR_COLOR, ls="--", lw=1.3)
        pen.word(1.85, 6.15, "error sent back (BPTT)", "legend:bptt", ha="left")
    alt = alt or (
        f"A recurrent network unrolled over {T} time steps: a row of input boxes x_1 to x_{T} "
        f"at the bottom, hidden-state boxes h_1 to h_{T} in the middle and output boxes y_1 to "
        f"y_{T} on top. Every input arrow is labelled W, every output arrow W(out) and every "
        f"arrow from one hidden state to the next U: the same weights at every step. h_0 "
        f"enters from the left."
        + (" Dashed vermilion (orange-red) arrows run the other way: from each output "
           "down to its hidden state and from each hidden state back to the one before, "
           "the error δ_t of backpropagation through time, written under each hidden box."
           if show_deltas
           else ""))
    return Diagram("unrolled_rnn", pen.fig, pen.labels, alt)


@_styled
def truncation_windows(T=8, k=3, *, alt=None) -> Diagram:
    """Chapter 3, truncated BPTT ({ref}`eq-tbptt`): the sequence cut into chunks of ``k``
    steps; the state is carried forward across every cut (solid arrows), the error flows back
    only inside a chunk (dashed arrows stop at the cut)."""
    T = _steps(T, "T", 2, 9)
    k = _steps(k, "k", 1, T)
    pen = _Pen(12, -1.3, 4.5)
    dx = 11.1 / (T + 0.7)
    bw, bh = min(1.1, 0.66 * dx), 0.7
    y_x, y_h = 0.6, 2.1
    size = 12
    xs = _chain(pen, T, 0.25, dx, y_x, y_h, 0, bw, bh, size=size, outputs=False)
    for t, x in enumerate(xs, start=1):
        if t < T and t % k:  # inside a chunk: the error goes back
            pen.arc((xs[t], y_h + bh / 2 + 0.05), (x, y_h + bh / 2 + 0.05), rad=0.55)
        if t < T and t % k == 0:  # a cut
            xc = (x + xs[t]) / 2
            pen.wire((xc, y_h - 0.75), (xc, y_h + 1.05), arrow=False, color=MUTED, lw=1.2,
                     ls=":")
    for c, start in enumerate(range(0, T, k), start=1):
        a, b = xs[start] - bw / 2, xs[min(start + k, T) - 1] + bw / 2
        pen.wire((a, -0.25), (a, -0.4), (b, -0.4), (b, -0.25), arrow=False, lw=1.1)
        pen.word((a + b) / 2, -0.85, f"chunk {c}", f"chunk_{c}")
    pen.symbol(0.3, 3.95, f"k={k}", "k", size=12, ha="left")
    pen.wire((3.3, 3.95), (2.3, 3.95), color=ERROR_COLOR, ls="--", lw=1.3)
    pen.word(3.45, 3.95, "error, inside a chunk", "legend:error", ha="left")
    n = -(-T // k)
    alt = alt or (
        f"A row of {T} hidden-state boxes h_1 to h_{T} above their inputs x_1 to x_{T}, linked "
        f"left to right by solid arrows that carry the state across the whole sequence, from h_0 "
        f"on. Brackets underneath cut the sequence into {n} chunks of k = {k} steps; dotted "
        f"vertical lines mark the cuts. Dashed vermilion (orange-red) arrows above the boxes "
        f"carry the error back from each step to the one before, but only inside a chunk: "
        f"none crosses a cut.")
    return Diagram("truncation_windows", pen.fig, pen.labels, alt)


def _steps(n, name, lo, hi):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not lo <= n <= hi:
        raise ValueError(f"{name} must be an integer in {lo} … {hi}, got {n!r}")
    return int(n)


# --------------------------------------------------------------------------- chapter 5
@_styled
def cec_cell(*, gate_input="x_t", lang=None, names=None, alt=None) -> Diagram:
    """Chapter 5's memory cell: the constant error carousel, a linear unit whose self-loop
    has weight 1 (``s_t = s_{t-1} + g^in_t x_t``), between an input gate and an output gate
    (``y_t = g^out_t s_t``) ({ref}`eq-cec`; the 1997 cell of Hochreiter and Schmidhuber, with
    its input and output squashing left out, as in the chapter).

    ``gate_input`` labels what the two σ gates read (LaTeX), or ``None`` for no label (the
    chapter's hand-set gates read their own marker and cue lines)."""
    lang, names = _check_lang(lang, names)
    pen = _Pen(12, -1.7 if names else -0.6, 5.4)
    y = 3.0
    pen.symbol(0.3, y + 0.35, "x_t", "wire:x", ha="left")
    pen.wire((0.3, y), (2.7, y))
    pen.op(3.0, y, "mul")
    # the carousel: a box around the + and its loop of weight 1
    pen.box(5.75, y + 0.45, 3.7, 2.3, ROLE_COLORS["hidden"], alpha=0.12, lw=1.0, round_=0.3)
    pen.word(5.75, y - 1.05, "CEC", "word:cec", size=11)
    pen.wire((3.3, y), (4.8, y))
    pen.op(5.1, y, "add")
    pen.wire((5.4, y), (8.7, y))
    pen.wire((6.6, y), (6.6, y + 1.2), (5.1, y + 1.2), (5.1, y + 0.3))
    pen.symbol(5.85, y + 1.5, "1", "loop:weight", size=12)
    pen.symbol(4.95, y + 0.8, "s_{t-1}", "loop:s_prev", ha="right", size=12)
    pen.dot(6.6, y)
    pen.symbol(8.15, y + 0.35, "s_t", "wire:s")
    pen.op(9.0, y, "mul")
    pen.wire((9.3, y), (11.7, y))
    pen.symbol(11.7, y + 0.35, "y_t", "wire:y", ha="right")
    for gx, tex, gate in ((3.0, "g^{\\mathrm{in}}_t", "g_in"), (9.0, "g^{\\mathrm{out}}_t",
                                                                  "g_out")):
        color = GATE_COLORS["i" if gate == "g_in" else "o"]
        pen.box(gx, 1.2, 1.2, 0.72, color, alpha=0.35)
        pen.symbol(gx, 1.2, r"\sigma", f"block:{gate}")
        pen.wire((gx, 1.56), (gx, y - 0.3))
        pen.symbol(gx + 0.15, 2.15, tex, f"gate:{gate}", ha="left")
        pen.wire((gx, 0.0), (gx, 0.84))
        if gate_input is not None:
            pen.symbol(gx - 0.15, 0.1, gate_input, f"gate_in:{gate}", ha="right", size=12)
    if names:
        pen.key(-1.0, [("g_in", "g^{\\mathrm{in}}_t"), ("g_out", "g^{\\mathrm{out}}_t")], lang)
    alt = alt or (
        "The memory cell of chapter 5. The input x_t enters from the left and is multiplied by "
        "the input gate g_in, a sigmoid unit below it; the product is added into the constant "
        "error carousel, a box in the middle whose output s_t loops back to the sum with "
        "weight 1, so s_t = s_t−1 plus what came in. Then s_t is multiplied by the output gate "
        "g_out, another sigmoid unit below, giving the output y_t on the right. "
        + ("Each gate reads its own input line from below." if gate_input is None else
           f"The two gates read {re.sub(r'[{}]', '', gate_input)} too."))
    return Diagram("cec_cell", pen.fig, pen.labels, alt)


# --------------------------------------------------------------------------- chapters 6, 7
#: what the cell diagram draws for each LSTM quantity: LaTeX of the symbol, cache field
LSTM_SYMBOLS = {"x_t": "x", "h_{t-1}": "h_prev", "c_{t-1}": "c_prev", "i_t": "i", "f_t": "f",
                "g_t": "g", "o_t": "o", "c_t": "c", "h_t": None}


def _cache_values(cache, unit, sample):
    """The values of one unit (and one example of the batch) of an LSTMCache-like object."""
    out = {}
    for tex, field in LSTM_SYMBOLS.items():
        if field is None:
            continue
        if not hasattr(cache, field):
            raise TypeError(f"cache must have the fields of an LSTMCache (x, h_prev, c_prev, "
                            f"i, f, g, o, c), got {type(cache).__name__} without {field!r}")
        a = np.asarray(getattr(cache, field), dtype=np.float64)
        if a.ndim > 2:
            raise ValueError(f"cache.{field} must have shape (N, H), (H,) or (), got {a.shape}")
        if a.ndim == 2:
            if not 0 <= sample < a.shape[0]:
                raise ValueError(f"sample must be in 0 … {a.shape[0] - 1}, got {sample}")
            a = a[sample]
        if field == "x":
            out[tex] = a.ravel()
        else:
            if a.ndim == 1 and not 0 <= unit < a.shape[0]:
                raise ValueError(f"unit must be in 0 … {a.shape[0] - 1}, got {unit}")
            out[tex] = float(a[unit] if a.ndim == 1 else a)
    tanh_c = getattr(cache, "tanh_c", None)
    if tanh_c is not None:
        t = np.asarray(tanh_c, dtype=np.float64)
        t = t[sample] if t.ndim == 2 else t
        tanh_c = float(t[unit] if t.ndim == 1 else t)
    else:
        tanh_c = float(np.tanh(out["c_t"]))
    out["h_t"] = out["o_t"] * tanh_c  # eq-lstm-hidden
    return out


@_styled
def lstm_cell(cache=None, *, peephole=False, unit=0, sample=0, lang=None, names=None,
              alt=None) -> Diagram:
    """Chapter 6's LSTM cell ({ref}`eq-lstm-gates`, {ref}`eq-lstm-cell`,
    {ref}`eq-lstm-hidden`): the cell line from ``c_{t-1}`` to ``c_t`` with its ⊙ (forget) and
    + (write) nodes, the σ and tanh blocks of i, f, g, o fed by ``W x_t + U h_{t-1} + b``, and
    the output ``h_t = o_t ⊙ tanh(c_t)``. ``peephole=True`` adds chapter 7's peephole arrows
    ({ref}`eq-peephole`): ``p_i``, ``p_f`` from ``c_{t-1}``, ``p_o`` from ``c_t``.

    Live view: given ``cache`` (an ``LSTMCache`` from ``lstm_step``, or anything with its
    fields, arrays ``(N, H)``, ``(H,)`` or numbers), the diagram shows one step of unit
    ``unit`` of example ``sample``: each gate block is tinted and its output wire drawn as wide
    as the gate is open, and the value of every symbol is written beside it (``x_t`` is the
    whole input vector, the first three entries if it is longer; ``h_t = o_t ⊙ tanh(c_t)``
    from the cache's ``o`` and ``tanh_c``). ``Diagram.values`` holds the numbers drawn,
    ``Diagram.value_text`` the texts.

    ``lang="ja"`` (or ``names=True``) adds a key of the gates' names (入力ゲート …).
    """
    lang, names = _check_lang(lang, names)
    values = None if cache is None else _cache_values(cache, unit, sample)
    pen = _Pen(12, -2.6 if names else -0.8, 7.4)
    X = {"f": 3.0, "i": 4.7, "g": 6.3, "o": 7.8}
    y_c, y_b, y_g, y_ig = 6.2, 1.5, 3.0, 4.6
    bw, bh = 1.2, 0.8
    xo, x_tanh, r = 9.3, 9.3, 0.3

    def openness(gate):
        if values is None:
            return None
        return values[f"{gate}_t"]

    # the cell's outline
    pen.box(6.0, 3.55, 9.4, 6.2, ROLE_COLORS["hidden"], alpha=0.06, edge=MUTED, lw=1.0,
            round_=0.35, z=1)
    # cell line: c_{t-1} -(⊙ f)-(+ i⊙g)-> c_t
    pen.symbol(0.2, y_c + 0.42, "c_{t-1}", "wire:c_prev", ha="left")
    pen.wire((0.2, y_c), (X["f"] - r, y_c), arrow=False, lw=3.0)
    pen.op(X["f"], y_c, "mul")
    pen.wire((X["f"] + r, y_c), (5.5 - r, y_c), arrow=False, lw=3.0)
    pen.op(5.5, y_c, "add")
    pen.wire((5.5 + r, y_c), (11.8, y_c), lw=3.0)
    pen.symbol(11.8, y_c + 0.42, "c_t", "wire:c", ha="right")
    # input bus: h_{t-1} from the left, x_t from below
    pen.symbol(0.2, y_b + 0.42, "h_{t-1}", "wire:h_prev", ha="left")
    pen.wire((0.2, y_b), (X["o"], y_b), arrow=False)
    pen.wire((1.9, -0.2), (1.9, y_b), arrow=False)
    pen.dot(1.9, y_b)
    pen.symbol(2.05, -0.25, "x_t", "wire:x", ha="left")
    pen.symbol(5.4, y_b - 0.55, "W x_t + U h_{t-1} + b", "bus:preactivation", size=11.5)
    for gate, x in X.items():
        pen.dot(x, y_b)
        pen.wire((x, y_b), (x, y_g - bh / 2))
        v = openness(gate)
        level = 0.35 if v is None else 0.1 + 0.55 * min(1.0, abs(v))
        pen.box(x, y_g, bw, bh, GATE_COLORS[gate], alpha=level)
        pen.symbol(x, y_g, r"\tanh" if gate == "g" else r"\sigma", f"block:{gate}",
                   size=12 if gate == "g" else _SYM)

    def lw(gate):
        v = openness(gate)
        return 1.4 if v is None or gate == "g" else 0.6 + 3.4 * min(1.0, max(0.0, v))

    # forget gate up to the ⊙ on the cell line; input gate and candidate to their ⊙, then +
    pen.wire((X["f"], y_g + bh / 2), (X["f"], y_c - r), lw=lw("f"))
    pen.wire((X["i"], y_g + bh / 2), (X["i"], y_ig), (5.5 - r, y_ig), lw=lw("i"))
    pen.wire((X["g"], y_g + bh / 2), (X["g"], y_ig), (5.5 + r, y_ig), lw=lw("g"))
    pen.op(5.5, y_ig, "mul")
    pen.wire((5.5, y_ig + r), (5.5, y_c - r))
    # output: tanh(c_t), times o_t, gives h_t
    pen.dot(x_tanh, y_c)
    pen.wire((x_tanh, y_c), (x_tanh, 5.3))
    pen.ax.add_patch(Ellipse((x_tanh, 5.0), 1.1, 0.6, facecolor=mpl.colors.to_rgba(INK, 0.05),
                             edgecolor=INK, linewidth=1.2, zorder=3))
    pen.symbol(x_tanh, 5.0, r"\tanh", "node:tanh_c", size=11)
    pen.wire((x_tanh, 4.7), (x_tanh, y_g + r))
    pen.wire((X["o"] + bw / 2, y_g), (xo - r, y_g), lw=lw("o"))
    pen.op(xo, y_g, "mul")
    pen.wire((xo, y_g - r), (xo, y_b), (11.8, y_b))
    pen.symbol(11.8, y_b + 0.42, "h_t", "wire:h", ha="right")
    # gate symbols beside their wires
    pen.symbol(X["f"] + 0.16, 4.85, "f_t", "gate:f", ha="left")
    pen.symbol(X["i"] + 0.16, 4.05, "i_t", "gate:i", ha="left")
    pen.symbol(X["g"] + 0.16, 4.2, "g_t", "gate:g", ha="left")
    pen.symbol(8.72, y_g + 0.38, "o_t", "gate:o")
    if peephole:
        xp = 1.75
        pen.dot(xp, y_c)
        pen.wire((xp, y_c), (xp, y_g), (X["f"] - bw / 2, y_g), color=ERROR_COLOR, ls="--",
                 lw=1.2)
        pen.wire((xp, 3.85), (3.95, 3.85), (3.95, y_g), (X["i"] - bw / 2, y_g),
                 color=ERROR_COLOR, ls="--", lw=1.2)
        pen.dot(xp, 3.85)
        pen.symbol(xp - 0.12, 4.6, "p_f", "peep:f", ha="right", size=12)
        pen.symbol(2.35, 4.3, "p_i", "peep:i", size=12)
        pen.dot(X["o"], y_c)
        pen.wire((X["o"], y_c), (X["o"], y_g + bh / 2), color=ERROR_COLOR, ls="--", lw=1.2)
        pen.symbol(X["o"] + 0.14, 4.6, "p_o", "peep:o", ha="left", size=12)
    value_text = {}
    if values is not None:
        def put(tex, x, y, ha):
            text = _fmt_vector(values[tex]) if tex == "x_t" else _fmt(values[tex])
            value_text[tex] = text
            pen.value(x, y, text, tex, ha=ha)

        put("c_{t-1}", 0.2, y_c - 0.45, "left")
        put("c_t", 11.8, y_c - 0.45, "right")
        put("h_{t-1}", 0.2, y_b - 0.45, "left")
        put("h_t", 11.8, y_b - 0.45, "right")
        if values["x_t"].size:
            put("x_t", 2.75, -0.25, "left")
        put("f_t", X["f"] + 0.16, 4.35, "left")
        put("i_t", X["i"] + 0.16, 3.62, "left")
        put("g_t", X["g"] + 0.16, 3.72, "left")
        put("o_t", 8.72, y_g - 0.72, "center")
    if names:
        pen.key(-1.3, [(g, f"{g}_t") for g in ("i", "f", "g", "o")], lang)
    if alt is None:
        alt = (
            "An LSTM cell. Along the top, the cell state runs as a thick line from c_t−1 on the "
            "left to c_t on the right, through a multiplication by the forget gate f_t and an "
            "addition of i_t times g_t. Along the bottom, h_t−1 enters from the left and x_t "
            "from below; together, as W x_t + U h_t−1 + b, they feed four blocks in a row: σ "
            "for the forget gate f_t, σ for the input gate i_t, tanh for the candidate g_t and "
            "σ for the output gate o_t. On the right, the new cell state passes through tanh "
            "and is multiplied by o_t to give h_t, which leaves on the right.")
        if peephole:
            alt += (" Dashed peephole arrows p_f and p_i run from c_t−1 into the forget and "
                    "input gates, and p_o from c_t into the output gate.")
        if values is not None:
            alt += (
                f" Values at this step for unit {unit}: input gate i_t = {value_text['i_t']}, "
                f"forget gate f_t = {value_text['f_t']}, candidate g_t = {value_text['g_t']}, "
                f"output gate o_t = {value_text['o_t']}; the cell goes from c_t−1 = "
                f"{value_text['c_{t-1}']} to "
                f"c_t = {value_text['c_t']}, and h_t = {value_text['h_t']}"
                + (f" (input x_t = {value_text['x_t']})." if "x_t" in value_text else "."))
    name = "lstm_cell_peephole" if peephole else "lstm_cell"
    return Diagram(name, pen.fig, pen.labels, alt, values, value_text)


# --------------------------------------------------------------------------- chapter 8
@_styled
def gru_cell(*, lang=None, names=None, alt=None) -> Diagram:
    """Chapter 8's GRU cell as lstmbook (and PyTorch) computes it ({ref}`eq-gru`): the state
    line from ``h_{t-1}`` to ``h_t`` with ``z_t ⊙ h_{t-1} + (1 − z_t) ⊙ n_t``; the reset gate
    multiplies ``U_n h_{t-1} + b_hn`` inside the candidate's tanh."""
    lang, names = _check_lang(lang, names)
    pen = _Pen(12, -2.9 if names else -0.8, 7.4)
    y_h, y_b, y_g, y_z = 6.2, 1.5, 3.0, 4.6
    bw, bh, r = 1.2, 0.8, 0.3
    X = {"z": 2.7, "r": 4.2, "n": 9.0}
    xr, x1m = 5.9, 6.9
    pen.box(6.0, 3.55, 9.4, 6.2, ROLE_COLORS["hidden"], alpha=0.06, edge=MUTED, lw=1.0,
            round_=0.35, z=1)
    pen.symbol(0.2, y_h + 0.42, "h_{t-1}", "wire:h_prev", ha="left")
    pen.wire((0.2, y_h), (X["z"] - r, y_h), arrow=False, lw=3.0)
    pen.op(X["z"], y_h, "mul")
    pen.wire((X["z"] + r, y_h), (X["n"] - r, y_h), arrow=False, lw=3.0)
    pen.op(X["n"], y_h, "add")
    pen.wire((X["n"] + r, y_h), (11.8, y_h), lw=3.0)
    pen.symbol(11.8, y_h + 0.42, "h_t", "wire:h", ha="right")
    # h_{t-1} down to the bus, x_t from below
    pen.dot(1.0, y_h)
    pen.wire((1.0, y_h), (1.0, y_b), (X["n"], y_b), arrow=False)
    pen.wire((1.9, -0.2), (1.9, y_b), arrow=False)
    pen.dot(1.9, y_b)
    pen.symbol(2.05, -0.25, "x_t", "wire:x", ha="left")
    for gate, x in X.items():
        pen.dot(x, y_b)
        pen.wire((x, y_b), (x, y_g - bh / 2))
        pen.box(x, y_g, bw, bh, GATE_COLORS[gate], alpha=0.35)
        pen.symbol(x, y_g, r"\tanh" if gate == "n" else r"\sigma", f"block:{gate}",
                   size=12 if gate == "n" else _SYM)
    # update gate: z ⊙ h_{t-1} on the state line, (1 − z) ⊙ n into the +
    pen.wire((X["z"], y_g + bh / 2), (X["z"], y_h - r))
    pen.dot(X["z"], y_z)
    pen.wire((X["z"], y_z), (x1m - 0.4, y_z))
    pen.ax.add_patch(Circle((x1m, y_z), 0.4, facecolor=mpl.colors.to_rgba(INK, 0.05),
                            edgecolor=INK, linewidth=1.3, zorder=4))
    pen.symbol(x1m, y_z, "1-", "node:one_minus", size=10)
    pen.wire((x1m + 0.4, y_z), (X["n"] - r, y_z))
    pen.op(X["n"], y_z, "mul")
    pen.wire((X["n"], y_g + bh / 2), (X["n"], y_z - r))
    pen.wire((X["n"], y_z + r), (X["n"], y_h - r))
    pen.symbol(X["z"] + 0.16, 3.95, "z_t", "gate:z", ha="left")
    pen.symbol(7.95, y_z + 0.38, "1 - z_t", "wire:one_minus_z")
    pen.symbol(X["n"] + 0.16, 3.95, "n_t", "gate:n", ha="left")
    # reset gate: r ⊙ (U_n h_{t-1} + b_hn), into the candidate
    pen.wire((X["r"] + bw / 2, y_g), (xr - r, y_g))
    pen.symbol((X["r"] + bw / 2 + xr - r) / 2, y_g + 0.38, "r_t", "gate:r")
    pen.op(xr, y_g, "mul")
    pen.dot(xr, y_b)
    pen.wire((xr, y_b), (xr, y_g - r))
    pen.symbol(xr + 0.14, 2.15, "U_n h_{t-1} + b_{hn}", "wire:reset_input", size=12,
               ha="left")
    pen.wire((xr + r, y_g), (X["n"] - bw / 2, y_g))
    pen.symbol(4.6, y_b - 0.55, "W x_t + U h_{t-1} + b", "bus:preactivation", size=11.5)
    if names:
        pen.key(-1.3, [("z", "z_t"), ("r", "r_t"), ("n", "n_t")], lang)
    alt = alt or (
        "A GRU cell. Along the top the hidden state runs as a thick line from h_t−1 on the "
        "left to h_t on the right: it is multiplied by the update gate z_t, then 1 − z_t "
        "times the candidate n_t is added. Below, h_t−1 and x_t feed, as W x_t + U h_t−1 + b, "
        "three blocks: σ for the update gate z_t, σ for the reset gate r_t and tanh for the "
        "candidate n_t. The reset gate multiplies U_n h_t−1 + b_hn, the recurrent part of the "
        "candidate, before it enters the tanh. There is no separate cell state and no "
        "output gate.")
    return Diagram("gru_cell", pen.fig, pen.labels, alt)


@_styled
def stacked_rnn(T=3, layers=2, *, alt=None) -> Diagram:
    """Chapter 8's stacked network ({ref}`eq-stack`), unrolled over ``T`` steps: layer ``l``
    reads ``h^(l−1)_t`` from below and its own ``h^(l)_{t−1}`` from the left; ``h^(0)_t = x_t``,
    and the top layer's states are the outputs."""
    T = _steps(T, "T", 2, 4)
    L = _steps(layers, "layers", 2, 3)
    pen = _Pen(12, -0.1, 1.0 + 2.0 * L + 0.7)
    x_first, x_last = 3.7, 11.0
    xs = [x_first + (x_last - x_first) * t / (T - 1) for t in range(T)]
    bw, bh = 1.5, 0.8
    rows = [0.5 + 2.0 * level for level in range(L + 1)]
    for t, x in enumerate(xs, start=1):
        pen.box(x, rows[0], bw, bh, ROLE_COLORS["input"])
        pen.symbol(x, rows[0], f"x_{{{t}}}", f"x_{t}")
        for level in range(1, L + 1):
            y = rows[level]
            pen.box(x, y, bw, bh, ROLE_COLORS["hidden"])
            pen.symbol(x, y, f"h^{{({level})}}_{{{t}}}", f"h{level}_{t}")
            pen.wire((x, rows[level - 1] + bh / 2), (x, y - bh / 2))
            start = xs[t - 2] + bw / 2 if t > 1 else 1.75
            pen.wire((start, y), (x - bw / 2, y))
        pen.wire((x, rows[L] + bh / 2), (x, rows[L] + bh / 2 + 0.5))
    for level in range(1, L + 1):
        pen.symbol(2.2, rows[level] + 0.45, f"h^{{({level})}}_0", f"h{level}_0", size=12)
        pen.word(0.1, rows[level], f"layer {level}", f"layer_{level}", ha="left")
    alt = alt or (
        f"A stacked recurrent network of {L} layers unrolled over {T} steps: inputs x_1 to "
        f"x_{T} in a row at the bottom, and above them one row of hidden-state boxes per layer, "
        f"h(1)_t in layer 1 up to h({L})_t in layer {L}. Each box receives an arrow from the "
        f"box below it at the same step and one from the box on its left in its own layer; "
        f"each layer starts from its own initial state h(l)_0 on the left, and arrows leave the "
        f"top row upwards: the top layer's states are the network's outputs.")
    return Diagram("stacked_rnn", pen.fig, pen.labels, alt)


@_styled
def bidirectional_rnn(T=3, *, alt=None) -> Diagram:
    """Chapter 8's bidirectional network ({ref}`eq-birnn`), unrolled over ``T`` steps: a
    forward layer read left to right, a backward layer read right to left, and at each step the
    output ``Y_t = [h→_t; h←_t]``."""
    T = _steps(T, "T", 2, 4)
    pen = _Pen(12, -0.1, 7.3)
    x_first, x_last = 2.0, 9.6
    cs = [x_first + (x_last - x_first) * t / (T - 1) for t in range(T)]
    bw, bh, off = 1.3, 0.8, 0.6
    y_x, y_f, y_b, y_y = 0.5, 2.4, 4.4, 6.5
    for t, c in enumerate(cs, start=1):
        xf, xb = c - off, c + off  # the two layers' boxes sit left and right of the column
        pen.box(c, y_x, bw, bh, ROLE_COLORS["input"])
        pen.symbol(c, y_x, f"x_{{{t}}}", f"x_{t}")
        pen.box(xf, y_f, bw, bh, ROLE_COLORS["hidden"])
        pen.symbol(xf, y_f, f"h^{{\\rightarrow}}_{{{t}}}", f"hf_{t}")
        pen.box(xb, y_b, bw, bh, ROLE_COLORS["hidden"], alpha=0.15)
        pen.symbol(xb, y_b, f"h^{{\\leftarrow}}_{{{t}}}", f"hb_{t}")
        pen.box(c, y_y, bw, bh, ROLE_COLORS["output"])
        pen.symbol(c, y_y, f"Y_{{{t}}}", f"Y_{t}")
        pen.wire((c - 0.3, y_x + bh / 2), (xf, y_f - bh / 2))
        pen.wire((c + 0.3, y_x + bh / 2), (xb, y_b - bh / 2))
        pen.wire((xf, y_f + bh / 2), (c - 0.3, y_y - bh / 2))
        pen.wire((xb, y_b + bh / 2), (c + 0.3, y_y - bh / 2))
        if t < T:
            pen.wire((xf + bw / 2, y_f), (cs[t] - off - bw / 2, y_f))
            pen.wire((cs[t] + off - bw / 2, y_b), (xb + bw / 2, y_b))
    pen.symbol(0.15, y_f + 0.45, "h^{\\rightarrow}_0", "hf_0", size=12, ha="left")
    pen.wire((0.15, y_f), (cs[0] - off - bw / 2, y_f))
    pen.symbol(11.75, y_b + 0.55, f"h^{{\\leftarrow}}_{{{T + 1}}}", "hb_end", size=12,
               ha="right")
    pen.wire((11.85, y_b), (cs[-1] + off + bw / 2, y_b))
    alt = alt or (
        f"A bidirectional recurrent network unrolled over {T} steps. Inputs x_1 to x_{T} sit "
        f"at the bottom. Above them, the forward layer's boxes h→_1 to h→_{T} are linked by "
        f"arrows from left to right, starting from h→_0; above those, the backward layer's "
        f"boxes h←_1 to h←_{T} are linked by arrows from right to left, starting from "
        f"h←_{T + 1}. Every input feeds both layers, and at every step both states feed the "
        f"output box Y_t on top, which holds the two side by side.")
    return Diagram("bidirectional_rnn", pen.fig, pen.labels, alt)
