"""One chart theme readable from the back of a lecture hall, and one way to show a chart:
the chart itself plus downloads of it (PNG, SVG through vl-convert) and of its data (CSV)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ui import fit, sheet, shell

FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"
# Okabe–Ito: distinguishable with the common colour-vision deficiencies and on washed-out projectors.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#999999", "#882255"]


def _theme(scale: float) -> dict[str, Any]:
    def px(v: float) -> float:
        return round(v * scale, 1)

    return {
        "config": {
            "font": FONT,
            "background": "white",
            # room above a title whose glyphs (‖, subscripts) come from a taller fallback font
            "padding": {"top": px(10), "left": 5, "right": 5, "bottom": 5},
            "view": {"stroke": None, "continuousWidth": 400, "continuousHeight": px(300)},
            # subtitles at 13 px (17.5 presenting, never under 14); the padding keeps a title's tall glyphs
            # (‖, subscripts from a fallback font) off the subtitle's line
            "title": {"fontSize": px(18), "fontWeight": 600, "anchor": "start", "offset": px(10),
                      "subtitleFontSize": px(13), "subtitlePadding": px(5)},
            "axis": {"labelFontSize": px(13), "titleFontSize": px(15), "titleFontWeight": 500,
                     "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888"},
            "legend": {"labelFontSize": px(13), "titleFontSize": px(14), "symbolSize": px(120),
                       "labelLimit": px(240), "titleLimit": px(240)},
            "header": {"labelFontSize": px(14), "titleFontSize": px(15)},
            "range": {"category": PALETTE},
            "point": {"size": px(45), "filled": True},
            "line": {"strokeWidth": px(2.5)},
            "text": {"fontSize": px(13)},
        }
    }


PRESENT_SCALE = 1.35
PRESENT_HEIGHT = 1.1  # chart heights when presenting: the type grows by PRESENT_SCALE, the picture must fit 720 px
LINE_SCALE = 1.6  # presenting: line and rule widths (the theme's and each chart's own)
POINT_SCALE = 2.0  # presenting: point areas
_LINES = {"line", "rule", "trail", "point", "circle", "square"}
_POINTS = {"point", "circle", "square"}
# Sizes a chart may set itself that presentation mode scales with the type (text that would otherwise
# stay under 14 px, legends and titles that would cut their labels at the normal width)
_TYPE_KEYS = {"fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize", "labelLimit", "titleLimit"}
MIN_PRESENT_TYPE = 14  # px: no chart's own font size below this when presenting
LEGEND_VALUES = 60  # a legend lists at most this many of a field's values (more would not fit anywhere)
SVG_ROWS = 3000  # charts with up to this many data rows draw as SVG (crisp type; the browser tests measure it)


@alt.theme.register("mfdl", enable=True)
def _classroom() -> alt.theme.ThemeConfig:
    return _theme(1.0)  # type: ignore[return-value]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


_TRANSFORMERS = threading.Lock()  # Altair's data transformer is process-wide; one session at a time switches it


def _arrow_bytes(data: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(data, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _arrow_datasets(data: Any, datasets: dict[str, bytes]) -> dict[str, str]:
    """An Altair data transformer: the chart's DataFrame as Arrow bytes under a content hash.

    Altair's default turns every row into a JSON record and then deep-copies them; Streamlit ships
    Arrow bytes to the browser as they are (as its own ``st.altair_chart`` does). The name is the
    content's hash, so an unchanged chart keeps its identity from one rerun to the next."""
    raw = _arrow_bytes(data)
    name = "d" + hashlib.blake2b(raw, digest_size=10).hexdigest()
    datasets[name] = raw
    return {"name": name}


alt.data_transformers.register("mfdl_arrow", _arrow_datasets)


SEAM_STROKE = 1.5  # px: the cell's own colour drawn round it, over the anti-aliased seam to its neighbours
SEAM_FIELD = "_seam"


def _mark_type(unit: dict[str, Any]) -> str | None:
    mark = unit.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def _veil(opacity: float) -> dict[str, Any]:
    """One white rect over the whole view at 1 − opacity: over a white background, opaque cells under it look
    exactly like cells drawn at ``opacity`` (α·c + (1 − α)·white), without a seam between them."""
    return {"data": {"values": [{}]}, "mark": {"type": "rect", "color": "white", "opacity": 1 - opacity},
            "encoding": {"x": {"value": 0}, "x2": {"value": "width"}, "y": {"value": 0}, "y2": {"value": "height"}}}


