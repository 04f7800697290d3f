"""Explorers that work on the website itself, with no kernel behind them.

The live explorers (:mod:`lstmbook.widgets`) need a running Python kernel: on a static page
their controls would be frozen. Each of them therefore has a kernel-free twin on the website,
built here at build time by the package's own functions, in one of two ways:

- :func:`frames_explorer` runs the chapter's model (a pure function of
  :mod:`lstmbook.chapters`) and its drawing (a ``plot_*`` of :mod:`lstmbook.viz`) once for
  every setting of a small grid of control values. Each frame is rendered by Agg, quantised
  to a few dozen colours and stored as lossless WebP (a plot has few colours: a frame weighs
  5–25 kB), embedded in the page as a data URI together with the view's summary and numbers (JSON).
  A few lines of JavaScript swap the image when a control moves.
- :func:`script_explorer` names a JavaScript port of a small computation (``program``: the
  LSTM cell update of chapter 6, the peephole unit of chapter 7), which computes and draws in
  the page; ``data`` carries what the port needs from the package (e.g. the candidate values).
  The site tests run the port at several settings and compare it with the package.

Both return a :class:`PageExplorer`, whose HTML (``_repr_html_``, so it is a cell's output) is
one self-contained ``<figure>``: the image of the default setting with its alt text, a status
line (``aria-live="polite"``) that says the current setting and the view's summary, the
caption, and the data as ``<script type="application/json">``. The script
(``book/_static/lstmbook-explorers.js``, loaded by the site's extension only on pages with an
explorer) adds labelled ``<input type="range">`` and ``<select>`` controls to it. Without the
script (a notebook in JupyterLab, a reader with JavaScript off) the figure is a still image of
the default setting and says which setting it shows: never a dead control.

Controls are :func:`slider` (ordered values: numbers or steps) and :func:`menu` (a choice). A
slider moves over the *index* of its values, so any list works (``0.25, 0.5, …``; ``None`` for
"never"), and tells assistive technology the value itself (``aria-valuetext``). Frames are in
the order of ``itertools.product`` over the controls' values (the last control varies fastest).

The same page data serves the tests: :func:`view_numbers` resolves the attribute paths the
page stores (``"flow.norms"``), so a test can compute a view with the package and compare.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from PIL import Image

from lstmbook import viz
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
from lstmbook.i18n import language
from lstmbook.messages import punctuation, tr, translation
from lstmbook.palette import BLUE, GATE_COLORS, GREY, INK, VERMILION

__all__ = [
    "BIRNN_PAGE_SENTENCES",
    "FORMATS",
    "Control",
    "Frame",
    "PageExplorer",
    "birnn_explorer",
    "error_flow_explorer",
    "frames_explorer",
    "gate_explorer",
    "gradient_norm_explorer",
    "hidden_explorer",
    "long_lag_explorer",
    "menu",
    "next_char_explorer",
    "padding_explorer",
    "peephole_timing_explorer",
    "script_explorer",
    "slider",
    "truncation_explorer",
    "view_numbers",
]

#: image formats a frame can be stored in, with their MIME types
FORMATS = {"webp": "image/webp", "png": "image/png"}

#: Every English template of the page script (book/_static/lstmbook-explorers.js: its ``t(...)``
#: calls), which each explorer's data carries with its translation (``strings``), so that the
#: script's labels and the ports' summaries read in the reader's language.
#: tests/unit/test_web.py checks that this list and the script agree.
PAGE_STRINGS = (
    'The input gate opens at t = %1 and writes the candidate %2: the cell now holds c = %3.',
    'The input gate is open from t = %1 to t = %2 and adds every candidate offered: at t = '
    '%2 the cell holds c = %3.',
    'The forget gate is at 1: nothing is erased, so the candidates pile up.',
    'The forget gate is at 1: while the input gate is shut, the content is kept unchanged.',
    'The forget gate is at %1: the content shrinks by that factor at every step.',
    'At t = %1 the forget gate drops to 0 and wipes the cell.',
    'The output gate opens at t = %1: h = o·tanh(c) = %2 (the cell holds c = %3 then).',
    'After the last step c_%1 = %2.',
    'gates and candidate',
    'openness / value',
    'candidate g_t',
    'forget gate f_t',
    'input gate i_t',
    'output gate o_t',
    'cell state and output',
    'state',
    'time step t',
    'cell state c_t',
    'hidden output h_t',
    'o_t passes 0.5 at step %1 (c_t = %2)',
    'o_t never passes 0.5 (last o_t = %1)',
    'output gate o_t = σ(b_o + p_o c_t)',
    'unit output h_t = o_t tanh(c_t)',
    'output h_t',
    'cell c_t',
    'Controls of the explorer',
    'Shown',
)


_NAME = re.compile(r"[a-z][a-z0-9-]*")
_PATH = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:\[(-?\d+)\])?")


class Control(NamedTuple):
    """One control of a page explorer (made by :func:`slider` or :func:`menu`)."""

    name: str  #: the keyword of the compute function it sets
    label: str  #: what the page writes beside it (its accessible name)
    values: tuple  #: the values it offers, in order (JSON scalars: numbers, str, bool, None)
    texts: tuple  #: how each value is written (the slider's read-out, the menu's options)
    kind: str  #: "range" (a slider over the values' indices) or "select" (a menu)
    default: int  #: index of the value shown first


class Frame(NamedTuple):
    """One precomputed setting of a page explorer."""

    setting: dict  #: control name -> value
    summary: str  #: the view's summary (the status line writes it after the setting)
    alt: str  #: the image's alt text: the explorer's description, the setting, the summary
    numbers: dict  #: attribute path -> number or list (non-finite as "nan", "inf", "-inf")
    image: int  #: index into :attr:`PageExplorer.images` (equal frames share an image)


# --------------------------------------------------------------------------- controls
def _json_scalar(value, name: str):
    """``value`` as a JSON scalar (NumPy numbers become Python numbers)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ValueError(f"{name} must hold finite numbers, got {value!r}")
        return float(value)
    raise TypeError(f"{name} must hold numbers, strings, booleans or None, got "
                    f"{type(value).__name__} {value!r}")


