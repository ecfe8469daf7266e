"""Each lecture and exercise states the learner time tools/learner_time.py estimates."""

from __future__ import annotations

from pathlib import Path

import pytest
import tool

from nnlib import course

ROOT = Path(__file__).resolve().parents[1]
TIMES = tool.load("learner_time")
HEADERS = [
    ROOT / ch[key] for ch in course.chapters() for key in ("notebook", "solution")
]


@pytest.mark.parametrize("path", HEADERS, ids=lambda p: f"{p.parent.name}/{p.name[:2]}")
def test_the_header_states_the_estimated_time(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not in this copy")
    said, estimate = TIMES.stated(path), TIMES.estimate_for(path)
    assert said is not None, "no '**Estimated time** N minutes' in the first cell"
    assert abs(said - estimate) <= TIMES.TOLERANCE, (
        f"header says {said} min, estimate {estimate}: "
        "run python tools/learner_time.py --write"
    )


def test_the_estimate_counts_reading_code_and_tasks(tmp_path: Path) -> None:
    nb = tmp_path / "notebooks" / "99_x.ipynb"
    nb.parent.mkdir()
    words = " ".join(["word"] * 1200)  # 10 minutes at 120 words a minute
    code = "\n".join(f"x{i} = {i}" for i in range(40))  # 40 lines at 15 s: 10 min
    nb.write_text(
        '{"cells": [{"cell_type": "markdown", "source": "**Estimated time** 20 '
        f'minutes {words}"}}, {{"cell_type": "code", "source": "{code!s}"}}]}}'.replace(
            "\n", "\\n"
        ),
        encoding="utf-8",
    )
    assert TIMES.counts(nb) == (1200 + 4, 40)  # "Estimated time 20 minutes"
    assert TIMES.minutes(nb) == 20 and TIMES.stated(nb) == 20
