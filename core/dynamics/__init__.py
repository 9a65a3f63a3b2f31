"""Chapter 11, Dynamical systems and differential equations for RNNs: an RNN as a discrete dynamical system,
fixed points and their stability, spectral radius and vanishing/exploding gradients, Lyapunov exponents, what
a trained RNN computes, and neural ODEs.

One module per tab of the explorer:

* :mod:`core.dynamics.rnn2`: the two-neuron map h ← tanh(g W h + b): phase portrait, closed-form nullclines,
  trajectories, fixed points by Newton's method with their Jacobian eigenvalues and type (|λ| against 1, as
  for any map), a gain sweep (bifurcation diagram), presets whose claims the tests check.
* :mod:`core.dynamics.gradients`: a random RNN scaled to spectral radius ρ: ‖∂h_T/∂h₀‖ by a forward product of
  Jacobians, Lyapunov exponents by the QR method (one exponent against ρ: the edge of chaos), the linear RNN's
  closed forms, orthogonal initialisation, and gradient clipping on backpropagation through time.
* :mod:`core.dynamics.flipflop`: a vanilla RNN or GRU trained live on the 3-bit flip-flop; its fixed and slow
  points (minima of q = ½‖F(h) − h‖²), their stability and unstable directions, in PCA coordinates.
* :mod:`core.dynamics.ode`: a residual net as Euler steps, Euler and RK4 against torchdiffeq's adaptive
  dopri5 (NFE, an evaluation cap for stiff fields), and a neural ODE trained live on a spiral.

Every function takes plain arguments (+ ``device``) and returns frozen dataclasses of CPU numpy arrays;
refusals are :class:`core.data.DataError` with a message for the reader. Random draws come from seeded numpy
generators or private ``torch.Generator`` objects, and ``torch.nn`` layers are built inside
:func:`core.threads.seeded`, so a seed fixes the picture whatever other sessions do.
"""
