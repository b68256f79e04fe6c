"""Print the document frequency of every kcna-formulae entry on the real archive.

Reads a sample of the kcna.co.jp day files (every ``--step``-th file, all years
1997-2015; ``--step 1`` reads all of them) and the kcna.kp 2024 scrape from
``../shared/corpora`` (or ``$KCNALEX_SHARED_CORPORA``) with :func:`kcnalex.read_corpus`,
matches the lexicon with :class:`kcnalex.phrases.FormulaMatcher`, and prints, per
entry: the number of documents in which it is counted (leftmost-longest, as
``count_formulae`` counts), the number with ``overlaps="all"``, and its total count.
Entries never counted are listed at the end (``NEVER``); the shipped lexicon keeps
none of them. Nothing from the corpora is written to the repository.

Usage::

    python data-raw/check_formulae.py [--step 10] [--lexicon kcna-formulae] [--csv out]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import kcnalex as kx
from kcnalex.phrases import FormulaMatcher

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))


def read_sample(step: int) -> pd.DataFrame:
    days = sorted(glob.glob(str(SHARED / "kcna-co-jp" / "days" / "*.json.gz")))
    if not days:
        sys.exit(f"no real corpora under {SHARED}")
    cojp = kx.read_corpus(days[::step], near_duplicates=False)
    kp = kx.read_corpus(SHARED / "kcna-kp-2024" / "headlines_2024-09-30.json",
                        near_duplicates=False)
    return pd.concat([cojp, kp], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=10,
                    help="read every STEP-th kcna.co.jp day file (default 10)")
    ap.add_argument("--lexicon", default="kcna-formulae")
    ap.add_argument("--csv", help="also write the table to this CSV file")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    docs = read_sample(args.step)
    texts = docs["text"].tolist()
    longest = FormulaMatcher(args.lexicon, overlaps="longest")
    every = FormulaMatcher(args.lexicon, overlaps="all")
    c_long = longest.count_many(texts)
    c_all = every.count_many(texts)
    src = docs["source"].to_numpy()
    is_kp = src == "kcna.kp"
    table = pd.DataFrame({
        "entry": longest.entries,
        "category": longest.categories,
        "df": (c_long > 0).sum(axis=0),
        "df_cojp": (c_long[~is_kp] > 0).sum(axis=0),
        "df_kp2024": (c_long[is_kp] > 0).sum(axis=0),
        "df_all_overlaps": (c_all > 0).sum(axis=0),
        "count": c_long.sum(axis=0),
    })
    info = longest.lexicon.attrs["kcnalex"]
    print(f"# lexicon {info['name']} {info['version']} sha256 {info['sha256'][:12]}; "
          f"{len(docs)} documents ({(~is_kp).sum()} kcna.co.jp, every {args.step}th "
          f"day file; {is_kp.sum()} kcna.kp 2024); "
          f"{time.perf_counter() - t0:.1f} s")
    with pd.option_context("display.max_rows", None, "display.width", 120):
        print(table.to_string(index=False))
    never = table.loc[table["df"] == 0, "entry"].tolist()
    print(f"# {len(table)} entries; {np.count_nonzero(table['df'])} occur; "
          f"NEVER counted: {len(never)}")
    for e in never:
        print(f"NEVER {e}")
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
