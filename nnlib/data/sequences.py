"""Integer sequence tasks for the RNN and Transformer chapters.

Every task returns ``inputs`` and ``targets``, both (n, length) int64: a model reads
the input sequence and predicts one target token per position.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_choice, check_int, check_seed

SEQUENCE_TASKS: tuple[str, ...] = ("copy", "reverse", "sort", "add")


def _digits(values: np.ndarray, n_digits: int, base: int) -> np.ndarray:
    """Digits of each value, most significant first, zero padded.

    Shape: (n,) -> (n, n_digits)
    """
    powers = base ** np.arange(n_digits - 1, -1, -1, dtype=np.int64)  # (n_digits,)
    return (values[:, None] // powers[None, :]) % base  # (n, 1) // (1, d) -> (n, d)


def make_sequence_task(
    kind: str, n: int = 1000, length: int = 8, vocab: int = 10, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets for a toy sequence task; same seed, same arrays.

    Args:
        kind: one of ``SEQUENCE_TASKS``, explained below.
        n: the number of sequences. Default: ``1000``.
        length: the tokens per sequence. Default: ``8``.
        vocab: the number of token values, at least 2. Default: ``10``.
        seed: the seed of the random generator. Default: ``0``.

    Kinds (tokens are integers in ``0..vocab-1`` unless stated):

    - ``"copy"``: random tokens; the target is the input itself.
    - ``"reverse"``: random tokens; the target is the input reversed,
      ``targets[:, t] == inputs[:, length - 1 - t]`` (needs the far end of the input).
    - ``"sort"``: random tokens; the target is the input sorted ascending.
    - ``"add"``: ``length`` must be odd, ``length = 2 d + 1``. The input holds the
      digits (base ``vocab``, most significant first, zero padded to ``d`` digits) of a
      number ``p``, then the separator token ``vocab`` (a "+" sign, so this task uses
      ``vocab + 1`` token values), then the ``d`` digits of ``q``. The target is the
      ``length`` digits of ``p + q``, most significant first, zero padded: the sum needs
      at most ``d + 1`` digits, so the first ``d`` target tokens are always 0. Example
      with ``vocab=10, length=7``: 123 + 989 is input ``[1, 2, 3, 10, 9, 8, 9]`` and
      target ``[0, 0, 0, 1, 1, 1, 2]``. Reverse both along axis 1 to present the least
      significant digit first, the order in which carries travel.

    Shape:
        - inputs: (n, length) int64
        - targets: (n, length) int64

    Returns:
        ``(inputs, targets)``.

    Example:
        >>> from nnlib.data import make_sequence_task
        >>> inputs, targets = make_sequence_task("reverse", n=2, length=5)
        >>> inputs.shape, bool((targets == inputs[:, ::-1]).all())
        ((2, 5), True)
        >>> inputs, targets = make_sequence_task("add", n=1, length=7)
        >>> int(inputs[0, 3])  # the "+" token is vocab
        10
    """
    where = "make_sequence_task"
    check_choice(where, "kind", kind, SEQUENCE_TASKS)
    n = check_int(where, "n", n)
    length = check_int(where, "length", length)
    vocab = check_int(where, "vocab", vocab, minimum=2)
    rng = np.random.default_rng(check_seed(where, seed))
    if kind != "add":
        inputs = rng.integers(0, vocab, size=(n, length), dtype=np.int64)
        if kind == "copy":
            targets = inputs.copy()
        elif kind == "reverse":
            targets = inputs[:, ::-1].copy()
        else:
            targets = np.sort(inputs, axis=1)
        return inputs, targets

    if length < 3 or length % 2 == 0:
        raise ValueError(
            f"make_sequence_task expected an odd length >= 3 (2 d + 1) for 'add', "
            f"got {length}"
        )
    d = (length - 1) // 2
    if vocab**length >= 2**62:
        raise ValueError(
            f"make_sequence_task expected vocab**length < 2**62 (int64), "
            f"got {vocab}**{length}"
        )
    p = rng.integers(0, vocab**d, size=n, dtype=np.int64)
    q = rng.integers(0, vocab**d, size=n, dtype=np.int64)
    separator = np.full((n, 1), vocab, dtype=np.int64)
    inputs = np.concatenate(
        [_digits(p, d, vocab), separator, _digits(q, d, vocab)], axis=1
    )  # (n, d) + (n, 1) + (n, d) -> (n, length)
    targets = _digits(p + q, length, vocab)  # (n, length)
    return inputs, targets
