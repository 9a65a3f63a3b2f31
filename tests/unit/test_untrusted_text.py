"""ui.text (untrusted text shown literally in Streamlit's Markdown), the CSV-injection guard of chart
downloads, and a house rule: no page or kit module hands untrusted text to Markdown unescaped.

Expectations are written out by hand or read back with an independent reader (tests.helpers.unescape,
CommonMark's escape rule), never taken from the code under test."""

from __future__ import annotations

import ast
import csv
import io
import random
import re
from pathlib import Path

import numpy as np
import pytest

from core import data
from tests import helpers as h
from tests import hostile as x
from ui import charts, text

ROOT = Path(__file__).resolve().parents[2]
WJ = "\u2060"


# ------------------------------------------------------------------------------------- ui.text


@pytest.mark.parametrize(("value", "markdown"), [
    ("iris", "iris"),
    ("la_k=2.5", r"la\_k\=2\.5"),
    ("x` [Log in here](https://ev.il) `", rf"x\` \[Log in here\]\(https\:{WJ}\/\/ev\.il\) \`"),
    ("<img src=x onerror=alert(1)>", rf"\<img src\=x onerror\=alert\(1\)\>{WJ}"),
    (r"$\href{https://ev.il}{m}$", rf"\$\\href\{{https\:{WJ}\/\/ev\.il\}}\{{m\}}\$"),
    (":red[r] :material/home: :smile:", rf"\:{WJ}red\[r\] \:{WJ}material\/home\:{WJ} \:{WJ}smile\:{WJ}"),
    ("ends in www", f"ends in www{WJ}"),
    ("ends in an arrow -", rf"ends in an arrow \-{WJ}"),
    ("www.ev.il a@ev.il", rf"www{WJ}\.ev\.il a\@{WJ}ev\.il"),
    ("WWW.ev.il", rf"WWW{WJ}\.ev\.il"),
    ("a -> b <= c", rf"a \-{WJ}\> b \<{WJ}\= c"),
    ("&copy; **b** # h | t", r"\&copy\; \*\*b\*\* \# h \| t"),
    ("ends in a backslash \\", "ends in a backslash \\\\"),
    ("    four spaces", "four spaces"),
    ("Zoë → ∞", "Zoë → ∞"),
    (42, "42"),
])
def test_literal_escapes_markdown_by_hand(value, markdown):
    assert text.literal(value) == markdown


@pytest.mark.parametrize(("value", "shown"), [
    ("a\nb\r\tc", "a␊b␍␉c"),
    ("\x00\x1b[31m\x7f", "␀␛[31m␡"),
    ("\x85 C1, \u2028 line, \u2029 paragraph", "\ufffd C1, \ufffd line, \ufffd paragraph"),
    ("rtl \u202eevil\u202c zw\u200bsp bom\ufeff", "rtl \ufffdevil\ufffd zw\ufffdsp bom\ufffd"),
    ("lone \udcff surrogate", "lone \ufffd surrogate"),
    ("family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"),  # joiners are kept: they build emoji
    ("  padded  ", "padded"),
    ("x" * 100, "x" * 79 + "…"),
    ("x" * 80, "x" * 80),
])
def test_clean_makes_one_printable_line(value, shown):
    assert text.clean(value) == shown


def test_limits():
    assert text.literal("y" * 10, limit=4) == "yyy…"
    assert len(text.clean("z" * 10**6, text.MESSAGE_LIMIT)) == text.MESSAGE_LIMIT


@pytest.mark.parametrize("payload", x.URL_PAYLOADS, ids=[p.id for p in x.URL_PAYLOADS])
def test_every_payload_reads_back_as_what_the_reader_must_see(payload):
    markdown = text.literal(payload.value, x.NOTE_LIMIT)
    assert h.unescape(markdown) == payload.shown
    assert x.literal_in(markdown, payload.shown) is None
    assert not x.raw_in(markdown, payload.raw)


def _unescaped_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation that CommonMark would read as syntax (not behind a backslash)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in x.ASCII_PUNCT:
            i += 2
            continue
        if markdown[i] in x.ASCII_PUNCT:
            out.append(markdown[i])
        i += 1
    return out


def test_random_text_never_leaves_markup():
    rng = random.Random(21)
    alphabet = "".join(x.ASCII_PUNCT) + "aw .:@\n\t\x00\u202e\u2060é∞😀" + "www"
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        markdown = text.literal(value, 60)
        assert not _unescaped_punctuation(markdown), (value, markdown)
        assert h.unescape(markdown) == text.clean(value, 60).replace(WJ, ""), (value, markdown)
        displayed = re.sub(r"\\(.)", r"\1", markdown)  # what the reader sees, word joiners kept
        assert not x.LIVE_AFTER_PARSE.search(displayed), (value, markdown)
        assert "\n" not in markdown and "\x00" not in markdown


