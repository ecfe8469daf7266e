"""Weight initialisation: reproducible defaults and the right spreads."""

import numpy as np
import pytest

from nnlib.scratch import Conv2D, Dense, init

pytestmark = pytest.mark.ch03


def test_rng_none_is_a_fixed_seed():
    a, b = Dense(5, 4), Dense(5, 4)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    expected = init.he_normal((5, 4), 5, np.random.default_rng(init.DEFAULT_SEED))
    np.testing.assert_array_equal(a.params["W"], expected)


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
    with pytest.raises(ValueError, match="np.random.Generator or None, got int"):
        Dense(2, 2, rng=42)
