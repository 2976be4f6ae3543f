"""fastreg on dask arrays (issue 17, performance): a 100-alpha Lasso path over the cost of one data pass,
dask-ml's ADMM Lasso at one alpha, and how both scale with the rows -- in one process, on a local cluster.

Run from the repository (the full benchmark -- 10^8 x 100 generated about six times over, dask-ml's ADMM
at 10^7 rows, the scaling table -- takes of the order of an hour on 2 cores: run it on a quiet machine)::

    python benchmarks/compare_dask.py --json dask.json      # 10^8 x 100 in blocks of 250_000 rows
    python benchmarks/compare_dask.py --quick               # smoke run, about a minute
    python benchmarks/compare_dask.py --max-rows 10**7      # skip the 10^8 sizes
    python benchmarks/compare_dask.py --dask-ml-rows 0      # skip dask-ml
    python benchmarks/compare_dask.py --repeat 2            # best of 2, the jobs interleaved

The cluster: ``distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on
127.0.0.1, ``--memory-limit`` (3 GiB) per worker, no dashboard; everything runs through its Client.
Threads: each worker runs one task at a time and its BLAS one thread. The script sets no
``*_NUM_THREADS`` itself: distributed's Nanny starts every worker with OMP/MKL/OPENBLAS_NUM_THREADS=1
(its ``distributed.nanny.pre-spawn-environ`` default), which is the setting wanted here -- two
single-threaded workers fill the 2 cores, a multi-threaded BLAS in each would oversubscribe them. The
workers' BLAS threads (threadpoolctl) are printed and stored. The client process keeps its own BLAS
threads; it only solves on p x p statistics (milliseconds).

Blocks: 250_000 rows x 100 float64 = 200 MB (``--chunk-rows``). Blocks of 10^6 rows (800 MB) do not fit
the 2 GB target, whoever computes on them: distributed keeps about three blocks per worker in flight
(the block a task consumes, the next root task already generated, the one being generated), so at
10^6 rows the generation-only pass peaked at 2.25 GB per worker and plain dask's statistics pass got
its 3 GiB workers killed (tried at 6 * 10^6 rows). X^T X alone stays at one block (dask fuses the
generation into the product); fastreg's pass, like any consumer of whole blocks, holds about three.

The data (never materialized): X = (Z_j + 0.6 Z_{j-1}) / sqrt(1.36) * scale_j + offset_j (neighbouring
columns correlated 0.44, scales 0.5 .. 2, offsets -5 .. 5) and y = X beta + 3 + noise (10 non-zero
coefficients of the 100, R^2 0.8), generated block by block on the workers from the seed and the
block's index (``numpy.random.default_rng([seed, stream, block])``), so a recomputed block is the same
bit for bit; chunks of ``--chunk-rows`` rows and all the columns; y is a map_blocks of X's blocks
(chunked alike). The per-block generator stands in for ``da.random.default_rng`` so that each block is
transformed in place (one block of memory, not three).

Measured (wall time, best of ``--repeat`` with the jobs interleaved; nothing persisted, every job
generates its data anew, as one reading them from storage would):

1. Reference passes at ``--rows``: ``(X.T @ X).compute()`` -- the issue's reference -- and, for
   context, the generation alone (``X.sum(0)``, ``y.sum()``) and plain dask's own sufficient
   statistics (X^T X, X^T y, the sums, y^T y in one ``dask.compute``).
2. ``fastreg.lasso_path(X, y, n_alphas=100, fit_intercept=True, tol=1e-6)`` end to end (the statistics
   pass on the workers and the path from them), its ratio to the X^T X pass (issue target <= 1.2), the
   peak RSS of each worker during every job (``client.run`` of psutil every 0.2 s; target < 2 GB), and
   the path's largest certified relative suboptimality (below; one more pass, untimed).
3. At ``--dask-ml-rows`` (default 10^7): dask-ml's ``LinearRegression(penalty='l1', solver='admm',
   C=1/(2 n alpha))`` at one alpha (``--alpha-ratio`` times alpha_max), twice: with rho = rows per block
   (``--dask-ml-rho``; up to ``--dask-ml-max-iter`` = 100 iterations, LinearRegression's default) and
   with dask-glm's default rho = 1 for ``--dask-ml-default-iter`` (10) iterations only (it cannot
   converge, see below); fastreg's ``Lasso(alpha, standardize=True, tol=1e-6).fit`` and its 100-alpha
   path (standardize=True) at the same size; the time ratios; and the certified relative suboptimality
   of every solution, computed alike from the statistics. A dask-ml failure is reported (its error
   printed and stored) and the run goes on.
   Every job also reports its passes over X: the X blocks generated during it (counted on the
   workers) per block -- 1 for a single pass; 2 means each block was produced twice.
4. Scaling: path time / X^T X pass time at 10^6, 10^7, 10^8 rows (up to ``--max-rows``, 10^8 taken from
   step 2): it should stay flat.

dask-ml's objective (dask-ml 2025.1.0, dask-glm 0.4.0, from their source): ``LinearRegression`` is
``family=Normal`` with ``lamduh = 1 / C``; with ``fit_intercept`` a column of ones is appended; the
solvers are wrapped in dask_glm's ``normalize`` (on by default), which centers every column and divides
it by its population standard deviation s_j (the ones column left alone), solves, and scales back.
ADMM (consensus over the row blocks: L-BFGS on each block, the L1 prox on the average, abstol 1e-4,
reltol 1e-2) minimizes ``sum_i (y_i - x_i^T b - b0)^2 + lamduh * (||b||_1 + |b0|)`` over the normalized
columns: a sum of squares (no 1/2, no 1/n), the L1 norm of the *standardized* coefficients (s_j |w_j|
in the user's units), and, unlike fastreg, the intercept penalized too. Divided by 2n:

    1/(2n) ||y - X w - b0||^2 + alpha * sum_j s_j |w_j|  (+ alpha |b0|),    alpha = 1 / (2 n C),

fastreg's ``Lasso(alpha, standardize=True)`` (glmnet's standardization) but for the intercept's
penalty. The columns being centered, that penalty only shrinks b0 (by at most alpha in y's units) and
leaves w alone; the certificate profiles the intercept out (b0 = mean(y) - mean(X) w), so dask-ml's w
is judged on exactly fastreg's problem. Hence C = 1 / (2 n alpha). (Checked: with a working rho, ADMM
converges to fastreg's solution, relative suboptimality 1e-5 .. 1e-6 on 10^5 rows.)

rho: dask-glm's prox step is ``lamduh / (rho * n_blocks)`` = 2 alpha * (rows per block) / rho, so with
the default rho = 1 the threshold is ~10^4..10^5 times any coefficient and z (the returned w) stays
exactly 0 for thousands of iterations: on 10^5 rows, 100 iterations (118 s) returned w = 0, relative
suboptimality 0.57. rho of the order of the blocks' curvature (2 X_b^T X_b ~ 2 * rows per block for
standardized columns) makes ADMM converge; rho = rows per block stopped at dask-glm's tolerance in
6 s there (suboptimality 2e-5). The benchmark's main dask-ml number is that tuned run; the default run
shows what the defaults give.

The certificate, the same for every solution w (from ``SufficientStats.from_dask(X, y).centered()``:
G = X~^T X~, c = X~^T y~, q = y~^T y~ about the means, n rows; s_j = sqrt(G_jj / n) with
standardize, 1 for the plain Lasso):

    r~ = y~ - X~ w (never formed):  ||r~||^2 = q - 2 w.c + w^T G w,   y~^T r~ = q - w.c,   X~^T r~ = c - G w
    P(w) = ||r~||^2 / (2n) + alpha sum_j s_j |w_j|                         (the intercept profiled out)
    dual point nu = t r~,  t = min(1, n alpha / max_j |X~^T r~|_j / s_j)   (feasible: |x~_j^T nu| <= n alpha s_j)
    D(nu) = (||y~||^2 - ||y~ - nu||^2) / (2n) = (2 t y~^T r~ - t^2 ||r~||^2) / (2n)  <=  min P
    suboptimality(w) = (P(w) - the best D of all the solutions' dual points) / P(0),   P(0) = q / (2n);

for a path, each alpha's own dual point.

Versions this was written and smoke-tested with (one pip install of the latest of each; they work
together, ADMM included): Python 3.11.7, numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1, pandas 3.1.1,
dask and distributed 2026.8.0, dask-ml 2025.1.0, dask-glm 0.4.0, psutil 7.2.2, threadpoolctl; the run
prints and stores the ones it used. Setup: ``pip install "dask[array,distributed,dataframe]" dask-ml``,
then fastreg itself, non-editable (``pip install --no-build-isolation .``).
"""
import argparse
import json
import math
import platform
import sys
import threading
import time
import traceback

