"""Chapter 9 in the real browser: every tab draws; the ε slider writes the URL and redraws the complex
without recomputing persistence; that URL, opened fresh, reproduces the view."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import (
    chart_pictures,
    charts_drawn,
    goto,
    metrics,
    open_tab,
    problems,
    query,
    settle,
    tab_names,
)
from ui.chapters import live

pytestmark = pytest.mark.browser

TP = next((c for c in live() if c.prefix == "tp"), None)
needs_tp = pytest.mark.skipif(TP is None, reason="the Topology explorer is not live")
EPS = "[data-testid='stSlider'] input[type='range'][aria-label='Filtration value ε']"
COMPUTE = "[data-testid='stCaptionContainer']:has-text('Rips persistence')"


@needs_tp
def test_every_topology_tab_draws(server, page):
    goto(page, f"{server}/{TP.url_path}")
    for name in tab_names(page):
        open_tab(page, name)
        assert not problems(page), f"[{name}] {problems(page)}"
        assert charts_drawn(page) >= 3, f"[{name}] too few charts drawn"


@needs_tp
def test_eps_slider_redraws_and_its_link_reopens(server, page, new_page):
    goto(page, f"{server}/{TP.url_path}")
    assert charts_drawn(page) >= 4
    line = page.locator(COMPUTE).first.inner_text()
    before_metrics, before_charts = metrics(page), chart_pictures(page)
    page.locator(EPS).focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    settle(page)
    for _ in range(60):  # on a loaded machine the last key's rerun can land after a quiet moment
        if metrics(page) != before_metrics:
            break
        page.wait_for_timeout(250)
        settle(page)
    eps = page.locator(EPS).input_value()
    assert query(page.url).get("tp_eps") == [eps], page.url
    assert not problems(page), problems(page)
    assert metrics(page) != before_metrics, "edges and triangles at ε did not change"
    charts_drawn(page)
    assert chart_pictures(page) != before_charts
    assert page.locator(COMPUTE).first.inner_text() == line, "persistence was recomputed for an ε move"

    fresh = new_page()
    goto(fresh, page.url)
    assert fresh.locator(EPS).input_value() == eps
    assert metrics(fresh) == metrics(page)
    assert not problems(fresh), problems(fresh)
