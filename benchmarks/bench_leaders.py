"""Benchmark and real-archive run of kcnalex.leaders (run on demand, not in tests).

    python benchmarks/bench_leaders.py [--days N] [--out PATH]

Reads the kcna.co.jp archive 1997-2015 (``../shared/corpora/kcna-co-jp/days``, English
records, as ``read_corpus`` cleans them) and

1. times ``leader_mentions`` on the whole archive (MB/s of text), and, if
   ``kcnalex.phrases.count_formulae`` is available, the formula matcher on the same
   frame (speed requirement: leader mentions in under 2x its time);
2. times ``honorific_density`` (which adds the word-token counts);
3. writes the per-year table of honorific units per 1,000 tokens and honoured-mention
   share for each of the four leaders (ratio of sums over the year's documents), and
   the checks: first month with a Kim Jong Un mention, Kim Jong Il's units before and
   after December 2011.

Results go to ``benchmarks/results/leaders.json``. ``--days N`` uses every N-th day
file (quick runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))
DAYS = SHARED / "kcna-co-jp" / "days"
LEADERS = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un", "Kim Jong Suk")


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=1, help="use every N-th day file")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"
                                         / "leaders.json"))
    args = ap.parse_args()

    from kcnalex._provenance import get_provenance
    from kcnalex.io import read_corpus
    from kcnalex.leaders import honorific_density, leader_mentions

    files = sorted(str(p) for p in DAYS.glob("*.json.gz"))[:: args.days]
    corpus, t_read = _timed(read_corpus, files, progress=False)
    mb = corpus["text"].str.len().sum() / 1e6
    print(f"read {len(files)} files: {len(corpus)} English docs, {mb:.1f} MB text, "
          f"{t_read:.1f} s")

    mentions, t_ment = _timed(leader_mentions, corpus)
    print(f"leader_mentions: {len(mentions)} mentions, {t_ment:.2f} s, "
          f"{mb / t_ment:.1f} MB/s")
    density, t_dens = _timed(honorific_density, corpus)
    print(f"honorific_density (with token counts): {t_dens:.2f} s, "
          f"{mb / t_dens:.1f} MB/s")

    formulae = None
    try:
        from kcnalex.phrases import count_formulae
    except ImportError:  # pragma: no cover - depends on the other module
        count_formulae = None
    if count_formulae is not None:
        try:
            _, t_form = _timed(count_formulae, corpus)
            formulae = {"seconds": round(t_form, 3), "mb_per_s": round(mb / t_form, 2),
                        "ratio_leader_mentions_to_formulae": round(t_ment / t_form, 3),
                        "ratio_honorific_density_to_formulae":
                            round(t_dens / t_form, 3)}
            print(f"count_formulae: {t_form:.2f} s; leader_mentions / formulae = "
                  f"{t_ment / t_form:.2f}; honorific_density / formulae = "
                  f"{t_dens / t_form:.2f}")
        except Exception as exc:  # pragma: no cover - report, do not fail
            formulae = {"error": repr(exc)}

    # per-year table: ratio of sums over the year's documents
    d = density.assign(year=density["date"].dt.year)
    g = d.groupby(["year", "leader"], sort=True)[
        ["n_tokens", "n_mentions", "n_honored", "n_honorifics"]].sum()
    g["honorifics_per_1k"] = 1000 * g["n_honorifics"] / g["n_tokens"]
    g["honored_share"] = g["n_honored"] / g["n_mentions"].where(g["n_mentions"] > 0)
    g["units_per_mention"] = g["n_honorifics"] / g["n_mentions"].where(
        g["n_mentions"] > 0)
    table = g.reset_index()
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(table.pivot(index="year", columns="leader",
                          values=["honorifics_per_1k", "honored_share"]).round(3))

    # checks
    dates = corpus.set_index("doc_id")["date"]
    m = mentions.assign(date=mentions["doc_id"].map(dates))
    kju = m[m["leader"] == "Kim Jong Un"].sort_values("date")
    kju_months = kju["date"].dt.to_period("M").value_counts().sort_index()
    kji = m[m["leader"] == "Kim Jong Il"].explode("honorifics")
    kji["unit"] = kji["honorifics"].str.lower()
    kji["after"] = np.where(kji["date"] >= "2011-12-19", "after", "before")
    n_kji = m[m["leader"] == "Kim Jong Il"].assign(
        after=lambda x: np.where(x["date"] >= "2011-12-19", "after", "before")
    ).groupby("after").size()
    unit_share = (kji.dropna(subset=["unit"]).groupby(["after", "unit"]).size()
                  .div(n_kji, level="after").rename("units_per_mention"))
    top = {k: unit_share.loc[k].sort_values(ascending=False).head(12).round(4)
           .to_dict() for k in ("before", "after") if k in unit_share.index}
    # the same mentions, classified by the pair of units before the name
    pair = m[m["leader"] == "Kim Jong Il"].copy()
    pair["span"] = pair["honorifics"].map(lambda h: " ".join(h).lower())
    pair["after"] = np.where(pair["date"] >= "2011-12-19", "after", "before")
    spans = (pair.groupby(["after", "span"]).size().div(n_kji, level="after")
             .rename("share"))
    top_spans = {k: spans.loc[k].sort_values(ascending=False).head(8).round(4)
                 .to_dict() for k in ("before", "after") if k in spans.index}
    checks = {
        "kim_jong_un_first_mention": str(kju["date"].min().date()) if len(kju)
        else None,
        "kim_jong_un_mentions_by_month_2010_2011": {
            str(k): int(v) for k, v in kju_months.items()
            if str(k) < "2012-01"},
        "kim_jong_il_units_per_mention_before_after_2011_12_19": top,
        "kim_jong_il_honorific_spans_before_after_2011_12_19": top_spans,
        "kim_jong_il_mentions_before_after": {k: int(v) for k, v in n_kji.items()},
    }
    print(json.dumps(checks, indent=1))

    result = {
        "benchmark": "leaders",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "n_files": len(files),
        "n_docs": int(len(corpus)),
        "text_mb": round(mb, 2),
        "read_seconds": round(t_read, 2),
        "leader_mentions": {"seconds": round(t_ment, 3),
                            "mb_per_s": round(mb / t_ment, 2),
                            "n_mentions": int(len(mentions))},
        "honorific_density": {"seconds": round(t_dens, 3),
                              "mb_per_s": round(mb / t_dens, 2)},
        "count_formulae": formulae,
        "provenance": get_provenance(density),
        "per_year": table.to_dict(orient="records"),
        "checks": checks,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
