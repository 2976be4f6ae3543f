"""A/B of two builds of fastreg in one process, calls interleaved: the fairest before/after timing on a
machine whose speed drifts (separate processes minutes apart differ by 20 % here).

The older build is imported under another package name (its modules import each other relatively):

    pip wheel --no-deps --no-build-isolation -w /tmp/old <checkout of the old commit>
    mkdir /tmp/oldpkg && cd /tmp/oldpkg && python -m zipfile -e /tmp/old/fastreg-*.whl . && mv fastreg fastreg_old
    python benchmarks/interleave.py /tmp/oldpkg [name filters...]

For each problem: rounds of (old, new) calls after one warm-up each; prints the min and median seconds
of both and the new/old ratios.
"""
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fastreg  # noqa: E402
import fastreg_old  # noqa: E402
from benchmarks.datasets import correlated_design  # noqa: E402
from benchmarks.sparse_data import onehot_problem  # noqa: E402

warnings.simplefilter("ignore")

def problems():
    X, y = correlated_design(20000, 2000)[:2]
    yield "gram 20000x2000 path", 3, lambda m: m.enet_path(X, y, l1_ratio=1.0, eps=1e-3, tol=1e-7, precompute=True)
    X, y = correlated_design(200000, 100)[:2]
    yield "gram 200000x100 icpt", 15, lambda m: m.enet_path(X, y, l1_ratio=1.0, eps=1e-3, tol=1e-7, fit_intercept=True)
    X, y = correlated_design(5000, 1000)[:2]
    yield "residual 5000x1000", 5, lambda m: m.enet_path(X, y, l1_ratio=1.0, n_alphas=50, eps=1e-2, tol=1e-7, precompute=False)
    X32, y32 = correlated_design(5000, 1000, dtype="float32")[:2]
    yield "residual 5000x1000 f32 icpt", 5, lambda m: m.enet_path(X32, y32, l1_ratio=1.0, n_alphas=50, eps=1e-2, tol=1e-5, precompute=False, fit_intercept=True)
    X, y = correlated_design(500, 20000)[:2]
    yield "working set 500x20000", 3, lambda m: m.enet_path(X, y, l1_ratio=1.0, eps=1e-2, tol=1e-7)
    Xs, ys = onehot_problem("full")[:2]
    yield "sparse one-hot 10 alphas", 15, lambda m: m.enet_path(Xs, ys, l1_ratio=1.0, n_alphas=10, eps=0.05, tol=1e-6, fit_intercept=True)
    yield "sparse one-hot 100 alphas", 3, lambda m: m.enet_path(Xs, ys, l1_ratio=1.0, n_alphas=100, eps=1e-3, tol=1e-6, fit_intercept=True)
    X, y = correlated_design(20000, 200)[:2]
    yield "LassoCV 20000x200 (statistics)", 5, lambda m: m.LassoCV(cv=5).fit(X, y)
    Xw, yw = correlated_design(200, 2000)[:2]
    yield "LassoCV 200x2000 (residual folds)", 3, lambda m: m.LassoCV(cv=5).fit(Xw, yw)
    X, y = correlated_design(20000, 300)[:2]
    yield "Ridge 20000x300", 15, lambda m: m.Ridge(alpha=1.0).fit(X, y)
    yield "RidgeCV 20000x300 LOO", 5, lambda m: m.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    yield "RidgeCV 20000x300 cv=5", 5, lambda m: m.RidgeCV(alphas=np.logspace(-3, 3, 13), cv=5).fit(X, y)
    Xt, yt = correlated_design(100, 10)[:2]
    yield "Lasso fit 100x10 (overhead)", 200, lambda m: m.Lasso(alpha=0.01).fit(Xt, yt)

only = sys.argv[2:]
for name, rounds, f in problems():
    if only and not any(o in name for o in only):
        continue
    f(fastreg_old); f(fastreg)
    t = {"old": [], "new": []}
    for _ in range(rounds):
        for label, mod in (("old", fastreg_old), ("new", fastreg)):
            s = time.perf_counter(); f(mod); t[label].append(time.perf_counter() - s)
    mo, mn = min(t["old"]), min(t["new"])
    do, dn = statistics.median(t["old"]), statistics.median(t["new"])
    print(f"{name:36s} old {mo:.4f}/{do:.4f}  new {mn:.4f}/{dn:.4f}  ratio min {mn/mo:.3f} median {dn/do:.3f}", flush=True)
