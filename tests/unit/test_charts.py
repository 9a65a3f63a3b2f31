"""The chart kit: specs for the browser carry their data as Arrow, exports are self-contained."""

import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

from ui import charts, fit


def _chart(values):
    df = pd.DataFrame({"x": np.arange(len(values)), "y": values})
    return alt.Chart(df).mark_line().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))


def test_browser_spec_ships_arrow_named_by_content():
    spec = charts.spec_of(_chart([1.0, 4.0, 9.0]))
    (name, raw), = spec["datasets"].items()
    assert spec["data"] == {"name": name}
    table = pa.ipc.open_stream(raw).read_all().to_pandas()
    assert table["y"].tolist() == [1.0, 4.0, 9.0]
    assert charts.spec_of(_chart([1.0, 4.0, 9.0]))["datasets"].keys() == {name}  # same data, same name
    assert charts.spec_of(_chart([1.0, 4.0, 8.0]))["datasets"].keys() != {name}


def test_layered_charts_keep_each_layer_data():
    a, b = _chart([1.0, 2.0]), _chart([5.0, 6.0, 7.0]).mark_point()
    spec = charts.spec_of(a + b)
    assert len(spec["datasets"]) == 2
    assert all(isinstance(v, bytes) for v in spec["datasets"].values())


def test_export_spec_is_plain_json_and_renders():
    spec = charts.spec_of(_chart([1.0, 4.0, 9.0]), inline=True)
    text = json.dumps(spec)  # no bytes anywhere
    assert '"y": 9.0' in text
    png = charts._render(text, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in charts._render(text, "svg")


def test_presentation_scale_grows_type():
    normal = charts.spec_of(_chart([1.0]), present=False)["config"]["axis"]["labelFontSize"]
    big = charts.spec_of(_chart([1.0]), present=True)["config"]["axis"]["labelFontSize"]
    assert big > normal


def _build_named(title: str) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="pts")).mark_point().encode(x=alt.X("x:Q"), y=alt.Y("y:Q")).properties(
        title=title)


def test_template_charts_ship_named_arrow_data_and_export_inline():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [4.0, 5.0, np.nan]})
    t = charts.Template(_build_named, ("A title",), {"pts": frame})
    spec = charts._spec(t, False)
    assert spec["data"] == {"name": "pts"} and spec["title"] == "A title"
    table = pa.ipc.open_stream(spec["datasets"]["pts"]).read_all().to_pandas()
    assert table["x"].tolist() == [1.0, 2.0, 3.0]
    inline = charts._spec(t, False, inline=True)
    assert inline["datasets"]["pts"][2] == {"x": 3.0, "y": None}  # NaN becomes null: valid JSON
    png = charts._render(json.dumps(inline), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # the structure is built once per key: a second call with other data reuses it
    before = charts._template_json.cache_info().hits
    charts._spec(charts.Template(_build_named, ("A title",), {"pts": frame.head(1)}), False)
    assert charts._template_json.cache_info().hits == before + 1


def _build_slotted() -> alt.Chart:
    colour = alt.Color("c:N", scale=alt.Scale(domain=[charts.slot("names")], range=[charts.slot("colours")]))
    return alt.Chart(alt.NamedData(name="pts")).mark_point().encode(x=alt.X("x:Q"), color=colour).properties(
        title=alt.Title(charts.slot("title"), subtitle="a “fixed” part"))


def test_a_templates_slots_take_each_moves_values_without_a_rebuild():
    frame = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]})
    before = charts._template_json.cache_info()
    specs = [charts._spec(charts.Template(_build_slotted, (), {"pts": frame},
                                          {"title": f"Step {k} — “{k}”", "names": names, "colours": ["#000"] * k}),
                          False) for k, names in ((1, ["a"]), (3, ["a", "b", "c"]))]
    after = charts._template_json.cache_info()
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 1  # built once, reused
    assert [s["title"]["text"] for s in specs] == ["Step 1 — “1”", "Step 3 — “3”"]
    assert specs[1]["encoding"]["color"]["scale"] == {"domain": ["a", "b", "c"], "range": ["#000"] * 3}
    assert specs[0]["title"]["subtitle"] == "a “fixed” part" and "\u2063" not in json.dumps([s["title"] for s in specs])


def _cells(opacity: float = 1.0, tooltip: bool = False) -> alt.Chart:
    df = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 0, 1, 1], "v": [0.1, 0.4, 0.6, 0.9]})
    enc = dict(x=alt.X("x:O"), y=alt.Y("y:O"), color=alt.Color("v:Q", scale=alt.Scale(scheme="viridis")))
    if tooltip:
        enc["tooltip"] = [alt.Tooltip("v:Q")]
    return alt.Chart(df).mark_rect(opacity=opacity).encode(**enc)


