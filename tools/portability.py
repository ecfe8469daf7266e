"""Run nbval under every numerics setting this CPU can emulate (``make test-portable``).

A stored output must come out the same on any supported machine. Other machines
differ from this one in the SIMD kernels torch, oneDNN and numpy pick, and in the
thread count; each of those can be forced down from the native one here:

- ``ATEN_CPU_CAPABILITY`` = ``default`` / ``avx2`` / ``avx512`` (those this CPU has):
  torch's own vectorised kernels;
- ``ONEDNN_MAX_CPU_ISA`` = ``AVX2`` / ``SSE41``: oneDNN's convolutions and matmuls;
- ``NPY_DISABLE_CPU_FEATURES``: numpy's widest dispatched SIMD loops switched off;
- one thread and two.

``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are left alone on purpose: some machines
set them for a reason. Every setting must pass; the table at the end lists the cells
that failed under each.

Usage: python tools/portability.py [--threads 1 2] [--only NAME ...] [--list]
       [PATH ...]   (default paths: notebooks/ and solutions/ where present)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBVAL_FLAGS = [
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "nbval_sanitize.cfg",
    "--nbval-cell-timeout=300",
    "-p",
    "no:cacheprovider",
]
THREAD_VARS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]


def _probe() -> dict:
    """What this machine can emulate: torch's native capability, numpy's SIMD tiers."""
    code = (
        "import json, torch, numpy._core._multiarray_umath as m;"
        "f = m.__cpu_features__;"
        "print(json.dumps({'aten': torch.backends.cpu.get_cpu_capability(),"
        "'dispatch': [d for d in m.__cpu_dispatch__ if f.get(d)]}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    return json.loads(out.stdout)


def numpy_widest(dispatch: list[str]) -> list[str]:
    """numpy's widest enabled SIMD tier: everything above the lowest dispatched one."""
    if len(dispatch) > 1:
        return dispatch[1:]
    return dispatch


def settings(probe: dict | None = None) -> dict[str, dict[str, str]]:
    """Name -> environment of each numerics setting this CPU can emulate."""
    probe = probe or _probe()
    native = probe["aten"].lower()
    out: dict[str, dict[str, str]] = {"native": {}}
    out["aten=default"] = {"ATEN_CPU_CAPABILITY": "default"}
    x86 = platform.machine().lower() in {"x86_64", "amd64", "i686"}
    if native in {"avx2", "avx512"}:
        out["aten=avx2"] = {"ATEN_CPU_CAPABILITY": "avx2"}
        # an AVX2 laptop: torch and oneDNN both without AVX-512
        out["aten=avx2,onednn=AVX2"] = {
            "ATEN_CPU_CAPABILITY": "avx2",
            "ONEDNN_MAX_CPU_ISA": "AVX2",
        }
    if native == "avx512":
        out["aten=avx512"] = {"ATEN_CPU_CAPABILITY": "avx512"}
    if x86:
        out["onednn=AVX2"] = {"ONEDNN_MAX_CPU_ISA": "AVX2"}
        out["onednn=SSE41"] = {"ONEDNN_MAX_CPU_ISA": "SSE41"}
    widest = numpy_widest(probe["dispatch"])
    numpy_off = {"NPY_DISABLE_CPU_FEATURES": " ".join(widest)} if widest else {}
    if widest:
        out["numpy-" + "-".join(widest)] = numpy_off
    # what `make test` adds to the native run: torch's plain kernels and numpy's
    # narrower loops together, a setting every machine has and none runs natively
    out["non-native"] = {"ATEN_CPU_CAPABILITY": "default", **numpy_off}
    return out


def failures(junit: Path) -> list[str]:
    """The ids of the failed or errored test items in a junit XML report."""
    if not junit.exists():
        return ["(no report: pytest did not finish)"]
    failed = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname', '')}::{case.get('name', '')}")
    return failed


def run(name: str, env: dict[str, str], threads: int, paths: list[str]) -> list[str]:
    """nbval over ``paths`` under one setting; return the failed cells."""
    full = dict(os.environ, NNLIB_DEVICE="cpu", **env)
    for var in THREAD_VARS:
        full[var] = str(threads)
    # two workers of one thread each fill two cores; with more threads per notebook,
    # one notebook at a time (two workers would oversubscribe the cores)
    jobs = "2" if threads == 1 else "1"
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        changes = Path(tmp) / "measured.tsv"
        full["NNLIB_MEASURED_LOG"] = str(changes)
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            jobs,
            "--dist",
            "loadfile",
            *NBVAL_FLAGS,
            f"--junitxml={junit}",
            *paths,
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=full, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        failed = failures(junit)
        largest = _largest_changes(changes)
        if proc.returncode not in (0, 1):
            failed.append(f"(pytest exited {proc.returncode})")
        if failed:  # what differed, for the log
            print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n", file=sys.stderr)
    status = "ok" if not failed else f"{len(failed)} failed"
    print(f"{name:<28} threads={threads}  {status:<10} {seconds:6.0f} s", flush=True)
    for item in failed:
        print(f"    {item}", flush=True)
    for cell, (change, tol, old, new) in largest.items():
        print(f"    measured {cell}: {old} -> {new} (change {change:g}, tol {tol})")
    return failed


def _largest_changes(log: Path) -> dict[str, tuple[float, str, str, str]]:
    """Per cell, the largest change of a measured number against its stored value."""
    largest: dict[str, tuple[float, str, str, str]] = {}
    if not log.exists():
        return largest
    for line in log.read_text(encoding="utf-8").splitlines():
        cell, old, new, tol, change = line.split("\t")
        if float(change) > 0 and float(change) > largest.get(cell, (0.0,))[0]:
            largest[cell] = (float(change), tol, old, new)
    return largest


def parser() -> argparse.ArgumentParser:
    """The command line (paths first: ``--only`` and ``--threads`` take lists)."""
    out = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    out.add_argument("paths", nargs="*")
    out.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    out.add_argument("--only", nargs="+", help="setting names (see --list)")
    out.add_argument("--list", action="store_true", help="list the settings")
    return out


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    table = settings()
    if args.list:
        for name, env in table.items():
            print(f"{name:<28} {' '.join(f'{k}={v}' for k, v in env.items())}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(table))
        if unknown:
            cli.error(f"unknown setting {unknown}; this CPU has {sorted(table)}")
        table = {name: table[name] for name in args.only}
    paths = args.paths or [p for p in ("notebooks", "solutions") if (ROOT / p).is_dir()]
    results = {}
    for threads in args.threads:
        for name, env in table.items():
            results[(name, threads)] = run(name, env, threads, paths)
    bad = {key: cells for key, cells in results.items() if cells}
    print(f"\n{len(results) - len(bad)} of {len(results)} settings passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
