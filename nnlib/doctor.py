"""Environment check for the course: versions, device, and what is missing.

Besides the packages it looks for a font with Chinese characters: the glossaries give
every term in English and Chinese, and without such a font the browser draws the
Chinese as boxes, and so does matplotlib in the Chinese edition's figures (which use
the font this check finds, see ``nnlib.viz.style.cjk_fonts``). That is a note, not a
problem (the course works without it).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EnvironmentReport", "check_environment"]

# Packages the notebooks need, with the import name and a one-line reason.
REQUIRED = {
    "numpy": "arrays for the from-scratch chapters",
    "matplotlib": "figures",
    "ipywidgets": "interactive demos",
    "tqdm": "progress bars",
    "torch": "chapters 07-11 (PyTorch)",
}

# A character of the glossaries' Chinese terms (神经元, neuron): a font with a glyph
# for it covers the common Chinese characters. Fonts are tested for the glyph, not
# trusted by their name; names only decide which ones are tried first.
CJK_SAMPLE = "神"
CJK_HINTS = ("cjk", "han", "hei", "song", "ming", "kai", "pingfang", "hiragino", "wqy")
SERIF_HINTS = ("serif", "song", "ming", "kai")
# "Last Resort" fonts draw a placeholder for every character (macOS ships one)
NOT_A_FONT = ("lastresort", "last resort")
CJK_MISSING = (
    "No font with Chinese characters is installed, so the glossaries' Chinese terms "
    "and the Chinese edition's figures show boxes. On Debian/Ubuntu: `sudo apt-get "
    "install fonts-noto-cjk`, then reload the page and restart the kernel (macOS and "
    "Windows come with such fonts)."
)


@dataclass
class EnvironmentReport:
    """What `check_environment` found: versions, the device and any problems."""

    python: str
    versions: dict[str, str] = field(default_factory=dict)
    device: str = "unknown"
    cjk_font: str = "not checked"
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"Python      {self.python}"]
        lines += [f"{name:<11} {ver}" for name, ver in self.versions.items()]
        lines.append(f"device      {self.device}")
        lines.append(f"CJK font    {self.cjk_font}")
        if self.notes:
            lines.append("NOTES:")
            lines += [f"  - {n}" for n in self.notes]
        if self.problems:
            lines.append("PROBLEMS:")
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines.append("Everything the course needs is installed.")
        return "\n".join(lines)


def _find_device() -> str:
    """Describe the device nnlib.train would use (honours NNLIB_DEVICE)."""
    import torch

    try:
        from nnlib.train import get_device
    except ImportError:  # the training package is optional for this check
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = get_device()
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type


def find_cjk_font() -> str | None:
    """The path of an installed font that has Chinese characters, or None.

    matplotlib's font manager lists the system's font files (through fontconfig on
    Linux, the font folders on macOS and Windows); FreeType says whether a file has
    a glyph for ``CJK_SAMPLE``.
    """
    from matplotlib import font_manager

    paths = [
        path
        for path in font_manager.findSystemFonts()
        if not any(word in Path(path).name.lower() for word in NOT_A_FONT)
    ]

    def order(path: str) -> tuple[bool, bool, bool, str]:
        # likely CJK first, sans-serif before serif (figures are sans-serif), regular
        # before bold, then by name: the same font on every run (the list is a set)
        name = Path(path).name.lower()
        serif = any(word in name for word in SERIF_HINTS)
        return not any(hint in name for hint in CJK_HINTS), serif, "bold" in name, name

    paths.sort(key=order)
    for path in paths:
        try:
            if font_manager.get_font(path).get_char_index(ord(CJK_SAMPLE)):
                return path
        except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
            continue
    return None


def check_environment() -> EnvironmentReport:
    """Check Python, the course's packages and the compute device."""
    report = EnvironmentReport(python=platform.python_version())
    if sys.version_info < (3, 11):  # noqa: UP036 (doctor may run from a source tree)
        report.problems.append(
            f"Python 3.11 or newer is needed, found {report.python}: "
            "run `make lab` to create the course's environment."
        )
    for name, why in REQUIRED.items():
        try:
            module = importlib.import_module(name)
        except ImportError:
            report.versions[name] = "missing"
            report.problems.append(
                f"{name} is not installed (needed for {why}): run `make lab`, "
                "or `pip install -c requirements/lock.txt -e .` in the repository."
            )
        else:
            report.versions[name] = getattr(module, "__version__", "?")
    if report.versions.get("torch", "missing") != "missing":
        try:
            report.device = _find_device()
        except Exception as exc:  # e.g. NNLIB_DEVICE=cuda on a machine without one
            report.problems.append(str(exc))
            requested = os.environ.get("NNLIB_DEVICE")
            report.device = f"unavailable (NNLIB_DEVICE={requested})"
    if report.versions.get("matplotlib", "missing") != "missing":
        font = find_cjk_font()
        report.cjk_font = Path(font).name if font else "none"
        if font is None:
            report.notes.append(CJK_MISSING)
    return report
