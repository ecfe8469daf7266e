"""plot_attention heat maps and the log-log cost plot with reference slopes."""

import numpy as np
import pytest

from nnlib.viz import figure_png, plot_attention, plot_cost_vs_size


def _weights(heads, T, seed=0):
    w = np.random.default_rng(seed).random((heads, T, T))
    return w / w.sum(axis=-1, keepdims=True)


@pytest.mark.ch10
def test_single_head_heat_map_with_token_labels():
    tokens = ["a", "b", "c", "d"]
    w = _weights(1, 4)[0]
    fig = plot_attention(w, tokens)
    assert figure_png(fig)
    ax = fig.axes[0]  # the second axes is the colour bar
    np.testing.assert_array_equal(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.get_xticklabels()] == tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == tokens
    assert len(ax.texts) == 16  # annotated: at most 10 keys
    assert ax.texts[1].get_text() == f"{w[0, 1]:.2f}"


@pytest.mark.ch10
def test_several_heads_and_separate_query_labels():
    w = _weights(3, 12, seed=1)
    fig = plot_attention(w[None])  # (1, heads, T, T) as a model returns it
    heads = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in heads] == ["head 0", "head 1", "head 2"]
    assert all(len(ax.texts) == 0 for ax in heads)  # 12 keys: not annotated
    cross = np.random.default_rng(0).random((2, 3))
    fig = plot_attention(cross, ["k1", "k2", "k3"], ["q1", "q2"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["q1", "q2"]
    with pytest.raises(ValueError, match="labels"):
        plot_attention(cross, ["only", "two"])


@pytest.mark.ch10
def test_cost_plot_is_log_log_with_reference_slopes():
    L = np.array([64, 128, 256, 512])
    time = {"explicit": 1e-6 * L**2, "fused": 1e-5 * L}
    memory = {"explicit": 1e-3 * L**2}
    fig = plot_cost_vs_size(L, time, memory, slopes=(1, 2))
    assert figure_png(fig)
    t_ax, m_ax = fig.axes
    for ax in (t_ax, m_ax):
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [line.get_label() for line in t_ax.lines]
    assert labels == ["explicit", "fused", "$\\propto L^{1}$", "$\\propto L^{2}$"]
    for line, slope in zip(t_ax.lines[2:], (1, 2), strict=True):
        x, y = line.get_data()
        fitted = np.polyfit(np.log(x), np.log(y), 1)[0]
        assert fitted == pytest.approx(slope, abs=1e-9)
        # the guide starts below the lowest series so it never hides a measurement
        assert y[0] < min(v[0] for v in time.values())
    np.testing.assert_array_equal(t_ax.lines[0].get_ydata(), time["explicit"])
    assert len(plot_cost_vs_size(L, time=time).axes) == 1


def test_cost_plot_refuses_mismatched_or_missing_data():
    with pytest.raises(ValueError, match="time and/or memory"):
        plot_cost_vs_size([1, 2])
    with pytest.raises(ValueError, match="in series 'x'"):
        plot_cost_vs_size([1, 2, 3], {"x": [1, 2]})
