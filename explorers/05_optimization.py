"""Chapter 5, Optimization: optimizers on landscapes, the theory of gradient descent and momentum on a
quadratic, a fair race with tuned learning rates, and the same optimizers training a network."""

import numpy as np
import pandas as pd
import streamlit as st

from core import optim
from ui import charts, compute, controls, layout
from ui.figures import optimization as fig

TABS = ["Landscapes", "Theory", "Fair race", "A real network"]
LANDS = optim.LANDSCAPE_NAMES
KAPPAS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
SHARED_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 3.0]
SCHEDULES = {"constant": "Constant", "step": "Step decay (×0.3 each third)", "cosine": "Cosine to zero",
             "warmup": "Warm-up, then cosine"}
NET_DATA = {"moons": "Two moons", "spirals": "Two spirals", "circles": "Two circles", "xor": "XOR"}
BATCHES = {0: "full batch", 16: "16", 32: "32", 64: "64", 128: "128"}


def landscape_controls(prefix: str) -> tuple[optim.Landscape, float, float, list[str]]:
    """The landscape, the quadratic's κ and θ (ignored by the others), and the optimizers to run."""
    key = controls.selectbox("Landscape", f"{prefix}land", list(LANDS), format_func=LANDS.get)
    kappa, angle = 10.0, 0.0
    if key == "quadratic":
        kappa = controls.select_slider("Condition number κ = λ_max/λ_min", f"{prefix}kappa", KAPPAS, 10)
        angle = controls.slider("Rotation θ (°)", f"{prefix}angle", -90, 90, 30)
    kinds = controls.multiselect("Optimizers", f"{prefix}opt", list(optim.OPTIMIZERS), optim.DEFAULT_OPTIMIZERS,
                                 format_func=fig.label)
    return optim.landscape(key, float(kappa), float(angle)), float(kappa), float(angle), kinds


def common_controls(prefix: str, land: optim.Landscape, steps_default: int = 300, max_steps: int = 1000):
    steps = controls.slider("Steps", f"{prefix}steps", 0, max_steps, steps_default, 10)
    schedule = controls.selectbox("Learning-rate schedule", f"{prefix}sched", list(SCHEDULES),
                                  format_func=SCHEDULES.get)
    mu = controls.slider("Momentum μ (momentum, Nesterov)", f"{prefix}mu", 0.0, 0.99, 0.9, 0.01)
    noise = controls.slider("Gradient noise σ", f"{prefix}noise", 0.0, 5.0, 0.0, 0.05,
                            help="Adds σ·ξ, ξ ~ N(0, I), to every gradient: stochastic gradients. The same draws "
                                 "for every optimizer (a fair comparison).")
    return steps, schedule, mu, noise


def diverged_notes(land: optim.Landscape, runs: optim.Runs, rows) -> None:
    for r in rows:
        if runs.diverged_at[r] < 0:
            continue
        name, step, lr = fig.label(runs.kinds[r]), runs.diverged_at[r], runs.lrs[r]
        if land.f_min is None:  # unbounded below: running off to infinity is the descent working
            st.caption(f":blue[ℹ {name} left for infinity at step {step} (learning rate {lr:.3g}): this "
                       "landscape has no minimum, f → −∞ along its valleys. Its path stops there.]")
        else:
            st.caption(f":orange[⚠ {name} diverged at step {step} (learning rate {lr:.3g}): its path stops at "
                       "the last finite point.]")