def _control(name, label, values, texts, kind, default) -> Control:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier (the compute function's keyword), "
                         f"got {name!r}")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"values must be a list, tuple or 1-d array, got {type(values).__name__}")
    values = tuple(_json_scalar(v, "values") for v in values)
    if not values:
        raise ValueError("values must hold at least one value, got none")
    if len(set(map(repr, values))) != len(values):
        raise ValueError(f"values must be distinct, got {list(values)}")
    if default is None:
        index = 0
    else:
        default = _json_scalar(default, "default")
        if default not in values:
            raise ValueError(f"default must be one of the values {list(values)}, got {default!r}")
        index = values.index(default)
    return Control(name, tr(label), values, tuple(texts(v) for v in values), kind, index)


def slider(name, label, values, *, default=None, fmt="{:g}") -> Control:
    """A slider over ordered ``values`` (it moves over their indices, so the values need not be
    evenly spaced). ``fmt`` writes a value: a format string (``"{:g}"``, ``"{:.2f}"``) or a
    function (e.g. ``None`` → ``"never"``). ``default`` is the value shown first (the first
    value if not given)."""
    if isinstance(fmt, str):
        fmt = fmt.format
    if not callable(fmt):
        raise TypeError(f"fmt must be a format string or a function, got {type(fmt).__name__}")
    return _control(name, label, values, lambda v: str(fmt(v)), "range", default)


def menu(name, label, options, *, default=None) -> Control:
    """A menu of ``options``: values (written with ``str``) or ``(value, text)`` pairs.
    ``default`` is the value shown first (the first option if not given)."""
    if isinstance(options, str | bytes) or not isinstance(options, Sequence):
        raise TypeError(f"options must be a list or tuple, got {type(options).__name__}")
    pairs = [tuple(o) if isinstance(o, tuple | list) else (o, o) for o in options]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"options must be values or (value, text) pairs, got {list(options)}")
    text_of = {repr(_json_scalar(v, "options")): str(t) for v, t in pairs}
    return _control(name, label, [v for v, _ in pairs], lambda v: text_of[repr(v)], "select",
                    default)


def _check_controls(controls) -> tuple[Control, ...]:
    if isinstance(controls, Control) or not isinstance(controls, Sequence):
        raise TypeError(f"controls must be a list of Control (from slider or menu), got "
                        f"{type(controls).__name__}")
    controls = tuple(controls)
    if not controls:
        raise ValueError("controls must hold at least one Control, got none")
    bad = [type(c).__name__ for c in controls if not isinstance(c, Control)]
    if bad:
        raise TypeError(f"controls must hold Control objects (from slider or menu), got {bad}")
    names = [c.name for c in controls]
    if len(set(names)) != len(names):
        raise ValueError(f"controls must have distinct names, got {names}")
    return controls


def _setting_text(controls, indices) -> str:
    """``label: value; label: value`` of a setting, punctuated as the reader's language does
    (:data:`lstmbook.messages.PUNCTUATION`; the page script's ``settingText`` is the same)."""
    p = punctuation()
    return p["list"].join(f"{c.label}{p['pair']}{c.texts[k]}"
                          for c, k in zip(controls, indices, strict=True))


# --------------------------------------------------------------------------- numbers
def _json_number(x):
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _jsonable(value, name: str):
    """Numbers, arrays, lists and dicts of them as JSON values (non-finite as strings)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.ndarray):
        if not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
            raise TypeError(f"{name} must be numeric, got an array of dtype {value.dtype}")
        return _jsonable(value.tolist(), name)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _json_number(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, name) for v in value]
    raise TypeError(f"{name} must be numbers, arrays, lists or dicts of them, got "
                    f"{type(value).__name__}")


def view_numbers(view, paths) -> dict:
    """``{path: value}`` for each attribute path of ``view`` (``"cosine"``, ``"flow.norms"``,
    one entry ``"rnn[50]"``),
    as JSON values: arrays become lists, non-finite numbers the strings ``"nan"``, ``"inf"``,
    ``"-inf"``. The page stores exactly this for every frame; a test computes a view with the
    package and compares."""
    if isinstance(paths, str) or not isinstance(paths, Sequence):
        raise TypeError(f"numbers must be a list of attribute paths, got {type(paths).__name__}")
    out = {}
    for path in paths:
        m = _PATH.fullmatch(path) if isinstance(path, str) else None
        if m is None:
            raise ValueError(f"numbers must hold attribute paths such as 'flow.norms' or "
                             f"'rnn[50]', got {path!r}")
        value = view
        for part in m.group(1).split("."):
            if not hasattr(value, part):
                raise ValueError(f"numbers: the view ({type(view).__name__}) has no "
                                 f"attribute path {path!r}")
            value = getattr(value, part)
        if m.group(2) is not None:
            value = np.asarray(value)[int(m.group(2))]
        out[path] = _jsonable(value, f"numbers[{path!r}]")
    return out


# --------------------------------------------------------------------------- frames
_SUBPLOTPARS = ("left", "bottom", "right", "top", "wspace", "hspace")


def _figure(draw, view, draw_kw, figsize, grid, subplot_kw, dpi, layout=None):
    """``draw(axes, view, **draw_kw)`` on a new figure (no pyplot: nothing is shown or kept),
    then laid out: with ``layout`` (subplot parameters) if given, else tight."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    axes = fig.subplots(*grid, **subplot_kw)
    draw(axes, view, **draw_kw)
    if layout is None:
        fig.tight_layout()
    else:
        fig.subplots_adjust(**layout)
    return fig


