"""Charts of the Harmonic Analysis explorer: signals (long ones as a min/max envelope), spectra, the
convolution theorem, aliasing, spectrograms and scalograms, wavelet coefficients per level, error curves,
filter responses, and small filters as heatmaps.

Charts whose structure stays while a slider moves are :class:`ui.charts.Template`s (structure built once,
data named)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.harmonic import CHART_POINTS, envelope
from ui.charts import PALETTE, Template
from ui.figures import legend

SERIES_COLOURS = ["#999999", "#0072B2", "#D55E00", "#009E73", "#CC79A7"]
TIME_AXIS = alt.Axis(tickCount=8, labelOverlap=True)


def png(gray: np.ndarray) -> bytes:
    """An 8-bit grayscale picture as PNG bytes (for st.image, which then sends them as they are)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(gray, dtype=np.uint8)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def snr_text(v: float) -> str:
    """An SNR for a metric (short: it must fit one): infinite when no noise was added, a dash when there is no
    signal."""
    return "∞ dB" if v == np.inf else "—" if np.isnan(v) else f"{v:.2f} dB"  # the page says why it is ∞


def scale_table(sc, rows: np.ndarray, freq_unit: str, time_unit: str) -> pd.DataFrame:
    """A few rows of the scale ↔ frequency ↔ period correspondence of a scalogram, to 4 significant digits."""
    return pd.DataFrame({f"frequency ({freq_unit})": sc.freqs[rows], f"period ({time_unit})": 1 / sc.freqs[rows],
                         "scale s": sc.scales[rows]}).map(lambda v: f"{v:.4g}")


def _series_frame(series: dict[str, tuple[np.ndarray, np.ndarray]], points: int = CHART_POINTS) -> pd.DataFrame:
    parts = []
    for i, (name, (t, x)) in enumerate(series.items()):
        te, xe = envelope(np.asarray(t, dtype=float), np.asarray(x, dtype=float), points)
        parts.append(pd.DataFrame({"t": te, "value": xe, "series": name, "order": i}))
    return pd.concat(parts, ignore_index=True)


def _build_lines(title: str, x_title: str, y_title: str, names: tuple[str, ...], height: int,
                 widths: tuple[float, ...], colours: tuple[str, ...]) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="lines"), title=title).mark_line(clip=True).encode(
        x=alt.X("t:Q", title=x_title, scale=alt.Scale(nice=False, zero=False), axis=TIME_AXIS),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", scale=alt.Scale(domain=list(names), range=list(colours)),
                        legend=legend(orient="top", title=None) if len(names) > 1 else None),
        strokeWidth=alt.StrokeWidth("series:N", scale=alt.Scale(domain=list(names), range=list(widths)),
                                    legend=None),
        detail=alt.Detail("order:Q"),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("t:Q", format=".4g"), alt.Tooltip("value:Q", format=".4g")],
    ).properties(height=height)


def lines(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str = "value",
          height: int = 240, widths: tuple[float, ...] | None = None, colours: tuple[str, ...] | None = None
          ) -> tuple[Template, pd.DataFrame]:
    """Signals on one time axis; each series with more than 2×CHART_POINTS samples is sent as its per-bucket
    minimum and maximum (the envelope), so every spike stays visible."""
    df = _series_frame(series)
    names = tuple(series)
    widths = widths or tuple([1.2] * len(names))
    colours = colours or tuple(SERIES_COLOURS[: len(names)])
    return Template(_build_lines, (title, x_title, y_title, names, height, widths, colours), {"lines": df}), df