import numpy as np

N_FEATURES = 100
SEED = 17


def rows_arg(text):
    """An int, also written 10**8, 1e8 or 2_000_000."""
    text = text.strip().replace("_", "")
    if "**" in text:
        base, exponent = text.split("**")
        return int(base) ** int(exponent)
    return int(float(text))


# ----------------------------------------------------------------------------------------------------
# the data, generated on the workers block by block


class Truth:
    """The model behind the data (fixed by the seed and the number of features)."""

    def __init__(self, n_features, seed):
        rng = np.random.default_rng([seed, 0])
        self.scale = rng.uniform(0.5, 2.0, n_features)
        self.offset = rng.uniform(-5.0, 5.0, n_features)
        beta = np.zeros(n_features)
        support = rng.choice(n_features, size=min(10, n_features), replace=False)
        beta[support] = rng.choice([-1.0, 1.0], support.size) * rng.uniform(0.5, 2.0, support.size)
        self.beta = beta / self.scale  # each true effect of order 1 in y's units
        self.intercept = 3.0
        self.rho = 0.6
        # noise for R^2 = 0.8: var(X beta) = beta^T cov(X) beta, X_j = scale_j (Z_j + rho Z_j-1) / sqrt(1 + rho^2)
        mix = np.eye(n_features) + self.rho * np.eye(n_features, k=-1)  # row j: column j of X in terms of Z
        cov = self.scale[:, None] * (mix @ mix.T) * self.scale[None, :] / (1 + self.rho ** 2)
        self.sigma = math.sqrt(self.beta @ cov @ self.beta / 4.0)
        self.seed = seed