def _seamless(spec: dict[str, Any], first: bool = True) -> list[dict[str, Any]]:
    """Heatmaps (rect marks coloured by a field) without the white grid between cells.

    Browsers anti-alias each cell's edges, so two cells that meet at a fractional pixel both leave it partly
    uncovered and the background shows through: a screen-door grid over the whole map, worst on a projector.
    Each such rect also gets its fill as a thin stroke (its own scale, the same field and definition), which
    covers the seam. A translucent heatmap would show the overlaps as a darker grid instead, so when it is
    the bottom layer without tooltips it is drawn opaque under a white veil (:func:`_veil`) — the same colours
    on a white background. Returns the layers to put in the spec's place (the spec, and maybe its veil)."""
    for key in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(spec.get(key), list):
            out = []
            for i, sub in enumerate(spec[key]):
                out += _seamless(sub, first and (i == 0 or key != "layer"))
            spec[key] = out
    if isinstance(spec.get("spec"), dict):  # facet / repeat
        inner = _seamless(spec["spec"], first)
        spec["spec"] = inner[0] if len(inner) == 1 else {"layer": inner}
    encoding = spec.get("encoding")
    if _mark_type(spec) != "rect" or not isinstance(encoding, dict) or "stroke" in encoding:
        return [spec]
    paint = next((encoding[c] for c in ("fill", "color") if isinstance(encoding.get(c), dict)
                  and isinstance(encoding[c].get("field"), str)
                  and not {"aggregate", "bin", "timeUnit"} & encoding[c].keys()), None)
    mark = spec["mark"] if isinstance(spec["mark"], dict) else {"type": "rect"}
    if paint is None or "stroke" in mark:
        return [spec]
    opacity = mark.get("opacity", 1)
    veil = None
    if isinstance(opacity, int | float) and opacity < 1:
        if not first or "tooltip" in encoding or "tooltip" in mark:
            return [spec]  # not the bottom layer, or the veil would take its tooltips: left as it is
        veil = _veil(float(opacity))
        mark = {**mark, "opacity": 1}
    spec["mark"] = {**mark, "strokeWidth": SEAM_STROKE}
    # The stroke reads a copy of the field: on the same field Vega-Lite would merge its legend with the fill's
    # and draw symbols instead of the colour ramp.
    spec["transform"] = [*spec.get("transform", []), {"calculate": f"datum[{json.dumps(paint['field'])}]",
                                                      "as": SEAM_FIELD}]
    encoding["stroke"] = {**paint, "field": SEAM_FIELD, "legend": None}
    return [spec] if veil is None else [spec, veil]


def spec_of(chart: alt.TopLevelMixin, present: bool = False, inline: bool = False) -> dict[str, Any]:
    """The Vega-Lite spec with the house theme; presentation mode scales type and marks.

    Altair's theme registry is process-wide, so per-viewer presentation mode is merged into
    each spec instead of switching the global theme under other sessions' feet. The data travel
    as Arrow datasets for the browser; ``inline=True`` gives a self-contained JSON spec (exports).
    Schema validation is skipped: the figures are our own code, and it costs ~10 ms a chart.
    """
    if inline:
        spec = chart.to_dict(validate=False)
    else:
        datasets: dict[str, bytes] = {}
        with _TRANSFORMERS, alt.data_transformers.enable("mfdl_arrow", datasets=datasets):
            spec = chart.to_dict(validate=False)
        spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    layers = _seamless(spec)
    if len(layers) > 1:  # a one-layer heatmap that got a veil: the two become a layer chart
        top = {k: v for k, v in spec.items() if k in ("$schema", "config", "datasets", "title", "width", "height",
                                                      "autosize", "padding", "background", "usermeta")}
        for k in top:
            spec.pop(k)
        spec = {**top, "layer": [spec, layers[1]]}
    if present:
        _for_projector(spec)
        spec["config"] = _merge(spec.get("config", {}), _theme(PRESENT_SCALE)["config"])
        spec["config"]["view"]["continuousHeight"] = round(300 * PRESENT_HEIGHT)
        spec["config"]["line"]["strokeWidth"] = round(2.5 * LINE_SCALE, 1)
        spec["config"]["point"]["size"] = round(45 * POINT_SCALE)
    return spec


