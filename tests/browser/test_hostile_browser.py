"""Hostile input in the real browser, a few representative cases (tests/pages/test_hostile_input.py
covers every control in AppTest): what the DOM holds for a crafted link and a crafted upload. The
text must be there character for character, inside the same elements a harmless note or error uses,
with no link, image, icon, colour, LaTeX or script of its own."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests import hostile as x
from tests.browser.test_browser import charts_drawn, choose, goto, problems
from tests.browser.test_uploads import upload
from ui.chapters import live

pytestmark = pytest.mark.browser

LA = next((c for c in live() if c.prefix == "la"), None)
needs_la = pytest.mark.skipif(LA is None, reason="the Linear Algebra explorer is not live")
WJ = "\u2060"

# Per caption, error or Markdown block: its text (word joiners dropped), the tags inside it, and how
# many links, images, icons, formulas or SVGs.
BLOCKS = """sel => [...document.querySelectorAll(sel)].map(e => ({
  text: e.innerText.replaceAll('\\u2060', ''),
  tags: [...e.querySelectorAll('*')].map(c => c.tagName.toLowerCase()),
  planted: e.querySelectorAll('a, img, svg, [role=img], .katex, math, script, iframe').length,
}))"""
# Anything in the whole page that the attacker's text could have made.
PLANTED = """() => [
  ...[...document.querySelectorAll('a[href]')].filter(a => /ev\\.il|javascript:/i.test(a.getAttribute('href')))
     .map(a => 'link ' + a.outerHTML),
  ...[...document.querySelectorAll('img')].filter(i => /ev\\.il|^x$/.test(i.getAttribute('src') || ''))
     .map(i => 'image ' + i.outerHTML),
  ...[...document.querySelectorAll('[data-testid="stCaptionContainer"] img, [data-testid="stAlertContainer"] img')]
     .map(i => 'image in a note ' + i.outerHTML.slice(0, 80)),
]"""
CAPTIONS = "[data-testid='stCaptionContainer']"
ERRORS = "[data-testid='stAlertContentError'] [data-testid='stMarkdownContainer']"  # the message, not its icon


def _watch_dialogs(page) -> list[str]:
    seen: list[str] = []

    def record(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def _notes(page) -> list[dict]:
    return [b for b in page.evaluate(BLOCKS, CAPTIONS) if "The link's" in b["text"]]


@needs_la
def test_a_crafted_link_shows_its_values_as_text(server, page):
    """The issue's link, plus an image tag, the logo, a colour, a bare link and LaTeX in other values.
    ``present=maybe`` gives a harmless note to compare the elements with."""
    dialogs = _watch_dialogs(page)
    given = {"la_data": x.URL_PAYLOADS[0].value,  # x` [Log in here](https://ev.il) `
             "la_k": "<img src=x onerror=alert(1)>",
             "la_std": ":streamlit: :red[r] https://ev.il",
             "la_tab": r"$\href{https://ev.il}{m}$ a@ev.il",
             "present": "maybe"}
    goto(page, f"{server}/{LA.url_path}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in given.items()))
    assert not problems(page), problems(page)
    assert charts_drawn(page) >= 1
    notes = _notes(page)
    harmless = next(n for n in notes if "“present=maybe”" in n["text"])
    for key, value in given.items():
        note = next((n for n in notes if f"“{key}={value}”" in n["text"]), None)
        assert note is not None, f"no note shows {key}={value!r} as text: {[n['text'] for n in notes]}"
        assert note["tags"] == harmless["tags"], f"{key}: elements {note['tags']} (a harmless note: {harmless['tags']})"
    assert not page.evaluate(PLANTED), page.evaluate(PLANTED)
    assert not dialogs, dialogs


@needs_la
def test_invalid_utf8_and_control_characters_in_a_link(server, page):
    """Percent-encodings that are not UTF-8, a newline, a NUL and a right-to-left override: shown as
    U+FFFD and visible control pictures, on one line, and the page still draws."""
    goto(page, f"{server}/{LA.url_path}?la_data=%C3%28%FF%0A%00%E2%80%AEx%60%5Bl%5D(https://ev.il)")
    assert not problems(page), problems(page)
    assert charts_drawn(page) >= 1
    texts = [n["text"] for n in _notes(page)]
    assert any("“la_data=\ufffd(\ufffd␊␀\ufffdx`[l](https://ev.il)”" in t for t in texts), texts
    assert not page.evaluate(PLANTED), page.evaluate(PLANTED)


@needs_la
def test_a_crafted_upload_shows_its_name_and_headers_as_text(server, page):
    dialogs = _watch_dialogs(page)
    goto(page, f"{server}/{LA.url_path}")
    choose(page, "Data", "Upload CSV")
    upload(page, x.FILE_NAME, b"\x00\x01 not text", "application/octet-stream")
    errors = page.evaluate(BLOCKS, ERRORS)
    assert len(errors) == 1 and errors[0]["text"].startswith(x.FILE_NAME + ": "), errors
    assert errors[0]["tags"] == ["p"] and not errors[0]["planted"], errors
    assert not page.evaluate(PLANTED), page.evaluate(PLANTED)

    upload(page, x.FILE_NAME, x.hostile_csv())
    assert not problems(page), problems(page)
    assert charts_drawn(page) >= 1
    captions = page.evaluate(BLOCKS, CAPTIONS)
    text = "\n".join(c["text"] for c in captions)
    for expected in (x.FILE_NAME, *x.TEXT_HEADERS):
        assert expected in text, f"{expected!r} not shown as text in {text!r}"
    for caption in captions:
        if any(s in caption["text"] for s in (x.FILE_NAME, *x.TEXT_HEADERS)):
            # the description (a paragraph) or a note (a paragraph with its one colour span)
            assert caption["tags"] in (["p"], ["p", "span"]) and not caption["planted"], caption
    assert not page.evaluate(PLANTED), page.evaluate(PLANTED)
    assert not dialogs, dialogs
