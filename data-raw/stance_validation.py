"""Validate kcnalex.stance against hand labels, and run it over the real archive.

Subcommands (run from the project root; the real corpora must be in
../shared/corpora or $KCNALEX_SHARED_CORPORA):

    python data-raw/stance_validation.py sample     # print the labelling sample
    python data-raw/stance_validation.py evaluate   # accuracy / macro-F1 vs VADER
    python data-raw/stance_validation.py yearly     # per-year mean stance 1997-2015

``sample`` prints sentences to the terminal only (they are never stored in the
repository); the hand labels in tests/annotations/stance/labels.csv hold record
references, sentence character offsets in the ``text`` of ``kcnalex.read_corpus``
(``lang=None, dedup=False``), a sha256 prefix of the whitespace-normalised sentence
(to check that offsets still point at the same sentence), the target and the label.

``evaluate`` writes benchmarks/results/stance_validation.json; ``yearly`` writes
benchmarks/results/stance_yearly.json (reads all 6,554 day files: ~15 minutes on
one core).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))
DAYS = SHARED / "kcna-co-jp" / "days"
KP = SHARED / "kcna-kp-2024" / "headlines_2024-09-30.json"
LABELS = ROOT / "tests" / "annotations" / "stance" / "labels.csv"
RESULTS = ROOT / "benchmarks" / "results"


def sent_hash(sentence: str) -> str:
    """sha256 prefix (16 hex) of a sentence with whitespace collapsed."""
    return hashlib.sha256(" ".join(sentence.split()).encode()).hexdigest()[:16]


def file_path(name: str) -> Path:
    return KP if name == KP.name else DAYS / name


# ------------------------------------------------------------------ evaluation
def load_label_docs(labels: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Texts of the labelled records, keyed by (file, position)."""
    import kcnalex

    paths = [str(file_path(f)) for f in sorted(labels["file"].unique())]
    corpus = kcnalex.read_corpus(paths, lang=None, dedup=False, progress=False)
    out = {}
    for origin, text in zip(corpus["origin"], corpus["text"]):
        f, _, pos = origin.rpartition(":")
        out[(Path(f).name, pos)] = text
    return out


