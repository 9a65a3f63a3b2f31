"""“This view in Python” (ui/pyview.py): each page's default view comes with a script that, run in a fresh
Python process from the project's root, prints the numbers the page shows."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import helpers as h
from ui import pyview
from ui.chapters import live

LIVE_IDS = [h.chapter_id(c) for c in live()]
LA = next(c for c in live() if c.prefix == "la")


def scripts(at) -> list[str]:
    return [c.value for e in at.expander if e.label == "This view in Python" for c in e.code]


def run_script(code: str, tmp_path) -> dict[str, str]:
    """Run the script as a student would (its own process, the project's root as working directory);
    its printed lines ``label: value`` as a dict."""
    path = tmp_path / "this_view.py"
    path.write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(h.ROOT), MFDL_DEVICE="cpu")
    done = subprocess.run([sys.executable, str(path)], cwd=h.ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"the script failed:\n{done.stderr[-3000:]}\n--- script ---\n{code}"
    printed: dict[str, str] = {}
    for line in done.stdout.splitlines():
        label, sep, value = line.rpartition(": ")
        if sep:
            printed[label] = value
    assert printed, f"the script printed nothing:\n{done.stdout}"
    return printed


def expected(at) -> dict[str, str]:
    """The numbers on the page: its metrics, or (a tab without metrics) its first table's rows."""
    shown = dict(h.metric_values(at))
    if shown:
        return shown
    table = next(d.value for d in at.dataframe if "optimizer" in d.value.columns)
    final = next(c for c in table.columns if c.startswith("final f"))
    return {row["optimizer"]: f"learning rate {row['learning rate']:.3g}, {final} {row[final]:.3e}"
            for _, row in table.iterrows()}


@pytest.mark.parametrize("chapter", live(), ids=LIVE_IDS)
def test_the_default_views_script_prints_the_pages_numbers(chapter, tmp_path):
    at = h.open_page(chapter.page, {"cpu": "true"})
    h.assert_healthy(at, chapter.page)
    found = scripts(at)
    assert len(found) == 1, f"{chapter.page}: {len(found)} scripts"
    assert (chapter.prefix, h.tabs_of(chapter.page)[0]) in pyview.VIEWS
    printed = run_script(found[0], tmp_path)
    for label, value in expected(at).items():
        assert printed.get(label) == value, f"{chapter.page}: {label!r} is {value!r} on the page, " \
                                            f"{printed.get(label)!r} in the script\n{found[0]}"


OTHER_VIEWS = [k for k in pyview.VIEWS if k[1] != h.tabs_of(next(c for c in live() if c.prefix == k[0]).page)[0]]


@pytest.mark.parametrize("view", OTHER_VIEWS, ids=[f"{p}-{t}" for p, t in OTHER_VIEWS])
def test_other_tabs_scripts_print_the_pages_numbers(view, tmp_path):
    prefix, tab = view
    chapter = next(c for c in live() if c.prefix == prefix)
    at = h.open_page(chapter.page, {"cpu": "true", h.tab_key(chapter): tab})
    h.assert_healthy(at, f"{chapter.page} [{tab}]")
    (code,) = scripts(at)
    printed = run_script(code, tmp_path)
    for label, value in expected(at).items():
        assert printed.get(label) == value, f"[{tab}] {label!r}: page {value!r}, script {printed.get(label)!r}\n{code}"


def test_an_upload_is_not_part_of_the_script(tmp_path):
    at = h.open_page(LA.page, {"la_data": "Upload CSV", "cpu": "true"})
    (code,) = scripts(at)
    assert "upload is not part of this script" in code and "load_dataset('digits')" in code
    printed = run_script(code, tmp_path)  # no file uploaded: the page shows the digits, like the script
    assert all(printed.get(label) == value for label, value in h.metric_values(at))


def test_a_view_with_other_values_gets_its_own_script(tmp_path):
    params = {"la_data": "Gaussian", "la_dim": "3", "la_n": "300", "la_rho": "0.5", "la_seed": "4", "la_k": "1",
              "la_std": "true", "cpu": "true"}
    at = h.open_page(LA.page, params)
    (code,) = scripts(at)
    assert "gaussian_cloud(300, 3," in code, code
    printed = run_script(code, tmp_path)
    assert all(printed.get(label) == value for label, value in h.metric_values(at)), (printed, h.metric_values(at))


def test_a_tab_without_a_script_shows_none():
    at = h.open_page(LA.page, {"la_tab": "Image compression"})
    assert ("la", "Image compression") not in pyview.VIEWS
    assert not scripts(at)


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
