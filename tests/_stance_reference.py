"""Frozen reference of the stance scorer (kcnalex.stance as of commit 3a2293c).

This is a verbatim copy of ``StanceScorer`` scoring code before the speed-up, kept
ONLY for the equivalence test in ``tests/test_stance.py``: the optimised
``kcnalex.stance.StanceScorer`` must give bit-identical outputs. Do not edit (except
to follow renamed imports); it is not part of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ahocorasick
import numpy as np
import pandas as pd

from kcnalex._columns import validate_frame
from kcnalex.stance import (
    DEFAULT_TAU,
    DEFAULT_WINDOW,
    DIRECTED_REACH,
    NEGATION_SPAN,
    NEGATORS,
    TARGET_CASES,
    load_cues,
    load_targets,
)
from kcnalex.tokenize import sentence_spans, word_spans


def _surface_pattern(surface: str, case: str) -> str:
    esc = re.escape(surface)
    if case == "insensitive":
        return f"(?i:{esc})"
    if case == "first" and surface[:1].isalpha():
        return f"(?i:{re.escape(surface[0])}){re.escape(surface[1:])}"
    return esc


_CONJ_GAP = re.compile(
    r"[\s,'’]*(?:(?:and|or|as well as|the|&|s)[\s,'’]*)*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w'-]")
#: A hostile cue does not attach to a mention that follows it after one of these
#: words: the mention is the victim ("aggression against Russia", "sanctions on
#: China", "attack upon the U.S.").
VICTIM_MARKERS = ("against", "upon", "on", "toward", "towards", "at")
_VICTIM = re.compile(r"(?<![\w-])(?:" + "|".join(VICTIM_MARKERS) + r")(?![\w-])",
                     re.IGNORECASE)


@dataclass
class ReferenceScorer:
    """Compiled targets and cues; scores one document at a time.

    Build it once (it compiles a regex of the surface forms and an Aho-Corasick
    automaton of the cues) and call :meth:`score` or :meth:`doc_sums` per document.
    All outputs are numpy arrays: no DataFrame or Python object per token.

    Parameters
    ----------
    targets : DataFrame, optional
        From :func:`load_targets` (default: the shipped targets).
    cues : DataFrame, optional
        From :func:`load_cues` (default: ``load_cues()``), columns ``term``,
        ``weight``, ``directed``.
    window : int
        Largest distance, in word tokens, at which a cue attaches to a mention.
    tau : float
        Threshold: ``|score| >= tau`` gives stance -1 / +1.
    """

    targets: pd.DataFrame | None = None
    cues: pd.DataFrame | None = None
    window: int = DEFAULT_WINDOW
    tau: float = DEFAULT_TAU
    target_names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.targets is None:
            self.targets = load_targets()
        if self.cues is None:
            self.cues = load_cues()
        if self.window < 1:
            raise ValueError("window must be >= 1")
        if self.tau <= 0:
            raise ValueError("tau must be > 0")
        t = validate_frame(self.targets, ("target", "surface", "case", "cue", "kind"),
                           name="targets")
        bad = set(t["case"]) - set(TARGET_CASES)
        if bad:
            raise ValueError(f"targets: unknown case rule(s) {sorted(bad)}")
        surf = t[t["kind"] == "surface"]
        self.target_names = list(dict.fromkeys(surf["target"].tolist()))
        index = {n: i for i, n in enumerate(self.target_names)}
        # longest first: Python's regex alternation is leftmost-first, so at each
        # position the longest surface wins ("U.S. imperialists" over "U.S.")
        order = sorted(range(len(t)), key=lambda i: (-len(t["surface"].iat[i]), i))
        alts, self._group_target, self._group_cue = [], [], []
        for j, i in enumerate(order):
            pat = _surface_pattern(t["surface"].iat[i], t["case"].iat[i])
            alts.append(f"(?P<g{j}>{pat})")
            kind = t["kind"].iat[i]
            self._group_target.append(index[t["target"].iat[i]]
                                      if kind == "surface" else -1)
            self._group_cue.append(float(t["cue"].iat[i]))
        self._regex = re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")
        c = validate_frame(self.cues, ("term", "weight", "directed"), name="cues")
        self._automaton = ahocorasick.Automaton()
        self._cue_weight = c["weight"].to_numpy(float)
        self._cue_directed = c["directed"].to_numpy(bool)
        for k, term in enumerate(c["term"].astype(str).tolist()):
            key = " ".join(term.lower().split())
            if key:
                self._automaton.add_word(key, (k, len(key)))
        if len(self._automaton):
            self._automaton.make_automaton()

    # ---------------------------------------------------------------- mentions
    def mentions(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                           np.ndarray]:
        """Target mentions in ``text``: ``(starts, ends, target_index, cue)``."""
        s, e, ti, cu = [], [], [], []
        gt, gc = self._group_target, self._group_cue
        for m in self._regex.finditer(text):
            g = int(m.lastgroup[1:])
            if gt[g] < 0:
                continue
            s.append(m.start())
            e.append(m.end())
            ti.append(gt[g])
            cu.append(gc[g])
        return (np.asarray(s, dtype=np.int64), np.asarray(e, dtype=np.int64),
                np.asarray(ti, dtype=np.int64), np.asarray(cu, dtype=float))

    # -------------------------------------------------------------------- cues
    def _cues_in(self, text: str, a: int, b: int) -> list[tuple[int, int, int]]:
        """Leftmost-longest cue matches in ``text[a:b]`` with word boundaries."""
        if not len(self._automaton):
            return []
        low = _NOT_WORD.sub(" ", text[a:b].lower())
        # offsets are kept 1:1; multiword cues match single-spaced text only
        found = []
        for end, (k, n) in self._automaton.iter(low):
            st = end - n + 1
            if st > 0 and low[st - 1].isalnum():
                continue
            if end + 1 < len(low) and low[end + 1].isalnum():
                continue
            found.append((st, end + 1, k))
        if not found:
            return []
        found.sort(key=lambda x: (x[0], x[0] - x[1]))
        out, last = [], -1
        for st, en, k in found:
            if st >= last:
                out.append((st + a, en + a, k))
                last = en
        return out

    # ------------------------------------------------------------------- score
    def score(self, text: str, *,
              sentences: tuple[np.ndarray, np.ndarray] | None = None,
              words: tuple[np.ndarray, np.ndarray] | None = None
              ) -> dict[str, np.ndarray]:
        """Score every (sentence, target) pair of one document.

        Parameters
        ----------
        text : str
            The document's text.
        sentences, words : (starts, ends), optional
            :func:`kcnalex.tokenize.sentence_spans` and
            :func:`kcnalex.tokenize.word_spans` (``names=False``) of ``text``, if
            already computed.

        Returns
        -------
        dict of numpy.ndarray
            Parallel arrays, one element per (sentence, target) pair that has a
            mention: ``sent_id``, ``target`` (index into ``target_names``),
            ``score``, ``stance``, ``n_mentions``, ``sent_start``, ``sent_end``.
        """
        empty = {k: np.zeros(0, dtype=np.int64) for k in
                 ("sent_id", "target", "stance", "n_mentions", "sent_start",
                  "sent_end")}
        empty["score"] = np.zeros(0, dtype=float)
        if not isinstance(text, str) or not text:
            return empty
        ms, me, mt, mc = self.mentions(text)
        if not len(ms):
            return empty
        ss, se = sentences if sentences is not None else sentence_spans(text)
        ws, we = words if words is not None else word_spans(text)
        sent_of = np.searchsorted(ss, ms, side="right") - 1
        ok = (sent_of >= 0) & (ms < se[np.maximum(sent_of, 0)])
        ms, me, mt, mc, sent_of = ms[ok], me[ok], mt[ok], mc[ok], sent_of[ok]
        # word-token span [ta, tb) of each mention (a mention inside a hyphenated
        # token such as "DPRK-U.S." maps to that token)
        ta = np.searchsorted(we, ms, side="right")
        tb = np.maximum(np.searchsorted(ws, me, side="left"), ta + 1)
        out_sid, out_t, out_score, out_n = [], [], [], []
        W = self.window
        bounds = np.flatnonzero(np.diff(sent_of)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(ms)]):
            sid = int(sent_of[lo])
            s0, s1 = int(ss[sid]), int(se[sid])
            # conjunct groups: mentions joined by "and", ",", "or", "the"
            groups: list[list[int]] = [[lo]]
            for i in range(lo + 1, hi):
                gap = text[int(me[i - 1]):int(ms[i])]
                if _CONJ_GAP.fullmatch(gap):
                    groups[-1].append(i)
                else:
                    groups.append([i])
            gs = [int(ms[g[0]]) for g in groups]
            ga = np.array([ta[g[0]] for g in groups])
            gb = np.array([tb[g[-1]] for g in groups])
            tset = [sorted({int(mt[i]) for i in g}) for g in groups]
            scores: dict[int, float] = {}
            counts: dict[int, int] = {}
            for i in range(lo, hi):
                t = int(mt[i])
                counts[t] = counts.get(t, 0) + 1
                scores[t] = scores.get(t, 0.0) + float(mc[i])
            # sentence word-token range, for negation look-back
            w0 = int(np.searchsorted(ws, s0, side="left"))
            for cs, ce, k in self._cues_in(text, s0, s1):
                # a cue inside a mention is already counted as its epithet; a cue
                # that contains a mention and more ("DPRK-China friendship",
                # "puppet warmongers") belongs to that mention's group (d = 0)
                inside = (ms[lo:hi] < ce) & (me[lo:hi] > cs)
                if inside.any():
                    j = lo + int(np.flatnonzero(inside)[0])
                    if ms[j] <= cs and ce <= me[j]:
                        continue
                    g = next(n for n, grp in enumerate(groups) if j in grp)
                    for t in tset[g]:
                        scores[t] += self._cue_weight[k] * _negated(
                            text, ws, we, w0, int(np.searchsorted(
                                we, min(cs, int(ms[j])), side="right")))
                    continue
                ca = int(np.searchsorted(we, cs, side="right"))
                cb = max(int(np.searchsorted(ws, ce, side="left")), ca + 1)
                right = ga >= cb                    # group after the cue
                dist = np.where(right, ga - cb + 1, ca - gb + 1)
                dist = np.where((ga < cb) & (gb > ca), 0, dist)
                near = dist <= W
                if self._cue_weight[k] < 0:
                    for j in np.flatnonzero(near & right):
                        if _VICTIM.search(text, ce, gs[j]):
                            near[j] = False
                if not near.any():
                    continue
                obj = near & right & (dist <= DIRECTED_REACH)
                if self._cue_directed[k] and obj.any():
                    cand = np.flatnonzero(obj)
                else:
                    cand = np.flatnonzero(near)
                # nearest; ties go to the group on the right (the larger index)
                best = cand[np.lexsort((-cand, dist[cand]))[0]]
                d = int(dist[best])
                w = self._cue_weight[k] * (W + 1 - max(d, 1)) / W
                w *= _negated(text, ws, we, w0, ca)
                for t in tset[best]:
                    scores[t] += w
            for t in sorted(scores):
                out_sid.append(sid)
                out_t.append(t)
                out_score.append(round(scores[t], 12))
                out_n.append(counts[t])
        score = np.asarray(out_score, dtype=float)
        sid = np.asarray(out_sid, dtype=np.int64)
        return {
            "sent_id": sid,
            "target": np.asarray(out_t, dtype=np.int64),
            "score": score,
            "stance": _label(score, self.tau),
            "n_mentions": np.asarray(out_n, dtype=np.int64),
            "sent_start": ss[sid].astype(np.int64),
            "sent_end": se[sid].astype(np.int64),
        }

    def doc_sums(self, text: str, *,
                 sentences: tuple[np.ndarray, np.ndarray] | None = None,
                 words: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> dict[str, np.ndarray]:
        """Per-target sums for one document (for the one-pass pipeline).

        Returns
        -------
        dict of numpy.ndarray
            One element per target of ``target_names`` (all of them, zeros where the
            document does not name it): ``score_sum`` (sum of sentence scores),
            ``n_sentences``, ``n_hostile``, ``n_friendly``.
        """
        r = self.score(text, sentences=sentences, words=words)
        n = len(self.target_names)
        t = r["target"]
        return {
            "score_sum": np.bincount(t, weights=r["score"], minlength=n),
            "n_sentences": np.bincount(t, minlength=n).astype(np.int64),
            "n_hostile": np.bincount(t[r["stance"] < 0], minlength=n).astype(np.int64),
            "n_friendly": np.bincount(t[r["stance"] > 0], minlength=n).astype(np.int64),
        }

    def provenance_lexicons(self) -> list[dict]:
        """Name, version and sha256 of the targets file(s) and cue sources."""
        out = [{"name": "targets", "version": self.targets.attrs.get("version", ""),
                "sha256": self.targets.attrs.get("sha256", "")}]
        out.extend(self.cues.attrs.get("lexicons", []))
        return out


def _negated(text: str, ws: np.ndarray, we: np.ndarray, first: int, at: int
             ) -> float:
    """-1.0 if a negator is among the NEGATION_SPAN word tokens before token ``at``
    (not before token ``first``, the sentence's first word), else 1.0."""
    for j in range(max(first, at - NEGATION_SPAN), at):
        if text[int(ws[j]):int(we[j])].lower() in NEGATORS:
            return -1.0
    return 1.0


def _label(score: np.ndarray, tau: float) -> np.ndarray:
    return np.where(score >= tau, 1, np.where(score <= -tau, -1, 0)).astype(np.int64)
