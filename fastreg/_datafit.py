"""Datafits: the loss a path minimizes, and what the path layer asks of it.

`fastreg._path.solve_path` is written against this seam; a `Problem` carries its datafit. The
Gaussian datafit is least squares on a working design (`fastreg._design`), solved by the residual or
Gram solvers (`fastreg._solvers`). A new loss is one more class here with the same methods:

- ``tol_unit(design)``: the null model's deviance in working units (the unit of ``tol`` and of the
  deviance ratios);
- ``solver(plan, design, w, options)``: the per-penalty solver, ``solver(w, l1_reg, l2_reg) -> (gap,
  epochs, status)``, its gap certifying this datafit's objective;
- ``deviance(solver, w)``: the deviance at the solver's last solution (working units);
- ``intercept(design, solver, coef)``: the intercept that goes with the user's coefficients;
- ``alpha_max(design, l1_ratio, positive, Xty)``: the smallest alpha whose solution is 0 (the grid);
- ``unconverged(design, settings, alpha, gap, target)``: the ConvergenceWarning text;
- ``block(design)``: the shape of a solution's block of responses, () for one (a solution is a vector
  over the features), (K,) for K classes (a (n_features, K) matrix; `fastreg._multinomial`).

An iteratively reweighted loss (binomial, multinomial) is a datafit whose `solver` runs an outer
proximal-Newton loop: at the current (w, b) it refreshes per-sample weights and a working response,
solves the weighted least-squares subproblem with a Gaussian solver from this module's `solver`,
and certifies the result with its own duality gap; see ARCHITECTURE.md.
"""
import numpy as np

from scipy import sparse

from . import _plan
from ._irls import binomial_intercept, cols_dot, cols_gemv, weighted_cd_sparse
from ._design import build_design
from ._plan import newton_step_plan
from ._solvers import kernel_name, make_solver, single_threaded_blas


class Gaussian:
    """Least squares, ``1/(2n) sum_i s_i (y_i - x_i^T w - b)^2`` (weights s normalized to sum to n):
    the working problem ``1/2 ||y_w - X_w w||^2`` of the design, the intercept eliminated by centering."""

    name = "gaussian"

    @staticmethod
    def block(design):
        return ()

    @staticmethod
    def tol_unit(design):
        return design.null_norm2

    @staticmethod
    def solver(plan, design, w, options):
        return make_solver(plan, design, w, options)

    @staticmethod
    def deviance(solver, w):
        return solver.residual_norm2(w)

    @staticmethod
    def intercept(design, solver, coef):
        return design.intercept(coef)

    @staticmethod
    def alpha_max(design, l1_ratio, positive, Xty=None):
        return design.alpha_max(l1_ratio, positive, Xty=Xty)

    @staticmethod
    def unconverged(design, settings, alpha, gap, target):
        norm = "||y - mean(y)||^2" if design.fit_intercept else "||y||^2"
        return (
            f"Objective did not converge. You might want to increase the number of iterations. "
            f"Coordinate descent did not converge at alpha={alpha:.6g}: duality gap {gap:.3e} "
            f"is above the target {target:.3e} (tol={settings.tol:g} times {norm} / n) after "
            f"max_iter={settings.max_iter} epochs. Increase max_iter, loosen tol, or scale the features "
            f"(e.g. standardize X)."
        )


GAUSSIAN = Gaussian()


# ----------------------------------------------------------------------------------------------------
# binomial: penalized logistic regression


# the probabilities of the Newton weights p (1 - p) are kept this far from 0 and 1: saturated samples of
# separable data keep a positive weight (glmnet's pmin is 1e-5, whose inflated curvature made nearly
# separable fits at large C stall short of 1e-8 gaps after 100 Newton steps; 1e-10 reaches 1e-11)
P_MIN = 1e-10
# each Newton subproblem is solved to INNER_FRACTION of the larger of the penalty's gap target and
# FORCING times the current gap (an inexact Newton step: solving the first model of a penalty to the
# final target is wasted where the model is still inaccurate; a looser forcing term stalls, as the
# elastic-net gap far from the optimum dwarfs the objective, so the loosening is capped at FORCING_CAP
# times the target: 0.03 measured best of 0.003-0.3; uncapped, cold fits far from their optimum stalled)
INNER_FRACTION = 0.25
FORCING = 0.03
FORCING_CAP = 1000.0
# the path-following predictor's polynomial degree in the penalty (the last PREDICTOR_ORDER + 1 solutions)
PREDICTOR_ORDER = 2


