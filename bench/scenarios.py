"""What ``python -m bench`` moves, page by page: one list, so a new chapter only adds entries.

Each scenario is a dict:

``page``     ``"home"`` or a chapter's URL prefix (``ui.chapters.Chapter.prefix``, e.g. ``"la"``)
``tier``     ``"default"`` (budget p95 <= 100 ms) or ``"largest"`` (the heaviest settings the page offers,
             budget p95 <= 1 s)
``name``     what the row is called in the table
``params``   the URL's query parameters, set before the first run, exactly as a shared link carries them
             (a choice is written as its displayed label: ``la_data=Breast cancer``); the page's
             ``<prefix>_tab`` parameter picks the tab. The bench checks that the page took every one.
``widget``   ``"slider"`` (default), ``"select_slider"``, ``"toggle"``, ``"number_input"`` or ``"rerun"``
             (no widget: a plain rerun)
``key``      the widget's key, which is also its URL parameter
``values``   the values the widget is moved through, in order (cycled when more moves are wanted);
             use many different values, so that caching is measured honestly
``heavy``    optional: True when one rerun takes seconds; ``--quick`` skips the scenario
``cap_s``    optional: stop moving after this many seconds of timing (at least 3 moves); default 30
``note``     optional: shown under the table
"""

from __future__ import annotations

from typing import Any

Scenario = dict[str, Any]


def _spread(lo: int, hi: int, count: int, skip: int | None = None) -> list[int]:
    """``count`` different integers from lo to hi, interleaved (far jumps, not a slow sweep)."""
    step = (hi - lo) / max(count - 1, 1)
    values = sorted({round(lo + i * step) for i in range(count)} - ({skip} if skip is not None else set()))
    half = (len(values) + 1) // 2
    low, high = values[:half], values[half:]
    return [v for i in range(half) for v in ([low[i], high[i]] if i < len(high) else [low[i]])]


GAUSS_3D_5000 = {"la_data": "Gaussian", "la_dim": "3", "la_n": "5000"}
BEALE_1000 = {"op_land": "Beale", "op_steps": "1000"}
RACE_LARGEST = {"la_size": "2000", "la_target": "100", "la_over": "30", "la_niter": "4"}

SCENARIOS: list[Scenario] = [
    # ---- home: no slider; its one control is the sidebar's presentation-mode switch
    {"page": "home", "tier": "default", "name": "Book map · presentation mode on/off", "params": {},
     "widget": "toggle", "key": "present", "values": [True, False],
     "note": "The home page has no slider: its move is the sidebar's presentation-mode toggle (two values)."},

    # ---- chapter 2, linear algebra: default settings
    {"page": "la", "tier": "default", "name": "PCA · digits · k", "params": {"la_tab": "PCA"},
     "key": "la_k", "values": _spread(1, 64, 20, skip=2)},
    {"page": "la", "tier": "default", "name": "PCA · Gaussian 2-D, 500 pts · angle",
     "params": {"la_tab": "PCA", "la_data": "Gaussian"}, "key": "la_angle", "values": _spread(-90, 90, 20, skip=30)},
    {"page": "la", "tier": "default", "name": "Reconstruction · digits · k", "params": {"la_tab": "Reconstruction"},
     "key": "la_k", "values": _spread(1, 64, 20, skip=2)},
    {"page": "la", "tier": "default", "name": "Image compression · rank", "params": {"la_tab": "Image compression"},
     "key": "la_rank", "values": _spread(2, 120, 20, skip=20)},
    {"page": "la", "tier": "default", "name": "Randomized SVD · 800 rows · target rank",
     "params": {"la_tab": "Randomized SVD"}, "key": "la_target", "values": _spread(2, 60, 20, skip=20)},

    # ---- chapter 2, linear algebra: the largest settings each tab offers
    {"page": "la", "tier": "largest", "name": "PCA · Gaussian 3-D, 5000 pts · angle",
     "params": {"la_tab": "PCA", **GAUSS_3D_5000}, "key": "la_angle", "values": _spread(-90, 90, 20, skip=30)},
    {"page": "la", "tier": "largest", "name": "PCA · breast cancer, standardized · k",
     "params": {"la_tab": "PCA", "la_data": "Breast cancer", "la_std": "true"}, "key": "la_k",
     "values": _spread(1, 30, 20, skip=2)},
    {"page": "la", "tier": "largest", "name": "Reconstruction · Gaussian 3-D, 5000 pts · angle",
     "params": {"la_tab": "Reconstruction", **GAUSS_3D_5000}, "key": "la_angle",
     "values": _spread(-90, 90, 20, skip=30)},
    {"page": "la", "tier": "largest", "name": "Reconstruction · digits, standardized · k up to 64",
     "params": {"la_tab": "Reconstruction", "la_std": "true", "la_k": "64"}, "key": "la_k",
     "values": _spread(20, 63, 20)},
    {"page": "la", "tier": "largest", "name": "Image compression · rank up to 427",
     "params": {"la_tab": "Image compression", "la_rank": "427"}, "key": "la_rank",
     "values": _spread(200, 426, 20)},
    {"page": "la", "tier": "largest", "name": "Randomized SVD · 2000 rows, p=30, q=4 · target",
     "params": {"la_tab": "Randomized SVD", **RACE_LARGEST}, "key": "la_target",
     "values": _spread(40, 99, 20), "heavy": True, "cap_s": 20,
     "note": "Each move re-times the randomized SVDs on five matrices up to 2000×1500 (the exact SVDs, "
             "which depend only on the sizes and the seed, are cached from the first run)."},
]


