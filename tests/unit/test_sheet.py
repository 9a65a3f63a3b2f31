"""“Download this view” (ui/sheet.py): the tab's charts one under the other on one PNG or SVG sheet, with the
view's link under them."""

from __future__ import annotations

import base64
import io
import json
import re

import altair as alt
import pandas as pd

from ui import charts, sheet

LINK = "http://localhost:8501/linear-algebra?la_k=3"


def _specs() -> list[dict]:
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3.0, 1.0, 2.0]})
    line = alt.Chart(df, title="a line").mark_line().encode(alt.X("x:Q"), alt.Y("y:Q"))
    bars = alt.Chart(df, title="some bars").mark_bar().encode(alt.X("x:O"), alt.Y("y:Q"))
    return [charts.spec_of(line, inline=True), charts.spec_of(bars, inline=True)]


def test_the_png_sheet_stacks_every_chart_and_the_link():
    import vl_convert as vlc
    from PIL import Image

    specs = _specs()
    singles = [Image.open(io.BytesIO(vlc.vegalite_to_png(json.dumps(s), scale=2))) for s in specs]
    page = Image.open(io.BytesIO(sheet.png_sheet(specs, LINK)))
    assert page.format == "PNG"
    assert page.width >= max(p.width for p in singles)
    assert page.height > sum(p.height for p in singles) + 2 * sheet.GAP * 2  # the charts, the gaps, the link


def test_the_svg_sheet_holds_every_chart_and_the_link():
    page = sheet.svg_sheet(_specs(), LINK)
    assert page.startswith("<svg") and page.endswith("</svg>")
    parts = [base64.b64decode(m).decode("utf-8") for m in re.findall(r'base64,([A-Za-z0-9+/=]+)"', page)]
    assert len(parts) == 3
    assert "a line" in parts[0] and "some bars" in parts[1]
    assert "la_k=3" in parts[2], "the view's link is not under the charts"
