"""Run the one-pass pipeline on a Dask cluster (optional extra ``kcnalex[dask]``).

:func:`analyze_dask` maps :class:`kcnalex.pipeline.Analyzer` over the partitions of a
``dask.dataframe`` corpus (or of the corpus read from files by
:func:`read_corpus_dask`) and returns a lazy ``dask.dataframe`` of per-document
measures, with exactly the numbers :func:`kcnalex.analyze` gives for the same
documents. :func:`aggregate_dask` computes it and hands it to
:func:`kcnalex.aggregate` (the bootstrap needs all documents of a cell together, and
the per-document frame is small: ~60 numbers per document).

One :class:`~kcnalex.pipeline.Analyzer` (its Aho-Corasick automata, VADER and stance
tables: ~0.7 s to build) is built per worker process and per configuration, and kept
in a module-level cache keyed by a hash of its parameters, so partitions reuse it;
``client=`` builds it on every worker up front (``client.run``).

Duplicates across partitions
----------------------------
:func:`kcnalex.read_corpus` drops exact and near duplicates over the whole input.
On a cluster each partition (a group of files) is read by :func:`kcnalex.read_corpus`
on its own, so with ``dedup=True`` (default) :func:`read_corpus_dask` then

1. drops *exact* duplicates across partitions (same normalised text, 128-bit BLAKE2b
   digest as in :mod:`kcnalex._dedup`), keeping the earliest copy by (date, file,
   position), as :func:`kcnalex.read_corpus` does, and
2. renumbers documents whose ``doc_id`` collides across partitions (the same URL in
   two files) the way :func:`kcnalex.read_corpus` does (``#2``, ``#3`` ... in that
   order).

Near duplicates are only found *within* a partition: a near duplicate whose earlier
copy is in another partition is kept. With date-ordered day files most
republications are days apart, i.e. in the same partition; pass larger
``files_per_partition`` to catch more. ``dedup="partition"`` skips the global step
(streams, no cross-partition exact dedup); ``dedup=False`` keeps every record.
The global step needs the digests of all partitions before any partition is
released, so the workers hold the corpus text (about 1.3 bytes per byte of clean
text) until it is done.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ._provenance import attach, provenance
from .pipeline import (
    MEASURES,
    Analyzer,
    _wide_frame,
    analyze_params,
    standard_ratios,
    to_long,
)

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe
    import distributed

__all__ = ["analyze_dask", "read_corpus_dask", "aggregate_dask", "cache_info"]

_EXTRA_MSG = ("kcnalex.dask needs Dask: install the optional extra with "
              "`pip install \"kcnalex[dask]\"` (dask[dataframe,distributed])")


def _dd():
    """Import dask.dataframe lazily, with an error naming the extra."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_EXTRA_MSG) from exc
    return dd


# ---------------------------------------------------------------------------
# one Analyzer per worker process and configuration
# ---------------------------------------------------------------------------
_ANALYZERS: dict[str, Analyzer] = {}
_BUILDS: dict[str, int] = {}
_LOCK = threading.Lock()


def _key(init: dict) -> str:
    return hashlib.sha256(pickle.dumps(init, protocol=4)).hexdigest()[:20]


def _get_analyzer(key: str, init: dict) -> Analyzer:
    an = _ANALYZERS.get(key)
    if an is None:
        with _LOCK:  # threaded workers: build once
            an = _ANALYZERS.get(key)
            if an is None:
                an = Analyzer(**init)
                _ANALYZERS[key] = an
                _BUILDS[key] = _BUILDS.get(key, 0) + 1
    return an


def _warm(key: str, init: dict) -> int:
    _get_analyzer(key, init)
    return os.getpid()


def cache_info() -> dict[str, int]:
    """Analyzers built in this process, by configuration key (for diagnostics).

    Returns
    -------
    dict
        ``{key: number of builds}``; with the cache working every value is 1.
        On a cluster: ``client.run(kcnalex.dask.cache_info)``.
    """
    return dict(_BUILDS)


# ---------------------------------------------------------------------------
# reading files on the workers
# ---------------------------------------------------------------------------
_STR = pd.StringDtype(na_value=np.nan)
_CORPUS_COLS = ("doc_id", "date", "title", "text", "dateline", "source", "url",
                "lang", "origin", "date_source", "issues")
_POS = re.compile(r"\[(\d+)\]$")