def _build_spectrum(title: str | tuple[str, str], unit: str, band: bool, log: bool, y_title: str | tuple[str, ...],
                    names: tuple[str, ...]) -> alt.LayerChart:
    x = alt.X("f:Q", title=f"frequency ({unit})", scale=alt.Scale(nice=False))
    layers = []
    if band:
        layers.append(alt.Chart(alt.NamedData(name="band")).mark_rect(color="#009E73", opacity=0.14).encode(
            x=alt.X("f0:Q"), x2=alt.X2("f1:Q")))
    y_title = list(y_title) if isinstance(y_title, tuple) else y_title  # a list: one line each
    layers.append(alt.Chart(alt.NamedData(name="amp")).mark_line(clip=True).encode(
        x=x, y=alt.Y("amplitude:Q", title=y_title, scale=alt.Scale(type="log") if log else alt.Scale()),
        color=alt.Color("series:N", scale=alt.Scale(domain=list(names), range=["#999999", "#0072B2"][: len(names)]
                                                    if len(names) > 1 else ["#0072B2"]),
                        legend=legend(orient="top", title=None) if len(names) > 1 else None),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("f:Q", format=".4g"), alt.Tooltip("amplitude:Q", format=".3e")]))
    title = alt.Title(title[0], subtitle=title[1]) if isinstance(title, tuple) else title
    return alt.layer(*layers, title=title).properties(height=240)


AMPLITUDE_TITLE = ("|X_k| / N: a sine of", "amplitude A shows A/2")


def spectrum_chart(freqs: np.ndarray, amps: dict[str, np.ndarray], unit: str, title: str | tuple[str, str],
                   band: list[tuple[float, float]] | None = None, log: bool = True,
                   y_title: str | tuple[str, ...] = AMPLITUDE_TITLE) -> tuple[Template, pd.DataFrame]:
    """Amplitude spectra (rfft bins; long ones reduced to their envelope), with the passband shaded. On a log
    axis, bins below 10⁻⁹ of the largest (a filter's stopband: exact zeros) are left out, not drawn at a floor.
    The default axis title says what the height is: |X_k|/N, so a sine of amplitude A on a bin shows A/2 (its
    other half sits at −f, in the bins rfft leaves out); a tuple is a title on several lines. ``title`` may be
    (title, subtitle)."""
    parts = []
    top = max(float(np.max(a)) for a in amps.values()) or 1.0
    for name, a in amps.items():
        fe, ae = envelope(freqs, np.asarray(a, dtype=float))
        if log:
            ae = np.where(ae > 1e-9 * top, ae, np.nan)
        parts.append(pd.DataFrame({"f": fe, "amplitude": ae, "series": name}))
    df = pd.concat(parts, ignore_index=True)
    data = {"amp": df}
    if band:
        data["band"] = pd.DataFrame(band, columns=["f0", "f1"])
    return Template(_build_spectrum, (title, unit, bool(band), log, y_title, tuple(amps)), data), df


def _build_alias(title: str) -> alt.LayerChart:
    x = alt.X("t:Q", title="time (s)", scale=alt.Scale(nice=False), axis=TIME_AXIS)
    y = alt.Y("value:Q", title="value", scale=alt.Scale(domain=[-1.6, 1.6]))
    colour = alt.Color("series:N", scale=alt.Scale(domain=["the tone", "what the samples rebuild", "samples"],
                                                   range=["#999999", "#D55E00", "#0072B2"]),
                       legend=legend(orient="top", title=None))
    line = alt.Chart(alt.NamedData(name="curves")).mark_line(clip=True).encode(x=x, y=y, color=colour,
                                                                                detail="series:N")
    dots = alt.Chart(alt.NamedData(name="samples")).mark_circle(size=70, opacity=1).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("t:Q", format=".4f"), alt.Tooltip("value:Q", format=".3f")])
    stems = alt.Chart(alt.NamedData(name="samples")).mark_rule(opacity=0.5).encode(
        x=x, y=y, y2=alt.Y2("zero:Q"), color=colour)
    return alt.layer(line, stems, dots, title=title).properties(height=260)


def alias_chart(a, title: str) -> tuple[Template, pd.DataFrame]:
    curves = pd.concat([pd.DataFrame({"t": a.t_fine, "value": a.tone, "series": "the tone"}),
                        pd.DataFrame({"t": a.t_fine, "value": a.rebuilt, "series": "what the samples rebuild"})])
    samples = pd.DataFrame({"t": a.t_samples, "value": a.samples, "series": "samples", "zero": 0.0})
    return Template(_build_alias, (title,), {"curves": curves, "samples": samples}), samples


