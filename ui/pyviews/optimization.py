"""Chapter 5's tabs in Python (ui/pyview.py). ``${tune.kappa}`` in a print is that call's argument."""

from __future__ import annotations

from ui.pyview import View

VIEWS: dict[tuple[str, str], View] = {
    ("op", "Landscapes"): View(
        names={"tune": "tuned, runs", "run": "runs"}, values=("op_lrmode",),
        prints='land = optim.landscape(${tune|run.land_key}, ${tune|run.kappa}, ${tune|run.angle})\n'
               'rows = optim.select(runs, tuned.best_lr) if lrmode == "tuned" else range(len(runs.kinds))\n'
               'for r in rows:\n'
               '    final = "final f − f*" if land.f_min is not None else "final f"\n'
               '    value = optim.gap(land, runs.losses[-1, [r]])[0]\n'
               '    name = optim.OPTIMIZERS[runs.kinds[r]][0]\n'
               '    print(f"{name}: learning rate {runs.lrs[r]:.3g}, {final} {value:.3e}")'),
    ("op", "Theory"): View(
        names={"quadratic_theory": "th"},
        prints='import math\n'
               'for label, rate in [("GD rate, measured", th.gd_rate_measured),\n'
               '                    ("GD rate, theory", th.gd_rate_theory),\n'
               '                    ("Heavy ball, measured", th.hb_rate_measured),\n'
               '                    ("Heavy ball, theory", th.hb_rate_theory)]:\n'
               '    print(f"{label}: {rate:.5f}" if math.isfinite(rate) else f"{label}: —")'),
    ("op", "Fair race"): View(
        names={"tune": "tuned, runs"},
        prints='import numpy as np\n'
               'land = optim.landscape(${tune.land_key}, ${tune.kappa}, ${tune.angle})\n'
               'final = "mean final f − f*" if land.f_min is not None else "mean final f"\n'
               'for k, lr in tuned.best_lr.items():\n'
               '    rows = runs.rows(k)[np.isclose(runs.lrs[runs.rows(k)], lr)]  # its seeds at its tuned rate\n'
               '    steps = tuned.steps_to_target[k]\n'
               '    steps = f"{steps:.0f}" if np.isfinite(steps) else "never"\n'
               '    worst = float(np.max(optim.gap(land, runs.losses[-1, rows])))\n'
               '    diverged = int(np.sum(runs.diverged_at[rows] >= 0))\n'
               '    print(f"{optim.OPTIMIZERS[k][0]}: tuned rate {lr:.3g}, steps to target {steps}, "\n'
               '          f"{final} {tuned.final[k]:.3e}, worst seed {worst:.3e}, diverged {diverged}")'),
    # The table's seconds are this machine's; the losses and accuracies are the same everywhere (seeded).
    ("op", "A real network"): View(
        names={"train_race": "race"},
        prints='for i, k in enumerate(race.kinds):\n'
               '    print(f"{optim.OPTIMIZERS[k][0]}: learning rate {race.lrs[k]:.3g}, "\n'
               '          f"final training loss {race.train_loss[i, -1]:.4f}, "\n'
               '          f"train accuracy {race.train_acc[i]:.1%}, test accuracy {race.test_acc[i]:.1%}")'),
}
