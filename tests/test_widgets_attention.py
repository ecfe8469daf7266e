"""attention_explorer: a query's row of weights, drawn and summed to one."""

import numpy as np
import pytest

from nnlib.widgets import attention_explorer, demo_attention, softmax


@pytest.mark.ch10
def test_query_selects_the_row_of_given_weights():
    rng = np.random.default_rng(0)
    weights = softmax(rng.standard_normal((2, 5, 5)))
    tokens = ["we", "like", "small", "neural", "nets"]
    explorer = attention_explorer(tokens, weights, query=1)
    explorer.controls["query"].value = 3
    explorer.controls["head"].value = 1
    state = explorer.state
    np.testing.assert_array_equal(state["row"], weights[1, 3])
    assert state["row"].sum() == pytest.approx(1.0)
    assert state["top"] == tokens[int(np.argmax(weights[1, 3]))]
    heat_ax, bar_ax = explorer.figure.axes
    np.testing.assert_array_equal(heat_ax.images[0].get_array(), weights[1])
    (frame,) = heat_ax.patches  # the outline of the query's row
    assert frame.get_y() == pytest.approx(2.5) and frame.get_width() == 5
    heights = [bar.get_width() for bar in bar_ax.patches]
    np.testing.assert_allclose(heights, weights[1, 3])
    assert repr(explorer) == f"AttentionExplorer(query=3, head=1, top='{state['top']}')"


@pytest.mark.ch10
def test_demo_head_sharpness():
    explorer = attention_explorer(query=7)
    assert "sharpness" in explorer.controls and "head" not in explorer.controls
    tokens = explorer.tokens
    np.testing.assert_allclose(explorer.state["weights"], demo_attention(tokens))
    explorer.controls["sharpness"].value = 0.0
    np.testing.assert_allclose(explorer.state["row"], 1 / len(tokens))  # uniform
    explorer.controls["sharpness"].value = 4.0
    sharp = explorer.state["row"].max()
    explorer.controls["sharpness"].value = 1.0
    assert sharp > explorer.state["row"].max()  # sharper scores, peakier weights


def test_softmax_is_stable_and_input_is_checked():
    np.testing.assert_allclose(softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
    with pytest.raises(ValueError, match="T = 3"):
        attention_explorer(["a", "b", "c"], np.ones((4, 4)) / 4)
    with pytest.raises(ValueError, match="query"):
        attention_explorer(["a", "b"], query=2)
