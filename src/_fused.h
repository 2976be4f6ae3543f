/* Fused residual update + dot product for the coordinate-descent kernels (see _cd_common.pxd), dot
 * products with scattered columns (the working-set solver's bounds), the duality gap's sums over all
 * features, the working-set ranking and the statistics' shifted copies of row blocks.
 *
 * r += a * x; return z @ r -- one sweep over r instead of BLAS axpy followed by dot. Written in C for
 * `restrict` (x, r and z never alias) and an OpenMP SIMD reduction, so the compiler vectorizes it; on
 * x86-64 Linux with GCC, clones for AVX-512 and AVX2 are selected at load time. */
#ifndef FASTREG_FUSED_H
#define FASTREG_FUSED_H

#include <stdlib.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FASTREG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FASTREG_CLONES
#endif

/* one definition per floating type (C has no templates) */
#define FASTREG_DEFINE_AXPY_DOT(name, T)                                                       \
    FASTREG_CLONES static T name(int n, T a, const T *restrict x, T *restrict r,             \
                                 const T *restrict z)                                        \
    {                                                                                        \
        T s = 0;                                                                             \
        _Pragma("omp simd reduction(+ : s)")                                                 \
        for (int i = 0; i < n; i++) {                                                        \
            T ri = r[i] + a * x[i];                                                          \
            r[i] = ri;                                                                       \
            s += z[i] * ri;                                                                  \
        }                                                                                    \
        return s;                                                                            \
    }

FASTREG_DEFINE_AXPY_DOT(fr_axpy_dot_d, double)
FASTREG_DEFINE_AXPY_DOT(fr_axpy_dot_s, float)

/* out[k] = X[:, cols[k]] @ r for a column-major X (leading dimension n): columns scattered in memory,
 * each read once. The column two ahead is prefetched while one is summed: a lone column is too short
 * for the hardware prefetcher (measured on 500 x 20000: 0.6 us per column without prefetching, against
 * 0.17 us in a gemv over all of X; prefetching saves about 15% of it). */
#define FASTREG_DEFINE_GATHER_DOTS(name, T)                                                    \
    FASTREG_CLONES static void name(int n, const T *restrict X, const Py_ssize_t *restrict cols, \
                                    Py_ssize_t m, const T *restrict r, T *restrict out)        \
    {                                                                                        \
        const Py_ssize_t ahead = 2, line = 64 / (Py_ssize_t) sizeof(T);                       \
        for (Py_ssize_t k = 0; k < m; k++) {                                                 \
            if (k + ahead < m) {                                                             \
                const T *next = X + (size_t) cols[k + ahead] * (size_t) n;                    \
                for (int i = 0; i < n; i += line)                                            \
                    __builtin_prefetch(next + i);                                            \
            }                                                                                \
            const T *x = X + (size_t) cols[k] * (size_t) n;                                   \
            T s = 0;                                                                         \
            _Pragma("omp simd reduction(+ : s)")                                             \
            for (int i = 0; i < n; i++)                                                      \
                s += x[i] * r[i];                                                            \
            out[k] = s;                                                                      \
        }                                                                                    \
    }

FASTREG_DEFINE_GATHER_DOTS(fr_gather_dots_d, double)
FASTREG_DEFINE_GATHER_DOTS(fr_gather_dots_s, float)

/* The working-set solver's distances (see rank_working_set in _cd_residual.pyx): one vectorized pass,
 * selects instead of branches; returns the number of non-zero w. */
#define FASTREG_WS_DISTANCE_LOOP(MAGNITUDE)                                                     \
    _Pragma("omp simd reduction(+ : nnz)")                                                   \
    for (Py_ssize_t j = 0; j < p; j++) {                                                     \
        double a = (double) XtR[j];                                                          \
        double d = (l1 - (MAGNITUDE)) * inv[j];                                              \
        int usable = (d == d) & (inv[j] != 0);                                               \
        int nz = w[j] != 0;                                                                  \
        d = usable ? d : inf;                                                                \
        dist[j] = nz ? -inf : d;                                                             \
        nnz += nz;                                                                           \
    }

#define FASTREG_DEFINE_WS_DISTANCE(name, T)                                                     \
    FASTREG_CLONES static Py_ssize_t name(Py_ssize_t p, const T *restrict XtR, const T *restrict w,   \
                                          double l1, const double *restrict inv, int positive,  \
                                          double *restrict dist)                                \
    {                                                                                        \
        int nnz = 0;                                                                         \
        const double inf = __builtin_inf();                                                  \
        if (positive) {                                                                      \
            FASTREG_WS_DISTANCE_LOOP(a)                                                      \
        } else {                                                                             \
            FASTREG_WS_DISTANCE_LOOP(__builtin_fabs(a))                                      \
        }                                                                                    \
        return nnz;                                                                          \
    }

FASTREG_DEFINE_WS_DISTANCE(fr_ws_distance_d, double)
FASTREG_DEFINE_WS_DISTANCE(fr_ws_distance_s, float)

