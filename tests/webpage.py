"""Helpers for the tests of built web pages (the course site, the slides): what they
need, a link checker, a loopback file server and headless Chromium.

What a test needs and lacks (Sphinx, the npm packages, Chromium) skips it, except
where NNLIB_REQUIRE_WEB=1 (as in CI): there a missing piece fails the test.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import posixpath
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(
    what: str,
    missing: bool,
    how: str,
    *,
    flags: tuple[str, ...] = ("NNLIB_REQUIRE_WEB",),
) -> None:
    """Skip (or, with one of ``flags`` set to 1, as in CI, fail) when ``missing``."""
    if not missing:
        return
    message = f"{what} is missing ({how})"
    for flag in flags:
        if os.environ.get(flag) == "1":
            pytest.fail(f"{flag}=1 but {message}")
    pytest.skip(f"{message}; set {flags[0]}=1 to make this a failure")


def require_modules(
    *names: str, extra: str, flags: tuple[str, ...] = ("NNLIB_REQUIRE_WEB",)
) -> None:
    for name in names:
        require(
            f"the Python package {name}",
            importlib.util.find_spec(name) is None,
            f"`make install` or `make install-web` installs the {extra!r} extra",
            flags=flags,
        )


def require_node_modules(*packages: str) -> None:
    for package in packages:
        require(
            f"node_modules/{package}",
            not (ROOT / "node_modules" / package / "package.json").exists(),
            "run `npm ci`",
        )


def require_browser():
    """playwright's sync API, driving Debian's Chromium (never a downloaded one).

    A missing browser fails under NNLIB_REQUIRE_BROWSER=1 or NNLIB_REQUIRE_WEB=1.
    """
    flags = ("NNLIB_REQUIRE_BROWSER", "NNLIB_REQUIRE_WEB")
    require(
        str(CHROMIUM), not CHROMIUM.exists(), "apt-get install -y chromium", flags=flags
    )
    require_modules("playwright", extra="test", flags=flags)
    from playwright.sync_api import sync_playwright

    return sync_playwright


# -- links ---------------------------------------------------------------------------

# (tag, attribute) pairs that load something when the page is shown
LOADS = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src")}
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Page:
    """What one HTML file links to and which anchors it has."""

    links: list[tuple[str, str]] = field(default_factory=list)  # (kind, url)
    ids: set[str] = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"])
        if tag == "a" and "href" in values:
            self.page.links.append(("a", values["href"]))
        elif tag == "link" and "href" in values:
            rels = set(values.get("rel", "").lower().split())
            kind = "load" if rels & LOADING_RELS else "a"
            self.page.links.append((kind, values["href"]))
        for t, attribute in LOADS:
            if tag == t and values.get(attribute):
                self.page.links.append(("load", values[attribute]))


def parse(path: Path) -> Page:
    parser = _Parser()
    parser.feed(path.read_text("utf-8", errors="replace"))
    return parser.page


def is_web(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme in ("http", "https") or url.startswith(
        "//"
    )


def check_links(root: Path) -> tuple[list[str], list[str], int]:
    """Every link and anchor in the HTML and CSS under ``root``.

    Returns (broken, fetched_from_the_web, links_checked): a relative link whose file
    is missing, or whose #anchor is not an id in that file, is broken; a script, style
    sheet, font, image or frame from an http(s) address is fetched from the web (a
    plain <a href="https://..."> is only a link a reader may follow, and allowed).
    """
    pages = {p: parse(p) for p in sorted(root.rglob("*.html"))}
    broken, web, checked = [], [], 0

    def resolve(source: Path, url: str) -> tuple[Path | None, str]:
        parts = urllib.parse.urlsplit(url)
        if not parts.path:
            return source, parts.fragment
        target = posixpath.normpath(
            posixpath.join(source.parent.as_posix(), urllib.parse.unquote(parts.path))
        )
        path = Path(target)
        if path.is_dir():
            path = path / "index.html"
        return path, parts.fragment

    for source, page in pages.items():
        where = source.relative_to(root).as_posix()
        for kind, url in page.links:
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme in ("mailto", "data", "javascript", "blob"):
                continue
            checked += 1
            if is_web(url):
                if kind == "load":
                    web.append(f"{where}: loads {url}")
                continue
            target, fragment = resolve(source, url)
            if not target.exists():
                broken.append(f"{where}: {url} (no file {target})")
            elif root.resolve() not in target.resolve().parents:
                broken.append(f"{where}: {url} leaves the site")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                # as a browser does: the fragment as written, or percent-decoded
                if not {fragment, urllib.parse.unquote(fragment)} & ids:
                    broken.append(f"{where}: {url} (no anchor #{fragment})")
    for css in sorted(root.rglob("*.css")):
        text = css.read_text("utf-8", errors="replace")
        where = css.relative_to(root).as_posix()
        for match in CSS_URL.finditer(text):
            url = (match.group(1) or match.group(2)).strip()
            if url.startswith(("data:", "#")) or "%23" in url[:3]:
                continue
            checked += 1
            if is_web(url):
                web.append(f"{where}: loads {url}")
                continue
            target, _ = resolve(css, url)
            if not target.exists():
                broken.append(f"{where}: url({url}) (no file {target})")
    return broken, web, checked


# -- serving and viewing -------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port; yield its base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Visit:
    """What a page did in the browser: the URLs it requested, its errors."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def off_site(self, base: str) -> list[str]:
        return [
            url
            for url in self.requests
            if not url.startswith((base, "data:", "blob:" + base, "about:"))
        ]


@contextmanager
def browser_page(sync_playwright, *, width: int = 1280, height: int = 900):
    """A headless Chromium page and the Visit record of what it loads."""
    visit = Visit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            page.on("request", lambda request: visit.requests.append(request.url))
            page.on(
                "requestfailed",
                lambda request: visit.failed.append(request.url),
            )
            page.on(
                "response",
                lambda response: (
                    response.status >= 400
                    and not response.url.endswith("/favicon.ico")
                    and visit.failed.append(f"{response.url}: HTTP {response.status}")
                ),
            )
            page.on("pageerror", lambda error: visit.errors.append(str(error)))
            yield page, visit
        finally:
            browser.close()


def picture_check(png: Path, *, min_bytes: int = 20_000) -> tuple[int, float]:
    """(size in bytes, standard deviation of the grey levels) of a screenshot,
    asserting it is not trivially small or blank."""
    from PIL import Image, ImageStat

    size = png.stat().st_size
    with Image.open(png) as image:
        spread = ImageStat.Stat(image.convert("L")).stddev[0]
        colours = len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])
    assert size >= min_bytes, f"{png.name}: {size} bytes, a near-empty picture"
    assert spread > 4 and colours > 50, (  # a blank page has a spread of 0
        f"{png.name} looks blank: grey-level spread {spread:.1f}, {colours} colours"
    )
    return size, spread
