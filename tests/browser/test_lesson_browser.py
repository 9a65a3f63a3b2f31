"""A prepared lesson link in Chromium: the hidden controls are not in the page, the locked ones are there
and disabled, the others work, the page says it was prepared, and the full-page button brings them back.
A covered link shows the question and hides the numbers until Reveal."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import charts_drawn, goto, metrics, problems, query, settle
from ui.chapters import live

pytestmark = pytest.mark.browser

LA = next(c for c in live() if c.prefix == "la")
K_SLIDER = "[data-testid='stSlider'] input[type='range'][aria-label='Components k']"


def test_a_prepared_link_hides_and_locks_its_controls(server, page):
    goto(page, f"{server}/{LA.url_path}?la_k=5&hide=la_k&lock=la_data")
    assert not problems(page), problems(page)
    assert charts_drawn(page) >= 1
    assert page.locator(K_SLIDER).count() == 0, "the hidden k slider is in the page"
    assert page.get_by_text("Variance kept by 5 of 64 axes").count() == 1, "the hidden k=5 does not apply"
    data = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Data", exact=True))
    assert data.count() == 1, "the locked Data box is missing"
    assert data.locator("input").first.is_disabled(), "the locked Data box can be changed"
    standardize = page.locator("label", has_text="Standardize columns").locator("input")
    assert standardize.first.is_enabled(), "a control the link did not name is disabled"
    assert page.get_by_text("prepared by your teacher").count() == 1
    page.get_by_role("button", name="Show the full page").click()
    # on a loaded machine the rerun the click starts can begin after settle()'s first quiet second: wait for it
    page.locator(K_SLIDER).first.wait_for(state="attached", timeout=60_000)
    settle(page)
    assert page.locator(K_SLIDER).count() == 1 and page.locator(K_SLIDER).input_value() == "5"
    assert not data.locator("input").first.is_disabled()
    assert "hide" not in query(page.url) and "lock" not in query(page.url), page.url


def test_a_covered_link_hides_the_numbers_until_reveal(server, page):
    goto(page, f"{server}/{LA.url_path}?present=true&cover=true")
    assert page.get_by_text("Predict first").count() == 1
    value = page.locator("[data-testid='stMetricValue']").first
    assert value.evaluate("e => getComputedStyle(e).visibility") == "hidden", "a number is visible before Reveal"
    page.locator("button", has_text="Reveal").first.click()
    settle(page)
    assert page.locator("[data-testid='stMetricValue']").first.evaluate("e => getComputedStyle(e).visibility") \
        == "visible"
    assert metrics(page), "no numbers after Reveal"
    assert query(page.url).get("cover") == ["true"], page.url
