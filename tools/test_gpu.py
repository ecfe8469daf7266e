"""`make test-gpu`: execute chapters 07-11 on CUDA and check their asserted results.

The notebooks assert their key results in cells, so a notebook that executes without
an error on the GPU has passed. Copies are executed in a temporary folder; the stored
(CPU) outputs are left alone. Without a GPU this says so and exits 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from execute import execute  # noqa: E402

CHAPTERS = ["07", "08", "09", "10", "11"]


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("make test-gpu: no CUDA device on this machine; nothing was tested.")
        return 0
    os.environ["NNLIB_DEVICE"] = "cuda"
    print(f"GPU: {torch.cuda.get_device_name(0)}")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in CHAPTERS:
            for path in sorted((ROOT / "notebooks").glob(f"{chapter}_*.ipynb")):
                copy = Path(tmp) / "notebooks" / path.name
                copy.parent.mkdir(exist_ok=True)
                shutil.copy(path, copy)
                try:
                    seconds = execute(copy, timeout=600, allow_errors=False)
                except Exception as exc:
                    failed.append(path.name)
                    print(
                        f"FAILED {path.name}: {type(exc).__name__}: {str(exc)[-1500:]}"
                    )
                else:
                    print(f"passed {path.name} on cuda in {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
