"""Chapter 3, Multivariate calculus: the numbers behind the explorer's tabs, for functions f(x, y) and maps
(u(x, y), v(x, y)) written in :mod:`core.expr`'s language.

Each derivative is available three ways: exact (sympy, from :mod:`core.expr`, evaluated in float64), by
autograd (``torch.autograd`` through :func:`core.expr.to_torch`) and by finite differences. Grids run in torch on
the requested device (float64 on the CPU, float32 on a GPU); the numbers at one point always in float64 on
the CPU (a handful of values: a kernel launch would cost more than the arithmetic).

Nothing here draws or reads files; functions take plain arguments (and ``device``, as every core function
does for ui.compute; the one-point functions accept it and stay on the CPU) and return dataclasses of numpy
arrays.
Where f is undefined (log of a negative number, a division by zero) values are NaN, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import expr as E

Box = tuple[float, float, float, float]  # x from, x to, y from, y to

# ------------------------------------------------------------------------------------------ grids


@dataclass(frozen=True)
class Field:
    """f and ∇f (autograd) on a regular grid: ``F[i, j]`` at (xs[j], ys[i]); NaN where f is undefined."""

    xs: np.ndarray
    ys: np.ndarray
    F: np.ndarray
    gx: np.ndarray
    gy: np.ndarray

    @property
    def defined(self) -> float:
        """The share of the grid where f is defined (finite)."""
        return float(np.isfinite(self.F).mean())


def _grid(box: Box, n: int, device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
    device = torch.device(device)
    dtype = torch.float64 if device.type == "cpu" else torch.float32
    x0, x1, y0, y1 = map(float, box)
    xs = torch.linspace(x0, x1, int(n), dtype=dtype, device=device)
    ys = torch.linspace(y0, y1, int(n), dtype=dtype, device=device)
    Y, X = torch.meshgrid(ys, xs, indexing="ij")
    return X, Y


def field(f: E.Expr, box: Box, n: int = 64, device: torch.device | str = "cpu") -> Field:
    """f(x, y) and its gradient by reverse-mode autograd on an n × n grid over ``box``, in one backward pass
    (the grid's values are independent, so ∇ of their sum is every point's gradient)."""
    X, Y = _grid(box, n, device)
    X.requires_grad_(True)
    Y.requires_grad_(True)
    fn = E.to_torch(f)
    with torch.enable_grad():
        F = fn(X, Y)
        ok = torch.isfinite(F)
        total = torch.where(ok, F, 0.0).sum()
        gx, gy = torch.autograd.grad(total, (X, Y), allow_unused=True) if total.requires_grad else (None, None)
    gx = torch.zeros_like(X) if gx is None else gx
    gy = torch.zeros_like(Y) if gy is None else gy
    nan = torch.tensor(float("nan"), dtype=F.dtype, device=F.device)
    gx, gy = torch.where(ok, gx, nan), torch.where(ok, gy, nan)
    out = [t.detach().double().cpu().numpy() for t in (F, gx, gy)]
    return Field(X[0].detach().double().cpu().numpy(), Y[:, 0].detach().double().cpu().numpy(), *out)


def contour_levels(F: np.ndarray, count: int = 12) -> np.ndarray:
    """``count`` levels at evenly spaced quantiles of the finite values (a function like x⁴ + y⁴ or exp crowds
    equally spaced levels into one corner); unique and sorted; empty when f is constant or nowhere defined."""
    finite = F[np.isfinite(F)]
    if finite.size == 0 or np.ptp(finite) == 0:
        return np.array([])
    levels = np.quantile(finite, np.linspace(0, 1, count + 2)[1:-1])
    return np.unique(levels)


def contours(fld: Field, levels: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Level curves of the grid: (level, (m, 2) points with NaN rows between separate pieces), by contourpy
    (matplotlib's own contouring library); NaN cells are left out."""
    import contourpy

    if len(levels) == 0:
        return []
    gen = contourpy.contour_generator(fld.xs, fld.ys, np.ma.masked_invalid(fld.F), line_type="ChunkCombinedNan")
    out = []
    for level in levels:
        ((points,),) = gen.lines(float(level))  # one chunk: every piece, NaN rows between them
        if points is not None and len(points):
            out.append((float(level), np.asarray(points)))
    return out


