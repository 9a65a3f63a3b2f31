"""The heatmap pictures of ui.raster (chapters 1 and 3): their colours are the legend's (Vega's scale, linear in
RGB between VIRIDIS's stops)."""

import base64
import io

import numpy as np
from PIL import Image

from ui import raster
from ui.figures import intro as fig


def _stops() -> np.ndarray:
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in raster.VIRIDIS], dtype=float)


def test_colours_interpolate_the_legends_stops_channel_by_channel():
    rng = np.random.default_rng(0)
    M = rng.uniform(-3, 5, (40, 40))
    rgba = raster.colour(M, (-3.0, 5.0))
    at = np.linspace(-3, 5, len(raster.VIRIDIS))
    for c in range(3):  # numpy's own piecewise-linear interpolation as the reference
        assert np.abs(rgba[..., c].astype(float) - np.interp(M, at, _stops()[:, c])).max() <= 0.5 + 1e-9
    assert (rgba[..., 3] == 255).all()
    ends = raster.colour(np.array([[-10.0, 99.0]]), (-3.0, 5.0))[0, :, :3]  # outside the domain: the end colours
    assert (ends == _stops()[[0, -1]]).all()


def test_undefined_cells_are_transparent_and_faded_ones_lighter():
    M = np.array([[0.0, np.nan], [1.0, 0.5]])
    faded = np.array([[False, False], [True, True]])
    rgba = raster.colour(M, (0.0, 1.0), faded)
    assert rgba[0, 1, 3] == 0 and (rgba[[0, 1, 1], [0, 0, 1], 3] == 255).all()
    plain = raster.colour(M, (0.0, 1.0))
    assert (rgba[1, :, :3] >= plain[1, :, :3]).all() and (rgba[1, :, :3] > plain[1, :, :3]).any()
    assert np.allclose(rgba[1, 0, :3], 255 - 0.3 * (255 - _stops()[-1]), atol=0.5)


def test_the_picture_is_the_matrix_in_order_one_pixel_a_cell_drawn_unsmoothed():
    M = np.arange(12, dtype=float).reshape(3, 4)
    url = raster.png_url(raster.colour(M, (0.0, 11.0)))
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert img.shape == (3, 4, 4)  # row i of M is the picture's row i, top first
    assert (img == raster.colour(M, (0.0, 11.0))).all()
    assert raster.png_url(raster.colour(M.copy(), (0.0, 11.0))) is url  # the same picture is encoded once
    tpl = fig.heatmap(M[:3, :3], np.arange(3), np.arange(3), None, np.zeros(3, bool), "t", "s", (0.0, 8.0),
                      "d")[0]
    spec = tpl.build(*tpl.key).to_dict(validate=False)
    image = next(layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "image")
    assert image["smooth"] is False  # a browser scales it up as blocks, not a blur


def test_a_constant_matrix_and_an_empty_span_do_not_divide_by_zero():
    rgba = raster.colour(np.zeros((2, 2)), (0.0, 0.0))
    assert (rgba[..., :3] == _stops()[0]).all()
