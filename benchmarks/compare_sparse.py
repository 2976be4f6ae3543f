"""Side-by-side comparison on sparse one-hot data with an intercept: fastreg, scikit-learn, celer, skglm.

Issue 5's problem: `onehot_design` (benchmarks/sparse_data.py), 300000 rows of eight Zipf-distributed
categorical variables one-hot encoded (3972 levels) plus four flags and two numeric columns, about 3.3
million non-zeros, X in scipy CSC (never densified here), y with a non-zero mean. Two paths on the same
data, both with ``fit_intercept=True`` and warm starts: 10 alphas down to 0.05 alpha_max and 100 alphas
down to 1e-3 alpha_max, alpha_max = ||X_c^T (y - mean(y))||_inf / (n l1_ratio), computed as
||X^T (y - mean(y))||_inf / (n l1_ratio) since y - mean(y) sums to zero (X_c, the centered X, is never
formed). Every library gets that grid, the same ``tol`` (default 1e-6) and the same cap on epochs.

The libraries, and how their ``tol`` is made comparable:

- fastreg: ``fastreg.enet_path(X, y, alphas=..., fit_intercept=True, tol=tol)`` with its default
  ``precompute='auto'`` (row "fastreg", the kernel it chose is shown) and forced to residual updates
  (``precompute=False``, "fastreg-residual") and to the sparse Gram matrix (``precompute=True``,
  "fastreg-gram"). tol: gap <= tol ||y - mean(y)||^2 / n.
- scikit-learn: ``Lasso`` / ``ElasticNet(fit_intercept=True, warm_start=True)`` refitted along the grid
  (``set_params(alpha=...)``), with the documented fast path of a loop: X validated once, then
  ``fit(check_input=False)`` and ``copy_X=False`` (a sparse X is centered implicitly, never modified).
  tol: the same units (cd_fast multiplies tol by ||y||^2 of the y it is given, which ``fit`` has
  centered; its objective is n times ours). It checks the gap only once the largest coordinate update
  is below tol times the largest coefficient.
- celer: ``celer.Lasso`` / ``celer.ElasticNet(fit_intercept=True, warm_start=True)`` refitted along the
  grid the same way (celer's estimators are scikit-learn's ``fit`` around celer's path; ``copy_X`` is
  set to False as for scikit-learn). tol: the same units (lasso_fast multiplies tol by ||y||^2 / n of
  the centered y; its primal is ours). ``max_epochs`` (epochs per working-set subproblem) gets the
  epoch cap; ``max_iter`` (subproblems per alpha) keeps celer's default.
- skglm: ``skglm.Lasso`` / ``skglm.ElasticNet(fit_intercept=True, warm_start=True)``, refitted along the
  grid. Its ``tol`` is not a gap: AndersonCD stops when the largest violation of the optimality
  conditions, max_j dist(-grad_j, subdifferential_j) (the intercept's gradient included), is <= tol, in
  the units of X_j^T R / n. A violation eps bounds the gap: at a residual whose dual point needs no
  rescaling, gap = -sum_j w_j e_j <= eps ||w||_1, and alpha l1_ratio ||w||_1 <= P(w) <= P(0) =
  ||y - mean(y)||^2 / (2n); so eps = 2 tol alpha l1_ratio guarantees gap <= tol ||y - mean(y)||^2 / n
  up to the rescaling term. skglm gets eps = tol * alpha * l1_ratio at each alpha (half that, for the
  rescaling), a bound derived once, not tuned; the certificate says what it achieved, and where the
  bound is loose skglm solves more tightly than the others (its "gap own" column shows by how much).
  ``max_epochs`` gets the epoch cap, ``max_iter`` (working-set rounds) keeps skglm's default.

The certificate: every returned coefficient vector is checked by `primal_dual_centered` (in
benchmarks/sparse_data.py, shared with the asv benchmarks), one NumPy/SciPy duality-gap formula (that of
compare.py's ``primal_dual``) for the problem with the intercept profiled out, b = mean(y) - xbar^T w
(xbar the column means of X), i.e. the centered problem, evaluated with sparse products only. Gaps are
divided by ||y - mean(y)||^2 / n, the unit of tol. The returned intercepts are checked against that
best one: "intercept err" is max_k |b_k - (mean(y) - xbar^T w_k)| / std(y) along the path. "gap own" is the worst along the path at the library's own residual; "gap best" uses for each alpha
the best dual value found from any library's residual (every dual value is a lower bound of the
optimum, so this certifies too, and more tightly: celer stops on an extrapolated dual point that is not
rebuilt here). "gap <= tol" is decided on "gap best".

Timing: wall-clock seconds, best of ``--repeat`` runs (default 3) in this process, each library after
one untimed warm-up on a small slice of X (numba compilation for skglm, imports). "time / best peer"
divides by the fastest of scikit-learn, celer and skglm among those whose path is certified (all of them
if none is); issue 5's target is fastreg <= 0.2 of it. "extra mem / X.data": the peak of what one more
(untimed) fastreg fit allocates, measured with tracemalloc (NumPy arrays and Python objects), over
X.data.nbytes; a dense copy of X would be n p / nnz times X.data (printed with the problem).

    python compare_sparse.py                 # issue 5's problem (sklearn's 100-alpha path takes minutes)
    python compare_sparse.py --quick         # 30000 rows, a quarter of the levels (996 columns)
    python compare_sparse.py --l1-ratio 0.5 --tol 1e-5 --repeat 1
    python compare_sparse.py --libraries fastreg fastreg-gram celer --paths 100
    python compare_sparse.py --n-samples 100000

Libraries that are not installed are skipped with a note; a library that raises (fastreg before sparse
support) is reported and the run goes on. ``--dtype float32`` works but is no fair race at tol 1e-6: the
certified gaps are then at float32's rounding level (scikit-learn's implicit centering in float32 stops
far above any such tol), and celer and skglm run to their epoch caps on the 100-alpha path (minutes on
--quick); pass a larger --tol, a smaller --max-iter or leave them out with --libraries.
"""
import argparse
import importlib
import platform
import sys
import time
import traceback
import warnings