def sigmoid(eta):
    """1 / (1 + exp(-eta)), elementwise (NumPy's vectorized exp: 4x scipy's expit; exact to the last bit
    or two, 0 and 1 at the extremes, never NaN)."""
    out = np.negative(eta)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def binomial_loss(eta, shift, y, s):
    """sum_i s_i [log(1 + exp(eta_i + shift)) - y_i (eta_i + shift)], stably (NumPy's vectorized exp
    and log: twice as fast as a compiled loop of libm calls; log(1 + e) for e = exp(-|eta|) <= 1 is
    exact to an absolute 1e-16 per sample)."""
    e = eta + shift if shift else eta
    a = np.abs(e)
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    np.log(a, out=a)
    a += np.maximum(e, 0.0)
    a -= y * e
    return float(s @ a)


def binomial_entropy(t, s):
    """sum_i s_i [t_i log t_i + (1 - t_i) log(1 - t_i)] (0 log 0 = 0), by NumPy's vectorized log (log(1 - t)
    for small t is exact to an absolute 1e-16 per sample)."""
    u = 1.0 - t
    log_t = np.zeros(t.shape)
    np.log(t, out=log_t, where=t > 0)
    log_u = np.zeros(t.shape)
    np.log(u, out=log_u, where=u > 0)
    return float((s * t) @ log_t) + float((s * u) @ log_u)


class Binomial:
    """The binomial datafit (logistic regression), glmnet's scale:

        P(w, b) = 1/n sum_i s_i [log(1 + exp(eta_i)) - y_i eta_i] + penalty(w),   eta = X w + b,

    y in {0, 1}, weights s normalized to sum to n. Its unit (tol's, the deviance ratios') is the null
    model's mean log-loss: the intercept-only model's (the labels' weighted entropy), log 2 without
    intercept. Solved by `BinomialSolver`; certified by the Fenchel dual (`_dual_point`, `_gap_at`).
    """

    name = "binomial"

    @staticmethod
    def block(data):
        return ()

    @staticmethod
    def null_loss(data):
        if not data.fit_intercept:
            return float(np.log(2.0))
        ybar = float(data.sw @ data.y) / data.n_samples
        return -binomial_entropy(np.array([ybar]), np.ones(1))

    @classmethod
    def tol_unit(cls, data):
        return cls.null_loss(data)

    @staticmethod
    def solver(plan, data, w, options):
        return BinomialSolver(plan, data, w, options)

    @staticmethod
    def deviance(solver, w):
        return solver.loss

    @staticmethod
    def intercept(data, solver, coef):
        return solver.b

    @staticmethod
    def alpha_max(data, l1_ratio, positive, Xty=None):
        """The smallest alpha whose solution has every penalized coefficient 0: the largest
        |x_j^T s (y - p0)| / (n l1_ratio v_j) over the penalized features in a direction their box
        allows, p0 the null model's probabilities (the intercept and the unpenalized features fitted,
        `null_fit`)."""
        _, b0, eta0 = null_fit(data)
        p0 = sigmoid(eta0)
        grad = np.asarray(data.X.T @ (data.sw * (data.y - p0)), dtype=np.float64).reshape(-1) / data.n_samples
        lo, hi = working_box(data, positive)
        up = np.maximum(grad, 0.0) if hi is None else np.where(hi > 0, np.maximum(grad, 0.0), 0.0)
        down = np.maximum(-grad, 0.0) if lo is None else np.where(lo < 0, np.maximum(-grad, 0.0), 0.0)
        top = np.maximum(up, down)
        factor = data.penalty.factor
        if factor is not None:
            penalized = factor > 0
            top = np.where(penalized, top / np.where(penalized, factor, 1.0), 0.0)
        return float(np.max(top, initial=0.0)) / l1_ratio

    @staticmethod
    def unconverged(data, settings, alpha, gap, target):
        return (
            f"Logistic regression did not converge at alpha={alpha:.6g}: duality gap {gap:.3e} is above the "
            f"target {target:.3e} (tol={settings.tol:g} times the null model's mean log-loss) after "
            f"{settings.max_newton} Newton steps of at most {settings.max_iter} epochs each. Allow more steps "
            f"(max_iter of LogisticRegression), loosen tol, use a larger alpha (smaller C), or scale the "
            f"features (e.g. standardize=True)."
        )


def _penalty_value(w, l1_reg, l2_reg, factor):
    v = 1.0 if factor is None else factor
    return float(np.sum(l1_reg * v * np.abs(w)) + 0.5 * np.sum(l2_reg * v * w * w))


