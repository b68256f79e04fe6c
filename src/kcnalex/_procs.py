"""Worker processes shared by :func:`kcnalex.analyze` and :func:`kcnalex.aggregate`."""

from __future__ import annotations

import multiprocessing as mp
import sys
from multiprocessing.context import BaseContext


def fork_context() -> BaseContext | None:
    """The ``fork`` start method on Linux, else None.

    (macOS has ``fork`` but defaults to ``spawn``, because system frameworks are
    not safe to use after a fork; kcnalex keeps that default there.)

    Pools forked after the parent has built its state (an analyzer with its
    compiled kernels, a chunk's texts, a block of bootstrap arrays) let workers
    inherit that state instead of receiving it pickled; the callers fall back to
    sending it where ``fork`` is unavailable.
    """
    if not sys.platform.startswith("linux"):  # pragma: no cover - not Linux
        return None
    return mp.get_context("fork")
