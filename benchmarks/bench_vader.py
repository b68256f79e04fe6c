"""Benchmark kcnalex.vader against vaderSentiment on the real archive (run on demand).

    python benchmarks/bench_vader.py [--years 1997-2015] [--limit N] [--chunk N]
                                     [--profile] [--out PATH]

Reads the kcna.co.jp day files of the chosen years (``../shared/corpora/kcna-co-jp``)
with ``kcnalex.read_corpus``, splits every article with
``kcnalex.tokenize.split_sentences`` and scores each sentence twice in one process:

* reference: ``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer()
  .polarity_scores`` (vaderSentiment 3.3.2), one call per sentence;
* ours: ``kcnalex.vader.vader_array`` (same numbers as ``vader_scores``);
* ours compiled (when numba is installed, ``kcnalex[fast]``): the compound of every
  sentence of the chunk from ``kcnalex._vader_jit.compound_spans`` (the chunk joined
  into one string, the sentences as spans: the pipeline's path).

The sentences are processed in chunks; within a chunk both run back to back (the
order alternates between chunks), so a busy machine slows both alike. Each result is
compared exactly (the four floats, sign of zero included); ``diffs`` must be 0. The
ratio is reported on CPU time (``time.process_time``, insensitive to time spent
waiting for a shared core) and on wall time. ``--limit N`` scores a seeded random
sample of N sentences (all years represented); ``--profile`` prints a pyinstrument
profile of ours on the first 50,000 sentences.

Results go to ``benchmarks/results/vader.json``: no text of the corpus, only counts,
timings, versions and machine information (and, for differences, the positions).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))
DAYS = SHARED / "kcna-co-jp" / "days"
KEYS = ("neg", "neu", "pos", "compound")


def _same(a, b) -> bool:
    return all(x == y and math.copysign(1, x) == math.copysign(1, y)
               for x, y in zip(a, b))


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("kcnalex", "vaderSentiment", "numpy", "pandas", "numba"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[dist] = "not installed"
    return out


def _machine() -> dict[str, object]:
    info: dict[str, object] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:  # pragma: no cover - not Linux
        pass
    return info


def load_sentences(years: tuple[int, int]) -> tuple[list[str], dict[str, object]]:
    """Sentences of the kcna.co.jp articles of ``years`` (inclusive)."""
    import kcnalex
    from kcnalex.tokenize import split_sentences

    files = sorted(str(p) for p in DAYS.glob("*.json.gz")
                   if years[0] <= int(p.name[:4]) <= years[1])
    if not files:
        sys.exit(f"no day files for {years[0]}-{years[1]} under {DAYS}")
    t0 = time.perf_counter()
    corpus = kcnalex.read_corpus(files, progress=False)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    sents = [s for text in corpus["text"] for s in split_sentences(text)]
    t_split = time.perf_counter() - t0
    return sents, {"n_files": len(files), "n_docs": len(corpus),
                   "read_seconds": round(t_read, 2),
                   "split_seconds": round(t_split, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", default="1997-2015", help="first-last year, inclusive")
    ap.add_argument("--limit", type=int, default=None,
                    help="score a seeded random sample of N sentences")
    ap.add_argument("--chunk", type=int, default=2000,
                    help="sentences per interleaved timing chunk")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true",
                    help="print a pyinstrument profile of kcnalex.vader")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"
                                         / "vader.json"))
    args = ap.parse_args()
    first, _, last = args.years.partition("-")
    years = (int(first), int(last or first))

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from kcnalex import vader

    sents, corpus_info = load_sentences(years)
    n_all = len(sents)
    if args.limit is not None and args.limit < n_all:
        sents = random.Random(args.seed).sample(sents, args.limit)
    n = len(sents)
    print(f"{corpus_info['n_files']} day files, {corpus_info['n_docs']} English docs, "
          f"{n_all} sentences ({corpus_info['read_seconds']} s read, "
          f"{corpus_info['split_seconds']} s split); scoring {n}")

    if args.profile:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0005)
        prof.start()
        vader.vader_array(sents[:50_000])
        prof.stop()
        print(prof.output_text(unicode=False, color=False))

    reference = SentimentIntensityAnalyzer().polarity_scores
    lexicon = vader._LEX
    load_start = os.getloadavg()
    from kcnalex import _vader_jit

    jit = _vader_jit.jit_enabled()
    wall = {"reference": 0.0, "kcnalex": 0.0, "dict_lookup": 0.0}
    if jit:
        wall["kcnalex_jit"] = 0.0
        _vader_jit.compound_spans("good", [0], [4])  # compile / load the cache
    cpu = dict.fromkeys(wall, 0.0)
    diffs: list[dict[str, object]] = []
    n_diff = 0
    n_diff_jit = 0
    clock = (time.perf_counter, time.process_time)

    def run(name, fn, chunk):
        w0, c0 = clock[0](), clock[1]()
        out = fn(chunk)
        wall[name] += clock[0]() - w0
        cpu[name] += clock[1]() - c0
        return out

    def ref_batch(chunk):
        return [reference(s) for s in chunk]

    def dict_batch(chunk):  # naive baseline: lexicon lookup only, no rules
        get = lexicon.get
        return [sum(get(w.lower(), 0.0) for w in s.split()) for s in chunk]

    def jit_batch(chunk):
        import numpy as np

        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        starts = np.zeros(len(chunk), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        return _vader_jit.compound_spans("\x00".join(chunk), starts,
                                         starts + lengths)

    for k, start in enumerate(range(0, n, args.chunk)):
        chunk = sents[start:start + args.chunk]
        if k % 2 == 0:
            expected = run("reference", ref_batch, chunk)
            ours = run("kcnalex", vader.vader_array, chunk)
        else:
            ours = run("kcnalex", vader.vader_array, chunk)
            expected = run("reference", ref_batch, chunk)
        run("dict_lookup", dict_batch, chunk)
        if jit:
            comp = run("kcnalex_jit", jit_batch, chunk).tolist()
            for j, (c, exp) in enumerate(zip(comp, expected)):
                if not _same((c,), (exp["compound"],)):
                    n_diff_jit += 1
                    if len(diffs) < 20:
                        diffs.append({"sentence": start + j, "jit_compound": c,
                                      "reference": exp["compound"]})
        for j, (row, exp) in enumerate(zip(ours.tolist(), expected)):
            exp_t = tuple(exp[key] for key in KEYS)
            if not _same(row, exp_t):
                n_diff += 1
                if len(diffs) < 20:
                    diffs.append({"sentence": start + j, "ours": row,
                                  "reference": list(exp_t)})
        if k % 50 == 0:
            print(f"  {start + len(chunk):>9,} sentences, diffs {n_diff}, "
                  f"ratio (cpu) {cpu['reference'] / max(cpu['kcnalex'], 1e-9):.2f}",
                  flush=True)

    load_end = os.getloadavg()
    ratio_cpu = cpu["reference"] / cpu["kcnalex"]
    ratio_wall = wall["reference"] / wall["kcnalex"]
    result = {
        "benchmark": "vader",
        "command": "python benchmarks/bench_vader.py " + " ".join(sys.argv[1:]),
        "corpus": {"source": "kcna-co-jp/days (read_corpus, English)",
                   "years": list(years), **corpus_info,
                   "n_sentences_total": n_all},
        "n_strings": n,
        "diffs": n_diff,
        "diffs_jit_compound": n_diff_jit if jit else None,
        "diff_examples": diffs,
        "seconds_cpu": {k: round(v, 3) for k, v in cpu.items()},
        "seconds_wall": {k: round(v, 3) for k, v in wall.items()},
        "strings_per_s_cpu": {k: round(n / v) for k, v in cpu.items()},
        "us_per_string_cpu": {k: round(v / n * 1e6, 2) for k, v in cpu.items()},
        "ratio": round(ratio_cpu, 2),
        "ratio_cpu": round(ratio_cpu, 2),
        "ratio_wall": round(ratio_wall, 2),
        "ratio_dict_lookup_cpu": round(cpu["reference"] / cpu["dict_lookup"], 2),
        "ratio_jit_cpu": (round(cpu["reference"] / cpu["kcnalex_jit"], 2) if jit
                          else None),
        "chunk": args.chunk,
        "versions": _versions(),
        "machine": {**_machine(), "loadavg_start": load_start,
                    "loadavg_end": load_end},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{n:,} sentences, diffs {n_diff}; reference "
          f"{result['us_per_string_cpu']['reference']} us, kcnalex "
          f"{result['us_per_string_cpu']['kcnalex']} us per sentence (cpu)")
    print(f"ratio {ratio_cpu:.2f}x (cpu), {ratio_wall:.2f}x (wall); "
          f"plain dict lookup would be {result['ratio_dict_lookup_cpu']}x")
    if jit:
        print(f"compiled path (compound only): diffs {n_diff_jit}, ratio "
              f"{result['ratio_jit_cpu']}x (cpu)")
    print(f"wrote {out}")
    if n_diff or n_diff_jit:
        sys.exit(1)


if __name__ == "__main__":
    main()
