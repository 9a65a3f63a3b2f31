"""Data the explorers run on: real sets that ship inside installed packages, seeded synthetic
generators, and one validated CSV-upload path that every page reuses.

Nothing here downloads: scikit-learn's bundled sets and sample photos live in its wheel.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

MAX_UPLOAD_BYTES = 5 * 2**20  # 5 MiB; .streamlit/config.toml sets the server's own cap to match
MAX_UPLOAD_ROWS = 20_000
MAX_UPLOAD_COLUMNS = 500
MAX_LABEL_CLASSES = 20


class DataError(ValueError):
    """Input the dashboard cannot use; its message is shown to the user as is."""


@dataclass(frozen=True)
class Dataset:
    """A table of numbers with optional class labels."""

    name: str
    X: np.ndarray  # (n_samples, n_features), float64
    y: np.ndarray | None = None  # (n_samples,) integer class index, or None
    feature_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    description: str = ""
    image_shape: tuple[int, int] | None = None  # for rows that are images (digits: 8x8)
    notes: tuple[str, ...] = field(default=())  # what validation changed, for the user

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape

    def labels(self) -> np.ndarray | None:
        """Class names per row (for colouring and tooltips), or None."""
        if self.y is None:
            return None
        names = np.asarray(self.target_names, dtype=object) if self.target_names else None
        return names[self.y] if names is not None else self.y.astype(str)


BUNDLED = {
    "digits": "Handwritten digits: 1,797 images of 8×8 pixels (UCI, via scikit-learn)",
    "iris": "Iris flowers: 150 samples, 4 measurements, 3 species (Fisher 1936)",
    "wine": "Wine: 178 samples, 13 chemical measurements, 3 cultivars (UCI)",
    "breast_cancer": "Breast cancer (Wisconsin): 569 tumours, 30 features, malignant/benign (UCI)",
}


@lru_cache(maxsize=8)
def load_dataset(name: str) -> Dataset:
    """One of scikit-learn's bundled data sets (no network needed)."""
    from sklearn import datasets

    loaders = {
        "digits": datasets.load_digits,
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
    }
    if name not in loaders:
        raise DataError(f"Unknown data set {name!r}; choose one of {', '.join(loaders)}.")
    bunch = loaders[name]()
    X = np.asarray(bunch.data, dtype=np.float64)
    X.setflags(write=False)
    y = np.asarray(bunch.target, dtype=np.int64)
    y.setflags(write=False)
    target_names = tuple(str(t) for t in bunch.target_names)
    feature_names = tuple(str(f) for f in getattr(bunch, "feature_names", [])) or tuple(
        f"x{i}" for i in range(X.shape[1]))
    return Dataset(name=name, X=X, y=y, feature_names=feature_names, target_names=target_names,
                   description=BUNDLED[name], image_shape=(8, 8) if name == "digits" else None)


PHOTOS = {
    "china": ("china.jpg", "A temple in China (scikit-learn sample photo, 427×640)"),
    "flower": ("flower.jpg", "A flower (scikit-learn sample photo, 427×640)"),
}


@lru_cache(maxsize=4)
def load_photo(name: str) -> np.ndarray:
    """A bundled photo as a grayscale float64 array in [0, 1] (ITU-R 601 luma)."""
    from sklearn.datasets import load_sample_image

    if name not in PHOTOS:
        raise DataError(f"Unknown photo {name!r}; choose one of {', '.join(PHOTOS)}.")
    rgb = load_sample_image(PHOTOS[name][0]).astype(np.float64) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    gray.setflags(write=False)
    return gray


def rotation_matrix(dim: int, angle_deg: float) -> np.ndarray:
    """Rotation by ``angle_deg`` in the x–y plane of R^dim."""
    t = math.radians(angle_deg)
    R = np.eye(dim)
    R[:2, :2] = [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]
    return R


