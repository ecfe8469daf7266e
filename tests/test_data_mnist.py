"""IDX reading and writing, and load_mnist on small files written here (no download)."""

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.data import load_mnist, read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@given(
    hnp.arrays(
        dtype=st.sampled_from(DTYPES),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
        elements={"allow_nan": False},
    ),
    st.booleans(),
)
def test_idx_round_trip(tmp_path_factory, array, compressed):
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if compressed else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_idx_header_is_the_standard_one(tmp_path):
    write_idx(tmp_path / "x", np.arange(6, dtype=np.int32).reshape(2, 3))
    raw = (tmp_path / "x").read_bytes()
    # magic 0x0000 0C 02, sizes 2 and 3 as big-endian uint32, then big-endian values
    assert raw[:4] == bytes([0, 0, 0x0C, 2])
    assert raw[4:12] == bytes([0, 0, 0, 2, 0, 0, 0, 3])
    assert raw[12:16] == bytes([0, 0, 0, 0]) and raw[-4:] == bytes([0, 0, 0, 5])


def test_bad_idx_files_are_refused(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x08\x01" + bytes(8))
    with pytest.raises(ValueError, match="read_idx expected an IDX file"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", np.zeros((4, 4), np.uint8))
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-3])
    with pytest.raises(ValueError, match=r"header's shape \(4, 4\)\), got"):
        read_idx(tmp_path / "short")
    with pytest.raises(TypeError, match="write_idx expected an array of dtype"):
        write_idx(tmp_path / "i64", np.zeros(3, np.int64))


def _write_split(folder, prefix, n, rng, gz):
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_local_files(tmp_path, gz):
    rng = np.random.default_rng(0)
    images, labels = _write_split(tmp_path, "train", 12, rng, gz)
    test_images, test_labels = _write_split(tmp_path, "t10k", 5, rng, gz)
    X, y = load_mnist(tmp_path)
    assert X.shape == (12, 1, 28, 28) and X.dtype == np.float32
    assert y.shape == (12,) and y.dtype == np.int64
    np.testing.assert_allclose(X[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(y, labels)
    Xt, yt = load_mnist(tmp_path, split="test")
    assert Xt.shape == (5, 1, 28, 28)
    np.testing.assert_array_equal(yt, test_labels)


def test_load_mnist_finds_the_torchvision_layout(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = _write_split(raw, "t10k", 3, np.random.default_rng(1), gz=True)
    X, y = load_mnist(tmp_path, split="test")
    np.testing.assert_array_equal(y, labels)
    with gzip.open(raw / "t10k-images-idx3-ubyte.gz") as f:
        assert f.read(4) == bytes([0, 0, 8, 3])


def test_missing_files_give_a_helpful_error(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "train-images-idx3-ubyte" in message and "train-labels-idx1-ubyte" in message
    assert "Download" in message and "torchvision" in message
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, split="validation")


def test_mismatched_files_are_refused(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((4, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match=r"\(4, 28, 28\)"):
        load_mnist(tmp_path)
