"""The relaxed lasso (glmnet's ``relax=TRUE``; Meinshausen 2007, Hastie, Tibshirani & Tibshirani 2020):
for each alpha of a path, the unpenalized least-squares refit on that alpha's support.

For the support S of the solution at alpha (its non-zero coefficients), the relaxed coefficients solve

    min_{w_S, b}  1/(2n) sum_i s_i (y_i - x_{i,S}^T w_S - b)^2

with the path's intercept and weights, in the working problem of the path's own design
(`fastreg._design`: centered, weighted, standardized columns, penalty factors as column scales), so
that the map back to the user's units (`coef_to_user`, `intercept`) is the path's. Unpenalized
features (penalty factor 0) are partialled out of the design and so belong to every refit (they are in
every model of the path); excluded ones (factor inf) to none. The blend of glmnet's ``gamma``,
``gamma * lasso + (1 - gamma) * relaxed`` (gamma = 1 the lasso, 0 the fully relaxed fit), is
`blend`.

The least squares come from the statistics when the design has them (the Gram kernel's X_w^T X_w
and X_w^T y_w, restricted to S: one Cholesky factorization per distinct support, `cholesky_solve`
with its condition test), else from the support's columns of X_w (`dense_columns`, LAPACK's gelsd:
the minimum-norm least-squares solution). A support whose normal equations cannot be trusted (singular
or nearly so: duplicated or collinear columns) is solved from the data's columns when they are at hand
(`on_data`), else by the eigendecomposition of its Gram block with the eigenvalues below
``size * eps * largest`` dropped: the minimum-norm solution either way, never NaN. The minimum norm is
that of the working coordinates (the standardized columns with ``standardize=True``; the user's
otherwise, penalty factors aside).

Only the Gaussian family is built: bounds (``positive``, ``lower_bounds``/``upper_bounds``) would make
the refit a bounded least-squares problem (glmnet keeps its limits), and the binomial refit an
unpenalized logistic regression; `check_relax` refuses them, and the multi-task problem, in one clear
error.
"""
import numpy as np

from . import _ridge

# eigenvalues of a singular support's Gram block below this many eps times the largest (times its
# size) are treated as 0 (the minimum-norm solution drops their directions)
PINV_EPS_FACTOR = 16


def check_relax(relax, penalty=None, *, what="enet_path", multi_output=False, family=None):
    """Validate ``relax`` (a bool) for a path with `penalty`; the refusals of what is not built."""
    from . import _validation as v

    relax = v.check_bool(relax, "relax")
    if not relax:
        return False
    if family is not None:
        raise ValueError(
            f"relax=True is not built for {what} ({family} family): glmnet's relaxed logistic fit, an "
            f"unpenalized logistic regression on each support, is not in fastreg yet. Use the Gaussian "
            f"paths (enet_path, lasso_path, cv_path) for the relaxed lasso.")
    if multi_output:
        raise ValueError(f"relax=True is not built for the multi-task problem (a 2-D y) in {what}; relax "
                         f"one task at a time (a 1-D y).")
    if penalty is not None and (penalty.positive or penalty.lower is not None or penalty.upper is not None):
        raise ValueError(
            f"relax=True with positive=True or lower_bounds/upper_bounds is not supported in {what}: the "
            f"refit on each support would be a bounded least-squares problem. Drop the bounds, or relax "
            f"without them.")
    return True


def relaxed_path(problem, path):
    """The relaxed Path of a Gaussian `path` solved on `problem` (`fastreg._path.Problem`): the same
    alphas, the least-squares refit of each alpha's support (coefficients in the path's dtype,
    intercepts, `dev_ratios` of the refit; `dual_gaps` 0 and `converged` True: each refit is solved
    directly, not iteratively; `solver` says how: 'relaxed-cholesky', 'relaxed-lstsq', '+lstsq' or
    '+pinv' for singular supports). Its coefficients are over the user's features, as `path`'s."""
    from ._path import Path

    design, penalty = problem.design, problem.penalty
    kept = penalty.restrict(np.asarray(path.coefs))  # (n_kept, n_alphas): the design's features
    n_alphas = kept.shape[1]
    coefs = np.zeros(kept.shape, dtype=design.result_dtype)
    intercepts = np.empty(n_alphas)
    dev_ratios = np.empty(n_alphas)
    solver = _SupportSolver(design)
    done = {}
    for i in range(n_alphas):
        support = np.flatnonzero(design.coef_to_work(kept[:, i]) != 0)
        key = support.tobytes()
        if key not in done:  # (neighbouring alphas often share a support: solved once, as glmnet does)
            done[key] = solver(support)
        coefs[:, i], intercepts[i], dev_ratios[i] = done[key]
    relaxed = Path(np.asarray(path.alphas).copy(), coefs, intercepts, np.zeros(n_alphas),
                   np.zeros(n_alphas, dtype=np.intp), np.ones(n_alphas, dtype=bool), solver.name,
                   path.l1_ratio, path.tol)
    relaxed.dev_ratios = dev_ratios
    relaxed.feature_names = path.feature_names
    return penalty.expand(relaxed)


