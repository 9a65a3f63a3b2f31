"""“This view in Python” (ui/pyview.py, ui/pyviews/): every tab's default view comes with a script that, run in a
fresh Python process from the project's root, prints the numbers the page shows."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import helpers as h
from ui import pyview
from ui.chapters import live
from ui.pyviews import VIEWS

LA = next(c for c in live() if c.prefix == "la")
# one worker runs them all, in order: each test opens the next tab's page while its own script runs (open_next)
pytestmark = pytest.mark.xdist_group("pyview")


def page_tabs(chapter) -> list[str]:
    """The page's TABS, read from its source (no AppTest run at collection time)."""
    tree = ast.parse((h.ROOT / chapter.page).read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == "TABS" for t in node.targets))


TABS = [(c, tab) for c in live() for tab in page_tabs(c)]


def scripts(at) -> list[str]:
    return [c.value for e in at.expander if e.label == "This view in Python" for c in e.code]


def start_script(code: str, folder: Path) -> subprocess.Popen:
    """Start the script as a student would run it: its own process, the project's root as working directory."""
    path = folder / "this_view.py"
    path.write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(h.ROOT), MFDL_DEVICE="cpu")
    return subprocess.Popen([sys.executable, str(path)], cwd=h.ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def printed_by(process: subprocess.Popen, code: str) -> dict[str, str]:
    """What the script printed, its lines ``label: value`` as a dict."""
    try:
        out, err = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, f"the script failed:\n{err[-3000:]}\n--- script ---\n{code}"
    printed: dict[str, str] = {}
    for line in out.splitlines():
        label, sep, value = line.rpartition(": ")
        if sep:
            printed[label] = value
    assert printed, f"the script printed nothing:\n{out}"
    return printed


def run_script(code: str, folder: Path) -> dict[str, str]:
    return printed_by(start_script(code, folder), code)


def table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def landscapes(at) -> dict[str, str]:
    rows = table(at, "learning rate")
    final = next(c for c in rows.columns if c.startswith("final f"))
    return {r["optimizer"]: f"learning rate {r['learning rate']:.3g}, {final} {r[final]:.3e}"
            for _, r in rows.iterrows()}


def race(at) -> dict[str, str]:
    rows = table(at, "tuned rate")
    final = next(c for c in rows.columns if c.startswith("mean final"))
    return {r["optimizer"]: f"tuned rate {r['tuned rate']:.3g}, steps to target {r['steps to target']}, "
                            f"{final} {r[final]:.3e}, worst seed {r['worst seed']:.3e}, diverged {r['diverged']}"
            for _, r in rows.iterrows()}


def network(at) -> dict[str, str]:  # its seconds are the machine's: not compared
    rows = table(at, "final training loss")
    return {r["optimizer"]: f"learning rate {r['learning rate']:.3g}, final training loss "
                            f"{r['final training loss']:.4f}, train accuracy {r['train accuracy']:.1%}, "
                            f"test accuracy {r['test accuracy']:.1%}" for _, r in rows.iterrows()}


def svd_race(at) -> dict[str, str]:
    """The race shows no metric (its times are the machine's): its notice gives the randomized SVD's error
    above the optimum at the largest size, the number its error chart is about."""
    notice = next(i.value for i in at.info if "randomized SVD took" in i.value)
    size, extra = re.search(r"At (\d+×\d+) .* error is (\S+%) above the optimum", notice).groups()
    return {f"Randomized error above the optimum at {size}": extra}


def gradients(at) -> dict[str, str]:  # its times are the machine's: not compared
    rows = table(at, "circuit executions")
    slope = next(c for c in rows.columns if c.startswith("∂C/∂w"))
    return {r["method"]: f"{r['circuit executions']} circuit executions, max |g − g_backprop| "
                         f"{r['max |g − g_backprop|']:.1e}, {slope} {r[slope]:.8f}" for _, r in rows.iterrows()}


# Tabs whose key numbers are a table or a sentence, not metrics (each tab's metrics are compared as well).
SHOWN = {("op", "Landscapes"): landscapes, ("op", "Fair race"): race, ("op", "A real network"): network,
         ("la", "Randomized SVD"): svd_race, ("qc", "Gradients"): gradients}


def expected(at, view: tuple[str, str]) -> dict[str, str]:
    """The numbers on the page: its metrics, and the table or sentence of a tab in :data:`SHOWN`."""
    shown = dict(h.metric_values(at))
    if view in SHOWN:
        shown |= SHOWN[view](at)
    assert shown, f"{view}: no number found on the page"
    return shown


def test_every_tab_has_a_view():
    assert sorted((c.prefix, tab) for c, tab in TABS) == sorted(VIEWS)


@dataclass
class Opened:
    """A tab's page run, and its script started in a process of its own."""

    at: Any
    found: list[str]
    process: subprocess.Popen | None


_OPENED: dict[tuple[str, str], Opened | Exception] = {}  # the next test's tab, opened ahead


def open_tab(chapter, tab: str, folder: Path) -> Opened:
    """One AppTest run of the tab (the first tab: the page as it opens, no tab in the link), and its script
    started."""
    params = {"cpu": "true"} | ({h.tab_key(chapter): tab} if tab != page_tabs(chapter)[0] else {})
    at = h.open_page(chapter.page, params)
    found = scripts(at)
    return Opened(at, found, start_script(found[0], folder) if len(found) == 1 else None)


def open_next(request, tmp_path_factory) -> None:
    """Open the tab of the next test now: its page runs here while this test's script runs in its own process
    (each keeps a core busy: one tab's wait for its script is the next tab's page run)."""
    items = request.session.items
    i = items.index(request.node)
    nxt = items[i + 1] if i + 1 < len(items) else None
    if nxt is None or getattr(nxt, "originalname", None) != request.node.originalname:
        return
    chapter, tab = nxt.callspec.params["chapter"], nxt.callspec.params["tab"]
    try:
        _OPENED[chapter.prefix, tab] = open_tab(chapter, tab, tmp_path_factory.mktemp("view"))
    except Exception as exc:  # reported by that test
        _OPENED[chapter.prefix, tab] = exc


@pytest.fixture(scope="module", autouse=True)
def _no_script_left():
    yield
    for opened in _OPENED.values():
        if isinstance(opened, Opened) and opened.process is not None:
            opened.process.kill()
    _OPENED.clear()


@pytest.mark.parametrize(("chapter", "tab"), TABS, ids=[f"{c.prefix}-{t}" for c, t in TABS])
def test_the_default_views_script_prints_the_pages_numbers(chapter, tab, tmp_path, request, tmp_path_factory):
    """Every tab's default view: its script, run in a fresh process, prints the numbers the page shows."""
    opened = _OPENED.pop((chapter.prefix, tab), None) or open_tab(chapter, tab, tmp_path)
    if isinstance(opened, Exception):
        raise opened
    open_next(request, tmp_path_factory)
    h.assert_healthy(opened.at, f"{chapter.page} [{tab}]")
    assert len(opened.found) == 1, f"{chapter.page} [{tab}]: {len(opened.found)} scripts"
    printed = printed_by(opened.process, opened.found[0])
    for label, value in expected(opened.at, (chapter.prefix, tab)).items():
        assert printed.get(label) == value, f"[{tab}] {label!r}: page {value!r}, script {printed.get(label)!r}\n" \
                                            f"{opened.found[0]}"


def test_an_upload_is_not_part_of_the_script(tmp_path):
    at = h.open_page(LA.page, {"la_data": "Upload CSV", "cpu": "true"})
    (code,) = scripts(at)
    assert "upload is not part of this script" in code and "load_dataset('digits')" in code
    printed = run_script(code, tmp_path)  # no file uploaded: the page shows the digits, like the script
    assert all(printed.get(label) == value for label, value in h.metric_values(at))


class _Upload:  # what a page parsed from a file: no literal, no loader made it
    pass


UPLOADS = {  # (tab, the call that took the upload, the control values) -> what the script loads instead
    "gr": (("gr", "Spectrum"), pyview.Call("core.graphs", "spectrum", (_Upload(), "laplacian", 12), {}, None),
           {"gr_graph": "upload"}, "spec = graphs.spectrum(graph, 'laplacian', 12)", "the karate club instead"),
    "tp": (("tp", "Stability"), pyview.Call("core.topology", "stability", (("upload", b"1\n", "f.csv"), 3), {}, "cpu"),
           {"tp_cloud": "upload", "tp_sigma": 0.1}, "stability(('generated', 'circle', 120, 0.1, 0), 3, device=cpu)",
           "the noisy circle instead"),
    "ha": (("ha", "Wavelet transform"), pyview.Call("core.harmonic", "with_noise", (_Upload(), 0.2, 0), {}, None),
           {"ha_signal": "upload"}, "sig = harmonic.with_noise(harmonic.make_signal('ecg'), 0.2, 0)",
           "the bundled ECG instead"),
}


@pytest.mark.parametrize("chapter", UPLOADS)
def test_an_uploads_script_loads_a_bundled_set_instead(chapter):
    """Written from the recorded calls alone (no page run): the upload stands in for a bundled set, and the
    script says so."""
    view, call, values, line, note = UPLOADS[chapter]
    code = pyview.script("A view", VIEWS[view], [call], values)
    assert line in code and note in " ".join(code.split()), code
    compile(code, "this_view.py", "exec")


def test_a_view_with_other_values_gets_its_own_script(tmp_path):
    params = {"la_data": "Gaussian", "la_dim": "3", "la_n": "300", "la_rho": "0.5", "la_seed": "4", "la_k": "1",
              "la_std": "true", "cpu": "true"}
    at = h.open_page(LA.page, params)
    (code,) = scripts(at)
    assert "gaussian_cloud(300, 3," in code, code
    printed = run_script(code, tmp_path)
    assert all(printed.get(label) == value for label, value in h.metric_values(at)), (printed, h.metric_values(at))


def test_literal_writes_plain_values_and_refuses_the_rest():
    import numpy as np

    assert pyview.literal((1, 2.5, "a", None, True)) == "(1, 2.5, 'a', None, True)"
    assert pyview.literal((3,)) == "(3,)"
    assert pyview.literal(np.float64(0.1)) == "0.1"
    assert pyview.literal(float("nan")) == "float('nan')"
    with pytest.raises(pyview.NotWritable):
        pyview.literal(("upload", b"1,2\n", "f.csv"))
    with pytest.raises(pyview.NotWritable):
        pyview.literal(np.zeros(3))