def working_box(data, positive):
    """(lower, upper) bounds on the working coefficients (w = coef * col_scale) of the kept features,
    each None when unbounded on that side; positive is a lower bound 0."""
    lower, upper = data.penalty.lower, data.penalty.upper
    if positive:
        lower = np.zeros(data.n_features) if lower is None else np.maximum(lower, 0.0)
    return (None if lower is None else lower * data.col_scale,
            None if upper is None else upper * data.col_scale)


def unpenalized_columns(data):
    """The kept features whose penalty factor is 0 (int32 indices; empty when none)."""
    factor = data.penalty.factor
    if factor is None:
        return np.empty(0, dtype=np.intc)
    return np.flatnonzero(factor == 0).astype(np.intc)


def _fixed_design(data, cols):
    """[1 (with an intercept), X_cols] as a dense float64 (n, k) array: the unpenalized coordinates."""
    parts = [np.ones((data.n_samples, 1))] if data.fit_intercept else []
    if cols.size:
        Xc = data.X[:, cols]
        parts.append(Xc.toarray() if sparse.issparse(Xc) else np.asarray(Xc))
    return np.hstack(parts) if parts else np.empty((data.n_samples, 0))


def null_fit(data, max_steps=100):
    """The null model: the intercept and the unpenalized features fitted, every penalized coefficient
    0, by damped Newton steps on the (few) unpenalized coordinates. Returns (w_U, b, eta) (w_U the
    coefficients of `unpenalized_columns`, eta the linear predictor). Without unpenalized features
    it is the intercept alone (the labels' log-odds), or eta = 0 without intercept. Separable
    unpenalized data have no finite null model: the steps stop at max_steps (alpha_max is then that
    of a near-separating fit)."""
    y, s, n = data.y, data.sw, data.n_samples
    cols = unpenalized_columns(data)
    if not cols.size:
        if not data.fit_intercept:
            return np.empty(0), 0.0, np.zeros(n)
        ybar = float(s @ y) / n
        b = binomial_intercept(np.zeros(n), float(np.log(ybar) - np.log1p(-ybar)), y, s)
        return np.empty(0), b, np.full(n, b)
    A = _fixed_design(data, cols)
    beta = np.zeros(A.shape[1])
    eta = np.zeros(n)
    current = binomial_loss(eta, 0.0, y, s)
    for _ in range(max_steps):
        p = sigmoid(eta)
        grad = A.T @ (s * (p - y))
        hess = A.T @ ((s * np.clip(p * (1 - p), P_MIN, None))[:, None] * A)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        if grad @ step <= 1e-17 * max(current, 1e-300):
            break
        direction = A @ step
        t = 1.0
        while t > 1e-10:
            trial = binomial_loss(eta - t * direction, 0.0, y, s)
            if trial <= current:
                break
            t *= 0.5
        else:
            break
        beta -= t * step
        eta = eta - t * direction
        current = trial
    b = float(beta[0]) if data.fit_intercept else 0.0
    return beta[1:] if data.fit_intercept else beta, b, eta


def _dual_point(data, eta, fixed=None):
    """(t, theta) of the dual point built from the probabilities at the linear predictor eta: t =
    sigmoid(eta), moved so that the unpenalized coordinates' dual constraints hold exactly,
    sum_i s_i (y_i - t_i) a_i = 0 for a = 1 (the intercept) and a = x_j (penalty factor 0);
    theta_i = s_i (y_i - t_i) / n.

    With the intercept alone, each t_i moves toward the bound it moves to in proportion to its distance
    to it, so that it stays in [0, 1]. With unpenalized features (`fixed`: their dense design
    [1, X_U] from `_fixed_design`), t moves by the least change in the metric of the curvatures
    t (1 - t): delta = t (1 - t) A lambda with A^T S delta = A^T S (y - t); the point is dual feasible
    only when t + delta stays in [0, 1] (near the optimum delta is tiny): otherwise t is returned
    unmoved and None marks it infeasible (its gap is inf; its theta still steers the working sets).
    Returns (t, theta, feasible)."""
    y, s = data.y, data.sw
    t = sigmoid(eta)
    if fixed is not None and fixed.shape[1]:
        curv = t * (1.0 - t)
        residual = fixed.T @ (s * (y - t))
        lam = np.linalg.lstsq(fixed.T @ ((s * curv)[:, None] * fixed), residual, rcond=None)[0]
        t_new = t + curv * (fixed @ lam)
        if (t_new < 0).any() or (t_new > 1).any():
            return t, s * (y - t) / data.n_samples, False
        t = t_new
    elif data.fit_intercept:
        excess = float(s @ (y - t))
        if excess > 0:
            t = t + min(excess / float(s @ (1.0 - t)), 1.0) * (1.0 - t)
        elif excess < 0:
            t = t - min(-excess / float(s @ t), 1.0) * t
    return t, s * (y - t) / data.n_samples, True


