"""“Download this view”: the open tab's charts on one sheet (PNG or SVG, through vl-convert), one under
the other, with the view's link under them — for printing, a handout or a slide.

:func:`ui.charts.show` reports each chart it draws (:func:`add`); the sheet is rendered only when a
download is clicked, from the same specs the chart downloads use.
"""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import streamlit as st

_CHARTS = "_sheet_charts"
GAP = 24  # pixels between two charts on the sheet (at scale 1)


def start() -> None:
    st.session_state[_CHARTS] = []


def add(chart: Any, present: bool) -> None:
    """A chart this run drew (from ui.charts.show)."""
    charts = st.session_state.get(_CHARTS)
    if charts is not None:
        charts.append((chart, present))


def _caption_spec(link: str, width: int) -> dict[str, Any]:
    """The link as a one-line Vega-Lite text chart, drawn by the same renderer (and font) as the charts."""
    from ui.charts import FONT

    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": width, "height": 18,
            "background": "white", "data": {"values": [{"t": link}]},
            "mark": {"type": "text", "align": "left", "baseline": "middle", "font": FONT, "fontSize": 12,
                     "color": "#444", "limit": width},
            "encoding": {"text": {"field": "t", "type": "nominal"}, "x": {"value": 0}, "y": {"value": 9}},
            "config": {"view": {"stroke": None}}}


def _svg_size(svg: str) -> tuple[float, float]:
    head = svg[: svg.index(">")]
    width = re.search(r'\swidth="([\d.]+)', head)
    height = re.search(r'\sheight="([\d.]+)', head)
    return (float(width.group(1)) if width else 0.0, float(height.group(1)) if height else 0.0)


def svg_sheet(specs: list[dict[str, Any]], link: str) -> str:
    """The charts one under the other as one SVG document, the link at the bottom."""
    import vl_convert as vlc

    parts = [vlc.vegalite_to_svg(json.dumps(s)) for s in specs]
    width = max([_svg_size(p)[0] for p in parts] + [400])
    parts.append(vlc.vegalite_to_svg(json.dumps(_caption_spec(link, int(width)))))
    body, y = [], 0.0
    for part in parts:
        w, h = _svg_size(part)
        uri = "data:image/svg+xml;base64," + base64.b64encode(part.encode("utf-8")).decode("ascii")
        body.append(f'<image x="0" y="{y:g}" width="{w:g}" height="{h:g}" href="{uri}"/>')
        y += h + GAP
    height = max(y - GAP, 1)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}"><rect width="100%" height="100%" fill="white"/>'
            + "".join(body) + "</svg>")


def png_sheet(specs: list[dict[str, Any]], link: str, scale: float = 2) -> bytes:
    """The charts one under the other as one PNG, the link at the bottom."""
    import vl_convert as vlc
    from PIL import Image

    pictures = [Image.open(io.BytesIO(vlc.vegalite_to_png(json.dumps(s), scale=scale))) for s in specs]
    width = max([p.width for p in pictures] + [int(400 * scale)])
    pictures.append(Image.open(io.BytesIO(vlc.vegalite_to_png(json.dumps(_caption_spec(link, int(width / scale))),
                                                               scale=scale))))
    gap = int(GAP * scale)
    sheet = Image.new("RGB", (width, sum(p.height for p in pictures) + gap * (len(pictures) - 1)), "white")
    y = 0
    for p in pictures:
        sheet.paste(p.convert("RGBA"), (0, y), p.convert("RGBA"))
        y += p.height + gap
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def show(link: str, key: str) -> None:
    """The "Download this view" buttons, when the run drew charts (the sheet is made on click)."""
    charts = list(st.session_state.get(_CHARTS) or [])
    if not charts:
        return
    from ui.charts import _spec

    def specs() -> list[dict[str, Any]]:
        return [_spec(chart, present, inline=True) for chart, present in charts]

    with st.popover("Download this view", icon=":material/print:",
                    help="Every chart of this tab on one sheet, with the view's link under it: for print or slides."):
        st.download_button("PNG sheet", lambda: png_sheet(specs(), link), "this-view.png", "image/png",
                           on_click="ignore", key=f"sheet-png-{key}")
        st.download_button("SVG sheet", lambda: svg_sheet(specs(), link), "this-view.svg", "image/svg+xml",
                           on_click="ignore", key=f"sheet-svg-{key}")
