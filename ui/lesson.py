"""Lesson links and predict-then-reveal: a view a teacher prepares for a class.

**Lesson links.** ``?hide=la_std,la_seed&lock=la_data`` (comma-separated control keys, the names of the
controls' own URL parameters; either may be repeated) opens a page with those controls hidden (their
values still come from the link, or are the defaults) or drawn but disabled. The page says in one line
that the view was prepared by the teacher, with a button back to the full page. A name that is no
control of the view is ignored, with a note. Anyone can edit a URL: this is a convenience for a lesson,
not a security boundary. The sidebar's "Prepare a lesson link" writes such links.

**Predict, then reveal.** ``?present=true&cover=true``: in presentation mode each tab asks its prediction
question (:data:`QUESTIONS`) and covers its key numbers (metrics and tables) and its "what to notice"
line until the Reveal button is pressed. Revealing is per tab and per viewer; the link stays covered.

Every control goes through :mod:`ui.controls`, which asks :func:`mode` whether to hide or lock it and
registers what it drew (:func:`register`): the pages get all of this without a line of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ui import chapters, pyview, sheet, text

HIDE, LOCK, COVER = "hide", "lock", "cover"
PRESENT = "present"
GLOBAL_KEYS = (PRESENT, "cpu", COVER)  # the sidebar's switches: not part of a lesson's controls
_RUN = "_lesson_run"  # what this script run drew (reset by :func:`start`)
_REVEALED = "_lesson_revealed"  # (prefix, tab) pairs this viewer has revealed
_FULL_PAGE = "_lesson_full_page"  # this viewer left the lesson view for the full page

COVER_CSS = """
<style>
/* Predict, then reveal: the tab's numbers are covered until the Reveal button is pressed. */
.stMainBlockContainer [data-testid="stMetricValue"],
.stMainBlockContainer [data-testid="stMetricDelta"] { visibility: hidden; }
.stMainBlockContainer [data-testid="stMetric"] { background: repeating-linear-gradient(135deg, #eef2f7 0 12px,
  #e2e8f0 12px 24px); border-radius: 0.5rem; padding: 0.4rem 0.6rem; }
.stMainBlockContainer [data-testid="stDataFrame"] { visibility: hidden; }
</style>
"""

# One question per tab, asked before its numbers are shown; each is answered by the tab's default view.
QUESTIONS: dict[tuple[str, str], str] = {
    ("in", "Distances"): "Scale each sample by a random factor: which heatmap will change, the Euclidean or the "
                         "cosine one, and by how much?",
    ("in", "k-means"): "How well will k-means with k = 3 recover the three iris species (adjusted Rand index, 1 = "
                       "exactly), and how many steps will it take?",
    ("in", "Network"): "After 300 epochs, what share of the test points will this small network classify correctly?",
    ("in", "Vanishing gradients"): "In an 8-layer sigmoid network, how much smaller is the gradient at the first "
                                   "layer than at the output layer: 10×, 1,000×, a million×?",
    ("in", "Bias–variance"): "Will bias² + variance + noise add up to the measured test error? And with L1, how "
                             "many weights will be exactly zero?",
    ("ca", "Gradient field"): "At the point (1, 0.5) of sin x cos y, how steep is the steepest way up: is ‖∇f‖ "
                              "about 0.1, 0.6 or 2? And how far is u = 30° from that direction?",
    ("ca", "Taylor"): "Divide the distance h by 10: by how much does the tangent line's error fall? And the "
                      "quadratic model's?",
    ("ca", "Jacobian"): "Polar coordinates at r = 1: does the map enlarge a small circle's area, shrink it, or keep "
                        "it?",
    ("ca", "Backprop graph"): "How many backward steps give both ∂f/∂x and ∂f/∂y of sin x cos y, and will they equal "
                              "torch.autograd's to the last digit?",
    ("ca", "Autograd vs differences"): "Forward differences in float64: which step h gives the most accurate "
                                       "derivative, 1e-2, 1e-8 or 1e-15?",
    ("pr", "Distributions"): "Gamma(2, 1): how close will the mean of 1,000 draws come to the exact mean 2: within "
                             "0.01, 0.05 or 0.5?",
    ("pr", "Law of large numbers"): "Exponential(1), 200 paths: after 1,000 draws, what share of the running means "
                                    "is still more than 0.1 from the mean?",
    ("pr", "Central limit theorem"): "Means of 5 exponential draws: how far is their distribution from the normal "
                                     "(the KS distance): 0.5, 0.05 or 0.005?",
    ("pr", "Maximum likelihood"): "Of 1,000 repeated samples like the wine data, how many 95 % intervals for μ will "
                                  "hold the truth?",
    ("pr", "Bayesian updating"): "A uniform prior and 10 flips of a coin with p = 0.3: where will the posterior mean "
                                 "be?",
    ("pr", "Estimators"): "At n = 2, which estimate of σ² has the smaller mean squared error: dividing by n or by "
                          "n − 1?",
    ("it", "Entropy and codes"): "A loaded die shows a six half the time and each other face 1/10: how many bits a "
                                 "throw does the best code need on average: 1.0, 2.2 or 2.6?",
    ("it", "Cross-entropy and KL"): "Code a loaded die's throws with a code made for a fair die: how many extra bits a "
                                    "throw will that cost, about 0.04, 0.4 or 4?",
    ("it", "Forward vs reverse KL"): "Fit one Gaussian to two well-separated bumps: where will KL(p‖q) put it, and "
                                     "where will KL(q‖p)?",
    ("it", "Likelihood"): "Iris has three equally common species: what cross-entropy in bits does a "
                                           "model that ignores the measurements pay per flower?",
    ("it", "Mutual information"): "X and Y are Gaussian with correlation 0.8: how many bits does X tell about Y: "
                                  "about 0.07, 0.74 or 3?",
    ("it", "Calibration"): "Divide a classifier's logits by T = 2: will its test accuracy go up, go "
                                           "down or stay the same?",
    ("dg", "Manifolds"): "A and B lie on neighbouring layers of the Swiss roll, 6.3 apart in a straight line. How "
                         "long is the shortest path between them along the data: about 6, 20 or 70?",
    ("dg", "Surfaces"): "A triangle of great-circle arcs on the unit sphere: will its angles sum to less than 180°, "
                        "exactly 180° or more? By how much?",
    ("dg", "Loss curvature"): "This small network has 131 parameters. How many of its Hessian's eigenvalues exceed "
                              "1 % of the largest: about 10, 60 or all 131?",
    ("dg", "Fisher and natural gradient"): "The shortest way from N(−1, 0.5²) to N(2, 1.5²), measured by how much the "
                                           "distribution changes: straight across, through smaller σ, or through "
                                           "larger σ?",
    ("la", "PCA"): "What share of the data's variance will the kept principal axes hold?",
    ("la", "Reconstruction"): "Rebuilt from the kept components, what share of the variance is lost? Will the "
                              "measured error land on the discarded eigenvalues exactly, or only near them?",
    ("la", "Image compression"): "Rank 20: what fraction of the photo's numbers is stored, and how large is the "
                                 "relative error?",
    ("la", "Randomized SVD"): "On the largest matrix, how many times faster is the randomized SVD than the exact "
                              "one, and how far above the optimal error does it land?",
    ("op", "Landscapes"): "Which optimizer ends nearest the minimum after these steps, and which farthest?",
    ("op", "Theory"): "How many steps does gradient descent at its best need to gain one digit of accuracy, and how "
                      "many does heavy ball need?",
    ("op", "Fair race"): "With every learning rate tuned, which optimizer reaches the target in the fewest steps?",
    ("op", "A real network"): "Which optimizer ends with the lowest training loss, and does it also have the best "
                              "test accuracy?",
    ("gr", "Spectrum"): "How many times does the eigenvalue 0 appear in this graph's spectrum?",
    ("gr", "Clustering"): "What share of the nodes will the spectral split put in their true group?",
    ("gr", "Signals and GCNs"): "After the filter and after the GCN layers, will the signal be rougher or smoother "
                                "than before?",
    ("gr", "Cheeger and random walks"): "Cheeger: λ₂/2 ≤ φ ≤ √(2λ₂). Where in that range will the sweep cut's "
                                        "conductance φ land?",
    ("tp", "Rips filtration"): "At this ε, how many components (β₀) and how many loops (β₁) does the complex have?",
    ("tp", "Stability"): "Can the bottleneck distance ever exceed twice the largest displacement of a point? What "
                         "is the largest ratio you expect to see?",
    ("tp", "Topological loss"): "Gradient descent on this loss: will the largest loop's persistence grow or "
                                "shrink, and by how much?",
    ("tp", "Inside a network"): "The two rings are linked. How many loops (β₁) will each class have at this layer?",
    ("ha", "Fourier"): "Parseval: will the energy summed over time equal the energy summed over frequency? What "
                       "share of it passes the filter?",
    ("ha", "Time and frequency"): "How long does the STFT window last, and how fine is its frequency resolution Δf?",
    ("ha", "Wavelet transform"): "What share of the signal's energy stays in the small approximation, and how "
                                 "large is the reconstruction error?",
    ("ha", "Denoise and compress"): "Will thresholding the wavelet coefficients raise the SNR, and by how many dB?",
    ("ha", "Images"): "Keeping the same number of coefficients, which compresses the photo better, wavelets or "
                      "Fourier (higher PSNR)?",
    ("ha", "Wavelets to CNNs"): "How accurate will this small CNN be on held-out digits?",
    ("qc", "One qubit"): "After these rotations, is measuring 1 more or less likely than measuring 0?",
    ("qc", "Two qubits"): "How entangled are the two qubits: what is qubit 0's entropy, in bits?",
    ("qc", "Classifier"): "Will the circuit beat the MLP of the same size on the test points?",
    ("qc", "Gradients"): "Will parameter shift, backprop and finite differences give the same gradient, and which "
                         "takes the longest?",
    ("qc", "Barren plateaus"): "With each added qubit, by what factor does the gradient's variance shrink, for the "
                               "global cost and for the local one?",
    ("qc", "Re-uploading"): "Can one qubit draw a curved decision boundary: what test accuracy will it reach?",
    ("ds", "Two-neuron map"): "Two neurons that excite each other (w₁₁ = w₂₂ = 1.2, w₁₂ = w₂₁ = 0.8): how many "
                              "fixed points will the map have, and how many of them are stable?",
    ("ds", "Gradients through time"): "At ρ = 1.5, ρ¹⁰⁰ ≈ 4·10¹⁷. Will the gradient through 100 tanh steps grow "
                                      "that much, far less, or shrink?",
    ("ds", "Trained RNN"): "A network that holds 3 bits must keep 8 memories apart: how many stable fixed points will "
                           "the trained RNN have, and how many saddles between them?",
    ("ds", "Neural ODEs"): "With the same 50 steps, how much smaller will RK4's error be than Euler's: 10×, 1,000× or "
                           "100,000×?",
}


# ------------------------------------------------------------------------------------------ per run


def start() -> None:
    """Forget the previous run's controls (called once at the start of every run, by ui.shell)."""
    st.session_state[_RUN] = {"controls": {}, "values": {}, "top": None, "page": None, "main": None}
    pyview.start()
    sheet.start()


def _run() -> dict[str, Any]:
    if _RUN not in st.session_state:
        start()
    return st.session_state[_RUN]


def named(param: str) -> list[str]:
    """The control keys the link's ``hide`` or ``lock`` names, in order, each once."""
    out: list[str] = []
    if st.session_state.get(_FULL_PAGE):  # "Show the full page" was pressed in this session
        return out
    for raw in st.query_params.get_all(param):
        for name in raw.split(","):
            name = name.strip()
            if name and name not in out:
                out.append(name)
    return out


def mode(key: str) -> str | None:
    """:data:`HIDE`, :data:`LOCK` or None: how the link wants the control ``key`` drawn."""
    if key in GLOBAL_KEYS:
        return None
    if key in named(HIDE):
        return HIDE
    return LOCK if key in named(LOCK) else None


def register(key: str, label: str, value: Any, url: Sequence[str], how: str | None) -> None:
    """A control this run drew (or, hidden, would have drawn): its value, and that value as the URL writes it."""
    if key not in GLOBAL_KEYS:
        state = _run()
        state["controls"][key] = (label, list(url), how)
        state["values"][key] = value


def prepared() -> bool:
    return bool(named(HIDE) or named(LOCK))


def top() -> None:
    """Before the page runs: a place at the top of the page for the lesson's one line."""
    state = _run()
    state["top"] = st.container() if prepared() else None


def page(prefix: str, labels: Sequence[str], tabs: Sequence[Any], main: Any) -> None:
    """The page's frame is drawn (ui.layout.tabbed_page): remember the open tab, and when the view is
    covered, ask the tab's question at the top of the lesson column."""
    label = next((lab for lab, tab in zip(labels, tabs, strict=False) if getattr(tab, "open", False)), labels[0])
    state = _run()
    state["page"] = (prefix, label, labels[0])
    state["main"] = main
    if not cover_on():
        return
    question = QUESTIONS.get((prefix, label))
    with main:
        if question:
            st.warning(f"**Predict first:** {question}", icon=":material/quiz:")
        if (prefix, label) in st.session_state.get(_REVEALED, set()):
            st.button("Cover again", key=f"lesson_cover_{prefix}", icon=":material/visibility_off:",
                      on_click=_reveal, args=(prefix, label, False))
        else:
            st.button("Reveal", key=f"lesson_reveal_{prefix}", type="primary", icon=":material/visibility:",
                      on_click=_reveal, args=(prefix, label, True))
            st.html(COVER_CSS)


def _reveal(prefix: str, label: str, shown: bool) -> None:
    revealed = set(st.session_state.get(_REVEALED, set()))
    (revealed.add if shown else revealed.discard)((prefix, label))
    st.session_state[_REVEALED] = revealed


def cover_on() -> bool:
    """The view asks to cover its results (``cover=true``) and presentation mode is on."""
    return bool(st.session_state.get(COVER, False)) and bool(st.session_state.get(PRESENT, False))


def covered() -> bool:
    """The open tab's results are covered now: :func:`cover_on`, and this viewer has not revealed them."""
    where = _run().get("page")
    return cover_on() and where is not None and where[:2] not in st.session_state.get(_REVEALED, set())


# ------------------------------------------------------------------------------------ after the page


def _show_full_page() -> None:
    # The rerun this button starts still carries the browser's old query string, hide and lock included:
    # the session remembers the choice, and the URL loses them.
    st.session_state[_FULL_PAGE] = True
    for param in (HIDE, LOCK):
        if param in st.query_params:
            del st.query_params[param]


def finish() -> None:
    """After the page has run: the lesson's line at the top (and notes for names that are no control
    of this view), and the sidebar's "Prepare a lesson link"."""
    state = _run()
    controls = state["controls"]
    slot = state.get("top")
    if slot is not None:
        hidden = [k for k in named(HIDE) if k in controls]
        locked = [k for k in named(LOCK) if k in controls and k not in hidden]
        with slot:
            if hidden or locked:
                left, right = st.columns([4, 1], vertical_alignment="center")
                parts = [f"{len(hidden)} control{'s' * (len(hidden) != 1)} hidden" if hidden else "",
                         f"{len(locked)} locked" if locked else ""]
                left.info("A lesson view prepared by your teacher: " + ", ".join(p for p in parts if p) + ".",
                          icon=":material/school:")
                right.button("Show the full page", key="lesson_full", on_click=_show_full_page,
                             icon=":material/open_in_full:")
            for param in (HIDE, LOCK):
                for name in named(param):
                    if name not in controls:
                        given = text.literal(f"{param}={text.clean(name, 40)}", text.MESSAGE_LIMIT)
                        st.caption(f":orange[⚠ The link's “{given}” names no control of this view; ignored.]")
    if state.get("page"):
        prefix, label, _ = state["page"]
        chapter = next((c for c in chapters.live() if c.prefix == prefix), None)
        title = f"Chapter {chapter.number} · {chapter.explorer}, {label}" if chapter else label
        with state["main"]:
            pyview.show(prefix, label, title, state["values"])
            sheet.show(view_link(), prefix)
        if controls:
            _prepare(controls, state["page"])
    pyview.finish()


def view_link() -> str:
    """The link to this view as the sidebar shows it (every value that differs from its default)."""
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{query}" if query else base or "(this view's link)"


def link(controls: dict[str, tuple[str, list[str], str | None]], page: tuple[str, str, str],
         hide: Sequence[str], lock: Sequence[str], cover: bool) -> str:
    """The query string of a lesson link: the open tab, every control's current value, the hidden and
    locked keys, and with ``cover`` presentation mode with the results covered."""
    prefix, label, first = page
    pairs: list[tuple[str, str]] = [(f"{prefix}_tab", label)] if label != first else []
    for key, (_, url, _) in controls.items():
        pairs += [(key, v) for v in url]
    hidden = [k for k in hide if k in controls]
    if hidden:
        pairs.append((HIDE, ",".join(hidden)))
    locked = [k for k in lock if k in controls and k not in hidden]
    if locked:
        pairs.append((LOCK, ",".join(locked)))
    if cover:
        pairs += [(PRESENT, "true"), (COVER, "true")]
    return urlencode(pairs)


def _prepare(controls: dict[str, tuple[str, list[str], str | None]], page: tuple[str, str, str]) -> None:
    keys = list(controls)
    digest = hashlib.blake2b("|".join(keys).encode(), digest_size=4).hexdigest()  # options change with the view

    def label(key: str) -> str:
        return f"{text.clean(controls[key][0], 60)} ({key})"

    with st.sidebar, st.expander("Prepare a lesson link", icon=":material/school:"):
        st.caption("Choose what students see: every control shown, locked (drawn, cannot be moved) or hidden "
                   "(its current value still applies). A convenience for a lesson: anyone can edit a link.")
        hide = st.multiselect("Hidden", keys, [k for k in keys if controls[k][2] == HIDE], format_func=label,
                              key=f"lesson_hide_{digest}")
        lock = st.multiselect("Locked (a control both hidden and locked is hidden)", keys,
                              [k for k in keys if controls[k][2] == LOCK], format_func=label,
                              key=f"lesson_lock_{digest}")
        cover = st.toggle("Open covered (predict, then reveal)", key="lesson_covered",
                          value=cover_on(), help="Presentation mode, each tab's numbers behind a Reveal button.")
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{link(controls, page, hide, lock, cover)}", language=None, wrap_lines=True)
