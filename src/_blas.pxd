# Inline fused-type wrappers around scipy.linalg.cython_blas and cython_lapack, shared by every kernel.
# Matrices are column-major (Fortran) with an explicit leading dimension.
# scipy's declarations take non-const pointers; the casts below never write through a const input.
from cython cimport floating
from scipy.linalg.cython_blas cimport (
    sdot, ddot, saxpy, daxpy, sgemv, dgemv, sgemm, dgemm, scopy, dcopy, strsv, dtrsv, strmv, dtrmv, strsm, dtrsm,
    ssyrk, dsyrk, ssymv, dsymv,
)
from scipy.linalg.cython_lapack cimport spotrf, dpotrf


cdef inline floating _dot(int n, const floating* x, const floating* y) noexcept nogil:
    """x @ y (unit strides)"""
    cdef int one = 1
    if floating is float:
        return sdot(&n, <float*> x, &one, <float*> y, &one)
    else:
        return ddot(&n, <double*> x, &one, <double*> y, &one)


cdef inline void _axpy(int n, floating a, const floating* x, floating* y) noexcept nogil:
    """y += a * x (unit strides)"""
    cdef int one = 1
    if floating is float:
        saxpy(&n, &a, <float*> x, &one, y, &one)
    else:
        daxpy(&n, &a, <double*> x, &one, y, &one)


cdef inline void _copy(int n, const floating* x, floating* y) noexcept nogil:
    """y[:] = x"""
    cdef int one = 1
    if floating is float:
        scopy(&n, <float*> x, &one, y, &one)
    else:
        dcopy(&n, <double*> x, &one, y, &one)


cdef inline void _gemv(char trans, int m, int n, floating a, const floating* A, int lda,
                       const floating* x, floating b, floating* y) noexcept nogil:
    """y = a * op(A) @ x + b * y for a column-major (Fortran) A of shape (m, n); op is the transpose
    when trans is c'T', the identity when c'N'"""
    cdef int one = 1
    if floating is float:
        sgemv(&trans, &m, &n, &a, <float*> A, &lda, <float*> x, &one, &b, y, &one)
    else:
        dgemv(&trans, &m, &n, &a, <double*> A, &lda, <double*> x, &one, &b, y, &one)


cdef inline void _symv(int n, floating a, const floating* A, int lda, const floating* x, floating b,
                       floating* y) noexcept nogil:
    """y = a * A @ x + b * y for a symmetric (n, n) A of which only the upper triangle is read"""
    cdef int one = 1
    cdef char uplo = c'U'
    if floating is float:
        ssymv(&uplo, &n, &a, <float*> A, &lda, <float*> x, &one, &b, y, &one)
    else:
        dsymv(&uplo, &n, &a, <double*> A, &lda, <double*> x, &one, &b, y, &one)


cdef inline void _trsv(char uplo, char trans, int n, const floating* A, int lda,
                       floating* x) noexcept nogil:
    """x = op(A)^-1 x for a triangular A (non-unit diagonal)"""
    cdef int one = 1
    cdef char diag = c'N'
    if floating is float:
        strsv(&uplo, &trans, &diag, &n, <float*> A, &lda, x, &one)
    else:
        dtrsv(&uplo, &trans, &diag, &n, <double*> A, &lda, x, &one)


cdef inline void _trmv(char uplo, char trans, int n, const floating* A, int lda,
                       floating* x) noexcept nogil:
    """x = op(A) x for a triangular A (non-unit diagonal)"""
    cdef int one = 1
    cdef char diag = c'N'
    if floating is float:
        strmv(&uplo, &trans, &diag, &n, <float*> A, &lda, x, &one)
    else:
        dtrmv(&uplo, &trans, &diag, &n, <double*> A, &lda, x, &one)


cdef inline void _trsm_left(char uplo, char trans, int m, int n, const floating* A, int lda,
                            floating* B, int ldb) noexcept nogil:
    """B = op(A)^-1 B for a triangular (m, m) A and an (m, n) B"""
    cdef char side = c'L'
    cdef char diag = c'N'
    cdef floating one = 1
    if floating is float:
        strsm(&side, &uplo, &trans, &diag, &m, &n, &one, <float*> A, &lda, B, &ldb)
    else:
        dtrsm(&side, &uplo, &trans, &diag, &m, &n, &one, <double*> A, &lda, B, &ldb)


cdef inline void _syrk(char uplo, char trans, int n, int k, floating a, const floating* A, int lda,
                       floating b, floating* C, int ldc) noexcept nogil:
    """C = a * op(A) op(A)^T + b * C on the `uplo` triangle of the (n, n) C; op(A) is (n, k)"""
    if floating is float:
        ssyrk(&uplo, &trans, &n, &k, &a, <float*> A, &lda, &b, C, &ldc)
    else:
        dsyrk(&uplo, &trans, &n, &k, &a, <double*> A, &lda, &b, C, &ldc)


cdef inline void _gemm(char trans_a, char trans_b, int m, int n, int k, floating a, const floating* A,
                       int lda, const floating* B, int ldb, floating b, floating* C, int ldc) noexcept nogil:
    """C = a * op(A) op(B) + b * C for the (m, n) C; op(A) is (m, k), op(B) is (k, n)"""
    if floating is float:
        sgemm(&trans_a, &trans_b, &m, &n, &k, &a, <float*> A, &lda, <float*> B, &ldb, &b, C, &ldc)
    else:
        dgemm(&trans_a, &trans_b, &m, &n, &k, &a, <double*> A, &lda, <double*> B, &ldb, &b, C, &ldc)


cdef inline int _potrf(char uplo, int n, floating* A, int lda) noexcept nogil:
    """Cholesky factor of the (n, n) symmetric A in place; LAPACK's info (k > 0: the leading minor
    of order k is not positive definite, the first k - 1 columns are factored)"""
    cdef int info = 0
    if floating is float:
        spotrf(&uplo, &n, A, &lda, &info)
    else:
        dpotrf(&uplo, &n, A, &lda, &info)
    return info
