"""The switch of the compiled paths (the optional ``fast`` extra, numba).

``_vader_jit``, ``_acdfa`` and ``_lexicon_jit`` compile their loops with numba when it
is installed; :func:`jit_enabled` says whether they are used. ``KCNALEX_JIT=0`` turns
them off (the Python paths give the same numbers).
"""

from __future__ import annotations

import os

try:  # optional: pip install kcnalex[fast]
    import numba
except ImportError:  # pragma: no cover - exercised when numba is absent
    numba = None

__all__ = ["jit_enabled", "numba"]


def jit_enabled() -> bool:
    """numba is installed and ``KCNALEX_JIT`` is not ``0``."""
    return numba is not None and os.environ.get("KCNALEX_JIT", "1") != "0"
