"""The lock, pyproject.toml and environment.yml describe one set of versions."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^([A-Za-z0-9_.\-]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version, f"lock line is not an exact pin: {line!r}"
        pins[canonical(name)] = version
    return pins


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_names(reqs: list[str]) -> set[str]:
    return {canonical(NAME.match(r).group(1)) for r in reqs}


def env_pip_lines() -> list[str]:
    text = (ROOT / "environment.yml").read_text()
    lines = []
    in_pip = False
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if in_pip and stripped.startswith("- "):
            lines.append(stripped[2:].strip())
    return lines


def test_every_dependency_is_pinned_in_the_lock():
    project = pyproject()["project"]
    names = requirement_names(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        names |= requirement_names(extra)
    missing = sorted(names - set(lock_pins()))
    assert not missing, f"in pyproject.toml but not pinned in the lock: {missing}"


def test_torch_is_pinned_to_the_cpu_build_version():
    assert lock_pins()["torch"] == "2.13.0"


def test_environment_yml_pins_agree_with_the_lock():
    pins = lock_pins()
    lines = env_pip_lines()
    assert "-c requirements/lock.txt" in lines, "environment.yml must use the lock"
    assert any(line.startswith("-e .") for line in lines), "must install nnlib itself"
    for line in lines:
        if "==" in line:
            name, version = line.split("==")
            locked = pins[canonical(name)]
            assert locked == version, (
                f"environment.yml pins {name}=={version}, the lock has {locked}"
            )


def test_environment_yml_python_is_supported_by_pyproject():
    text = (ROOT / "environment.yml").read_text()
    python = re.search(r"- python=(\d+)\.(\d+)", text)
    assert python, "environment.yml must pin python"
    spec = pyproject()["project"]["requires-python"]
    low = re.search(r">=(\d+)\.(\d+)", spec)
    high = re.search(r"<(\d+)\.(\d+)", spec)
    version = tuple(map(int, python.groups()))
    assert tuple(map(int, low.groups())) <= version < tuple(map(int, high.groups()))


@pytest.mark.parametrize(
    "name", ["numpy", "torch", "matplotlib", "ipywidgets", "nbval"]
)
def test_installed_versions_match_the_lock(name):
    # Stored outputs were produced with the lock's versions; a drifted venv would
    # make nbval failures confusing, so say so plainly.
    installed = metadata.version(name).split("+")[0]
    assert installed == lock_pins()[canonical(name)], (
        f"{name} {installed} is installed but the lock pins {lock_pins()[name]}: "
        "run `make install`"
    )


def test_running_python_is_supported():
    assert sys.version_info[:2] >= (3, 11)
