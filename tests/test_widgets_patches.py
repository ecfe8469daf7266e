"""patch_size_explorer: the grid, the token count, the attention cost and the stored
accuracy all follow the patch-size slider."""

import numpy as np
import pytest

from nnlib.data import load_digits, run_names
from nnlib.widgets import PatchExplorer, patch_counts, patch_size_explorer

RUNS = {
    "source": "a test",
    "patch_sizes": [1, 2, 4, 8],
    "test_accuracy": {"1": [0.5, 0.7], "2": [0.9, 0.92], "4": [0.98, 0.96], "8": [0.8]},
}


def test_counts_follow_the_patch_arithmetic():
    # (8 / p)^2 patches of p^2 pixels, one class token, h T^2 weights per block
    assert patch_counts(8, 1) == {
        "grid": 8,
        "patches": 64,
        "tokens": 65,
        "patch_numbers": 1,
        "weights": 4 * 65**2,
    }
    assert patch_counts(8, 8)["tokens"] == 2
    assert patch_counts(32, 4, channels=3)["patch_numbers"] == 48
    assert patch_counts(224, 16, n_heads=1)["tokens"] == 197  # the ViT paper's 196 + 1
    with pytest.raises(ValueError, match="divides image_size 8, got 3"):
        patch_counts(8, 3)


@pytest.mark.ch11
def test_the_slider_moves_grid_tokens_cost_and_accuracy():
    X, _ = load_digits()
    explorer = patch_size_explorer(patch_size=4, index=5, runs=RUNS)
    s = explorer.state
    assert isinstance(explorer, PatchExplorer)
    np.testing.assert_array_equal(s["image"], X[5, 0])
    assert (s["tokens"], s["weights"], s["cost_vs_4"]) == (5, 100, 1.0)
    assert s["accuracy"] == pytest.approx(0.97)
    # the drawn grid: one horizontal and one vertical line between two 4x4 patches
    assert len(explorer.ax_img.lines) == 2

    explorer.controls["patch_size"].value = 2
    s = explorer.state
    assert (s["grid"], s["tokens"], s["patch_numbers"]) == (4, 17, 4)
    assert s["cost_vs_4"] == pytest.approx(17**2 / 5**2)
    assert s["accuracy"] == pytest.approx(0.91)
    assert len(explorer.ax_img.lines) == 6
    # the selected bar is the highlighted one, in both bar charts
    for ax in (explorer.ax_cost, explorer.ax_acc):
        colours = [tuple(bar.get_facecolor()) for bar in ax.patches]
        assert len(set(colours)) == 2 and colours[1] != colours[0]
        assert colours.count(colours[1]) == 1
    heights = [bar.get_height() for bar in explorer.ax_cost.patches]
    assert heights == [4 * 65**2, 4 * 17**2, 4 * 5**2, 4 * 2**2]
    accuracy_bars = [bar.get_height() for bar in explorer.ax_acc.patches]
    np.testing.assert_allclose(accuracy_bars, [60.0, 91.0, 97.0, 80.0])

    explorer.controls["patch_size"].value = 1
    assert "16,900 attention weights" in explorer.readout.value  # 4 x 65^2
    assert (
        repr(explorer)
        == "PatchExplorer(patch_size=1, tokens=65, weights=16900, accuracy=0.6)"
    )


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="patch_size"):
        patch_size_explorer(patch_size=3, runs=RUNS)
    with pytest.raises(TypeError, match="expected runs as a dict"):
        patch_size_explorer(runs=[0.9])
    with pytest.raises(ValueError, match="index below 1797"):
        patch_size_explorer(index=5000, runs=RUNS)


@pytest.mark.skipif("11_patch_size" not in run_names(), reason="runs not stored yet")
def test_the_stored_runs_load_and_name_their_script():
    explorer = patch_size_explorer()
    assert explorer.runs["source"] == "benchmarks/patch_size_runs.py"
    assert explorer.sizes == [1, 2, 4, 8]
    assert 0.0 <= explorer.state["accuracy"] <= 1.0
