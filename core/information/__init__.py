"""Chapter 6, Information theory: entropy and codes, cross-entropy and KL, forward against reverse KL,
cross-entropy as likelihood, mutual information, and softmax temperature with calibration.

One module per tab of the explorer:

* :mod:`core.information.discrete`: entropy of a discrete distribution (presets, and letter frequencies of
  texts that ship with Python), Huffman codes with Kraft's sum, cross-entropy, KL both ways, Jensen–Shannon.
* :mod:`core.information.kl_fit`: one Gaussian fitted to a mixture under KL(p‖q), KL(q‖p) and Amari's
  α-divergence by gradient descent, with the paths and a landscape to draw them on;
  :mod:`core.information.kl_fit_2d` the same in the plane with a full covariance (forward and reverse).
* :mod:`core.information.likelihood`: softmax regression whose cross-entropy in bits is the average
  −log₂ q(y|x), i.e. the negative log-likelihood per sample.
* :mod:`core.information.mutual`: the Gaussian's −½ log(1 − ρ²) against plug-in and k-NN estimators, and
  the mutual information of each digits pixel with the label.
* :mod:`core.information.calibration`: temperature, reliability diagrams, ECE, temperature scaling.

Every function takes plain arguments (+ ``device``) and returns frozen dataclasses of CPU numpy arrays;
refusals are :class:`core.data.DataError` with a message for the reader.
"""
