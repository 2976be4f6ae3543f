"""L1-logistic regression paths (`fastreg.logistic_path`): time, peak memory, iterations and certified gap.

The issue's paths, 50 alphas from alpha_max down to 1e-3 alpha_max (1e-2 when p > n), tol 1e-6, with an
intercept, on smaller versions of compare_logistic.py's problems: a tall and a wide correlated dense
problem (Toeplitz 0.7, labels thresholded from a sparse linear response) and the one-hot CSC problem
(logistic labels, about a third positive). ``track_max_certified_gap`` recomputes the worst duality gap
along the path with NumPy (`logistic_primal_dual`, the certificate of compare_logistic.py), relative to
the null model's mean log-loss, independently of the gap fastreg returns; ``track_iterations`` is the
sum of ``n_iters`` along the path, so a change that looks faster because it stops earlier shows up.
"""
import warnings

import numpy as np

import fastreg

from .logistic_data import alpha_max, logistic_primal_dual, null_objective, onehot_logistic, thresholded_design

N_ALPHAS = 50
TOL = 1e-6


def _grid(X, y):
    eps = 1e-3 if X.shape[0] > X.shape[1] else 1e-2
    top = alpha_max(X, y)
    return np.geomspace(top, eps * top, N_ALPHAS)


class _Path:
    """The benchmarks of one path; subclasses set `params` and `setup` (self.X, self.y, self.alphas)."""

    timeout = 300

    def _path(self):
        with warnings.catch_warnings():
            # a path that does not converge is reported by track_max_certified_gap, not by a warning
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.logistic_path(self.X, self.y, alphas=self.alphas, tol=TOL)

    def time_path(self, *params):
        self._path()

    def peakmem_path(self, *params):
        self._path()

    def track_iterations(self, *params):
        return int(np.sum(self._path().n_iters))

    track_iterations.unit = "iterations"

    def track_max_certified_gap(self, *params):
        path = self._path()
        primal, dual = logistic_primal_dual(self.X, self.y, path.alphas, path.coefs, path.intercepts)
        return float(np.max(primal - dual)) / null_objective(self.y)

    track_max_certified_gap.unit = "gap / null mean log-loss"


class LogisticPath(_Path):
    """`fastreg.logistic_path` on dense correlated problems, n >> p (eps 1e-3) and p >> n (eps 1e-2)."""

    params = (["10000x200", "500x5000"],)
    param_names = ["shape"]

    def setup(self, shape):
        n_samples, n_features = map(int, shape.split("x"))
        self.X, self.y = thresholded_design(n_samples, n_features, seed=0)
        self.alphas = _grid(self.X, self.y)


class LogisticSparsePath(_Path):
    """`fastreg.logistic_path` on the one-hot CSC problem (30000 rows, half of the levels: 1921 columns)."""

    params = (["medium"],)
    param_names = ["size"]

    def setup(self, size):
        self.X, self.y = onehot_logistic(size)
        self.alphas = _grid(self.X, self.y)
