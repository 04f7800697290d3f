"""The Binder experience, tested: every chapter run in a real JupyterLab 4, driven by Chromium.

A JupyterLab server from .venv-lab (tests/site/requirements-jupyterlab.txt + binder/requirements.txt
+ lstmbook, server and kernel in one env as on Binder) serves a temporary copy of book/ on
127.0.0.1 (a free port, a token of its own, --no-browser). Headless Chromium, with every request to
another host aborted, opens each chapter in a fresh workspace and:

1. runs every cell (``notebook:run-all-cells`` through ``window.jupyterapp``) and waits until the
   kernel is idle and no cell is queued; no cell may end in an error or print a traceback;
2. sees every widget view of the notebook render (as many rendered views as the cells output,
   no "Error displaying widget");
3. moves each explorer's first slider with the keyboard (or picks another dropdown entry; where
   the explorer has a button, as chapter 9's "train both", presses it after moving the slider)
   and waits for a new figure;
4. answers the quiz's first question (and its first choice question) by clicking, a wrong answer
   and then the right one, and sees jupyterquiz's feedback.

Slow (minutes): `make test-lab` installs .venv-lab and runs it; .ci/run runs it after
`make test-binder`. Without .venv-lab or /usr/bin/chromium it skips with the reason (and fails
instead when LSTMBOOK_LAB_REQUIRED=1, as `make test-lab` sets). Screenshots of each chapter are
kept in pytest's temporary folder (or LSTMBOOK_LAB_SCREENSHOTS) and their paths printed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from site_helpers import CHROMIUM, ROOT, requirement_pins

LAB_VENV = Path(os.environ.get("LSTMBOOK_LAB_VENV", ROOT / ".venv-lab"))
LAB_REQUIREMENTS = ROOT / "tests" / "site" / "requirements-jupyterlab.txt"
REQUIRED = os.environ.get("LSTMBOOK_LAB_REQUIRED") == "1"
CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
QUIZZES = ROOT / "lstmbook" / "quizzes"

RUN_ALL_TIMEOUT_S = 600  # a chapter runs in < 60 s under nbclient; JupyterLab renders as well
EXPLORER_TIMEOUT_S = 180  # chapter 9's button trains two networks
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# What an offline JupyterLab may still ask for or throw, each with the reason. Anything else fails.
TOLERATED_BLOCKED: list[tuple[str, str]] = [
    (
        r"^https://cdn\.jsdelivr\.net/npm/mathjax@3/",
        "jupyterquiz 2.9.6.4 (show_questions.js) finds JupyterLab 4's window.MathJax without "
        "typeset() and injects MathJax 3 from jsdelivr; the quizzes have no TeX: nothing is lost",
    ),
]
TOLERATED_PAGE_ERRORS: list[tuple[str, str]] = [
    (
        r"^Cannot read properties of undefined \(reading '0'\)",
        "jupyterquiz 2.9.6.4 reads MathJax.version[0] of the config object it has just put in "
        "window.MathJax (500 ms after a quiz shows, and in check_mc/check_numeric on each answer); "
        "the feedback is shown before it throws",
    ),
]


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (LSTMBOOK_LAB_REQUIRED=1: make test-lab must not skip)")
    pytest.skip(reason)


# --------------------------------------------------------------------------- fast checks
def test_lab_requirements_pin_jupyterlab_4_and_agree_with_the_other_pins():
    lab = requirement_pins(LAB_REQUIREMENTS)
    assert lab.get("jupyterlab", "").startswith("4."), "Binder's base image has JupyterLab 4"
    assert lab.get("jupyter-server", "").startswith("2."), "JupyterLab 4 runs on jupyter-server 2"
    full = requirement_pins(ROOT / "requirements.txt")
    assert lab.get("jupyterlab-widgets") == full.get("jupyterlab-widgets"), (
        "the JupyterLab side of ipywidgets must be the version requirements.txt pins"
    )
    binder = requirement_pins(ROOT / "binder" / "requirements.txt")
    both = set(lab) & set(binder)
    assert not both, f"pinned in binder/requirements.txt, so not here: {sorted(both)}"
    differ = {n: (v, full[n]) for n, v in lab.items() if n in full and full[n] != v}
    assert not differ, f"pins differ from requirements.txt (lab, root): {differ}"


# --------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server of LAB_VENV on 127.0.0.1, serving a copy of book/ under ``tmp``."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.root = tmp / "book"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None

    def _write_settings(self) -> Path:
        settings = self.tmp / "user-settings" / "@jupyterlab"
        overrides = {
            # Render every cell, not only those in view, so the test sees all outputs.
            ("notebook-extension", "tracker"): {"windowingMode": "none"},
            # No update check, no news feed: nothing leaves the machine.
            ("apputils-extension", "notification"): {
                "checkForUpdates": False,
                "fetchNews": "false",
            },
        }
        for (ext, plugin), values in overrides.items():
            (settings / ext).mkdir(parents=True, exist_ok=True)
            (settings / ext / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))
        return settings.parent

    def start(self) -> None:
        shutil.copytree(
            ROOT / "book",
            self.root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build", "__pycache__"),
        )
        config = self.tmp / "config"
        config.mkdir()
        # null cannot be given on the command line: the news feed URL lives in a config file.
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"LabApp": {"news_url": None}})
        )
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(self.tmp / "data"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            IPYTHONDIR=str(self.tmp / "ipython"),
        )
        env.pop("PYTHONPATH", None)
        env.pop("JUPYTER_PATH", None)
        cmd = [
            str(LAB_VENV / "bin" / "jupyter-lab"),
            "--allow-root",  # CI runs as root; harmless otherwise
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp
            f"--LabApp.user_settings_dir={self._write_settings()}",
            f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        ]
        self.log = self.log_path.open("w")
        # Its own session (process group), so stop() can end the server and its kernels only.
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise RuntimeError(f"jupyter lab exited with {code}:\n{self.tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within 120 s:\n{self.tail()}")

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, body=None):
        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            data = resp.read()
        return json.loads(data) if data else None

    def lab_url(self, notebook: str) -> str:
        # ?reset: a fresh workspace, so JupyterLab does not reopen what an earlier chapter left.
        return f"{self.base}/lab/tree/{quote(notebook)}?reset&token={self.token}"

    def shut_down_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.api("POST", "/api/shutdown")  # stops the kernels, then the server
            self.proc.wait(timeout=30)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)  # the group this test started
                    self.proc.wait(timeout=15)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not (LAB_VENV / "bin" / "jupyter-lab").exists():
        _missing(
            f"no JupyterLab in {LAB_VENV}: `make test-lab` installs it "
            "(tests/site/requirements-jupyterlab.txt + binder/requirements.txt)"
        )
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run does it)")
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    start = time.perf_counter()
    try:
        server.start()
        specs = server.api("GET", "/api/kernelspecs")
        argv0 = specs["kernelspecs"][specs["default"]]["spec"]["argv"][0]
        print(
            f"\nJupyterLab at {server.base} (root {server.root}) ready in "
            f"{time.perf_counter() - start:.1f} s; kernel {specs['default']!r} runs {argv0}"
        )
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab_page(browser, lab):
    """A page of a fresh browser context that reaches only the JupyterLab server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    host = urlsplit(lab.base).netloc
    page.blocked, page.page_errors, page.console_errors = [], [], []

    def route(route):
        url = route.request.url
        if urlsplit(url).netloc == host:
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", route)
    page.on(
        "pageerror",
        lambda err: page.page_errors.append(
            f"{err.message} @ {(err.stack or '').splitlines()[1:3]}"
        ),
    )
    page.on(
        "console",
        lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    try:
        yield page
    finally:
        context.close()
        lab.shut_down_kernels()


# --------------------------------------------------------------------------- in the page
# Every snippet takes the notebook's path and finds its panel in JupyterLab's main area.
PANEL_JS = """
const panelOf = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
  }
  return null;
};
const kernelIdle = (panel) => {
  const s = panel.sessionContext;
  return !!(s && s.session && s.session.kernel && s.session.kernel.status === 'idle');
};
const queued = (panel) => [...panel.node.querySelectorAll('.jp-InputArea-prompt')]
  .filter(p => p.textContent.includes('*')).length;
const hash = (s) => {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) { x ^= s.charCodeAt(i); x = Math.imul(x, 16777619); }
  return (x >>> 0).toString(16) + ':' + s.length;
};
"""


def js(body: str) -> str:
    return f"(arg) => {{ {PANEL_JS} {body} }}"


READY_JS = js("const p = panelOf(arg); return !!(p && p.sessionContext.isReady && kernelIdle(p));")
RUN_ALL_JS = js(
    """
    window.__lstmbookRunAll = null;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
      (r) => { window.__lstmbookRunAll = 'ok ' + r; },
      (e) => { window.__lstmbookRunAll = 'error ' + e; });
    """
)
RUN_DONE_JS = js(
    "const p = panelOf(arg); return !!(window.__lstmbookRunAll && p && kernelIdle(p) "
    "&& queued(p) === 0);"
)
RUN_STATE_JS = js(
    "const p = panelOf(arg); return {run: window.__lstmbookRunAll, queued: p && queued(p), "
    "kernel: p && p.sessionContext.session && p.sessionContext.session.kernel.status, "
    "dialog: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText).join(' | ')};"
)
CELLS_JS = js(
    """
    const cells = panelOf(arg).content.model.cells;
    const r = {code: 0, unexecuted: [], errors: [], tracebacks: [], stderr: [], widgetViews: 0,
      widgetCells: {}};
    for (let i = 0; i < cells.length; i++) {
      const c = cells.get(i);
      if (c.type !== 'code') continue;
      r.code++;
      if (c.executionCount === null && c.sharedModel.getSource().trim()) r.unexecuted.push(i);
      for (const o of c.outputs.toJSON()) {
        if (o.output_type === 'error') r.errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
        if (o.output_type === 'stream' && o.name === 'stderr') {
          const t = Array.isArray(o.text) ? o.text.join('') : o.text;
          (t.includes('Traceback') ? r.tracebacks : r.stderr).push(`cell ${i}: ${t.slice(0, 800)}`);
        }
        if (o.data && o.data['WIDGET_MIME']) {
          r.widgetViews++;
          r.widgetCells[i] = (r.widgetCells[i] || 0) + 1;
        }
      }
    }
    return r;
    """.replace("WIDGET_MIME", WIDGET_MIME)
)
WIDGETS_FN = """(path) => {
  const node = panelOf(path).node;
  const tops = [...node.querySelectorAll('.jp-Cell .jp-OutputArea-output')]
    .filter(o => !o.parentElement.closest('.widget-output'));
  const text = node.innerText;
  return {
    rendered: tops.filter(o => o.querySelector(':scope > .jupyter-widgets')).length,
    views: node.querySelectorAll('.jupyter-widgets').length,
    sliders: node.querySelectorAll('.noUi-handle').length,
    progress: node.querySelectorAll('.widget-hprogress, .widget-vprogress').length,
    loading: /Loading widget/.test(text),
    errors: (text.match(/Error displaying widget[^\\n]*/g) || []),
  };
}"""
WIDGETS_JS = js(f"return ({WIDGETS_FN})(arg);")
WIDGETS_READY_JS = js(
    f"const w = ({WIDGETS_FN})(arg[0]); return w.rendered >= arg[1] && !w.loading;"
)
EXPLORERS_JS = js(
    """
    const node = panelOf(arg).node;
    const boxes = [...node.querySelectorAll('.widget-vbox')].filter(b =>
      [...b.children].some(c => c.classList.contains('widget-output') && c.querySelector('img'))
      && b.querySelector('.widget-slider, .widget-dropdown, .widget-button, .widget-text'));
    boxes.forEach((b, i) => b.setAttribute('data-lab-test-explorer', String(i)));
    return boxes.map(b => ({
      sliders: [...b.querySelectorAll('.widget-slider')].map(s => s.innerText.split('\\n')[0]),
      dropdowns: b.querySelectorAll('.widget-dropdown select').length,
      buttons: [...b.querySelectorAll('button.jupyter-button')].map(x => x.innerText.trim()),
    }));
    """
)
EXPLORER_STATE_JS = js(
    """
    const [path, i] = arg;
    const p = panelOf(path);
    const b = p.node.querySelector(`[data-lab-test-explorer="${i}"]`);
    const out = [...b.children].filter(c => c.classList.contains('widget-output')).pop();
    const img = out && out.querySelector('img');
    const html = [...b.children].filter(c => c.classList.contains('widget-html')).pop();
    return {
      image: img && img.src ? hash(img.src) : null,
      summary: html ? html.innerText.trim() : '',
      summaryHtml: html ? html.innerHTML : '',
      idle: kernelIdle(p),
      buttonsEnabled: [...b.querySelectorAll('button.jupyter-button')].every(x => !x.disabled),
    };
    """
)
EXPLORER_CHANGED_JS = js(
    """
    const [path, i, before] = arg;
    const p = panelOf(path);
    const b = p.node.querySelector(`[data-lab-test-explorer="${i}"]`);
    const out = [...b.children].filter(c => c.classList.contains('widget-output')).pop();
    const img = out && out.querySelector('img');
    return !!(img && img.src && img.complete && hash(img.src) !== before && kernelIdle(p)
      && [...b.querySelectorAll('button.jupyter-button')].every(x => !x.disabled));
    """
)


def _strip_html(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _tolerated(message: str, tolerated: list[tuple[str, str]]) -> bool:
    return any(re.search(pattern, message) for pattern, _reason in tolerated)


def _shots_dir(tmp_path: Path) -> Path:
    where = os.environ.get("LSTMBOOK_LAB_SCREENSHOTS")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- the steps
def _open_and_run(page, lab, notebook: str, timings: dict) -> None:
    start = time.perf_counter()
    page.goto(lab.lab_url(notebook), wait_until="domcontentloaded")
    page.wait_for_function(READY_JS, arg=notebook, timeout=180_000, polling=250)
    timings["open"] = time.perf_counter() - start

    start = time.perf_counter()
    page.evaluate(RUN_ALL_JS, notebook)
    try:
        page.wait_for_function(
            RUN_DONE_JS, arg=notebook, timeout=RUN_ALL_TIMEOUT_S * 1000, polling=500
        )
    except Exception as err:
        state = page.evaluate(RUN_STATE_JS, notebook)
        raise AssertionError(f"{notebook}: run-all did not finish: {state}") from err
    timings["run all"] = time.perf_counter() - start
    run = page.evaluate("() => window.__lstmbookRunAll")
    assert run == "ok true", f"{notebook}: notebook:run-all-cells gave {run!r}"


def _check_cells(page, notebook: str) -> dict:
    cells = page.evaluate(CELLS_JS, notebook)
    assert cells["code"], f"{notebook}: no code cell found"
    assert not cells["errors"], f"{notebook}: cells ended in an error:\n" + "\n".join(
        cells["errors"]
    )
    assert not cells["tracebacks"], f"{notebook}: tracebacks on stderr:\n" + "\n".join(
        cells["tracebacks"]
    )
    assert not cells["unexecuted"], f"{notebook}: code cells never ran: {cells['unexecuted']}"
    return cells


def _check_widgets(page, notebook: str, expected: int) -> dict:
    assert expected, f"{notebook}: no cell displays a widget (each chapter has a live explorer)"
    try:
        page.wait_for_function(
            WIDGETS_READY_JS, arg=[notebook, expected], timeout=60_000, polling=500
        )
    except Exception:
        pass  # the assertions below say what is missing
    widgets = page.evaluate(WIDGETS_JS, notebook)
    assert not widgets["errors"], f"{notebook}: {widgets['errors']}"
    assert not widgets["loading"], f"{notebook}: a widget is still 'Loading widget...' after 60 s"
    assert widgets["rendered"] == expected, (
        f"{notebook}: the cells output {expected} widget views, {widgets['rendered']} rendered"
    )
    return widgets


def _move(page, explorer, info: dict) -> str:
    """Change the explorer's input (and press its button, if it has one); say what was done."""
    done = []
    if info["sliders"]:
        handle = explorer.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        now = float(handle.get_attribute("aria-valuenow"))
        top = float(handle.get_attribute("aria-valuemax"))
        key = "ArrowLeft" if now >= top else "ArrowRight"
        handle.focus()
        for _ in range(2):
            handle.press(key)
        after = handle.get_attribute("aria-valuenow")
        assert float(after) != now, f"slider {info['sliders'][0]!r} did not move ({now} -> {after})"
        done.append(f"slider {info['sliders'][0]!r} {now:g} -> {float(after):g} ({key} x2)")
    elif info["dropdowns"]:
        select = explorer.locator(".widget-dropdown select").first
        select.scroll_into_view_if_needed()
        current = select.evaluate("s => s.selectedIndex")
        n = select.locator("option").count()
        choice = n - 1 if current != n - 1 else 0
        select.select_option(index=choice)
        done.append(f"dropdown entry {current} -> {choice}")
    if info["buttons"]:
        explorer.locator("button.jupyter-button").first.click()
        done.append(f"pressed {info['buttons'][0]!r}")
    assert done, f"explorer with nothing to move: {info}"
    return ", ".join(done)


def _check_explorers(page, notebook: str, shots: Path, stem: str) -> list[str]:
    infos = page.evaluate(EXPLORERS_JS, notebook)
    assert infos, f"{notebook}: no explorer (a VBox with controls and a figure in an Output)"
    report = []
    for i, info in enumerate(infos):
        explorer = page.locator(f'[data-lab-test-explorer="{i}"]')
        before = page.evaluate(EXPLORER_STATE_JS, [notebook, i])
        assert before["image"], f"{notebook}: explorer {i} shows no figure"
        start = time.perf_counter()
        action = _move(page, explorer, info)
        try:
            page.wait_for_function(
                EXPLORER_CHANGED_JS,
                arg=[notebook, i, before["image"]],
                timeout=EXPLORER_TIMEOUT_S * 1000,
                polling=250,
            )
        except Exception as err:
            after = page.evaluate(EXPLORER_STATE_JS, [notebook, i])
            raise AssertionError(
                f"{notebook}: explorer {i}: {action}, but the figure did not change within "
                f"{EXPLORER_TIMEOUT_S} s; summary now {after['summary']!r}"
            ) from err
        page.wait_for_timeout(300)
        after = page.evaluate(EXPLORER_STATE_JS, [notebook, i])
        assert "D55E00" not in after["summaryHtml"], (
            f"{notebook}: explorer {i}: {action} shows an error: {after['summary']!r}"
        )
        if info["buttons"] and "iterations" in before["summary"]:
            assert re.match(r"After \d+ iterations: ", after["summary"]), after["summary"]
        explorer.screenshot(path=str(shots / f"{stem}-explorer{i}.png"))
        changed = "changed" if after["summary"] != before["summary"] else "unchanged"
        report.append(
            f"explorer {i}: {action}: new figure in {time.perf_counter() - start:.1f} s, "
            f"summary {changed} ({after['summary'][:70]!r})"
        )
    return report


def _answer(page, wrapper, question: dict, feedback) -> str:
    correct = [a for a in question["answers"] if a.get("correct")]
    if question["type"] == "numeric":
        field = wrapper.locator("input.Input-text")
        right = correct[0].get("value", (correct[0].get("range") or [None])[0])
        field.scroll_into_view_if_needed()
        field.fill("-987654.321")
        field.press("Enter")
        assert "incorrect" in (feedback.get_attribute("class") or "").split()
        field.fill(str(right))
        field.press("Enter")
        how = f"typed {right}"
    else:
        labels = wrapper.locator("label.MCButton")
        right = wrapper.locator('label.MCButton[data-correct="true"]')
        wrong = wrapper.locator('label.MCButton[data-correct="false"]')
        assert labels.count() == len(question["answers"]), "other answers than in the quiz file"
        assert right.count() == len(correct)
        rendered = right.first.get_attribute("data-feedback")
        assert rendered in {a["feedback"] for a in correct}, (
            f"the right answer's feedback {rendered!r} is not one of the file's"
        )
        if wrong.count():
            wrong.first.click()
            assert "incorrect" in (feedback.get_attribute("class") or "").split()
        right.first.click()
        how = f"clicked {_strip_html(right.first.inner_text())[:50]!r}"
    classes = (feedback.get_attribute("class") or "").split()
    assert "correct" in classes, f"{how}: feedback classes {classes}"
    shown = " ".join(feedback.inner_text().split())
    expected = {_strip_html(a["feedback"]) for a in correct} | {"Correct!"}
    assert shown in expected, f"{how}: feedback {shown!r}, expected one of {expected}"
    return f"{how} -> {shown[:40]!r}"


def _check_quiz(page, notebook: str, stem: str) -> list[str]:
    questions = json.loads((QUIZZES / f"{stem}.json").read_text(encoding="utf-8"))
    quiz = page.locator(".jp-Notebook [data-shufflequestions]")
    assert quiz.count() == 1, f"{notebook}: {quiz.count()} quizzes rendered, expected 1"
    wrappers = quiz.locator("div.Quiz")
    wrappers.first.wait_for(timeout=30_000)
    assert wrappers.count() == len(questions), (
        f"{notebook}: {wrappers.count()} questions rendered, {len(questions)} in {stem}.json"
    )
    chosen = [0]
    first_choice = next((k for k, q in enumerate(questions) if q["type"] != "numeric"), None)
    if first_choice not in (None, 0):
        chosen.append(first_choice)
    report = []
    for k in chosen:
        wrapper = wrappers.nth(k)
        qid = wrapper.get_attribute("id").removeprefix("quizWrap")
        feedback = wrapper.locator(f'[id="fb{qid}"]')
        report.append(
            f"question {k + 1} ({questions[k]['type']}): "
            + _answer(page, wrapper, questions[k], feedback)
        )
    return report


@pytest.mark.slow
@pytest.mark.parametrize("notebook", CHAPTERS)
def test_chapter_in_jupyterlab(lab, lab_page, notebook, tmp_path):
    page, stem = lab_page, Path(notebook).stem
    shots = _shots_dir(tmp_path)
    timings: dict[str, float] = {}
    total = time.perf_counter()
    try:
        _open_and_run(page, lab, notebook, timings)
        cells = _check_cells(page, notebook)
        start = time.perf_counter()
        widgets = _check_widgets(page, notebook, cells["widgetViews"])
        timings["widgets"] = time.perf_counter() - start
        start = time.perf_counter()
        explorers = _check_explorers(page, notebook, shots, stem)
        timings["explorers"] = time.perf_counter() - start
        start = time.perf_counter()
        quiz = _check_quiz(page, notebook, stem)
        timings["quiz"] = time.perf_counter() - start
    finally:
        page.screenshot(path=str(shots / f"{stem}-last.png"))
        print(f"\n{notebook}: screenshots in {shots}")
    blocked = [u for u in page.blocked if not _tolerated(u, TOLERATED_BLOCKED)]
    assert not blocked, f"{notebook}: requests to other hosts:\n" + "\n".join(blocked)
    errors = [e for e in page.page_errors if not _tolerated(e, TOLERATED_PAGE_ERRORS)]
    assert not errors, f"{notebook}: uncaught page errors:\n" + "\n".join(errors)

    timings["total"] = time.perf_counter() - total
    print(
        f"{notebook}: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        + f"\n  {cells['code']} code cells ran; {cells['widgetViews']} widget views rendered "
        f"({widgets['views']} widget elements, {widgets['sliders']} slider handles, "
        f"{widgets['progress']} progress bars; views per cell {cells['widgetCells']}); "
        f"{len(cells['stderr'])} stderr outputs"
    )
    for line in [*explorers, *quiz]:
        print("  " + line)
    for text in cells["stderr"]:
        print("  stderr " + text[:200].replace("\n", " | "))
    if page.blocked or page.page_errors or page.console_errors:
        print(
            f"  tolerated: {len(page.blocked)} blocked {sorted(set(page.blocked))}; "
            f"{len(page.page_errors)} page errors {sorted(set(page.page_errors))}; "
            f"{len(page.console_errors)} console errors {sorted(set(page.console_errors))[:5]}"
        )
