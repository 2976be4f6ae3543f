"""L1-logistic regression problems and their duality-gap certificate, for compare_logistic.py and
bench_logistic.py.

The problems (labels 0/1 as float64; X dense in Fortran order or scipy CSC):

- `thresholded_design`: `datasets.correlated_design` (Toeplitz 0.7) with its linear response turned
  into labels, y = 1[y_lin + 0.5 std-normal noise > median(y_lin)] (balanced classes, overlapping);
- `breast_cancer`: scikit-learn's Wisconsin breast-cancer data (569 x 30), columns standardized to
  mean 0 and variance 1 (every library then solves the same problem with glmnet's standardize=FALSE);
  nearly separable, so the small penalties of a path are hard;
- `onehot_logistic`: the one-hot design of `sparse_data.onehot_design` (Zipf-distributed categorical
  variables, flags and two numeric columns, CSC) with labels from a logistic model on its linear
  response: P(y = 1) = sigmoid(1.5 z - 1), z the standardized response (about a third positive: the
  intercept is far from 0).

`logistic_primal_dual` certifies any (w, b) of the L1-penalized problem with NumPy/SciPy only, without
fastreg's code.
"""
import numpy as np
import scipy.sparse as sp
from scipy.special import entr, expit

from .datasets import correlated_design
from .sparse_data import N_LEVELS, onehot_design


def thresholded_design(n_samples, n_features, *, rho=0.7, seed=0, noise=0.5):
    """Dense correlated X (Fortran order) and 0/1 labels thresholded from its sparse linear response."""
    X, y_lin = correlated_design(n_samples, n_features, rho=rho, seed=seed)
    rng = np.random.default_rng(seed + 1)
    y = (y_lin + noise * rng.standard_normal(n_samples) > np.median(y_lin)).astype(np.float64)
    return X, y