def _scaled(value: Any, factor: float, floor: float = 0) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(round(value * factor, 1), floor)
    return value


def _for_projector(node: Any) -> None:
    """Presentation mode on a chart's own settings (the theme covers the rest): its lines thicker, its points
    larger, its type and label limits scaled like the theme's. In place, config and data left out."""
    if isinstance(node, list):
        for item in node:
            _for_projector(item)
        return
    if not isinstance(node, dict):
        return
    mark = node.get("mark")
    kind = _mark_type(node)
    if isinstance(mark, dict):
        if kind in _LINES and "strokeWidth" in mark:
            mark["strokeWidth"] = _scaled(mark["strokeWidth"], LINE_SCALE)
        if kind in _POINTS and "size" in mark:
            mark["size"] = _scaled(mark["size"], POINT_SCALE)
        if kind == "text" and "fontSize" in mark:
            mark["fontSize"] = _scaled(mark["fontSize"], PRESENT_SCALE, MIN_PRESENT_TYPE)
    encoding = node.get("encoding")
    if isinstance(encoding, dict):
        for channel, factor in (("strokeWidth", LINE_SCALE if kind in _LINES else 1), ("size", POINT_SCALE
                                if kind in _POINTS else 1)):
            if isinstance(encoding.get(channel), dict) and "value" in encoding[channel]:
                encoding[channel]["value"] = _scaled(encoding[channel]["value"], factor)
    for key, value in node.items():
        if key in ("config", "datasets", "data", "mark"):
            continue
        if key in _TYPE_KEYS:
            node[key] = _scaled(value, PRESENT_SCALE, MIN_PRESENT_TYPE if key.lower().endswith("fontsize") else 0)
        else:
            _for_projector(value)


@dataclass(frozen=True)
class Template:
    """A chart built in two parts: its structure, by ``build(*key)`` (Altair, cached per key), and
    its data, named (``alt.NamedData("paths")`` in the chart, ``data={"paths": frame}`` here).

    Altair spends ~10 ms building and serializing a layered chart; a page whose charts keep their
    structure while a slider changes their data pays that once per structure, not per move.
    ``build`` must be a module-level function and ``key`` hashable; every field needs its type
    written in the encoding (``"x:Q"``): there is no data to infer it from.
    """

    build: Callable[..., alt.TopLevelMixin]
    key: tuple
    data: dict[str, pd.DataFrame] = field(compare=False)
    # JSON values for the :func:`slot` strings the structure holds (a title that names the step, a colour
    # scale's domain that grows with k): they change per move without building the chart again
    fill: dict[str, Any] = field(default_factory=dict, compare=False)


def slot(name: str) -> str:
    """A stand-in, in a :class:`Template`'s structure, for a whole value it gets per move from ``fill[name]``:
    ``alt.Title(slot("title"))``, or for a list ``[slot(name)]`` (``alt.Scale(domain=[slot("names")])``, which
    Altair validates as a list); not for a part of a longer string."""
    return f"\u2063{name}\u2063"


@functools.lru_cache(maxsize=128)
def _template_json(build: Callable[..., alt.TopLevelMixin], key: tuple, present: bool) -> str:
    return json.dumps(spec_of(build(*key), present))


def _spec(chart: alt.TopLevelMixin | Template, present: bool, inline: bool = False) -> dict[str, Any]:
    if not isinstance(chart, Template):
        return spec_of(chart, present, inline)
    text = _template_json(chart.build, chart.key, present)
    for name, value in chart.fill.items():
        text = text.replace(json.dumps([slot(name)] if isinstance(value, list) else slot(name)), json.dumps(value))
    spec = json.loads(text)
    # records for an export: exact floats (to_json would round to 10 decimals), NaN as null
    spec["datasets"] = {n: (df.astype(object).where(df.notna(), None).to_dict("records") if inline
                            else _arrow_bytes(df)) for n, df in chart.data.items()}
    return spec


def height(base: int) -> int:
    """A chart height, a little taller in presentation mode (as tall as a 1280×720 projector leaves room for)."""
    return int(base * PRESENT_HEIGHT) if shell.presentation_mode() else base


# A spreadsheet program runs a cell that starts with one of these as a formula (“CSV injection”):
# =HYPERLINK(…) in an uploaded file's label would become a live link, or worse, in the downloaded CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _inert(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell  # the usual guard: a leading apostrophe makes the cell text
    return cell


