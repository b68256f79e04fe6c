"""Benchmark the one-pass pipeline against what a user would write first, and a limit.

One command, on a slice of the real kcna.co.jp archive (default: all of 1997-2015):

* **read**: :func:`kcnalex.read_corpus` once (timed separately); the texts are then
  handed, identical, to every phase (a temporary Parquet file);
* **limit**: a bare ``re.findall(r"\\w+", text)`` over the same clean texts;
* **kcnalex n_jobs=1 / n_jobs=2**: :func:`kcnalex.analyze` (long form) +
  :func:`kcnalex.aggregate` (monthly, standard ratios, 95 % bootstrap CIs) with the
  same lexicons as the baseline (``measures=formulae,vader``: the kcna-formulae
  lexicon and VADER), and, for information, n_jobs=1 with every measure family;
* **files n_jobs=1 / n_jobs=2** (for information; ``--skip-files`` skips them):
  :func:`kcnalex.analyze` on the day files themselves with every measure, reading
  included, as ``kcnalex analyze DAYS/`` runs it (with workers each chunk is read
  while they analyse the previous one);
* **baseline**: NLTK's ``TreebankWordTokenizer`` (word tokens), NLTK's
  ``PunktSentenceTokenizer()`` (untrained: no download) for sentences, NLTK's VADER
  (``nltk.sentiment.vader.SentimentIntensityAnalyzer(lexicon_file=<vader_lexicon.txt
  of the installed vaderSentiment>)``) per sentence, one regex alternation of the
  kcna-formulae terms (longest first, IGNORECASE, ``\\b``-bounded, ``*`` as
  ``\\w*``), and a pandas groupby by month. Documents are processed in a seeded
  random order; when ``--baseline-budget`` seconds are spent the phase stops and its
  full time is *extrapolated* per MB of text (reported as such).

Module imports happen before each phase's timer; the checks that verify a phase's
output (token and measure totals) run after it. The limit and kcnalex n_jobs=1/2
phases run ``--repeat`` times (default 3), interleaved, and each is reported by its
run of median wall time (all runs' times are kept); the others run once. Each phase
runs in its own subprocess, so its peak RSS (``VmHWM``; with worker
processes also the sampled peak of process + workers) is its own. Wall seconds
depend on the load of the shared machine: the load average before each phase and
CPU seconds (process + workers) are recorded too. Writes
``benchmarks/results/pipeline.json`` and prints the ratios against the targets
(kcnalex n_jobs=1 >= 20x the baseline, within 4x of the limit, n_jobs=2 >= 1.7x
n_jobs=1).

``--profile`` instead profiles :func:`kcnalex.analyze` (n_jobs=1, every measure) with
pyinstrument on the slice and writes ``benchmarks/results/pipeline_profile.txt``.

Usage::

    python benchmarks/bench_pipeline.py [--years 1997-2015] [--limit-docs N]
        [--skip-baseline] [--skip-files] [--baseline-budget 1200] [--n-boot 1000]
        [--repeat 3]
        [--corpus ../shared/corpora/kcna-co-jp/days] [--profile]
    python benchmarks/bench_pipeline.py --years 2012 --dask 2,10,50,200

``--dask`` measures :func:`kcnalex.dask.analyze_dask` (reading included) per
partition size on a 2-worker ``LocalCluster``, with the per-task overhead, and writes
``benchmarks/results/pipeline_dask.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _rss import Sampler  # benchmarks/_rss.py (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "kcna-co-jp" / "days"
RESULTS = ROOT / "benchmarks" / "results"
SAME_WORK = ("formulae", "vader")
TARGETS = {"kcnalex_vs_baseline": 20.0, "kcnalex_vs_limit_max": 4.0,
           "n_jobs2_speedup": 1.7}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _cpu_s() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _rss_mb() -> float:
    """Peak RSS of this process since it started (``VmHWM``; unlike ``ru_maxrss``,
    not inherited from the parent across fork + exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    import kcnalex

    out["kcnalex"] = kcnalex.__version__  # the code that ran (editable installs
    # keep the version of their last install in the package metadata)
    for pkg in ("numpy", "pandas", "nltk", "vaderSentiment",
                "pyahocorasick", "pyarrow", "numba"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    from kcnalex._acdfa import jit_enabled

    out["compiled_paths"] = jit_enabled()  # kcnalex[fast] installed, KCNALEX_JIT!=0
    return out


def _select_files(corpus: Path, years: str) -> list[str]:
    a, _, b = years.partition("-")
    lo, hi = int(a), int(b or a)
    return [str(p) for p in sorted(corpus.glob("*.json*"))
            if lo <= int(p.name[:4]) <= hi]


def _vader_lexicon_file() -> str:
    import nltk
    import vaderSentiment

    folder = os.path.dirname(vaderSentiment.__file__)
    # nltk 3.10 only opens files under its data path: allow the package folder
    if folder not in nltk.data.path:
        nltk.data.path.insert(0, folder)
    return "file:" + os.path.join(folder, "vader_lexicon.txt")


def _formula_regex() -> re.Pattern:
    import kcnalex as kx

    terms = sorted(set(kx.load_lexicon("kcna-formulae")["term"]), key=len,
                   reverse=True)
    alts = [re.escape(t).replace(r"\*", r"\w*") for t in terms]
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.IGNORECASE)


# ---------------------------------------------------------------------------
# phases (each in its own subprocess)
# ---------------------------------------------------------------------------
def _phase_limit(df, texts: list[str], args) -> dict:
    findall = re.compile(r"\w+").findall
    n = 0
    for t in texts:
        n += len(findall(t))
    return {"checks": {"words": n}}


def _phase_kcnalex(df, texts, args, *, n_jobs: int, measures) -> dict:
    import kcnalex as kx
    from kcnalex.pipeline import standard_ratios

    t0 = time.perf_counter()
    long = kx.analyze(df, form="long", n_jobs=n_jobs, measures=measures,
                      progress=False)
    t1 = time.perf_counter()
    present = set(long["measure"].unique())
    ratios = {k: v for k, v in standard_ratios(present).items()
              if v[0] in present and v[1] in present}
    ps = kx.aggregate(long, freq="M", ratios=ratios, n_boot=args.n_boot,
                      n_jobs=n_jobs)
    t2, c2 = time.perf_counter(), _cpu_s()
    # the checks below verify the output; they are not part of the timed work
    tok = long.drop_duplicates("doc_id")["n_tokens"].sum()
    by = long.groupby("measure")["value"].sum()
    checks = {"n_tokens": int(tok), "long_rows": len(long), "period_rows": len(ps)}
    for m in ("n_sentences", "n_formulae", "vader_sum"):
        if m in by.index:
            checks[m] = float(by[m])
    return {"analyze_s": round(t1 - t0, 2), "aggregate_s": round(t2 - t1, 2),
            "checks": checks, "untimed_checks_s": time.perf_counter() - t2,
            "untimed_checks_cpu_s": _cpu_s() - c2}


def _phase_baseline(df, texts, args) -> dict:
    import numpy as np
    import pandas as pd
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
    from nltk.tokenize import PunktSentenceTokenizer, TreebankWordTokenizer

    t_setup = time.perf_counter()
    word_tok = TreebankWordTokenizer().tokenize
    sent_tok = PunktSentenceTokenizer().tokenize
    sia = SentimentIntensityAnalyzer(lexicon_file=_vader_lexicon_file())
    formula = _formula_regex()
    setup_s = time.perf_counter() - t_setup
    alnum = re.compile(r"\w")

    order = np.random.default_rng(0).permutation(len(texts))
    start = time.perf_counter()
    deadline = start + args.baseline_budget
    rows_tok, rows_sent, rows_comp, rows_form, done = [], [], [], [], []
    nbytes = 0
    for k, i in enumerate(order):
        t = texts[i]
        n_tok = sum(1 for w in word_tok(t) if alnum.search(w))
        sents = sent_tok(t)
        comp = 0.0
        for s in sents:
            comp += sia.polarity_scores(s)["compound"]
        rows_tok.append(n_tok)
        rows_sent.append(len(sents))
        rows_comp.append(comp)
        rows_form.append(len(formula.findall(t)))
        done.append(i)
        nbytes += len(t.encode("utf-8"))
        if k % 50 == 49 and time.perf_counter() > deadline:
            break
    docs = pd.DataFrame({"date": df["date"].to_numpy()[done], "n_tokens": rows_tok,
                         "n_sentences": rows_sent, "vader_sum": rows_comp,
                         "n_formulae": rows_form})
    month = docs["date"].dt.to_period("M")
    g = docs.groupby(month).sum(numeric_only=True)
    monthly = pd.DataFrame({"formulae_per_1k": 1000 * g["n_formulae"] / g["n_tokens"],
                            "vader_mean": g["vader_sum"] / g["n_sentences"]})
    elapsed = time.perf_counter() - start
    total_bytes = sum(len(t.encode("utf-8")) for t in texts)
    out = {"setup_s": round(setup_s, 2), "docs_processed": len(done),
           "mb_processed": round(nbytes / 1e6, 3), "measured_s": round(elapsed, 2),
           "months": len(monthly),
           "checks": {"n_tokens": int(sum(rows_tok)),
                      "n_sentences": int(sum(rows_sent)),
                      "n_formulae": int(sum(rows_form)),
                      "vader_sum": float(sum(rows_comp))}}
    if len(done) < len(texts):
        out["extrapolated"] = True
        out["note"] = (f"stopped after {args.baseline_budget:.0f} s budget on "
                       f"{len(done)} of {len(texts)} documents (seeded random "
                       "order); full-slice time extrapolated per MB of text")
        out["extrapolated_s"] = round(elapsed * total_bytes / max(nbytes, 1), 1)
    else:
        out["extrapolated"] = False
    return out


def _phase_files(files: list[str], *, n_jobs: int) -> dict:
    """What `kcnalex analyze DAYS/ --n-jobs k` does: read, clean and deduplicate
    the day files in chunks and compute every measure (with workers, each chunk is
    read while they run the previous one)."""
    import kcnalex as kx

    long = kx.analyze(files, form="long", n_jobs=n_jobs, progress=False)
    return {"checks": {"docs": int(long["doc_id"].nunique()),
                       "long_rows": len(long)}}


def _import_phase_modules(name: str) -> None:
    """Import what a phase uses before its timer starts (module imports are
    set-up, the same for every phase; the first call's loading of compiled
    kernels stays timed, as work the phase's first call does)."""
    if name.startswith(("kcnalex", "files_")):
        import importlib

        for mod in ("pipeline", "timeseries", "io", "phrases", "leaders", "sentiment",
                    "stance", "vader", "_acdfa", "_vader_jit", "_lexicon_jit"):
            importlib.import_module(f"kcnalex.{mod}")  # _jit imports numba
    elif name == "baseline":
        import nltk.sentiment.vader  # noqa: F401
        import nltk.tokenize  # noqa: F401


def run_phase(name: str, data: str, args) -> dict:
    import pandas as pd

    _import_phase_modules(name)
    if name.startswith("files_"):  # data: a text file listing the day files
        files = Path(data).read_text(encoding="utf-8").split("\n")
        load_avg = os.getloadavg()
        cpu0, t0 = _cpu_s(), time.perf_counter()
        out = _phase_files(files, n_jobs=int(name[-1]))
        out.update({"wall_s": round(time.perf_counter() - t0, 2),
                    "cpu_s": round(_cpu_s() - cpu0, 2),
                    "peak_rss_mb": round(_rss_mb(), 1),
                    "load_avg_before": [round(x, 2) for x in load_avg]})
        return out
    df = pd.read_parquet(data)
    texts = df["text"].tolist()
    rss_loaded = _rss_mb()
    load_avg = os.getloadavg()
    sampler = Sampler()
    sampler.start()
    cpu0, t0 = _cpu_s(), time.perf_counter()
    if name == "limit":
        out = _phase_limit(df, texts, args)
    elif name == "kcnalex_1":
        out = _phase_kcnalex(df, texts, args, n_jobs=1, measures=SAME_WORK)
    elif name == "kcnalex_2":
        out = _phase_kcnalex(df, texts, args, n_jobs=2, measures=SAME_WORK)
    elif name == "kcnalex_all_1":
        from kcnalex.pipeline import MEASURES

        out = _phase_kcnalex(df, texts, args, n_jobs=1, measures=MEASURES)
    elif name == "baseline":
        out = _phase_baseline(df, texts, args)
    else:
        raise ValueError(name)
    wall = time.perf_counter() - t0 - out.get("untimed_checks_s", 0.0)
    cpu = _cpu_s() - cpu0 - out.pop("untimed_checks_cpu_s", 0.0)
    if "untimed_checks_s" in out:
        out["untimed_checks_s"] = round(out["untimed_checks_s"], 2)
    sampler.stop()
    out.update({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                "peak_rss_mb": round(_rss_mb(), 1),
                "rss_after_loading_texts_mb": round(rss_loaded, 1),
                "peak_rss_with_workers_mb_sampled": round(sampler.peak_total, 1),
                "load_avg_before": [round(x, 2) for x in load_avg]})
    if name == "kcnalex_2":
        out["peak_rss_one_worker_mb_sampled"] = round(sampler.peak_child, 1)
    return out


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------
def _profile(corpus, args) -> None:
    from pyinstrument import Profiler

    import kcnalex as kx

    kx.analyze(corpus.head(5), form="wide", progress=False)  # imports, caches
    prof = Profiler(interval=0.002)
    prof.start()
    t0 = time.perf_counter()
    kx.analyze(corpus, form="wide", progress=False)
    wall = time.perf_counter() - t0
    prof.stop()
    text = prof.output_text(unicode=False, color=False, show_all=False)
    head = (f"# kcnalex.analyze(n_jobs=1, every measure) on {len(corpus)} documents "
            f"({corpus['text'].str.len().sum() / 1e6:.2f} M characters) of "
            f"--years {args.years}; wall {wall:.1f} s; load average before "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
            "# command: python benchmarks/bench_pipeline.py --profile "
            + " ".join(sys.argv[1:]).replace("--profile", "").strip() + "\n")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "pipeline_profile.txt"
    out.write_text(head + "\n".join(text.splitlines()[:80]) + "\n", encoding="utf-8")
    print(head + "\n".join(text.splitlines()[:40]))
    print(f"wrote {out}")


def _dask_bench(files: list[str], args) -> None:
    """docs/s of analyze_dask per partition size on a 2-worker LocalCluster."""
    import dask.bag as db
    from distributed import Client, LocalCluster

    import kcnalex as kx
    from kcnalex.dask import analyze_dask

    sizes = [int(x) for x in args.dask.split(",")]
    out = {"command": "python benchmarks/bench_pipeline.py " + " ".join(sys.argv[1:]),
           "files": len(files), "measures": list(SAME_WORK),
           "machine": {"cpu_count": os.cpu_count(), "cpu_model": _cpu_model(),
                       "load_avg_before": [round(x, 2) for x in os.getloadavg()]},
           "versions": _versions(), "runs": []}
    t0 = time.perf_counter()
    serial = kx.analyze(files, form="wide", measures=SAME_WORK, progress=False)
    out["serial_n_jobs1"] = {"wall_s": round(time.perf_counter() - t0, 2),
                             "docs": len(serial)}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for n in (200, 200):  # the first run warms the workers
            bag = db.range(n, npartitions=n).map_partitions(lambda x: [len(x)])
            t0 = time.perf_counter()
            bag.compute()
            wall = time.perf_counter() - t0
        out["per_task_overhead_ms"] = round(1000 * wall / 200 * 2, 2)  # 2 workers
        for fpp in sizes:
            ddf = analyze_dask(files, files_per_partition=fpp, measures=SAME_WORK,
                               client=client)
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            wide = ddf.compute()
            wall = time.perf_counter() - t0
            run = {"files_per_partition": fpp, "partitions": ddf.npartitions,
                   "docs": len(wide), "docs_per_partition": round(
                       len(wide) / ddf.npartitions, 1),
                   "wall_s": round(wall, 2),
                   "docs_per_s": round(len(wide) / wall, 1),
                   "load_avg_before": round(load, 2)}
            out["runs"].append(run)
            print(run, flush=True)
    out["serial_n_jobs1"]["docs_per_s"] = round(
        out["serial_n_jobs1"]["docs"] / out["serial_n_jobs1"]["wall_s"], 1)
    path = RESULTS / "pipeline_dask.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("serial_n_jobs1", "per_task_overhead_ms")}))
    print(f"wrote {path}")


def _rate(docs: int, mb: float, seconds: float) -> dict:
    return {"docs_per_s": round(docs / seconds, 1) if seconds else None,
            "mb_per_s": round(mb / seconds, 3) if seconds else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--years", default="1997-2015")
    ap.add_argument("--limit-docs", type=int, default=None,
                    help="a seeded random sample of N documents of the slice")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-all-measures", action="store_true",
                    help="skip the informational n_jobs=1 run with every measure")
    ap.add_argument("--skip-files", action="store_true",
                    help="skip files_all_1/2: analyze(files) with every measure, "
                         "reading included, n_jobs=1 and 2")
    ap.add_argument("--baseline-budget", type=float, default=1200.0,
                    help="seconds of baseline work before extrapolating")
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the limit and kcnalex_1/2 phases (interleaved); "
                         "each is reported by its run of median wall time")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--dask", metavar="FPP,...",
                    help="instead: analyze_dask docs/s per files_per_partition "
                    "(e.g. 2,10,50,200) on a 2-worker LocalCluster; writes "
                    "results/pipeline_dask.json")
    ap.add_argument("--output", default=str(RESULTS / "pipeline.json"))
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.phase:
        print(json.dumps(run_phase(args.phase, args.data, args)))
        return 0

    import kcnalex as kx

    corpus_dir = Path(args.corpus)
    if not corpus_dir.is_dir():
        print(f"corpus not found: {corpus_dir}", file=sys.stderr)
        return 2
    files = _select_files(corpus_dir, args.years)
    if args.dask:
        _dask_bench(files, args)
        return 0
    load_before = os.getloadavg()
    cpu0, t0 = _cpu_s(), time.perf_counter()
    corpus = kx.read_corpus(files, progress=False)
    read = {"wall_s": round(time.perf_counter() - t0, 2),
            "cpu_s": round(_cpu_s() - cpu0, 2), "peak_rss_mb": round(_rss_mb(), 1),
            "files": len(files), "docs": len(corpus)}
    if args.limit_docs and args.limit_docs < len(corpus):
        corpus = corpus.sample(n=args.limit_docs, random_state=0).sort_index()
    if args.profile:
        _profile(corpus, args)
        return 0
    docs = len(corpus)
    mb = float(corpus["text"].map(lambda t: len(t.encode("utf-8"))).sum() / 1e6)
    result = {
        "command": "python benchmarks/bench_pipeline.py " + " ".join(
            argv if argv is not None else sys.argv[1:]),
        "slice": {"corpus": corpus_dir.name, "years": args.years,
                  "limit_docs": args.limit_docs, "docs": docs,
                  "text_mb": round(mb, 3)},
        "machine": {"cpu_count": os.cpu_count(), "cpu_model": _cpu_model(),
                    "platform": platform.platform(),
                    "load_avg_before": [round(x, 2) for x in load_before]},
        "versions": _versions(),
        "read": read,
        "note": ("wall seconds depend on the load of the shared machine (load "
                 "average recorded per phase); cpu_s is process + worker CPU time. "
                 "kcnalex_1/kcnalex_2 compute the same work as the baseline "
                 "(measures=formulae,vader); kcnalex_all_1 every measure family; "
                 "files_all_1/2: analyze(day files) with every measure, reading "
                 "included (what `kcnalex analyze DAYS/` does)."),
        "phases": {},
    }
    # the short phases run --repeat times, interleaved (limit, 1, 2, limit, 1, 2,
    # ...), so that a slow spell of the machine does not fall on one phase only
    short = ["limit", "kcnalex_1", "kcnalex_2"]
    phases = short * max(1, args.repeat)
    if not args.skip_all_measures:
        phases.append("kcnalex_all_1")
    if not args.skip_files and not args.limit_docs:
        phases += ["files_all_1", "files_all_2"]
    if not args.skip_baseline:
        phases.append("baseline")
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="kcnalex-bench-") as tmp:
        data = os.path.join(tmp, "texts.parquet")
        corpus[["doc_id", "date", "source", "text"]].to_parquet(data, index=False)
        del corpus
        listing = os.path.join(tmp, "files.txt")
        Path(listing).write_text("\n".join(files), encoding="utf-8")
        for ph in phases:
            cmd = [sys.executable, __file__, "--phase", ph,
                   "--data", listing if ph.startswith("files_") else data,
                   "--n-boot", str(args.n_boot),
                   "--baseline-budget", str(args.baseline_budget)]
            print(f"[{ph}] running ...", flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            secs = out.get("extrapolated_s", out["wall_s"])
            out.update(_rate(docs, mb, secs))
            out["cpu_" + "docs_per_s"] = (round(docs / out["cpu_s"], 1)
                                          if not out.get("extrapolated") else None)
            runs.setdefault(ph, []).append(out)
            print(f"[{ph}] wall {out['wall_s']} s, cpu {out['cpu_s']} s, "
                  f"{out['docs_per_s']} docs/s, {out['mb_per_s']} MB/s, peak RSS "
                  f"{out['peak_rss_mb']} MB"
                  + (" (EXTRAPOLATED)" if out.get("extrapolated") else ""),
                  flush=True)

    for name, outs in runs.items():  # each phase: its run of median wall time
        ranked = sorted(outs, key=lambda o: o["wall_s"])
        chosen = dict(ranked[(len(ranked) - 1) // 2])
        if len(outs) > 1:
            chosen["runs_wall_s"] = [o["wall_s"] for o in outs]
            if "analyze_s" in chosen:
                chosen["runs_analyze_s"] = [o["analyze_s"] for o in outs]
                chosen["runs_aggregate_s"] = [o["aggregate_s"] for o in outs]
        result["phases"][name] = chosen
    ph = result["phases"]
    # wall seconds are rounded to 0.01: keep tiny slices from dividing by zero
    secs = {k: max(v.get("extrapolated_s", v["wall_s"]), 0.01) for k, v in ph.items()}
    ratios = {}
    if "baseline" in ph:
        ratios["kcnalex_1_vs_baseline"] = round(secs["baseline"] / secs["kcnalex_1"],
                                                2)
        if not ph["baseline"].get("extrapolated"):
            ratios["kcnalex_1_vs_baseline_cpu"] = round(
                ph["baseline"]["cpu_s"] / ph["kcnalex_1"]["cpu_s"], 2)
    ratios["kcnalex_1_vs_limit"] = round(secs["kcnalex_1"] / secs["limit"], 2)
    ratios["kcnalex_1_vs_limit_cpu"] = round(
        ph["kcnalex_1"]["cpu_s"] / max(ph["limit"]["cpu_s"], 1e-9), 2)
    ratios["n_jobs2_speedup"] = round(secs["kcnalex_1"] / secs["kcnalex_2"], 2)
    # analyze alone (without the monthly aggregate and its 1,000-replicate bootstrap,
    # which the baseline's groupby does not do and which runs in the parent)
    ratios["kcnalex_1_analyze_vs_limit"] = round(
        ph["kcnalex_1"]["analyze_s"] / secs["limit"], 2)
    ratios["n_jobs2_analyze_speedup"] = round(
        ph["kcnalex_1"]["analyze_s"] / max(ph["kcnalex_2"]["analyze_s"], 0.01), 2)
    if "files_all_2" in ph:
        ratios["files_n_jobs2_speedup"] = round(
            secs["files_all_1"] / secs["files_all_2"], 2)
    if "kcnalex_all_1" in ph:
        ratios["all_measures_vs_same_work"] = round(
            secs["kcnalex_all_1"] / secs["kcnalex_1"], 2)
    result["ratios"] = ratios
    result["targets"] = {
        "kcnalex_1_vs_baseline >= 20": (ratios.get("kcnalex_1_vs_baseline", 0)
                                        >= TARGETS["kcnalex_vs_baseline"]
                                        if "baseline" in ph else None),
        "kcnalex_1_vs_limit <= 4": ratios["kcnalex_1_vs_limit"]
        <= TARGETS["kcnalex_vs_limit_max"],
        "n_jobs2_speedup >= 1.7": ratios["n_jobs2_speedup"]
        >= TARGETS["n_jobs2_speedup"],
    }
    out_path = Path(args.output)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"ratios": ratios, "targets": result["targets"]}, indent=1))
    print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
