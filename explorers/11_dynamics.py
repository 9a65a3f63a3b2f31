"""Chapter 11, Dynamical systems and differential equations for RNNs: a two-neuron RNN as a map (phase portrait,
fixed points and their eigenvalues, a gain sweep), gradients through time against the spectral radius with the
largest Lyapunov exponent and gradient clipping, a flip-flop RNN trained live with its fixed and slow points, and
neural ODEs (ResNet = Euler, Euler vs RK4 vs dopri5, convergence orders, a field learned from a spiral)."""

import math

import numpy as np
import streamlit as st

from core.dynamics import flipflop as ff
from core.dynamics import gradients as gr
from core.dynamics import ode, rnn2
from ui import charts, compute, controls, layout, text
from ui.figures import dynamics as fig

TABS = ["Two-neuron map", "Gradients through time", "Trained RNN", "Neural ODEs"]
PRESETS = {"one_stable": "One stable point", "bistable": "Two attractors", "invariant_circle": "Limit cycle",
           "oscillation": "Period-4 cycle"}
PARAMS = ("ds_w11", "ds_w12", "ds_w21", "ds_w22", "ds_b1", "ds_b2", "ds_gain")
RING = tuple((round(0.85 * math.cos(a), 4), round(0.85 * math.sin(a), 4)) for a in np.radians(np.arange(0, 360, 30)))
SHOWN_STEPS = 40  # steps of each orbit drawn (the period is read after 200)
GAINS = (0.0, 3.0)
RHOS = (0.2, 5.0)  # the sweep: 49 radii, the ρ slider's own steps of 0.1
CELLS = {"rnn": "Vanilla RNN", "gru": "GRU"}
VIEWS = {"12": "PC1–PC2", "13": "PC1–PC3", "23": "PC2–PC3"}
FIELDS = {"spiral": "Spiral", "vanderpol": "Van der Pol", "learned": "Learned (neural ODE)"}
START = (2.0, 0.0)


def _preset_values(name: str) -> tuple[float, ...]:
    p = rnn2.PRESETS[name]
    return (*p.w, *p.b, p.gain)


def _fill_preset() -> None:
    """On a new preset: write its weights, biases and gain into the sliders before they are drawn."""
    name = st.session_state.get("ds_preset")
    if name in rnn2.PRESETS:
        for key, value in zip(PARAMS, _preset_values(name), strict=True):
            st.session_state[key] = float(value)


def map_tab(ctrl):
    with ctrl:
        name = controls.selectbox("Preset", "ds_preset", list(PRESETS), 1, format_func=PRESETS.get,
                                  on_change=_fill_preset)
        default = _preset_values(name)
        labels = ("w₁₁ (h₁ → h₁)", "w₁₂ (h₂ → h₁)", "w₂₁ (h₁ → h₂)", "w₂₂ (h₂ → h₂)")
        w = tuple(controls.slider(lab, k, -5.0, 5.0, float(v), 0.1)
                  for lab, k, v in zip(labels, PARAMS[:4], default[:4], strict=True))
        b = tuple(controls.slider(f"bias b{s}", f"ds_b{i + 1}", -2.0, 2.0, float(default[4 + i]), 0.1)
                  for i, s in enumerate("₁₂"))
        gain = controls.slider("Gain g (multiplies W)", "ds_gain", 0.0, 3.0, float(default[6]), 0.05)
        same = np.allclose((*w, *b, gain), default)
        st.caption(rnn2.PRESETS[name].claim if same else f"Your own weights (edited from “{PRESETS[name]}”).")
    net = compute.call(rnn2.rnn2, w, b, gain)
    por, t1 = compute.run("phase portrait", rnn2.portrait, net, 1.1, 15, on="cpu")
    nc = compute.call(rnn2.nullclines, net)
    fp, t2 = compute.run("fixed points by Newton's method", rnn2.fixed_points, net, on="cpu")
    tr, t3 = compute.run(f"{len(RING)} orbits of 200 steps", rnn2.trajectories, net, starts_at=RING, steps=200,
                         on="cpu")
    sw, t4 = compute.run("fixed points at 121 gains", rnn2.gain_sweep, w, b, GAINS, 121, on="cpu")
    layout.compute_line(t1, t2, t3, t4)
    kinds = [fig.kind_class(k) for k in fp.kinds]
    layout.metrics(("Fixed points", f"{fp.count}", f"found by Newton's method from {fp.starts} starts"),
                   ("Stable", f"{kinds.count('stable')}", "every |λ| < 1: an attractor"),
                   ("Saddles", f"{kinds.count('saddle')}", "one |λ| above 1, one below"),
                   ("Orbits that settle", f"{int((tr.period > 0).sum())} of {len(tr.period)}",
                    "on a fixed point or a cycle within 200 steps"))
    text.notes(st, [n for n in (fp.note, tr.note) if n])
    layout.formula(r"h_{t+1}=\tanh(gWh_t+b),\qquad J={\operatorname{diag}(1-h^{*2})\,gW},\qquad"
                   r"\text{stable}\iff\max|\lambda(J)|<1")
    left, right = layout.side_by_side([1.5, 1])
    with left:
        charts.show(*fig.portrait_chart(net, por, nc, tr, fp, SHOWN_STEPS), "phase portrait", width="content")
    with right:
        charts.show(*fig.eigen_chart(fp), "eigenvalues", width="content")
    charts.show(*fig.gain_sweep_chart(sw, gain), "gain sweep")
    if fp.count:
        st.dataframe(fig.fixed_table(fp), hide_index=True)
    layout.notice(fig.map_notice(net, fp, tr, sw))


