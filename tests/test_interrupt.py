"""Ctrl-C stops a long fit: the kernel checks for signals while it runs without the GIL."""
import signal
import subprocess
import sys
import textwrap
import time

import pytest

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import numpy as np, fastreg
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if the parent ignores SIGINT
    rng = np.random.default_rng(0)
    n, p, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if mode == "logistic":  # sparse: the binomial family's own kernel (_irls.weighted_cd_sparse)
        import scipy.sparse as sp
        X = sp.random(n, p, density=0.05, format="csc", random_state=0)
        y = (X @ rng.standard_normal(p) + rng.standard_normal(n)) > 0
    else:
        X = np.asfortranarray(rng.standard_normal((n, p)))
        y = rng.standard_normal(n)
    print("solving", flush=True)
    start = time.perf_counter()
    try:
        # far more work than the test waits for: a tight tol on a long path, without screening
        if mode == "logistic":
            fastreg.logistic_path(X, y, tol=1e-14, max_iter=10**6, eps=1e-6, n_alphas=10**4, screening=False)
        else:
            fastreg.lasso_path(X, y, tol=1e-15, max_iter=10**6, eps=1e-5, screening=False,
                               precompute=mode == "True")
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.2f}", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
@pytest.mark.parametrize("shape,precompute", [
    ((3000, 2000), False),  # the dense residual kernel
    ((1000, 3000), True),   # the Gram kernel (p > n: no Newton steps to end the path early)
    ((20000, 3000), "logistic"),  # the binomial family's sparse kernel and its Python loop
], ids=["residual", "gram", "logistic-sparse"])
def test_ctrl_c_interrupts_a_long_fit(tmp_path, shape, precompute):
    # cwd elsewhere: from the repository root, `python -c` would import the uncompiled source tree
    args = [sys.executable, "-c", CHILD, str(shape[0]), str(shape[1]), str(precompute)]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert child.stdout.readline().strip() == "solving"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    finally:
        child.kill()
    # the fit itself would run for many minutes; it stopped through KeyboardInterrupt instead
    assert child.returncode == 3, out
    assert out.startswith("interrupted")