# ------------------------------------------------------------------------------------------ one point


VERDICTS = ("minimum", "maximum", "saddle", "degenerate")
SHAPES = {"minimum": "a bowl (curving up in every direction)", "maximum": "a dome (curving down in every direction)",
          "saddle": "a saddle (up in one direction, down in another)",
          "degenerate": "flat in one direction to second order"}


@dataclass(frozen=True)
class Point:
    """f at one point with its first and second derivatives three ways (NaN where undefined)."""

    x: float
    y: float
    value: float
    grad_exact: np.ndarray  # (2,)
    grad_autograd: np.ndarray  # (2,)
    grad_fd: np.ndarray  # (2,) central differences, h = ∛ε · max(1, |coordinate|)
    hessian_exact: np.ndarray  # (2, 2)
    hessian_autograd: np.ndarray  # (2, 2)
    eigenvalues: np.ndarray  # (2,) of the exact Hessian, ascending
    eigenvectors: np.ndarray  # (2, 2) columns
    verdict: str  # the second-derivative test on the Hessian: one of VERDICTS (or "—" where undefined); it
    # names the point (a minimum …) only where the point is critical, else the shape of the quadratic model

    @property
    def defined(self) -> bool:
        return bool(np.isfinite(self.value) and np.isfinite(self.grad_exact).all())

    @property
    def shape(self) -> str:
        """The quadratic model's shape at any point: what the verdict would mean if ∇f were 0 here."""
        return SHAPES.get(self.verdict, "—")

    @property
    def critical(self) -> bool:
        """‖∇f‖ below 1e-8 × (1 + |f|): the test for a minimum, maximum or saddle applies."""
        return bool(np.linalg.norm(self.grad_exact) <= 1e-8 * (1 + abs(self.value)))


def verdict(eigenvalues: np.ndarray, tol: float = 1e-9) -> str:
    """The second-derivative test's reading of a symmetric Hessian's eigenvalues: both > 0 a minimum (the
    quadratic model is a bowl), both < 0 a maximum, opposite signs a saddle, any ≈ 0 (|λ| ≤ tol · max(1, |λ|max))
    degenerate (the test says nothing: x⁴ + y⁴ and x⁴ − y⁴ both have a zero Hessian at 0)."""
    lam = np.asarray(eigenvalues, dtype=float)
    if not np.isfinite(lam).all():
        return "—"
    scale = max(1.0, float(np.abs(lam).max()))
    if (np.abs(lam) <= tol * scale).any():
        return "degenerate"
    if (lam > 0).all():
        return "minimum"
    if (lam < 0).all():
        return "maximum"
    return "saddle"


