"""Repository-wide pytest set-up, loaded for tests/, notebooks/ and solutions/ alike.

nbval starts one kernel per notebook. A kernel picks free TCP ports in the parent,
then binds them in its own process; under parallel runs (two xdist workers, the
grader tests starting kernels of their own) another process can take such a port in
between, and the kernel exits before it answers ("Kernel died before replying to
kernel_info"; it failed one fresh-clone `make test` here, 2026-11-28). Nothing of the
notebook has run at that point, so starting again, with new ports, is safe: up to
three attempts. tests/test_kernel_start_retry.py reproduces the race with a busy port.
"""

from __future__ import annotations

import functools

try:
    import nbval.kernel
except ImportError:  # nbval is a test extra; without it there is nothing to patch
    nbval = None

ATTEMPTS = 3


def _retry_start(start):
    @functools.wraps(start)
    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as exc:  # nbval has shut the dead kernel down
                if attempt == ATTEMPTS or "died" not in str(exc):
                    raise

    start_new_kernel.retries = ATTEMPTS
    return start_new_kernel


if nbval is not None and not hasattr(nbval.kernel.start_new_kernel, "retries"):
    nbval.kernel.start_new_kernel = _retry_start(nbval.kernel.start_new_kernel)
