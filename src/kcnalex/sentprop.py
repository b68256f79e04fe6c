"""Induce a domain polarity lexicon from a corpus (SentProp).

:func:`induce_lexicon` implements SentProp (Hamilton, Clark, Leskovec & Jurafsky
2016): word vectors from a PPMI co-occurrence matrix reduced by truncated SVD, a
k-nearest-neighbour graph with arccos edge weights, and a random walk with restart
from positive and from negative seed words, bootstrapped over seed subsets.

The building blocks are public (and tested on hand-computed values):
:func:`cooccurrence`, :func:`ppmi`, :func:`svd_embeddings`, :func:`knn_graph`,
:func:`transition_matrix`, :func:`random_walk`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ._columns import as_corpus
from ._provenance import attach, provenance

__all__ = [
    "STOPWORDS",
    "cooccurrence",
    "induce_lexicon",
    "knn_graph",
    "ppmi",
    "random_walk",
    "svd_embeddings",
    "transition_matrix",
]

SENTPROP_VERSION = "1"

# Function words kept out of the *target* set (they still serve as contexts):
# scikit-learn's English stop list (Glasgow IR group) minus its content words, some of
# which carry polarity in KCNA's register ("serious", "sincere", "fire", "cry").
_CONTENT_WORDS = {
    "bill", "bottom", "call", "cry", "describe", "detail", "empty", "fill", "find",
    "fire", "found", "front", "full", "give", "interest", "keep", "made", "mill",
    "move", "name", "part", "put", "see", "serious", "show", "side", "sincere",
    "system", "take", "thick", "thin", "top", "well", "whole",
}


def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS - _CONTENT_WORDS)


STOPWORDS: frozenset[str] = _stopwords()

_HAS_LETTER = re.compile(r"[^\W\d_]")


# --------------------------------------------------------------------------- counts
def _encode_corpus(texts: Iterable[str], *, window: int):
    """Word-token ids of all texts, concatenated with ``window`` gaps (-1) between
    documents so that no window crosses a document boundary.

    Returns ``(ids, types)``: int32 ids into ``types`` (a list of lower-cased word
    types in order of first occurrence).
    """
    from .tokenize import word_spans

    index: dict[str, int] = {}
    chunks: list[np.ndarray] = []
    gap = np.full(window, -1, dtype=np.int32)
    add = index.setdefault
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        starts, ends = word_spans(text)
        low = text.lower()
        src = low if len(low) == len(text) else None
        if src is not None:
            words = [src[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
        else:  # lower() changed the length (rare Unicode): lower each token
            words = [text[s:e].lower() for s, e in zip(starts.tolist(), ends.tolist())]
        ids = np.fromiter((add(w, len(index)) for w in words), dtype=np.int32,
                          count=len(words))
        chunks.append(ids)
        chunks.append(gap)
    ids = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int32)
    types = [None] * len(index)
    for w, i in index.items():
        types[i] = w
    return ids, types


def cooccurrence(ids: np.ndarray, *, n_rows: int, n_cols: int,
                 row_of: np.ndarray, col_of: np.ndarray, window: int,
                 chunk: int = 5_000_000) -> sparse.csr_matrix:
    """Count word-context co-occurrences in a symmetric window.

    Parameters
    ----------
    ids : numpy.ndarray of int
        Token ids of the running text; ``-1`` marks a gap (document boundary or a
        dropped token) that occupies a position but co-occurs with nothing.
    n_rows, n_cols : int
        Number of target words (rows) and context words (columns).
    row_of, col_of : numpy.ndarray of int
        Map a token id to its row (target index) or column (context index); ``-1``
        when the type is not a target / not a context.
    window : int
        Half-width of the window: tokens at distance 1..``window`` on either side.
    chunk : int
        Tokens per block (bounds memory).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n_rows x n_cols`` float64 matrix, ``C[w, c]`` = number of times context
        ``c`` occurs within ``window`` tokens (either side) of target ``w``.
    """
    ids = np.asarray(ids)
    n = len(ids)
    rows_all = np.where(ids >= 0, row_of[np.maximum(ids, 0)], -1)
    cols_all = np.where(ids >= 0, col_of[np.maximum(ids, 0)], -1)
    total = sparse.csr_matrix((n_rows, n_cols), dtype=np.float64)
    for lo in range(0, max(n, 1), chunk):
        hi = min(n, lo + chunk + window)  # overlap so pairs across blocks count once
        r = rows_all[lo:hi]
        c = cols_all[lo:hi]
        pr: list[np.ndarray] = []
        pc: list[np.ndarray] = []
        for d in range(1, window + 1):
            if hi - lo <= d:
                break
            # pairs (i, i + d) whose left element lies in [lo, lo + chunk)
            m = min(chunk, hi - lo - d)
            a_r, a_c = r[:m], c[:m]
            b_r, b_c = r[d:d + m], c[d:d + m]
            ok = (a_r >= 0) & (b_c >= 0)
            pr.append(a_r[ok])
            pc.append(b_c[ok])
            ok = (b_r >= 0) & (a_c >= 0)
            pr.append(b_r[ok])
            pc.append(a_c[ok])
        if pr:
            rr = np.concatenate(pr)
            cc = np.concatenate(pc)
            block = sparse.coo_matrix(
                (np.ones(len(rr), dtype=np.float64), (rr, cc)), shape=(n_rows, n_cols)
            ).tocsr()
            total = total + block
    total.sum_duplicates()
    return total.tocsr()


# --------------------------------------------------------------------------- PPMI
def ppmi(counts, *, alpha: float = 0.75) -> sparse.csr_matrix:
    r"""Positive pointwise mutual information with context-distribution smoothing.

    .. math::

        \mathrm{PPMI}(w, c) = \max\left(0,\;
            \log \frac{\#(w,c)\,/\,N}{\bigl(\#(w)/N\bigr)\, P_\alpha(c)}\right),
        \qquad P_\alpha(c) = \frac{\#(c)^\alpha}{\sum_{c'} \#(c')^\alpha}

    with :math:`\#(w) = \sum_c \#(w,c)`, :math:`\#(c) = \sum_w \#(w,c)`,
    :math:`N = \sum_{w,c} \#(w,c)` and the natural logarithm. Cells with a zero
    count stay zero.

    Parameters
    ----------
    counts : array-like or scipy.sparse matrix
        Word x context co-occurrence counts (not modified).
    alpha : float
        Context-distribution smoothing exponent (0.75 as in Levy, Goldberg & Dagan
        2015 and Hamilton et al. 2016); 1 gives plain PPMI.

    Returns
    -------
    scipy.sparse.csr_matrix
        Same shape, float64.

    References
    ----------
    Levy, O., Goldberg, Y. & Dagan, I. (2015). Improving distributional similarity
    with lessons learned from word embeddings. TACL 3, 211-225.
    """
    m = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    m.eliminate_zeros()
    n = m.sum()
    if n <= 0:
        return m
    row = np.asarray(m.sum(axis=1)).ravel()
    col = np.asarray(m.sum(axis=0)).ravel()
    col_a = np.power(col, alpha)
    p_col = col_a / col_a.sum()
    coo = m.tocoo()
    pmi = (np.log(coo.data) - np.log(n)
           - (np.log(row[coo.row]) - np.log(n)) - np.log(p_col[coo.col]))
    out = sparse.csr_matrix(
        (np.maximum(pmi, 0.0), (coo.row, coo.col)), shape=m.shape
    )
    out.eliminate_zeros()
    return out


def svd_embeddings(matrix, *, dims: int = 300, random_state: int = 0,
                   n_iter: int = 7) -> np.ndarray:
    """Row-normalised left singular vectors of ``matrix`` (truncated SVD).

    The vectors are :math:`U_d` (singular values dropped, eigenvalue weighting 0 as in
    Hamilton et al.'s ``SVDEmbedding`` and Levy et al. 2015), each row scaled to unit
    length; an all-zero row stays zero. ``dims`` is capped at ``min(shape) - 1``.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Word x context matrix (PPMI).
    dims : int
        Number of dimensions d.
    random_state : int
        Seed of the randomised SVD (deterministic).
    n_iter : int
        Power iterations of the randomised SVD.

    Returns
    -------
    numpy.ndarray
        ``n_words x d`` float64.
    """
    from sklearn.decomposition import TruncatedSVD

    d = int(min(dims, min(matrix.shape) - 1))
    if d < 1:
        raise ValueError(f"matrix of shape {matrix.shape} is too small for an SVD")
    svd = TruncatedSVD(n_components=d, algorithm="randomized", n_iter=n_iter,
                       random_state=random_state)
    us = svd.fit_transform(matrix)
    s = svd.singular_values_
    u = np.divide(us, s, out=np.zeros_like(us), where=s > 0)
    norms = np.linalg.norm(u, axis=1, keepdims=True)
    return np.divide(u, norms, out=np.zeros_like(u), where=norms > 0)


# --------------------------------------------------------------------------- graph
def knn_graph(vectors: np.ndarray, *, k: int = 25) -> sparse.csr_matrix:
    r"""Symmetric k-nearest-neighbour graph with arccos edge weights.

    Each word is linked to its ``k`` nearest neighbours by cosine similarity (itself
    excluded); the graph is made undirected (an edge exists if either word is among
    the other's neighbours) with weight

    .. math:: E_{ij} = \arccos\bigl(-\cos(\mathbf v_i, \mathbf v_j)\bigr) / \pi
              \in [0, 1],

    (Hamilton et al. 2016, eq. 1; the division by :math:`\pi`, as in their code, does
    not change the walk).

    Parameters
    ----------
    vectors : numpy.ndarray
        ``n x d`` word vectors (need not be normalised).
    k : int
        Neighbours per word (capped at n - 1).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n x n`` symmetric, zero diagonal.
    """
    from sklearn.neighbors import NearestNeighbors

    n = vectors.shape[0]
    kk = int(min(k, n - 1))
    if kk < 1:
        return sparse.csr_matrix((n, n))
    nn = NearestNeighbors(n_neighbors=kk + 1, metric="cosine", algorithm="brute")
    nn.fit(vectors)
    dist, ind = nn.kneighbors(vectors)
    # drop self (or, if a duplicate vector pushed self out, the farthest neighbour)
    keep = ind != np.arange(n)[:, None]
    keep &= np.cumsum(keep, axis=1) <= kk
    rows = np.repeat(np.arange(n), kk)
    cols = ind[keep]
    cos = 1.0 - dist[keep]
    w = np.arccos(np.clip(-cos, -1.0, 1.0)) / np.pi
    a = sparse.csr_matrix((w, (rows, cols)), shape=(n, n))
    e = a.maximum(a.T).tocsr()
    e.setdiag(0)
    e.eliminate_zeros()
    return e


def transition_matrix(graph) -> sparse.csr_matrix:
    r"""Symmetrically normalised transition matrix :math:`T = D^{-1/2} E D^{-1/2}`.

    :math:`D_{ii} = \sum_j E_{ij}` (Hamilton et al. 2016, section 3); rows of an
    isolated node stay zero.

    Parameters
    ----------
    graph : array-like or scipy.sparse matrix
        Symmetric non-negative edge weights E.

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    e = sparse.csr_matrix(graph, dtype=np.float64)
    deg = np.asarray(e.sum(axis=1)).ravel()
    inv = np.zeros_like(deg)
    np.divide(1.0, np.sqrt(deg), out=inv, where=deg > 0)
    dinv = sparse.diags(inv)
    return (dinv @ e @ dinv).tocsr()


def random_walk(transition, teleport, *, beta: float = 0.9, tol: float = 1e-12,
                max_iter: int = 1000) -> np.ndarray:
    r"""Random walk with restart (personalised PageRank) by power iteration.

    .. math:: \mathbf p^{(t+1)} = \beta\, T\, \mathbf p^{(t)} + (1 - \beta)\,
              \mathbf s, \qquad \mathbf p^{(0)} = \mathbf s

    where :math:`\mathbf s` is the teleport vector normalised to sum 1. Iterates
    until :math:`\max_i |p^{(t+1)}_i - p^{(t)}_i| < \text{tol}` (or ``max_iter``);
    the fixed point is :math:`(1-\beta)(I - \beta T)^{-1}\mathbf s`.

    Parameters
    ----------
    transition : scipy.sparse matrix or numpy.ndarray
        ``n x n`` transition matrix T (e.g. :func:`transition_matrix`).
    teleport : numpy.ndarray
        Teleport weights, shape ``(n,)`` or ``(n, r)`` for r walks at once (each
        column normalised to sum 1; a zero column gives a zero walk).
    beta : float
        Probability of following an edge (1 - beta: of restarting at the seeds).
    tol, max_iter : float, int
        Convergence threshold and iteration cap.

    Returns
    -------
    numpy.ndarray
        Visit scores, same shape as ``teleport``.

    References
    ----------
    Hamilton, W. L., Clark, K., Leskovec, J. & Jurafsky, D. (2016). Inducing
    domain-specific sentiment lexicons from unlabeled corpora. EMNLP, 595-605.
    """
    s = np.asarray(teleport, dtype=np.float64)
    one = s.ndim == 1
    if one:
        s = s[:, None]
    tot = s.sum(axis=0, keepdims=True)
    s = np.divide(s, tot, out=np.zeros_like(s), where=tot > 0)
    restart = (1.0 - beta) * s
    p = s.copy()
    for _ in range(max_iter):
        new = beta * (transition @ p) + restart
        done = np.max(np.abs(new - p)) < tol if new.size else True
        p = new
        if done:
            break
    return p[:, 0] if one else p


# --------------------------------------------------------------------------- lexicon
def _seed_list(seeds: Iterable[str], name: str) -> list[str]:
    if isinstance(seeds, str):
        raise TypeError(f"{name} must be a list of words, not a string")
    out = list(dict.fromkeys(str(s).lower() for s in seeds))
    if not out:
        raise ValueError(f"{name} is empty")
    return out


def induce_lexicon(
    corpus,
    *,
    positive_seeds: Sequence[str],
    negative_seeds: Sequence[str],
    min_count: int = 20,
    max_words: int | None = 15_000,
    window: int = 4,
    alpha: float = 0.75,
    dims: int = 300,
    k: int = 25,
    beta: float = 0.9,
    n_boot: int = 50,
    boot_size: int = 7,
    stopwords: Iterable[str] | None = None,
    random_state: int = 0,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> pd.DataFrame:
    r"""Induce word polarities from a corpus with SentProp (label propagation).

    Steps (Hamilton et al. 2016):

    1. **Vocabulary.** Word tokens of :func:`kcnalex.tokenize.word_spans`,
       lower-cased. Contexts: every type with count :math:`\ge` ``min_count``.
       Targets (the lexicon's words): the contexts that contain a letter and are not
       in ``stopwords``, the ``max_words`` most frequent (ties by word).
    2. **Counts.** :math:`\#(w,c)`: times context c occurs within ``window`` tokens
       on either side of target w, inside one document (all tokens keep their
       positions; windows do not cross documents).
    3. **PPMI** with context-distribution smoothing ``alpha`` (:func:`ppmi`).
    4. **SVD.** Truncated SVD to ``dims`` dimensions, :math:`U_d`, rows normalised
       (:func:`svd_embeddings`, fixed ``random_state``).
    5. **Graph.** ``k`` nearest neighbours by cosine, symmetrised, weights
       :math:`\arccos(-\cos)/\pi`; :math:`T = D^{-1/2} E D^{-1/2}` (:func:`knn_graph`,
       :func:`transition_matrix`).
    6. **Walks.** For a positive seed set P and a negative set N, random walks with
       restart (:func:`random_walk`, ``beta``) give :math:`p^+` and :math:`p^-`;
       polarity :math:`\pi(w) = p^+(w) / (p^+(w) + p^-(w))` (0.5 where both are 0),
       standardised over the vocabulary: :math:`z(w) = (\pi(w) - \bar\pi) / s_\pi`
       (population standard deviation).
    7. **Bootstrap.** ``n_boot`` runs, each with ``boot_size`` positive and
       ``boot_size`` negative seeds drawn without replacement
       (``numpy.random.default_rng(random_state)``). ``score`` is the mean of the
       runs' :math:`z(w)`; ``sd`` their standard deviation (ddof=1); ``confidence``
       the fraction of runs in which :math:`z(w)` has the sign of ``score``.

    Deterministic: the same corpus and parameters give the same frame.

    Parameters
    ----------
    corpus : pandas.DataFrame, str or list of str
        Corpus frame (``doc_id``, ``text``) or texts.
    positive_seeds, negative_seeds : sequence of str
        Seed words (lower-cased); seeds missing from the targets are dropped with a
        warning (recorded in ``attrs``).
    min_count : int
        Minimum corpus frequency of a context / target word.
    max_words : int or None
        Keep the most frequent targets only (None: all).
    window : int
        Co-occurrence half-window in tokens.
    alpha : float
        Context-distribution smoothing exponent of the PPMI.
    dims : int
        SVD dimensions (capped at ``min(n_targets, n_contexts) - 1``).
    k : int
        Nearest neighbours per word in the graph.
    beta : float
        Random-walk continuation probability (restart probability 1 - beta).
    n_boot : int
        Bootstrap runs (>= 1).
    boot_size : int
        Seeds of each polarity per run (capped at the number of seeds available).
    stopwords : iterable of str, optional
        Words kept out of the targets (default :data:`STOPWORDS`).
    random_state : int
        Seed of the SVD and of the bootstrap draws.
    tol, max_iter : float, int
        Power-iteration convergence threshold and cap.

    Returns
    -------
    pandas.DataFrame
        One row per target word, sorted by descending ``score`` (ties by word):
        ``word`` (str), ``score`` (float, mean standardised polarity; > 0 positive),
        ``confidence`` (float in [0, 1]), ``sd`` (float), ``count`` (int, corpus
        frequency), ``seed`` (``"positive"``, ``"negative"`` or ``""``).
        ``attrs["kcnalex"]`` holds the provenance with the seeds, the seeds used in
        each run, all parameters and corpus sizes.

    See Also
    --------
    kcnalex.sentiment : score documents with an induced lexicon.

    References
    ----------
    Hamilton, W. L., Clark, K., Leskovec, J. & Jurafsky, D. (2016). Inducing
    domain-specific sentiment lexicons from unlabeled corpora. EMNLP, 595-605.

    Examples
    --------
    >>> import kcnalex as kx
    >>> docs = ["the glorious victory and great joy"] * 30 + [
    ...     "the reckless enemy and vile aggression"] * 30
    >>> lex = kx.induce_lexicon(docs, positive_seeds=["glorious", "joy"],
    ...                         negative_seeds=["reckless", "aggression"],
    ...                         min_count=5, dims=2, k=2, n_boot=3, boot_size=1)
    >>> lex.set_index("word").loc["victory", "score"] > 0
    np.True_
    """
    pos = _seed_list(positive_seeds, "positive_seeds")
    neg = _seed_list(negative_seeds, "negative_seeds")
    if set(pos) & set(neg):
        raise ValueError(f"seeds on both sides: {sorted(set(pos) & set(neg))}")
    if n_boot < 1 or boot_size < 1:
        raise ValueError("n_boot and boot_size must be >= 1")
    if window < 1 or k < 1 or not 0 < beta < 1:
        raise ValueError("window >= 1, k >= 1 and 0 < beta < 1 are required")
    stop = STOPWORDS if stopwords is None else frozenset(
        w.lower() for w in stopwords)
    df = as_corpus(corpus)

    # 1. vocabulary
    ids, types = _encode_corpus(df["text"].tolist(), window=window)
    valid = ids[ids >= 0]
    freq = np.bincount(valid, minlength=len(types)).astype(np.int64)
    order = sorted(range(len(types)), key=lambda i: (-freq[i], types[i]))
    ctx = [i for i in order if freq[i] >= min_count]
    tgt = [i for i in ctx if types[i] not in stop and _HAS_LETTER.search(types[i])]
    if max_words is not None:
        tgt = tgt[:max_words]
    if len(tgt) < 3:
        raise ValueError(f"only {len(tgt)} target words with count >= {min_count}")
    words = [types[i] for i in tgt]
    counts_w = freq[tgt]
    row_of = np.full(len(types), -1, dtype=np.int64)
    row_of[tgt] = np.arange(len(tgt))
    col_of = np.full(len(types), -1, dtype=np.int64)
    col_of[ctx] = np.arange(len(ctx))

    # 2-5. counts, PPMI, SVD, graph
    counts = cooccurrence(ids, n_rows=len(tgt), n_cols=len(ctx), row_of=row_of,
                          col_of=col_of, window=window)
    del ids
    vectors = svd_embeddings(ppmi(counts, alpha=alpha), dims=dims,
                             random_state=random_state)
    trans = transition_matrix(knn_graph(vectors, k=k))

    # 6-7. walks, bootstrap
    windex = {w: i for i, w in enumerate(words)}
    missing = [w for w in pos + neg if w not in windex]
    if missing:
        warnings.warn(f"seeds not among the target words, dropped: {missing}",
                      stacklevel=2)
    pos_i = np.array([windex[w] for w in pos if w in windex], dtype=np.int64)
    neg_i = np.array([windex[w] for w in neg if w in windex], dtype=np.int64)
    if len(pos_i) == 0 or len(neg_i) == 0:
        raise ValueError("no positive or no negative seed among the target words")
    rng = np.random.default_rng(random_state)
    bp, bn = min(boot_size, len(pos_i)), min(boot_size, len(neg_i))
    n = len(words)
    tele = np.zeros((n, 2 * n_boot))
    runs = []
    for b in range(n_boot):
        sp = np.sort(rng.choice(pos_i, size=bp, replace=False))
        sn = np.sort(rng.choice(neg_i, size=bn, replace=False))
        tele[sp, 2 * b] = 1.0
        tele[sn, 2 * b + 1] = 1.0
        runs.append({"positive": [words[i] for i in sp],
                     "negative": [words[i] for i in sn]})
    p = random_walk(trans, tele, beta=beta, tol=tol, max_iter=max_iter)
    pp, pn = p[:, 0::2], p[:, 1::2]
    den = pp + pn
    pol = np.divide(pp, den, out=np.full_like(pp, 0.5), where=den > 0)
    sd_run = pol.std(axis=0)
    z = np.divide(pol - pol.mean(axis=0), sd_run, out=np.zeros_like(pol),
                  where=sd_run > 0)
    score = z.mean(axis=1)
    sd = z.std(axis=1, ddof=1) if n_boot > 1 else np.full(n, np.nan)
    agree = (np.sign(z) == np.sign(score)[:, None]).mean(axis=1)

    seed = np.array([""] * n, dtype=object)
    seed[pos_i] = "positive"
    seed[neg_i] = "negative"
    out = pd.DataFrame({
        "word": pd.array(words, dtype=object),
        "score": score,
        "confidence": agree,
        "sd": sd,
        "count": counts_w.astype(np.int64),
        "seed": seed,
    })
    out = out.sort_values(["score", "word"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)
    params: dict[str, Any] = {
        "positive_seeds": pos, "negative_seeds": neg, "min_count": min_count,
        "max_words": max_words, "window": window, "alpha": alpha, "dims": dims,
        "dims_used": int(vectors.shape[1]), "k": k, "beta": beta, "n_boot": n_boot,
        "boot_size": boot_size, "random_state": random_state, "tol": tol,
        "max_iter": max_iter,
        "stopwords": "default" if stopwords is None else sorted(stop),
    }
    return attach(out, provenance(
        "induce_lexicon", params=params, method="SentProp",
        sentprop_version=SENTPROP_VERSION, seeds_missing=missing, runs=runs,
        n_docs=int(len(df)), n_tokens=int(len(valid)), n_types=len(types),
        n_contexts=len(ctx), n_words=n, graph_edges=int(trans.nnz // 2),
    ))
