"""The instructor's secret: it seeds the hidden cases and signs the results.

The secret comes from ``--secret-file``, else the variable
``NNLIB_GRADER_SECRET``, else ``OUT/.secret`` (made on the first run, mode 0600).
Only the grader's process reads it: it never enters a sandbox, and what the
sandbox receives are cases already generated from it. Every key is derived from
the secret with HMAC-SHA256 and a label, so the key of the cases and the key of
the results are unrelated.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV_VAR = "NNLIB_GRADER_SECRET"
SECRET_FILE = ".secret"


def derive(secret: bytes, label: str) -> bytes:
    """A key for one purpose, e.g. ``derive(secret, "results")``."""
    return hmac.new(secret, label.encode("utf-8"), hashlib.sha256).digest()


def case_seed(secret: bytes, task_id: str) -> int:
    """The seed of one task's hidden cases: 64 bits that only the secret gives."""
    return int.from_bytes(derive(secret, f"cases:{task_id}")[:8], "big")


def fingerprint(secret: bytes) -> str:
    """A public name of the secret (tells two secrets apart, reveals nothing)."""
    return derive(secret, "fingerprint").hex()[:32]


def load_secret(secret_file: Path | None, out: Path | None) -> bytes:
    """The secret, from the first of: file, environment, ``OUT/.secret``, random.

    Raises:
        ValueError: when the secret given is empty or shorter than 16 bytes.
    """
    if secret_file is not None:
        value = secret_file.read_bytes().strip()
    elif os.environ.get(ENV_VAR):
        value = os.environ[ENV_VAR].encode("utf-8")
    elif out is not None:
        path = out / SECRET_FILE
        out.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
        value = path.read_bytes().strip()
    else:  # a learner's own progress table: nothing to keep
        value = secrets.token_hex(32).encode("ascii")
    if len(value) < 16:
        raise ValueError(
            f"nnlib-grade expected a secret of at least 16 bytes, got {len(value)}"
        )
    return value
