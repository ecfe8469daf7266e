"""Each lecture as a reveal.js slide deck, and the slide metadata that shapes the decks.

    python tools/slides.py [--out build/slides] [NOTEBOOK ...]  # render the decks
    python tools/slides.py --mark [--check] [NOTEBOOK ...]   # (re)write the metadata

Rendering runs ``jupyter nbconvert --to slides`` on each lecture (the stored outputs,
nothing executed) with tools/reveal_local/, nbconvert's reveal template with every
script served from the deck's own ``vendor/`` folder: reveal.js
(``--SlidesExporter.reveal_url_prefix``), require.js, the widgets' HTML manager and
MathJax, copied from the npm packages package.json pins (tools/vendor.py). A deck
opens offline, from a file:// URL too; ``OUT/index.html`` lists them.

What goes on the slides is each cell's ``metadata.slideshow.slide_type``, written by
``--mark`` with these rules (rerun it after editing a lecture; ``--check`` says
whether a lecture's metadata is what the rules give):
- ``slide``: the title cell and each ``## `` section heading;
- ``subslide``: each ``### `` heading, and each code cell whose output is a figure or
  a widget (the key figures);
- ``notes``: markdown without a heading longer than NOTES_CHARS characters, the long
  prose, shown in the speaker view (press ``s``) instead of on the slide;
- ``skip``: code cells without output (imports, definitions, asserts);
- everything else continues the slide above it (no metadata).
Only that one key changes: the notebook's sources, outputs and other metadata stay
byte for byte as they were (checked before writing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vendor  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = Path(__file__).resolve().parent
TEMPLATE = "reveal_local"
SHIM = ROOT / "site" / "_static" / "mathjax2-hub.js"
NOTES_CHARS = 450
FIGURES = ("image/png", "image/svg+xml", "application/vnd.jupyter.widget-view+json")


def lectures() -> list[Path]:
    course = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
    return [ROOT / ch["notebook"] for ch in course["chapters"]]


def slide_type(cell, index: int) -> str | None:
    """The slide type the rules above give a cell (None: continue the slide)."""
    if index == 0:
        return "slide"
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().split("\n", 1)[0]
        if first.startswith("## "):
            return "slide"
        if first.startswith("### "):
            return "subslide"
        if not first.startswith("#") and len(cell.source) > NOTES_CHARS:
            return "notes"
        return None
    if cell.cell_type == "code":
        outputs = cell.get("outputs", [])
        if any(set(FIGURES) & set(out.get("data", {})) for out in outputs):
            return "subslide"
        if not outputs:
            return "skip"
    return None


def marked(nb) -> bool:
    """Set every cell's slide type by the rules; whether anything changed."""
    changed = False
    for index, cell in enumerate(nb.cells):
        wanted = slide_type(cell, index)
        have = cell.metadata.get("slideshow", {}).get("slide_type")
        if have == wanted:
            continue
        changed = True
        if wanted is None:
            del cell.metadata["slideshow"]
        else:
            cell.metadata["slideshow"] = {"slide_type": wanted}
    return changed


def without_slideshow(text: str) -> str:
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("slideshow", None)
    return nbformat.writes(nb)


def mark(paths: list[Path], *, check: bool) -> int:
    """Write (or with ``check`` only compare) the slide metadata; 1 if any differs."""
    differ = []
    for path in paths:
        text = path.read_text("utf-8")
        nb = nbformat.reads(text, as_version=4)
        if nbformat.writes(nb) + "\n" != text:
            raise SystemExit(
                f"{path}: nbformat would not write it back unchanged; refusing"
            )
        if not marked(nb):
            continue
        differ.append(path)
        if check:
            continue
        new = nbformat.writes(nb) + "\n"  # as nbformat.write writes it
        # only the slideshow key changed: the rest is byte for byte the same
        assert without_slideshow(new) == without_slideshow(text), path
        path.write_text(new, encoding="utf-8")
    for path in differ:
        verb = "differs from the rules" if check else "marked"
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: slide metadata {verb}")
    if check and differ:
        print("run: python tools/slides.py --mark", file=sys.stderr)
    return 1 if (check and differ) else 0


def render(paths: list[Path], out: Path) -> float:
    """Render ``paths`` into ``out`` with the vendored scripts; the seconds taken."""
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "vendor"
    if assets.exists():
        shutil.rmtree(assets)
    vendor.copy_all(assets, reveal=True)
    shutil.copy2(SHIM, assets / SHIM.name)
    prefix = "vendor/"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "slides",
        f"--TemplateExporter.extra_template_basedirs={TEMPLATE_DIR}",
        f"--template={TEMPLATE}",
        f"--SlidesExporter.reveal_url_prefix={prefix}reveal.js",
        "--SlidesExporter.reveal_theme=white",
        f"--HTMLExporter.require_js_url={prefix}requirejs/require.js",
        f"--HTMLExporter.mathjax_url={prefix}mathjax/es5/tex-chtml.js",
        "--HTMLExporter.widget_renderer_url="
        f"{prefix}@jupyter-widgets/html-manager/dist/embed-amd.js",
        f"--output-dir={out}",
        "--log-level=WARN",
        *map(str, paths),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    decks = sorted(out.glob("*.slides.html"))
    items = "\n".join(
        f'<li><a href="{deck.name}">{deck.name.removesuffix(".slides.html")}</a></li>'
        for deck in decks
    )
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Lecture slides</title></head><body><h1>Lecture slides</h1>"
        "<p>Arrow keys move between slides, <kbd>s</kbd> opens the speaker notes, "
        f"<kbd>Esc</kbd> the overview.</p><ul>\n{items}\n</ul></body></html>\n",
        encoding="utf-8",
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: the lectures")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    parser.add_argument("--mark", action="store_true", help="write the slide metadata")
    parser.add_argument(
        "--check", action="store_true", help="with --mark: only compare"
    )
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lectures()
    if args.mark:
        return mark(paths, check=args.check)
    try:
        seconds = render(paths, args.out)
    except vendor.MissingNodeModules as error:
        print(error, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"nbconvert failed (exit {error.returncode})", file=sys.stderr)
        return 1
    print(f"{len(paths)} decks in {seconds:.0f} s: {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
