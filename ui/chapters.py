"""The book's chapters and the explorers that exist for them: the one list that the navigation
and the home page's map are both built from. A chapter gets a ``page`` only when its explorer is
finished; until then it is listed plainly, with no link."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str  # the book's chapter title
    explorer: str  # the explorer's name in this dashboard
    question: str  # the question the explorer answers
    ideas: str  # what a user can play with
    page: str | None = None  # script under explorers/, once the explorer is live
    url_path: str | None = None
    icon: str = ":material/menu_book:"  # Material icons ship with Streamlit: no emoji font needed
    prefix: str | None = None  # the page's URL parameters all start "<prefix>_"; its tabs are "<prefix>_tab"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(1, "Introduction", "From data to meaning",
            "How does a network turn data into meaning?",
            "PCA, distances and similarities, k-means; one neuron, an ANN, the loss falling as it trains",
            page="explorers/01_introduction.py", url_path="introduction", icon=":material/scatter_plot:", prefix="in"),
    Chapter(2, "Linear Algebra", "PCA and the SVD",
            "Which directions carry the information in a data set, and how few do we need?",
            "covariance, principal axes, explained variance, reconstruction, Eckart–Young, randomized SVD",
            page="explorers/02_linear_algebra.py", url_path="linear-algebra", icon=":material/grid_on:", prefix="la"),
    Chapter(3, "Multivariate Calculus", "Gradients and backprop",
            "How does a network know which way to change every weight?",
            "gradient fields, Jacobians and Hessians, Taylor approximations, the chain rule as backpropagation",
            page="explorers/03_calculus.py", url_path="calculus", icon=":material/functions:", prefix="ca"),
    Chapter(4, "Probability Theory and Statistics", "Distributions and estimation",
            "How do we learn a distribution's parameters from samples?",
            "distributions, law of large numbers, CLT, maximum likelihood, Bayesian updating",
            page="explorers/04_probability.py", url_path="probability", icon=":material/casino:", prefix="pr"),
    Chapter(5, "Optimization Theory", "Optimizers",
            "Why does Adam beat plain gradient descent — and when doesn't it?",
            "GD, momentum, Nesterov, AdaGrad, RMSProp, Adam, Newton; conditioning, saddles, schedules",
            page="explorers/05_optimization.py", url_path="optimization", icon=":material/trending_down:",
            prefix="op"),
    Chapter(6, "Information Theory", "Entropy and divergences",
            "What does a loss function measure, in bits?",
            "entropy, cross-entropy, KL divergence, mutual information, softmax temperature",
            page="explorers/06_information.py", url_path="information-theory", icon=":material/compress:",
            prefix="it"),
    Chapter(7, "Graph Theory", "Graph spectra",
            "What do a graph's eigenvalues know about its clusters?",
            "Laplacians, Fiedler vector, spectral clustering, graph Fourier transform, GCN filters",
            page="explorers/07_graph_theory.py", url_path="graph-theory", icon=":material/hub:", prefix="gr"),
    Chapter(8, "Differential Geometry", "Manifolds and curvature",
            "What shape is the data, and the loss surface?",
            "manifold hypothesis, geodesics, Hessian spectrum, Fisher metric, natural gradient",
            page="explorers/08_geometry.py", url_path="differential-geometry", icon=":material/public:", prefix="dg"),
    Chapter(9, "Topology in Deep Learning", "Persistent homology",
            "Which holes in a point cloud are real, and which are noise?",
            "Vietoris–Rips filtrations, Betti numbers, persistence diagrams, stability",
            page="explorers/09_topology.py", url_path="topology", icon=":material/donut_large:", prefix="tp"),
    Chapter(10, "Harmonic Analysis for CNNs", "Wavelets and Fourier",
             "Why are convolutional filters frequency detectors?",
             "Fourier transform, convolution theorem, wavelets, denoising, filter banks as conv layers",
             page="explorers/10_harmonic_analysis.py", url_path="harmonic-analysis", icon=":material/graphic_eq:",
             prefix="ha"),
    Chapter(11, "Dynamical Systems and Differential Equations for RNNs", "RNN dynamics",
             "Why do gradients vanish or explode through time?",
             "fixed points, spectral radius, Lyapunov exponents, neural ODEs",
             page="explorers/11_dynamics.py", url_path="dynamical-systems", icon=":material/cyclone:", prefix="ds"),
    Chapter(12, "Quantum Computing", "Variational quantum circuits",
             "Can a quantum circuit be trained like a neural network?",
             "qubits and the Bloch sphere, entanglement, parameter shift, barren plateaus",
             page="explorers/12_quantum.py", url_path="quantum", icon=":material/blur_on:", prefix="qc"),
)


def live() -> list[Chapter]:
    return [c for c in CHAPTERS if c.page]