def landscapes_tab(ctrl, main):
    with ctrl:
        land, kappa, angle, kinds = landscape_controls("op_")
        mode = controls.radio("Learning rates", "op_lrmode", ["tuned", "shared"],
                              format_func={"tuned": "Tuned", "shared": "One for all"}.get,
                              help=fig.TUNED_HELP)
        lr = controls.select_slider("Learning rate", "op_lr", SHARED_LRS, 0.01, format_func=lambda v: f"{v:g}") \
            if mode == "shared" else None
        steps, schedule, mu, noise = common_controls("op_", land)
        x0, x1, y0, y1 = land.box
        c1, c2 = st.columns(2)
        sx = controls.number_input("Start x", f"op_x_{land.key}", x0, x1, land.start[0], 0.1, container=c1,
                                   format="%.4g")
        sy = controls.number_input("Start y", f"op_y_{land.key}", y0, y1, land.start[1], 0.1, container=c2,
                                   format="%.4g")
        seed = controls.seed("op_seed") if noise > 0 else 0
    with main:
        if not kinds:
            st.info("Choose at least one optimizer on the left.", icon=":material/arrow_back:")
            charts.show(*fig.trajectories(land, None, [], start=(sx, sy)), "landscape", width="content")
            return
        common = dict(steps=steps, start=(float(sx), float(sy)), seeds=(seed,), noise=noise, schedule=schedule,
                      momentum=mu, kappa=kappa, angle=angle)
        if mode == "tuned":
            (tuned, runs), t_run = compute.run(
                f"{len(kinds)} optimizers × {len(optim.LR_GRID)} learning rates × {steps} steps, batched",
                optim.tune, land.key, tuple(kinds), on="cpu", **common)
            rows = optim.select(runs, tuned.best_lr)
        else:
            runs, t_run = compute.run(f"{len(kinds)} optimizers × {steps} steps, batched", optim.run, land.key,
                                      tuple(kinds), (float(lr),), on="cpu", **common)
            rows = np.arange(len(kinds))
        layout.compute_line(t_run)
        diverged_notes(land, runs, rows)
        step = None
        if steps > 0:
            step = controls.slider("Step through: step t", "op_t", 0, steps - 1, min(5, steps - 1),
                                   help="Marks where every optimizer is after t steps; on the right, step t up close.")
        left, right = layout.side_by_side([1.3, 1])
        with left:
            charts.show(*fig.trajectories(land, runs, list(rows), step), "optimizer paths", width="content")
        if step is not None:
            with right:
                step_through(land, runs, rows, kinds, step)
        loss, dist, df = fig.curves(land, runs, list(rows))
        left, right = st.columns(2)
        with left:
            charts.show(loss, df, "loss over steps")
        if dist is not None:
            with right:
                charts.show(dist, df, "distance to minimum")
        st.dataframe(fig.summary_table(land, runs, rows), hide_index=True,
                     column_config={"learning rate": st.column_config.NumberColumn(format="%.3g"),
                                    "final f − f*": st.column_config.NumberColumn(format="%.3e"),
                                    "final f": st.column_config.NumberColumn(format="%.4g"),
                                    "distance to the minimum": st.column_config.NumberColumn(format="%.3e")})
        layout.notice(land.note + (" The heatmap is log₁₀(1 + f − f*): where f − f* is well above 1, each step "
                                   "of 1 in colour is ten times higher; near the minimum it is close to "
                                   "(f − f*)/ln 10, a linear scale. Paths that zig-zag across the valley are "
                                   "wasting their steps on the steep direction." if land.f_min is not None else
                                   " The heatmap is a signed log of f: blue falls away below 0, red rises above it."))


def step_through(land, runs, rows, kinds, step):
    inspect = controls.selectbox("Look at step t of", "op_inspect", list(kinds), format_func=fig.label)
    row = int(rows[list(kinds).index(inspect)])
    p = runs.positions[step, row]
    lr_t = runs.lrs[row] * runs.lr_factors[step]
    moment = runs.moment[step, row] if inspect in ("momentum", "nesterov", "adam", "adamw", "nadam", "radam") \
        else None
    vectors = [lr_t * runs.gradient[step, row], runs.positions[step + 1, row] - p]
    if moment is not None:
        vectors.append(lr_t * moment)
    half = max(max(float(np.abs(v).max()) for v in vectors) * 1.6, 1e-9 * (1 + float(np.abs(p).max())))
    window = (p[0] - half, p[0] + half, p[1] - half, p[1] + half)
    zoom = optim.grid_values(land, 40, window)
    charts.show(*fig.step_arrows(land, runs, row, step, zoom, moment), "step arrows", width="content")
    g, sc, d = runs.gradient[step, row], runs.scale[step, row], runs.positions[step + 1, row] - p
    quantities = {"point xₜ": p, "gradient ∇f": g, "first moment m": moment, "scaling of ∇f": sc,
                  "step xₜ₊₁ − xₜ": d}
    facts = pd.DataFrame([{"": name, "x": "—" if v is None else f"{v[0]:.4g}", "y": "—" if v is None else f"{v[1]:.4g}"}
                          for name, v in quantities.items()])
    st.dataframe(facts, hide_index=True)
    st.caption(fig.step_caption(inspect, lr_t, g, d))