def _corpus_meta(extra: bool) -> pd.DataFrame:
    data: dict[str, Any] = {c: pd.Series([], dtype=_STR) for c in _CORPUS_COLS}
    data["date"] = pd.Series([], dtype="datetime64[ns]")
    if extra:
        data["_part"] = pd.Series([], dtype=np.int64)
        data["_row"] = pd.Series([], dtype=np.int64)
        data["_key"] = pd.Series([], dtype=_STR)
    return pd.DataFrame(data)


def _read_group(part: int, paths: Sequence[str], options: dict,
                keys: bool) -> pd.DataFrame:
    from ._dedup import exact_key, normalise
    from .io import read_corpus

    paths = list(paths)
    meta = _corpus_meta(keys)
    if not paths:
        return meta
    df = read_corpus(paths, progress=False, **options)
    out = pd.DataFrame({c: df[c].to_numpy(dtype=object) if c != "date"
                        else df[c].to_numpy(dtype="datetime64[ns]")
                        for c in _CORPUS_COLS})
    if keys:
        out["_part"] = np.full(len(out), part, dtype=np.int64)
        out["_row"] = np.arange(len(out), dtype=np.int64)
        out["_key"] = [exact_key(normalise(t)).hex() for t in df["text"]]
    return out.astype(meta.dtypes.to_dict())


