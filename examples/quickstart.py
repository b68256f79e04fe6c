"""Quickstart: the whole chain on the bundled sample, in a dozen lines.

Reads the bundled SYNTHETIC sample (invented KCNA-style articles, for demonstration
only), counts formulae, measures honorifics and sentiment, runs the one-pass pipeline,
aggregates per year with bootstrap intervals, and writes:

- ``quickstart_formulae.csv``: formula counts per document (long form);
- ``quickstart_yearly.csv``: every measure per year (period stats);
- ``quickstart.png``: formula rate per 1,000 word tokens per year, with its 95% band.

Run: ``python examples/quickstart.py [--out DIR]``.
"""

from __future__ import annotations

from _common import parse_args, save, write_csv

import kcnalex as kx


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    corpus, report = kx.read_corpus(kx.io.SAMPLE_DIR, with_report=True)
    print(f"{report.records_in} records read, {report.kept} kept, dropped: "
          f"{dict(sorted(report.dropped.items()))}")

    counts = kx.count_formulae(corpus)  # doc_id, date, entry, category, count, n_tokens
    write_csv(counts, args.out / "quickstart_formulae.csv")
    print(counts.groupby("entry")["count"].sum().nlargest(5).to_string())

    honor = kx.honorific_density(corpus)
    print(honor.groupby("leader")[["n_mentions", "n_honorifics"]].sum().to_string())

    stats = kx.analyze(corpus)  # long doc stats: doc_id, date, measure, value, ...
    yearly = kx.aggregate(stats, freq="Y", min_docs=3)  # + analyze's ratios
    write_csv(yearly, args.out / "quickstart_yearly.csv")

    ax = kx.plot_timeseries(yearly, measure="n_formulae",
                            ylabel="formulae per 1,000 word tokens",
                            title="Formula rate (bundled SYNTHETIC sample)")
    save(ax, args.out / "quickstart.png")


if __name__ == "__main__":
    main()
