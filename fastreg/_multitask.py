"""Multi-task ElasticNet (scikit-learn's MultiTaskLasso / MultiTaskElasticNet, glmnet's "mgaussian"):

    P(W, b) = 1/(2n) sum_i s_i ||y_i - x_i^T W - b||^2 + alpha l1_ratio sum_j ||W_j||_2
              + alpha (1 - l1_ratio)/2 ||W||_F^2

(W of shape (n_features, n_tasks) in working units, W_j its row j; weights s normalized to sum to n).

It plugs into the path layer through the datafit's `block` seam (`fastreg._datafit`), as the multinomial
family does: `MultiTaskGaussian.block` is (n_tasks,), so `solve_path` keeps W of shape
(n_features, n_tasks), warm-starts along the path and returns scikit-learn's multi-output layout
(coefs (n_tasks, n_features, n_alphas), intercepts (n_tasks, n_alphas)). The design is the single-task
one on X (`build_design`: centering, weights, standardization, penalty factors, power-of-two scales,
dense Fortran or implicitly centered CSC) with a 2-D working target beside it (`MultiTaskDesign`).
The kernels are `src/_cd_multitask.pyx`: block coordinate descent with residual updates (`mt_cd`),
with covariance updates from X^T X and X^T Y (`mt_cd_gram`, n >> p; every solution it returns is
certified by the gap on the data, `mt_gap`, and finished by residual updates if that gap is short).
"""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import _plan
from . import _validation as v
from ._cd_multitask import mt_cd, mt_cd_gram, mt_gap, mt_residual
from ._design import build_design
from ._folds import make_folds, n_workers, take_rows
from ._stats import pow2_scale

# the residual kernel's gap schedule (as the single-task solvers')
GAP_EVERY = 10


@dataclass(frozen=True)
class MultiTaskDesign:
    """The working problem of a 2-D target: the single-task design `inner` on X (its working X, column
    norms, offsets, scales and penalty factors; its own 1-D target unused) and the working target Y
    (Fortran (n_samples, n_tasks): centered by the weighted means, rows times sqrt(s), divided by the
    power of two `y_scale`). Implements what `solve_path` and `MultiTaskGaussian` ask of a design."""

    inner: object
    Y: np.ndarray
    y_offset: np.ndarray
    y_scale: float
    y_norm2: float

    @property
    def n_samples(self):
        return self.inner.n_samples

    @property
    def n_features(self):
        return self.inner.n_features

    @property
    def n_coefs(self):
        return self.inner.n_features

    @property
    def n_tasks(self):
        return self.Y.shape[1]

    @property
    def dtype(self):
        return self.inner.dtype

    @property
    def result_dtype(self):
        return self.inner.dtype

    @property
    def sparse(self):
        return self.inner.sparse

    @property
    def fit_intercept(self):
        return self.inner.fit_intercept

    @property
    def null_norm2(self):
        return self.y_norm2

    @property
    def l2_factor(self):
        return self.inner.penalty.l2_factor

    def kernel_columns(self):
        return self.inner.kernel_columns()

    def penalties(self, alpha, l1_ratio):
        n = self.n_samples
        x_scale = self.inner.x_scale
        l1 = float(alpha * l1_ratio) * n / x_scale / self.y_scale
        l2 = float(alpha * (1.0 - l1_ratio)) * n / x_scale / x_scale
        big = float(np.finfo(self.dtype).max)
        return min(l1, big), min(l2, big)

    def _to_user(self):
        return (self.y_scale / self.inner.x_scale) / self.inner.col_scale.astype(np.float64)

    def coef_to_user(self, w):
        return (w * self._to_user()[:, None]).astype(self.dtype)

    def coef_to_work(self, coef):
        return (np.asarray(coef, dtype=np.float64) / self._to_user()[:, None]).astype(self.dtype)

    def gap_to_user(self, gap):
        return float(gap) / self.n_samples * self.y_scale * self.y_scale

    def intercept(self, coef):
        """b = ybar - xbar^T W (n_tasks,), in float64."""
        if not self.fit_intercept:
            return np.zeros(self.n_tasks)
        return self.y_offset - self.inner.x_offset.astype(np.float64) @ np.asarray(coef, dtype=np.float64)

    def XtY(self):
        """X_w^T Y (n_features, n_tasks) in float64."""
        inner = self.inner
        Y = self.Y.astype(np.float64)
        if inner.sparse:
            out = np.asarray(inner.Xt.T @ Y, dtype=np.float64)
            if inner.col_factor.size:
                out *= inner.col_factor[:, None]
            return out  # (u^T Y = 0: the centering drops out)
        return inner.X.T.astype(np.float64) @ Y if inner.dtype == np.float32 else inner.X.T @ Y

    def gram(self):
        """X_w^T X_w in float64 (C-contiguous)."""
        inner = self.inner
        if inner.sparse:
            if inner.dtype == np.float64:
                return inner.gram()
            return np.ascontiguousarray(inner.statistics(np.float64).gram())
        X = inner.X if inner.dtype == np.float64 else inner.X.astype(np.float64, order="F")
        return np.ascontiguousarray(X.T @ X)

    def alpha_max(self, l1_ratio, positive=False, Xty=None):
        """max_j ||x_j^T Y||_2 / (n l1_ratio), user units; 0 when Y is numerically orthogonal to X."""
        work = self.XtY()
        norms = np.sqrt(np.einsum("jt,jt->j", work, work))
        bound = np.sqrt(self.inner.norm2_cols.astype(np.float64) * self.y_norm2)
        norms[norms <= 4 * np.finfo(self.dtype).eps * bound] = 0.0
        top = float(np.max(norms, initial=0.0)) * self.inner.x_scale * self.y_scale
        return top / (self.n_samples * l1_ratio)