SCENARIOS += [
    # ---- chapter 5, optimization: default settings (6 optimizers × 300 steps, rates tuned on a grid of 10)
    {"page": "op", "tier": "default", "name": "Landscapes · quadratic · κ", "params": {"op_tab": "Landscapes"},
     "widget": "select_slider", "key": "op_kappa", "values": [1, 1000, 2, 500, 5, 200, 20, 100, 50]},
    {"page": "op", "tier": "default", "name": "Landscapes · quadratic · start x", "params": {"op_tab": "Landscapes"},
     "widget": "number_input", "key": "op_x_quadratic", "values": [-2.9, 2.9, -1.0, 1.5, -2.0, 0.5, 2.2, -0.3]},
    {"page": "op", "tier": "default", "name": "Landscapes · step-through t", "params": {"op_tab": "Landscapes"},
     "key": "op_t", "values": _spread(0, 299, 20, skip=5)},
    {"page": "op", "tier": "default", "name": "Theory · GD learning rate", "params": {"op_tab": "Theory"},
     "note": "Theory's first run includes torch.func's one-off start-up in this process (~1.2 s).",
     "key": "op_tlr", "values": [0.1, 2.4, 0.5, 1.9, 0.8, 1.2, 0.3, 2.1, 1.0, 0.05]},
    {"page": "op", "tier": "default", "name": "Fair race · quadratic, 6 optimizers × 10 rates × 5 seeds · μ",
     "params": {"op_tab": "Fair race"}, "key": "op_rmu", "values": [0.5, 0.99, 0.0, 0.8, 0.95, 0.3, 0.7, 0.85]},
    {"page": "op", "tier": "default", "name": "A real network · 5 optimizers × 300 steps · seed",
     "params": {"op_tab": "A real network"}, "widget": "number_input", "key": "op_nseed", "values": [1, 2, 3],
     "heavy": True, "cap_s": 20,
     "note": "Each move trains five networks (~0.8 s here, a progress bar shows, the result is cached by its "
             "settings): judged against the 100 ms default budget, which training cannot meet."},

    # ---- chapter 5, optimization: the largest settings
    {"page": "op", "tier": "largest", "name": "Landscapes · Beale, 1000 steps · start x",
     "params": {"op_tab": "Landscapes", **BEALE_1000}, "widget": "number_input", "key": "op_x_beale",
     "values": [-4.0, 4.0, 2.0, -2.0, 0.5, 3.0]},
    {"page": "op", "tier": "largest", "name": "Fair race · Beale, 1000 steps × 10 seeds · μ",
     "params": {"op_tab": "Fair race", "op_rland": "Beale", "op_rsteps": "1000", "op_rseeds": "10"},
     "key": "op_rmu", "values": [0.5, 0.99, 0.0, 0.8], "heavy": True, "cap_s": 30},
]

SCENARIOS += [
    # ---- chapter 7, graph theory: default settings (the karate club), then a 1000-node SBM and a
    # 10,000-node sparse graph
    {"page": "gr", "tier": "default", "name": "Spectrum · karate · eigenvector", "params": {"gr_tab": "Spectrum"},
     "key": "gr_eig", "values": _spread(1, 34, 20, skip=2)},
    {"page": "gr", "tier": "default", "name": "Clustering · SBM 60 nodes · p_in",
     "params": {"gr_tab": "Clustering", "gr_graph": "Stochastic block model", "gr_cmethod":
                "Spectral clustering (k eigenvectors of L_sym + k-means)"}, "key": "gr_pin",
     "values": [0.1, 0.9, 0.2, 0.6, 0.35, 0.5, 0.15, 0.8]},
    {"page": "gr", "tier": "default", "name": "Signals · karate · GCN layers", "params": {"gr_tab": "Signals and GCNs"},
     "key": "gr_layers", "values": _spread(0, 50, 20, skip=4)},
    {"page": "gr", "tier": "default", "name": "Cheeger · karate · walk steps",
     "params": {"gr_tab": "Cheeger and random walks"}, "key": "gr_steps", "values": _spread(10, 2000, 20, skip=200)},
    {"page": "gr", "tier": "largest", "name": "Spectrum · SBM 1000 nodes · p_in",
     "params": {"gr_tab": "Spectrum", "gr_graph": "Stochastic block model", "gr_n": "1000", "gr_pin": "0.05",
                "gr_pout": "0.005"}, "key": "gr_pin", "values": [0.06, 0.08, 0.04, 0.07, 0.1, 0.03]},
    {"page": "gr", "tier": "largest", "name": "Spectrum · geometric 10,000 nodes (sparse) · radius",
     "params": {"gr_tab": "Spectrum", "gr_graph": "Random geometric", "gr_n": "10000", "gr_p": "0.02"},
     "key": "gr_p", "values": [0.03, 0.025, 0.035], "heavy": True, "cap_s": 30,
     "note": "10,000 nodes: scipy's eigsh (shift-invert) for the lowest 12 eigenpairs, drawn without edges."},
]

