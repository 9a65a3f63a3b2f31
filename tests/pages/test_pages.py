"""Page tests with Streamlit's AppTest: every live explorer, every tab, every URL-bound control.

Generic over ``ui.chapters.live()``: a new chapter's page is covered once it is listed there.
Tabs are bound to ``<prefix>_tab`` and only the open tab is computed, so each tab is opened
through the URL, the way a shared link opens it.
"""

from __future__ import annotations

import math
import random

import pytest

from tests import helpers as h
from ui.chapters import CHAPTERS, live

CASES = list(h.page_tab_cases())
CASE_IDS = [f"{h.chapter_id(c)}-{t or 'no-tabs'}" for c, t in CASES]
LIVE_IDS = [h.chapter_id(c) for c in live()]


def _open(chapter, tab, params=None):
    params = dict(params or {})
    if tab is not None:
        params[h.tab_key(chapter)] = tab
    return h.open_page(chapter.page, params)


# ------------------------------------------------------------------------------------------ loading


def test_home_page_loads_and_maps_the_book():
    at = h.open_page(h.home_page())
    assert not h.problems(at), h.problems(at)
    links = {pl.proto.page: pl for pl in at.get("page_link")}
    chapters = live()
    assert len(at.get("page_link")) == len(chapters), [pl.proto.page for pl in at.get("page_link")]
    captions = [c.value for c in at.caption]
    for ch in chapters:
        assert ch.url_path in links, f"no page link to chapter {ch.number} ({ch.url_path})"
        assert links[ch.url_path].value, "a page link needs a label"
        assert any(f"Chapter {ch.number}" in c and ch.title in c for c in captions), f"no card for chapter {ch.number}"
    text = "\n".join(m.value for m in at.markdown)
    for ch in CHAPTERS:
        if not ch.page:
            assert f"{ch.number}. {ch.title}" in text, f"chapter {ch.number} is not listed"
            assert ch.url_path is None or ch.url_path not in links


@pytest.mark.parametrize("chapter", live(), ids=LIVE_IDS)
def test_every_live_page_loads(chapter):
    at = h.open_page(chapter.page)
    h.assert_healthy(at, chapter.page)
    assert h.tab_labels(at, chapter), f"{chapter.page}: no tabs bound to {h.tab_key(chapter)}"
    assert any(chapter.explorer in t.value for t in at.title), "the page's title names its explorer"


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_every_tab_loads(chapter, tab):
    at = _open(chapter, tab)
    h.assert_healthy(at, f"{chapter.page} [{tab}]")
    assert h.open_tab(at, chapter) == tab
    assert not h.notes(at), h.notes(at)


# ------------------------------------------------------------------------------------ control sweep


class Sweep:
    """Moves every control of one tab through its trial values, one at a time, checking the page
    after each run. Choosing an option that reveals more controls (a data set with its own shape
    controls) sweeps those too, in that state. Each control is swept once per tab and put back."""

    def __init__(self, at, chapter, tab: str | None, rng: random.Random, max_depth: int = 3):
        self.at, self.chapter, self.tab, self.rng, self.max_depth = at, chapter, tab, rng, max_depth
        self.swept: set[str] = set()
        self.runs = 0
        self.log: list[str] = []

    def run(self) -> None:
        self._sweep(list(h.page_controls(self.at, self.chapter)), depth=0)

    def _set(self, kind: str, key: str, value) -> None:
        h.set_control(self.at, kind, key, value)
        self.at.run()
        self.runs += 1
        where = f"{self.chapter.page} [{self.tab}] {key}={value!r} (after {', '.join(self.log[-3:])})"
        self.log.append(f"{key}={value!r}")
        h.assert_healthy(self.at, where)
        assert not h.notes(self.at), f"{where}: {h.notes(self.at)}"
        assert h.open_tab(self.at, self.chapter) == (self.tab or h.open_tab(self.at, self.chapter)), where
        now = h.page_controls(self.at, self.chapter).get(key)
        if now is not None:  # the control took the value it was given
            got = h.label_of(*now)
            same = math.isclose(got, value) if isinstance(value, float) else got == value
            assert same, f"{where}: the control shows {got!r}"

    def _sweep(self, keys: list[str], depth: int) -> None:
        for key in keys:
            controls = h.page_controls(self.at, self.chapter)
            if key in self.swept or key not in controls:
                continue
            self.swept.add(key)
            kind, w = controls[key]
            original = h.label_of(kind, w)
            for value in h.trial_values(kind, w, self.rng):
                before = set(h.page_controls(self.at, self.chapter))
                self._set(kind, key, value)
                revealed = [k for k in h.page_controls(self.at, self.chapter) if k not in before | self.swept]
                if revealed and depth < self.max_depth:
                    self._sweep(revealed, depth + 1)
            if key in h.page_controls(self.at, self.chapter) and h.label_of(
                    *h.page_controls(self.at, self.chapter)[key]) != original:
                self._set(kind, key, original)


