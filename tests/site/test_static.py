"""Checks of the built HTML itself (no browser): links, images, launch buttons, offline assets."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from site_helpers import (
    EDITIONS,
    ROOT,
    SITE,
    chapter_pages,
    site_missing_reason,
    site_pages,
    split_edition,
)

pytestmark = pytest.mark.skipif(
    site_missing_reason() is not None, reason=str(site_missing_reason())
)

PAGES = site_pages()
CHAPTERS = chapter_pages()
EXTERNAL = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:")
CONFIG = (
    yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if (ROOT / "_config.yml").is_file()
    else {}
)
TOC = (
    yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    if (ROOT / "_toc.yml").is_file()
    else {}
)


def soup_of(rel: str) -> BeautifulSoup:
    return BeautifulSoup((SITE / rel).read_text(encoding="utf-8"), "html.parser")


def ids_of(path: Path, _cache: dict = {}) -> set[str]:  # noqa: B006 - deliberate memo
    if path not in _cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        _cache[path] = {el["id"] for el in soup.find_all(id=True)} | {
            el["name"] for el in soup.find_all("a", attrs={"name": True})
        }
    return _cache[path]


def toc_files(node=TOC) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                files.append(node[key])
        for value in node.values():
            if isinstance(value, list | dict):
                files.extend(toc_files(value))
    elif isinstance(node, list):
        for item in node:
            files.extend(toc_files(item))
    return files


@pytest.mark.parametrize("edition", ("", *(f"{e}/" for e in EDITIONS)))
def test_site_has_pages(edition):
    assert f"{edition}book/intro.html" in PAGES, f"landing page missing; built pages: {PAGES}"
    index = (SITE / edition / "index.html").read_text(encoding="utf-8")
    target = re.search(r'url=([^"\']+)', index)
    assert target and (SITE / edition / target.group(1)).is_file(), (
        f"{edition}index.html must redirect to a built page")


def test_only_book_sources_are_built():
    """Nothing from .venv/, tests/, lstmbook/, benchmarks/ or README files is built."""
    inner = [split_edition(p)[1] for p in PAGES]
    stray = [p for p in inner if not (p.startswith("book/") or p in {"search.html",
                                                                       "genindex.html"})]
    assert not stray, f"pages built from outside book/: {stray}"


@pytest.mark.parametrize("edition", ("", *(f"{e}/" for e in EDITIONS)))
def test_every_toc_entry_is_built(edition):
    missing = [f for f in toc_files()
               if not (SITE / edition / f"{Path(f).with_suffix('')}.html").is_file()]
    assert not missing, f"_toc.yml entries without a built page in {edition or 'en/'}: {missing}"


@pytest.mark.parametrize("page", [p for p in PAGES if split_edition(p)[1].startswith("book/")])
def test_every_page_links_to_its_counterpart_in_the_other_language(page):
    lang, inner = split_edition(page)
    soup = soup_of(page)
    assert soup.html.get("lang") == lang, f"{page}: <html lang> is {soup.html.get('lang')!r}"
    links = soup.select("nav.lstmbook-lang a[hreflang]")
    assert links, f"{page}: no link to the other edition"
    for a in links:
        other = a["hreflang"]
        target = ((SITE / page).parent / a["href"]).resolve()
        want = SITE / (inner if other == "en" else f"{other}/{inner}")
        assert target == want.resolve(), f"{page}: {a['href']!r} is not the {other} page {want}"
        assert target.is_file(), f"{page}: the {other} page {want} was not built"


def test_every_chapter_notebook_is_in_the_toc():
    """only_build_toc_files hides a notebook missing from _toc.yml: tested, never published."""
    listed = {str(Path(f).with_suffix("")) for f in toc_files()}
    orphans = [
        p.name for p in sorted((ROOT / "book").glob("*.ipynb")) if f"book/{p.stem}" not in listed
    ]
    assert not orphans, f"notebooks not listed in _toc.yml: {orphans}"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_and_assets_resolve(page):
    soup = soup_of(page)
    here = (SITE / page).parent
    broken = []
    for tag, attr in (
        ("a", "href"),
        ("img", "src"),
        ("link", "href"),
        ("script", "src"),
        ("source", "src"),
    ):
        for el in soup.find_all(tag, attrs={attr: True}):
            url = el[attr].strip()
            if not url or url.startswith(EXTERNAL) or url.startswith("//"):
                continue
            parts = urlsplit(url)
            target = (SITE / page) if not parts.path else (here / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if SITE not in target.parents and target != SITE:
                broken.append(f"<{tag} {attr}={url!r}> points outside the site")
            elif not target.is_file():
                broken.append(f"<{tag} {attr}={url!r}>: {target.relative_to(SITE)} does not exist")
            elif tag == "a" and parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in ids_of(target):
                    broken.append(
                        f"<a href={url!r}>: no id {parts.fragment!r} in {target.relative_to(SITE)}"
                    )
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("page", PAGES)
def test_images_have_alt_text(page):
    missing = [
        img.get("src", "?")
        for img in soup_of(page).find_all("img")
        if not img.get("alt", "").strip()
    ]
    assert not missing, f"<img> without alt text: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_scripts_and_styles_are_served_by_the_site(page):
    """An offline reader gets every script and stylesheet (MathJax included) from the site."""
    soup = soup_of(page)
    remote = [
        s["src"] for s in soup.find_all("script", src=True) if s["src"].startswith(("http", "//"))
    ]
    remote += [
        link["href"]
        for link in soup.find_all("link", href=True)
        if "stylesheet" in (link.get("rel") or []) and link["href"].startswith(("http", "//"))
    ]
    assert not remote, f"assets loaded from other hosts: {remote}"
    if soup.select(".math"):
        local_mathjax = [
            s["src"] for s in soup.find_all("script", src=True) if "mathjax" in s["src"].lower()
        ]
        assert local_mathjax, "page has math but loads no MathJax"


def expected_launch_urls(page: str) -> dict[str, str]:
    repo = CONFIG["repository"]["url"].rstrip("/")
    org_repo = repo.split("github.com/")[1]
    branch = CONFIG["repository"].get("branch", "main")
    path_to_book = (CONFIG["repository"].get("path_to_book") or "").strip("/")
    inner = split_edition(page)[1]  # the Japanese pages launch the same notebooks
    nb_path = "/".join(p for p in (path_to_book, str(Path(inner).with_suffix(".ipynb"))) if p)
    buttons = CONFIG["launch_buttons"]
    ui = "lab/tree" if buttons.get("notebook_interface") == "jupyterlab" else "tree"
    return {
        "binder": f"{buttons['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}"
        f"?urlpath={ui}/{nb_path}",
        "colab": f"{buttons['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{nb_path}",
    }


def test_launch_buttons_configured():
    buttons = CONFIG.get("launch_buttons", {})
    assert buttons.get("binderhub_url") == "https://mybinder.org"
    assert buttons.get("colab_url") == "https://colab.research.google.com"
    assert CONFIG["repository"]["url"] == "https://github.com/lstmbook/lstmbook"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_binder_and_colab_buttons(page):
    hrefs = {a["href"] for a in soup_of(page).find_all("a", href=True)}
    for name, url in expected_launch_urls(page).items():
        assert url in hrefs, f"{name} launch button {url!r} missing; launch links: " + str(
            sorted(h for h in hrefs if "binder" in h or "colab" in h)
        )
    nb = ROOT / Path(split_edition(page)[1]).with_suffix(".ipynb")
    assert nb.is_file(), (
        f"launch buttons point at {nb.relative_to(ROOT)}, which is not in the repository"
    )
