"""LassoCV: time and peak memory of 5-fold cross-validation over 100 alphas, on both fold routes.

n >> p runs from sufficient statistics (one pass over X for the held-out blocks, then a Gram path per
fold); p >> n runs the residual kernel on each fold's rows. ``track_folds_over_path`` is the CV's time
over one path on all the data: the statistics route should stay near one path per fold plus one pass.
"""
import time
import warnings

import fastreg

from .datasets import correlated_design

SHAPES = ["20000x200", "100x5000"]


class LassoCV:
    """`fastreg.LassoCV(cv=5)`: 100 alphas down to 1e-3 alpha_max, tol 1e-6, intercept on."""

    params = (SHAPES,)
    param_names = ["shape"]

    def setup(self, shape):
        n_samples, n_features = map(int, shape.split("x"))
        self.X, self.y = correlated_design(n_samples, n_features, rho=0.7, seed=4)
        self.X = self.X + 2.0  # an intercept to fit

    def _fit(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.LassoCV(cv=5, alphas=100, tol=1e-6).fit(self.X, self.y)

    def time_lasso_cv(self, shape):
        self._fit()

    def peakmem_lasso_cv(self, shape):
        self._fit()

    def track_folds_over_path(self, shape):
        start = time.perf_counter()
        self._fit()
        cv = time.perf_counter() - start
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            fastreg.enet_path(self.X, self.y, l1_ratio=1.0, fit_intercept=True, tol=1e-6)
        return cv / (time.perf_counter() - start)

    track_folds_over_path.unit = "CV time / one path"
