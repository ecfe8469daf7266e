"""Hostile submissions against the sandboxed batch grader, beside honest ones.

One nbgrader tree (``submitted/<student>/ch01/<notebook>.ipynb``) holds two
honest students and one student per attack; it is graded once with
``--jobs 2`` and each test below checks that one attack failed. Every attack
here succeeded against the grader before bubblewrap (the audit-hook tripwire):
it is the kernel that reads, writes, signals or connects, with plain Python.
Each hostile function returns the right answer only when its attack worked,
so "0 points" means "the attack failed".
"""

from __future__ import annotations

import csv
import os
import subprocess
import textwrap
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nnlib.grader.batch import grade_batch
from nnlib.grader.kernel import Limits
from nnlib.grader.sandbox import sandbox_works
from nnlib.grading import get_spec

pytestmark = [pytest.mark.ch01, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01_neuron_and_gradient_descent.ipynb"
MARKER = "nnlib-test-marker-4f1c"  # in the grader's environment, never the kernel's
SOLVED = [
    "import numpy as np\nfrom nnlib.grading import check",
    "def neuron_forward(x, w, b):\n    return x @ w + b",
    'check("01.neuron_forward", neuron_forward)',
    "def mse_gradient(x, y, a, b):\n    e = a * x + b - y\n"
    "    return np.mean(2 * e * x), np.mean(2 * e)",
    "def gd_step(x, y, a, b, lr):\n    da, db = mse_gradient(x, y, a, b)\n"
    "    return a - lr * da, b - lr * db",
    "def fit_line(x, y, lr, steps):\n    a = b = 0.0\n    for _ in range(steps):\n"
    "        a, b = gd_step(x, y, a, b, lr)\n    return a, b",
]


def require_sandbox() -> None:
    """Skip without bubblewrap, except in CI (NNLIB_REQUIRE_SANDBOX=1): fail."""
    why = sandbox_works()
    if why and os.environ.get("NNLIB_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"NNLIB_REQUIRE_SANDBOX=1 but there is no sandbox: {why}")
    if why:
        pytest.skip(f"no bubblewrap sandbox here ({why})")


def _forward_if(condition: str, setup: str = "") -> list[str]:
    """A notebook whose neuron_forward is right only when ``condition`` holds."""
    body = textwrap.indent(textwrap.dedent(setup).strip(), "    ")
    fn = (
        "def neuron_forward(x, w, b):\n"
        + (body + "\n" if body else "")
        + f"    if {condition}:\n        return x @ w + b\n"
        "    raise RuntimeError('the attack failed')"
    )
    return [SOLVED[0], fn]


def _public_seed_table() -> str:
    spec = get_spec("01.neuron_forward")
    table = {
        case.args[0].tobytes(): spec.expected(case).tolist() for case in spec.cases(1)
    }
    return repr(table)


def _students(root: Path, out: Path, victim_pid: int) -> dict[str, list[str]]:
    outside = root / "outside"
    solution = ROOT / "solutions" / NOTEBOOK
    classmate = root / "course" / "submitted" / "a_honest" / "ch01" / NOTEBOOK
    hijack = """
        import glob, json, threading, time
        from ipykernel.connect import get_connection_file
        from jupyter_client import BlockingKernelClient
        EVIL = (
            "import threading, time\\n"
            "def _evil():\\n"
            "    ns = get_ipython().user_ns\\n"
            "    while True:\\n"
            "        ns['neuron_forward'] = lambda *a: 0.0\\n"
            "        time.sleep(0.001)\\n"
            "threading.Thread(target=_evil, daemon=True).start()\\n"
        )
        mine, done, end = get_connection_file(), set(), time.time() + 5
        while time.time() < end:
            for f in glob.glob('/tmp/**/kernel*.json', recursive=True):
                if f != mine and f not in done:
                    done.add(f)
                    try:
                        kc = BlockingKernelClient(connection_file=f)
                        kc.load_connection_file()
                        kc.start_channels()
                        kc.execute(EVIL)
                    except Exception:
                        pass
            time.sleep(0.2)
    """
    return {
        "a_hijack": [SOLVED[0], textwrap.dedent(hijack)],
        # sleeps first, so that the attacker above runs while it does
        "a_honest": ["import time\ntime.sleep(3)", *SOLVED],
        "escape_write": [
            SOLVED[0],
            textwrap.dedent(
                f"""
                import os
                wrote = []
                def outside():
                    return os.open({str(outside)!r}, os.O_RDONLY)
                for attempt in (
                    lambda: os.open('note.txt', os.O_WRONLY | os.O_CREAT,
                                    dir_fd=outside()),
                    lambda: (open('mine.txt', 'w').write('m'),
                             os.replace('mine.txt', 'moved.txt',
                                        dst_dir_fd=outside())),
                    lambda: (os.link({str(outside / "keep.txt")!r}, 'hard'),
                             open('hard', 'w').write('changed')),
                    lambda: open({str(out / "grades.csv")!r}, 'w').write('forged'),
                ):
                    try:
                        attempt()
                        wrote.append(True)
                    except Exception:
                        pass
                """
            ),
            "def neuron_forward(x, w, b):\n"
            "    if wrote:\n        return x @ w + b\n"
            "    raise RuntimeError('the attack failed')",
        ],
        # _posixsubprocess (under multiprocessing.util) raises no audit event,
        # and setsid leaves the kernel's process group
        "linger": [
            SOLVED[0],
            "from multiprocessing.util import spawnv_passfds\n"
            "spawnv_passfds(b'/usr/bin/setsid', [b'setsid', b'sleep', b'777.25'], ())\n"
            "spawnv_passfds(b'/usr/bin/setsid', [b'setsid', b'sh', b'-c', "
            f"b'sleep 3.25; echo forged > {out / 'grades.csv'}'], ())",
            *SOLVED[1:],
        ],
        "signal": _forward_if(
            "hit",
            f"""
            import os, resource, signal
            hit = False
            for attempt in (
                lambda: resource.prlimit({victim_pid}, resource.RLIMIT_NOFILE,
                                         (5, 5)),
                lambda: signal.pidfd_send_signal(os.pidfd_open({victim_pid}),
                                                 signal.SIGKILL),
            ):
                try:
                    attempt()
                    hit = True
                except Exception:
                    pass
            """,
        ),
        "leak_files": _forward_if(
            "seen",
            f"""
            seen = []
            for path in ({str(solution)!r}, {str(classmate)!r}):
                try:
                    seen.append(open(path).read(100))
                except OSError:
                    pass
            """,
        ),
        "leak_proc": _forward_if(
            "seen",
            f"""
            import os
            seen = []
            for pid in os.listdir('/proc'):
                for name in ('environ', 'cmdline'):
                    try:
                        data = open(f'/proc/{{pid}}/{{name}}', 'rb').read()
                    except OSError:
                        continue
                    if {MARKER.encode()!r} in data:
                        seen.append(pid)
            """,
        ),
        "table": [
            SOLVED[0],
            f"TABLE = {_public_seed_table()}\n"
            "def neuron_forward(x, w, b):\n"
            "    return np.array(TABLE[x.tobytes()])",
        ],
        "shm": [
            SOLVED[0],
            f"open('/dev/shm/{MARKER}', 'w').write('left behind')",
            *SOLVED[1:],
        ],
        "surrogate": [
            SOLVED[0],
            "def neuron_forward(x, w, b):\n    raise ValueError('\\udc80\\x1b[2J')",
        ],
        "huge_answer": [
            SOLVED[0],
            "def neuron_forward(x, w, b):\n    return np.zeros(4 << 20)  # 32 MB",
        ],
        # right only inside a sandbox as README describes it (no attack)
        "inside": _forward_if(
            "all(facts.values())",
            """
            import os, resource, socket
            status = open('/proc/self/status').read()
            lim = resource.getrlimit
            st = os.statvfs(os.path.expanduser('~'))
            facts = dict(
                uid=os.getuid() == 65534 and 'CapEff:\t0000000000000000' in status,
                alone=len([p for p in os.listdir('/proc') if p.isdigit()]) < 10,
                no_net=[n for _, n in socket.if_nameindex()] == ['lo'],
                no_grader_env=not any('NNLIB_TEST' in k for k in os.environ),
                cpu=lim(resource.RLIMIT_CPU)[1] != resource.RLIM_INFINITY,
                files=lim(resource.RLIMIT_NOFILE)[1] <= 1024,
                procs=lim(resource.RLIMIT_NPROC)[1] <= 256,
                size=lim(resource.RLIMIT_FSIZE)[1] != resource.RLIM_INFINITY,
                memory=lim(resource.RLIMIT_DATA)[1] != resource.RLIM_INFINITY,
                small_home=st.f_blocks * st.f_frsize <= 2 << 30,
                read_only=not os.access(os.path.dirname(os.__file__), os.W_OK),
            )
            """,
        ),
        "z_honest": SOLVED,
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    require_sandbox()
    root = tmp_path_factory.mktemp("attacks")
    outside = root / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("kept")
    out = root / "out"
    Path(f"/dev/shm/{MARKER}").unlink(missing_ok=True)  # from an earlier grader
    victim = subprocess.Popen(["sleep", "300"])
    limits_before = Path(f"/proc/{victim.pid}/limits").read_text()
    os.environ["NNLIB_TEST_TOKEN"] = MARKER
    try:
        for name, cells in _students(root, out, victim.pid).items():
            folder = root / "course" / "submitted" / name / "ch01"
            folder.mkdir(parents=True)
            nb = nbformat.v4.new_notebook()
            nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
            nbformat.write(nb, folder / NOTEBOOK)
        # 20 s each: an honest notebook needs 2 s, a loaded machine more
        limits = Limits(timeout=20, memory_mb=1500, sandbox=True)
        results = grade_batch(
            [root / "course" / "submitted"], limits, out=out, chapters=["01"], jobs=2
        )
        finished = time.monotonic()
        yield {
            "results": {r.student: r for r in results},
            "out": out,
            "outside": outside,
            "victim": victim,
            "limits_before": limits_before,
            "finished": finished,
            "limits": limits,
            "root": root,
        }
    finally:
        del os.environ["NNLIB_TEST_TOKEN"]
        victim.kill()
        victim.wait()


def _forward_points(attacked: dict, student: str) -> int:
    return attacked["results"][student].tasks[0].points


def test_every_student_of_the_tree_gets_rows_under_their_own_name(attacked):
    results = attacked["results"]
    assert len(results) == 13  # nbgrader: submitted/<student>/ch01/<notebook>
    with open(attacked["out"] / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["student"] for r in rows} == set(results)
    assert len(rows) == 4 * len(results)


def test_honest_students_keep_full_marks_beside_hostile_ones(attacked):
    for student in ("a_honest", "z_honest"):
        result = attacked["results"][student]
        assert result.points == result.max_points == 6, result.tasks


def test_another_kernel_cannot_be_reached_through_its_connection_file(attacked):
    # with --jobs 2, a_hijack ran while a_honest slept: it found no kernel
    assert attacked["results"]["a_honest"].points == 6


def test_no_write_reaches_outside_the_sandbox(attacked):
    assert _forward_points(attacked, "escape_write") == 0
    assert sorted(p.name for p in attacked["outside"].iterdir()) == ["keep.txt"]
    assert (attacked["outside"] / "keep.txt").read_text() == "kept"


def test_nothing_of_a_sandbox_outlives_it(attacked):
    # the process started by "linger" would rewrite grades.csv 3.25 s after it
    # started, that is before the batch ended (+ 1 s of margin)
    time.sleep(max(0.0, attacked["finished"] + 1 - time.monotonic()))
    left = subprocess.run(
        ["pgrep", "-f", "sleep 777.25"], capture_output=True, text=True
    ).stdout
    assert left == ""
    assert not Path(f"/dev/shm/{MARKER}").exists()
    text = (attacked["out"] / "grades.csv").read_text("utf-8")
    assert text.startswith("student,task") and "forged" not in text
    assert attacked["results"]["linger"].points == 6


def test_other_processes_cannot_be_signalled_or_limited(attacked):
    assert _forward_points(attacked, "signal") == 0
    victim = attacked["victim"]
    assert victim.poll() is None
    assert Path(f"/proc/{victim.pid}/limits").read_text() == attacked["limits_before"]


def test_classmates_and_solutions_cannot_be_read(attacked):
    assert _forward_points(attacked, "leak_files") == 0


def test_the_graders_environment_and_command_line_are_out_of_sight(attacked):
    assert _forward_points(attacked, "leak_proc") == 0


def test_answers_for_the_public_seed_earn_nothing(attacked):
    task = attacked["results"]["table"].tasks[0]
    assert task.points == 0 and "KeyError" in task.feedback


def test_a_bad_exception_text_is_stored_safely_and_resume_works(attacked):
    feedback = attacked["results"]["surrogate"].tasks[0].feedback
    assert "ValueError" in feedback and "\udc80" not in feedback
    assert "\x1b" not in feedback
    seen = []
    grade_batch(
        [attacked["root"] / "course" / "submitted"],
        attacked["limits"],
        out=attacked["out"],
        chapters=["01"],
        resume=True,
        on_result=lambda r, skipped: seen.append(skipped),
    )
    assert len(seen) == 13 and all(seen)


def test_the_sandbox_has_its_own_user_processes_network_and_limits(attacked):
    assert _forward_points(attacked, "inside") == 1, attacked["results"]["inside"]


def test_a_huge_answer_is_refused_unread(attacked):
    task = attacked["results"]["huge_answer"].tasks[0]
    assert task.points == 0 and "larger than 16 MB" in task.feedback


def test_a_generated_answer_table_is_what_it_seems():
    # the "table" student above is honest about what it does: for the public
    # seed it is right, so its 0 points come from the secret's hidden cases
    spec = get_spec("01.neuron_forward")
    case = spec.cases(1)[0]
    table = eval(_public_seed_table())  # our own repr, not a submission's
    assert np.allclose(table[case.args[0].tobytes()], spec.expected(case))
