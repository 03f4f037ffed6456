"""Compiled kernels: numba's ``njit`` with the options every kernel of the engine shares, typed for mypy.

``cache=True`` keeps the machine code next to the module (or in numba's user cache when the package folder
is read-only), so a run pays the compilation once per installation, not once per process. ``nogil=True``
lets the threads of a local Dask cluster run kernels in parallel. ``error_model="numpy"``: a division by
zero gives inf or nan instead of raising, which spares a check per division (the inputs never divide by 0).

A call between compiled functions that passes arrays costs tens of nanoseconds (reference counts), more
than the arithmetic of one accident, and numba's inlining did not remove it: each kernel is one flat loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["compiled"]

F = TypeVar("F", bound=Callable[..., Any])


def compiled(fn: F) -> F:
    """``fn`` compiled in nopython mode (cached, without the GIL); called like the Python function.

    Where no cache can be kept (a read-only package and no writable HOME: a service account, a read-only
    container, cron with ``HOME=/nonexistent``), numba finds no cache locator: then it compiles per process.
    """
    try:
        return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))
    except RuntimeError as exc:  # "cannot cache function …: no locator available for file …"
        if "cache" not in str(exc):
            raise
        return cast(F, numba.njit(cache=False, nogil=True, error_model="numpy")(fn))
