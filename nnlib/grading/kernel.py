"""Moved to ``nnlib.grader.kernel`` (the batch grader's own subpackage).

This name stays so that older imports (``from nnlib.grading import kernel``)
keep working: it is the very same module object, so patching it patches the
grader.
"""

import sys

from nnlib.grader import kernel as _kernel

sys.modules[__name__] = _kernel
