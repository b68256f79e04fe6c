"""Find formulae in the data, compare groups of documents, follow formulae over time.

Three functions sit on top of the matching stage (:mod:`kcnalex.phrases`):

* :func:`discover_formulae` -- recurrent multiword sequences (n = 2..8) that the data
  itself proposes as formulae, ranked by document frequency and association, with
  examples; entries of a lexicon are left out so only *new* candidates come back.
* :func:`keyness` -- words, formulae or lexicon entries over-used in one group of
  documents against another (log-likelihood G2 or chi2, with the log ratio).
* :func:`formula_lifecycle` -- first and last attestation, peak and trend of each
  lexicon entry: which formulae are emerging and which are dying.

How the n-gram counting scales (``discover_formulae``, ``keyness(terms="formulae")``)
------------------------------------------------------------------------------------
The corpus is tokenized once (:func:`kcnalex.tokenize.token_spans` on batches of
documents) and every token becomes an integer id (one ``int32`` array for the whole
corpus; sentence ends and paragraph breaks become a break id that no n-gram crosses).
n-grams are then counted level by level, *a priori* style: an n-gram is counted only
where both its (n-1)-gram prefix and its (n-1)-gram suffix reached ``min_df``
documents, and it is named by the exact integer pair (prefix id, last token id), so
there is no hashing and no collision. Term and document frequencies come from
``np.unique`` / ``np.bincount`` on these integer arrays; Python-level work (NLTK's
association measures, KWIC examples) only touches the few survivors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._columns import as_corpus, validate_frame
from ._provenance import attach, provenance
from .tokenize import token_spans

__all__ = [
    "STOPWORDS",
    "SENTENCE_BREAKS",
    "discover_formulae",
    "keyness",
    "formula_lifecycle",
    "log_likelihood",
    "chi_squared",
    "log_ratio",
]

#: Function words an n-gram candidate may not start or end with (lower case). A short
#: closed-class list (articles, pronouns, prepositions, conjunctions, auxiliaries,
#: quantifiers) written for this package; deliberately not scikit-learn's
#: ``ENGLISH_STOP_WORDS``, which also holds content words KCNA formulae end with
#: ("system", "sincere", "front", "interest").
STOPWORDS: frozenset[str] = frozenset(
    """a an the this that these those such
    i me my mine myself we us our ours ourselves you your yours yourself yourselves
    he him his himself she her hers herself it its itself they them their theirs
    themselves who whom whose which what whatever whoever whichever
    am is are was were be been being have has had having do does did doing done
    will would shall should can could may might must ought
    and or but nor so yet if then than because as while whereas although though
    unless until since whether
    of in on at by for with about against between into through during before after
    above below to from up down out off over under again further once upon within
    without across among amid amidst toward towards onto via per around along
    behind beyond despite throughout
    there here when where why how all any both each few more most other some no not
    only own same too very just also every either neither another much many several
    's ’s s t""".split()
)

#: Tokens that end a sentence for n-gram counting (no n-gram crosses them). Line
#: breaks between tokens (paragraphs) and document boundaries also break.
SENTENCE_BREAKS: frozenset[str] = frozenset({".", "!", "?", ";", ":"})

_BREAK = 0


# ---------------------------------------------------------------------------
# statistics (exact formulas; NLTK for the n-gram association measures)
# ---------------------------------------------------------------------------

def _xlnx_ratio(obs: np.ndarray, exp: np.ndarray) -> np.ndarray:
    """``obs * ln(obs / exp)`` with ``0 * ln 0 = 0``."""
    obs = np.asarray(obs, dtype=float)
    exp = np.asarray(exp, dtype=float)
    out = np.zeros(np.broadcast(obs, exp).shape)
    pos = obs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        val = obs * np.log(obs / exp)
    out[pos] = np.broadcast_to(val, out.shape)[pos]
    return out


def _table(a, b, n_target, n_reference):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    c = np.asarray(n_target, dtype=float) - a
    d = np.asarray(n_reference, dtype=float) - b
    if np.any(c < 0) or np.any(d < 0):
        raise ValueError("a term count exceeds its group's total")
    n = a + b + c + d
    row1 = a + b
    row2 = c + d
    col1 = a + c
    col2 = b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        e = (row1 * col1 / n, row1 * col2 / n, row2 * col1 / n, row2 * col2 / n)
    return (a, b, c, d), e


def log_likelihood(a, b, n_target, n_reference) -> np.ndarray:
    """Unsigned log-likelihood ratio G2 of a 2x2 frequency table (Dunning 1993).

    With ``a`` occurrences of a term among ``n_target`` tokens of the target and
    ``b`` among ``n_reference`` tokens of the reference, the table is
    ``[[a, b], [c, d]]`` with ``c = n_target - a``, ``d = n_reference - b``,
    ``N = a + b + c + d`` and expected values ``E_ij = row_i * col_j / N``:

    .. math:: G^2 = 2 \\sum_{ij} O_{ij} \\ln(O_{ij} / E_{ij}),\\quad 0 \\ln 0 = 0.

    Examples
    --------
    >>> round(float(log_likelihood(10, 2, 1000, 1000)), 4)
    5.8543
    """
    obs, exp = _table(a, b, n_target, n_reference)
    total = sum(_xlnx_ratio(o, e) for o, e in zip(obs, exp))
    return 2.0 * total


def chi_squared(a, b, n_target, n_reference) -> np.ndarray:
    """Pearson chi2 of the same 2x2 table, without continuity correction.

    .. math:: \\chi^2 = \\sum_{ij} (O_{ij} - E_{ij})^2 / E_{ij}
              = N (ad - bc)^2 / ((a+b)(c+d)(a+c)(b+d)).
    """
    obs, exp = _table(a, b, n_target, n_reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = [np.where(e > 0, (o - e) ** 2 / e, 0.0) for o, e in zip(obs, exp)]
    return sum(parts)


def log_ratio(a, b, n_target, n_reference, *, smoothing: float = 0.5) -> np.ndarray:
    """Hardie's (2014) log ratio: binary log of the ratio of relative frequencies.

    .. math:: LR = \\log_2 \\frac{(a + s) / n_{target}}{(b + s) / n_{reference}}

    with ``s = smoothing`` (0.5) added to *both* counts, so a term absent from one
    group gets a finite value and the measure is continuous in the counts.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.log2(((a + smoothing) / float(n_target))
                   / ((b + smoothing) / float(n_reference)))


def _chi2_sf_1df(x: np.ndarray) -> np.ndarray:
    """Upper tail of chi2 with one degree of freedom: ``erfc(sqrt(x / 2))``."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return np.array([math.erfc(math.sqrt(v / 2.0)) for v in x.ravel()]
                    ).reshape(x.shape)


def _nltk_measure(measure: str) -> Callable[..., float]:
    from nltk.collocations import BigramAssocMeasures

    if measure == "llr":
        return BigramAssocMeasures.likelihood_ratio
    if measure == "pmi":
        return BigramAssocMeasures.pmi
    raise ValueError(f"measure must be 'llr' or 'pmi', got {measure!r}")


# ---------------------------------------------------------------------------
# corpus -> integer token ids
# ---------------------------------------------------------------------------

@dataclass
class _Encoded:
    ids: np.ndarray          # int32 token id per position (0 = break)
    doc: np.ndarray          # int32 document index per position
    vocab: list[str]         # id -> lower-cased token ("" for the break)
    n_docs: int
    n_positions: int         # non-break tokens (words and punctuation)
    index: dict[str, int] = field(default_factory=dict)
    cap: np.ndarray | None = None  # per position: token starts with an upper case

    def flags(self) -> tuple[np.ndarray, np.ndarray]:
        """``(is_word, has_alpha)`` per vocabulary id."""
        is_word = np.fromiter(
            (bool(t) and any(ch.isalnum() for ch in t) and t not in ("'s", "’s")
             for t in self.vocab), dtype=bool, count=len(self.vocab))
        has_alpha = np.fromiter((any(ch.isalpha() for ch in t) for t in self.vocab),
                                dtype=bool, count=len(self.vocab))
        return is_word, has_alpha


def _norm(tok: str) -> str:
    """Lower-cased token, inner white space (merged names) collapsed."""
    return " ".join(tok.lower().split())


