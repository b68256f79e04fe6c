"""Measures over time: aggregation with bootstrap intervals, change points, bursts.

The data flow is ``doc stats -> aggregate -> period stats -> plot``:

- :func:`aggregate` turns a long doc-stats frame (one row per document x measure)
  into a tidy period-stats frame (one row per period x group x measure) with ratio
  estimators, percentile-bootstrap confidence intervals over documents, and explicit
  rows for empty periods.
- :func:`changepoints` finds shifts in the mean of one series (PELT or binary
  segmentation from :mod:`ruptures`).
- :func:`bursts` finds bursts of a formula's use with Kleinberg's (2002) two-state
  automaton for batched arrivals.
- :func:`events` returns the shipped, sourced table of dated events (1997-2026) used to
  annotate plots.
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
import zlib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._columns import validate_frame
from ._procs import fork_context
from ._provenance import attach, get_provenance, provenance, sha256_bytes

__all__ = ["aggregate", "changepoints", "bursts", "events", "EVENTS_VERSION"]

#: Version of the shipped ``data/events.csv`` (see ``data/events.md``).
EVENTS_VERSION = "2026.1"

EVENT_KINDS = ("leadership", "title", "party", "nuclear_test", "missile", "satellite",
               "summit", "diplomacy", "military")

# pandas offset aliases -> Period frequency whose ``start_time`` is the period start.
_BASE_FREQ = {
    "D": "D",
    "W": "W",
    "M": "M", "ME": "M", "MS": "M",
    "Q": "Q", "QE": "Q", "QS": "Q",
    "Y": "Y", "YE": "Y", "YS": "Y", "A": "Y", "AS": "Y",
}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

Kind = Literal["count", "score"]


# --------------------------------------------------------------------------- periods
def _period_freq(freq: str) -> str:
    """Map a pandas frequency alias to the Period frequency used for binning."""
    if not isinstance(freq, str):
        raise TypeError(f"freq must be a string such as 'M', got {freq!r}")
    base, sep, anchor = freq.strip().partition("-")
    pfreq = _BASE_FREQ.get(base.upper())
    if pfreq is None or (sep and not (pfreq == "W" and anchor.upper() in _WEEKDAYS)):
        raise ValueError(
            f"freq={freq!r} is not supported; use one of D, W (or W-MON..W-SUN), "
            "M/ME/MS, Q/QE/QS, Y/YE/YS (periods are labelled by their start)"
        )
    return f"W-{anchor.upper()}" if sep else pfreq


def _to_ordinals(dates: pd.Series, pfreq: str) -> np.ndarray:
    """Period ordinals of ``dates`` (NaT -> the int64 minimum)."""
    d = pd.to_datetime(dates)
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return d.dt.to_period(pfreq).array.asi8.astype(np.int64, copy=False)


def _period_starts(ordinals: np.ndarray, pfreq: str) -> pd.DatetimeIndex:
    idx = pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64), freq=pfreq)
    return idx.start_time.as_unit("ns")


def _period_bound(value, pfreq: str) -> int | None:
    if value is None:
        return None
    return int(pd.Period(pd.Timestamp(value), freq=pfreq).ordinal)


def _cell_seed(seed: int, period_start: pd.Timestamp, group: str) -> list[int]:
    """Entropy of the bootstrap generator of one (period, group) cell.

    ``[seed, YYYYMMDD of the period start, crc32(group label, utf-8)]``: a cell's
    interval does not depend on the other cells, on the measures requested, or on
    the order of the input rows.
    """
    return [int(seed), int(period_start.strftime("%Y%m%d")),
            zlib.crc32(str(group).encode("utf-8"))]


def _bootstrap_replicates(rng: np.random.Generator, num: np.ndarray, den: np.ndarray,
                          n_boot: int, *, max_cells: int = 262_144) -> np.ndarray:
    """Replicates of ``sum(num) / sum(den)`` (per column) over resampled rows.

    Resample ``n`` rows with replacement ``n_boot`` times: the draws are
    ``rng.integers(0, n, size=(n_boot, n))`` (generated in blocks of whole rows of
    at most ``max_cells`` draws, which gives the same stream), turned into a count
    matrix ``C`` (``C[b, i]`` = times row ``i`` was drawn in replicate ``b``), so
    each replicate is ``(C @ num) / (C @ den)``.

    Blocks of 2 MB arrays stay in the cache (a cell of 450 documents takes 2.1 ms
    instead of 6.6 ms with one block of 3.6 MB arrays). The matrix product's
    rounding depends on the block's shape: a replicate can differ from one
    computed with other blocks in its last bit.
    """
    n = num.shape[0]
    block = max(1, min(n_boot, max_cells // max(n, 1)))
    out = np.empty((n_boot, num.shape[1]))
    offsets = np.arange(block, dtype=np.int64)[:, None] * n
    for b0 in range(0, n_boot, block):
        b = min(block, n_boot - b0)
        draws = rng.integers(0, n, size=(b, n))
        draws += offsets[:b]
        counts = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n)
        counts = counts.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[b0:b0 + b] = (counts @ num) / (counts @ den)
    return out


def _cell_bounds(entropy: list[int], num: np.ndarray, den: np.ndarray, n_boot: int,
                 scale: np.ndarray, qs: list[float]) -> np.ndarray:
    """Percentile bounds ``(2, n_outputs)`` of one cell's bootstrap."""
    rng = np.random.default_rng(entropy)
    with _blas_one_thread():
        reps = _bootstrap_replicates(rng, num, den, n_boot) * scale
    return _quantiles(reps, qs)


# a block's unit arrays and bootstrap settings, inherited by forked workers
_BLOCK: tuple | None = None


def _cells_bounds(cells: list[tuple[list[int], int, int]]) -> list[np.ndarray]:
    """Bounds of cells given as ``(entropy, start, stop)`` rows of :data:`_BLOCK`."""
    assert _BLOCK is not None
    num_b, den_b, n_boot, scale, qs = _BLOCK
    return [_cell_bounds(entropy, num_b[a:b].copy(), den_b[a:b].copy(), n_boot,
                         scale, qs) for entropy, a, b in cells]


def _hold_blas_one_thread() -> None:
    """Initializer of a spawned bootstrap worker: BLAS on one thread for its life."""
    global _BLAS_HELD
    _blas_controller().limit(limits=1, user_api="blas")  # not restored
    _BLAS_HELD = True