def _g(v: float) -> str:
    """A choice as a link writes it: 1000, 0.5 (not 1000.0)."""
    return f"{v:g}"


def _big(v: float) -> str:
    return f"{v:.3g}" if math.isfinite(v) else "overflow"


def gradients_tab(ctrl):
    with ctrl:
        n = controls.select_slider("Units N", "ds_n", [8, 16, 32, 64, 128], 64)
        rho = controls.slider("Spectral radius ρ of W", "ds_rho", RHOS[0], RHOS[1], 1.5, 0.1)
        init = controls.radio("W", "ds_init", list(gr.INITS), format_func=str.capitalize, horizontal=True)
        nonlin = controls.radio("Nonlinearity", "ds_phi", list(gr.NONLINEARITIES), horizontal=True)
        steps = controls.select_slider("Steps T", "ds_T", [25, 50, 100, 200, 500], 100)
        clip = controls.select_slider("Clip gradients at", "ds_clip", [0.1, 0.3, 1.0, 3.0, 10.0], 1.0, format_func=_g)
        seed = controls.seed("ds_seed")
    g, t1 = compute.run(f"‖∂h_t/∂h₀‖ over {steps} steps", gr.gradient_norms, n, rho, steps, init, nonlin, 0.0, seed,
                        50, on="cpu")  # the norm (an SVD) at 50 steps: enough for the picture and the slope
    sw, t2 = compute.run_with_progress("λ₁ by the QR method at 49 radii", gr.lyapunov_sweep, n, RHOS, 49, 300, 200,
                                       init, nonlin, 0.0, seed, on="cpu")
    c, t3 = compute.run("one clipped and one unclipped step", gr.clipping, min(n, 32), rho, min(steps, 50), clip,
                        0.01, init, nonlin, 0.0, seed, on="cpu")
    layout.compute_line(t1, t2, t3)
    lam = fig.exponent_at(sw, rho)
    last = int(g.t[-1])
    layout.metrics((f"‖∂h_t/∂h₀‖ at t = {last}", _big(g.norm[-1]), "the spectral norm of J_t ⋯ J₁"),
                   (f"ρᵗ at t = {last}", _big(g.rho_power[-1]), "the linear RNN's factor with an orthogonal W"),
                   ("Growth rate", f"{g.growth_rate:+.4f}", "slope of ln‖∂h_t/∂h₀‖ a step (the second half)"),
                   ("ln ρ", f"{g.log_rho:+.4f}", "the linear RNN's rate"))
    text.notes(st, [x for x in (g.note, c.note) if x])
    layout.formula(r"\frac{\partial h_T}{\partial h_0}=\prod_{t=T}^{1}\operatorname{diag}\big(\varphi'(a_t)\big)W,"
                   r"\qquad\Big\|\frac{\partial h_T}{\partial h_0}\Big\|\approx e^{\lambda_1T},\qquad"
                   r"\lambda_1^{\text{linear}}=\ln\rho")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.norms_chart(g, rho, nonlin), "gradient norms")
    with right:
        charts.show(*fig.lyapunov_chart(sw, rho, n), "lyapunov sweep")
    layout.metrics(("λ₁ at this ρ", f"{lam:+.4f}", "the largest Lyapunov exponent, QR method (the sweep's point)"),
                   ("λ₁ = 0 near ρ =", f"{sw.crossing:.3f}" if sw.crossing is not None else "no crossing",
                    f"from the sweep over ρ ∈ [{RHOS[0]:g}, {RHOS[1]:g}]"),
                   ("Saturated units", f"{g.saturation[-1]:.0%}", "|h| > 0.99 at the last step: tanh′ < 0.02"))
    st.caption(f"Gradient clipping on a network of {min(n, 32)} units, sequences of 1 to {min(steps, 50)} steps, "
               "one step of size 0.01 for each length's loss:")
    left, right = layout.side_by_side([1, 1])
    (norms, d1), (losses, d2) = fig.clipping_charts(c)
    with left:
        charts.show(norms, d1, "clipped gradients")
    with right:
        charts.show(losses, d2, "loss after a step")
    layout.notice(fig.gradient_notice(g, lam, sw, c, nonlin))


