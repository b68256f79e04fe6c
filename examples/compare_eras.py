"""Keyness: Kim Jong Un era (2012-2015) against Kim Jong Il era (2008-2011).

Reads a small, evenly spread slice of the real kcna.co.jp archive in
``../shared/corpora`` (one day file per month of 2008-2015), then compares the two
eras' word use with signed log-likelihood G² (``kcnalex.keyness``): positive keyness
means over-used in 2012-2015, negative under-used (that is, typical of 2008-2011).
Leaders' names are counted as one token each (``names=True``), so ``Kim Jong Un``
is a key term rather than its last word ``un``.
The same comparison is done for the formulae of the ``kcna-formulae`` lexicon.

Writes ``keyness_words.csv``, ``keyness_formulae.csv`` and ``keyness_words.png``.
Exits with "skipped: ../shared/corpora not found" when the real corpora are absent.

Run: ``python examples/compare_eras.py [--out DIR]``.
"""

from __future__ import annotations

from _common import day_files, parse_args, save, shared_corpora, write_csv

import kcnalex as kx

KIM_JONG_IL_ERA = ("2008-01-01", "2011-12-31")
KIM_JONG_UN_ERA = ("2012-01-01", "2015-12-31")


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    files = day_files(shared_corpora(), range(2008, 2016))
    corpus = kx.read_corpus(files)
    print(f"{len(files)} day files, {len(corpus)} English articles")

    words = kx.keyness(corpus, target=KIM_JONG_UN_ERA, reference=KIM_JONG_IL_ERA,
                       terms="words", measure="llr", names=True)
    write_csv(words, args.out / "keyness_words.csv")
    print(words.head(10).to_string())

    formulae = kx.keyness(corpus, target=KIM_JONG_UN_ERA, reference=KIM_JONG_IL_ERA,
                          terms="kcna-formulae", min_count=3, min_df=2)
    write_csv(formulae, args.out / "keyness_formulae.csv")

    ax = kx.plot_keyness(words, n=15, labels=("more in 2012-2015",
                                              "more in 2008-2011"))
    ax.set_title("Key words, Kim Jong Un era vs Kim Jong Il era (G²)")
    save(ax, args.out / "keyness_words.png")


if __name__ == "__main__":
    main()
