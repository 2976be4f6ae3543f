"""fastreg.plot, headless (Agg): every picture renders to a PNG that is not blank, and holds what it
claims -- one line per feature drawn, the labels' feature names, the non-zero counts on the top axis,
the alpha_min / alpha_1se lines, one errorbar container per curve -- in the caller's Axes when given.
matplotlib is never imported by ``import fastreg``."""
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

import fastreg  # noqa: E402
from fastreg.plot import plot_cv, plot_path, plot_ridge  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _data(n=80, p=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([3.0, -2.0, 1.0, 0.5]) + rng.standard_normal(n)
    return pd.DataFrame(X, columns=[f"gene_{j}" for j in range(p)]), y


def _rendered(fig):
    """The figure as a PNG (read back): the image must not be blank."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    buf.seek(0)
    image = mpimg.imread(buf)
    assert image.ndim == 3 and image[..., :3].var() > 0
    return image


def _top_axis(ax):
    """The top axis's ticks and their labels as drawn (call after `_rendered`: a draw sets the labels)."""
    (top,) = [child for child in ax.child_axes if child.get_gid() == "non-zeros"]
    return top.get_xticks(), [label.get_text() for label in top.get_xticklabels()]


def _check_top_counts(ax, alphas, counts):
    """Every top tick is at a grid alpha and reads that alpha's number of non-zeros."""
    ticks, labels = _top_axis(ax)
    assert len(ticks) >= 3
    for tick, text in zip(ticks, labels):
        i = int(np.argmin(np.abs(np.asarray(alphas) - tick)))
        assert alphas[i] == pytest.approx(tick, rel=1e-12)
        assert int(text) == counts[i]


@pytest.mark.parametrize("xvar", ["alpha", "norm", "dev"])
def test_plot_path_lines_labels_and_top_axis(xvar):
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=30, fit_intercept=True)
    ax = plot_path(path, xvar=xvar, label=3)
    _rendered(ax.figure)
    drawn = np.flatnonzero((path.coefs != 0).any(axis=1))
    assert len(ax.lines) == drawn.size  # one line per feature non-zero somewhere on the path
    assert sorted(line.get_label() for line in ax.lines) == sorted(X.columns[drawn])
    end = np.abs(path.coefs[:, -1])
    assert sorted(t.get_text() for t in ax.texts) == sorted(X.columns[np.argsort(-end)[:3]])
    if xvar == "alpha":
        _check_top_counts(ax, path.alphas, path.n_nonzero())
        left, right = ax.get_xlim()
        assert left > right and ax.get_xscale() == "log"  # alpha decreases from left to right
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), path.alphas)
    elif xvar == "norm":
        np.testing.assert_allclose(ax.lines[0].get_xdata(), np.abs(path.coefs).sum(axis=0))
    else:
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), path.dev_ratios)


def test_plot_path_labels_do_not_overlap_and_can_be_switched_off():
    X, y = _data(p=12, seed=1)
    path = fastreg.enet_path(X, y, l1_ratio=0.5, n_alphas=25, fit_intercept=True)
    ax = plot_path(path, label=True)
    positions = sorted(t.get_position()[1] for t in ax.texts)
    assert len(positions) == 5
    span = np.diff(ax.get_ylim())[0]
    assert np.min(np.diff(positions)) >= 0.04 * span
    assert not plot_path(path, label=0).texts
    numbered = fastreg.lasso_path(X.to_numpy(), y, n_alphas=10)  # no names: x0, x1, ...
    assert {t.get_text() for t in plot_path(numbered, label=2).texts} <= {f"x{j}" for j in range(12)}
    with pytest.raises(ValueError, match="label"):
        plot_path(path, label=-1)
    with pytest.raises(ValueError, match="xvar"):
        plot_path(path, xvar="lambda")


def test_plot_path_draws_into_the_callers_axes():
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=10)
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_path(path, ax=right) is right
    assert not left.lines and right.lines
    assert plot_cv(fastreg.cv_path(X, y, cv=3, n_alphas=10), ax=left) is left
    _rendered(fig)


