"""Each explorer's chart builders: pure Altair (no Streamlit calls), one module per chapter, so a
page script stays glue and the charts can be built and checked in tests on their own."""

import altair as alt


def legend(**kw) -> alt.Legend:
    """An Altair legend whose labels and title are not cut at Vega's default 160/180 px: presentation mode's
    larger type would cut "largest H1 persistence" and the like. (A theme-wide limit that scales with the type,
    in ui.charts, would make this unnecessary.)"""
    return alt.Legend(**{"labelLimit": 400, "titleLimit": 400, **kw})
