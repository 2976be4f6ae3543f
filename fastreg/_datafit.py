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
from scipy.special import expit, xlogy

from ._solvers import kernel_name, make_solver


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
# each Newton subproblem is solved to this fraction of the penalty's gap target (a looser, inexact step
# relative to the current gap stalls: the elastic-net gap far from the optimum dwarfs the objective)
INNER_FRACTION = 0.25


def _logloss(eta, y):
    """log(1 + exp(eta)) - y eta, elementwise, stably."""
    return np.logaddexp(0.0, eta) - y * eta


def _neg_entropy(t):
    """t log t + (1 - t) log(1 - t), with 0 log 0 = 0."""
    return xlogy(t, t) + xlogy(1.0 - t, 1.0 - t)


class Binomial:
    """The binomial datafit (logistic regression), glmnet's scale:

        P(w, b) = 1/n sum_i s_i [log(1 + exp(eta_i)) - y_i eta_i] + penalty(w),   eta = X w + b,

    y in {0, 1}, weights s normalized to sum to n. Its unit (tol's, the deviance ratios') is the null
    model's mean log-loss: the intercept-only model's (the labels' weighted entropy), log 2 without
    intercept. Solved by `BinomialSolver`; certified by the Fenchel dual (`duality_gap`).
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
        return float(-_neg_entropy(np.array(ybar)))

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
        """The smallest alpha whose solution is w = 0: max_j |x_j^T s (y - p0)| / (n l1_ratio v_j), p0
        the null model's probability."""
        p0 = float(data.sw @ data.y) / data.n_samples if data.fit_intercept else 0.5
        grad = np.asarray(data.X.T @ (data.sw * (data.y - p0)), dtype=np.float64).reshape(-1) / data.n_samples
        if positive:
            grad = np.maximum(grad, 0.0)
        factor = data.penalty.factor
        top = np.abs(grad) if factor is None else np.abs(grad) / factor
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


def duality_gap(data, w, b, l1_reg, l2_reg, positive, xw=None):
    """(gap, loss) of (w, b): the primal P minus the dual value at the dual point built from the
    probabilities p = sigmoid(X w + b) (Fenchel duality; the dual variables are probabilities
    t in [0, 1], the dual objective their mean entropy minus the penalty's conjugate at X^T theta,
    theta_i = s_i (y_i - t_i) / n). With an intercept t is moved (each in proportion to its distance to
    the bound it moves toward, so that it stays in [0, 1]) to satisfy sum_i s_i (y_i - t_i) = 0
    exactly; for a pure L1 penalty theta is scaled into the dual feasible set. `xw`: X w when known."""
    y, s, n = data.y, data.sw, data.n_samples
    eta = data.linear_predictor(w, b) if xw is None else xw + b
    loss = float(s @ _logloss(eta, y)) / n
    factor = data.penalty.factor
    primal = loss + _penalty_value(w, l1_reg, l2_reg, factor)
    t = expit(eta)
    if data.fit_intercept:
        # sum_i s_i (y_i - t_i) = 0, t kept in [0, 1]: moved toward 1 (or 0) in proportion to its room
        excess = float(s @ (y - t))
        if excess > 0:
            t = t + min(excess / float(s @ (1.0 - t)), 1.0) * (1.0 - t)
        elif excess < 0:
            t = t - min(-excess / float(s @ t), 1.0) * t
    theta = s * (y - t) / n
    u = np.asarray(data.X.T @ theta, dtype=np.float64).reshape(-1)
    v = np.ones_like(u) if factor is None else factor
    a, c = l1_reg * v, l2_reg * v
    score = u if positive else np.abs(u)
    if l2_reg > 0:
        conj = float(np.sum(np.maximum(score - a, 0.0) ** 2 / (2 * c)))
        scale = 1.0
    else:
        over = score > a
        scale = float(np.min(a[over] / score[over])) if over.any() else 1.0
        conj = 0.0
    if scale < 1.0:  # theta -> scale * theta: t -> (1 - scale) y + scale t
        t = (1.0 - scale) * y + scale * t
    dual = -float(s @ _neg_entropy(t)) / n - conj
    return max(primal - dual, 0.0), loss


def newton_subproblem(data, plan, options, z, v, w, l1_reg, l2_reg, positive, target):
    """Solve a Newton step's weighted least-squares ElasticNet on the data's X, from w:

        minimize_{w', b'}  1/2 sum_i v_i (z_i - x_i^T w' - b')^2 + penalty(w')

    (b' = 0 without intercept; the penalty is l1_reg sum_j f_j |w'_j| + l2_reg / 2 sum_j f_j w'_j^2
    with the data's penalty factors f, w' >= 0 if positive), to a duality gap <= target in the units
    of that objective. Returns (w', b', epochs, the kernel's name); w is not modified."""
    design = data.newton_design(z, v, plan)
    v_sum = float(v.sum())
    # the model is v_sum times its design's user objective (weights normalized to sum to n):
    # that objective's penalties are the model's divided by v_sum, in the design's working units
    l1_in = design.dtype.type(design.penalties(l1_reg / v_sum, 1.0)[0])
    l2_in = design.dtype.type(design.penalties(l2_reg / v_sum, 0.0)[1])
    inner_target = target / v_sum * design.n_samples / design.y_scale**2
    inner = options._replace(tol_gap=design.dtype.type(inner_target), positive=positive)
    w_in = design.coef_to_work(w).copy()
    solver = make_solver(plan, design, w_in, inner)
    _, it, _ = solver(w_in, l1_in, l2_in)
    w_new = np.asarray(design.coef_to_user(w_in), dtype=np.float64)
    b_new = float(design.intercept(w_new)) if data.fit_intercept else 0.0
    return w_new, b_new, int(it), "irls+" + solver.name


