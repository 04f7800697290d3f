"""The diagrams of lstmbook.diagrams: they build, their SVG is deterministic, their labels are
real text and are the symbols of the equations they illustrate, and the live LSTM cell draws
the values of the cache it is given.

Symbols are compared as LaTeX tokens. The equation and the labels are cut into tokens the same
way (:func:`tokens`), then normalised (:func:`normalise`):

- a gate's blocks of the weights, ``W_i, U_f, b_o, W_r, U_n …``, are the rows of ``W``, ``U``
  and ``b``: the cell diagrams draw the four (three) pre-activations once, as
  ``W x_t + U h_{t-1} + b``, so ``W_k, U_k, b_k`` map to ``W, U, b`` (``b_{hn}``, the GRU's
  separate recurrent bias, stays itself);
- a numbered step is step ``t`` (``x_{3}`` is an ``x_t``), a numbered layer is layer ``l``
  (``h^{(2)}_1`` is an ``h^{(l)}_t``), ``\\text{…}``/``\\mathrm{…}`` are dropped around their
  letters, and an equation's words (``\\text{input gate}``) are not symbols.

The symbols the book defines are :data:`DEFINED`: each with the book file that defines it, and
``test_every_allowed_symbol_is_defined_in_the_book`` reads that file to check it.
"""

import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import lstmbook
from lstmbook import diagrams
from lstmbook.nn.lstm import LSTMCache

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
SVG = "{http://www.w3.org/2000/svg}"

BUILDERS = {
    "recurrent_family": lambda: diagrams.recurrent_family(),
    "unrolled_rnn": lambda: diagrams.unrolled_rnn(T=4),
    "unrolled_rnn_no_deltas": lambda: diagrams.unrolled_rnn(T=3, show_deltas=False),
    "truncation_windows": lambda: diagrams.truncation_windows(T=8, k=3),
    "cec_cell": lambda: diagrams.cec_cell(),
    "cec_cell_ja": lambda: diagrams.cec_cell(lang="ja"),
    "cec_cell_no_gate_input": lambda: diagrams.cec_cell(gate_input=None),
    "lstm_cell": lambda: diagrams.lstm_cell(),
    "lstm_cell_ja": lambda: diagrams.lstm_cell(lang="ja"),
    "lstm_cell_names_en": lambda: diagrams.lstm_cell(names=True),
    "lstm_cell_peephole": lambda: diagrams.lstm_cell(peephole=True),
    "lstm_cell_live": lambda: diagrams.lstm_cell(_step()[2], unit=1),
    "gru_cell": lambda: diagrams.gru_cell(),
    "gru_cell_ja": lambda: diagrams.gru_cell(lang="ja"),
    "gru_cell_names_en": lambda: diagrams.gru_cell(names=True),
    "cec_cell_names_en": lambda: diagrams.cec_cell(names=True),
    "stacked_rnn": lambda: diagrams.stacked_rnn(T=3, layers=2),
    "bidirectional_rnn": lambda: diagrams.bidirectional_rnn(T=3),
}

#: every symbol a diagram may show (normalised), and the book file that defines it
DEFINED = {
    "x_t": "notation.md", "h_t": "notation.md", "c_t": "notation.md",
    "h_{t-1}": "notation.md", "c_{t-1}": "notation.md", "W": "notation.md",
    "U": "notation.md", "b": "notation.md", "i_t": "notation.md", "f_t": "notation.md",
    "g_t": "notation.md", "o_t": "notation.md", r"\sigma": "notation.md",
    r"\tanh": "notation.md", "p_i": "notation.md", "p_f": "notation.md", "p_o": "notation.md",
    "r_t": "notation.md", "z_t": "notation.md", "n_t": "notation.md", "b_{hn}": "notation.md",
    r"\delta_t": "notation.md", "W^{(out)}": "notation.md",
    "y_t": "02_rnn_forward.ipynb", "y_{t-1}": "02_rnn_forward.ipynb",
    "V": "02_rnn_forward.ipynb", "x_{t-1}": "02_rnn_forward.ipynb",
    "x_{t-k+1}": "02_rnn_forward.ipynb", "k": "03_bptt.ipynb",
    "s_t": "05_cec.ipynb", "s_{t-1}": "05_cec.ipynb", "g^{in}_t": "05_cec.ipynb",
    "g^{out}_t": "05_cec.ipynb", "h^{(l)}_t": "08_variants.ipynb",
    r"h^{\rightarrow}_t": "08_variants.ipynb", r"h^{\leftarrow}_t": "08_variants.ipynb",
    "Y_t": "08_variants.ipynb",
}