def test_plot_path_logistic_binomial_and_multinomial_panels():
    X, y = _data(n=150, seed=2)
    binomial = fastreg.logistic_path(X, y > 0, n_alphas=20)
    ax = plot_path(binomial, xvar="dev")
    _rendered(ax.figure)
    assert len(ax.lines) == np.count_nonzero((binomial.coefs != 0).any(axis=1))
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    multi = fastreg.logistic_path(X, labels, n_alphas=20)
    axes = plot_path(multi, label=2)
    assert len(axes) == 3  # one panel per class
    _rendered(axes[0].figure)
    for k, panel in enumerate(axes):
        assert len(panel.lines) == np.count_nonzero((multi.coefs[k] != 0).any(axis=1))
        assert panel.get_title() == f"class {multi.classes[k]}"
        _check_top_counts(panel, multi.alphas, (multi.coefs[k] != 0).sum(axis=0))
    fig, given = plt.subplots(1, 3)
    assert list(plot_path(multi, ax=given)) == list(given)
    with pytest.raises(ValueError, match="3 panels"):
        plot_path(multi, ax=given[0])


def test_plot_ridge_path_and_ridgecv_curve():
    X, y = _data()
    alphas = np.logspace(-3, 3, 15)
    ridge = fastreg.ridge_path(X.to_numpy(), y, alphas)
    ax = plot_ridge(ridge)
    _rendered(ax.figure)
    assert len(ax.lines) == X.shape[1]  # every Ridge coefficient is non-zero
    assert not [child for child in ax.child_axes if child.get_gid() == "non-zeros"]
    two = fastreg.ridge_path(X.to_numpy(), np.c_[y, -y], alphas)
    assert len(plot_path(two)) == 2
    model = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    ax = plot_ridge(model)
    _rendered(ax.figure)
    (curve,) = [line for line in ax.lines if line.get_label() == "mean leave-one-out error"]
    order = np.argsort(-alphas)
    np.testing.assert_array_equal(curve.get_xdata(), alphas[order])
    np.testing.assert_allclose(curve.get_ydata(), model.cv_results_.mean(axis=0)[order])
    (best,) = [line for line in ax.lines if line.get_label() == "alpha_"]
    assert best.get_xdata()[0] == model.alpha_
    with pytest.raises(ValueError, match="store_cv_results=True"):
        plot_ridge(fastreg.RidgeCV(alphas=alphas).fit(X, y))


def test_plot_cv_error_bars_choice_lines_and_top_axis():
    X, y = _data(n=120, seed=3)
    cv = fastreg.cv_path(X, y, cv=5, n_alphas=25, l1_ratio=[0.5, 1.0])
    ax = plot_cv(cv)
    _rendered(ax.figure)
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2  # one curve per l1_ratio
    for container, mean, se in zip(bars, cv.mse_mean, cv.mse_se):
        data_line = container.lines[0]
        np.testing.assert_allclose(data_line.get_ydata(), mean)
        segments = container.lines[2][0].get_segments()  # the vertical error bars: mean -/+ se
        np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * se, rtol=1e-10, atol=1e-12)
    lines = {line.get_label(): line for line in ax.lines}
    assert lines["alpha_min"].get_xdata()[0] == cv.alpha_min
    assert lines["alpha_1se"].get_xdata()[0] == cv.alpha_1se
    assert lines["alpha_min"].get_linestyle() == "--" and lines["alpha_1se"].get_linestyle() == "--"
    assert ax.get_legend() is not None
    _check_top_counts(ax, cv.path.alphas, cv.path.n_nonzero())
    relaxed = fastreg.cv_path(X, y, cv=5, n_alphas=25, relax=True, gamma=[0, 0.5, 1])
    ax = plot_cv(relaxed)
    _rendered(ax.figure)
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [c.get_label() for c in bars] == ["gamma=0", "gamma=0.5", "gamma=1"]
    np.testing.assert_allclose(bars[1].lines[0].get_ydata(), relaxed.relaxed_mean[0, 1])
    with pytest.raises(TypeError, match="CVPath"):
        plot_cv(cv.path)
    with pytest.raises(TypeError, match="plot_cv"):
        plot_path(cv)


def test_import_fastreg_does_not_import_matplotlib(tmp_path):
    code = "import sys, fastreg, fastreg.plot; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    # (not from the repository's root: `python -c` would import its uncompiled fastreg/, not the installed one)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=5)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # (import matplotlib.pyplot now fails)
    with pytest.raises(ImportError, match=r'pip install "fastreg\[plot\]"'):
        plot_path(path)
