"""lstmbook.web: the kernel-free explorers of the website (small grids; the chapters' builders
are exercised by the notebooks and by tests/site/test_explorers.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from lstmbook import messages, web
from lstmbook.chapters import ch06_lstm_gates as ch06
from lstmbook.chapters import ch10_language_model as ch10


class Toy(NamedTuple):
    xs: np.ndarray
    ys: np.ndarray
    peak: float
    summary: str


def toy(a, kind):
    xs = np.linspace(0, 1, 5)
    ys = a * xs if kind == "line" else a * xs**2
    return Toy(xs, ys, float(ys.max()), f"{kind} with a = {a:g}: peak {ys.max():.2f}")


def draw(ax, view):
    ax.plot(view.xs, view.ys)
    ax.set_ylim(0, 3)


def explorer(**kw):
    args = dict(figsize=(2, 1.5), dpi=40, alt="A curve y(x) on [0, 1].", numbers=("peak", "ys"))
    args.update(kw)
    return web.frames_explorer(
        "toy", [web.slider("a", "slope a", [1, 2, 3], default=2),
                web.menu("kind", "curve kind", [("line", "a line"), ("square", "a parabola")])],
        toy, draw, **args)


def payload(ex):
    m = re.search(r'<script type="application/json" class="lstmbook-explorer-data">(.*?)</script>',
                  ex.html, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_controls_validate_with_errors_naming_the_argument():
    with pytest.raises(ValueError, match="name"):
        web.slider("not an identifier", "x", [1, 2])
    with pytest.raises(ValueError, match="label"):
        web.slider("a", " ", [1, 2])
    with pytest.raises(ValueError, match="values"):
        web.slider("a", "a", [])
    with pytest.raises(ValueError, match="distinct"):
        web.slider("a", "a", [1, 1])
    with pytest.raises(TypeError, match="values"):
        web.slider("a", "a", "12")
    with pytest.raises(ValueError, match="values"):
        web.slider("a", "a", [1.0, float("nan")])
    with pytest.raises(ValueError, match="default"):
        web.slider("a", "a", [1, 2], default=3)
    with pytest.raises(TypeError, match="fmt"):
        web.slider("a", "a", [1, 2], fmt=3)
    with pytest.raises(TypeError, match="options"):
        web.menu("k", "k", "ab")
    with pytest.raises(ValueError, match="options"):
        web.menu("k", "k", [("a", "A", "extra")])
    with pytest.raises(ValueError, match="distinct names"):
        web.frames_explorer("x", [web.slider("a", "a", [1]), web.slider("a", "b", [2])],
                            toy, draw, figsize=(2, 2), alt="x")
    with pytest.raises(TypeError, match="controls"):
        web.frames_explorer("x", web.slider("a", "a", [1]), toy, draw, figsize=(2, 2), alt="x")
    with pytest.raises(ValueError, match="name"):
        web.frames_explorer("Bad Name", [web.slider("a", "a", [1])], toy, draw,
                            figsize=(2, 2), alt="x")


def test_frames_explorer_checks_its_arguments():
    with pytest.raises(ValueError, match="alt"):
        explorer(alt="")
    with pytest.raises(ValueError, match="figsize"):
        explorer(figsize=(2,))
    with pytest.raises(ValueError, match="dpi"):
        explorer(dpi=5)
    with pytest.raises(ValueError, match="image_format"):
        explorer(image_format="gif")
    with pytest.raises(ValueError, match="colors"):
        explorer(colors=1)
    with pytest.raises(ValueError, match="draw_with"):
        explorer(draw_with=("b",))
    with pytest.raises(ValueError, match="numbers"):
        explorer(numbers=("nope",))


def test_slider_texts_and_defaults():
    c = web.slider("erase_at", "erase at", [None, 1, 2], fmt=lambda v: "never" if v is None
                   else str(v))
    assert c.texts == ("never", "1", "2") and c.default == 0 and c.kind == "range"
    c = web.slider("x", "x", np.arange(0.25, 1.01, 0.25), default=0.5, fmt="{:.2f}")
    assert c.values == (0.25, 0.5, 0.75, 1.0) and c.default == 1 and c.texts[1] == "0.50"
    assert all(type(v) is float for v in c.values)  # NumPy numbers become JSON numbers
    m = web.menu("kind", "kind", ["a", ("b", "B")], default="b")
    assert m.texts == ("a", "B") and m.default == 1 and m.kind == "select"


def test_frames_follow_itertools_product_order_and_hold_the_views_numbers():
    ex = explorer()
    assert ex.kind == "frames" and len(ex.frames) == 6
    expected = [(a, k) for a in (1, 2, 3) for k in ("line", "square")]  # last control fastest
    assert [(f.setting["a"], f.setting["kind"]) for f in ex.frames] == expected
    for f in ex.frames:
        view = toy(**f.setting)
        assert f.numbers == web.view_numbers(view, ("peak", "ys"))
        assert f.summary == view.summary
        assert f.alt.startswith("A curve y(x) on [0, 1]. Shown: slope a: ")
        assert f.summary in f.alt
    assert ex.frames[ex.default_index].setting == {"a": 2, "kind": "line"}
    assert ex.frame(a=3, kind="square").numbers["peak"] == 3.0
    with pytest.raises(ValueError, match="setting"):
        ex.frame(a=3)
    with pytest.raises(ValueError, match="no frame"):
        ex.frame(a=7, kind="line")
    # the page's JSON holds exactly these frames, in this order
    data = payload(ex)
    assert [f["numbers"] for f in data["frames"]] == [f.numbers for f in ex.frames]
    assert len(data["images"]) == len(ex.images) == len(data["sizes"])
    assert sorted({f["image"] for f in data["frames"]}) == list(range(len(ex.images)))


def test_equal_images_are_stored_once():
    ex = web.frames_explorer("same", [web.slider("a", "a", [1, 2, 3])],
                             lambda a: Toy(np.zeros(2), np.zeros(2), 0.0, f"a = {a}"),
                             lambda ax, v: ax.plot(v.xs, v.ys), figsize=(2, 1.5), dpi=40,
                             alt="A flat line.")
    assert len(ex.frames) == 3 and len(ex.images) == 1


def test_output_is_deterministic():
    a, b = explorer(), explorer()
    assert a.html == b.html and a.images == b.images


def test_html_is_self_contained_and_accessible():
    ex = explorer(caption="Toy caption.")
    html = ex.html
    assert html.startswith('<figure class="lstmbook-explorer"')
    assert 'data-lstmbook-explorer="frames"' in html
    assert re.search(r'<img class="lstmbook-explorer-image" src="data:image/webp;base64,', html)
    assert 'alt="A curve y(x) on [0, 1]. Shown: slope a: 2; curve kind: a line.' in html
    assert 'aria-live="polite"' in html and "slope a: 2; curve kind: a line." in html
    assert "<figcaption" in html and "Toy caption." in html
    assert not re.search(r"(https?:)?//[a-z0-9]", html.replace("http://www.w3.org", "")), \
        "an explorer must load nothing from another host"
    data = payload(ex)
    assert [c["label"] for c in data["controls"]] == ["slope a", "curve kind"]
    assert data["controls"][0]["texts"] == ["1", "2", "3"]
    assert data["images"][ex.frames[ex.default_index].image] == ""  # it is the <img>'s src
    assert ex._repr_html_() == html and ex.nbytes == len(html.encode())


def test_png_and_unquantised_frames():
    ex = explorer(image_format="png", colors=None)
    assert ex.mime == "image/png" and ex.images[0][:8] == b"\x89PNG\r\n\x1a\n"


def test_view_numbers_paths_and_non_finite_values():
    class Inner(NamedTuple):
        norms: np.ndarray

    class View(NamedTuple):
        flow: Inner
        x: float

    v = View(Inner(np.array([1.0, np.inf, np.nan, -np.inf])), 2)
    got = web.view_numbers(v, ("flow.norms", "flow.norms[1]", "x"))
    assert got == {"flow.norms": [1.0, "inf", "nan", "-inf"], "flow.norms[1]": "inf", "x": 2}
    with pytest.raises(ValueError, match="attribute path"):
        web.view_numbers(v, ("flow..norms",))
    with pytest.raises(ValueError, match="no attribute"):
        web.view_numbers(v, ("flow.size",))
    with pytest.raises(TypeError, match="list"):
        web.view_numbers(v, "x")


def test_script_explorer_carries_the_ports_data_and_a_still_image():
    ex = web.gate_explorer()
    assert ex.kind == "script" and ex.program == "lstm-gates" and len(ex.frames) == 1
    data = payload(ex)
    assert data["program"] == "lstm-gates"
    assert data["data"]["g"] == ch06.default_candidate(24).tolist()
    view = ch06.gate_explorer_view(4, 1.0, None, 17, T=24)
    assert ex.frames[0].numbers == web.view_numbers(view, ("stored", "read", "run.c", "run.h"))
    assert ex.frames[0].summary == view.summary
    assert [c["name"] for c in data["controls"]] == ["write_at", "forget", "erase_at", "read_at"]
    assert data["controls"][2]["values"][0] is None and data["controls"][2]["texts"][0] == "never"
    with pytest.raises(TypeError, match="data"):
        web.script_explorer("x", "y", [web.slider("a", "a", [1])], toy, draw, data=[1],
                            figsize=(2, 2), alt="x")


@pytest.fixture(scope="module")
def tiny_lm():
    return ch10.make_model("lstm", hidden=4, embed=3, seed=0)


def test_next_char_explorer_frames_equal_the_chapters_views(tiny_lm):
    ex = web.next_char_explorer(tiny_lm, prompts=("the ", "(see "), temperatures=(0.5, 1.0),
                                n_sample=12, seed=1)
    assert ex.kind == "frames" and len(ex.frames) == 4
    assert [c.name for c in ex.controls] == ["prompt", "temperature"]
    assert ex.frames[ex.default_index].setting == {"prompt": "the ", "temperature": 1.0}
    for f in ex.frames:
        view = ch10.next_char_view(tiny_lm, f.setting["prompt"], f.setting["temperature"],
                                   n_sample=12, seed=1)
        assert f.summary == view.summary and "sample: " in f.summary
        assert f.numbers == web.view_numbers(view, ("probs", "entropy_ppl"))
    again = web.next_char_explorer(tiny_lm, prompts=("the ", "(see "),
                                   temperatures=(0.5, 1.0), n_sample=12, seed=1)
    assert again.html == ex.html  # the samples are seeded
    grid = ch10.explorer_grid(tiny_lm, ("the ", "(see "), (0.5, 1.0), n_sample=12, seed=1)
    reused = web.next_char_explorer(tiny_lm, prompts=("the ", "(see "),
                                    temperatures=(0.5, 1.0), n_sample=12, seed=1, views=grid)
    assert reused.html == ex.html


def test_next_char_explorer_checks_its_arguments(tiny_lm):
    with pytest.raises(ValueError, match="prompts"):
        web.next_char_explorer(tiny_lm, prompts=("",))
    with pytest.raises(TypeError, match="prompts"):
        web.next_char_explorer(tiny_lm, prompts="the ")
    with pytest.raises(ValueError, match="temperatures"):
        web.next_char_explorer(tiny_lm, prompts=("the ",), temperatures=(0.0,))
    with pytest.raises(TypeError, match="views"):
        web.next_char_explorer(tiny_lm, prompts=("the ",), views=[1])


# --------------------------------------------------------------------------- the page script's text
def test_the_page_strings_are_the_templates_of_the_page_script():
    """Every ``t("...")`` of book/_static/lstmbook-explorers.js (string literals joined with +)
    is in web.PAGE_STRINGS and the other way round, so each explorer's data carries the
    translation of every text the script writes."""
    js = (Path(__file__).resolve().parents[2] / "book" / "_static" /
          "lstmbook-explorers.js").read_text(encoding="utf-8")
    calls = re.findall(r'\bt\(((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+),', js)
    used = {"".join(re.findall(r'"((?:[^"\\]|\\.)*)"', c)) for c in calls}
    assert len(used) > 20
    assert used == set(web.PAGE_STRINGS)


def test_an_explorer_carries_its_strings_in_japanese_only(monkeypatch):
    monkeypatch.delenv("LSTMBOOK_LANG", raising=False)
    assert "strings" not in web.peephole_timing_explorer().payload()
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    monkeypatch.delenv("LSTMBOOK_I18N_STRICT", raising=False)
    payload = web.peephole_timing_explorer().payload()
    assert set(payload["strings"]) == set(web.PAGE_STRINGS)
    assert payload["strings"]["Controls of the explorer"] != "Controls of the explorer"
    assert payload["controls"][0]["label"] != "peephole weight p_o"


def test_a_japanese_explorer_punctuates_its_settings_in_japanese(monkeypatch):
    """The status line and the alt join a setting's parts as Japanese does (、 and ：, the
    sentence ends with 。), and the page script gets the same table; English keeps ": ", "; "
    and ". " and carries no table."""
    monkeypatch.delenv("LSTMBOOK_LANG", raising=False)
    en = web.peephole_timing_explorer()
    assert "punctuation" not in en.payload()
    assert en.frames[0].alt.count("; ") == 2 and ". p_o = " in en.frames[0].alt
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    monkeypatch.delenv("LSTMBOOK_I18N_STRICT", raising=False)
    ja = web.peephole_timing_explorer()
    assert ja.payload()["punctuation"] == messages.PUNCTUATION["ja"]
    alt = ja.frames[0].alt
    assert "; " not in alt and ": " not in alt.split("p_o = ")[0], alt
    assert alt.count("、") >= 2 and "。p_o = " in alt, alt
    status = re.search(r'aria-live="polite">([^<]*)</p>', ja.html).group(1)
    assert status.split("\n")[0].endswith("。") and "; " not in status, status