def predictions(labels: pd.DataFrame, docs: dict, **stance_kw) -> pd.DataFrame:
    """Tool and VADER labels for each annotated (sentence, target)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from kcnalex.stance import StanceScorer, load_cues, load_targets

    cues = stance_kw.pop("cues", None)
    scorer = StanceScorer(targets=load_targets(), cues=cues if cues is not None
                          else load_cues(), **stance_kw)
    vader = SentimentIntensityAnalyzer()
    rows = []
    cache: dict = {}
    for r in labels.itertuples(index=False):
        text = docs[(r.file, r.position)]
        sent = text[r.sent_start:r.sent_end]
        if sent_hash(sent) != r.sent_sha256:
            raise ValueError(f"item {r.item}: offsets no longer point at the "
                             "labelled sentence (read_corpus changed?)")
        key = (r.file, r.position)
        if key not in cache:
            cache[key] = scorer.score(text)
        res = cache[key]
        names = np.asarray(scorer.target_names)[res["target"]]
        hit = np.flatnonzero((res["sent_start"] == r.sent_start) & (names == r.target))
        found = bool(len(hit))
        score = float(res["score"][hit[0]]) if found else 0.0
        pred = int(res["stance"][hit[0]]) if found else 0
        comp = vader.polarity_scores(sent)["compound"]
        vpred = 1 if comp >= 0.05 else (-1 if comp <= -0.05 else 0)
        rows.append({"item": r.item, "target": r.target, "label": r.label,
                     "found": found, "score": score, "pred": pred,
                     "vader_compound": comp, "vader": vpred})
    return pd.DataFrame(rows)


def metrics(y_true, y_pred) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    return {"n": int(len(y_true)),
            "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
            "macro_f1": round(float(f1_score(y_true, y_pred, labels=[-1, 0, 1],
                                             average="macro", zero_division=0)), 4)}


def evaluate(args) -> dict:
    labels = pd.read_csv(LABELS, dtype={"label": str})
    docs = load_label_docs(labels)
    pred = predictions(labels, docs)
    x = pred[pred["label"] == "x"]
    gold = pred[pred["label"] != "x"].copy()
    gold["y"] = gold["label"].astype(int)
    out = {
        "labels": str(LABELS.relative_to(ROOT)),
        "n_pairs": int(len(gold)),
        "label_counts": {str(k): int(v) for k, v in
                         gold["y"].value_counts().sort_index().items()},
        "not_a_mention_pairs": int(len(x)),
        "not_a_mention_still_matched": int(x["found"].sum()),
        "mentions_missed": int((~gold["found"]).sum()),
        "stance": metrics(gold["y"], gold["pred"]),
        "vader": metrics(gold["y"], gold["vader"]),
        "per_target": {
            t: {"n": int(len(g)),
                "stance_accuracy": round(float((g["y"] == g["pred"]).mean()), 4),
                "vader_accuracy": round(float((g["y"] == g["vader"]).mean()), 4)}
            for t, g in gold.groupby("target")},
        "confusion_stance": pd.crosstab(gold["y"], gold["pred"]).to_dict(),
        "confusion_vader": pd.crosstab(gold["y"], gold["vader"]).to_dict(),
    }
    out["confusion_stance"] = {str(k): {str(a): int(b) for a, b in v.items()}
                               for k, v in out["confusion_stance"].items()}
    out["confusion_vader"] = {str(k): {str(a): int(b) for a, b in v.items()}
                              for k, v in out["confusion_vader"].items()}
    if args.show_errors:
        err = gold[gold["y"] != gold["pred"]]
        print(err[["item", "target", "y", "pred", "score"]].to_string())
    print(json.dumps(out, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stance_validation.json").write_text(json.dumps(out, indent=1) + "\n")
    return out


# ---------------------------------------------------------------------- yearly
def yearly(args) -> None:
    import kcnalex
    from kcnalex.stance import StanceScorer

    scorer = StanceScorer()
    t0 = time.time()
    rows = []
    files = sorted(DAYS.glob("*.json.gz"))
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)]
    for year in range(1997, 2016):
        yf = [str(f) for f in files if f.name.startswith(str(year))]
        corpus = kcnalex.read_corpus(yf, lang="en", progress=False)
        n = len(scorer.target_names)
        acc = {k: np.zeros(n) for k in ("score_sum", "n_sentences", "n_hostile",
                                        "n_friendly")}
        for text in corpus["text"].tolist():
            r = scorer.doc_sums(text)
            for k in acc:
                acc[k] += r[k]
        for i, t in enumerate(scorer.target_names):
            ns = acc["n_sentences"][i]

            def ratio(key: str, i: int = i, ns: float = ns) -> float | None:
                return round(float(acc[key][i] / ns), 4) if ns else None

            rows.append({"year": year, "target": t, "n_docs": int(len(corpus)),
                         "n_sentences": int(ns), "mean_score": ratio("score_sum"),
                         "share_hostile": ratio("n_hostile"),
                         "share_friendly": ratio("n_friendly")})
        print(year, len(corpus), f"{time.time() - t0:.0f}s", file=sys.stderr)
    df = pd.DataFrame(rows)
    wide = df.pivot(index="year", columns="target", values="mean_score")
    print(wide[["US", "South Korea", "Japan", "China", "Russia", "UN"]].to_string())
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {"command": "python data-raw/stance_validation.py yearly",
           "corpus": "kcna-co-jp/days 1997-2015, read_corpus(lang='en')",
           "seconds": round(time.time() - t0, 1),
           "limit_files": args.limit, "rows": rows}
    name = "stance_yearly.json" if not args.limit else "stance_yearly_sample.json"
    (RESULTS / name).write_text(json.dumps(out, indent=1) + "\n")


# ---------------------------------------------------------------------- sample
_SPANISH = re.compile(r"\b(de la|los|las|del|que|por|el)\b")


def _provisional_clean(t: str) -> str:
    # the cleaning used when the sample was drawn (before read_corpus existed);
    # labels were mapped to read_corpus offsets afterwards by sentence hash
    t = html.unescape(t).replace("\xa0", " ")
    t = re.sub(r"[ \t]+", " ", t)
    m = re.search(r"\(KCNA\)\s*-+\s*", t)
    if m:
        t = t[m.end():]
    return re.sub(r"\s+", " ", t).strip()


def sample(args) -> None:
    """Print the random labelling sample (items 0-191; seed 20240601).

    4 random day files per year 1997-2015 and 120 random kcna.kp 2024 records; every
    sentence that names a target is a candidate; candidates are shuffled and taken
    up to 9 per year (22 for 2024), skipping a sentence when all its targets already
    have more than 45 items or when it is over 600 characters. Items 200-244 are a
    second sample of China/Russia sentences from 12 dates of summits and anniversaries
    and 20-21 June 2024 (seed 7), added because the first had few friendly sentences.
    """
    from kcnalex.stance import StanceScorer
    from kcnalex.tokenize import sentence_spans

    scorer = StanceScorer()
    rng = random.Random(20240601)

    def cands_of(t, meta):
        ms, _, mt, _ = scorer.mentions(t)
        if not len(ms):
            return []
        ss, se = sentence_spans(t)
        out = []
        for i in np.unique(np.searchsorted(ss, ms, "right") - 1):
            sent = t[ss[i]:se[i]]
            tg = sorted({scorer.target_names[k] for k, s0 in zip(mt, ms)
                         if ss[i] <= s0 < se[i]})
            out.append((*meta, sent_hash(sent), tg, sent))
        return out

    cands = []
    by_year: dict[str, list] = {}
    for f in sorted(DAYS.glob("*.json.gz")):
        by_year.setdefault(f.name[:4], []).append(f)
    for y in sorted(by_year):
        for f in rng.sample(by_year[y], 4):
            d = json.load(gzip.open(f))
            for pos, a in enumerate(d["articles"]):
                if not a or not a.get("content"):
                    continue
                t = _provisional_clean(a["content"])
                if len(_SPANISH.findall(t)) > 5:
                    continue
                cands += cands_of(t, (y, f.name, pos, a.get("url")))
    kp = json.load(open(KP))
    for pos in rng.sample(range(len(kp)), 120):
        a = kp[pos]
        if a.get("story_text"):
            cands += cands_of(_provisional_clean(a["story_text"]),
                              ("2024", KP.name, pos, a.get("link")))
    rng.shuffle(cands)
    chosen, cnt, per_year = [], {}, {}
    for c in cands:
        lim = 22 if c[0] == "2024" else 9
        if per_year.get(c[0], 0) >= lim or len(c[6]) > 600:
            continue
        if all(cnt.get(t, 0) > 45 for t in c[5]):
            continue
        chosen.append(c)
        per_year[c[0]] = per_year.get(c[0], 0) + 1
        for t in c[5]:
            cnt[t] = cnt.get(t, 0) + 1
    chosen.sort(key=lambda c: (c[0], c[1], c[2]))
    for k, c in enumerate(chosen):
        print(f"[{k}] {c[0]} {c[1]}:{c[2]} {'|'.join(c[5])}\n{c[6]}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("sample")
    ev = sub.add_parser("evaluate")
    ev.add_argument("--show-errors", action="store_true")
    yr = sub.add_parser("yearly")
    yr.add_argument("--limit", type=int, default=0,
                    help="use about this many day files (spread over the years)")
    args = ap.parse_args()
    {"sample": sample, "evaluate": evaluate, "yearly": yearly}[args.cmd](args)


if __name__ == "__main__":
    main()