def test_heatmap_cells_are_drawn_without_seams():
    """A rect heatmap gets its own colour as a thin stroke (on a copy of the field, so its legend stays a ramp),
    which covers the anti-aliased seams that showed the background as a white grid."""
    spec = charts.spec_of(_cells(), inline=True)
    enc = spec["encoding"]
    assert enc["stroke"]["field"] == charts.SEAM_FIELD and enc["stroke"]["legend"] is None
    assert enc["stroke"]["scale"] == enc["color"]["scale"]
    assert {"calculate": 'datum["v"]', "as": charts.SEAM_FIELD} in spec["transform"]
    assert spec["mark"]["strokeWidth"] == charts.SEAM_STROKE
    assert "legend" not in enc["color"] or enc["color"]["legend"] is not None
    assert charts._render(json.dumps(spec), "png")[:8] == b"\x89PNG\r\n\x1a\n"
    # inside a facet too (the digits, the eigen-digits)
    faceted = charts.spec_of(_cells().properties(width=40, height=40).facet(column=alt.Column("y:O")), inline=True)
    assert faceted["spec"]["encoding"]["stroke"]["field"] == charts.SEAM_FIELD


def test_a_translucent_bottom_heatmap_is_drawn_opaque_under_a_white_veil():
    points = alt.Chart(pd.DataFrame({"x": [0.5], "y": [0.5]})).mark_point().encode(x=alt.X("x:O"), y=alt.Y("y:O"))
    spec = charts.spec_of(alt.layer(_cells(0.75), points), inline=True)
    heat, veil, dots = spec["layer"]
    assert heat["mark"]["opacity"] == 1 and "stroke" in heat["encoding"]
    assert veil["mark"] == {"type": "rect", "color": "white", "opacity": 0.25}
    assert "stroke" not in dots.get("encoding", {})
    # α·c + (1 − α)·white, whichever way it is drawn
    alone = charts.spec_of(_cells(0.75), inline=True)
    assert [layer["mark"]["type"] for layer in alone["layer"]] == ["rect", "rect"]
    assert "config" in alone and "datasets" in alone and "mark" not in alone
    assert charts._render(json.dumps(alone), "png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_rects_that_are_not_plain_heatmaps_are_left_alone():
    band = alt.Chart(pd.DataFrame({"a": [0.0], "b": [1.0]})).mark_rect(color="#009E73", opacity=0.2).encode(
        x=alt.X("a:Q"), x2=alt.X2("b:Q"))
    assert "stroke" not in charts.spec_of(band, inline=True)["encoding"]  # one colour, no field: no seams
    with_tips = charts.spec_of(_cells(0.8, tooltip=True), inline=True)  # a veil would take its tooltips
    assert "stroke" not in with_tips["encoding"] and with_tips["mark"]["opacity"] == 0.8
    above = charts.spec_of(alt.layer(band, _cells(0.8)), inline=True)  # a veil would cover the layer below
    assert len(above["layer"]) == 2 and above["layer"][1]["mark"]["opacity"] == 0.8


def _small_print_chart():
    df = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 2.0], "t": ["a", "b"]})
    base = alt.Chart(df).encode(x=alt.X("x:Q", title="x"), y=alt.Y("y:Q"))
    return alt.layer(base.mark_line(strokeWidth=1), base.mark_point(size=30),
                     base.mark_text(fontSize=9).encode(text=alt.Text("t:N")),
                     base.mark_rule(strokeDash=[4, 4]).encode(color=alt.Color("t:N", legend=alt.Legend(labelLimit=100)))
                     ).properties(title=alt.Title("A title", subtitle="a subtitle", fontSize=10))


def test_presentation_puts_no_chart_text_under_14px_and_draws_bolder():
    """Issue 22: presenting, titles, subtitles, axis titles and text marks are at least 14 px, the chart's own
    settings included; lines are thicker, points larger, legends cut their labels later."""
    normal, big = charts.spec_of(_small_print_chart()), charts.spec_of(_small_print_chart(), present=True)
    cfg = big["config"]
    for size in (cfg["title"]["fontSize"], cfg["title"]["subtitleFontSize"], cfg["axis"]["titleFontSize"],
                 cfg["text"]["fontSize"], cfg["header"]["labelFontSize"], big["title"]["fontSize"]):
        assert size >= charts.MIN_PRESENT_TYPE
    line, point, text, rule = big["layer"]
    assert text["mark"]["fontSize"] >= charts.MIN_PRESENT_TYPE
    assert line["mark"]["strokeWidth"] > normal["layer"][0]["mark"]["strokeWidth"]
    assert point["mark"]["size"] > normal["layer"][1]["mark"]["size"]
    assert rule["encoding"]["color"]["legend"]["labelLimit"] > 100
    assert cfg["line"]["strokeWidth"] > normal["config"]["line"]["strokeWidth"]
    assert cfg["point"]["size"] > normal["config"]["point"]["size"]
    assert normal["config"]["title"]["subtitleFontSize"] >= 13  # Vega-Lite's default, 12, is too small anywhere


