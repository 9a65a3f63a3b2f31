"""Browser tests: the real server in headless Chromium, as a student or a teacher sees it.

Every page in the sidebar navigation and every tab of it draws its charts without an exception;
a slider move writes the URL, and that URL opened in a fresh browser reproduces the view; the
sidebar's "Link to this view" follows every change.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from ui.chapters import live

pytestmark = pytest.mark.browser

LA = next((c for c in live() if c.prefix == "la"), None)
needs_la = pytest.mark.skipif(LA is None, reason="the Linear Algebra explorer is not live")
K_SLIDER = "[data-testid='stSlider'] input[type='range'][aria-label='Components k']"
CHART = ("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg.marks, "
         "[data-testid='stImage'] img")
PROBLEM = "[data-testid='stException'], [data-testid='stAlertContentError']"
SHARE_LINK = "[data-testid='stSidebar'] [data-testid='stCode']"

# Finished: the script is not running, nothing is stale, and the sidebar's share link (drawn
# last, by ui.shell.finish) is there, or the run stopped on an exception.
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return !!app && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector("[data-testid='stStatusWidget']")
    && !document.querySelector("[data-stale='true']")
    && !!document.querySelector("[data-testid='stSidebar'] [data-testid='stCode'], [data-testid='stException']");
}"""


def settle(page, quiet_s: float = 0.7, timeout_s: float = 90) -> None:
    """Wait until Streamlit has finished the run for this view and stayed finished a moment
    (a fresh session can pause between two runs)."""
    page.wait_for_timeout(250)
    deadline = time.time() + timeout_s
    since = None
    while True:
        now = time.time()
        if page.evaluate(SETTLED):
            since = since or now
            if now - since >= quiet_s:
                return
        else:
            since = None
        if now > deadline:
            state = page.evaluate("() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState")
            raise AssertionError(f"{page.url}: no finished run after {timeout_s:.0f} s (script state {state})")
        page.wait_for_timeout(100)


def problems(page) -> list[str]:
    return page.eval_on_selector_all(PROBLEM, "els => els.map(e => e.innerText.slice(0, 400))")


def charts_drawn(page, timeout_ms: int = 20_000) -> int:
    """Charts (Vega canvas/svg) and photos drawn in the page, after waiting for the first one."""
    try:
        page.wait_for_selector(CHART, state="attached", timeout=timeout_ms)
    except Exception:
        return 0
    return page.locator(CHART).count()


def chart_pictures(page) -> list[str]:
    """What each Vega chart shows, as a PNG data URL (canvas renderer) or SVG markup."""
    return page.eval_on_selector_all(
        "[data-testid='stVegaLiteChart']",
        "els => els.map(e => { const c = e.querySelector('canvas'); if (c) return c.toDataURL();"
        " const s = e.querySelector('svg'); return s ? s.outerHTML : ''; })")


def metrics(page) -> list[str]:
    return page.eval_on_selector_all("[data-testid='stMetricValue']", "els => els.map(e => e.innerText.trim())")


