"""Many viewers of every page at once on the real server, over Streamlit's websocket protocol (no browser:
what a class on one link does to the server). Streamlit runs each session's script in its own thread of
one process, so this is where shared state (PennyLane's queue, torch's generator, the caches) would mix
one viewer's picture into another's or deadlock the process."""

from __future__ import annotations

import asyncio

import pytest

from bench.classroom import Slider, Viewer, with_param
from ui.chapters import live

pytestmark = pytest.mark.browser

# Every page's default view, and the quantum classifier, which trains a PennyLane circuit on first view.
LINKS = [("", "")] + [(c.url_path, "") for c in live()] + [("quantum", "qc_tab=Classifier")]
TIMEOUT = 240


def _run(coroutine):
    """``asyncio.run`` in a thread of its own: Playwright's sync API (the browser tests before this one, in
    the same process) keeps an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _render(base: str, page: str, query: str):
    viewer = Viewer(base, page, query, TIMEOUT, keep=True)
    async with viewer.connect() as ws:
        return await viewer.run(ws, query, first=True)


def _moved_links(base: str) -> dict[tuple[str, str], list[tuple[str, str, object]]]:
    """For each link, two links that set its first bound slider to two other values (the home page,
    without sliders, gets none)."""

    async def discover():
        return await asyncio.gather(*(_render(base, page, query) for page, query in LINKS))

    out = {}
    for (page, query), run in zip(LINKS, _run(discover()), strict=True):
        assert not run.errors, (page, query, run.errors)
        slider = next((s for s in map(Slider.of, run.sliders.values()) if s), None)
        if slider is None:
            out[(page, query)] = []
            continue
        others = [v for v in slider.values if v != slider.default]
        picks = [others[len(others) // 3], others[(2 * len(others)) // 3]]
        out[(page, query)] = [(slider.key, with_param(query, slider.key, v), v) for v in picks]
    return out


def _picture(run) -> dict:
    """A run's elements without its compute lines: a result that left the cache between two runs is
    computed again, and the line then says how long that took."""
    return {p: h for p, h in run.elements.items()
            if not (p in run.kept and run.kept[p].WhichOneof("type") == "markdown"
                    and run.kept[p].markdown.body.startswith(":material/timer:"))}


def _difference(a, b) -> list[str]:
    pa, pb = _picture(a), _picture(b)
    paths = sorted(p for p in set(pa) | set(pb) if pa.get(p) != pb.get(p))
    return [f"{p}: {str(a.kept.get(p))[:200]!r} vs {str(b.kept.get(p))[:200]!r}" for p in paths[:4]]


def test_every_page_serves_many_viewers_at_once_each_with_its_own_picture(server):
    moved = _moved_links(server)
    sessions = []  # (page, query, the slider's key and value or None)
    for (page, query), links in moved.items():
        sessions += [(page, query, None), (page, query, None)]
        sessions += [(page, q, (key, value)) for key, q, value in links]

    async def together():
        return await asyncio.gather(*(_render(server, page, query) for page, query, _ in sessions))

    runs = _run(together())
    by_link: dict[tuple[str, str], list] = {}
    for (page, query, setting), run in zip(sessions, runs, strict=True):
        assert not run.errors, (page, query, run.errors)
        if setting:
            key, value = setting
            shown = Slider.held(run.sliders[key])
            assert shown == value or (not isinstance(value, str) and abs(float(shown) - value) < 1e-9), (
                page, query, shown, value)
        by_link.setdefault((page, query), []).append(run)
    for (page, query), seen in by_link.items():
        for other in seen[1:]:
            assert _picture(other) == _picture(seen[0]), (f"{page}?{query}: viewers of one link saw different pages",
                                                        _difference(seen[0], other))
    # Each view again, alone: the same picture as in the crowd.
    for (page, query), seen in by_link.items():
        alone = _run(_render(server, page, query))
        assert _picture(alone) == _picture(seen[0]), (f"{page}?{query} differs when opened alone",
                                                    _difference(seen[0], alone))
    for (page, query), links in moved.items():
        views = [_picture(by_link[(page, query)][0])] + [_picture(by_link[(page, q)][0]) for _, q, _ in links]
        assert len({tuple(sorted(v.items())) for v in views}) == len(views), f"{page}: moves did not change it"