def theory_tab(ctrl, main):
    with ctrl:
        kappa = float(controls.select_slider("Condition number κ", "op_tkappa", KAPPAS, 10))
        angle = controls.slider("Rotation θ (°)", "op_tangle", -90, 90, 30)
        optimal = controls.toggle("Optimal step for GD", "op_topt", False,
                                  help="lr = 2/(λ_min + λ_max), the step that minimizes max |1 − lr λᵢ|: both "
                                       "eigen-components then shrink at the same rate.")
        lr = 2 / (1 + 1 / kappa) if optimal else controls.slider("GD learning rate", "op_tlr", 0.01, 2.5, 1.5, 0.01)
        steps = controls.slider("Steps", "op_tsteps", 10, 500, 100, 10)
    with main:
        th, t_th = compute.run(f"gradient descent and heavy ball, {steps} steps; eigh of the Hessian",
                               optim.quadratic_theory, kappa, float(angle), float(lr), steps, on="cpu")
        layout.compute_line(t_th)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("GD rate, measured", f"{th.gd_rate_measured:.5f}" if np.isfinite(th.gd_rate_measured) else "—",
                  help="The contraction per step, (‖x_T‖/‖x_{T/2}‖)^(2/T), over the second half of the run.")
        c2.metric("GD rate, theory", f"{th.gd_rate_theory:.5f}",
                  help=f"max |1 − lr λᵢ|. At the optimal lr {th.gd_lr_optimal:.4g} it is (κ−1)/(κ+1) = "
                       f"{th.gd_rate_optimal:.5f}.")
        c3.metric("Heavy ball, measured", f"{th.hb_rate_measured:.5f}" if np.isfinite(th.hb_rate_measured) else "—",
                  help=fig.HB_MEASURED_HELP)
        c4.metric("Heavy ball, theory", f"{th.hb_rate_theory:.5f}",
                  help=f"ρ = (√κ−1)/(√κ+1), its asymptotic rate, with the optimal lr = 4/(√λ_max + √λ_min)² = "
                       f"{th.hb_lr:.4g} and μ = ρ² = {th.hb_momentum:.4f}.")
        if th.gd_rate_theory >= 1:
            st.caption(f":orange[⚠ With lr = {lr:g}, |1 − lr λ_max| = {th.gd_rate_theory:.3f} ≥ 1: gradient descent "
                       "does not converge (it diverges above lr = 2/λ_max = 2).]")
        left, right = layout.side_by_side([1, 1])  # one under the other in presentation mode: titles fit
        with left:
            charts.show(*fig.theory_rates(th, charts.height(330)), "measured vs theoretical rates")
        with right:
            charts.show(*fig.eigen_components(th, charts.height(330)), "eigen components")
        st.caption(fig.theory_caption(th))
        gd_steps = np.log(10) / -np.log(th.gd_rate_optimal) if th.gd_rate_optimal > 0 else 0.0
        hb_steps = np.log(10) / -np.log(th.hb_rate_theory) if th.hb_rate_theory > 0 else 0.0
        if kappa > 1:
            layout.notice(f"To gain one digit of accuracy, gradient descent at its best needs about {gd_steps:.0f} "
                          f"steps and heavy ball, once its rate has settled, about {hb_steps:.0f}: the (κ−1)/(κ+1) "
                          "vs (√κ−1)/(√κ+1) gap. Raise κ and watch it grow; the slow component is always the one "
                          "along the flat eigen-direction. Heavy ball's error is (a + b·t)·ρᵗ, not a multiple of "
                          "ρᵗ: ρ is the rate it settles to, and its bound carries a factor (1 + ct).")
        else:
            layout.notice("κ = 1: the bowl is round, and gradient descent at its optimal step (lr = 1) lands on the "
                          "minimum in one step. Raise κ to see the rates part.")
        land = optim.landscape("quadratic", kappa, float(angle))
        charts.show(*fig.trajectories(land, th.runs, [0, 1]), "gradient descent vs heavy ball", width="content")
        st.caption("Black: gradient descent (labelled SGD: no noise here, so it is plain gradient descent). "
                   "Blue: heavy ball (momentum) at its optimal settings.")