class _SupportSolver:
    """support (working feature indices) -> (the user's coefficients of the kept features, intercept,
    fraction of the deviance explained) of the least-squares refit on it."""

    def __init__(self, design):
        self.design = design
        self.null = float(design.null_norm2)
        self.statistics = not design.has_data
        if self.statistics:
            self.G = design.gram()
            self.b = design.Xty().astype(np.float64)
        self.routes = set()
        self._data = None  # the design on the data, built once when a support needs it (`on_data`)

    @property
    def name(self):
        first = "cholesky" if self.statistics else "lstsq"
        rest = sorted(self.routes - {first})
        return "relaxed-" + "+".join([first] + rest)

    def __call__(self, S):
        design = self.design
        w = np.zeros(design.n_features)
        if S.size == 0:
            rss = float(design.y_norm2)
        elif self.statistics:
            w[S], rss, design = self._from_statistics(S)
        else:
            w[S], rss = _lstsq(design, S)
        coef = design.coef_to_user(w)
        dev = 1.0 - rss / self.null if self.null > 0 else 0.0
        return coef, design.intercept(coef), dev

    def _from_statistics(self, S):
        """(w_S, residual sum of squares, the design they belong to) from the Gram block of S."""
        G_SS = np.ascontiguousarray(self.G[np.ix_(S, S)], dtype=np.float64)
        b_S = self.b[S]
        x, untrusted = _ridge.cholesky_solve(G_SS, b_S[:, None], np.zeros(1), np.dtype(np.float64))
        if np.isinf(untrusted[0]):
            w = x[:, 0]
            self.routes.add("cholesky")
        else:
            if self._data is None:
                self._data = self.design.on_data() or False
            data = self._data
            if data:  # the support's columns themselves (the same working coordinates)
                self.routes.add("lstsq")
                w, rss = _lstsq(data, S)
                return w, rss, data
            self.routes.add("pinv")
            w = _pinv_solve(G_SS, b_S)
        # ||y_w - X_S w||^2 = y^T y - 2 w^T X_S^T y + w^T G_SS w (at least 0: rounding)
        rss = max(float(self.design.y_norm2) - 2.0 * float(w @ b_S) + float(w @ (G_SS @ w)), 0.0)
        return w, rss, self.design


def _lstsq(design, S):
    """(w_S, residual sum of squares) of min ||y_w - X_w[:, S] w_S|| with the least norm (gelsd)."""
    X_S = design.dense_columns(S)
    y = np.asarray(design.y, dtype=np.float64)
    w, _, _, _ = np.linalg.lstsq(X_S, y, rcond=None)
    r = y - X_S @ w
    return w, float(r @ r)


def _pinv_solve(G, b):
    """The minimum-norm solution of G w = b for a symmetric positive semi-definite G (eigenvalues below
    PINV_EPS_FACTOR * size * eps * the largest dropped)."""
    vals, vecs = np.linalg.eigh(G)
    keep = vals > vals.max(initial=0.0) * PINV_EPS_FACTOR * G.shape[0] * np.finfo(np.float64).eps
    c = vecs.T @ b
    return vecs[:, keep] @ (c[keep] / vals[keep])


def blend(lasso, relaxed, gamma):
    """glmnet's relaxed blend gamma * lasso + (1 - gamma) * relaxed (of coefficients, intercepts or
    predictions), in the lasso's dtype for the coefficients; gamma = 1 is the lasso itself."""
    if gamma == 1.0:
        return lasso
    out = gamma * np.asarray(lasso, dtype=np.float64) + (1.0 - gamma) * np.asarray(relaxed, dtype=np.float64)
    return out.astype(np.result_type(np.asarray(lasso).dtype, np.float32)) if np.ndim(out) else float(out)
