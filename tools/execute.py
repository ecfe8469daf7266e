"""Re-execute notebooks in place, top to bottom, in a fresh kernel, as nbval runs them.

Stored outputs are produced only by this script (``make execute``), so they always come
from the same settings nbval checks with: the current environment's Python as the
kernel, the notebook's folder as the working directory, ``store_history=False`` (so a
trailing ``;`` hides nothing, exactly as under nbval), ``NNLIB_DEVICE=cpu`` and one
BLAS/torch thread unless set otherwise.

What it stores is also what JupyterLab would store, so an untouched notebook opens
clean (no "save your changes?"): the metadata keeps the ``language_info`` the kernel
reports, ``version`` included (JupyterLab writes it on opening and so marks a notebook
without it modified), and ``kernelspec`` is the one JupyterLab's Python kernel has.
The widgets' final state is stored (finished progress bars, an explorer's last frame)
for viewers that render it, in a form that is the same on every run: model ids are
numbered in order, and tqdm's elapsed time and rate are left out of the bars' text.
Adjacent prints to the same stream are stored as one output: how the kernel happened
to split them differs between runs (nbval merges them before comparing, too).

Usage: python tools/execute.py NOTEBOOK.ipynb [...] [--allow-errors] [--timeout S]
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
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
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# tqdm's "[00:06<00:02,  2.35epoch/s" (HTML-escaped in a widget) and its postfix
TQDM_TIMING = re.compile(
    r"\s*\[(?:\d+:)?\d+:\d+(?:<|&lt;)(?:\?|(?:\d+:)?\d+:\d+),[^,\]]*(,[^\]]*)?\]"
)


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
            store_widget_state=True,
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
            cell.outputs = merge_adjacent_streams(cell.outputs)
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
    nb.metadata["kernelspec"] = KERNELSPEC  # language_info stays as the kernel said
    stable_widget_state(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def merge_adjacent_streams(outputs: list) -> list:
    """Outputs with each run of adjacent same-stream outputs merged into one."""
    merged: list = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            output["output_type"] == "stream"
            and last is not None
            and last["output_type"] == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def stable_widget_state(nb: nbformat.NotebookNode) -> None:
    """Make the stored widget state the same on every run of the same notebook.

    The kernel names each widget model with a random id: they become ``0...01``,
    ``0...02``, ... in the order the models were created, in the state and in the
    outputs that show them. tqdm bars lose their elapsed time and rate (``15/15
    [00:06<00:00, 2.35epoch/s, loss=0.1]`` becomes ``15/15 [loss=0.1]``). Whole
    floats are written as JupyterLab writes them (``15``, not ``15.0``), so saving
    an untouched notebook there changes no byte.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if not state:
        return
    ids = {old: f"{i:032x}" for i, old in enumerate(state, start=1)}

    def rename(value):
        if isinstance(value, float) and value.is_integer():
            return int(value)  # as JupyterLab writes it (JSON has one number type)
        if isinstance(value, str):
            if value in ids:
                return ids[value]
            if value.startswith("IPY_MODEL_") and value[10:] in ids:
                return "IPY_MODEL_" + ids[value[10:]]
            return value
        if isinstance(value, list):
            return [rename(item) for item in value]
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        return value

    for model in state.values():
        if model.get("model_name") == "HTMLModel":
            text = model["state"].get("value", "")
            model["state"]["value"] = TQDM_TIMING.sub(_tqdm_postfix, text)
    nb.metadata["widgets"][WIDGET_STATE]["state"] = nbformat.from_dict(
        {ids[old]: rename(model) for old, model in state.items()}
    )
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") in ids:
                view["model_id"] = ids[view["model_id"]]


def _tqdm_postfix(match: re.Match) -> str:
    postfix = (match.group(1) or "").lstrip(",").strip()  # tqdm pads with U+2007
    return f" [{postfix}]" if postfix else ""


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
