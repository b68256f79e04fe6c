"""Peak memory of :func:`kcnalex.analyze` streaming 1x and 10x a slice of the archive.

The 10x volume is generated on the fly into a temporary folder (never the
repository): the slice's kcna.co.jp day files, plus ``times - 1`` synthetic copies
of them in the same format, each copy with

* its files' dates shuffled (a seeded permutation of the slice's dates),
* new URLs (``...?copy=k``), hence new ``doc_id`` values, and
* every body's words shuffled within blocks of 8 (seeded per copy; the title and
  dateline up to ``" -- "`` stay), so that almost every 5-word shingle differs and
  the reader's exact and near-duplicate tests keep the copies (a 10x corpus of 10x
  distinct documents, as a larger archive would be). The copies have the same
  words, hence the same lengths and languages, as the original: per-chunk memory
  is the same in both runs. (The first version inserted a copy-specific word
  after every 4th word instead: the copies' texts were 23-39 % longer, which
  added ~13 MB to the 10x peak that had nothing to do with volume.)

Each run is a fresh subprocess ``analyze(folder, output=<parquet>, n_jobs=...)``
(all measures by default); its peak RSS is ``VmHWM`` (the process's own high-water
mark, not inherited across fork + exec) and, with ``n_jobs > 1``, the sampled peak
of process + workers. Writes ``benchmarks/results/memory.json``.

Usage::

    python benchmarks/bench_memory.py [--years 2009-2012] [--times 10]
        [--n-jobs 1] [--measures formulae,leaders,vader,kcna,stance]
        [--chunk-size 5000] [--copies distinct|repeated] [--keep-files]

What stays flat and what grows: ``analyze`` holds one chunk of ``chunk_size``
records (text + per-document numbers) at a time and the reader's near-duplicate
window (texts, labels, MinHash signatures and LSH band keys of the last
``near_duplicate_window`` = 20,000 kept documents, ~1.9 kB each); the reader's
exact-duplicate digests, doc ids and labels keep only their newest ~65,536 in
memory (the rest in temporary files), and a dropped duplicate costs ~6 bytes.
What still grows with the volume, measured on the whole archive x10 (1x 410.3 MB
-> 10x 426.5 MB, +16.2 MB; with ``--copies repeated`` 412.7 -> 414.2 MB):

* the Parquet writer's footer metadata, ~48 kB per row group (one per chunk) held
  until the file is closed: ~10 MB at 5,000 records a chunk;
* per file (65,540 at 10x), ~200 bytes: the list of files to read, made before
  reading (~150: the name, stored once, and its root), and the ingest report's
  counts (~46): ~13 MB.

Each run also records the median RSS of each tenth of its time
(``rss_tenths_mb``): the level memory returns to between the peaks of single
chunks. ``level_growth_mb`` compares the last tenths of the two runs.

The defaults put the 1x run in that steady state, so that the 10x run differs from
it by volume only: the 1x slice (2009-2012: ~35,000 records, ~30,000 kept) holds
six or more chunks of 5,000 records and more kept documents than the
near-duplicate window, so the 1x peak already includes every bounded structure at
full size. With one year (``--years 2012``: ~8,600 kept) the window is not full at
1x, so its filling counts as "growth" in the 10x run; ``--chunk-size 20000``
(analyze's default) needs ``--years 1997-2015`` for the same reason. The 10x run of
the default slice is ~3x the whole 1997-2015 archive (~300,000 documents, a few
minutes); ``--years 1997-2015`` makes it ten times the archive (~1.2M records, ~2
GB of JSON in the temporary folder; about 10 minutes on two cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _rss import Sampler  # benchmarks/_rss.py (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "kcna-co-jp" / "days"
RESULTS = ROOT / "benchmarks" / "results"
BLOCK = 8  # words shuffled together


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _select_files(corpus: Path, years: str) -> list[Path]:
    a, _, b = years.partition("-")
    lo, hi = int(a), int(b or a)
    return [p for p in sorted(corpus.glob("*.json*")) if lo <= int(p.name[:4]) <= hi]


def _perturb(text: str, rng: random.Random) -> str:
    """A copy of an article's content: the body's words shuffled within blocks.

    The head up to the dateline's ``" -- "`` (title and dateline) stays as it is,
    so the reader still finds them; the body (split on single spaces) is shuffled
    in consecutive blocks of :data:`BLOCK` words. The words, hence the length and
    the language, stay the same, while almost every 5-word shingle of the body
    differs from the original's and the other copies' (a run of 5 words in the
    same order survives a shuffle of 8 with probability ~1e-3).
    """
    cut = text.find(" -- ", 0, 400)
    head, body = (text[: cut + 4], text[cut + 4 :]) if cut >= 0 else ("", text)
    words = body.split(" ")
    for b0 in range(0, len(words), BLOCK):
        block = words[b0 : b0 + BLOCK]
        rng.shuffle(block)
        words[b0 : b0 + BLOCK] = block
    return head + " ".join(words)


def generate(files: list[Path], folder: Path, times: int,
             distinct: bool = True) -> dict:
    """Write the slice and ``times - 1`` copies as day files (``distinct``: the
    bodies' words shuffled; else the same texts, which the reader drops as exact
    duplicates)."""
    t0 = time.perf_counter()
    nbytes = 0
    base = folder / "copy00"
    base.mkdir(parents=True)
    for f in files:
        shutil.copyfile(f, base / f.name)
    dates = [f.name[:10] for f in files]
    for k in range(1, times):
        out = folder / f"copy{k:02d}"
        out.mkdir()
        perm = np.random.default_rng(k).permutation(len(files))
        rng = random.Random(k)
        for f, j in zip(files, perm, strict=True):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                day = json.load(fh)
            new_date = dates[j]
            day["date"] = new_date
            day["url"] = f"{day.get('url') or ''}?copy={k}"
            for art in day.get("articles") or []:
                if not isinstance(art, dict):
                    continue
                if art.get("url"):
                    art["url"] = f"{art['url']}?copy={k}"
                if distinct and isinstance(art.get("content"), str):
                    art["content"] = _perturb(art["content"], rng)
            name = f"{new_date}_{k:02d}_juche.json.gz"
            data = json.dumps(day).encode("utf-8")
            nbytes += len(data)
            with gzip.open(out / name, "wb", compresslevel=1) as fh:
                fh.write(data)
    return {"generate_s": round(time.perf_counter() - t0, 1),
            "synthetic_json_mb": round(nbytes / 1e6, 1)}


def run_one(source: str, output: str, n_jobs: int, measures: list[str],
            chunk_size: int) -> dict:
    import pyarrow.parquet as pq

    import kcnalex as kx

    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    empty = kx.analyze(source, output=output, n_jobs=n_jobs, measures=measures,
                       chunk_size=chunk_size, progress=False)
    wall = time.perf_counter() - t0
    sampler.stop()
    meta = pq.ParquetFile(output).metadata
    ingest = kx.get_provenance(empty).get("ingest", {})
    return {"wall_s": round(wall, 1), "docs": meta.num_rows,
            "records_in": ingest.get("records_in"),
            "dropped": ingest.get("dropped"), "row_groups": meta.num_row_groups,
            "parquet_mb": round(os.path.getsize(output) / 1e6, 1),
            "peak_rss_mb": round(_vmhwm_mb(), 1),
            "peak_rss_with_workers_mb_sampled": round(max(sampler.peak_total,
                                                          _vmhwm_mb()), 1),
            "rss_tenths_mb": sampler.tenths()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--years", default="2009-2012")
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--measures", default="formulae,leaders,vader,kcna,stance")
    ap.add_argument("--chunk-size", type=int, default=5_000,
                    help="analyze(chunk_size=): records read per chunk")
    ap.add_argument("--copies", choices=["distinct", "repeated"], default="distinct",
                    help="distinct: copies' body words shuffled (kept by the reader); "
                         "repeated: the same texts (dropped as exact duplicates)")
    ap.add_argument("--keep-files", action="store_true")
    ap.add_argument("--output", default=str(RESULTS / "memory.json"))
    ap.add_argument("--run", help=argparse.SUPPRESS)
    ap.add_argument("--parquet", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    measures = [m for m in args.measures.split(",") if m]

    if args.run:
        print(json.dumps(run_one(args.run, args.parquet, args.n_jobs, measures,
                                    args.chunk_size)))
        return 0

    files = _select_files(Path(args.corpus), args.years)
    if not files:
        print(f"no day files for --years {args.years} in {args.corpus}",
              file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="kcnalex-mem-"))
    result = {
        "command": "python benchmarks/bench_memory.py " + " ".join(
            argv if argv is not None else sys.argv[1:]),
        "slice": {"years": args.years, "files": len(files), "times": args.times},
        "n_jobs": args.n_jobs, "measures": measures, "chunk_size": args.chunk_size,
        "copies": args.copies,
        "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                    "load_avg_before": [round(x, 2) for x in os.getloadavg()]},
        "note": ("peak_rss_mb is VmHWM of the analyze subprocess; copies 1.. are "
                 "synthetic (shuffled dates, new URLs, and with copies=distinct "
                 "body words shuffled in blocks of 8 so that the reader keeps "
                 "them; with copies=repeated the same texts, dropped as exact "
                 "duplicates)"),
        "runs": {},
    }
    try:
        result["generate"] = generate(files, tmp / "data", args.times,
                                      distinct=args.copies == "distinct")
        for label, src in (("1x", tmp / "data" / "copy00"),
                           (f"{args.times}x", tmp / "data")):
            out = tmp / f"{label}.parquet"
            cmd = [sys.executable, __file__, "--run", str(src), "--parquet", str(out),
                   "--n-jobs", str(args.n_jobs), "--measures", ",".join(measures),
                   "--chunk-size", str(args.chunk_size)]
            print(f"[{label}] analyze {src} ...", flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            res["docs_per_s"] = round(res["docs"] / res["wall_s"], 1)
            result["runs"][label] = res
            print(f"[{label}] {res}", flush=True)
    finally:
        if args.keep_files:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    r1, rn = result["runs"]["1x"], result["runs"][f"{args.times}x"]
    result["rss_ratio"] = round(rn["peak_rss_mb"] / r1["peak_rss_mb"], 3)
    result["rss_growth_mb"] = round(rn["peak_rss_mb"] - r1["peak_rss_mb"], 1)
    # the level between single steps' peaks: median of the last tenth of the 10x
    # run against the same in the 1x run
    if r1.get("rss_tenths_mb") and rn.get("rss_tenths_mb"):
        result["level_growth_mb"] = round(rn["rss_tenths_mb"][-1]
                                          - r1["rss_tenths_mb"][-1], 1)
    result["target_under_2gb"] = rn["peak_rss_with_workers_mb_sampled"] < 2048
    out_path = Path(args.output)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result.get(k) for k in ("rss_ratio", "rss_growth_mb",
                                                 "level_growth_mb",
                                                 "target_under_2gb")}))
    print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