def _image(fig) -> Image.Image:
    """The figure rendered by Agg (RGB)."""
    fig.canvas.draw()
    return Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba(),
                            "raw", "RGBA", 0, 1).convert("RGB")


def _shared_layout(figs) -> dict:
    """Subplot parameters that fit every figure of ``figs`` (each laid out tight): the widest
    margins and gaps. Frames drawn with them keep their axes in place as a control moves."""
    pars = [{k: getattr(f.subplotpars, k) for k in _SUBPLOTPARS} for f in figs]
    return {"left": max(p["left"] for p in pars), "bottom": max(p["bottom"] for p in pars),
            "right": min(p["right"] for p in pars), "top": min(p["top"] for p in pars),
            "wspace": max(p["wspace"] for p in pars), "hspace": max(p["hspace"] for p in pars)}


def _encode(im: Image.Image, image_format: str, colors: int | None) -> tuple[bytes, int, int]:
    """An image quantised to ``colors`` colours (fast octree: deterministic, and here five
    times faster than median cut and smaller; no dithering, so flat fills stay flat) and
    stored as ``image_format``; returns ``(bytes, width, height)``."""
    if colors:
        im = im.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                         dither=Image.Dither.NONE)
    buf = io.BytesIO()
    if image_format == "webp":
        im.convert("RGB").save(buf, format="WEBP", lossless=True, quality=100, method=4)
    else:
        im.save(buf, format="PNG", optimize=True)
    return buf.getvalue(), im.width, im.height


