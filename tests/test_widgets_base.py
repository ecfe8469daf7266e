"""The shared widget machinery: start values inside the slider's range, or an error."""

import ipywidgets as widgets
import pytest

from nnlib.widgets import (
    activation_explorer,
    kernel_playground,
    learning_rate_explorer,
)
from nnlib.widgets.base import slider


def test_a_start_value_inside_the_range_is_kept():
    s = slider("f", widgets.FloatSlider, value=0.5, min=0.0, max=1.0, description="x")
    assert s.value == 0.5


@pytest.mark.parametrize(
    ("factory", "value", "low", "high"),
    [
        (widgets.FloatSlider, 10.0, -5.0, 5.0),
        (widgets.IntSlider, 500, 1, 100),
        (widgets.FloatLogSlider, 5.0, -3, 0.5),  # 10**0.5 = 3.16
    ],
)
def test_a_start_value_outside_the_range_is_an_error_not_a_clamp(
    factory, value, low, high
):
    with pytest.raises(ValueError, match=r"f expected x as a finite number in \["):
        slider("f", factory, value=value, min=low, max=high, description="x")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: activation_explorer(x=10), "activation_explorer expected x"),
        (lambda: learning_rate_explorer(lr=5), "learning_rate_explorer expected lr"),
        (lambda: learning_rate_explorer(steps=500), "expected steps"),
        (lambda: kernel_playground(index=10_000), "kernel_playground expected image"),
    ],
)
def test_explorers_refuse_start_values_their_sliders_cannot_show(build, message):
    # (line_fit_explorer widens its sliders to hold any start, so it needs no check)
    with pytest.raises(ValueError, match=message):
        build()
