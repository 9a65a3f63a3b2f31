"""House rules that keep the layers clean and the two README commands true."""

import ast
import re
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ui.chapters import CHAPTERS, live

ROOT = Path(__file__).resolve().parents[2]
PAGE_DIR = ROOT / "explorers"
# A page is widgets, one core call per view, charts and words: about 70 lines per tab of a
# four-tab page. More than that means logic that belongs in core/ or ui/ (tables, figures).
MAX_PAGE_CODE_LINES = 300


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit_or_ui():
    for path in (ROOT / "core").rglob("*.py"):
        assert not _imports(path) & {"streamlit", "ui", "altair"}, f"{path} reaches above core/"


def test_figures_draw_without_streamlit():
    for path in (ROOT / "ui" / "figures").rglob("*.py"):
        assert "streamlit" not in _imports(path), f"{path}: figures are pure Altair"


def test_pages_are_thin():
    for path in PAGE_DIR.glob("*.py"):
        code = [ln for ln in path.read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.strip().startswith("#")]
        assert len(code) <= MAX_PAGE_CODE_LINES, f"{path.name}: {len(code)} lines; push logic into core/ or ui/"


def test_no_legacy_pages_folder():
    # A pages/ folder beside app.py puts Streamlit's first run of each server in legacy multipage mode.
    assert not (ROOT / "pages").exists()


def test_every_live_chapter_is_complete_and_unique():
    assert [c.number for c in CHAPTERS] == list(range(1, 13))
    chapters = live()
    assert chapters, "at least one explorer is live"
    for c in chapters:
        assert (ROOT / c.page).is_file() and c.url_path and c.prefix
    assert len({c.prefix for c in chapters}) == len(chapters)
    assert len({c.url_path for c in chapters}) == len(chapters)


def test_page_parameters_use_the_chapter_prefix():
    for c in live():
        source = (ROOT / c.page).read_text(encoding="utf-8")
        keys = re.findall(r'controls\.\w+\([^)]*?"([a-z]+_[a-z_0-9]+)"', source)
        keys += re.findall(r'key="([a-z]+_[a-z_0-9]+)"', source)
        assert keys and all(k.startswith(f"{c.prefix}_") for k in keys), keys


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in _requirements(name):
            if line.startswith("--"):
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s;]*", line), f"{name}: {line} is not pinned"


def test_torch_pin_takes_the_cpu_wheel_on_community_cloud():
    lines = _requirements("requirements.txt")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    spec = SpecifierSet(next(ln for ln in lines if ln.startswith("torch==")).removeprefix("torch"))
    cpu = Version(str(spec).removeprefix("==") + "+cpu")
    assert spec.contains(cpu)  # the CPU wheel satisfies the pin...
    assert cpu > Version(str(spec).removeprefix("=="))  # ...and outranks PyPI's CUDA wheel of that version


def test_make_leaves_the_extra_index_out_of_local_installs():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "grep -v -e '^--extra-index-url' requirements.txt" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
