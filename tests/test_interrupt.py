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
    X = np.asfortranarray(rng.standard_normal((3000, 2000)))
    y = rng.standard_normal(3000)
    print("solving", flush=True)
    start = time.perf_counter()
    try:
        # far more work than the test waits for: a tight tol on a long path, without screening
        fastreg.lasso_path(X, y, tol=1e-15, max_iter=10**6, eps=1e-5, screening=False)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.2f}", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_interrupts_a_long_fit(tmp_path):
    # cwd elsewhere: from the repository root, `python -c` would import the uncompiled source tree
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
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
