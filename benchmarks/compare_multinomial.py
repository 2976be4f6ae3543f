"""Side-by-side multinomial logistic regression: fastreg's `LogisticRegression` vs scikit-learn's (lbfgs for
the L2 penalty, saga for L1 and the elastic net), single fits at one C, every solution certified.

The objective (scikit-learn's, divided by C n; fastreg's `logistic_path` at alpha = 1 / (C n)), K classes,
eta = X W^T + b:

    P(W, b) = 1/n sum_i [logsumexp_k(eta_ik) - eta_{i, y_i}] + alpha sum_k (l1_ratio ||W_k||_1
              + (1 - l1_ratio)/2 ||W_k||^2).

Equal accuracy. Every returned (W, b) is certified by `certificate` below (NumPy only, independent of
fastreg's code): P and a dual lower bound D at t = softmax(eta + delta), delta the exact intercept
correction (Newton on the intercepts for fixed X W^T, so that sum_i (Y_i - t_i) = 0), scaled into the L1
ball for a pure L1 penalty. Values are relative to the null model's mean log-loss (the entropy of the
class proportions). Each library climbs its tolerance ladder (loosest first) until its solution's gap is
<= --target (1e-6), a run passes --budget seconds, or the ladder ends; the table reports the fastest
certified run (else the last one, marked NO).

Timing: wall-clock seconds, best of --repeat runs, BLAS limited to one thread (threadpoolctl) so that the
libraries compare on equal terms; read the ratios, not the seconds.

    python compare_multinomial.py            # every problem
    python compare_multinomial.py --quick    # iris and digits only
"""
import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import fastreg


def _softmax(eta):
    e = np.exp(eta - eta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def certificate(X, Y, W, b, alpha, l1_ratio):
    """(P, gap) of (W, b) for one-hot labels Y (n, K): see the module docstring."""
    n = X.shape[0]
    eta = X @ W.T + b
    m = eta.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(eta - m).sum(axis=1))
    P = float(np.mean(lse - (eta * Y).sum(axis=1))) + alpha * (
        l1_ratio * np.abs(W).sum() + (1 - l1_ratio) / 2 * (W * W).sum())
    counts = Y.sum(axis=0)
    delta = np.zeros(Y.shape[1])
    for _ in range(100):  # the intercept correction: sum_i softmax(eta_i + delta) = counts
        T = _softmax(eta + delta)
        g = T.sum(axis=0) - counts
        if np.abs(g).max() <= 1e-13 * n:
            break
        H = np.diag(T.sum(axis=0)) - T.T @ T + np.full((len(g), len(g)), 1.0)  # (+ 1 1^T: the common shift)
        step = np.linalg.solve(H, g)
        delta -= step - step.mean()
    T = _softmax(eta + delta)
    U = X.T @ (Y - T) / n
    a, c = alpha * l1_ratio, alpha * (1 - l1_ratio)
    if c > 0:
        conj = float(np.sum(np.maximum(np.abs(U) - a, 0.0) ** 2 / (2 * c)))
    else:
        conj = 0.0
        top = np.abs(U).max()
        if top > a:
            T = Y - (a / top) * (Y - T)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = np.where(T > 0, T * np.log(np.where(T > 0, T, 1.0)), 0.0).sum() / n
    return P, P - (-ent - conj)


def null_loss(Y):
    pi = Y.mean(axis=0)
    pi = pi[pi > 0]
    return float(-(pi * np.log(pi)).sum())


def standardized(X):
    sd = X.std(0)
    return (X - X.mean(0)) / np.where(sd > 0, sd, 1.0)