def tab_names(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stTabs'] [role='tab']").all_inner_texts()]


def selected_tab(page) -> str | None:
    sel = page.locator("[data-testid='stTabs'] [role='tab'][aria-selected='true']")
    return sel.first.inner_text().strip() if sel.count() else None


def open_tab(page, name: str) -> None:
    page.locator("[data-testid='stTabs'] [role='tab']", has_text=name).first.click()
    settle(page)
    assert selected_tab(page) == name


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def share_link(page) -> str:
    return page.locator(SHARE_LINK).last.inner_text().strip()


def goto(page, url: str) -> None:
    page.goto(url)
    settle(page)


def move_k(page, key: str = "ArrowRight") -> str:
    """Move the "Components k" slider one step with the keyboard; returns its new value."""
    before = page.locator(K_SLIDER).input_value()
    page.locator(K_SLIDER).focus()
    page.keyboard.press(key)
    settle(page)
    after = page.locator(K_SLIDER).input_value()
    assert after != before, f"the k slider did not move from {before}"
    return after


# ------------------------------------------------------------------------------------------- tests


def test_every_page_is_linked_and_renders(server, page):
    """The sidebar links every live page and the book map links every explorer; each page's first tab renders
    with no exception and a chart. (Every other tab is clicked and checked, at two viewports, by
    tests/browser/test_projector.py.)"""
    goto(page, server)
    links = list(dict.fromkeys(page.eval_on_selector_all("[data-testid='stSidebarNavLink']",
                                                          "els => els.map(e => e.href)")))
    assert len(links) == 1 + len(live()), links
    paths = {urlsplit(u).path.strip("/") for u in links}
    assert {c.url_path for c in live()} <= paths, paths
    visited = []
    for url in links:
        goto(page, url)
        assert not problems(page), f"{url}: {problems(page)}"
        if urlsplit(url).path.strip("/") == "":  # the book map: a link to every live explorer
            hrefs = page.eval_on_selector_all("[data-testid='stPageLink-NavLink']",
                                              "els => els.map(e => e.getAttribute('href'))")
            assert sorted(h.strip("/") for h in hrefs) == sorted(c.url_path for c in live()), hrefs
            continue
        assert tab_names(page), f"{url}: no tabs"
        assert charts_drawn(page) >= 1, f"{url}: no chart or image drawn"
        visited.append(url)
    assert len(visited) == len(live())


@needs_la
def test_slider_move_writes_the_url_and_redraws(server, page, new_page):
    goto(page, f"{server}/{LA.url_path}")
    assert charts_drawn(page) >= 1
    start = int(page.locator(K_SLIDER).input_value())
    before_metrics, before_charts = metrics(page), chart_pictures(page)
    k = move_k(page)
    assert k == str(start + 1)
    assert query(page.url).get("la_k") == [k], page.url
    assert not problems(page), problems(page)
    after_metrics = metrics(page)
    assert after_metrics != before_metrics, "the metrics did not change with k"
    charts_drawn(page)
    assert chart_pictures(page) != before_charts, "no chart changed with k"

    # (3) The URL, opened in a fresh browser context (a new session), reproduces the view.
    fresh = new_page()
    goto(fresh, page.url)
    assert fresh.locator(K_SLIDER).input_value() == k
    assert metrics(fresh) == after_metrics
    assert charts_drawn(fresh) >= 1
    assert not problems(fresh), problems(fresh)


@needs_la
def test_tab_switch_writes_the_url_and_reopens(server, page, new_page):
    goto(page, f"{server}/{LA.url_path}")
    names = tab_names(page)
    assert selected_tab(page) == names[0]
    target = "Image compression" if "Image compression" in names else names[1]
    open_tab(page, target)
    assert query(page.url).get("la_tab") == [target], page.url
    assert charts_drawn(page) >= 1
    shown = metrics(page)

    fresh = new_page()
    goto(fresh, page.url)
    assert selected_tab(fresh) == target
    assert charts_drawn(fresh) >= 1
    assert metrics(fresh) == shown
    assert not problems(fresh), problems(fresh)

    open_tab(page, names[0])  # back to the first tab: the parameter goes (it is the default)
    assert "la_tab" not in query(page.url), page.url


def _same_view(link: str, url: str) -> None:
    a, b = urlsplit(link), urlsplit(url)
    assert (a.scheme, a.netloc, a.path.rstrip("/")) == (b.scheme, b.netloc, b.path.rstrip("/")), (link, url)


@needs_la
def test_share_link_follows_every_change(server, page):
    goto(page, f"{server}/{LA.url_path}")
    _same_view(share_link(page), page.url)
    assert query(share_link(page)) == query(page.url)
    for _ in range(2):  # the link must not lag a run behind
        k = move_k(page)
        _same_view(share_link(page), page.url)
        assert query(share_link(page)) == query(page.url), (share_link(page), page.url)
        assert query(share_link(page)).get("la_k") == [k]
    move_k(page, "ArrowLeft")
    assert query(share_link(page)) == query(page.url), (share_link(page), page.url)


@needs_la
def test_share_link_keeps_the_settings_of_other_tabs(server, page, new_page):
    """On a tab without the k slider Streamlit drops la_k from the address bar (the widget is not
    on screen); the share link keeps it, so the link reproduces k when the viewer goes back."""
    goto(page, f"{server}/{LA.url_path}")
    names = tab_names(page)
    k = move_k(page)
    target = "Image compression" if "Image compression" in names else names[-1]
    open_tab(page, target)
    link = share_link(page)
    _same_view(link, page.url)
    in_url, in_link = query(page.url), query(link)
    assert all(in_link.get(key) == value for key, value in in_url.items()), (link, page.url)
    assert in_link.get("la_k") == [k], link

    fresh = new_page()
    goto(fresh, link)
    assert selected_tab(fresh) == target
    open_tab(fresh, names[0])
    assert fresh.locator(K_SLIDER).input_value() == k, "the share link did not bring k back"


@needs_la
def test_presentation_mode_from_the_url(server, page):
    goto(page, f"{server}/{LA.url_path}?present=true")
    assert not problems(page), problems(page)
    toggle = page.locator("[data-testid='stSidebar'] input[aria-label='Presentation mode']")
    assert toggle.is_checked(), "presentation mode is off"
    assert charts_drawn(page) >= 1
    assert "present=true" in share_link(page)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    page.locator("[data-testid='stSelectbox']", has=page.get_by_text(label, exact=True)).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


@needs_la
def test_changing_the_data_set_after_opening_a_link(server, page):
    """A teacher shares ?la_k=11 (digits); a student picks Wine (k=11 still fits, 13 columns),
    then Iris (4 columns). k must fall back inside 1–4 and the page keep drawing."""
    goto(page, f"{server}/{LA.url_path}?la_k=11")
    assert page.locator(K_SLIDER).input_value() == "11"
    choose(page, "Data", "Wine")
    assert page.locator(K_SLIDER).input_value() == "11"
    choose(page, "Data", "Iris")
    assert not problems(page), f"{page.url}: {problems(page)}"
    assert int(page.locator(K_SLIDER).input_value()) <= 4
    assert charts_drawn(page) >= 1