# ---- chapter 9, topology (prefix tp): SCENARIOS += [...] below this line
TP_EPS = [0.1, 1.9, 0.3, 1.5, 0.5, 1.2, 0.7, 0.9, 0.04, 1.7, 0.24, 1.36, 0.62, 1.04, 0.16, 1.82, 0.44, 1.12, 0.8, 0.36]
TP_NOISE = [0.05, 0.3, 0.12, 0.22, 0.02, 0.4, 0.08, 0.18, 0.27, 0.14, 0.35, 0.06, 0.25, 0.11, 0.45, 0.03]
SCENARIOS += [
    # default settings: the noisy circle, 120 points, H0 and H1
    {"page": "tp", "tier": "default", "name": "Topology · Rips · circle 120 pts · ε (redraw only)",
     "params": {"tp_tab": "Rips filtration"}, "key": "tp_eps", "values": TP_EPS},
    {"page": "tp", "tier": "default", "name": "Topology · Rips · circle 120 pts · noise (new persistence)",
     "params": {"tp_tab": "Rips filtration"}, "key": "tp_noise", "values": TP_NOISE},
    {"page": "tp", "tier": "default", "name": "Topology · Rips · highlighted H1 bar",
     "params": {"tp_tab": "Rips filtration"}, "key": "tp_bar", "values": [0, 5, 2, 8, 3, 10, 1, 7, 4, 9, 6]},
    {"page": "tp", "tier": "default", "name": "Topology · Stability · σ shown",
     "params": {"tp_tab": "Stability"}, "widget": "select_slider", "key": "tp_sigma",
     "values": [0.5, 0.0, 0.3, 0.01, 0.2, 0.02, 0.15, 0.05, 0.4]},
    {"page": "tp", "tier": "default", "name": "Topology · Topological loss · step shown",
     "params": {"tp_tab": "Topological loss"}, "key": "tp_step", "values": _spread(0, 99, 20)},
    {"page": "tp", "tier": "default", "name": "Topology · Inside a network · layer shown",
     "params": {"tp_tab": "Inside a network"}, "key": "tp_layer", "values": [5, 0, 3, 1, 4, 2]},
    {"page": "tp", "tier": "default", "name": "Topology · Inside a network · bar threshold",
     "params": {"tp_tab": "Inside a network"}, "key": "tp_frac",
     "values": [0.05, 0.5, 0.1, 0.4, 0.15, 0.35, 0.25, 0.3, 0.45]},
    {"page": "tp", "tier": "default", "name": "Topology · Topological loss · seed (100 gradient steps)",
     "params": {"tp_tab": "Topological loss"}, "widget": "number_input", "key": "tp_lseed", "values": [1, 2, 3],
     "heavy": True, "cap_s": 30,
     "note": "Each move runs 100 gradient steps, gudhi's persistence pairs at every step (a progress bar shows; "
             "cached by its settings): judged against the 100 ms default budget, which it cannot meet."},
    {"page": "tp", "tier": "default", "name": "Topology · Inside a network · seed (train + 12 diagrams)",
     "params": {"tp_tab": "Inside a network"}, "widget": "number_input", "key": "tp_nseed", "values": [1, 2, 3],
     "heavy": True, "cap_s": 30,
     "note": "Each move trains a 4×12 network for 400 epochs and takes the persistence of both classes after "
             "every layer (a progress bar shows; cached)."},
    # the largest settings: 400 points (H0, H1; the slider's top), H2 on 120 points
    {"page": "tp", "tier": "largest", "name": "Topology · Rips · circle 400 pts · noise (new persistence)",
     "params": {"tp_tab": "Rips filtration", "tp_n": "400"}, "key": "tp_noise", "values": TP_NOISE},
    {"page": "tp", "tier": "largest", "name": "Topology · Rips · circle 400 pts · ε (redraw only)",
     "params": {"tp_tab": "Rips filtration", "tp_n": "400"}, "key": "tp_eps", "values": TP_EPS},
    {"page": "tp", "tier": "largest", "name": "Topology · Rips · two circles 400 pts · noise",
     "params": {"tp_tab": "Rips filtration", "tp_cloud": "Two circles", "tp_n": "400"}, "key": "tp_noise",
     "values": TP_NOISE[:10]},
    {"page": "tp", "tier": "largest", "name": "Topology · Rips · sphere 120 pts, H2 · noise",
     "params": {"tp_tab": "Rips filtration", "tp_cloud": "Sphere (3-D)", "tp_dim": "H0, H1 and H2 (voids)"},
     "key": "tp_noise", "values": TP_NOISE[:10]},
    {"page": "tp", "tier": "largest", "name": "Topology · Stability · 5 perturbations × 10 σ · noise",
     "params": {"tp_tab": "Stability", "tp_trials": "5"}, "key": "tp_noise", "values": TP_NOISE[:10]},
]
# ---- end of chapter 9

# ---- chapter 1, introduction (prefix in): SCENARIOS += [...] below this line
IN_BIG = {"in_data": "Two moons", "in_n": "5000", "in_points": "300", "in_std": "true"}
SCENARIOS += [
    # default settings: iris, k = 3, k-means++, 150-point heatmaps; moons MLP 8–8 tanh, 300 epochs
    {"page": "in", "tier": "default", "name": "Introduction · Distances · heatmap order",
     "params": {"in_tab": "Distances"}, "widget": "select_slider", "key": "in_points", "values": [50, 150, 100, 200]},
    {"page": "in", "tier": "default", "name": "Introduction · Distances · k", "params": {"in_tab": "Distances"},
     "key": "in_k", "values": _spread(1, 12, 12, skip=3)},
    {"page": "in", "tier": "default", "name": "Introduction · k-means · step (redraw only)",
     "params": {"in_tab": "k-means"}, "key": "in_step", "values": [0, 6, 1, 5, 2, 4, 3]},
    {"page": "in", "tier": "default", "name": "Introduction · k-means · k (a run, 50 restarts)",
     "params": {"in_tab": "k-means"}, "key": "in_k", "values": _spread(1, 12, 12, skip=3)},
    {"page": "in", "tier": "default", "name": "Introduction · Network · replay epoch (redraw only)",
     "params": {"in_tab": "Network"}, "widget": "select_slider", "key": "in_epoch",
     "values": [0, 300, 6, 294, 60, 240, 120, 180, 150]},
    {"page": "in", "tier": "default", "name": "Introduction · Network · microscope sample",
     "params": {"in_tab": "Network"}, "widget": "number_input", "key": "in_sample", "values": _spread(1, 399, 12)},
    {"page": "in", "tier": "default", "name": "Introduction · Vanishing gradients · step (redraw only)",
     "params": {"in_tab": "Vanishing gradients"}, "key": "in_vstep", "values": _spread(1, 20, 12)},
    {"page": "in", "tier": "default", "name": "Introduction · Bias–variance · degree",
     "params": {"in_tab": "Bias–variance"}, "key": "in_degree", "values": _spread(0, 12, 12, skip=3)},
    {"page": "in", "tier": "default", "name": "Introduction · Network · epochs (trains)",
     "params": {"in_tab": "Network"}, "key": "in_epochs", "values": [100, 200, 400], "heavy": True, "cap_s": 30,
     "note": "Introduction · Network · epochs: each move trains the MLP (a progress bar shows, cached by its "
             "settings): judged against the 100 ms default budget, which training cannot meet."},
    # the largest settings: 5,000 moons with 300-point heatmaps, k up to 12, 100 restarts; 4×16 network
    {"page": "in", "tier": "largest", "name": "Introduction · Distances · 5,000 moons, 300-point heatmaps · k",
     "params": {"in_tab": "Distances", **IN_BIG}, "key": "in_k", "values": _spread(1, 12, 8, skip=3)},
    {"page": "in", "tier": "largest", "name": "Introduction · k-means · 5,000 moons, 100 restarts · k",
     "params": {"in_tab": "k-means", "in_data": "Two moons", "in_n": "5000", "in_std": "true", "in_runs": "100",
                "in_kmax": "12"}, "key": "in_k",
     "values": _spread(2, 12, 6, skip=3), "heavy": True, "cap_s": 60},
    {"page": "in", "tier": "largest", "name": "Introduction · Network · digits 4×16, 1000 epochs · replay",
     "params": {"in_tab": "Network", "in_net": "Digits (8×8 = 64 pixels)", "in_layers": "4", "in_width": "16",
                "in_epochs": "1000"}, "widget": "select_slider", "key": "in_epoch",
     "values": [0, 1000, 20, 980, 200, 800, 400, 600, 500], "heavy": True, "cap_s": 60},
]
# ---- end of chapter 1

