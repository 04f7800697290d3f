"""The kernel-free explorers of the built site (lstmbook/web.py + _static/lstmbook-explorers.js),
driven in offline Chromium: every control moves its figure (keyboard and value change), the live
region follows, nothing errs; at 390 px and in the dark theme; axe finds nothing serious. The
JavaScript ports are checked against the package, and the precomputed frames' numbers against the
package's views. Also (issue 12.4): no page shows a dead ipywidget.

Tolerance of the ports: 1e-12 (absolute, and relative for large values) on every array and
number. The port runs the same float64 operations as the package (σ through the same
overflow-safe formula, tanh, one multiply-add per step), so only the last bits of
Math.tanh/Math.exp may differ; the printed summaries must be equal character for character.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import OfflinePage
from site_helpers import CHROMIUM, SITE, site_missing_reason, site_pages, split_edition

from lstmbook import web
from lstmbook.chapters import ch01_sequence_data as ch01
from lstmbook.chapters import ch02_rnn_forward as ch02
from lstmbook.chapters import ch03_bptt as ch03
from lstmbook.chapters import ch04_gradient_problems as ch04
from lstmbook.chapters import ch05_cec as ch05
from lstmbook.chapters import ch06_lstm_gates as ch06
from lstmbook.chapters import ch07_peephole as ch07
from lstmbook.messages import tr

if site_missing_reason():
    pytest.skip(site_missing_reason(), allow_module_level=True)

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: the explorer tests need Debian's chromium",
                allow_module_level=True)

PAGES = site_pages()
FIGURE = re.compile(r'<figure class="lstmbook-explorer" id="([^"]+)" '
                    r'data-lstmbook-explorer="(\w+)">(.*?)</figure>', re.S)
DATA = re.compile(r'<script type="application/json" class="lstmbook-explorer-data">'
                  r'(.*?)</script>', re.S)
TOL = 1e-12


def _explorers() -> list[tuple[str, str, str, dict]]:
    """(page, figure id, kind, payload) of every explorer of the built site."""
    found = []
    for page in PAGES:
        text = (SITE / page).read_text(encoding="utf-8")
        for m in FIGURE.finditer(text):
            data = DATA.search(m.group(3))
            payload = json.loads(data.group(1).replace("<\\/", "</")) if data else None
            found.append((page, m.group(1), m.group(2), payload))
    return found


EXPLORERS = _explorers()
IDS = [f"{page}#{ident.removeprefix('lstmbook-explorer-')}" for page, ident, _, _ in EXPLORERS]
#: Both editions' explorers are driven by the controls test, checked at 390 px in the dark
#: theme and their ports against the package (in the page's language). The axe run scoped to
#: an explorer in the light theme and the precomputed frames' numbers (the same numbers, only
#: the words differ) run on the English pages; test_browser runs axe on every page of both
#: editions, explorers included.
EN_EXPLORERS = [e for e in EXPLORERS if split_edition(e[0])[0] == "en"]
EN_IDS = [i for e, i in zip(EXPLORERS, IDS, strict=True) if e in EN_EXPLORERS]
SCRIPT_EXPLORERS = [e for e in EXPLORERS if e[2] == "script"]


def test_site_has_explorers():
    """A built site without a single kernel-free explorer has lost them (issue 12.1)."""
    assert EXPLORERS, f"no <figure data-lstmbook-explorer> in any page of {SITE}"
    for page, ident, _kind, payload in EXPLORERS:
        assert payload is not None, f"{page}#{ident}: the explorer has no data"


JA_EXPLORERS = [e for e in EXPLORERS if split_edition(e[0])[0] == "ja"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.mark.skipif(not JA_EXPLORERS, reason="the Japanese edition is not built (make book "
                                             "builds it)")
@pytest.mark.parametrize("page, ident, kind, payload", JA_EXPLORERS,
                         ids=[f"{p}#{i.removeprefix('lstmbook-explorer-')}"
                              for p, i, _, _ in JA_EXPLORERS])
def test_japanese_explorers_are_in_japanese(page, ident, kind, payload):
    """On a Japanese page an explorer's alt text, caption, every control's label, every frame's
    summary and alt text are Japanese (lstmbook.messages), and its data carries the page
    script's strings translated."""
    text = (SITE / page).read_text(encoding="utf-8")
    caption = re.search(rf'<figcaption id="{re.escape(ident)}-caption">(.*?)</figcaption>',
                        text, re.S)
    english = [("alt", payload["alt"])] if not JAPANESE.search(payload["alt"]) else []
    if caption and not JAPANESE.search(caption.group(1)):
        english.append(("caption", caption.group(1)))
    english += [("label", c["label"]) for c in payload["controls"]
                if not JAPANESE.search(c["label"])]
    english += [(f"frame {k} {what}", f[what]) for k, f in enumerate(payload["frames"])
                for what in ("summary", "alt") if not JAPANESE.search(f[what])]
    assert not english, f"{page}#{ident}: English left: {english[:5]}"
    strings = payload.get("strings", {})
    assert set(strings) == set(web.PAGE_STRINGS)
    untranslated = [k for k, v in strings.items() if v == k and JAPANESE.search(k) is None
                    and re.search(r"[a-z]{3}", k) and " " in k]
    assert not untranslated, f"{page}#{ident}: the page script's strings {untranslated[:5]}"


