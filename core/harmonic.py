"""Chapter 10, Harmonic analysis for CNNs: Fourier and wavelet transforms in torch, and the bridge to
convolutional networks.

Signals come from PyWavelets (an ECG trace, El Niño sea-surface temperatures, Donoho–Johnstone's test
functions), simple synthetic ones, or a validated upload; images from PyWavelets and scikit-learn.

The discrete wavelet transform is written here with ``torch.nn.functional.conv1d``/``conv2d``: one
level is a stride-2 convolution with the wavelet's two (or, in 2-D, four) filters after the signal is
extended at its ends. The extension modes reproduce PyWavelets' exactly (``periodization``,
``symmetric``, ``zero``, ``reflect``, ``periodic``, ``constant``); the unit tests compare coefficient by
coefficient with ``pywt.wavedec``/``waverec``/``wavedec2``. The continuous transform (scalogram) is
PyWavelets' ``pywt.cwt``. ``pywt`` is imported inside functions, so the home page never loads it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from core.data import DataError, read_text
from core.device import as_tensor, compute_dtype
from core.threads import seeded

MAX_SAMPLES = 2**16
MIN_SAMPLES = 8
CHART_POINTS = 2000  # buckets a long signal is reduced to for the browser (two points each: min and max)

SIGNALS = {  # short labels for the select box (they are also what a shared link carries)
    "ecg": "ECG (PyWavelets)",
    "nino": "El Niño temperatures",
    "blocks": "Blocks",
    "bumps": "Bumps",
    "doppler": "Doppler",
    "heavisine": "HeaviSine",
    "chirp": "Linear chirp",
    "sines": "Sum of sines",
    "square": "Square wave",
}
SIGNAL_NAMES = {  # the full names, for the signal's description
    "ecg": "ECG trace (PyWavelets, 1,024 samples)",
    "nino": "El Niño: sea-surface temperature (NOAA, 1950–2016)",
    "blocks": "Blocks (Donoho–Johnstone)",
    "bumps": "Bumps (Donoho–Johnstone)",
    "doppler": "Doppler (Donoho–Johnstone)",
    "heavisine": "HeaviSine (Donoho–Johnstone)",
    "chirp": "Linear chirp (0 → a quarter of the sampling rate)",
    "sines": "Sum of sines (5, 20 and 60 Hz)",
    "square": "Square wave (8 Hz)",
}
SINE_TONES = ((5.0, 1.0), (20.0, 0.6), (60.0, 0.35))  # "sines": (frequency in Hz, amplitude) over one second
SIZES = tuple(2**k for k in range(8, 17))  # the lengths a synthetic signal can have on the page
# Band edges offered on the Fourier tab, in % of fs/2: log-spaced at the low end, so that for every N in SIZES a
# low-pass edge between the 5 Hz and the 20 Hz sine exists (at N = 65,536, fs/2 is 32,768 Hz: 0.02 % is 6.6 Hz)
BAND_PERCENTS = (0, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 55,
                 60, 65, 70, 75, 80, 85, 90, 95, 100)
REAL = ("ecg", "nino")
FAMILIES = {
    "haar": "Haar (2 taps)", "db2": "Daubechies 2 (4 taps)", "db4": "Daubechies 4 (8 taps)",
    "db8": "Daubechies 8 (16 taps)", "sym4": "Symlet 4 (8 taps)", "sym8": "Symlet 8 (16 taps)",
    "coif2": "Coiflet 2 (12 taps)", "bior2.2": "Biorth. 2.2 (6 taps)", "bior4.4": "Biorth. 4.4 (10 taps)",
}
MODES = {  # what each mode does (the select box shows the name itself)
    "periodization": "periodization (wrap; N coefficients in all)",
    "symmetric": "symmetric (mirror, edge repeated)",
    "zero": "zero (pad with zeros)",
    "reflect": "reflect (mirror, edge not repeated)",
    "periodic": "periodic (wrap, redundant)",
    "constant": "constant (repeat the edge value)",
}
CWT_WAVELETS = {"morl": "Morlet", "cmor1.5-1.0": "Complex Morlet", "mexh": "Mexican hat",
                "gaus1": "Gaussian derivative 1"}
CWT_NAMES = {**CWT_WAVELETS, "cmor1.5-1.0": "Complex Morlet (B = 1.5, C = 1)"}
IMAGES = {"camera": "Cameraman", "ascent": "Ascent", "aero": "Aerial view", "china": "Temple in China",
          "flower": "Flower"}
IMAGE_SOURCES = {"camera": "PyWavelets", "ascent": "PyWavelets", "aero": "PyWavelets", "china": "scikit-learn",
                 "flower": "scikit-learn"}


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu", torch.float64).numpy()


# ------------------------------------------------------------------------------------------- signals


@dataclass(frozen=True)
class Signal:
    """A uniformly sampled signal: the clean samples and, with noise added, the noisy ones."""

    name: str
    clean: np.ndarray
    noisy: np.ndarray
    fs: float  # samples per time unit
    time_unit: str  # "s", "year", "sample"
    freq_unit: str  # "Hz", "cycles/year", "cycles/sample"
    t0: float = 0.0
    noise: float = 0.0  # the noise's standard deviation, in units of the clean signal's
    description: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.clean)

    @property
    def t(self) -> np.ndarray:
        return self.t0 + np.arange(self.n) / self.fs


def _synthetic(name: str, n: int) -> np.ndarray:
    import pywt

    t = np.arange(n) / n
    if name in ("blocks", "bumps", "doppler", "heavisine"):
        return np.asarray(pywt.data.demo_signal({"heavisine": "HeaviSine"}.get(name, name.title()), n), dtype=float)
    if name == "chirp":
        return np.sin(2 * np.pi * (n / 8) * t**2)  # instantaneous frequency n/4 · t: 0 → fs/4
    if name == "sines":
        return sum(a * np.sin(2 * np.pi * f * t) for f, a in SINE_TONES)
    if name == "square":
        return np.where((8 * t) % 1 < 0.5, 1.0, -1.0)
    raise DataError(f"Unknown signal {name!r}; choose one of {', '.join(SIGNALS)}.")


def add_noise(x: np.ndarray, level: float, seed: int) -> np.ndarray:
    """``x`` plus white Gaussian noise whose standard deviation is ``level`` times x's (seeded)."""
    if level <= 0:
        return np.array(x, dtype=float)
    scale = float(np.std(x)) or 1.0
    return x + level * scale * np.random.default_rng(seed).standard_normal(len(x))


