"""Hostile input for the security tests: what an attacker puts in a shared link or an uploaded file,
what a reader must see instead (written out by hand, not computed by ui.text), and the checks that
Markdown written by the app shows such text literally.

Streamlit 1.67 renders st.markdown/caption/error/info bodies as CommonMark plus GFM (bare links),
LaTeX ($…$), directives (:red[…]), Material icons (:material/…:), its logo (:streamlit:), emoji
shortcodes (:smile:) and arrows (->). The checks below read the Markdown source as that renderer would.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

WJ = "\u2060"  # word joiner: invisible, breaks the patterns Streamlit rewrites after parsing
NOTE_LIMIT = 40  # ui.controls cuts a refused URL value at 40 characters


@dataclass(frozen=True)
class Payload:
    id: str
    value: str  # what the attacker sends
    shown: str  # what the reader must see, character for character
    raw: tuple[str, ...]  # fragments that must never reach a Markdown body unescaped


def _same(id: str, value: str, *raw: str) -> Payload:
    return Payload(id, value, value, raw or (value,))


URL_PAYLOADS: tuple[Payload, ...] = (
    _same("backtick-link", "x` [Log in here](https://ev.il) `", "[Log in here](https://ev.il)", "` [Log"),
    _same("image", "![logo](https://ev.il/a.png)"),
    _same("html-img", "<img src=x onerror=alert(1)>"),
    _same("html-link", "<a href=https://ev.il>here</a>"),
    _same("javascript", "[a](javascript:alert(1))"),
    _same("latex", r"$\href{https://ev.il}{click}$"),
    _same("colour-icons", ":red[alarm] :material/home: :smile:", ":red[alarm]", ":material/home:", ":smile:"),
    _same("logo-bare-links", ":streamlit: www.ev.il a@ev.il", ":streamlit:", "www.ev.il", "a@ev.il"),
    _same("emphasis-entity", r"**b** _i_ &copy; # h -> x \\", "**b**", "&copy;"),
    Payload("control-chars", "a\nb\r\t\x00\x1b[31m\x7f\x85\u202ez", "a␊b␍␉␀␛[31m␡\ufffd\ufffdz",
            ("a\nb", "\r", "\x00", "\x1b", "\u202e")),
    Payload("invalid-utf8", "%C3%28%FF \ufffd(\ufffd", "%C3%28%FF \ufffd(\ufffd", ("%C3%28%FF",)),
    Payload("long", "A" * 5000 + "[x](https://ev.il)", "A" * (NOTE_LIMIT - 1) + "…", ("A" * 100, "[x](https")),
)

# An uploaded file's name and header cells: the same tricks, in names a browser would send.
FILE_NAME = "x` [Log in](https://ev.il) <img src=x onerror=alert(1)> :red[r] :streamlit:.csv"  # ≤ 80: shown whole
HEADERS = ("`x` [h](https://ev.il)", "<img src=x onerror=alert(1)>", ":red[r] $\\href{https://ev.il}{m}$")
TEXT_HEADERS = ("<a href=javascript:alert(1)>n</a>", "![i](https://ev.il/i.png) :material/home:")
LABELS = ('=HYPERLINK("https://ev.il","Log in")', "[a](https://ev.il)", "@SUM(1+1)*cmd|' /C calc'!A0")
NODES = ("<img src=x onerror=alert(1)>", ":red[n] [n](https://ev.il)")
FILE_RAW = ("[Log in](https", "<img src", ":red[r]", ":streamlit:", "$\\href", "[h](https", "<a href",
            "![i](", ":material/home:", "[a](https")


def hostile_csv(label_only: bool = False, rows: int = 64) -> bytes:
    """Three numeric columns (usable as points, a signal, or an edge list with positive weights)
    under hostile headers, then text columns: one label column with hostile class names
    (``label_only``) or two hostile-named text columns that the readers drop, naming them."""
    text = TEXT_HEADERS[:1] if label_only else TEXT_HEADERS
    lines = [",".join(f'"{h}"' if "," in h else h for h in (*HEADERS, *text))]
    for i in range(rows):
        cells = [str(i), f"{(i * 7) % 11 - 5}", f"{(i * 3) % 5 + 1}"]
        cells += ['"' + LABELS[i % 3].replace('"', '""') + '"'] if label_only else [f"w{i}", f"v{i % 3}"]
        lines.append(",".join(cells))
    lines.insert(9, ",".join((*NODES, "1", *(["x"] * len(text)))))  # text where numbers go: names an edge's nodes
    return ("\n".join(lines) + "\n").encode()


# ------------------------------------------------------------------------------------------ checks

ASCII_PUNCT = frozenset(string.punctuation)
# Patterns that Streamlit's Markdown turns into something other than their characters after parsing
# (so escapes do not stop them), read on the displayed text: emoji, icons, the logo, bare links, arrows.
LIVE_AFTER_PARSE = re.compile(r":[\w+-]|https?://|www\.|\w@\w|(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)", re.IGNORECASE)


def escaped_pattern(shown: str) -> re.Pattern[str]:
    """Markdown that displays ``shown``: every ASCII punctuation character behind a backslash,
    word joiners allowed between characters."""
    parts = [re.escape("\\" + ch) if ch in ASCII_PUNCT else re.escape(ch) for ch in shown]
    return re.compile(f"(?:{WJ})?".join(parts))


def literal_in(body: str, shown: str) -> str | None:
    """Why ``body`` (Markdown) does not show ``shown`` literally somewhere, or None when it does."""
    match = escaped_pattern(shown).search(body)
    if match is None:
        return f"{shown!r} is not in {body!r} with every ASCII punctuation character escaped"
    displayed = re.sub(r"\\(.)", r"\1", match.group())  # what the reader sees, word joiners kept
    live = LIVE_AFTER_PARSE.search(displayed)
    if live:
        return f"{live.group()!r} in {body!r} would still be rewritten by Streamlit (no word joiner)"
    return None


def raw_in(body: str, fragments: tuple[str, ...]) -> list[str]:
    """The fragments of hostile input that appear in ``body`` as they were sent: their punctuation
    not escaped (so Markdown would read it as markup)."""
    def unescaped(fragment: str) -> re.Pattern[str]:
        return re.compile("".join(r"(?<!\\)" + re.escape(ch) if ch in ASCII_PUNCT else re.escape(ch)
                                  for ch in fragment))

    return [f for f in fragments if unescaped(f).search(body)]