def test_explorer_assets_are_loaded_only_where_needed():
    for page in PAGES:
        text = (SITE / page).read_text(encoding="utf-8")
        has = "data-lstmbook-explorer" in text
        loads = "_static/lstmbook-explorers.js" in text
        assert has == loads, f"{page}: explorer {has}, script loaded {loads}"
        if has:
            assert "lstmbook-explorers.css" in text, f"{page}: explorer CSS missing"


# ------------------------------------------------------------------ no dead widgets (12.4)
WIDGET_MIME = re.compile(r'type="application/vnd\.jupyter\.widget-(?:view|state)\+json"')
WIDGET_CLASS = re.compile(r'class="[^"]*\b(?:jupyter-widgets|widget-view|widget-area)\b')
WIDGET_REPR = re.compile(r"\b(?:VBox|HBox|GridBox|Box|Output|interactive)\(")


def _without_scripts(text: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", text, flags=re.S)


@pytest.mark.parametrize("page", PAGES)
def test_no_dead_widgets(page):
    """Issue 12.4: no frozen ipywidget (its view or state, or a widget container) and no
    "VBox(...)" text on any page."""
    text = (SITE / page).read_text(encoding="utf-8")
    visible = html_lib.unescape(re.sub(r"<[^>]+>", " ", _without_scripts(text)))
    reprs = sorted(set(WIDGET_REPR.findall(visible)))
    assert not reprs, f"{page} shows widget reprs as text: {reprs}"
    assert not WIDGET_MIME.search(text), f"{page} carries a frozen ipywidget view or state"
    assert not WIDGET_CLASS.search(text), f"{page} has a widget container"


# ------------------------------------------------------------------ frames vs the package
def _frame_views():
    """explorer name -> compute(setting) with the arguments the chapters use (lstmbook.web's
    defaults; padding with seed 3). Explorers of trained models (birnn, long-lag, next-char)
    are checked by their unit tests: their models are not available here."""
    return {
        "padding": lambda s: ch01.padding_view(s["N"], s["T"], seed=3),
        "hidden-state": lambda s: ch02.hidden_trajectories(s["scale"], s["nonlinearity"],
                                                           "random", seed=0),
        "truncation": lambda s: ch03.truncation_view(s["k"], s["radius"], 24),
        "gradient-norms": lambda s: ch04.gradient_norm_view(s["radius"], s["nonlinearity"], 60),
        "error-flow": lambda s: ch05.error_flow_view(s["scale"], s["nonlinearity"], 100),
    }


def _setting(payload, k):
    """The setting of frame k (itertools.product order: the last control varies fastest)."""
    out = {}
    for c in reversed(payload["controls"]):
        out[c["name"]] = c["values"][k % len(c["values"])]
        k //= len(c["values"])
    return out


FRAME_EXPLORERS = [e for e in EN_EXPLORERS if e[2] == "frames" and e[3]
                   and e[3]["name"] in {"padding", "hidden-state", "truncation",
                                        "gradient-norms", "error-flow"}]


@pytest.mark.parametrize("explorer", FRAME_EXPLORERS,
                         ids=[f"{e[0]}#{e[3]['name']}" for e in FRAME_EXPLORERS])
def test_frame_numbers_equal_the_packages_view(explorer):
    _page, _ident, _kind, payload = explorer
    compute = _frame_views()[payload["name"]]
    n = len(payload["frames"])
    for k in sorted({0, n // 3, n // 2, n - 1}):
        frame, setting = payload["frames"][k], _setting(payload, k)
        view = compute(setting)
        assert frame["numbers"] == web.view_numbers(view, list(frame["numbers"])), (k, setting)
        assert frame["summary"] == view.summary, (k, setting)


# ------------------------------------------------------------------ the browser


def _state(fig):
    return fig.evaluate(
        """f => {
          const img = f.querySelector('img.lstmbook-explorer-image');
          const svg = f.querySelector('.lstmbook-explorer-drawing svg');
          return {src: img && !img.hidden ? img.getAttribute('src') : null,
                  alt: img && !img.hidden ? img.alt : null,
                  svg: svg ? svg.outerHTML : null,
                  label: svg ? svg.getAttribute('aria-label') : null,
                  status: f.querySelector('.lstmbook-explorer-status').textContent,
                  frame: f.dataset.frame || null};
        }""")


def _picture(state):
    return state["src"] if state["src"] is not None else state["svg"]


def _image_of(payload, fig_state_frame):
    return payload["frames"][int(fig_state_frame)]["image"] if fig_state_frame else None


def _open(offline_page, page, ident):
    p = offline_page.goto(page)
    fig = p.wait_for_selector(f'[id="{ident}"][data-ready="1"]', timeout=10_000)
    return p, fig


def _errors(offline_page):
    return offline_page.page_errors + offline_page.console_errors + offline_page.blocked


def _check_moves(p, fig, payload, offline_page):
    """Move every control by the keyboard and by a value change; the figure must follow."""
    for n, control in enumerate(payload["controls"]):
        sel = f'[data-control="{n}"]'
        node = fig.query_selector(sel)
        assert node is not None, f"control {control['name']} was not added"
        label = fig.evaluate(f"f => f.querySelector('{sel}').labels[0]?.textContent")
        assert label == control["label"], f"control {control['name']}: label {label!r}"
        if len(control["values"]) < 2:
            continue
        # keyboard: one step away from the current value
        before = _state(fig)
        node.focus()
        current = int(node.evaluate("e => Number(e.value)"))
        at_end = current == len(control["values"]) - 1
        key = ("ArrowLeft" if at_end else "ArrowRight") if control["kind"] == "range" else (
            "ArrowUp" if at_end else "ArrowDown")
        p.keyboard.press(key)
        after = _state(fig)
        moved = int(node.evaluate("e => Number(e.value)"))
        assert moved != current, f"{control['name']}: {key} did not move the control"
        _assert_changed(before, after, payload, control["name"])
        if control["kind"] == "range":
            text = node.get_attribute("aria-valuetext")
            assert text == control["texts"][moved], f"{control['name']}: aria-valuetext {text!r}"
        # value change: the value farthest away
        before = after
        target = 0 if 2 * moved >= len(control["values"]) else len(control["values"]) - 1
        if control["kind"] == "range":
            node.fill(str(target))
        else:
            node.select_option(str(target))
        after = _state(fig)
        _assert_changed(before, after, payload, control["name"])
        assert control["texts"][target] in after["status"]
    assert not _errors(offline_page), "\n".join(_errors(offline_page))


def _assert_changed(before, after, payload, name):
    assert after["status"] != before["status"], f"{name}: the live region did not change"
    if payload["kind"] == "frames":
        assert after["alt"] != before["alt"], f"{name}: the alt text did not change"
        same_image = _image_of(payload, before["frame"]) == _image_of(payload, after["frame"])
        if not same_image:  # two settings may draw the same picture (stored once)
            assert after["src"] != before["src"], f"{name}: the image did not change"
    else:
        assert after["label"] != before["label"], f"{name}: the drawing's label did not change"
        assert after["svg"] != before["svg"], f"{name}: the drawing did not change"


@pytest.mark.parametrize("explorer", EXPLORERS, ids=IDS)
def test_explorer_controls_move_the_figure(offline_page, explorer):
    page, ident, _kind, payload = explorer
    p, fig = _open(offline_page, page, ident)
    _check_moves(p, fig, payload, offline_page)


#: Text of an explorer (labels, live region, caption) whose contrast against the nearest opaque
#: background is below 4.5:1 (WCAG AA). axe reports such text only as "needs review" when the
#: background comes from a panel the theme paints, which is how a 1.5:1 caption went unseen.
CONTRAST_JS = """f => {
  const rgba = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const l = [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const background = e => { for (; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c; }
    return [255, 255, 255]; };
  return [...f.querySelectorAll('label, output, figcaption, .lstmbook-explorer-status')]
    .filter(e => e.textContent.trim() && e.getBoundingClientRect().width > 0)
    .map(e => { const a = lum(rgba(getComputedStyle(e).color)), b = lum(background(e));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      return [e.tagName, Math.round(ratio * 10) / 10]; })
    .filter(([, ratio]) => ratio < 4.5);
}"""


@pytest.fixture
def phone_dark_page(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark",
                                  device_scale_factor=1)
    context.add_init_script("localStorage.setItem('theme', 'dark'); "
                            "localStorage.setItem('mode', 'dark');")
    page = context.new_page()
    try:
        yield OfflinePage(page, site_url)
    finally:
        context.close()


@pytest.mark.parametrize("explorer", EXPLORERS, ids=IDS)
def test_explorer_at_390px_in_the_dark_theme(phone_dark_page, explorer, tmp_path):
    page, ident, _kind, payload = explorer
    p, fig = _open(phone_dark_page, page, ident)
    theme = p.evaluate("() => document.documentElement.dataset.theme")
    assert theme == "dark", f"the page is not in the dark theme ({theme!r})"
    fig.scroll_into_view_if_needed()
    overflow = fig.evaluate(
        """f => [...f.querySelectorAll('input, select, img, svg, .lstmbook-explorer-status')]
             .filter(e => !e.hidden && e.getBoundingClientRect().width > 0)
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
             .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert not overflow, f"wider than a 390 px screen: {overflow}"
    fig.screenshot(path=str(tmp_path / "explorer-390-dark.png"))
    low = fig.evaluate(CONTRAST_JS)
    assert not low, f"text below 4.5:1 against its background in the dark theme: {low}"
    _check_moves(p, fig, payload, phone_dark_page)
    results = Axe().run(p, context=f'[id="{ident}"]')
    problems = [f"{v['impact']}: {v['id']} ({v['help']})" for v in results.response["violations"]
                if v.get("impact") in {"serious", "critical"}]
    assert not problems, "axe-core on the explorer (dark, 390 px):\n" + "\n".join(problems)


@pytest.mark.parametrize("explorer", EN_EXPLORERS, ids=EN_IDS)
def test_explorer_axe_light(offline_page, explorer):
    page, ident, _kind, _payload = explorer
    p, _fig = _open(offline_page, page, ident)
    results = Axe().run(p, context=f'[id="{ident}"]')
    problems = [f"{v['impact']}: {v['id']} ({v['help']})" for v in results.response["violations"]
                if v.get("impact") in {"serious", "critical"}]
    assert not problems, "axe-core on the explorer:\n" + "\n".join(problems)


# ------------------------------------------------------------------ the ports vs the package
def _port_cases(program, data):
    """(setting, package view, {port key: view path}) at a handful of settings."""
    if program == "lstm-gates":
        T = data["T"]
        settings = [dict(write_at=4, forget=1.0, erase_at=None, read_at=17),
                    dict(write_at=1, forget=0.37, erase_at=None, read_at=T),
                    dict(write_at=T, forget=1.0, erase_at=None, read_at=1),
                    dict(write_at=9, forget=0.95, erase_at=12, read_at=14),
                    dict(write_at=3, forget=0.0, erase_at=3, read_at=3)]
        keys = {"c": "run.c", "h": "run.h", "i": "run.i", "f": "run.f", "o": "run.o",
                "g": "run.g", "stored": "stored", "read": "read"}
        return [(s, ch06.gate_explorer_view(**s, T=T, write_len=data["write_len"],
                                             read_len=data["read_len"]), keys)
                for s in settings]
    if program == "peephole-timing":
        settings = [dict(p_o=4.0, b_o=-4.0, rate=0.07), dict(p_o=-4.0, b_o=2.0, rate=0.2),
                    dict(p_o=10.0, b_o=-10.0, rate=0.02), dict(p_o=0.0, b_o=-0.5, rate=0.13),
                    dict(p_o=2.5, b_o=-7.5, rate=0.11)]
        keys = {"c": "c", "o": "o", "h": "h", "fire_step": "fire_step"}
        return [(s, ch07.peephole_timing_view(**s, T=data["T"]), keys) for s in settings]
    pytest.fail(f"no package reference for the port {program!r}: add one here")


def _close(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * np.maximum(1, np.abs(b))))


@pytest.mark.parametrize("explorer", SCRIPT_EXPLORERS,
                         ids=[f"{e[0]}#{e[3]['program']}" for e in SCRIPT_EXPLORERS])
def test_port_equals_the_package(offline_page, explorer, monkeypatch):
    """The port's numbers, and its summary word for word in the page's language (the package's
    view made in that language, through the same catalogue)."""
    page, ident, _kind, payload = explorer
    lang = split_edition(page)[0]
    monkeypatch.setenv("LSTMBOOK_LANG", lang)
    p, fig = _open(offline_page, page, ident)
    program, data = payload["program"], payload["data"]
    for setting, view, keys in _port_cases(program, data):
        got = p.evaluate("([prog, data, s]) => window.lstmbookExplorers.compute(prog, data, s)",
                         [program, data, setting])
        want = web.view_numbers(view, list(keys.values()))
        for key, path in keys.items():
            assert _close(got[key], want[path]), (
                f"{program} {setting}: {key} {got[key]} != {want[path]}")
        assert got["summary"] == tr(view.summary, lang), f"{program} {setting}: summary differs"
    # the page itself shows the port's result of its setting
    shown = json.loads(fig.get_attribute("data-setting"))
    setting = {c["name"]: c["values"][c["default"]] for c in payload["controls"]}
    assert shown == setting
    status = fig.evaluate("f => f.querySelector('.lstmbook-explorer-status').textContent")
    assert status.endswith(payload["frames"][0]["summary"]), (
        "the page's summary is not the package's")
    assert all(math.isfinite(x) for x in fig.evaluate("f => f.lstmbookResult.c"))


FIXED_CASES = [(0.125, 2), (0.375, 2), (2.5, 0), (3.5, 0), (-0.0, 3), (-0.0005, 3), (1.0005, 3),
               (0.8360000000000001, 3), (-1.25, 1), (123.456, 2), (1e-9, 3), (0.684, 3)]


@pytest.mark.skipif(not SCRIPT_EXPLORERS, reason="no page with a JavaScript port")
def test_ports_write_numbers_as_python_does(offline_page):
    """The ports' summaries use f"{x:.{d}f}" (round half to even on exact ties, −0 kept)."""
    page, ident, _kind, _payload = SCRIPT_EXPLORERS[0]
    p, _fig = _open(offline_page, page, ident)
    got = p.evaluate("cases => cases.map(([x, d]) => window.lstmbookExplorers.fixed(x, d))",
                     FIXED_CASES)
    assert got == [f"{x:.{d}f}" for x, d in FIXED_CASES]
