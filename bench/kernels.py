"""Section ``core``: the dashboard's torch computations vs the reference library on the same work.

Ratio = torch time / reference time (<= 1.0 is the budget). The reference always runs on the CPU
(numpy / scikit-learn, LAPACK through OpenBLAS); torch runs on the CPU in float64 and on CUDA, when
present, in float32 (``core.linalg.compute_dtype``). Times are medians of N runs after one warm-up
run; each side runs as one block after a short pause, so that one library's idle spinning worker
threads do not bill the other. The last column checks that both sides computed the same thing.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench import BUDGETS
from bench.report import secs, table, verdict

SETTLE_S = 0.3


def _timed(fn: Callable[[], Any], n: int, sync: Callable[[], None]) -> tuple[list[float], Any]:
    out = fn()  # warm-up (first-call costs, allocator, lazy imports)
    sync()
    times = []
    for _ in range(n):
        sync()
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return times, out


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = float(np.abs(b).max()) or 1.0
    return float(np.abs(a - b).max() / scale)


def cases() -> list[dict[str, Any]]:
    """Each case: name, work, and for a device: torch() / ref() thunks and agree(torch_out, ref_out)."""
    import torch
    from sklearn.decomposition import PCA
    from sklearn.utils.extmath import randomized_svd

    from core import data, linalg

    digits = data.load_dataset("digits").X
    wide = np.random.default_rng(0).standard_normal((20000, 500))
    photo = data.load_photo("china")

    def pca_case(name: str, X: np.ndarray) -> dict[str, Any]:
        k = min(X.shape)

        def ref() -> Any:
            model = PCA(svd_solver="full")
            model.fit_transform(X)
            return model

        def agree(res: Any, model: Any, tol: float) -> tuple[bool, str]:
            err = _rel(res.explained_variance, model.explained_variance_)
            return err <= tol, f"explained variance max rel. diff {err:.1e} (tol {tol:.0e})"

        return {"name": name, "work": f"PCA, all {k} components + scores, of {X.shape[0]}×{X.shape[1]}",
                "reference": "sklearn PCA(svd_solver='full').fit_transform",
                "torch": lambda dev: (lambda: linalg.pca(X, k=k, device=dev)), "ref": ref, "agree": agree}

    def svd_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = _rel(res.S, ref_out[1])
        return err <= tol, f"singular values max rel. diff {err:.1e} (tol {tol:.0e})"

    def lowrank_case(k: int, p: int, q: int, label: str) -> dict[str, Any]:
        A = linalg.race_matrix(2000, 1500, seed=0).numpy()  # float32, as the page races it
        s_exact = np.linalg.svd(A.astype(np.float64), compute_uv=False)
        norm = math.sqrt(float(np.sum(s_exact**2)))
        optimum = math.sqrt(float(np.sum(s_exact[k:] ** 2))) / norm

        def torch_thunk(dev: Any) -> Callable[[], Any]:
            At = torch.from_numpy(A).to(device=dev)

            def run() -> Any:
                torch.manual_seed(0)
                return torch.svd_lowrank(At, q=k + p, niter=q)

            return run

        def ref() -> Any:
            return randomized_svd(A, n_components=k, n_oversamples=p, n_iter=q, power_iteration_normalizer="QR",
                                  random_state=0)

        def agree(t_out: Any, r_out: Any, tol: float) -> tuple[bool, str]:
            U, S, V = (x.double().cpu().numpy() for x in t_out)
            err_t = np.linalg.norm(A - (U[:, :k] * S[:k]) @ V[:, :k].T) / norm  # float64 residuals
            Ur, Sr, Vr = r_out
            err_r = np.linalg.norm(A - (Ur * Sr) @ Vr) / norm
            close = abs(err_t - err_r) <= 0.01 * optimum + tol
            return close, (f"rank-{k} error / Eckart–Young optimum: torch {err_t / optimum:.4f}, "
                           f"ref {err_r / optimum:.4f}")

        return {"name": f"randomized SVD, {label}", "work": f"rank {k}, oversampling {p}, {q} power iterations, "
                                                              "2000×1500 core.linalg.race_matrix, float32",
                "reference": "sklearn randomized_svd (QR normalizer)", "torch": torch_thunk, "ref": ref,
                "agree": agree, "dtype": "float32"}

    out = [
        pca_case("PCA · digits", digits),
        pca_case("PCA · random 20000×500", wide),
        {"name": "SVD · china photo", "work": f"thin SVD of the {photo.shape[0]}×{photo.shape[1]} photo",
         "reference": "numpy.linalg.svd(full_matrices=False)",
         "torch": lambda dev: (lambda: linalg.svd(photo, device=dev)),
         "ref": lambda: np.linalg.svd(photo, full_matrices=False), "agree": svd_agree},
        lowrank_case(20, 10, 2, "page default"),
        lowrank_case(100, 30, 4, "page largest"),
        *graph_cases(),
        *topology_cases(),
        *harmonic_cases(),
        *quantum_cases(),
        *clustering_cases(),
        *geometry_cases(),
    ]
    return out


def clustering_cases() -> list[dict[str, Any]]:
    """Chapter 1: pairwise distances and cosines (torch) vs scikit-learn's, and k-means (torch, one run and 50
    batched restarts) vs scikit-learn's KMeans from the same initial centroids (n_init=1, Lloyd, tol=0)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances

    from core import clustering as cl
    from core.data import load_dataset

    digits = load_dataset("digits").X
    moons = cl.shape("moons", 5000, 0).X
    starts = np.stack([cl.initial_centroids(digits, 10, "k-means++", s) for s in range(50)])
    # The restarts run on continuous data: on the digits' whole-number pixels a point is often exactly as far from
    # two centroids (from the first step, whose centroids are data points), and scikit-learn's ‖x‖² − 2x·c + ‖c‖²
    # rounding breaks such ties its own way (5 of these 50 digits runs then end elsewhere; ours equal our exact
    # single runs).
    cancer = cl.prepare(load_dataset("breast_cancer").X, standardize=True).X
    cstarts = np.stack([cl.initial_centroids(cancer, 8, "k-means++", s) for s in range(50)])

    def pw_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = max(_rel(res.euclidean, ref_out[0]), _rel(res.cosine, ref_out[1]))
        return err <= max(tol, 1e-9), f"max rel. diff {err:.1e}"

    def km_ref() -> Any:
        return KMeans(10, init=starts[0], n_init=1, tol=0, algorithm="lloyd").fit(digits)

    def km_agree(res: Any, ref: Any, tol: float) -> tuple[bool, str]:
        same = float(np.mean(res.final_labels == ref.labels_))
        return same == 1.0 and abs(res.inertia / ref.inertia_ - 1) <= max(tol, 1e-9), \
            f"labels equal {same:.1%}; inertia {res.inertia:.6g} vs {ref.inertia_:.6g}"

    def restarts_ref() -> Any:
        return np.array([KMeans(8, init=s, n_init=1, tol=0, algorithm="lloyd").fit(cancer).inertia_ for s in cstarts])

    def restarts_agree(res: Any, ref: Any, tol: float) -> tuple[bool, str]:
        err = _rel(res[1], ref)
        return err <= max(tol, 1e-9), f"50 inertias, max rel. diff {err:.1e}"

    return [
        {"name": "pairwise distances + cosines · digits", "work": "1797×1797 Euclidean and cosine matrices of 64 "
         "columns", "reference": "sklearn euclidean_distances + cosine_similarity",
         "torch": lambda dev: (lambda: cl.pairwise(digits, device=dev)),
         "ref": lambda: (euclidean_distances(digits), cosine_similarity(digits)), "agree": pw_agree},
        {"name": "pairwise distances + cosines · 300 of 5000 moons", "work": "the page's largest heatmaps, 300×300",
         "reference": "sklearn euclidean_distances + cosine_similarity",
         "torch": lambda dev: (lambda: cl.pairwise(moons, 300, 0, device=dev)),
         "ref": lambda: (euclidean_distances(moons[cl.subsample(5000, 300, 0)]),
                         cosine_similarity(moons[cl.subsample(5000, 300, 0)])), "agree": pw_agree},
        {"name": "k-means · digits, k = 10", "work": "one Lloyd run from k-means++ centroids, every step recorded",
         "reference": "sklearn KMeans(init=same centroids, n_init=1, tol=0, lloyd)",
         "torch": lambda dev: (lambda: cl.kmeans(digits, 10, centroids=starts[0], device=dev)),
         "ref": km_ref, "agree": km_agree},
        {"name": "k-means · breast cancer, 50 restarts", "work": "50 Lloyd runs of k = 8 on the standardized "
         "569×30 table, batched (one distance computation per step for all runs)",
         "reference": "50 × sklearn KMeans(init=same centroids, n_init=1, tol=0, lloyd)",
         "torch": lambda dev: (lambda: cl.lloyd_batch(cancer, cstarts, device=dev)),
         "ref": restarts_ref, "agree": restarts_agree},
    ]


