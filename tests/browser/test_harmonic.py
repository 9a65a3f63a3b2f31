"""The Harmonic Analysis explorer in the real browser: a signal uploaded with text and NaN cells is drawn with
notes on what was filled; binary junk gets a clear message and the page goes on with the ECG."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import charts_drawn, choose, goto, problems
from tests.browser.test_uploads import captions as _captions
from tests.browser.test_uploads import upload as _upload
from ui.chapters import live

pytestmark = pytest.mark.browser

HA = next((c for c in live() if c.prefix == "ha"), None)
needs_ha = pytest.mark.skipif(HA is None, reason="the Harmonic Analysis explorer is not live")


@needs_ha
def test_signal_upload_with_text_and_nan(server, page):
    goto(page, f"{server}/{HA.url_path}?ha_tab=Wavelet%20transform")
    choose(page, "Signal", "Upload a signal")
    rows = "\n".join(f"{i / 100},{'abc' if i == 50 else 'nan' if i == 70 else (i % 17) / 17}" for i in range(300))
    _upload(page, "trace.csv", f"time,value\n{rows}\n".encode())
    assert not problems(page), problems(page)
    text = _captions(page)
    assert "interpolation" in text and "used as time" in text, text
    assert charts_drawn(page) >= 1


@needs_ha
def test_binary_junk_gets_a_message_and_the_ecg(server, page):
    goto(page, f"{server}/{HA.url_path}?ha_tab=Fourier")
    choose(page, "Signal", "Upload a signal")
    _upload(page, "photo.csv", bytes(range(256)) * 40, "application/octet-stream")
    errors = page.eval_on_selector_all("[data-testid='stAlertContentError']", "els => els.map(e => e.innerText)")
    assert errors and "photo.csv" in errors[0], errors
    assert not page.locator("[data-testid='stException']").count()
    assert "shows the ECG" in _captions(page)
    assert charts_drawn(page) >= 1