def breast_cancer():
    """scikit-learn's breast-cancer data (569 x 30), standardized columns, labels 0/1 (1 = benign)."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.asfortranarray(X), y.astype(np.float64)


# name -> keyword arguments of onehot_design: compare_logistic's full and --quick sizes, and the asv size
ONEHOT_SIZES = {
    "full": dict(n_samples=100_000, n_levels=N_LEVELS),
    "medium": dict(n_samples=30_000, n_levels=tuple(k // 2 for k in N_LEVELS)),
    "quick": dict(n_samples=20_000, n_levels=tuple(max(3, k // 4) for k in N_LEVELS)),
}


def onehot_logistic(size="full", seed=0, slope=1.5, offset=-1.0):
    """One-hot CSC X of `onehot_design` and labels y ~ Bernoulli(sigmoid(slope z + offset)), z the
    standardized linear response of `onehot_design` (its sparse effects and noise)."""
    X, y_lin = onehot_design(**ONEHOT_SIZES[size], seed=seed)
    z = (y_lin - y_lin.mean()) / y_lin.std()
    rng = np.random.default_rng(seed + 1)
    y = (rng.random(len(z)) < expit(slope * z + offset)).astype(np.float64)
    return X, y


def alpha_max(X, y, fit_intercept=True):
    """The smallest alpha with w = 0 optimal: max_j |x_j^T (y - p0)| / n, p0 = mean(y) (the intercept-only
    fit), or 1/2 without intercept (eta = 0)."""
    y = np.asarray(y, dtype=np.float64)
    p0 = y.mean() if fit_intercept else 0.5
    return float(np.max(np.abs(X.T @ (y - p0)))) / len(y)


def null_objective(y, fit_intercept=True):
    """The null model's mean log-loss, the unit of every relative gap: the entropy of mean(y), log 2
    without intercept."""
    ybar = float(np.mean(y))
    return float(entr(ybar) + entr(1.0 - ybar)) if fit_intercept else float(np.log(2.0))


def _intercept_feasible(t, y):
    """t' in [0, 1]^n with sum(t') = sum(y) (the intercept's dual constraint), close to t.

    First the Euclidean projection onto that set, t' = clip(t + c, 0, 1) with c found by bisection
    (sum(clip(t + c, 0, 1)) increases with c); then the rounding left in sum(y - t') is removed exactly by
    scaling one side of theta = y - t' towards 0: theta is >= 0 where y = 1 and <= 0 where y = 0 (t' in
    [0, 1]), so the side with the larger sum is multiplied by the ratio of the two sums, which keeps t'
    in [0, 1].
    """
    target = y.sum()
    lo, hi = -1.0, 1.0
    for _ in range(60):
        c = 0.5 * (lo + hi)
        if np.clip(t + c, 0.0, 1.0).sum() < target:
            lo = c
        else:
            hi = c
    theta = y - np.clip(t + 0.5 * (lo + hi), 0.0, 1.0)
    positive = y > 0.5
    s_pos, s_neg = theta[positive].sum(), -theta[~positive].sum()
    if s_pos > s_neg and s_pos > 0:
        theta[positive] *= s_neg / s_pos
    elif s_neg > s_pos and s_neg > 0:
        theta[~positive] *= s_pos / s_neg
    return theta


def logistic_primal_dual(X, y, alphas, coefs, intercepts, fit_intercept=True):
    """Primal and dual values of the L1-logistic solutions (coefs[:, k], intercepts[k]) at alphas[k].

    Objective (glmnet's scale, pure L1), labels y in {0, 1}, eta = X w + b:

        P(w, b) = 1/n sum_i [log(1 + exp(eta_i)) - y_i eta_i] + alpha ||w||_1.

    Fenchel dual: log(1 + e^eta) has the conjugate t log t + (1 - t) log(1 - t) on [0, 1], so for any
    t in [0, 1]^n with theta = y - t, ||X^T theta||_inf <= n alpha and, with an intercept,
    sum(theta) = 0,

        D(t) = 1/n sum_i H(t_i),   H(t) = -t log t - (1 - t) log(1 - t),

    is a lower bound of min P (weak duality); at the optimum t = sigmoid(eta). The dual point here starts
    from the solution's probabilities t = sigmoid(eta), is made intercept-feasible (`_intercept_feasible`,
    with an intercept), then theta is scaled into the constraint, theta *= min(1, n alpha /
    ||X^T theta||_inf), which keeps t = y - theta in [0, 1] (a convex combination of t and y). P - D is a
    certified bound of P - min P. Everything in float64; NaN coefficients (an alpha a library did not
    return) give NaN.

    Returns P, D (arrays of len(alphas), absolute: divide by `null_objective` for relative values).
    """
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    alphas = np.asarray(alphas, dtype=np.float64)
    W = np.asarray(coefs, dtype=np.float64).reshape(X.shape[1], len(alphas))
    b = np.asarray(intercepts, dtype=np.float64).reshape(len(alphas))
    if sp.issparse(X):
        X = sp.csc_matrix(X, dtype=np.float64)
    else:
        X = np.asarray(X, dtype=np.float64)
    primal = np.full(len(alphas), np.nan)
    dual = np.full(len(alphas), np.nan)
    ok = np.isfinite(W).all(axis=0) & np.isfinite(b)
    done = np.flatnonzero(ok)
    block = max(1, (1 << 24) // n)  # linear predictors of a block of alphas at a time: about 128 MB
    for start in range(0, len(done), block):
        cols = done[start:start + block]
        eta = X @ W[:, cols] + b[cols]
        loss = np.logaddexp(0.0, eta) - y[:, None] * eta
        primal[cols] = loss.mean(axis=0) + alphas[cols] * np.abs(W[:, cols]).sum(axis=0)
        theta = y[:, None] - expit(eta)
        if fit_intercept:
            for i in range(len(cols)):
                theta[:, i] = _intercept_feasible(y - theta[:, i], y)
        Xt_theta = np.abs(X.T @ theta).max(axis=0)
        scale = np.minimum(1.0, n * alphas[cols] / np.maximum(Xt_theta, np.finfo(float).tiny))
        t = y[:, None] - theta * scale
        np.clip(t, 0.0, 1.0, out=t)  # rounding only: t is in [0, 1] by construction
        dual[cols] = (entr(t) + entr(1.0 - t)).mean(axis=0)
    return primal, dual
