"""Provenance: what produced a result frame, stored in ``df.attrs["kcnalex"]``.

Every public function that returns a result frame records the library version, the
tokenizer version, the lexicons (name, version, sha256 of their content) and the
parameters it was called with, so a number cited in a paper can be traced back.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ._version import __version__

ATTRS_KEY = "kcnalex"


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path, *, chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of the file at ``path``, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _jsonable(value: Any) -> Any:
    """Make ``value`` JSON-serialisable (tuples to lists, sets sorted, others str)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return str(value)


def provenance(
    function: str,
    *,
    params: Mapping[str, Any] | None = None,
    lexicons: Iterable[Mapping[str, Any]] = (),
    tokenizer: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Build a provenance record.

    Parameters
    ----------
    function : str
        Public name of the function that produced the result (``"count_formulae"``).
    params : mapping, optional
        The parameters the function was called with (JSON-serialisable values).
    lexicons : iterable of mapping
        One mapping per lexicon or configuration file used, with at least ``name``,
        ``version`` and ``sha256``.
    tokenizer : bool
        Whether to record the tokenizer version (default True).
    **extra
        Other fields to record (e.g. ``leaders_file``).

    Returns
    -------
    dict
        ``{"library": "kcnalex", "version", "python", "function", "tokenizer",
        "lexicons", "params", ...}``.
    """
    record: dict[str, Any] = {
        "library": "kcnalex",
        "version": __version__,
        "python": platform.python_version(),
        "function": function,
    }
    if tokenizer:
        from .tokenize import TOKENIZER_VERSION

        record["tokenizer"] = TOKENIZER_VERSION
    record["lexicons"] = [_jsonable(dict(lx)) for lx in lexicons]
    record["params"] = _jsonable(dict(params or {}))
    record.update({k: _jsonable(v) for k, v in extra.items()})
    return record


def attach(df: pd.DataFrame, record: Mapping[str, Any]) -> pd.DataFrame:
    """Store ``record`` in ``df.attrs["kcnalex"]`` and return ``df``."""
    df.attrs[ATTRS_KEY] = dict(record)
    return df


def get_provenance(df: pd.DataFrame) -> dict[str, Any]:
    """Return the provenance record of a kcnalex result frame (empty dict if none)."""
    return dict(df.attrs.get(ATTRS_KEY, {}))