#: Japanese words drawn that glossary.md does not list yet (the GRU's gate names); to be added
#: to the glossary, then removed from here
NOT_YET_IN_GLOSSARY: set[str] = set()


# --------------------------------------------------------------------------- helpers
def _step(peephole=False, seed=0):
    rng = np.random.default_rng(seed)
    N, D, H = 3, 2, 4
    layer = lstmbook.LSTM(D, H, peephole=peephole, seed=seed)
    if peephole:
        for k in ("p_i", "p_f", "p_o"):
            layer.params[k][...] = rng.normal(0, 1.0, H)
    x = rng.normal(size=(N, D))
    h0, c0 = rng.normal(0, 0.5, size=(N, H)), rng.normal(size=(N, H))
    return lstmbook.lstm_step(x, h0, c0, layer.params)


def svg_texts(svg: str) -> list[str]:
    """The text content of every ``<text>`` element, in document order."""
    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter(SVG + "text")]


def strip_text_commands(tex: str) -> str:
    return re.sub(r"\\(?:mathrm|text)\{([^}]*)\}", r"\1", tex)


_TOKEN = re.compile(
    r"\\(?:sigma|tanh|delta)(?:_\{[^}]*\}|_[A-Za-z0-9])?"
    r"|[A-Za-z](?:\^\{(?:[^{}]|\{[^}]*\})*\})?(?:_\{[^}]*\}|_[A-Za-z0-9])?"
)


def tokens(tex: str) -> list[str]:
    """The symbols of a LaTeX formula (words in ``\\text{…}``, operator names and
    operators dropped; the candidate written ``\\tilde c_t`` is the book's ``g_t``)."""
    tex = re.sub(r"\\tilde\s*\{?c\}?_t", "g_t", tex)
    tex = re.sub(r"\\text\{[^}]*\}", " ", tex)  # an equation's words: not symbols
    tex = re.sub(r"\\(?:begin|end)\{[^}]*\}", " ", tex)
    tex = re.sub(r"\\operatorname\{[^}]*\}(?:[_^]\{[^}]*\})?", " ", tex)
    tex = strip_text_commands(tex)
    tex = re.sub(r"\\(?!sigma|tanh|delta|rightarrow|leftarrow)[A-Za-z]+", " ", tex)
    return _TOKEN.findall(tex.replace("&", " "))


def normalise(token: str) -> str:
    token = strip_text_commands(token).replace(" ", "")
    token = re.sub(r"^([WUb])_(?:\{)?([ifgorzn])(?:\})?$", r"\1", token)  # gate blocks
    token = re.sub(r"_(?:\{\d+\}|\d)$", "_t", token)  # step 3 is a step t
    token = re.sub(r"\^\{\(\d\)\}", "^{(l)}", token)  # layer 2 is a layer l
    return token


def family(symbol: str) -> str:
    """A state's family, whatever its step and layer: ``h^{(l-1)}_{t+1}`` is an ``h^{(l)}_t``."""
    symbol = re.sub(r"_(?:\{[tT0-9+\-]+\}|[tT0-9])$", "_t", symbol)
    return re.sub(r"\^\{\([l0-9+\-]+\)\}", "^{(l)}", symbol)