def gaussian_covariance(dim: int, stretch: float, angle_deg: float, correlation: float = 0.0) -> np.ndarray:
    """The covariance the user shapes.

    In the x–y plane: standard deviation ``stretch`` along the axis at ``angle_deg`` and 1 across
    it. In 3-D the third coordinate z has unit variance and correlation ``correlation`` with the
    coordinate along that major axis, so |ρ| → 1 flattens the cloud onto a plane.
    """
    if dim not in (2, 3):
        raise DataError("The Gaussian cloud is 2-D or 3-D.")
    if stretch <= 0:
        raise DataError("Stretch must be positive.")
    if not -1 < correlation < 1:
        raise DataError("Correlation must lie strictly between -1 and 1.")
    # Coordinates (u, v, z): u along the major axis (sd = stretch), v across it (sd = 1).
    C = np.diag([stretch**2, 1.0] + ([1.0] if dim == 3 else []))
    if dim == 3:
        C[0, 2] = C[2, 0] = correlation * stretch  # corr(u, z) = ρ
    R = rotation_matrix(dim, angle_deg)
    return R @ C @ R.T


def gaussian_cloud(n: int, dim: int = 2, stretch: float = 3.0, angle_deg: float = 30.0,
                   correlation: float = 0.0, seed: int = 0) -> Dataset:
    """``n`` seeded samples from a zero-mean Gaussian with :func:`gaussian_covariance`."""
    if n < 2:
        raise DataError("A Gaussian cloud needs at least 2 points.")
    cov = gaussian_covariance(dim, stretch, angle_deg, correlation)
    rng = np.random.default_rng(seed)
    X = rng.multivariate_normal(np.zeros(dim), cov, size=n, method="cholesky")
    names = ("x", "y", "z")[:dim]
    return Dataset(name="gaussian", X=X, feature_names=names,
                   description=f"{n} samples from a {dim}-D Gaussian you shape")


CLASSIFICATION_2D = {"moons": "Two moons", "spirals": "Two spirals", "circles": "Two circles", "xor": "XOR"}


