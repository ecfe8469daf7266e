"""Every measured-looking number in a lecture's prose is one the learner can see.

A number in a markdown cell (a decimal, a percentage, a number with thousands
separators) must be in the source of a code cell (a setting the code uses, anywhere
in the notebook) or in the text output of a code cell above it (a result the run
printed, or loaded from a shipped run). A percentage also matches its fraction
(``97.5 %`` and ``0.975``), and a number of two significant digits or more also
matches a printed value it rounds (``99 %`` quotes a printed ``0.989``). Numbers
quoted from papers, and the few facts that need no run, are listed in ``CITED`` with
their source: nothing else is exempt. What the scan cannot see (an integer claim, a
number in words) is for the reviewer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nnlib import course

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(
    r"(?<![\w.\-/])(\d+(?:\.\d+)?\s?%|(?:\d+\.\d+|\d{1,3}(?:,\d{3})+)(?!\w|\.\d))"
)
# (notebook stem, number as written): where the number comes from
CITED: dict[tuple[str, str], str] = {
    ("06_digit_recognizer_from_scratch", "1,797"): (
        "the size of the UCI optical digits set that ships with nnlib "
        "(nnlib/data/files/digits_SOURCE.txt), printed as X's shape in the data section"
    ),
    ("11_vision_transformer", "1.3"): (
        "ImageNet-1k's 1.3 million training images, as in Dosovitskiy et al. (2021), "
        "An Image is Worth 16x16 Words"
    ),
    ("11_vision_transformer", "0.07"): (
        "CLIP's initial temperature, Radford et al. (2021), Learning Transferable "
        "Visual Models From Natural Language Supervision"
    ),
}


def prose(markdown: str) -> str:
    """The markdown without code, maths, link targets and HTML."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<[^>]+>", " ", text)


def spellings(token: str) -> set[str]:
    """How a code cell may print the number: as written, as a fraction, unseparated."""
    token = token.replace(" ", "")
    forms = {token, token.replace(",", ""), token.replace(",", "_")}
    if "." in token and "%" not in token:  # 0.003 as code writes it: 3e-3
        value = float(token)
        forms |= {f"{value:.0e}", f"{value:.0e}".replace("e-0", "e-")}
    if token.endswith("%"):
        value = token[:-1]
        fraction = float(value) / 100
        forms |= {value, f"{fraction:g}"} | {f"{fraction:.{k}f}" for k in (2, 3, 4)}
        forms |= {f"{fraction:.0e}", f"{fraction:.0e}".replace("e-0", "e-")}  # 3e-3
    return forms


PRINTED = re.compile(r"(?<![\w.])[-+]?\d+\.\d+|(?<![\w.])\d+(?![\w.])")


def shown(form: str, text: str) -> bool:
    """Is ``form`` in ``text`` as a whole number (``0.9`` is not in ``0.975``)?"""
    return re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text) is not None


def rounds_to(token: str, printed: list[float]) -> bool:
    """Is ``token`` (two significant digits or more) a printed value, rounded?"""
    text = token.replace(" ", "").replace(",", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    digits = len(text.replace(".", "").lstrip("0"))
    if digits < 2:
        return False
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = float(text)
    for v in printed:
        if percent and abs(v) <= 1:
            v = 100 * v
        if round(v, decimals) == value:
            return True
    return False


def output_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        parts += ["".join(v) for k, v in out.get("data", {}).items() if "text" in k]
    return "\n".join(parts)


def unseen_numbers(path: Path) -> list[str]:
    """``cell N: number`` for each prose number no code cell above it shows."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    seen = "\n".join("".join(c["source"]) for c in code)
    printed: list[float] = []
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            out = output_text(cell)
            seen += "\n" + out
            printed += [float(x) for x in PRINTED.findall(out)]
            continue
        for match in NUMBER.finditer(prose("".join(cell["source"]))):
            token = match.group(1)
            if (path.stem, token) in CITED:
                continue
            if not any(shown(form, seen) for form in spellings(token)) and not (
                rounds_to(token, printed)
            ):
                problems.append(f"cell {i}: {token}")
    return problems


LECTURES = [ROOT / ch["notebook"] for ch in course.chapters()]


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem[:2])
def test_every_number_in_the_prose_is_printed_above_it(path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path.name} does not exist")
    assert unseen_numbers(path) == []


def test_the_scan_finds_an_unprinted_number(tmp_path: Path) -> None:
    def nb(cells: list[dict]) -> Path:
        path = tmp_path / "x.ipynb"
        path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
        return path

    code = {
        "cell_type": "code",
        "source": ["print(acc)"],
        "outputs": [{"output_type": "stream", "text": ["accuracy 0.975\n"]}],
    }
    said = {"cell_type": "markdown", "source": ["It reached 97.5 % and 1,024 steps."]}
    assert unseen_numbers(nb([code, said])) == ["cell 1: 1,024"]
    assert unseen_numbers(nb([said, code])) == ["cell 0: 97.5 %", "cell 0: 1,024"]
    setting = {"cell_type": "code", "source": ["steps = 1_024"], "outputs": []}
    assert unseen_numbers(nb([code, said, setting])) == []
    rounded = {"cell_type": "markdown", "source": ["About 98 %, not 0.96 or 0.9 %."]}
    assert unseen_numbers(nb([code, rounded])) == ["cell 1: 0.96", "cell 1: 0.9 %"]
    maths = {"cell_type": "markdown", "source": ["$0.5 x$ and `lr=0.1`"]}
    assert unseen_numbers(nb([maths])) == []


def test_every_citation_names_its_source() -> None:
    assert all(len(why) > 10 for why in CITED.values())