def multitask_design(X, Y, sample_weight, penalty, *, fit_intercept, standardize):
    """The `MultiTaskDesign` of validated X (dense, finite unchecked, or CSC) and Y (n_samples, n_tasks)."""
    n_samples = X.shape[0]
    dtype = X.dtype
    inner = build_design(X, np.ascontiguousarray(Y[:, 0]), sample_weight, _plan.Plan("residual"),
                         fit_intercept=fit_intercept, standardize=standardize, penalty=penalty.kept())
    Y64 = np.asarray(Y, dtype=np.float64)
    if fit_intercept:
        y_offset = np.average(Y64, axis=0, weights=sample_weight)
        Yc = Y64 - y_offset
    else:
        y_offset = np.zeros(Y.shape[1])
        Yc = Y64.copy()
    if sample_weight is not None:
        sw = sample_weight.astype(np.float64) * (n_samples / float(sample_weight.sum(dtype=np.float64)))
        Yc *= np.sqrt(sw)[:, None]
    y_scale = pow2_scale(float(np.max(np.abs(Yc))) if Yc.size else 0.0, dtype)
    if y_scale != 1.0:
        Yc /= y_scale
    Yw = np.asfortranarray(Yc.astype(dtype))
    return MultiTaskDesign(inner=inner, Y=Yw, y_offset=y_offset, y_scale=y_scale,
                           y_norm2=float(np.einsum("it,it->", Yw, Yw, dtype=np.float64)))


