"""Pick the device to train on: the one line that moves the course to a GPU.

Order: an explicit ``prefer`` argument, else the ``NNLIB_DEVICE`` environment variable
(``make test`` sets it to ``cpu`` so stored notebook outputs are reproducible), else
the best available: CUDA, then Apple's MPS, then the CPU.
"""

import os

import torch

ENV_VAR = "NNLIB_DEVICE"
_KINDS = ("cpu", "cuda", "mps")


class DeviceUnavailableError(RuntimeError, ValueError):
    """The device asked for is not on this machine (a wrong value for this machine)."""


def _available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return torch.backends.mps.is_available()
    return kind == "cpu"


def available_devices() -> list[str]:
    """Names of the device kinds this machine can use, e.g. ``['cuda', 'cpu']``.

    Returns:
        A list, best first: ``"cuda"``, ``"mps"``, ``"cpu"`` (always there).

    Example:
        >>> from nnlib.train import available_devices
        >>> available_devices()[-1]
        'cpu'
    """
    return [kind for kind in ("cuda", "mps", "cpu") if _available(kind)]


def get_device(prefer: str | torch.device | None = None) -> torch.device:
    """Return the ``torch.device`` to use.

    ``prefer`` wins; otherwise the ``NNLIB_DEVICE`` environment variable if set and
    not empty; otherwise the first available of cuda, mps, cpu. Asking for a device
    this machine lacks raises ``DeviceUnavailableError`` (a ``RuntimeError`` and a
    ``ValueError``) saying which devices are available.

    Args:
        prefer: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``;
            ``None`` lets the environment variable or the machine decide.
            Default: ``None``.

    Returns:
        A ``torch.device`` this machine has.

    Example:
        >>> from nnlib.train import get_device
        >>> get_device("cpu")
        device(type='cpu')
    """
    source = "prefer"
    if not isinstance(prefer, str | torch.device | None):
        raise TypeError(
            f"get_device expected prefer as a device name (str), a torch.device or "
            f"None, got {type(prefer).__name__} {prefer!r}"
        )
    if prefer is None:
        prefer = os.environ.get(ENV_VAR, "").strip() or None
        source = ENV_VAR
    if prefer is None:
        return torch.device(available_devices()[0])

    try:
        device = torch.device(prefer)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"get_device expected a device name ({', '.join(_KINDS)}), "
            f"got {source}={str(prefer)!r}"
        ) from err
    if device.type not in _KINDS:
        raise ValueError(
            f"get_device expected a device nnlib trains on ({', '.join(_KINDS)}), "
            f"got {source}={str(prefer)!r}"
        )
    if not _available(device.type):
        raise DeviceUnavailableError(
            f"get_device expected a device this machine has, got "
            f"{source}={str(prefer)!r} (there is no {device.type} here); "
            f"available: {', '.join(available_devices())}"
        )
    if device.type == "cuda" and device.index is not None:
        count = torch.cuda.device_count()
        if device.index >= count:
            raise DeviceUnavailableError(
                f"get_device expected a CUDA index below {count}, got "
                f"{source}={str(prefer)!r}: there are only {count} CUDA device(s)"
            )
    return device
