"""MultiTaskLasso paths: fastreg against scikit-learn (and skglm, when installed) at equal certified gap.

    OPENBLAS_NUM_THREADS=1 python compare_multitask.py [--quick] [--problem tall wide] [--repeat 3]

Two synthetic problems, 5 tasks, a row-sparse W (10 % of the features active), noise 0.5:
tall (20000 x 200: fastreg's covariance updates) and wide (200 x 5000: residual updates with gap-safe
screening and the strong rule). Every library gets the same centered data (no intercept), the same
50 alphas (alpha_max ... eps alpha_max, computed once here) and runs in this process.

Each returned path is certified by one NumPy duality gap written here (`primal_dual`: dual point
R / n scaled into the dual ball of the L2,1 norm), shared by nobody, in units of ||Y||_F^2 / n (tol's
unit), and compared with the best objective any library reached at that alpha (the worst
suboptimality along the path in the same units). Both libraries run at each --tol (default 1e-6 and
1e-8; the same unit, tol ||Y||_F^2 / n, in both): read the ratio at a tol where the worst certified
gaps are comparable. Times: best of --repeat runs, seconds.
"""
import argparse
import os
import time
import warnings

import numpy as np

PROBLEMS = {"tall": (20000, 200), "wide": (200, 5000)}
QUICK = {"tall": (5000, 100), "wide": (100, 1000)}
N_TASKS = 5
N_ALPHAS = 50
EPS = {"tall": 1e-3, "wide": 1e-2}


def make_problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = np.zeros((p, N_TASKS))
    k = max(1, p // 10)
    W[rng.choice(p, k, replace=False)] = rng.standard_normal((k, N_TASKS))
    Y = X @ W + 0.5 * rng.standard_normal((n, N_TASKS))
    X -= X.mean(axis=0)
    Y -= Y.mean(axis=0)
    return np.asfortranarray(X), np.asfortranarray(Y)


def primal_dual(X, Y, W, alpha):
    """(primal, gap) of 1/(2n) ||Y - X W||_F^2 + alpha sum_j ||W_j|| at W (p, T), NumPy only."""
    n = X.shape[0]
    R = Y - X @ W
    primal = 0.5 * np.sum(R**2) / n + alpha * np.linalg.norm(W, axis=1).sum()
    dual_norm = np.linalg.norm(X.T @ R, axis=1).max() / n
    theta = R / n / max(1.0, dual_norm / alpha)
    dual = np.sum(theta * Y) - 0.5 * n * np.sum(theta**2)
    return primal, primal - dual


def run_fastreg(X, Y, alphas, tol):
    import fastreg
    path = fastreg.lasso_path(X, Y, alphas=alphas, tol=tol, max_iter=100000)
    return np.moveaxis(path.coefs, 0, 1), path.solver  # (p, T, n_alphas)


def run_sklearn(X, Y, alphas, tol):
    from sklearn.linear_model import lasso_path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, coefs, _ = lasso_path(X, Y, alphas=alphas, tol=tol, max_iter=100000)
    return np.moveaxis(coefs, 0, 1), "cd multi-task"


def run_skglm(X, Y, alphas, tol):
    from skglm import MultiTaskLasso
    model = MultiTaskLasso(alpha=alphas[0], tol=tol, max_iter=100, fit_intercept=False, warm_start=True)
    out = np.empty((X.shape[1], Y.shape[1], len(alphas)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, a in enumerate(alphas):
            model.alpha = a
            model.fit(X, Y)
            out[:, :, i] = model.coef_.T
    return out, "skglm"


def timed(fn, repeat):
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def certify(X, Y, alphas, coefs):
    unit = np.sum(Y**2) / X.shape[0]
    stats = [primal_dual(X, Y, coefs[:, :, i], a) for i, a in enumerate(alphas)]
    return np.array([s[0] for s in stats]), np.array([s[1] for s in stats]) / unit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tol", type=float, nargs="+", default=[1e-6, 1e-8])
    args = parser.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    for name in args.problem:
        n, p = (QUICK if args.quick else PROBLEMS)[name]
        X, Y = make_problem(n, p)
        alpha_max = np.linalg.norm(X.T @ Y, axis=1).max() / n
        alphas = np.geomspace(alpha_max, EPS[name] * alpha_max, N_ALPHAS)
        unit = np.sum(Y**2) / n
        print(f"\n{name}: {n} x {p}, {N_TASKS} tasks, {N_ALPHAS} alphas down to {EPS[name]:g} alpha_max")
        for tol in args.tol:
            rows = {}
            t, (coefs, solver) = timed(lambda: run_fastreg(X, Y, alphas, tol), args.repeat)
            primal, gaps = certify(X, Y, alphas, coefs)
            rows["fastreg"] = (t, primal, gaps, solver)
            t, (coefs, solver) = timed(lambda: run_sklearn(X, Y, alphas, tol), args.repeat)
            primal, gaps = certify(X, Y, alphas, coefs)
            rows["sklearn"] = (t, primal, gaps, solver)
            try:
                t, (coefs, solver) = timed(lambda: run_skglm(X, Y, alphas, tol * unit), args.repeat)
                primal, gaps = certify(X, Y, alphas, coefs)
                rows["skglm"] = (t, primal, gaps, solver + " (its tol: tol ||Y||^2 / n, its own criterion)")
            except ImportError:
                print("  (skglm is not installed: its row is left out)")
            best = np.min([r[1] for r in rows.values()], axis=0)
            t_fast = rows["fastreg"][0]
            print(f"  tol={tol:g}")
            print(f"  {'library':10s} {'time (s)':>9s} {'vs fastreg':>10s} {'worst gap':>10s} {'worst subopt':>12s}  solver")
            for lib, (t, primal, gaps, note) in rows.items():
                sub = np.max((primal - best) / unit)
                print(f"  {lib:10s} {t:9.3f} {t / t_fast:9.2f}x {gaps.max():10.2e} {sub:12.2e}  {note}")


if __name__ == "__main__":
    main()
