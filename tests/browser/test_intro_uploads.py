"""The Introduction explorer's bad inputs in the real browser (issue 15): a CSV with one row or one column is
refused with its reason, a zero row is called undefined for the cosine (not drawn as NaN), identical points and
constant columns are explained, and the page keeps drawing."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import charts_drawn, choose, goto, problems
from tests.browser.test_uploads import BY_PREFIX, captions, errors, exceptions, upload

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif("in" not in BY_PREFIX, reason="the Introduction explorer is not live")]


def test_bad_csvs_get_messages_and_the_page_keeps_drawing(server, page):
    goto(page, f"{server}/{BY_PREFIX['in'].url_path}?in_std=true")
    choose(page, "Data", "Upload CSV")
    upload(page, "one_row.csv", b"a,b,c\n1,2,3\n")
    assert not exceptions(page) and errors(page) and "one_row.csv" in errors(page)[0], errors(page)
    assert "at least 2" in errors(page)[0] and charts_drawn(page) >= 1  # the digits instead
    upload(page, "one_column.csv", b"a\n1\n2\n3\n")
    assert not exceptions(page) and errors(page) and "one numeric column" in errors(page)[0], errors(page)
    rows = "\n".join(f"{a},{b},4" for a, b in [(-1, -1), (1, 1), (-1, 1), (1, -1)] * 10)
    upload(page, "zero_and_constant.csv", f"a,b,c\n0,0,4\n{rows}\n".encode())  # row 0 is the mean of a and b
    assert not problems(page), problems(page)
    text = captions(page)
    assert "constant column" in text, text
    assert "undefined" in text and "left blank" in text, text  # standardized, row 0 is the zero vector
    assert charts_drawn(page) >= 3
    upload(page, "same.csv", b"a,b\n" + b"1,2\n" * 20)
    assert not problems(page), problems(page)
    assert "left empty" in captions(page) and charts_drawn(page) >= 3  # k = 3 clusters of one distinct point