class _Bootstrapper:
    """Run the cells' bootstraps in this process or in ``n_jobs`` worker processes.

    Cells come a block at a time (:meth:`run`): the block's per-unit numerator and
    denominator arrays, and each cell's rows in them. With workers started by
    ``fork``, a pool forked for the block inherits its arrays and gets lists of
    cells (no array is pickled); elsewhere each cell's rows are sent to a pool of
    ``spawn`` workers.
    Each cell's generator is its own, so the bounds do not depend on ``n_jobs``.
    Results are handed to ``store(key, bounds)``.
    """

    def __init__(self, store, n_jobs: int, n_boot: int, scale: np.ndarray,
                 qs: list[float]) -> None:
        self.store = store
        self.n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))
        self.n_boot, self.scale, self.qs = n_boot, scale, qs
        self.pool = None

    def run(self, num_b: np.ndarray, den_b: np.ndarray,
            cells: list[tuple[Any, list[int], int, int]]) -> None:
        """Bootstrap ``cells`` = ``[(key, entropy, start, stop), ...]`` (rows of the
        block's arrays) and store their bounds."""
        global _BLOCK
        if not cells:
            return
        args = (self.n_boot, self.scale, self.qs)
        if self.n_jobs == 1 or len(cells) == 1:
            for key, entropy, a, b in cells:
                self.store(key, _cell_bounds(entropy, num_b[a:b].copy(),
                                             den_b[a:b].copy(), *args))
            return
        from concurrent.futures import ProcessPoolExecutor

        context = fork_context()
        if context is None:
            if self.pool is None:
                import multiprocessing as mp

                self.pool = ProcessPoolExecutor(self.n_jobs,
                                                mp_context=mp.get_context("spawn"),
                                                initializer=_hold_blas_one_thread)
            futures = [self.pool.submit(_cell_bounds, entropy, num_b[a:b].copy(),
                                        den_b[a:b].copy(), *args)
                       for _, entropy, a, b in cells]
            for (key, *_), future in zip(cells, futures, strict=True):
                self.store(key, future.result())
            return
        # ~16 tasks per process, cut at equal shares of the block's rows; n_jobs - 1
        # workers take them from the front while this process takes those that
        # no worker has started from the back (it would otherwise only wait)
        n_tasks = min(len(cells), 16 * self.n_jobs)
        stops = np.array([c[3] for c in cells])
        cuts = np.searchsorted(stops, np.linspace(0, stops[-1], n_tasks + 1)[1:-1])
        groups = [g for g in np.split(np.arange(len(cells)), np.unique(cuts) + 1)
                  if len(g)]
        tasks = [[cells[i][1:] for i in g] for g in groups]
        _BLOCK = (num_b, den_b, *args)
        try:
            with ProcessPoolExecutor(self.n_jobs - 1, mp_context=context) as pool:
                futures = [pool.submit(_cells_bounds, task) for task in tasks]
                done: dict[int, list[np.ndarray]] = {}
                for j in range(len(tasks) - 1, -1, -1):
                    if not futures[j].cancel():  # a worker has it: the rest too
                        break
                    done[j] = _cells_bounds(tasks[j])
                for j, g in enumerate(groups):
                    bounds_g = done[j] if j in done else futures[j].result()
                    for i, bounds in zip(g, bounds_g, strict=True):
                        self.store(cells[i][0], bounds)
        finally:
            _BLOCK = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


#: Unit x output values per block of cells in :func:`aggregate` (~16 MB a matrix).
_BLOCK_VALUES = 2_000_000


