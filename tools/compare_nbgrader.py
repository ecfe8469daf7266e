"""Grade one class twice, with nbgrader and with nnlib-grade, and compare the points.

Needs nbgrader (0.9.6 was tried) in a venv of its own, NOT the course's:

    python3.11 -m venv /tmp/nbg/venv
    /tmp/nbg/venv/bin/pip install -c requirements/lock.txt nbgrader
    .venv/bin/python tools/compare_nbgrader.py --nbgrader-bin /tmp/nbg/venv/bin

The notebooks' kernel is the course's Python (this one, with nnlib and numpy): a
kernelspec named ``python3`` under ``WORK/jupyter`` (on ``JUPYTER_PATH``) points
nbgrader's kernel at it. The script (re)builds ``WORK/course`` (default /tmp/nbg):
``source/ps01/`` from solutions/01, ``nbgrader generate_assignment ps01``, six
students in ``submitted/<student>/ps01/`` made from the release (two honest, two
partly right, one untouched, one with a syntax error), then ``nbgrader autograde``
(its gradebook is read per graded cell and exported to
``WORK/course/nbgrader_grades.csv``), then ``nnlib-grade submitted --chapter 01
--out WORK/nnlib_out`` with a fixed secret (``--secret``). It prints the points per
task and student of both graders, their totals and wall times, and exits 1 when an
honest student's totals differ or a task's points differ between the notebook's
nbgrader metadata and nnlib/course_map.json. Not a test: nothing imports it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NB = "01_neuron_and_gradient_descent.ipynb"
TASKS = ["neuron_forward", "mse_gradient", "gd_step", "fit_line"]
HONEST = {"alice", "bob"}
# student -> {solution cell grade_id: code}; a cell not named stays as released
BOB = {
    "neuron_forward": "def neuron_forward(x, w, b):\n    return np.dot(x, w) + b\n",
    "mse_gradient": "def mse_gradient(x, y, a, b):\n"
    "    n = len(x)\n    r = (a * x + b) - y\n"
    "    return 2.0 * np.sum(r * x) / n, 2.0 * np.sum(r) / n\n",
    "gd_step": "def gd_step(x, y, a, b, lr):\n"
    "    g = mse_gradient(x, y, a, b)\n    return a - lr * g[0], b - lr * g[1]\n",
    "fit_line": "def fit_line(x, y, lr, steps):\n    a = b = 0.0\n"
    "    for _ in range(steps):\n        a, b = gd_step(x, y, a, b, lr)\n"
    "    return a, b\n",
}
BROKEN = {
    "carol": {  # forgets the bias; the rest as bob
        "neuron_forward": "def neuron_forward(x, w, b):\n    return x @ w\n"
    },
    "dave": {  # gradient without the factor 2 (half the step); the rest as bob
        "mse_gradient": "def mse_gradient(x, y, a, b):\n"
        "    e = a * x + b - y\n    return np.mean(e * x), np.mean(e)\n"
    },
    "frank": {  # a syntax error in gd_step, so fit_line cannot call it
        "gd_step": "def gd_step(x, y, a, b, lr)\n    return a, b\n"
    },
}


def run(cmd, env, cwd):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stderr}")
    return time.perf_counter() - t


def solution_code(cell):
    """A solution cell without its ### BEGIN/END SOLUTION marker lines."""
    lines = "".join(cell["source"]).splitlines(keepends=True)
    return "".join(ln for ln in lines if "### " not in ln)


def build(work, nbg_bin, kernel_python):
    course = work / "course"
    shutil.rmtree(course, ignore_errors=True)
    (course / "source" / "ps01").mkdir(parents=True)
    shutil.copy(REPO / "solutions" / NB, course / "source" / "ps01" / NB)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'nnlib'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n"
    )
    spec = work / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [str(kernel_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "nnlib", "language": "python"})
    )
    env = dict(os.environ, JUPYTER_PATH=str(work / "jupyter"))
    env["PATH"] = f"{nbg_bin}{os.pathsep}{env['PATH']}"  # nbgrader calls alembic
    run([nbg_bin / "nbgrader", "generate_assignment", "ps01", "--force"], env, course)
    release = json.loads((course / "release" / "ps01" / NB).read_text())
    source = json.loads((REPO / "solutions" / NB).read_text())
    honest = {
        c["metadata"]["nbgrader"]["grade_id"]: solution_code(c)
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    }
    students = {"alice": honest, "bob": BOB, "erin": {}}
    students |= {s: BOB | edits for s, edits in BROKEN.items()}
    for student, code in students.items():
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in code:
                cell["source"] = code[gid].splitlines(keepends=True)
        out = course / "submitted" / student / "ps01" / NB
        out.parent.mkdir(parents=True)
        out.write_text(json.dumps(nb, indent=1))
    return course, env, source, sorted(students)


