"""Build the course site: HTML pages of the lectures (with their stored outputs), the
exercises (the learner's notebooks, without solutions), the chapter map and the
glossary, searchable, with no file fetched from the web when it is read.

    python tools/site.py [--out build/site] [--jobs N]

Sphinx with myst-nb turns the notebooks into pages; nothing is executed (myst-nb's
``nb_execution_mode = "off"``), so a build takes seconds and shows exactly the outputs
the repository stores. The sources are laid out in ``OUT-src/`` beside the output:
- ``notebooks/`` and ``exercises/``, copied unchanged (``solutions/`` never is), so the
  notebooks' relative links (``../exercises/01_....ipynb``) resolve as in JupyterLab;
- ``index.md`` (the chapter map) and ``glossary.md`` (every concept, English → 中文 and
  中文 → English, each linked to the section that teaches it), generated from
  nnlib/course_map.json;
- ``_vendor/``: MathJax, require.js and the widgets' HTML manager, copied from the npm
  packages package.json pins (tools/vendor.py), served as the site's own files.
Sphinx's own search (a local index, searchindex.js) is the search box.

A build warning fails the build (``-W``): a link to a page or section that does not
exist is a warning. Files are copied with their times kept, so a second build redoes
only the pages whose notebook changed.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vendor  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COURSE_MAP = ROOT / "nnlib" / "course_map.json"
CONF = ROOT / "site" / "conf.py"
FOLDERS = ("notebooks", "exercises")  # never solutions/: the site is the learner's
START = "notebooks/00_start_here"


def course() -> dict:
    return json.loads(COURSE_MAP.read_text("utf-8"))


def plain(markdown: str) -> str:
    """The text of a markdown heading as MyST slugifies it (no markup)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # [text](target)
    return re.sub(r"[`*_]", "", text).strip()


def slug(heading: str) -> str:
    """The anchor MyST gives a heading (myst_heading_anchors, GitHub-style)."""
    from myst_parser.slugs import github_slugify

    return github_slugify(plain(heading))


def concept_sections(chapter: dict) -> dict[str, tuple[str, str]]:
    """For each concept of ``chapter``: (heading, anchor) of the section teaching it:
    the heading of its tagged cell, or the nearest heading above that cell."""
    import nbformat

    nb = nbformat.read(ROOT / chapter["notebook"], as_version=4)
    found: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    current = ("", "")
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        here = None
        for line in cell.source.splitlines():
            match = re.match(r"^(#{1,3})\s+(.*)$", line)
            if match:
                anchor = slug(match.group(2))
                # a repeated heading is suffixed (-1, -2) by MyST: keep the first
                if anchor and anchor not in seen:
                    seen.add(anchor)
                    heading = (plain(match.group(2)), anchor)
                    here = here or heading
                    current = heading
        for tag in cell.metadata.get("tags", []):
            if tag.startswith("concept:"):
                found.setdefault(tag.split(":", 1)[1], here or current)
    return found


def page(path: str) -> str:
    """A course file's page, as a link from a page at the site's root."""
    return path  # myst resolves links to .ipynb sources to their pages


def index_md(data: dict) -> str:
    chapters = data["chapters"]
    lines = [
        f"# {data['title']}",
        "",
        "The course's lectures with their stored outputs (figures, results, the last "
        "frame of each interactive explorer) and its exercises as the learner gets "
        "them: the tasks, the self-check cells and no solutions. To run the "
        "notebooks, open the course in JupyterLab (`make lab`) or on your class's "
        "JupyterHub; the first page is "
        f"[Start here]({page(START + '.ipynb')}).",
        "",
        "## Chapter map",
        "",
        "| # | Lecture | Exercise | Concepts (中文) | Graded tasks |",
        "|---|---|---|---|---|",
    ]
    for ch in chapters:
        concepts = ", ".join(
            f"{{term}}`{c['en']} <{c['en']}>` ({c['zh']})" for c in ch["concepts"]
        )
        points = sum(t["points"] for t in ch["tasks"])
        tasks = f"{len(ch['tasks'])} tasks, {points} points"
        lines.append(
            f"| {ch['id']} | [{ch['title']}]({page(ch['notebook'])}) "
            f"| [exercise {ch['id']}]({page(ch['exercise'])}) | {concepts} | {tasks} |"
        )
    lines += [
        "",
        "Every lecture ends with a glossary of its own terms; the "
        "[course glossary](glossary.md) gathers them all, English → 中文 and "
        "中文 → English. The search box finds a word on any page.",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: Lectures",
        "",
        START,
        *[ch["notebook"].removesuffix(".ipynb") for ch in chapters],
        "```",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: Exercises",
        "",
        *[ch["exercise"].removesuffix(".ipynb") for ch in chapters],
        "```",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: Reference",
        "",
        "glossary",
        "```",
        "",
    ]
    return "\n".join(lines)