def _build_heatmap(title: str, unit: str, t_title: str, log_y: bool, colour: str, coi: bool,
                   domain: tuple[float, float] | None) -> alt.LayerChart:
    x = alt.X("t0:Q", title=t_title, scale=alt.Scale(nice=False, zero=False), axis=TIME_AXIS)
    y_scale = alt.Scale(type="log", nice=False) if log_y else alt.Scale(nice=False, zero=True)
    cells = alt.Chart(alt.NamedData(name="cells")).mark_rect().encode(
        x=x, x2=alt.X2("t1:Q"), y=alt.Y("f0:Q", title=f"frequency ({unit})", scale=y_scale), y2=alt.Y2("f1:Q"),
        color=alt.Color("level:Q", scale=alt.Scale(scheme="viridis", domain=list(domain) if domain else alt.Undefined,
                                                   clamp=True),
                        legend=legend(title=colour, orient="right", gradientLength=160)),
        tooltip=[alt.Tooltip("t:Q", title="time", format=".4g"), alt.Tooltip("f:Q", title="frequency", format=".4g"),
                 alt.Tooltip("level:Q", format=".3g")])
    layers = [cells]
    if coi:
        layers.append(alt.Chart(alt.NamedData(name="coi")).mark_line(color="white", strokeDash=[6, 4], strokeWidth=2,
                                                                     clip=True).encode(
            x=alt.X("t:Q"), y=alt.Y("f:Q", scale=y_scale),
            tooltip=[alt.Tooltip("t:Q", format=".4g"), alt.Tooltip("f:Q", title="edge effects below", format=".4g")]))
    return alt.layer(*layers, title=title).properties(height=300)


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    c = np.log(centres) if log else np.asarray(centres, dtype=float)
    if len(c) == 1:
        e = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = (c[1:] + c[:-1]) / 2
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if log else e


def heatmap(times: np.ndarray, freqs: np.ndarray, values: np.ndarray, title: str, unit: str, t_title: str,
            colour: str, log_y: bool = False, coi: np.ndarray | None = None, span: float | None = None
            ) -> tuple[Template, pd.DataFrame]:
    """A time–frequency picture (values[f, t]) as rectangles on real axes (a log axis for a scalogram), its
    colours spanning the top ``span`` (dB or decades) of the values, and the wavelet's cone of influence
    (``coi``: per time, the lowest frequency free of edge effects) as a dashed line."""
    te = _edges(times, False)
    fe = _edges(freqs, log_y)
    if not log_y:
        fe = np.clip(fe, 0, None)
    fi, ti = np.indices(values.shape)
    df = pd.DataFrame({"t": times[ti.ravel()], "f": freqs[fi.ravel()], "t0": te[ti.ravel()], "t1": te[ti.ravel() + 1],
                       "f0": fe[fi.ravel()], "f1": fe[fi.ravel() + 1], "level": values.ravel()})
    data = {"cells": df}
    if coi is not None:
        data["coi"] = pd.DataFrame({"t": times, "f": np.clip(coi, fe.min(), fe.max())})
    top = float(np.nanmax(values))
    domain = (top - span, top) if span else None
    return Template(_build_heatmap, (title, unit, t_title, log_y, colour, coi is not None, domain), data), df


