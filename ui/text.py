"""Untrusted text shown literally: the one way to put text that came from outside (a URL value, an
uploaded file's name, its column or node names, its cells, a message that quotes any of them) into
Streamlit's Markdown (``st.markdown``, ``st.caption``, ``st.error``, ``st.info``, labels, ``:orange[…]``).

Streamlit renders those strings as Markdown with extras, so raw text from a link or a file could show
links, images, bold, colours, icons or LaTeX inside the page. :func:`literal` turns any value into
Markdown that displays exactly its characters, checked against Streamlit 1.67 in Chromium:

- every ASCII punctuation character gets a backslash (CommonMark's escape): no code span, link, image,
  emphasis, heading, list, table, HTML tag (``<b>``), entity (``&copy;``), LaTeX (``$…$``) or
  directive (``:red[…]``) can start, and ``]`` cannot close a ``:orange[…]`` the text sits in;
- escapes do not help against what Streamlit rewrites *after* parsing, in the text itself: emoji
  shortcodes (``:smile:``), Material icons (``:material/home:``), its logo (``:streamlit:``, an
  ``<img>``), bare links (``https://…``, ``www.…``, ``a@b.co``) and arrows (``->``). An invisible
  word joiner (U+2060) after each ``:`` and ``@``, between ``www`` and ``.``, inside arrows, and
  after a trailing ``www`` or arrow character (the caller's text goes on there) breaks them;
- control characters become visible (a newline shows as ␊), so a value cannot start a new block;
  invisible format characters (bidirectional overrides, zero-width spaces) become U+FFFD; lone
  surrogates, which Streamlit cannot even send, too;
- surrounding spaces are dropped (HTML would not show them; four would make a code block), and long
  values are cut (``…``), so a link cannot flood the page.

Nothing here evaluates, fetches or unescapes the text. :func:`clean` gives the same text without the
Markdown escapes, for places that show text literally anyway.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable
from typing import Any

NAME_LIMIT = 80  # a file, column or node name, a URL value
MESSAGE_LIMIT = 400  # a message or note that may quote such names
WORD_JOINER = "\u2060"
ELLIPSIS = "…"

_ESCAPED = frozenset(string.punctuation)  # CommonMark: a backslash escapes exactly these
_ARROW = frozenset("<>-~=")  # Streamlit turns ' -> ', ' <= ', ' -- ', ' ~= ' … into symbols
_KEEP_FORMAT = frozenset("\u200c\u200d")  # zero-width (non-)joiners: part of emoji and of some scripts


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode's control pictures: ␀ … ␟ (␊ for a newline, ␉ for a tab)
    if code == 0x7F:
        return "\u2421"  # ␡
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and ch not in _KEEP_FORMAT):
        return "\ufffd"
    return ch


def clean(value: Any, limit: int = NAME_LIMIT) -> str:
    """``value`` as a single line of printable text without surrounding spaces, at most ``limit``
    characters (the last one ``…`` when it was cut)."""
    text = (value if isinstance(value, str) else str(value)).strip(" ")
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return "".join(map(_visible, text))


def literal(value: Any, limit: int = NAME_LIMIT) -> str:
    """Markdown that Streamlit shows as exactly :func:`clean` ``(value, limit)``: nothing in it is markup.

    Safe anywhere inline Markdown goes, also inside ``:orange[…]`` and ``**…**``; not inside a code
    span or LaTeX, where escapes do not apply."""
    text = clean(value, limit)
    out: list[str] = []
    for i, ch in enumerate(text):
        nxt = text[i + 1: i + 2]  # "" at the end, where the caller's own text goes on (“…:” then “smile:”)
        out.append("\\" + ch if ch in _ESCAPED else ch)
        if (ch in ":@" or (ch in _ARROW and (not nxt or nxt in _ARROW))
                or (nxt in ("", ".") and text[max(i - 2, 0): i + 1].lower() == "www")):
            out.append(WORD_JOINER)
    return "".join(out)


def note(where: Any, message: Any, colour: str = "orange", mark: str = "ℹ") -> None:
    """A caption in ``colour`` for a message that may quote untrusted text (what validation changed),
    after ``mark`` (our own Markdown; none when empty)."""
    where.caption(f":{colour}[{mark + ' ' if mark else ''}{literal(message, MESSAGE_LIMIT)}]")


def notes(where: Any, messages: Iterable[Any]) -> None:
    for message in messages:
        note(where, message)


def refused_upload(where: Any, file_name: Any, problem: Any, then: str = "") -> None:
    """An upload that could not be used: its name, the reason (which may quote its content), and
    ``then`` (our own Markdown: what the page shows instead)."""
    where.error(f"{literal(file_name)}: {literal(problem, MESSAGE_LIMIT)}" + (f" {then}" if then else ""),
                icon=":material/block:")