def _encode(texts: Sequence[str], *, names: bool = True,
            batch_chars: int = 4_000_000) -> _Encoded:
    """Tokenize ``texts`` once and map every token to an integer id.

    Documents are tokenized in batches (joined with a blank line, which no token
    crosses); a batch's token strings are the only per-token Python objects built,
    and they are dropped once the batch is factorized.
    """
    index: dict[str, int] = {"": _BREAK}
    for p in SENTENCE_BREAKS:
        index[p] = _BREAK
    vocab: list[str] = [""]
    ids_parts: list[np.ndarray] = []
    doc_parts: list[np.ndarray] = []
    cap_parts: list[np.ndarray] = []
    n = len(texts)
    i = 0
    while i < n:
        j, size = i, 0
        while j < n and (j == i or size < batch_chars):
            size += len(texts[j]) + 2
            j += 1
        batch = [t if isinstance(t, str) else "" for t in texts[i:j]]
        joined = "\n\n".join(batch)
        starts, ends = token_spans(joined, names=names)
        lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
        offsets = np.concatenate(([0], np.cumsum(lengths + 2)[:-1]))
        doc = (np.searchsorted(offsets, starts, side="right") - 1 + i).astype(np.int32)
        low = joined.lower()
        if len(low) == len(joined):
            toks = [low[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
            cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
            lcp = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), np.uint32)
            cap = cp[starts] != lcp[starts]   # first character is upper case
            del cp, lcp
        else:  # a character whose lower case has another length: lower each token
            toks = [joined[a:b].lower() for a, b in zip(starts.tolist(), ends.tolist())]
            cap = np.fromiter((joined[a].isupper() for a in starts.tolist()),
                              dtype=bool, count=starts.size)
        codes, uniques = pd.factorize(pd.Series(toks, dtype=object), sort=False)
        del toks
        gmap = np.empty(len(uniques), dtype=np.int32)
        for k, u in enumerate(uniques.tolist()):
            if len(u) > 1 and not u.isalnum():
                u = _norm(u)  # a merged name may hold a line break or two spaces
            code = index.get(u)
            if code is None:
                code = len(vocab)
                index[u] = code
                vocab.append(u)
            gmap[k] = code
        ids = gmap[codes] if len(codes) else np.zeros(0, dtype=np.int32)
        # a line break between two tokens (paragraph or document boundary) breaks
        nl = np.array([m.start() for m in re.finditer("\n", joined)], dtype=np.int64)
        if ids.size > 1 and nl.size:
            gap = (np.searchsorted(nl, starts[1:]) - np.searchsorted(nl, ends[:-1])) > 0
            cut = np.flatnonzero(gap & (ids[:-1] != _BREAK) & (ids[1:] != _BREAK)) + 1
            ids = np.insert(ids, cut, _BREAK)
            doc = np.insert(doc, cut, doc[cut])
            cap = np.insert(cap, cut, False)
        # batches are separated by a break too
        ids_parts.append(np.concatenate((ids, [_BREAK])).astype(np.int32))
        doc_parts.append(np.concatenate((doc, [max(j - 1, 0)])).astype(np.int32))
        cap_parts.append(np.concatenate((cap, [False])))
        i = j
    ids = (np.concatenate(ids_parts) if ids_parts else np.zeros(0, dtype=np.int32))
    doc = (np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int32))
    cap = (np.concatenate(cap_parts) if cap_parts else np.zeros(0, dtype=bool))
    return _Encoded(ids=ids, doc=doc, vocab=vocab, n_docs=n,
                    n_positions=int(np.count_nonzero(ids != _BREAK)), index=index,
                    cap=cap)


# ---------------------------------------------------------------------------
# a priori n-gram counting on the integer ids
# ---------------------------------------------------------------------------

@dataclass
class _Level:
    """The n-grams of one length that reached ``min_df`` documents."""

    n: int
    keys: np.ndarray        # sorted: prefix * G1 + last (n >= 2); vocab id (n == 1)
    prefix: np.ndarray      # id of the (n-1)-gram prefix (n >= 2)
    suffix: np.ndarray      # id of the (n-1)-gram suffix (n >= 2)
    tf: np.ndarray
    df: np.ndarray
    first_doc: np.ndarray
    last_doc: np.ndarray    # last dated document (or last document if none dated)
    examples: np.ndarray    # (G, 3) first, middle, last document, -1 padded
    first_tok: np.ndarray   # vocab id of the first token
    last_tok: np.ndarray    # vocab id of the last token
    group_tf: np.ndarray | None = None  # (n_groups, G)
    cap_tf: np.ndarray | None = None    # occurrences with every word capitalised


