"""Benchmark kcnalex.aggregate at archive scale (synthetic doc stats).

200,000 documents x 20 measures (10 counts, 10 scores) spread over 228 months
(1997-2015), ``freq="M"``, 1,000 bootstrap replicates. Run on demand::

    python benchmarks/bench_timeseries.py

Writes ``benchmarks/results/timeseries.json``.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import kcnalex
from kcnalex.timeseries import aggregate, bursts, changepoints

N_DOCS, N_MEASURES, N_MONTHS = 200_000, 20, 228


def make_doc_stats(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.period_range("1997-01", periods=N_MONTHS, freq="M")
    days = rng.integers(0, 28, N_DOCS)
    mi = rng.integers(0, N_MONTHS, N_DOCS)
    dates = months.start_time[mi] + pd.to_timedelta(days, unit="D")
    ntok = rng.integers(50, 1500, N_DOCS)
    names = [f"n_f{i}" for i in range(N_MEASURES // 2)] + [
        f"s{i}" for i in range(N_MEASURES - N_MEASURES // 2)]
    frames = []
    for j, m in enumerate(names):
        val = (rng.poisson(ntok * 0.002 * (j + 1)) if m.startswith("n_")
               else rng.normal(0, 1, N_DOCS))
        frames.append(pd.DataFrame({"doc_id": np.arange(N_DOCS).astype(str),
                                    "date": dates, "measure": m, "value": val,
                                    "n_tokens": ntok}))
    return pd.concat(frames, ignore_index=True)


def changepoint_false_positives(n_series: int = 200) -> dict:
    """Share of pure-noise series where the default PELT penalty finds a change."""
    out = {}
    for n in (60, 228):
        idx = pd.date_range("1997-01-01", periods=n, freq="MS")
        for k in (2.0, 3.0):
            hits = [len(changepoints(pd.Series(
                np.random.default_rng(s).normal(0, 1, n), index=idx), k=k)) > 0
                for s in range(n_series)]
            out[f"n{n}_k{k:g}"] = float(np.mean(hits))
    return out


def _timed(fn, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process)."""
    w, c = time.perf_counter(), time.process_time()
    res = fn(*args, **kwargs)
    return res, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ds, t_make, _ = _timed(make_doc_stats)
    out, t_agg, c_agg = _timed(aggregate, ds, freq="M")
    out_noci, t_noci, c_noci = _timed(aggregate, ds, freq="M", ci=None)
    # bursts need terms in a minority of documents: keep 5% of the count rows
    counts = ds[ds["measure"].str.startswith("n_")]
    keep = np.random.default_rng(2).random(len(counts)) < 0.05
    sparse = counts.assign(value=np.where(keep, counts["value"], 0))
    b, t_burst, c_burst = _timed(bursts, sparse, freq="M")
    res = {
        "kcnalex": kcnalex.__version__, "python": platform.python_version(),
        "numpy": np.__version__, "pandas": pd.__version__,
        "rows": len(ds), "docs": N_DOCS, "measures": N_MEASURES, "months": N_MONTHS,
        "n_boot": 1000, "seconds_make_input": round(t_make, 2),
        "note": "wall seconds depend on the load of the shared 2-core machine; "
                "cpu_seconds is this process's CPU time (BLAS may use 2 threads)",
        "seconds_aggregate_ci": round(t_agg, 2),
        "cpu_seconds_aggregate_ci": round(c_agg, 2),
        "seconds_aggregate_no_ci": round(t_noci, 2),
        "cpu_seconds_aggregate_no_ci": round(c_noci, 2),
        "seconds_bursts_10_terms": round(t_burst, 2),
        "cpu_seconds_bursts_10_terms": round(c_burst, 2),
        "output_rows": len(out), "output_rows_no_ci": len(out_noci),
        "bursts_found": len(b),
        "changepoint_false_positive_rate": changepoint_false_positives(),
    }
    print(json.dumps(res, indent=2))
    path = Path(__file__).parent / "results" / "timeseries.json"
    path.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