def graph_cases() -> list[dict[str, Any]]:
    """Chapter 7: the dense Laplacian spectrum (torch vs numpy) and the sparse lowest eigenpairs
    (core.graphs' scipy path vs networkx's own algebraic-connectivity solver)."""
    import networkx as nx

    from core import graphs

    sbm = graphs.make_graph("sbm", 1000, blocks=4, p_in=0.05, p_out=0.005, seed=0)
    L = graphs.matrix(sbm, "laplacian").numpy()

    def eig_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = _rel(res.values, ref_out[0])
        return err <= 1e-8, f"eigenvalues max rel. diff {err:.1e} (tol 1e-08)"

    big = graphs.make_graph("geometric", 10000, p=0.03, seed=0)
    G = nx.Graph()
    G.add_nodes_from(range(big.n))
    G.add_edges_from(map(tuple, big.edges.tolist()))
    giant = G.subgraph(max(nx.connected_components(G), key=len)).copy()
    sub = graphs.Graph("giant", giant.number_of_nodes(), np.array([sorted(e) for e in
                                                                    nx.convert_node_labels_to_integers(giant).edges()]),
                       np.ones(giant.number_of_edges()), tuple(map(str, range(giant.number_of_nodes()))))

    def fiedler_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = abs(res.values[1] - ref_out) / ref_out
        return err <= 1e-6, f"λ₂ rel. diff {err:.1e} (tol 1e-06)"

    return [
        {"name": "Laplacian spectrum · SBM 1000", "work": "all eigenpairs of the 1000×1000 Laplacian",
         "reference": "numpy.linalg.eigh (values and vectors, as the page needs)",
         "torch": lambda dev: (lambda: graphs.spectrum(sbm, "laplacian", device=dev)),
         "ref": lambda: np.linalg.eigh(L), "agree": eig_agree},
        {"name": "λ₂ · geometric, 10k nodes", "work": f"lowest eigenpairs of a {sub.n:,}-node sparse Laplacian "
                                                        "(scipy eigsh, shift-invert; no torch: CPU sparse)",
         "reference": "networkx.algebraic_connectivity (tracemin_lu)",
         "torch": lambda dev: (lambda: graphs.spectrum(sub, "laplacian", k=4, device=dev)),
         "ref": lambda: nx.algebraic_connectivity(giant, method="tracemin_lu", seed=0), "agree": fiedler_agree},
    ]