def _count_generated():
    """Count a generated X block on the worker running the task (the jobs report blocks generated)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):  # not on a distributed worker
        return
    worker.bench_blocks_generated = getattr(worker, "bench_blocks_generated", 0) + 1


def _generated_count(dask_worker):
    return getattr(dask_worker, "bench_blocks_generated", 0)


def _x_block(truth, block_id=None, block_info=None):
    _count_generated()
    start, stop = block_info[None]["array-location"][0]
    rows, p = stop - start, len(truth.scale)
    X = np.random.default_rng([truth.seed, 1, block_id[0]]).standard_normal((rows, p))
    slab = 8192  # column j += rho * column j-1, in row slabs (small temporaries)
    for i in range(0, rows, slab):
        part = X[i:i + slab]
        part[:, 1:] += truth.rho * part[:, :-1].copy()
    X *= truth.scale / math.sqrt(1 + truth.rho ** 2)
    X += truth.offset
    return X


def _y_block(X, truth, block_id=None):
    noise = np.random.default_rng([truth.seed, 2, block_id[0]]).standard_normal(X.shape[0])
    y = X @ truth.beta
    y += truth.intercept
    noise *= truth.sigma
    y += noise
    return y


def make_data(n_rows, n_features, chunk_rows, seed=SEED):
    """(X, y, truth): lazy dask arrays of n_rows x n_features float64 and n_rows, chunked alike."""
    import dask.array as da

    truth = Truth(n_features, seed)
    chunk_rows = max(1, min(chunk_rows, n_rows))
    row_chunks = (chunk_rows,) * (n_rows // chunk_rows) + ((n_rows % chunk_rows,) if n_rows % chunk_rows else ())
    X = da.map_blocks(_x_block, truth, chunks=(row_chunks, (n_features,)), dtype=np.float64,
                      meta=np.empty((0, 0)), name=f"bench-x-{n_rows}-{n_features}-{chunk_rows}-{seed}")
    y = da.map_blocks(_y_block, X, truth, drop_axis=1, chunks=(row_chunks,), dtype=np.float64,
                      meta=np.empty(0), name=f"bench-y-{n_rows}-{n_features}-{chunk_rows}-{seed}")
    return X, y, truth


# ----------------------------------------------------------------------------------------------------
# peak memory of the workers, polled


def _rss():
    import psutil

    return psutil.Process().memory_info().rss


class MemoryMonitor:
    """Polls every worker's RSS (client.run) in a background thread; `peaks()` since the last `reset()`."""

    def __init__(self, client, interval=0.2):
        self.client, self.interval = client, interval
        self._peaks, self._lock = {}, threading.Lock()
        self.last_generated = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _sample(self):
        try:
            rss = self.client.run(_rss)
        except Exception:  # a worker busy restarting, the client closing
            return
        with self._lock:
            for worker, value in rss.items():
                self._peaks[worker] = max(self._peaks.get(worker, 0), value)

    def _poll(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def reset(self):
        with self._lock:
            self._peaks = {}
        self._sample()

    def peaks(self):
        self._sample()
        with self._lock:
            return dict(self._peaks)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)