def problems(quick):
    from sklearn.datasets import load_digits, load_iris

    Xi, yi = load_iris(return_X_y=True)
    Xd, yd = load_digits(return_X_y=True)
    out = {"iris 150x4, K=3": (standardized(Xi), yi, 1.0), "digits 1797x64, K=10": (standardized(Xd), yd, 0.1)}
    if not quick:
        rng = np.random.default_rng(0)
        for (n, p, K) in ((20000, 100, 5), (500, 2000, 3)):
            X = rng.standard_normal((n, p))
            B = np.zeros((K, p))
            B[:, :10] = rng.standard_normal((K, 10))
            y = np.argmax(X @ B.T + rng.gumbel(size=(n, K)), axis=1)
            out[f"synthetic {n}x{p}, K={K}"] = (X, y, 1.0 if n > p else 0.3)
    return out


def run_fastreg(X, y, C, l1_ratio, tol):
    model = fastreg.LogisticRegression(C=C, l1_ratio=l1_ratio, tol=tol, max_iter=1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return model.coef_, model.intercept_, any("converge" in str(w.message) for w in caught)


def run_sklearn(solver):
    def run(X, y, C, l1_ratio, tol):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=tol, max_iter=100_000)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X, y)
        return model.coef_, model.intercept_, any("converge" in str(w.message).lower() for w in caught)
    return run


LADDERS = {
    "fastreg": (run_fastreg, [1e-6, 1e-8, 1e-10]),
    "sklearn-lbfgs": (run_sklearn("lbfgs"), [1e-4, 1e-6, 1e-8, 1e-10]),
    "sklearn-saga": (run_sklearn("saga"), [1e-4, 1e-6, 1e-8, 1e-10]),
}


def race(name, run, ladder, X, y, Y, C, l1_ratio, target, budget, repeat):
    alpha = 1.0 / (C * X.shape[0])
    unit = null_loss(Y)
    last = None
    for tol in ladder:
        start = time.perf_counter()
        W, b, warned = run(X, y, C, l1_ratio, tol)
        elapsed = time.perf_counter() - start
        _, gap = certificate(X, Y, W, b, alpha, l1_ratio)
        last = (tol, elapsed, gap / unit, warned)
        if gap / unit <= target:
            for _ in range(repeat - 1):
                start = time.perf_counter()
                run(X, y, C, l1_ratio, tol)
                elapsed = min(elapsed, time.perf_counter() - start)
            return (tol, elapsed, gap / unit, True)
        if elapsed > budget or warned:
            break
    return last[:3] + (False,)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="iris and digits only")
    parser.add_argument("--target", type=float, default=1e-6, help="relative gap to certify")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per run before giving up")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with threadpool_limits(1):
        for label, (X, y, C) in problems(args.quick).items():
            Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
            for penalty, l1_ratio, peer in (("l2", 0.0, "sklearn-lbfgs"), ("l1", 1.0, "sklearn-saga"),
                                            ("enet 0.5", 0.5, "sklearn-saga")):
                results = {}
                for lib in ("fastreg", peer):
                    run, ladder = LADDERS[lib]
                    results[lib] = race(lib, run, ladder, X, y, Y, C, l1_ratio, args.target, args.budget,
                                        args.repeat)
                f, s = results["fastreg"], results[peer]
                rows.append((label, penalty, C, f, peer, s))
                print(f"{label:26s} {penalty:8s} C={C:<5g} fastreg {f[1]:8.3f}s gap {f[2]:.1e} "
                      f"{'ok' if f[3] else 'NO'} (tol {f[0]:g}) | {peer} {s[1]:8.3f}s gap {s[2]:.1e} "
                      f"{'ok' if s[3] else 'NO'} (tol {s[0]:g}) | ratio {s[1] / f[1]:.2f}", flush=True)
    print("\n| problem | penalty | scikit-learn solver | time relative to fastreg | certified (fastreg / peer) |")
    print("|---|---|---|---|---|")
    for label, penalty, C, f, peer, s in rows:
        print(f"| {label} | {penalty} (C={C:g}) | {peer.split('-')[1]} | {s[1] / f[1]:.2f} | "
              f"{'yes' if f[3] else 'NO'} / {'yes' if s[3] else 'NO'} |")


if __name__ == "__main__":
    main()
