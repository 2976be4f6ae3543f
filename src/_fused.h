/* Fused residual update + dot product for the coordinate-descent kernels (see _cd_common.pxd), and
 * dot products with scattered columns (the working-set solver's bounds).
 *
 * r += a * x; return z @ r -- one sweep over r instead of BLAS axpy followed by dot. Written in C for
 * `restrict` (x, r and z never alias) and an OpenMP SIMD reduction, so the compiler vectorizes it; on
 * x86-64 Linux with GCC, clones for AVX-512 and AVX2 are selected at load time. */
#ifndef FASTREG_FUSED_H
#define FASTREG_FUSED_H

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

#endif
