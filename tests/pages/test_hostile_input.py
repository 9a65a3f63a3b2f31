"""Hostile input through every door a stranger has (AppTest): a shared link whose values carry Markdown,
HTML, LaTeX, Streamlit's :colour[…]/icon/emoji syntax, control characters, invalid UTF-8 or megabytes of
text, and uploads whose file names, column names and cells do the same.

Generic over ``ui.chapters.live()``. Every URL-bound control of every tab (and the tab and sidebar keys)
gets hostile values; the page must never raise, must say which value it refused, and every Markdown
body on the page must show that text literally: each ASCII punctuation character escaped, the
patterns Streamlit rewrites after parsing broken (see tests/hostile.py). The browser suite checks the
resulting DOM for a few of these cases.
"""

from __future__ import annotations

import re

import pytest

from tests import helpers as h
from tests import hostile as x
from ui.chapters import live

CASES = list(h.page_tab_cases())
CASE_IDS = [f"{h.chapter_id(c)}-{t or 'no-tabs'}" for c, t in CASES]
MARKDOWN_KINDS = ("markdown", "caption", "error", "warning", "info", "success", "toast", "title", "header",
                  "subheader")
ALL_RAW = tuple(dict.fromkeys(f for p in x.URL_PAYLOADS for f in p.raw))
ROUNDS = 3


def _open(chapter, tab, params):
    params = dict(params)
    if tab is not None and h.tab_key(chapter) not in params:
        params[h.tab_key(chapter)] = tab
    return h.open_page(chapter.page, params)


def bodies(at) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    out = [el.value for kind in MARKDOWN_KINDS for el in at.get(kind)]
    out += [m.label for m in at.metric]
    return out


def assert_safe(at, where: str, raw: tuple[str, ...] = ALL_RAW) -> list[str]:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    found = bodies(at)
    for body in found:
        assert not x.raw_in(body, raw), f"{where}: unescaped {x.raw_in(body, raw)} in {body[:300]!r}"
    return found


def assert_noted(found: list[str], where: str, given: dict[str, x.Payload]) -> None:
    """Each refused value is named in its note, literally. (The sidebar's switches say so on the first
    page a session opens, which in AppTest is the home page: see the sidebar test.)"""
    notes = [b for b in found if h.NOTE_MARK in b]
    for key, payload in given.items():
        if key in h.GLOBAL_KEYS:
            continue
        why = [x.literal_in(b, f"{key}={payload.shown}") for b in notes]
        assert None in why, f"{where}: no literal note for {key}={payload.id}: {why[:3] or 'no notes at all'}"


def _hostile_params(keys: list[str], round_: int) -> dict[str, x.Payload]:
    k = len(x.URL_PAYLOADS)
    return {key: x.URL_PAYLOADS[(i + round_ * 5) % k] for i, key in enumerate(sorted(keys))}


def _url_keys(at, chapter, tab) -> list[str]:
    keys = list(h.page_controls(at, chapter)) + list(h.GLOBAL_KEYS)
    if tab is None or tab == h.tabs_of(chapter.page)[0]:  # a refused tab name opens the first tab
        keys.append(h.tab_key(chapter))
    return keys


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_hostile_link_values_are_refused_and_shown_literally(chapter, tab):
    """Every control on the tab gets a hostile value (a different one per control and round): each is
    refused with a note that shows it literally, and the page still draws."""
    keys = _url_keys(_open(chapter, tab, {}), chapter, tab)
    for round_ in range(ROUNDS):
        given = _hostile_params(keys, round_)
        at = _open(chapter, tab, {k: p.value for k, p in given.items()})
        where = f"{chapter.page} [{tab}] round {round_}: " + ", ".join(f"{k}={p.id}" for k, p in given.items())
        found = assert_safe(at, where)
        assert not at.error, f"{where}: {[e.value for e in at.error]}"
        assert h.charts(at) >= 1, f"{where}: nothing drawn"
        assert_noted(found, where, given)


FIRST = live()[0]


@pytest.mark.parametrize("payload", x.URL_PAYLOADS, ids=[p.id for p in x.URL_PAYLOADS])
def test_every_payload_in_every_control_of_one_page(payload):
    """The full matrix on one page: each payload in every control, the tab and the sidebar at once."""
    keys = _url_keys(_open(FIRST, None, {}), FIRST, None)
    at = _open(FIRST, None, dict.fromkeys(keys, payload.value))
    where = f"{FIRST.page} ?*={payload.id}"
    found = assert_safe(at, where, payload.raw)
    assert h.charts(at) >= 1, f"{where}: nothing drawn"
    assert_noted(found, where, dict.fromkeys(keys, payload))