def generated(client):
    """X blocks generated so far on all the workers (restarted workers forget theirs)."""
    try:
        return sum(client.run(_generated_count).values())
    except Exception:
        return None


def timed(fn, repeat, monitor):
    """(best wall time, result of the last run, peak worker RSS in bytes over all runs); the X blocks the
    last run generated are in ``monitor.last_generated``."""
    best, result, peak = np.inf, None, 0
    for _ in range(max(1, repeat)):
        monitor.reset()
        before = generated(monitor.client)
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        peak = max([peak, *monitor.peaks().values()])
        after = generated(monitor.client)
        monitor.last_generated = None if before is None or after is None else after - before
    return best, result, peak


def run_jobs(jobs, repeat, monitor):
    """Run {key: fn} `repeat` times, the jobs interleaved (other work on the machine then slows all of them
    alike). Returns {key: dict(seconds (best), peak_worker_rss_gb, result) or dict(error=...)}; a job that
    fails (a killed worker, say) is reported and not run again."""
    results = {key: dict(seconds=np.inf, peak=0) for key in jobs}
    for _ in range(max(1, repeat)):
        for key, fn in jobs.items():
            if "error" in results[key]:
                continue
            try:
                seconds, result, peak = timed(fn, 1, monitor)
            except Exception as err:
                results[key] = dict(error=f"{type(err).__name__}: {err}".splitlines()[0][:300])
                print(f"  ({key} FAILED: {results[key]['error']})", flush=True)
                continue
            entry = results[key]
            entry.update(seconds=min(entry["seconds"], seconds), peak=max(entry["peak"], peak), result=result,
                         blocks_generated=monitor.last_generated)
    for entry in results.values():
        if "error" not in entry:
            entry["peak_worker_rss_gb"] = gb(entry.pop("peak"))
    return results


def _per_block(entry, X):
    """X blocks a job generated, per block of X: the passes it made over the data."""
    count = entry.get("blocks_generated")
    return None if count is None else count / X.numblocks[0]


def ratio(a, b):
    return a["seconds"] / b["seconds"] if "seconds" in a and "seconds" in b else None


def fmt(value, spec):
    return "    n/a" if value is None else format(value, spec)


# ----------------------------------------------------------------------------------------------------
# the certificate


def centered_statistics(X, y):
    """(G, c, q, x_mean, y_mean, n) about the means, from one distributed pass."""
    import fastreg

    stats = fastreg.SufficientStats.from_dask(X, y)
    G, c, q, x_mean, y_mean = stats.centered()
    return np.asarray(G, dtype=np.float64), np.asarray(c, dtype=np.float64), float(q), x_mean, y_mean, float(
        stats.weight_sum)


def primal_dual(stats, w, alpha, weights):
    """(P(w), D of w's dual point) of 1/(2n)||y~ - X~ w||^2 + alpha sum_j weights_j |w_j| (module docstring)."""
    G, c, q, _, _, n = stats
    w = np.asarray(w, dtype=np.float64)
    Gw = G @ w
    rr = max(q - 2.0 * (w @ c) + w @ Gw, 0.0)
    yr = q - w @ c
    P = rr / (2 * n) + alpha * np.sum(weights * np.abs(w))
    worst = np.max(np.abs(c - Gw) / weights)
    t = 1.0 if worst <= n * alpha else n * alpha / worst
    D = (2 * t * yr - t * t * rr) / (2 * n)
    return P, D


def suboptimality(stats, solutions, alpha, weights):
    """Each solution's (P(w) - best dual bound of all of them) / P(0)."""
    values = [primal_dual(stats, w, alpha, weights) for w in solutions]
    best_dual = max(D for _, D in values)
    null = stats[2] / (2 * stats[5])
    return [(P - best_dual) / null for P, _ in values]