@pytest.mark.slow
@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_every_control_min_max_and_random(chapter, tab):
    at = _open(chapter, tab)
    h.assert_healthy(at, f"{chapter.page} [{tab}]")
    sweep = Sweep(at, chapter, tab, random.Random(f"{chapter.prefix}|{tab}"))
    sweep.run()
    assert sweep.swept, f"{chapter.page} [{tab}] has no URL-bound controls"


def _number_param(v) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


@pytest.mark.slow
@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_a_linked_value_survives_a_narrower_choice(chapter, tab):
    """A slider whose range depends on a choice (k on the data set): open a link that puts the
    slider at the top of option A's range (the widest), choose A, then option B (the narrowest). The
    page must fall back inside B's range, not fail."""
    fresh = _open(chapter, tab)
    controls = h.page_controls(fresh, chapter)
    choices = [k for k, (kind, _) in controls.items() if kind in ("selectbox", "radio")]
    numbers = [k for k, (kind, _) in controls.items() if kind in ("slider", "number_input")]
    if not choices or not numbers:
        pytest.skip("no slider on this tab depends on a select box or radio")
    tried = 0
    for choice in choices:
        kind = controls[choice][0]
        options = list(controls[choice][1].options)
        top: dict[str, dict[str, float]] = {}
        for option in options:  # each option in a fresh session: a range may also depend on other defaults
            probe = _open(chapter, tab)
            h.set_control(probe, kind, choice, option)
            probe.run()
            now = h.page_controls(probe, chapter)
            top[option] = {n: now[n][1].max for n in numbers if n in now}
        for n in numbers:
            # the widest option, then the narrowest: the largest fall (every pair cost minutes on chapter 1's
            # eight data sets and four sliders, for the same code path)
            having = [o for o in options if n in top[o]]
            if not having:
                continue
            a, b = max(having, key=lambda o: top[o][n]), min(having, key=lambda o: top[o][n])
            if top[b][n] >= top[a][n]:
                continue
            tried += 1
            link = {n: _number_param(top[a][n])}
            at = _open(chapter, tab, link)
            where = f"{chapter.page} [{tab}] ?{n}={link[n]}, then {choice}={a!r}, then {choice}={b!r}"
            h.set_control(at, kind, choice, a)
            at.run()
            h.assert_healthy(at, where.split(", then")[0] + f", then {choice}={a!r}")
            h.set_control(at, kind, choice, b)
            at.run()
            h.assert_healthy(at, where)
            at.run()  # the next interaction's rerun (AppTest reads a widget's value one run late)
            h.assert_healthy(at, where + ", then a rerun")
            value = h.page_controls(at, chapter)[n][1].value
            assert value <= top[b][n], f"{where}: {n}={value} above its maximum {top[b][n]}"
    if not tried:
        pytest.skip("no choice narrows a slider's range on this tab")


# ------------------------------------------------------------------------------------- URL round trip


def _changes(at, chapter, rng: random.Random, count: int = 3) -> list[str]:
    """Move up to ``count`` controls, choices first (so that the others show their new ranges)."""
    changed: list[str] = []
    for kinds in (h.CHOICE_KINDS, ("toggle", "slider", "number_input")):
        for key in list(h.page_controls(at, chapter)):
            controls = h.page_controls(at, chapter)
            if len(changed) >= count or key in changed or key not in controls or controls[key][0] not in kinds:
                continue
            kind, w = controls[key]
            current = h.label_of(kind, w)
            options = [v for v in h.trial_values(kind, w, rng) if v != current]
            if options:
                h.set_control(at, kind, key, options[0])
                at.run()
                changed.append(key)
    return changed