def symbols_of(diagram) -> set[str]:
    out = set()
    for label in diagram.labels:
        if label.kind == "symbol":
            out.update(normalise(t) for t in tokens(label.tex))
    return out


def book_text(name: str) -> str:
    path = BOOK / name
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def equation(stem: str, label: str) -> str:
    """The LaTeX of the ``{math}`` block labelled ``label`` in ``book/<stem>.ipynb``."""
    text = book_text(f"{stem}.ipynb")
    m = re.search(r"```\{math\}\n:label: " + re.escape(label) + r"\n(.*?)```", text, re.S)
    assert m, f"no {{math}} block with :label: {label} in {stem}.ipynb"
    return m.group(1)


def equation_symbols(stem, label):
    return {normalise(t) for t in tokens(equation(stem, label))}


# --------------------------------------------------------------------------- building, SVG
@pytest.mark.parametrize("name", BUILDERS)
def test_every_diagram_builds_and_its_svg_is_deterministic(name):
    first = BUILDERS[name]()
    assert isinstance(first, diagrams.Diagram)
    assert isinstance(first.fig, matplotlib.figure.Figure)
    svg = first.svg()
    assert svg == first.svg() == BUILDERS[name]().svg()  # same call, same bytes
    assert first.html() == BUILDERS[name]().html()
    assert "<dc:date>" not in svg and "matplotlib.org" not in svg
    assert len(first.alt.split()) >= 25, "alt text must describe the picture"


def test_the_caller_style_does_not_change_a_diagram():
    reference = diagrams.lstm_cell(peephole=True).svg()
    style = {"font.size": 30, "lines.linewidth": 9, "font.family": "serif",
             "patch.edgecolor": "red", "svg.fonttype": "path", "svg.hashsalt": "other"}
    with matplotlib.rc_context(style):
        assert diagrams.lstm_cell(peephole=True).svg() == reference


@pytest.mark.parametrize("name", BUILDERS)
def test_labels_are_svg_text_in_reading_order(name):
    d = BUILDERS[name]()
    svg = d.svg()
    root = ET.fromstring(svg)
    # the texts of the SVG are exactly the labels drawn, each in reading order
    assert Counter(svg_texts(svg)) == Counter(label.text for label in d.labels)
    # text, not outlines: no glyph definitions referenced with <use>, no font embedded
    assert not list(root.iter(SVG + "use")) and "@font-face" not in svg
    for el in root.iter(SVG + "text"):
        assert list(el.itertext()), "an empty <text>"
    # every text takes the page's colour, and names a font list ending with a generic family
    for el in root.iter():
        style = el.get("style", "")
        if "font-family" in style:
            assert diagrams.FONT_STACK in style
    assert "#1a1a1a" not in svg.lower()
    assert svg.count("fill: currentColor") >= len(d.labels) // 4


def test_text_colour_is_never_left_to_the_svg_default():
    """matplotlib omits a black fill; a text without a fill would stay black on a dark page."""
    root = ET.fromstring(diagrams.lstm_cell(_step()[2], peephole=True, lang="ja").svg())
    parent = {child: el for el in root.iter() for child in el}
    for el in root.iter(SVG + "text"):
        node, fills = el, []
        while node is not None:
            fills.append("fill:" in node.get("style", "").replace(" ", ""))
            node = parent.get(node)
        assert any(fills), ET.tostring(el, encoding="unicode")


def test_the_font_list_names_japanese_fonts_and_a_generic_fallback():
    stack = [f.strip().strip("'") for f in diagrams.FONT_STACK.split(",")]
    assert stack[-1] == "sans-serif"
    assert {"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo"} <= set(stack)


