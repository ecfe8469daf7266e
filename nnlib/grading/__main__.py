"""``python -m nnlib.grading``: the same as the ``nnlib-grade`` command."""

import sys

from .cli import main

sys.exit(main())