# ---- chapter 10, harmonic analysis (prefix ha): SCENARIOS += [...] below this line
HA_BIG = {"ha_n": "65536"}  # 2^16 samples of the default signal (Doppler)
# the band's upper edge (% of fs/2) on the select slider's own grid (core.harmonic.BAND_PERCENTS), above the
# default lower edge of 5 %
HA_BAND_EDGES = [100, 6, 90, 8, 80, 10, 70, 12, 60, 20, 50, 25, 45, 30, 40, 35, 55, 65, 75, 85]
HA_KEEP = [0.5, 60.0, 2.0, 40.0, 3.5, 25.0, 1.0, 15.0, 8.0, 10.0, 1.5, 30.0, 6.0, 50.0, 4.5]
SCENARIOS += [
    # default settings: Doppler, 1,024 samples, noise 0.2; db4, periodization, 5 levels; cameraman 512×512
    {"page": "ha", "tier": "default", "name": "Harmonic · Fourier · band edge",
     "params": {"ha_tab": "Fourier"}, "widget": "select_slider", "key": "ha_fhi", "values": HA_BAND_EDGES},
    {"page": "ha", "tier": "default", "name": "Harmonic · Fourier · aliasing, sampling rate",
     "params": {"ha_tab": "Fourier"}, "key": "ha_rate", "values": _spread(2, 100, 20, skip=50)},
    {"page": "ha", "tier": "default", "name": "Harmonic · Time and frequency · STFT window",
     "params": {"ha_tab": "Time and frequency"}, "widget": "select_slider", "key": "ha_window",
     "values": [8, 4096, 16, 2048, 32, 1024, 128, 512, 256]},
    {"page": "ha", "tier": "default", "name": "Harmonic · Wavelet transform · levels",
     "params": {"ha_tab": "Wavelet transform"}, "key": "ha_level", "values": [1, 10, 2, 9, 3, 8, 4, 7, 6]},
    {"page": "ha", "tier": "default", "name": "Harmonic · Denoise · threshold multiplier",
     "params": {"ha_tab": "Denoise and compress"}, "key": "ha_scale",
     "values": [0.0, 3.0, 0.5, 2.5, 0.25, 2.0, 0.75, 1.5, 1.25, 1.75]},
    {"page": "ha", "tier": "default", "name": "Harmonic · Compression · share kept",
     "params": {"ha_tab": "Denoise and compress"}, "key": "ha_keep", "values": HA_KEEP},
    {"page": "ha", "tier": "default", "name": "Harmonic · Images · cameraman 512×512 · share kept",
     "params": {"ha_tab": "Images"}, "key": "ha_keep", "values": HA_KEEP},
    {"page": "ha", "tier": "default", "name": "Harmonic · Wavelets to CNNs · noise (conv-layer DWT)",
     "params": {"ha_tab": "Wavelets to CNNs"}, "key": "ha_noise",
     "values": [v / 100 for v in _spread(0, 100, 12, skip=20)],
     "note": "Harmonic · Wavelets to CNNs: the CNN trained at the page's first run is cached; each move re-runs the "
             "DWT as a conv layer and its check against pywt.dwt."},
    {"page": "ha", "tier": "default", "name": "Harmonic · Wavelets to CNNs · seed (trains the CNN)",
     "params": {"ha_tab": "Wavelets to CNNs"}, "widget": "number_input", "key": "ha_cseed", "values": [1, 2, 3],
     "heavy": True, "cap_s": 30,
     "note": "Each move trains the digits CNN for 6 epochs (a progress bar shows; cached by its settings): judged "
             "against the 100 ms default budget, which training cannot meet."},
    # the largest settings: 2^16 samples, 10 levels, the 427×640 photo at 8 levels, the biggest CNN
    {"page": "ha", "tier": "largest", "name": "Harmonic · Fourier · 65,536 samples · band edge",
     "params": {"ha_tab": "Fourier", **HA_BIG}, "widget": "select_slider", "key": "ha_fhi",
     "values": HA_BAND_EDGES[:12]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Time and frequency · 65,536 samples · STFT window",
     "params": {"ha_tab": "Time and frequency", **HA_BIG}, "widget": "select_slider", "key": "ha_window",
     "values": [8, 4096, 16, 2048, 32, 1024, 128, 512, 256]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Wavelet transform · 65,536 samples · levels",
     "params": {"ha_tab": "Wavelet transform", **HA_BIG}, "key": "ha_level", "values": [1, 12, 2, 11, 3, 10, 4, 9, 6]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Denoise · 65,536 samples, sym8 · threshold multiplier",
     "params": {"ha_tab": "Denoise and compress", "ha_wavelet": "Symlet 8 (16 taps)", "ha_level": "10", **HA_BIG},
     "key": "ha_scale", "values": [0.0, 3.0, 0.5, 2.5, 0.25, 2.0, 0.75, 1.5]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Compression · 65,536 samples · share kept",
     "params": {"ha_tab": "Denoise and compress", **HA_BIG}, "key": "ha_keep", "values": HA_KEEP[:10]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Images · China 427×640, 8 levels, db8 · share kept",
     "params": {"ha_tab": "Images", "ha_image": "Temple in China", "ha_level": "8",
                "ha_wavelet": "Daubechies 8 (16 taps)", "ha_mode": "symmetric"},
     "key": "ha_keep", "values": HA_KEEP[:10]},
    {"page": "ha", "tier": "largest", "name": "Harmonic · Wavelets to CNNs · 16 filters 7×7, 15 epochs · seed",
     "params": {"ha_tab": "Wavelets to CNNs", "ha_filters": "16", "ha_kernel": "7", "ha_epochs": "15"},
     "widget": "number_input", "key": "ha_cseed", "values": [1, 2], "heavy": True, "cap_s": 60},
]
# ---- end of chapter 10

