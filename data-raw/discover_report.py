"""Run formula discovery, keyness and lifecycles on the kcna.co.jp archive 1997-2015.

Usage::

    python data-raw/discover_report.py [--days ../shared/corpora/kcna-co-jp/days]
        [--min-df 20] [--top 100] [--no-lifecycle] [--out FILE]

Reads the real archive through :func:`kcnalex.read_corpus` (never copied into the
repository), then prints and writes to ``benchmarks/results/discover.json``:

* the top candidates of :func:`kcnalex.discover_formulae` (phrase, n, df, tf, score,
  first/last date, example doc_ids) -- phrases and numbers only, no article text;
* keyness of words and of formulae, 2012-2015 against 1997-2011, top 15 each way;
* :func:`kcnalex.formula_lifecycle` of the shipped ``kcna-formulae`` lexicon (status
  counts and the ten strongest emerging / declining entries);
* wall times, peak memory (max RSS), corpus size and provenance.

The full run takes a few minutes on two cores; run it on demand, not in the tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DAYS = ROOT.parent / "shared" / "corpora" / "kcna-co-jp" / "days"


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _jsonable(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        row = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                v = None if pd.isna(v) else v.strftime("%Y-%m-%d")
            elif isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating, float)):
                v = None if not np.isfinite(v) else round(float(v), 4)
            elif v is pd.NA or v is pd.NaT:
                v = None
            row[k] = v
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=Path, default=DEFAULT_DAYS)
    ap.add_argument("--min-df", type=int, default=20)
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--no-lifecycle", action="store_true")
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "discover.json")
    args = ap.parse_args(argv)

    import kcnalex as kx

    if not args.days.exists():
        print(f"archive not found: {args.days}", file=sys.stderr)
        return 2
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    result: dict = {"python": platform.python_version(),
                    "kcnalex": kx.__version__, "timings_s": {}, "cpu_s": {}}

    t0, c0 = time.perf_counter(), time.process_time()
    files = sorted(args.days.glob("*.json.gz"))
    corpus = kx.read_corpus(files, progress=False)
    result["timings_s"]["read_corpus"] = round(time.perf_counter() - t0, 1)
    result["cpu_s"]["read_corpus"] = round(time.process_time() - c0, 1)
    dates = pd.to_datetime(corpus["date"])
    result["corpus"] = {
        "files": len(files), "documents": len(corpus),
        "first_date": str(dates.min().date()), "last_date": str(dates.max().date()),
        "lang": corpus["lang"].value_counts().to_dict(),
    }
    print(f"read {len(corpus)} documents in {result['timings_s']['read_corpus']} s")

    # -- discovery ---------------------------------------------------------------
    t0, c0 = time.perf_counter(), time.process_time()
    found = kx.discover_formulae(corpus, min_df=args.min_df, top=args.top)
    result["timings_s"]["discover_formulae"] = round(time.perf_counter() - t0, 1)
    result["cpu_s"]["discover_formulae"] = round(time.process_time() - c0, 1)
    rec = found.attrs["kcnalex"]
    result["discover"] = {
        "params": rec["params"], "lexicons": rec["lexicons"],
        "n_docs": rec["n_docs"], "n_tokens_all": rec["n_tokens_all"],
        "rows": _jsonable(found.assign(
            examples=[[e["doc_id"] for e in ex] for ex in found["examples"]]
        ).rename(columns={"examples": "example_doc_ids"})),
    }
    print(f"\ndiscover_formulae: {result['timings_s']['discover_formulae']} s, "
          f"{rec['n_docs']} documents, {rec['n_tokens_all']} tokens")
    print(found[["phrase", "n", "df", "tf", "score", "first_date", "last_date"]]
          .head(args.top).to_string())

    # -- keyness -----------------------------------------------------------------
    result["keyness"] = {}
    for terms in ("words", "formulae"):
        t0, c0 = time.perf_counter(), time.process_time()
        key = kx.keyness(corpus, target=("2012-01-01", "2015-12-31"),
                         reference=("1997-01-01", "2011-12-31"), terms=terms,
                         min_df=args.min_df, min_count=20)
        result["timings_s"][f"keyness_{terms}"] = round(time.perf_counter() - t0, 1)
        result["cpu_s"][f"keyness_{terms}"] = round(time.process_time() - c0, 1)
        cols = ["term", "n_target", "n_reference", "keyness", "effect", "p_value"]
        over, under = key.head(15)[cols], key.tail(15)[cols].iloc[::-1]
        krec = key.attrs["kcnalex"]
        result["keyness"][terms] = {
            "n_docs_target": krec["n_docs_target"],
            "n_docs_reference": krec["n_docs_reference"],
            "n_tokens_target": krec["n_tokens_target"],
            "n_tokens_reference": krec["n_tokens_reference"],
            "n_terms": len(key),
            "over_used_2012_2015": _jsonable(over),
            "under_used_2012_2015": _jsonable(under),
        }
        print(f"\nkeyness ({terms}), 2012-2015 vs 1997-2011: "
              f"{result['timings_s'][f'keyness_{terms}']} s")
        print("over-used in 2012-2015:\n" + over.to_string(index=False))
        print("under-used in 2012-2015:\n" + under.to_string(index=False))

    # -- lifecycle ---------------------------------------------------------------
    if not args.no_lifecycle:
        t0, c0 = time.perf_counter(), time.process_time()
        life = kx.formula_lifecycle(corpus, lexicon="kcna-formulae", freq="Y")
        result["timings_s"]["formula_lifecycle"] = round(time.perf_counter() - t0, 1)
        result["cpu_s"]["formula_lifecycle"] = round(time.process_time() - c0, 1)
        cols = ["entry", "category", "first_date", "last_date", "n_docs",
                "peak_period", "peak_rate_per_1k", "trend", "change_rel", "status"]
        result["lifecycle"] = {
            "status_counts": {str(k): int(v) for k, v in
                              life["status"].value_counts(dropna=False).items()},
            "emerging": _jsonable(life[life["status"] == "emerging"].head(10)[cols]),
            "declining": _jsonable(life[life["status"] == "declining"]
                                   .sort_values("change_rel").head(10)[cols]),
            "new": _jsonable(life[life["status"] == "new"][cols]),
            "vanished": _jsonable(life[life["status"] == "vanished"][cols]),
        }
        print(f"\nformula_lifecycle: {result['timings_s']['formula_lifecycle']} s")
        print(result["lifecycle"]["status_counts"])
        print(life[cols].head(12).to_string(index=False))
        print(life[life["status"] == "declining"].sort_values("change_rel")
              .head(10)[cols].to_string(index=False))

    result["max_rss_mb"] = round(_maxrss_mb(), 0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"\nwall s {result['timings_s']}\ncpu s {result['cpu_s']}")
    print(f"max RSS {result['max_rss_mb']} MB; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