def path_suboptimality(stats, path, weights):
    """The largest certified relative suboptimality over a path's alphas."""
    null = stats[2] / (2 * stats[5])
    worst = 0.0
    for k, alpha in enumerate(path.alphas):
        P, D = primal_dual(stats, path.coefs[:, k], alpha, weights)
        worst = max(worst, (P - D) / null)
    return worst


# ----------------------------------------------------------------------------------------------------
# the jobs


def xtx_pass(X):
    return (X.T @ X).compute()


def generate_pass(X, y):
    import dask

    return dask.compute(X.sum(axis=0), y.sum())


def dask_statistics_pass(X, y):
    import dask

    return dask.compute(X.T @ X, X.T @ y, X.sum(axis=0), y.sum(), y @ y)


def fastreg_path(X, y, standardize=False):
    import fastreg

    return fastreg.lasso_path(X, y, n_alphas=100, fit_intercept=True, tol=1e-6, standardize=standardize)


def warm_up(client, args):
    """Imports and first-call costs out of the timings: every job once on a tiny array."""
    X, y, _ = make_data(4000, args.features, 1000, seed=SEED + 1)
    xtx_pass(X)
    generate_pass(X, y)
    dask_statistics_pass(X, y)
    fastreg_path(X, y)
    import fastreg

    fastreg.Lasso(alpha=0.1, standardize=True).fit(X, y)


def gb(value):
    return value / 1e9


def section_main(args, monitor, out):
    """Sections 1 and 2 at --rows."""
    X, y, _ = make_data(args.rows, args.features, args.chunk_rows)
    print(f"\n== {args.rows:,} x {args.features} float64 ({X.nbytes / 1e9:.1f} GB, {X.numblocks[0]} blocks of "
          f"{X.chunks[0][0]:,} rows, {X.chunks[0][0] * args.features * 8 / 1e6:.0f} MB each) ==", flush=True)
    labels = {"xtx": "X^T X (reference pass)", "generate": "generation only", "dask_stats": "dask's statistics",
              "path": "fastreg lasso_path x100"}
    results = run_jobs({"xtx": lambda: xtx_pass(X), "generate": lambda: generate_pass(X, y),
                        "dask_stats": lambda: dask_statistics_pass(X, y), "path": lambda: fastreg_path(X, y)},
                       args.repeat, monitor)
    for key, label in labels.items():
        entry = results[key]
        if "error" in entry:
            print(f"  {label:<26}   FAILED   {entry['error']}")
        else:
            print(f"  {label:<26} {entry['seconds']:8.2f} s   peak worker RSS {entry['peak_worker_rss_gb']:5.2f} GB   "
                  f"{fmt(_per_block(entry, X), '.0f')} passes over X")
    path = results["path"].pop("result", None)
    for entry in results.values():
        entry.pop("result", None)
    path_over_xtx = ratio(results["path"], results["xtx"])
    print(f"  path / X^T X pass          {fmt(path_over_xtx, '8.2f')}x   (target <= 1.2)")
    print(f"  path / generation only     {fmt(ratio(results['path'], results['generate']), '8.2f')}x")
    print(f"  path / dask's statistics   {fmt(ratio(results['path'], results['dask_stats']), '8.2f')}x")
    peaks = [r["peak_worker_rss_gb"] for r in results.values() if "peak_worker_rss_gb" in r]
    path_peak = results["path"].get("peak_worker_rss_gb")
    print(f"  peak worker RSS: path {fmt(path_peak, '.2f')} GB (target < 2), all jobs "
          f"{fmt(max(peaks, default=None), '.2f')} GB")
    record = dict(rows=args.rows, features=args.features, chunk_rows=X.chunks[0][0], blocks=X.numblocks[0],
                  jobs=results, path_over_xtx=path_over_xtx, path_peak_worker_rss_gb=path_peak,
                  path_over_generate=ratio(results["path"], results["generate"]),
                  path_over_dask_stats=ratio(results["path"], results["dask_stats"]))
    if path is not None:
        record.update(solver=path.solver, n_alphas=len(path.alphas), converged=bool(np.all(path.converged)))
        if not args.no_certify:
            stats = centered_statistics(X, y)
            record["path_max_suboptimality"] = path_suboptimality(stats, path, np.ones(args.features))
            print(f"  path certified: max relative suboptimality {record['path_max_suboptimality']:.2e} over "
                  f"{len(path.alphas)} alphas (solver {path.solver}, "
                  f"{int(np.count_nonzero(path.coefs[:, -1]))} non-zero at the last alpha)")
    out["main"] = record
    return results


