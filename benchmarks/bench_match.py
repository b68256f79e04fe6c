"""Benchmark formula matching: kcnalex vs a regex alternation vs spaCy's PhraseMatcher.

All three count the shipped ``kcna-formulae`` lexicon in every document of the real
kcna.co.jp archive (1997-2015, ``../shared/corpora``; read once with
``kcnalex.read_corpus``, not timed), side by side in one run:

* **kcnalex** — :class:`kcnalex.phrases.FormulaMatcher` (``count_many``): Aho–Corasick
  automata over normalised text plus token-boundary checks. Timed with and without the
  matcher build, and also together with the ``n_tokens`` of each document (what
  :func:`kcnalex.count_formulae` computes).
* **regex** — one compiled ``re`` alternation of every term, sorted longest-first (then
  literal before glob, then lexicon order), ``re.IGNORECASE`` with ``(?-i:...)`` for
  case-sensitive and title terms, white space as ``\\s+``, bounded by look-arounds
  that mirror the tokenizer's boundaries (``\\b`` plus: no hyphen joining a word
  character, no abbreviation dots gluing a word); counted with ``finditer`` (leftmost,
  first alternative = longest). It must agree exactly with kcnalex.
* **spaCy** — ``spacy.blank("en")`` tokenizer run with ``nlp.pipe`` and a
  ``PhraseMatcher(attr="LOWER")`` (``attr="ORTH"`` for case-sensitive and title
  entries), overlaps resolved leftmost-longest as kcnalex does; timing includes
  spaCy's tokenization. Glob terms cannot be expressed as phrases and are left out, and
  spaCy's tokenizer splits words kcnalex keeps (``anti-imperialist`` is three spaCy
  tokens), so counts differ on some documents: the run reports how many and where.

kcnalex and spaCy are timed ``--repeat`` times (default 2) and the fastest run is kept
(wall and CPU seconds separately; the machine is shared, so CPU seconds are the fairer
measure); the regex, minutes long, runs once. Writes
``benchmarks/results/match.json`` (timings, ratios, differing documents as counts and
entry ids — no corpus text) and prints the ratios.

Usage::

    python benchmarks/bench_match.py            # full archive (several minutes)
    python benchmarks/bench_match.py --step 20  # every 20th day file, for a try-out
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

import kcnalex as kx
from kcnalex.phrases import FormulaMatcher
from kcnalex.tokenize import count_tokens_batch

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                             ROOT.parent / "shared" / "corpora"))
OUT = ROOT / "benchmarks" / "results" / "match.json"

_WS = r"[\s\ufeff\u200b]+"
_WS_RE = re.compile(_WS)
_AL = r"[^\W_]"
_HY = "[-\u2010\u2011]"


def _regex_word(word: str, case: str) -> str:
    if case == "title":
        return "".join(f"[{c}{c.upper()}]" if c.isalpha() and not c.isupper()
                       else re.escape(c) for c in word)
    return re.escape(word)


def _regex_term(term: str, case: str) -> tuple[str, str]:
    """``(before, body)``: the look-behind a term needs, and the rest of its regex."""
    words = term.split(" ")
    glob_ = words[-1].endswith("*")
    if glob_:
        words[-1] = words[-1][:-1]
    body = _WS.join(_regex_word(w, case) for w in words)
    if case != "insensitive":
        body = f"(?-i:{body})"
    first, last = words[0][0], words[-1][-1]
    pre = _PRE_WORD if first.isalnum() else ""
    if first.isdigit():
        body = r"(?<!\d[.,])" + body
    if glob_:
        # the rest of the token: word characters and hyphens between them
        body += f"(?:{_AL}|{_HY}(?={_AL}))*"
    elif last.isalnum():
        body += f"(?!{_AL})(?!{_HY}{_AL})" + (r"(?![.,]\d)" if last.isdigit() else "")
    elif last == ".":
        body += f"(?!{_AL})"
    return pre, body


# no word character, hyphen-joined word, or abbreviation (U.S.) glued before a term
_PRE_WORD = (f"(?<!{_AL})(?<!{_AL}{_HY})"
             f"(?<!(?<!{_AL})[A-Za-z]\\.[A-Za-z]\\.)")


class RegexCounter:
    """One compiled alternation (no capturing groups: they make ``re`` ~35x slower).

    Which term matched is looked up afterwards: the first alternative, in the
    alternation's order, that matches at the same place with the same end (the
    candidates come from a dict of the terms' lower-cased texts, plus the globs whose
    prefix fits).
    """

    def __init__(self, matcher: FormulaMatcher):
        lex = matcher.lexicon
        terms = lex["term"].tolist()
        cases = lex["case"].tolist()
        rank = [1 if "*" in t else 0 for t in terms]
        literal = [len(t.replace("*", "")) for t in terms]
        order = sorted(range(len(terms)), key=lambda i: (-literal[i], rank[i], i))
        parts = [_regex_term(terms[i], cases[i]) for i in order]
        if {pre for pre, _ in parts} == {_PRE_WORD}:
            # every term starts with a word character: one shared look-behind up front
            pattern = f"{_PRE_WORD}(?:{'|'.join(body for _, body in parts)})"
        else:
            pattern = "|".join(f"(?:{pre}{body})" for pre, body in parts)
        self.rx = re.compile(pattern, re.IGNORECASE)
        self.alt_rx = [re.compile(pre + body, re.IGNORECASE) for pre, body in parts]
        self.alt_entry = [int(matcher.term_entry[i]) for i in order]
        self.lookup: dict[str, list[int]] = {}
        self.globs: list[tuple[str, int]] = []
        for k, i in enumerate(order):
            if "*" in terms[i]:
                self.globs.append((terms[i][:-1].lower(), k))
            else:
                self.lookup.setdefault(terms[i].lower(), []).append(k)
        self.n = matcher.n_entries

    def _which(self, text: str, m: re.Match) -> int:
        start, end = m.span()
        key = _WS_RE.sub(" ", m.group()).lower()
        cands = self.lookup.get(key, []) + [k for g, k in self.globs
                                            if key.startswith(g)]
        for k in sorted(cands):
            mm = self.alt_rx[k].match(text, start)
            if mm is not None and mm.end() == end:
                return self.alt_entry[k]
        raise AssertionError(f"no alternative matches {m.group()!r}")

    def count_many(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.n), dtype=np.int64)
        for i, text in enumerate(texts):
            for m in self.rx.finditer(text):
                out[i, self._which(text, m)] += 1
        return out


def spacy_count(matcher: FormulaMatcher, texts: list[str]) -> tuple[np.ndarray, dict]:
    import spacy
    from spacy.matcher import PhraseMatcher

    t0 = time.perf_counter()
    c0 = time.process_time()
    nlp = spacy.blank("en")
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    orth = PhraseMatcher(nlp.vocab, attr="ORTH")
    lex = matcher.lexicon
    skipped = 0
    key_entry: dict[int, int] = {}
    key_rank: dict[int, int] = {}
    for i, (term, case) in enumerate(zip(lex["term"], lex["case"])):
        if "*" in term:
            skipped += 1
            continue
        key = f"t{i}"
        (lower if case == "insensitive" else orth).add(key, [nlp.make_doc(term)])
        h = nlp.vocab.strings[key]
        key_entry[h] = int(matcher.term_entry[i])
        key_rank[h] = i
    out = np.zeros((len(texts), matcher.n_entries), dtype=np.int64)
    for d, doc in enumerate(nlp.pipe(texts, batch_size=256)):
        spans = [(s, e, key_rank[k], k) for k, s, e in lower(doc)]
        spans += [(s, e, key_rank[k], k) for k, s, e in orth(doc)]
        if not spans:
            continue
        spans.sort(key=lambda x: (x[0], x[0] - x[1], x[2]))
        last = -1
        for s, e, _, k in spans:
            if s >= last:
                out[d, key_entry[k]] += 1
                last = e
    timing = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
              "glob_terms_skipped": skipped, "spacy_version": spacy.__version__}
    return out, timing


def timed(fn, *args):
    t0 = time.perf_counter()
    c0 = time.process_time()
    result = fn(*args)
    return result, {"wall_s": time.perf_counter() - t0,
                    "cpu_s": time.process_time() - c0}


def best(timings: list[dict]) -> dict:
    """Fastest of repeated runs (wall and CPU separately), with every run listed."""
    return {"wall_s": min(t["wall_s"] for t in timings),
            "cpu_s": min(t["cpu_s"] for t in timings),
            "runs": [{"wall_s": t["wall_s"], "cpu_s": t["cpu_s"]} for t in timings]}


def diff_report(ref: np.ndarray, other: np.ndarray, entries, doc_ids,
                glob_entries: np.ndarray | None = None) -> dict:
    neq = ref != other
    rows = np.flatnonzero(neq.any(axis=1))
    by_entry = neq.sum(axis=0)
    top = np.argsort(-by_entry)[:15]
    extra = {}
    if glob_entries is not None:
        # documents whose only differences are in entries with glob terms
        only_glob = ~(neq & ~glob_entries[None, :]).any(axis=1) & neq.any(axis=1)
        extra = {"n_docs_differ_only_in_glob_entries": int(only_glob.sum()),
                 "n_docs_differ_in_other_entries": int(rows.size - only_glob.sum())}
    return {
        "n_docs_differ": int(rows.size), **extra,
        "total_count_kcnalex": int(ref.sum()),
        "total_count_other": int(other.sum()),
        "entries_most_different": {str(entries[j]): {
            "docs": int(by_entry[j]), "kcnalex": int(ref[:, j].sum()),
            "other": int(other[:, j].sum())} for j in top if by_entry[j]},
        "example_doc_ids": [str(doc_ids[r]) for r in rows[:20]],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=1,
                    help="read every STEP-th day file (default 1: the full archive)")
    ap.add_argument("--no-spacy", action="store_true")
    ap.add_argument("--repeat", type=int, default=2,
                    help="time kcnalex and spaCy this many times, keep the fastest "
                         "(the regex, minutes long, runs once)")
    ap.add_argument("--show", type=int, default=3,
                    help="print this many differing contexts per comparison "
                         "(console only)")
    args = ap.parse_args(argv)

    days = sorted(glob.glob(str(SHARED / "kcna-co-jp" / "days" / "*.json.gz")))
    if not days:
        sys.exit(f"real corpora not found under {SHARED}")
    t0 = time.perf_counter()
    corpus = kx.read_corpus(days[::args.step], near_duplicates=False)
    texts = corpus["text"].tolist()
    doc_ids = corpus["doc_id"].tolist()
    read_s = time.perf_counter() - t0
    n_chars = sum(map(len, texts))
    print(f"read {len(texts)} documents ({n_chars / 1e6:.1f} M chars) from "
          f"{len(days[::args.step])} day files in {read_s:.1f} s")

    matcher, t_build = timed(FormulaMatcher, "kcna-formulae")
    runs = [timed(matcher.count_many, texts) for _ in range(args.repeat)]
    ours = runs[0][0]
    assert all((r[0] == ours).all() for r in runs)
    t_ours = best([r[1] for r in runs])
    ntok, t_tok = timed(count_tokens_batch, texts)
    n_tokens = int(ntok.sum())
    print(f"kcnalex: build {t_build['wall_s']:.2f} s, match {t_ours['wall_s']:.1f} s "
          f"wall / {t_ours['cpu_s']:.1f} s CPU; n_tokens {t_tok['wall_s']:.1f} s")

    regex, t_rx_build = timed(RegexCounter, matcher)
    rx_counts, t_rx = timed(regex.count_many, texts)
    print(f"regex:   build {t_rx_build['wall_s']:.2f} s, match {t_rx['wall_s']:.1f} s "
          f"wall / {t_rx['cpu_s']:.1f} s CPU")
    rx_diff = diff_report(ours, rx_counts, matcher.entries, doc_ids)

    result = {
        "benchmark": "bench_match",
        "command": "python benchmarks/bench_match.py" + (
            f" --step {args.step}" if args.step != 1 else ""),
        "corpus": {"source": "kcna-co-jp/days 1997-2015", "day_files":
                   len(days[::args.step]), "documents": len(texts),
                   "chars": n_chars, "word_tokens": n_tokens,
                   "read_corpus_s": round(read_s, 2)},
        "lexicon": {k: matcher.lexicon.attrs["kcnalex"][k]
                    for k in ("name", "version", "sha256")}
        | {"entries": matcher.n_entries, "terms": len(matcher.lexicon)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "note": "2 cores shared with other jobs: compare CPU seconds"},
        "kcnalex": {"build_s": t_build["wall_s"], **t_ours,
                    "n_tokens_s": t_tok["wall_s"]},
        "regex": {"build_s": t_rx_build["wall_s"], **t_rx, "diff": rx_diff},
    }
    ratios = {
        "regex_over_kcnalex_cpu": t_rx["cpu_s"] / t_ours["cpu_s"],
        "regex_over_kcnalex_wall": t_rx["wall_s"] / t_ours["wall_s"],
        "regex_over_kcnalex_with_ntokens_cpu":
            t_rx["cpu_s"] / (t_ours["cpu_s"] + t_tok["cpu_s"]),
    }
    diffs = [("regex", rx_counts)]
    if not args.no_spacy:
        sp_runs = [spacy_count(matcher, texts) for _ in range(args.repeat)]
        sp_counts = sp_runs[0][0]
        t_sp = sp_runs[0][1] | best([r[1] for r in sp_runs])
        print(f"spaCy:   match {t_sp['wall_s']:.1f} s wall / {t_sp['cpu_s']:.1f} s CPU "
              "(incl. tokenization)")
        has_glob = np.zeros(matcher.n_entries, dtype=bool)
        has_glob[matcher.term_entry[matcher.lexicon["term"].str.endswith("*")
                                    .to_numpy()]] = True
        result["spacy"] = {**t_sp, "diff": diff_report(ours, sp_counts, matcher.entries,
                                                       doc_ids, has_glob)}
        ratios |= {
            "spacy_over_kcnalex_cpu": t_sp["cpu_s"] / t_ours["cpu_s"],
            "spacy_over_kcnalex_wall": t_sp["wall_s"] / t_ours["wall_s"],
            "spacy_over_kcnalex_with_ntokens_cpu":
                t_sp["cpu_s"] / (t_ours["cpu_s"] + t_tok["cpu_s"]),
        }
        diffs.append(("spacy", sp_counts))
    result["ratios"] = {k: round(v, 2) for k, v in ratios.items()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    for name, counts in diffs:
        d = result[name]["diff"]
        print(f"{name}: {d['n_docs_differ']} documents differ from kcnalex "
              f"(total count {d['total_count_other']} vs {d['total_count_kcnalex']})")
        shown = 0
        for r in np.flatnonzero((ours != counts).any(axis=1)):
            if shown >= args.show:
                break
            for j in np.flatnonzero(ours[r] != counts[r])[:2]:
                print(f"  {doc_ids[r]} {matcher.entries[j]}: kcnalex {ours[r, j]}, "
                      f"{name} {counts[r, j]}")
            shown += 1
    for k, v in result["ratios"].items():
        print(f"{k}: {v:.1f}x")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