# ---- chapter 12, quantum (prefix qc): SCENARIOS += [...] below this line
QC_ANGLES = [-3.0, 2.9, -1.5, 1.4, 0.1, -2.2, 2.4, -0.6, 0.9, -2.8, 1.9, -1.1, 0.3, 2.7, -0.2, 1.2, -1.8, 0.6]
QC_BIG_CLASSIFIER = {"qc_tab": "Classifier", "qc_qubits": "8", "qc_layers": "8", "qc_epochs": "150",
                     "qc_points": "400"}
SCENARIOS += [
    # default settings (the single-qubit and two-qubit views are plain torch 2×2 / 4×4 matrices)
    {"page": "qc", "tier": "default", "name": "Quantum · One qubit · RX angle", "params": {"qc_tab": "One qubit"},
     "key": "qc_rx", "values": QC_ANGLES},
    {"page": "qc", "tier": "default", "name": "Quantum · One qubit · RZ angle", "params": {"qc_tab": "One qubit"},
     "key": "qc_rz", "values": QC_ANGLES},
    {"page": "qc", "tier": "default", "name": "Quantum · One qubit · view azimuth (redraw only)",
     "params": {"qc_tab": "One qubit"}, "key": "qc_az", "values": _spread(-180, 180, 20, skip=35)},
    {"page": "qc", "tier": "default", "name": "Quantum · One qubit · shots", "params": {"qc_tab": "One qubit"},
     "widget": "select_slider", "key": "qc_shots", "values": [10000, 1, 1000, 10]},
    {"page": "qc", "tier": "default", "name": "Quantum · Two qubits · entangling angle θ",
     "params": {"qc_tab": "Two qubits"}, "key": "qc_theta", "values": [abs(a) * 2 for a in QC_ANGLES]},
    {"page": "qc", "tier": "default", "name": "Quantum · Classifier · replay % (redraw only)",
     "params": {"qc_tab": "Classifier"}, "key": "qc_snap", "values": [0, 90, 10, 80, 20, 70, 30, 60, 40, 50]},
    {"page": "qc", "tier": "default", "name": "Quantum · Gradients · swept parameter (one broadcast circuit)",
     "params": {"qc_tab": "Gradients"}, "key": "qc_gindex", "values": _spread(1, 23, 20)},
    {"page": "qc", "tier": "default", "name": "Quantum · Re-uploading · followed point",
     "params": {"qc_tab": "Re-uploading"}, "key": "qc_rpoint", "values": _spread(1, 199, 20)},
    {"page": "qc", "tier": "default", "name": "Quantum · Classifier · seed (trains 4 qubits × 3 layers × 30 epochs)",
     "params": {"qc_tab": "Classifier"}, "widget": "number_input", "key": "qc_seed", "values": [1, 2, 3],
     "heavy": True, "cap_s": 30,
     "note": "Each move trains the circuit and the MLP baseline (a progress bar shows, the result is cached by its "
             "settings): judged against the 100 ms default budget, which training cannot meet."},
    # the largest settings
    {"page": "qc", "tier": "largest", "name": "Quantum · One qubit · 10,000 shots · RX angle",
     "params": {"qc_tab": "One qubit", "qc_shots": "10000"}, "key": "qc_rx", "values": QC_ANGLES},
    {"page": "qc", "tier": "largest", "name": "Quantum · Re-uploading · 6 layers · followed point",
     "params": {"qc_tab": "Re-uploading", "qc_rlayers": "6"}, "key": "qc_rpoint", "values": _spread(1, 199, 20)},
    {"page": "qc", "tier": "largest", "name": "Quantum · Gradients · 8 qubits × 5 layers · swept parameter",
     "params": {"qc_tab": "Gradients", "qc_gqubits": "8", "qc_glayers": "5"}, "key": "qc_gindex",
     "values": _spread(1, 119, 20)},
    {"page": "qc", "tier": "largest", "name": "Quantum · Barren plateaus · 10 qubits, 1000 circuits, 10 layers · seed",
     "params": {"qc_tab": "Barren plateaus", "qc_bmax": "10", "qc_bsamples": "1000", "qc_blayers": "10"},
     "widget": "number_input", "key": "qc_seed", "values": [1, 2, 3], "heavy": True, "cap_s": 40,
     "note": "Samples are capped so that 10 qubits × 10 layers stay bounded (a note says so); a progress bar shows."},
    {"page": "qc", "tier": "largest", "name": "Quantum · Classifier · 8 qubits, 8 layers, 150 epochs, 400 pts · seed",
     "params": QC_BIG_CLASSIFIER, "widget": "number_input", "key": "qc_seed", "values": [1, 2], "heavy": True,
     "cap_s": 60, "note": "Epochs are capped by the work budget (a note says so); a progress bar shows."},
]
# ---- end of chapter 12


def for_page(page: str) -> list[Scenario]:
    return [s for s in SCENARIOS if s["page"] == page]

# ---- chapter 3, multivariate calculus (prefix ca): SCENARIOS += [...] below this line
_XS = [-2.5, 2.0, -1.5, 0.5, -0.25, 1.75, -2.0, 2.75, 0.0, -1.0, 1.25, 2.25]
# f at the caps: 100 nodes of sin, exp, tanh, powers and products (its Hessian took sympy ~1 s once, cached)
CA_BIG_F = ("sin(x*y)^2 + exp(-(x^2+y^2)/4)*cos(3*x) + tanh(x-y)^3 + sigmoid(2*x*y) + log(1+x^2)*sqrt(1+y^2) "
            "+ x^3*y/7 - y^4/9")