class MultiTaskSolver:
    """The per-penalty solver of a multi-task path: `solver(W, l1_reg, l2_reg) -> (gap, epochs, status)`.

    'residual': `mt_cd` with the residual R = Y - X W kept across penalties, X^T R of the last gap kept
    for the next penalty's first gap and its sequential strong rule (rows with ||x_j^T R - l2_j W_j|| >=
    2 l1_reg - previous l1_reg visited first). 'gram': `mt_cd_gram` in float64 from X^T X and X^T Y
    (Q = X^T Y - G W kept across penalties); its gap, plus a bound on the rounding of ||R||^2 from the
    statistics, certifies float64 data when it meets the target; otherwise (and always for float32
    data, whose W is rounded when returned) the gap on the data (`mt_gap`, one pass over X) decides,
    and residual updates finish from there if it is above the target."""

    def __init__(self, design, W, options, gram):
        self.design = design
        self.options = options
        self.kernel = dict(max_iter=options.max_iter, tol=float(options.tol_gap), tol_step=float(options.tol),
                           gap_every=GAP_EVERY, seed=options.seed, random=options.random,
                           screening=options.screening, anderson=options.anderson)
        self.columns = design.kernel_columns()
        self.norm2 = np.ascontiguousarray(design.inner.norm2_cols)
        l2f = design.l2_factor
        self.l2_factor = None if l2f is None else np.ascontiguousarray(l2f, dtype=design.dtype)
        self.R = np.empty_like(design.Y, order="F")
        mt_residual(W, self.columns, design.Y, self.R)
        self.XtR = np.zeros((design.n_features, design.n_tasks), dtype=design.dtype)
        self.XtR_valid = False
        self.previous_l1 = None
        self.gram = gram
        if gram:
            self.G = design.gram()
            self.XtY = np.ascontiguousarray(design.XtY())
            self.yty = float(np.einsum("it,it->", design.Y, design.Y, dtype=np.float64))
            self.W64 = np.ascontiguousarray(W, dtype=np.float64)
            self.Q = self.XtY - self.G @ self.W64
            self.l2_factor64 = None if l2f is None else np.ascontiguousarray(l2f, dtype=np.float64)
            # float64 data: the statistics are the data's and their gap certifies W (float32 data: W is
            # rounded to float32 when returned, so its gap is taken on the data)
            self.certifies = design.dtype == np.float64
            self.R_fresh = True
            self.name = "cd-multitask-gram"
        else:
            self.name = f"cd-multitask-{'sparse' if design.sparse else 'dense'}-residual"

    def _strong(self, W, l1_reg, l2_reg):
        if not self.XtR_valid or self.previous_l1 is None:
            return None
        l2 = l2_reg if self.l2_factor is None else l2_reg * self.l2_factor[:, None]
        corr = self.XtR - l2 * W
        return (np.sqrt(np.einsum("jt,jt->j", corr, corr)) >= 2 * l1_reg - self.previous_l1).astype(np.uint8)

    def __call__(self, W, l1_reg, l2_reg):
        epochs = 0
        if self.gram:
            if not np.array_equal(self.W64.astype(W.dtype), W):  # (a warm start from outside)
                self.W64 = np.ascontiguousarray(W, dtype=np.float64)
                self.Q = self.XtY - self.G @ self.W64
            # the statistics' gap target a little tighter, so that a certified gap usually meets the target
            kernel = dict(self.kernel, tol=0.5 * self.kernel["tol"])
            gap, epochs, status = mt_cd_gram(self.W64, float(l1_reg), float(l2_reg), self.G, self.XtY, self.yty,
                                             self.Q, kernel, l2_factor=self.l2_factor64)
            W[...] = self.W64
            self.R_fresh = False
            if self.certifies and status != 2:
                # float64 statistics of the data itself: their gap is the data's up to the rounding of
                # ||R||^2 = ||Y||^2 - <W, X^T Y> - <W, Q>, bounded by (n + p) eps (||Y||^2 + ||X W||^2)
                xw2 = max(float(np.vdot(self.W64, self.XtY - self.Q)), 0.0)
                rounding = (self.design.n_samples + self.design.n_features) * np.finfo(np.float64).eps * (
                    self.yty + xw2)
                if gap + rounding <= self.kernel["tol"]:
                    return gap + rounding, epochs, 0
            mt_residual(W, self.columns, self.design.Y, self.R)
            self.R_fresh = True
            gap = mt_gap(W, l1_reg, l2_reg, self.columns, self.design.Y, self.R, self.XtR,
                         l2_factor=self.l2_factor)
            status = 0
            if gap > self.kernel["tol"]:
                gap, more, status = mt_cd(W, l1_reg, l2_reg, self.columns, self.design.Y, self.R, self.norm2,
                                          dict(self.kernel, max_iter=max(self.kernel["max_iter"] - epochs, 1)),
                                          self.XtR, XtR_valid=True, l2_factor=self.l2_factor)
                epochs += more
                self.W64 = np.ascontiguousarray(W, dtype=np.float64)
                self.Q = self.XtY - self.G @ self.W64
            return gap, epochs, status
        strong = self._strong(W, l1_reg, l2_reg)
        gap, epochs, status = mt_cd(W, l1_reg, l2_reg, self.columns, self.design.Y, self.R, self.norm2,
                                    self.kernel, self.XtR, XtR_valid=self.XtR_valid, strong=strong,
                                    l2_factor=self.l2_factor)
        self.XtR_valid = status != 2
        self.previous_l1 = float(l1_reg)
        return gap, epochs, status

    def residual_norm2(self, W):
        if self.gram and not self.R_fresh:  # from the statistics: ||Y||^2 - <W, X^T Y> - <W, Q>
            return max(self.yty - float(np.vdot(self.W64, self.XtY)) - float(np.vdot(self.W64, self.Q)), 0.0)
        return float(np.einsum("it,it->", self.R, self.R, dtype=np.float64))


