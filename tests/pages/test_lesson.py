"""Lesson links and predict-then-reveal on every live page (AppTest; see ui/lesson.py).

A link's ``hide``/``lock`` hide or disable exactly the controls it names, the view keeps its values, and
the page says it was prepared; names that are no control get a note; ``present=true&cover=true`` opens
each tab covered behind its prediction question, and that state travels in the prepared link.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests import helpers as h
from tests import hostile as x
from ui import lesson
from ui.chapters import live

LIVE_IDS = [h.chapter_id(c) for c in live()]
LA = next(c for c in live() if c.prefix == "la")
NOTICE_ICON = ":material/visibility:"


def every_widget(at) -> dict[str, tuple[str, object]]:
    """Every keyed widget on screen, enabled or not: ``{key: (kind, widget)}``."""
    return {w.key: (kind, w) for kind in h.KINDS for w in getattr(at, kind) if w.key}


def banner(at) -> list[str]:
    return [i.value for i in at.info if "prepared by your teacher" in i.value]


def lesson_link(at) -> dict[str, list[str]]:
    """The query of the sidebar's "Prepare a lesson link", as ``{key: [values]}``."""
    boxes = [e for e in at.sidebar.expander if e.label == "Prepare a lesson link"]
    assert len(boxes) == 1, [e.label for e in at.sidebar.expander]
    code = boxes[0].code[0].value
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(code.split("?", 1)[1], keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def as_params(query: dict[str, list[str]]) -> dict[str, object]:
    return {k: v[0] if len(v) == 1 else v for k, v in query.items()}


def notices(at) -> list[str]:
    return [i.value for i in at.info if getattr(i, "icon", None) == NOTICE_ICON]


CASES = list(h.page_tab_cases())
CASE_IDS = [f"{h.chapter_id(c)}-{t}" for c, t in CASES]


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_a_lesson_link_hides_and_locks_exactly_the_named_controls(chapter, tab):
    opened = {h.tab_key(chapter): tab}
    fresh = h.open_page(chapter.page, opened)
    keys = list(h.page_controls(fresh, chapter))
    assert len(keys) >= 2, keys
    hide, lock = keys[::2], keys[1::2]
    at = h.open_page(chapter.page, {**opened, "hide": ",".join(hide), "lock": ",".join(lock)})
    where = f"{chapter.page} [{tab}]?hide={hide}&lock={lock}"
    h.assert_healthy(at, where)
    assert not h.notes(at), h.notes(at)
    shown = every_widget(at)
    assert not [k for k in hide if k in shown], f"{where}: hidden controls drawn"
    assert all(k in shown and shown[k][1].proto.disabled for k in lock), f"{where}: a locked control is missing " \
                                                                         "or can be moved"
    assert set(h.page_controls(at, chapter)) == set(keys) - set(hide) - set(lock), where
    assert h.metric_values(at) == h.metric_values(fresh), f"{where}: the hidden controls changed the view"
    assert len(banner(at)) == 1, [i.value for i in at.info]
    assert at.button(key="lesson_full")
    query = lesson_link(at)  # the prepared link keeps them hidden and locked, and carries every value
    assert set(query["hide"][0].split(",")) == set(hide) and set(query["lock"][0].split(",")) == set(lock), query
    assert set(keys) <= set(query), query


def test_the_full_page_button_brings_every_control_back():
    fresh = h.open_page(LA.page)
    keys = list(h.page_controls(fresh, LA))
    at = h.open_page(LA.page, {"la_k": "5", "hide": "la_k,la_std", "lock": "la_data"})
    assert "la_k" not in every_widget(at)
    at.button(key="lesson_full").click().run()
    assert set(h.page_controls(at, LA)) == set(keys), h.page_controls(at, LA)
    assert not banner(at)
    assert at.slider(key="la_k").value == 5, "the link's value was lost on the way to the full page"


def test_a_hidden_control_takes_the_links_value_and_refuses_a_bad_one():
    at = h.open_page(LA.page, {"la_k": "5", "hide": "la_k"})
    h.assert_healthy(at, "la_k=5 hidden")
    assert any(label.startswith("Variance kept by 5 of") for label, _ in h.metric_values(at)), h.metric_values(at)
    assert lesson_link(at)["la_k"] == ["5"]
    bad = h.open_page(LA.page, {"la_k": "500", "hide": "la_k"})
    h.assert_healthy(bad, "la_k=500 hidden")
    assert any("“la_k=500”" in n for n in h.notes(bad)), h.notes(bad)
    assert any(label.startswith("Variance kept by 2 of") for label, _ in h.metric_values(bad))


def test_the_prepared_link_round_trips():
    at = h.open_page(LA.page, {"la_data": "Wine", "la_std": "true", "la_k": "3"})
    at.multiselect(key=next(k for k in every_widget(at) if k.startswith("lesson_hide_"))).set_value(
        ["la_std", "la_k"]).run()
    at.multiselect(key=next(k for k in every_widget(at) if k.startswith("lesson_lock_"))).set_value(
        ["la_data"]).run()
    query = lesson_link(at)
    assert query["hide"] == ["la_std,la_k"] and query["lock"] == ["la_data"], query
    again = h.open_page(LA.page, as_params(query))
    h.assert_healthy(again, str(query))
    assert not h.notes(again), h.notes(again)
    assert h.metric_values(again) == h.metric_values(at)
    assert "la_std" not in every_widget(again) and again.selectbox(key="la_data").proto.disabled


def test_names_that_are_no_control_are_ignored_with_a_note():
    fresh = h.open_page(LA.page)
    at = h.open_page(LA.page, {"hide": "nope,la_k", "lock": "present,la_zz"})
    h.assert_healthy(at, "bad names")
    shown = "\n".join(h.notes(at))
    for given in ("hide=nope", "lock=present", "lock=la_zz"):
        assert f"“{given}”" in shown, f"no note for {given}: {h.notes(at)}"
    assert "“hide=la_k”" not in shown
    assert "la_k" not in every_widget(at) and at.toggle(key="present").proto.disabled is False
    assert h.metric_values(at) == h.metric_values(fresh)


@pytest.mark.parametrize("payload", [p for p in x.URL_PAYLOADS if "," not in p.value and p.value.strip()],
                         ids=lambda p: p.id)
def test_hostile_names_are_shown_literally(payload):
    at = h.open_page(LA.page, {"hide": payload.value})
    assert not at.exception, [e.value for e in at.exception]
    notes = [c.value for c in at.caption if h.NOTE_MARK in c.value]
    shown = payload.shown.strip()
    assert None in [x.literal_in(n, f"hide={shown}") for n in notes], notes
    for body in [el.value for kind in ("markdown", "caption", "info", "warning") for el in at.get(kind)]:
        assert not x.raw_in(body, payload.raw), body[:300]


@pytest.mark.parametrize("chapter", live(), ids=LIVE_IDS)
def test_a_link_that_hides_everything_still_shows_the_picture(chapter):
    keys = list(h.page_controls(h.open_page(chapter.page), chapter))
    at = h.open_page(chapter.page, {"hide": ",".join(keys)})
    h.assert_healthy(at, f"{chapter.page} everything hidden")
    assert not h.page_controls(at, chapter)
    assert len(banner(at)) == 1


# -------------------------------------------------------------------------------- predict, then reveal


def test_every_tab_has_a_prediction_question():
    for chapter, tab in h.page_tab_cases():
        assert (chapter.prefix, tab) in lesson.QUESTIONS, f"{chapter.page} [{tab}] has no question"
    assert len(lesson.QUESTIONS) == len(list(h.page_tab_cases())), "a question for a tab that does not exist"


@pytest.mark.parametrize("chapter", live(), ids=LIVE_IDS)
def test_a_covered_link_opens_covered_and_reveals(chapter):
    plain = h.open_page(chapter.page, {"present": "true"})
    assert notices(plain), "the default tab has no “what to notice”"
    at = h.open_page(chapter.page, {"present": "true", "cover": "true"})
    h.assert_healthy(at, f"{chapter.page} covered")
    first = h.tabs_of(chapter.page)[0]
    assert [w.value for w in at.warning if "Predict first" in w.value] == \
        [f"**Predict first:** {lesson.QUESTIONS[(chapter.prefix, first)]}"]
    assert not notices(at), "“what to notice” shown before the reveal"
    assert any("Predict, then reveal" in el.value for el in at.get("html")), "the numbers are not covered"
    assert lesson_link(at).get("cover") == ["true"], "the prepared link does not open covered"
    at.button(key=f"lesson_reveal_{chapter.prefix}").click().run()
    assert notices(at) == notices(plain)
    assert not any("Predict, then reveal" in el.value for el in at.get("html"))
    assert at.toggle(key="cover").value is True
    at.button(key=f"lesson_cover_{chapter.prefix}").click().run()
    assert not notices(at)


def test_cover_needs_presentation_mode():
    at = h.open_page(LA.page, {"cover": "true"})
    assert not [w for w in at.warning if "Predict first" in w.value]
    assert notices(at)


def test_the_covered_state_round_trips_through_the_prepared_link():
    at = h.open_page(LA.page, {"la_k": "4"})
    at.toggle(key="lesson_covered").set_value(True).run()
    query = lesson_link(at)
    assert query["cover"] == ["true"] and query["present"] == ["true"], query
    again = h.open_page(LA.page, as_params(query))
    assert at.toggle(key="cover").value is False and again.toggle(key="cover").value is True
    assert [w for w in again.warning if "Predict first" in w.value] and not notices(again)
    assert again.slider(key="la_k").value == 4
