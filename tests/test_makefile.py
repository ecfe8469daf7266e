"""The Makefile and CI entry point do what the README promises."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
# the install stamps, taken as made: these tests read the commands, not the installs
SKIP_INSTALL = [
    "-o",
    ".venv/.installed",
    "-o",
    ".venv/.installed-web",
    "-o",
    "node_modules/.ci",
]
MAKE = shutil.which("make")
# the environment running the tests is the one `make install` made (not conda, a
# JupyterHub image or a plain venv of one's own)
MADE_BY_MAKE = (
    Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()
    and (ROOT / ".venv" / ".installed").exists()
)
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        [MAKE, "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )


def test_help_lists_the_targets():
    out = make("help").stdout
    for target in [
        "lab",
        "test",
        "execute",
        "exercises",
        "test-twice",
        "test-gpu",
        "bench",
    ]:
        assert f"make {target} " in out, f"`make help` does not list {target}"


@pytest.mark.skipif(
    not MADE_BY_MAKE,
    reason="the tests run in an environment not made by `make install` "
    f"({sys.prefix}), so there is no install stamp to check",
)
def test_install_is_skipped_when_nothing_changed():
    # The tests run inside the installed environment, so the stamp must be current:
    # `make -q` exits 0 only when the target is up to date (no install would run).
    result = make("-q", ".venv/.installed")
    assert result.returncode == 0, "a second `make test` would reinstall"


def test_install_reruns_when_the_lock_is_newer(tmp_path):
    # Dry-run with the lock treated as new: make must plan the install again.
    result = make("-n", "-W", "requirements/lock.txt", ".venv/.installed")
    assert "pip install" in result.stdout


def test_torch_index_cpu_installs_pytorchs_cpu_build(tmp_path):
    # a fresh copy: nothing installed, so `make -n install` shows the whole install
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "pyproject.toml").touch()
    (tmp_path / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "lock.txt", tmp_path / "requirements")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}

    def pip_lines(*args):
        out = subprocess.run(
            [MAKE, "--no-print-directory", "-n", "install", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        return [
            line for line in out.splitlines() if "pip install" in line and "-c" in line
        ]

    cpu_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    (cpu,) = pip_lines("TORCH_INDEX=cpu")
    assert cpu_index in cpu and "-c requirements/lock.txt" in cpu
    (default,) = pip_lines()
    assert (
        "download.pytorch.org" not in default and "-c requirements/lock.txt" in default
    )
    # the lock stays one set of versions: its torch pin admits the CPU build's
    # version, whose "+cpu" local label a pin without one ignores (PEP 440)
    torch = next(
        line.split("==")[1]
        for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
        if line.startswith("torch==")
    )
    assert f"{torch}+cpu" in SpecifierSet(f"=={torch}")


def test_execute_runs_the_same_tool_for_one_notebook():
    out = make("-n", "execute", "NB=notebooks/00_start_here.ipynb").stdout
    assert "tools/execute.py notebooks/00_start_here.ipynb" in out


def test_ci_runs_make_test_and_fails_on_no_tests():
    text = (ROOT / ".ci" / "run").read_text()
    assert "make test" in text
    assert "no test was executed" in text


def test_nbval_settings_are_shared_by_test_and_execute():
    text = (ROOT / "Makefile").read_text()
    assert "--nbval-current-env" in text and "nbval_sanitize.cfg" in text
    assert "export NNLIB_DEVICE ?= cpu" in text


def test_lab_opens_the_start_page():
    out = make("-n", "lab").stdout
    assert "jupyter lab" in out and "notebooks/00_start_here.ipynb" in out
    # as root (containers) Jupyter needs --allow-root, and only then
    assert ("--allow-root" in out) == (os.geteuid() == 0)


def test_a_class_copy_without_solutions_still_tests(tmp_path):
    # an instructor may delete solutions/ before handing the course to a class
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "notebooks").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}

    def run(*args):
        return subprocess.run(
            [MAKE, "--no-print-directory", *SKIP_INSTALL, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
        )

    def nbval_line():  # the line of `make test` that runs nbval over the notebooks
        (line,) = [
            line
            for line in run("-n", "test").stdout.splitlines()
            if "tools/portability.py " in line
        ]
        return " ".join(line.split())

    assert "portability.py notebooks --only" in nbval_line(), nbval_line()
    refused = run("exercises")
    assert refused.returncode != 0
    assert "no solutions/ folder here" in refused.stderr
    (tmp_path / "solutions").mkdir()
    assert "portability.py notebooks solutions --only" in nbval_line(), nbval_line()
