"""core.data: bundled data sets, generators, and every kind of bad CSV upload."""

import numpy as np
import pytest
from sklearn import datasets

from core import data
from core.data import DataError, read_csv


@pytest.mark.parametrize(("name", "shape", "classes"), [
    ("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("wine", (178, 13), 3), ("breast_cancer", (569, 30), 2)])
def test_bundled_sets_are_the_real_ones(name, shape, classes):
    ds = data.load_dataset(name)
    assert ds.shape == shape and len(ds.target_names) == classes
    ref = getattr(datasets, f"load_{name}")()
    np.testing.assert_array_equal(ds.X, ref.data)
    assert ds.labels() is not None and len(ds.labels()) == shape[0]


def test_unknown_dataset_and_photo():
    with pytest.raises(DataError):
        data.load_dataset("mnist")
    with pytest.raises(DataError):
        data.load_photo("cat")


@pytest.mark.parametrize("name", list(data.PHOTOS))
def test_photos_are_grayscale_in_unit_range(name):
    img = data.load_photo(name)
    assert img.shape == (427, 640) and img.min() >= 0 and img.max() <= 1 and img.std() > 0.05


def test_gaussian_cloud_is_seeded():
    a = data.gaussian_cloud(100, 3, 2.0, 10, 0.3, seed=5).X
    b = data.gaussian_cloud(100, 3, 2.0, 10, 0.3, seed=5).X
    c = data.gaussian_cloud(100, 3, 2.0, 10, 0.3, seed=6).X
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("kwargs", [dict(n=1), dict(dim=4), dict(stretch=0.0), dict(correlation=1.0)])
def test_gaussian_cloud_rejects_bad_shapes(kwargs):
    args = dict(n=10, dim=3, stretch=2.0, angle_deg=0.0, correlation=0.0) | kwargs
    with pytest.raises(DataError):
        data.gaussian_cloud(**args)


def test_csv_plain_numbers():
    ds = read_csv(b"a,b,c\n1,2,3\n4,5,6\n7,8,10\n", name="t.csv")
    assert ds.shape == (3, 3) and ds.feature_names == ("a", "b", "c") and ds.notes == ()


def test_csv_text_columns_are_dropped_with_a_note():
    raw = b"name,x,y,comment\n" + b"".join(f"n{i},{i},{i * i},free text {i}\n".encode() for i in range(30))
    ds = read_csv(raw)
    assert ds.feature_names == ("x", "y")
    assert any("Dropped 2 non-numeric columns" in n for n in ds.notes)


def test_csv_single_text_column_becomes_the_label():
    raw = b"x,y,kind\n1,2,cat\n2,3,dog\n3,5,cat\n4,4,dog\n"
    ds = read_csv(raw)
    assert ds.feature_names == ("x", "y") and ds.target_names == ("cat", "dog")
    assert list(ds.labels()) == ["cat", "dog", "cat", "dog"]


def test_csv_nan_and_inf_rows_are_dropped_with_a_note():
    raw = b"x,y\n1,2\nnan,3\n4,inf\n5,\n6,7\n8,-Infinity\n9,9\n"
    ds = read_csv(raw)
    np.testing.assert_array_equal(ds.X, [[1, 2], [6, 7], [9, 9]])
    assert any("Dropped 4 rows" in n for n in ds.notes)


def test_csv_labels_stay_dense_after_dropping_rows():
    raw = b"x,y,kind\n1,2,a\nnan,3,b\n3,5,c\n4,4,a\n"
    ds = read_csv(raw)
    assert ds.target_names == ("a", "c") and list(ds.y) == [0, 1, 0]


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "empty"),
    (b"   \n\n", "no content"),
    (b"x,y\n1,2\n", "Only 1 usable row"),
    (b"x\n1\n2\n3\n", "Only one numeric column"),
    (b"a,b\nfoo,bar\nbaz,qux\n", "No numeric columns"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
])
def test_csv_unusable_files_get_a_clear_message(raw, message):
    with pytest.raises(DataError, match=message):
        read_csv(raw)


def test_csv_over_the_size_limit():
    with pytest.raises(DataError, match="limit"):
        read_csv(b"x,y\n" + b"1,2\n" * 1000, max_bytes=100)


def test_csv_semicolons_and_latin1():
    ds = read_csv("größe;breite\n1,5;2\n2;3\n4;5\n".encode("latin-1"))
    assert ds.feature_names == ("größe", "breite") and ds.shape[0] >= 2


def test_csv_too_many_rows_is_truncated_with_a_note():
    raw = b"x,y\n" + b"".join(f"{i},{i % 7}\n".encode() for i in range(data.MAX_UPLOAD_ROWS + 5))
    ds = read_csv(raw, max_bytes=10 * 2**20)
    assert ds.shape[0] == data.MAX_UPLOAD_ROWS and any("first" in n for n in ds.notes)


def test_two_dimensional_classification_sets():
    from core.data import CLASSIFICATION_2D, DataError, classification_2d

    for name in CLASSIFICATION_2D:
        ds = classification_2d(name, 200, 0.1, seed=3)
        assert ds.X.shape == (200, 2) and set(np.unique(ds.y)) == {0, 1}
        assert abs(int(ds.y.sum()) - 100) <= 30  # both classes well represented
        again = classification_2d(name, 200, 0.1, seed=3)
        np.testing.assert_array_equal(ds.X, again.X)
    with pytest.raises(DataError):
        classification_2d("moons", 2)
    with pytest.raises(DataError):
        classification_2d("galaxies")
