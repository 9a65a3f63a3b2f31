"""Pictures sent as one image instead of thousands of marks: a matrix or a grid of values coloured here on Vega's
viridis (the legend, drawn by Vega from the same stops, reads the same colours) and encoded as a PNG data URL for
an Altair ``mark_image``. A 300×300 heatmap as SVG rects was seconds to draw; as a picture ~10 ms.

Used by chapter 1's distance heatmaps and chapter 3's function maps."""

from __future__ import annotations

import base64
import functools
import io

import numpy as np

# Vega's "viridis" at 11 evenly spaced points: the heatmap's picture (coloured here) and its legend (Vega's
# scale, interpolated in RGB between the same stops) read the same colours
VIRIDIS = ("#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151",
           "#bddf26", "#fde725")
FADED = 0.3  # cells of rows that are not picked out: this much of their colour over white


def colour(M: np.ndarray, domain: tuple[float, float], faded: np.ndarray | None = None) -> np.ndarray:
    """RGBA bytes (…, 4) of ``M`` on :data:`VIRIDIS` over ``domain`` (linear in RGB between its stops, as the legend's
    scale); NaN transparent; where ``faded``, blended with white as a translucent cell over the page would be."""
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in VIRIDIS], dtype=float)
    lo, hi = domain
    t = np.clip((np.nan_to_num(M, nan=lo) - lo) / ((hi - lo) or 1.0), 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(t.astype(int), len(stops) - 2)
    rgb = stops[i] + (stops[i + 1] - stops[i]) * (t - i)[..., None]
    if faded is not None:
        rgb = np.where(faded[..., None], 255 - FADED * (255 - rgb), rgb)
    alpha = np.where(np.isnan(M), 0, 255)[..., None]
    return np.concatenate([np.rint(rgb), alpha], axis=-1).astype(np.uint8)


def png_url(rgba: np.ndarray) -> str:
    """A picture as a PNG data URL, one pixel per cell (drawn with ``smooth=False``, so the browser scales it up
    without blurring). The same picture again (a move that leaves the matrix, its order and the picks as they were)
    is not encoded again."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    return _png(rgba.shape, rgba.tobytes())


@functools.lru_cache(maxsize=16)
def _png(shape: tuple[int, ...], data: bytes) -> str:
    """Quick zlib (level 1): 300×300 cells in ~5–20 ms here, ~70 ms at PIL's default level, for a few % more bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.frombuffer(data, dtype=np.uint8).reshape(shape), "RGBA").save(buf, format="PNG",
                                                                                    compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
