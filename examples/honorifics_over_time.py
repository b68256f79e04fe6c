"""Honorific density of the four DPRK leaders per year, 1997-2015.

Uses the bundled statistics of the real kcna.co.jp archive (``kcnalex.load_stats``:
per-document counts, no text), so it needs no corpus. For each leader:

- ``n_honorifics`` rate: honorific units (epithets and titles right before the name)
  per 1,000 word tokens of the year, as a ratio estimator over all the year's
  documents, with a 95% percentile bootstrap interval over documents;
- ``honored_share``: honoured mentions / mentions (ratio of sums).

Writes ``honorifics_yearly.csv``, ``honorifics.png`` and ``honored_share.png``.

Run: ``python examples/honorifics_over_time.py [--out DIR]``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _common import bundled_stats, parse_args, save, write_csv

import kcnalex as kx

LEADERS = ["Kim Il Sung", "Kim Jong Il", "Kim Jong Un", "Kim Jong Suk"]


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    wide = bundled_stats()  # one row per document, the columns of kx.analyze
    cols = [f"{m}:{leader}" for leader in LEADERS
            for m in ("n_mentions", "n_honored", "n_honorifics")]
    # n_sentences keeps one row per document (to_long leaves zero counts out), so
    # every document's tokens enter the denominators of every leader's rates
    long = kx.to_long(wide[["doc_id", "date", "source", "n_tokens", "n_sentences",
                            *cols]])
    ratios = {f"honored_share:{leader}": (f"n_honored:{leader}",
                                          f"n_mentions:{leader}")
              for leader in LEADERS}
    yearly = kx.aggregate(long, freq="Y", ratios=ratios,
                          measures=[f"n_honorifics:{leader}" for leader in LEADERS])
    # "n_honorifics:Kim Jong Un" -> measure "n_honorifics", group "Kim Jong Un"
    yearly = kx.split_measures(yearly)
    write_csv(yearly, args.out / "honorifics_yearly.csv")

    ev = kx.events(kinds=["leadership", "title"], start="1997-01-01",
                   end="2015-12-31")
    fig = plt.figure(figsize=(10, 6), layout="constrained")
    kx.plot_honorifics(yearly, measure="n_honorifics", events=ev, fig=fig)
    fig.suptitle("Honorific units per 1,000 word tokens (kcna.co.jp, 1997-2015)")
    save(fig, args.out / "honorifics.png")

    fig = plt.figure(figsize=(10, 6), layout="constrained")
    kx.plot_honorifics(yearly, measure="honored_share", events=ev, fig=fig)
    fig.suptitle("Share of mentions with an honorific")
    save(fig, args.out / "honored_share.png")


if __name__ == "__main__":
    main()