def section_dask_ml(args, monitor, out):
    """Section 3: dask-ml's ADMM at one alpha against fastreg's fit and path, certified alike."""
    import fastreg

    n = args.dask_ml_rows
    chunk = min(args.dask_ml_chunk_rows or args.chunk_rows, n)
    X, y, _ = make_data(n, args.features, chunk)
    print(f"\n== dask-ml at {n:,} x {args.features} ({X.numblocks[0]} blocks of {X.chunks[0][0]:,} rows) ==",
          flush=True)
    stats = centered_statistics(X, y)  # untimed: the certificate's statistics
    G, c, q, x_mean, y_mean, W = stats
    s = np.sqrt(np.diag(G) / W)  # population standard deviations: dask_glm's normalize, glmnet's standardize
    alpha_max = np.max(np.abs(c) / s) / W
    alpha = args.alpha_ratio * alpha_max
    C = 1.0 / (2.0 * W * alpha)
    print(f"  alpha = {args.alpha_ratio:g} * alpha_max = {alpha:.6g}  ->  dask-ml C = 1/(2 n alpha) = {C:.6g}")
    record = dict(rows=n, chunk_rows=X.chunks[0][0], blocks=X.numblocks[0], alpha=alpha, C=C,
                  alpha_ratio=args.alpha_ratio)

    results = run_jobs({"fit": lambda: fastreg.Lasso(alpha=alpha, standardize=True, tol=1e-6).fit(X, y),
                        "path": lambda: fastreg_path(X, y, standardize=True)}, args.repeat, monitor)
    model, path = results["fit"].pop("result", None), results["path"].pop("result", None)
    record["fastreg"] = results
    solutions, names, w_fastreg = [], [], None
    if model is not None:
        w_fastreg = np.asarray(model.coef_, dtype=np.float64)
        solutions.append(w_fastreg)
        names.append("fastreg Lasso(standardize=True)")
        results["fit"]["nonzero"] = int(np.count_nonzero(w_fastreg))
        print(f"  {'fastreg Lasso.fit':<30} {results['fit']['seconds']:8.2f} s   peak worker RSS "
              f"{results['fit']['peak_worker_rss_gb']:5.2f} GB   {results['fit']['nonzero']} non-zero, "
              f"{fmt(_per_block(results['fit'], X), '.0f')} passes over X")
    if path is not None:
        results["path"]["max_suboptimality"] = path_suboptimality(stats, path, s)
        print(f"  {'fastreg lasso_path x100':<30} {results['path']['seconds']:8.2f} s   peak worker RSS "
              f"{results['path']['peak_worker_rss_gb']:5.2f} GB   max suboptimality "
              f"{results['path']['max_suboptimality']:.2e}, {fmt(_per_block(results['path'], X), '.0f')} passes")
    for key in ("fit", "path"):
        if "error" in results[key]:
            print(f"  fastreg {key} FAILED: {results[key]['error']}")

    runs = []
    if args.dask_ml_max_iter:
        rho = float(args.dask_ml_rho) if args.dask_ml_rho is not None else float(n / X.numblocks[0])
        runs.append(("tuned", rho, args.dask_ml_max_iter))
    if args.dask_ml_default_iter:
        runs.append(("default", 1.0, args.dask_ml_default_iter))
    record["dask_ml_runs"] = []
    try:
        import dask_ml
        from dask_ml.linear_model import LinearRegression
    except Exception as err:
        runs = []
        record["dask_ml_error"] = f"{type(err).__name__}: {err}"
        print(f"  dask-ml FAILED to import: {record['dask_ml_error']}")
    for kind, rho, max_iter in runs:
        label = f"dask-ml rho={rho:g}" + (" (default)" if kind == "default" else " (rows/block)"
                                          if args.dask_ml_rho is None else "")
        entry = dict(kind=kind, rho=rho, max_iter=max_iter, label=label)
        try:
            estimator = LinearRegression(penalty="l1", solver="admm", C=C, fit_intercept=True, max_iter=max_iter,
                                         solver_kwargs={"rho": rho})
            seconds, fitted, peak = timed(lambda: estimator.fit(X, y), 1, monitor)
        except Exception as err:  # report why, go on with the rest
            entry.update(error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc())
            print(f"  {label} FAILED: {entry['error']}")
            record["dask_ml_runs"].append(entry)
            continue
        w = np.asarray(fitted.coef_, dtype=np.float64)
        solutions.append(w)
        names.append(label)
        entry.update(version=dask_ml.__version__, seconds=seconds, peak_worker_rss_gb=gb(peak),
                     blocks_generated=monitor.last_generated,
                     nonzero=int(np.count_nonzero(w)), intercept=float(fitted.intercept_),
                     over_fastreg_fit=ratio(entry | {"seconds": seconds}, results["fit"]),
                     over_fastreg_path=ratio(entry | {"seconds": seconds}, results["path"]))
        if w_fastreg is not None:
            entry["coef_distance"] = float(np.max(np.abs(w - w_fastreg)) / max(np.max(np.abs(w_fastreg)), 1e-300))
        record["dask_ml_runs"].append(entry)
        passes = None if monitor.last_generated is None else monitor.last_generated / X.numblocks[0]
        entry["passes_over_x"] = passes
        print(f"  {label:<30} {seconds:8.2f} s   peak worker RSS {gb(peak):5.2f} GB   {entry['nonzero']} non-zero, "
              f"{fmt(passes, '.0f')} passes over X (max_iter {max_iter})", flush=True)
    if solutions:
        gaps = suboptimality(stats, solutions, alpha, s)
        if model is not None:
            record["fastreg"]["fit"]["suboptimality"] = gaps[0]
        fitted_runs = [e for e in record["dask_ml_runs"] if "seconds" in e]
        for entry, gap in zip(fitted_runs, gaps[1 if model is not None else 0:]):
            entry["suboptimality"] = gap
        print("  certified relative suboptimality (P(w) - best dual bound) / P(0), the problem above:")
        for name, gap in zip(names, gaps):
            print(f"    {name:<32} {gap:9.2e}")
    for entry in record["dask_ml_runs"]:
        if "seconds" in entry:
            print(f"  {entry['label']}: {fmt(entry['over_fastreg_fit'], '.1f')}x fastreg's fit, "
                  f"{fmt(entry['over_fastreg_path'], '.1f')}x its 100-alpha path"
                  + (f"; coefficients {entry['coef_distance']:.1e} from fastreg's (max, relative)"
                     if "coef_distance" in entry else ""))
    out["dask_ml"] = record


