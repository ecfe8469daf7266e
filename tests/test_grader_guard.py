"""The write guard (an audit hook), in a child process: what it refuses and allows."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, os, shutil, subprocess, sys
    from nnlib.grader import guard

    root, outside, log = sys.argv[1], sys.argv[2], sys.argv[3]
    os.chdir(root)
    guard.install(root, os.open(log, os.O_WRONLY | os.O_CREAT), allow_programs=False)
    attempts = {
        "write inside": lambda: open("ok.txt", "w").write("x"),
        "subfolder inside": lambda: os.makedirs("a/b"),
        "read outside": lambda: open(os.path.join(outside, "note.txt")).read(),
        "write outside": lambda: open(os.path.join(outside, "note.txt"), "w"),
        "append outside": lambda: open(os.path.join(outside, "note.txt"), "a"),
        "os.open outside": lambda: os.open(os.path.join(outside, "new"), os.O_CREAT),
        "escape by ..": lambda: open("../escaped.txt", "w"),
        "escape by symlink": lambda: (os.symlink(outside, "door"),
                                      open("door/via_link.txt", "w")),
        "remove outside": lambda: os.remove(os.path.join(outside, "note.txt")),
        "rmtree outside": lambda: shutil.rmtree(os.path.join(outside, "keep")),
        "rename out": lambda: os.rename("ok.txt", os.path.join(outside, "moved")),
        "subprocess": lambda: subprocess.run(["true"]),
        "os.system": lambda: os.system("true"),
        "signal parent": lambda: os.kill(os.getppid(), 0),
        "dev null": lambda: open(os.devnull, "w").write("x"),
    }
    refused = {}
    for name, attempt in attempts.items():
        try:
            attempt()
            refused[name] = False
        except PermissionError:
            refused[name] = True
    print(json.dumps(refused))
    """
)


def test_only_writes_inside_the_folder_get_through(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    (outside / "keep").mkdir(parents=True)
    (outside / "note.txt").write_text("original")
    log = tmp_path / "refused.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(root), str(outside), str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    refused = json.loads(done.stdout)
    allowed = {"write inside", "subfolder inside", "read outside", "dev null"}
    assert {k for k, v in refused.items() if not v} == allowed
    assert (outside / "note.txt").read_text() == "original"
    assert (outside / "keep").is_dir() and not (tmp_path / "escaped.txt").exists()
    assert not (outside / "via_link.txt").exists() and not (outside / "new").exists()
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(logged) == len(refused) - len(allowed)
    assert any("note.txt" in entry["detail"] for entry in logged)