def _check_figure(figsize, grid, dpi, image_format, colors):
    if not callable(figsize):
        if (not isinstance(figsize, Sequence) or len(figsize) != 2
                or not all(isinstance(s, numbers.Real) and s > 0 for s in figsize)):
            raise ValueError(f"figsize must be (width, height) in inches, or a function of the "
                             f"setting, got {figsize!r}")
    if (not isinstance(grid, Sequence) or len(grid) != 2
            or not all(isinstance(g, numbers.Integral) and g > 0 for g in grid)):
        raise ValueError(f"grid must be (rows, columns) of subplots, got {grid!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 20 <= dpi <= 400:
        raise ValueError(f"dpi must be a number in [20, 400], got {dpi!r}")
    if image_format not in FORMATS:
        raise ValueError(f"image_format must be one of {sorted(FORMATS)}, got {image_format!r}")
    if colors is not None and (isinstance(colors, bool) or not isinstance(colors, numbers.Integral)
                               or not 2 <= colors <= 256):
        raise ValueError(f"colors must be an integer in [2, 256] or None (no quantising), got "
                         f"{colors!r}")


def _frames(controls, settings, compute, draw, *, figsize, grid, subplot_kw, draw_with,
            summary, numbers, alt, dpi, image_format, colors):
    """Compute, draw and encode every setting (a list of index tuples); equal images are
    stored once. Returns ``(frames, images, sizes)``."""
    if not callable(compute):
        raise TypeError(f"compute must be a function of the controls' values, got "
                        f"{type(compute).__name__}")
    if not callable(draw):
        raise TypeError(f"draw must be a function draw(axes, view), got {type(draw).__name__}")
    if summary is not None and not callable(summary):
        raise TypeError(f"summary must be a function of the view or None (view.summary), got "
                        f"{type(summary).__name__}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must describe the figure in words (a non-empty string), got "
                         f"{alt!r}")
    names = [c.name for c in controls]
    unknown = [n for n in draw_with if n not in names]
    if unknown:
        raise ValueError(f"draw_with must name controls {names}, got {unknown}")
    _check_figure(figsize, grid, dpi, image_format, colors)
    points = [{c.name: c.values[k] for c, k in zip(controls, indices, strict=True)}
              for indices in settings]
    views = [compute(**dict(setting)) for setting in points]
    texts = [view.summary if summary is None else summary(view) for view in views]
    bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
    if bad:
        raise TypeError(f"summary must give a str, got {bad[0]}")
    texts = [tr(t) for t in texts]  # the reader's language (lstmbook.messages)
    alt = tr(alt.strip())
    inches = [tuple(figsize(dict(p)) if callable(figsize) else figsize) for p in points]
    subplot_kw = dict(subplot_kw or {})

    def figure(k, layout=None):
        return _figure(draw, views[k], {n: points[k][n] for n in draw_with}, inches[k], grid,
                       subplot_kw, dpi, layout)

    # One layout per figure size, tight for the frames at the ends of every control's range
    # (where tick labels and legends differ most) and for the default one: the axes then stay
    # put from frame to frame, and only those few frames pay for a tight layout.
    lengths = [len(c.values) for c in controls]
    default = tuple(c.default for c in controls)
    layouts = {}
    if len(settings) > 1:
        for size in dict.fromkeys(inches):
            members = [k for k, s in enumerate(inches) if s == size]
            sample = {members[0], members[-1]} | {
                k for k in members if settings[k] == default
                or all(i in (0, n - 1) for i, n in zip(settings[k], lengths, strict=True))}
            layouts[size] = _shared_layout([figure(k) for k in sorted(sample)])
    frames, images, sizes, seen = [], [], [], {}
    p = punctuation()
    for k, indices in enumerate(settings):
        data, width, height = _encode(_image(figure(k, layouts.get(inches[k]))), image_format,
                                      colors)
        key = hashlib.sha256(data).hexdigest()
        if key not in seen:
            seen[key] = len(images)
            images.append(data)
            sizes.append((width, height))
        shown = _setting_text(controls, indices)
        frames.append(Frame(points[k], texts[k],
                            f"{alt}{p['space']}{tr('Shown')}{p['pair']}{shown}{p['stop']}"
                            f"{p['space']}{texts[k]}",
                            view_numbers(views[k], numbers), seen[key]))
    return frames, images, sizes


# --------------------------------------------------------------------------- the page
class PageExplorer:
    """A kernel-free explorer: ``html`` is one self-contained ``<figure>`` (see the module's
    docstring); in a notebook it is the cell's output (``_repr_html_``).

    ``kind`` is ``"frames"`` (every frame precomputed) or ``"script"`` (a JavaScript
    ``program`` computes; :attr:`frames` holds the default setting only, the still image shown
    without JavaScript). :attr:`images` are the encoded frames (``mime``), :meth:`frame` finds
    a setting's frame."""

    def __init__(self, name, kind, controls, frames, images, sizes, mime, *, alt, caption,
                 program=None, data=None):
        self.name = name
        self.kind = kind
        self.controls = tuple(controls)
        self.frames = tuple(frames)
        self.images = tuple(images)
        self.sizes = tuple(sizes)
        self.mime = mime
        self.alt = tr(alt)
        self.caption = tr(caption)
        self.program = program
        self.data = data
        self.strings = ({} if language() == "en" else
                        {t: translation(t) or t for t in PAGE_STRINGS})
        self.html = self._html()

    def __repr__(self):
        return (f"<PageExplorer {self.name!r}: {self.kind}, {len(self.frames)} frame(s), "
                f"{len(self.controls)} control(s), {self.nbytes / 1000:.1f} kB>")

    def _repr_html_(self):
        return self.html

    @property
    def nbytes(self) -> int:
        """Size of the HTML (UTF-8), images included: what the explorer adds to its page."""
        return len(self.html.encode("utf-8"))

    @property
    def default_index(self) -> int:
        """Index of the default setting's frame."""
        if self.kind == "script":
            return 0
        index = 0
        for c in self.controls:
            index = index * len(c.values) + c.default
        return index

    def frame(self, **setting) -> Frame:
        """The frame of a setting (every control named; a script explorer has only its
        default setting)."""
        names = [c.name for c in self.controls]
        if sorted(setting) != sorted(names):
            raise ValueError(f"setting must name every control {names}, got {sorted(setting)}")
        for f in self.frames:
            if all(f.setting[n] == setting[n] for n in names):
                return f
        raise ValueError(f"no frame for the setting {setting}; the values are "
                         + "; ".join(f"{c.name} in {list(c.values)}" for c in self.controls))

    def payload(self) -> dict:
        """What the page's JSON holds (the default frame's image is the ``<img>``'s own
        ``src``, so it is left out here: ``""``)."""
        default = self.frames[self.default_index]
        uris = [f"data:{self.mime};base64,{base64.b64encode(b).decode('ascii')}"
                if k != default.image else "" for k, b in enumerate(self.images)]
        out = {
            "kind": self.kind,
            "name": self.name,
            "alt": self.alt,
            "controls": [{"name": c.name, "label": c.label, "kind": c.kind,
                          "values": list(c.values), "texts": list(c.texts),
                          "default": c.default} for c in self.controls],
            "frames": [{"image": f.image, "summary": f.summary, "alt": f.alt,
                        "numbers": f.numbers} for f in self.frames],
            "images": uris,
            "sizes": [list(s) for s in self.sizes],
        }
        if self.strings:
            out["strings"] = self.strings
            out["punctuation"] = punctuation()
        if self.kind == "script":
            out["program"] = self.program
            out["data"] = self.data
        return out

    def _html(self) -> str:
        payload = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False,
                             allow_nan=False, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")  # never ends the <script> early
        digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]
        ident = f"lstmbook-explorer-{self.name}-{digest}"
        default = self.frames[self.default_index]
        indices = [c.default for c in self.controls]
        width, height = self.sizes[default.image]
        src = (f"data:{self.mime};base64,"
               f"{base64.b64encode(self.images[default.image]).decode('ascii')}")
        stop = punctuation()["stop"]
        status = f"{_setting_text(self.controls, indices)}{stop}\n{default.summary}"
        esc = html.escape
        parts = [
            f'<figure class="lstmbook-explorer" id="{ident}" '
            f'data-lstmbook-explorer="{self.kind}">',
            f'<img class="lstmbook-explorer-image" src="{src}" alt="{esc(default.alt)}" '
            f'width="{width}" height="{height}">',
            f'<p class="lstmbook-explorer-status" id="{ident}-status" aria-live="polite">'
            f"{esc(status)}</p>",
        ]
        if self.caption:
            parts.append(f'<figcaption id="{ident}-caption">{esc(self.caption)}</figcaption>')
        parts.append(f'<script type="application/json" class="lstmbook-explorer-data">'
                     f"{payload}</script>")
        parts.append("</figure>")
        return "\n".join(parts)