def section_scaling(args, monitor, out, main_results):
    """Section 4: path time / X^T X pass time across sizes."""
    sizes = sorted({size for size in args.scaling_rows if size <= args.max_rows})
    print(f"\n== scaling (chunks of {args.chunk_rows:,} rows) ==")
    print(f"  {'rows':>13} {'blocks':>6} {'X^T X s':>9} {'path s':>9} {'path/pass':>9} {'peak GB':>8}")
    table = []
    for size in sizes:
        if size == args.rows and main_results is not None:
            results, blocks = main_results, out["main"]["blocks"]
        else:
            X, y, _ = make_data(size, args.features, args.chunk_rows)
            # small sizes are quick and noisy: best of 3 at least
            repeat = args.repeat if size >= 10 ** 8 else max(args.repeat, 3)
            results = run_jobs({"xtx": lambda: xtx_pass(X), "path": lambda: fastreg_path(X, y)}, repeat, monitor)
            blocks = X.numblocks[0]
        row = dict(rows=size, blocks=blocks, xtx_seconds=results["xtx"].get("seconds"),
                   path_seconds=results["path"].get("seconds"), ratio=ratio(results["path"], results["xtx"]),
                   peak_worker_rss_gb=max([results[k].get("peak_worker_rss_gb", 0.0) for k in ("xtx", "path")]),
                   errors={k: results[k]["error"] for k in ("xtx", "path") if "error" in results[k]} or None)
        table.append(row)
        print(f"  {size:>13,} {blocks:>6} {fmt(row['xtx_seconds'], '9.2f')} {fmt(row['path_seconds'], '9.2f')} "
              f"{fmt(row['ratio'], '9.2f')} {row['peak_worker_rss_gb']:8.2f}", flush=True)
    out["scaling"] = table


