"""Ridge and RidgeCV side by side with scikit-learn and with the floor of any Cholesky ridge, in one process.

For each real n >> p problem (ggplot2's diamonds with every monomial of degree <= 2 or 3 of its 23 base
columns, `datasets.diamonds_monomials`; columns at unit variance, centered or not), float64, with an
intercept:

- ``Ridge / floor``: fastreg's ``Ridge(alpha).fit`` over the floor of any Cholesky ridge, one ``syrk``
  (X^T X) plus one ``potrf`` of X^T X + alpha I, timed in this process (BLAS with all its threads);
- ``sklearn / Ridge``: scikit-learn's ``Ridge(solver='cholesky')`` over fastreg's, and the largest
  coefficient difference relative to the largest coefficient;
- ``RidgeCV``: leave-one-out over ``--n-alphas`` penalties, fastreg's time, scikit-learn's, their ratio,
  and whether both chose the same alpha (and the relative difference of their best scores).

Every time is the minimum over ``--repeat`` runs of each, fastreg, its floor and scikit-learn interleaved,
so that other work on the machine inflates all alike. scikit-learn's RidgeCV runs once (it takes minutes on p = 2599:
``--sklearn-cv-large`` to include it there).

    python compare_ridge.py                 # all problems
    python compare_ridge.py --quick         # degree 2 only (53940 x 299)
    python compare_ridge.py --threads 1     # single-threaded BLAS: steadier on a busy machine
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.linalg import blas, lapack

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fastreg  # noqa: E402
from benchmarks.datasets import diamonds_monomials  # noqa: E402

PROBLEMS = {
    "diamonds-2": dict(degree=2, center=True),
    "diamonds-2-uncentered": dict(degree=2, center=False),
    "diamonds-3": dict(degree=3, center=True),
    "diamonds-3-uncentered": dict(degree=3, center=False),
}


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def floor(X, alpha):
    """One syrk and one potrf: what any Cholesky ridge on X must at least do."""
    G = blas.dsyrk(1.0, X, trans=1)
    G[np.diag_indices_from(G)] += alpha
    _, info = lapack.dpotrf(G, lower=0, clean=0, overwrite_a=1)
    assert info == 0


def compare(name, X, y, *, alpha, alphas, repeat, sklearn_cv):
    from sklearn.linear_model import Ridge as SkRidge
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    row = {"problem": f"{name} {X.shape[0]}x{X.shape[1]}"}
    # the same number of runs of each, interleaved: a minimum over more runs would be biased low
    ours_t, floor_t, sk_t = [], [], []
    for _ in range(repeat):
        floor_t.append(seconds(lambda: floor(X, alpha))[0])
        t, ours = seconds(lambda: fastreg.Ridge(alpha=alpha).fit(X, y))
        ours_t.append(t)
        t, theirs = seconds(lambda: SkRidge(alpha=alpha, solver="cholesky").fit(X, y))
        sk_t.append(t)
    row["ridge/floor"] = min(ours_t) / min(floor_t)
    row["sklearn/ridge"] = min(sk_t) / min(ours_t)
    row["coef diff"] = float(np.abs(ours.coef_ - theirs.coef_).max() / np.abs(theirs.coef_).max())
    row["solver"] = ours.solver_

    cv_t = []
    for _ in range(max(1, repeat // 2)):
        t, cv = seconds(lambda: fastreg.RidgeCV(alphas=alphas).fit(X, y))
        cv_t.append(t)
    row["ridgecv s"] = min(cv_t)
    row["alpha"] = cv.alpha_
    if sklearn_cv:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, sk_cv = seconds(lambda: SkRidgeCV(alphas=alphas).fit(X, y))
        row["sklearn cv s"] = t
        row["sklearn cv/ours"] = t / min(cv_t)
        row["same alpha"] = bool(sk_cv.alpha_ == cv.alpha_)
        row["score diff"] = abs(cv.best_score_ - sk_cv.best_score_) / abs(sk_cv.best_score_)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", nargs="+", choices=sorted(PROBLEMS), default=list(PROBLEMS))
    parser.add_argument("--quick", action="store_true", help="degree-2 problems only")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=1.0, help="Ridge's penalty")
    parser.add_argument("--n-alphas", type=int, default=30, help="RidgeCV's grid: logspace(-3, 5, n)")
    parser.add_argument("--sklearn-cv-large", action="store_true", help="run scikit-learn's RidgeCV on p > 1000")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: all)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads, user_api="blas")
    problems = [p for p in args.problem if not (args.quick and "-3" in p)]
    alphas = np.logspace(-3, 5, args.n_alphas)
    rows = []
    for name in problems:
        X, y = diamonds_monomials("float64", **PROBLEMS[name])
        rows.append(compare(name, X, y, alpha=args.alpha, alphas=alphas, repeat=args.repeat,
                            sklearn_cv=X.shape[1] <= 1000 or args.sklearn_cv_large))
        del X, y
        print(rows[-1], flush=True)
    keys = ["problem", "ridge/floor", "sklearn/ridge", "coef diff", "solver", "ridgecv s", "sklearn cv s",
            "sklearn cv/ours", "same alpha", "alpha", "score diff"]
    print()
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        cells = []
        for key in keys:
            value = row.get(key, "-")
            cells.append(f"{value:.3g}" if isinstance(value, float) else str(value))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
