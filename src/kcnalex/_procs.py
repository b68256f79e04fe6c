"""Worker processes shared by :func:`kcnalex.analyze` and :func:`kcnalex.aggregate`."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.context import BaseContext


def fork_context() -> BaseContext | None:
    """The ``fork`` start method, where the platform has it (POSIX), else None.

    Pools forked after the parent has built its state (an analyzer with its
    compiled kernels, a chunk's texts, a block of bootstrap arrays) let workers
    inherit that state instead of receiving it pickled; the callers fall back to
    sending it where ``fork`` is unavailable.
    """
    if "fork" not in mp.get_all_start_methods():  # pragma: no cover - not POSIX
        return None
    return mp.get_context("fork")
