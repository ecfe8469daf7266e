"""Re-execute notebooks in place, top to bottom, in a fresh kernel, as nbval runs them.

Stored outputs are produced only by this script (``make execute``), so they always come
from the same settings nbval checks with: the current environment's Python as the
kernel, the notebook's folder as the working directory, ``store_history=False`` (so a
trailing ``;`` hides nothing, exactly as under nbval), ``NNLIB_DEVICE=cpu`` and one
BLAS/torch thread unless set otherwise.

Usage: python tools/execute.py NOTEBOOK.ipynb [...] [--allow-errors] [--timeout S]
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}


START_ATTEMPTS = 3


class NbvalLikeClient(NotebookClient):
    """An nbclient executor that sends cells the way nbval does (no history)."""

    async def async_execute_cell(
        self, cell, cell_index, execution_count=None, store_history=True
    ):
        return await super().async_execute_cell(
            cell, cell_index, execution_count=execution_count, store_history=False
        )


def execute(path: Path, timeout: int, allow_errors: bool) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    for attempt in range(1, START_ATTEMPTS + 1):
        km = KernelManager(
            kernel_name=CURRENT_ENV_KERNEL_NAME,
            kernel_spec_manager=NbvalKernelspecManager(),
        )
        client = NbvalLikeClient(
            nb,
            km=km,
            timeout=timeout,
            allow_errors=allow_errors,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent.resolve())}},
        )
        try:
            client.execute()
            break
        except RuntimeError as exc:
            # a kernel that died at start (its port taken meanwhile, see the root
            # conftest.py) ran no cell: start again with new ports
            if attempt == START_ATTEMPTS or "before replying" not in str(exc):
                raise
            atexit.unregister(client._cleanup_kernel)  # nbclient left it registered
            km.cleanup_resources()
            start = time.perf_counter()
    elapsed = time.perf_counter() - start
    # Number code cells 1..n, as a fresh top-to-bottom run would.
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("--allow-errors", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("NNLIB_DEVICE", "cpu")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # One BLAS/torch thread, as `make test` checks them (see the Makefile).
    for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
        os.environ.setdefault(name, "1")
    failed = 0
    for path in args.notebooks:
        if not path.exists():
            print(f"skip {path}: no such notebook", file=sys.stderr)
            continue
        try:
            seconds = execute(path, args.timeout, args.allow_errors)
        except Exception as exc:  # report and go on with the other notebooks
            failed += 1
            print(
                f"FAILED {path}: {type(exc).__name__}: {str(exc)[-2000:]}",
                file=sys.stderr,
            )
        else:
            print(f"executed {path} in {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