def _unit_arrays(ua: int, ub: int, unit_row_bounds: np.ndarray,
                 unit_of_row: np.ndarray, m_s: np.ndarray, val_s: np.ndarray,
                 w_s: np.ndarray | None, unit_tok: np.ndarray, outputs: list,
                 ratios: Mapping[str, tuple[str, str]], base_code: dict[str, int],
                 n_base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per unit ``ua:ub`` (a document of a cell) and output: the estimator's
    numerator and denominator terms, whether the unit counts for the output (has
    a value, for a score; always, otherwise), and the unit's tokens.

    A count's terms are ``(c_i, t_i)``, a ratio's ``(a_i, b_i)`` (missing rows are
    0), a score's ``(w_i s_i, w_i)`` where the unit has a value, else ``(0, 0)``.
    """
    n = ub - ua
    ra, rb = unit_row_bounds[ua], unit_row_bounds[ub]
    sel = m_s[ra:rb] >= 0
    rows = unit_of_row[ra:rb][sel] - ua
    cols = m_s[ra:rb][sel]
    x = np.full((n, n_base), np.nan)
    x[rows, cols] = val_s[ra:rb][sel]
    t = unit_tok[ua:ub]
    if w_s is not None:
        w = np.full((n, n_base), np.nan)
        w[rows, cols] = w_s[ra:rb][sel]
    n_out = len(outputs)
    num = np.empty((n, n_out))
    den = np.empty((n, n_out))
    has = np.ones((n, n_out), dtype=bool)
    for k, (name, kind) in enumerate(outputs):
        if kind == "ratio":
            a, b = ratios[name]
            num[:, k] = np.nan_to_num(x[:, base_code[a]])
            den[:, k] = np.nan_to_num(x[:, base_code[b]])
        elif kind == "count":
            num[:, k] = np.nan_to_num(x[:, base_code[name]])
            den[:, k] = t
        else:
            col = x[:, base_code[name]]
            hk = ~np.isnan(col)
            wk = np.ones(n) if w_s is None else np.nan_to_num(w[:, base_code[name]])
            num[:, k] = np.where(hk, col * wk, 0.0)
            den[:, k] = np.where(hk, wk, 0.0)
            has[:, k] = hk
    return num, den, has, t


def _row_order(grp: np.ndarray, ords: np.ndarray, doc: np.ndarray,
               meas: np.ndarray) -> np.ndarray:
    """``numpy.lexsort((meas, doc, ords, grp))``: the stable order of the rows by
    group, period, document and measure code (``meas >= -1``).

    The four codes are packed into one int64 key when their ranges allow (one
    stable argsort, ~6x faster than lexsort on the archive), else lexsort.
    """
    if not len(grp):
        return np.empty(0, dtype=np.int64)
    o0 = int(ords.min())
    sizes = [int(grp.max()) + 1, int(ords.max()) - o0 + 1, int(doc.max()) + 1,
             int(meas.max()) + 2]
    if np.prod([float(x) for x in sizes]) >= 2.0 ** 62:
        return np.lexsort((meas, doc, ords, grp))
    key = grp.astype(np.int64) * sizes[1]
    key += ords - o0
    key *= sizes[2]
    key += doc
    key *= sizes[3]
    key += meas + 1
    return np.argsort(key, kind="stable")


def _quantiles(reps: np.ndarray, qs: list[float]) -> np.ndarray:
    """``numpy.nanquantile(reps, qs, axis=0)``, vectorised over the columns without
    a NaN (nanquantile works column by column whenever the array holds one).

    A ratio's replicate is infinite when its resampled denominator is 0; numpy
    then interpolates ``inf - inf`` (a NaN bound, as before) and its "invalid
    value" warning is not passed on.
    """
    nan = np.isnan(reps).any(axis=0)
    out = np.empty((len(qs), reps.shape[1]))
    if not nan.all():
        with np.errstate(invalid="ignore"):
            out[:, ~nan] = np.quantile(reps[:, ~nan], qs, axis=0)
    if nan.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            out[:, nan] = np.nanquantile(reps[:, nan], qs, axis=0)
    return out


@functools.lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


# True while a _blas_one_thread context is open in this process (or was open in
# the parent that forked it)
_BLAS_HELD = False


@contextlib.contextmanager
def _blas_one_thread():
    """Context: BLAS on one thread (for the bootstrap's matrix products).

    A threaded BLAS is ~30x slower on those skinny products (far worse when the
    cores are busy) and splits some sums differently, so the intervals would depend
    on the machine's thread count. The library scan is done once per process.

    Nested contexts do nothing, and neither do those of a worker forked inside
    one: it inherits the one-thread setting. Setting it again costs more than the
    call: OpenBLAS (0.3.31) starts its worker thread in a freshly forked process
    when told its thread count, and that thread spins for a while, taking CPU
    from the other workers (a forked worker's products ran ~1.7x slower).
    """
    global _BLAS_HELD
    if _BLAS_HELD:
        yield
        return
    with _blas_controller().limit(limits=1, user_api="blas"):
        _BLAS_HELD = True
        try:
            yield
        finally:
            _BLAS_HELD = False


def _resolve_kinds(measures: Sequence[str], kinds, kind_column: pd.Series | None,
                   ) -> dict[str, str]:
    """Kind of each measure: argument > ``kind`` column > name rule (``n_*``)."""
    if isinstance(kinds, str):
        kinds = {m: kinds for m in measures}
    kinds = dict(kinds or {})
    resolved = {}
    for m in measures:
        if m in kinds:
            k = kinds[m]
        elif kind_column is not None and m in kind_column.index:
            k = kind_column[m]
        else:
            k = "count" if str(m).startswith("n_") else "score"
        if k not in ("count", "score"):
            raise ValueError(
                f"kind of measure {m!r} must be 'count' or 'score', got {k!r}")
        resolved[m] = k
    return resolved


# ------------------------------------------------------------------------- aggregate
def aggregate(
    doc_stats: pd.DataFrame,
    *,
    freq: str = "M",
    by: str | Sequence[str] | None = None,
    ci: float | None = 0.95,
    kinds: str | Mapping[str, Kind] | None = None,
    ratios: Mapping[str, tuple[str, str]] | None = None,
    measures: Sequence[str] | None = None,
    weights: str | None = None,
    per: float = 1000.0,
    n_boot: int = 1000,
    seed: int = 0,
    min_docs: int = 5,
    start=None,
    end=None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    r"""Aggregate per-document measures into per-period statistics with bootstrap CIs.

    Every (period, group) *cell* holds the documents whose date falls in the period
    and that have at least one row with the group's values. Each measure has a kind:

    ``count`` (a count per document: formula hits, honorific units, mentions)
        reported as a rate per ``per`` (1,000) word tokens by the **ratio
        estimator** :math:`\hat r = 1000 \cdot \sum_i c_i / \sum_i t_i` over the
        cell's documents, where :math:`t_i` is ``n_tokens``. This is *not* the mean
        of per-document rates (which over-weights short documents). A document of
        the cell without a row for the measure counts as :math:`c_i = 0`.
    ``score`` (a per-document score: sentiment, stance)
        reported as the mean over the documents that have a (non-NaN) value,
        :math:`\bar s = \sum_i w_i s_i / \sum_i w_i` with :math:`w_i = 1`, or the
        ``weights`` column (e.g. ``"n_tokens"``).
    ratio (``ratios={"name": ("numerator", "denominator")}``)
        :math:`\sum_i a_i / \sum_i b_i` of two measures over the cell's documents
        (e.g. honoured mentions / mentions), missing rows counting as 0; a
        proportion, not scaled by ``per``.

    Default kind rule: ``kinds`` (a mapping, or one kind for all measures) wins;
    then a ``kind`` column of ``doc_stats`` if present (one kind per measure); then
    the name: measures named ``n_*`` are counts, all others scores.

    Confidence intervals are percentile bootstrap intervals over documents: within
    each cell, ``n_boot`` replicates each resample the cell's ``n`` documents with
    replacement and recompute the estimator as a ratio of sums (for a score, the
    mean over the resampled documents that have a value). The generator of a cell
    is ``numpy.random.default_rng([seed, YYYYMMDD, crc32(group)])`` (the period
    start and the group label, UTF-8), so reruns are identical and a cell's
    interval does not depend on the other cells, the measures or the row order.
    The draws are ``rng.integers(0, n, size=(n_boot, n))``, indexing the cell's
    documents sorted by ``doc_id``; the bounds are
    ``numpy.nanquantile(replicates, [(1 - ci) / 2, (1 + ci) / 2])`` (linear
    interpolation). Cells with fewer than 2 documents get NaN bounds.

    Parameters
    ----------
    doc_stats : pandas.DataFrame
        Long doc stats: ``doc_id``, ``date``, ``measure``, ``value``, ``n_tokens``
        (+ group columns, + optional ``kind``). One row per document x measure (x
        group); a document has one date and one ``n_tokens`` per group. Every
        document of the corpus should appear (with zero counts if need be),
        otherwise it is missing from the rate denominators. Rows with no date, or a
        missing group value, are dropped (counted in the provenance).
    freq : str
        Period length: ``"D"``, ``"W"`` (``"W-MON"`` ... ``"W-SUN"``: weeks ending
        on that day), ``"M"``/``"ME"``/``"MS"``, ``"Q"``/``"QE"``/``"QS"``,
        ``"Y"``/``"YE"``/``"YS"``. Old and new aliases mean the same calendar
        periods; periods are always labelled by their first day.
    by : str or list of str, optional
        Group columns (``"source"``, ``"target"``, ``"leader"``).
    ci : float or None
        Confidence level of the bootstrap interval (default 0.95); None skips it.
    kinds : str or mapping, optional
        ``{"measure": "count" | "score"}``, or one kind for every measure.
    ratios : mapping, optional
        ``{"name": ("numerator measure", "denominator measure")}``. Default: the
        ratios recorded by :func:`kcnalex.analyze` in
        ``doc_stats.attrs["kcnalex"]["ratios"]`` (mean sentence sentiment, stance per
        target, honoured share per leader, ...), if any; ``{}`` asks for none.
    measures : sequence of str, optional
        Measures to report (default: all in ``doc_stats``).
    weights : str, optional
        Column weighting the mean of ``score`` measures (e.g. ``"n_tokens"``).
    per : float
        Rates of counts are per this many tokens (default 1,000).
    n_boot : int
        Bootstrap replicates per cell (default 1,000).
    seed : int
        Seed of the bootstrap (default 0).
    min_docs : int
        Cells with fewer documents contributing than this are flagged ``low_data``
        (default 5); they are kept, not hidden.
    start, end : date-like, optional
        First and last period of the output (default: those of the data). Empty
        periods inside the range are reported with ``n_docs=0`` and NaN ``value``.
    n_jobs : int
        Worker processes for the bootstrap (``-1``: all cores). Every cell has its
        own generator, so the intervals are identical for any ``n_jobs``.

    Returns
    -------
    pandas.DataFrame
        Period stats, one row per group x measure x period (sorted so), columns:

        - ``period`` (datetime64[ns]): first day of the period;
        - ``group`` (str): ``"all"`` when ``by`` is None, else the group values
          joined by ``" | "``; then the ``by`` columns themselves;
        - ``measure`` (str), ``kind`` (``"count"``, ``"score"`` or ``"ratio"``);
        - ``value`` (float): rate per ``per`` tokens, mean score, or ratio;
        - ``ci_low``, ``ci_high`` (float): bootstrap bounds (NaN when skipped);
        - ``n_docs`` (int): documents contributing (for a score: with a value);
        - ``n_tokens`` (int): their word tokens;
        - ``sum`` (float): the estimator's numerator (count total, sum of (weighted)
          scores, or numerator total);
        - ``low_data`` (bool): ``n_docs < min_docs``.

        ``attrs["kcnalex"]`` holds the provenance (parameters, resolved kinds,
        dropped rows, and the input frame's provenance under ``"input"``).

    See Also
    --------
    changepoints, bursts, kcnalex.plot_timeseries

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 6 (ratio
       estimators). Wiley.
    .. [2] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the
       Bootstrap*, ch. 13 (percentile intervals). Chapman & Hall.

    Examples
    --------
    >>> import pandas as pd
    >>> ds = pd.DataFrame({
    ...     "doc_id": ["a", "b"], "date": pd.to_datetime(["2024-01-03", "2024-01-20"]),
    ...     "measure": "n_hits", "value": [1, 3], "n_tokens": [100, 300]})
    >>> out = aggregate(ds, ci=None, min_docs=1)
    >>> float(out["value"].iloc[0])  # 1000 * (1 + 3) / (100 + 300)
    10.0
    """
    validate_frame(doc_stats, "doc_stats", name="doc_stats")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for col in by_cols + ([weights] if weights else []):
        if col not in doc_stats.columns:
            raise ValueError(f"doc_stats has no column {col!r}")
    if ci is not None and not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1) or None, got {ci!r}")
    if n_boot < 1:
        raise ValueError("n_boot must be >= 1")
    pfreq = _period_freq(freq)
    recorded = ratios is None
    if recorded:
        ratios = doc_stats.attrs.get("kcnalex", {}).get("ratios") or {}
        if measures is not None:  # only the ratios asked for
            ratios = {k: v for k, v in ratios.items() if k in measures}
    ratios = {str(k): (str(v[0]), str(v[1])) for k, v in ratios.items()}

    # ---- rows to keep -------------------------------------------------------------
    # work on a view without attrs: pandas deep-copies attrs on every operation
    # (an analyze result's provenance can hold a long list of input files)
    doc_stats = doc_stats.copy(deep=False)
    doc_stats.attrs = {}
    n_in = len(doc_stats)
    ords = _to_ordinals(doc_stats["date"], pfreq)
    keep = ords != np.iinfo(np.int64).min
    if by_cols:
        keep &= doc_stats[by_cols].notna().all(axis=1).to_numpy()
    n_dropped = int(n_in - keep.sum())
    ds = doc_stats.loc[keep]
    ords = ords[keep]

    m_codes, m_uniq = pd.factorize(ds["measure"], sort=False)
    m_uniq = [str(m) for m in m_uniq]
    present = m_uniq
    if recorded:  # recorded ratios whose inputs are absent here are skipped
        ratios = {k: v for k, v in ratios.items()
                  if v[0] in set(present) and v[1] in set(present)}
    wanted = (sorted(present) if measures is None
              else [str(m) for m in measures if str(m) not in ratios])
    ratio_inputs = [m for pair in ratios.values() for m in pair]
    for m in ratio_inputs:
        if len(ds) and m not in set(present):
            raise ValueError(f"ratio input measure {m!r} is not in doc_stats")
    clash = set(ratios) & set(wanted)
    if clash:
        raise ValueError(f"ratio name(s) {sorted(clash)} clash with measure names")
    base = list(dict.fromkeys([*wanted, *ratio_inputs]))  # measures placed in cells
    kind_col = None
    if "kind" in ds.columns:  # the kind on each measure's first row
        codes = pd.Series(m_codes).drop_duplicates()
        codes = codes[codes >= 0]  # not the rows without a measure
        first = codes.index.to_numpy()
        kind_col = pd.Series(ds["kind"].iloc[first].to_numpy(),
                             index=[m_uniq[c] for c in codes.to_numpy()])
    kind_of = _resolve_kinds(base, kinds, kind_col)

    # outputs: (name, kind, numerator measure, denominator measure)
    outputs = [(m, kind_of[m]) for m in wanted] + [(r, "ratio") for r in ratios]
    base_code = {m: i for i, m in enumerate(base)}
    lookup = np.array([base_code.get(m, -1) for m in m_uniq] + [-1], dtype=np.int64)
    meas_code = lookup[m_codes]  # code -1 (missing measure) takes the last: -1

    # ---- codes: group, document ---------------------------------------------------
    if by_cols:
        grouper = ds.groupby(by_cols, sort=True, dropna=True, observed=True)
        grp = grouper.ngroup().to_numpy(np.int64)
        labels = ds[by_cols].assign(_g=grp).drop_duplicates("_g").sort_values("_g")
        group_values = labels[by_cols].reset_index(drop=True)
        group_labels = [" | ".join(str(v) for v in row)
                        for row in group_values.itertuples(index=False)]
    else:
        grp = np.zeros(len(ds), dtype=np.int64)
        group_values = pd.DataFrame(index=range(1))
        group_labels = ["all"]
    n_groups = len(group_labels)
    # documents are numbered in doc_id order, so the bootstrap draws (which index
    # the documents of a cell) do not depend on the order of the input rows
    doc, uniq = pd.factorize(ds["doc_id"], sort=False)
    rank = np.empty(len(uniq), dtype=np.int64)
    # (Series.argsort: for pandas' Arrow strings a C++ sort in code point order,
    # the order of Python's str comparison)
    rank[np.asarray(pd.Series(uniq).argsort(kind="stable"))] = np.arange(len(uniq))
    doc = rank[doc] if len(doc) else doc.astype(np.int64)
    date_ns = pd.to_datetime(ds["date"]).to_numpy("datetime64[ns]").view(np.int64)
    if len(ds):
        # each document's date as written by its last row; any row differing from
        # it makes the document's dates differ
        one = np.empty(len(uniq), dtype=np.int64)
        one[doc] = date_ns
        bad = np.unique(doc[one[doc] != date_ns])
        if len(bad):
            ids = ds["doc_id"].to_numpy()[np.isin(doc, bad[:3])]
            raise ValueError(f"documents with more than one date: {sorted(set(ids))}")
    tokens = ds["n_tokens"].to_numpy(np.float64)
    values = ds["value"].to_numpy(np.float64)
    wvals = (ds[weights].to_numpy(np.float64) if weights else None)

    # ---- sort rows by (group, period, document, measure) ---------------------------
    order = _row_order(grp, ords, doc, meas_code)
    g_s, p_s, d_s, m_s = grp[order], ords[order], doc[order], meas_code[order]
    tok_s, val_s = tokens[order], values[order]
    w_s = wvals[order] if wvals is not None else None
    n_rows = len(order)
    new_unit = np.ones(n_rows, dtype=bool)
    if n_rows:
        new_unit[1:] = (g_s[1:] != g_s[:-1]) | (p_s[1:] != p_s[:-1]) | (
            d_s[1:] != d_s[:-1])
    unit_start = np.flatnonzero(new_unit)
    unit_of_row = np.cumsum(new_unit) - 1
    if n_rows:
        dup = (~new_unit[1:]) & (m_s[1:] == m_s[:-1]) & (m_s[1:] >= 0)
        if dup.any():
            i = order[np.flatnonzero(dup)[0] + 1]
            raise ValueError(
                "doc_stats has more than one row for a document x measure (x group): "
                f"doc_id={ds['doc_id'].iloc[i]!r}, measure={m_uniq[m_codes[i]]!r}"
            )
        tmin = np.minimum.reduceat(tok_s, unit_start)
        tmax = np.maximum.reduceat(tok_s, unit_start)
        if np.any(tmin != tmax):
            raise ValueError("n_tokens differs between rows of the same document")
    unit_tok = tok_s[unit_start] if n_rows else np.empty(0)
    unit_g, unit_p = g_s[unit_start], p_s[unit_start]
    new_cell = np.ones(len(unit_start), dtype=bool)
    if len(unit_start):
        new_cell[1:] = (unit_g[1:] != unit_g[:-1]) | (unit_p[1:] != unit_p[:-1])
    cell_start = np.flatnonzero(new_cell)
    cell_bounds = np.append(cell_start, len(unit_start))
    unit_row_bounds = np.append(unit_start, n_rows)

    # ---- period range ---------------------------------------------------------------
    lo = _period_bound(start, pfreq)
    hi = _period_bound(end, pfreq)
    if lo is None:
        lo = int(ords.min()) if len(ords) else None
    if hi is None:
        hi = int(ords.max()) if len(ords) else None
    if lo is None or hi is None or hi < lo:
        period_ords = np.empty(0, dtype=np.int64)
    else:
        period_ords = np.arange(lo, hi + 1, dtype=np.int64)
    n_per = len(period_ords)
    starts = _period_starts(period_ords, pfreq)
    n_out = len(outputs)
    shape = (n_groups, n_out, n_per)
    r_value = np.full(shape, np.nan)
    r_low = np.full(shape, np.nan)
    r_high = np.full(shape, np.nan)
    r_ndocs = np.zeros(shape, dtype=np.int64)
    r_ntok = np.zeros(shape, dtype=np.int64)
    r_sum = np.zeros(shape)
    scale = np.array([per if k == "count" else 1.0 for _, k in outputs])
    qs = None if ci is None else [(1 - ci) / 2, (1 + ci) / 2]
    n_base = len(base)

    def store(key, bounds):
        g, pi, ok = key
        r_low[g, ok, pi] = bounds[0, ok]
        r_high[g, ok, pi] = bounds[1, ok]

    boot = _Bootstrapper(store, n_jobs, n_boot, scale, qs)
    # cells in blocks of whole cells, ~_BLOCK_VALUES unit x output values a block:
    # each block's units (documents of a cell) get their numerator and denominator
    # of every output at once, and the cells are slices of those arrays
    n_cells = len(cell_start)
    # BLAS on one thread for all the bootstraps, here and in the forked workers
    with _blas_one_thread(), contextlib.closing(boot):
        c0 = 0
        while c0 < n_cells:
            c1 = c0 + 1
            units = _BLOCK_VALUES // max(n_out, 1)  # per block (at least one cell)
            while c1 < n_cells and cell_bounds[c1 + 1] - cell_bounds[c0] <= units:
                c1 += 1
            ua, ub = cell_bounds[c0], cell_bounds[c1]
            num_b, den_b, has_b, tok_b = _unit_arrays(
                ua, ub, unit_row_bounds, unit_of_row, m_s, val_s, w_s, unit_tok,
                outputs, ratios, base_code, n_base)
            cells: list = []  # (key, generator entropy, rows) of the block's bootstraps
            for c in range(c0, c1):
                a, b = cell_bounds[c], cell_bounds[c + 1]
                g, pord = int(unit_g[a]), int(unit_p[a])
                if pord < lo or pord > hi:
                    continue
                pi = pord - lo
                n = b - a
                num, den = num_b[a - ua:b - ua], den_b[a - ua:b - ua]
                has = has_b[a - ua:b - ua]
                ndocs = has.sum(axis=0)
                ntok = np.where(has, tok_b[a - ua:b - ua, None], 0.0).sum(axis=0)
                sums = num.sum(axis=0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    est = sums / den.sum(axis=0) * scale
                est[ndocs == 0] = np.nan
                r_value[g, :, pi] = est
                r_sum[g, :, pi] = sums
                r_ndocs[g, :, pi] = ndocs
                r_ntok[g, :, pi] = ntok
                if qs is not None and n >= 2:
                    cells.append(((g, pi, ndocs >= 2),
                                  _cell_seed(seed, starts[pi], group_labels[g]),
                                  a - ua, b - ua))
            boot.run(num_b, den_b, cells)
            del num_b, den_b, has_b, tok_b
            c0 = c1

    # ---- long frame -----------------------------------------------------------------
    reps = n_out * n_per
    gi = np.repeat(np.arange(n_groups), reps)
    out = pd.DataFrame({"period": np.tile(starts.to_numpy(), n_groups * n_out)})
    out["group"] = np.asarray(group_labels, dtype=object)[gi] if n_groups else []
    for col in by_cols:
        out[col] = group_values[col].to_numpy()[gi]
    out["measure"] = np.tile(np.repeat([o[0] for o in outputs], n_per), n_groups)
    out["kind"] = np.tile(np.repeat([o[1] for o in outputs], n_per), n_groups)
    out["value"] = r_value.ravel()
    out["ci_low"] = r_low.ravel()
    out["ci_high"] = r_high.ravel()
    out["n_docs"] = r_ndocs.ravel()
    out["n_tokens"] = r_ntok.ravel()
    out["sum"] = r_sum.ravel()
    out["low_data"] = out["n_docs"].to_numpy() < min_docs
    out["period"] = out["period"].astype("datetime64[ns]")
    params = dict(freq=freq, period_freq=pfreq, by=by_cols or None, ci=ci,
                  kinds=kinds if isinstance(kinds, (str, type(None))) else dict(kinds),
                  ratios=ratios, measures=measures, weights=weights, per=per,
                  n_boot=n_boot, seed=seed, min_docs=min_docs, n_jobs=n_jobs,
                  start=None if start is None else str(start),
                  end=None if end is None else str(end))
    return _attach(out, "aggregate", params, resolved_kinds=kind_of,
                   n_rows_in=n_in, n_rows_dropped=n_dropped,
                   input=get_provenance(doc_stats))


def _attach(df: pd.DataFrame, function: str, params: dict, **extra) -> pd.DataFrame:
    # The tokenizer is not used here; the input's provenance (with its tokenizer
    # version) is recorded under "input" where there is one.
    return attach(df, provenance(function, params=params, tokenizer=False, **extra))


# ----------------------------------------------------------------------- change points
def _robust_sigma(y: np.ndarray) -> float:
    """Noise s.d. from first differences: 1.4826 * MAD(diff(y)) / sqrt(2).

    Differencing removes the piecewise-constant mean (except at the few change
    points, which the median ignores). Falls back to ``std(diff(y)) / sqrt(2)`` when
    the MAD is 0 (e.g. a noiseless step).
    """
    if len(y) < 3:
        return 0.0
    d = np.diff(y)
    s = 1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2)
    if s == 0:
        s = float(np.std(d)) / np.sqrt(2)
    return float(s)


def _series_table(data, measure, group, skip_low_data=True,
                  ) -> list[tuple[str | None, str | None, pd.Series]]:
    """Split the input of :func:`changepoints` into date-indexed series."""
    if isinstance(data, pd.Series):
        idx = data.index
        if isinstance(idx, pd.PeriodIndex):
            idx = idx.to_timestamp()
        s = pd.Series(data.to_numpy(np.float64), index=pd.DatetimeIndex(idx))
        return [(measure, group, s.sort_index())]
    validate_frame(data, ("period", "measure", "value"), name="series")
    df = data
    if measure is not None:
        ms = [measure] if isinstance(measure, str) else list(measure)
        df = df[df["measure"].isin(ms)]
        if df.empty:
            raise ValueError(f"no rows for measure {measure!r}")
    if group is not None and "group" in df.columns:
        gs = [group] if isinstance(group, str) else list(group)
        df = df[df["group"].isin(gs)]
        if df.empty:
            raise ValueError(f"no rows for group {group!r}")
    keys = ["measure"] + (["group"] if "group" in df.columns else [])
    out = []
    for key, sub in df.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        if sub["period"].duplicated().any():
            raise ValueError(f"duplicated periods for {dict(zip(keys, key))}")
        vals = sub["value"].to_numpy(np.float64)
        if skip_low_data and "low_data" in sub.columns:
            vals = np.where(sub["low_data"].to_numpy(bool), np.nan, vals)
        s = pd.Series(vals, index=pd.DatetimeIndex(sub["period"])).sort_index()
        out.append((key[0], key[1] if len(key) > 1 else None, s))
    return out


def changepoints(
    series: pd.Series | pd.DataFrame,
    *,
    measure: str | Sequence[str] | None = None,
    group: str | Sequence[str] | None = None,
    method: Literal["pelt", "binseg"] = "pelt",
    penalty: float | None = None,
    k: float = 3.0,
    n_bkps: int | None = None,
    min_size: int = 3,
    jump: int = 1,
    skip_low_data: bool = True,
    return_segments: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Change points in the mean of a measure's series (``ruptures``, L2 cost).

    The series (NaN periods dropped) is split into segments of constant mean by
    minimising :math:`\sum_{\text{segments}} \sum_t (y_t - \bar y_{seg})^2 +
    \text{pen} \cdot (\text{number of change points})`, exactly with PELT
    (Killick et al. 2012), or greedily with binary segmentation. The default
    penalty is BIC-like, :math:`\text{pen} = k\,\hat\sigma^2 \ln n` with
    :math:`\hat\sigma = 1.4826\,\mathrm{MAD}(\Delta y) / \sqrt 2`, a noise
    estimate from first differences that the shifts themselves barely inflate, and
    ``k = 3``: ``k = 2`` is the plain BIC of a change in mean (a new mean and a
    location per change point, the ``BIC`` penalty of the R package
    ``changepoint``), ``k = 3`` is the leading term of the modified BIC of Zhang &
    Siegmund (2007), that package's default. Measured on pure Gaussian noise
    (``benchmarks/bench_timeseries.py``), ``k = 3`` finds at least one (false)
    change point in about 5% of 60-period and 1% of 228-period series, ``k = 2``
    in about 12% and 5%.

    Why this is sound, and where it is not: the L2 cost is the Gaussian
    likelihood of a piecewise-constant mean with one common variance and
    independent errors, and PELT finds its exact optimum. Monthly rates roughly
    fit (counts over hundreds of documents are close to normal), but two
    assumptions fail in known ways: (1) the variance of a rate falls with the
    number of tokens of its period, so thin periods (``low_data``) are noisier and
    can create spurious changes; (2) errors are autocorrelated (news cycles), which
    makes any i.i.d. penalty too small. Both lead to *too many* change points, so
    the default penalty is conservative, ``min_size`` defaults to 3 periods, and
    results should be read as candidate shifts to check against the documents
    (and the interval bands of :func:`aggregate`), not as tests.

    Parameters
    ----------
    series : pandas.Series or pandas.DataFrame
        A Series indexed by date (DatetimeIndex or PeriodIndex), or a period-stats
        frame from :func:`aggregate` (one series per measure x group).
    measure, group : str or list of str, optional
        Which measures / groups of a period-stats frame to analyse (default all).
    method : {"pelt", "binseg"}
        PELT (exact, penalised) or binary segmentation (``n_bkps`` or penalty).
    penalty : float, optional
        Penalty per change point, in units of squared values; default
        :math:`k\,\hat\sigma^2 \ln n`.
    k : float
        Multiplier of the default penalty (default 3).
    n_bkps : int, optional
        Number of change points (binary segmentation only).
    min_size : int
        Shortest segment, in periods (default 3).
    jump : int
        Candidate change points every ``jump`` periods (default 1: all).
    skip_low_data : bool
        For a period-stats frame, leave out periods flagged ``low_data`` (as
        empty periods are), since their values are the noisiest (default True).
    return_segments : bool
        Also return the segment table.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        Change points, one row each: ``measure``, ``group`` (None for a Series),
        ``date`` (first period of the new segment), ``index`` (its position in the
        input series, NaN periods included), ``before`` and ``after`` (means of the
        adjacent segments), ``magnitude`` (``after - before``), ``penalty``.
        With ``return_segments=True`` also the segments: ``measure``, ``group``,
        ``segment`` (0, 1, ...), ``start``, ``end`` (first and last period),
        ``start_index``, ``end_index`` (positions, inclusive), ``n`` (non-NaN
        periods), ``mean``, ``sd``.

    See Also
    --------
    aggregate, bursts, kcnalex.plot_timeseries

    References
    ----------
    .. [1] Killick, R., Fearnhead, P., & Eckley, I. A. (2012). Optimal detection of
       changepoints with a linear computational cost. *JASA* 107(500), 1590-1598.
    .. [2] Zhang, N. R., & Siegmund, D. O. (2007). A modified Bayes information
       criterion with applications to the analysis of comparative genomic
       hybridization data. *Biometrics* 63(1), 22-32.
    .. [3] Truong, C., Oudre, L., & Vayatis, N. (2020). Selective review of offline
       change point detection methods. *Signal Processing* 167, 107299.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2010-01-01", periods=24, freq="MS")
    >>> y = pd.Series(np.r_[np.zeros(12), np.ones(12) * 5] + 0.1 * np.sin(
    ...     np.arange(24)), index=idx)
    >>> cp = changepoints(y)
    >>> cp["date"].dt.strftime("%Y-%m").tolist()
    ['2011-01']
    """
    import ruptures as rpt

    if method not in ("pelt", "binseg"):
        raise ValueError("method must be 'pelt' or 'binseg'")
    if n_bkps is not None and method != "binseg":
        raise ValueError("n_bkps needs method='binseg'")
    cps, segs = [], []
    for m, g, s in _series_table(series, measure, group, skip_low_data):
        pos = np.flatnonzero(s.notna().to_numpy())
        y = s.to_numpy()[pos]
        dates = s.index[pos]
        n = len(y)
        if penalty is None:
            pen = k * _robust_sigma(y) ** 2 * np.log(max(n, 2))
        else:
            pen = float(penalty)
        if n < 2 * min_size or (penalty is None and pen == 0 and n_bkps is None):
            ends = [n]
        elif method == "pelt":
            ends = rpt.Pelt(model="l2", min_size=min_size, jump=jump).fit(y).predict(
                pen=pen)
        else:
            algo = rpt.Binseg(model="l2", min_size=min_size, jump=jump).fit(y)
            ends = (algo.predict(n_bkps=n_bkps) if n_bkps is not None
                    else algo.predict(pen=pen))
        bounds = [0, *ends]
        means = []
        for j in range(len(bounds) - 1):
            a, b = bounds[j], bounds[j + 1]
            seg = y[a:b]
            means.append(float(seg.mean()) if len(seg) else np.nan)
            segs.append({"measure": m, "group": g, "segment": j, "start": dates[a],
                         "end": dates[b - 1], "start_index": int(pos[a]),
                         "end_index": int(pos[b - 1]), "n": b - a,
                         "mean": means[-1],
                         "sd": float(seg.std(ddof=1)) if b - a > 1 else np.nan})
        for j in range(1, len(bounds) - 1):
            a = bounds[j]
            cps.append({"measure": m, "group": g, "date": dates[a],
                        "index": int(pos[a]), "before": means[j - 1],
                        "after": means[j], "magnitude": means[j] - means[j - 1],
                        "penalty": pen})
    cp_cols = ["measure", "group", "date", "index", "before", "after", "magnitude",
               "penalty"]
    cp = pd.DataFrame(cps, columns=cp_cols)
    cp["date"] = pd.to_datetime(cp["date"]).astype("datetime64[ns]")
    cp["index"] = cp["index"].astype(np.int64)
    params = dict(measure=measure, group=group, method=method, penalty=penalty, k=k,
                  n_bkps=n_bkps, min_size=min_size, jump=jump, model="l2",
                  skip_low_data=skip_low_data)
    import ruptures

    extra = dict(ruptures=getattr(ruptures, "__version__", "unknown"),
                 input=get_provenance(series) if isinstance(series, pd.DataFrame)
                 else {})
    _attach(cp, "changepoints", params, **extra)
    if not return_segments:
        return cp
    seg_cols = ["measure", "group", "segment", "start", "end", "start_index",
                "end_index", "n", "mean", "sd"]
    sg = pd.DataFrame(segs, columns=seg_cols)
    for col in ("start", "end"):
        sg[col] = pd.to_datetime(sg[col]).astype("datetime64[ns]")
    return cp, _attach(sg, "changepoints", params, **extra)


# ------------------------------------------------------------------------------ bursts
def _burst_counts(data, counts, totals, measures, freq, term):
    """(terms, period starts, r[terms, T], d[T]) from either input form."""
    if isinstance(data, pd.DataFrame) and counts is None:
        validate_frame(data, ("doc_id", "date", "measure", "value"), name="data")
        pfreq = _period_freq(freq)
        ords = _to_ordinals(data["date"], pfreq)
        ok = ords != np.iinfo(np.int64).min
        df = data.loc[ok, ["doc_id", "measure", "value"]].assign(_p=ords[ok])
        if df.empty:
            raise ValueError("data has no dated rows")
        lo, hi = int(df["_p"].min()), int(df["_p"].max())
        per_ords = np.arange(lo, hi + 1)
        docs = df.drop_duplicates("doc_id")
        if len(docs) != df.drop_duplicates(["doc_id", "_p"]).shape[0]:
            raise ValueError("documents with more than one date")
        d = np.bincount(docs["_p"].to_numpy() - lo, minlength=len(per_ords))
        rel = df[df["value"].to_numpy(np.float64) > 0]
        if measures is not None:
            rel = rel[rel["measure"].isin(list(measures))]
        rel = rel.drop_duplicates(["doc_id", "measure"])
        terms = (sorted(pd.unique(rel["measure"].astype(str))) if measures is None
                 else [str(m) for m in measures])
        code = pd.Series(range(len(terms)), index=terms)
        ti = code.reindex(rel["measure"].astype(str).to_numpy()).to_numpy(np.int64)
        r = np.zeros((len(terms), len(per_ords)), dtype=np.int64)
        np.add.at(r, (ti, rel["_p"].to_numpy() - lo), 1)
        return terms, _period_starts(per_ords, pfreq), r, d
    if counts is None or totals is None:
        raise ValueError("pass a doc-stats frame, or dates with counts= and totals=")
    dates = pd.DatetimeIndex(pd.to_datetime(np.asarray(data))).as_unit("ns")
    r = np.asarray(counts, dtype=np.int64).reshape(1, -1)
    d = np.asarray(totals, dtype=np.int64)
    if not (len(dates) == r.shape[1] == len(d)):
        raise ValueError("dates, counts and totals must have the same length")
    if np.any(r < 0) or np.any(r[0] > d):
        raise ValueError("need 0 <= counts <= totals")
    if len(dates) > 1 and not dates.is_monotonic_increasing:
        raise ValueError("dates must be sorted")
    return [term], dates, r, d


def _kleinberg_states(r: np.ndarray, d: np.ndarray, s: float, gamma: float,
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Viterbi of the two-state batched automaton for each row of ``r``.

    Returns (states[terms, T], cost0[terms, T], cost1[terms, T]) where cost_i is
    sigma(i, r_t, d_t) without the binomial coefficient (it is the same in both
    states, so it changes neither the optimal path nor the weights).
    """
    n_terms, T = r.shape
    R = r.sum(axis=1).astype(np.float64)
    D = float(d.sum())
    p0 = R / D
    p1 = s * p0
    dd = d[None, :].astype(np.float64)
    rr = r.astype(np.float64)

    def sigma(p):
        p = p[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(rr > 0, rr * np.log(p), 0.0)
            b = np.where(dd - rr > 0, (dd - rr) * np.log1p(-p), 0.0)
        return -(a + b)

    c0, c1 = sigma(p0), sigma(p1)
    tau = gamma * np.log(T)
    back = np.zeros((n_terms, T), dtype=np.int8)  # 1: state 1 at t came from state 1
    back0 = np.zeros((n_terms, T), dtype=np.int8)  # 1: state 0 at t came from 1
    f0 = c0[:, 0].copy()
    f1 = tau + c1[:, 0]
    for t in range(1, T):
        from1_to0 = f1 < f0  # ties: come from state 0
        stay1 = f1 <= f0 + tau  # ties: stay in the burst
        n0 = np.where(from1_to0, f1, f0) + c0[:, t]
        n1 = np.where(stay1, f1, f0 + tau) + c1[:, t]
        back0[:, t] = from1_to0
        back[:, t] = stay1
        f0, f1 = n0, n1
    states = np.zeros((n_terms, T), dtype=np.int8)
    cur = (f1 < f0).astype(np.int8)  # ties: end outside a burst
    for t in range(T - 1, -1, -1):
        states[:, t] = cur
        if t:
            cur = np.where(cur == 1, back[:, t], back0[:, t]).astype(np.int8)
    return states, c0, c1


def bursts(
    data: pd.DataFrame | Sequence,
    *,
    counts: Sequence[int] | None = None,
    totals: Sequence[int] | None = None,
    measures: Sequence[str] | None = None,
    freq: str = "M",
    s: float = 2.0,
    gamma: float = 1.0,
    term: str = "term",
) -> pd.DataFrame:
    r"""Bursts of a formula's use: Kleinberg's two-state automaton for batches.

    Per period :math:`t` there are :math:`d_t` documents, :math:`r_t` of which
    contain the term ("relevant"). With :math:`R=\sum r_t`, :math:`D=\sum d_t`,
    the base state emits relevant documents at rate :math:`p_0 = R/D` and the burst
    state at :math:`p_1 = s\,p_0`. The cost of state :math:`i` in period
    :math:`t` is :math:`\sigma_i(t) = -\ln\bigl[\binom{d_t}{r_t} p_i^{r_t}
    (1-p_i)^{d_t-r_t}\bigr]`; entering the burst state costs
    :math:`\gamma \ln n` (:math:`n` = number of periods), leaving it is free, and
    the automaton starts in the base state. The state sequence of least total cost
    is found exactly by the Viterbi algorithm (ties resolve to the base state, and
    a burst in progress continues on a tie). Each maximal run
    :math:`[t_1, t_2]` in the burst state is a burst of weight
    :math:`\sum_{t=t_1}^{t_2} (\sigma_0(t) - \sigma_1(t))`, the cost it saves.

    Parameters
    ----------
    data : pandas.DataFrame or sequence of dates
        A doc-stats frame (``doc_id``, ``date``, ``measure``, ``value``): one term
        per measure, a document is relevant when its value is > 0, and
        :math:`d_t` counts every document of the frame dated in the period (so
        the frame should hold every document, e.g. with zero counts). Or the
        period dates of one series, with ``counts`` and ``totals``.
    counts, totals : sequence of int, optional
        :math:`r_t` and :math:`d_t` when ``data`` is a sequence of dates.
    measures : sequence of str, optional
        Terms (measures) to analyse (default: all with a relevant document).
    freq : str
        Period of the batches (as in :func:`aggregate`; default monthly).
    s : float
        Burst rate multiplier (default 2, as Kleinberg 2002).
    gamma : float
        Transition cost factor (default 1).
    term : str
        Name of the term when ``data`` is a sequence of dates.

    Returns
    -------
    pandas.DataFrame
        One row per burst, sorted by term and start: ``term``, ``start``, ``end``
        (first day of the first and of the last period of the burst, inclusive),
        ``start_index``, ``end_index`` (period positions, inclusive), ``weight``,
        ``p0``, ``p1``. A term whose ``s * p0 >= 1`` cannot burst; it is skipped
        with a warning.

    See Also
    --------
    aggregate, changepoints, kcnalex.plot_xray

    References
    ----------
    .. [1] Kleinberg, J. (2002). Bursty and hierarchical structure in streams.
       *Proc. 8th ACM SIGKDD*, 91-101 (section 4, "Enumerating bursts").

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.date_range("2020-01-01", periods=4, freq="MS")
    >>> b = bursts(dates, counts=[1, 1, 5, 1], totals=[10, 10, 10, 10])
    >>> b[["start_index", "end_index"]].values.tolist()
    [[2, 2]]
    >>> round(float(b["weight"].iloc[0]), 6)  # 5 ln 2 + 5 ln(0.6/0.8) = 5 ln 1.5
    2.027326
    """
    if s <= 1:
        raise ValueError("s must be > 1")
    if gamma < 0:
        raise ValueError("gamma must be >= 0")
    terms, starts, r, d = _burst_counts(data, counts, totals, measures, freq, term)
    rows = []
    T = len(starts)
    if len(terms) and T and d.sum() > 0:
        p0 = r.sum(axis=1) / d.sum()
        ok = (s * p0 < 1) & (p0 > 0)
        for t_ in np.asarray(terms, dtype=object)[(s * p0 >= 1)]:
            warnings.warn(f"term {t_!r}: s * p0 >= 1, no burst state; skipped",
                          UserWarning, stacklevel=2)
        idx = np.flatnonzero(ok)
        if len(idx):
            states, c0, c1 = _kleinberg_states(r[idx], d, s, gamma)
            gain = c0 - c1
            for row, ti in enumerate(idx):
                st = states[row].astype(np.int64)
                edges = np.diff(np.r_[0, st, 0])
                for a, b in zip(np.flatnonzero(edges == 1),
                                np.flatnonzero(edges == -1) - 1):
                    rows.append({"term": terms[ti], "start": starts[a],
                                 "end": starts[b], "start_index": int(a),
                                 "end_index": int(b),
                                 "weight": float(gain[row, a:b + 1].sum()),
                                 "p0": float(p0[ti]), "p1": float(s * p0[ti])})
    cols = ["term", "start", "end", "start_index", "end_index", "weight", "p0", "p1"]
    out = pd.DataFrame(rows, columns=cols)
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    params = dict(measures=measures, freq=freq, s=s, gamma=gamma, n_periods=T)
    return _attach(out, "bursts", params,
                   input=get_provenance(data) if isinstance(data, pd.DataFrame)
                   else {})


# ------------------------------------------------------------------------------ events
def events(
    *,
    kinds: str | Iterable[str] | None = None,
    path: str | PathLike | None = None,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Dated events for annotating plots (shipped, versioned, sourced table).

    The shipped table ``kcnalex/data/events.csv`` (version :data:`EVENTS_VERSION`,
    notes and sources in ``data/events.md``) lists key events 1997-2026: leaders'
    deaths and title changes, party congresses and conferences, nuclear tests,
    missile and satellite launches, summits, diplomacy milestones and armed
    clashes. Each row cites a reference. Dates are those of the event itself (in
    Korea), not of its announcement, unless the event text says so.

    Parameters
    ----------
    kinds : str or iterable of str, optional
        Keep these kinds only: ``leadership``, ``title``, ``party``,
        ``nuclear_test``, ``missile``, ``satellite``, ``summit``, ``diplomacy``,
        ``military``.
    path : str or path-like, optional
        A CSV of the user's own with at least ``date`` and ``event`` (``kind`` and
        ``source_ref`` are added empty when absent).
    start, end : date-like, optional
        Keep events in ``[start, end]``.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64[ns]), ``event`` (str), ``kind`` (str), ``source_ref``
        (str), sorted by date; provenance holds the file's sha256 and version.

    See Also
    --------
    kcnalex.plot_timeseries, kcnalex.plot_stance

    Examples
    --------
    >>> ev = events(kinds="nuclear_test")
    >>> ev["date"].dt.year.tolist()
    [2006, 2009, 2013, 2016, 2016, 2017]
    """
    if path is None:
        raw = resources.files("kcnalex").joinpath("data", "events.csv").read_bytes()
        version = EVENTS_VERSION
        where = "kcnalex/data/events.csv"
    else:
        with open(path, "rb") as fh:
            raw = fh.read()
        version = None
        where = str(path)
    import io

    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                     comment=None)
    validate_frame(df, ("date", "event"), name="events file")
    for col in ("kind", "source_ref"):
        if col not in df.columns:
            df[col] = ""
    df = df[["date", "event", "kind", "source_ref"]].copy()
    df["date"] = pd.to_datetime(df["date"], format="ISO8601").astype("datetime64[ns]")
    if kinds is not None:
        ks = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = set(ks) - set(df["kind"])
        if path is None and unknown - set(EVENT_KINDS):
            raise ValueError(f"unknown event kind(s) {sorted(unknown)}; "
                             f"known: {list(EVENT_KINDS)}")
        df = df[df["kind"].isin(ks)]
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(start)]
    if end is not None:
        df = df[df["date"] <= pd.Timestamp(end)]
    df = df.sort_values("date", kind="stable").reset_index(drop=True)
    return _attach(df, "events", dict(kinds=kinds, path=None if path is None
                                      else str(path), start=start, end=end),
                   file=where, file_version=version, sha256=sha256_bytes(raw))
