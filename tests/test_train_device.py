"""nnlib.train.device and seed: device selection and reproducible randomness."""

import pytest
import torch

from nnlib.train import (
    available_devices,
    get_device,
)

pytestmark = pytest.mark.ch07


def test_environment_variable_chooses_the_device(monkeypatch):
    monkeypatch.setenv("NNLIB_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_empty_environment_variable_means_auto(monkeypatch):
    monkeypatch.setenv("NNLIB_DEVICE", "")
    assert get_device().type == available_devices()[0]
    monkeypatch.delenv("NNLIB_DEVICE")
    assert get_device().type == available_devices()[0]


def test_auto_order_is_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv("NNLIB_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")


def test_explicit_argument_wins_over_environment(monkeypatch):
    monkeypatch.setenv("NNLIB_DEVICE", "mps")
    assert get_device("cpu") == torch.device("cpu")
    assert get_device(torch.device("cpu")) == torch.device("cpu")


def test_missing_device_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("NNLIB_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="NNLIB_DEVICE='cuda'.*available: .*cpu"):
        get_device()
    with pytest.raises(RuntimeError, match="prefer='cuda:0'"):
        get_device("cuda:0")


def test_unknown_device_names_are_rejected(monkeypatch):
    monkeypatch.setenv("NNLIB_DEVICE", "gpu")
    with pytest.raises(ValueError, match="get_device expected a device name"):
        get_device()
    with pytest.raises(ValueError, match="expected a device nnlib trains on"):
        get_device("meta")