def _box_conjugate(score, c, bound):
    """sup over 0 <= m <= bound of (score m - c m^2 / 2), elementwise, for score >= 0 and c >= 0 (inf
    where c = 0, score > 0 and the bound is infinite)."""
    score, c, bound = np.broadcast_arrays(score, c, bound)
    value = np.zeros(score.shape)
    pos = score > 0
    curved = pos & (c > 0)
    m = np.minimum(score[curved] / c[curved], bound[curved])
    value[curved] = score[curved] * m - 0.5 * c[curved] * m * m
    flat = pos & ~(c > 0)
    value[flat] = score[flat] * bound[flat]
    return value


def _gap_at(data, w, loss, t, u, factor, l1_reg, l2_reg, lo=None, hi=None, feasible=True):
    """The duality gap at (w, loss) for the dual point t whose X^T theta is u (over the features of w,
    u, factor and the bounds lo, hi: all of them, or a working set, which certifies the problem
    restricted to it; not `feasible`: t violates the unpenalized constraints, inf). The penalty's conjugate per feature is
    sup_{lo <= w <= hi} (u w - a |w| - c w^2 / 2) with a = l1_reg v_j, c = l2_reg v_j; where it is
    unbounded (a pure L1 penalty, an unbounded side) theta is scaled into the dual feasible set:
    t -> (1 - scale) y + scale t. Unpenalized features (v_j = 0) have u_j = 0 up to rounding: the
    conjugate of that constraint relaxed to |w_j| <= 2 |w_j| + 1 (an assumed bound on the optimum's
    coefficient), |u_j| (2 |w_j| + 1), is added: far below any target, as u_j is a rounding error."""
    if not feasible:
        return np.inf
    y, s, n = data.y, data.sw, data.n_samples
    primal = loss + _penalty_value(w, l1_reg, l2_reg, factor)
    if factor is None and hi is None and (lo is None or not lo.any()):
        # no factors and no box (or positive, lo = 0): the closed forms, few operations (small problems
        # compute many gaps)
        score = np.abs(u) if lo is None else u
        if l2_reg > 0:
            over = np.maximum(score - l1_reg, 0.0)
            conj = float(over @ over) / (2 * l2_reg)
        else:
            top = float(np.max(score, initial=0.0))
            if top > l1_reg:
                scale = l1_reg / top
                t = (1.0 - scale) * y + scale * t
            conj = 0.0
        return max(primal - (-binomial_entropy(t, s) / n - conj), 0.0)
    v = np.ones_like(u) if factor is None else factor
    free = v == 0
    a, c = l1_reg * v, l2_reg * v
    up_bound = np.full(u.shape, np.inf) if hi is None else hi
    down_bound = np.full(u.shape, np.inf) if lo is None else -lo
    up, down = np.maximum(u - a, 0.0), np.maximum(-u - a, 0.0)
    up[free] = down[free] = 0.0
    scale = 1.0
    if l2_reg <= 0:
        # the L1 ball: coordinates whose violated side is unbounded bound the scale
        over = ((up > 0) & ~np.isfinite(up_bound)) | ((down > 0) & ~np.isfinite(down_bound))
        if over.any():
            scale = float(np.min(a[over] / np.abs(u[over])))
            su = scale * u
            up, down = np.maximum(su - a, 0.0), np.maximum(-su - a, 0.0)
            up[free] = down[free] = 0.0
            # (on the ball's surface up to rounding where the side is unbounded)
            up[~np.isfinite(up_bound)] = 0.0
            down[~np.isfinite(down_bound)] = 0.0
    conj = float(np.sum(_box_conjugate(up, c, up_bound)) + np.sum(_box_conjugate(down, c, down_bound)))
    slack = float(np.sum(np.abs(u[free]) * (2 * np.abs(w[free]) + 1))) if free.any() else 0.0
    if scale < 1.0:
        t = (1.0 - scale) * y + scale * t
    dual = -binomial_entropy(t, s) / n - conj
    return max(primal - dual, 0.0) + scale * slack