def _autograd_point(f: E.Expr, x: float, y: float, second: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """∇f and the Hessian by ``torch.autograd`` (reverse mode, and reverse over reverse). Not ``torch.func``: its
    first call in a process registers its decompositions (1.1–2.3 s measured here), which a page's first view
    would pay; ``torch.autograd.functional`` gives the same numbers at once."""
    fn = E.to_torch(f)

    def g(p: torch.Tensor) -> torch.Tensor:
        return fn(p[0], p[1])

    p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():
        value = g(p)
        grad = torch.autograd.grad(value, p, allow_unused=True)[0] if value.requires_grad else None
    grad = np.zeros(2) if grad is None else grad.detach().numpy()
    if not second:
        return grad, np.full((2, 2), np.nan)
    return grad, torch.autograd.functional.hessian(g, p.detach()).numpy()


def point(f: E.Expr, x: float, y: float, second: bool = True, device: torch.device | str = "cpu") -> Point:
    """Everything the page shows at (x, y); ``second=False`` leaves out the Hessians (NaN, no verdict), whose
    symbolic form is the slow part of a newly typed f (sympy differentiates the gradient once more)."""
    x, y = float(x), float(y)
    at = {"x": x, "y": y}
    with np.errstate(all="ignore"):
        value = float(E.evaluate(E.to_sympy(f), at))
        ge = E.evaluate(E.gradient(f), at)[:, 0]
        he = E.evaluate(E.hessian(f), at) if second else np.full((2, 2), np.nan)
        ga, ha = _autograd_point(f, x, y, second)
        if not np.isfinite(value):
            ga, ha = np.full(2, np.nan), np.full((2, 2), np.nan)
        gf = np.array([central(f, x, y, 0), central(f, x, y, 1)])
        if not np.isfinite(value):  # sympy's 1/x is finite at x = −1, where log x is not: undefined is undefined
            ge, gf, he = np.full(2, np.nan), np.full(2, np.nan), np.full((2, 2), np.nan)
        if np.isfinite(he).all():
            lam, vec = np.linalg.eigh((he + he.T) / 2)
        else:
            lam, vec = np.full(2, np.nan), np.full((2, 2), np.nan)
    return Point(x, y, value, ge, ga, gf, he, ha, lam, vec, verdict(lam))


def nearest_critical(f: E.Expr, x: float, y: float, box: Box | None = None, steps: int = 100,
                     device: torch.device | str = "cpu") -> Point | None:
    """Newton's method on ∇f = 0 from (x, y), p ← p − H(p)⁻¹ ∇f(p) with the exact derivatives, run until the step
    is below 1e-12 (at a degenerate critical point, like 0 for x⁴ + y⁴, it converges only linearly, so it takes
    more steps to get close enough for the Hessian there to read as 0). Returns the critical point it reached
    (:attr:`Point.critical`), or None when it does not reach one within ``steps``: a singular Hessian, a point
    where f is undefined, or a step out of ``box``. Newton solves ∇f = 0: it finds saddles and maxima as
    readily as minima, it does not descend."""
    grad, hess = E.gradient(f), E.hessian(f)
    p = np.array([float(x), float(y)])
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            at = {"x": p[0], "y": p[1]}
            g = E.evaluate(grad, at)[:, 0]
            if not np.isfinite(g).all():
                return None
            if not g.any():
                break
            try:
                step = np.linalg.solve(E.evaluate(hess, at), g)
            except np.linalg.LinAlgError:
                return None
            p = p - step
            if not np.isfinite(p).all() or (box is not None and not (box[0] <= p[0] <= box[1]
                                                                      and box[2] <= p[1] <= box[3])):
                return None
            if np.linalg.norm(step) <= 1e-12 * (1 + np.linalg.norm(p)):
                break
    found = point(f, p[0], p[1])
    return found if found.defined and found.critical else None


def _f64(f: E.Expr):
    fn = E.to_torch(f)

    def value(x: float | np.ndarray, y: float | np.ndarray) -> np.ndarray:
        return fn(torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)).numpy()

    return value


def central(f: E.Expr, x: float, y: float, axis: int, h: float | None = None) -> float:
    """∂f/∂x (axis 0) or ∂f/∂y (axis 1) by the central difference (f(p + h e) − f(p − h e)) / 2h, with
    h = ∛ε · max(1, |coordinate|) (the step that balances its h² truncation and ε/h round-off)."""
    c = (x, y)[axis]
    h = float(h) if h is not None else np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(c))
    v = _f64(f)
    step = (h, 0.0) if axis == 0 else (0.0, h)
    with np.errstate(all="ignore"):
        return float((v(x + step[0], y + step[1]) - v(x - step[0], y - step[1])) / (2 * h))


# ------------------------------------------------------------------------------------------ slices and Taylor