def trained_tab(ctrl):
    with ctrl:
        cell = controls.radio("Cell", "ds_cell", list(CELLS), format_func=CELLS.get, horizontal=True)
        hidden = controls.select_slider("Hidden units", "ds_hidden", [16, 32, 64], 64)
        steps = controls.select_slider("Training steps", "ds_steps", [100, 200, 300, 600], 300)
        lr = controls.select_slider("Learning rate", "ds_lr", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], 0.01)
        clip = controls.toggle("Clip the gradient's norm at 1", "ds_clipnet", True)
        view = controls.radio("Projection", "ds_view", list(VIEWS), format_func=VIEWS.get, horizontal=True)
        seed = controls.seed("ds_fseed")
    net, t1 = compute.run_with_progress(f"{CELLS[cell]} of {hidden} units, {steps} Adam steps", ff.train_flipflop,
                                        cell, hidden, steps, 32, 50, lr, 1.0 if clip else 0.0, 0.05, seed, on="cpu")
    final = f"final loss {net.losses[-1]:.4f}" if math.isfinite(net.losses[-1]) else "the loss overflowed"
    loss = fig.loss_chart(net.losses, "mean squared error", f"Training: {len(net.losses)} steps, {final}",
                          "fresh batches of 32 trials of 50 steps, 5 % pulses")
    if net.diverged:
        layout.compute_line(t1)
        text.note(st, net.note, "red", "⚠")
        charts.show(*loss, "training loss")
        layout.notice("A step too large sends the weights where tanh saturates and the loss explodes: with nothing "
                      "trained there is no memory to look for. Lower the learning rate.")
        return
    ev, t2 = compute.run("held-out trials and their PCA", ff.evaluate, net, on="cpu")
    fp, t3 = compute.run_with_progress("fixed and slow points from 256 starts", ff.fixed_points, net, evaluation=ev,
                                       on="cpu")
    layout.compute_line(t1, t2, t3)
    saddles = int(((fp.unstable > 0) & ~fp.slow & (fp.unstable < hidden)).sum())
    layout.metrics(("Held-out accuracy", f"{ev.accuracy:.1%}", "sign of each output = its bit, every step of 16 "
                                                               "unseen trials of 200 steps"),
                   ("Attractors", f"{fp.stable_count}", "stable fixed points"),
                   ("Bit patterns stored", f"{fp.patterns} of 8", "distinct readout signs at the attractors"),
                   ("Saddles", f"{saddles}"), ("Slow points", f"{int(fp.slow.sum())}", "q small but not 0"))
    text.notes(st, [x for x in (net.note, fp.note) if x])
    layout.formula(r"q(h)=\tfrac12\|F(h)-h\|^2,\qquad F(h^*)=h^*\iff q(h^*)=0")
    charts.show(*fig.pca_chart(ev, fp, view), "hidden states", width="content")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*loss, "training loss")
    with right:
        charts.show(*fig.trial_chart(ev), "one trial")
    st.dataframe(fig.attractor_table(fp), hide_index=True)
    layout.notice(fig.flipflop_notice(net, ev, fp))