def _rank_frame(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    cols = ["_part", "_row", "_key", "date", "origin", "source", "url", "doc_id"]
    keys = (pd.concat([f[cols] for f in frames], ignore_index=True) if frames
            else pd.DataFrame(columns=cols))
    origin = keys["origin"].astype(object).fillna("").to_numpy()
    files, pos = [], []
    for o in origin:
        f, _, p = o.rpartition(":")
        m = _POS.search(p)
        files.append(f if f else o)
        pos.append(int(m.group(1)) if m else -1)
    dates = pd.to_datetime(keys["date"]).to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(dates)
    keys = keys.assign(_nat=nat, _d=np.where(nat, np.datetime64(0, "ns"), dates),
                       _file=files, _pos=pos)
    # read_corpus's rank: date (unknown last), then file, then position in the file
    return keys.sort_values(["_nat", "_d", "_file", "_pos"], kind="stable",
                            ignore_index=True)


def _plan(*frames: pd.DataFrame) -> dict[int, tuple[np.ndarray, dict[int, str]]]:
    """Per partition: rows to drop (exact duplicates) and new doc_ids."""
    from .io import _doc_id

    ranked = _rank_frame(frames)
    dup = ranked["_key"].duplicated(keep="first").to_numpy()
    drop = ranked.loc[dup, ["_part", "_row"]]
    kept = ranked.loc[~dup]
    base = (kept["url"].astype(object).fillna("").to_numpy())
    base = np.where(base == "", kept["origin"].astype(object).to_numpy(), base)
    src = kept["source"].astype(object).fillna("").to_numpy()
    renames: dict[int, dict[int, str]] = {}
    seen: set[str] = set()
    for part, row, s, b, did in zip(kept["_part"], kept["_row"], src, base,
                                    kept["doc_id"], strict=True):
        # read_corpus: the first free id of _doc_id(source, key), key#2, key#3 ...
        new = _doc_id(s, b)
        k = 1
        while new in seen:
            k += 1
            new = _doc_id(s, f"{b}#{k}")
        seen.add(new)
        if new != did:
            renames.setdefault(int(part), {})[int(row)] = new
    out: dict[int, tuple[np.ndarray, dict[int, str]]] = {}
    for part in set(drop["_part"].tolist()) | set(renames):
        rows = drop.loc[drop["_part"] == part, "_row"].to_numpy(dtype=np.int64)
        out[int(part)] = (rows, renames.get(part, {}))
    return out


def _apply_plan(df: pd.DataFrame, plan: dict) -> pd.DataFrame:
    out = df
    if len(df):
        part = int(df["_part"].iloc[0])
        if part in plan:
            rows, renames = plan[part]
            out = df.copy()
            if renames:
                ids = out["doc_id"].to_numpy(dtype=object).copy()
                pos = out["_row"].to_numpy()
                for i, r in enumerate(pos):
                    if int(r) in renames:
                        ids[i] = renames[int(r)]
                out["doc_id"] = pd.array(ids, dtype=_STR)
            out = out[~np.isin(out["_row"].to_numpy(), rows)]
    return out.drop(columns=["_part", "_row", "_key"]).reset_index(drop=True)


def _expand(paths: Any) -> list[str]:
    from .io import IngestReport, _resolve

    return [str(p.resolve()) for p, _ in _resolve(paths, IngestReport(params={}))]


def read_corpus_dask(paths: Any, *, files_per_partition: int = 200,
                     dedup: bool | Literal["partition"] = True,
                     **read_options: Any) -> dask.dataframe.DataFrame:
    """Read files into a lazy Dask corpus frame, one partition per group of files.

    Parameters
    ----------
    paths : path, glob, list of paths, or dask.bag.Bag of paths
        What :func:`kcnalex.read_corpus` accepts (expanded on the client, in the
        same order, into absolute file paths the workers must be able to open: a
        shared file system), or a bag whose elements are file paths (each bag
        partition becomes one corpus partition).
    files_per_partition : int
        Files per partition (default 200: about 3,000 documents of kcna.co.jp
        day files; see ``docs/scaling.md``). Ignored for a bag.
    dedup : bool or "partition"
        ``True`` (default): duplicates within a partition as
        :func:`kcnalex.read_corpus` finds them (exact and near), plus exact
        duplicates across partitions (module docstring); ``"partition"``: within
        partitions only; ``False``: none.
    **read_options
        Passed to :func:`kcnalex.read_corpus` on the workers (``lang``,
        ``near_duplicates``, ``format``, ...).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy corpus frame with the columns of :func:`kcnalex.read_corpus`
        (``doc_id, date, title, text, dateline, source, url, lang, origin,
        date_source, issues``); within a partition rows are in read_corpus order.
        ``origin`` names files by their base name.

    See Also
    --------
    analyze_dask, kcnalex.read_corpus

    Examples
    --------
    >>> import kcnalex as kx
    >>> from kcnalex.dask import read_corpus_dask
    >>> from kcnalex.io import SAMPLE_DIR
    >>> ddf = read_corpus_dask(SAMPLE_DIR, files_per_partition=5)
    >>> len(ddf.compute(scheduler="sync")) == len(kx.load_sample())
    True
    """
    dd = _dd()
    if files_per_partition < 1:
        raise ValueError("files_per_partition must be >= 1")
    if dedup not in (True, False, "partition"):
        raise ValueError("dedup must be True, False or 'partition'")
    options = {**read_options, "dedup": bool(dedup)}
    keys = dedup is True
    meta = _corpus_meta(keys)
    if _is_bag(paths):
        from dask import delayed

        parts = [delayed(_read_group)(i, p, options, keys)
                 for i, p in enumerate(paths.to_delayed())]
        raw = dd.from_delayed(parts, meta=meta, verify_meta=False)
    else:
        files = _expand(paths)
        groups = [files[i:i + files_per_partition]
                  for i in range(0, len(files), files_per_partition)]
        raw = dd.from_map(_read_group, list(range(len(groups))), groups,
                          args=(options, keys), meta=meta, enforce_metadata=False)
    if not keys:
        return raw
    from dask import delayed

    plan = delayed(_plan)(*raw[["_part", "_row", "_key", "date", "origin", "source",
                                "url", "doc_id"]].to_delayed())
    return raw.map_partitions(_apply_plan, plan, meta=_corpus_meta(False),
                              enforce_metadata=False)


def _is_bag(obj: Any) -> bool:
    try:
        import dask.bag as db
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, db.Bag)


# ---------------------------------------------------------------------------
# analysis
# ---------------------------------------------------------------------------
def _analyze_partition(part: pd.DataFrame, key: str, init: dict, form: str,
                       record: dict) -> pd.DataFrame:
    from ._columns import as_corpus

    an = _get_analyzer(key, init)
    corpus = as_corpus(part)
    texts = corpus["text"].tolist()
    values = an.run(texts) if texts else np.zeros((0, len(an.columns)))
    # string columns typed even when the partition is empty (concat keeps them)
    wide = attach(_wide_frame(corpus, values, an.columns).astype(
        {"doc_id": _STR, "source": _STR}), record)
    if form == "wide":
        return wide
    long = to_long(wide).astype({"measure": _STR, "kind": _STR})
    # the same record in every partition (concat keeps attrs only when equal);
    # aggregate_dask narrows the ratios to the measures present overall
    long.attrs["kcnalex"]["ratios"] = {k: list(v) for k, v in
                                       standard_ratios(an.columns).items()}
    return long