def make_signal(name: str, n: int = 1024, noise: float = 0.0, seed: int = 0, device: torch.device | None = None
                ) -> Signal:
    """A bundled signal (fixed length) or a synthetic one of ``n`` samples over one second, plus noise."""
    import pywt

    if name == "ecg":
        x = np.asarray(pywt.data.ecg(), dtype=float)
        sig = dict(fs=1.0, time_unit="sample", freq_unit="cycles/sample",
                   description="1,024 samples of an electrocardiogram shipped with PyWavelets (its sampling rate "
                               "is not documented, so time is in samples).")
    elif name == "nino":
        time, x = pywt.data.nino()
        x = np.asarray(x, dtype=float)
        sig = dict(fs=4.0, time_unit="year", freq_unit="cycles/year", t0=float(time[0]),
                   description="Quarterly Niño-3 sea-surface temperature anomaly, 1950–2016, standardized (NOAA "
                               "ERSSTv4, via PyWavelets): 264 samples, 4 a year.")
    else:
        if not MIN_SAMPLES <= n <= MAX_SAMPLES:
            raise DataError(f"A synthetic signal has {MIN_SAMPLES} to {MAX_SAMPLES:,} samples.")
        x = _synthetic(name, n)
        sig = dict(fs=float(n), time_unit="s", freq_unit="Hz",
                   description=f"{SIGNAL_NAMES[name]}: {n:,} samples over one second ({n:,} Hz).")
    x.setflags(write=False)
    noisy = add_noise(x, noise, seed)
    noisy.setflags(write=False)
    return Signal(name, x, noisy, noise=noise, **sig)


def with_noise(sig: Signal, noise: float, seed: int) -> Signal:
    noisy = add_noise(sig.clean, noise, seed)
    noisy.setflags(write=False)
    return Signal(sig.name, sig.clean, noisy, sig.fs, sig.time_unit, sig.freq_unit, sig.t0, noise, sig.description,
                  sig.notes)


def read_signal(raw: bytes, name: str = "upload") -> Signal:
    """A signal from an uploaded CSV/text file: one number per line, or columns (the last numeric column is
    the signal; a first column that rises in equal steps is taken as time and sets the sampling rate).

    Text and NaN cells are filled by linear interpolation between their neighbours (and dropped at the ends),
    each change listed in ``notes``. Raises :class:`DataError` with a message for the user."""
    import pandas as pd

    text, sep = read_text(raw)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, engine="python", header=None, nrows=MAX_SAMPLES + 2,
                            skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"Could not read the file as numbers in columns: {str(exc).splitlines()[0]}") from exc
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    notes: list[str] = []
    if len(frame) and numeric.iloc[0].isna().all() and frame.iloc[0].notna().any():
        numeric, frame = numeric.iloc[1:], frame.iloc[1:]  # a header row
    filled = frame.notna().sum()
    usable = [c for c in frame.columns if filled[c] and numeric[c].notna().sum() >= 0.5 * filled[c]]
    if not usable:
        raise DataError("No column of numbers was found; the file needs one number per line (or per row).")
    y = np.array(numeric[usable[-1]].to_numpy(dtype=float))
    fs = 1.0
    time_unit, freq_unit = "sample", "cycles/sample"
    if len(usable) >= 2:
        t = numeric[usable[0]].to_numpy(dtype=float)
        steps = np.diff(t[np.isfinite(t)])
        if len(steps) > 2 and np.all(steps > 0) and np.ptp(steps) <= 1e-6 * np.median(steps):
            fs = 1.0 / float(np.median(steps))
            time_unit, freq_unit = "time unit", "cycles per time unit"
            notes.append(f"The first column rises in equal steps of {np.median(steps):g}: it is used as time "
                         f"(sampling rate {fs:g}).")
    if len(y) > MAX_SAMPLES:
        y = y[:MAX_SAMPLES]
        notes.append(f"Only the first {MAX_SAMPLES:,} samples are used.")
    bad = ~np.isfinite(y)
    if bad.all():
        raise DataError("The signal column holds no numbers.")
    if bad.any():
        good = np.flatnonzero(~bad)
        lo, hi = good[0], good[-1]
        inner = bad[lo:hi + 1]
        if inner.any():
            idx = np.arange(lo, hi + 1)
            y[lo:hi + 1] = np.interp(idx, idx[~inner], y[lo:hi + 1][~inner])
            notes.append(f"{int(inner.sum())} missing, non-numeric or infinite value(s) were filled by linear "
                         "interpolation between their neighbours.")
        if lo > 0 or hi < len(y) - 1:
            notes.append(f"{lo + len(y) - 1 - hi} unusable value(s) at the ends were dropped.")
        y = y[lo:hi + 1]
    if len(y) < MIN_SAMPLES:
        raise DataError(f"Only {len(y)} usable sample(s); at least {MIN_SAMPLES} are needed.")
    y = np.ascontiguousarray(y)
    y.setflags(write=False)
    return Signal(name, y, y, fs, time_unit, freq_unit,
                  description=f"Uploaded file {name}: {len(y):,} samples.", notes=tuple(notes))


