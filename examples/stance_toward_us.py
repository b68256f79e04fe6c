"""Stance toward the United States, quarter by quarter, 2012-2014 (real archive).

Reads a small, evenly spread slice of the real kcna.co.jp archive in
``../shared/corpora`` (one day file per month, 36 files), scores every sentence that
names a target (``kcnalex.stance``), and reduces it to the mean sentence stance
toward the US per quarter with 95% bootstrap intervals (``kcnalex.stance_series``).
Nuclear tests and missile launches are marked.

Writes ``stance_us_sentences.csv`` (one row per sentence naming the US: record
references, offsets and scores, no text), ``stance_us_quarterly.csv`` and
``stance_us.png``. Exits with "skipped: ../shared/corpora not found" when the real
corpora are absent.

Run: ``python examples/stance_toward_us.py [--out DIR]``.
"""

from __future__ import annotations

from _common import day_files, parse_args, save, shared_corpora, write_csv

import kcnalex as kx


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    files = day_files(shared_corpora(), range(2012, 2015))
    corpus = kx.read_corpus(files)
    print(f"{len(files)} day files, {len(corpus)} English articles")

    st = kx.stance(corpus)  # doc_id, date, sent_id, target, score, stance, ...
    us = st[st["target"] == "US"]
    write_csv(us, args.out / "stance_us_sentences.csv")
    print(us["stance"].value_counts().sort_index().to_string())

    quarterly = kx.stance_series(st, freq="Q", targets=["US"], min_docs=5)
    write_csv(quarterly, args.out / "stance_us_quarterly.csv")

    ev = kx.events(kinds=["nuclear_test", "summit"], start="2012-01-01",
                   end="2014-12-31")
    ax = kx.plot_stance(quarterly, events=ev)
    ax.set_title("Mean sentence stance toward the US (kcna.co.jp, 1 day a month)")
    save(ax, args.out / "stance_us.png")


if __name__ == "__main__":
    main()
