"""Repository-wide pytest set-up, loaded for tests/, notebooks/ and solutions/ alike.

nbval starts one kernel per notebook. A kernel picks free TCP ports in the parent,
then binds them in its own process; under parallel runs (two xdist workers, the
grader tests starting kernels of their own) another process can take such a port in
between, and the kernel exits before it answers ("Kernel died before replying to
kernel_info"; it failed one fresh-clone `make test` here, 2026-11-28). Nothing of the
notebook has run at that point, so starting again, with new ports, is safe: up to
three attempts; the same for a kernel that never answers within nbval's start-up
timeout. tests/test_grader_kernel.py reproduces the race with a busy port.
"""

from __future__ import annotations

import copy
import functools
import os
import re

try:
    import nbval.kernel
except ImportError:  # nbval is a test extra; without it there is nothing to patch
    nbval = None

ATTEMPTS = 3


RETRIED = re.compile(r"died|didn't respond")


def _retry_start(start):
    @functools.wraps(start)
    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as exc:  # nbval has shut the dead kernel down
                # a kernel that died, or never answered kernel_info (60 s; once in a
                # non-native pass here, 2026-12-02): nothing of the notebook ran yet
                if attempt == ATTEMPTS or not RETRIED.search(str(exc)):
                    raise

    start_new_kernel.retries = ATTEMPTS
    return start_new_kernel


if nbval is not None and not hasattr(nbval.kernel.start_new_kernel, "retries"):
    nbval.kernel.start_new_kernel = _retry_start(nbval.kernel.start_new_kernel)


# Measured results (``nnlib.measured``: ``0.992 ±0.01``) may differ on another machine
# by their stated tolerance; nbval compares every other character exactly. Before
# nbval's own comparison, a computed text output that agrees with the stored one up to
# those tolerances is replaced by the stored text, so it compares equal; any other
# difference (a word, a shape, an exact number, a changed tolerance) still fails.
try:
    import nbval.plugin
except ImportError:
    pass
else:
    from nnlib.measured import PATTERN as MEASURED
    from nnlib.measured import match as _within_tolerance

    def _text_fields(output):
        """(key, field) pairs of an output's text: stream text and text/plain."""
        if output.get("output_type") == "stream":
            yield ("stream", output.get("name")), None
        elif "text/plain" in output.get("data", {}):
            yield (output.get("output_type"), "text/plain"), "text/plain"

    def _log_measured(cell, old, new):
        """With NNLIB_MEASURED_LOG=file, append each measured number's change to it
        (``tools/portability.py`` reports the largest change per setting)."""
        log = os.environ.get("NNLIB_MEASURED_LOG")
        if not log:
            return
        pairs = zip(MEASURED.finditer(old), MEASURED.finditer(new), strict=False)
        with open(log, "a", encoding="utf-8") as f:
            for a, b in pairs:
                change = abs(float(a["value"]) - float(b["value"]))
                f.write(
                    f"{cell.nodeid}\t{a['value']}\t{b['value']}\t{a['tol']}\t{change:.6g}\n"
                )

    def _accept_measured(cell, test, ref):
        """``test``, with each text within tolerance of ``ref`` set to ``ref``."""
        refs: dict = {}
        for output in ref:
            for key, field in _text_fields(output):
                refs.setdefault(key, []).append((output, field))
        seen: dict = {}
        accepted = []
        for output in test:
            output = nbval.plugin.nbformat.NotebookNode(copy.deepcopy(dict(output)))
            for key, field in _text_fields(output):
                index = seen.get(key, 0)
                seen[key] = index + 1
                if index >= len(refs.get(key, [])):
                    continue
                stored, _ = refs[key][index]
                get = (
                    (lambda o: o["text"])
                    if field is None
                    else (lambda o: o["data"]["text/plain"])
                )
                old, new = cell.sanitize(get(stored)), cell.sanitize(get(output))
                _log_measured(cell, old, new)
                if old != new and _within_tolerance(old, new):
                    if field is None:
                        output["text"] = stored["text"]
                    else:
                        output["data"]["text/plain"] = stored["data"]["text/plain"]
            accepted.append(output)
        return accepted

    _compare_outputs = nbval.plugin.IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return _compare_outputs(
            self, _accept_measured(self, test, ref), ref, skip_compare
        )

    if not hasattr(_compare_outputs, "measured"):
        compare_outputs.measured = True
        nbval.plugin.IPyNbCell.compare_outputs = compare_outputs