def unit(angle_degrees: float) -> np.ndarray:
    a = math.radians(float(angle_degrees))
    return np.array([math.cos(a), math.sin(a)])


@dataclass(frozen=True)
class Slice:
    """f along the line p + t·u through the point, and its models there."""

    t: np.ndarray
    f: np.ndarray
    first: np.ndarray  # f(p) + t ∇f·u       (the tangent line: first-order Taylor)
    second: np.ndarray  # + ½ t² uᵀHu        (second-order Taylor)
    slope: float  # ∇f·u, the directional derivative
    curvature: float  # uᵀHu, the second directional derivative


def slice_through(f: E.Expr, pt: Point, angle: float, half_width: float, n: int = 201) -> Slice:
    u = unit(angle)
    t = np.linspace(-half_width, half_width, int(n))
    with np.errstate(all="ignore"):
        values = _f64(f)(pt.x + t * u[0], pt.y + t * u[1])
        slope = float(pt.grad_exact @ u)
        curv = float(u @ pt.hessian_exact @ u)
        first = pt.value + t * slope
        second = first + 0.5 * t**2 * curv
    return Slice(t, values, first, second, slope, curv)


@dataclass(frozen=True)
class TaylorErrors:
    """|f(p + h u) − T_k(h)| for k = 1, 2 against h, and the log–log slopes fitted to them."""

    h: np.ndarray
    first: np.ndarray
    second: np.ndarray
    slope_first: float  # ≈ 2 (the error of the tangent is O(h²)), NaN if it could not be fitted
    slope_second: float  # ≈ 3 (O(h³)); larger when the third directional derivative vanishes (4 for x²−y²…)


def _fit_slope(h: np.ndarray, err: np.ndarray, floor: float) -> float:
    """Least-squares slope of log err against log h over the points above the round-off ``floor``."""
    keep = np.isfinite(err) & (err > floor)
    if keep.sum() < 3:
        return math.nan
    return float(np.polyfit(np.log(h[keep]), np.log(err[keep]), 1)[0])


def taylor_errors(f: E.Expr, pt: Point, angle: float, h_max: float = 1.0, count: int = 25,
                  device: torch.device | str = "cpu") -> TaylorErrors:
    """Errors of the first- and second-order models along direction ``angle`` at ``count`` distances
    log-spaced from h_max down to h_max/10⁴. Only errors well above float64 round-off on f's size enter the
    fitted slopes (below it they measure rounding, not truncation)."""
    u = unit(angle)
    h = np.geomspace(float(h_max), float(h_max) * 1e-4, int(count))
    with np.errstate(all="ignore"):
        values = _f64(f)(pt.x + h * u[0], pt.y + h * u[1])
        slope, curv = float(pt.grad_exact @ u), float(u @ pt.hessian_exact @ u)
        e1 = np.abs(values - (pt.value + h * slope))
        e2 = np.abs(values - (pt.value + h * slope + 0.5 * h**2 * curv))
    floor = 1e3 * np.finfo(np.float64).eps * max(1.0, abs(pt.value))
    return TaylorErrors(h, e1, e2, _fit_slope(h, e1, floor), _fit_slope(h, e2, floor))


# ------------------------------------------------------------------------------------------ Jacobian


@dataclass(frozen=True)
class LocalMap:
    """A map F = (u, v) near p: a circle of radius r around p, its image F(circle), and the image under the
    linearisation F(p) + J (q − p) (an ellipse whose semi-axes are r σ₁ and r σ₂)."""

    centre: np.ndarray  # F(p)
    circle: np.ndarray  # (m, 2)
    image: np.ndarray  # (m, 2) F(circle), NaN where undefined
    linear: np.ndarray  # (m, 2)
    J: np.ndarray  # (2, 2) exact
    J_autograd: np.ndarray  # (2, 2) torch.autograd.functional.jacobian
    singular_values: np.ndarray  # (2,) descending
    U: np.ndarray  # (2, 2) the ellipse's axes (columns)
    det: float  # the area ratio, signed (negative: the map flips orientation)