def race_tab(ctrl, main):
    with ctrl:
        land, kappa, angle, kinds = landscape_controls("op_r")
        steps, schedule, mu, noise = common_controls("op_r", land, 300, 1000)
        seeds = controls.slider("Seeds", "op_rseeds", 1, 10, 5,
                                help="Each seed starts a little elsewhere (a normal offset per coordinate with "
                                     "standard deviation 2 % of the picture's width) and, with noise, draws its own "
                                     "gradient noise.")
    with main:
        if not kinds:
            st.info("Choose at least one optimizer on the left.", icon=":material/arrow_back:")
            charts.show(*fig.trajectories(land, None, []), "landscape", width="content")
            return
        width = land.box[1] - land.box[0]
        with st.spinner("Racing every optimizer at every learning rate of the grid…"):
            (tuned, runs), t_race = compute.run(
                f"{len(kinds)} optimizers × {len(optim.LR_GRID)} rates × {seeds} seeds × {steps} steps, batched",
                optim.tune, land.key, tuple(kinds), steps, None, tuple(range(seeds)), noise, schedule, mu, kappa,
                angle, start_jitter=0.02 * width, record=False, on="cpu")
        layout.compute_line(t_race)
        by_kind = {k: runs.rows(k)[np.isclose(runs.lrs[runs.rows(k)], tuned.best_lr[k])] for k in kinds}
        table, final_name = fig.race_table(land, runs, tuned, by_kind)
        st.dataframe(table, hide_index=True, column_config={
            "tuned rate": st.column_config.NumberColumn(format="%.3g", help="the learning rate chosen on the grid"),
            "steps to target": st.column_config.TextColumn(
                help=f"mean steps until f − f* stays below {optim.TARGET:g} of its start"),
            "worst seed": st.column_config.NumberColumn(format="%.3e", help="the worst seed's final value"),
            "diverged": st.column_config.NumberColumn(help="seeds that diverged"),
            final_name: st.column_config.NumberColumn(format="%.3e")})
        st.caption(fig.race_caption(land, tuned, seeds, steps, SCHEDULES[schedule].lower(), mu, kappa))
        charts.show(*fig.race_bands(land, runs, by_kind), "race bands")
        charts.show(*fig.lr_sensitivity(tuned, land.f_min is not None), "learning rate sensitivity")
        layout.notice("A comparison is only fair when every optimizer gets its own best learning rate on the same "
                      "problem, budget and seeds. The right-hand chart is the tuning itself: how wide each "
                      "optimizer's good range is matters as much as its best score.")


