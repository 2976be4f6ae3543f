"""Pictures of regularization paths and cross-validation curves: glmnet's ``plot(fit)`` and
``plot(cv.fit)``, drawn with matplotlib (an optional extra: ``pip install "fastreg[plot]"``).

matplotlib is imported inside these functions only: ``import fastreg`` never imports it. Each function
draws into the Axes given as ``ax`` (or a new figure's) and returns it, as scikit-learn's Display
objects do; save with ``ax.figure.savefig("path.png")``.

The alpha axis is logarithmic and runs **from the largest alpha on the left to the smallest on the
right**: the path's own order, in which the model grows from left to right, as it does against the L1
norm or the deviance explained (glmnet's log-lambda axis runs the other way; ``ax.invert_xaxis()``
turns it around). The top axis gives the number of non-zero coefficients at some of the grid's alphas.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np, fastreg
>>> from fastreg.plot import plot_path
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((60, 4)); y = X @ [2.0, -1.0, 0.0, 0.5] + rng.standard_normal(60)
>>> ax = plot_path(fastreg.lasso_path(X, y, n_alphas=20), label=2)
>>> len(ax.lines), sorted(t.get_text() for t in ax.texts)
(4, ['x0', 'x1'])
"""
import numbers

import numpy as np

__all__ = ["plot_path", "plot_cv", "plot_ridge"]

# the default number of labelled coefficients, and the top axis's number of non-zero counts
DEFAULT_LABELS = 5
TOP_TICKS = 7
# labels at the right edge keep at least this fraction of the y range between them; top ticks this
# fraction of the x range
LABEL_GAP = 0.045
TICK_GAP = 0.09


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # (an optional dependency)
        raise ImportError('fastreg.plot needs matplotlib: pip install "fastreg[plot]" (or pip install '
                          'matplotlib).') from exc
    return plt


def _new_axes(ax, n_panels=1):
    """The caller's Axes (one, or a sequence of `n_panels` for a block), or a new figure's."""
    if ax is not None:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if axes.size != n_panels:
            raise ValueError(f"ax: this path has {n_panels} panels (one per class or task); pass {n_panels} Axes "
                             f"(e.g. plt.subplots(1, {n_panels})[1]) or ax=None.")
        return axes
    plt = _pyplot()
    ncols = min(n_panels, 3)
    nrows = -(-n_panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.4 * ncols if n_panels == 1 else 4.6 * ncols, 4.4 * nrows),
                             layout="constrained", squeeze=False)
    for extra in axes.ravel()[n_panels:]:
        extra.set_visible(False)
    return axes.ravel()[:n_panels]


def _check_label(label):
    if label is True:
        return DEFAULT_LABELS
    if label is False or label is None:
        return 0
    if not isinstance(label, numbers.Integral) or label < 0:
        raise ValueError(f"label must be a number of coefficients to label (>= 0) or a bool, got {label!r}.")
    return int(label)