def _url_of(at, chapter, tab) -> dict[str, str]:
    """The query string the browser would show now: every control not at its default, by the
    rule Streamlit's frontend follows. (AppTest has no frontend, so ``at.query_params`` keeps
    only the parameters the session started with; see the browser tests for the real URL.)"""
    defaults = {k: h.label_of(kind, w) for k, (kind, w) in h.page_controls(_open(chapter, tab), chapter).items()}
    params = {k: h.url_value(kind, w) for k, (kind, w) in h.page_controls(at, chapter).items()
              if k not in defaults or h.label_of(kind, w) != defaults[k]}
    if tab is not None and tab != h.tabs_of(chapter.page)[0]:
        params[h.tab_key(chapter)] = tab
    return params


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_url_round_trip(chapter, tab):
    at = _open(chapter, tab)
    assert _changes(at, chapter, random.Random(f"round trip {chapter.prefix} {tab}"))
    h.assert_healthy(at, f"{chapter.page} [{tab}] after the changes")
    params = _url_of(at, chapter, tab)
    values = {k: h.label_of(kind, w) for k, (kind, w) in h.page_controls(at, chapter).items()}
    again = h.open_page(chapter.page, params)
    h.assert_healthy(again, f"{chapter.page}?{params}")
    assert not h.notes(again), h.notes(again)
    assert h.open_tab(again, chapter) == (tab or h.open_tab(again, chapter))
    assert {k: h.label_of(kind, w) for k, (kind, w) in h.page_controls(again, chapter).items()} == values, params
    assert h.metric_values(again) == h.metric_values(at), params


def test_at_query_params_hold_only_the_opening_link():
    """Documents an AppTest limit the round trip works around: moving a control in AppTest does
    not write the URL (the browser's frontend does that), so ``at.query_params`` stays as opened."""
    chapter = live()[0]
    at = h.open_page(chapter.page)
    key, (kind, w) = next((k, kw) for k, kw in h.page_controls(at, chapter).items() if kw[0] == "slider")
    h.set_control(at, kind, key, h.trial_values(kind, w, random.Random(0))[0])
    at.run()
    assert key not in at.query_params


# ------------------------------------------------------------------------------------ bad parameters


def _bad_values(kind: str, w) -> list[str]:
    if kind in ("slider", "number_input"):
        above = w.max + 1000
        return ["abc", str(int(above)) if float(above).is_integer() else repr(above), "nan"]
    if kind == "toggle":
        return ["maybe"]
    return ["nonsense"]


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_bad_parameters_fall_back_with_a_note(chapter, tab):
    """Every control on every tab, given a value it cannot take: a note naming the key, the
    default instead, and the page still drawn."""
    fresh = _open(chapter, tab)
    defaults = {k: h.label_of(kind, w) for k, (kind, w) in h.page_controls(fresh, chapter).items()}
    metrics = h.metric_values(fresh)
    for round_ in range(3):
        params = {}
        for key, (kind, w) in h.page_controls(fresh, chapter).items():
            bad = _bad_values(kind, w)
            params[key] = bad[round_ % len(bad)]
        at = _open(chapter, tab, params)
        where = f"{chapter.page} [{tab}] ?{params}"
        h.assert_healthy(at, where)
        shown = "\n".join(h.notes(at))
        for key, value in params.items():
            assert f"“{key}={value}”" in shown, f"{where}: no note for {key}; notes: {h.notes(at)}"
        values = {k: h.label_of(kind, w) for k, (kind, w) in h.page_controls(at, chapter).items()}
        assert values == defaults, where
        assert h.metric_values(at) == metrics, where


LA = next((c for c in live() if c.prefix == "la"), None)
needs_la = pytest.mark.skipif(LA is None, reason="the Linear Algebra explorer is not live")


LA_BAD = [  # (the link's parameters, the keys that must get a note)
    ({"la_k": "500"}, ["la_k"]), ({"la_k": "abc"}, ["la_k"]), ({"la_k": "0"}, ["la_k"]), ({"la_k": "-3"}, ["la_k"]),
    ({"la_k": "inf"}, ["la_k"]), ({"la_data": "nonsense"}, ["la_data"]), ({"la_data": "iris"}, ["la_data"]),
    ({"la_std": "maybe"}, ["la_std"]), ({"la_std": ""}, ["la_std"]),
    ({"la_tab": "Randomized SVD", "la_size": "7"}, ["la_size"]),
    ({"la_tab": "Randomized SVD", "la_target": "1000"}, ["la_target"]),
    ({"la_tab": "Randomized SVD", "la_over": "-1", "la_niter": "x"}, ["la_over", "la_niter"]),
    ({"la_tab": "Image compression", "la_photo": "moon"}, ["la_photo"]),
    ({"la_tab": "Image compression", "la_rank": "100000"}, ["la_rank"]),
    ({"la_data": "Gaussian", "la_dim": "4"}, ["la_dim"]), ({"la_data": "Gaussian", "la_n": "1e9"}, ["la_n"]),
    ({"la_data": "Gaussian", "la_seed": "-1"}, ["la_seed"]),
    ({"la_data": "Gaussian", "la_dim": "3", "la_rho": "2"}, ["la_rho"]),
    ({"la_data": "Gaussian", "la_angle": "91", "la_stretch": "0.5"}, ["la_angle", "la_stretch"]),
]