def test_small_charts_draw_as_svg_large_ones_are_left_to_streamlit():
    small = _chart(np.arange(10.0))
    assert charts._rows(small, charts.spec_of(small)) == 10
    frame = pd.DataFrame({"x": np.arange(5000.0), "y": np.arange(5000.0)})
    t = charts.Template(_build_named, ("big",), {"pts": frame})
    assert charts._rows(t, charts._spec(t, False)) == 5000 > charts.SVG_ROWS


def test_titles_wrap_to_the_chart_s_width_instead_of_being_cut():
    """Issue 22: a title or subtitle longer than the chart is wide breaks into lines at spaces (a Vega
    expression on the container's width, so a phone gets shorter lines than a projector), never "…"."""
    long_title = "The state of every one of these qubits on its Bloch sphere"
    long_sub = "dots: measured; dashed: the bounds, each drawn from its own closed form (below)"
    chart = _chart([1.0, 2.0]).properties(title=alt.Title(long_title, subtitle=long_sub), width=200)
    spec = charts.spec_of(chart, inline=True)
    charts.wrap_titles(spec)
    assert "containerSize()" in spec["title"]["text"]["expr"]
    assert "containerSize()" in spec["title"]["subtitle"]["signal"]
    svg = charts._render(json.dumps(spec), "svg")  # vl-convert has no page: the narrowest place, 240 px
    assert "…" not in svg
    words = long_title.split() + long_sub.split()
    assert all(w.replace("&", "&amp;") in svg for w in words)
    assert f">{long_title}<" not in svg and f">{long_sub}<" not in svg  # broken into lines (tspans)


def _columns(expr: str, width: float) -> int:
    """Evaluate ui.fit's columns expression (``room >= w ? k : (…)``) for a plot ``width`` px wide."""
    for gap, need, k in re.findall(r"\(width \+ (\d+)\) >= (\d+) \? (\d+)", expr):
        if width + int(gap) >= int(need):
            return int(k)
    return 1


def test_legends_above_a_plot_take_the_columns_its_width_has_room_for():
    """Issue 22: Vega fits the plot to the chart's width, not a legend above it; the kit gives the legend as many
    columns as fit (the labels' widths estimated from their length), on a phone fewer than on a desktop."""
    names = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    df = pd.DataFrame({"x": np.arange(6.0), "y": np.arange(6.0), "optimizer": names})
    chart = alt.Chart(df).mark_line().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.Color(
        "optimizer:N", legend=alt.Legend(orient="top", title=None, columns=4)))
    spec = charts.spec_of(chart)
    fit.legends(spec, charts._field_values(chart, spec))
    expr = spec["encoding"]["color"]["legend"]["columns"]["expr"]
    assert _columns(expr, 900) == 4  # the author's most
    assert 1 <= _columns(expr, 200) < _columns(expr, 300) < 4
    present = charts.spec_of(chart, present=True)
    fit.legends(present, charts._field_values(chart, present))
    assert _columns(present["encoding"]["color"]["legend"]["columns"]["expr"], 420) < _columns(expr, 420)
    assert "<svg" in charts._render(json.dumps(charts.spec_of(chart, inline=True) | {"encoding": spec["encoding"]}),
                                    "svg")


def test_two_legends_on_one_side_stack_when_they_do_not_fit_side_by_side():
    df = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "a": ["H0", "H1"], "b": ["2 · max displacement", "max |ΔD|"]})
    dots = alt.Chart(df).mark_point().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.Color(
        "a:N", legend=alt.Legend(orient="top", title="bottleneck distance")))
    lines = alt.Chart(df).mark_line().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), strokeDash=alt.StrokeDash(
        "b:N", legend=alt.Legend(orient="top", title="bound (largest of the trials)")))
    spec = charts.spec_of(alt.layer(lines, dots).resolve_scale(color="independent"), inline=True)
    fit.legends(spec, charts._field_values(None, spec))
    signal = spec["config"]["legend"]["layout"]["top"]["direction"]["signal"]
    assert signal.startswith("width < ") and "'vertical'" in signal
    assert "<svg" in charts._render(json.dumps(spec), "svg")


def test_a_y_axis_title_longer_than_its_plot_is_tall_breaks_into_lines():
    """A rotated axis title longer than the plot stood out of the chart (and, as Streamlit fitted the whole chart
    to its height, squeezed the plot): it breaks into lines no longer than the plot is tall."""
    title = "cross-entropy on the training set (log)"
    chart = _chart([1.0, 2.0]).encode(y=alt.Y("y:Q", title=title)).properties(height=200)
    spec = charts.spec_of(chart, present=True)
    fit.axis_titles(spec)
    lines = spec["encoding"]["y"]["title"]
    size = spec["config"]["axis"]["titleFontSize"]
    assert isinstance(lines, list) and " ".join(lines) == title
    assert all(len(line) * fit.AXIS_TITLE_EM * size <= 200 for line in lines)
    tall = charts.spec_of(chart.properties(height=400))
    fit.axis_titles(tall)
    assert tall["encoding"]["y"]["title"] == title  # fits: left alone