def _build_coefficients(names: tuple[str, ...], t_title: str, title: str) -> alt.FacetChart:
    J = len(names) - 1
    base = alt.Chart(alt.NamedData(name="coef")).mark_bar(width=1.2).encode(
        x=alt.X("t:Q", title=t_title, scale=alt.Scale(nice=False, zero=False), axis=TIME_AXIS),
        y=alt.Y("coefficient:Q", title=None, axis=alt.Axis(tickCount=3)),
        color=alt.Color("order:Q", scale=alt.Scale(scheme="viridis", domain=[0, max(J, 1)]), legend=None),
        tooltip=[alt.Tooltip("band:N"), alt.Tooltip("t:Q", format=".4g"), alt.Tooltip("coefficient:Q", format=".4g")],
    ).properties(height=max(42, 300 // (J + 1)), width=560)
    return base.facet(row=alt.Row("band:N", sort=list(names), title=None,
                                  header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=13)),
                      spacing=4).resolve_scale(y="independent").properties(title=title)


def coefficients_chart(coeffs: list[np.ndarray], duration: float, t0: float, t_title: str, title: str
                       ) -> tuple[Template, pd.DataFrame]:
    """Each band of a wavelet decomposition on its own row, placed on the signal's time axis (coefficient k of
    level j sits near time k·2ʲ): cA_J on top, the finest details cD_1 at the bottom."""
    J = len(coeffs) - 1
    names = tuple([f"cA{J}"] + [f"cD{J - i}" for i in range(J)])
    parts = []
    for i, (name, c) in enumerate(zip(names, coeffs, strict=True)):
        t = t0 + (np.arange(len(c)) + 0.5) * duration / max(len(c), 1)
        te, ce = envelope(t, np.asarray(c, dtype=float), 600)
        parts.append(pd.DataFrame({"t": te, "coefficient": ce, "band": name, "order": i}))
    df = pd.concat(parts, ignore_index=True)
    return Template(_build_coefficients, (names, t_title, title), {"coef": df}), df


def energy_chart(energies: np.ndarray, total: float, title: str, subtitle: str = "") -> tuple[alt.Chart, pd.DataFrame]:
    J = len(energies) - 1
    names = [f"cA{J}"] + [f"cD{J - i}" for i in range(J)]
    share = np.maximum(energies / (total or 1.0), 1e-12)
    # a bar on a log axis needs a base other than 0 (log 0 draws nothing): the power of ten below the smallest
    base = 10.0 ** np.floor(np.log10(share.min()))
    df = pd.DataFrame({"band": names, "share": share, "base": base})
    chart = alt.Chart(df, title=alt.Title(title, subtitle=subtitle) if subtitle else title).mark_bar(
        color="#0072B2").encode(
        x=alt.X("band:N", sort=names, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="share of the energy", axis=alt.Axis(format="~%"),
                scale=alt.Scale(type="log", domain=[base, 1])),
        y2=alt.Y2("base:Q"),
        tooltip=[alt.Tooltip("band:N"), alt.Tooltip("share:Q", format=".3%")]).properties(height=220)
    return chart, df


def _build_errors(title: str) -> alt.LayerChart:
    x = alt.X("kept:Q", title="share of the N numbers kept", scale=alt.Scale(type="log", nice=False),
              axis=alt.Axis(format="%"))
    lines_ = alt.Chart(alt.NamedData(name="curve")).mark_line(point=alt.OverlayMarkDef(size=22)).encode(
        x=x, y=alt.Y("error:Q", title="‖x − x̂‖ / ‖x‖", scale=alt.Scale(type="log")),
        color=alt.Color("basis:N", scale=alt.Scale(domain=["wavelet", "Fourier"], range=["#0072B2", "#D55E00"]),
                        legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("basis:N"), alt.Tooltip("kept:Q", format=".2%"), alt.Tooltip("error:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name="chosen")).mark_rule(strokeDash=[5, 4], color="#333").encode(x=x)
    return alt.layer(lines_, rule, title=title).properties(height=260)


def error_curves(fractions: np.ndarray, wavelet: np.ndarray, fourier: np.ndarray, chosen: float, title: str
                 ) -> tuple[Template, pd.DataFrame]:
    # on a log axis an exact reconstruction (error 0 up to rounding) is drawn at 10⁻⁸
    df = pd.concat([pd.DataFrame({"kept": fractions, "error": np.maximum(wavelet, 1e-8), "basis": "wavelet"}),
                    pd.DataFrame({"kept": fractions, "error": np.maximum(fourier, 1e-8), "basis": "Fourier"})],
                   ignore_index=True)
    return Template(_build_errors, (title,), {"curve": df, "chosen": pd.DataFrame({"kept": [chosen]})}), df


def response_chart(omega: np.ndarray, low: np.ndarray, high: np.ndarray, title: str) -> tuple[alt.Chart, pd.DataFrame]:
    """|H(ω)| of the low-pass and high-pass analysis filters, and |H₀|² + |H₁|² (flat at 2 when orthogonal)."""
    names = ["low-pass (approximation)", "high-pass (detail)", "√(|H₀|² + |H₁|²)"]
    df = pd.concat([pd.DataFrame({"w": omega / np.pi, "gain": low, "filter": names[0]}),
                    pd.DataFrame({"w": omega / np.pi, "gain": high, "filter": names[1]}),
                    pd.DataFrame({"w": omega / np.pi, "gain": np.sqrt(low**2 + high**2), "filter": names[2]})],
                   ignore_index=True)
    # the same colours as the layer's two kernels beside it: approximation blue, detail orange
    chart = alt.Chart(df, title=title).mark_line().encode(
        x=alt.X("w:Q", title="frequency ω / π (1 = half the sampling rate)", scale=alt.Scale(nice=False)),
        y=alt.Y("gain:Q", title="gain |H(ω)|"),
        color=alt.Color("filter:N", scale=alt.Scale(domain=names, range=[PALETTE[0], PALETTE[1], "#999999"]),
                        legend=legend(orient="top", title=None, columns=2)),
        strokeDash=alt.StrokeDash("filter:N", scale=alt.Scale(domain=names, range=[[1, 0], [1, 0], [4, 3]]),
                                  legend=None),
        tooltip=[alt.Tooltip("filter:N"), alt.Tooltip("w:Q", format=".3f"), alt.Tooltip("gain:Q", format=".4f")],
    ).properties(height=240)
    return chart, df


def taps_chart(weights: np.ndarray, names: tuple[str, str], title: str) -> tuple[alt.Chart, pd.DataFrame]:
    """The conv layer's kernels as stems (one colour per output channel)."""
    df = pd.concat([pd.DataFrame({"tap": np.arange(len(w)), "weight": w, "channel": n})
                    for w, n in zip(weights, names, strict=True)], ignore_index=True)
    base = alt.Chart(df).encode(x=alt.X("tap:O", title="tap"), xOffset=alt.XOffset("channel:N"),
                                color=alt.Color("channel:N", scale=alt.Scale(range=PALETTE[:2]),
                                                legend=legend(orient="top", title=None)))
    bars = base.mark_bar().encode(y=alt.Y("weight:Q", title="weight"),
                                  tooltip=[alt.Tooltip("channel:N"), alt.Tooltip("tap:O"),
                                           alt.Tooltip("weight:Q", format=".5f")])
    return bars.properties(title=title, height=200), df


def _build_kernels(title: str, signed: bool, cell: int, columns: int) -> alt.FacetChart:
    scale = (alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True) if signed
             else alt.Scale(scheme="greys", domain=[0, 1]))
    base = alt.Chart(alt.NamedData(name="kernels")).mark_rect().encode(
        x=alt.X("c:O", axis=None), y=alt.Y("r:O", axis=None), color=alt.Color("value:Q", scale=scale, legend=None),
        tooltip=[alt.Tooltip("filter:N"), alt.Tooltip("r:O"), alt.Tooltip("c:O"), alt.Tooltip("raw:Q", format=".4f")],
    ).properties(width=cell, height=cell)
    return base.facet(alt.Facet("filter:N", sort=alt.SortField("order"), title=None,
                                header=alt.Header(labelFontSize=12)),
                      columns=columns, spacing=6).properties(title=title)


def kernel_grid(kernels: np.ndarray, names: list[str], title: str, signed: bool, cell: int = 64,
                columns: int = 8) -> tuple[Template, pd.DataFrame]:
    """Small 2-D arrays side by side, each scaled by its largest |value|: signed (red–blue around 0) for
    filters, greys for spectra."""
    k, h, w = kernels.shape
    rr, cc = np.indices((h, w))
    parts = []
    for i in range(k):
        v = kernels[i] / (np.abs(kernels[i]).max() or 1.0)
        parts.append(pd.DataFrame({"r": rr.ravel(), "c": cc.ravel(), "value": v.ravel(), "raw": kernels[i].ravel(),
                                   "filter": names[i], "order": i}))
    df = pd.concat(parts, ignore_index=True)
    return Template(_build_kernels, (title, signed, cell, columns), {"kernels": df}), df


def loss_chart(losses: np.ndarray) -> tuple[alt.Chart, pd.DataFrame]:
    df = pd.DataFrame({"epoch": np.arange(1, len(losses) + 1), "loss": losses})
    chart = alt.Chart(df, title="Training loss").mark_line(point=True, color="#0072B2").encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1)), y=alt.Y("loss:Q", title="cross-entropy"),
        tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("loss:Q", format=".4f")]).properties(height=200)
    return chart, df