def test_the_issue_link_cannot_end_the_note_early():
    """The reported exploit: a backtick ended the code span and the rest became a link."""
    class Where:
        def caption(self, body):
            self.body = body

    from ui import controls

    where = Where()
    controls._note("la_data", "x` [Log in here](https://ev.il) `", "Digits", "is not one of: Digits", where)
    assert h.unescape(where.body) == (":orange[⚠ The link's “la_data=x` [Log in here](https://ev.il) `” is not one "
                                      "of: Digits; using **Digits** instead.]")
    assert where.body.startswith(":orange[⚠ The link's “") and where.body.endswith("; using **Digits** instead.]")
    assert not x.raw_in(where.body, ("[Log in here](https", "`", "]("))


# ----------------------------------------------------------------------------------- CSV downloads


def _read_csv(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content, newline="")))


def test_csv_download_neutralises_formulas_in_text_cells_only():
    import pandas as pd

    frame = pd.DataFrame({
        "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
        "label": ["=1+1", "+49 30 123", "-a", "@SUM(A1)", "\tcmd", "\rcmd", "a\r=cmd"],
        "id": ["-1", "+2.5", "-3e4", "-1+2", "a-b", "", "x"],
    })
    frame["kind"] = pd.Categorical(["=k", "k", "=k", "k", "k", "k", "k"])
    frame.columns = ["value", "label", "id", "=kind"]
    rows = _read_csv(charts.csv_text(frame))
    assert rows[0] == ["value", "label", "id", "'=kind"]
    assert [r[0] for r in rows[1:]] == ["-1.5", "2.0", "-3.0", "4.0", "5.0", "6.0", "7.0"]  # numbers stay numbers
    assert [r[1] for r in rows[1:]] == ["'=1+1", "'+49 30 123", "'-a", "'@SUM(A1)", "'\tcmd", "'\rcmd", "a\r=cmd"]
    assert [r[2] for r in rows[1:]] == ["-1", "+2.5", "-3e4", "'-1+2", "a-b", "", "x"]  # numbers written as text too
    assert [r[3] for r in rows[1:]] == ["'=k", "k", "'=k", "k", "k", "k", "k"]
    assert frame.loc[0, "label"] == "=1+1", "the chart's own data is not changed"


def test_an_uploaded_data_sets_labels_download_inert():
    """Class names from an upload travel into the projection chart's CSV; their numbers stay numbers."""
    from core import linalg
    from ui.figures import linear_algebra as fig

    ds = data.read_csv(x.hostile_csv(label_only=True), name=x.FILE_NAME)
    res = linalg.pca(ds.X, k=2)
    _, frame = fig.projection(res.scores, ds.labels(), res.explained_variance_ratio)
    rows = _read_csv(charts.csv_text(frame))
    header, body = rows[0], rows[1:]
    classes = {r[header.index("class")] for r in body}
    assert classes == {"'" + x.LABELS[0], "'" + x.LABELS[2], x.LABELS[1]}  # = and @ guarded, [a](…) is text
    pc1 = np.array([float(r[header.index("PC1")]) for r in body])
    assert (pc1 < 0).any()
    np.testing.assert_allclose(pc1, frame["PC1"].to_numpy(), rtol=1e-12)


# ------------------------------------------------------------------------------------ house rule

SINKS = {"markdown", "caption", "error", "warning", "info", "success", "toast", "write", "title", "header",
         "subheader", "metric", "badge", "spinner", "expander", "popover", "page_link", "button"}
UNTRUSTED_ATTRS = {"description", "notes", "feature_names", "target_names", "labels", "query_params"}
UNTRUSTED_NAMES = {"exc", "raw", "note", "notes", "file"}
SAFE_CALLS = {"literal", "clean", "len", "type"}  # ui.text's, or a number, or a class
# Text from our own code that only looks like data: the quantum page's training split (bundled data sets).
TRUSTED = {("explorers/12_quantum.py", "tr.split.description")}


def _leaks(source: str, path: str = "<test>") -> list[str]:
    """Untrusted values that reach a Markdown-rendering Streamlit call without ui.text.literal."""
    found = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in SAFE_CALLS:
            return
        name = None
        if isinstance(node, ast.Attribute) and (node.attr in UNTRUSTED_ATTRS or (
                node.attr == "name" and getattr(node.value, "id", "") == "file")):
            name = ast.unparse(node)
        elif isinstance(node, ast.Name) and node.id in UNTRUSTED_NAMES:
            name = node.id
        if name is not None and (path, name) not in TRUSTED:
            found.append(f"{path}:{node.lineno}: {name}")
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SINKS:
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg not in ("icon", "key"))]:
                visit(arg)
    return found


def test_the_rule_sees_the_old_pattern():
    assert _leaks('st.error(f"{file.name}: {exc}", icon=":material/block:")') == ["<test>:1: file.name",
                                                                                  "<test>:1: exc"]
    assert _leaks('for note in d.notes:\n    where.caption(f":orange[ℹ {note}]")') == ["<test>:2: note"]
    assert _leaks("st.caption(ds.description)") == ["<test>:1: ds.description"]
    assert not _leaks("st.caption(text.literal(ds.description, 400))")
    assert not _leaks('st.error(f"{literal(file.name)}: {text.literal(exc)}")')


def test_no_untrusted_text_reaches_markdown_unescaped():
    leaks = []
    for path in sorted([*ROOT.glob("explorers/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]):
        leaks += _leaks(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not leaks, "show these with ui.text.literal (or ui.text.note / refused_upload):\n" + "\n".join(leaks)