def _gram_stats(inv: np.ndarray, docs: np.ndarray, n_grams: int, n_docs: int,
                n_dated: int):
    """tf, df, first/last document and three example documents of each gram."""
    tf = np.bincount(inv, minlength=n_grams)
    # sort + diff rather than np.unique: numpy >= 2.3 takes a hash path for plain
    # integer np.unique that is far slower on tens of millions of keys
    pair = np.sort(inv.astype(np.int64) * n_docs + docs)
    if pair.size:
        pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))]
    pg = pair // n_docs
    pdoc = pair - pg * n_docs
    df = np.bincount(pg, minlength=n_grams)
    start = np.concatenate(([0], np.cumsum(df)[:-1]))
    has = df > 0
    first_doc = np.full(n_grams, -1, dtype=np.int64)
    first_doc[has] = pdoc[start[has]]
    # last *dated* document: documents are ordered by date, undated ones last
    dated = np.concatenate(([0], np.cumsum(pdoc < n_dated)))
    n_dated_g = dated[start + df] - dated[start]
    last_idx = np.where(n_dated_g > 0, start + n_dated_g - 1, start + df - 1)
    last_doc = np.full(n_grams, -1, dtype=np.int64)
    last_doc[has] = pdoc[last_idx[has]]
    # examples spread over time: the first, the middle and the last document
    examples = np.full((n_grams, 3), -1, dtype=np.int64)
    examples[has, 0] = pdoc[start[has]]
    m = df >= 3
    examples[m, 1] = pdoc[start[m] + (df[m] - 1) // 2]
    m = df >= 2
    examples[m, 2] = last_doc[m]  # the last dated document
    examples[examples[:, 2] == examples[:, 1], 2] = -1
    return tf, df, first_doc, last_doc, examples


def _count_levels(enc: _Encoded, *, n_max: int, min_df: int, n_dated: int,
                  doc_group: np.ndarray | None = None, n_groups: int = 0,
                  neutral: np.ndarray | None = None) -> list[_Level]:
    """Count all n-grams (1 <= n <= n_max) with df >= min_df, a priori style.

    With ``neutral`` (per vocabulary id: stopwords, punctuation, numbers), each
    level also counts the occurrences whose every other token is capitalised in
    the text (``cap_tf``), for the proper-noun filter.
    """
    ids, docs, n_docs = enc.ids, enc.doc, enc.n_docs
    okpos = None
    if neutral is not None and enc.cap is not None:
        okpos = enc.cap | neutral[ids]
    V = len(enc.vocab)
    levels: list[_Level] = []

    def group_counts(inv, pos, G):
        if doc_group is None:
            return None
        g = doc_group[docs[pos]].astype(np.int64)
        return np.bincount(g * G + inv, minlength=n_groups * G).reshape(n_groups, G)

    # level 1
    pos = np.flatnonzero(ids != _BREAK)
    inv = ids[pos].astype(np.int64)
    tf, df, fd, ld, ex = _gram_stats(inv, docs[pos], V, n_docs, n_dated)
    gtf = group_counts(inv, pos, V)
    keep = np.flatnonzero((df >= min_df) & (np.arange(V) != _BREAK))
    g1 = np.full(V, -1, dtype=np.int64)
    g1[keep] = np.arange(keep.size)
    ctf = (None if okpos is None
           else np.bincount(inv[okpos[pos]], minlength=V)[keep])
    levels.append(_Level(
        n=1, keys=keep, prefix=keep, suffix=keep, tf=tf[keep], df=df[keep],
        first_doc=fd[keep], last_doc=ld[keep], examples=ex[keep], first_tok=keep,
        last_tok=keep, group_tf=None if gtf is None else gtf[:, keep], cap_tf=ctf))
    allcap_prev = okpos  # per position: the (n-1)-gram there has only ok tokens
    g1pos = g1[ids].astype(np.int32)  # compact unigram id per position (-1: rare)
    cur = g1pos
    G1 = max(keep.size, 1)
    del pos, inv
    for n in range(2, n_max + 1):
        prev = levels[-1]
        if prev.tf.size == 0:
            break
        valid = (cur[:-1] >= 0) & (cur[1:] >= 0)
        pos = np.flatnonzero(valid)
        if pos.size == 0:
            break
        key = cur[pos].astype(np.int64) * G1 + g1pos[pos + n - 1]
        uniq, first, inv, counts = np.unique(key, return_index=True,
                                             return_inverse=True, return_counts=True)
        del key
        ok = counts >= min_df          # df <= tf: prune on tf before the df pass
        remap = np.full(uniq.size, -1, dtype=np.int64)
        remap[ok] = np.arange(int(ok.sum()))
        inv = remap[inv]
        m = inv >= 0
        pos, inv = pos[m], inv[m]
        uniq, first = uniq[ok], first[ok]
        if uniq.size == 0:
            break
        tf, df, fd, ld, ex = _gram_stats(inv, docs[pos], uniq.size, n_docs, n_dated)
        keep = df >= min_df
        remap = np.full(uniq.size, -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        gtf = group_counts(inv, pos, uniq.size)
        if okpos is not None:
            allcap_n = np.zeros(ids.size, dtype=bool)
            allcap_n[:-n + 1] = allcap_prev[:-n + 1] & okpos[n - 1:]
            ctf = np.bincount(inv[allcap_n[pos]], minlength=uniq.size)[keep]
            allcap_prev = allcap_n
        else:
            ctf = None
        # `first` indexes the unfiltered valid positions: recover the position
        first_pos = np.flatnonzero(valid)[first[keep]]
        keys = uniq[keep]
        prefix = keys // G1
        suffix = cur[first_pos + 1].astype(np.int64)
        last_tok = levels[0].keys[keys % G1]
        new = np.full(ids.size, -1, dtype=np.int32)  # ids < 2**31: one per position
        inv = remap[inv]
        m = inv >= 0
        new[pos[m]] = inv[m]
        levels.append(_Level(
            n=n, keys=keys, prefix=prefix, suffix=suffix, tf=tf[keep], df=df[keep],
            first_doc=fd[keep], last_doc=ld[keep], examples=ex[keep],
            first_tok=prev.first_tok[prefix], last_tok=last_tok,
            group_tf=None if gtf is None else gtf[:, keep], cap_tf=ctf))
        del pos, inv, valid
        cur = new
        if keys.size == 0:
            break
    return levels


def _lookup(levels: list[_Level], enc: _Encoded, tokens: Sequence[str]) -> int:
    """Id of the n-gram ``tokens`` at level ``len(tokens)`` (-1 if not counted)."""
    n = len(tokens)
    if n == 0 or n > len(levels):
        return -1
    v = enc.index.get(tokens[0])
    if v is None or v == _BREAK:
        return -1
    lv1 = levels[0].keys
    k = int(np.searchsorted(lv1, v))
    if k >= lv1.size or lv1[k] != v:
        return -1
    gid = k
    G1 = max(lv1.size, 1)
    for i in range(1, n):
        v = enc.index.get(tokens[i])
        if v is None or v == _BREAK:
            return -1
        u = int(np.searchsorted(lv1, v))
        if u >= lv1.size or lv1[u] != v:
            return -1
        key = gid * G1 + u
        keys = levels[i].keys
        k = int(np.searchsorted(keys, key))
        if k >= keys.size or keys[k] != key:
            return -1
        gid = k
    return gid


def _prefix_chain(levels: list[_Level], m: int, ids: np.ndarray, k: int) -> np.ndarray:
    """Ids of the length-``k`` prefixes of level-``m`` grams ``ids``."""
    for lev in range(m, k, -1):
        ids = levels[lev - 1].prefix[ids]
    return ids


def _suffix_chain(levels: list[_Level], m: int, ids: np.ndarray, k: int) -> np.ndarray:
    """Ids of the length-``k`` suffixes of level-``m`` grams ``ids``."""
    for lev in range(m, k, -1):
        ids = levels[lev - 1].suffix[ids]
    return ids


_NO_SPACE_BEFORE = frozenset({",", "'s", "’s", "'", "’", ")", "]", "%"})


def _join(tokens: list[str]) -> str:
    """Tokens joined as text: no space before a comma, possessive or bracket."""
    out: list[str] = []
    for t in tokens:
        if out and t not in _NO_SPACE_BEFORE and out[-1] not in ("(", "["):
            out.append(" ")
        out.append(t)
    return "".join(out)


def _ngram_tokens(levels: list[_Level], enc: _Encoded, m: int, gid: int) -> list[str]:
    toks = []
    g = gid
    for lev in range(m, 1, -1):
        toks.append(enc.vocab[int(levels[lev - 1].last_tok[g])])
        g = int(levels[lev - 1].prefix[g])
    toks.append(enc.vocab[int(levels[0].keys[g])])
    return toks[::-1]


# ---------------------------------------------------------------------------
# candidate selection shared by discover_formulae and keyness(terms="formulae")
# ---------------------------------------------------------------------------

def _min_df_abs(min_df: int | float, n_docs: int) -> int:
    if isinstance(min_df, float) and 0 < min_df < 1:
        return max(1, math.ceil(min_df * n_docs))
    if min_df < 1 or int(min_df) != min_df:
        raise ValueError("min_df must be an integer >= 1 or a float in (0, 1)")
    return int(min_df)


def _candidates(levels: list[_Level], enc: _Encoded, *, n_min: int, n_max: int,
                stopwords: frozenset[str], containment: float
                ) -> dict[int, np.ndarray]:
    """Eligible, maximal candidates per length: boolean masks over each level."""
    vocab_stop = np.fromiter((t in stopwords for t in enc.vocab), dtype=bool,
                             count=len(enc.vocab))
    _, has_alpha = enc.flags()
    edge_ok = has_alpha & ~vocab_stop
    elig: dict[int, np.ndarray] = {}
    for m in range(n_min, min(n_max, len(levels)) + 1):
        lv = levels[m - 1]
        elig[m] = edge_ok[lv.first_tok] & edge_ok[lv.last_tok]
    if containment is None or containment > 1:
        return elig
    # best tf of an eligible proper super-sequence, for every sub-sequence
    best = {m: np.zeros(levels[m - 1].tf.size, dtype=np.int64) for m in elig}
    for m in elig:
        t = np.flatnonzero(elig[m])
        if t.size == 0:
            continue
        tf_t = levels[m - 1].tf[t]
        for j in range(0, m - n_min + 1):          # drop j tokens on the left
            sj = _suffix_chain(levels, m, t, m - j)
            for k in range(m - j, n_min - 1, -1):  # keep the first k of those
                sub = _prefix_chain(levels, m - j, sj, k)
                if k < m:
                    np.maximum.at(best[k], sub, tf_t)
    out = {}
    for m, mask in elig.items():
        tf = levels[m - 1].tf
        nested = best[m] >= containment * tf
        out[m] = mask & ~nested
    return out


def _proper_mask(levels: list[_Level], *, n_max: int) -> dict[int, np.ndarray]:
    """Per level: grams written with every word capitalised in most occurrences.

    An occurrence is capitalised when each of its tokens begins with an upper-case
    letter or is neutral (a stopword, punctuation, a number): "Supreme People's
    Assembly", "Kim Yong Nam", "Group for the Study". The gram is a proper noun
    when at least half of its occurrences are.
    """
    out = {}
    for m in range(1, min(n_max, len(levels)) + 1):
        lv = levels[m - 1]
        out[m] = 2 * lv.cap_tf >= lv.tf
    return out


_MAX_GLOB_EXPANSIONS = 256


def _load_lexicon_frame(lexicon) -> pd.DataFrame:
    """A lexicon frame from a name/path/frame (via load_lexicon) or a list of terms."""
    from .lexicons import load_lexicon

    if isinstance(lexicon, pd.DataFrame) and {"entry", "term"} <= set(lexicon.columns):
        return lexicon
    if isinstance(lexicon, (list, tuple)) and all(isinstance(t, str) for t in lexicon):
        frame = pd.DataFrame({"entry": list(lexicon), "term": list(lexicon),
                              "category": ""})
        return frame
    return load_lexicon(lexicon)


def _lexicon_record(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from .lexicons import lexicon_info

    try:
        return lexicon_info(frame)
    except Exception:  # a hand-made frame or list of terms: no file behind it
        return [{"name": "user", "version": "", "sha256": ""}]


def _term_tokens(term: str, *, names: bool) -> list[tuple[str, bool]]:
    """Tokens of a lexicon term as ``(lower-cased token, is_glob)`` pairs.

    ``word*`` (a glob of the lexicon syntax) matches any token starting with
    ``word``; the star is removed before tokenizing and remembered by offset.
    """
    stripped, globs = [], set()
    for ch in term:
        if ch == "*":
            globs.add(len(stripped))
        else:
            stripped.append(ch)
    text = "".join(stripped)
    s, e = token_spans(text, names=names)
    return [(_norm(text[a:b]), b in globs) for a, b in zip(s.tolist(), e.tolist())]


def _lexicon_terms(lexicon, *, names: bool = True
                   ) -> tuple[list[list[tuple[str, bool]]], list[dict[str, Any]]]:
    """Tokenized terms of a lexicon (name, frame or list of terms) and provenance."""
    if lexicon is None or lexicon is False:
        return [], []
    frame = _load_lexicon_frame(lexicon)
    validate_frame(frame, ("term",), name="lexicon")
    terms = []
    for term in pd.unique(frame["term"].astype(str)):
        toks = _term_tokens(term, names=names)
        if toks:
            terms.append(toks)
    return terms, _lexicon_record(frame)


def _expand_globs(toks: list[tuple[str, bool]], unigrams: list[str]
                  ) -> list[list[str]]:
    """Concrete token sequences of a term; globs expand over the counted unigrams."""
    import bisect
    import itertools

    choices = []
    for tok, glob in toks:
        if not glob:
            choices.append([tok])
            continue
        lo = bisect.bisect_left(unigrams, tok)
        hi = bisect.bisect_left(unigrams, tok + "\U0010ffff")
        choices.append(unigrams[lo:hi])
    out = []
    for combo in itertools.product(*choices):
        out.append(list(combo))
        if len(out) >= _MAX_GLOB_EXPANSIONS:
            break
    return out


def _lexicon_mask(levels: list[_Level], enc: _Encoded,
                  terms: list[list[tuple[str, bool]]], *, exclude: str,
                  n_max: int) -> dict[int, np.ndarray]:
    """Per level: grams equal to / containing / contained in a lexicon term."""
    L = min(n_max, len(levels))
    is_term = {m: np.zeros(levels[m - 1].tf.size, dtype=bool) for m in range(1, L + 1)}
    inside = {m: np.zeros(levels[m - 1].tf.size, dtype=bool) for m in range(1, L + 1)}
    unigrams = sorted(enc.vocab[int(v)] for v in levels[0].keys)
    for term in terms:
        for toks in _expand_globs(term, unigrams):
            if len(toks) <= L:
                g = _lookup(levels, enc, toks)
                if g >= 0:
                    is_term[len(toks)][g] = True
            for a in range(len(toks)):
                for b in range(a + 1, min(len(toks), a + L) + 1):
                    if b - a == len(toks):
                        continue
                    g = _lookup(levels, enc, toks[a:b])
                    if g >= 0:
                        inside[b - a][g] = True
    # a one-token term is a keyword, not a formula: containing it does not make a
    # candidate known (only multiword terms seed "contains")
    contains = {1: np.zeros_like(is_term[1])}
    for m in range(2, L + 1):
        lv = levels[m - 1]
        contains[m] = (is_term[m] | contains[m - 1][lv.prefix]
                       | contains[m - 1][lv.suffix])
    out = {}
    for m in range(1, L + 1):
        mask = is_term[m].copy()
        if exclude in ("contains", "overlap"):
            mask |= contains[m]
        if exclude in ("contained", "overlap"):
            mask |= inside[m]
        out[m] = mask
    return out


def _scores(levels: list[_Level], m: int, ids: np.ndarray, *, measure: str,
            n_total: int) -> np.ndarray:
    """Association of level-``m`` grams: the minimum over their binary splits."""
    fn = _nltk_measure(measure)
    tf = levels[m - 1].tf[ids].tolist()
    best = np.full(ids.size, np.inf)
    for k in range(1, m):
        left = levels[k - 1].tf[_prefix_chain(levels, m, ids, k)].tolist()
        right = levels[m - k - 1].tf[_suffix_chain(levels, m, ids, m - k)].tolist()
        vals = np.fromiter((fn(t, (lt, rt), n_total)
                            for t, lt, rt in zip(tf, left, right)),
                           dtype=float, count=ids.size)
        best = np.minimum(best, vals)
    return best


# ---------------------------------------------------------------------------
# corpus preparation
# ---------------------------------------------------------------------------

def _prepare(corpus, *, lang: str | None) -> tuple[pd.DataFrame, int]:
    """Corpus sorted by date (undated last), other languages dropped."""
    docs = as_corpus(corpus)
    if lang is not None and "lang" in docs.columns:
        lg = docs["lang"].astype(object)
        other = lg.notna() & ~lg.isin(["", "und", lang])
        docs = docs.loc[~other.to_numpy()]
    dates = pd.to_datetime(docs["date"])
    key = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    key = np.where(dates.isna().to_numpy(), np.iinfo(np.int64).max, key)
    order = np.argsort(key, kind="stable")
    docs = docs.iloc[order].reset_index(drop=True)
    n_dated = int(pd.to_datetime(docs["date"]).notna().sum())
    return docs, n_dated


def _majority(forms: list[str]) -> str:
    """The most common form; on a tie the latest (last in the list)."""
    best, best_n = forms[-1], 0
    for f in reversed(forms):
        k = forms.count(f)
        if k > best_n:
            best, best_n = f, k
    return best


def _kwic(text: str, start: int, end: int, width: int) -> str:
    """``left [hit] right``: ``width`` characters of context, white space collapsed."""
    left = _WS.sub(" ", text[max(0, start - 4 * width):start])[-width:]
    right = _WS.sub(" ", text[end:end + 4 * width])[:width]
    hit = _WS.sub(" ", text[start:end])
    return f"{left}[{hit}]{right}".strip()


_WS = re.compile(r"\s+")


def _find(text: str, tokens: list[str], *, names: bool = True
          ) -> tuple[int, int] | None:
    """Character span of the first occurrence of the token sequence in ``text``."""
    s, e = token_spans(text, names=names)
    low = [_norm(text[a:b]) for a, b in zip(s.tolist(), e.tolist())]
    n = len(tokens)
    fallback = None
    for i in range(len(low) - n + 1):
        if low[i] == tokens[0] and low[i:i + n] == tokens:
            span = (int(s[i]), int(e[i + n - 1]))
            if "\n" not in text[span[0]:span[1]]:
                return span
            if fallback is None:
                fallback = span
    return fallback


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------

def discover_formulae(
    corpus: pd.DataFrame | str | Sequence[str],
    *,
    n: tuple[int, int] = (2, 8),
    min_df: int | float = 10,
    lexicon: str | pd.DataFrame | Sequence[str] | None = "kcna-formulae",
    exclude: Literal["equal", "contains", "contained", "overlap"] = "overlap",
    top: int | None = 200,
    measure: Literal["llr", "pmi"] = "llr",
    min_score: float | None = None,
    sort: Literal["df", "tf", "score"] = "df",
    containment: float = 0.9,
    proper_nouns: bool = False,
    stopwords: frozenset[str] | Sequence[str] = STOPWORDS,
    names: bool = True,
    lang: str | None = "en",
    width: int = 40,
) -> pd.DataFrame:
    """Candidate formulae found in the data: recurrent multiword sequences.

    Every contiguous sequence of ``n[0]`` to ``n[1]`` tokens (lower-cased; never
    across a sentence end, a line break or a document boundary) that occurs in at
    least ``min_df`` documents is a candidate. Candidates are then filtered, merged
    and scored:

    1. **Edges.** A candidate must start and end with a token that contains a letter
       and is not in ``stopwords`` (so no leading "the", no trailing "of", no
       punctuation or bare numbers at the edges; inner punctuation such as the
       possessive in "Workers' Party" or a comma is allowed).
    2. **Nested candidates.** A candidate ``s`` is dropped when some longer eligible
       candidate ``t`` that contains it accounts for almost all its occurrences:
       ``tf(t) >= containment * tf(s)`` (default 0.9, a C-value-like containment
       ratio, Frantzi et al. 2000). The maximal sequence is kept; a sub-sequence
       that also lives on its own (ratio < 0.9) stays as a candidate of its own.
    3. **Lexicon.** Merging is done first, then candidates that overlap a term of
       ``lexicon`` are removed. ``exclude="overlap"`` (default) removes a candidate
       equal to a term, containing a term, or contained in a term (token sequences,
       lower-cased; a glob ``word*`` of the lexicon syntax matches any counted
       token starting with ``word``); ``"equal"``, ``"contains"`` and
       ``"contained"`` remove only that relation (``"contains"`` and ``"contained"``
       also remove equal ones). Only *multiword* terms count for "containing": a
       one-word term ("puppet", "Juche") is a keyword, and a candidate holding it
       ("Juche idea tower") is still a new multiword sequence.
    4. **Proper nouns.** Unless ``proper_nouns=True``, candidates made only of
       capitalised words (plus stopwords and punctuation) are dropped after
       merging: names of people, bodies, places and events ("Kim Yong Nam",
       "Supreme People's Assembly", "Korean War") are not formulae. A candidate is
       such a name when in at least half of its occurrences every token begins
       with an upper-case letter or is a stopword, punctuation or a number.
    5. **Association.** A candidate of ``m`` tokens is split in two at each of its
       ``m - 1`` inner boundaries; each split ``(left, right)`` is a 2x2 bigram table
       with ``n_ii = tf(candidate)``, ``n_ix = tf(left)``, ``n_xi = tf(right)`` and
       ``n_xx = N`` (all non-break tokens of the corpus), scored with NLTK's
       ``BigramAssocMeasures.likelihood_ratio`` (``measure="llr"``, Dunning 1993) or
       ``BigramAssocMeasures.pmi`` (Church & Hanks 1990). ``score`` is the minimum
       over the splits -- the weakest link -- so a long sequence ranks high only if
       it does not fall apart anywhere. For bigrams this is exactly NLTK's
       ``BigramCollocationFinder.score_ngrams`` on the same tokens. Candidates with
       ``score < min_score`` are dropped (default: 10.83 for ``llr``, i.e. p < 0.001
       for every split; 0 for ``pmi``).

    Candidates are ranked by ``sort`` (document frequency by default), ties broken
    by score, then by the phrase.

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``, ``date``, ...) or texts.
    n : tuple of int
        Smallest and largest sequence length in tokens (2..8).
    min_df : int or float
        Minimum number of documents (an int) or share of documents (a float in
        (0, 1)) a candidate must occur in.
    lexicon : str, DataFrame, sequence of str or None
        Lexicon whose terms are not new (name for :func:`kcnalex.load_lexicon`, a
        lexicon frame, or a list of terms); ``None`` keeps everything.
    exclude : {"overlap", "equal", "contains", "contained"}
        Which relation to a lexicon term removes a candidate (see 3. above).
    top : int or None
        Number of rows returned (``None``: all, slower because of the examples).
    measure : {"llr", "pmi"}
        Association measure of the ``score`` column.
    min_score : float, optional
        Minimum ``score``; defaults as above.
    sort : {"df", "tf", "score"}
        Ranking column (descending).
    containment : float
        Containment ratio of step 2; a value above 1 disables merging.
    proper_nouns : bool
        Keep candidates made only of capitalised words (step 4).
    stopwords : set of str
        Words a candidate may not start or end with (lower case).
    names : bool
        Tokenize with the leaders' names merged into one token
        (:data:`kcnalex.tokenize.DEFAULT_NAMES`: ``Kim Jong Il`` is one token), so
        that name fragments ("Kim Jong") do not come back as candidates and ``n``
        counts a name as one token.
    lang : str or None
        Keep documents whose ``lang`` is this code, ``""``, ``"und"`` or missing
        (the kcna.co.jp archive mixes in Spanish). ``None`` keeps all.
    width : int
        Characters of context on each side of the KWIC snippets.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, ranked: ``phrase`` (surface form: the most
        common one in the example documents, on a tie the latest), ``ngram`` (the
        lower-cased tokens joined by spaces), ``n`` (tokens), ``df`` (documents),
        ``tf`` (occurrences), ``score``, ``first_date``, ``last_date`` (earliest
        and latest dated document), ``examples`` (list of up to three
        ``{"doc_id", "kwic"}`` dicts: the first, the middle and the last dated
        document, in date order). Provenance (parameters, lexicon, corpus size)
        in ``attrs["kcnalex"]``.

    See Also
    --------
    keyness : words and formulae over-used in one group of documents.
    kcnalex.count_formulae : count the entries of a lexicon.

    References
    ----------
    Church, K. W. & Hanks, P. (1990). Word association norms, mutual information, and
    lexicography. *Computational Linguistics* 16(1), 22-29.
    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. *Computational Linguistics* 19(1), 61-74.
    Frantzi, K., Ananiadou, S. & Mima, H. (2000). Automatic recognition of multi-word
    terms: the C-value/NC-value method. *Int. J. on Digital Libraries* 3(2), 115-130.

    Examples
    --------
    >>> texts = ["The great leader visited the Chollima steel complex today.",
    ...          "The great leader visited the Chollima steel complex again.",
    ...          "Workers of the Chollima steel complex met."]
    >>> out = discover_formulae(texts, min_df=2, lexicon=None, min_score=0)
    >>> out[["phrase", "n", "df", "tf"]].values.tolist()
    [['Chollima steel complex', 3, 3, 3], \
['great leader visited the Chollima steel complex', 7, 2, 2]]
    >>> out["examples"][0][2]
    {'doc_id': 'text-2', 'kwic': 'Workers of the [Chollima steel complex] met.'}
    """
    n_min, n_max = int(n[0]), int(n[1])
    if not 2 <= n_min <= n_max:
        raise ValueError("n must be (low, high) with 2 <= low <= high")
    if measure not in ("llr", "pmi"):
        raise ValueError(f"measure must be 'llr' or 'pmi', got {measure!r}")
    if sort not in ("df", "tf", "score"):
        raise ValueError(f"sort must be 'df', 'tf' or 'score', got {sort!r}")
    if exclude not in ("equal", "contains", "contained", "overlap"):
        raise ValueError(f"unknown exclude={exclude!r}")
    if min_score is None:
        min_score = 10.83 if measure == "llr" else 0.0
    stop = frozenset(w.lower() for w in stopwords)
    docs, n_dated = _prepare(corpus, lang=lang)
    texts = docs["text"].tolist()
    mdf = _min_df_abs(min_df, len(docs))
    enc = _encode(texts, names=names)
    is_word, has_alpha = enc.flags()
    neutral = ~has_alpha | np.fromiter((t in stop for t in enc.vocab), dtype=bool,
                                       count=len(enc.vocab))
    levels = _count_levels(enc, n_max=n_max, min_df=mdf, n_dated=n_dated,
                           neutral=neutral)
    keep = _candidates(levels, enc, n_min=n_min, n_max=n_max, stopwords=stop,
                       containment=containment)
    terms, lex_record = _lexicon_terms(lexicon, names=names)
    if terms:
        lexmask = _lexicon_mask(levels, enc, terms, exclude=exclude, n_max=n_max)
        keep = {m: mask & ~lexmask[m] for m, mask in keep.items()}
    if not proper_nouns:
        proper = _proper_mask(levels, n_max=n_max)
        keep = {m: mask & ~proper[m] for m, mask in keep.items()}
    dates = pd.to_datetime(docs["date"]).to_numpy(dtype="datetime64[ns]")
    doc_ids = docs["doc_id"].astype(str).to_numpy()
    parts = []
    for m, mask in keep.items():
        ids = np.flatnonzero(mask)
        if ids.size == 0:
            continue
        lv = levels[m - 1]
        score = _scores(levels, m, ids, measure=measure, n_total=enc.n_positions)
        ok = score >= min_score
        ids, score = ids[ok], score[ok]
        parts.append(pd.DataFrame({
            "_level": m, "_gid": ids, "n": m, "df": lv.df[ids], "tf": lv.tf[ids],
            "score": score, "_first": lv.first_doc[ids], "_last": lv.last_doc[ids],
        }))
    cols = ["phrase", "ngram", "n", "df", "tf", "score", "first_date", "last_date",
            "examples"]
    if parts:
        cand = pd.concat(parts, ignore_index=True)
    else:
        cand = pd.DataFrame({c: pd.Series(dtype=np.int64) for c in
                             ("_level", "_gid", "n", "df", "tf", "_first", "_last")})
        cand["score"] = pd.Series(dtype=float)
    cand["ngram"] = [" ".join(_ngram_tokens(levels, enc, int(m), int(g)))
                     for m, g in zip(cand["_level"], cand["_gid"])]
    secondary = [c for c in ("df", "tf", "score") if c != sort]
    cand = cand.sort_values([sort, *secondary, "ngram"],
                            ascending=[False, False, False, True], kind="stable")
    if top is not None:
        cand = cand.head(int(top))
    cand = cand.reset_index(drop=True)
    phrases, examples = [], []
    for m, g, ngram in zip(cand["_level"], cand["_gid"], cand["ngram"]):
        toks = _ngram_tokens(levels, enc, int(m), int(g))
        exs, surfaces = [], []
        for d in levels[int(m) - 1].examples[int(g)]:
            if d < 0 or (exs and doc_ids[int(d)] == exs[-1]["doc_id"]):
                continue
            text = texts[int(d)]
            span = _find(text, toks, names=names)
            if span is None:  # pragma: no cover - counted n-grams are always found
                continue
            surfaces.append(" ".join(text[span[0]:span[1]].split()))
            exs.append({"doc_id": str(doc_ids[int(d)]),
                        "kwic": _kwic(text, span[0], span[1], width)})
        phrases.append(_majority(surfaces) if surfaces else ngram)
        examples.append(exs)
    first = cand["_first"].to_numpy(dtype=np.int64)
    last = cand["_last"].to_numpy(dtype=np.int64)
    nat = np.datetime64("NaT", "ns")
    out = pd.DataFrame({
        "phrase": pd.Series(phrases, dtype=object),
        "ngram": cand["ngram"].astype(object),
        "n": cand["n"].astype(np.int64),
        "df": cand["df"].astype(np.int64),
        "tf": cand["tf"].astype(np.int64),
        "score": cand["score"].astype(float),
        "first_date": pd.Series(np.where(first >= 0, dates[np.maximum(first, 0)]
                                         if len(dates) else nat, nat),
                                dtype="datetime64[ns]"),
        "last_date": pd.Series(np.where(last >= 0, dates[np.maximum(last, 0)]
                                        if len(dates) else nat, nat),
                               dtype="datetime64[ns]"),
        "examples": pd.Series(examples, dtype=object),
    })[cols]
    params = {"n": [n_min, n_max], "min_df": min_df, "min_df_docs": mdf,
              "lexicon": lexicon if isinstance(lexicon, str) or lexicon is None
              else "<frame>", "exclude": exclude, "top": top, "measure": measure,
              "min_score": min_score, "sort": sort, "containment": containment,
              "proper_nouns": proper_nouns,
              "stopwords": "default" if stop == STOPWORDS else sorted(stop),
              "names": names, "lang": lang, "width": width}
    return attach(out, provenance("discover_formulae", params=params,
                                  lexicons=lex_record, n_docs=len(docs),
                                  n_tokens_all=enc.n_positions))


# ---------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------

GroupSpec = Any  # boolean mask, (start, end) dates, a query string or a callable


def _group_mask(docs: pd.DataFrame, spec: GroupSpec, *, name: str) -> np.ndarray:
    """Boolean mask over ``docs`` (in their order) from a group specification."""
    n = len(docs)
    if callable(spec):
        spec = spec(docs)
    if isinstance(spec, str):
        idx = docs.query(spec).index
        return docs.index.isin(idx)
    if isinstance(spec, tuple) and len(spec) == 2 and not isinstance(spec[0], bool):
        dates = pd.to_datetime(docs["date"])
        lo, hi = spec
        mask = np.ones(n, dtype=bool)
        if lo is not None:
            mask &= (dates >= pd.Timestamp(lo)).to_numpy()
        if hi is not None:
            hi = pd.Timestamp(hi)
            if hi == hi.normalize():  # a date: the whole day is in
                mask &= (dates < hi + pd.Timedelta(days=1)).to_numpy()
            else:
                mask &= (dates <= hi).to_numpy()
        return mask & dates.notna().to_numpy()
    arr = np.asarray(spec)
    if arr.dtype != bool or arr.shape != (n,):
        raise ValueError(f"{name} must be a boolean mask of length {n}, a (start, "
                         "end) date tuple, a query string or a callable")
    return arr


def keyness(
    corpus: pd.DataFrame | Sequence[str],
    *,
    target: GroupSpec,
    reference: GroupSpec | None = None,
    terms: Literal["words", "formulae"] | str | pd.DataFrame = "words",
    measure: Literal["llr", "chi2"] = "llr",
    min_count: int = 5,
    min_df: int | float = 10,
    n: tuple[int, int] = (2, 8),
    names: bool = True,
    lang: str | None = "en",
) -> pd.DataFrame:
    """Words, formulae or lexicon entries over-used in one group of documents.

    For each term with ``a`` occurrences among the ``n_target`` word tokens of the
    target documents and ``b`` among the ``n_reference`` word tokens of the reference
    documents, the 2x2 table is ``[[a, b], [n_target - a, n_reference - b]]`` with
    ``N = n_target + n_reference`` and expected values
    ``E_ij = row_i * col_j / N``. With ``measure="llr"`` (Dunning 1993; the G2 of
    Rayson & Garside 2000 computed on all four cells):

    .. math:: G^2 = 2 \\sum_{ij} O_{ij} \\ln \\frac{O_{ij}}{E_{ij}}, \\quad
              0 \\ln 0 = 0,

    with ``measure="chi2"`` Pearson's
    :math:`\\chi^2 = N (ad - bc)^2 / ((a+b)(c+d)(a+c)(b+d))` (no continuity
    correction). ``keyness`` is the statistic signed: positive when the term's
    relative frequency is higher in the target (``a / n_target > b / n_reference``),
    negative when lower. ``p_value`` is the upper tail of chi2 with one degree of
    freedom, ``erfc(sqrt(x / 2))``. ``effect`` is Hardie's (2014) log ratio with 0.5
    added to both counts, ``log2(((a + 0.5) / n_target) / ((b + 0.5) /
    n_reference))``; ``pct_diff`` is %DIFF (Gabrielatos & Marchi 2012),
    ``100 * (a / n_target - b / n_reference) / (b / n_reference)`` (inf when b = 0).

    The denominators are always word tokens (:func:`kcnalex.count_tokens`), also for
    formulae and lexicon entries, so a formula's count is compared with the size of
    each group in words (the convention of corpus keyness tools).

    Parameters
    ----------
    corpus : DataFrame or sequence of str
        The corpus (``doc_id``, ``text``, ``date`` for date ranges).
    target : mask, tuple, str or callable
        The target documents: a boolean array over the corpus rows, a date range
        ``("2012-01-01", "2015-12-31")`` (both ends inclusive, whole days; ``None``
        leaves an end open; undated documents are never in), a
        :meth:`pandas.DataFrame.query` string on the corpus columns
        (``"source == 'kcna.kp'"``), or a callable returning one of these.
    reference : same as target, optional
        The reference documents; default all documents not in the target. Must not
        overlap the target.
    terms : {"words", "formulae"}, lexicon name or lexicon frame
        ``"words"``: lower-cased word tokens. ``"formulae"``: the multiword candidates
        of :func:`discover_formulae` (same edge and nesting rules; lexicon entries
        and proper nouns are kept), counted on target + reference and labelled
        lower-case (``"people's standard of living"``). Anything else is a lexicon for
        :func:`kcnalex.count_formulae` (its entries are the terms).
    measure : {"llr", "chi2"}
        Statistic of the ``keyness`` column.
    min_count : int
        Keep terms with ``a + b >= min_count``.
    min_df, n : int or float, tuple
        See :func:`discover_formulae` (``terms="formulae"`` only).
    names : bool
        Merge the leaders' names into one term (``"kim jong un"``) for words and
        formulae, so that "kim" and "jong" do not stand for the leaders. The totals
        ``n_target`` / ``n_reference`` still count every word (a merged name counts
        its words), so they equal the sums of :func:`kcnalex.count_tokens`.
    lang : str or None
        Language filter as in :func:`discover_formulae`.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``n_target``, ``n_reference`` (counts ``a`` and ``b``),
        ``rate_target``, ``rate_reference`` (per 1,000 words), ``keyness`` (signed
        statistic), ``effect`` (log2 ratio), ``pct_diff``, ``p_value``; sorted by
        ``keyness`` descending (most over-used in the target first, most under-used
        last). ``attrs["kcnalex"]`` holds the parameters and the group sizes
        (``n_docs_target``, ``n_tokens_target``, ...).

    See Also
    --------
    discover_formulae : the candidates behind ``terms="formulae"``.
    log_likelihood, chi_squared, log_ratio : the statistics on their own.

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. *Computational Linguistics* 19(1), 61-74.
    Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling.
    *Proceedings of the Workshop on Comparing Corpora*, ACL 2000, 1-6.
    Hardie, A. (2014). Log ratio: an informal introduction. ESRC Centre for Corpus
    Approaches to Social Science (CASS), Lancaster University.
    Gabrielatos, C. & Marchi, A. (2012). Keyness: appropriate metrics and practical
    issues. CADS International Conference, Bologna.

    Examples
    --------
    >>> texts = ["puppet traitors puppet war", "peace and peace", "peace talks"]
    >>> k = keyness(texts, target=[True, False, False], min_count=1)
    >>> k[["term", "n_target", "n_reference"]].head(2).values.tolist()
    [['puppet', 2, 0], ['traitors', 1, 0]]
    """
    if measure not in ("llr", "chi2"):
        raise ValueError(f"measure must be 'llr' or 'chi2', got {measure!r}")
    docs0 = as_corpus(corpus)
    tmask0 = _group_mask(docs0, target, name="target")
    rmask0 = (~tmask0 if reference is None
              else _group_mask(docs0, reference, name="reference"))
    if np.any(tmask0 & rmask0):
        raise ValueError("target and reference documents overlap")
    group0 = np.where(tmask0, 1, np.where(rmask0, 2, 0)).astype(np.int8)
    docs0 = docs0.assign(_group=group0)
    docs0 = docs0.loc[group0 > 0]
    docs, _ = _prepare(docs0, lang=lang)
    group = docs["_group"].to_numpy(dtype=np.int8)
    texts = docs["text"].tolist()
    mdf = None
    lex_record: list[dict[str, Any]] = []
    if isinstance(terms, str) and terms in ("words", "formulae"):
        enc = _encode(texts, names=names)
        is_word, _ = enc.flags()
        word_pos = is_word[enc.ids]
        # words per token: 1, or the words of a merged name ("kim jong il": 3)
        n_words = np.fromiter((t.count(" ") + 1 for t in enc.vocab), dtype=np.int64,
                              count=len(enc.vocab))
        n_tok = np.bincount(group[enc.doc[word_pos]],
                            weights=n_words[enc.ids[word_pos]], minlength=3)
        n_tok = np.rint(n_tok).astype(np.int64)
        if terms == "words":
            ids = enc.ids[word_pos].astype(np.int64)
            g = group[enc.doc[word_pos]].astype(np.int64)
            V = len(enc.vocab)
            counts = np.bincount(g * V + ids, minlength=3 * V).reshape(3, V)
            labels = np.asarray(enc.vocab, dtype=object)
            a_all, b_all = counts[1], counts[2]
        else:
            n_min, n_max = int(n[0]), int(n[1])
            mdf = _min_df_abs(min_df, len(docs))
            levels = _count_levels(enc, n_max=n_max, min_df=mdf, n_dated=len(docs),
                                   doc_group=group, n_groups=3)
            keep = _candidates(levels, enc, n_min=n_min, n_max=n_max,
                               stopwords=STOPWORDS, containment=0.9)
            lab, aa, bb = [], [], []
            for m, mask in keep.items():
                gid = np.flatnonzero(mask)
                gtf = levels[m - 1].group_tf
                lab.extend(_join(_ngram_tokens(levels, enc, m, int(x))) for x in gid)
                aa.append(gtf[1, gid])
                bb.append(gtf[2, gid])
            labels = np.asarray(lab, dtype=object)
            a_all = np.concatenate(aa) if aa else np.zeros(0, np.int64)
            b_all = np.concatenate(bb) if bb else np.zeros(0, np.int64)
    else:
        from .phrases import count_formulae

        wide = count_formulae(docs, lexicon=terms, form="wide")
        entries = [c for c in wide.columns if c not in ("doc_id", "date", "n_tokens")]
        mat = wide[entries].to_numpy(dtype=np.int64)
        ntok = wide["n_tokens"].to_numpy(dtype=np.int64)
        n_tok = np.array([0, ntok[group == 1].sum(), ntok[group == 2].sum()])
        labels = np.asarray(entries, dtype=object)
        a_all = mat[group == 1].sum(axis=0)
        b_all = mat[group == 2].sum(axis=0)
        lex_record = list(wide.attrs.get("kcnalex", {}).get("lexicons", []))
    n_t, n_r = int(n_tok[1]), int(n_tok[2])
    if n_t == 0 or n_r == 0:
        raise ValueError("the target and the reference must both hold word tokens")
    sel = (a_all + b_all) >= max(int(min_count), 1)
    labels, a, b = labels[sel], a_all[sel].astype(np.int64), b_all[sel].astype(np.int64)
    if measure == "llr":
        stat = log_likelihood(a, b, n_t, n_r)
    else:
        stat = chi_squared(a, b, n_t, n_r)
    rt, rr = a / n_t, b / n_r
    sign = np.sign(rt - rr)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(b > 0, 100.0 * (rt - rr) / rr, np.inf)
    out = pd.DataFrame({
        "term": pd.Series(labels, dtype=object),
        "n_target": a, "n_reference": b,
        "rate_target": 1000.0 * rt, "rate_reference": 1000.0 * rr,
        "keyness": sign * stat,
        "effect": log_ratio(a, b, n_t, n_r),
        "pct_diff": pct,
        "p_value": _chi2_sf_1df(stat),
    })
    out = out.sort_values(["keyness", "term"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    params = {"target": _describe(target), "reference": _describe(reference),
              "terms": terms if isinstance(terms, str) else "<frame>",
              "measure": measure, "min_count": min_count, "min_df": min_df,
              "min_df_docs": mdf, "n": list(n), "names": names, "lang": lang}
    return attach(out, provenance(
        "keyness", params=params, lexicons=lex_record,
        n_docs_target=int((group == 1).sum()), n_docs_reference=int((group == 2).sum()),
        n_tokens_target=n_t, n_tokens_reference=n_r))


def _describe(spec: Any) -> Any:
    if spec is None or isinstance(spec, (str, tuple)):
        return spec
    if callable(spec):
        return getattr(spec, "__name__", "<callable>")
    arr = np.asarray(spec)
    return f"<mask: {int(arr.sum())} of {arr.size}>"


# ---------------------------------------------------------------------------
# formula lifecycle
# ---------------------------------------------------------------------------

def _theil_sen(y: np.ndarray) -> float:
    """Theil-Sen slope of ``y`` on ``0, 1, ..., len(y) - 1``: median pairwise slope."""
    k = y.size
    if k < 2:
        return 0.0
    i, j = np.triu_indices(k, 1)
    return float(np.median((y[j] - y[i]) / (j - i)))


def formula_lifecycle(
    corpus_or_counts: pd.DataFrame | Sequence[str],
    *,
    lexicon: str | pd.DataFrame = "kcna-formulae",
    freq: str = "Y",
    totals: pd.DataFrame | None = None,
    recent: int = 2,
    change: float = 0.5,
) -> pd.DataFrame:
    """First and last attestation, peak and trend of each lexicon entry.

    Counts come from :func:`kcnalex.count_formulae` (or are given directly). Per
    period ``p`` (``freq``: ``"Y"`` years, ``"Q"``, ``"M"``, ...), the rate of an
    entry is ``rate_p = 1000 * sum(count in p) / sum(n_tokens of all documents in
    p)``. Periods without any document are left out of the series (no data is not a
    zero rate); periods with documents but no match have rate 0.

    * ``trend`` is the Theil-Sen slope of ``rate_p`` on the period index
      ``0, 1, ..., P - 1`` (the median of all pairwise slopes, Sen 1968), in
      occurrences per 1,000 words per period; robust to a single spike year.
    * ``change_rel = trend * (P - 1) / mean(rate_p)`` is the fitted change over the
      whole span relative to the entry's mean rate.
    * ``status`` (first rule that applies; "the last periods" are the last
      ``recent`` periods of the series):

      - ``"new"``: first attested in the last periods (at most ``P - 1`` of
        them, so an entry of the first period is never new);
      - ``"vanished"``: not attested in the last periods;
      - ``"emerging"``: ``change_rel >= change`` (default: the fitted rate rose by
        at least 50 % of its mean over the span);
      - ``"declining"``: ``change_rel <= -change``;
      - ``"stable"``: otherwise.

      Entries never attested get ``status`` NA (and NaT dates).

    Parameters
    ----------
    corpus_or_counts : DataFrame or sequence of str
        A corpus frame (``count_formulae`` is run with ``lexicon``), or a long counts
        frame with ``doc_id``, ``date``, ``entry``, ``category``, ``count``,
        ``n_tokens`` as :func:`kcnalex.count_formulae` returns it.
    lexicon : str or DataFrame
        The lexicon (for a corpus; with a counts frame it only supplies the list of
        entries, so that unattested entries are listed too -- pass ``None`` to skip).
    freq : str
        Period frequency (a pandas period alias).
    totals : DataFrame, optional
        ``doc_id``, ``date``, ``n_tokens`` of *every* document, for the rate
        denominators when a counts frame is given. Without it the denominators
        come from the distinct documents of the counts frame, which is right only
        if it lists every document (``count_formulae(..., zeros=True)``).
    recent : int
        Number of final periods for ``"new"`` and ``"vanished"``.
    change : float
        Relative change for ``"emerging"`` / ``"declining"``.

    Returns
    -------
    pandas.DataFrame
        ``entry``, ``category``, ``first_date``, ``last_date``, ``n_docs``
        (documents with the entry), ``n_matches``, ``peak_period`` (string, the
        earliest period of highest rate), ``peak_rate_per_1k``, ``mean_rate_per_1k``,
        ``trend`` (Theil-Sen slope, per 1k words per period), ``change_rel``,
        ``status``. Sorted by status (emerging, new, stable, declining, vanished)
        then ``change_rel`` descending. Provenance in ``attrs["kcnalex"]`` (periods
        covered, lexicon).

    See Also
    --------
    kcnalex.count_formulae : the counts.
    kcnalex.aggregate : period statistics with confidence intervals.

    References
    ----------
    Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's
    tau. *Journal of the American Statistical Association* 63(324), 1379-1389.

    Examples
    --------
    >>> counts = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c"], "entry": ["songun"] * 3,
    ...     "date": pd.to_datetime(["2001-05-01", "2002-05-01", "2003-05-01"]),
    ...     "category": ["policy"] * 3, "count": [1, 0, 0], "n_tokens": [100] * 3})
    >>> life = formula_lifecycle(counts, lexicon=None, recent=1)
    >>> life[["entry", "first_date", "peak_period", "status"]].values.tolist()
    [['songun', Timestamp('2001-05-01 00:00:00'), '2001', 'vanished']]
    """
    lex_record: list[dict[str, Any]] = []
    totals_given = totals is not None
    data = corpus_or_counts
    if isinstance(data, pd.DataFrame) and {"entry", "count"} <= set(data.columns):
        validate_frame(data, ("doc_id", "date", "entry", "count", "n_tokens"),
                       name="counts")
        counts = data
        if totals is None:
            totals = data[["doc_id", "date", "n_tokens"]].drop_duplicates("doc_id")
        else:
            validate_frame(totals, ("doc_id", "date", "n_tokens"), name="totals")
        lex = None
        if lexicon is not None:
            lex = _load_lexicon_frame(lexicon)
            lex_record = _lexicon_record(lex)
    else:
        from .phrases import count_formulae

        docs = as_corpus(data)
        wide = count_formulae(docs, lexicon=lexicon, form="wide")
        lex_record = list(wide.attrs.get("kcnalex", {}).get("lexicons", []))
        entries = [c for c in wide.columns if c not in ("doc_id", "date", "n_tokens")]
        totals = wide[["doc_id", "date", "n_tokens"]]
        mat = wide[entries].to_numpy(dtype=np.int64)
        r, c = np.nonzero(mat)
        counts = pd.DataFrame({"doc_id": wide["doc_id"].to_numpy()[r],
                               "date": wide["date"].to_numpy()[r],
                               "entry": np.asarray(entries, dtype=object)[c],
                               "count": mat[r, c]})
        lex = _load_lexicon_frame(lexicon)
    # entry -> category, in lexicon order, then entries only seen in the counts
    cat: dict[str, Any] = {}
    if lex is not None and "category" in lex.columns:
        for e, cg in zip(lex["entry"].astype(str), lex["category"]):
            cat.setdefault(e, cg)
    if "category" in counts.columns:
        for e, cg in zip(counts["entry"].astype(str), counts["category"]):
            cat.setdefault(e, cg)
    else:
        for e in counts["entry"].astype(str):
            cat.setdefault(e, pd.NA)
    entries = list(cat)

    tot_dates = pd.to_datetime(totals["date"])
    ok = tot_dates.notna().to_numpy()
    tper = tot_dates[ok].dt.to_period(freq)
    tok_per = (pd.Series(totals["n_tokens"].to_numpy(dtype=np.int64)[ok],
                         index=tper.to_numpy()).groupby(level=0).sum())
    tok_per = tok_per[tok_per > 0].sort_index()
    periods = tok_per.index
    P = len(periods)

    cnt = counts.loc[counts["count"].to_numpy() > 0]
    cdates = pd.to_datetime(cnt["date"])
    cnt = cnt.assign(_date=cdates.to_numpy())
    cnt = cnt.loc[cdates.notna().to_numpy()]
    cnt = cnt.assign(_period=pd.to_datetime(cnt["_date"]).dt.to_period(freq))
    ent = cnt["entry"].astype(str)
    by_entry = cnt.groupby(ent, sort=False)
    first = by_entry["_date"].min()
    last = by_entry["_date"].max()
    ndocs = by_entry["doc_id"].nunique()
    nmatch = by_entry["count"].sum()
    per = cnt.groupby([ent, "_period"], sort=False)["count"].sum()

    rows = []
    denom = tok_per.to_numpy(dtype=float)
    pos = {p: i for i, p in enumerate(periods)}
    for e in entries:
        row = {"entry": e, "category": cat[e]}
        if e not in first.index or P == 0:
            row.update(first_date=pd.NaT, last_date=pd.NaT, n_docs=0, n_matches=0,
                       peak_period=None, peak_rate_per_1k=0.0, mean_rate_per_1k=0.0,
                       trend=np.nan, change_rel=np.nan, status=pd.NA)
            rows.append(row)
            continue
        num = np.zeros(P)
        s = per.loc[e]
        for p, v in zip(s.index, s.to_numpy()):
            if p in pos:
                num[pos[p]] += v
        rate = 1000.0 * num / denom
        peak = int(np.argmax(rate))
        mean = float(rate.mean())
        trend = _theil_sen(rate)
        change_rel = trend * (P - 1) / mean if mean > 0 else np.nan
        attested = np.flatnonzero(num > 0)
        k = min(max(int(recent), 1), P - 1)
        if attested.size == 0:  # only in periods without token totals
            status = pd.NA
        elif k == 0:  # one period: no change can be seen
            status = "stable"
        elif attested[0] >= P - k:
            status = "new"
        elif attested[-1] < P - k:
            status = "vanished"
        elif change_rel >= change:
            status = "emerging"
        elif change_rel <= -change:
            status = "declining"
        else:
            status = "stable"
        row.update(first_date=first[e], last_date=last[e], n_docs=int(ndocs[e]),
                   n_matches=int(nmatch[e]), peak_period=str(periods[peak]),
                   peak_rate_per_1k=float(rate[peak]), mean_rate_per_1k=mean,
                   trend=trend, change_rel=change_rel, status=status)
        rows.append(row)
    cols = ["entry", "category", "first_date", "last_date", "n_docs", "n_matches",
            "peak_period", "peak_rate_per_1k", "mean_rate_per_1k", "trend",
            "change_rel", "status"]
    out = pd.DataFrame(rows, columns=cols)
    out["first_date"] = pd.to_datetime(out["first_date"]).astype("datetime64[ns]")
    out["last_date"] = pd.to_datetime(out["last_date"]).astype("datetime64[ns]")
    out["n_docs"] = out["n_docs"].astype(np.int64)
    out["n_matches"] = out["n_matches"].astype(np.int64)
    order = {"emerging": 0, "new": 1, "stable": 2, "declining": 3, "vanished": 4}
    out["_o"] = out["status"].map(order).fillna(5)
    out = out.sort_values(["_o", "change_rel", "entry"],
                          ascending=[True, False, True], kind="stable")
    out = out.drop(columns="_o").reset_index(drop=True)
    params = {"lexicon": lexicon if isinstance(lexicon, str) or lexicon is None
              else "<frame>", "freq": freq, "recent": recent, "change": change,
              "totals": "given" if totals_given else "derived"}
    return attach(out, provenance(
        "formula_lifecycle", params=params, lexicons=lex_record,
        periods=[str(periods[0]), str(periods[-1])] if P else [], n_periods=P))