def envelope(t: np.ndarray, x: np.ndarray, points: int = CHART_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """A long series for the browser: per bucket of samples its minimum and its maximum, in the order they
    occur (so every spike stays visible); a short one comes back as it is."""
    n = len(x)
    if n <= 2 * points:
        return np.asarray(t), np.asarray(x)
    edges = np.linspace(0, n, points + 1).astype(int)
    width = int(np.max(np.diff(edges)))
    idx = np.minimum(edges[:-1, None] + np.arange(width)[None, :], edges[1:, None] - 1)
    block = x[idx]
    imin, imax = idx[np.arange(points), block.argmin(1)], idx[np.arange(points), block.argmax(1)]
    pair = np.sort(np.stack([imin, imax], 1), axis=1).ravel()
    return t[pair], x[pair]


def snr_db(clean: np.ndarray, estimate: np.ndarray) -> float:
    """10 log10(‖clean‖² / ‖estimate − clean‖²): inf for a perfect estimate, nan for a zero signal."""
    signal = float(np.sum(np.square(clean)))
    err = float(np.sum(np.square(np.asarray(estimate) - clean)))
    if signal == 0:
        return math.nan
    return math.inf if err == 0 else 10 * math.log10(signal / err)


# ------------------------------------------------------------------------------------------- Fourier


@dataclass(frozen=True)
class Spectrum:
    freqs: np.ndarray  # rfft bin frequencies
    amplitude: np.ndarray  # |X_k| / N
    energy_time: float  # Σ x²
    energy_freq: float  # (1/N) Σ |X_k|² over the full FFT (Parseval: equal)


def spectrum(x: np.ndarray, fs: float, device: torch.device) -> Spectrum:
    xt = as_tensor(x, device)
    n = xt.shape[-1]
    X = torch.fft.rfft(xt)
    w = torch.full((X.shape[-1],), 2.0, dtype=xt.dtype, device=device)  # bins counted twice in the full FFT
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    return Spectrum(np.fft.rfftfreq(n, 1 / fs), _np(X.abs() / n), float(torch.sum(xt**2)),
                    float(torch.sum(w * X.abs() ** 2) / n))


FILTERS = {"lowpass": "Low-pass", "highpass": "High-pass", "bandpass": "Band-pass", "bandstop": "Band-stop"}


def passband(kind: str, f_lo: float, f_hi: float, nyquist: float) -> list[tuple[float, float]]:
    """The frequency intervals an ideal filter lets through."""
    return {"lowpass": [(0, f_hi)], "highpass": [(f_lo, nyquist)], "bandpass": [(f_lo, f_hi)],
            "bandstop": [(0, f_lo), (f_hi, nyquist)]}[kind]


@dataclass(frozen=True)
class Filtered:
    y: np.ndarray
    gain: np.ndarray  # per rfft bin, 0 or 1
    kept_energy: float  # share of the signal's energy that passes


def fourier_filter(x: np.ndarray, fs: float, kind: str, f_lo: float, f_hi: float, device: torch.device
                   ) -> Filtered:
    """An ideal filter: multiply the spectrum by 1 on the passband and 0 elsewhere, transform back."""
    xt = as_tensor(x, device)
    n = xt.shape[-1]
    f = torch.fft.rfftfreq(n, 1 / fs, device=device, dtype=xt.dtype)
    lo, hi = min(f_lo, f_hi), max(f_lo, f_hi)
    passes = {"lowpass": f <= hi, "highpass": f >= lo, "bandpass": (f >= lo) & (f <= hi),
              "bandstop": (f < lo) | (f > hi)}
    if kind not in passes:
        raise DataError(f"Unknown filter {kind!r}.")
    gain = passes[kind].to(xt.dtype)
    y = torch.fft.irfft(torch.fft.rfft(xt) * gain, n=n)
    total = float(torch.sum(xt**2))
    return Filtered(_np(y), _np(gain), float(torch.sum(y**2)) / total if total else 0.0)


@dataclass(frozen=True)
class ConvolutionCheck:
    kernel: np.ndarray  # the (circular) kernel h, length N
    direct: np.ndarray  # Σ_m h[m] x[n − m mod N], by a convolution layer
    via_fft: np.ndarray  # irfft(rfft(x) · rfft(h))
    max_diff: float
    gain: np.ndarray  # |rfft(h)|, the kernel's frequency response


def convolution_theorem(x: np.ndarray, width: float, device: torch.device) -> ConvolutionCheck:
    """Smooth ``x`` with a Gaussian of ``width`` samples twice: as a circular convolution in time (conv1d over
    the circularly padded signal) and as a product in frequency. The difference is rounding error."""
    xt = as_tensor(x, device)
    n = xt.shape[-1]
    half = min(math.ceil(4 * width), (n - 1) // 2)
    taps = torch.arange(-half, half + 1, device=device, dtype=xt.dtype)
    h = torch.exp(-0.5 * (taps / width) ** 2)
    h = h / h.sum()
    padded = F.pad(xt.view(1, 1, n), (half, half), mode="circular")
    direct = F.conv1d(padded, h.flip(0).view(1, 1, -1)).view(n)
    hk = torch.zeros(n, dtype=xt.dtype, device=device)
    hk[torch.arange(-half, half + 1, device=device) % n] = h  # h centred at 0, wrapped
    H = torch.fft.rfft(hk)
    via = torch.fft.irfft(torch.fft.rfft(xt) * H, n=n)
    return ConvolutionCheck(_np(hk), _np(direct), _np(via), float((direct - via).abs().max()), _np(H.abs()))


@dataclass(frozen=True)
class Aliasing:
    t_fine: np.ndarray
    tone: np.ndarray  # the continuous tone on a fine grid
    t_samples: np.ndarray
    samples: np.ndarray
    rebuilt: np.ndarray  # Whittaker–Shannon (sinc) interpolation of the samples, on the fine grid
    f_alias: float  # the frequency the samples show: |f0 − k·fs| folded into [0, fs/2]
    f_peak: float  # the FFT peak of a long run of samples (agrees with f_alias)


def alias_frequency(f0: float, fs: float) -> float:
    r = f0 % fs
    return min(r, fs - r)


def aliasing(f0: float, fs: float, device: torch.device, duration: float = 1.0) -> Aliasing:
    """A cosine of ``f0`` Hz sampled at ``fs`` Hz: what the samples show and what they rebuild."""
    if f0 < 0 or fs <= 0:
        raise DataError("Frequencies must be positive.")
    dt = compute_dtype(device)
    tf = torch.linspace(0, duration, 800, device=device, dtype=dt)
    m = math.floor(duration * fs) + 1
    ts = torch.arange(m, device=device, dtype=dt) / fs
    tone = torch.cos(2 * math.pi * f0 * tf)
    samples = torch.cos(2 * math.pi * f0 * ts)
    # sinc interpolation with samples continuing on either side (a long window keeps the edges honest)
    ext = torch.arange(-3 * m, 4 * m, device=device, dtype=dt) / fs
    rebuilt = torch.sinc((tf[:, None] - ext[None, :]) * fs) @ torch.cos(2 * math.pi * f0 * ext)
    long = torch.cos(2 * math.pi * f0 * torch.arange(4096, device=device, dtype=dt) / fs)
    spec = torch.fft.rfft(long * torch.hann_window(4096, device=device, dtype=dt)).abs()
    f_peak = float(torch.argmax(spec)) * fs / 4096
    return Aliasing(_np(tf), _np(tone), _np(ts), _np(samples), _np(rebuilt), alias_frequency(f0, fs), f_peak)


@dataclass(frozen=True)
class STFT:
    times: np.ndarray
    freqs: np.ndarray
    db: np.ndarray  # (freqs, times) 20·log10 |X|, reduced for the browser (max over merged frames)
    window: int
    hop: int
    dt: float  # the window's duration W / fs
    df: float  # the spacing of the frequency bins, fs / W (not the resolution: see sigma_f)
    frames: int
    sigma_t: float  # the window's effective duration: r.m.s. width of |w(t)|² (time units)
    sigma_f: float  # its effective bandwidth: r.m.s. width of |ŵ(f)|² (frequency units)


def window_spread(w: torch.Tensor, fs: float, pad: int = 64) -> tuple[float, float]:
    """The effective widths of a window of samples ``w`` (rate ``fs``): σ_t, the standard deviation of time
    weighted by |w|², and σ_f, that of frequency weighted by |ŵ|² (its DTFT, sampled by an FFT zero-padded
    ``pad``-fold, over −fs/2 … fs/2). Gabor: σ_t·σ_f ≥ 1/(4π), with equality only for a Gaussian."""
    w = w.detach().to("cpu", torch.float64)  # a small vector: float64 everywhere (MPS has none)
    n = w.shape[-1]
    t = (torch.arange(n, dtype=w.dtype) - (n - 1) / 2) / fs
    e = w**2
    t0 = torch.sum(e * t) / torch.sum(e)
    sigma_t = torch.sqrt(torch.sum(e * (t - t0) ** 2) / torch.sum(e))
    P = torch.fft.fft(w, n=pad * n).abs() ** 2
    f = torch.fft.fftfreq(pad * n, 1 / fs, dtype=w.dtype)
    sigma_f = torch.sqrt(torch.sum(P * f**2) / torch.sum(P))  # a real window: |ŵ|² is even, its mean 0
    return float(sigma_t), float(sigma_f)


def stft(x: np.ndarray, fs: float, window: int, device: torch.device, max_cols: int = 160,
         max_rows: int = 96) -> STFT:
    """torch.stft with a Hann window of ``window`` samples and hop window/4 (frames centred, zero-padded)."""
    xt = as_tensor(x, device)
    n = xt.shape[-1]
    window = int(max(4, min(window, n)))
    hop = max(1, window // 4)
    hann = torch.hann_window(window, device=device, dtype=xt.dtype)
    X = torch.stft(xt, n_fft=window, hop_length=hop, window=hann, center=True, pad_mode="constant",
                   return_complex=True).abs()
    frames = X.shape[-1]
    mag = X
    if frames > max_cols:
        k = math.ceil(frames / max_cols)
        mag = F.max_pool1d(mag[None], k, k, ceil_mode=True)[0]
    if mag.shape[0] > max_rows:
        k = math.ceil(mag.shape[0] / max_rows)
        mag = F.max_pool1d(mag.T[None], k, k, ceil_mode=True)[0].T
    db = 20 * torch.log10(mag + 1e-12 * float(mag.max() or 1.0) + 1e-300)
    times = (np.arange(mag.shape[1]) + 0.5) * (frames / mag.shape[1]) * hop / fs
    freqs = np.linspace(0, fs / 2, mag.shape[0])
    return STFT(times, freqs, _np(db), window, hop, window / fs, fs / window, frames, *window_spread(hann, fs))


# ------------------------------------------------------------------------------------------- wavelets


@lru_cache(maxsize=32)
def filters(wavelet: str) -> dict[str, np.ndarray]:
    """The wavelet's four filters (PyWavelets' dec_lo, dec_hi, rec_lo, rec_hi) and whether it is orthogonal."""
    import pywt

    if wavelet not in pywt.wavelist(kind="discrete"):
        raise DataError(f"Unknown wavelet {wavelet!r}.")
    w = pywt.Wavelet(wavelet)
    return {"dec_lo": np.array(w.dec_lo), "dec_hi": np.array(w.dec_hi), "rec_lo": np.array(w.rec_lo),
            "rec_hi": np.array(w.rec_hi), "orthogonal": bool(w.orthogonal)}


def max_level(n: int, wavelet: str) -> int:
    """PyWavelets' maximum useful level: ⌊log₂(N / (L − 1))⌋ (0 for a signal shorter than the filter)."""
    L = len(filters(wavelet)["dec_lo"])
    return 0 if n < L - 1 else math.floor(math.log2(n / (L - 1)))


def level_notes(n: int, wavelet: str, level: int) -> list[str]:
    """What the user should know about a decomposition this deep of a signal this short."""
    L, top = len(filters(wavelet)["dec_lo"]), max_level(n, wavelet)
    notes = []
    if level > top:
        notes.append(f"⚠ Level {level} is beyond the maximum useful level {top} for {wavelet} on {n:,} samples: the "
                     "coarsest coefficients are mostly boundary effects (PyWavelets warns too). It still reconstructs "
                     "exactly.")
    if n < L:
        notes.append(f"The signal ({n} samples) is shorter than the {wavelet} filter ({L} taps): every coefficient "
                     "depends on the boundary mode.")
    return notes


def coefficient_length(n: int, wavelet: str, mode: str) -> int:
    L = len(filters(wavelet)["dec_lo"])
    return (n + 1) // 2 if mode == "periodization" else (n + L - 1) // 2


@lru_cache(maxsize=256)
def _index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Which sample each position lo…hi−1 of the extended signal copies (PyWavelets' conventions)."""
    i = np.arange(lo, hi)
    if mode in ("periodic", "periodization"):
        return np.mod(i, n)
    if mode == "symmetric":  # … x1 x0 | x0 x1 … x(n−1) | x(n−1) x(n−2) …
        j = np.mod(i, 2 * n)
        return np.where(j >= n, 2 * n - 1 - j, j)
    if mode == "reflect":  # … x2 x1 | x0 x1 … x(n−1) | x(n−2) …
        if n == 1:
            return np.zeros_like(i)
        j = np.mod(i, 2 * n - 2)
        return np.where(j >= n, 2 * n - 2 - j, j)
    if mode == "constant":
        return np.clip(i, 0, n - 1)
    raise DataError(f"Unknown extension mode {mode!r}; choose one of {', '.join(MODES)}.")


def extend(x: torch.Tensor, left: int, right: int, mode: str, dim: int = -1) -> torch.Tensor:
    """``x`` extended by ``left`` and ``right`` samples along ``dim`` as the mode says."""
    n = x.shape[dim]
    if mode == "zero":
        pads = [0, 0] * (x.dim() - 1 - (dim % x.dim())) + [left, right]
        return F.pad(x, pads)
    idx = torch.as_tensor(_index(n, -left, n + right, mode), device=x.device)
    return x.index_select(dim, idx)


@lru_cache(maxsize=64)
def _bank(wavelet: str, kind: str, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The filter bank as a (2, L) tensor, built once per wavelet, dtype and device (never written to)."""
    f = filters(wavelet)
    # analysis: cross-correlation kernels, so the filters reversed; synthesis: transposed-convolution kernels
    bank = np.stack([f["dec_lo"][::-1], f["dec_hi"][::-1]]) if kind == "dec" else np.stack([f["rec_lo"], f["rec_hi"]])
    return torch.from_numpy(np.ascontiguousarray(bank, dtype=np.float64)).to(device=device, dtype=dtype)


def _dwt_pads(n: int, L: int, mode: str) -> tuple[int, int]:
    if mode == "periodization":
        return L // 2 - 1, L // 2 - 1
    m = (n + L - 1) // 2
    return L - 2, 2 * m - n


def dwt_t(x: torch.Tensor, wavelet: str, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One DWT level on the last axis of ``x`` (any leading batch axes): extend, then a stride-2 conv1d with
    the two reversed analysis filters. Equals ``pywt.dwt(x, wavelet, mode)``."""
    bank = _bank(wavelet, "dec", x.dtype, x.device)
    L = bank.shape[-1]
    if mode == "periodization" and x.shape[-1] % 2:
        x = torch.cat([x, x[..., -1:]], -1)  # PyWavelets repeats the last sample of an odd-length signal
    lead, n = x.shape[:-1], x.shape[-1]
    xp = extend(x.reshape(-1, 1, n), *_dwt_pads(n, L, mode), mode)
    out = F.conv1d(xp, bank[:, None, :], stride=2)
    return out[:, 0].reshape(*lead, -1), out[:, 1].reshape(*lead, -1)


def idwt_t(a: torch.Tensor, d: torch.Tensor, wavelet: str, mode: str) -> torch.Tensor:
    """One inverse level: a stride-2 transposed convolution with the synthesis filters, cropped (or, for
    periodization, wrapped around). Equals ``pywt.idwt(a, d, wavelet, mode)``."""
    bank = _bank(wavelet, "rec", a.dtype, a.device)
    L = bank.shape[-1]
    lead, m = a.shape[:-1], a.shape[-1]
    full = F.conv_transpose1d(torch.stack([a.reshape(-1, m), d.reshape(-1, m)], 1), bank[:, None, :], stride=2)[:, 0]
    if mode != "periodization":
        return full[:, L - 2: 2 * m].reshape(*lead, -1)
    idx = torch.as_tensor(np.mod(np.arange(full.shape[-1]) - (L // 2 - 1), 2 * m), device=a.device)
    out = torch.zeros(full.shape[0], 2 * m, dtype=a.dtype, device=a.device).index_add_(1, idx, full)
    return out.reshape(*lead, -1)


def wavedec_t(x: torch.Tensor, wavelet: str, mode: str, level: int) -> list[torch.Tensor]:
    """[cA_level, cD_level, …, cD_1], as ``pywt.wavedec``."""
    details = []
    a = x
    for _ in range(level):
        a, d = dwt_t(a, wavelet, mode)
        details.append(d)
    return [a, *details[::-1]]


def waverec_t(coeffs: list[torch.Tensor], wavelet: str, mode: str) -> torch.Tensor:
    """The inverse of :func:`wavedec_t`, trimming as ``pywt.waverec`` does (an approximation one longer than
    its detail loses its last sample)."""
    a = coeffs[0]
    for d in coeffs[1:]:
        if a.shape[-1] == d.shape[-1] + 1:
            a = a[..., :-1]
        a = idwt_t(a, d, wavelet, mode)
    return a


@dataclass(frozen=True)
class Decomposition:
    coeffs: list[np.ndarray]  # [cA_J, cD_J, …, cD_1]
    reconstruction: np.ndarray
    max_error: float  # max |x − waverec(wavedec(x))|
    level: int
    useful_level: int
    energies: np.ndarray  # Σ c² per band, in the order of coeffs
    energy_signal: float


def decompose(x: np.ndarray, wavelet: str, mode: str, level: int, device: torch.device) -> Decomposition:
    xt = as_tensor(x, device)
    level = max(0, int(level))
    coeffs = wavedec_t(xt, wavelet, mode, level)
    rec = waverec_t(coeffs, wavelet, mode)[..., : xt.shape[-1]]
    return Decomposition([_np(c) for c in coeffs], _np(rec), float((rec - xt).abs().max()), level,
                         max_level(len(x), wavelet), np.array([float(torch.sum(c**2)) for c in coeffs]),
                         float(torch.sum(xt**2)))


def threshold(c: torch.Tensor, value: float, rule: str) -> torch.Tensor:
    if rule == "soft":
        return torch.sign(c) * torch.clamp(c.abs() - value, min=0)
    if rule == "hard":
        return c * (c.abs() > value)
    raise DataError(f"Unknown thresholding rule {rule!r}; use soft or hard.")


@dataclass(frozen=True)
class Denoised:
    y: np.ndarray
    sigma: float  # noise level estimated from the finest details: median(|cD₁|) / 0.6745
    threshold: float  # λ = scale · σ̂ · √(2 ln N)
    snr_in: float
    snr_out: float
    zeroed: float  # share of detail coefficients set to zero


def denoise(noisy: np.ndarray, clean: np.ndarray, wavelet: str, mode: str, level: int, rule: str, scale: float,
            device: torch.device) -> Denoised:
    """Donoho–Johnstone wavelet shrinkage with the universal threshold (scaled by ``scale``) on every
    detail level; the approximation is kept."""
    xt = as_tensor(noisy, device)
    n = xt.shape[-1]
    level = max(1, int(level))
    coeffs = wavedec_t(xt, wavelet, mode, level)
    sigma = float(torch.quantile(coeffs[-1].abs(), 0.5)) / 0.6745  # the mean of the middle two, as numpy
    lam = scale * sigma * math.sqrt(2 * math.log(max(n, 2)))
    shrunk = [coeffs[0]] + [threshold(d, lam, rule) for d in coeffs[1:]]
    y = waverec_t(shrunk, wavelet, mode)[..., :n]
    total = sum(d.numel() for d in coeffs[1:])
    zeroed = sum(int((s == 0).sum()) for s in shrunk[1:]) / max(total, 1)
    y_np = _np(y)
    return Denoised(y_np, sigma, lam, snr_db(clean, noisy), snr_db(clean, y_np), zeroed)


@dataclass(frozen=True)
class CompressionCurve:
    fractions: np.ndarray  # shares of N numbers kept
    wavelet_error: np.ndarray  # ‖x − x̂‖ / ‖x‖ per fraction
    fourier_error: np.ndarray


@dataclass(frozen=True)
class Compression:
    fraction: float
    wavelet_rec: np.ndarray
    fourier_rec: np.ndarray
    wavelet_error: float
    fourier_error: float


COMPRESSION_GRID = np.unique(np.round(np.geomspace(0.005, 0.6, 28), 4))


def _keep_largest(c: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """(P, M) masks: row p keeps the entries of |c| at or above the counts[p]-th largest (one sort for all
    rows; a tie at the threshold keeps every tied entry, which only matters for exact zeros)."""
    mag = c.abs()
    top = torch.sort(mag, descending=True).values
    thr = top[(counts.clamp(1, mag.numel()) - 1)]
    return mag[None, :] >= thr[:, None]


# Shares reconstructed in one batch. All 28 of the curve at once lifted the process's peak memory by 173 MiB on a
# 65,536-sample signal (the largest the page offers), most of a server's margin under 1 GiB; 4 at a time lift it by
# 48 MiB, in 0.14 s against 0.19 s (sym8, 12 levels, measured here, the transforms and sorts done once).
CURVE_BATCH = 4


def _compress_batches(x: np.ndarray, wavelet: str, level: int, fractions: np.ndarray, device: torch.device):
    """Reconstructions from the largest ``fractions`` of the wavelet coefficients (periodization: exactly N of
    them) and of the Fourier coefficients (half as many complex ones, two numbers each), and their relative
    errors: the transforms and their sorts once, then :data:`CURVE_BATCH` fractions per batched waverec and irfft.
    Yields (rec_w, rec_f, ew, ef) per batch, one row per fraction."""
    xt = as_tensor(x, device)
    n = xt.shape[-1]
    fr = np.asarray(fractions, dtype=float)
    coeffs = wavedec_t(xt, wavelet, "periodization", max(1, min(level, max(1, max_level(n, wavelet)))))
    sizes = [c.shape[-1] for c in coeffs]
    flat = torch.cat(coeffs)
    X = torch.fft.rfft(xt)
    norm = float(torch.linalg.vector_norm(xt)) or 1.0
    counts = torch.as_tensor(np.maximum(1, np.round(fr * n)).astype(np.int64), device=device)
    cf = torch.as_tensor(np.maximum(1, np.round(fr * n / 2)).astype(np.int64), device=device)
    keep_w, keep_f = _keep_largest(flat, counts), _keep_largest(X, cf)  # (P, n) booleans: small beside the recs
    for i in range(0, len(fr), CURVE_BATCH):
        part = slice(i, i + CURVE_BATCH)
        rec_w = waverec_t(list(torch.split(flat[None, :] * keep_w[part], sizes, dim=-1)), wavelet,
                          "periodization")[..., :n]
        rec_f = torch.fft.irfft(X[None, :] * keep_f[part], n=n)
        yield (rec_w, rec_f, _np(torch.linalg.vector_norm(rec_w - xt, dim=-1)) / norm,
               _np(torch.linalg.vector_norm(rec_f - xt, dim=-1)) / norm)


def compression_curve(x: np.ndarray, wavelet: str, level: int, device: torch.device,
                      grid: np.ndarray = COMPRESSION_GRID) -> CompressionCurve:
    """Relative error against the share of numbers kept, wavelets against Fourier, over ``grid``."""
    grid = np.asarray(grid, dtype=float)
    errors = [(ew, ef) for _, _, ew, ef in _compress_batches(x, wavelet, level, grid, device)]
    return CompressionCurve(grid, np.concatenate([e[0] for e in errors]), np.concatenate([e[1] for e in errors]))


def compress(x: np.ndarray, wavelet: str, level: int, fraction: float, device: torch.device) -> Compression:
    """Both reconstructions keeping the largest ``fraction`` of the numbers, and their relative errors."""
    ((rec_w, rec_f, ew, ef),) = _compress_batches(x, wavelet, level, np.array([fraction]), device)
    return Compression(fraction, _np(rec_w[0]), _np(rec_f[0]), float(ew[0]), float(ef[0]))


@dataclass(frozen=True)
class Scalogram:
    times: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    power: np.ndarray  # (scales, times) |W|²/s (Liu et al.'s rectification: a sine's power no longer grows with
    # its scale), reduced for the browser by the maximum over merged columns
    coi: np.ndarray  # cone of influence: per time, the lowest frequency free of edge effects
    factor: int  # block-averaging factor applied before the CWT (1: none)
    centre: float  # the wavelet's centre frequency (cycles per unit scale)


def scale_for(freq: np.ndarray | float, wavelet: str, dt: float) -> np.ndarray | float:
    """The scale whose wavelet oscillates at ``freq``: s = f_c / (f · Δt)."""
    import pywt

    return pywt.central_frequency(wavelet) / (np.asarray(freq) * dt)


def scalogram(x: np.ndarray, fs: float, wavelet: str, voices: int, f_min: float, device: torch.device,
              max_samples: int = 4096, max_cells: int = 16_000) -> Scalogram:
    """PyWavelets' CWT (``pywt.cwt``, FFT method) at scales spaced ``voices`` per octave from the Nyquist
    frequency down to ``f_min``. A signal longer than ``max_samples`` is block-averaged first; the picture keeps
    about ``max_cells`` cells (columns merged by their maximum)."""
    import pywt

    factor = max(1, math.ceil(len(x) / max_samples))
    xs = np.asarray(x, dtype=float)
    if factor > 1:
        m = len(xs) // factor * factor
        xs = xs[:m].reshape(-1, factor).mean(1)
    dt = factor / fs
    f_hi = 0.5 / dt
    f_lo = min(max(f_min, 1 / (len(xs) * dt)), f_hi / 2)
    octaves = math.log2(f_hi / f_lo)
    freqs = f_hi * 2.0 ** (-np.arange(int(octaves * voices) + 1) / voices)
    scales = scale_for(freqs, wavelet, dt)
    coef, _ = pywt.cwt(xs - xs.mean(), scales, wavelet, sampling_period=dt, method="fft")
    power = np.abs(coef) ** 2 / scales[:, None]
    max_cols = max(64, max_cells // len(scales))  # the browser draws one rectangle per cell
    k = max(1, math.ceil(power.shape[1] / max_cols))
    if k > 1:
        cols = power.shape[1] // k * k
        power = power[:, :cols].reshape(len(scales), -1, k).max(2)
    times = (np.arange(power.shape[1]) + 0.5) * k * dt
    # e-folding time √2·s·Δt (Torrence & Compo) around each edge, as a frequency: f_c·√2 / (distance)
    dist = np.minimum(times, len(xs) * dt - times)
    coi = pywt.central_frequency(wavelet) * math.sqrt(2) / np.maximum(dist, 1e-12)
    return Scalogram(times, freqs, scales, power, coi, factor, float(pywt.central_frequency(wavelet)))


# ------------------------------------------------------------------------------------------- images


@lru_cache(maxsize=6)
def load_image(name: str) -> np.ndarray:
    """A bundled grayscale image in [0, 1]."""
    if name in ("china", "flower"):
        from core.data import load_photo

        return load_photo(name)
    if name not in IMAGES:
        raise DataError(f"Unknown image {name!r}; choose one of {', '.join(IMAGES)}.")
    import pywt

    img = np.asarray(getattr(pywt.data, name)(), dtype=float)
    img = (img - img.min()) / (np.ptp(img) or 1.0)
    img.setflags(write=False)
    return img


@lru_cache(maxsize=64)
def _bank2(wavelet: str, kind: str, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The four separable 2-D filters (rows ⊗ columns): aa, da, ad, dd. In PyWavelets' naming the first
    letter is the filter along the rows' axis (−2): da = cH, ad = cV, dd = cD."""
    b = _bank(wavelet, kind, dtype, device)
    lo, hi = b[0], b[1]
    return torch.stack([torch.outer(u, v) for u, v in ((lo, lo), (hi, lo), (lo, hi), (hi, hi))])


def dwt2_t(img: torch.Tensor, wavelet: str, mode: str) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """One 2-D level, as one conv2d layer with four 2-D filters and stride 2. Equals ``pywt.dwt2``."""
    bank = _bank2(wavelet, "dec", img.dtype, img.device)
    L = bank.shape[-1]
    if mode == "periodization":
        if img.shape[-2] % 2:
            img = torch.cat([img, img[..., -1:, :]], -2)
        if img.shape[-1] % 2:
            img = torch.cat([img, img[..., -1:]], -1)
    lead, (h, w) = img.shape[:-2], img.shape[-2:]
    x = img.reshape(-1, 1, h, w)
    x = extend(x, *_dwt_pads(h, L, mode), mode, dim=-2)
    x = extend(x, *_dwt_pads(w, L, mode), mode, dim=-1)
    out = F.conv2d(x, bank[:, None], stride=2)
    parts = [out[:, i].reshape(*lead, *out.shape[-2:]) for i in range(4)]
    return parts[0], (parts[1], parts[2], parts[3])


def idwt2_t(a: torch.Tensor, details: tuple[torch.Tensor, ...], wavelet: str, mode: str) -> torch.Tensor:
    bank = _bank2(wavelet, "rec", a.dtype, a.device)
    L = bank.shape[-1]
    lead, (m, k) = a.shape[:-2], a.shape[-2:]
    stack = torch.stack([a.reshape(-1, m, k), *(d.reshape(-1, m, k) for d in details)], 1)
    full = F.conv_transpose2d(stack, bank[:, None], stride=2)[:, 0]
    if mode != "periodization":
        out = full[:, L - 2: 2 * m, L - 2: 2 * k]
    else:
        shift = L // 2 - 1
        ri = torch.as_tensor(np.mod(np.arange(full.shape[-2]) - shift, 2 * m), device=a.device)
        ci = torch.as_tensor(np.mod(np.arange(full.shape[-1]) - shift, 2 * k), device=a.device)
        rows = torch.zeros(full.shape[0], 2 * m, full.shape[-1], dtype=a.dtype, device=a.device).index_add_(1, ri, full)
        out = torch.zeros(full.shape[0], 2 * m, 2 * k, dtype=a.dtype, device=a.device).index_add_(2, ci, rows)
    return out.reshape(*lead, *out.shape[-2:])


def wavedec2_t(img: torch.Tensor, wavelet: str, mode: str, level: int) -> list:
    """[cA_J, (cH_J, cV_J, cD_J), …, (cH_1, cV_1, cD_1)], as ``pywt.wavedec2``."""
    details = []
    a = img
    for _ in range(level):
        a, d = dwt2_t(a, wavelet, mode)
        details.append(d)
    return [a, *details[::-1]]


def waverec2_t(coeffs: list, wavelet: str, mode: str) -> torch.Tensor:
    a = coeffs[0]
    for d in coeffs[1:]:
        a = a[..., : d[0].shape[-2], : d[0].shape[-1]]  # pywt.waverec2 trims an extra row or column
        a = idwt2_t(a, d, wavelet, mode)
    return a


def max_level_2d(shape: tuple[int, int], wavelet: str) -> int:
    return max_level(min(shape), wavelet)


@dataclass(frozen=True)
class ImageDWT:
    mosaic: np.ndarray  # uint8: the coefficients laid out LL / details, each band scaled for display
    original: np.ndarray  # uint8: the image itself, for display
    max_error: float  # perfect reconstruction check: max |x − waverec2(wavedec2(x))| (float32)
    band_energy: np.ndarray  # share of Σ c² in LL_J and in each level's details (coarse → fine)


@dataclass(frozen=True)
class ImageCompression:
    wavelet_rec: np.ndarray  # uint8, for display
    fourier_rec: np.ndarray  # uint8
    psnr_wavelet: float  # of the float reconstructions
    psnr_fourier: float
    kept: int  # numbers kept
    total: int


def as_uint8(a: np.ndarray) -> np.ndarray:
    return np.round(np.clip(a, 0, 1) * 255).astype(np.uint8)


def _image_tensor(img: np.ndarray | str, device: torch.device) -> torch.Tensor:
    """A bundled image (by name: nothing to hash for a cache) or an array, as float32 on ``device``."""
    if isinstance(img, str):
        img = load_image(img)
    # float32 everywhere: oneDNN's float32 convolutions are ~10× faster than float64 on the CPU, and an 8-bit
    # image needs no more (the unit tests check the float64 transform coefficient by coefficient)
    return torch.from_numpy(np.asarray(img, dtype=np.float32)).to(device)


def image_dwt(img: np.ndarray | str, wavelet: str, mode: str, level: int, device: torch.device) -> ImageDWT:
    """The 2-D DWT of ``img`` for display: the mosaic, the energy per band and the reconstruction error."""
    xt = _image_tensor(img, device)
    coeffs = wavedec2_t(xt, wavelet, mode, max(1, int(level)))
    rec = waverec2_t(coeffs, wavelet, mode)[: xt.shape[0], : xt.shape[1]]
    energy = np.array([float(torch.sum(coeffs[0] ** 2))] + [sum(float(torch.sum(d**2)) for d in ds)
                                                           for ds in coeffs[1:]])
    np_coeffs = [_np(coeffs[0])] + [tuple(_np(d) for d in ds) for ds in coeffs[1:]]
    return ImageDWT(as_uint8(mosaic(np_coeffs)), as_uint8(_np(xt)), float((rec - xt).abs().max()),
                    energy / energy.sum())


def psnr(ref: np.ndarray, est: np.ndarray, peak: float = 1.0) -> float:
    mse = float(np.mean((np.asarray(est) - ref) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(peak**2 / mse)


def _band_image(c: np.ndarray, approx: bool) -> np.ndarray:
    if approx:
        lo, hi = float(c.min()), float(c.max())
        return (c - lo) / ((hi - lo) or 1.0)
    top = float(np.percentile(np.abs(c), 99.5)) or 1.0
    return np.clip(np.abs(c) / top, 0, 1)


def mosaic(coeffs: list) -> np.ndarray:
    """The classic layout: the approximation top left, then at each level cV to its right, cH below, cD
    diagonally (bands cropped or padded to fit where the boundary mode makes them a little larger)."""
    block = _band_image(coeffs[0], True)
    for cH, cV, cD in coeffs[1:]:
        h, w = cH.shape
        top = np.zeros((h, w))
        hh, ww = min(h, block.shape[0]), min(w, block.shape[1])
        top[:hh, :ww] = block[:hh, :ww]
        block = np.block([[top, _band_image(cV, False)], [_band_image(cH, False), _band_image(cD, False)]])
    return block


def image_compression(img: np.ndarray | str, wavelet: str, mode: str, level: int, fraction: float,
                      device: torch.device) -> ImageCompression:
    """Keep the largest ``fraction`` of the 2-D wavelet coefficients, or of the 2-D Fourier coefficients (half as
    many complex ones), reconstruct, and score both by PSNR."""
    xt = _image_tensor(img, device)
    h, w = xt.shape
    coeffs = wavedec2_t(xt, wavelet, mode, max(1, int(level)))
    parts = [coeffs[0]] + [d for ds in coeffs[1:] for d in ds]
    flat = torch.cat([c.reshape(-1) for c in parts])
    k = min(max(1, round(fraction * h * w)), flat.numel())
    keep = flat.abs() >= torch.kthvalue(flat.abs(), flat.numel() - k + 1).values
    pieces = [c.reshape(p.shape) for c, p in zip(torch.split(flat * keep, [p.numel() for p in parts]), parts,
                                                 strict=True)]
    kept = [pieces[0]] + [tuple(pieces[1 + 3 * j: 4 + 3 * j]) for j in range(len(coeffs) - 1)]
    rec_w = _np(waverec2_t(kept, wavelet, mode)[:h, :w])
    X = torch.fft.rfft2(xt)
    kf = min(max(1, round(fraction * h * w / 2)), X.numel())
    mag = X.abs().reshape(-1)
    rec_f = _np(torch.fft.irfft2(X * (X.abs() >= torch.kthvalue(mag, mag.numel() - kf + 1).values), s=(h, w)))
    ref = load_image(img) if isinstance(img, str) else img
    return ImageCompression(as_uint8(rec_w), as_uint8(rec_f), psnr(ref, rec_w), psnr(ref, rec_f), k, flat.numel())


# ------------------------------------------------------------------------------------------- to CNNs


@dataclass(frozen=True)
class LayerCheck:
    weights: np.ndarray  # (2, 1, L): the conv layer's two kernels (reversed dec_lo, dec_hi)
    approx: np.ndarray
    detail: np.ndarray
    max_diff: float  # against pywt.dwt
    layer: str  # the layer as torch prints it


def dwt_layer(wavelet: str, dtype: torch.dtype = torch.float64) -> torch.nn.Conv1d:
    """One DWT level as a frozen convolution layer: 1 input channel, 2 output channels (approximation,
    detail), kernel L, stride 2, no bias."""
    bank = _bank(wavelet, "dec", dtype, torch.device("cpu"))
    layer = torch.nn.Conv1d(1, 2, bank.shape[-1], stride=2, bias=False, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(bank[:, None, :])
    layer.requires_grad_(False)
    return layer


def layer_check(x: np.ndarray, wavelet: str, mode: str, device: torch.device) -> LayerCheck:
    """Run the frozen layer of :func:`dwt_layer` on the extended signal and compare with ``pywt.dwt``."""
    import pywt

    xt = as_tensor(x, device)
    layer = dwt_layer(wavelet, xt.dtype).to(device)
    L = layer.kernel_size[0]
    if mode == "periodization" and xt.shape[-1] % 2:
        xt = torch.cat([xt, xt[-1:]])
    n = xt.shape[-1]
    with torch.no_grad():
        out = layer(extend(xt.view(1, 1, n), *_dwt_pads(n, L, mode), mode))[0]
    a_ref, d_ref = pywt.dwt(np.array(x, dtype=float), wavelet, mode)  # a copy: pywt refuses read-only arrays
    a, d = _np(out[0]), _np(out[1])
    diff = max(float(np.abs(a - a_ref).max()), float(np.abs(d - d_ref).max()))
    return LayerCheck(_np(layer.weight), a, d, diff, repr(layer))


@dataclass(frozen=True)
class Response:
    omega: np.ndarray  # 0 … π (radians per sample)
    low: np.ndarray  # |H₀(ω)| of dec_lo
    high: np.ndarray  # |H₁(ω)| of dec_hi
    complementary: float  # max | |H₀|² + |H₁|² − 2 | (0 for an orthogonal wavelet)


def frequency_response(wavelet: str, device: torch.device, n: int = 512) -> Response:
    f = filters(wavelet)
    dt = compute_dtype(device)
    lo = torch.fft.rfft(torch.tensor(f["dec_lo"], dtype=dt, device=device), n=2 * n).abs()
    hi = torch.fft.rfft(torch.tensor(f["dec_hi"], dtype=dt, device=device), n=2 * n).abs()
    return Response(np.linspace(0, np.pi, n + 1), _np(lo), _np(hi), float((lo**2 + hi**2 - 2).abs().max()))


def wavelet_filters_2d(wavelet: str) -> np.ndarray:
    """The four 2-D analysis filters (LL, LH = cH, HL = cV, HH = cD) as (4, L, L), in convolution order."""
    f = filters(wavelet)
    lo, hi = f["dec_lo"], f["dec_hi"]
    return np.stack([np.outer(lo, lo), np.outer(hi, lo), np.outer(lo, hi), np.outer(hi, hi)])


def spectra_2d(kernels: np.ndarray, size: int = 16) -> np.ndarray:
    """|2-D DFT| of each kernel zero-padded to size×size, zero frequency in the centre."""
    K = np.fft.fft2(kernels, s=(size, size))
    return np.abs(np.fft.fftshift(K, axes=(-2, -1)))


@dataclass(frozen=True)
class CNNResult:
    filters: np.ndarray  # (F, k, k) first-layer kernels
    spectra: np.ndarray  # (F, 16, 16) their |DFT|
    accuracy: float  # on the held-out 20 %
    losses: np.ndarray  # training loss per epoch
    params: int


def digits_split(y: np.ndarray, test: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed stratified split: in each class a seeded shuffle, its first ``test`` share held out."""
    rng = np.random.default_rng(seed)
    held = [idx[: round(test * len(idx))] for c in np.unique(y) for idx in [rng.permutation(np.flatnonzero(y == c))]]
    te = np.sort(np.concatenate(held))
    return np.setdiff1d(np.arange(len(y)), te), te


def train_digits_cnn(n_filters: int, kernel: int, epochs: int, seed: int, device: torch.device,
                     progress: Callable[[float, str], None] | None = None) -> CNNResult:
    """A small CNN on scikit-learn's 8×8 digits (upsampled to 16×16): conv(k×k, F filters, no bias) → ReLU →
    2×2 max pool → linear to the 10 classes. Adam (learning rate 0.01), batches of 128, seeded."""
    from core.data import load_dataset

    data = load_dataset("digits")
    X = torch.tensor(data.X.reshape(-1, 1, 8, 8) / 16.0, dtype=torch.float32)
    X = F.interpolate(X, size=(16, 16), mode="bilinear", align_corners=False)
    y = torch.tensor(data.y)
    tr, te = digits_split(data.y)
    with seeded(seed):
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, n_filters, kernel, padding=kernel // 2, bias=False), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(n_filters * 64, 10))
    model = model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    Xtr, ytr = X[tr].to(device), y[tr].to(device)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        perm = torch.randperm(len(tr), generator=gen)
        total = 0.0
        for i in range(0, len(tr), 128):
            b = perm[i: i + 128]
            loss = F.cross_entropy(model(Xtr[b]), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(b)
        losses.append(total / len(tr))
        if progress:
            progress((epoch + 1) / epochs, f"Training the CNN: epoch {epoch + 1} of {epochs}, loss {losses[-1]:.3f}")
    model.eval()
    with torch.no_grad():
        acc = float((model(X[te].to(device)).argmax(1).cpu() == y[te]).float().mean())
    k = model[0].weight.detach().cpu().double().numpy()[:, 0]
    return CNNResult(k, spectra_2d(k), acc, np.array(losses), sum(p.numel() for p in model.parameters()))
