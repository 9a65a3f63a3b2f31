"""Chapter 8, Differential geometry: the manifold hypothesis, geodesics and curvature on surfaces, the
curvature of a loss surface, and the Fisher information metric with the natural gradient.

One module per tab of the explorer:

* :mod:`core.geometry.manifold`: the Swiss roll, S-curve, sphere and digits; Euclidean against along-the-data
  (k-NN graph shortest-path) distance, the path as vertices, components of a graph that falls apart,
  short-circuit edges when k is too large; unrollings by Isomap, spectral embedding and t-SNE with
  trustworthiness and the recovery of the intrinsic coordinates.
* :mod:`core.geometry.surfaces`: sphere, torus and saddle; Gaussian and mean curvature from the fundamental
  forms by autograd; geodesics by minimising a discrete path's energy (Newton in torch); geodesic triangles'
  angle sums against Gauss–Bonnet.
* :mod:`core.geometry.hessian`: a small network's training-loss Hessian (exact, P ≤ 2,000) and its spectrum,
  top eigenvalues by Lanczos (scipy's ARPACK or written in torch) from Hessian-vector products, loss slices
  along eigenvectors and filter-normalised random directions, and the sharpness against 2/η during
  full-batch gradient descent (the edge of stability).
* :mod:`core.geometry.fisher`: the Gaussian's Fisher metric as ellipses, the Fisher–Rao distance and its
  half-plane geodesic beside KL, plain against natural gradient descent in two charts, and natural gradient
  on logistic regression.

Every function takes plain arguments (+ ``device`` where torch computes) and returns frozen dataclasses of
CPU numpy arrays; refusals are :class:`core.data.DataError` with a message for the reader.
"""
