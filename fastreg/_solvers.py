"""Solvers: one penalty at a time from a warm start, keeping their state along a path.

Each solver is built from a working problem (a design of `fastreg._design`) and the path's options,
and is called once per penalty: ``solver(w, l1_reg, l2_reg) -> (gap, epochs, status)`` with w updated
in place (working units); ``solver.residual_norm2(w)`` gives ||y_w - X_w w||^2 at the last solution and
``solver.name`` the kernel that ran. The compiled kernels (src/) do the work; the solvers hold what
survives between penalties (residual and X^T r, q = X^T y - G w, the Cholesky factor of the support,
cached Gram columns) and the rules around the kernels (strong sets, working sets, certification).
"""
import contextlib
import math
import threading
from typing import NamedTuple

import numpy as np
import scipy.linalg

from ._cd_gram import NewtonWorkspace, enet_cd_gram, enet_gap_gram
from ._cd_residual import bounded_products, enet_gap_cached, rank_working_set, refill_columns
from ._design import DenseDesign
from ._stats import blas_libraries

# epochs between two duality-gap evaluations when coordinates are still moving
GAP_EVERY = 10
# epochs per Anderson extrapolation in the dense kernel (Bertrand & Massias 2021 use 5)
ANDERSON = 5
# first working-set size for p > n (doubled until the full duality gap reaches its target)
MIN_WORKING_SET = 100
# ... and at least this many times the warm start's support (celer takes 2: measured on a 500 x 20000
# path, 1.5 cost 0.72 times as much, the epochs on the set's zeros being most of an epoch near nnz = n)
WS_FACTOR = 1.5
# the working-set solver certifies features outside its set by bounds where they suffice (False: a pass
# over X for every check, the reference the tests compare against)
BOUNDED_CHECKS = True
# a full pass instead, once more than this fraction of the bounds fail or this many reference points live
BOUND_FAILURES_MAX = 0.25
# ... on designs of this many elements at least: below, a pass over X costs less than the bounds' own
# bookkeeping (measured, 100-alpha correlated paths with bounds / without, since the check is one
# compiled call: 20 x 500 1.11, 50 x 1000 1.11, 64 x 3000 0.83, 100 x 2000 0.85, 200 x 5000 0.74,
# 30 x 20000 0.71, NCI60's 64 x 6829 0.85; with the check in NumPy 100 x 5000 had been 1.92)
BOUNDED_MIN_ELEMENTS = 1 << 17
MAX_REFERENCES = 8
# the working-set solver's Gram of its members (`MemberGram`): on, and its limits
MEMBER_GRAM = True
MEMBER_GRAM_BYTES = 1 << 28
MEMBER_GRAM_ROWS = 2
MEMBER_GRAM_EPOCHS = 50
MEMBER_ROUNDS = 4
MEMBER_CD_EPOCHS = 10
MEMBER_TOP_UP = 16
MEMBER_GRAM_MAX_EPOCHS = 50
# a first Newton round that reaches the inner target on M is verified by the check over every feature
# alone, without the residual kernel's epochs on the set first (`_newton_rounds`; where the check is
# bounded: a check that fails costs a pass over X otherwise)
NEWTON_CHECKED_BY_GAP = True
# times the Gram kernel is run again on a penalty whose gap, recomputed from q = X^T y - G w as w
# gives it, is above the target although the kernel's running q said it was not (`GramSolver`)
VERIFY_ROUNDS = 3
# rounding levels of the statistics' gap below this many unit roundoffs of y^T y (in the result
# dtype) are the rounding any computed gap has, and are not added to it (`CertifiedGramSolver`)
NEGLIGIBLE_ROUNDING = 16
# solver status of a penalty the statistics cannot certify (next to the kernels' 0 converged, 1
# max_iter): its gap includes the rounding bound
UNCERTIFIED = 3
# Newton steps of `refine_support` (iterative refinement from the explicit residual) at most
REFINE_STEPS = 4
# the working-set solver of a design with at most this many elements runs its path on one BLAS thread
WS_SINGLE_THREAD_ELEMENTS = 1 << 20


class _SingleThreadedBlas:
    """BLAS limited to one thread, for the Gram kernel's duration (`single_threaded_blas`).

    Re-entrant and safe across threads (CV folds run kernels on threads): the first entrant sets the
    limit, the last one to leave restores the previous setting.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = None

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                # each library's own get/set on controllers inspected once (`blas_libraries`):
                # microseconds, where threadpoolctl's `limit` inspects every loaded library again
                # (~50 us, which a path of fast penalties paid once per penalty)
                libraries = blas_libraries()
                self._saved = [lib.get_num_threads() for lib in libraries]
                for lib, n_threads in zip(libraries, self._saved):
                    if n_threads != 1:  # (a library already on one thread is left alone)
                        lib.set_num_threads(1)
            self._depth += 1
        return self

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                for lib, n_threads in zip(blas_libraries(), self._saved):
                    if n_threads != 1:
                        lib.set_num_threads(n_threads)
                self._saved = None
        return False


_SINGLE_THREADED_BLAS = _SingleThreadedBlas()


def single_threaded_blas():
    """BLAS limited to one thread, for the Gram kernel's duration.

    Its Newton steps call BLAS on small blocks between O(p) column updates; BLAS worker threads spin
    after each call and take the core the kernel runs on (measured: paths 2-3x slower on 2 cores).
    Products outside the kernel (X^T X, blocks of Gram columns) keep every thread.
    """
    return _SINGLE_THREADED_BLAS


class SolveOptions(NamedTuple):
    """What a solver needs of the settings, in the working problem's units (`solve_options`)."""

    max_iter: int
    tol_gap: np.floating   # the gap target: tol times the null model's ||y_w||^2
    tol: np.floating
    seed: int
    random: bool
    positive: bool
    screening: bool
    newton: bool
    anderson: int          # epochs per Anderson extrapolation (0: off)
    max_newton: int = 50   # Newton steps per penalty (iteratively reweighted datafits)
    working_set: bool = True  # iteratively reweighted datafits: Newton steps on a working set of features


def solve_options(design, settings, positive, tol_unit):
    """The solver options of a path on `design` (`tol_unit`: the datafit's null deviance)."""
    dtype = design.dtype.type
    return SolveOptions(
        max_iter=settings.max_iter, tol_gap=dtype(settings.tol * tol_unit), tol=dtype(settings.tol),
        seed=settings.seed, random=settings.random, positive=bool(positive), screening=settings.screening,
        newton=settings.newton, anderson=ANDERSON if settings.anderson else 0, max_newton=settings.max_newton,
        working_set=settings.working_set,
    )


