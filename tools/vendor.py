"""The browser files the course site and the slides serve themselves, copied from the
npm packages that package.json pins (``npm ci`` installs them into node_modules/).

Nothing a built page needs comes from a CDN: MathJax typesets the formulas, require.js
and the widgets' HTML manager render the stored widget state (finished progress bars,
an explorer's last frame), reveal.js runs the slides. Each is copied with only the
files a page loads, so a built site or deck works offline, from a file:// URL too.

    python tools/vendor.py DEST [--reveal]   # copy them into DEST (a test helper)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"

# (package, what to copy from it: paths inside the package, files or folders)
MATHJAX = (
    "mathjax",
    [
        "es5/tex-chtml.js",  # TeX input, HTML output: the only formulas the course has
        "es5/input/tex/extensions",  # loaded on demand by the TeX autoload extension
        "es5/output/chtml/fonts/woff-v2",
        "es5/ui",  # the right-click menu
        "es5/a11y",  # the menu's accessibility options
        "es5/sre",  # ... and the speech rule engine they load
        "es5/adaptors",
        "LICENSE",
    ],
)
REQUIREJS = ("requirejs", ["require.js", "package.json"])
# the manager (for require.js) and the fonts its bundled CSS (Font Awesome) asks for,
# beside it
WIDGETS = (
    "@jupyter-widgets/html-manager",
    [
        "dist/embed-amd.js",
        "dist/*.woff2",
        "dist/*.woff",
        "dist/*.ttf",
        "dist/*.eot",
        "dist/*.svg",
        "package.json",
    ],
)
REVEAL = (
    "reveal.js",
    [
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/reset.css",
        # the one theme the decks use and its fonts (other themes import web fonts)
        "dist/theme/white.css",
        "dist/theme/fonts/source-sans-pro",
        "plugin/notes",  # the speaker view: a lecture's long prose is its notes
        "LICENSE",
    ],
)
ASSETS = [MATHJAX, REQUIREJS, WIDGETS]
SKIP_SUFFIXES = (".map", ".LICENSE.txt")  # source maps: large and never loaded


class MissingNodeModules(RuntimeError):
    """node_modules/ lacks a package: run `npm ci` (the Makefile's targets do)."""


def version(package: str) -> str:
    """The installed version of an npm package, failing plainly when it is missing."""
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        raise MissingNodeModules(
            f"{manifest.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} "
            "(Node 18 or newer; `make site` and `make slides` run it)"
        )
    return json.loads(manifest.read_text("utf-8"))["version"]


def pinned(package: str) -> str:
    """The version package.json pins (an exact version, never a range)."""
    pins = json.loads((ROOT / "package.json").read_text("utf-8"))["dependencies"]
    return pins[package]


def copy(package: str, paths: list[str], dest: Path) -> Path:
    """Copy ``paths`` (glob patterns) of an installed npm ``package`` into
    ``dest/package``."""
    have, want = version(package), pinned(package)
    if have != want:
        raise MissingNodeModules(
            f"node_modules has {package} {have}, package.json pins {want}: run `npm ci`"
        )
    source, target = NODE_MODULES / package, dest / package
    for pattern in paths:
        matches = sorted(source.glob(pattern))
        if not matches:
            raise MissingNodeModules(f"{package} has no {pattern}: run `npm ci`")
        for src in matches:
            _copy(src, target / src.relative_to(source))
    return target


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(
            src,
            dst,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(*(f"*{s}" for s in SKIP_SUFFIXES)),
        )
    else:
        shutil.copy2(src, dst)


def copy_all(dest: Path, *, reveal: bool = False) -> dict[str, Path]:
    """Copy every asset (reveal.js too with ``reveal``) into ``dest``; their folders."""
    chosen = ASSETS + ([REVEAL] if reveal else [])
    return {package: copy(package, paths, dest) for package, paths in chosen}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--reveal", action="store_true", help="reveal.js too")
    args = parser.parse_args(argv)
    try:
        copy_all(args.dest, reveal=args.reveal)
    except MissingNodeModules as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