@pytest.mark.parametrize("payload", x.URL_PAYLOADS, ids=[p.id for p in x.URL_PAYLOADS])
def test_sidebar_switches_refuse_hostile_values(payload):
    at = h.open_page(h.home_page(), dict.fromkeys(h.GLOBAL_KEYS, payload.value))
    where = f"home ?present=cpu={payload.id}"
    found = assert_safe(at, where, payload.raw)
    given = dict.fromkeys(h.GLOBAL_KEYS, payload)
    notes = [b for b in found if h.NOTE_MARK in b]
    for key in given:
        assert None in [x.literal_in(b, f"{key}={payload.shown}") for b in notes], f"{where}: {key}: {notes}"


def _page_keys(chapter) -> list[str]:
    """URL keys written in the page's source: also those of controls that only a choice reveals."""
    source = (h.ROOT / chapter.page).read_text(encoding="utf-8")
    keys = re.findall(r'controls\.\w+\([^)]*?"([a-z]+_[a-z_0-9]+)"', source)
    return sorted(set(keys) - {h.tab_key(chapter)})


@pytest.mark.parametrize("chapter", live(), ids=[h.chapter_id(c) for c in live()])
def test_controls_a_choice_reveals_refuse_hostile_values(chapter):
    """The first tab, once per option of each choice on it: the controls that option reveals (the
    Gaussian's sliders, a generator's parameters) get hostile values too."""
    fresh = _open(chapter, None, {})
    keys = _page_keys(chapter)
    tried = 0
    for choice, (kind, w) in h.page_controls(fresh, chapter).items():
        if kind not in ("selectbox", "radio"):
            continue
        for n, option in enumerate(w.options):
            given = _hostile_params([k for k in keys if k != choice], n)
            at = _open(chapter, None, {choice: option, **{k: p.value for k, p in given.items()}})
            where = f"{chapter.page} ?{choice}={option} + hostile values"
            found = assert_safe(at, where)
            shown = {k: p for k, p in given.items() if k in h.page_controls(at, chapter)}
            assert_noted(found, where, shown)
            tried += 1
    if not tried:
        pytest.skip("no choice on the first tab")


# ------------------------------------------------------------------------------------------- uploads


def _upload_choice(at, chapter) -> tuple[str, str] | None:
    for key, (kind, w) in h.page_controls(at, chapter).items():
        if kind == "selectbox":
            label = next((o for o in w.options if str(o).lower().startswith("upload")), None)
            if label is not None:
                return key, str(label)
    return None


UPLOADS = {
    "refused": b"\x00\x01\x02 binary, not text",
    "dropped-text-columns": x.hostile_csv(),
    "label-column": x.hostile_csv(label_only=True),
}


@pytest.mark.parametrize("variant", list(UPLOADS))
@pytest.mark.parametrize("chapter", live(), ids=[h.chapter_id(c) for c in live()])
def test_uploads_with_hostile_names_and_headers_are_shown_literally(chapter, variant):
    choice = _upload_choice(_open(chapter, None, {}), chapter)
    if choice is None:
        pytest.skip("no upload on this page")
    at = _open(chapter, None, {choice[0]: choice[1]})
    uploader = next(u for u in at.file_uploader if u.key and u.key.startswith(f"{chapter.prefix}_"))
    uploader.set_value((x.FILE_NAME, UPLOADS[variant], "text/csv"))
    at.run()
    where = f"{chapter.page}: {variant} upload"
    found = assert_safe(at, where, x.FILE_RAW)
    assert h.charts(at) >= 1, f"{where}: nothing drawn"
    if variant == "refused":
        assert [e for e in at.error if x.literal_in(e.value, x.FILE_NAME) is None], \
            f"{where}: the error does not name the file literally: {[e.value for e in at.error]}"
    else:
        assert not at.error, f"{where}: {[e.value for e in at.error]}"
    # Wherever the reader can read the file's name, a header or a cell, it is there literally.
    for text in (x.FILE_NAME, *x.HEADERS, *x.TEXT_HEADERS, *x.NODES, *x.LABELS):
        for body in found:
            if text in h.unescape(body):
                assert x.literal_in(body, text) is None, f"{where}: {x.literal_in(body, text)}"
