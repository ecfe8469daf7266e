"""Hypothesis strategies shared by the scratch tests, and the tolerances they use.

Shapes are kept small (gradient checks nudge every entry one at a time) but
cover the edges: batch 1, odd image sizes, strides 1-3, paddings 0-2,
1-4 heads, sequence lengths 1-9. Arrays come from a drawn integer seed, so a
failing example is reproduced from the seed hypothesis prints.
"""

import numpy as np
from hypothesis import strategies as st

# PyTorch in float64 runs the same maths in a different order: results differ
# by a few ulps (about 1e-15 relative on values of order 1). 1e-10 leaves a wide
# margin above that and is far below what any real mistake produces (>= 1e-3).
TORCH_TOL = {"rtol": 1e-10, "atol": 1e-10}

# Central differences with eps = 1e-6 in float64 agree with a correct backward
# to about 1e-9 (truncation ~eps^2, rounding ~1e-16 / eps); a wrong backward
# gives errors of 1e-3 or more. The brief's bound is 1e-6.
GRADCHECK_TOL = 1e-6

seeds = st.integers(min_value=0, max_value=2**32 - 1)
batch_sizes = st.integers(min_value=1, max_value=3)
features = st.integers(min_value=1, max_value=6)


def randn(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Standard-normal float64 array of the given shape."""
    return rng.standard_normal(shape)


def randomize_params(layer, rng: np.random.Generator, scale: float = 0.5) -> None:
    """Overwrite every parameter with random values (so zero biases are tested too)."""
    for p in layer.params.values():
        p[...] = scale * rng.standard_normal(p.shape)


@st.composite
def conv_configs(draw) -> dict:
    """A Conv2D set-up whose kernel fits the padded image."""
    k = draw(st.integers(1, 3))
    p = draw(st.integers(0, 2))
    low = max(1, k - 2 * p)  # H + 2p >= k
    return {
        "N": draw(batch_sizes),
        "C": draw(st.integers(1, 3)),
        "F": draw(st.integers(1, 3)),
        "k": k,
        "s": draw(st.integers(1, 3)),
        "p": p,
        "H": draw(st.integers(low, low + 6)),
        "W": draw(st.integers(low, low + 6)),
    }


@st.composite
def pool_configs(draw) -> dict:
    """A pooling set-up; stride None means 'same as the kernel'."""
    k = draw(st.integers(1, 3))
    return {
        "N": draw(batch_sizes),
        "C": draw(st.integers(1, 3)),
        "k": k,
        "s": draw(st.none() | st.integers(1, 3)),
        "H": draw(st.integers(k, k + 6)),
        "W": draw(st.integers(k, k + 6)),
    }


@st.composite
def rnn_configs(draw) -> dict:
    """Sizes for an RNN: batch, time steps 1-9, input and hidden sizes."""
    return {
        "N": draw(batch_sizes),
        "T": draw(st.integers(1, 9)),
        "D": draw(st.integers(1, 4)),
        "H": draw(st.integers(1, 5)),
    }


@st.composite
def attention_configs(draw) -> dict:
    """Sizes for self-attention: 1-4 heads, d_model = heads * head size, T 1-9."""
    heads = draw(st.integers(1, 4))
    return {
        "N": draw(st.integers(1, 2)),
        "T": draw(st.integers(1, 9)),
        "heads": heads,
        "d_model": heads * draw(st.integers(1, 3)),
        "causal": draw(st.booleans()),
    }


# ------------------------------------------------------------ bad input (any array)
BAD_DTYPES = (
    "float16",
    "float32",
    "float64",
    "int64",
    "int32",
    "bool",
    "complex128",
    "object",
    "str",
)
# values that keep every layer well conditioned, so that float16 and float64 agree
NICE_VALUES = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0])


@st.composite
def bad_arrays(draw, max_side: int = 4) -> np.ndarray:
    """Any array a learner might pass: rank 0-4, sides 0-``max_side`` (so empty and
    size-1 batches), every dtype kind, NaN/inf entries, negative strides."""
    shape = tuple(draw(st.lists(st.integers(0, max_side), max_size=4)))
    values = np.array(
        draw(
            st.lists(
                NICE_VALUES, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
            )
        )
    )
    x = values.reshape(shape)
    if x.size and draw(st.booleans()):
        x.flat[draw(st.integers(0, x.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    dtype = draw(st.sampled_from(BAD_DTYPES))
    if dtype in ("int64", "int32", "bool"):
        x = np.asarray(np.nan_to_num(x, posinf=3.0, neginf=-2.0))  # 0-d stays an array
    x = x.astype(dtype)
    if x.ndim and draw(st.booleans()):
        x = x[::-1]  # a view with a negative stride
    return x


@st.composite
def bad_scalars(draw, sizes: bool = False) -> object:
    """Any value a learner might pass where a number is expected.

    With ``sizes``: mostly small ints (legal and not), else floats and other types.
    """
    ints = st.integers(-3, 6) if sizes else st.integers(-3, 3)
    return draw(
        st.one_of(
            ints,
            st.integers(-(2**70), 2**70),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.5, 2.0, 1e-3, 0.9, 0.0]),
            st.booleans(),
            st.none(),
            st.text(max_size=2),
            st.just(np.int64(2)),
            st.just([1]),
        )
    )
