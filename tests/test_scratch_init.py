"""Weight initialisation: reproducible defaults and the right spreads."""

import subprocess
import sys

import numpy as np
import pytest

from nnlib.scratch import RNN, Conv2D, Dense, init

pytestmark = pytest.mark.ch03


def test_rng_none_gives_each_layer_its_own_weights():
    # before: every rng=None layer of a shape drew the same weights
    a, b = Dense(4, 4), Dense(4, 4)
    assert not np.array_equal(a.params["W"], b.params["W"])
    rnn = RNN(3, 3)  # its two weight matrices are independent too
    assert not np.array_equal(rnn.params["Wx"], rnn.params["Wh"])


WEIGHTS_SCRIPT = (
    "import numpy as np; from nnlib.scratch import Dense; "
    "W = [Dense(4, 4).params['W'].ravel() for _ in range(2)]; "
    "print(np.concatenate(W).tolist())"
)


def test_rng_none_is_reproducible_in_a_fresh_process():
    runs = [
        subprocess.run(
            [sys.executable, "-c", WEIGHTS_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and len(runs[0]) > 100


def test_seed_default_rng_restarts_the_sequence():
    init.seed_default_rng(3)
    first = [Dense(4, 4).params["W"] for _ in range(2)]
    init.seed_default_rng(3)
    again = [Dense(4, 4).params["W"] for _ in range(2)]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    children = np.random.SeedSequence(3).spawn(1)
    expected = init.he_normal((4, 4), 4, np.random.default_rng(children[0]))
    np.testing.assert_array_equal(first[0], expected)
    with pytest.raises(TypeError, match="seed_default_rng expected seed as an int"):
        init.seed_default_rng(2.5)


def test_a_shared_generator_gives_different_layers_different_weights():
    rng = np.random.default_rng(0)
    a, b = Dense(5, 4, rng=rng), Dense(5, 4, rng=rng)
    assert not np.array_equal(a.params["W"], b.params["W"])


def test_spreads_match_the_formulas():
    rng = np.random.default_rng(0)
    shape, fan_in, fan_out = (300, 400), 300, 400
    # 120,000 draws: the sample std is within about 0.5 % of the true one,
    # so a 2 % tolerance cannot fail by chance yet catches a wrong formula.
    a = np.sqrt(6 / (fan_in + fan_out))
    xu = init.xavier_uniform(shape, fan_in, fan_out, rng)
    assert np.abs(xu).max() <= a
    assert xu.std() == pytest.approx(a / np.sqrt(3), rel=0.02)
    xn = init.xavier_normal(shape, fan_in, fan_out, rng)
    assert xn.std() == pytest.approx(np.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    assert init.he_normal(shape, fan_in, rng).std() == pytest.approx(
        np.sqrt(2 / fan_in), rel=0.02
    )
    hu = init.he_uniform(shape, fan_in, rng)
    assert hu.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.02)


def test_conv_fan_in_counts_the_kernel():
    conv = Conv2D(16, 32, 3, rng=np.random.default_rng(0))
    # He normal with fan_in = 16 * 3 * 3 = 144; 4,608 draws: std within ~1 %
    assert conv.params["W"].std() == pytest.approx(np.sqrt(2 / 144), rel=0.05)


def test_bad_rng_is_rejected():
    with pytest.raises(TypeError, match="np.random.Generator or None, got int"):
        Dense(2, 2, rng=42)