SCENARIOS += [
    # default settings: sin x cos y on [−3, 3]², the point (1, 0.5), u at 30°; polar coordinates, r = 0.2
    {"page": "ca", "tier": "default", "name": "Calculus · Gradient field · point x",
     "params": {"ca_tab": "Gradient field"}, "key": "ca_x", "values": _XS},
    {"page": "ca", "tier": "default", "name": "Calculus · Gradient field · direction u",
     "params": {"ca_tab": "Gradient field"}, "key": "ca_angle", "values": _spread(0, 355, 12, skip=30)},
    {"page": "ca", "tier": "default", "name": "Calculus · Gradient field · typed f",
     "params": {"ca_tab": "Gradient field"}, "widget": "text_input", "key": "ca_f",
     "values": ["x^2 + y^2", "x*y", "sin(x) + cos(y)", "exp(-x^2-y^2)", "x^3 - 3*x*y^2", "tanh(x)*y",
                "log(1 + x^2 + y^2)", "relu(x - y)", "sqrt(1 + x^2)*y", "x^4 + y^4 - x*y"]},
    {"page": "ca", "tier": "default", "name": "Calculus · Taylor · point y",
     "params": {"ca_tab": "Taylor"}, "key": "ca_y", "values": _XS},
    {"page": "ca", "tier": "default", "name": "Calculus · Jacobian · point x",
     "params": {"ca_tab": "Jacobian"}, "key": "ca_x", "values": _XS},
    {"page": "ca", "tier": "default", "name": "Calculus · Backprop graph · step (redraw only)",
     "params": {"ca_tab": "Backprop graph"}, "key": "ca_step", "values": [1, 5, 2, 4, 3]},
    {"page": "ca", "tier": "default", "name": "Calculus · Backprop graph · point x",
     "params": {"ca_tab": "Backprop graph"}, "key": "ca_x", "values": _XS},
    {"page": "ca", "tier": "default", "name": "Calculus · Autograd vs differences · point x",
     "params": {"ca_tab": "Autograd vs differences"}, "key": "ca_x", "values": _XS},
    # the largest settings: f at the caps on a window of ±5; the 6-unit network; 256 inputs and outputs
    {"page": "ca", "tier": "largest", "name": "Calculus · Gradient field · f at the caps, ±5 · point x",
     "params": {"ca_tab": "Gradient field", "ca_f": CA_BIG_F, "ca_span": "5.0"}, "key": "ca_x",
     "values": [-4.5, 4.0, -3.0, 1.0, -0.5, 3.5, -4.0, 4.5]},
    {"page": "ca", "tier": "largest", "name": "Calculus · Taylor · f at the caps · point y",
     "params": {"ca_tab": "Taylor", "ca_f": CA_BIG_F}, "key": "ca_y", "values": _XS},
    {"page": "ca", "tier": "largest", "name": "Calculus · Backprop graph · 6-unit network · step",
     "params": {"ca_tab": "Backprop graph", "ca_graph": "a small network on one sample", "ca_hidden": "6"},
     "key": "ca_step", "values": [1, 60, 10, 50, 20, 40, 30]},  # its backward pass has 60 steps
    {"page": "ca", "tier": "largest", "name": "Calculus · Backprop graph · m = 256 outputs · n",
     "params": {"ca_tab": "Backprop graph", "ca_m": "256"}, "widget": "select_slider", "key": "ca_n",
     "values": [1, 256, 4, 16, 64]},
]

# ---- chapter 4, probability (prefix pr): SCENARIOS += [...] below this line
SCENARIOS += [
    # default settings: Gamma(2, 1) with 1,000 draws; Exponential(1) paths and means; wine alcohol; a coin
    {"page": "pr", "tier": "default", "name": "Probability · Distributions · α (shape)",
     "params": {"pr_tab": "Distributions"}, "key": "pr_gamma_concentration",
     "values": [0.5, 5.0, 1.0, 10.0, 3.0, 0.2, 8.0, 1.5, 15.0, 2.5]},
    {"page": "pr", "tier": "default", "name": "Probability · Law of large numbers · ε",
     "params": {"pr_tab": "Law of large numbers"}, "widget": "select_slider", "key": "pr_eps",
     "values": [0.05, 0.5, 0.2, 1.0, 0.1]},
    {"page": "pr", "tier": "default", "name": "Probability · Central limit theorem · n",
     "params": {"pr_tab": "Central limit theorem"}, "widget": "select_slider", "key": "pr_clt_n",
     "values": [1, 30, 2, 100, 10, 300]},
    {"page": "pr", "tier": "default", "name": "Probability · Maximum likelihood · model",
     "params": {"pr_tab": "Maximum likelihood"}, "widget": "radio", "key": "pr_model",
     "values": ["gamma", "normal", "gamma", "normal"]},
    {"page": "pr", "tier": "default", "name": "Probability · Bayesian updating · seen so far (redraw only)",
     "params": {"pr_tab": "Bayesian updating"}, "key": "pr_k", "values": _spread(0, 50, 12)},
    {"page": "pr", "tier": "default", "name": "Probability · Estimators · study",
     "params": {"pr_tab": "Estimators"}, "widget": "radio", "key": "pr_study",
     "values": ["uniform", "variance", "stein", "mean"]},
    # the largest settings: 100,000 draws; 1,000 paths × 5,000 draws; n = 1,000 means; 1,000 observations
    {"page": "pr", "tier": "largest", "name": "Probability · Distributions · 100,000 draws · α",
     "params": {"pr_tab": "Distributions", "pr_n": "100000"}, "key": "pr_gamma_concentration",
     "values": [0.5, 5.0, 1.0, 10.0, 3.0]},
    {"page": "pr", "tier": "largest", "name": "Probability · Law of large numbers · 1,000 × 5,000 · ε",
     "params": {"pr_tab": "Law of large numbers", "pr_paths": "1000", "pr_steps": "5000"},
     "widget": "select_slider", "key": "pr_eps", "values": [0.05, 0.5, 0.2, 1.0]},
    {"page": "pr", "tier": "largest", "name": "Probability · Central limit theorem · family",
     "params": {"pr_tab": "Central limit theorem", "pr_clt_n": "1000"}, "widget": "selectbox", "key": "pr_fam",
     "values": ["gamma", "normal", "cauchy", "beta"], "heavy": True, "cap_s": 60},
    {"page": "pr", "tier": "largest", "name": "Probability · Bayesian updating · 1,000 observations · seen",
     "params": {"pr_tab": "Bayesian updating", "pr_nobs": "1000"}, "key": "pr_k",
     "values": [0, 1000, 100, 900, 500]},
]

