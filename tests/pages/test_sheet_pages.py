"""“Download this view” on the pages (AppTest): every page's default tab offers its charts as one PNG and
one SVG sheet, and the sheet made from the charts that run drew renders."""

from __future__ import annotations

import io

import pytest

from tests import helpers as h
from ui import sheet
from ui.chapters import live

LIVE_IDS = [h.chapter_id(c) for c in live()]


@pytest.mark.parametrize("chapter", live(), ids=LIVE_IDS)
def test_every_page_offers_its_charts_on_one_sheet(chapter):
    at = h.open_page(chapter.page)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "PNG sheet" in labels and "SVG sheet" in labels, labels
    drawn = at.session_state["_sheet_charts"]
    assert len(drawn) == len(at.get("vega_lite_chart")), "a chart is missing from the sheet"


def test_the_sheet_of_a_page_renders():
    from PIL import Image

    from ui.charts import _spec

    at = h.open_page(live()[0].page)
    specs = [_spec(chart, present, inline=True) for chart, present in at.session_state["_sheet_charts"]]
    page = Image.open(io.BytesIO(sheet.png_sheet(specs, "http://localhost:8501/linear-algebra")))
    assert page.height > 400 * len(specs) // 2
    assert sheet.svg_sheet(specs, "http://localhost:8501/linear-algebra").count("<image ") == len(specs) + 1