def newton_subproblem(data, plan, options, z, v, w, l1_reg, l2_reg, positive, target, *, cols=None,
                      eta=None, b=0.0, r=None, deta=None):
    """Solve a Newton step's weighted least-squares ElasticNet on the data's X, from w:

        minimize_{w', b'}  1/2 sum_i v_i (z_i - x_i^T w' - b')^2 + penalty(w')

    (b' = 0 without intercept; the penalty is l1_reg sum_j f_j |w'_j| + l2_reg / 2 sum_j f_j w'_j^2
    with the data's penalty factors f, within the data's boxes, w' >= 0 if positive), over the
    features `cols` (all by default; the others stay at w). `eta`: X w + b at (w, b) when known; `r`:
    the weighted residual v (z - eta) when known (overwritten; z may then be None for a sparse X);
    `deta`: an (n_samples,) array that receives the move of the linear predictor, X (w' - w) + b' - b.

    - Sparse X: coordinate descent on X itself (`_irls.weighted_cd_sparse`, O(nnz) per visit, v-weighted
      implicit centering), stopped when its largest correction times ||w||_1 is <= target. (On dense
      correlated columns this converges in far more epochs than the Gaussian kernels' Gram and Newton
      steps: breast cancer 11317 against 135, measured.)
    - Dense X: a Gaussian design (`build_design`: centered, weighted and penalized copy of those
      columns) solved to a duality gap <= target (in the units of the objective above) by the kernel
      `newton_step_plan` chooses (Gram updates when the columns are few and the rows many, residual
      updates otherwise; `plan` is the problem's, used when every column is in).

    Returns (w', b', epochs, the kernel's name); w is not modified."""
    if data.sparse:
        w_new = np.array(w, dtype=np.float64)
        cols = np.arange(data.n_features, dtype=np.intc) if cols is None else np.asarray(cols, dtype=np.intc)
        if r is None:
            if eta is None:
                eta, b = data.linear_predictor(w_new, 0.0), 0.0
            r = v * (z - eta)
        lo, hi = working_box(data, positive)
        factor = data.penalty.factor
        b_new, epochs = weighted_cd_sparse(
            *data.weighted_columns(), cols, w_new, float(b), v, r, float(l1_reg), float(l2_reg),
            _EMPTY if factor is None else factor, _EMPTY if lo is None else lo, _EMPTY if hi is None else hi,
            data.fit_intercept, options.max_iter, float(target), np.empty(data.n_samples) if deta is None else deta)
        return w_new, float(b_new), int(epochs), "irls+cd-sparse-weighted"
    if cols is None:
        X, penalty, sub_plan = data.X, data.penalty, plan
    else:
        X = np.asfortranarray(data.X[:, cols])
        penalty = data.penalty.subset(cols)
        sub_plan = newton_step_plan(X)
    design = build_design(X, z, v, _plan.Plan("residual"), fit_intercept=data.fit_intercept, standardize=False,
                          penalty=penalty, owned=cols is not None, finite=True)
    if sub_plan.gram and design.has_data:
        design = design.statistics()
    v_sum = float(v.sum())
    # the model is v_sum times its design's user objective (weights normalized to sum to n):
    # that objective's penalties are the model's divided by v_sum, in the design's working units
    l1_in = design.dtype.type(design.penalties(l1_reg / v_sum, 1.0)[0])
    l2_in = design.dtype.type(design.penalties(l2_reg / v_sum, 0.0)[1])
    inner_target = target / v_sum * design.n_samples / design.y_scale**2
    inner = options._replace(tol_gap=design.dtype.type(inner_target), positive=positive)
    w_sub = np.asarray(w, dtype=np.float64) if cols is None else np.asarray(w, dtype=np.float64)[cols]
    w_in = design.coef_to_work(w_sub).copy()
    solver = make_solver(sub_plan, design, w_in, inner)
    _, it, _ = solver(w_in, l1_in, l2_in)
    w_new = np.array(w, dtype=np.float64)
    sub = np.asarray(design.coef_to_user(w_in), dtype=np.float64)
    if cols is None:
        w_new[:] = sub
    else:
        w_new[cols] = sub
    b_new = float(design.intercept(sub)) if data.fit_intercept else 0.0
    if deta is not None:
        deta[:] = b_new - b if data.fit_intercept else 0.0
        moved = np.arange(data.n_features, dtype=np.intc) if cols is None else np.asarray(cols, dtype=np.intc)
        cols_gemv(data.weighted_columns(), moved, (w_new - np.asarray(w, dtype=np.float64))[moved], deta)
    return w_new, b_new, int(it), "irls+" + solver.name


_EMPTY = np.empty(0)