def spreadsheet_safe(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with every text cell (and column name) that a spreadsheet would run as a formula
    prefixed by ``'``. Numbers, in number columns or written as text (``-1.5``), stay as they are."""
    out = data.copy(deep=False)
    for i in range(out.shape[1]):  # by position: column names need not be unique
        column = out.iloc[:, i]
        if column.dtype == object or isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out.isetitem(i, column.map(_inert))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [_inert(c) for c in out.columns]
    return out


def csv_text(data: pd.DataFrame) -> str:
    """The CSV a chart's download offers (see :func:`spreadsheet_safe`). Lines end in CRLF (RFC 4180),
    so a cell holding a lone carriage return is quoted too: a reader cannot split it into a new row
    that starts with a formula."""
    return spreadsheet_safe(data).to_csv(index=False, lineterminator="\r\n")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"


@st.cache_data(max_entries=32, show_spinner=False)
def _render(spec_json: str, fmt: str) -> bytes | str:
    import vl_convert as vlc

    if fmt == "png":
        return vlc.vegalite_to_png(spec_json, scale=2)
    return vlc.vegalite_to_svg(spec_json)


TITLE_CHAR = 0.6  # a title's characters are at most this many ems wide on average (Source Sans, semibold)
_VIEW_KEYS = ("layer", "hconcat", "vconcat", "concat")


def _wrapped(lines: list[str], font_size: float, content: bool = False) -> dict[str, str]:
    """A Vega expression for ``lines`` broken at spaces into lines that fit the chart's place in the page
    (``containerSize()``, the width Streamlit also cuts titles at, less its 40 px), instead of ending in "…".
    A chart drawn at its own width (``content``) may take up to 420 px of a wider page for its title."""
    width = "(isFinite(containerSize()[0]) && containerSize()[0] > 240 ? containerSize()[0] : 240)"
    if content:
        width = f"max({width}, min(windowSize()[0] - 32, 420))"
    chars = f"max(12, floor(({width} - 48) / {TITLE_CHAR * font_size:.2f}))"
    pattern = f"regexp('(.{{1,' + {chars} + '}})(\\\\s+|$)', 'g')"
    parts = [f"trim(replace({json.dumps(line)}, {pattern}, '$1\\n'))" for line in lines]
    return {"signal": f"split(join([{', '.join(parts)}], '\\n'), '\\n')"}


def _lines(text: Any) -> list[str] | None:
    if isinstance(text, str):
        return [text] if text else None
    if isinstance(text, list) and text and all(isinstance(t, str) for t in text):
        return list(text)
    return None


def wrap_titles(spec: dict[str, Any], content: bool = False) -> None:
    """Every chart title and subtitle in ``spec`` (its views', not its axes' or legends') wraps to the width the
    chart gets in the browser: a phone, a column beside another chart, presentation mode's larger type.
    For the browser only (exports have no page to fit): in place."""
    config = spec.get("config", {}).get("title", {})

    def walk(view: dict[str, Any]) -> None:
        title = view.get("title")
        if isinstance(title, str | list):
            title = {"text": title}
        if isinstance(title, dict):
            size = title.get("fontSize", config.get("fontSize", 13))
            sub_size = title.get("subtitleFontSize", config.get("subtitleFontSize", 12))
            if lines := _lines(title.get("text")):
                title["text"] = {"expr": _wrapped(lines, size, content)["signal"]}
            if lines := _lines(title.get("subtitle")):
                title["subtitle"] = _wrapped(lines, sub_size, content)
            view["title"] = title
        for key in _VIEW_KEYS:
            for sub in view.get(key) or []:
                if isinstance(sub, dict):
                    walk(sub)
        if isinstance(view.get("spec"), dict):
            walk(view["spec"])

    walk(spec)


def _frames(chart: alt.TopLevelMixin | Template, spec: dict[str, Any]) -> Iterator[Any]:
    """The chart's data sets: a Template's frames, or the spec's (Arrow bytes as Arrow tables, inline values as
    lists of records)."""
    import pyarrow as pa

    if isinstance(chart, Template):
        yield from chart.data.values()
        return
    for value in spec.get("datasets", {}).values():
        yield pa.ipc.open_stream(value).read_all() if isinstance(value, bytes) else value


def _field_values(chart: alt.TopLevelMixin | Template, spec: dict[str, Any]) -> fit.Values:
    """``field -> its distinct values as text`` over the chart's data (for legends that do not list their domain)."""

    def values(name: str) -> list[str] | None:
        for frame in _frames(chart, spec):
            if isinstance(frame, list):
                if frame and isinstance(frame[0], dict) and name in frame[0]:
                    column = pd.Series([r.get(name) for r in frame])
                else:
                    continue
            elif isinstance(frame, pd.DataFrame) and name in frame.columns:
                column = frame[name]
            elif name in getattr(frame, "column_names", ()):  # an Arrow table
                column = frame.column(name).to_pandas()
            else:
                continue
            return [str(v) for v in column.dropna().unique()[:LEGEND_VALUES]]
        return None

    return values


def _rows(chart: alt.TopLevelMixin | Template, spec: dict[str, Any]) -> int:
    """How many data rows a chart draws (its datasets; inline values count too)."""
    return sum(len(frame) for frame in _frames(chart, spec))


def show(chart: alt.TopLevelMixin | Template, data: pd.DataFrame | None, name: str, container: Any = None,
         width: str = "stretch") -> None:
    """Draw ``chart`` (an Altair chart or a :class:`Template`; full width unless ``width="content"``)
    and offer it as PNG/SVG, ``data`` as CSV.

    The images are rendered only when a download is clicked (deferred), so downloads cost nothing
    on a slider move.
    """
    where = container or st
    present = shell.presentation_mode()
    spec = _spec(chart, present)
    wrap_titles(spec, content=width == "content")
    fit.axis_titles(spec)
    fit.legends(spec, _field_values(chart, spec))
    # room round the chart for glyphs taller or wider than Vega measures (‖, subscripts, a fallback font):
    # in the spec itself, as Streamlit's own chart config would replace the theme's; on the right, the last tick
    # label centred on the plot's edge, which Vega measures narrower than Chromium draws it ("−0.50")
    room = PRESENT_SCALE if present else 1
    spec.setdefault("padding", {"top": round(12 * room), "left": round(8 * room), "right": round(12 * room),
                                "bottom": 5})
    if _rows(chart, spec) <= SVG_ROWS:
        spec["usermeta"] = {**spec.get("usermeta", {}), "embedOptions": {"renderer": "svg"}}
    # Streamlit fits a chart's whole box (titles, legends, axes) into its width and its height: a wrapped title
    # or a legend on top squeezed the plot (to 22 px under a long rotated axis title, whose height counts too).
    # The plot keeps the height asked for and the box grows round it; "pad" keeps a chart drawn at its own
    # width at that width too (square maps stay square).
    spec["autosize"] = {"type": "pad", "contains": "content"} if width == "content" else {"type": "fit-x",
                                                                                          "contains": "padding"}
    where.vega_lite_chart(spec=spec, theme=None, width=width)
    sheet.add(chart, present)  # "Download this view": every chart of the tab on one sheet
    slug = _slug(name)

    def picture(fmt: str) -> bytes | str:
        return _render(json.dumps(_spec(chart, present, inline=True)), fmt)

    with where.popover("Download", icon=":material/download:", help=f"Save “{name}” as an image or its data as CSV"):
        st.download_button("PNG image", lambda: picture("png"), f"{slug}.png", "image/png",
                           on_click="ignore", key=f"dl-png-{slug}")
        st.download_button("SVG image", lambda: picture("svg"), f"{slug}.svg", "image/svg+xml",
                           on_click="ignore", key=f"dl-svg-{slug}")
        if data is not None:
            st.download_button("Data (CSV)", lambda: csv_text(data), f"{slug}.csv", "text/csv",
                               on_click="ignore", key=f"dl-csv-{slug}")


def image(img: pd.DataFrame | Any, title: str = "", width: int = 160, domain: tuple[float, float] | None = None,
          scheme: str = "greys", reverse: bool = False) -> alt.Chart:
    """A 2-D array as a pixel heatmap (digits, reconstructions) with tooltips per pixel."""
    import numpy as np

    arr = np.asarray(img, dtype=float)
    h, w = arr.shape
    rows, cols = np.indices((h, w))
    df = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": arr.ravel()})
    scale = alt.Scale(scheme=scheme, reverse=reverse, domain=list(domain) if domain else alt.Undefined)
    return alt.Chart(df, title=title).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("value:Q", scale=scale, legend=None),
        tooltip=["row", "col", alt.Tooltip("value:Q", format=".2f")],
    ).properties(width=width, height=width * h / w)
