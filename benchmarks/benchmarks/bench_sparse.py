"""Sparse (CSC) Lasso paths with an intercept: time, peak memory, epochs and certified duality gap.

Issue 5's two paths, 10 alphas down to 0.05 alpha_max and 100 alphas down to 1e-3 alpha_max, tol 1e-6
(1e-5 in float32), on the medium one-hot problem of `sparse_data` (60000 rows, 1986 columns, about
670000 non-zeros), with fastreg's kernel choice ('auto') and forced to residual updates on the CSC
matrix (``precompute=False``). ``track_max_certified_gap`` recomputes the worst duality gap along the
path with SciPy (`primal_dual_centered`, the certificate of compare_sparse.py), independently of the gap
fastreg returns; ``track_extra_memory`` is what a fit allocates (tracemalloc) over ``X.data.nbytes``, a
dense copy of X being about 180 times that.
"""
import tracemalloc
import warnings

import numpy as np

import fastreg

from .sparse_data import onehot_problem, primal_dual_centered

PATHS = {"10": (10, 0.05), "100": (100, 1e-3)}  # n_alphas, alpha_min / alpha_max
TOL = {"float64": 1e-6, "float32": 1e-5}  # 1e-6 is at the rounding level of float32 residuals


class SparsePath:
    """`fastreg.lasso_path(X_csc, y, fit_intercept=True)` on the medium one-hot problem."""

    params = (list(PATHS), ["auto", "residual"], ["float32", "float64"])
    param_names = ["path", "precompute", "dtype"]

    def setup(self, path, precompute, dtype):
        self.X, self.y = onehot_problem("medium", dtype)
        self.n_alphas, self.eps = PATHS[path]
        self.precompute = "auto" if precompute == "auto" else False
        self.tol = TOL[dtype]

    def _path(self):
        with warnings.catch_warnings():
            # a path that does not converge is reported by track_max_certified_gap, not by a warning
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.lasso_path(self.X, self.y, n_alphas=self.n_alphas, eps=self.eps, tol=self.tol,
                                      max_iter=10_000, fit_intercept=True, precompute=self.precompute)

    def time_path(self, path, precompute, dtype):
        self._path()

    def peakmem_path(self, path, precompute, dtype):
        self._path()

    def track_epochs(self, path, precompute, dtype):
        return int(np.sum(self._path().n_iters))

    track_epochs.unit = "epochs"

    def track_max_certified_gap(self, path, precompute, dtype):
        result = self._path()
        primal, dual = primal_dual_centered(self.X, self.y, result.alphas, result.coefs, 1.0)
        return float(np.max(primal - dual))

    track_max_certified_gap.unit = "gap / (||y - mean(y)||^2/n)"

    def track_extra_memory(self, path, precompute, dtype):
        tracemalloc.start()
        try:
            self._path()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak / self.X.data.nbytes

    track_extra_memory.unit = "peak allocated / X.data.nbytes"
