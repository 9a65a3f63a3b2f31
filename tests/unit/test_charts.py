"""The chart kit: specs for the browser carry their data as Arrow, exports are self-contained."""

import json

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

from ui import charts


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