import numpy as np
import scipy.sparse as sp

from benchmarks.sparse_data import SIZES, onehot_design, primal_dual_centered
from compare import peak_allocation

# name -> (n_alphas, alpha_min / alpha_max), the two paths of issue 5
PATHS = {"10": (10, 0.05), "100": (100, 1e-3)}
PEERS = ("sklearn", "celer", "skglm")


def alpha_grid(X, y, l1_ratio, n_alphas, eps):
    """alpha_max = ||X_c^T (y - mean(y))||_inf / (n l1_ratio), log-spaced down to eps alpha_max.

    X_c^T (y - mean(y)) = X^T (y - mean(y)) because y - mean(y) sums to zero: one sparse product.
    """
    y = np.asarray(y, dtype=np.float64)
    Xty = X.T.astype(np.float64) @ (y - y.mean())
    alpha_max = np.max(np.abs(Xty)) / (len(y) * l1_ratio)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


# ----------------------------------------------------------------------------------------------------
# the libraries: each takes (X, y, alphas, l1_ratio, tol, max_iter) and returns (coefs, intercepts, info),
# coefs of shape (n_features, n_alphas), info a short string for the table (fastreg's kernel) or ""


def run_fastreg(X, y, alphas, l1_ratio, tol, max_iter, precompute="auto"):
    import fastreg

    path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, fit_intercept=True, tol=tol,
                             max_iter=max_iter, precompute=precompute)
    return path.coefs, path.intercepts, path.solver


def run_fastreg_residual(X, y, alphas, l1_ratio, tol, max_iter):
    return run_fastreg(X, y, alphas, l1_ratio, tol, max_iter, precompute=False)


def run_fastreg_gram(X, y, alphas, l1_ratio, tol, max_iter):
    return run_fastreg(X, y, alphas, l1_ratio, tol, max_iter, precompute=True)


def _refit_along(model, X, y, alphas, fit_kwargs=None, tol_at=None):
    """Refit a warm-started estimator at each alpha; coefficients as columns."""
    coefs = np.empty((X.shape[1], len(alphas)), dtype=X.dtype)
    intercepts = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        model.set_params(alpha=float(alpha))
        if tol_at is not None:
            model.set_params(tol=tol_at(alpha))
        model.fit(X, y, **(fit_kwargs or {}))
        coefs[:, k] = model.coef_
        intercepts[k] = model.intercept_
    return coefs, intercepts, ""


def run_sklearn(X, y, alphas, l1_ratio, tol, max_iter):
    from sklearn.linear_model import ElasticNet, Lasso

    # the input checks of fit, once (check_input=False skips them in the loop)
    X = sp.csc_matrix(X)
    X.sort_indices()
    y = np.ascontiguousarray(y, dtype=X.dtype)
    common = dict(fit_intercept=True, warm_start=True, tol=tol, max_iter=max_iter, copy_X=False)
    model = Lasso(**common) if l1_ratio == 1 else ElasticNet(l1_ratio=l1_ratio, **common)
    return _refit_along(model, X, y, alphas, fit_kwargs=dict(check_input=False))


def run_celer(X, y, alphas, l1_ratio, tol, max_iter):
    import celer

    common = dict(fit_intercept=True, warm_start=True, tol=tol, max_epochs=max_iter)
    model = celer.Lasso(**common) if l1_ratio == 1 else celer.ElasticNet(l1_ratio=l1_ratio, **common)
    model.copy_X = False  # not in celer's __init__ but read by scikit-learn's fit, which celer's is
    return _refit_along(model, X, y, alphas)


