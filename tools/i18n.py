"""The Japanese edition's gettext machinery: one place for every step the Makefile and tests run.

The English text lives once, in the notebooks and markdown files of book/. Sphinx's gettext
builder extracts every translatable string of it (markdown cells, headings, captions,
admonitions, table cells; not code or outputs) into templates; `sphinx-intl` keeps one catalogue
per page in ``locales/ja/LC_MESSAGES/book/<page>.po``; the Japanese site is the same book built
with ``language: ja``, reading those catalogues. Text that gettext cannot reach (quizzes, grader
messages, figure and explorer labels, printed prose) goes through the package by language
(``LSTMBOOK_LANG=ja``, :mod:`lstmbook.i18n`).

Commands (``python tools/i18n.py ...``):

config LANG [--no-execute]
    Write ``_build/config/_config.LANG.yml``: ``_config.yml`` with the language, the catalogues'
    folder and per-page catalogues (``gettext_compact: false``) set. Jupyter Book resolves
    ``local_extensions`` against the config file's folder, so that path is made absolute; the
    CLI cannot pass ``-D``, hence a generated file rather than a second hand-kept copy.
    ``--no-execute`` turns execution off (extraction reads only markdown).
extract
    Build the message templates into ``_build/gettext`` (execution off: a few seconds).
update [PAGE ...]
    extract, then ``sphinx-intl update``: new strings enter the catalogues untranslated,
    changed ones fuzzy, removed ones obsolete (``#~``); only the PAGEs given, if any.
lint [PAGE]
    Translated entries whose roles, maths, inline code or link targets differ from the English.
status
    Per catalogue: translated, untranslated, fuzzy and obsolete entries, and whether it is in
    step with a fresh extraction. Exit 1 when any entry is untranslated or fuzzy, or a catalogue
    is out of date (what tests/unit/test_i18n.py checks).
output-record [NOTEBOOK ...]
    Run the chapters (default: every one) with ``LSTMBOOK_LANG=ja``, two at a time, and record
    every figure text, printed line and explorer text they look up in the package's message
    catalogue (:mod:`lstmbook.messages`) into ``_build/i18n/<stem>.jsonl``. The notebooks are
    not rewritten.
output-update [NOTEBOOK ...]
    output-record, then bring ``lstmbook/locale/ja/<stem>.po`` in step: a text new to the
    chapters enters untranslated (with an example of it as shown), a text no chapter shows any
    more is dropped (reported), translations are kept. A text belongs to the first chapter, in
    book order, that shows it.
output-status
    Per catalogue of the package: entries translated and untranslated (exit 1 on any
    untranslated entry). The strict build checks the rest: a text without a translation stops
    its chapter (``LSTMBOOK_I18N_STRICT=1``), and an entry no chapter used fails the build.
build LANG
    Build the site in LANG into ``_build/LANG/_build/html`` and copy it to
    ``_build/html/LANG`` (``make book`` builds the English site, then this; ``make test`` runs
    the two strict builds side by side).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import nbformat
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import blas_environment  # a sibling script

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
GETTEXT = ROOT / "_build" / "gettext"
CONFIG_DIR = ROOT / "_build" / "config"
LANGUAGES = ("ja",)  #: the editions besides English
#: The site's title in each edition (a config value: gettext does not reach it).
TITLES = {"ja": "lstmbook：リカレントネットワークとLSTM、数式から組み立てる"}


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def write_config(lang: str, *, execute: bool = True) -> Path:
    """``_config.yml`` with ``lang`` set; returns the path of the generated file."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = cfg.setdefault("sphinx", {})
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {k: str((ROOT / v).resolve()) for k, v in local.items()}
    conf = sphinx.setdefault("config", {})
    conf["language"] = lang
    if lang in TITLES:
        cfg["title"] = TITLES[lang]
    conf["locale_dirs"] = [str(LOCALES)]
    conf["gettext_compact"] = False
    conf["gettext_uuid"] = False
    conf["gettext_location"] = False  # no line numbers: a catalogue changes only with its text
    if not execute:
        cfg.setdefault("execute", {})["execute_notebooks"] = "off"
    CONFIG_DIR.mkdir(parents=True, exist_ok=True)
    out = CONFIG_DIR / f"_config.{lang}{'' if execute else '.noexec'}.yml"
    out.write_text("# generated by tools/i18n.py from _config.yml: do not edit\n"
                   + yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def extract(dest: Path = GETTEXT) -> Path:
    """Message templates (.pot) of every page into ``dest`` (a fresh folder each time)."""
    cfg = write_config("en", execute=False)
    work = dest.parent / (dest.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    cmd = [_bin("jupyter-book"), "build", str(ROOT), "--all", "--builder", "custom",
           "--custom-builder", "gettext", "--config", str(cfg), "--path-output", str(work)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        raise SystemExit(f"tools/i18n.py: the gettext build failed ({' '.join(cmd)})")
    shutil.move(str(work / "_build" / "gettext"), str(dest))
    shutil.rmtree(work, ignore_errors=True)
    return dest


def update(pages=None) -> None:
    """Bring the catalogues in step with the English (only ``pages``, e.g. ``book/03_bptt``,
    when given: the others are left as they are)."""
    pot = extract()
    if pages:
        chosen = pot.parent / (pot.name + ".chosen")
        shutil.rmtree(chosen, ignore_errors=True)
        for page in pages:
            src = pot / f"{page}.pot"
            if not src.is_file():
                raise SystemExit(f"tools/i18n.py: no page {page!r} (no {src})")
            (chosen / page).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, chosen / f"{page}.pot")
        pot = chosen
    for lang in LANGUAGES:
        subprocess.run([_bin("sphinx-intl"), "update", "-p", str(pot), "-l", lang,
                        "-d", str(LOCALES), "-w", "0"], cwd=ROOT, check=True)
        _drop_copies_from_obsolete(LOCALES / lang / "LC_MESSAGES")


def _drop_copies_from_obsolete(base: Path) -> None:
    """Obsolete entries (``#~``) that held no translation of their own (empty, or the English
    copied: code, maths) are dropped; the others stay for the translator to reuse, and
    ``status`` reports them until then."""
    for path in base.rglob("*.po"):
        cat = _entries(path)
        drop = [k for k, m in cat.obsolete.items() if not m.string or m.string == m.id]
        if drop:
            for k in drop:
                del cat.obsolete[k]
            with path.open("wb") as fh:
                write_po(fh, cat, width=0)


def _entries(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def status(pot: Path | None = None) -> list[str]:
    """Problems with the catalogues (empty when every one is complete and in step)."""
    pot = pot or extract()
    problems = []
    templates = {p.relative_to(pot).with_suffix(""): p for p in pot.rglob("*.pot")}
    for lang in LANGUAGES:
        base = LOCALES / lang / "LC_MESSAGES"
        catalogues = {p.relative_to(base).with_suffix(""): p for p in base.rglob("*.po")}
        for page in sorted(set(templates) - set(catalogues)):
            problems.append(f"{lang}/{page}.po is missing (run: python tools/i18n.py update)")
        for page in sorted(set(catalogues) - set(templates)):
            problems.append(f"{lang}/{page}.po has no page in the book any more")
        for page in sorted(set(templates) & set(catalogues)):
            want = {m.id for m in _entries(templates[page]) if m.id}
            cat = _entries(catalogues[page])
            have = {m.id for m in cat if m.id}
            new, gone = want - have, have - want
            if new or gone:
                problems.append(f"{lang}/{page}.po is out of step with the English text: "
                                f"{len(new)} new and {len(gone)} removed strings (run: python "
                                f"tools/i18n.py update, then translate)")
            untranslated = [m.id for m in cat if m.id and not m.string]
            fuzzy = [m.id for m in cat if m.id and m.fuzzy]
            if untranslated:
                problems.append(f"{lang}/{page}.po: {len(untranslated)} untranslated, e.g. "
                                f"{untranslated[0][:70]!r}")
            if fuzzy:
                problems.append(f"{lang}/{page}.po: {len(fuzzy)} fuzzy, e.g. {fuzzy[0][:70]!r}")
            if cat.obsolete:
                problems.append(f"{lang}/{page}.po: {len(cat.obsolete)} obsolete entries "
                                f"(#~) left over")
    return problems


_ROLE = re.compile(r"(?<![\w\\])\{[A-Za-z][\w:.-]*\}`[^`]*`")  # not x_{t-1}` in code
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
_CODE = re.compile(r"``[^`]+``|`[^`]+`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def markup(text: str) -> Counter:
    """What a translation must carry over unchanged: MyST roles ({glue:text}`x`, {cite}`k`,
    {numref}`fig`, ...), maths ($...$, $$...$$), inline code and link targets."""
    found: Counter = Counter()
    rest = text
    for rx, kind in ((_ROLE, "role"), (_MATH, "math"), (_CODE, "code")):
        found.update((kind, m) for m in rx.findall(rest))
        rest = rx.sub(" ", rest)
    found.update(("link", m) for m in _LINK.findall(rest))
    return found


def markup_problems(page: str | None = None, lang: str = "ja") -> list[str]:
    """Translated entries whose markup differs from the English (a role, a formula, a code span
    or a link target lost, changed or added)."""
    base = LOCALES / lang / "LC_MESSAGES"
    paths = [base / f"{page}.po"] if page else sorted(base.rglob("*.po"))
    problems = []
    for path in paths:
        for m in _entries(path):
            if not m.id or not m.string:
                continue
            want, have = markup(m.id), markup(m.string)
            if want != have:
                lost = sorted(f"{k} {v}" for k, v in (want - have).elements())
                added = sorted(f"{k} {v}" for k, v in (have - want).elements())
                problems.append(f"{path.relative_to(base)}: {m.id[:60]!r}: lost {lost[:3]}, "
                                f"added {added[:3]}")
    return problems


def build(lang: str, *, strict: bool = False) -> Path:
    """The site in ``lang``. ``strict``: Sphinx warnings are errors, a figure, printed or
    explorer text without a translation stops its chapter (so the build fails), and so does an
    entry of the package's catalogue that no chapter used."""
    cfg = write_config(lang)
    out = ROOT / "_build" / lang
    cmd = [_bin("jupyter-book"), "build", str(ROOT), "--all", "--config", str(cfg),
           "--path-output", str(out)]
    cmd += ["-n", "-W", "--keep-going"] if strict else ["--keep-going"]
    env = dict(os.environ, LSTMBOOK_LANG=lang)
    used = out / "messages-used.jsonl"
    if strict:
        out.mkdir(parents=True, exist_ok=True)
        used.write_text("", encoding="utf-8")
        env.update(LSTMBOOK_I18N_STRICT="1", LSTMBOOK_I18N_USED=str(used))
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    if strict:
        unused = unused_messages(lang, used)
        if unused:
            raise SystemExit(f"tools/i18n.py: {len(unused)} entries of lstmbook/locale/{lang} "
                             "were used by no chapter (run: python tools/i18n.py output-update):"
                             "\n  " + "\n  ".join(repr(k) for k in unused[:20]))
    dest = ROOT / "_build" / "html" / lang  # the English build never deletes this folder
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(out / "_build" / "html", dest)
    return dest


# --- the package's catalogue: figure, printed and explorer text (lstmbook.messages) ---
RECORDS = ROOT / "_build" / "i18n"
#: the header dates of the package's catalogues: fixed, so a catalogue changes only with its text
_STABLE_DATE = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
PACKAGE_LOCALE = ROOT / "lstmbook" / "locale"


def _chapters(notebooks=None) -> list[Path]:
    paths = [Path(n).resolve() for n in notebooks] if notebooks else \
        sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"tools/i18n.py: no notebook {missing}")
    return paths


def _record_one(path: Path, lang: str) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def output_record(notebooks=None, lang: str = "ja", workers: int = 2) -> list[Path]:
    """Run the chapters in ``lang`` and record what they look up (see the module's docstring);
    returns the record files, in book order."""
    paths = _chapters(notebooks)
    RECORDS.mkdir(parents=True, exist_ok=True)
    jobs, done, outs = list(paths), [], []
    running: list[tuple[Path, subprocess.Popen]] = []
    while jobs or running:
        while jobs and len(running) < workers:
            path = jobs.pop(0)
            rec = RECORDS / f"{path.stem}.jsonl"
            rec.write_text("", encoding="utf-8")
            env = dict(os.environ, **blas_environment(), LSTMBOOK_LANG=lang,
                       LSTMBOOK_I18N_RECORD=str(rec), LSTMBOOK_I18N_CHAPTER=path.stem)
            env.pop("LSTMBOOK_I18N_STRICT", None)
            env.pop("LSTMBOOK_I18N_USED", None)
            proc = subprocess.Popen([sys.executable, __file__, "_record-one", str(path), lang],
                                    cwd=ROOT, env=env)
            running.append((path, proc))
            outs.append(rec)
            time.sleep(5)  # kernels started in the same instant have been seen to hang
        for path, proc in list(running):
            if proc.poll() is not None:
                running.remove((path, proc))
                if proc.returncode != 0:
                    raise SystemExit(f"tools/i18n.py: {path.name} failed while recording")
                done.append(path)
                print(f"recorded {path.stem}", flush=True)
        time.sleep(0.2)
    return sorted(outs)


def _package_catalogues(lang: str) -> dict[str, dict]:
    """``stem -> {msgid: babel Message}`` of ``lstmbook/locale/<lang>``."""
    out = {}
    for path in sorted((PACKAGE_LOCALE / lang).glob("*.po")):
        out[path.stem] = {m.id: m for m in _entries(path) if m.id}
    return out


def output_update(notebooks=None, lang: str = "ja", *, run: bool = True) -> dict:
    """Record (``run``; else read the records of the last run), then write the chapters'
    catalogues (see the module's docstring). Returns ``{"new": n, "kept": n, "dropped":
    [keys]}``."""
    if run:
        records = output_record(notebooks, lang)
    else:
        records = [RECORDS / f"{p.stem}.jsonl" for p in _chapters(notebooks)]
        records = [r for r in records if r.is_file()]
    old = _package_catalogues(lang)
    known = {k: m for cat in old.values() for k, m in cat.items()}
    recorded = {}  # stem -> {key: example}, in book order
    for rec in records:
        entries = recorded.setdefault(rec.stem, {})
        for line in rec.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            entries.setdefault(r["key"], r["example"])
    # keys that chapters not run now still own stay theirs
    owner = {k: stem for stem, cat in old.items() if stem not in recorded for k in cat}
    new = kept = 0
    shown = set()
    for stem in sorted(recorded):
        cat = Catalog(locale=lang, project="lstmbook", version=None, fuzzy=False,
                      header_comment=f"# {lang} text of chapter {stem}'s figures, printed lines "
                                     "and explorers (lstmbook.messages).\n# Kept in step by: "
                                     "python tools/i18n.py output-update",
                      creation_date=_STABLE_DATE, revision_date=_STABLE_DATE,
                      last_translator="lstmbook", language_team="lstmbook")
        for k, example in recorded[stem].items():
            if k in owner or k in shown:
                continue
            shown.add(k)
            m = known.get(k)
            cat.add(k, m.string if m else "", auto_comments=[] if example == k else
                    [f"e.g. {example}"], flags=("fuzzy",) if m and m.fuzzy else ())
            kept, new = (kept + 1, new) if m and m.string else (kept, new + 1)
        (PACKAGE_LOCALE / lang).mkdir(parents=True, exist_ok=True)
        with (PACKAGE_LOCALE / lang / f"{stem}.po").open("wb") as fh:
            write_po(fh, cat, width=0, omit_header=False)
    dropped = sorted(k for stem, cat in old.items() if stem in recorded
                     for k in cat if k not in shown and k not in owner)
    return {"new": new, "kept": kept, "dropped": dropped}


def output_status(lang: str = "ja") -> list[str]:
    problems = []
    for stem, cat in _package_catalogues(lang).items():
        todo = [k for k, m in cat.items() if not m.string or m.fuzzy]
        if todo:
            problems.append(f"lstmbook/locale/{lang}/{stem}.po: {len(todo)} of {len(cat)} "
                            f"untranslated or fuzzy, e.g. {todo[0]!r}")
    return problems


def unused_messages(lang: str, used: Path) -> list[str]:
    """Keys of ``lstmbook/locale/<lang>`` that the run which wrote ``used`` never looked up."""
    seen = {json.loads(line)["key"] for line in used.read_text(encoding="utf-8").splitlines()}
    return sorted(k for cat in _package_catalogues(lang).values() for k in cat if k not in seen)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("config")
    c.add_argument("lang")
    c.add_argument("--no-execute", action="store_true")
    sub.add_parser("extract")
    up = sub.add_parser("update")
    up.add_argument("pages", nargs="*", help="only these pages, e.g. book/03_bptt")
    sub.add_parser("status")
    lint = sub.add_parser("lint", help="translations whose roles, maths, code or links differ")
    lint.add_argument("page", nargs="?", help="e.g. book/03_bptt (default: every catalogue)")
    rec = sub.add_parser("output-record")
    rec.add_argument("notebooks", nargs="*")
    upd = sub.add_parser("output-update")
    upd.add_argument("notebooks", nargs="*")
    upd.add_argument("--no-run", action="store_true",
                     help="use the records of the last output-record run")
    sub.add_parser("output-status")
    one = sub.add_parser("_record-one")
    one.add_argument("notebook")
    one.add_argument("lang")
    b = sub.add_parser("build")
    b.add_argument("lang", choices=LANGUAGES)
    b.add_argument("--strict", action="store_true", help="warnings are errors (-n -W)")
    args = ap.parse_args(argv)
    if args.cmd == "config":
        print(write_config(args.lang, execute=not args.no_execute))
    elif args.cmd == "extract":
        print(extract())
    elif args.cmd == "update":
        update(args.pages)
    elif args.cmd == "status":
        problems = status()
        print("\n".join(problems) or "every catalogue is complete and in step")
        return 1 if problems else 0
    elif args.cmd == "lint":
        problems = markup_problems(args.page)
        print("\n".join(problems) or "markup carried over in every translated entry")
        return 1 if problems else 0
    elif args.cmd == "output-record":
        print("\n".join(map(str, output_record(args.notebooks))))
    elif args.cmd == "output-update":
        r = output_update(args.notebooks, run=not args.no_run)
        print(f"{r['new']} new (untranslated), {r['kept']} kept, {len(r['dropped'])} dropped"
              + "".join(f"\n  dropped: {k!r}" for k in r["dropped"]))
    elif args.cmd == "output-status":
        problems = output_status()
        print("\n".join(problems) or "every entry of the package's catalogues is translated")
        return 1 if problems else 0
    elif args.cmd == "_record-one":
        _record_one(Path(args.notebook), args.lang)
    elif args.cmd == "build":
        print(build(args.lang, strict=args.strict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