@needs_la
@pytest.mark.parametrize(("params", "noted"), LA_BAD, ids=["&".join(f"{k}={v}" for k, v in p.items())
                                                           for p, _ in LA_BAD])
def test_linear_algebra_bad_parameters(params, noted):
    at = h.open_page(LA.page, params)
    where = "?" + "&".join(f"{k}={v}" for k, v in params.items())
    h.assert_healthy(at, where)
    shown = "\n".join(h.notes(at))
    for key in noted:
        assert f"“{key}={params[key]}”" in shown, f"{where}: no note for {key}; notes: {h.notes(at)}"
    for key in set(params) - set(noted):  # the good ones were taken
        assert f"“{key}=" not in shown, f"{where}: {key} refused: {h.notes(at)}"
    if "la_tab" in params:
        assert at.query_params.get("la_tab") == params["la_tab"], "the tab was not opened"


def test_bad_global_parameter_gets_a_note():
    at = h.open_page(h.home_page(), {"present": "maybe"})
    assert not h.problems(at), h.problems(at)
    assert any("“present=maybe”" in n for n in h.notes(at)), h.notes(at)
    assert at.toggle(key="present").value is False


@needs_la
def test_la_good_parameters_are_taken_without_a_note():
    params = {"la_data": "Gaussian", "la_dim": "3", "la_n": "1200", "la_stretch": "4.5", "la_angle": "-45",
              "la_rho": "0.5", "la_seed": "7", "la_std": "true", "la_k": "3"}
    at = h.open_page(LA.page, params)
    h.assert_healthy(at, str(params))
    assert not h.notes(at), h.notes(at)
    values = {k: h.url_value(kind, w) for k, (kind, w) in h.page_controls(at, LA).items()}
    assert {k: values.get(k) for k in params} == params


@needs_la
def test_unknown_tab_falls_back_to_the_first_tab():
    at = h.open_page(LA.page, {"la_tab": "Nope"})
    h.assert_healthy(at, "la_tab=Nope")
    first = h.tab_labels(at, LA)[0]
    reference = h.open_page(LA.page)
    assert h.metric_values(at) == h.metric_values(reference), f"la_tab=Nope did not open {first!r}"


@needs_la
def test_unknown_tab_gets_a_note():
    """DESIGN.md: a bad parameter falls back "with a visible note". A tab name the page does not
    have is dropped by Streamlit silently; ui.controls' note covers widgets, not st.tabs."""
    at = h.open_page(LA.page, {"la_tab": "Nope"})
    text = "\n".join(h.unescape(el.value) for kind in ("caption", "markdown", "warning", "info", "error", "toast")
                     for el in at.get(kind))
    assert "la_tab=Nope" in text, "no note says the link's la_tab=Nope was not used"


@needs_la
def test_a_fractional_count_is_not_called_out_of_range():
    """la_k=2.5 lies inside 1–64; the note should say why it was refused (not a whole number)."""
    at = h.open_page(LA.page, {"la_k": "2.5"})
    h.assert_healthy(at, "la_k=2.5")
    shown = h.notes(at)
    assert shown, "la_k=2.5 was refused without a note"
    assert "outside" not in shown[0], shown[0]


# ----------------------------------------------------------------------------------- presentation


@pytest.mark.parametrize(("chapter", "tab"), CASES, ids=CASE_IDS)
def test_presentation_mode_renders_every_tab(chapter, tab):
    at = _open(chapter, tab, {"present": "true"})
    h.assert_healthy(at, f"{chapter.page} [{tab}] present=true")
    assert not h.notes(at), h.notes(at)
    assert at.toggle(key="present").value is True
    assert any("Presentation mode" in el.value for el in at.get("html")), "presentation CSS missing"


def test_presentation_mode_home_page():
    at = h.open_page(h.home_page(), {"present": "true"})
    assert not h.problems(at), h.problems(at)
    assert at.toggle(key="present").value is True
    assert len(at.get("page_link")) == len(live())
    for pl in at.get("page_link"):  # the link keeps presentation mode on
        assert "present=true" in pl.proto.query_string, pl.proto