def ode_tab(ctrl):
    with ctrl:
        field = controls.radio("Vector field f", "ds_field", list(FIELDS), format_func=FIELDS.get, horizontal=False)
        if field == "vanderpol":
            mu = controls.select_slider("Van der Pol's μ (large: stiff)", "ds_mu", [0.5, 1.0, 2.0, 10.0, 100.0, 1000.0],
                                        1.0, format_func=_g)
        else:
            mu = 1.0
        if field == "learned":
            tsteps = controls.select_slider("Training steps", "ds_osteps", [50, 100, 200, 400], 200)
            olr = controls.select_slider("Learning rate", "ds_olr", [0.003, 0.01, 0.03, 0.1, 1.0, 5.0], 0.01,
                                         format_func=_g)
            noise = controls.select_slider("Noise on the observations", "ds_noise", [0.0, 0.02, 0.05, 0.1], 0.0,
                                           format_func=_g)
        t_end = controls.select_slider("Integrate to T", "ds_tend", [1.0, 2.0, 5.0], 5.0, format_func=_g)
        k = controls.select_slider("Euler and RK4 steps k", "ds_k", [5, 10, 20, 50, 100, 200, 500, 1000], 50)
        rtol = controls.select_slider("dopri5's tolerance", "ds_rtol", [1e-3, 1e-6, 1e-9], 1e-6,
                                      format_func=lambda v: f"{v:.0e}")
    timings = []
    if field == "learned":
        tr, t0 = compute.run_with_progress(f"a neural ODE fitted to the spiral, {tsteps} steps", ode.train_ode,
                                           "spiral", 32, tsteps, olr, 200, 20.0, noise, on="cpu")
        timings.append(t0)
        if tr.diverged:
            layout.compute_line(t0)
            text.note(st, tr.note, "red", "⚠")
            charts.show(*fig.loss_chart(tr.losses, "mean absolute error", "Training diverged", tr.note), "loss")
            layout.notice("The learning rate is so large that the field's weights blow up: the solver then "
                          "integrates a field that sends the state to infinity. Lower it.")
            return
        fld = tr.field
    else:
        fld = compute.call(ode.builtin, field, mu)
    euler, t1 = compute.run(f"Euler, {k} steps", ode.integrate, fld, START, t_end, "euler", k, on="cpu")
    rk4, t2 = compute.run(f"RK4, {k} steps", ode.integrate, fld, START, t_end, "rk4", k, on="cpu")
    dop, t3 = compute.run_with_progress(f"dopri5 at rtol {rtol:.0e}", ode.integrate, fld, START, t_end, "dopri5",
                                        rtol=rtol, atol=rtol / 100, on="cpu")
    res, t4 = compute.run(f"a ResNet of {k} blocks", ode.residual_net, fld, START, k, t_end, on="cpu")
    conv, t5 = None, None
    if field != "vanderpol" or mu <= 1:
        ks = tuple(int(t_end * 10 * 2**i) for i in range(5))  # Δt from 0.1 down: Euler's asymptotic regime
        conv, t5 = compute.run_with_progress(f"Euler and RK4 at {len(ks)} step counts", ode.convergence, fld, START,
                                             t_end, ks, on="cpu")
    reach = fig.window([euler, rk4, dop])
    vf, t6 = compute.run("the field on a grid", ode.vector_field, fld, reach, 15, on="cpu")
    layout.compute_line(*timings, t1, t2, t3, t4, t5, t6)
    ref = conv.reference if conv is not None else None
    err = [fig.end_error(s, ref) for s in (euler, rk4, dop)]
    shown = [f"{e:.2e}" if math.isfinite(e) else "n/a" for e in err]
    layout.metrics(("Euler's error at T", shown[0], f"{k} steps, {euler.nfe:,} evaluations of f"),
                   ("RK4's error at T", shown[1], f"{k} steps, {rk4.nfe:,} evaluations"),
                   ("dopri5's error at T", shown[2], f"{dop.steps:,} steps, {dop.nfe:,} evaluations"),
                   ("ResNet − Euler", f"{fig.resnet_gap(res, euler):.1e}", f"{k} residual blocks against {k} steps"))
    text.notes(st, [s.note for s in (euler, rk4, dop) if s.note])
    if conv is None:
        text.note(st, f"Van der Pol with μ = {mu:g} is stiff: no tight reference solution within the evaluation cap, "
                      "so no errors and no convergence orders here (they are measured on smooth fields).")
    layout.formula(r"\frac{dh}{dt}=f(h),\qquad h_{k+1}=h_k+\Delta t\,f(h_k),\qquad\text{error}\propto\Delta t^{p}")
    left, right = layout.side_by_side([1.4, 1])
    with left:
        charts.show(*fig.solver_chart(vf, [euler, rk4, dop], t_end, k), "solvers", width="content")
    with right:
        charts.show(*fig.step_size_chart(dop), "dopri5 steps")
    if conv is not None:
        charts.show(*fig.convergence_chart(conv), "convergence")
    st.dataframe(fig.solver_table([euler, rk4, dop], ref), hide_index=True)
    if field == "learned":
        learned, _ = compute.run("the learned field", ode.vector_field, tr.field, 2.5, 15, on="cpu")
        truth, _ = compute.run("the true field", ode.vector_field, tr.truth, 2.5, 15, on="cpu")
        left, right = layout.side_by_side([1.3, 1])
        with left:
            charts.show(*fig.learned_chart(tr, learned, truth), "learned field", width="content")
        with right:
            charts.show(*fig.loss_chart(tr.losses, "mean absolute error", f"Training: {len(tr.losses)} steps",
                                        "RK4 through segments of 10 observations"), "ode loss")
    layout.notice(fig.ode_notice([euler, rk4, dop], ref, conv, k, t_end, fig.resnet_gap(res, euler)))


layout.explorer(11, TABS, (map_tab, gradients_tab, trained_tab, ode_tab), fig.TRY_THIS, __file__)