def _check_name(name, what="name"):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"{what} must be a short slug of lower-case letters, digits and '-' "
                         f"(it goes into the page's ids), got {name!r}")
    return name


def frames_explorer(name, controls, compute, draw, *, figsize, alt, caption=None, grid=(1, 1),
                    subplot_kw=None, draw_with=(), summary=None, numbers=(), dpi=100,
                    image_format="webp", colors=64) -> PageExplorer:
    """A kernel-free explorer of precomputed frames, one per setting of ``controls``.

    For every combination of the controls' values (``itertools.product``; the page holds them
    all, so keep the grid small: a frame weighs 5–25 kB), ``view = compute(**setting)``, then
    ``draw(axes, view, **{n: setting[n] for n in draw_with})`` on a new figure of ``figsize``
    inches (or ``figsize(setting)``) with ``grid`` subplots (``subplot_kw`` passed on, as
    ``plt.subplots`` would). The figure is stored as ``image_format`` ("webp" or "png") after
    quantising to ``colors`` colours (None: keep every colour) at ``dpi``.

    Each frame keeps the view's summary (``view.summary``, or ``summary(view)``), an alt text
    (``alt``, the figure described in words, then the setting and the summary) and the
    numbers at the attribute paths ``numbers`` (:func:`view_numbers`). ``name`` (a slug) goes
    into the figure's id; ``caption`` (plain text) is its ``<figcaption>``.
    """
    name = _check_name(name)
    controls = _check_controls(controls)
    settings = list(itertools.product(*(range(len(c.values)) for c in controls)))
    frames, images, sizes = _frames(
        controls, settings, compute, draw, figsize=figsize, grid=grid, subplot_kw=subplot_kw,
        draw_with=tuple(draw_with), summary=summary, numbers=numbers, alt=alt, dpi=dpi,
        image_format=image_format, colors=colors)
    return PageExplorer(name, "frames", controls, frames, images, sizes, FORMATS[image_format],
                        alt=alt.strip(), caption=caption)


def script_explorer(name, program, controls, compute, draw, *, data, figsize, alt,
                    caption=None, grid=(1, 1), subplot_kw=None, draw_with=(), summary=None,
                    numbers=(), dpi=100, image_format="webp", colors=64) -> PageExplorer:
    """A kernel-free explorer that computes in the page: the JavaScript port ``program`` (a
    name the site's script knows, e.g. ``"lstm-gates"``) receives ``data`` (numbers, arrays,
    lists, dicts: what the port needs from the package) and the controls' values, and draws.

    ``compute`` and ``draw`` (as for :func:`frames_explorer`) make the still image of the
    default setting, shown where the script does not run (and replaced by the port's drawing
    where it does); its summary and ``numbers`` are what the port must reproduce there.
    """
    name = _check_name(name)
    program = _check_name(program, "program")
    controls = _check_controls(controls)
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict of what the program needs, got "
                        f"{type(data).__name__}")
    frames, images, sizes = _frames(
        controls, [tuple(c.default for c in controls)], compute, draw, figsize=figsize,
        grid=grid, subplot_kw=subplot_kw, draw_with=tuple(draw_with), summary=summary,
        numbers=numbers, alt=alt, dpi=dpi, image_format=image_format, colors=colors)
    return PageExplorer(name, "script", controls, frames, images, sizes, FORMATS[image_format],
                        alt=alt.strip(), caption=caption, program=program,
                        data=_jsonable(dict(data), "data"))


# --------------------------------------------------------------------------- the chapters
# Each chapter's kernel-free explorer: which controls the page offers (the live widget of
# lstmbook.widgets keeps them all), over which values, and why. Sections in book order.
def _never(step) -> str:
    return tr("never") if step is None else str(step)


# --- Chapter 1: sequence data ---
def padding_explorer(seed=3) -> PageExplorer:
    """Chapter 1's padding explorer on the page: N (1 … 6) × T (4 … 12, even) with the lengths
    of ``seed``, read-out boxes shown (30 frames). The seed and the read-out switch stay in the
    live explorer: with them the grid would be 30 times larger."""
    def draw(ax, view):
        viz.plot_padding_view(ax, view)
        ax.set_aspect("equal")  # square cells: a batch of one row stays a row

    return frames_explorer(
        "padding",
        [slider("N", "N, sequences in the batch", range(1, 7), default=5),
         slider("T", "T, padded length (steps)", range(4, 13, 2), default=8)],
        lambda N, T: ch01.padding_view(N, T, seed=seed), draw, figsize=(8, 3.4),
        numbers=("lengths", "n_valid", "n_slots"),
        alt=("A padded batch drawn as a grid: one row per sequence, one column per time step. "
             "Real steps are light blue with their first feature written in, padding cells "
             "are hatched grey and labelled pad, and a vermilion (orange-red) box marks each "
             "row's last real step, the one a many-to-one read-out uses."),
        caption=(f"The padding explorer, computed by ch01.padding_view (lengths drawn with seed "
                 f"{seed}) and drawn by viz.plot_padding_view for every N and T offered here."))


