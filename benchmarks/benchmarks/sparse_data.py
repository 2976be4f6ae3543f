"""A one-hot-style sparse regression problem and its duality-gap certificate, for the sparse benchmarks
(compare_sparse.py and bench_sparse.py).

`onehot_design` draws, deterministically from a seed, what a one-hot encoded table of categorical data
looks like: a few categorical variables of very different cardinalities whose level frequencies follow a
Zipf law (a few frequent levels, a long tail of rare ones), partly dependent on each other, a few binary
flags and numeric columns, and a target with sparse true effects, noise and a non-zero mean. X is
returned as scipy.sparse CSC with int32 indices and every observed level as a column (no reference level
dropped: the intercept is fitted, so the one-hot blocks are collinear with it, as in real pipelines).
`primal_dual_centered` certifies any solution of it with an intercept, from sparse products only.
"""
import numpy as np
import scipy.sparse as sp

from .certificate import primal_dual_block

# 8 categorical variables, 3972 levels in all (e.g. product, store, zip code, ... down to a weekday)
N_LEVELS = (2000, 1000, 500, 250, 120, 60, 30, 12)

# name -> keyword arguments of onehot_design: the problem, the asv size, compare_sparse's --quick
SIZES = {
    "full": dict(n_samples=300_000, n_levels=N_LEVELS),
    "medium": dict(n_samples=60_000, n_levels=tuple(k // 2 for k in N_LEVELS)),
    "quick": dict(n_samples=30_000, n_levels=tuple(max(3, k // 4) for k in N_LEVELS)),
}


def _zipf_probabilities(n_levels, exponent, offset=1.0):
    """p_k proportional to 1 / (k + offset)^exponent, k = 1..n_levels (a Zipf-Mandelbrot law)."""
    weights = 1.0 / (np.arange(1, n_levels + 1) + offset) ** exponent
    return weights / weights.sum()


def onehot_design(n_samples=300_000, n_levels=N_LEVELS, seed=0, dtype="float64", *, zipf_exponent=(0.9, 1.3),
                  dependence=0.3, n_binary=4, n_numeric=2, effect_density=0.03, snr=2.0, intercept=5.0):
    """One-hot encoded categorical data with skewed level frequencies, as CSC, and a sparse linear target.

    Rows. For each categorical variable v with ``n_levels[v]`` levels, a level is drawn from a Zipf law
    p_k ~ 1/(k + 1)^s_v, with exponents s_v spread evenly over ``zipf_exponent`` (the first variable,
    the largest, is the most skewed: its most frequent level takes about a tenth of the rows, its rarest
    a few in 10^5). The variables are not independent: for v >= 1 a fraction ``dependence`` of the rows
    take the level of v that a fixed random map assigns to their level of variable 0 (as a store
    determines its region), the others an independent draw; the marginals stay Zipf-like and columns of
    different variables become correlated. Then ``n_binary`` flags, set with probabilities spread over
    [0.05, 0.5], and ``n_numeric`` dense numeric columns (log-normal, positive, not centered: an amount
    or a duration). Every row has exactly one non-zero per categorical variable, so
    nnz ~ n_samples * (len(n_levels) + sum of the flags' rates + n_numeric).

    Columns. One per observed level (levels that no row drew are not columns, as a one-hot encoder
    fitted on the data would make them; with the default sizes all or nearly all levels are observed),
    then the flags, then the numeric columns. Nothing is dropped or centered.

    Target. ``y = intercept + X w + noise``: a fraction ``effect_density`` of the level columns (chosen
    uniformly, so mostly rare levels, at least one) get a Laplace(1) effect, each flag and numeric column
    an effect of +-0.5 (numeric columns are first divided by their standard deviation in the product,
    not in X); the noise is Gaussian with standard deviation ``std(X w) / snr`` (snr = 2: R^2 about 0.8).
    y is not centered.

    Parameters
    ----------
    n_samples : int, default=300_000
    n_levels : tuple of int, default=N_LEVELS
        Levels of each categorical variable; the default sums to 3972.
    seed : int, default=0
    dtype : {'float64', 'float32'}, default='float64'
        dtype of X's values and of y; the arithmetic above is in float64.
    zipf_exponent, dependence, n_binary, n_numeric, effect_density, snr, intercept
        See above.

    Returns
    -------
    X : scipy.sparse.csc_matrix of shape (n_samples, n_features)
        Sorted int32 indices, no explicit zeros.
    y : ndarray of shape (n_samples,)
    """
    rng = np.random.default_rng(seed)
    n_vars = len(n_levels)
    exponents = np.linspace(zipf_exponent[1], zipf_exponent[0], n_vars)
    codes = np.empty((n_vars, n_samples), dtype=np.int64)
    codes[0] = rng.choice(n_levels[0], n_samples, p=_zipf_probabilities(n_levels[0], exponents[0]))
    for v in range(1, n_vars):
        p = _zipf_probabilities(n_levels[v], exponents[v])
        codes[v] = rng.choice(n_levels[v], n_samples, p=p)
        level_map = rng.choice(n_levels[v], n_levels[0], p=p)  # level of variable 0 -> level of v
        tied = rng.random(n_samples) < dependence
        codes[v, tied] = level_map[codes[0, tied]]

    # one column per observed level, in the order of the variables and their levels
    global_code = codes + np.cumsum((0,) + tuple(n_levels[:-1]))[:, None]
    observed = np.zeros(sum(n_levels), dtype=bool)
    observed[global_code.ravel()] = True
    column_of = np.cumsum(observed) - 1
    n_onehot = int(observed.sum())
    onehot_cols = column_of[global_code]  # (n_vars, n_samples)

    flag_rates = np.linspace(0.05, 0.5, n_binary)
    flags = rng.random((n_binary, n_samples)) < flag_rates[:, None]
    numeric = rng.lognormal(mean=1.0, sigma=0.5, size=(n_numeric, n_samples))

    # COO triplets of every non-zero, then CSC by a stable sort on the column (rows stay sorted)
    rows_all = [np.tile(np.arange(n_samples), n_vars)]
    cols_all = [onehot_cols.ravel()]
    vals_all = [np.ones(n_vars * n_samples)]
    for k in range(n_binary):
        rows = np.flatnonzero(flags[k])
        rows_all.append(rows)
        cols_all.append(np.full(len(rows), n_onehot + k))
        vals_all.append(np.ones(len(rows)))
    for k in range(n_numeric):
        rows_all.append(np.arange(n_samples))
        cols_all.append(np.full(n_samples, n_onehot + n_binary + k))
        vals_all.append(numeric[k])
    rows, cols, vals = (np.concatenate(a) for a in (rows_all, cols_all, vals_all))
    order = np.argsort(cols, kind="stable")
    n_features = n_onehot + n_binary + n_numeric
    indptr = np.zeros(n_features + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=n_features), out=indptr[1:])
    if indptr[-1] >= 2**31:
        raise ValueError(f"{indptr[-1]} non-zeros do not fit int32 indices")
    X = sp.csc_matrix((vals[order].astype(dtype), rows[order].astype(np.int32), indptr.astype(np.int32)),
                      shape=(n_samples, n_features))

    w = np.zeros(n_features)
    n_effects = max(1, int(round(effect_density * n_onehot)))
    support = rng.choice(n_onehot, n_effects, replace=False)
    w[support] = rng.laplace(scale=1.0, size=n_effects)
    w[n_onehot:] = rng.choice([-0.5, 0.5], n_binary + n_numeric)
    w[n_onehot + n_binary:] /= numeric.std(axis=1)
    signal = X.astype(np.float64) @ w
    noise = rng.standard_normal(n_samples) * (np.std(signal) / snr)
    y = intercept + signal + noise
    return X, y.astype(dtype)


def onehot_problem(size="full", dtype="float64", seed=0):
    """`onehot_design` at a named size of `SIZES`: 'full' (300000 rows, 3972 levels + 6 columns),
    'medium' (60000 rows, half the levels: the asv benchmarks) or 'quick' (30000 rows, a quarter)."""
    return onehot_design(**SIZES[size], seed=seed, dtype=dtype)


# ----------------------------------------------------------------------------------------------------
# the certificate of a solution with an intercept


def primal_dual_centered(X, y, alphas, coefs, l1_ratio):
    """Primal and dual values, over ||y - mean(y)||^2 / n, of ``coefs[:, k]`` at ``alphas[k]`` with the
    intercept profiled out.

    For a given w the best intercept is b = mean(y) - xbar^T w (xbar the column means of X), and the
    intercept problem becomes the problem without intercept on the centered data X_c = X - 1 xbar^T,
    y_c = y - mean(y). Its residual, R = y_c - X_c w = y_c - X w + (xbar^T w) 1, and X_c^T R =
    X^T R - xbar sum(R) are computed with sparse products; X_c is never formed.

    With a = n alpha l1_ratio, b2 = n alpha (1 - l1_ratio) (n times the objective,
    n P = 1/2 ||R||^2 + a ||w||_1 + b2/2 ||w||^2), two lower bounds of n P*, both at R (compare.py's
    ``primal_dual``, where the derivation is):

        A. n D_A = 1/2 ||y_c||^2 - 1/2 ||y_c - c R||^2 - c^2 b2/2 ||w||^2,
           c = a / max(a, ||X_c^T R - b2 w||_inf)  (the Lasso dual on [X_c; sqrt(b2) I], rescaled);
        B. (b2 > 0) n D_B = y_c^T R - 1/2 ||R||^2 - 1/(2 b2) sum_j (|X_c,j^T R| - a)_+^2  (Fenchel).

    D = max(D_A, D_B), in float64 whatever the data's dtype (float32 values are upcast exactly).
    """
    X = sp.csc_matrix(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    y_c = y - y.mean()
    y_norm2 = y_c @ y_c
    xbar = np.asarray(X.mean(axis=0)).ravel()
    W = np.asarray(coefs, dtype=np.float64).reshape(X.shape[1], len(alphas))
    primal, dual = np.empty(len(alphas)), np.empty(len(alphas))
    block = max(1, (1 << 24) // n)  # residuals of a block of alphas at a time: about 128 MB
    for start in range(0, len(alphas), block):
        Wb = W[:, start:start + block]
        R = y_c[:, None] - X @ Wb + xbar @ Wb
        XtR = X.T @ R - np.outer(xbar, R.sum(axis=0))
        done = slice(start, start + Wb.shape[1])
        primal[done], dual[done] = primal_dual_block(y_c, R, XtR, Wb, np.asarray(alphas)[done], l1_ratio, y_norm2)
    return primal, dual