/* The shifted copy of a row block of X for the sufficient statistics (shifted_rows_into in
 * _cd_gram.pyx): out[k] = ((TB) x[k] - shift) * scale over one contiguous run of X, a column's run
 * (one shift, a scale per row, or none: scale NULL) or a row's run (a shift per column, one scale), with
 * the run's largest |out[k]| returned and *poison set to NaN when an entry is NaN or infinite. */
#define FASTREG_SHIFT_LOOP(T, n, VALUE)                                                          \
    _Pragma("omp simd reduction(max : amax) reduction(+ : bad)")                             \
    for (Py_ssize_t k = 0; k < n; k++) {                                                     \
        T v = VALUE;                                                                         \
        out[k] = v;                                                                          \
        v = __builtin_fabs(v);                                                               \
        amax = v > amax ? v : amax;                                                          \
        bad += v * 0;                                                                        \
    }

#define FASTREG_DEFINE_SHIFT_RUNS(column_name, row_name, TX, TB)                                    \
    FASTREG_CLONES static TB column_name(Py_ssize_t m, const TX *restrict x, TB shift,              \
                                         const TB *restrict scale, TB *restrict out, TB *poison)    \
    {                                                                                        \
        TB amax = 0, bad = 0;                                                                \
        if (scale) {                                                                         \
            FASTREG_SHIFT_LOOP(TB, m, ((TB) x[k] - shift) * scale[k])                        \
        } else {                                                                             \
            FASTREG_SHIFT_LOOP(TB, m, (TB) x[k] - shift)                                     \
        }                                                                                    \
        *poison += bad;                                                                      \
        return amax;                                                                         \
    }                                                                                        \
    FASTREG_CLONES static TB row_name(Py_ssize_t p, const TX *restrict x, const TB *restrict shift, \
                                      TB scale, TB *restrict out, TB *poison)                \
    {                                                                                        \
        TB amax = 0, bad = 0;                                                                \
        FASTREG_SHIFT_LOOP(TB, p, ((TB) x[k] - shift[k]) * scale)                            \
        *poison += bad;                                                                      \
        return amax;                                                                         \
    }

FASTREG_DEFINE_SHIFT_RUNS(fr_shift_column_dd, fr_shift_row_dd, double, double)
FASTREG_DEFINE_SHIFT_RUNS(fr_shift_column_ss, fr_shift_row_ss, float, float)
FASTREG_DEFINE_SHIFT_RUNS(fr_shift_column_sd, fr_shift_row_sd, float, double)

/* The sums of the duality gap over every feature (see _enet_gap in _cd_common.pxd) with one l2 for all
 * features, in one vectorized pass: out = {sum |w_j|, sum w_j^2, max_j m(x_j^T R - l2 w_j),
 * sum_j (m(x_j^T R) - l1)_+^2}, m the magnitude (|v|, or v when w >= 0 is imposed). Selects, not fmax:
 * a NaN entry never becomes the maximum, nor adds to the excess (as in the scalar loop it replaces, whose
 * four serial reductions cost about 3 ns per feature, as much as a 64-row gemv column). */
#define FASTREG_GAP_SUMS_LOOP(T, MAGNITUDE)                                                       \
    _Pragma("omp simd reduction(+ : w_l1, w_l2, excess2) reduction(max : dual_norm)")        \
    for (Py_ssize_t j = 0; j < p; j++) {                                                     \
        T wj = w[j], v = XtR[j] - l2 * wj, a = XtR[j];                                        \
        w_l1 += __builtin_fabs(wj);                                                          \
        w_l2 += wj * wj;                                                                     \
        T d = MAGNITUDE(v);                                                                  \
        dual_norm = d > dual_norm ? d : dual_norm;                                           \
        T t = MAGNITUDE(a) - l1;                                                             \
        t = t > 0 ? t : 0;                                                                   \
        excess2 += t * t;                                                                    \
    }

#define FASTREG_IDENTITY(v) (v)
#define FASTREG_ABS(v) __builtin_fabs(v)

#define FASTREG_DEFINE_GAP_SUMS(name, T)                                                        \
    FASTREG_CLONES static void name(Py_ssize_t p, const T *restrict w, const T *restrict XtR, T l1, \
                                    T l2, int positive, T *restrict out)                     \
    {                                                                                        \
        T w_l1 = 0, w_l2 = 0, dual_norm = 0, excess2 = 0;                                    \
        if (positive) {                                                                      \
            FASTREG_GAP_SUMS_LOOP(T, FASTREG_IDENTITY)                                          \
        } else {                                                                             \
            FASTREG_GAP_SUMS_LOOP(T, FASTREG_ABS)                                             \
        }                                                                                    \
        out[0] = w_l1;                                                                       \
        out[1] = w_l2;                                                                       \
        out[2] = dual_norm;                                                                  \
        out[3] = excess2;                                                                    \
    }