# --- Chapter 2: the RNN forward pass ---
def hidden_explorer(init="random", seed=0) -> PageExplorer:
    """Chapter 2's hidden-state explorer on the page: the spectral radius of U (0.5 … 2.0 in
    steps of 0.1) × the nonlinearity (32 frames), from a random h_0 so that the right panel
    always shows it fading. The h_0 menu and the seed stay in the live explorer."""
    return frames_explorer(
        "hidden-state",
        [slider("scale", "spectral radius of U", np.round(np.arange(0.5, 2.01, 0.1), 2),
                default=0.9, fmt="{:.1f}"),
         menu("nonlinearity", "nonlinearity f", list(ch02.NONLINEARITIES))],
        lambda scale, nonlinearity: ch02.hidden_trajectories(scale, nonlinearity, init,
                                                             seed=seed),
        viz.plot_hidden_trajectories_view, figsize=(9, 3), grid=(1, 2),
        numbers=("max_abs", "gap[10]"),
        alt=("Two panels. Left: the 8 hidden units of an RNN over 30 time steps, one line "
             "each (dashed lines at ±1 for tanh; a log axis when ReLU grows large). Right: "
             "on a log axis, the distance between the run started from a random h_0 and the "
             "run started from zero."),
        caption=("The hidden-state explorer, computed by ch02.hidden_trajectories (h_0 "
                 f"{init}, seed {seed}) and drawn by viz.plot_hidden_trajectories_view."))


# --- Chapter 3: backpropagation through time ---
def truncation_explorer(T=24) -> PageExplorer:
    """Chapter 3's truncation explorer on the page: every truncation length k = 1 … T × both
    radii of the live explorer (48 frames): the same controls as the live widget."""
    return frames_explorer(
        "truncation",
        [slider("k", "truncation length k (steps)", range(1, T + 1), default=4),
         menu("radius", "spectral radius of U", [0.9, 1.5], default=1.5)],
        lambda k, radius: ch03.truncation_view(k, radius, T), viz.plot_truncation_view,
        figsize=(10, 3.8), grid=(1, 2), numbers=("cosine", "norm_ratio"),
        alt=("Two panels. Left: a triangular heat map of how much error of each loss step s "
             "(rows) reaches each earlier step t (columns), on a log colour scale; cells that "
             "truncation cuts are grey and vermilion (orange-red) lines mark the chunk "
             "boundaries. Right: for every truncation length k, the cosine between the "
             "truncated and the full gradient of U (solid) and the ratio of their norms "
             "(dashed); a vertical line marks the current k."),
        caption=("The truncation explorer, computed by ch03.truncation_view and drawn by "
                 "viz.plot_truncation_view for every k and both radii."))


# --- Chapter 4: vanishing and exploding gradients ---
def gradient_norm_explorer(T=60) -> PageExplorer:
    """Chapter 4's gradient-norm explorer on the page: the radius 0.25 … 4.0 in steps of 0.25
    (the live slider's range, coarser) × the three nonlinearities (48 frames)."""
    def draw(ax, view):
        viz.plot_gradient_norm_view(ax, view, title="how much of the gradient survives T − t "
                                                    "steps")
        ax.set_ylim(1e-20, 1e20)

    return frames_explorer(
        "gradient-norms",
        [slider("radius", "spectral radius ρ of U", np.arange(0.25, 4.01, 0.25), default=1.0),
         menu("nonlinearity", "nonlinearity", ["tanh", "relu", "sigmoid"])],
        lambda radius, nonlinearity: ch04.gradient_norm_view(radius, nonlinearity, T), draw,
        figsize=(7.5, 4), numbers=("flow.mean_fprime", "flow.norms[30]"),
        alt=("A log plot of the norm of the Jacobian product ∂h_T/∂h_t against the distance "
             "T − t (0 to 59 steps back), from 10^−20 to 10^20, with the reference curve "
             "ρ^(T−t) dashed in grey."),
        caption=("The gradient-norm explorer, computed by ch04.gradient_norm_view and drawn by "
                 "viz.plot_gradient_norm_view for every radius and nonlinearity offered here."))


# --- Chapter 5: the constant error carousel ---
def error_flow_explorer(T=100) -> PageExplorer:
    """Chapter 5's error-flow explorer on the page: the weight scale 0.5 … 3.0 in steps of
    0.1 × the two activations (52 frames): the live slider's range, coarser."""
    return frames_explorer(
        "error-flow",
        [slider("scale", "weight scale of the plain RNN",
                np.round(np.arange(0.5, 3.01, 0.1), 2), default=0.9, fmt="{:.1f}"),
         menu("nonlinearity", "activation",
              [("tanh", "tanh"), ("identity", tr("linear (identity)"))])],
        lambda scale, nonlinearity: ch05.error_flow_view(scale, nonlinearity, T),
        viz.plot_error_flow_view, draw_with=("scale", "nonlinearity"), figsize=(7.5, 4),
        numbers=("rnn[10]", "rnn[50]", "theory[50]"),
        alt=("A log plot of the error reaching each lag (0 to 99 steps back) relative to the "
             "error at the last step: the plain RNN's curve, the CEC's flat line at 1, and "
             "the dashed curve scale^lag."),
        caption=("The error-flow explorer, computed by ch05.error_flow_view and drawn by "
                 "viz.plot_error_flow_view for every scale and activation offered here."))


