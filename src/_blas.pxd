# Inline fused-type wrappers around scipy.linalg.cython_blas, shared by every kernel.
# scipy's declarations take non-const pointers; the casts below never write through a const input.
from cython cimport floating
from scipy.linalg.cython_blas cimport (
    sdot, ddot, saxpy, daxpy, sgemv, dgemv, scopy, dcopy,
)


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
