"""Uploads in the real browser: a file goes through Streamlit's uploader into the page's validated
parser; a usable file is drawn with notes on what was dropped, a bad one gives a clear message and
the page falls back to its bundled data instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_browser import charts_drawn, choose, goto, problems
from ui.chapters import live

pytestmark = pytest.mark.browser

BY_PREFIX = {c.prefix: c for c in live()}
UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"
ERROR = "[data-testid='stAlertContentError']"


def upload(page, name: str, content: bytes, mime: str = "text/csv") -> None:
    from tests.browser.test_browser import settle

    page.locator(UPLOADER).first.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])
    settle(page)


def captions(page) -> str:
    """The captions' text as a person reads it: without the invisible word joiners that ui.text puts after
    a ':' in untrusted text (they stop Streamlit turning it into an emoji or an icon)."""
    return "\n".join(page.locator("[data-testid='stCaptionContainer']").all_inner_texts()).replace("\u2060", "")


def errors(page) -> list[str]:
    return page.eval_on_selector_all(ERROR, "els => els.map(e => e.innerText)")


def exceptions(page) -> list[str]:
    return page.eval_on_selector_all("[data-testid='stException']", "els => els.map(e => e.innerText)")


@pytest.mark.skipif("la" not in BY_PREFIX, reason="the Linear Algebra explorer is not live")
def test_csv_upload_with_text_and_missing_values(server, page):
    goto(page, f"{server}/{BY_PREFIX['la'].url_path}")
    choose(page, "Data", "Upload CSV")
    rows = "\n".join(f"{i},{i * 0.5 + (i % 3)},{(i * 7) % 5},{'ab'[i % 2]},word{i}" for i in range(40))
    upload(page, "measurements.csv", f"a,b,c,group,note\n{rows}\n1,nan,2,a,x\n".encode())
    assert not problems(page), problems(page)
    text = captions(page)
    assert "dropped" in text.lower(), text  # the text column and the NaN row are named in notes
    assert charts_drawn(page) >= 1


@pytest.mark.skipif("la" not in BY_PREFIX, reason="the Linear Algebra explorer is not live")
def test_binary_junk_gets_a_message_and_the_digits(server, page):
    goto(page, f"{server}/{BY_PREFIX['la'].url_path}")
    choose(page, "Data", "Upload CSV")
    upload(page, "photo.csv", bytes(range(256)) * 40, "application/octet-stream")
    assert not exceptions(page), exceptions(page)
    assert errors(page) and "photo.csv" in errors(page)[0], errors(page)
    assert charts_drawn(page) >= 1  # the page goes on with the digits


@pytest.mark.skipif("gr" not in BY_PREFIX, reason="the Graph Theory explorer is not live")
def test_edge_list_upload_with_loops_and_repeats(server, page):
    goto(page, f"{server}/{BY_PREFIX['gr'].url_path}")
    choose(page, "Graph", "Upload an edge list")
    upload(page, "friends.csv", b"source,target\nann,bob\nbob,cat\ncat,cat\nbob,ann\ncat,dan\ndan,eve\neve,ann\n")
    assert not problems(page), problems(page)
    text = captions(page)
    assert "self-loop" in text and "repeated" in text, text
    assert "5 nodes" in text or "5 nodes, 5 edges" in text, text
    assert charts_drawn(page) >= 1


@pytest.mark.skipif("gr" not in BY_PREFIX, reason="the Graph Theory explorer is not live")
def test_empty_edge_list_gets_a_message_and_the_karate_club(server, page):
    goto(page, f"{server}/{BY_PREFIX['gr'].url_path}")
    choose(page, "Graph", "Upload an edge list")
    upload(page, "empty.txt", b"   \n", "text/plain")
    assert not exceptions(page), exceptions(page)
    assert errors(page) and "empty" in errors(page)[0].lower(), errors(page)
    assert "karate" in captions(page).lower()
    assert charts_drawn(page) >= 1


@pytest.mark.skipif("op" not in BY_PREFIX, reason="the Optimization explorer is not live")
def test_a_chart_downloads_as_png_and_its_data_as_csv(server, page):
    goto(page, f"{server}/{BY_PREFIX['op'].url_path}")
    assert charts_drawn(page) >= 1
    for label, check in (("PNG image", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
                         ("Data (CSV)", lambda b: b.startswith(b"optimizer,") and b.count(b"\n") > 10)):
        page.locator("[data-testid='stPopover'] button").first.click()
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=label).first.click()
        content = Path(info.value.path()).read_bytes()
        assert check(content), (label, content[:80])
        page.keyboard.press("Escape")
