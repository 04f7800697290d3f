"""Small Sphinx fixes for the lstmbook website (loaded by _config.yml, sphinx.local_extensions).

Duplicate inline scripts (``Identifier 'THEBE_JS_URL' has already been declared``)
-----------------------------------------------------------------------------------
sphinx-thebe adds its configuration as an inline script, ``app.add_js_file(None, body=...)``,
from an ``env-before-read-docs`` handler, i.e. after the HTML builder was initialised. Sphinx 7.4
then stores the script twice: once in the builder as ``_JavaScript(None, body=...)`` and once in
the registry, which ``StandaloneHTMLBuilder.prepare_writing`` re-adds as ``_JavaScript('', ...)``.
``None != ''``, so Sphinx's own de-duplication misses it, every page carries two
``<script>const THEBE_JS_URL = ...</script>`` blocks and the second throws a SyntaxError in the
browser console. We drop the second copy of any script whose filename and attributes repeat an
earlier one (treating ``None`` and ``''`` as the same inline script), once per page.

MathJax ready before a jupyterquiz quiz asks for it
---------------------------------------------------
jupyterquiz's inline script checks ``typeof MathJax`` and 500 ms later reads ``MathJax.version[0]``.
Sphinx loads MathJax 3 with ``defer``, and before it arrives ``window.MathJax`` is only the config
object: when the page is slow (a busy machine, a slow connection) the quiz throws
``TypeError: Cannot read properties of undefined (reading '0')``, and if ``version`` were set but
``typeset`` not yet, it would replace the config and fetch MathJax from a CDN. On pages with a
quiz we therefore load MathJax without ``defer`` (it is in the page head, so it is ready before the
quiz's script runs), and on a quiz page without any equation of its own (where Sphinx adds no
MathJax at all) we add it, so maths inside quiz questions is typeset too.

Bibliography entries that screen readers can read as a list
-------------------------------------------------------------
docutils writes a citation list as ``<div role="list" class="citation-list">`` holding
``<div class="citation" role="doc-biblioentry">`` entries. ``doc-biblioentry`` is deprecated in
WAI-ARIA (DPUB 1.1) and is not a ``listitem``, so the list has no items for assistive technology
(axe-core: critical ``aria-required-children``). We give the entries ``role="listitem"``.

Kernel-free explorers, and no frozen widget state
-------------------------------------------------
A page with an explorer built by ``lstmbook.web`` (a ``<figure data-lstmbook-explorer>``) gets
``lstmbook-explorers.js`` (deferred) and ``lstmbook-explorers.css``; other pages load neither
(every file in ``html_js_files`` would load on every page). myst-nb embeds the widget state the
executed notebook recorded (``application/vnd.jupyter.widget-state+json``, up to 160 kB a
page) for the ipywidgets HTML manager, which this site does not load (``nb_ipywidgets_js: {}``)
and whose live widgets' outputs the chapters remove (``remove-output``): dead weight, dropped.

The other edition of each page
------------------------------
The English site is ``_build/html``; the Japanese edition, built from the same sources with
``language: ja`` (``tools/i18n.py``), is ``_build/html/ja``. Every page of either starts with a
link to the same page in the other language (and names it in the head as ``rel="alternate"
hreflang``), so a reader can switch at any point of the book. The part captions of the
navigation come from ``_toc.yml`` through sphinx-external-toc, which inserts its toctrees after
Sphinx has translated the page: they are translated here, from the same catalogue.

Maths and code listings are not messages
----------------------------------------
Sphinx's gettext builder extracts every text element it is not told to ignore, math blocks
included: the display equations and the package source a chapter shows (``show(obj)``, whose
LaTeX form myst-nb renders as a math block). Neither has words to translate, and with them in the
catalogues every edit of a function the book shows would leave the Japanese edition out of step.
They are marked untranslatable before extraction.

Glued numbers in translated paragraphs
--------------------------------------
myst-nb resolves a ``{glue:text}`` role from the notebook being parsed (its ``nb_renderer``,
stored on the document). Sphinx's translation step parses each translated paragraph as a small
document of its own, which has no notebook, so every glued number of a translated page failed
("No key ... found in glue data for this document"). The English paragraph with the same roles
(``tools/i18n.py lint`` checks they are the same) is parsed first, so each value it retrieves
is remembered per page and served to the translation.
"""

from __future__ import annotations

import json
import os
import posixpath
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import init as locale_init
from sphinx.util.i18n import docname_to_domain