def local_map(u: E.Expr, v: E.Expr, x: float, y: float, radius: float, n: int = 121,
              device: torch.device | str = "cpu") -> LocalMap:
    x, y = float(x), float(y)
    at = {"x": x, "y": y}
    with np.errstate(all="ignore"):
        J = E.evaluate(E.jacobian((u, v)), at)
        fu, fv = E.to_torch(u), E.to_torch(v)

        def F(p: torch.Tensor) -> torch.Tensor:
            return torch.stack([fu(p[0], p[1]), fv(p[0], p[1])])

        p = torch.tensor([x, y], dtype=torch.float64)
        Ja = torch.autograd.functional.jacobian(F, p).numpy()  # reverse mode, a row per output
        centre = F(p).numpy()
        theta = np.linspace(0, 2 * np.pi, int(n))
        circle = np.stack([x + radius * np.cos(theta), y + radius * np.sin(theta)], axis=1)
        image = np.stack([_f64(u)(circle[:, 0], circle[:, 1]), _f64(v)(circle[:, 0], circle[:, 1])], axis=1)
        linear = centre + (circle - [x, y]) @ J.T
        if np.isfinite(J).all():
            U, s, _ = np.linalg.svd(J)
            det = float(np.linalg.det(J))
        else:
            U, s, det = np.full((2, 2), np.nan), np.full(2, np.nan), math.nan
    return LocalMap(centre, circle, image, linear, J, Ja, s, U, det)


def determinant_field(u: E.Expr, v: E.Expr, box: Box, n: int = 64, device: torch.device | str = "cpu") -> Field:
    """det J(x, y) on a grid (its zero set is where the map folds), with the grids of u and v's autograd
    gradients; ``Field.F`` holds det J, ``gx``/``gy`` are unused (NaN)."""
    fu, fv = field(u, box, n, device), field(v, box, n, device)
    det = fu.gx * fv.gy - fu.gy * fv.gx
    nan = np.full_like(det, np.nan)
    return Field(fu.xs, fu.ys, det, nan, nan)


# ------------------------------------------------------------------------------------------ finite differences

ANALYTIC = frozenset({"sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid"})


def _complex_value(tree: E.Tree, z: dict[str, complex]) -> complex:
    """The expression at complex arguments, for the complex step (only analytic parts; see :func:`analytic`)."""
    kind = tree[0]
    if kind == "num":
        return complex(tree[1])
    if kind == "const":
        return complex(E.CONSTANTS[tree[1]])
    if kind == "var":
        return z[tree[1]]
    if kind == "neg":
        return -_complex_value(tree[1], z)
    if kind == "call":
        a = _complex_value(tree[2], z)
        return {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
                "tanh": np.tanh, "sigmoid": lambda w: 1 / (1 + np.exp(-w))}[tree[1]](a)
    a, b = _complex_value(tree[1], z), _complex_value(tree[2], z)
    return {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power}[kind](a, b)


def analytic(f: E.Expr) -> bool:
    """Whether the complex step applies: no abs or relu (they are not complex-differentiable)."""
    def walk(t: E.Tree) -> bool:
        if t[0] == "call":
            return t[1] in ANALYTIC and walk(t[2])
        return all(walk(c) for c in t[1:] if isinstance(c, tuple))

    return walk(f.tree)


METHODS = {"forward": "forward (f(x+h) − f(x)) / h", "central": "central (f(x+h) − f(x−h)) / 2h",
           "complex": "complex step Im f(x + ih) / h"}


@dataclass(frozen=True)
class Differences:
    """Relative errors of difference quotients of ∂f/∂(axis) at a point against the exact derivative, for each
    step h, method and precision (float32 / float64); NaN where not applicable."""

    h: np.ndarray
    exact: float
    errors: dict[tuple[str, str], np.ndarray]  # (method, "float32" | "float64") → relative error per h
    best: dict[tuple[str, str], float]  # the h with the smallest error
    predicted: dict[tuple[str, str], float]  # √ε (forward) or ∛ε (central), times max(1, |coordinate|)