def devices() -> list[Any]:
    import torch

    devs = [torch.device("cpu")]
    if torch.cuda.is_available():
        devs.append(torch.device("cuda", 0))
    return devs


def run(quick: bool = False, log=print) -> dict[str, Any]:
    import torch

    from core.device import synchronize

    n = 3 if quick else 7
    results, ref_cache = [], {}
    for case in cases():
        for dev in devices():
            label = f"{dev.type}:{dev.index}" if dev.index is not None else dev.type
            log(f"[core] {case['name']} on {label} ...")
            row: dict[str, Any] = {"name": case["name"], "work": case["work"], "reference": case["reference"],
                                   "device": label, "n": n,
                                   "dtype": case.get("dtype") or str(_dtype(dev)).replace("torch.", "")}
            try:
                time.sleep(SETTLE_S)
                t_times, t_out = _timed(case["torch"](dev), n, lambda dev=dev: synchronize(dev))
                if case["name"] not in ref_cache:  # the reference is the same CPU work for every device
                    time.sleep(SETTLE_S)
                    ref_cache[case["name"]] = _timed(case["ref"], n, lambda: None)
                r_times, r_out = ref_cache[case["name"]]
                tol = 1e-8 if dev.type == "cpu" else 1e-4
                agreed, how = case["agree"](t_out, r_out, tol)
                row.update(torch_s=statistics.median(t_times), ref_s=statistics.median(r_times),
                           torch_times_s=t_times, ref_times_s=r_times, agree=agreed, agreement=how)
                row["ratio"] = row["torch_s"] / row["ref_s"]
                row["ok"] = row["ratio"] <= BUDGETS["core_ratio"]
            except torch.OutOfMemoryError as exc:
                row["error"] = f"out of memory: {exc}"[:200]
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"[:300]
            results.append(row)
    info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    return {"n": n, "info": info, "results": results}


