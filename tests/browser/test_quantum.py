"""Browser checks of the Quantum Computing explorer alone (the generic sweep stops at the first page
that fails, so this chapter is also checked on its own): every tab draws, a slider move writes the
URL and redraws, and the link reproduces the view in a fresh session."""

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
    selected_tab,
    settle,
    tab_names,
)
from ui.chapters import live

pytestmark = pytest.mark.browser

QC = next((c for c in live() if c.prefix == "qc"), None)
needs_qc = pytest.mark.skipif(QC is None, reason="the Quantum Computing explorer is not live")
RX = "[data-testid='stSlider'] input[type='range'][aria-label='RX angle θx (radians)']"


@needs_qc
def test_every_quantum_tab_renders(server, page):
    goto(page, f"{server}/{QC.url_path}")
    names = tab_names(page)
    assert names[:2] == ["One qubit", "Two qubits"], names
    for name in names:
        open_tab(page, name)
        assert not problems(page), f"[{name}]: {problems(page)}"
        assert charts_drawn(page) >= 1, f"[{name}]: no chart drawn"


@needs_qc
def test_rx_slider_writes_the_url_and_the_link_reproduces_it(server, page, new_page):
    goto(page, f"{server}/{QC.url_path}")
    before_metrics, before_charts = metrics(page), chart_pictures(page)
    page.locator(RX).focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    value = page.locator(RX).input_value()
    assert value == "0.51", value
    assert query(page.url).get("qc_rx") == [value], page.url
    assert metrics(page) != before_metrics
    charts_drawn(page)
    assert chart_pictures(page) != before_charts
    fresh = new_page()
    goto(fresh, page.url)
    assert selected_tab(fresh) == "One qubit"
    assert fresh.locator(RX).input_value() == value
    assert metrics(fresh) == metrics(page)
    assert not problems(fresh), problems(fresh)