def differences(f: E.Expr, x: float, y: float, axis: int = 0, low: float = 1e-15, high: float = 1e-1,
                count: int = 57, device: torch.device | str = "cpu") -> Differences:
    """Forward, central and complex-step quotients for h log-spaced from ``high`` to ``low``. Truncation
    error falls as h (forward) or h² (central, complex step); round-off in f's values grows as ε/h, so the
    best h is near √ε or ∛ε. The complex step has no subtraction, hence no round-off growth (analytic f only)."""
    x, y = float(x), float(y)
    exact = float(E.evaluate(E.gradient(f), {"x": x, "y": y})[axis, 0])
    h = np.geomspace(high, low, int(count))
    fn = E.to_torch(f)
    c = (x, y)[axis]
    scale = max(1.0, abs(c))
    errors, best, predicted = {}, {}, {}
    denom = max(abs(exact), 1.0)  # relative to |∂f| where it is above 1, absolute below (∂f may be 0)
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        eps = float(torch.finfo(dtype).eps)

        def at(shift: np.ndarray, dtype: torch.dtype = dtype) -> np.ndarray:
            # x ± h is formed in the working precision, as a program in that dtype would; below ε·|x| it
            # rounds back to x and the quotient is 0 (the plateau at relative error 1)
            X = torch.tensor(x, dtype=dtype) + (torch.tensor(shift, dtype=dtype) if axis == 0 else 0)
            Y = torch.tensor(y, dtype=dtype) + (torch.tensor(shift, dtype=dtype) if axis == 1 else 0)
            return fn(X, Y).double().numpy()

        with np.errstate(all="ignore"):
            f0 = at(np.zeros(1))[0]
            errors[("forward", name)] = np.abs((at(h) - f0) / h - exact) / denom
            errors[("central", name)] = np.abs((at(h) - at(-h)) / (2 * h) - exact) / denom
        predicted[("forward", name)] = math.sqrt(eps) * scale
        predicted[("central", name)] = eps ** (1 / 3) * scale
        if analytic(f):
            cdtype = np.complex64 if dtype == torch.float32 else np.complex128
            with np.errstate(all="ignore"):
                vals = np.array([_complex_value(f.tree, {"x": cdtype(complex(x, hh) if axis == 0 else x),
                                                          "y": cdtype(complex(y, hh) if axis == 1 else y)})
                                 for hh in h])
                errors[("complex", name)] = np.abs(vals.imag / h - exact) / denom
        else:
            errors[("complex", name)] = np.full(len(h), np.nan)
        predicted[("complex", name)] = math.nan
    for key, err in errors.items():
        ok = np.isfinite(err)
        best[key] = float(h[ok][np.argmin(err[ok])]) if ok.any() else math.nan
    return Differences(h, exact, errors, best, predicted)


def gradcheck(f: E.Expr, x: float, y: float) -> tuple[bool, str]:
    """``torch.autograd.gradcheck`` (float64 central differences against autograd) at the point, with its
    message when it fails; (False, reason) where f is undefined there."""
    fn = E.to_torch(f)
    p = (torch.tensor(float(x), dtype=torch.float64, requires_grad=True),
         torch.tensor(float(y), dtype=torch.float64, requires_grad=True))
    with torch.no_grad():
        if not torch.isfinite(fn(*p)).all():
            return False, "f is undefined at this point"
    try:
        return bool(torch.autograd.gradcheck(fn, p, eps=1e-6, atol=1e-5, rtol=1e-4)), "passed"
    except RuntimeError as err:  # gradcheck raises with the two Jacobians in its message
        return False, str(err).strip().splitlines()[0][:300]
