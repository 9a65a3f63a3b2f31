"""Charts fitted to the place the page gives them (issue 22): a phone's 358 px, half a projector's width in
presentation mode's larger type, a 1400-px desktop.

Vega fits a chart's plot to its width, not its legends: a legend above or below the plot stays one row wide and
runs out of the chart. And a y-axis title longer than the plot is tall stands out above and below it. Both are
fixed here on the finished Vega-Lite spec, for every chart :func:`ui.charts.show` draws:
- :func:`legends`: a symbol legend above or below the plot gets as many columns as fit the plot's width in the
  browser (a Vega expression over entry widths estimated from its labels); several legends on one side stack
  when side by side they would not fit;
- :func:`axis_titles`: a y-axis title longer than the plot's height breaks into lines that fit it.
Widths are estimated from character counts: ``*_EM`` are average character widths in ems of the house font
(Source Sans), measured in Chromium with a little to spare."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

LABEL_EM = 0.58  # legend labels (measured 0.44–0.55)
TITLE_EM = 0.62  # legend titles, semibold
AXIS_TITLE_EM = 0.6  # axis titles (measured 0.5–0.57)
ENTRY_EMS = 2.0  # a symbol legend entry's symbol and the gap before its label, in label ems (measured 1.9)
COLUMN_GAP_EMS = 1.1  # between two columns of entries (measured ~1.05)
LEGEND_MARGIN = 16  # px between two legends side by side
_SYMBOL_CHANNELS = ("color", "fill", "stroke", "shape", "strokeDash", "size", "opacity", "strokeWidth")
_VIEWS = ("layer", "hconcat", "vconcat", "concat")
Values = Callable[[str], list[str] | None]


def _units(view: dict[str, Any], height: Any = None) -> Iterator[tuple[dict[str, Any], Any]]:
    """Every unit view in ``view`` with the height it is drawn at (a layer's height holds for its layers)."""
    height = view.get("height", height)
    if isinstance(view.get("encoding"), dict):
        yield view, height
    for key in _VIEWS:
        for sub in view.get(key) or []:
            if isinstance(sub, dict):
                yield from _units(sub, height if key == "layer" else None)
    if isinstance(view.get("spec"), dict):
        yield from _units(view["spec"])


def _number(value: Any, default: float) -> float:
    """A size a spec sets as a number, else ``default`` (an expression is the browser's to evaluate)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else default


def _config(spec: dict[str, Any], part: str, key: str, default: float) -> float:
    return _number(spec.get("config", {}).get(part, {}).get(key), default)


def axis_titles(spec: dict[str, Any]) -> None:
    """Break each y-axis title longer than its plot is tall into lines that fit (Vega-Lite draws a list of
    strings as lines). In place."""
    default_height = _config(spec, "view", "continuousHeight", 300)
    default_size = _config(spec, "axis", "titleFontSize", 15)
    for view, height in _units(spec):
        y = view["encoding"].get("y")
        if not isinstance(y, dict) or y.get("axis", {}) is None:
            continue
        axis = y.get("axis") if isinstance(y.get("axis"), dict) else {}
        owner = axis if isinstance(axis.get("title"), str) else y
        title = owner.get("title")
        if not isinstance(title, str):
            continue
        size = _number(axis.get("titleFontSize"), default_size)
        tall = height if isinstance(height, int | float) else default_height
        chars = max(8, int(tall / (AXIS_TITLE_EM * size)))
        if len(title) > chars:
            owner["title"] = textwrap.wrap(title, chars, break_long_words=False, break_on_hyphens=False)


def _legend_title(legend: dict[str, Any], enc: dict[str, Any]) -> str:
    title = legend["title"] if "title" in legend else enc.get("title", enc.get("field"))
    if isinstance(title, list):
        return max(title, key=len, default="")
    return title if isinstance(title, str) else ""


def _columns_width(widths: list[float], k: int, gap: float) -> float:
    """A legend's width with its entries in ``k`` columns (filled row by row, each column as wide as its widest)."""
    return sum(max(widths[c::k]) for c in range(k)) + gap * (k - 1)


def _columns_expr(widths: list[float], room: str, most: int) -> str:
    """The most columns (up to ``most``) whose width fits ``room``, as a Vega expression."""
    expr = "1"
    for k in range(2, most + 1):
        expr = f"{room} >= {_columns_width(widths, k, 0):.0f} ? {k} : ({expr})"
    return expr


def legends(spec: dict[str, Any], values: Values) -> None:
    """Symbol legends above or below the plot in as many columns as fit the plot's width; several legends on one
    side one under another when they do not fit side by side. ``values(field)``: the field's values in the
    chart's data, for a legend whose scale does not list its domain. In place."""
    room = "width" if "encoding" in spec or "layer" in spec else "(containerSize()[0] - 80)"
    label_size = _config(spec, "legend", "labelFontSize", 13)
    title_size = _config(spec, "legend", "titleFontSize", 14)
    sides: dict[str, dict[tuple, float]] = {"top": {}, "bottom": {}}
    for view, _ in _units(spec):
        for channel in _SYMBOL_CHANNELS:
            enc = view["encoding"].get(channel)
            legend = enc.get("legend") if isinstance(enc, dict) else None
            if not isinstance(legend, dict) or legend.get("orient") not in sides or "field" not in enc:
                continue
            size = _number(legend.get("labelFontSize"), label_size)
            title = _legend_title(legend, enc)
            title_w = len(title) * TITLE_EM * _number(legend.get("titleFontSize"), title_size)
            if enc.get("type") == "quantitative" and "bin" not in enc:  # a colour ramp
                width = max(title_w, _number(legend.get("gradientLength"), 200) + 2 * size)
            else:
                domain = enc.get("scale", {}).get("domain") if isinstance(enc.get("scale"), dict) else None
                labels = [str(v) for v in domain] if isinstance(domain, list) else values(enc["field"])
                if not labels:
                    continue
                widths = [(len(label) * LABEL_EM + ENTRY_EMS) * size for label in labels]
                gap = COLUMN_GAP_EMS * size
                widths_gapped = [w + gap for w in widths]  # a column's gap counted with its entries
                most = len(labels)
                if isinstance(legend.get("columns"), int) and legend["columns"] > 0:
                    most = min(most, legend["columns"])
                if legend.get("direction") != "vertical":
                    legend["columns"] = {"expr": _columns_expr(widths_gapped, f"({room} + {gap:.0f})", most)}
                width = max(title_w, _columns_width(widths, most, gap))
            sides[legend["orient"]][(channel, enc["field"], title)] = width
    for side, found in sides.items():
        if len(found) > 1:
            together = sum(found.values()) + LEGEND_MARGIN * (len(found) - 1)
            layout = spec.setdefault("config", {}).setdefault("legend", {}).setdefault("layout", {})
            layout[side] = {**layout.get(side, {}),
                            "direction": {"signal": f"{room} < {together:.0f} ? 'vertical' : 'horizontal'"}}