def versions():
    import importlib.metadata as md

    found = {"python": platform.python_version()}
    for name in ("fastreg", "numpy", "scipy", "dask", "distributed", "dask-ml", "dask-glm", "scikit-learn", "pandas",
                 "psutil"):
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            found[name] = None
    return found


def worker_threads(client):
    def info():
        import os

        from threadpoolctl import threadpool_info

        return dict(blas=[(i["internal_api"], i["num_threads"]) for i in threadpool_info()],
                    env={k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})

    try:
        return client.run(info)
    except Exception as err:  # threadpoolctl missing on the workers
        return {"error": f"{type(err).__name__}: {err}"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=rows_arg, default=None, help="rows of the main problem (default 10**8)")
    parser.add_argument("--features", type=int, default=N_FEATURES)
    parser.add_argument("--chunk-rows", type=rows_arg, default=None, help="rows per block (default 250_000: 200 MB "
                        "blocks of 100 columns; see the docstring)")
    parser.add_argument("--max-rows", type=rows_arg, default=None, help="largest size of the scaling table "
                        "(default --rows)")
    parser.add_argument("--scaling-rows", type=lambda t: [rows_arg(s) for s in t.split(",")], default=None,
                        help="comma-separated sizes of the scaling table (default 10**6,10**7,10**8)")
    parser.add_argument("--dask-ml-rows", type=rows_arg, default=None, help="rows of the dask-ml comparison "
                        "(default 10**7; 0 skips it)")
    parser.add_argument("--dask-ml-chunk-rows", type=rows_arg, default=None, help="rows per block there "
                        "(default --chunk-rows)")
    parser.add_argument("--dask-ml-max-iter", type=int, default=100, help="ADMM iterations of the tuned run "
                        "(LinearRegression's default 100; 0 skips it)")
    parser.add_argument("--dask-ml-rho", type=float, default=None, help="rho of the tuned run (default: rows per "
                        "block)")
    parser.add_argument("--dask-ml-default-iter", type=int, default=None, help="ADMM iterations of the run with "
                        "dask-glm's default rho=1 (default 10; 0 skips it)")
    parser.add_argument("--alpha-ratio", type=float, default=0.1, help="the one alpha, over alpha_max")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs of each job")
    parser.add_argument("--memory-limit", default="3GiB", help="per worker")
    parser.add_argument("--no-certify", action="store_true", help="skip the untimed pass certifying the main path")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10^6 rows (4 blocks of the full "
                        "run's size), dask-ml at 5 * 10^4 (about a minute)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)

    if args.quick:
        defaults = dict(rows=10 ** 6, chunk_rows=250_000, dask_ml_rows=50_000, dask_ml_chunk_rows=12_500,
                        dask_ml_default_iter=3, scaling_rows=[10 ** 5, 10 ** 6])
    else:
        defaults = dict(rows=10 ** 8, chunk_rows=250_000, dask_ml_rows=10 ** 7, dask_ml_chunk_rows=None,
                        dask_ml_default_iter=10, scaling_rows=[10 ** 6, 10 ** 7, 10 ** 8])
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.max_rows is None:
        args.max_rows = args.rows

    import warnings

    from distributed import Client, LocalCluster

    # the scheduler's HTTP server (health, metrics; no dashboard) moves off a busy port 8787 by itself
    warnings.filterwarnings("ignore", message="Port 8787 is already in use")

    out = dict(config={k: v for k, v in vars(args).items()}, versions=versions())
    print("versions: " + ", ".join(f"{k} {v}" for k, v in out["versions"].items() if v))
    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      memory_limit=args.memory_limit, dashboard_address=None) as cluster, Client(cluster) as client:
        out["worker_threads"] = worker_threads(client)
        for worker, info in sorted(out["worker_threads"].items()) if "error" not in out["worker_threads"] else []:
            print(f"worker {worker}: BLAS threads {info['blas']}, env {info['env']}")
        monitor = MemoryMonitor(client)
        try:
            warm_up(client, args)
            main_results = section_main(args, monitor, out) if args.rows <= args.max_rows else None
            if args.dask_ml_rows:
                section_dask_ml(args, monitor, out)
            section_scaling(args, monitor, out, main_results)
        finally:
            monitor.close()
    out["total_seconds"] = time.perf_counter() - start
    print(f"\ntotal {out['total_seconds']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2, default=float)
        print(f"wrote {args.json}")
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