GRADES = """import json, sys
from nbgrader.api import Gradebook
with Gradebook(sys.argv[1]) as gb:
    print(json.dumps({s.id: {g.name.removeprefix("check_"): g.score for g in
        gb.find_submission("ps01", s.id).notebooks[0].grades} for s in gb.students}))
"""


def nbgrader_points(nbg_bin, env, course):
    """Autograde, then each student's score per graded cell from the gradebook."""
    secs = run([nbg_bin / "nbgrader", "autograde", "ps01", "--force"], env, course)
    db = f"sqlite:///{course / 'gradebook.db'}"
    cmd = [nbg_bin / "python", "-c", GRADES, db]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    run([nbg_bin / "nbgrader", "export", "--to", "nbgrader_grades.csv"], env, course)
    return json.loads(out.stdout), secs


def nnlib_points(grade, course, out, secret):
    """nnlib-grade the submitted/ tree; points and max points per student, task."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    args = ["--chapter", "01", "--out", out, "--secret-file", secret]
    secs = run([grade, course / "submitted", *args], dict(os.environ), REPO)
    points, top = {}, {}
    with open(out / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            task = row["task"].removeprefix("01.")
            points.setdefault(row["student"], {})[task] = float(row["points"])
            top[task] = float(row["max_points"])
    return points, top, secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nbgrader-bin", type=Path, required=True, help="its venv/bin")
    ap.add_argument("--work", type=Path, default=Path("/tmp/nbg"))
    ap.add_argument("--kernel-python", type=Path, default=Path(sys.executable))
    ap.add_argument("--secret", default="compare-nbgrader: a fixed test secret")
    args = ap.parse_args()
    nbg_bin, work = args.nbgrader_bin.resolve(), args.work.resolve()
    course, env, source, students = build(work, nbg_bin, args.kernel_python)
    nbg, t_nbg = nbgrader_points(nbg_bin, env, course)
    secret = work / "secret.txt"
    secret.write_text(args.secret)
    secret.chmod(0o600)
    grade = args.kernel_python.parent / "nnlib-grade"
    nnl, nnl_max, t_nnl = nnlib_points(grade, course, work / "nnlib_out", secret)

    course_map = json.loads((REPO / "nnlib" / "course_map.json").read_text())
    ch01 = next(c for c in course_map["chapters"] if c["id"] == "01")
    cmap = {t["function"]: t["points"] for t in ch01["tasks"]}
    graded = [c["metadata"].get("nbgrader", {}) for c in source["cells"]]
    graded = [g for g in graded if g.get("grade")]
    meta = {g["grade_id"].removeprefix("check_"): g["points"] for g in graded}
    ok = sorted(nnl) == students  # one student per submission, named as nbgrader
    print(f"grades.csv: {sum(map(len, nnl.values()))} rows for students {sorted(nnl)}")
    print("\ntask            nbgrader points  course_map points  grades.csv max")
    for t in TASKS:
        same = meta.get(t) == cmap.get(t) == nnl_max.get(t)
        ok &= same
        row = f"{t:15} {meta.get(t)!s:16} {cmap.get(t)!s:18} {nnl_max.get(t)!s:6}"
        print(row + ("" if same else "  DIFFERENT"))
    head = "  ".join(f"{t[:11]:>11}" for t in TASKS)
    print(f"\nstudent  {head}   nbgrader  nnlib-grade  max")
    for s in students:
        mine, theirs = nnl.get(s, {}), nbg.get(s, {})
        cells = "  ".join(
            f"{theirs.get(t, 0):>5g} / {mine.get(t, 0):<3g}" for t in TASKS
        )
        a, b = sum(theirs.values()), sum(mine.values())
        flag = "" if a == b else ("  DIFFER (honest!)" if s in HONEST else "  differ")
        ok &= a == b or s not in HONEST
        print(f"{s:8} {cells}   {a:>8g}  {b:>11g}  {sum(meta.values()):>3g}{flag}")
    print("(each task: nbgrader / nnlib-grade)")
    print(f"\nwall time: nbgrader autograde {t_nbg:.1f} s, nnlib-grade {t_nnl:.1f} s")
    print(f"nbgrader: {course}/nbgrader_grades.csv; nnlib-grade: {work}/nnlib_out")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