def classification_2d(name: str, n: int = 400, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A seeded two-class data set in the plane: scikit-learn's ``make_moons`` and ``make_circles``,
    two interleaved spirals (Lang & Witbrock's benchmark), or the four XOR blobs. Labels 0/1."""
    if name not in CLASSIFICATION_2D:
        raise DataError(f"Unknown 2-D data set {name!r}; choose one of {', '.join(CLASSIFICATION_2D)}.")
    if n < 4:
        raise DataError("A two-class data set needs at least 4 points.")
    rng = np.random.default_rng(seed)
    if name == "moons":
        from sklearn.datasets import make_moons

        X, y = make_moons(n, noise=noise, random_state=seed)
    elif name == "circles":
        from sklearn.datasets import make_circles

        X, y = make_circles(n, noise=noise, factor=0.5, random_state=seed)
    elif name == "spirals":
        y = np.arange(n) % 2
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi  # denser near the centre, as the original
        r = t / (3 * np.pi) * 2
        X = np.stack([r * np.cos(t + np.pi * y), r * np.sin(t + np.pi * y)], axis=1)
        X += noise * rng.standard_normal(X.shape)
    else:  # xor
        X = rng.uniform(-1, 1, (n, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        X += noise * rng.standard_normal(X.shape)
    return Dataset(name=name, X=np.asarray(X, dtype=np.float64), y=np.asarray(y, dtype=np.int64),
                   feature_names=("x₁", "x₂"), target_names=("class 0", "class 1"),
                   description=f"{CLASSIFICATION_2D[name]}: {n} points, noise {noise:g}, seed {seed}")


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise DataError("This file looks binary, not a CSV text file.")
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
        if printable >= 0.95 * min(len(text), 4096):
            return text
    raise DataError("This file is not readable text; upload a comma-separated values file.")


def _delimiter(text: str) -> str:
    """The separator the header line uses most: comma, semicolon, tab or bar; else whitespace."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    if counts[best]:
        return best
    return r"\s+" if len(header.split()) > 1 else ","


def read_text(raw: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, str]:
    """An upload's text and the separator its first line uses (see :func:`_delimiter`), or
    :class:`DataError` for an empty, oversized, undecodable or blank file. Every upload starts here."""
    if len(raw) == 0:
        raise DataError("The file is empty.")
    if len(raw) > max_bytes:
        raise DataError(f"The file is {len(raw) / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB.")
    text = _decode(raw)
    if not text.strip():
        raise DataError("The file has no content.")
    return text, _delimiter(text)


def read_csv(raw: bytes, name: str = "upload", max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Validate an uploaded CSV and turn it into a :class:`Dataset`.

    Text columns are dropped (a single one with few distinct values becomes the class label),
    rows with NaN or infinities are dropped, and every change is listed in ``notes``. Anything
    unusable raises :class:`DataError` with a message meant for the user.
    """
    text, sep = read_text(raw, max_bytes)
    try:
        # Semicolon-separated files are the European convention, where the decimal mark is a comma.
        frame = pd.read_csv(io.StringIO(text), sep=sep, engine="python", nrows=MAX_UPLOAD_ROWS + 1,
                            decimal="," if sep == ";" else ".")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"Could not parse the file as CSV: {str(exc).splitlines()[0]}") from exc
    notes: list[str] = []
    if len(frame) > MAX_UPLOAD_ROWS:
        frame = frame.iloc[:MAX_UPLOAD_ROWS]
        notes.append(f"Only the first {MAX_UPLOAD_ROWS:,} rows are used.")
    if frame.shape[1] > MAX_UPLOAD_COLUMNS:
        raise DataError(f"The file has {frame.shape[1]} columns; the limit is {MAX_UPLOAD_COLUMNS}.")
    frame.columns = [str(c).strip() or f"column {i + 1}" for i, c in enumerate(frame.columns)]

    numeric = frame.apply(pd.to_numeric, errors="coerce")
    # A column is numeric when (almost) every non-empty cell parses as a number.
    filled = frame.notna().sum()
    parsed = numeric.notna().sum()
    is_numeric = (parsed >= 0.9 * filled) & (filled > 0)
    text_cols = [c for c in frame.columns if not is_numeric[c]]
    y = target_names = None
    if text_cols:
        label_col = None
        if len(text_cols) == 1:
            values = frame[text_cols[0]].astype(str)
            if 2 <= values.nunique() <= MAX_LABEL_CLASSES:
                label_col = text_cols[0]
        if label_col is not None:
            codes, uniques = pd.factorize(frame[label_col].astype(str), sort=True)
            y, target_names = codes, tuple(uniques)
            notes.append(f"Text column “{label_col}” is used as the class label ({len(uniques)} classes).")
        else:
            shown = ", ".join(f"“{c}”" for c in text_cols[:5]) + (" …" if len(text_cols) > 5 else "")
            notes.append(f"Dropped {len(text_cols)} non-numeric column{'s' if len(text_cols) > 1 else ''}: {shown}.")
    cols = [c for c in frame.columns if is_numeric[c]]
    if not cols:
        raise DataError("No numeric columns were found; PCA needs numbers.")
    X = numeric[cols].to_numpy(dtype=np.float64)
    good = np.isfinite(X).all(axis=1)
    if not good.all():
        notes.append(f"Dropped {int((~good).sum())} row{'s' if (~good).sum() > 1 else ''} with missing, "
                     "non-numeric or infinite values.")
        X = X[good]
        if y is not None:
            y = y[good]
    if X.shape[0] < 2:
        raise DataError(f"Only {X.shape[0]} usable row{'s' if X.shape[0] != 1 else ''} remain; at least 2 are needed.")
    if X.shape[1] < 2:
        raise DataError("Only one numeric column remains; at least 2 are needed for PCA.")
    if y is not None:
        # Re-factorize so that class indices stay dense after dropped rows.
        present = np.unique(y)
        y = np.searchsorted(present, y)
        target_names = tuple(target_names[i] for i in present)
    X.setflags(write=False)
    return Dataset(name=name, X=X, y=y, feature_names=tuple(cols), target_names=target_names or (),
                   description=f"Uploaded file {name}: {X.shape[0]} rows × {X.shape[1]} numeric columns",
                   notes=tuple(notes))