class BinomialSolver:
    """Proximal Newton (IRLS) for the binomial datafit, one penalty at a time from a warm start.

    At (w, b): p = sigmoid(X w + b), Newton weights v_i = s_i q_i (1 - q_i) / n (q: p kept `P_MIN` from
    0 and 1) and working response z = X w + b + (y - p) / (q (1 - q)); the quadratic model
    1/2 sum_i v_i (z_i - x_i^T w' - b')^2 + penalty(w') is a weighted Lasso / ElasticNet, solved by
    the Gaussian solvers (the plan's residual or working-set kernel) on the design of (z, v), warm
    started from w, to `INNER_FRACTION` of the gap target. The step to its solution is damped by
    backtracking until the penalized objective decreases (separable data never diverge), the
    intercept is then made exactly optimal for w (Newton in one variable), and the penalty is done
    when the certified gap (`duality_gap`) reaches the target.
    """

    def __init__(self, plan, data, w, options):
        self.plan, self.data, self.options = plan, data, options
        self.max_newton = options.max_newton
        # (until a Newton step has run: a path whose penalties all start solved)
        self.name = "irls+" + kernel_name(plan.kernel, data.kind)
        self.positive = options.positive
        y, s, n = data.y, data.sw, data.n_samples
        xw = data.linear_predictor(w, 0.0)
        self.b = 0.0
        if data.fit_intercept:
            ybar = float(s @ y) / n
            self.b = self._optimal_intercept(xw, float(np.log(ybar) - np.log1p(-ybar)))
        self.loss = float(s @ _logloss(xw + self.b, y)) / n

    def _loss(self, eta):
        return float(self.data.sw @ _logloss(eta, self.data.y)) / self.data.n_samples

    def _optimal_intercept(self, xw, b):
        """argmin_b of the loss at X w = xw (Newton on a convex function of one variable, halved
        where it would increase the loss)."""
        y, s = self.data.y, self.data.sw
        current = float(s @ _logloss(xw + b, y))
        for _ in range(50):
            p = expit(xw + b)
            grad, hess = float(s @ (p - y)), float(s @ (p * (1 - p)))
            if grad == 0 or hess <= 0:
                break
            step = grad / hess
            while True:
                trial = float(s @ _logloss(xw + b - step, y))
                if trial <= current or abs(step) <= 1e-15 * max(1.0, abs(b)):
                    break
                step *= 0.5
            b -= step
            current = min(trial, current)
            if abs(step) <= 1e-13 * max(1.0, abs(b)):
                break
        return b

    def __call__(self, w, l1_reg, l2_reg):
        data, options = self.data, self.options
        l1_reg, l2_reg = float(l1_reg), float(l2_reg)
        factor = data.penalty.factor
        y, s, n = data.y, data.sw, data.n_samples
        tol_gap = float(options.tol_gap)
        epochs = 0
        xw = data.linear_predictor(w, 0.0)  # X w, kept along the Newton steps
        gap, self.loss = duality_gap(data, w, self.b, l1_reg, l2_reg, self.positive, xw=xw)
        objective = self.loss + _penalty_value(w, l1_reg, l2_reg, factor)
        for _ in range(self.max_newton):
            if gap <= tol_gap:
                break
            eta = xw + self.b
            p = expit(eta)
            # the curvature floored, the gradient exact: the model's minimizer is w itself only at
            # the optimum, so the steps converge to it (glmnet floors p itself, which moves the fixed point)
            q = np.clip(p, P_MIN, 1.0 - P_MIN)
            weight = q * (1.0 - q)
            v = s * weight / n
            z = eta + (y - p) / weight
            target = INNER_FRACTION * min(tol_gap, gap)
            w_new, b_new, it, self.name = newton_subproblem(data, self.plan, options, z, v, w, l1_reg, l2_reg,
                                                            self.positive, target)
            epochs += int(it)
            # damped step: halve until the penalized objective does not increase
            dw, db, step = w_new - w, b_new - self.b, 1.0
            xdw = data.linear_predictor(dw, 0.0)
            for _ in range(40):
                trial = (self._loss(xw + step * xdw + self.b + step * db)
                         + _penalty_value(w + step * dw, l1_reg, l2_reg, factor))
                if trial <= objective + 1e-15 * abs(objective):
                    break
                step *= 0.5
            else:
                break  # no decrease along the Newton direction: the gap says how far we are
            w += step * dw
            xw += step * xdw
            self.b = self._optimal_intercept(xw, self.b + step * db) if data.fit_intercept else 0.0
            gap, self.loss = duality_gap(data, w, self.b, l1_reg, l2_reg, self.positive, xw=xw)
            objective = self.loss + _penalty_value(w, l1_reg, l2_reg, factor)
        return gap, epochs, 0 if gap <= tol_gap else 1

    def residual_norm2(self, w):  # (the Gaussian solvers' protocol; the binomial deviance is `loss`)
        return self.loss



BINOMIAL = Binomial()
