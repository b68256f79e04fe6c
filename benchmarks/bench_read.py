"""Benchmark the corpus reader on the whole kcna.co.jp archive.

Runs each mode in a fresh subprocess (so peak RSS is the mode's own) and writes
``benchmarks/results/read.json``:

* ``read_corpus``: wall time, peak RSS, the report summary, kept English documents
  per year, date sources, share of kept documents without a date;
* ``iter_corpus`` (chunks of 20,000 records): wall time, peak RSS, kept/dropped;
* with ``--thresholds``: near-duplicate counts at Jaccard 0.8 / 0.85 / 0.9
  (one extra read at 0.8; pairs dropped at 0.8 counted by their Jaccard), and the
  detected languages per year of every non-empty record (``lang=None``, no dedup).

Usage::

    python benchmarks/bench_read.py [--corpus ../shared/corpora/kcna-co-jp/days]
                                    [--thresholds] [--mode read|iter]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "kcna-co-jp" / "days"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return round(ru.ru_utime + ru.ru_stime, 2)


def run_mode(mode: str, corpus: str) -> dict:
    import kcnalex as kx
    from kcnalex import io as kio

    t0 = time.perf_counter()
    if mode == "read":
        df, rep = kx.read_corpus(corpus, with_report=True, progress=False)
        wall = time.perf_counter() - t0
        years = df["date"].dt.year
        out = {
            "wall_s": round(wall, 2),
            "cpu_s": _cpu_s(),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "report": rep.to_dict(details=False),
            "kept_english_per_year": {
                str(int(y)): int(n) for y, n in years.value_counts().sort_index()
                .items()},
            "date_source": {k: int(v) for k, v in
                            df["date_source"].value_counts().items()},
            "no_date_share": float(df["date"].isna().mean()),
            "near_duplicates_jaccard": sorted(
                d["jaccard"] for d in rep.duplicates
                if d["reason"] == "near_duplicate"),
        }
    elif mode == "iter":
        chunks = kio.iter_corpus(corpus, progress=False)
        n_rows = n_chunks = 0
        for df in chunks:
            n_rows += len(df)
            n_chunks += 1
        wall = time.perf_counter() - t0
        rep = chunks.report
        out = {"wall_s": round(wall, 2), "cpu_s": _cpu_s(),
               "peak_rss_mb": round(_peak_rss_mb(), 1), "chunks": n_chunks,
               "rows": n_rows, "records_in": rep.records_in, "kept": rep.kept,
               "dropped": rep.dropped}
    elif mode == "t080":
        df, rep = kx.read_corpus(corpus, with_report=True, progress=False,
                                 near_duplicate_threshold=0.8)
        jac = [d["jaccard"] for d in rep.duplicates
               if d["reason"] == "near_duplicate"]
        out = {"wall_s": round(time.perf_counter() - t0, 2),
               "near_duplicates_at_0.80_run": len(jac),
               "of_which_jaccard_ge_0.85": sum(j >= 0.85 for j in jac),
               "of_which_jaccard_ge_0.90": sum(j >= 0.90 for j in jac),
               "examples": [d for d in rep.duplicates
                            if d["reason"] == "near_duplicate"][:20]}
    elif mode == "langs":
        df = kx.read_corpus(corpus, lang=None, dedup=False, progress=False)
        tab = df.groupby([df["date"].dt.year, "lang"]).size().unstack(fill_value=0)
        out = {"wall_s": round(time.perf_counter() - t0, 2),
               "lang_per_year": {str(int(y)): {k: int(v) for k, v in row.items() if v}
                                 for y, row in tab.iterrows()},
               "lang_total": {k: int(v) for k, v in df["lang"].value_counts().items()}}
    else:
        raise ValueError(mode)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--mode", default=None)
    ap.add_argument("--thresholds", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" /
                                         "read.json"))
    args = ap.parse_args()
    if args.mode:  # child process
        print(json.dumps(run_mode(args.mode, args.corpus)))
        return
    if not Path(args.corpus).exists():
        sys.exit(f"corpus not found: {args.corpus}")
    modes = ["read", "iter"] + (["t080", "langs"] if args.thresholds else [])
    results = {"corpus": Path(args.corpus).name, "python": platform.python_version(),
               "cpus": os.cpu_count(), "load_avg_before": os.getloadavg()}
    for mode in modes:
        proc = subprocess.run([sys.executable, __file__, "--mode", mode, "--corpus",
                               args.corpus], capture_output=True, text=True,
                              check=True)
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
        shown = ("wall_s", "cpu_s", "peak_rss_mb", "rows", "kept")
        print(mode, {k: v for k, v in results[mode].items() if k in shown},
              flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