@pytest.mark.parametrize("name", BUILDERS)
def test_labels_are_legible_at_390_px(name):
    """On a 390 px phone the text column is about 358 px wide and the SVG scales down to it:
    every label's main glyphs are still at least 9.5 px, its sub- and superscripts 8 px."""
    root = ET.fromstring(BUILDERS[name]().svg())
    scale = 358 / float(root.get("viewBox").split()[2])
    for el in root.iter(SVG + "text"):
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px",
                                              ET.tostring(el, encoding="unicode"))]
        assert max(sizes) * scale >= 9.5, "".join(el.itertext())
        assert min(sizes) * scale >= 8.0, "".join(el.itertext())


def test_inline_html_is_an_accessible_image_without_page_wide_side_effects():
    a, b = diagrams.lstm_cell(), diagrams.gru_cell()
    page = a.html() + b.html("A GRU cell.")
    root = ET.fromstring(f"<div>{page}</div>")
    svgs = list(root.iter(SVG + "svg"))
    assert [s.get("aria-label") for s in svgs] == [a.alt, "A GRU cell."]
    assert all(s.get("role") == "img" and "max-width" in s.get("style") for s in svgs)
    assert all(s.get("width") is None for s in svgs)  # scales with the page
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert "<style" not in page  # matplotlib's "*{…}" rule would style the whole page
    assert a._repr_html_() == a.html()


def test_to_svg_takes_a_bare_figure_too():
    fig = matplotlib.figure.Figure(figsize=(2, 1))
    fig.text(0.5, 0.5, "x")
    svg = diagrams.to_svg(fig)
    assert svg_texts(svg) == ["x"] and svg == diagrams.to_svg(fig)
    with pytest.raises(TypeError, match="Diagram or a matplotlib Figure"):
        diagrams.to_svg("fig")


# --------------------------------------------------------------------------- symbols
def test_the_tokeniser_reads_the_book_notation():
    assert tokens(r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)") == [
        "i_t", r"\sigma", "W_i", "x_t", "U_i", "h_{t-1}", "b_i"]
    assert [normalise(t) for t in tokens(r"h^{(2)}_{3} W^{(\mathrm{out})} x_{4} U_n b_{hn}")] \
        == ["h^{(l)}_t", "W^{(out)}", "x_t", "U", "b_{hn}"]
    assert tokens(r"g_t &= \tanh(\dots) && \text{candidate } \tilde c_t") == [
        "g_t", r"\tanh", "g_t"]
    assert tokens(r"\operatorname{LSTM}_{\rightarrow}\big(x_t,\ h^{\rightarrow}_{t-1}\big)") \
        == ["x_t", r"h^{\rightarrow}_{t-1}"]
    assert family("h^{(l-1)}_{T+1}") == "h^{(l)}_t" and family(r"\delta_{t+1}") == r"\delta_t"


def test_every_symbol_of_the_lstm_equations_is_on_the_cell_diagram():
    needed = equation_symbols("06_lstm_gates", "eq-lstm-gates")
    assert needed == {"i_t", "f_t", "g_t", "o_t", r"\sigma", r"\tanh", "W", "U", "b", "x_t",
                      "h_{t-1}"}
    needed |= equation_symbols("06_lstm_gates", "eq-lstm-cell")
    needed |= equation_symbols("06_lstm_gates", "eq-lstm-hidden")
    for lang in ("en", "ja"):
        drawn = symbols_of(diagrams.lstm_cell(lang=lang))
        assert needed <= drawn, f"missing on the cell diagram: {needed - drawn}"


def test_every_symbol_of_the_peephole_equations_is_on_the_peephole_diagram():
    needed = equation_symbols("07_peephole", "eq-peephole")
    assert {"p_i", "p_f", "p_o"} <= needed
    drawn = symbols_of(diagrams.lstm_cell(peephole=True))
    assert needed <= drawn, f"missing: {needed - drawn}"
    assert not {"p_i", "p_f", "p_o"} & symbols_of(diagrams.lstm_cell())


def test_every_symbol_of_the_gru_equations_is_on_the_gru_diagram():
    needed = equation_symbols("08_variants", "eq-gru")
    drawn = symbols_of(diagrams.gru_cell())
    assert needed <= drawn, f"missing: {needed - drawn}"


