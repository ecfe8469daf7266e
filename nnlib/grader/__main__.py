"""``python -m nnlib.grader``: the same as the ``nnlib-grade`` command."""

import sys

from nnlib.grader.cli import main

sys.exit(main())
