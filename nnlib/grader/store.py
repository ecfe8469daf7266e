"""The output folder: one grader at a time, results that cannot be forged or lost.

- A lock (``OUT/.lock``, ``flock``) held for the whole batch: a second grader
  on the same folder stops at once with ``StoreBusy``.
- ``OUT/secret.id`` records the fingerprint of the secret the folder's results
  were written with; another secret is refused (``SecretMismatch``).
- Each submission's result is written to ``OUT/results/<key>.json`` atomically
  (a temporary file, fsync, rename), with an HMAC-SHA256 over its canonical
  JSON under a key derived from the secret. On loading, a file whose HMAC does
  not verify is ignored (and graded again), so ``--resume`` skips only results
  this grader wrote itself, for the same file contents (its SHA-256).
- ``grades.csv``, ``tasks.csv`` and ``report.json`` are rewritten atomically from
  all results after each one.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import threading
from pathlib import Path

from .records import SubmissionResult
from .secret import derive, fingerprint
from .summary import grades_csv, report_json, tasks_csv

LOCK_FILE, SECRET_ID = ".lock", "secret.id"


class StoreBusy(RuntimeError):
    """Another grader holds this output folder."""


class SecretMismatch(RuntimeError):
    """The folder's results were written with another secret."""


def result_file_name(key: str) -> str:
    """A file name for a submission's key: readable, and unique per key."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("._")[:80]
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable or 'submission'}-{digest}.json"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (never a half-written file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=True).encode("ascii")


class ResultStore:
    """The output folder of one batch (see the module docstring)."""

    def __init__(self, out: Path, secret: bytes, *, resume: bool = False) -> None:
        self.out = out
        (out / "results").mkdir(parents=True, exist_ok=True)
        self._lock = open(out / LOCK_FILE, "a+")  # noqa: SIM115 (held until close)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise StoreBusy(
                f"nnlib-grade expected {out} to be free, got another nnlib-grade "
                "writing there; wait for it or choose another --out"
            ) from None
        self._key = derive(secret, "results")
        self._check_secret(fingerprint(secret), resume)
        self.results: dict[str, SubmissionResult] = {}
        for f in sorted((out / "results").glob("*.json")):
            result = self._load(f)
            if result is not None:
                self.results[result.key] = result

    def _check_secret(self, mine: str, resume: bool) -> None:
        path = self.out / SECRET_ID
        if path.exists():
            theirs = path.read_text("utf-8").strip()
            if theirs != mine and resume:
                self.close()
                raise SecretMismatch(
                    f"nnlib-grade --resume expected the secret that wrote {self.out} "
                    f"(fingerprint {theirs[:12]}), got another ({mine[:12]})"
                )
        # without --resume, results of another secret simply fail their HMAC
        write_atomic(path, mine + "\n")

    def _sign(self, data: dict) -> str:
        return hmac.new(self._key, _canonical(data), hashlib.sha256).hexdigest()

    def _load(self, path: Path) -> SubmissionResult | None:
        """A result file this grader wrote, or None (unsigned, forged, damaged)."""
        try:
            if path.is_symlink() or path.stat().st_size > 16 << 20:
                return None
            wrapper = json.loads(path.read_text("utf-8"))
            data, mac = wrapper["result"], str(wrapper["hmac"])
            if not hmac.compare_digest(mac, self._sign(data)):
                return None
            return SubmissionResult.from_dict(data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def done(self, key: str, sha256: str) -> bool:
        """True when this file's result for these exact contents is saved."""
        r = self.results.get(key)
        return r is not None and bool(sha256) and r.sha256 == sha256

    def save(self, result: SubmissionResult) -> None:
        """Write one signed result, then the CSVs and report over everything."""
        self.results[result.key] = result
        data = result.to_dict()
        text = json.dumps({"result": data, "hmac": self._sign(data)}, indent=1)
        write_atomic(self.out / "results" / result_file_name(result.key), text)
        ordered = sorted(self.results.values(), key=lambda r: (r.student, r.key))
        write_atomic(self.out / "grades.csv", grades_csv(ordered))
        write_atomic(self.out / "tasks.csv", tasks_csv(ordered))
        write_atomic(self.out / "report.json", report_json(ordered))

    def close(self) -> None:
        """Release the lock."""
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