QUIZ_MARKER = "data-shufflequestions"  # attribute of jupyterquiz's container <div>
EXPLORER_MARKER = "data-lstmbook-explorer"  # attribute of lstmbook.web's <figure>
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _script_key(js: Any) -> tuple:
    filename = getattr(js, "filename", js) or ""
    attributes = getattr(js, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _without_defer(js: Any) -> Any:
    attributes = {k: v for k, v in js.attributes.items() if k not in ("defer", "async")}
    return type(js)(js.filename, priority=js.priority, **attributes)


def mathjax_before_quizzes(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is None or QUIZ_MARKER not in (context.get("body") or ""):
        return
    mathjax_path = app.config.mathjax_path
    if not mathjax_path or getattr(app.builder, "math_renderer_name", None) != "mathjax":
        return
    # The builder stores a local path as "_static/<path>".
    names = {mathjax_path, posixpath.join("_static", mathjax_path)}
    found = False
    for i, js in enumerate(scripts):
        if getattr(js, "filename", None) in names:
            scripts[i] = _without_defer(js)
            found = True
    if not found:  # a quiz page with no equation of its own: Sphinx added no MathJax
        if app.config.mathjax3_config:
            body = "window.MathJax = " + json.dumps(app.config.mathjax3_config)
            app.builder.add_js_file("", body=body)
        app.builder.add_js_file(mathjax_path)


def explorer_assets(app, pagename, templatename, context, doctree) -> None:
    if EXPLORER_MARKER in (context.get("body") or ""):
        app.builder.add_css_file("lstmbook-explorers.css")
        app.builder.add_js_file("lstmbook-explorers.js", defer="defer")


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for js in scripts:
        key = _script_key(js)
        if key in seen or (getattr(js, "attributes", None) or {}).get("type") == WIDGET_STATE:
            continue
        seen.add(key)
        unique.append(js)
    if len(unique) != len(scripts):
        context["script_files"] = unique


def fix_citation_roles(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


#: language -> (the link's text in that language, the edition's folder under the English site)
EDITIONS = {"en": ("English", ""), "ja": ("日本語", "ja/")}
_LANG_NAV = {"en": "Language", "ja": "言語"}


def counterpart_link(app, pagename, templatename, context, doctree) -> None:
    if doctree is None:  # search, genindex: template pages without a body of their own
        return
    lang = app.config.language or "en"
    if lang not in EDITIONS:
        return
    to_root = "../" * pagename.count("/") + ("../" if EDITIONS[lang][1] else "")
    for other, (label, folder) in EDITIONS.items():
        if other == lang:
            continue
        href = f"{to_root}{folder}{pagename}.html"
        context["metatags"] = (context.get("metatags") or "") + (
            f'\n<link rel="alternate" hreflang="{other}" href="{href}" />')
        context["body"] = (
            f'<nav class="lstmbook-lang" aria-label="{_LANG_NAV[lang]}"><a href="{href}" '
            f'hreflang="{other}" lang="{other}">{label}</a></nav>\n' + (context.get("body") or ""))


def translate_toc_captions(app, doctree) -> None:
    lang = app.config.language
    if not lang or lang == "en":
        return
    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    dirs = [os.path.join(app.srcdir, d) for d in app.config.locale_dirs]
    catalog, _ = locale_init(dirs, lang, domain)
    for node in doctree.findall(addnodes.toctree):
        if node.get("caption"):
            node["caption"] = catalog.gettext(node["caption"])


def maths_are_not_messages(app, doctree) -> None:
    for node in doctree.findall(nodes.math_block):
        node["translatable"] = False


def remember_glue_for_translations() -> None:
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue import directives, roles, utils

    original = utils.retrieve_glue_data
    if getattr(original, "lstmbook_remembers", False):
        return
    seen: dict[tuple[str, str], Any] = {}

    def retrieve_glue_data(document, key):
        env = getattr(document.settings, "env", None)
        where = (getattr(env, "docname", ""), key)
        try:
            result = original(document, key)
        except RetrievalError:
            if where in seen:  # a translated paragraph of the page that glued it
                return seen[where]
            raise
        seen[where] = result
        return result

    retrieve_glue_data.lstmbook_remembers = True
    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data


def setup(app):
    # Late priority: run after every extension that adds page-specific scripts.
    app.connect("html-page-context", mathjax_before_quizzes, priority=890)
    app.connect("html-page-context", explorer_assets, priority=890)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", fix_citation_roles, priority=900)
    app.connect("html-page-context", counterpart_link, priority=900)
    app.connect("doctree-read", translate_toc_captions)
    app.connect("doctree-read", maths_are_not_messages)
    remember_glue_for_translations()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
