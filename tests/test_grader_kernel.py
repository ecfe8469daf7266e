"""A kernel that dies at start (its port taken by another process) is started again.

Reproduces the race the repository's conftest.py guards nbval against, and the
grader's own start, by handing the first kernel a port that is already in use.
"""

from __future__ import annotations

import importlib.util
import socket
import time
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

pytestmark = pytest.mark.integration  # starts kernels, servers or browsers


class _FirstOnBusyPort(KernelManager):
    """The first instance uses ``busy`` as its shell port; later ones are normal."""

    busy: int | None = None
    made = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        type(self).made += 1
        if type(self).made == 1:
            self.cache_ports = False  # keep our port: do not draw fresh ones
            self.shell_port = self.busy


@pytest.fixture
def busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_nbval_kernel_start_is_retried(monkeypatch, busy_port):
    nbval_kernel = pytest.importorskip("nbval.kernel")
    assert getattr(nbval_kernel.start_new_kernel, "retries", 0) == 3

    manager = type("Manager", (_FirstOnBusyPort,), {"busy": busy_port, "made": 0})
    monkeypatch.setattr(nbval_kernel, "KernelManager", manager)
    kernel = nbval_kernel.RunningKernel(nbval_kernel.CURRENT_ENV_KERNEL_NAME)
    try:
        assert manager.made == 2  # the first died on the busy port, the second runs
        assert kernel.km.is_alive()
    finally:
        kernel.stop()


def test_grader_kernel_start_is_retried(monkeypatch, busy_port, tmp_path):
    from nnlib.grader import kernel as grading_kernel

    manager = type("Manager", (_FirstOnBusyPort,), {"busy": busy_port, "made": 0})
    monkeypatch.setattr(grading_kernel, "KernelManager", manager)
    workdir, private = tmp_path / "work", tmp_path / "private"
    workdir.mkdir()
    private.mkdir()
    kernel = grading_kernel.Kernel(workdir, private, grading_kernel.Limits())
    try:
        kernel.start()
        assert manager.made == 2
        run = kernel.execute("x = 6 * 7", deadline=time.monotonic() + 30)
        assert run.status == grading_kernel.OK
    finally:
        kernel.shutdown()


def test_grader_gives_up_after_the_last_attempt(monkeypatch, busy_port, tmp_path):
    from nnlib.grader import kernel as grading_kernel

    class AlwaysBusy(_FirstOnBusyPort):
        def __init__(self, **kwargs):
            type(self).made = 0  # every instance is "the first"
            super().__init__(**kwargs)

    AlwaysBusy.busy = busy_port
    monkeypatch.setattr(grading_kernel, "KernelManager", AlwaysBusy)
    (tmp_path / "work").mkdir()
    (tmp_path / "private").mkdir()
    kernel = grading_kernel.Kernel(
        tmp_path / "work", tmp_path / "private", grading_kernel.Limits()
    )
    with pytest.raises(RuntimeError, match="died"):
        kernel.start(attempts=2)
    assert not kernel.alive()


def test_make_execute_retries_the_kernel_start(monkeypatch, busy_port, tmp_path):
    import importlib.util

    import nbformat

    path = Path(__file__).resolve().parents[1] / "tools" / "execute.py"
    spec = importlib.util.spec_from_file_location("nnlib_tools_execute", path)
    execute = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(execute)
    manager = type("Manager", (_FirstOnBusyPort,), {"busy": busy_port, "made": 0})
    monkeypatch.setattr(execute, "KernelManager", manager)
    notebook = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nbformat.write(nb, notebook)
    execute.execute(notebook, timeout=60, allow_errors=False)
    assert manager.made == 2
    out = nbformat.read(notebook, as_version=4).cells[0].outputs
    assert out[0]["text"] == "42\n"


def _root_conftest():
    """The repository's conftest.py as a module (tests/ has a conftest of its own)."""
    root = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("root_conftest", root)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_kernel_that_never_answers_is_started_again_and_other_errors_are_not():
    retry_start = _root_conftest()._retry_start
    calls = []

    def silent_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return "km", "kc"

    assert retry_start(silent_once)() == ("km", "kc") and len(calls) == 2

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("No such kernel named python3")

    calls.clear()
    with pytest.raises(RuntimeError, match="No such kernel"):
        retry_start(broken)()
    assert len(calls) == 1  # a real error is not hidden by retries