def _dtype(dev: Any) -> Any:
    from core.linalg import compute_dtype

    return compute_dtype(dev)


def render(data: dict[str, Any]) -> str:
    rows, notes = [], []
    for r in data["results"]:
        if "error" in r:
            rows.append([r["name"], r["device"], r["dtype"], "—", "—", "—", f"ERROR: {r['error']}", "ERROR"])
            continue
        rows.append([r["name"], r["device"], r["dtype"], secs(r["torch_s"]), secs(r["ref_s"]), f"{r['ratio']:.2f}",
                     ("yes: " if r["agree"] else "NO: ") + r["agreement"],
                     verdict(r["ok"], f"ratio ≤ {BUDGETS['core_ratio']:.1f}")])
    seen = set()
    for r in data["results"]:
        if r["name"] not in seen:
            seen.add(r["name"])
            notes.append(f"{r['name']}: {r['work']}; reference {r['reference']}")
    info = data["info"]
    notes.append(f"median of {data['n']} runs after a warm-up; torch {info['torch']} with {info['torch_threads']} "
                 f"threads; reference on the CPU (float64) for every device"
                 + (f"; GPU: {info['cuda']} (its PCA/SVD rows include the host↔device copies the page pays; the "
                    "randomized rows start from a matrix already on the GPU, as svd_race does)"
                    if info["cuda"] else "; no CUDA device here, so CPU rows only"))
    return table("Core compute vs the reference library (ratio = torch / reference)",
                 ["computation", "device", "dtype", "torch", "reference", "ratio", "agrees with the reference",
                  "budget"], rows, notes, right=(3, 4, 5))


def topology_cases() -> list[dict[str, Any]]:
    """Chapter 9: Vietoris–Rips persistence (H0, H1) as the page computes it (distances in torch, ripser on the
    matrix) vs gudhi's Rips complex on the same cloud, thresholded at the largest death ripser found (unthresholded,
    gudhi built 10.7 M simplices for 400 points and took 8.7 s)."""
    from core import topology

    def case(kind: str, n: int, noise: float) -> dict[str, Any]:
        cloud = topology.make_cloud(kind, n, noise, 0)
        ref_dgms = topology.persistence_of(cloud, 1).dgms
        threshold = max(float(d[np.isfinite(d[:, 1]), 1].max()) for d in ref_dgms) * (1 + 1e-6)  # ripser: float32

        def ref() -> Any:
            import gudhi

            st = gudhi.RipsComplex(points=cloud.X, max_edge_length=threshold).create_simplex_tree(max_dimension=2)
            st.compute_persistence()
            return [st.persistence_intervals_in_dimension(k) for k in (0, 1)], st.num_simplices()

        def agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
            worst = max(topology.bottleneck(res.dgms[k], ref_out[0][k]) for k in (0, 1))
            return worst <= 1e-5, f"bottleneck(H0, H1) ≤ {worst:.1e} (tol 1e-05; ripser works in float32)"

        return {"name": f"Rips persistence · {topology.CLOUDS[kind].lower()} {n}",
                "work": f"H0 and H1 of {n} points ({topology.CLOUDS[kind].lower()}, noise {noise:g}): core.topology"
                        ".persistence_of (torch cdist on the device + ripser on the matrix)",
                "reference": f"gudhi RipsComplex(max_edge_length = largest death {threshold:.3f}), max_dimension=2, "
                             "compute_persistence",
                "torch": lambda dev: (lambda: topology.persistence_of(cloud, 1, device=dev)), "ref": ref,
                "agree": agree}

    return [case("uniform", 400, 0.0), case("circle", 150, 0.1)]


