"""tools/portability.py: the numerics settings `make test-portable` runs nbval under."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
import tool

ROOT = Path(__file__).resolve().parent.parent
portability = tool.load("portability")

X86 = platform.machine().lower() in {"x86_64", "amd64"}


def test_numpy_widest_drops_the_top_tier_and_keeps_the_lowest():
    avx512 = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]
    assert portability.numpy_widest(avx512) == ["X86_V4", "AVX512_ICL", "AVX512_SPR"]
    assert portability.numpy_widest(["X86_V3"]) == ["X86_V3"]  # an AVX2 machine
    assert portability.numpy_widest([]) == []  # nothing above the baseline


@pytest.mark.skipif(not X86, reason="the oneDNN ISA names are x86's")
def test_an_avx512_machine_emulates_every_lower_setting():
    table = portability.settings(
        {"aten": "AVX512", "dispatch": ["X86_V3", "X86_V4", "AVX512_ICL"]}
    )
    assert table["native"] == {}
    for capability in ("default", "avx2", "avx512"):
        assert table[f"aten={capability}"] == {"ATEN_CPU_CAPABILITY": capability}
    assert table["onednn=SSE41"] == {"ONEDNN_MAX_CPU_ISA": "SSE41"}
    assert table["numpy-X86_V4-AVX512_ICL"] == {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"
    }
    assert table["non-native"] == {
        "ATEN_CPU_CAPABILITY": "default",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL",
    }


def test_a_machine_without_simd_tiers_still_has_the_non_native_setting():
    table = portability.settings({"aten": "DEFAULT", "dispatch": []})
    assert "aten=avx2" not in table and "aten=avx512" not in table
    assert table["non-native"] == {"ATEN_CPU_CAPABILITY": "default"}


def test_this_machine_lists_the_setting_make_test_uses():
    assert "non-native" in portability.settings()


def test_failures_are_read_from_the_junit_report(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(
        "<testsuites><testsuite>"
        '<testcase classname="notebooks.08.ipynb" name="Cell 1"/>'
        '<testcase classname="notebooks.08.ipynb" name="Cell 2"><failure/></testcase>'
        '<testcase classname="notebooks.11.ipynb" name="Cell 5"><error/></testcase>'
        "</testsuite></testsuites>"
    )
    assert portability.failures(report) == [
        "notebooks.08.ipynb::Cell 2",
        "notebooks.11.ipynb::Cell 5",
    ]
    assert portability.failures(tmp_path / "missing.xml") == [
        "(no report: pytest did not finish)"
    ]


def test_the_largest_change_per_cell_is_reported(tmp_path):
    log = tmp_path / "measured.tsv"
    log.write_text(
        "nb::Cell 3\t0.811\t0.817\t0.03\t0.006\n"
        "nb::Cell 3\t0.800\t0.808\t0.03\t0.008\n"
        "nb::Cell 4\t0.992\t0.992\t0.01\t0\n"
    )
    assert portability._largest_changes(log) == {
        "nb::Cell 3": (0.008, "0.03", "0.800", "0.808")
    }


def test_make_test_runs_the_non_native_setting_over_the_notebook_folders():
    import shlex
    import subprocess

    out = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-n",
            "-o",
            ".venv/.installed",
            "-o",
            ".venv/.installed-web",
            "-o",
            "node_modules/.ci",
            "test",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (line,) = [x for x in out.splitlines() if "tools/portability.py" in x]
    argv = shlex.split(line)
    args = portability.parser().parse_args(
        argv[argv.index("tools/portability.py") + 1 :]
    )
    assert args.only == ["non-native"] and args.threads == [1]
    assert args.paths and set(args.paths) <= {"notebooks", "solutions"}
