"""nnlib.blocks.video: Conv3DClassifier and the per-frame FrameCNN (chapter 13)."""

import pytest
import torch
from blocks_checks import assert_every_parameter_learns, gradcheck_module
from dtype_rule import check_float16_input, check_float64_input

from nnlib.blocks import Conv3DClassifier, FrameCNN

pytestmark = pytest.mark.ch13

MODELS = [Conv3DClassifier, FrameCNN]


def n_params(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("Model", MODELS)
@pytest.mark.parametrize("shape", [(2, 1, 8, 16, 16), (3, 1, 1, 6, 6), (1, 1, 5, 7, 9)])
def test_output_shape_for_several_clips(Model, shape):
    model = Model(1, 4).eval()
    assert tuple(model(torch.randn(*shape)).shape) == (shape[0], 4)
    assert tuple(Model(3, 2, width=2).eval()(torch.randn(2, 3, 4, 8, 8)).shape) == (
        2,
        2,
    )


def test_default_sizes_have_about_the_same_parameter_count():
    a, b = n_params(Conv3DClassifier()), n_params(FrameCNN())
    assert abs(a - b) / a < 0.02
    # 3D kernels: width w -> 27 w^2 * 2 weights in the second layer
    assert Conv3DClassifier().features[4].weight.shape == (16, 8, 3, 3, 3)


def test_frame_model_cannot_tell_the_order_of_frames():
    torch.manual_seed(0)
    clips = torch.randn(4, 1, 6, 10, 10)
    frames = FrameCNN().eval()
    torch.testing.assert_close(frames(clips.flip(2)), frames(clips), atol=1e-5, rtol=0)
    shuffled = clips[:, :, torch.randperm(6)]
    torch.testing.assert_close(frames(shuffled), frames(clips), atol=1e-5, rtol=0)
    # the 3D model can: playing the clips backwards changes its output
    video = Conv3DClassifier().eval()
    assert (video(clips.flip(2)) - video(clips)).abs().max() > 1e-3


def test_3d_model_gives_a_still_clip_the_same_answer_both_ways():
    still = torch.randn(2, 1, 1, 8, 8).expand(2, 1, 5, 8, 8).contiguous()
    video = Conv3DClassifier().eval()
    torch.testing.assert_close(video(still.flip(2)), video(still))


@pytest.mark.parametrize("Model", MODELS)
def test_a_float64_input_computes_in_float64(Model):
    torch.manual_seed(0)
    block, x = Model(1, 4, width=2), torch.randn(3, 1, 4, 6, 6)
    check_float64_input(block, x)
    check_float16_input(block, x)


@pytest.mark.parametrize("Model", MODELS)
def test_every_parameter_gets_a_gradient(Model):
    torch.manual_seed(0)
    assert_every_parameter_learns(Model(1, 4, width=3), torch.randn(3, 1, 4, 6, 6))


@pytest.mark.parametrize("Model", MODELS)
@pytest.mark.parametrize("norm", [True, False])
def test_gradcheck_tiny_models(Model, norm):
    torch.manual_seed(0)
    gradcheck_module(Model(1, 2, width=2, norm=norm), torch.randn(2, 1, 3, 4, 4))


@pytest.mark.parametrize("Model", MODELS)
@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(2, 1, 16, 16), ValueError, r"expected input \(B, 1, T, H, W\)"),
        (torch.randn(2, 2, 4, 8, 8), ValueError, r"got \(2, 2, 4, 8, 8\)"),
        (torch.randn(2, 1, 0, 8, 8), ValueError, "every axis but the batch"),
    ],
)
def test_models_refuse_bad_input(Model, x, error, match):
    with pytest.raises(error, match=f"{Model.__name__} expected"):
        Model()(x)
    with pytest.raises(error, match=match):
        Model()(x)


@pytest.mark.parametrize("Model", MODELS)
def test_models_refuse_bad_options(Model):
    with pytest.raises(ValueError, match="width >= 1"):
        Model(width=0)
    with pytest.raises(TypeError, match="norm as True or False"):
        Model(norm="no")
    with pytest.raises(TypeError):
        Model(1, 4, 8)  # width is keyword-only