def harmonic_cases() -> list[dict[str, Any]]:
    """Chapter 10: the DWT written as torch convolutions (core.harmonic) vs PyWavelets' C code on the same work:
    a 2^16-sample multilevel decomposition and reconstruction, universal-threshold denoising, and the 2-D DWT of a
    512×512 image (which the page runs in float32)."""
    import pywt
    import torch

    from core import harmonic as hm

    sig = hm.make_signal("doppler", 2**16, noise=0.2, seed=0)
    x = np.array(sig.noisy)

    def dec_ref() -> Any:
        coeffs = pywt.wavedec(x, "db4", mode="symmetric", level=10)
        return coeffs, pywt.waverec(coeffs, "db4", mode="symmetric")

    def dec_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = max(_rel(a, b) for a, b in zip(res.coeffs, ref_out[0], strict=True))
        return err <= max(tol, 1e-12), f"coefficients max rel. diff {err:.1e}; reconstruction error {res.max_error:.1e}"

    def den_ref() -> Any:
        coeffs = pywt.wavedec(x, "sym8", mode="periodization", level=8)
        lam = np.median(np.abs(coeffs[-1])) / 0.6745 * np.sqrt(2 * np.log(len(x)))
        return pywt.waverec([coeffs[0]] + [pywt.threshold(c, lam, "hard") for c in coeffs[1:]], "sym8",
                            mode="periodization")

    def den_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = _rel(res.y, ref_out)
        return err <= max(tol, 1e-12), f"denoised signal max rel. diff {err:.1e}"

    img = hm.load_image("camera")
    img32 = img.astype(np.float32)

    def img_torch(dev: Any) -> Any:
        def run() -> Any:
            xt = torch.from_numpy(img32).to(dev)
            coeffs = hm.wavedec2_t(xt, "db4", "periodization", 5)
            rec = hm.waverec2_t(coeffs, "db4", "periodization")
            return coeffs[0].cpu().numpy(), rec.cpu().numpy()

        return run

    def img_ref() -> Any:
        coeffs = pywt.wavedec2(img32, "db4", mode="periodization", level=5)
        return coeffs[0], pywt.waverec2(coeffs, "db4", mode="periodization")

    def img_agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
        err = max(_rel(res[0], ref_out[0]), _rel(res[1], ref_out[1]))
        return err <= 1e-5, f"approximation and reconstruction max rel. diff {err:.1e} (tol 1e-05, float32)"

    return [
        {"name": "DWT + inverse · 2^16 samples", "work": "db4, symmetric mode, 10 levels: wavedec then waverec of "
                                                         "65,536 samples (core.harmonic.decompose: conv1d per level)",
         "reference": "pywt.wavedec + pywt.waverec",
         "torch": lambda dev: (lambda: hm.decompose(x, "db4", "symmetric", 10, device=dev)), "ref": dec_ref,
         "agree": dec_agree},
        {"name": "Wavelet denoising · 2^16 samples", "work": "sym8, periodization, 8 levels, hard universal "
                                                             "threshold (core.harmonic.denoise)",
         "reference": "pywt.wavedec, pywt.threshold, pywt.waverec",
         "torch": lambda dev: (lambda: hm.denoise(x, sig.clean, "sym8", "periodization", 8, "hard", 1.0, device=dev)),
         "ref": den_ref, "agree": den_agree},
        {"name": "2-D DWT + inverse · 512×512", "work": "db4, periodization, 5 levels of the cameraman: one conv2d "
                                                        "with four filters per level, conv_transpose2d back",
         "reference": "pywt.wavedec2 + pywt.waverec2 (float32 input)", "torch": img_torch, "ref": img_ref,
         "agree": img_agree, "dtype": "float32"},
    ]