def run_skglm(X, y, alphas, l1_ratio, tol, max_iter):
    import skglm

    common = dict(fit_intercept=True, warm_start=True, max_epochs=max_iter)
    model = skglm.Lasso(**common) if l1_ratio == 1 else skglm.ElasticNet(l1_ratio=l1_ratio, **common)
    # a KKT violation tol * alpha * l1_ratio bounds the gap by about tol ||y - mean(y)||^2 / n (docstring)
    return _refit_along(model, X, y, alphas, tol_at=lambda alpha: tol * alpha * l1_ratio)


LIBRARIES = {
    "fastreg": ("fastreg", run_fastreg),
    "fastreg-residual": ("fastreg", run_fastreg_residual),
    "fastreg-gram": ("fastreg", run_fastreg_gram),
    "sklearn": ("sklearn", run_sklearn),
    "celer": ("celer", run_celer),
    "skglm": ("skglm", run_skglm),
}


def _warm_up_slice(X, y):
    """The first rows and the densest columns of X: a small problem of the same kind and format."""
    columns = np.sort(np.argsort(np.diff(X.indptr))[-20:])
    n_rows = min(X.shape[0], 2000)
    return X[:n_rows][:, columns], y[:n_rows]


def time_library(run, X, y, alphas, l1_ratio, tol, max_iter, repeat):
    """Best wall time of `repeat` runs (after an untimed warm-up on a slice), its coefs, intercepts, info and
    the number of convergence warnings."""
    Xw, yw = _warm_up_slice(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(Xw, yw, alpha_grid(Xw, yw, l1_ratio, 3, 0.1), l1_ratio, tol, max_iter)
    best = None
    for _ in range(repeat):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            coefs, intercepts, info = run(X, y, alphas, l1_ratio, tol, max_iter)
            wall = time.perf_counter() - start
        if best is None or wall < best[0]:
            n_conv = sum("Convergence" in w.category.__name__ or "converge" in str(w.message).lower()
                         for w in caught)
            best = (wall, np.asarray(coefs), np.asarray(intercepts, dtype=np.float64), info, n_conv)
    return best


def extra_memory(run, X, y, alphas, l1_ratio, tol, max_iter):
    """Peak of what one more (untimed) fit allocates (compare.py's `peak_allocation`), over X.data.nbytes."""
    return peak_allocation(run, X, y, alphas, l1_ratio, tol, max_iter) / X.data.nbytes


# ----------------------------------------------------------------------------------------------------
# report


def versions(names):
    lines = [f"python {platform.python_version()} on {platform.machine()}"]
    for name in dict.fromkeys(["numpy", "scipy"] + [LIBRARIES[n][0] for n in names]):
        try:
            module = importlib.import_module(name)
            lines.append(f"{name} {getattr(module, '__version__', '?')}")
        except Exception as exc:  # not installed, or broken: say so, the run goes on without it
            lines.append(f"{name}: not available ({type(exc).__name__}: {exc})")
    return lines


def print_table(headers, rows):
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def intercept_error(X, y, coefs, intercepts):
    """max_k |b_k - (mean(y) - xbar^T w_k)| / std(y): distance of the returned intercepts to the best ones."""
    y = np.asarray(y, dtype=np.float64)
    xbar = np.asarray(X.astype(np.float64).mean(axis=0)).ravel()
    best = y.mean() - xbar @ np.asarray(coefs, dtype=np.float64)
    return np.max(np.abs(intercepts - best)) / y.std()


def run_path(X, y, alphas, libraries, args):
    """Time and certify every library on one grid; print its table."""
    results, memory = {}, {}
    for lib, run in libraries.items():
        try:
            wall, coefs, intercepts, info, n_warn = time_library(run, X, y, alphas, args.l1_ratio, args.tol,
                                                                 args.max_iter, args.repeat)
            primal, dual = primal_dual_centered(X, y, alphas, coefs, args.l1_ratio)
            b_err = intercept_error(X, y, coefs, intercepts)
        except Exception as exc:
            print(f"  {lib}: failed: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3, file=sys.stdout)
            continue
        results[lib] = (wall, primal, dual, info, n_warn, b_err)
        print(f"  {lib}: {wall:.3g} s, gap own {np.max(primal - dual):.2e}", flush=True)
        if lib.startswith("fastreg") and not args.no_memory:
            memory[lib] = extra_memory(run, X, y, alphas, args.l1_ratio, args.tol, args.max_iter)
    if not results:
        return
    best_dual = np.max([r[2] for r in results.values()], axis=0)
    gap_best = {lib: np.max(r[1] - best_dual) for lib, r in results.items()}
    peers = [lib for lib in PEERS if lib in results]
    certified = [lib for lib in peers if gap_best[lib] <= args.tol]
    best_peer = min(certified or peers, key=lambda lib: results[lib][0]) if peers else None
    ref = results["fastreg"][0] if "fastreg" in results else None
    rows = []
    for lib, (wall, primal, dual, info, n_warn, b_err) in results.items():
        rows.append([
            lib + (f" ({info})" if info else ""), f"{wall:.3g}", f"{wall / ref:.2f}" if ref else "-",
            f"{wall / results[best_peer][0]:.3f}" if best_peer else "-", f"{np.max(primal - dual):.2e}",
            f"{gap_best[lib]:.2e}", "yes" if gap_best[lib] <= args.tol else "NO", f"{b_err:.1e}", n_warn,
            f"{memory[lib]:.2f}" if lib in memory else "-",
        ])
    print()
    print_table(["library", "time (s)", "time / fastreg", f"time / {best_peer or 'best peer'}", "gap own",
                 "gap best", "gap <= tol", "intercept err", "conv. warnings", "extra mem / X.data"], rows)
    fastest = [lib for lib in results if lib.startswith("fastreg") and gap_best[lib] <= args.tol]
    if best_peer and fastest:
        lib = min(fastest, key=lambda lib: results[lib][0])
        print(f"fastest certified fastreg row ({lib}) vs the best peer ({best_peer}): "
              f"{results[best_peer][0] / results[lib][0]:.1f}x faster (issue 5's target: >= 5x)")
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30000 rows and a quarter of the levels")
    parser.add_argument("--n-samples", type=int, default=None, help="rows (default 300000, 30000 with --quick)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--libraries", nargs="+", choices=list(LIBRARIES), default=list(LIBRARIES))
    parser.add_argument("--paths", nargs="+", choices=list(PATHS), default=list(PATHS),
                        help="10: 10 alphas down to 0.05 alpha_max; 100: 100 alphas down to 1e-3 alpha_max")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per library, best kept (default 3)")
    parser.add_argument("--tol", type=float, default=1e-6, help="gap <= tol ||y - mean(y)||^2 / n (default 1e-6)")
    parser.add_argument("--l1-ratio", type=float, default=1.0, help="1 for the Lasso (default), in (0, 1] otherwise")
    parser.add_argument("--max-iter", type=int, default=10_000,
                        help="epochs per alpha (per subproblem for celer and skglm), default 10000")
    parser.add_argument("--no-memory", action="store_true", help="no extra fastreg fit for the memory column")
    args = parser.parse_args(argv)
    if not 0 < args.l1_ratio <= 1:
        parser.error("--l1-ratio must be in (0, 1]: the alpha grid and celer need an L1 penalty")

    print("\n".join(versions(args.libraries)))
    available = {}
    for name in args.libraries:
        try:
            importlib.import_module(LIBRARIES[name][0])
            available[name] = LIBRARIES[name][1]
        except Exception as exc:
            print(f"note: {name} skipped ({type(exc).__name__}: {exc})")

    size = dict(SIZES["quick" if args.quick else "full"])
    if args.n_samples is not None:
        size["n_samples"] = args.n_samples
    X, y = onehot_design(**size, dtype=args.dtype)
    n, p = X.shape
    penalty = "Lasso" if args.l1_ratio == 1 else f"ElasticNet l1_ratio={args.l1_ratio}"
    print(f"\nonehot_design: {n} x {p} CSC {args.dtype}, nnz {X.nnz} ({X.nnz / (n * p):.3%}), "
          f"{len(size['n_levels'])} categorical variables ({sum(size['n_levels'])} levels), int32 indices; "
          f"X.data {X.data.nbytes / 1e6:.1f} MB, a dense X {n * p * X.dtype.itemsize / 1e9:.2f} GB "
          f"({n * p / X.nnz:.0f} x X.data); mean(y) = {y.mean():.3g}")
    print(f"{penalty}, fit_intercept=True, tol={args.tol:g}, max_iter={args.max_iter}, best of {args.repeat}\n")

    for name in args.paths:
        n_alphas, eps = PATHS[name]
        alphas = alpha_grid(X, y, args.l1_ratio, n_alphas, eps)
        print(f"{n_alphas}-alpha path down to {eps:g} alpha_max (alpha_max = {alphas[0]:.4g}):", flush=True)
        run_path(X, y, alphas, available, args)

    print("gap own / gap best: the largest certified duality gap along the path, over ||y - mean(y)||^2 / n, "
          "recomputed\nwith SciPy from the library's own residual / from the best residual any library "
          "returned for that alpha,\nintercept profiled out (see primal_dual_centered). time / <peer>: over "
          "the fastest certified peer.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
