"""``python -m bench``: the dashboard's latency, memory and compute-vs-reference figures, judged
against the budgets in DESIGN.md.

Sections (``--section``):

- ``pages``  server-side rerun time after a widget move, per page and tab, at default and at the
  largest settings (``streamlit.testing.v1.AppTest``; scenarios in :mod:`bench.scenarios`)
- ``cold``   cold start of ``streamlit run app.py`` to the first rendered home page (headless Chromium)
- ``memory`` peak resident memory of that server after every page and tab has been visited
- ``core``   ``core`` (torch) vs the reference library on the same work, on CPU and on CUDA when present

A chapter adds its scenarios to :data:`bench.scenarios.SCENARIOS`; nothing else needs to change.
"""

BUDGETS = {
    "rerun_default_p95_s": 0.100,
    "rerun_largest_p95_s": 1.0,
    "cold_start_s": 3.0,
    "memory_bytes": 1 << 30,
    "core_ratio": 1.0,
}
