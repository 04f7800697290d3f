"""Page weight of the website's chapter pages, with and without their kernel-free explorers.

Usage:  .venv/bin/python tools/page_weight.py [SITE]     (default: _build/html)
        .venv/bin/python tools/page_weight.py --json [SITE]

For each chapter page (``book/NN_*.html``) of a built site it reports, in kB (1000 bytes):

- ``html``: the page's HTML file as served (explorer figures included: their frames are
  data URIs inside it);
- ``explorers``: the bytes of its ``<figure data-lstmbook-explorer>`` elements (how many in
  brackets), i.e. what ``lstmbook.web`` put into the page;
- ``assets``: the explorer files it loads from ``_static`` (``lstmbook-explorers.js`` and
  ``.css``; shared by every explorer page and cached after the first);
- ``before``: html − explorers (the page as it would be without them), ``after``: html + assets,
  and ``added`` = after − before, against the aim of issue 12.6: at most 1 MB more per page.

Exit status 1 if a page adds more than the limit (``--limit-kb``, default 1000).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r"<figure\b[^>]*\bdata-lstmbook-explorer=.*?</figure>", re.S)
ASSET = re.compile(r'(?:src|href)="([^"]*_static/lstmbook-explorers\.(?:js|css))(?:\?[^"]*)?"')
CHAPTER = re.compile(r"book/\d\d_[\w-]+\.html")


def weigh(site: Path) -> list[dict]:
    rows = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if not CHAPTER.fullmatch(rel):
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        figures = FIGURE.findall(text)
        explorers = sum(len(f.encode("utf-8")) for f in figures)
        assets = {}
        for ref in sorted(set(ASSET.findall(text))):
            target = (path.parent / ref).resolve()
            assets[target.name] = target.stat().st_size if target.is_file() else 0
        asset_bytes = sum(assets.values())
        rows.append({"page": rel, "html": len(raw), "explorers": explorers,
                     "n_explorers": len(figures), "assets": asset_bytes,
                     "asset_files": assets, "before": len(raw) - explorers,
                     "after": len(raw) + asset_bytes, "added": explorers + asset_bytes})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", default=str(ROOT / "_build" / "html"))
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--limit-kb", type=float, default=1000.0,
                    help="most kB an explorer may add to a page (default 1000)")
    args = ap.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"no built site at {site} (build it first)", file=sys.stderr)
        return 2
    rows = weigh(site)
    if not rows:
        print(f"no chapter page (book/NN_*.html) in {site}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        kb = 1000.0
        print(f"{'page':36} {'html':>8} {'explorers':>13} {'assets':>7} {'before':>8} "
              f"{'after':>8} {'added':>8}   (kB)")
        for r in rows:
            print(f"{r['page']:36} {r['html'] / kb:8.1f} {r['explorers'] / kb:9.1f} "
                  f"[{r['n_explorers']}] {r['assets'] / kb:7.1f} {r['before'] / kb:8.1f} "
                  f"{r['after'] / kb:8.1f} {r['added'] / kb:8.1f}")
        total = sum(r["added"] for r in rows)
        print(f"{'all chapter pages':36} added {total / kb:.1f} kB over {len(rows)} pages; "
              f"largest {max(r['added'] for r in rows) / kb:.1f} kB")
    over = [r["page"] for r in rows if r["added"] > args.limit_kb * 1000]
    if over:
        print(f"over the {args.limit_kb:g} kB limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
