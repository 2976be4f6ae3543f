/* Fused residual update + dot product for the coordinate-descent kernels (see _cd_common.pxd).
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

#endif