def glossary_md(data: dict) -> str:
    entries = []
    for ch in data["chapters"]:
        sections = concept_sections(ch)
        for c in ch["concepts"]:
            heading, anchor = sections.get(c["id"], ("", ""))
            target = ch["notebook"] + (f"#{anchor}" if anchor else "")
            where = f"[{ch['id']} · {heading or ch['title']}]({target})"
            entries.append((c, where))

    def glossary(key: str, other: str) -> list[str]:
        lines = ["```{glossary}", ":sorted:", ""]
        for c, where in entries:
            lines += [c[key], f"   {c[other]} · chapter {where}", ""]
        return lines + ["```", ""]

    return "\n".join(
        [
            "# Glossary · 术语表",
            "",
            "Every concept the lectures teach, with the chapter and section that "
            "teach it. The lectures follow a Chinese primer on neural networks, so "
            "each term is given in English and in Chinese; each lecture's own "
            "glossary ends its page.",
            "",
            "## English → 中文",
            "",
            *glossary("en", "zh"),
            "## 中文 → English",
            "",
            *glossary("zh", "en"),
        ]
    )


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, encoding="utf-8")


def sync(src: Path, dst: Path, pattern: str) -> None:
    """Make ``dst`` hold exactly the ``pattern`` files of ``src`` (times kept)."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in sorted(src.glob(pattern))}
    for old in dst.iterdir():
        if old.name not in wanted:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for name, path in wanted.items():
        target = dst / name
        if not target.exists() or not filecmp.cmp(path, target, shallow=False):
            shutil.copy2(path, target)


def stage(source: Path) -> None:
    """Lay out the site's sources in ``source`` (see the module docstring)."""
    data = course()
    source.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        sync(ROOT / folder, source / folder, "*.ipynb")
    write_if_changed(source / "index.md", index_md(data))
    write_if_changed(source / "glossary.md", glossary_md(data))
    vendored = source / "_vendor"
    if vendored.exists():
        shutil.rmtree(vendored)
    vendor.copy_all(vendored)


def build(out: Path, *, jobs: str = "1", quiet: bool = True) -> float:
    """Build the site into ``out``; return the seconds it took."""
    start = time.perf_counter()
    out = out.resolve()
    source = out.with_name(out.name + "-src")
    stage(source)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(CONF.parent),
        "-d",
        str(source / "_doctrees"),
        "-j",
        jobs,
        "-D",
        # conf.py's own _static/, then the npm packages' files
        f"html_static_path={CONF.parent / '_static'},{source / '_vendor'}",
        "-W",
        "--keep-going",
        *(["-q"] if quiet else []),
        str(source),
        str(out),
    ]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    subprocess.run(command, check=True, env=env)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--jobs", default="1", help="Sphinx's -j (default 1)")
    parser.add_argument("--verbose", action="store_true", help="Sphinx's progress")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out, jobs=args.jobs, quiet=not args.verbose)
    except vendor.MissingNodeModules as error:
        print(error, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"the site build failed (exit {error.returncode})", file=sys.stderr)
        return 1
    print(f"site built in {seconds:.0f} s: {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