def quantum_cases() -> list[dict[str, Any]]:
    """Chapter 12: the same circuit (the classifier's: angle encoding, strongly entangling layers, ⟨Z₀⟩)
    differentiated on PennyLane's default.qubit (torch tensors, on the GPU when there is one) by backprop,
    adjoint and parameter shift, against lightning.qubit's C++ adjoint method on the CPU; a training step on 150
    broadcast points (default.qubit backprop vs lightning adjoint, which runs the points one circuit at a time);
    and the page's plain-torch single qubit against default.qubit's state. Ratio < 1: default.qubit (or the
    page's torch) was faster."""
    import pennylane as qml
    import torch

    from core import quantum

    def circuit_case(label: str, diff: str, qubits: int, layers: int) -> dict[str, Any]:
        circuit = quantum.circuit_fn(qml, qubits, layers, "angle", "strong")
        w0 = quantum.gradient_weights(qubits, layers, 0)
        x = torch.tensor(quantum.GRAD_X, dtype=torch.float64)
        ref_node = qml.QNode(circuit, qml.device("lightning.qubit", wires=qubits), interface="torch",
                             diff_method="adjoint")

        def grad_of(node: Any, dev: Any) -> Callable[[], Any]:
            def run() -> Any:
                w = torch.tensor(w0, dtype=torch.float64, device=dev, requires_grad=True)
                node(x.to(dev), w).backward()
                return w.grad

            return run

        def torch_thunk(dev: Any) -> Callable[[], Any]:
            node = qml.QNode(quantum.circuit_fn(qml, qubits, layers, "angle", "strong", dev),
                             qml.device("default.qubit", wires=qubits), interface="torch", diff_method=diff)
            return grad_of(node, dev)

        def agree(t_out: Any, r_out: Any, tol: float) -> tuple[bool, str]:
            err = float((t_out.cpu() - r_out).abs().max())
            return err <= 1e-6, f"gradient max abs diff {err:.1e} (tol 1e-06)"

        return {"name": f"gradient · default.qubit {label} · {qubits} qubits × {layers} layers",
                "work": f"∂⟨Z₀⟩/∂w, {w0.size} parameters, one input", "dtype": "float64",
                "reference": "PennyLane lightning.qubit, adjoint (C++)", "torch": torch_thunk,
                "ref": grad_of(ref_node, torch.device("cpu")), "agree": agree}

    def training_step_case(qubits: int, layers: int, points: int) -> dict[str, Any]:
        circuit = quantum.circuit_fn(qml, qubits, layers, "angle", "strong")
        split = quantum.classifier_data("moons", points, 0)
        X = torch.tensor(split.X_train, dtype=torch.float64)
        y = torch.tensor(split.y_train, dtype=torch.float64)
        w0 = quantum.gradient_weights(qubits, layers, 0)

        def step(node: Any, dev: Any) -> Callable[[], Any]:
            def run() -> Any:
                w = torch.tensor(w0, dtype=torch.float64, device=dev, requires_grad=True)
                out = node(X.to(dev), w)
                out = torch.stack(list(out)) if isinstance(out, (list, tuple)) else out
                ((out - (2 * y.to(dev) - 1)) ** 2).mean().backward()
                return w.grad

            return run

        ref_node = qml.QNode(circuit, qml.device("lightning.qubit", wires=qubits), interface="torch",
                             diff_method="adjoint")

        def agree(t_out: Any, r_out: Any, tol: float) -> tuple[bool, str]:
            err = float((t_out.cpu() - r_out).abs().max())
            return err <= 1e-6, f"gradient max abs diff {err:.1e} (tol 1e-06)"

        return {"name": f"training step · {len(X)} points broadcast · {qubits} qubits × {layers} layers",
                "work": "forward + gradient of a square loss over the training set (one Adam step's work)",
                "dtype": "float64", "reference": "lightning.qubit adjoint (one circuit per point)",
                "torch": lambda dev: step(qml.QNode(quantum.circuit_fn(qml, qubits, layers, "angle", "strong", dev),
                                                    qml.device("default.qubit", wires=qubits),
                                                    interface="torch", diff_method="backprop"), dev),
                "ref": step(ref_node, torch.device("cpu")), "agree": agree}

    one = qml.QNode(lambda a, b, c: (qml.RX(a, wires=0), qml.RY(b, wires=0), qml.RZ(c, wires=0), qml.state())[-1],
                    qml.device("default.qubit", wires=1))

    def one_agree(t_out: Any, r_out: Any, tol: float) -> tuple[bool, str]:
        err = float(np.abs(t_out.state - np.asarray(r_out)).max())
        return err <= 1e-12, f"state max abs diff {err:.1e} (tol 1e-12)"

    return [
        {"name": "one qubit · page's torch 2×2 vs default.qubit", "work": "RZ RY RX |0⟩, Bloch vector, 100 shots, "
         "the drawn arcs (the page's One qubit view)", "reference": "PennyLane default.qubit state",
         "dtype": "complex128", "torch": lambda dev: (lambda: quantum.one_qubit(0.5, 1.0, 0.8, 100, 0, device=dev)),
         "ref": lambda: one(0.5, 1.0, 0.8), "agree": one_agree},
        circuit_case("backprop", "backprop", 4, 3),
        circuit_case("adjoint", "adjoint", 4, 3),
        circuit_case("parameter-shift", "parameter-shift", 4, 3),
        circuit_case("backprop", "backprop", 8, 5),
        circuit_case("parameter-shift", "parameter-shift", 6, 3),
        training_step_case(4, 3, 200),
        training_step_case(8, 3, 200),
    ]