def plot_path(path, xvar="alpha", label=DEFAULT_LABELS, ax=None):
    """Coefficient paths (glmnet's ``plot(fit, xvar=, label=)``).

    Parameters
    ----------
    path : Path or RidgePath
        A path of `enet_path`, `lasso_path`, `logistic_path`, `cv_path` (its ``.path``) or
        `ridge_path`.
    xvar : {'alpha', 'norm', 'dev'}, default='alpha'
        The x axis: alpha (log scale, decreasing from left to right), the L1 norm of the coefficients,
        or the fraction of the deviance explained (``path.dev_ratios``; not for a Ridge path).
    label : int or bool, default=5
        Label the `label` coefficients largest in absolute value at the path's end (its smallest alpha,
        at the right) with their feature names (``path.feature_names``, else "x0", "x1", ...); 0 or
        False: no labels, True: 5.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None. A path with a block of classes or tasks (multinomial,
        multi-task, Ridge with a 2-D y) draws one panel per class or task: pass a sequence of that many
        Axes, or None.

    Returns
    -------
    Axes, or an ndarray of Axes (one per class or task) for a block.

    One line is drawn per feature with a non-zero coefficient somewhere on the path (the others lie on
    0), in the colour of its index in matplotlib's cycle; the top axis gives the number of non-zero
    coefficients at some of the grid's points (``path.n_nonzero()``; in a block's panels, the class's
    or task's own), except for a Ridge path (all its coefficients are non-zero).
    """
    if not (hasattr(path, "alphas") and hasattr(path, "coefs")) or hasattr(path, "mse_path"):
        raise TypeError(f"plot_path draws a Path or a RidgePath, got {type(path).__name__}"
                        + ("; for a CVPath use plot_cv(cv) or plot_path(cv.path)." if hasattr(path, "mse_path") else "."))
    if xvar not in ("alpha", "norm", "dev"):
        raise ValueError(f"xvar must be 'alpha', 'norm' (the L1 norm) or 'dev' (the deviance explained), got {xvar!r}.")
    label = _check_label(label)
    alphas = np.asarray(path.alphas, dtype=np.float64)
    coefs = np.asarray(path.coefs, dtype=np.float64)
    dev = getattr(path, "dev_ratios", None)
    if xvar == "dev" and dev is None:
        raise ValueError("xvar='dev' needs the path's dev_ratios (the fraction of deviance explained); a Ridge "
                         "path has none: use xvar='alpha' or 'norm'.")
    blocks = coefs[None] if coefs.ndim == 2 else coefs
    n_features = blocks.shape[1]
    names = getattr(path, "feature_names", None)
    names = [f"x{j}" for j in range(n_features)] if names is None else [str(n) for n in names]
    # the path's order (alpha decreasing: the model grows from left to right)
    order = np.argsort(-alphas, kind="stable")
    if xvar == "alpha":
        order = order[alphas[order] > 0]  # (alpha = 0, which a Ridge path may hold, has no place on a log axis)
        if order.size == 0:
            raise ValueError("plot_path: no alpha > 0 to draw on the log alpha axis; use xvar='norm'.")
    # the top axis: non-zeros (of each class's or task's panel for a block); none for a Ridge path, whose
    # coefficients are all non-zero
    counts = (blocks != 0).sum(axis=1) if hasattr(path, "n_nonzero") else None
    axes = _new_axes(ax, blocks.shape[0])
    classes = getattr(path, "classes", None)
    for k, panel in enumerate(axes):
        C = blocks[k][:, order]
        if xvar == "alpha":
            x = alphas[order]
        elif xvar == "norm":
            x = np.abs(C).sum(axis=0)
        else:
            x = np.asarray(dev, dtype=np.float64)[order]
        _draw_coefficients(panel, x, C, names, label, xvar)
        if counts is not None:
            _top_axis(panel, x, counts[k][order], xvar == "alpha", "non-zero coefficients")
        if blocks.shape[0] > 1:
            which = f"class {classes[k]}" if classes is not None and len(classes) == blocks.shape[0] else f"response {k}"
            panel.set_title(which, fontsize="medium")
    return axes[0] if coefs.ndim == 2 else axes


def _draw_coefficients(ax, x, C, names, label, xvar):
    """One line per feature non-zero somewhere, the x axis, and the labels of the largest at the end."""
    drawn = np.flatnonzero((C != 0).any(axis=1))
    lines = {}
    colors = _pyplot().rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for j in drawn:  # (a feature keeps its colour in every panel and picture: by its index)
        (line,) = ax.plot(x, C[j], lw=1.2, label=names[j], color=colors[j % len(colors)])
        lines[j] = line
    if xvar == "alpha":
        ax.set_xscale("log")
        lo, hi = float(x.min()), float(x.max())
        pad = (hi / lo) ** 0.03 if hi > lo else 1.5
        ax.set_xlim(hi * pad, lo / pad)  # decreasing from left to right
        ax.set_xlabel("alpha (log scale)")
    else:
        lo, hi = float(np.min(x)), float(np.max(x))
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel("L1 norm of the coefficients" if xvar == "norm" else "fraction of deviance explained")
    ax.set_ylabel("coefficients")
    y_lo, y_hi = (float(C[drawn].min()), float(C[drawn].max())) if drawn.size else (-1.0, 1.0)
    y_lo, y_hi = min(y_lo, 0.0), max(y_hi, 0.0)
    span = y_hi - y_lo if y_hi > y_lo else 1.0
    ax.set_ylim(y_lo - 0.05 * span, y_hi + 0.05 * span)
    if label and drawn.size:
        end = C[:, -1]
        top = drawn[np.argsort(-np.abs(end[drawn]), kind="stable")[:label]]
        top = top[end[top] != 0] if (end[top] != 0).any() else top
        _label_ends(ax, x[-1], {j: (end[j], lines[j].get_color()) for j in top}, names, span)