class MultiTaskGaussian:
    """The multi-task least-squares datafit (`fastreg._datafit`'s seam): a solution is a block of
    n_tasks responses per feature."""

    name = "multitask-gaussian"

    def __init__(self, gram):
        self.gram = gram

    @staticmethod
    def block(design):
        return (design.n_tasks,)

    @staticmethod
    def tol_unit(design):
        return design.null_norm2

    def solver(self, plan, design, w, options):
        return MultiTaskSolver(design, w, options, self.gram)

    @staticmethod
    def deviance(solver, w):
        return solver.residual_norm2(w)

    @staticmethod
    def intercept(design, solver, coef):
        return design.intercept(coef)

    @staticmethod
    def alpha_max(design, l1_ratio, positive, Xty=None):
        return design.alpha_max(l1_ratio, positive)

    @staticmethod
    def unconverged(design, settings, alpha, gap, target):
        norm = "||Y - mean(Y)||_F^2" if design.fit_intercept else "||Y||_F^2"
        return (
            f"Objective did not converge. You might want to increase the number of iterations. "
            f"Coordinate descent stopped at alpha={alpha:.6g}: duality gap {gap:.3e} "
            f"is above the target {target:.3e} (tol={settings.tol:g} times {norm} / n) after "
            f"max_iter={settings.max_iter} epochs. Increase max_iter, loosen tol, or scale the features "
            f"(e.g. standardize X)."
        )


def use_gram(X, precompute):
    """The Gram route: True/False as given; 'auto' when n > 2 p and X^T X fits the Gram budget."""
    if precompute is True or precompute is False:
        return bool(precompute)
    n, p = X.shape
    return n > 2 * p and p * p * 8 <= _plan.GRAM_MAX_BYTES


def check_multitask_target(Y, n_samples, dtype, *, estimator=None):
    """Y validated as a 2-D (n_samples, n_tasks) array of X's dtype (1-D is an error)."""
    return v.as_target(Y, n_samples, dtype, allow_2d=True, estimator=estimator)


def check_multitask_penalty(penalty, *, positive, lower_bounds, upper_bounds):
    """The penalty options a multi-task problem refuses: positive, bounds, factor 0."""
    if positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    if lower_bounds is not None or upper_bounds is not None:
        name = "lower_bounds" if lower_bounds is not None else "upper_bounds"
        raise ValueError(f"{name} is not supported with a 2-D y (multi-task models): the group penalty "
                         f"has no box constraints; pass {name}=None.")
    if penalty is not None and penalty.factor is not None and np.any(penalty.factor == 0):
        raise ValueError("penalty_factor 0 (an unpenalized feature) is not supported with a 2-D y "
                         "(multi-task models) yet; give those features a small positive factor.")


def multitask_problem(X, Y, sample_weight, penalty, settings, *, fit_intercept, standardize, precompute,
                      n_alphas=None):
    """The `Problem` of a multi-task fit on validated arrays (X may hold NaN: checked here). One task is
    the single-task problem itself (the same objective): its design, plan and solvers, so that a
    multi-task model of one task is the single-task model's solution exactly."""
    from ._path import Problem, prepare

    if Y.shape[1] == 1:
        return prepare(X, np.ascontiguousarray(Y[:, 0]), sample_weight, settings, penalty,
                       fit_intercept=fit_intercept, standardize=standardize, precompute=precompute,
                       n_alphas=n_alphas)
    if not sparse.issparse(X):
        v.check_finite(X)
    X = penalty.columns(X)
    design = multitask_design(X, Y, sample_weight, penalty, fit_intercept=fit_intercept, standardize=standardize)
    datafit = MultiTaskGaussian(use_gram(X, precompute))
    return Problem(design, _plan.Plan("residual"), penalty, datafit)