# The page's "try this" (kept here so the page script stays short).
TRY_THIS = (
    "Fourier, Sum of sines: a low-pass band ending between 5 and 20 Hz (the spectrum's subtitle gives it in Hz; "
    "2 % of fs/2 at N = 1,024) keeps only the 5 Hz sine: 67 % of the energy, 1/(1 + 0.6² + 0.35²).",
    "Aliasing: a 30 Hz tone sampled at 40 Hz looks like 10 Hz. Raise fs past 60 Hz and it comes back.",
    "Time and frequency, Doppler: slide the STFT window from 8 to 1,024 and watch time blur into frequency.",
    "Wavelet transform: push the level past the useful maximum; the reconstruction stays perfect.",
    "Wavelet transform, HeaviSine with noise 0: Haar (1 vanishing moment) leaves details all along the curve; "
    "db4 (4 vanishing moments) only at the two jumps, apart from its coarsest band. Why? See the math.",
    "Denoise, Blocks with noise 0.3: Haar and hard thresholding beat db8 and soft. Why?",
    "Compression at 2 %: Blocks or Bumps against Sum of sines — who wins, wavelets or Fourier?",
    "Wavelets to CNNs: train with 3×3 filters and compare them with the Haar filters (2×2).",
)

# The page's longer notices and captions (kept here so the page script stays short).
TEXT = {
    "filters": (
        'Removing frequencies is a multiplication in frequency. A brick-wall filter rings (Gibbs) '
        'around jumps: its impulse response is a sinc, which never ends.'
    ),
    "cwt": (
        'Below the dashed line (the cone of influence, e-folding time √2·s as for the Morlet) the '
        "wavelet overlaps the signal's ends: those coefficients are edge effects, not content. "
        'Colour: log₁₀ |W|²/s.'
    ),
    "stft": (
        'The STFT tiles the plane with equal boxes: a long window sharpens frequency and blurs '
        "time, a short one the reverse (σ_t·σ_f is set by the window's shape, never below 1/(4π)). "
        "The CWT's boxes are short at high frequencies and long at low ones: it zooms."
    ),
    "dwt": (
        'Each level halves the length: the approximation keeps the slow part, the details hold what'
        ' changed at that scale. Smooth stretches give tiny details; jumps light up every level.'
    ),
    "soft": (
        'Soft thresholding with the universal λ shrinks every surviving coefficient too, so it '
        'over-smooths (VisuShrink); hard thresholding keeps them. Try a smaller multiplier with '
        'soft.'
    ),
    "images": (
        'Almost all the energy sits in the small approximation; the details are sparse, bright only'
        " at edges. Keep the largest few percent and the picture survives — that is JPEG 2000's "
        'idea.'
    ),
    "cnn": (
        'Read the spectra: most learned filters pass a band of frequencies away from zero, many of '
        "them in one orientation, like the wavelet's three detail filters. A CNN layer is a filter "
        'bank whose filters are trained, not designed.'
    ),
}