class BinomialSolver:
    """Proximal Newton (IRLS) for the binomial datafit, one penalty at a time from a warm start, on a
    working set of features.

    Sets (glmnet's): the strong set is the support and the features the sequential strong rule keeps;
    the working set starts as the support and the strong features that violate optimality at the warm
    start (every feature without ``working_set``). On the working set, at (w, b): p = sigmoid(X w + b),
    Newton weights v_i = s_i q_i (1 - q_i) / n (q: p kept `P_MIN` from 0 and 1) and working response
    z = X w + b + (y - p) / (q (1 - q)); the quadratic model 1/2 sum_i v_i (z_i - x_i^T w' - b')^2 +
    penalty(w') is solved by `newton_subproblem` on the working set's columns, warm started from w, to
    `INNER_FRACTION` of the gap target (or `FORCING` times the current gap, up to `FORCING_CAP` times
    the target, when that is larger). The
    step is damped by backtracking until the penalized
    objective decreases (separable data never diverge; a damped step's intercept is then made exactly
    optimal, Newton in one variable). When the gap of the problem restricted to the working set
    reaches the target, the strong set's violators join the working set (their X^T theta only); when
    there are none, one pass over all of X gives the full duality gap (`_gap_at`): the penalty is done
    when it reaches the target too, else the violators join. X^T theta of that last pass is kept: the
    next penalty's first gap and strong rule cost no pass over X.
    """

    def __init__(self, plan, data, w, options):
        self.plan, self.data, self.options = plan, data, options
        self.max_newton = options.max_newton
        # (until a Newton step has run: a path whose penalties all start solved)
        self.name = "irls+" + kernel_name(plan.kernel, data.kind)
        self.positive = options.positive
        self.columns = data.weighted_columns()
        self.factor = data.penalty.factor
        self.lo, self.hi = working_box(data, self.positive)
        self.free = unpenalized_columns(data)
        self.fixed = _fixed_design(data, self.free) if self.free.size else None
        y, s, n = data.y, data.sw, data.n_samples
        xw = data.linear_predictor(w, 0.0)
        self.b = 0.0
        if data.fit_intercept:
            ybar = float(s @ y) / n
            self.b = self._optimal_intercept(xw, float(np.log(ybar) - np.log1p(-ybar)))
        self.loss = binomial_loss(xw, self.b, y, s) / n
        # the state of the last full gap: the solution (w, X w), its dual point and X^T theta
        self._last = None
        self._previous_l1 = None
        self._history = ()  # the last (l1_reg, solution) pairs, for the predictor

    def _loss(self, eta):
        return binomial_loss(eta, 0.0, self.data.y, self.data.sw) / self.data.n_samples

    def _optimal_intercept(self, xw, b):
        """argmin_b of the loss at X w = xw (Newton in one variable, damped; `binomial_intercept`)."""
        return binomial_intercept(xw, float(b), self.data.y, self.data.sw)

    def _full_pass(self, w, xw, dual=None):
        """(t, theta, X^T theta, feasible) at (w, b): one pass over X; kept for the next penalty.
        `dual`: the dual point (t, theta, feasible) at (w, b) when already computed."""
        t, theta, feasible = _dual_point(self.data, xw + self.b, self.fixed) if dual is None else dual
        u = np.asarray(self.data.X.T @ theta, dtype=np.float64).reshape(-1)
        self._last = (w.copy(), xw, self.b, self.loss, t, theta, u, feasible)
        return t, theta, u, feasible

    def _gap(self, w, t, u, l1_reg, l2_reg, feasible, cols=None):
        """`_gap_at` over every feature, or over `cols` (u: X^T theta of those)."""
        if cols is None:
            return _gap_at(self.data, w, self.loss, t, u, self.factor, l1_reg, l2_reg, self.lo, self.hi, feasible)
        def part(a):
            return None if a is None else a[cols]
        return _gap_at(self.data, w[cols], self.loss, t, u, part(self.factor), l1_reg, l2_reg, part(self.lo),
                       part(self.hi), feasible)

    def _restricted_gap(self, w, t, theta, cols, l1_reg, l2_reg, feasible):
        u = np.empty(cols.size)
        cols_dot(self.columns, cols, theta, u)
        return self._gap(w, t, u, l1_reg, l2_reg, feasible, cols)

    def _score(self, u, cols=None):
        """|u_j| in the directions each feature's box lets it move from 0 (u >= 0 only when positive)."""
        lo = self.lo if cols is None or self.lo is None else self.lo[cols]
        hi = self.hi if cols is None or self.hi is None else self.hi[cols]
        up = np.maximum(u, 0.0) if hi is None else np.where(hi > 0, np.maximum(u, 0.0), 0.0)
        down = np.maximum(-u, 0.0) if lo is None else np.where(lo < 0, np.maximum(-u, 0.0), 0.0)
        return np.maximum(up, down)

    def _violators(self, u, l1_reg, cols=None):
        """Whether each feature's optimality condition at w_j = 0 fails (x_j^T theta above its L1
        penalty in a direction its box allows; u = X^T theta of the features `cols`, all by default).
        A nonzero w_j is in the working set already, so it does not matter what this says of it."""
        v = 1.0 if self.factor is None else (self.factor if cols is None else self.factor[cols])
        return self._score(u, cols) > l1_reg * v * (1.0 + 1e-12)

    def __call__(self, w, l1_reg, l2_reg):
        # BLAS on one thread for the whole penalty: its calls are many and small (a working set's
        # products, a Newton step's syrk), and worker threads that spin between them take the core the
        # solver runs on (measured on 2 cores: paths 7-9x slower with two threads, 40x when another
        # process is busy)
        with single_threaded_blas():
            return self._solve(w, l1_reg, l2_reg)

    def _solve(self, w, l1_reg, l2_reg):
        data, options = self.data, self.options
        l1_reg, l2_reg = float(l1_reg), float(l2_reg)
        factor = self.factor
        tol_gap = float(options.tol_gap)
        n_features = data.n_features
        epochs = 0
        last = self._last
        if last is not None and np.array_equal(last[0], w) and last[2] == self.b:
            xw, self.loss, t, theta, u, feasible = last[1], last[3], last[4], last[5], last[6], last[7]
        else:
            xw = data.linear_predictor(w, 0.0)
            self.loss = self._loss(xw + self.b)
            t, theta, u, feasible = self._full_pass(w, xw)
        gap = self._gap(w, t, u, l1_reg, l2_reg, feasible)
        previous_l1, self._previous_l1 = self._previous_l1, l1_reg
        if gap <= tol_gap:
            return gap, 0, 0
        # the strong set (glmnet's sequential strong rule) and the working set: the support and the
        # strong features that violate optimality at the warm start (glmnet's active set)
        if options.working_set:
            v = 1.0 if factor is None else factor
            corr = u - l2_reg * v * w if l2_reg else u
            threshold = l1_reg if previous_l1 is None else 2 * l1_reg - previous_l1
            strong = (self._score(corr) >= threshold * v) | (w != 0)
            keep = (w != 0) | (strong & self._violators(u, l1_reg))
            strong[self.free] = keep[self.free] = True  # (unpenalized features are always in)
        else:
            strong = keep = np.ones(n_features, dtype=bool)
        cols = np.flatnonzero(keep).astype(np.intc)
        y, s, n = data.y, data.sw, data.n_samples
        objective = self.loss + _penalty_value(w, l1_reg, l2_reg, factor)
        deta = np.empty(n)  # the move of the linear predictor by a Newton step (its working set's columns)
        moved = self._predict(w, xw, l1_reg, l2_reg, objective)
        if moved is not None:
            xw, objective = moved
            t, theta, feasible = _dual_point(data, xw + self.b, self.fixed)
        gap_ws = self._restricted_gap(w, t, theta, cols, l1_reg, l2_reg, feasible)
        steps = 0
        while True:
            if gap_ws <= tol_gap or steps >= self.max_newton:
                # the working set is solved: its violators in the strong set join it (no pass over
                # X), else one pass over X gives the full gap and any violator left joins
                new = None
                if steps < self.max_newton and (strong & ~keep).any():
                    rest = np.flatnonzero(strong & ~keep).astype(np.intc)
                    u_rest = np.empty(rest.size)
                    cols_dot(self.columns, rest, theta, u_rest)
                    entering = rest[self._violators(u_rest, l1_reg, rest)]
                    if entering.size:
                        new = entering
                if new is None:
                    t, theta, u, feasible = self._full_pass(w, xw, (t, theta, feasible))
                    gap = self._gap(w, t, u, l1_reg, l2_reg, feasible)
                    if gap <= tol_gap or steps >= self.max_newton:
                        break
                    new = np.flatnonzero(self._violators(u, l1_reg) & ~keep)
                    if not new.size:
                        break  # (rounding: the restricted gap and the full one disagree)
                    strong[new] = True
                keep[new] = True
                cols = np.flatnonzero(keep).astype(np.intc)
                gap_ws = self._restricted_gap(w, t, theta, cols, l1_reg, l2_reg, feasible)
            steps += 1
            if not cols.size:
                # nothing to fit but the intercept (the restricted problem is then solved exactly)
                if data.fit_intercept:
                    self.b = self._optimal_intercept(xw, self.b)
                    self.loss = self._loss(xw + self.b)
                    objective = self.loss + _penalty_value(w, l1_reg, l2_reg, factor)
                    t, theta, feasible = _dual_point(data, xw + self.b, self.fixed)
                gap_ws = 0.0
                continue
            eta = xw + self.b
            p = sigmoid(eta)
            # the curvature floored, the gradient exact: the model's minimizer is w itself only at
            # the optimum, so the steps converge to it (glmnet floors p itself, which moves the fixed point)
            q = np.clip(p, P_MIN, 1.0 - P_MIN)
            v_newton = s * (q * (1.0 - q)) / n
            r = s * (y - p) / n  # v (z - eta): the sparse kernel's weighted residual, without z
            z = None if data.sparse else eta + (y - p) / (q * (1.0 - q))
            w_new, b_new, it, self.name = newton_subproblem(
                data, self.plan, options, z, v_newton, w, l1_reg, l2_reg, self.positive,
                INNER_FRACTION * max(tol_gap, FORCING * min(gap_ws, FORCING_CAP * tol_gap)), cols=cols,
                eta=eta, b=self.b, r=r, deta=deta)
            epochs += int(it)
            dw = w_new - w
            # damped step: halve until the penalized objective does not increase
            step = 1.0
            for _ in range(40):
                trial = (self._loss(eta + step * deta) + _penalty_value(w + step * dw, l1_reg, l2_reg, factor))
                if trial <= objective + 1e-15 * abs(objective):
                    break
                step *= 0.5
            else:
                # no decrease along the Newton direction: certify where we are
                steps = self.max_newton
                continue
            w += step * dw
            db = step * (b_new - self.b) if data.fit_intercept else 0.0
            xw = xw + step * deta - db
            self.b = self.b + db
            if data.fit_intercept and step < 1.0:  # (a full step keeps the subproblem's intercept)
                self.b = self._optimal_intercept(xw, self.b)
            self.loss = self._loss(xw + self.b)
            objective = self.loss + _penalty_value(w, l1_reg, l2_reg, factor)
            t, theta, feasible = _dual_point(data, xw + self.b, self.fixed)
            gap_ws = self._restricted_gap(w, t, theta, cols, l1_reg, l2_reg, feasible)
        self._history = self._history[-(PREDICTOR_ORDER):] + ((l1_reg, w.copy(), self.b),)
        return gap, epochs, 0 if gap <= tol_gap else 1

    def _predict(self, w, xw, l1_reg, l2_reg, objective):
        """The path-following predictor: the last solutions (PREDICTOR_ORDER + 1 of them, and their
        intercepts) extrapolated by their interpolating polynomial in the penalty on the support of the
        last one (clipped at 0 where a coefficient would change sign, and into its box), taken only when
        it lowers the penalized objective at this penalty. Near the solution path this saves about one
        Newton step per penalty. Returns (X w, objective) after moving w in place and self.b, or None."""
        history = self._history
        if len(history) < 2 or not np.array_equal(history[-1][1], w):
            return None
        knots = [h[0] for h in history]
        if len(set(knots)) < len(knots) or l1_reg in knots:
            return None
        if not 0 < (l1_reg - knots[-1]) / (knots[-1] - knots[-2]) <= 4:
            return None
        support = np.flatnonzero(w).astype(np.intc)
        if not support.size:
            return None
        w_s = w[support]
        # Lagrange interpolation through the last solutions (two or three), evaluated at l1_reg
        pred = np.zeros(support.size)
        b = 0.0
        for i, (x_i, w_i, b_i) in enumerate(history):
            basis = np.prod([(l1_reg - x_j) / (x_i - x_j) for j, x_j in enumerate(knots) if j != i])
            pred += basis * w_i[support]
            b += basis * b_i
        pred = np.where(np.sign(pred) == np.sign(w_s), pred, 0.0)  # (no sign change)
        if self.lo is not None:
            pred = np.maximum(pred, self.lo[support])
        if self.hi is not None:
            pred = np.minimum(pred, self.hi[support])
        dw = pred - w_s
        if not dw.any():
            return None
        xw_new = xw.copy()
        cols_gemv(self.columns, support, dw, xw_new)
        b = b if self.data.fit_intercept else 0.0
        loss = self._loss(xw_new + b)
        w_new = w.copy()
        w_new[support] = pred
        value = loss + _penalty_value(w_new, l1_reg, l2_reg, self.factor)
        if not value < objective:
            return None
        w[support] = pred
        self.b, self.loss = b, loss
        return xw_new, value

    def residual_norm2(self, w):  # (the Gaussian solvers' protocol; the binomial deviance is `loss`)
        return self.loss


BINOMIAL = Binomial()
