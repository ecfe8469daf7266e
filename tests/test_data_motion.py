"""Moving-shape clips: format, motion, and that a single frame tells no direction."""

import numpy as np
import pytest

from nnlib.data import DIRECTIONS, make_moving_shapes

pytestmark = pytest.mark.ch13


def test_format_balance_and_determinism():
    clips, labels = make_moving_shapes(41, size=16, frames=6, seed=2)
    assert clips.shape == (41, 1, 6, 16, 16) and clips.dtype == np.float32
    assert labels.shape == (41,) and labels.dtype == np.int64
    assert 0 <= clips.min() and clips.max() <= 1
    counts = np.bincount(labels, minlength=4)
    assert len(counts) == 4 and counts.max() - counts.min() <= 1
    again, labels2 = make_moving_shapes(41, size=16, frames=6, seed=2)
    np.testing.assert_array_equal(clips, again)
    np.testing.assert_array_equal(labels, labels2)
    assert not np.array_equal(clips, make_moving_shapes(41, frames=6, seed=3)[0])
    assert DIRECTIONS == ("right", "left", "down", "up")


@pytest.mark.parametrize("speed", [1, 2])
def test_each_frame_is_the_last_one_shifted_in_the_labelled_direction(speed):
    clips, labels = make_moving_shapes(24, size=12, frames=5, speed=speed, noise=0.0)
    # on the torus, moving by an integer number of pixels is exactly np.roll
    shift = {0: (speed, 1), 1: (-speed, 1), 2: (speed, 0), 3: (-speed, 0)}
    for clip, label in zip(clips[:, 0], labels, strict=True):
        step, axis = shift[int(label)]
        for t in range(4):
            np.testing.assert_allclose(
                clip[t + 1], np.roll(clip[t], step, axis=axis), atol=1e-5
            )
        assert not np.allclose(clip[1], clip[0], atol=1e-3)  # it does move


def _profiles(frames):
    """Mean column and row profiles of (n, H, W) frames: where the ink is."""
    return np.concatenate([frames.mean(axis=1), frames.mean(axis=2)], axis=1)


def test_a_single_frame_carries_no_information_about_the_direction():
    clips, labels = make_moving_shapes(2000, size=12, frames=4, noise=0.1, seed=0)
    frames = clips[:, 0]  # (n, T, H, W)
    for t in range(frames.shape[1]):
        profile = _profiles(frames[:, t])  # (n, H + W): per-frame positions of ink
        intensity = frames[:, t].mean(axis=(1, 2))  # (n,) how much ink
        for stat in (
            profile,
            intensity[:, None],
            frames[:, t].std(axis=(1, 2))[:, None],
        ):
            overall = stat.mean(axis=0)
            spread = stat.std(axis=0) / np.sqrt(500)  # standard error per label
            for k in range(4):
                gap = np.abs(stat[labels == k].mean(axis=0) - overall)
                assert (gap < 5 * spread + 1e-7).all(), (t, DIRECTIONS[k], gap.max())


def test_the_per_frame_check_would_see_a_start_position_that_gave_the_label_away():
    # the check above has power: without wrap-around, a shape moving right would
    # have to start in the left part and one moving left in the right part; keeping
    # only such clips, the same statistic separates the two labels clearly
    clips, labels = make_moving_shapes(4000, size=12, frames=4, noise=0.1, seed=0)
    first = clips[:, 0, 0]  # (n, H, W)
    column = first.mean(axis=1).argmax(axis=1)  # (n,) the shape's column, roughly
    right = first[(labels == 0) & (column < 8)]
    left = first[(labels == 1) & (column >= 4)]
    a, b = _profiles(right), _profiles(left)
    spread = np.sqrt(a.var(axis=0) / len(a) + b.var(axis=0) / len(b))
    assert (np.abs(a.mean(axis=0) - b.mean(axis=0)) > 5 * spread).any()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 0}, ValueError),
        ({"n": 2, "frames": 1}, ValueError),
        ({"n": 2, "size": 4}, ValueError),
        ({"n": 2, "speed": 0}, ValueError),
        ({"n": 2, "speed": "1"}, TypeError),
        ({"n": 2, "noise": -1}, ValueError),
        ({"n": 2, "seed": 1.5}, TypeError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error, match="make_moving_shapes expected"):
        make_moving_shapes(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        make_moving_shapes(4, 16)
