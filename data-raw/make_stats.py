"""Compute the bundled statistics of the real kcna.co.jp archive (numbers only).

Runs :func:`kcnalex.analyze` over ``../shared/corpora/kcna-co-jp/days`` (1997-2015)
and writes to ``corpora/kcna-co-jp-1997-2015/``:

- ``doc_stats.parquet``: one row per kept English document — the wide columns of
  ``analyze`` (doc_id hash, date, source, counts and sums); no text, no titles;
- ``entry_months.parquet``: per month and formula entry, matches and documents with a
  match, with the month's documents and tokens;
- ``manifest.json``: how they were made.

Run from the repository root (about ten minutes on two cores)::

    python data-raw/make_stats.py [--shared ../shared/corpora] [--n-jobs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from pathlib import Path

import numpy as np

import kcnalex as kx
from kcnalex._provenance import get_provenance
from kcnalex.report import entry_months

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "corpora" / "kcna-co-jp-1997-2015"


def _input_digest(days: Path) -> tuple[int, str]:
    """Number of input files and a sha256 over their names and sha256s."""
    h = hashlib.sha256()
    files = sorted(days.glob("*.json.gz"))
    for f in files:
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return len(files), h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path,
                    default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    days = args.shared / "kcna-co-jp" / "days"
    t0 = time.perf_counter()
    wide = kx.analyze(days, form="wide", entries=True, n_jobs=args.n_jobs,
                      progress=True)
    seconds = time.perf_counter() - t0
    prov = get_provenance(wide)
    entry_cols = [c for c in wide.columns if c.startswith("n_entry:")]
    docs = wide.drop(columns=entry_cols)
    # numbers only: counts as compact integers, sums as float64
    for c in docs.columns:
        if c.startswith("n_"):
            docs[c] = docs[c].astype(np.int32)
    docs = docs.sort_values(["date", "doc_id"], kind="stable").reset_index(drop=True)

    rows = entry_months(wide)  # the same monthly totals the report computes

    OUT.mkdir(parents=True, exist_ok=True)
    docs.to_parquet(OUT / "doc_stats.parquet", index=False, compression="zstd")
    rows.to_parquet(OUT / "entry_months.parquet", index=False, compression="zstd")
    n_files, digest = _input_digest(days)
    manifest = {
        "name": "kcna-co-jp-1997-2015",
        "description": "Per-document measures of the kcna.co.jp archive 1997-2015 "
                       "(numbers and dates only), computed by kcnalex.analyze.",
        "made_by": "python data-raw/make_stats.py --n-jobs "
                   f"{args.n_jobs}",
        "input": {"corpus": "kcna-co-jp (codebykyle/kcna_scraper cache)",
                  "files": n_files, "sha256_of_file_list": digest},
        "n_documents": int(len(docs)),
        "seconds": round(seconds, 1),
        "machine": {"python": platform.python_version(),
                    "platform": platform.platform()},
        "provenance": prov,
        "columns": list(docs.columns),
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1,
                                                  sort_keys=True) + "\n")
    print(f"{len(docs)} documents in {seconds:.0f} s; wrote {OUT}")
    for f in sorted(OUT.iterdir()):
        print(f"  {f.name}: {f.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