@pytest.mark.parametrize(("builder", "stem", "label"), [
    (lambda: diagrams.unrolled_rnn(), "03_bptt", "eq-bptt-delta"),
    (lambda: diagrams.stacked_rnn(), "08_variants", "eq-stack"),
    (lambda: diagrams.bidirectional_rnn(), "08_variants", "eq-birnn"),
])
def test_the_state_symbols_of_the_network_equations_are_drawn(builder, stem, label):
    """Every state of the equation (h, x, Y, δ at any step and layer) is drawn."""
    drawn = {family(s) for s in symbols_of(builder())}
    states = {family(s) for s in equation_symbols(stem, label)
              if s[0] in "hxY" or s.startswith(r"\delta")}
    assert states and states <= drawn, f"missing: {states - drawn}"


@pytest.mark.parametrize("name", BUILDERS)
def test_no_label_is_a_symbol_the_book_does_not_define(name):
    unknown = symbols_of(BUILDERS[name]()) - set(DEFINED)
    assert not unknown, f"{name} draws symbols the book does not define: {unknown}"


@pytest.mark.parametrize("symbol", sorted(DEFINED))
def test_every_allowed_symbol_is_defined_in_the_book(symbol):
    text = strip_text_commands(book_text(DEFINED[symbol])).replace(" ", "")
    assert symbol.replace(" ", "") in text, f"{symbol} not found in book/{DEFINED[symbol]}"


def test_the_labels_are_written_once_as_latex_and_rendered_from_it():
    d = diagrams.lstm_cell(peephole=True)
    by_key = {label.key: label for label in d.labels}
    assert by_key["wire:h_prev"].tex == "h_{t-1}" and by_key["wire:h_prev"].text == "ht−1"
    assert by_key["bus:preactivation"].text == "Wxt+Uht−1+b"
    assert diagrams.plain_text(r"g^{\mathrm{out}}_t") == "goutt"


# --------------------------------------------------------------------------- live view
def _check_live(cache, h, c, unit, sample, peephole):
    d = diagrams.lstm_cell(cache, unit=unit, sample=sample, peephole=peephole)
    expected = {"x_t": cache.x[sample], "h_{t-1}": cache.h_prev[sample, unit],
                "c_{t-1}": cache.c_prev[sample, unit], "i_t": cache.i[sample, unit],
                "f_t": cache.f[sample, unit], "g_t": cache.g[sample, unit],
                "o_t": cache.o[sample, unit], "c_t": cache.c[sample, unit],
                "h_t": h[sample, unit]}
    assert set(d.values) == set(expected)
    for tex, value in expected.items():
        assert np.array_equal(d.values[tex], value), tex  # the cache's numbers, exactly
    assert d.values["c_t"] == c[sample, unit]
    texts = Counter(svg_texts(d.svg()))
    for tex, text in d.value_text.items():
        assert texts[text] >= 1, f"{tex}: {text!r} is not drawn"
        drawn = [float(v) for v in text.replace("−", "-").strip("()").split(",")]
        assert np.allclose(drawn, np.ravel(expected[tex]), atol=0.005), tex
    for gate in "ifgo":
        assert f"{gate}_t = {d.value_text[f'{gate}_t']}" in d.alt
    return d


def test_the_live_cell_draws_the_values_of_the_cache():
    h, c, cache = _step(seed=3)
    assert isinstance(cache, LSTMCache)
    for unit, sample in ((0, 0), (2, 1), (3, 2)):
        _check_live(cache, h, c, unit, sample, peephole=False)


def test_the_live_peephole_cell_draws_the_values_of_the_cache():
    h, c, cache = _step(peephole=True, seed=4)
    d = _check_live(cache, h, c, unit=1, sample=2, peephole=True)
    assert {"p_i", "p_f", "p_o"} <= symbols_of(d)


