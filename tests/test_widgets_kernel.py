"""kernel_playground: the feature map is the kernel slid over the chosen digit."""

import numpy as np
import pytest

from nnlib.data import load_digits
from nnlib.widgets import PRESETS, correlate2d, kernel_playground


def _loop_correlate(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def test_correlate2d_matches_the_definition():
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((9, 7)), rng.standard_normal((3, 2))
    np.testing.assert_allclose(
        correlate2d(image, kernel), _loop_correlate(image, kernel)
    )


@pytest.mark.ch08
def test_presets_cells_and_index_drive_the_feature_map():
    X, _ = load_digits()
    playground = kernel_playground(preset="vertical edge", index=3)
    state = playground.state
    np.testing.assert_array_equal(state["kernel"], PRESETS["vertical edge"])
    np.testing.assert_array_equal(state["image"], X[3, 0])
    np.testing.assert_allclose(
        state["feature_map"], _loop_correlate(X[3, 0], PRESETS["vertical edge"])
    )
    assert state["feature_map"].shape == (6, 6)
    shown = playground.figure.axes[2].images[0].get_array()
    np.testing.assert_allclose(shown, state["feature_map"])

    playground.controls["preset"].value = "blur"
    np.testing.assert_allclose(playground.state["kernel"], np.full((3, 3), 1 / 9))
    assert playground.controls["k12"].value == pytest.approx(1 / 9)

    playground.controls["k11"].value = 2.0  # a hand edit makes the kernel "custom"
    assert playground.state["preset"] == "custom"
    expected = np.full((3, 3), 1 / 9)
    expected[1, 1] = 2.0
    np.testing.assert_allclose(playground.state["kernel"], expected)
    np.testing.assert_allclose(
        playground.state["feature_map"], _loop_correlate(X[3, 0], expected)
    )

    playground.controls["index"].value = 10
    np.testing.assert_array_equal(playground.state["image"], X[10, 0])
    assert repr(playground) == "KernelPlayground(preset='custom', index=10)"


def test_set_kernel_custom_images_and_bad_input():
    images = np.random.default_rng(1).random((2, 1, 5, 5))
    playground = kernel_playground(images, preset="identity")
    np.testing.assert_allclose(playground.state["feature_map"], images[0, 0, 1:4, 1:4])
    kernel = np.arange(9.0).reshape(3, 3)
    playground.set_kernel(kernel)
    np.testing.assert_array_equal(playground.state["kernel"], kernel)
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        playground.set_kernel(np.ones((2, 2)))
    with pytest.raises(ValueError, match="preset"):
        kernel_playground(images, preset="emboss")
    with pytest.raises(ValueError, match="kernel_playground expected images"):
        kernel_playground(np.zeros((4, 4)))


def test_set_kernel_names_the_kernel_it_puts_in():
    from nnlib.widgets.kernel import CUSTOM, PRESETS

    playground = kernel_playground(preset="vertical edge")
    playground.set_kernel(np.ones((3, 3)) / 7)
    assert playground.controls["preset"].value == CUSTOM  # no longer "vertical edge"
    name = next(n for n in PRESETS if n != "vertical edge")
    playground.set_kernel(PRESETS[name])
    assert playground.controls["preset"].value == name
    np.testing.assert_array_equal(playground.state["kernel"], PRESETS[name])
