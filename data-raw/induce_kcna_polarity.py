"""Rebuild src/kcnalex/data/lexicons/kcna-polarity.{csv,json} (SentProp on kcna.co.jp).

Induces the ``kcna-polarity`` lexicon from the English articles of the kcna.co.jp
archive 1997-2015 with :func:`kcnalex.induce_lexicon` (Hamilton et al. 2016) and
writes:

* ``kcna-polarity.csv``: a ``#`` comment header (name, version, seeds, parameters),
  then the columns ``word, score, confidence, sd, count, version`` - words and
  numbers only, no text from the corpus;
* ``kcna-polarity.json``: the sidecar (seeds, parameters, input description, library
  and tokenizer versions, seeds of every bootstrap run, sha256 of the CSV);
* ``benchmarks/results/induce_kcna_polarity.json``: the run time of each step.

Usage (from the repository root; the archive is not part of the repository)::

    python data-raw/induce_kcna_polarity.py [--days ../shared/corpora/kcna-co-jp/days]

Seeds (ten a side, all frequent in the archive and unambiguous in KCNA's register):

* positive: the register's stock praise words. ``glorious``, ``victory``,
  ``prosperity``, ``friendship``, ``happiness``, ``beloved``, ``heroic``,
  ``brilliant``, ``solidarity``, ``great`` ("great" is the commonest honorific
  adjective of the leaders and of the Party). ``peace`` is left out on purpose:
  KCNA mostly writes about peace being threatened ("wrecking peace", "threat to
  peace"), so its distributional neighbours are the vocabulary of denunciation and it
  would pull the walk the wrong way.
* negative: the stock denunciation words. ``imperialists``, ``puppets``,
  ``traitors``, ``aggression``, ``provocation``, ``warmongers``, ``hostile``,
  ``reckless``, ``crimes``, ``sanctions`` (always denounced when KCNA names them).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import kcnalex as kx  # noqa: E402
from kcnalex._provenance import sha256_file  # noqa: E402
from kcnalex.tokenize import TOKENIZER_VERSION  # noqa: E402

NAME = "kcna-polarity"
VERSION = "1.0"

POSITIVE = ["glorious", "victory", "prosperity", "friendship", "happiness", "beloved",
            "heroic", "brilliant", "solidarity", "great"]
NEGATIVE = ["imperialists", "puppets", "traitors", "aggression", "provocation",
            "warmongers", "hostile", "reckless", "crimes", "sanctions"]

PARAMETERS = {
    "min_count": 20,
    "max_words": 15_000,
    "window": 4,
    "alpha": 0.75,
    "dims": 300,
    "k": 25,
    "beta": 0.9,
    "n_boot": 50,
    "boot_size": 7,
    "random_state": 0,
}


def load_corpus(days: Path):
    """English articles of the kcna.co.jp day files, through kcnalex.read_corpus."""
    corpus = kx.read_corpus(days, progress=False)
    corpus = corpus[(corpus["lang"] == "en") & (corpus["text"].str.len() > 0)]
    return corpus.reset_index(drop=True)


def write_csv(lex, path: Path) -> None:
    header = [
        f"# name: {NAME}",
        f"# version: {VERSION}",
        "# method: SentProp (Hamilton, Clark, Leskovec and Jurafsky 2016)",
        "# input: kcna.co.jp English articles 1997-2015",
        f"# tokenizer: {TOKENIZER_VERSION}",
        f"# positive_seeds: {' '.join(POSITIVE)}",
        f"# negative_seeds: {' '.join(NEGATIVE)}",
        *(f"# {k}: {v}" for k, v in PARAMETERS.items()),
        "# columns: word score confidence sd count version",
    ]
    buf = io.StringIO()
    buf.write("\n".join(header) + "\n")
    writer = csv.writer(buf, lineterminator="\n")  # quotes words like "1,000-odd"
    writer.writerow(["word", "score", "confidence", "sd", "count", "version"])
    for w, s, c, sd, n in zip(lex["word"], lex["score"], lex["confidence"], lex["sd"],
                              lex["count"]):
        writer.writerow([w, f"{s:.6f}", f"{c:.2f}", f"{sd:.6f}", int(n), VERSION])
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=Path,
                    default=ROOT.parent / "shared" / "corpora" / "kcna-co-jp" / "days")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "kcnalex" / "data"
                    / "lexicons")
    ap.add_argument("--timings", type=Path, default=ROOT / "benchmarks" / "results"
                    / "induce_kcna_polarity.json")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    corpus = load_corpus(args.days)
    t1 = time.perf_counter()
    lex = kx.induce_lexicon(corpus, positive_seeds=POSITIVE, negative_seeds=NEGATIVE,
                            **PARAMETERS)
    t2 = time.perf_counter()
    rec = lex.attrs["kcnalex"]
    args.out.mkdir(parents=True, exist_ok=True)
    csv = args.out / f"{NAME}.csv"
    write_csv(lex, csv)
    dates = corpus["date"].dropna()
    sidecar = {
        "name": NAME,
        "version": VERSION,
        "method": "SentProp (Hamilton, Clark, Leskovec and Jurafsky 2016, EMNLP)",
        "script": "data-raw/induce_kcna_polarity.py",
        "library_version": kx.__version__,
        "tokenizer": TOKENIZER_VERSION,
        "seeds": {"positive": POSITIVE, "negative": NEGATIVE},
        "seeds_missing": rec["seeds_missing"],
        "parameters": PARAMETERS | {"dims_used": rec["params"]["dims_used"],
                                    "tol": rec["params"]["tol"],
                                    "max_iter": rec["params"]["max_iter"],
                                    "stopwords": "kcnalex.sentprop.STOPWORDS"},
        "input": {
            "source": "kcna.co.jp archive, kcna-co-jp/days (codebykyle/kcna_scraper)",
            "files": len(list(args.days.glob("*.json.gz"))),
            "lang": "en",
            "n_docs": rec["n_docs"],
            "n_tokens": rec["n_tokens"],
            "n_types": rec["n_types"],
            "n_contexts": rec["n_contexts"],
            "date_min": str(dates.min().date()) if len(dates) else None,
            "date_max": str(dates.max().date()) if len(dates) else None,
        },
        "graph_edges": rec["graph_edges"],
        "columns": {
            "word": "lower-cased word token (kcnalex.tokenize.word_spans)",
            "score": "mean over bootstrap runs of the standardised polarity",
            "confidence": "share of runs whose standardised polarity has the "
                          "sign of score",
            "sd": "standard deviation of the standardised polarity across runs",
            "count": "corpus frequency",
            "version": "lexicon version",
        },
        "runs": rec["runs"],
        "n_words": int(len(lex)),
        "sha256": sha256_file(csv),
    }
    csv.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n",
                                        encoding="utf-8")
    t3 = time.perf_counter()
    timings = {"read_corpus_s": round(t1 - t0, 2),
               "induce_lexicon_s": round(t2 - t1, 2),
               "write_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2),
               "n_docs": rec["n_docs"], "n_tokens": rec["n_tokens"],
               "n_words": int(len(lex)), "csv_bytes": csv.stat().st_size,
               "cores": __import__("os").cpu_count(), "numpy": np.__version__}
    args.timings.parent.mkdir(parents=True, exist_ok=True)
    args.timings.write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