# ---- chapter 6, information theory (prefix it): SCENARIOS += [...] below this line
SCENARIOS += [
    # default settings: a loaded die; two dice; two bumps 4 apart; softmax regression on iris; ρ = 0.8; T = 1
    {"page": "it", "tier": "default", "name": "Information · Entropy and codes · distribution",
     "params": {}, "widget": "selectbox", "key": "it_src",
     "values": ["fair_die", "dyadic", "english_zen", "loaded_die", "english_reference"]},
    {"page": "it", "tier": "default", "name": "Information · Cross-entropy and KL · q's face 6",
     "params": {"it_tab": "Cross-entropy and KL"}, "key": "it_q6", "values": _spread(0.0, 10.0, 20)},
    {"page": "it", "tier": "default", "name": "Information · Forward vs reverse KL · weight (5 fits, 300 steps)",
     "params": {"it_tab": "Forward vs reverse KL"}, "key": "it_w", "values": _spread(0.0, 1.0, 20),
     "note": "Each move fits five Gaussians (forward, three reverse starts, α) by 300 Adam steps (a progress bar "
             "shows; cached by its settings, as the issue asks of the fits): judged against the 100 ms default "
             "budget, which a fit of this length cannot meet (200 steps missed the moments by 4e-4)."},
    {"page": "it", "tier": "default", "name": "Information · Likelihood · epochs (trains)",
     "params": {"it_tab": "Likelihood"}, "widget": "select_slider", "key": "it_epochs",
     "values": [10, 300, 30, 100], "heavy": True, "cap_s": 30,
     "note": "Each move trains softmax regression (a progress bar shows; cached by its settings): judged against "
             "the 100 ms default budget, which training cannot meet."},
    {"page": "it", "tier": "default", "name": "Information · Mutual information · ρ (21 plug-in and 21 k-NN estimates)",
     "params": {"it_tab": "Mutual information"}, "key": "it_rho", "values": _spread(-1.0, 1.0, 20),
     "note": "Each move draws 3 samples of 5,000 pairs and estimates the mutual information at 7 sizes by a "
             "histogram and by scikit-learn's k-NN estimator (a progress bar shows): 21 k-NN estimates cost about "
             "150 ms, over the 100 ms default budget."},
    {"page": "it", "tier": "default", "name": "Information · Calibration · T",
     "params": {"it_tab": "Calibration"}, "widget": "select_slider", "key": "it_T",
     "values": [0.05, 2.0, 0.5, 10.0, 1.0, 20.0, 0.1, 5.0, 0.2]},
    # the largest settings: the manual's 311,472 letters; the 2-D fits; digits for 300 epochs; the pixels by k-NN
    {"page": "it", "tier": "largest", "name": "Information · Entropy · English letters of the manual · units",
     "params": {"it_src": "English letters: Python's reference manual"}, "widget": "radio", "key": "it_unit",
     "values": ["nats", "bits"]},
    {"page": "it", "tier": "largest", "name": "Information · Forward vs reverse KL · in the plane · weight",
     "params": {"it_tab": "Forward vs reverse KL", "it_dim": "a mixture in the plane"}, "key": "it_w",
     "values": _spread(0.0, 1.0, 8),
     "heavy": True, "cap_s": 30},
    {"page": "it", "tier": "largest", "name": "Information · Likelihood · digits, 300 epochs · seed",
     "params": {"it_tab": "Likelihood", "it_data": "Digits", "it_epochs": "300"},
     "widget": "number_input", "key": "it_seed", "values": [1, 2, 3, 4], "heavy": True, "cap_s": 30},
    {"page": "it", "tier": "largest", "name": "Information · Temperature · 256 units, 1,000 epochs · T",
     "params": {"it_tab": "Calibration", "it_hidden": "256", "it_cepochs": "1000"},
     "widget": "select_slider", "key": "it_T", "values": [0.05, 2.0, 0.5, 10.0, 20.0], "heavy": True, "cap_s": 60},
]

# ---- chapter 11, dynamical systems (prefix ds)
SCENARIOS += [
    # default settings: two attractors at g = 1; 64 units at ρ = 1.5; a vanilla RNN of 64 units; the spiral to T = 5
    {"page": "ds", "tier": "default", "name": "Dynamics · Two-neuron map · gain",
     "params": {}, "key": "ds_gain", "values": [0.2, 2.4, 0.65, 1.8, 0.35, 2.9, 1.25, 0.9, 2.1, 1.55, 0.45, 2.65]},
    {"page": "ds", "tier": "default", "name": "Dynamics · Gradients through time · ρ",
     "params": {"ds_tab": "Gradients through time"}, "key": "ds_rho",
     "values": [0.5, 3.0, 0.8, 2.2, 1.1, 4.5, 0.3, 1.8, 0.9, 2.6, 1.3, 3.7]},
    {"page": "ds", "tier": "default", "name": "Dynamics · Trained RNN · projection",
     "params": {"ds_tab": "Trained RNN"}, "widget": "radio", "key": "ds_view", "values": ["13", "23", "12"],
     "note": "The flip-flop network trains once (about 4 s, a progress bar shows) when the tab first opens; the "
             "projection moves reuse it and its fixed points."},
    {"page": "ds", "tier": "default", "name": "Dynamics · Neural ODEs · Euler and RK4 steps k",
     "params": {"ds_tab": "Neural ODEs"}, "widget": "select_slider", "key": "ds_k",
     "values": [5, 200, 10, 100, 20]},
    # the largest settings: a new gain sweep each move; 128 units over 500 steps; a new Lyapunov sweep at 128
    # units; a GRU trained for 600 steps; the stiff Van der Pol field at the evaluation cap; a neural ODE trained
    {"page": "ds", "tier": "largest", "name": "Dynamics · Two-neuron map · w₁₂ (a new gain sweep each move)",
     "params": {}, "key": "ds_w12", "values": [-3.0, 2.5, -1.2, 4.1, 0.3, -4.6, 1.7, -0.4, 3.3, -2.2]},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Gradients · 128 units, T = 500 · ρ",
     "params": {"ds_tab": "Gradients through time", "ds_n": "128", "ds_T": "500"}, "key": "ds_rho",
     "values": [0.5, 3.0, 0.8, 2.2, 1.1, 4.5, 0.3, 1.8]},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Gradients · 128 units · seed (a new λ₁ sweep)",
     "params": {"ds_tab": "Gradients through time", "ds_n": "128"}, "widget": "number_input", "key": "ds_seed",
     "values": [1, 2, 3, 4, 5]},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Trained RNN · GRU, 600 steps · seed (trains)",
     "params": {"ds_tab": "Trained RNN", "ds_cell": "GRU", "ds_steps": "600"}, "widget": "number_input",
     "key": "ds_fseed", "values": [1, 2, 3], "heavy": True, "cap_s": 60,
     "note": "Each move trains a GRU of 64 units for 600 Adam steps and finds its fixed points (a progress bar "
             "shows; cached by its settings): judged against the 1 s budget, which training cannot meet."},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Neural ODEs · k up to 1,000 (Euler, RK4, a ResNet)",
     "params": {"ds_tab": "Neural ODEs", "ds_k": "1000"}, "widget": "select_slider", "key": "ds_k",
     "values": [500, 200, 1000]},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Neural ODEs · Van der Pol · μ (stiff: the cap)",
     "params": {"ds_tab": "Neural ODEs", "ds_field": "Van der Pol"}, "widget": "select_slider", "key": "ds_mu",
     "values": [1000.0, 2.0, 100.0, 0.5, 10.0]},
    {"page": "ds", "tier": "largest", "name": "Dynamics · Neural ODEs · learned field · training steps (trains)",
     "params": {"ds_tab": "Neural ODEs", "ds_field": "Learned (neural ODE)"}, "widget": "select_slider",
     "key": "ds_osteps", "values": [50, 400, 100], "heavy": True, "cap_s": 30,
     "note": "Each move fits a neural ODE to the spiral by backpropagating through RK4 (about 1 s for 200 steps, a "
             "progress bar shows; cached by its settings)."},
]

