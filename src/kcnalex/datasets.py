"""Bundled data: statistics of the real KCNA archive (numbers and dates only).

``corpora/kcna-co-jp-1997-2015/`` holds what ``data-raw/make_stats.py`` computed with
:func:`kcnalex.analyze` from the real kcna.co.jp archive 1997-2015: per-document
measures (``doc_stats.parquet``; no text, no titles), monthly totals per formula entry
(``entry_months.parquet``) and ``manifest.json`` saying how they were made. They let a
new user's first command draw real trends, with bootstrap intervals, without the
corpus itself.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

from ._provenance import attach, sha256_file

__all__ = ["load_stats", "stats_dir", "DEFAULT_STATS"]

DEFAULT_STATS = "kcna-co-jp-1997-2015"


def stats_dir(name: str = DEFAULT_STATS) -> Path:
    """Folder of a bundled statistics set (installed package or source checkout)."""
    try:
        base = Path(str(resources.files("kcnalex.corpora")))
    except ModuleNotFoundError:  # pragma: no cover - running from a bare src tree
        base = Path(__file__).resolve().parents[2] / "corpora"
    path = base / name
    if not path.is_dir():
        raise FileNotFoundError(f"bundled statistics {name!r} not found in {base}")
    return path


def load_stats(name: str = DEFAULT_STATS, *,
               table: Literal["docs", "entries"] = "docs") -> pd.DataFrame:
    """Load bundled statistics of the real KCNA archive.

    Parameters
    ----------
    name : str
        Statistics set (default ``"kcna-co-jp-1997-2015"``).
    table : {"docs", "entries"}
        ``"docs"``: one row per document, the wide columns of
        :func:`kcnalex.analyze` (``doc_id``, ``date``, ``source``, ``n_tokens``,
        ``n_sentences``, ``n_formulae``, ``n_cat:<category>``, leaders' counts,
        sentiment sums, stance sums per target). ``"entries"``: monthly totals per
        formula entry: ``month``, ``entry``, ``category``, ``n`` (matches),
        ``n_docs`` (documents with a match), ``month_docs``, ``month_tokens``.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["kcnalex"]`` = the manifest (how the numbers were made:
        library, tokenizer and lexicon versions with sha256, parameters, ingest
        report) plus the sha256 of the file read.

    Examples
    --------
    >>> docs = load_stats()
    >>> int(docs["date"].dt.year.min()), int(docs["date"].dt.year.max())
    (1997, 2015)
    """
    folder = stats_dir(name)
    files = {"docs": "doc_stats.parquet", "entries": "entry_months.parquet"}
    if table not in files:
        raise ValueError(f"table must be 'docs' or 'entries', got {table!r}")
    path = folder / files[table]
    df = pd.read_parquet(path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["file"] = {"name": f"{name}/{files[table]}", "sha256": sha256_file(path)}
    return attach(df, manifest)
