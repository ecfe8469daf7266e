"""Environment check for the course: versions, device, and what is missing."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from dataclasses import dataclass, field

__all__ = ["EnvironmentReport", "check_environment"]

# Packages the notebooks need, with the import name and a one-line reason.
REQUIRED = {
    "numpy": "arrays for the from-scratch chapters",
    "matplotlib": "figures",
    "ipywidgets": "interactive demos",
    "tqdm": "progress bars",
    "torch": "chapters 07-11 (PyTorch)",
}


@dataclass
class EnvironmentReport:
    """What `check_environment` found: versions, the device and any problems."""

    python: str
    versions: dict[str, str] = field(default_factory=dict)
    device: str = "unknown"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"Python      {self.python}"]
        lines += [f"{name:<11} {ver}" for name, ver in self.versions.items()]
        lines.append(f"device      {self.device}")
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
    return report
