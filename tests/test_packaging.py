"""nnlib installs as a wheel with its data, and stays light to import."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # starts kernels, servers or browsers

ROOT = Path(__file__).resolve().parents[1]


def fresh_python(code: str) -> str:
    """Run code in a fresh interpreter and return its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return out.stdout.strip()


@pytest.mark.parametrize(
    "module", ["nnlib", "nnlib.scratch", "nnlib.data", "nnlib.grading"]
)
def test_import_does_not_load_torch(module):
    code = f"import sys, {module}; print('torch' in sys.modules)"
    assert fresh_python(code) == "False", f"importing {module} imported torch"


def test_course_map_ships_inside_the_package():
    code = (
        "import json, importlib.resources as r;"
        "print(len(json.loads(r.files('nnlib').joinpath('course_map.json').read_text())"
        "['chapters']))"
    )
    shipped = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
    assert fresh_python(code) == str(len(shipped["chapters"]))


def test_wheel_installs_in_a_new_venv_and_finds_its_data(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("nnlib-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    target = env_dir / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    target = target / "site-packages"
    # Install the wheel's files with this interpreter's pip into the new venv.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    new_python = env_dir / "bin" / "python"
    # numpy comes from this environment's site-packages (PYTHONPATH does not read the
    # editable-install .pth files, so nnlib itself can only come from the wheel).
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**os.environ, "PYTHONPATH": site}
    code = (
        "import sys, json, nnlib;"
        "loaded = 'torch' in sys.modules;"
        "from nnlib.data import load_digits;"
        "X, y = load_digits();"
        "print(json.dumps({'file': nnlib.__file__, 'torch': loaded, 'n': len(y)}))"
    )
    out = subprocess.run(
        [str(new_python), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["file"].startswith(str(env_dir)), (
        "nnlib came from the repo, not the wheel"
    )
    assert result["torch"] is False
    assert result["n"] == 1797