def _label_ends(ax, x_end, ends, names, span):
    """Feature names at the right edge of the axes, at their lines' end values, moved apart so that no two
    overlap (LABEL_GAP of the y range), each joined to its line's end by a thin segment."""
    items = sorted(ends.items(), key=lambda item: item[1][0])
    ys = np.array([value for _, (value, _) in items], dtype=np.float64)
    gap = LABEL_GAP * span
    placed = ys.copy()
    for i in range(1, placed.size):  # push up what sits too close above its neighbour
        placed[i] = max(placed[i], placed[i - 1] + gap)
    lo, hi = ax.get_ylim()
    if placed.size and placed[-1] > hi:  # then back down as a block when it overflows the top
        placed -= placed[-1] - hi
        for i in range(placed.size - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    for (j, (value, color)), y_text in zip(items, placed):
        ax.annotate(names[j], xy=(x_end, value), xycoords="data", xytext=(1.015, y_text),
                    textcoords=("axes fraction", "data"), va="center", ha="left", fontsize="small", color=color,
                    annotation_clip=False,
                    arrowprops=dict(arrowstyle="-", color=color, lw=0.6, shrinkA=0, shrinkB=0))


def _top_axis(ax, x, counts, log, what):
    """A secondary x axis on top with `counts` (non-zeros) at some of the points x (at most TOP_TICKS,
    TICK_GAP of the axis apart)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return None
    lo, hi = ax.get_xlim()
    if log:
        u, a, b = np.log10(x), np.log10(lo), np.log10(hi)
    else:
        u, a, b = x, lo, hi
    position = (u - a) / (b - a) if b != a else np.zeros_like(u)
    chosen = []
    for i in np.unique(np.round(np.linspace(0, x.size - 1, min(x.size, TOP_TICKS * 3))).astype(int)):
        if all(abs(position[i] - position[c]) >= TICK_GAP for c in chosen):
            chosen.append(int(i))
    top = ax.secondary_xaxis("top")
    top.set_xticks(x[chosen], [str(int(counts[i])) for i in chosen])
    top.tick_params(labelsize="small")
    top.set_xlabel(what, fontsize="small")
    top.set_gid("non-zeros")
    return top


def plot_cv(cvpath, ax=None):
    """The cross-validation curve (glmnet's ``plot(cv.fit)``): mean CV error with error bars of one
    standard error against alpha (log scale, decreasing from left to right), dashed vertical lines at
    ``alpha_min`` and ``alpha_1se`` (Line2D labels 'alpha_min', 'alpha_1se'), and the number of non-zero
    coefficients of ``cvpath.path`` on a top axis (when the CV kept its path).

    Several l1_ratios are drawn as separate curves; a relaxed CV (``relax=True``) draws one curve per
    gamma at ``l1_ratio_min`` (gamma = 1 is the lasso). A legend names the curves when there are several.

    Parameters
    ----------
    cvpath : CVPath
        The result of `cv_path`.
    ax : matplotlib Axes, default=None

    Returns
    -------
    Axes
    """
    if not hasattr(cvpath, "mse_mean"):
        raise TypeError(f"plot_cv draws a CVPath (the result of cv_path), got {type(cvpath).__name__}.")
    (ax,) = _new_axes(ax)
    l1 = cvpath.index_min[0]
    if cvpath.gammas is not None:
        curves = [(cvpath.alphas[l1], cvpath.relaxed_mean[l1, g], cvpath.relaxed_se[l1, g], f"gamma={gamma:g}")
                  for g, gamma in enumerate(cvpath.gammas)]
    else:
        curves = [(cvpath.alphas[i], cvpath.mse_mean[i], cvpath.mse_se[i], f"l1_ratio={ratio:g}")
                  for i, ratio in enumerate(cvpath.l1_ratios)]
    everything = np.concatenate([a for a, _, _, _ in curves])
    if not (everything > 0).any():
        raise ValueError("plot_cv: no alpha > 0 to draw on the log alpha axis.")
    for alphas, mean, se, name in curves:
        keep = alphas > 0
        ax.errorbar(alphas[keep], mean[keep], yerr=se[keep], fmt="o-", ms=3, lw=0.8, elinewidth=0.7, capsize=2,
                    label=name)
    ax.set_xscale("log")
    lo, hi = float(everything[everything > 0].min()), float(everything.max())
    pad = (hi / lo) ** 0.03 if hi > lo else 1.5
    ax.set_xlim(hi * pad, lo / pad)
    ax.axvline(cvpath.alpha_min, ls="--", lw=1, color="0.25", label="alpha_min")
    ax.axvline(cvpath.alpha_1se, ls="--", lw=1, color="tab:red", label="alpha_1se")
    ax.set_xlabel("alpha (log scale)")
    ax.set_ylabel("mean CV error (MSE)")
    if len(curves) > 1:
        ax.legend(fontsize="small")
    else:
        ax.legend(handles=[line for line in ax.lines if line.get_label() in ("alpha_min", "alpha_1se")],
                  fontsize="small")
    if cvpath.path is not None:
        alphas = np.asarray(cvpath.path.alphas, dtype=np.float64)
        order = np.argsort(-alphas, kind="stable")
        order = order[alphas[order] > 0]
        what = "non-zero coefficients" + (f" (l1_ratio={cvpath.l1_ratio_min:g})" if cvpath.l1_ratios.size > 1 else "")
        _top_axis(ax, alphas[order], cvpath.path.n_nonzero()[order], True, what)
    return ax


def plot_ridge(result, ax=None, *, label=DEFAULT_LABELS):
    """A Ridge path's coefficients against alpha (`ridge_path`'s RidgePath: `plot_path` with
    xvar='alpha'), or RidgeCV's leave-one-out curve: for a fitted ``RidgeCV(store_cv_results=True)``
    (``cv=None``, no ``scoring``), the mean leave-one-out squared error at each of its alphas (over
    the samples, and the targets of a 2-D y) with a dashed vertical line at ``alpha_`` (label
    'alpha_'); alpha decreases from left to right, as in the other pictures.

    Returns
    -------
    Axes (an ndarray of Axes for a Ridge path of several targets).
    """
    if hasattr(result, "coefs") and hasattr(result, "alphas"):
        return plot_path(result, xvar="alpha", label=label, ax=ax)
    if not hasattr(result, "alpha_") or not hasattr(result, "alphas"):
        raise TypeError(f"plot_ridge draws a RidgePath (ridge_path) or a fitted RidgeCV, got {type(result).__name__}.")
    if getattr(result, "scoring", None) is not None:
        raise ValueError("plot_ridge: this RidgeCV has a scoring, so its cv_results_ are leave-one-out predictions, "
                         "not squared errors; refit with scoring=None to plot the leave-one-out error curve.")
    errors = getattr(result, "cv_results_", None)
    if errors is None:
        raise ValueError("plot_ridge: the RidgeCV kept no leave-one-out errors; fit it with store_cv_results=True "
                         "(and cv=None) to plot its curve.")
    alphas = np.atleast_1d(np.asarray(result.alphas, dtype=np.float64))
    errors = np.asarray(errors, dtype=np.float64)
    # (n_samples, n_alphas), or (n_samples, n_targets, n_alphas): the mean over samples (and targets)
    mean = errors.reshape(-1, errors.shape[-1]).mean(axis=0)
    (ax,) = _new_axes(ax)
    order = np.argsort(-alphas, kind="stable")
    ax.plot(alphas[order], mean[order], "o-", ms=3, lw=1, label="mean leave-one-out error")
    ax.set_xscale("log")
    lo, hi = float(alphas.min()), float(alphas.max())
    pad = (hi / lo) ** 0.03 if hi > lo else 1.5
    ax.set_xlim(hi * pad, lo / pad)
    for alpha in np.unique(np.atleast_1d(result.alpha_)):
        ax.axvline(float(alpha), ls="--", lw=1, color="tab:red", label="alpha_")
    ax.set_xlabel("alpha (log scale)")
    ax.set_ylabel("mean leave-one-out squared error")
    ax.legend(fontsize="small")
    return ax
