"""Speed of the stance scorer, before vs after the speed-up (run on demand).

    python benchmarks/bench_stance.py [--months 2010-01,2010-02,2010-03]
                                      [--repeat 2] [--profile] [--out PATH]

Reads the kcna.co.jp day files of the chosen months (default January-March 2010,
``../shared/corpora/kcna-co-jp/days``) with ``kcnalex.read_corpus`` and times, in one
process, side by side:

* ``kcnalex.analyze(corpus, form="wide", measures=["stance"])`` with the current
  ``StanceScorer`` ("after") and with the frozen copy of the scorer before the
  speed-up, ``tests/_stance_reference.py`` ("before", patched in as
  ``kcnalex.stance.StanceScorer``); the two wide frames must be identical;
* the scorer alone: ``doc_sums`` per document from precomputed sentence and word
  spans (the pipeline's call), after vs before, outputs compared bit for bit;
* for scale, ``analyze`` with ``measures=["formulae"]``, ``["leaders"]``,
  ``["vader"]`` (each includes the shared word and sentence split).

Each timing is the best of ``--repeat`` runs (wall clock, ``time.perf_counter``) and
also reported as CPU time (``time.process_time``): the machine is shared, so CPU
time is the steadier number. ``--profile`` prints a pyinstrument profile of the
scorer-alone loop. Results go to ``benchmarks/results/stance_speed.json`` (numbers
only, no corpus text).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))
DAYS = SHARED / "kcna-co-jp" / "days"


def _best(fn, repeat: int):
    """Run ``fn`` ``repeat`` times: (last result, best wall s, best CPU s)."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return out, min(wall), min(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", default="2010-01,2010-02,2010-03")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"
                                         / "stance_speed.json"))
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from importlib import import_module

    from _stance_reference import ReferenceScorer

    import kcnalex
    from kcnalex.tokenize import sentence_spans, word_spans

    # the module (kcnalex.stance the attribute is the function stance())
    st = import_module("kcnalex.stance")
    months = args.months.split(",")
    files = sorted(str(p) for m in months for p in DAYS.glob(f"{m}-*.json.gz"))
    corpus = kcnalex.read_corpus(files, progress=False)
    texts = corpus["text"].tolist()
    mb = sum(len(t) for t in texts) / 1e6
    print(f"{len(files)} day files, {len(corpus)} documents, {mb:.2f} MB of text")
    load0 = os.getloadavg()

    res: dict = {}

    def analyze(measures):
        return kcnalex.analyze(corpus, form="wide", measures=measures,
                               progress=False)

    # ------------------------------------------------ analyze, after vs before
    new_cls = st.StanceScorer
    results = {}
    for label, cls in (("after", new_cls), ("before", ReferenceScorer),
                       ("after", new_cls)):
        st.StanceScorer = cls
        try:
            df, wall, cpu = _best(lambda: analyze(["stance"]), args.repeat)
        finally:
            st.StanceScorer = new_cls
        prev = res.get(f"analyze_stance_{label}")
        if prev is None or wall < prev["seconds_wall"]:
            res[f"analyze_stance_{label}"] = {
                "seconds_wall": round(wall, 3), "seconds_cpu": round(cpu, 3),
                "mb_per_s_wall": round(mb / wall, 2)}
        results[label] = df
        print(f"analyze stance {label}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"{mb / wall:.2f} MB/s")
    cols = [c for c in results["after"].columns if ":" in c or c.startswith("n_")]
    a = results["after"][cols].to_numpy(np.float64)
    b = results["before"][cols].to_numpy(np.float64)
    identical = bool(a.shape == b.shape and a.tobytes() == b.tobytes())
    print(f"analyze wide frames identical: {identical}")

    # ------------------------------------------------ scorer alone
    spans = [(t, sentence_spans(t), word_spans(t)) for t in texts]
    new = new_cls()
    ref = ReferenceScorer(targets=new.targets, cues=new.cues)

    def run(sc):
        return [sc.doc_sums(t, sentences=s, words=w) for t, s, w in spans]

    out_new, w_new, c_new = _best(lambda: run(new), args.repeat)
    out_ref, w_ref, c_ref = _best(lambda: run(ref), args.repeat)
    diffs = sum(any(x[k].tobytes() != y[k].tobytes() or x[k].dtype != y[k].dtype
                    for k in y) for x, y in zip(out_new, out_ref))
    n_rows = 0
    for t, s, w in spans:
        r_new, r_ref = new.score(t, sentences=s, words=w), ref.score(
            t, sentences=s, words=w)
        n_rows += len(r_ref["score"])
        diffs += any(r_new[k].tobytes() != r_ref[k].tobytes()
                     or r_new[k].dtype != r_ref[k].dtype for k in r_ref)
    print(f"doc_sums alone: after {w_new:.3f} s ({c_new:.3f} CPU), before "
          f"{w_ref:.3f} s ({c_ref:.3f} CPU); {diffs} documents differ; "
          f"{n_rows} sentence x target rows")
    res["doc_sums_after"] = {"seconds_wall": round(w_new, 3),
                             "seconds_cpu": round(c_new, 3),
                             "mb_per_s_wall": round(mb / w_new, 2)}
    res["doc_sums_before"] = {"seconds_wall": round(w_ref, 3),
                              "seconds_cpu": round(c_ref, 3),
                              "mb_per_s_wall": round(mb / w_ref, 2)}

    # ------------------------------------------------ other measures, for scale
    for m in ("formulae", "leaders", "vader"):
        _, wall, cpu = _best(lambda: analyze([m]), args.repeat)
        res[f"analyze_{m}"] = {"seconds_wall": round(wall, 3),
                               "seconds_cpu": round(cpu, 3)}
        print(f"analyze {m}: {wall:.2f} s wall, {cpu:.2f} s CPU")

    if args.profile:
        from pyinstrument import Profiler

        prof = Profiler()
        prof.start()
        run(new)
        prof.stop()
        print(prof.output_text(unicode=True, color=False))

    sa, sb = res["analyze_stance_after"], res["analyze_stance_before"]
    out = {
        "benchmark": "stance_speed",
        "command": "python benchmarks/bench_stance.py " + " ".join(sys.argv[1:]),
        "corpus": {"source": "kcna-co-jp/days (read_corpus, English)",
                   "months": months, "n_files": len(files),
                   "n_docs": int(len(corpus)), "mb_text": round(mb, 3)},
        "repeat": args.repeat,
        "timings": res,
        "speedup_analyze_wall": round(sb["seconds_wall"] / sa["seconds_wall"], 2),
        "speedup_analyze_cpu": round(sb["seconds_cpu"] / sa["seconds_cpu"], 2),
        "speedup_doc_sums_cpu": round(c_ref / c_new, 2),
        "analyze_frames_identical": identical,
        "documents_differing": int(diffs),
        "n_sentence_target_rows": int(n_rows),
        "machine": {"python": platform.python_version(),
                    "platform": platform.platform(), "cpus": os.cpu_count(),
                    "loadavg_start": [round(x, 2) for x in load0],
                    "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "kcnalex": kcnalex.__version__,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