def solve_multitask(problem, alphas, settings, *, coef_init=None, return_n_iter=False):
    """`solve_path` of a `multitask_problem`, in the multi-output layout also for one task (coefs
    (n_tasks, n_features, n_alphas), intercepts (n_tasks, n_alphas)); coef_init (n_tasks, n_features)."""
    from ._path import solve_path

    if isinstance(problem.datafit, MultiTaskGaussian):
        return solve_path(problem, alphas, settings, coef_init=coef_init, return_n_iter=return_n_iter)
    path = solve_path(problem, alphas, settings, coef_init=None if coef_init is None else coef_init[0],
                      return_n_iter=return_n_iter)
    path.coefs = path.coefs[None]
    path.intercepts = np.asarray(path.intercepts)[None]
    return path


def multitask_path(X, Y, sample_weight, settings, penalty, grid, *, fit_intercept, standardize, precompute,
                   coef_init=None, return_n_iter=False):
    """The multi-task path (validated inputs; `fastreg._path.enet_path` with a 2-D y)."""
    from ._path import path_alphas

    problem = multitask_problem(X, Y, sample_weight, penalty, settings, fit_intercept=fit_intercept,
                                standardize=standardize, precompute=precompute, n_alphas=grid.size)
    return solve_multitask(problem, path_alphas(problem, grid), settings, coef_init=coef_init,
                           return_n_iter=return_n_iter)


def multitask_cv(X, Y, sample_weight, settings, l1_ratios, grid, cv, *, fit_intercept, precompute="auto",
                 n_jobs=None):
    """Cross-validate the multi-task path: every fold's path on the grid of all the data (per l1_ratio),
    scored by the held-out (weighted) mean squared error averaged over the tasks, as scikit-learn's
    `_path_residuals`. Returns (alphas (n_l1, n_alphas), mse_path (n_l1, n_alphas, n_folds), folds)."""
    from ._path import path_alphas
    from ._settings import check_penalty

    n_samples, n_features = X.shape
    folds = make_folds(cv, X, Y, None, n_samples)
    all_alphas = []
    for l1_ratio in l1_ratios:
        penalty = check_penalty(l1_ratio, n_features)
        problem = multitask_problem(X, Y, sample_weight, penalty, settings, fit_intercept=fit_intercept,
                                    standardize=False, precompute=precompute, n_alphas=grid.size)
        all_alphas.append(np.asarray(path_alphas(problem, grid), dtype=np.float64))
    alphas = np.array(all_alphas)

    def one(job):
        k, (train, test) = job
        Xtr, Ytr = take_rows(X, train), Y[train]
        swtr = None if sample_weight is None else sample_weight[train]
        Xte, Yte = take_rows(X, test), Y[test]
        swte = None if sample_weight is None else sample_weight[test]
        out = []
        for i, l1_ratio in enumerate(l1_ratios):
            penalty = check_penalty(l1_ratio, n_features)
            problem = multitask_problem(Xtr, Ytr, swtr, penalty, settings, fit_intercept=fit_intercept,
                                        standardize=False, precompute=precompute, n_alphas=grid.size)
            path = solve_multitask(problem, alphas[i], settings)
            out.append(held_out_mse(Xte, Yte, swte, path.coefs, path.intercepts))
        return k, out

    mse = np.empty((len(l1_ratios), alphas.shape[1], len(folds)))
    jobs = list(enumerate(folds))
    workers = n_workers(n_jobs)
    if workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(min(workers, len(jobs))) as pool:
            results = list(pool.map(one, jobs))
    else:
        results = [one(job) for job in jobs]
    for k, out in results:
        for i, m in enumerate(out):
            mse[i, :, k] = m
    return alphas, mse, folds


def held_out_mse(X, Y, sample_weight, coefs, intercepts):
    """Mean over tasks of the (weighted) mean squared error of every alpha: coefs (T, p, n_alphas),
    intercepts (T, n_alphas)."""
    n_tasks, _, n_alphas = coefs.shape
    out = np.zeros(n_alphas)
    for t in range(n_tasks):
        pred = np.asarray(X @ coefs[t].astype(np.float64)) + intercepts[t][None, :]
        res = pred - np.asarray(Y[:, t], dtype=np.float64)[:, None]
        if sample_weight is None:
            out += (res**2).mean(axis=0)
        else:
            out += np.average(res**2, axis=0, weights=sample_weight)
    return out / n_tasks