def network_tab(ctrl, main):
    with ctrl:
        data_key = controls.selectbox("Data", "op_ndata", list(NET_DATA), format_func=NET_DATA.get)
        kinds = controls.multiselect("Optimizers", "op_nopt", [k for k in optim.OPTIMIZERS if k != "newton"],
                                     [k for k in optim.DEFAULT_OPTIMIZERS if k != "newton"], format_func=fig.label)
        steps = controls.slider("Steps", "op_nsteps", 10, 1000, 300, 10)
        batch = controls.select_slider("Mini-batch size", "op_nbatch", list(BATCHES), 32, format_func=BATCHES.get)
        tune = controls.toggle("Tune each learning rate", "op_ntune", False,
                               help=f"Try {', '.join(f'{v:g}' for v in optim.NET_LR_GRID)} for every optimizer and "
                                    "keep the lowest final training loss (4× the training time).")
        scale = 1.0 if tune else controls.select_slider(
            "Learning-rate scale", "op_nscale", [0.1, 0.3, 1.0, 3.0, 10.0], 1.0, format_func=lambda v: f"×{v:g}",
            help="Multiplies every optimizer's usual starting rate (SGD 0.3, momentum 0.05, Adam 0.01, …).")
        schedule = controls.selectbox("Learning-rate schedule", "op_nsched", list(SCHEDULES), format_func=SCHEDULES.get)
        hidden = controls.slider("Hidden units per layer", "op_nhidden", 2, 64, 16)
        noise = controls.slider("Data noise", "op_nnoise", 0.0, 0.5, 0.15, 0.01)
        seed = controls.seed("op_nseed")
    with main:
        if not kinds:
            st.info("Choose at least one optimizer on the left.", icon=":material/arrow_back:")
        race, t_net = compute.run_with_progress(
            f"training {len(kinds) * (len(optim.NET_LR_GRID) if tune else 1)} networks × {steps} steps",
            optim.train_race, data_key, tuple(kinds), steps, scale, tune, hidden, batch, 400, noise, schedule, 0.9,
            seed, on="cpu")
        layout.compute_line(t_net)
        if not kinds:
            charts.show(*fig.decision_map(race, None), "data", width="content")
            return
        for i, k in enumerate(race.kinds):
            if race.diverged_at[i] >= 0:
                st.caption(f":orange[⚠ {fig.label(k)} diverged at step {race.diverged_at[i]} (learning rate "
                           f"{race.lrs[k]:g}): its curve is held flat from there and its accuracy is not "
                           "shown. Lower the learning-rate scale.]")
        left, right = layout.side_by_side([1, 1.1])
        with left:
            shown = controls.selectbox("Decision map of", "op_nshow", list(race.kinds), format_func=fig.label)
            charts.show(*fig.decision_map(race, list(race.kinds).index(shown)), "decision map", width="content")
        with right:
            charts.show(*fig.net_curves(race), "network training loss")
        table = pd.DataFrame({"optimizer": [fig.label(k) for k in race.kinds],
                              "learning rate": [race.lrs[k] for k in race.kinds],
                              "final training loss": race.train_loss[:, -1], "train accuracy": race.train_acc,
                              "test accuracy": race.test_acc, "seconds": race.seconds})
        st.dataframe(table, hide_index=True, column_config={
            "learning rate": st.column_config.NumberColumn(format="%.3g"),
            "final training loss": st.column_config.NumberColumn(format="%.4f"),
            "train accuracy": st.column_config.NumberColumn(format="percent"),
            "test accuracy": st.column_config.NumberColumn(format="percent"),
            "seconds": st.column_config.NumberColumn(format="%.2f")})
        st.caption(f"{race.parameters} parameters (2 → {hidden} → {hidden} → 2, tanh), cross-entropy, "
                   f"{'full batch' if not race.batch else f'mini-batches of {race.batch}'}; 300 training and 100 "
                   "test points. Newton is left out: it needs the full Hessian of every parameter pair.")
        layout.notice("On a real loss the ranking is not the landscapes' ranking: noise from the mini-batches, "
                      "plateaus and the learning rate each optimizer starts with all matter. Toggle *Tune* to "
                      "make the comparison fair.")


tabs, ctrl, main = layout.tabbed_page(5, TABS)
for name, tab, draw in zip(TABS, tabs, (landscapes_tab, theory_tab, race_tab, network_tab), strict=True):
    if tab.open:  # only the open tab computes
        with main, layout.guard(name):
            draw(ctrl, main)

with main:
    layout.try_this([
        "Quadratic, tuned rates: push κ from 10 to 1000. Plain gradient descent slows to a crawl; momentum and "
        "Adam barely notice. The Theory tab says by how much.",
        "Quadratic, tuned rates, κ = 1000: set θ to 0°, then 45°. RMSprop reaches the target in 12 steps when the "
        "valley lies along the x axis and not at all in 300 steps when it is diagonal: its scaling 1/√v acts per "
        "coordinate, so it can only straighten a valley that lines up with the axes. Gradient descent, momentum "
        "and Newton are rotation invariant: turn the landscape and the start together and their paths turn with "
        "them.",
        "Quadratic, one rate for all: raise the learning rate until SGD's path leaves the picture. It diverges "
        "just above lr = 2 (= 2/λ_max): the step overshoots the steep direction by more than it gains.",
        "Rosenbrock: set the schedule to warm-up + cosine. Which optimizers gain, which lose?",
        "Saddle, one rate 0.01: SGD from y = 0.001 escapes slowly; add gradient noise σ = 0.1 and compare the "
        "seeds: noise usually speeds the escape. Newton heads straight for the saddle point: it finds stationary "
        "points, not minima.",
        "Rastrigin, tuned rates: gradient descent, momentum, Nesterov, Adam and Newton stop in the local minimum "
        "nearest the start, near (3, 2) with f ≈ 12.9; RMSprop's normalized steps carry it over the bumps to near "
        "(1, 0), where it keeps bouncing. Gradient noise σ = 2 lets some of the others hop out too: compare seeds.",
        "Fair race on Beale with 5 seeds: look at the sensitivity chart. Whose good range of rates is widest?",
        "A real network on spirals: 300 steps are not enough for anyone. Give them 1000 and a cosine schedule: "
        "Adam, momentum and Nesterov gain the most, SGD and RMSprop little at their usual rates. Does *Tune* "
        "change that?",
    ])
    layout.math_file(__file__)