def _wide_meta(columns: list[str]) -> pd.DataFrame:
    data: dict[str, Any] = {"doc_id": pd.Series([], dtype=_STR),
                            "date": pd.Series([], dtype="datetime64[ns]"),
                            "source": pd.Series([], dtype=_STR)}
    for c in columns:
        data[c] = pd.Series([], dtype=np.int64 if c.startswith("n_") else np.float64)
    return pd.DataFrame(data)


def _long_meta() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": pd.Series([], dtype=_STR),
                         "date": pd.Series([], dtype="datetime64[ns]"),
                         "source": pd.Series([], dtype=_STR),
                         "measure": pd.Series([], dtype=_STR),
                         "value": pd.Series([], dtype=np.float64),
                         "n_tokens": pd.Series([], dtype=np.int64),
                         "kind": pd.Series([], dtype=_STR)})


def analyze_dask(data: Any, *, lexicon: Any = "kcna-formulae", leaders: Any = None,
                 targets: Any = None, measures: Sequence[str] = MEASURES,
                 entries: bool = False, form: Literal["wide", "long"] = "wide",
                 client: distributed.Client | None = None,
                 files_per_partition: int = 200,
                 dedup: bool | Literal["partition"] = True,
                 partition_size: int = 3000,
                 **read_options: Any) -> dask.dataframe.DataFrame:
    """Per-document measures of a corpus on Dask: :func:`kcnalex.analyze`, lazily.

    Each partition runs :meth:`kcnalex.pipeline.Analyzer.run` on its texts with
    one Analyzer per worker process (cached; built at most once per configuration),
    so the numbers are exactly those of :func:`kcnalex.analyze` for the same
    documents, whatever the partitioning or the cluster.

    Parameters
    ----------
    data : dask DataFrame, pandas DataFrame, dask.bag.Bag of paths, or path(s)
        A corpus frame (at least ``doc_id`` and ``text``; ``date``, ``source``
        used when present), or files, read by :func:`read_corpus_dask`. A pandas
        frame is split into partitions of ``partition_size`` rows.
    lexicon, leaders, targets, measures, entries
        As in :func:`kcnalex.analyze`.
    form : {"wide", "long"}
        One row per document (default: ~60 numbers per document, the cheapest to
        move between workers) or long doc stats (:func:`kcnalex.pipeline.to_long`).
    client : distributed.Client, optional
        If given, the Analyzer is built on every current worker now
        (``client.run``) rather than by each worker's first partition. The result
        is lazy either way; it is computed by whichever scheduler is active.
    files_per_partition, dedup, **read_options
        For files: see :func:`read_corpus_dask`.
    partition_size : int
        Rows per partition for a pandas frame.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; the columns of :func:`kcnalex.analyze` (``doc_id, date, source,
        n_tokens, n_sentences, n_formulae, n_cat:<category>, ...`` wide; ``doc_id,
        date, source, measure, value, n_tokens, kind`` long). Each computed
        partition carries ``attrs["kcnalex"]`` (function ``analyze_dask``,
        parameters, lexicons with sha256), which ``compute()`` keeps.

    See Also
    --------
    aggregate_dask, read_corpus_dask, kcnalex.analyze

    Examples
    --------
    >>> import kcnalex as kx
    >>> from kcnalex.dask import analyze_dask
    >>> ddf = analyze_dask(kx.load_sample(), measures=["formulae"],
    ...                    partition_size=20)
    >>> ddf.npartitions
    3
    >>> wide = ddf.compute(scheduler="sync")
    >>> serial = kx.analyze(kx.load_sample(), measures=["formulae"], form="wide")
    >>> bool((wide["n_formulae"].to_numpy() == serial["n_formulae"]).all())
    True
    """
    dd = _dd()
    if form not in ("long", "wide"):
        raise ValueError(f"form must be 'long' or 'wide', got {form!r}")
    analyzer = Analyzer(lexicon=lexicon, leaders=leaders, targets=targets,
                        measures=measures, entries=entries)
    init = analyzer._init
    key = _key(init)
    _ANALYZERS.setdefault(key, analyzer)  # local schedulers reuse it
    _BUILDS.setdefault(key, 1)

    if isinstance(data, dd.DataFrame):
        ddf = data
        source_desc: Any = "<dask DataFrame>"
    elif isinstance(data, pd.DataFrame):
        if "doc_id" not in data.columns or "text" not in data.columns:
            raise ValueError("the corpus frame needs doc_id and text columns")
        n = max(1, -(-len(data) // max(1, int(partition_size))))
        ddf = dd.from_pandas(data, npartitions=n, sort=False)
        source_desc = "<DataFrame>"
    else:
        ddf = read_corpus_dask(data, files_per_partition=files_per_partition,
                               dedup=dedup, **read_options)
        source_desc = ("<dask Bag>" if _is_bag(data) else
                       [str(s) for s in data] if isinstance(data, (list, tuple))
                       else str(data))
    missing = {"doc_id", "text"} - set(ddf.columns)
    if missing:
        raise ValueError(f"the corpus frame is missing column(s) {sorted(missing)}")
    keep = [c for c in ("doc_id", "date", "source", "text") if c in ddf.columns]
    ddf = ddf[keep]

    params = analyze_params(analyzer, source=source_desc,
                            npartitions=int(ddf.npartitions),
                            files_per_partition=files_per_partition, dedup=dedup,
                            read_options=read_options)
    record = provenance("analyze_dask", params=params, lexicons=analyzer.lexicons,
                        form="wide")
    if client is not None:
        client.run(_warm, key, init)
    meta = _wide_meta(analyzer.columns) if form == "wide" else _long_meta()
    return ddf.map_partitions(_analyze_partition, key, init, form, record,
                              meta=meta, enforce_metadata=False)


def aggregate_dask(ddf: dask.dataframe.DataFrame | pd.DataFrame, *,
                   ratios: Any = None, **aggregate_kwargs: Any) -> pd.DataFrame:
    """Compute per-document measures from Dask and aggregate them per period.

    The per-document frame is computed (by the active scheduler: the
    ``distributed.Client`` if one exists) into pandas, turned into long doc stats
    if it is wide, and passed to :func:`kcnalex.aggregate`: the bootstrap needs
    every document of a cell together, and the frame is small (one row of ~60
    numbers per document: ~60 MB for 120,000 documents).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or pandas.DataFrame
        From :func:`analyze_dask` (wide or long).
    ratios : mapping or "standard", optional
        As in :func:`kcnalex.aggregate`. The default (None) reports, as
        ``aggregate(analyze(...))`` does, the ratios :func:`kcnalex.analyze`
        records (:func:`kcnalex.pipeline.standard_ratios` whose inputs are
        present); ``"standard"`` asks for them explicitly; ``{}`` for none.
    **aggregate_kwargs
        Passed to :func:`kcnalex.aggregate` (``freq``, ``by``, ``ci``,
        ``n_boot``, ``seed``, ...).

    Returns
    -------
    pandas.DataFrame
        Period stats exactly as :func:`kcnalex.aggregate` returns for the same
        documents (columns there); ``attrs["kcnalex"]["input"]`` holds the
        provenance of the per-document frame.

    See Also
    --------
    analyze_dask, kcnalex.aggregate

    Examples
    --------
    >>> import kcnalex as kx
    >>> from kcnalex.dask import analyze_dask, aggregate_dask
    >>> import dask
    >>> with dask.config.set(scheduler="sync"):
    ...     ps = aggregate_dask(analyze_dask(kx.load_sample(), measures=["vader"]),
    ...                         freq="Y", ratios="standard", ci=None)
    >>> sorted(ps["measure"].unique())[:2]
    ['n_sentences', 'n_vader_neg']
    """
    from .timeseries import aggregate

    if isinstance(ratios, str) and ratios != "standard":
        raise ValueError("ratios must be a mapping, None or 'standard'")
    df = ddf if isinstance(ddf, pd.DataFrame) else ddf.compute()
    if "measure" not in df.columns:
        if "n_sentences" not in df.columns:
            raise ValueError("expected a frame of analyze_dask (wide or long)")
        df = to_long(df)
    present = set(pd.unique(df["measure"]))
    standard = {k: v for k, v in standard_ratios(present).items()
                if v[0] in present and v[1] in present}
    # the ratios to_long records for the whole frame, as after kcnalex.analyze
    record = dict(df.attrs.get("kcnalex", {}))
    record["ratios"] = {k: list(v) for k, v in standard.items()}
    df = attach(df.copy(deep=False) if df is ddf else df, record)
    if isinstance(ratios, str):
        ratios = standard
    return aggregate(df, ratios=ratios, **aggregate_kwargs)
