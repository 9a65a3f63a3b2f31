"""Chapter 9 uploads in the real browser: a point cloud with NaN, a repeated point and extra columns is drawn
with notes; a file with one column or no rows gives a clear message and the page goes on with the circle."""

from __future__ import annotations

import math

import pytest

from tests.browser.test_browser import charts_drawn, choose, goto, problems
from tests.browser.test_uploads import captions, errors, exceptions, upload
from ui.chapters import live

pytestmark = pytest.mark.browser

TP = next((c for c in live() if c.prefix == "tp"), None)
needs_tp = pytest.mark.skipif(TP is None, reason="the Topology explorer is not live")


@needs_tp
def test_point_cloud_with_nan_repeats_and_extra_columns(server, page):
    goto(page, f"{server}/{TP.url_path}")
    choose(page, "Point cloud", "Upload a CSV (x, y[, z])")
    rows = [f"{math.cos(t / 6):.4f},{math.sin(t / 6):.4f},0,{t}" for t in range(38)]
    body = "x,y,z,w\n" + "\n".join(rows) + "\n" + rows[0] + "\nnan,1,2,3\n"
    upload(page, "ring.csv", body.encode())
    assert not problems(page), problems(page)
    text = captions(page).lower()
    assert "repeated" in text and "missing" in text and "first three" in text, text
    assert charts_drawn(page) >= 3


@needs_tp
@pytest.mark.parametrize(("name", "content"), [("one.csv", b"x\n1\n2\n3\n"), ("empty.csv", b"x,y\n")])
def test_unusable_point_file_gets_a_message_and_the_circle(server, page, name, content):
    goto(page, f"{server}/{TP.url_path}")
    choose(page, "Point cloud", "Upload a CSV (x, y[, z])")
    upload(page, name, content)
    assert not exceptions(page), exceptions(page)
    assert errors(page) and name in errors(page)[0], errors(page)
    assert charts_drawn(page) >= 3  # the page goes on with the noisy circle