def kernel_name(kernel, kind):
    """The name a solver reports (``Path.solver``) for a plan's kernel on a design of `kind` ('dense',
    'sparse'; unused by the Gram kernels)."""
    return {"gram": "cd-gram", "gram-lazy": "cd-gram-lazy", "residual": f"cd-{kind}-residual",
            "working-set": f"cd-{kind}-working-set"}[kernel]


def make_solver(plan, design, w, options):
    """The solver of `plan`'s kernel on `design` from the warm start w (the Gram kernels certified
    against the rounding of their statistics, `CertifiedGramSolver`)."""
    if plan.kernel == "gram":
        return CertifiedGramSolver(GramSolver(design, w, options), design, options)
    if plan.kernel == "gram-lazy":
        return CertifiedGramSolver(LazyGramSolver(design, w, options), design, options)
    if plan.kernel == "working-set":
        return WorkingSetSolver(design, w, options)
    return ResidualSolver(design, w, options)


def strong_set(corr, l1_reg, previous_l1, positive):
    """The sequential strong rule (Tibshirani et al. 2012): the features likely to be active at l1_reg,
    |x_j^T r - l2_j w_j| >= 2 l1_reg - previous_l1 at the previous penalty's solution (>= l1_reg,
    the optimality bound itself, without one). A heuristic: every solver checks optimality over
    all features before it returns, so a feature left out wrongly costs time, never the answer."""
    threshold = l1_reg if previous_l1 is None else 2 * l1_reg - previous_l1
    return (corr if positive else np.abs(corr)) >= threshold


def _dual_correlation(design, XtR, w, l2_reg):
    """x_j^T R - l2_j w_j for every feature (l2_j = l2_reg times the feature's factor)."""
    if not l2_reg:
        return XtR
    l2_factor = design.penalty.l2_factor
    return XtR - (l2_reg * w if l2_factor is None else l2_reg * l2_factor * w)


def _full_gap(design, w, l1_reg, l2_reg, R, XtR, positive):
    """The duality gap over every column (one pass over X); fills XtR."""
    return design.gap_kernel(w, l1_reg, l2_reg, design.kernel_columns(), design.y, R, XtR, positive,
               **design.penalty.kwargs())


class ResidualSolver:
    """One penalty at a time with the residual kernel (dense or sparse X); keeps the residual across
    penalties."""

    def __init__(self, design, w, options):
        self.name = kernel_name("residual", design.kind)
        self.design, self.R = design, design.residual(w)
        # X^T R of the last gap: the next penalty starts from the same residual, so its first gap
        # needs no pass over X
        self.XtR = np.empty(design.n_features, dtype=design.dtype)
        self.XtR_valid = False
        self.previous_l1 = None
        o = options
        self.positive = o.positive
        self.kernel_options = dict(max_iter=o.max_iter, tol=o.tol_gap, tol_step=o.tol, gap_every=GAP_EVERY,
                                   seed=o.seed, random=o.random, positive=o.positive, screening=o.screening,
                                   anderson=o.anderson)

    def __call__(self, w, l1_reg, l2_reg):
        d = self.design
        strong = None
        if self.XtR_valid and self.previous_l1 is not None and l1_reg > 0:
            # the epochs visit the strong set (and the support) first
            corr = _dual_correlation(d, self.XtR, w, l2_reg)
            strong = (strong_set(corr, l1_reg, self.previous_l1, self.positive) | (w != 0)).view(np.uint8)
        # sparse columns call BLAS only for whole-residual dots in the gaps, where waking BLAS's worker
        # threads costs more than they save (measured: a 10-penalty sparse path 2x slower); dense
        # columns keep them (long axpy/dot sweeps are faster on every core)
        with single_threaded_blas() if d.sparse else contextlib.nullcontext():
            out = d.cd_kernel(w, l1_reg, l2_reg, d.kernel_columns(), d.y, self.R, d.norm2_cols,
                                      self.kernel_options, **d.penalty.kwargs(), XtR=self.XtR,
                                      XtR_valid=self.XtR_valid, strong=strong)
        self.XtR_valid = True
        self.previous_l1 = l1_reg
        return out

    def residual_norm2(self, w):
        """||y - X w||^2 (working units) at the last solution."""
        R = self.R
        # (accumulated in float64; einsum's dispatch alone costs ~15 us, a path pays it per penalty)
        return float(R @ R) if R.dtype == np.float64 else float(np.einsum("i,i->", R, R, dtype=np.float64))


