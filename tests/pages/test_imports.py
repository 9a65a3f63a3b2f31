"""Heavy field libraries load only on the page that needs them (DESIGN.md: "import heavy libraries
lazily in the page that needs them"): `import pennylane` alone costs over a second, and the home page
has a cold-start budget of 3 s.

Each check runs pages with AppTest in a fresh interpreter and reads ``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests import helpers as h
from ui.chapters import live

HEAVY = ("pennylane", "gudhi", "ripser", "persim", "pywt", "matplotlib")
# the libraries each page may load; every other page loads none of HEAVY
OWN = {"topology": {"gudhi", "ripser", "persim", "matplotlib"}, "harmonic-analysis": {"pywt"},
       "quantum": {"pennylane"}}

_SCRIPT = """
import json, sys
from tests import helpers as h
heavy = set(json.loads(sys.argv[1]))
for page in sys.argv[2:]:
    at = h.open_page(page)
    assert not at.exception, [e.message for e in at.exception]
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & heavy)))
"""


def _loaded_after(*pages: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(HEAVY), *pages], cwd=h.ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_home_and_light_pages_load_no_heavy_library():
    pages = [h.home_page()] + [c.page for c in live() if c.url_path not in OWN]
    assert _loaded_after(*pages) == set()


@pytest.mark.parametrize("chapter", [c for c in live() if c.url_path in OWN], ids=lambda c: c.url_path)
def test_a_heavy_page_loads_only_its_own_libraries(chapter):
    assert _loaded_after(chapter.page) <= OWN[chapter.url_path]
