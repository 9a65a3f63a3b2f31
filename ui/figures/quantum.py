"""Charts of the Quantum Computing explorer: the Bloch sphere (an orthographic 3-D view with a
wireframe whose far side is dashed), measurement histograms, entanglement entropy, decision maps,
training curves, the parameter-shift sinusoid and the barren-plateau variances.

Charts redrawn on a slider move are :class:`ui.charts.Template`s (structure built once, data named)."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import Template
from ui.figures import legend

CLASS_COLOURS = ["#0072B2", "#D55E00"]
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999"]
AXIS_LABELS = [((0, 0, 1), "|0⟩"), ((0, 0, -1), "|1⟩"), ((1, 0, 0), "|+⟩"), ((-1, 0, 0), "|−⟩"),
               ((0, 1, 0), "|+i⟩"), ((0, -1, 0), "|−i⟩")]


# ------------------------------------------------------------------------------------- Bloch sphere


def camera(az_deg: float, el_deg: float) -> np.ndarray:
    """Rows: screen right, screen up, towards the viewer (orthographic view from azimuth/elevation)."""
    a, e = math.radians(az_deg), math.radians(el_deg)
    towards = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)])
    right = np.array([-math.sin(a), math.cos(a), 0.0])
    up = np.cross(towards, right)
    return np.stack([right, up, towards])


def project(points: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """(k, 3) Bloch vectors to (k, 3) screen u, v and depth (> 0: the near side)."""
    return np.asarray(points, dtype=float).reshape(-1, 3) @ cam.T


def _wireframe(cam: np.ndarray) -> pd.DataFrame:
    t = np.linspace(0, 2 * np.pi, 121)
    c, s, z = np.cos(t), np.sin(t), np.zeros_like(t)
    frames = []
    for name, pts in (("equator", np.stack([c, s, z], 1)), ("x–z meridian", np.stack([c, z, s], 1)),
                      ("y–z meridian", np.stack([z, c, s], 1))):
        uvd = project(pts, cam)
        front = uvd[:, 2] >= 0
        seg = np.cumsum(np.r_[0, front[1:] != front[:-1]])
        frames.append(pd.DataFrame({"u": uvd[:, 0], "v": uvd[:, 1], "order": np.arange(len(t)),
                                    "seg": [f"{name}{k}" for k in seg],
                                    "side": np.where(front, "near", "far")}))
        # repeat the boundary point so that near and far halves meet
    rim = pd.DataFrame({"u": c, "v": s, "order": np.arange(len(t)), "seg": "rim", "side": "near"})
    return pd.concat([*frames, rim], ignore_index=True)


def _axes(cam: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    ends = np.array([p for p, _ in AXIS_LABELS], dtype=float)
    uvd = project(ends, cam)
    axes = pd.DataFrame({"u": uvd[0::2, 0], "v": uvd[0::2, 1], "u2": uvd[1::2, 0], "v2": uvd[1::2, 1]})
    lab = project(ends * 1.17, cam)
    labels = pd.DataFrame({"u": lab[:, 0], "v": lab[:, 1], "text": [t for _, t in AXIS_LABELS],
                           "side": np.where(uvd[:, 2] >= -1e-9, "near", "far")})
    return axes, labels


def _build_bloch(title: str, size: int, groups: tuple[str, ...], palette: tuple[str, ...],
                 with_cloud: bool) -> alt.LayerChart:
    dom = alt.Scale(domain=[-1.32, 1.32], nice=False)
    u, v = alt.X("u:Q", scale=dom, axis=None), alt.Y("v:Q", scale=dom, axis=None)
    scale = alt.Scale(domain=list(groups), range=list(palette[: len(groups)]))
    colour = alt.Color("group:N", scale=scale, legend=legend(title=None, orient="bottom", columns=2,
                                                                 labelLimit=260, symbolType="circle"))
    quiet = alt.Color("group:N", scale=scale, legend=None)
    side_dash = alt.StrokeDash("side:N", scale=alt.Scale(domain=["near", "far"], range=[[1, 0], [3, 3]]), legend=None)
    layers = [
        alt.Chart(alt.NamedData(name="wire")).mark_line(color="#9a9a9a", strokeWidth=1.2).encode(
            x=u, y=v, order=alt.Order("order:Q"), detail=alt.Detail("seg:N"), strokeDash=side_dash,
            opacity=alt.Opacity("side:N", scale=alt.Scale(domain=["near", "far"], range=[0.9, 0.45]), legend=None)),
        alt.Chart(alt.NamedData(name="axes")).mark_rule(color="#bbbbbb", strokeWidth=1).encode(
            x=u, y=v, x2=alt.X2("u2:Q"), y2=alt.Y2("v2:Q")),
        alt.Chart(alt.NamedData(name="labels")).mark_text(fontSize=14, fontWeight=600).encode(
            x=u, y=v, text=alt.Text("text:N"),
            opacity=alt.Opacity("side:N", scale=alt.Scale(domain=["near", "far"], range=[1.0, 0.5]), legend=None)),
    ]
    if with_cloud:
        layers.append(alt.Chart(alt.NamedData(name="cloud")).mark_circle(size=22).encode(
            x=u, y=v, color=alt.Color("class:N", scale=alt.Scale(domain=["class 0", "class 1"],
                                                                  range=CLASS_COLOURS), legend=None),
            opacity=alt.Opacity("depth:Q", scale=alt.Scale(domain=[-1, 1], range=[0.15, 0.6]), legend=None)))
    layers += [
        alt.Chart(alt.NamedData(name="path")).mark_line(strokeWidth=3).encode(
            x=u, y=v, order=alt.Order("order:Q"), color=colour, detail=alt.Detail("group:N"), strokeDash=side_dash),
        alt.Chart(alt.NamedData(name="vectors")).mark_rule(strokeWidth=3.5).encode(
            x=alt.X("u0:Q", scale=dom, axis=None), y=alt.Y("v0:Q", scale=dom, axis=None), x2=alt.X2("u:Q"),
            y2=alt.Y2("v:Q"), color=quiet).transform_filter(alt.datum.marker == "state"),
        alt.Chart(alt.NamedData(name="vectors")).mark_point(size=170, filled=True, opacity=1, stroke="white",
                                                              strokeWidth=1.5).encode(
            x=u, y=v, color=quiet, shape=alt.Shape("marker:N", legend=None,
                                                    scale=alt.Scale(domain=["state", "step"],
                                                                    range=["circle", "diamond"])),
            tooltip=[alt.Tooltip("group:N", title="what"), alt.Tooltip("x:Q", format=".3f", title="⟨X⟩"),
                     alt.Tooltip("y:Q", format=".3f", title="⟨Y⟩"), alt.Tooltip("z:Q", format=".3f", title="⟨Z⟩")]),
    ]
    return alt.layer(*layers, title=title, width=size, height=size).resolve_scale(color="independent")


def bloch_sphere(title: str, az: float, el: float, vectors: list[tuple[str, np.ndarray, str]],
                 paths: list[tuple[str, np.ndarray]] = (), cloud: tuple[np.ndarray, np.ndarray] | None = None,
                 size: int = 330, palette: tuple[str, ...] = tuple(LINE_COLOURS)) -> tuple[Template, pd.DataFrame]:
    """The Bloch sphere seen from azimuth ``az`` and elevation ``el`` (degrees). ``vectors``:
    (name, xyz, "state" | "step") drawn as arrows from the centre (a mixed state's lies inside);
    ``paths``: (name, (k, 3)) curves on or in the sphere; ``cloud``: ((m, 3), classes 0/1) dots."""
    cam = camera(az, el)
    groups = tuple(dict.fromkeys([g for g, _ in paths] + [g for g, _, _ in vectors]))
    rows = []
    for name, xyz, marker in vectors:
        p = np.asarray(xyz, dtype=float)
        uvd = project(p, cam)[0]
        rows.append({"group": name, "u0": 0.0, "v0": 0.0, "u": uvd[0], "v": uvd[1], "x": p[0], "y": p[1], "z": p[2],
                     "marker": marker})
    vec = pd.DataFrame(rows, columns=["group", "u0", "v0", "u", "v", "x", "y", "z", "marker"])
    pframes = []
    for name, pts in paths:
        uvd = project(pts, cam)
        pframes.append(pd.DataFrame({"group": name, "u": uvd[:, 0], "v": uvd[:, 1], "order": np.arange(len(uvd)),
                                     "side": np.where(uvd[:, 2] >= 0, "near", "far")}))
    path = pd.concat(pframes, ignore_index=True) if pframes else pd.DataFrame(
        {"group": pd.Series(dtype=str), "u": [], "v": [], "order": [], "side": pd.Series(dtype=str)})
    axes, labels = _axes(cam)
    data = {"wire": _wireframe(cam), "axes": axes, "labels": labels, "path": path, "vectors": vec}
    if cloud is not None:
        uvd = project(cloud[0], cam)
        data["cloud"] = pd.DataFrame({"u": uvd[:, 0], "v": uvd[:, 1], "depth": uvd[:, 2],
                                      "class": np.where(np.asarray(cloud[1]) > 0, "class 1", "class 0")})
    return Template(_build_bloch, (title, size, groups, tuple(palette), cloud is not None), data), vec


# ------------------------------------------------------------------------------------ measurement


def _build_bars(title: str, outcomes: tuple[str, ...], subtitle: str) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="bars")).mark_bar().encode(
        x=alt.X("outcome:N", sort=list(outcomes), title="outcome", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("source:N", sort=["exact", "sampled"]),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title="probability"),
        color=alt.Color("source:N", scale=alt.Scale(domain=["exact", "sampled"], range=["#0072B2", "#E69F00"]),
                        legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("outcome:N"), alt.Tooltip("source:N"), alt.Tooltip("probability:Q", format=".4f")],
    ).properties(title=alt.Title(title, subtitle=subtitle) if subtitle else title, height=260)


def probability_bars(outcomes: tuple[str, ...], exact: np.ndarray, counts: np.ndarray,
                     title: str, subtitle: str = "") -> tuple[Template, pd.DataFrame]:
    shots = max(int(counts.sum()), 1)
    df = pd.DataFrame({"outcome": list(outcomes) * 2, "source": ["exact"] * len(outcomes) + ["sampled"] * len(outcomes),
                       "probability": np.r_[exact, counts / shots]})
    return Template(_build_bars, (title, tuple(outcomes), subtitle), {"bars": df}), df


def _build_running(title: str) -> alt.LayerChart:
    x = alt.X("shots:Q", scale=alt.Scale(type="log"), title="shots so far (log)")
    band = alt.Chart(alt.NamedData(name="run")).mark_area(opacity=0.18, color="#0072B2").encode(
        x=x, y=alt.Y("lo:Q", title="estimate of P(1)", scale=alt.Scale(domain=[0, 1])), y2=alt.Y2("hi:Q"))
    exact = alt.Chart(alt.NamedData(name="run")).mark_line(color="#0072B2", strokeDash=[6, 4]).encode(
        x=x, y=alt.Y("exact:Q"))
    est = alt.Chart(alt.NamedData(name="run")).mark_line(color="#E69F00").encode(
        x=x, y=alt.Y("estimate:Q"), tooltip=[alt.Tooltip("shots:Q"), alt.Tooltip("estimate:Q", format=".4f")])
    return alt.layer(band, exact, est).properties(
        title=alt.Title(title, subtitle=["orange: frequency of 1; dashed: p = P(1), exact;",
                                         "band: p ± 1.96·√(p(1 − p)/n), where about 95 %",
                                         "of the estimates after n shots fall"]),
        height=260)


def running_estimate(outcomes: np.ndarray, p1: float, title: str) -> tuple[Template, pd.DataFrame]:
    n = np.arange(1, len(outcomes) + 1)
    est = np.cumsum(outcomes == 1) / n
    keep = np.unique(np.geomspace(1, len(n), min(len(n), 300)).round().astype(int)) - 1
    half = 1.96 * np.sqrt(p1 * (1 - p1) / n[keep])
    df = pd.DataFrame({"shots": n[keep], "estimate": est[keep], "exact": p1, "lo": np.clip(p1 - half, 0, 1),
                       "hi": np.clip(p1 + half, 0, 1)})
    return Template(_build_running, (title,), {"run": df}), df


def _build_entropy(title: str) -> alt.LayerChart:
    x = alt.X("θ:Q", title="entangling angle θ (radians)", scale=alt.Scale(domain=[0, 2 * math.pi], nice=False))
    line = alt.Chart(alt.NamedData(name="curve")).mark_line(color="#009E73").encode(
        x=x, y=alt.Y("S:Q", title="entropy of one qubit (bits)", scale=alt.Scale(domain=[0, 1.05])),
        tooltip=[alt.Tooltip("θ:Q", format=".3f"), alt.Tooltip("S:Q", format=".4f")])
    dot = alt.Chart(alt.NamedData(name="now")).mark_point(size=220, filled=True, color="#D55E00").encode(
        x=x, y=alt.Y("S:Q"))
    return alt.layer(line, dot).properties(title=alt.Title(title, subtitle="S(θ) = H₂(cos²(θ/2)); the dot: now"),
                                           height=260)


def entropy_curve(theta: np.ndarray, S: np.ndarray, now_theta: float, now_S: float) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"θ": theta, "S": S})
    return Template(_build_entropy, ("Entanglement vs the angle",),
                    {"curve": df, "now": pd.DataFrame({"θ": [now_theta % (2 * math.pi)], "S": [now_S]})}), df


# ------------------------------------------------------------------------------------- classifier


def _build_map(title: str, size: int, highlight: bool) -> alt.LayerChart:
    sc = alt.Scale(domain=[-1.2, 1.2], nice=False)
    heat = alt.Chart(alt.NamedData(name="grid")).mark_rect().encode(
        x=alt.X("x1:Q", scale=sc, title="x₁ (scaled)"), x2=alt.X2("x1b:Q"),
        y=alt.Y("x2:Q", scale=sc, title="x₂ (scaled)"), y2=alt.Y2("x2b:Q"),
        color=alt.Color("p:Q", scale=alt.Scale(scheme="blueorange", domain=[0, 1]),
                        legend=legend(title="P(class 1)", orient="bottom", gradientLength=120)))
    pts = alt.Chart(alt.NamedData(name="points")).mark_point(size=48, filled=True, strokeWidth=1).encode(
        x=alt.X("px:Q", scale=sc), y=alt.Y("py:Q", scale=sc),
        fill=alt.Fill("class:N", scale=alt.Scale(domain=["class 0", "class 1"], range=CLASS_COLOURS),
                      legend=legend(title=None, orient="bottom", direction="vertical")),
        stroke=alt.value("white"),
        shape=alt.Shape("set:N", scale=alt.Scale(domain=["train", "test"], range=["circle", "triangle-up"]),
                        legend=legend(title=None, orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip("set:N"), alt.Tooltip("class:N"), alt.Tooltip("px:Q", format=".2f"),
                 alt.Tooltip("py:Q", format=".2f")])
    layers = [heat, pts]
    if highlight:
        layers.append(alt.Chart(alt.NamedData(name="chosen")).mark_point(
            size=420, strokeWidth=3, color="black", filled=False).encode(
            x=alt.X("px:Q", scale=sc), y=alt.Y("py:Q", scale=sc)))
    return alt.layer(*layers, title=title, width=size, height=size)


def decision_map(grid: np.ndarray, probs: np.ndarray, split, title: str, chosen: np.ndarray | None = None,
                 size: int = 270) -> tuple[Template, pd.DataFrame]:
    """P(class 1) on the grid (cells centred on its points) under the data; ``size`` keeps the map and its axes
    inside half the main column at 1400 px."""
    step = grid[1] - grid[0]
    gx, gy = np.meshgrid(grid, grid)
    cells = pd.DataFrame({"x1": gx.ravel() - step / 2, "x1b": gx.ravel() + step / 2, "x2": gy.ravel() - step / 2,
                          "x2b": gy.ravel() + step / 2, "p": np.asarray(probs).ravel()})
    X = np.vstack([split.X_train, split.X_test])
    y = np.r_[split.y_train, split.y_test]
    pts = pd.DataFrame({"px": X[:, 0], "py": X[:, 1], "class": np.where(y > 0, "class 1", "class 0"),
                        "set": ["train"] * len(split.X_train) + ["test"] * len(split.X_test)})
    data = {"grid": cells, "points": pts}
    if chosen is not None:
        data["chosen"] = pd.DataFrame({"px": [chosen[0]], "py": [chosen[1]]})
    return Template(_build_map, (title, size, chosen is not None), data), pts


def _build_curves(models: tuple[str, ...]) -> alt.VConcatChart:
    x = alt.X("epoch:Q", title="epoch (one full-batch Adam step)")
    lines = alt.Chart(alt.NamedData(name="curves")).mark_line().encode(
        x=x, y=alt.Y("value:Q", title=None),
        color=alt.Color("model:N", scale=alt.Scale(domain=list(models), range=["#E69F00", "#0072B2"]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("set:N", scale=alt.Scale(domain=["train", "test"], range=[[1, 0], [5, 3]]),
                                  legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("set:N"), alt.Tooltip("epoch:Q"),
                 alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name="now")).mark_rule(color="#555", strokeDash=[2, 2]).encode(x=x)
    # fixed-width panels (drawn to their content): a stretched vconcat is as wide as its column plus its axes
    loss = alt.layer(lines.transform_filter(alt.datum.metric == "loss (cross-entropy)"), rule).properties(
        title="Training loss", height=180, width=600)
    acc = alt.layer(lines.transform_filter(alt.datum.metric == "accuracy"), rule).properties(
        title="Accuracy (solid: train, dashed: test)", height=180, width=600)
    return alt.vconcat(loss, acc)


def training_curves(tr, epoch: int) -> tuple[Template, pd.DataFrame]:
    """Loss and train/test accuracy of the circuit and the MLP; a dashed rule at the epoch shown."""
    frames = []
    models = ("quantum circuit", f"classical MLP ({tr.baseline_parameters} params)")
    for model, loss, acc_tr, acc_te in ((models[0], tr.loss, tr.train_acc, tr.test_acc),
                                        (models[1], tr.baseline_loss, tr.baseline_train_acc, tr.baseline_test_acc)):
        e = np.arange(len(loss))
        frames += [pd.DataFrame({"epoch": e, "value": loss, "model": model, "set": "train",
                                 "metric": "loss (cross-entropy)"}),
                   pd.DataFrame({"epoch": e, "value": acc_tr, "model": model, "set": "train", "metric": "accuracy"}),
                   pd.DataFrame({"epoch": np.arange(len(acc_te)), "value": acc_te, "model": model, "set": "test",
                                 "metric": "accuracy"})]
    df = pd.concat(frames, ignore_index=True)
    return Template(_build_curves, (models,), {"curves": df, "now": pd.DataFrame({"epoch": [epoch]})}), df


# -------------------------------------------------------------------------------------- gradients


def shift_chart(g) -> tuple[alt.LayerChart, pd.DataFrame]:
    """C(θ_k) over a full period, the two shifted evaluations and the tangent they give."""
    ps = g.shift_gradient
    df = pd.DataFrame({"θ": g.theta, "cost": g.cost})
    t0 = g.theta0
    shifts = pd.DataFrame({"θ": [t0 + math.pi / 2, t0 - math.pi / 2], "cost": list(g.shift_costs),
                           "point": ["θ + π/2", "θ − π/2"]})
    span = np.linspace(t0 - 0.8, t0 + 0.8, 2)
    tangent = pd.DataFrame({"θ": span, "cost": g.cost0 + ps * (span - t0)})
    x = alt.X("θ:Q", title=f"parameter w{g.index} (radians), the others fixed")
    curve = alt.Chart(df).mark_line(color="#0072B2").encode(x=x, y=alt.Y("cost:Q", title="⟨Z₀⟩"))
    tan = alt.Chart(tangent).mark_line(color="#D55E00", strokeWidth=3).encode(x=x, y=alt.Y("cost:Q"))
    now = alt.Chart(pd.DataFrame({"θ": [t0], "cost": [g.cost0]})).mark_point(
        size=200, filled=True, color="#D55E00").encode(x=x, y=alt.Y("cost:Q"))
    sh = alt.Chart(shifts).mark_point(size=200, shape="diamond", filled=True, color="#009E73").encode(
        x=x, y=alt.Y("cost:Q"), tooltip=[alt.Tooltip("point:N"), alt.Tooltip("cost:Q", format=".5f")])
    rules = alt.Chart(shifts).mark_rule(color="#009E73", strokeDash=[4, 3]).encode(x=x)
    return alt.layer(curve, rules, tan, now, sh).properties(
        title=alt.Title("Cost along one angle: a sinusoid",
                        subtitle=f"slope at the dot = [C(θ+π/2) − C(θ−π/2)]/2 = {ps:.5f}"),
        height=300), df


def method_costs(rows) -> tuple[alt.Chart, pd.DataFrame]:
    df = pd.DataFrame({"method": [r.method for r in rows], "milliseconds": [r.seconds * 1e3 for r in rows],
                       "circuit executions": [r.executions for r in rows]})
    chart = alt.Chart(df).mark_bar(color="#0072B2").encode(
        y=alt.Y("method:N", sort=None, title=None), x=alt.X("milliseconds:Q", title="time for one gradient (ms)"),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("milliseconds:Q", format=".1f"),
                 alt.Tooltip("circuit executions:Q")]).properties(title="What one gradient costs", height=170)
    return chart, df


# -------------------------------------------------------------------------------- barren plateaus


def plateau_chart(p, closed: tuple[np.ndarray, np.ndarray] | None) -> tuple[alt.LayerChart, pd.DataFrame]:
    rows = []
    for cost, var, se, (a, b) in (("global cost", p.var_global, p.se_global, p.fit_global),
                                  ("local cost", p.var_local, p.se_local, p.fit_local)):
        for n, v, s in zip(p.qubits, var, se, strict=True):
            rows.append({"qubits": n, "variance": max(v, 1e-300), "lo": max(v - s, v / 20, 1e-300), "hi": v + s,
                         "cost": cost, "fit": math.exp(a + b * n) if math.isfinite(b) else np.nan})
    df = pd.DataFrame(rows)
    colour = alt.Color("cost:N", scale=alt.Scale(domain=["global cost", "local cost"], range=["#D55E00", "#0072B2"]),
                       legend=legend(title=None, orient="top"))
    x = alt.X("qubits:Q", title="qubits n", scale=alt.Scale(domain=[1.5, p.qubits.max() + 0.5], nice=False),
              axis=alt.Axis(tickMinStep=1))
    y = alt.Y("variance:Q", scale=alt.Scale(type="log"), title="Var[∂C/∂θ₁] (log)")
    bars = alt.Chart(df).mark_rule(strokeWidth=2).encode(x=x, y=alt.Y("lo:Q", scale=alt.Scale(type="log")),
                                                         y2=alt.Y2("hi:Q"), color=colour)
    dots = alt.Chart(df).mark_point(size=90, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("cost:N"), alt.Tooltip("qubits:Q"),
                                         alt.Tooltip("variance:Q", format=".3e"), alt.Tooltip("hi:Q", format=".3e")])
    fit = alt.Chart(df).mark_line(strokeDash=[6, 4], strokeWidth=2).encode(x=x, y=alt.Y("fit:Q"), color=colour)
    layers = [bars, fit, dots]
    if closed is not None:
        cf = pd.DataFrame({"qubits": np.r_[p.qubits, p.qubits], "exact": np.r_[closed[0], closed[1]],
                           "cost": ["global cost"] * len(p.qubits) + ["local cost"] * len(p.qubits)})
        layers.append(alt.Chart(cf).mark_line(strokeWidth=1.5, opacity=0.8).encode(
            x=x, y=alt.Y("exact:Q"), color=colour, tooltip=[alt.Tooltip("exact:Q", format=".3e")]))
    sub = ("dots: sample variance ± standard error; dashed: fit log Var = a + b·n"
           + ("; thin solid: the closed form for one layer" if closed is not None else ""))
    return alt.layer(*layers).properties(title=alt.Title("Barren plateau: gradient variance vs qubits", subtitle=sub),
                                         height=340), df