FASTREG_DEFINE_GAP_SUMS(fr_gap_sums_d, double)
FASTREG_DEFINE_GAP_SUMS(fr_gap_sums_s, float)

/* The working-set solver's choice of the features nearest to their constraints (rank_working_set in
 * _cd_residual.pyx). Branch mispredictions decide its cost: a heap of the m best mispredicted often on
 * real data (72 us for m = 50 of 6829, 236 us for m = 400 of 20000), quickselect does on every
 * partition, so the passes over all p features test conditions that hold for few of them (branchless
 * compaction measured 5x slower than these branches, which are predicted). */
static int fr_compare_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* The k-th smallest of a[:n] (0-based, no NaN; a is reordered): Hoare's quickselect with a
 * median-of-three pivot, O(n) on average; a range that keeps failing to shrink (more than
 * 2 log2(n) + 8 partitions) is sorted instead, so O(n log n) at worst. */
static double fr_select(double *a, Py_ssize_t n, Py_ssize_t k)
{
    Py_ssize_t lo = 0, hi = n - 1, budget = 8;
    for (Py_ssize_t i = n; i > 1; i >>= 1)
        budget += 2;
    while (hi > lo) {
        if (budget-- == 0) {
            qsort(a + lo, (size_t) (hi - lo + 1), sizeof(double), fr_compare_double);
            break;
        }
        Py_ssize_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double t;
        if (a[mid] < a[lo]) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[hi] < a[lo]) { t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
        if (a[hi] < a[mid]) { t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
        double pivot = a[mid]; /* a[lo] <= pivot <= a[hi]: the scans stop inside the range */
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        /* a[lo..j] <= pivot <= a[i..hi], a[j+1..i-1] == pivot */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return pivot;
    }
    return a[k];
}

/* out[:k] = the support (w_j != 0, by index), then the k - n_support zeros of smallest dist (ties to the
 * lowest index), all in increasing index order; 0 < k < p, n_support the support's size. scratch: p
 * doubles. The m-th smallest zero distance d comes from quickselect on the zeros at or below a cut that
 * a sample of 512 zeros puts safely above it (the whole set when too few pass). */
#define FASTREG_DEFINE_RANK_ZEROS(name, T)                                                      \
    static void name(Py_ssize_t p, const T *restrict w, const double *restrict dist,        \
                     Py_ssize_t n_support, Py_ssize_t k, double *restrict scratch,           \
                     Py_ssize_t *restrict out)                                               \
    {                                                                                        \
        Py_ssize_t m = k - n_support, z = p - n_support, taken = 0, at = 0;                   \
        double d = -__builtin_inf();                                                         \
        if (m > 0) {                                                                         \
            double cut = __builtin_inf();                                                    \
            Py_ssize_t c = 0, below = 0;                                                     \
            if (m <= z / 8 && z >= 1024) {                                                   \
                Py_ssize_t step = p / 512, s = 0;                                            \
                for (Py_ssize_t j = step / 2; j < p; j += step) {                            \
                    scratch[s] = dist[j];                                                    \
                    s += w[j] == 0;                                                          \
                }                                                                            \
                double expect = (double) m / (double) z * (double) s;                        \
                Py_ssize_t q = (Py_ssize_t) (expect + 3 * __builtin_sqrt(expect) + 3);        \
                if (q < s)                                                                   \
                    cut = fr_select(scratch, s, q);                                          \
            }                                                                                \
            for (;;) {                                                                       \
                c = 0;                                                                       \
                for (Py_ssize_t j = 0; j < p; j++)                                           \
                    if (dist[j] <= cut && w[j] == 0)                                         \
                        scratch[c++] = dist[j];                                              \
                if (c >= m || cut == __builtin_inf())                                        \
                    break;                                                                   \
                cut = __builtin_inf(); /* the sample misled: every zero */                   \
            }                                                                                \
            d = fr_select(scratch, c, m - 1);                                                \
            for (Py_ssize_t j = 0; j < c; j++)                                               \
                below += scratch[j] < d;                                                     \
            at = m - below; /* the zeros at exactly d to take, lowest index first */         \
        }                                                                                    \
        for (Py_ssize_t j = 0; j < p; j++) {                                                 \
            double dj = dist[j];                                                             \
            if (dj <= d) { /* the support (-inf) and the zeros at or below d */               \
                if (w[j] != 0 || dj < d)                                                     \
                    out[taken++] = j;                                                        \
                else if (at > 0) {                                                           \
                    out[taken++] = j;                                                        \
                    at--;                                                                    \
                }                                                                            \
                if (taken == k)                                                              \
                    break;                                                                   \
            }                                                                                \
        }                                                                                    \
    }

FASTREG_DEFINE_RANK_ZEROS(fr_rank_zeros_d, double)
FASTREG_DEFINE_RANK_ZEROS(fr_rank_zeros_s, float)

#endif
