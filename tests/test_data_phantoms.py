"""CT-like phantoms: format, determinism, lesions where the masks say, the noise."""

import numpy as np
import pytest

from nnlib.data import make_phantoms
from nnlib.data.phantoms import AIR, BONE, FLUID, TISSUE

pytestmark = pytest.mark.ch13


def test_format_and_determinism():
    images, masks = make_phantoms(6, size=40, seed=1)
    assert images.shape == (6, 1, 40, 40) and images.dtype == np.float32
    assert masks.shape == (6, 40, 40) and masks.dtype == np.int64
    assert set(np.unique(masks).tolist()) <= {0, 1}
    again, masks2 = make_phantoms(6, size=40, seed=1)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(masks, masks2)
    assert not np.array_equal(images, make_phantoms(6, size=40, seed=2)[0])


def test_lesions_come_as_often_as_asked():
    _, masks = make_phantoms(400, size=32, lesion_prob=0.3, seed=0)
    share = masks.any(axis=(1, 2)).mean()
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 400)
    assert not make_phantoms(20, size=32, lesion_prob=0.0)[1].any()
    assert make_phantoms(20, size=32, lesion_prob=1.0)[1].any(axis=(1, 2)).all()


def _ring(mask):
    """Pixels next to the mask (4-neighbours) but not in it."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown & ~mask


def test_masks_mark_the_denser_spot_inside_the_brain():
    images, masks = make_phantoms(60, size=48, lesion_prob=1.0, noise=0.0, seed=3)
    for image, mask in zip(images[:, 0], masks, strict=True):
        lesion = mask == 1
        values = np.unique(image[lesion])
        assert len(values) == 1  # one constant intensity ...
        assert TISSUE + 0.1 - 1e-6 <= values[0] <= TISSUE + 0.2 + 1e-6  # ... denser
        ring = image[_ring(lesion)]
        assert (ring < values[0]).all()  # surrounded by lighter tissue or fluid
        assert (ring > AIR + 0.2).all() and (ring < BONE).all()  # inside the brain
    clean, _ = make_phantoms(60, size=48, lesion_prob=0.0, noise=0.0, seed=3)
    assert (clean <= TISSUE + 0.05 + 1e-6).sum() > (clean == BONE).sum()


def test_anatomy_air_bone_tissue_and_fluid():
    images, _ = make_phantoms(10, size=64, noise=0.0, seed=0)
    for image in images[:, 0]:
        assert image[0, 0] == AIR and image[-1, -1] == AIR  # corners: outside the head
        assert (image == BONE).mean() > 0.05  # the skull
        assert (image == FLUID).sum() > 10  # the ventricles
        brain = image[(image > FLUID) & (image < BONE)]
        values, counts = np.unique(brain, return_counts=True)
        assert values[counts.argmax()] == pytest.approx(TISSUE)  # mostly tissue


def test_noise_has_the_asked_size_and_is_grainy():
    clean, _ = make_phantoms(20, size=64, noise=0.0, seed=4)
    noisy, _ = make_phantoms(20, size=64, noise=0.05, seed=4)
    grain = (noisy - clean)[:, 0, 1:-1, 1:-1].astype(np.float64)  # inner pixels
    assert grain.std() == pytest.approx(0.05, rel=0.05)
    # a 3 x 3 mean: horizontal neighbours share 6 of 9 samples, correlation 2/3
    pairs = np.corrcoef(grain[..., :-1].ravel(), grain[..., 1:].ravel())[0, 1]
    assert pairs == pytest.approx(2 / 3, abs=0.05)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 0}, ValueError),
        ({"n": 2, "size": 16}, ValueError),
        ({"n": 2, "lesion_prob": 1.5}, ValueError),
        ({"n": 2, "lesion_prob": True}, TypeError),
        ({"n": 2, "noise": -0.1}, ValueError),
        ({"n": 2, "seed": "0"}, TypeError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error, match="make_phantoms expected"):
        make_phantoms(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        make_phantoms(4, 32)