# --- Chapter 6: LSTM gates ---
def gate_explorer(T=24) -> PageExplorer:
    """Chapter 6's gate explorer on the page, computed in the page by the ``"lstm-gates"``
    port of :func:`~lstmbook.chapters.ch06_lstm_gates.gate_explorer_view` (the schedules of
    ``gate_schedule``, the update of ``run_cell``): all four controls of the live widget, whose
    combinations (24 × 101 × 25 × 24) no set of frames could hold."""
    colors = {"i": GATE_COLORS["i"], "f": GATE_COLORS["f"], "o": GATE_COLORS["o"],
              "g": GATE_COLORS["g"], "c": BLUE, "h": VERMILION, "ink": INK}
    return script_explorer(
        "gates", "lstm-gates",
        [slider("write_at", "input gate opens at step", range(1, T + 1), default=4),
         slider("forget", "forget gate level", np.round(np.linspace(0.0, 1.0, 101), 2),
                default=1.0, fmt="{:.2f}"),
         slider("erase_at", "forget gate drops to 0 at step", [None, *range(1, T + 1)],
                fmt=_never),
         slider("read_at", "output gate opens at step", range(1, T + 1), default=17)],
        lambda write_at, forget, erase_at, read_at: ch06.gate_explorer_view(
            write_at, forget, erase_at, read_at, T=T),
        viz.plot_gate_explorer_view, figsize=(8, 4.6), grid=(2, 1),
        subplot_kw={"sharex": True},
        data={"T": T, "write_len": 1, "read_len": 4, "g": ch06.default_candidate(T),
              "c0": 0.0, "colors": colors},
        numbers=("stored", "read", "run.c", "run.h"),
        alt=("Two stacked plots over time steps 1 to 24. Upper: grey bars for the candidate "
             "values offered to the cell, and step lines for the input gate (orange), the "
             "forget gate (blue) and the output gate (green, dashed). Lower: the cell state "
             "c_t (blue, from c_0 at t = 0) and the hidden output h_t (vermilion, dashed)."),
        caption=("The gate explorer: one LSTM unit with hand-set gates, computed in this page "
                 "by a port of ch06.gate_explorer_view (c_t = f_t c_t−1 + i_t g_t, "
                 "h_t = o_t tanh(c_t)) that the site tests check against the package."))


# --- Chapter 7: peephole connections ---
def peephole_timing_explorer(T=30) -> PageExplorer:
    """Chapter 7's timing explorer on the page, computed in the page by the
    ``"peephole-timing"`` port of :func:`~lstmbook.chapters.ch07_peephole.peephole_timing_view`
    (one unit: σ, tanh and one multiply-add per step): the three controls of the live
    widget."""
    colors = {"c": GREY, "o": BLUE, "h": BLUE, "ink": INK}
    return script_explorer(
        "peephole-timing", "peephole-timing",
        [slider("p_o", "peephole weight p_o", np.arange(-4.0, 10.01, 0.5), default=4.0),
         slider("b_o", "output gate bias b_o", np.arange(-10.0, 2.01, 0.5), default=-4.0),
         slider("rate", "cell growth per step (rate)", np.round(np.arange(0.02, 0.201, 0.01), 2),
                default=0.07)],
        lambda p_o, b_o, rate: ch07.peephole_timing_view(p_o, b_o, rate, T),
        lambda axes, view, p_o: viz.plot_peephole_timing_view(axes, {f"p_o = {p_o:g}": view}),
        draw_with=("p_o",), figsize=(11, 3.8), grid=(1, 2),
        data={"T": T, "open_bias": ch07.OPEN_BIAS, "colors": colors},
        numbers=("c", "o", "h", "fire_step"),
        alt=("Two plots over time steps 0 to 29, each with the cell c_t growing steadily "
             "(grey, dashed). Left: the output gate o_t = σ(b_o + p_o c_t), with a dotted "
             "line at 0.5. Right: the unit's output h_t = o_t tanh(c_t)."),
        caption=("The timing explorer: one peephole LSTM unit computed in this page by a port "
                 "of ch07.peephole_timing_view that the site tests check against the package."))


# --- Chapter 8: variants ---
#: the sentences the page offers: the chapter's, and the variations its text suggests (the noun
#: later, after its cue; "banana" with a company cue; no cue at all)
BIRNN_PAGE_SENTENCES = (
    *ch08.BIRNN_SENTENCES,
    "i like to peel my apple.",
    "i like to charge my apple.",
    "banana is something that i like to charge.",
    "google is something that i like to eat.",
    "my apple is something i like to use.",
    "apple is something.",
)


