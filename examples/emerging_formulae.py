"""Emerging formulae: bursts of formula use, 1997-2015 (Kleinberg's automaton).

Uses the bundled monthly totals per formula entry of the real kcna.co.jp archive
(``kcnalex.load_stats(table="entries")``: per month and entry, the documents with a
match and the month's documents; numbers only). For every entry found in at least
``MIN_DOCS`` documents, ``kcnalex.bursts`` finds the months in which the share of
documents using it jumps (two-state automaton, burst rate ``s = 2`` times the base
rate, transition cost ``ln n``). Formulae whose first burst starts in 2012 or later
are the ones that emerged with the Kim Jong Un era.

Writes ``bursts.csv`` (every burst: entry, start, end, weight), ``emerging.csv``
(entries whose first burst starts in 2012 or later) and ``emerging.png`` (their
yearly rate per 1,000 word tokens).

Run: ``python examples/emerging_formulae.py [--out DIR]``.
"""

from __future__ import annotations

import warnings

import pandas as pd
from _common import bundled_stats, parse_args, save, write_csv

import kcnalex as kx

MIN_DOCS = 30
SINCE = pd.Timestamp("2012-01-01")


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    entries = bundled_stats("entries")  # month, entry, category, n, n_docs, ...
    months = (entries.drop_duplicates("month")
              .set_index("month")[["month_docs", "month_tokens"]].sort_index())
    months = months.reindex(pd.date_range(months.index.min(), months.index.max(),
                                          freq="MS"), fill_value=0)
    # (months come from the rows of the entries table: a month whose documents had
    # no match at all would be missing; in the real archive every month has some)
    totals = months["month_docs"].to_numpy()

    frames = []
    docs_per_entry = entries.groupby("entry")["n_docs"].sum()
    for entry in sorted(docs_per_entry[docs_per_entry >= MIN_DOCS].index):
        rows = entries[entries["entry"] == entry].set_index("month")["n_docs"]
        counts = rows.reindex(months.index, fill_value=0).to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # s * p0 >= 1: no burst
            b = kx.bursts(months.index, counts=counts, totals=totals, term=entry)
        frames.append(b)
    bursts = pd.concat(frames, ignore_index=True)
    write_csv(bursts, args.out / "bursts.csv")

    first = bursts.sort_values("start").drop_duplicates("term")
    emerging = first[first["start"] >= SINCE].sort_values("weight", ascending=False)
    write_csv(emerging, args.out / "emerging.csv")
    print(emerging[["term", "start", "end", "weight"]].head(15).to_string())

    # yearly rate of the 15 strongest emerging entries: 1000 * matches / tokens
    top = emerging["term"].head(15).tolist()
    year = entries["month"].dt.year
    tokens = months.groupby(months.index.year)["month_tokens"].sum()
    n = (entries[entries["entry"].isin(top)].groupby([year, "entry"])["n"].sum()
         .unstack(fill_value=0).reindex(tokens.index, fill_value=0))
    rates = (1000 * n.div(tokens, axis=0)).stack().rename("value").reset_index()
    rates.columns = ["year", "measure", "value"]
    rates["period"] = pd.to_datetime(rates["year"].astype(str) + "-01-01")
    rates["group"] = "all"
    ax = kx.plot_heatmap(rates, sort="peak",
                         title="Formulae whose first burst is in 2012 or later "
                               "(per 1,000 word tokens)")
    save(ax, args.out / "emerging.png")


if __name__ == "__main__":
    main()
