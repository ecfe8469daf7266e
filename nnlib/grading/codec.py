"""Plain-data transport of answers from a learner's kernel to the grader.

The kernel encodes what a learner's function returned as JSON: numbers, strings,
tuples, lists, dicts with string keys, and numeric arrays (dtype, shape and raw
bytes in base64). The grader decodes it with a strict reader that builds only
those types, so an answer can never run code in the grader (pickle could).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

MAX_DEPTH = 20


class Unsupported:
    """Stands for a returned object that cannot be sent as plain data."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unsupported {self.type_name}>"


def to_plain(value: Any) -> Any:
    """Torch tensors become numpy arrays; everything else is left as is."""
    if not isinstance(value, np.ndarray) and all(
        hasattr(value, a) for a in ("detach", "cpu", "numpy")
    ):
        return value.detach().cpu().numpy()
    return value


def encode(value: Any, depth: int = 0) -> Any:
    """A JSON-ready form of ``value`` (see the module docstring for what is kept)."""
    if depth > MAX_DEPTH:
        return {"__bad__": "a structure nested too deeply"}
    value = to_plain(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"__bad__": f"array of dtype {value.dtype}"}
        native = np.array(value, dtype=value.dtype.newbyteorder("="), order="C")
        data = base64.b64encode(native.tobytes()).decode("ascii")
        return {"__nd__": [native.dtype.str, list(native.shape), data]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: encode(v, depth + 1) for k, v in value.items()}}
    return {"__bad__": type(value).__name__}


def decode(obj: Any, depth: int = 0) -> Any:
    """Rebuild a value from ``encode``'s output; reject anything else."""
    if depth > MAX_DEPTH:
        raise ValueError("answer nested too deeply")
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, list):
        return [decode(v, depth + 1) for v in obj]
    if not isinstance(obj, dict) or len(obj) != 1:
        raise ValueError("malformed answer")
    ((tag, body),) = obj.items()
    if tag == "__nd__":
        return _decode_array(body)
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(decode(v, depth + 1) for v in body)
    if tag == "__dict__" and isinstance(body, dict):
        return {str(k): decode(v, depth + 1) for k, v in body.items()}
    if tag == "__bad__" and isinstance(body, str):
        return Unsupported(body[:80])
    raise ValueError(f"malformed answer (tag {tag[:20]!r})")


def _decode_array(body: Any) -> np.ndarray:
    if not (isinstance(body, list) and len(body) == 3):
        raise ValueError("malformed array")
    dtype_str, shape, data = body
    dtype = np.dtype(str(dtype_str))
    if dtype.kind not in "biuf" or dtype.itemsize > 8 or dtype.fields is not None:
        raise ValueError(f"array dtype {dtype} is not a plain number type")
    if not (
        isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)
    ):
        raise ValueError("malformed array shape")
    raw = base64.b64decode(str(data), validate=True)
    if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise ValueError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
