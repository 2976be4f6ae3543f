"""LassoCV side by side: fastreg against scikit-learn's LassoCV(n_jobs=2) on the same folds.

Both get the same data, 5-fold splits (K-fold without shuffling: both libraries' default), 100 alphas
from the same rule (alpha_max of all the data, eps 1e-3), tol 1e-6 and max_iter 1000, intercept on.
Reported: wall time (best of --repeat, in one process), the ratio, the alpha each chose and its index
in the grid, and how far the two CV curves (mse_path_) are apart.

fastreg's folds run from sufficient statistics when n > p (the held-out blocks' statistics in one pass
over X; training statistics = total - block) and on threads when p > n (`cv_solver_`).

    python compare_cv.py                  # diamonds-poly (53940 x 240) and NCI60 (64 x 6829)
    python compare_cv.py --problem nci60 --repeat 5
"""
import argparse
import time
import warnings

import numpy as np

from benchmarks.datasets import diamonds_poly, nci60

PROBLEMS = {
    "diamonds-poly": ("ggplot2 diamonds, degree-2 products (53940 x 240, real)", diamonds_poly),
    "nci60": ("ISLR NCI60 microarray (64 x 6829, real)", nci60),
}


def _best_time(fit, repeat):
    best, model = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        model = fit()
        best = min(best, time.perf_counter() - start)
    return best, model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", nargs="+", choices=sorted(PROBLEMS), default=list(PROBLEMS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    import fastreg
    from sklearn.linear_model import LassoCV

    settings = dict(cv=args.folds, alphas=100, eps=1e-3, tol=args.tol, max_iter=1000, fit_intercept=True)
    rows = []
    for name in args.problem:
        description, load = PROBLEMS[name]
        X, y = load()
        # the loaders center the data; put the means back so that the intercept has work to do
        X = np.asfortranarray(X + np.linspace(1.0, 3.0, X.shape[1]))
        y = y + 10.0
        print(f"{name}: {description}", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fastreg.LassoCV(**settings).fit(X[:200], y[:200])  # imports, first calls
            t_ours, ours = _best_time(lambda: fastreg.LassoCV(n_jobs=2, **settings).fit(X, y), args.repeat)
            t_sk, theirs = _best_time(lambda: LassoCV(n_jobs=2, **settings).fit(X, y), args.repeat)
        i_ours = int(np.argmin(np.abs(ours.alphas_ - ours.alpha_)))
        i_sk = int(np.argmin(np.abs(theirs.alphas_ - theirs.alpha_)))
        gap = np.abs(ours.mse_path_ - theirs.mse_path_).max() / np.abs(theirs.mse_path_).max()
        rows.append((name, f"{X.shape[0]}x{X.shape[1]}", ours.cv_solver_, f"{t_ours:.3f}", f"{t_sk:.3f}",
                     f"{t_sk / t_ours:.1f}", f"{ours.alpha_:.4g} (#{i_ours})", f"{theirs.alpha_:.4g} (#{i_sk})",
                     f"{gap:.1e}", f"{ours.alpha_1se_:.4g}"))
    headers = ("problem", "n x p", "fastreg route", "fastreg (s)", "sklearn (s)", "sklearn / fastreg",
               "fastreg alpha_", "sklearn alpha_", "max |mse diff| / max mse", "fastreg alpha_1se_")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"\nLassoCV, {args.folds} folds, 100 alphas, tol {args.tol:g}, both with n_jobs=2; best of {args.repeat}.")


if __name__ == "__main__":
    main()
