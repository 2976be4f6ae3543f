"""The ``fastreg`` command line: a Lasso/ElasticNet path on a CSV file (or the embedded diabetes data).

With no arguments it fits the full Lasso path of the diabetes data shipped with fastreg, prints one row
per penalty (alpha, non-zero coefficients, training R^2, certified duality gap) and the model chosen
by an information criterion (BIC by default; cross-validation comes with LassoCV).
"""
import argparse
import sys
import time

import numpy as np

from . import __version__, enet_path
from .data import DIABETES_CSV


def _read_csv(path, target):
    """Numeric CSV with a header row -> (X, y, feature names, target name)."""
    try:
        f = open(path, newline="")
    except OSError as exc:
        raise SystemExit(f"fastreg: cannot read {path}: {exc.strerror}.") from exc
    with f:
        header = [h.strip() for h in f.readline().strip().split(",")]
        try:
            data = np.loadtxt(f, delimiter=",", ndmin=2)
        except ValueError as exc:
            raise SystemExit(f"fastreg: {path}: every column must be numeric ({exc}).") from exc
    if data.shape[1] != len(header):
        raise SystemExit(f"fastreg: {path}: the header has {len(header)} names but rows have {data.shape[1]} values.")
    if target is None:
        target = header[-1]
    if target not in header:
        raise SystemExit(f"fastreg: {path}: no column named {target!r} (columns: {', '.join(header)}).")
    k = header.index(target)
    names = header[:k] + header[k + 1:]
    return np.delete(data, k, axis=1), data[:, k], names, target


def information_criterion(X, y, path, criterion):
    """AIC or BIC of every solution of a Lasso path, with df = number of non-zeros (Zou et al. 2007).

    The noise variance is estimated from the least-squares fit when n > p + 1, else from the
    least-penalized solution of the path (as scikit-learn's LassoLarsIC).
    """
    n, p = X.shape
    rss = np.array([np.sum((y - X @ path.coefs[:, i] - path.intercepts[i]) ** 2)
                    for i in range(len(path.alphas))])
    df = np.count_nonzero(path.coefs, axis=0)
    if n > p + 1:
        Xc = X - X.mean(axis=0)
        coef, *_ = np.linalg.lstsq(Xc, y - y.mean(), rcond=None)
        sigma2 = np.sum((y - y.mean() - Xc @ coef) ** 2) / (n - p - 1)
    else:
        sigma2 = rss[-1] / max(n - df[-1] - 1, 1)
    sigma2 = max(sigma2, np.finfo(float).tiny)
    penalty = np.log(n) if criterion == "bic" else 2.0
    return n * np.log(2 * np.pi * sigma2) + rss / sigma2 + penalty * df


def build_parser():
    parser = argparse.ArgumentParser(
        prog="fastreg",
        description="Fit a certified Lasso/ElasticNet regularization path and pick a model.",
    )
    parser.add_argument("csv", nargs="?", help="numeric CSV file with a header row "
                        "(default: the diabetes data shipped with fastreg)")
    parser.add_argument("--target", help="name of the target column (default: the last column)")
    parser.add_argument("--l1-ratio", type=float, default=1.0, help="L1/L2 mix in (0, 1]; 1 is the Lasso")
    parser.add_argument("--n-alphas", type=int, default=100, help="number of penalties on the path")
    parser.add_argument("--eps", type=float, default=1e-3, help="alpha_min / alpha_max")
    parser.add_argument("--tol", type=float, default=1e-7, help="duality-gap tolerance (relative to ||y||^2/n)")
    parser.add_argument("--max-iter", type=int, default=10000, help="maximum epochs per penalty")
    parser.add_argument("--criterion", choices=["bic", "aic"], default="bic", help="model selection rule")
    parser.add_argument("--no-standardize", action="store_true",
                        help="penalize raw coefficients instead of those of unit-variance columns")
    parser.add_argument("--no-intercept", action="store_true", help="do not fit an intercept")
    parser.add_argument("--every", type=int, default=0,
                        help="print every k-th penalty of the path (default: about 25 rows)")
    parser.add_argument("--version", action="version", version=f"fastreg {__version__}")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    source = args.csv or str(DIABETES_CSV)
    X, y, names, target = _read_csv(source, args.target)
    n, p = X.shape
    title = args.csv or "diabetes (embedded; Efron et al. 2004)"
    print(f"fastreg {__version__}: {title}: {n} samples x {p} features, target {target!r}")

    if not 0 < args.l1_ratio <= 1:
        raise SystemExit(f"fastreg: --l1-ratio must be in (0, 1] for a path (got {args.l1_ratio:g}).")
    start = time.perf_counter()
    try:
        path = enet_path(X, y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, eps=args.eps, tol=args.tol,
                         max_iter=args.max_iter, fit_intercept=not args.no_intercept,
                         standardize=not args.no_standardize)
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"fastreg: {exc}") from exc
    seconds = time.perf_counter() - start
    ss_tot = np.sum((y - (y.mean() if not args.no_intercept else 0.0)) ** 2)
    pred = X @ path.coefs + path.intercepts
    r2 = 1 - np.sum((y[:, None] - pred) ** 2, axis=0) / (ss_tot if ss_tot > 0 else 1.0)
    nnz = np.count_nonzero(path.coefs, axis=0)
    ic = information_criterion(X, y, path, args.criterion)
    best = int(np.argmin(ic))

    kind = "Lasso" if args.l1_ratio == 1 else f"ElasticNet (l1_ratio={args.l1_ratio:g})"
    print(f"{kind} path: {len(path.alphas)} penalties in {seconds * 1e3:.1f} ms, solver {path.solver}, "
          f"{'standardized' if not args.no_standardize else 'raw'} features, tol {args.tol:g}")
    every = args.every or max(1, len(path.alphas) // 25)
    print(f"\n{'':2}{'alpha':>12} {'non-zeros':>9} {'R^2':>8} {'duality gap':>12} {args.criterion.upper():>10}")
    for i in range(len(path.alphas)):
        if i % every and i != best and i != len(path.alphas) - 1:
            continue
        mark = "*" if i == best else " "
        print(f"{mark:2}{path.alphas[i]:12.5g} {nnz[i]:9d} {r2[i]:8.4f} {path.dual_gaps[i]:12.3e} {ic[i]:10.2f}")

    print(f"\nselected by {args.criterion.upper()} (*): alpha = {path.alphas[best]:.6g}, "
          f"{nnz[best]} of {p} features, training R^2 = {r2[best]:.4f}, "
          f"duality gap = {path.dual_gaps[best]:.2e} (target {args.tol:g} x ||y - mean y||^2/n)")
    width = max(len(s) for s in names + ["intercept"])
    print(f"  {'intercept':<{width}} {path.intercepts[best]: .6g}")
    order = np.argsort(-np.abs(path.coefs[:, best] * X.std(axis=0)))
    for j in order:
        if path.coefs[j, best] != 0:
            print(f"  {names[j]:<{width}} {path.coefs[j, best]: .6g}")
    dropped = [names[j] for j in range(p) if path.coefs[j, best] == 0]
    if dropped:
        print(f"  zero: {', '.join(dropped)}")
    if not path.converged.all():
        print(f"warning: {int((~path.converged).sum())} penalties did not reach the gap target; "
              f"raise --max-iter", file=sys.stderr)
        return 1
    return 0