# ---- chapter 8, differential geometry (prefix dg)
GEO_LOSS = {"dg_tab": "Loss curvature"}
GEO_FISHER = {"dg_tab": "Fisher and natural gradient"}
SCENARIOS += [
    # default settings: the Swiss roll, 800 points, k = 10, Isomap; the unit sphere's triangle; iris, 16 units;
    # N(−1, 0.5²) and N(2, 1.5²)
    {"page": "dg", "tier": "default", "name": "Geometry · Manifolds · point B (a new shortest path)",
     "params": {}, "key": "dg_b", "values": _spread(0, 799, 20, skip=642)},
    {"page": "dg", "tier": "default", "name": "Geometry · Manifolds · neighbours k (Isomap again)",
     "params": {}, "key": "dg_k", "values": _spread(3, 40, 20, skip=10),
     "note": "Each new k rebuilds the graph and runs scikit-learn's Isomap on 800 points (a progress bar shows; "
             "cached by its settings). Isomap's all-pairs Dijkstra alone takes 80 ms at k = 10 and 140 ms at k = 30 "
             "on one core (scipy, measured), so this move cannot meet the 100 ms default budget: median about "
             "0.2 s on a quiet 2-core machine. Moving A or B, the row above, reuses the unrolling."},
    {"page": "dg", "tier": "default", "name": "Geometry · Surfaces · B's longitude (three geodesics)",
     "params": {"dg_tab": "Surfaces"}, "key": "dg_spb1", "values": _spread(-180, 180, 20, skip=70)},
    {"page": "dg", "tier": "default", "name": "Geometry · Loss curvature · slice half-width",
     "params": {**GEO_LOSS, "dg_show": "Slices"}, "widget": "select_slider", "key": "dg_span",
     "values": [0.1, 3.0, 0.3, 1.0],
     "note": "Four half-widths: each slices the trained network's loss at 2 × 25 + 2 × 25² points once, then is "
             "cached (the training is shared by every view of the network)."},
    {"page": "dg", "tier": "default", "name": "Geometry · Fisher · σ₁ (distance, geodesic, KL)",
     "params": GEO_FISHER, "key": "dg_s1", "values": [v / 100 for v in _spread(1, 300, 20, skip=50)]},
    # the largest settings: 1,000 points; t-SNE; 96 steps a side on the torus; the exact Hessian of 1,027
    # parameters; 300 steps at the edge of stability; 400 steps of the Gaussian fits on 2,000 draws
    {"page": "dg", "tier": "largest", "name": "Geometry · Manifolds · 1,000 points · neighbours k",
     "params": {"dg_n": "1000"}, "key": "dg_k", "values": _spread(3, 60, 12, skip=10), "cap_s": 30},
    {"page": "dg", "tier": "largest", "name": "Geometry · Manifolds · t-SNE, 400 points · neighbours k",
     "params": {"dg_method": "t-SNE"}, "key": "dg_k", "values": _spread(3, 40, 8, skip=10), "heavy": True,
     "cap_s": 30,
     "note": "Each new k runs t-SNE (500 iterations on 400 points, one thread): about a second on two shared cores; "
             "a progress bar shows."},
    {"page": "dg", "tier": "largest", "name": "Geometry · Surfaces · torus, 96 steps a side · B's u",
     "params": {"dg_tab": "Surfaces", "dg_surf": "Torus", "dg_seg": "96"}, "key": "dg_tob0",
     "values": _spread(-180, 180, 20, skip=60)},
    {"page": "dg", "tier": "largest", "name": "Geometry · Loss curvature · iris, 128 units (exact Hessian) · seed",
     "params": {**GEO_LOSS, "dg_width": "128"}, "widget": "number_input", "key": "dg_nseed", "values": [1, 2, 3, 4],
     "heavy": True, "cap_s": 30,
     "note": "Each seed trains the network (200 Adam steps), forms its exact 1,027 × 1,027 Hessian (1,027 "
             "Hessian-vector products) and runs both Lanczos methods: training-type work, with a progress bar."},
    {"page": "dg", "tier": "largest", "name": "Geometry · Loss curvature · edge of stability, 300 steps · η",
     "params": {**GEO_LOSS, "dg_show": "Edge of stability"}, "widget": "select_slider", "key": "dg_lr",
     "values": [0.2, 1.0, 0.1, 2.0, 0.05], "heavy": True, "cap_s": 30,
     "note": "Each η runs 300 steps of full-batch gradient descent with 8 Hessian-vector products every 2nd step "
             "(a progress bar shows); η ≥ 1 diverges within a few steps and returns at once."},
    {"page": "dg", "tier": "largest", "name": "Geometry · Fisher · fits, 400 steps, 2,000 draws · η",
     "params": {**GEO_FISHER, "dg_fshow": "Fitting N(μ, σ²)", "dg_fsteps": "400", "dg_fn": "2000"},
     "widget": "select_slider", "key": "dg_flr", "values": [0.01, 0.5, 0.02, 1.0, 0.1, 1.5, 0.2]},
]