class WorkingSetSolver:
    """The dense residual kernel on working sets, for p > n (celer's scheme, Massias et al. 2018).

    Each penalty starts from the full gap at the warm start. The working set is the support plus the
    features nearest to violating optimality, ranked by the gap-safe distance
    (l1 - |x_j^T R - l2 w_j|) / ||x_j|| (the distance of x_j's constraint to the dual point): a feature
    far from its constraint is provably or very likely 0. The kernel solves the problem restricted to
    the working set (its columns copied, Fortran) to the final target, or to 0.3 times the current
    full gap when that is smaller (celer always stops at 0.3 times the gap; solving to the target at
    once needs fewer rounds and measured 1.4x faster on a 500 x 20000 path). Then the full gap is
    checked again over every column, and the working set doubles until that gap reaches the target.
    The last check is over all features, so a feature left out wrongly can only cost time, never the
    answer.

    The check over every column needs no pass over X where a bound settles it (`bounded_gap`): for a
    feature outside the working set and any c, x_j^T R = c x_j^T R0 + x_j^T (R - c R0), so
    |x_j^T R| <= |c| |x_j^T R0| + ||x_j|| ||R - c R0|| with R0 a residual where x_j^T R0 was computed
    exactly (the feature's reference point); both c = 1 and the c minimizing ||R - c R0|| are tried (along
    a path R mostly shrinks along R0: the second cut the full passes of a 500 x 20000 correlated path
    from 42 to 12). While these bounds stay below l1_reg (the features are provably 0 at that point's
    optimality condition) the gap over all features is the gap of the working-set problem, computed
    from the set's own columns (copied for the kernel already) and the bounds; a feature whose bound
    reaches l1_reg is computed exactly (one product with those columns) and gets R as its new
    reference point, and too many of them cost one pass over X instead.

    Once a round of coordinate descent needs MEMBER_GRAM_EPOCHS epochs (supports near n, X_S
    ill-conditioned), rounds alternate Newton steps on the Gram of the supports' members (`MemberGram`)
    with a few epochs on the working set (`_newton_rounds`).
    """

    def __init__(self, design, w, options):
        self.name = kernel_name("working-set", design.kind)
        self.design, self.R = design, design.residual(w)
        self.XtR = np.empty(design.n_features, dtype=design.dtype)
        self.XtR_valid = False
        o = options
        self.tol_gap, self.max_iter, self.positive = o.tol_gap, o.max_iter, o.positive
        self.kernel_options = dict(tol_step=o.tol, gap_every=GAP_EVERY, seed=o.seed, random=o.random,
                                   positive=o.positive, screening=o.screening, anderson=o.anderson)
        norm = np.sqrt(design.norm2_cols.astype(np.float64))
        # 0 for a zero column: never chosen (always 0 at the optimum)
        self.inv_norm = np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0)
        self.norm = norm
        self._distance, self._scratch = np.empty(design.n_features), np.empty(design.n_features)
        # bounds need the gap whose dual point only scales R (no boxes: `_boxed_gap` projects), and
        # the products of dense columns (a sparse design's columns are implicitly centered)
        pen = design.penalty
        self.bounds = (BOUNDED_CHECKS and isinstance(design, DenseDesign) and pen.lower is None
                       and pen.upper is None and design.n_samples * design.n_features >= BOUNDED_MIN_ELEMENTS)
        # each feature's reference point (a residual R_k where x_j^T R_k is known exactly, `exact`)
        self.points = self.alive = self.reference_of = self.exact = None
        # (the rounding of a product x_j^T R_k is at most ||x_j|| times this, R_k's norm for R's)
        self._rounding_unit = 4 * math.sqrt(design.n_samples) * float(np.finfo(design.dtype).eps)
        self.n_full_passes = 0
        # the working set's columns for the kernel (`_columns`)
        self._buffer, self._held = None, np.empty(0, dtype=np.intp)
        self._in_buffer = np.zeros(design.n_features, dtype=bool)
        self._mark = np.zeros(design.n_features, dtype=bool)
        self._unsure = np.empty(design.n_features, dtype=np.intp)
        self.members = (MemberGram(design, o) if MEMBER_GRAM and isinstance(design, DenseDesign) and o.newton
                        else None)
        # a small design's path holds BLAS on one thread throughout (`solve_path`): its full passes
        # are too short to pay for waking BLAS's threads, and the members' Gram solves, which take
        # the limit each time, then find it taken (~15 us a solve, 4% of NCI60's path)
        self.single_threaded = design.n_samples * design.n_features <= WS_SINGLE_THREAD_ELEMENTS

    def __call__(self, w, l1_reg, l2_reg):
        d = self.design
        if self.XtR_valid:  # X^T R of the warm start (or bounds on it) from the previous penalty's last check
            gap = enet_gap_cached(w, l1_reg, l2_reg, d.y, self.R, self.XtR, self.positive, **d.penalty.kwargs())
        else:
            gap = self.full_gap(w, l1_reg, l2_reg)
            self.XtR_valid = True
        # epochs are counted in full-epoch equivalents (an epoch on a working set of size s counts
        # s / p), so that max_iter bounds the same work as without working sets
        work = 0.0
        size = max(MIN_WORKING_SET, int(WS_FACTOR * np.count_nonzero(w)))
        p = w.size
        distance, scratch = self._distance, self._scratch
        while gap > self.tol_gap and work < self.max_iter:
            size = min(size, w.size)
            # the support (distance -inf) and the size - |support| zeros nearest to their constraints
            ws = np.empty(size, dtype=np.intp)
            rank_working_set(self.XtR, w, float(l1_reg), self.inv_norm, self.positive, distance, scratch, ws)
            inner_tol = d.dtype.type(min(0.3 * gap, self.tol_gap))
            # a round on a partial set gets half the epochs left: an inner target below what the
            # dtype can certify (float32) must not starve the rounds that add the missing features
            share = 1.0 if size == p else 0.5
            budget = max(1, int(np.ceil(share * (self.max_iter - work) * p / size)))
            verified = True
            if self.members is not None and self.members.wanted and self.members.enabled:
                ws, columns, it, verified = self._newton_rounds(w, ws, distance, l1_reg, l2_reg, budget, inner_tol)
                work += it
            else:
                ws, columns, it, _ = self._epochs(w, ws, l1_reg, l2_reg, budget, inner_tol)
                work += it * size / p
                if self.members is not None and it >= MEMBER_GRAM_EPOCHS:
                    self.members.wanted = True
            gap = self.check(w, l1_reg, l2_reg, ws, columns)
            if not verified and gap > self.tol_gap and work < self.max_iter:
                # the Newton steps' solution failed the check from the explicit residual: the epochs
                # they skipped (features outside M may enter), then the rounds again if those fall short
                ws, columns, it, status = self._epochs(w, ws, l1_reg, l2_reg, min(budget, MEMBER_CD_EPOCHS),
                                                       inner_tol)
                work += it * ws.size / p
                if status != 0:
                    ws, columns, it, _ = self._newton_rounds(w, ws, distance, l1_reg, l2_reg, budget, inner_tol,
                                                             unverified=False)
                    work += it
                gap = self.check(w, l1_reg, l2_reg, ws, columns)
            size *= 2
        return gap, int(np.ceil(work)), 0 if gap <= self.tol_gap else 1

    def check(self, w, l1_reg, l2_reg, ws, columns):
        """The gap over every feature at w (bounded where the bounds settle it, else one pass over X)."""
        gap = self.bounded_gap(w, l1_reg, l2_reg, ws, columns[0]) if self.bounds else None
        return self.full_gap(w, l1_reg, l2_reg) if gap is None else gap

    def _newton_rounds(self, w, ws, distance, l1_reg, l2_reg, budget, inner_tol, unverified=True):
        """The working-set problem solved by alternating Newton steps on the supports' members (the Gram
        kernel on M, `MemberGram`) with a few epochs of the residual kernel on ws (which lets features
        enter and verifies from the explicit residual). Returns the working set (ws and every non-zero
        member), its columns, the work in full epochs and whether the last round ended with those
        epochs: when the Newton steps reach the inner target on M at once (and `unverified`), the
        epochs are left out and the check over every feature, which computes x_j^T R from the explicit
        residual as they would, verifies instead; the caller runs the rounds again with their epochs
        when it fails (measured on NCI60: 69 residual-kernel calls per path instead of 124, and 78
        Newton solves instead of 85, for 15 more checks)."""
        m, p = self.members, w.size

        def ranked():  # the set's zeros, nearest to entering first (only needed when M grows)
            zeros = ws[w[ws] == 0]
            return zeros[np.argsort(distance[zeros])]

        work = 0.0
        for rounds in range(MEMBER_ROUNDS):
            # (M must hold the whole support: once the Gram is off, coordinate descent alone; ws holds
            # it, since the ranking puts the support first and the set only grows by non-zero members,
            # and np.flatnonzero(w) would cost 30 us over 6829 features)
            newton = m.admit(np.sort(ws[w[ws] != 0]), ranked)
            if newton:
                M = m.features
                w_M = np.ascontiguousarray(w[M])
                # (a few epochs: Newton steps end a penalty quickly or not at all, e.g. when the
                # statistics' rounding in float32 is above the inner target; coordinate descent follows)
                it, status = m.solve(w_M, l1_reg, l2_reg, self.R, min(budget, MEMBER_GRAM_MAX_EPOCHS), inner_tol)
                w[M] = w_M
                work += it * M.size / p
                support = M[w_M != 0]
                self._mark[ws] = True
                ws = np.concatenate((ws, support[~self._mark[support]]))  # (non-zero members join the set)
                self._mark[ws] = False
                if status == 0 and rounds == 0 and unverified and self.bounds and NEWTON_CHECKED_BY_GAP:
                    ws, columns = self._columns(ws)
                    return ws, columns, work, False
            last = rounds == MEMBER_ROUNDS - 1 or not newton
            ws, columns, it, status = self._epochs(w, ws, l1_reg, l2_reg,
                                                   budget if last else min(budget, MEMBER_CD_EPOCHS), inner_tol)
            work += it * ws.size / p
            budget = max(1, budget - it)
            if status == 0 or last:
                break
        return ws, columns, work, True

    def _epochs(self, w, ws, l1_reg, l2_reg, max_iter, tol):
        """The residual kernel on the working set ws from w (updated in place, with R): (ws in the
        buffer's order, its columns, epochs, status)."""
        d = self.design
        ws, columns = self._columns(ws)
        w_ws = np.ascontiguousarray(w[ws])
        _, it, status = d.cd_kernel(
            w_ws, l1_reg, l2_reg, columns, d.y, self.R, np.ascontiguousarray(d.norm2_cols[ws]),
            dict(self.kernel_options, max_iter=max_iter, tol=tol), **d.penalty.kwargs(ws),
        )
        w[ws] = w_ws
        return ws, columns, it, status

    def _columns(self, ws):
        """(ws reordered, its columns for the kernel). A dense design's columns live in one buffer kept
        across rounds and penalties, in which only the features that join the set are copied (into
        the slots of those that left): consecutive working sets share most of their features, and
        copying every set afresh moved several times X's bytes along a path."""
        d = self.design
        if not isinstance(d, DenseDesign):
            return ws, d.kernel_columns(ws)
        if ws.size == d.n_features:  # every feature: X itself, no copy
            return np.arange(ws.size), d.kernel_columns()
        held, size = self._held, ws.size  # held: the features of the buffer's first held.size columns
        if self._buffer is None or self._buffer.shape[1] < size:
            capacity = 0 if self._buffer is None else self._buffer.shape[1]
            grown = np.empty((d.n_samples, min(max(size, capacity + capacity // 4), d.n_features)), dtype=d.dtype, order="F")
            if held.size:
                grown[:, :held.size] = self._buffer[:, :held.size]
            self._buffer = grown
        order = np.empty(size, dtype=np.intp)
        refill_columns(d.X, self._buffer, held, ws, self._in_buffer.view(np.uint8), self._mark.view(np.uint8), order)
        self._held = order
        return order, (self._buffer[:, :size],)

    def full_gap(self, w, l1_reg, l2_reg):
        """The gap from one pass over X (X^T R exact for every feature); R becomes every feature's
        reference point for the bounds."""
        gap = _full_gap(self.design, w, l1_reg, l2_reg, self.R, self.XtR, self.positive)
        self.n_full_passes += 1
        if self.bounds:
            if self.points is None:
                self.points = np.empty((MAX_REFERENCES, self.design.n_samples))
                self.alive = np.zeros(MAX_REFERENCES, dtype=np.uint8)
                self.reference_of = np.zeros(w.size, dtype=np.intp)
                self.exact = np.empty(w.size)
            self.alive[:] = 0
            self.alive[0] = 1
            self.points[0] = self.R
            self.reference_of[:] = 0
            self.exact[:] = self.XtR
        return gap

    def bounded_gap(self, w, l1_reg, l2_reg, ws, X_ws):
        """The gap over every feature with X^T R exact on the working set `ws` (one product with its
        columns X_ws) and on the features whose bound reaches l1_reg (one product with theirs), bounded
        elsewhere (see the class docstring; `bounded_products` forms them and keeps the reference
        points); fills XtR (the bounds outside, which certify the next penalty's warm start as well).
        None when too many bounds fail or every reference slot is taken: then a full pass is cheaper."""
        if self.points is None:
            return None
        d, R = self.design, self.R
        count = bounded_products(d.X, X_ws, ws, R, self.points, self.alive, self.exact, self.norm,
                                 self.reference_of, self._mark.view(np.uint8), self.positive, float(l1_reg),
                                 self._rounding_unit,
                                 int(BOUND_FAILURES_MAX * w.size), self.XtR, self._unsure)
        if count < 0:
            return None  # (XtR partly overwritten: the full pass that follows fills it)
        return enet_gap_cached(w, l1_reg, l2_reg, d.y, R, self.XtR, self.positive, **d.penalty.kwargs())

    residual_norm2 = ResidualSolver.residual_norm2


class MemberGram:
    """The Gram matrix of a growing set of members M for the working-set solver (p > n).

    Near the end of a p > n path the support approaches n features and X_S^T X_S becomes
    ill-conditioned: coordinate descent on the working set then needs hundreds of epochs per penalty
    (measured: 100-180 on a 500 x 20000 correlated design). The Gram kernel's Newton steps on the support
    end such a penalty in a few steps. M holds every feature that has been in a support, plus a top-up of
    the working set's zeros nearest to entering (measured: taking whole working sets instead, whose
    ranked part changes from penalty to penalty, grew M to 5800 features on that design). M only grows,
    by appending (the Newton factor, indexed by position, survives across penalties): its columns X_M
    are copied once (Fortran, with room) and G_MM = X_M^T X_M grows by one product per block of
    newcomers. The working-set solver verifies every Newton round by the residual kernel on the working
    set from the explicit residual y - X_M w_M, so the rounding of G_MM never reaches a certificate.
    At the cap (G_MM over MEMBER_GRAM_BYTES or M over MEMBER_GRAM_ROWS times the rows) M first drops
    the members outside the support and the Newton factor (`_compact`); off for good (`admit` returns
    False) when the support and the factor alone exceed it.
    """

    def __init__(self, design, options):
        self.design, self.dtype = design, design.dtype
        n = design.n_samples
        self.features = np.empty(0, dtype=np.intp)
        self.is_member = np.zeros(design.n_features, dtype=bool)
        self._X = np.empty((n, 0), dtype=self.dtype, order="F")
        # G_MM is the leading block of _G (C order, room to grow: appending a block of newcomers then
        # writes its rows and columns only, where a fresh array copied all of G_MM, 17 of the 85 ms a
        # 500 x 20000 path spent admitting)
        self._G = np.empty((0, 0), dtype=self.dtype)
        self.G = self._G
        self.Xty = np.empty(0, dtype=self.dtype)
        self.yty = self.dtype.type(design.y_norm2)
        self.workspace = NewtonWorkspace(0, self.dtype)
        o = options
        self.kernel_options = dict(seed=o.seed, random=o.random, positive=o.positive, screening=o.screening,
                                   newton=True)
        self.enabled = True
        self.wanted = False  # set by the solver once coordinate descent needs many epochs

    @property
    def columns(self):
        return self._X[:, :self.features.size]

    def admit(self, features, candidates=()):
        """Make M a superset of `features` (G_MM grown by one product), topped up with the first
        non-members among `candidates` (the features nearest to entering, best first; or a function
        returning them, called only when M grows) to an eighth of M: thin products are slow per
        multiply-add, and the next penalties' entrants are usually among them. False when the Gram is
        off."""
        if not self.enabled:
            return False
        m = self.features.size
        new = features[~self.is_member[features]]
        if new.size == 0:
            return True
        d = self.design
        limit = min(MEMBER_GRAM_ROWS * d.n_samples, math.isqrt(MEMBER_GRAM_BYTES // self.dtype.itemsize))
        if m + new.size > limit:
            m = self._compact(features)
            if m + new.size > limit:
                self.enabled = False
                return False
        candidates = np.asarray(candidates() if callable(candidates) else candidates, dtype=np.intp)
        room = min(max(MEMBER_TOP_UP, m // 8), limit - m) - new.size
        self.is_member[new] = True
        if candidates.size and room > 0:
            # (marked first: a candidate of the round's start may have become non-zero, i.e. one of `new`)
            fresh = candidates[~self.is_member[candidates]][:room]
            new = np.concatenate((new, fresh))
            self.is_member[fresh] = True
        total = m + new.size
        if total > self._X.shape[1]:  # (both grow by half, within the cap, which total respects)
            capacity = min(max(total, self._X.shape[1] + self._X.shape[1] // 2), limit)
            grown = np.empty((d.n_samples, capacity), dtype=self.dtype, order="F")
            grown[:, :m] = self._X[:, :m]
            self._X = grown
            grown = np.empty((capacity, capacity), dtype=self.dtype)
            grown[:m, :m] = self.G
            self._G = grown
        self._X[:, m:total] = d.X[:, new]
        X_M = self._X[:, :total]
        block = X_M.T @ self._X[:, m:total]  # (total, b): G[:, new]
        G = self._G[:total, :total]
        G[:, m:] = block
        G[m:, :m] = block[:m].T
        self.G = G
        self.Xty = np.concatenate((self.Xty, self._X[:, m:total].T @ d.y))
        self.features = np.concatenate((self.features, new))
        self.workspace.reserve(total)
        return True

    def _compact(self, features):
        """Drop the members that are neither among `features` (the support, which M must hold) nor in
        the Newton factor (whose positions are remapped, so the factor survives): members that left
        the support long ago and top-ups that never entered. Returns the members' count left.

        M accumulates every feature that was once in a support; near the end of a p > n path the
        support approaches n while M reaches its cap, and switching the Gram off there left coordinate
        descent 150-280 epochs per penalty (a 500 x 20000 correlated design: 20% of its path)."""
        m, ws = self.features.size, self.workspace
        k = ws.n_factored
        position = np.full(self.design.n_features, -1, dtype=np.intp)
        position[self.features] = np.arange(m)
        keep = np.zeros(m, dtype=bool)
        held = position[features]
        keep[held[held >= 0]] = True
        order = ws.order  # (the workspace's own array: remapped in place)
        keep[order[:k]] = True
        if keep.all():
            return m
        kept = np.flatnonzero(keep)
        order[:k] = (np.cumsum(keep) - 1)[order[:k]]
        self._G[:kept.size, :kept.size] = self.G[np.ix_(kept, kept)]
        self.G = self._G[:kept.size, :kept.size]
        self.Xty = self.Xty[kept]
        self._X[:, :kept.size] = self._X[:, kept]
        self.is_member[self.features[~keep]] = False
        self.features = self.features[kept]
        return kept.size

    def solve(self, w_M, l1_reg, l2_reg, R, max_iter, tol):
        """The Gram kernel on M from w_M (in place); R = y - X_M w_M on return. (epochs run, status)."""
        d, X_M = self.design, self.columns
        q = X_M.T @ R
        with single_threaded_blas():
            _, it, status = enet_cd_gram(w_M, l1_reg, l2_reg, self.G, self.Xty, self.yty, q,
                                         dict(self.kernel_options, max_iter=max_iter, tol=tol), self.workspace,
                                         **d.penalty.kwargs(self.features))
        R[:] = d.y
        R -= X_M @ w_M  # (one pass over the stored columns: cheaper than gathering the support's)
        return it, status


def _gram_residual_norm2(Xty, yty, q, w):
    """||y - X w||^2 = y^T y - w^T X^T y - w^T q, with q = X^T y - G w."""
    w = w.astype(np.float64)
    return max(float(yty) - float(w @ Xty.astype(np.float64)) - float(w @ q.astype(np.float64)), 0.0)


class GramSolver:
    """One penalty at a time with the Gram kernel on a full G; keeps q = X^T y - G w and the Newton
    workspace (a Cholesky factor, see _cd_gram) across penalties."""

    name = kernel_name("gram", None)
    # every penalty's kernel runs with BLAS on one thread: a path may hold that limit throughout
    # (`fastreg._path.solve_path`) instead of setting and restoring it per penalty (~13 us a time)
    single_threaded = True

    def __init__(self, design, w, options):
        G = design.gram()
        dtype = design.dtype
        n_features = G.shape[0]
        self.G, self.Xty = G, design.Xty().astype(dtype, copy=False)
        self.q = self.Xty - G @ w
        self.yty = dtype.type(design.y_norm2)
        self.workspace = NewtonWorkspace(n_features, dtype)
        o = options
        self.args = (o.max_iter, o.tol_gap, o.seed, o.random, o.positive, o.screening)
        self.newton = o.newton and design.n_samples > n_features
        self.penalty = design.penalty.kwargs()

    def _kernel(self, w, l1_reg, l2_reg, max_iter, tol_gap):
        seed, random, positive, screening = self.args[2:]
        options = dict(max_iter=max_iter, tol=tol_gap, seed=seed, random=random, positive=positive,
                       screening=screening, newton=self.newton)
        return enet_cd_gram(w, l1_reg, l2_reg, self.G, self.Xty, self.yty, self.q, options, self.workspace,
                            **self.penalty)

    def __call__(self, w, l1_reg, l2_reg, tol_gap=None):
        """Solve one penalty (to `tol_gap` when given, a stricter target than the path's)."""
        with single_threaded_blas():
            gap, n_iter, status = self._kernel(w, l1_reg, l2_reg, self.args[0],
                                               self.args[1] if tol_gap is None else tol_gap)
        return gap, n_iter, status

    def verified(self, w, l1_reg, l2_reg, n_iter, tol_gap=None):
        """The gap recomputed from q = X^T y - G w as w gives it (O(p |S|)), the kernel run again while
        that is above the target: the kernel updates q incrementally, and accepted Newton steps on an
        ill-conditioned support (large, cancelling coefficients) leave their rounding in it.
        `CertifiedGramSolver` asks for this only where that rounding can matter."""
        max_iter, positive = self.args[0], self.args[4]
        tol_gap = self.args[1] if tol_gap is None else tol_gap
        # one thread for the small products too: BLAS threads woken by them would spin on the
        # kernel's core (see `single_threaded_blas`)
        with single_threaded_blas():
            for rounds in range(VERIFY_ROUNDS + 1):
                self.restart(w)
                gap = enet_gap_gram(w, self.Xty, self.yty, self.q, l1_reg, l2_reg, positive, **self.penalty)
                if gap <= tol_gap or n_iter >= max_iter or rounds == VERIFY_ROUNDS:
                    break
                n_iter += self._kernel(w, l1_reg, l2_reg, max_iter - n_iter, tol_gap)[1]
        return gap, n_iter, 0 if gap <= tol_gap else 1

    def restart(self, w):
        """q = X^T y - G w from the support of w."""
        support = np.flatnonzero(w)
        self.q = self.Xty - w[support] @ self.G[support] if support.size else self.Xty.copy()

    def residual_norm2(self, w):
        return _gram_residual_norm2(self.Xty, self.yty, self.q, w)


def statistics_rounding(design, w, sums_dtype):
    """The rounding level of a duality gap computed from the statistics at w, in working units.

    The gap's terms y^T y, 2 w^T X^T y and w^T G w are sums of products each known to the unit
    roundoff u of the dtype the statistics were summed in (`sums_dtype`), with |G_ij| <= ||x_i||
    ||x_j||; rounding errors that do not conspire add up to about rho = u (||y|| + ||w o d||)^2,
    d_j = ||x_j|| (the root of the sum of the squared bounds). For coefficients that cancel
    (||w o d|| >> ||X w||: near-collinear columns at a small penalty) this is u times the squared
    condition number and can dwarf the gap; for coefficients that do not, it is a few u y^T y.
    Coefficients returned in a narrower dtype than the solve's add their own rounding, about
    1/2 ||X dw||^2 = 1/2 (u_out ||w o d||)^2. O(p), from diag(G).
    """
    w = w.astype(np.float64, copy=False)
    size = math.sqrt(float(np.dot(w * w, design.norm2_cols)))
    rho = 0.5 * np.finfo(sums_dtype).eps * (np.sqrt(design.y_norm2) + size) ** 2
    if design.result_dtype != design.dtype:
        rho += 0.5 * (0.5 * np.finfo(design.result_dtype).eps * size) ** 2
    return float(rho)


def refine_support(design, w, l1_reg, l2_reg, positive, steps=REFINE_STEPS):
    """Newton steps on the support S of w from the explicit residual (iterative refinement), in place.

    Where the statistics cannot certify a penalty (near-collinear columns, cancelling coefficients),
    coordinate descent on X crawls as well: two columns at correlation 1 - 1e-10 move by 1e-10 of the
    way per epoch. With S fixed and no sign change, the optimality condition on S is linear,
    (X_S^T X_S + diag(l2_S)) w_S = X_S^T y - l1_reg sign(w_S), and each step solves it for the
    correction d from g = X_S^T r - l1_reg sign(w_S) - l2_S w_S with r = y - X_S w_S recomputed from X:
    the Cholesky factor of the ill-conditioned H only needs u cond(H) < 1 for the error to shrink by
    that factor per step, while r carries one power of the condition number less than X^T X does.
    A step that would change a sign (S is not the optimal support) ends the refinement; the kernel
    that follows certifies whatever is returned. Dense designs without boxes only."""
    pen = design.penalty
    if not isinstance(design, DenseDesign) or pen.lower is not None or pen.upper is not None:
        return
    S = np.flatnonzero(w)
    if S.size == 0 or S.size > design.n_samples:
        return
    X_S = design.X[:, S].astype(np.float64)
    y = design.y.astype(np.float64)
    l2 = float(l2_reg) * (np.ones(S.size) if pen.l2_factor is None else pen.l2_factor[S].astype(np.float64))
    H = X_S.T @ X_S
    H[np.diag_indices_from(H)] += l2
    try:
        factor = scipy.linalg.cho_factor(H, check_finite=False)
    except np.linalg.LinAlgError:
        return
    w_S = w[S].astype(np.float64)
    sign = np.sign(w_S)
    for _ in range(steps):
        d = scipy.linalg.cho_solve(factor, X_S.T @ (y - X_S @ w_S) - float(l1_reg) * sign - l2 * w_S,
                                   check_finite=False)
        new = w_S + d
        if not np.all(np.isfinite(new)) or np.any(np.sign(new) != sign) or (positive and np.any(new < 0)):
            break
        w_S = new
        if np.max(np.abs(d)) <= 4 * np.finfo(np.float64).eps * np.max(np.abs(w_S)):
            break
    w[S] = w_S.astype(w.dtype)


class CertifiedGramSolver:
    """A Gram solver (`GramSolver`, `LazyGramSolver`) whose certificates are checked against the
    rounding of the statistics they come from (`statistics_rounding`).

    When rho is more than the rounding any gap has (`NEGLIGIBLE_ROUNDING` unit roundoffs of y^T y),
    the gap returned is g + rho, a bound on the suboptimality that includes the rounding. A bound
    above the target after the kernel converged is pursued from the statistics, to the target less
    rho, while rho is under half the target; a penalty whose bound stays above it (or whose rho
    alone exceeds it) is one the statistics cannot certify. With the data at hand (`data`: the same
    working problem on X), its gap is then recomputed from the explicit residual r = y_w - X_w w
    (rounding about u ||r|| ||w o d||: one power of the condition number less) and, when it is above
    the target, the residual kernel continues from w; `name` gets '+residual'. From statistics alone
    the status is `UNCERTIFIED`. Every other penalty costs the O(p) of rho and no pass over X.
    """

    def __init__(self, solver, design, options):
        self.solver, self.design, self.options = solver, design, options
        self.data = design.on_data  # the working problem on X, built on first use (None: statistics only)
        self.sums_dtype = design.summed_in if not design.has_data else design.dtype
        self.tol_gap = float(options.tol_gap)
        # the rounding any gap of coefficients in the result dtype has: below it nothing is added
        self.negligible = NEGLIGIBLE_ROUNDING * 0.5 * np.finfo(design.result_dtype).eps * design.y_norm2
        self.residual = None  # the data's working problem, built at the first penalty that needs it
        self.from_data = False
        self.rounding = self.cancellation = None  # of the last uncertified penalty, for its warning

    @property
    def name(self):
        return self.solver.name + ("+residual" if self.from_data else "")

    @property
    def single_threaded(self):
        """As its solver (see `GramSolver`); a penalty that falls back to the data then runs on one
        thread as well."""
        return getattr(self.solver, "single_threaded", False)

    def _solve(self, w, l1_reg, l2_reg, tol_gap=None):
        """The solver's penalty, its gap verified from w where the solver has such a check."""
        gap, n_iter, status = self.solver(w, l1_reg, l2_reg, tol_gap)
        verified = getattr(self.solver, "verified", None)
        return (gap, n_iter, status) if verified is None else verified(w, l1_reg, l2_reg, n_iter, tol_gap)

    def __call__(self, w, l1_reg, l2_reg):
        gap, n_iter, status = self.solver(w, l1_reg, l2_reg)
        rho = statistics_rounding(self.design, w, self.sums_dtype)
        if rho <= self.negligible:
            return gap, n_iter, status
        verified = getattr(self.solver, "verified", None)
        if verified is not None:
            gap, n_iter, status = verified(w, l1_reg, l2_reg, n_iter)
        if status == 0 and self.tol_gap < gap + rho and rho < self.tol_gap / 2:
            # the rounding leaves room under the target: solved on to the target less the rounding
            gap, more, status = self._solve(w, l1_reg, l2_reg, self.design.dtype.type(self.tol_gap - rho))
            n_iter += more
            rho = statistics_rounding(self.design, w, self.sums_dtype)
        if gap + rho <= self.tol_gap or (status != 0 and rho <= self.tol_gap):
            # certified with the rounding included, or short of the target for want of epochs
            return gap + rho, n_iter, 0 if gap + rho <= self.tol_gap else status
        data = self._data()
        if data is None:
            d = self.design
            self.rounding = rho
            self.cancellation = float(np.sqrt(np.einsum("j,j,j->", w, w, d.norm2_cols, dtype=np.float64)
                                              / max(d.y_norm2, np.finfo(np.float64).tiny)))
            return gap + rho, n_iter, UNCERTIFIED
        self.from_data = True
        w_data = w if data is self.design else data.coef_to_work(self.design.coef_to_user(w))
        refine_support(data, w_data, l1_reg, l2_reg, self.options.positive)
        # a fresh residual solver: its residual and first gap are the explicit ones at w (two passes)
        gap, epochs, status = ResidualSolver(data, w_data, self.options)(w_data, l1_reg, l2_reg)
        if data is not self.design:
            w[:] = self.design.coef_to_work(data.coef_to_user(w_data))
        self.solver.restart(w)
        return gap, n_iter + epochs, status

    def _data(self):
        """The working problem on the data (built once), or None: statistics only, or data rescaled for
        extreme magnitudes (their penalties and gaps would need converting)."""
        if self.residual is None and self.data is not None:
            self.residual = self.data()
            if self.residual is None or (self.residual.x_scale, self.residual.y_scale) != (
                    self.design.x_scale, self.design.y_scale):
                self.data = self.residual = None
        return self.residual

    def residual_norm2(self, w):
        return self.solver.residual_norm2(w)


class LazyGramSolver:
    """The Gram kernel with Gram columns computed on demand (glmnet's trick), for n > p with p too
    large for the full p x p matrix, and for a sparse X whatever p.

    Dense X: columns X^T x_j are computed, a block at a time by one matrix product (a single pass
    over X), for the features of the sequential strong rule (Tibshirani et al. 2012: |x_j^T r| >=
    2 l1 - l1_prev at the previous solution), topped up with the next candidates (see `_add`), and
    kept: the cost follows n p |features ever considered| instead of n p^2 / 2. Sparse X
    (`gram_columns_batched` False): a column costs the rows it is stored in
    (`fastreg._cd_gram.sparse_gram_columns_into`), not a pass over X, so only the features that
    violate optimality are computed, without strong sets or top-ups (on a 300000 x 3974 one-hot
    path: 79 columns computed, 76 of them ever non-zero; with the dense rules 250, at 1.6x the cost). Each penalty is
    solved on the cached set C by the Gram kernel (G_CC from the cache), then q = X^T y - G[:, C] w_C
    is formed for every feature from the cached columns (no pass over X); features that violate
    optimality outside C are added and the penalty is solved again. The returned gap is the full
    problem's, from that q.
    """

    name = kernel_name("gram-lazy", None)

    def __init__(self, design, w, options):
        n_features = design.n_features
        self.design, self.dtype = design, design.dtype
        self.Xty = design.Xty().astype(self.dtype, copy=False)
        self.yty = self.dtype.type(design.y_norm2)
        self._cols = np.empty((n_features, 0), dtype=self.dtype, order="F")  # G[:, members], then room
        self.members = np.empty(0, dtype=np.intp)
        self.cached = np.zeros(n_features, dtype=bool)
        o = options
        self.positive, self.tol_gap, self.max_iter = o.positive, o.tol_gap, o.max_iter
        self.kernel_options = dict(seed=o.seed, random=o.random, positive=o.positive, screening=o.screening)
        self.newton = o.newton
        # whether a block of columns costs a pass over X (dense) rather than the columns' own rows (sparse)
        self.batched = design.gram_columns_batched
        self.previous_l1 = None
        self.q = None
        self.G_CC = self.Xty_C = None
        self.workspace = NewtonWorkspace(0, self.dtype)
        self._add(np.flatnonzero(w))

    def _add(self, features, q=None):
        """Compute and cache the Gram columns of `features` (one product X^T X[:, features]).

        Dense X: each product is a pass over X, so a block is topped up, to a quarter of the cache's
        size (at least 32), with the uncached features nearest to entering (largest |q_j|): the number
        of passes grows with the log of the columns ever needed, at most a fifth of them computed in
        vain. Once half the columns are needed, the rest follow in one product: the lazy mode has
        then lost its edge, and one product costs less than many. Sparse X: just `features`.
        """
        features = np.asarray(features)[~self.cached[features]]
        if features.size == 0:
            return
        n_features = self.cached.size
        if self.batched and 2 * (self.members.size + features.size) > n_features:
            features = np.flatnonzero(~self.cached)
        room = max(32, self.members.size // 4) - features.size if self.batched else 0
        if q is not None and room > 0:
            score = np.where(self.cached, -np.inf, q if self.positive else np.abs(q))
            score[features] = -np.inf
            extra = np.argsort(score)[::-1][:room]
            features = np.concatenate((features, extra[np.isfinite(score[extra])]))
        m, b = self.members.size, features.size
        if m + b > self._cols.shape[1]:  # grow the cache geometrically: amortized O(p) per column
            grown = np.empty((n_features, max(m + b, 2 * self._cols.shape[1])), dtype=self.dtype, order="F")
            grown[:, :m] = self._cols[:, :m]
            self._cols = grown
        self.design.gram_columns_into(features, self._cols[:, m:m + b])
        self.members = np.concatenate((self.members, features))
        self.cached[features] = True

    @property
    def cols(self):
        """G[:, members] (a view of the cache)."""
        return self._cols[:, :self.members.size]

    def _q(self, w):
        """X^T y - G w for every feature, from the cached columns (w is 0 outside them)."""
        return self.Xty - self.cols @ w[self.members] if self.members.size else self.Xty.copy()

    def _violators(self, q, threshold):
        score = q if self.positive else np.abs(q)
        return np.flatnonzero((score > threshold) & ~self.cached)

    def _workspace(self):
        """G_CC, X^T y on C and the Newton workspace for the current members. G_CC is rebuilt when C
        grows; the Cholesky factor survives (C only grows by appending, and its leading dimension is
        the capacity), so Newton steps keep their factor across penalties as with the full Gram."""
        m = self.members.size
        if self.G_CC is None or self.G_CC.shape[0] != m:
            self.G_CC = np.ascontiguousarray(self.cols[self.members, :])
            self.Xty_C = np.ascontiguousarray(self.Xty[self.members])
            self.workspace.reserve(m)
        return self.G_CC, self.Xty_C

    def __call__(self, w, l1_reg, l2_reg, tol_gap=None):
        """Solve one penalty (to `tol_gap` when given, a stricter target than the path's)."""
        tol_gap = self.tol_gap if tol_gap is None else tol_gap
        # q of the warm start: the previous penalty's last one (w has not moved since)
        q = self.q if self.q is not None else self._q(w)
        # the features of the sequential strong rule, likely to be active at this penalty
        if self.batched:
            self._add(np.flatnonzero(strong_set(q, l1_reg, self.previous_l1, self.positive) & ~self.cached), q)
        self.previous_l1 = l1_reg
        n_iter = rounds = 0
        while True:
            m = self.members.size
            if m:
                G_CC, Xty_C = self._workspace()
                w_C = np.ascontiguousarray(w[self.members])
                q_C = np.ascontiguousarray(q[self.members])
                with single_threaded_blas():
                    options = dict(self.kernel_options, max_iter=max(self.max_iter - n_iter, 1), tol=tol_gap,
                                   newton=self.newton and self.design.n_samples > m)
                    _, it, status = enet_cd_gram(
                        w_C, l1_reg, l2_reg, G_CC, Xty_C, self.yty, q_C, options, self.workspace,
                        **self.design.penalty.kwargs(self.members),
                    )
                n_iter += it
                w[self.members] = w_C
            q = self._q(w)
            missing = self._violators(q, l1_reg)
            gap = enet_gap_gram(w, self.Xty, self.yty, q, l1_reg, l2_reg, self.positive, **self.design.penalty.kwargs())
            if n_iter >= self.max_iter or (missing.size == 0 and (gap <= tol_gap or rounds == VERIFY_ROUNDS)):
                break
            if missing.size == 0:
                # the kernel's running q drifted from X^T y - G w (see `GramSolver`): again from this one
                rounds += 1
                continue
            self._add(missing, q)
        self.q = q
        return gap, n_iter, 0 if gap <= tol_gap else 1

    def restart(self, w):
        """q = X^T y - G w after w moved outside the kernel (its support cached first)."""
        self._add(np.flatnonzero(w))
        self.q = self._q(w)

    def residual_norm2(self, w):
        return _gram_residual_norm2(self.Xty, self.yty, self.q, w)