def test_the_live_cell_shows_openness_as_width():
    h, c, cache = _step(seed=5)
    opened = cache._replace(f=np.full_like(cache.f, 0.99))
    shut = cache._replace(f=np.full_like(cache.f, 0.01))

    def widths(d):
        return sorted(float(w) for w in re.findall(r"stroke-width: ([\d.]+)", d.svg()))

    assert max(widths(diagrams.lstm_cell(opened))) > max(widths(diagrams.lstm_cell(shut)))


def test_the_live_cell_takes_a_single_example_and_plain_numbers():
    _, _, cache = _step()
    one = LSTMCache(*(np.asarray(a)[0] for a in cache))  # (H,) arrays
    assert diagrams.lstm_cell(one, unit=2).values["i_t"] == cache.i[0, 2]
    no_input = cache._replace(x=np.empty((3, 0)))  # hand-set gates: no input to show
    assert "x_t" not in diagrams.lstm_cell(no_input).value_text


def test_bad_arguments_are_named():
    _, _, cache = _step()
    with pytest.raises(ValueError, match="unit must be in 0 … 3"):
        diagrams.lstm_cell(cache, unit=4)
    with pytest.raises(ValueError, match="sample must be in 0 … 2"):
        diagrams.lstm_cell(cache, sample=3)
    with pytest.raises(TypeError, match="fields of an LSTMCache"):
        diagrams.lstm_cell(object())
    with pytest.raises(ValueError, match="lang must be one of"):
        diagrams.lstm_cell(lang="fr")
    with pytest.raises(ValueError, match="T must be an integer"):
        diagrams.unrolled_rnn(T=0)
    with pytest.raises(ValueError, match="k must be an integer"):
        diagrams.truncation_windows(T=6, k=7)


# --------------------------------------------------------------------------- Japanese
def test_lang_ja_shows_the_japanese_gate_names():
    texts = set(svg_texts(diagrams.lstm_cell(lang="ja").svg()))
    assert {"入力ゲート", "忘却ゲート", "出力ゲート", "候補セル状態"} <= texts
    assert "入力ゲート" not in set(svg_texts(diagrams.lstm_cell().svg()))
    assert {"入力ゲート", "出力ゲート"} <= set(svg_texts(diagrams.cec_cell(lang="ja").svg()))
    english = set(svg_texts(diagrams.lstm_cell(names=True).svg()))
    assert {"input gate", "forget gate", "output gate"} <= english


@pytest.mark.parametrize("name", [n for n in BUILDERS if n.endswith("_ja")])
def test_japanese_words_are_the_glossary_terms(name):
    glossary = book_text("glossary.md")
    words = {label.text for label in BUILDERS[name]().labels
             if label.kind == "word" and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label.text)}
    missing = {w for w in words if w not in glossary} - NOT_YET_IN_GLOSSARY
    assert words and not missing, f"not in glossary.md: {missing}"


# --------------------------------------------------------------------------- layout
def _text_boxes(d):
    with diagrams._house_style(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CJK glyphs missing from DejaVu Sans
        renderer = FigureCanvasAgg(d.fig).get_renderer()
        return [(t.get_text(), t.get_window_extent(renderer)) for t in d.fig.axes[0].texts]


@pytest.mark.parametrize("name", BUILDERS)
def test_no_label_is_cut_off_or_drawn_over_another(name):
    d = BUILDERS[name]()
    boxes = _text_boxes(d)
    frame = d.fig.bbox
    for text, box in boxes:
        assert box.x0 >= frame.x0 and box.x1 <= frame.x1, f"{text!r} leaves the drawing"
        assert box.y0 >= frame.y0 and box.y1 <= frame.y1, f"{text!r} leaves the drawing"
    for k, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[k + 1:]:
            inner = box_a.padded(-1.5)
            assert not inner.overlaps(box_b.padded(-1.5)), f"{a!r} overlaps {b!r}"
