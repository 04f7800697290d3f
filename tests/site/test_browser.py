"""Every built page in headless Chromium, offline: console, maths, images, quizzes, accessibility.

Requests to any host but the local test server are aborted (see conftest.OfflinePage), so a page
that needs a CDN fails here exactly as it would for a reader without network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from site_helpers import CHROMIUM, SITE, site_missing_reason, site_pages

if site_missing_reason():
    pytest.skip(site_missing_reason(), allow_module_level=True)
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
        "(apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )
pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (make test installs it)"
)

PAGES = site_pages()
QUIZ_PAGES = [p for p in PAGES if "data-shufflequestions" in (SITE / p).read_text(encoding="utf-8")]

# Console errors we accept, each with the reason. Keep this list short and specific.
TOLERATED_CONSOLE: list[tuple[str, str]] = [
    # (regex matched against "message @ url", reason)
]

# axe-core rules whose serious/critical findings we accept, each with the reason and the pages
# ("*" for all). Everything else that axe rates serious or critical fails the test.
TOLERATED_AXE: dict[str, tuple[str, str]] = {
    # rule id: (pages glob, reason)
}

RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\end\{|\\frac\{|\\mathbf\{")

VISIBLE_TEXT_JS = """
() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, .MathJax, '
      + 'textarea, noscript, [hidden], .headerlink').forEach(e => e.remove());
  return clone.innerText;
}
"""


def _tolerated(message: str) -> bool:
    return any(re.search(pattern, message) for pattern, _reason in TOLERATED_CONSOLE)


def _offline_problems(offline_page) -> list[str]:
    errors = [m for m in offline_page.console_errors if not _tolerated(m)]
    problems = [f"uncaught page error: {e}" for e in offline_page.page_errors]
    problems += [f"console error: {e}" for e in errors]
    problems += [f"requests another host (an offline reader would miss it): {u}"
                 for u in offline_page.blocked]
    problems += [f"local request failed: {u}" for u in offline_page.failed]
    return problems


def _math_problems(p) -> list[str]:
    problems = []
    n_math = p.evaluate("() => document.querySelectorAll('.math').length")
    n_jax = p.evaluate("() => document.querySelectorAll('mjx-container').length")
    if n_math and n_jax < n_math:
        problems.append(f"{n_math} maths in the source but only {n_jax} typeset by MathJax")
    leftovers = sorted({m.group(0) for m in RAW_TEX.finditer(p.evaluate(VISIBLE_TEXT_JS))})
    if leftovers:
        problems.append(f"raw TeX left in the visible text: {leftovers}")
    errors = p.evaluate("() => document.querySelectorAll('mjx-merror, merror').length")
    if errors:
        problems.append(f"{errors} MathJax error boxes (bad TeX) on the page")
    return problems


def _image_problems(p) -> list[str]:
    missing = p.evaluate(
        "() => [...document.querySelectorAll('img')]"
        ".filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
    )
    broken = p.evaluate(
        "() => [...document.querySelectorAll('img')]"
        ".filter(i => i.complete && i.naturalWidth === 0 && i.getBoundingClientRect().width > 0)"
        ".map(i => i.src)"
    )
    return ([f"<img> without alt text after scripts ran: {m}" for m in missing]
            + [f"image that failed to load: {b}" for b in broken])


def _axe_problems(p, page) -> list[str]:
    results = Axe().run(p)
    problems = []
    for v in results.response["violations"]:
        if v.get("impact") not in {"serious", "critical"}:
            continue
        tolerated = TOLERATED_AXE.get(v["id"])
        if tolerated and Path(page).match(tolerated[0]):
            continue
        targets = [", ".join(map(str, n.get("target", []))) for n in v["nodes"][:5]]
        problems.append(f"axe {v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_page_offline_maths_images_and_axe(offline_page, page):
    """Every page of both editions, opened once (a page and its MathJax cost seconds, and the
    site has two editions): no console or page error and no request to another host; every
    formula typeset by MathJax with no raw TeX or error box left; every image loaded and with
    alt text after the scripts ran; axe-core finds nothing serious or critical."""
    p = offline_page.goto(page)
    p.wait_for_timeout(300)  # late async scripts (togglebutton, copybutton, thebe)
    problems = _offline_problems(offline_page)
    problems += _math_problems(p)
    problems += _image_problems(p)
    problems += _axe_problems(p, page)
    assert not problems, f"{page}:\n" + "\n".join(problems)


def _feedback_classes(feedback) -> list[str]:
    return (feedback.get_attribute("class") or "").split()


def _check_choice_question(wrapper, feedback, qid: str, labels) -> None:
    right = [lab for lab in labels if lab.get_attribute("data-correct") == "true"]
    wrong = [lab for lab in labels if lab.get_attribute("data-correct") != "true"]
    assert right, f"question {qid} has no correct answer"
    if wrong:
        wrong[0].scroll_into_view_if_needed()
        wrong[0].click()
        classes = _feedback_classes(feedback)
        assert "incorrect" in classes, f"question {qid}: a wrong answer gave {classes}"
        assert feedback.inner_text().strip(), f"question {qid}: empty feedback"
    right[0].scroll_into_view_if_needed()
    right[0].click()
    classes = _feedback_classes(feedback)
    assert "correct" in classes, f"question {qid}: the right answer gave {classes}"
    assert feedback.inner_text().strip(), f"question {qid}: empty feedback"


def _numeric_text(answer: dict) -> str:
    if "value" in answer:
        return str(answer["value"])
    low, high = answer["range"]
    return str(low)


def _check_numeric_question(wrapper, feedback, qid: str, field) -> None:
    answers = json.loads(field.get_attribute("data-answers") or "[]")
    right = [a for a in answers if a.get("correct") and ("value" in a or "range" in a)]
    assert right, f"question {qid}: no correct value in its data"
    wrong = [a for a in answers if not a.get("correct") and ("value" in a or "range" in a)]
    wrong_text = _numeric_text(wrong[0]) if wrong else "-987654.321"
    for text, expected in ((wrong_text, "incorrect"), (_numeric_text(right[0]), "correct")):
        field.scroll_into_view_if_needed()
        field.fill(text)
        field.press("Enter")
        classes = _feedback_classes(feedback)
        assert expected in classes, f"question {qid}: typing {text!r} gave {classes}"
        assert feedback.inner_text().strip(), f"question {qid}: empty feedback"


@pytest.mark.parametrize("page", QUIZ_PAGES)
def test_quiz_answers_give_feedback(offline_page, page):
    """Every jupyterquiz question: a right answer shows "correct", a wrong one "incorrect".

    Multiple/many-choice questions are clicked; numeric ones are typed (value from the question's
    own data) and submitted with Enter. jupyterquiz marks the feedback box with the class
    "correct" or "incorrect".
    """
    p = offline_page.goto(page)
    quizzes = p.query_selector_all("[data-shufflequestions]")
    assert quizzes, "page source has a quiz but none rendered"
    checked = 0
    for quiz in quizzes:
        wrappers = quiz.query_selector_all("div.Quiz")
        assert wrappers, "jupyterquiz rendered no question (was its script blocked?)"
        for wrapper in wrappers:
            qid = wrapper.get_attribute("id").removeprefix("quizWrap")
            feedback = wrapper.query_selector(f'[id="fb{qid}"]')
            assert feedback is not None, f"question {qid}: no feedback element"
            labels = wrapper.query_selector_all("label.MCButton")
            field = wrapper.query_selector("input.Input-text[data-answers]")
            if labels:
                _check_choice_question(wrapper, feedback, qid, labels)
            elif field is not None:
                _check_numeric_question(wrapper, feedback, qid, field)
            else:
                pytest.fail(f"question {qid}: a question type this test cannot answer")
            checked += 1
    assert checked, "no question found to answer"


@pytest.mark.skipif(not (SITE / "ja" / "search.html").is_file(),
                    reason="the Japanese edition is not built (make book builds it)")
def test_japanese_search_finds_a_word_inside_a_compound(offline_page):
    """Searching 勾配 on the Japanese site finds the pages about 勾配爆発 and 勾配消失: Sphinx's
    Japanese splitter cuts the compounds, in the index and in the query alike."""
    p = offline_page.goto("ja/search.html?q=" + "勾配")
    p.wait_for_selector("#search-results ul.search li a", timeout=30_000)
    hrefs = p.eval_on_selector_all("#search-results ul.search li a",
                                   "els => els.map(e => e.getAttribute('href'))")
    found = {h.split("?")[0].split("#")[0].removeprefix("./") for h in hrefs}
    assert "book/04_gradient_problems.html" in found, f"results for 勾配: {sorted(found)}"
    text = (SITE / "ja" / "book" / "04_gradient_problems.html").read_text(encoding="utf-8")
    assert "勾配爆発" in text, "the Japanese gradient chapter does not say 勾配爆発"
    assert not offline_page.page_errors, offline_page.page_errors