def geometry_cases() -> list[dict[str, Any]]:
    """Chapter 8: the top five Hessian eigenvalues of a trained network (iris, one tanh layer) by Lanczos on
    Hessian-vector products (core.geometry.hessian, torch) against the dense route: the exact Hessian formed
    column by column and numpy's symmetric eigensolver. At the page's default width (131 parameters) and at the
    widest the page still forms exactly (128 units, 1,027 parameters)."""
    from core.geometry import hessian as hs

    def case(units: int) -> dict[str, Any]:
        prob, theta = hs.trained("iris", (units,))  # trained once (cached); θ* on the CPU in float64

        def ref() -> Any:
            return np.linalg.eigvalsh(hs.dense_hessian(prob, theta).numpy())[::-1][:5]

        def agree(res: Any, ref_out: Any, tol: float) -> tuple[bool, str]:
            err = _rel(res.eigenvalues, ref_out)
            return err <= tol, f"top 5 eigenvalues max rel. diff {err:.1e} (tol {tol:.0e})"

        return {"name": f"Hessian top 5 · iris, {units} units",
                "work": f"the 5 largest eigenvalues of the {prob.n_params:,} × {prob.n_params:,} Hessian at θ*: "
                        "Lanczos with full reorthogonalisation on Hessian-vector products (torch, double backward; "
                        "stops at residuals below 1e-10 of λ₁)",
                "reference": f"the exact Hessian ({prob.n_params:,} columns by torch.func on the CPU) + "
                             "numpy.linalg.eigvalsh",
                "torch": lambda dev: (lambda: hs.top_eigenvalues("iris", (units,), k=5, method="lanczos",
                                                                 iterations=400, device=dev)),
                "ref": ref, "agree": agree}

    return [case(16), case(128)]