def birnn_explorer(model, sentences=BIRNN_PAGE_SENTENCES) -> PageExplorer:
    """Chapter 8's bidirectional explorer on the page, for the trained tagger ``model``: a menu
    of ``sentences`` (a frame each). Typing a sentence needs the live explorer (the page
    would need the tokenizer and the bidirectional LSTM in JavaScript)."""
    return frames_explorer(
        "birnn",
        [menu("sentence", "sentence", list(sentences))],
        lambda sentence: ch08.birnn_view(model, sentence), viz.plot_birnn_view,
        figsize=(9, 3.2), numbers=("fwd", "bwd", "bias"),
        alt=("Bars at every word of the sentence: the forward half's share (blue) and the "
             "backward half's share (orange) of the tagger's fruit − company score, with the "
             "predicted tag under each word and the noun shaded."),
        caption=("The bidirectional explorer, computed by ch08.birnn_view with the tagger "
                 "trained above and drawn by viz.plot_birnn_view for each sentence."))


# --- Chapter 9: long time lags ---
def long_lag_explorer(races=None, lags=(10, 20, 30, 45, 60), hidden=(2, 8),
                      iters=600) -> PageExplorer:
    """Chapter 9's long-lag explorer on the page: the race of
    :func:`~lstmbook.chapters.ch09_long_time_lags.long_lag_race` for every lag × hidden size
    (10 races of one to three seconds at build time). ``races`` maps ``(T, hidden)`` to races
    already run (e.g. the chapter's own), which are reused."""
    races = dict(races or {})

    def compute(T, hidden):
        if (T, hidden) not in races:
            races[T, hidden] = ch09.long_lag_race(T, hidden, iters=iters)
        return races[T, hidden]

    return frames_explorer(
        "long-lag",
        [slider("T", "lag T (steps)", list(lags), default=lags[len(lags) // 2]),
         menu("hidden", "hidden units", list(hidden), default=hidden[-1])],
        compute, viz.plot_long_lag_race, figsize=(7, 3.6),
        summary=lambda race: (f"After {iters} iterations: RNN test MSE {race.rnn[-1]:.4f}, "
                              f"LSTM test MSE {race.lstm[-1]:.4f}."),
        numbers=("rnn", "lstm"),
        alt=(f"The test MSE of an RNN and of an LSTM on the adding problem over {iters} "
             "training iterations, with dotted reference levels for predicting the mean "
             "(2/3) and for remembering one value (1/3)."),
        caption=(f"The long-lag explorer: an RNN and an LSTM trained for {iters} iterations "
                 "by ch09.long_lag_race at build time, for every lag and size offered here."))


# --- Chapter 10: a language model ---
def next_char_explorer(model, prompts=ch10.EXPLORER_PROMPTS, temperatures=ch10.TEMPERATURES,
                       *, n_sample=60, seed=0, views=None) -> PageExplorer:
    """Chapter 10's next-character explorer on the page, for the trained character model
    ``model``: a menu of ``prompts`` × a slider over ``temperatures`` (a frame each). Each frame
    is :func:`~lstmbook.chapters.ch10_language_model.next_char_view` (the distribution of the
    next character, and ``n_sample`` characters sampled with ``seed``: the same text on every
    build) drawn by :func:`lstmbook.viz.plot_next_char_view`; the sample is in the status line.
    ``views`` (e.g. the chapter's own ``explorer_grid(model, ...)``, made with the same
    ``n_sample`` and ``seed``) are reused where they hold a pair. Typing any prompt needs the
    live explorer (the page would need the model in JavaScript)."""
    if isinstance(prompts, str) or not isinstance(prompts, Sequence):
        raise TypeError(f"prompts must be a list of strings, got {type(prompts).__name__}")
    bad = [p for p in prompts if not isinstance(p, str) or not p]
    if bad or not prompts:
        raise ValueError(f"prompts must be non-empty strings (at least one), got {list(prompts)}")
    if isinstance(temperatures, str) or not isinstance(temperatures, Sequence | np.ndarray):
        raise TypeError(f"temperatures must be a list of numbers, got "
                        f"{type(temperatures).__name__}")
    temps = [float(t) for t in temperatures]
    if not temps or any(not math.isfinite(t) or t <= 0 for t in temps):
        raise ValueError(f"temperatures must be positive numbers (at least one), got "
                         f"{list(temperatures)}")
    if views is not None and not isinstance(views, Mapping):
        raise TypeError(f"views must be a dict {{(prompt, temperature): NextCharView}} (from "
                        f"explorer_grid) or None, got {type(views).__name__}")
    known = dict(views or {})

    def compute(prompt, temperature):
        view = known.get((prompt, float(temperature)))
        if view is None or len(view.sample) != n_sample:
            view = ch10.next_char_view(model, prompt, temperature, n_sample=n_sample, seed=seed)
        return view

    default_t = 1.0 if 1.0 in temps else temps[len(temps) // 2]
    return frames_explorer(
        "next-char",
        [menu("prompt", "prompt (the text so far)", [(p, repr(p)) for p in prompts]),
         slider("temperature", "sampling temperature τ", temps, default=default_t)],
        compute, viz.plot_next_char_view, figsize=(8, 3.2),
        numbers=("probs", "entropy_ppl"),
        alt=("Bars of the ten most likely next characters after the prompt, most likely first, "
             "with their probability under the model at this temperature (a space is drawn "
             "as ␣, a line break as ⏎)."),
        caption=("The next-character explorer, computed by ch10.next_char_view with the model "
                 f"trained above (samples of {n_sample} characters, seed {seed}) and drawn by "
                 "viz.plot_next_char_view for every prompt and temperature offered here."))
