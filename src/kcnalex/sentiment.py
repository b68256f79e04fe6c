r"""Document sentiment from sentence scores: VADER, the KCNA lexicon, or your own.

A news article is scored sentence by sentence and the sentence scores are aggregated,
so that long articles do not saturate: VADER's compound score normalises the sum of
word valences as :math:`x/\sqrt{x^2 + 15}`, which tends to :math:`\pm 1` on any text
long enough, while a mean of sentence scores does not drift with length.

Definitions (document d with sentences :math:`s = 1..S`, sentence score
:math:`c_s`, threshold :math:`\theta` = ``threshold`` = 0.05):

* ``n_sentences`` = S, the sentences of :func:`kcnalex.tokenize.sentence_spans` that
  hold at least one word token; ``n_tokens`` the word tokens of d
  (:func:`kcnalex.tokenize.word_spans`);
* ``mean`` :math:`= \frac1S \sum_s c_s` (NaN when S = 0);
* ``share_pos`` :math:`= \frac1S \#\{s : c_s \ge \theta\}`, ``share_neg``
  :math:`= \frac1S \#\{s : c_s \le -\theta\}` (VADER's ±0.05 convention; NaN when
  S = 0);
* ``sum`` :math:`= \sum_s c_s` (0 when S = 0), so that a period's ratio mean is
  :math:`\sum_d \mathrm{sum}_d / \sum_d S_d`.

Sentence scores:

* ``method="vader"``: :math:`c_s` = VADER's compound score of the sentence text,
  exactly as vaderSentiment 3.3.2 computes it (:func:`kcnalex.vader.vader_array`).
* ``method="kcna"`` or a user lexicon L (word -> score): over the word tokens
  :math:`t_1..t_n` of s (lower-cased), the hits :math:`H = \{i : t_i \in L\}` and

  .. math:: c_s = \frac{1}{|H|}\sum_{i \in H} \nu_i\, L(t_i), \qquad c_s = 0
            \text{ if } H = \emptyset,

  with :math:`\nu_i = -1` when a negator (``not``, ``no``, ``never``, ``cannot``, or
  the ``t`` of a split contraction such as ``don't``) is among the
  ``negation_window`` = 3 word tokens before :math:`t_i` in the same sentence, else
  :math:`\nu_i = 1`. The mean over hits (rather than VADER's :math:`x/\sqrt{x^2+15}`
  of the sum) is used because the induced KCNA lexicon gives a score to almost every
  content word: a sum would grow with sentence length, the mean stays on the
  lexicon's own scale (standard deviations of the induced polarity for ``kcna``).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._columns import as_corpus
from ._provenance import attach, provenance, sha256_bytes

__all__ = [
    "DOC_FIELDS",
    "NEGATORS",
    "SentimentScorer",
    "load_kcna_polarity",
    "make_scorer",
    "sentiment",
    "sentiment_doc",
]

#: Fields of :func:`sentiment_doc`'s result, in order.
DOC_FIELDS = ("n_sentences", "n_tokens", "mean", "share_neg", "share_pos", "sum")

#: Word tokens (lower-cased) that negate the lexicon words after them. ``t`` is the
#: tail of a contraction the tokenizer splits (``don't`` -> ``don``, ``t``).
NEGATORS: frozenset[str] = frozenset({"not", "no", "never", "cannot", "t"})

THRESHOLD = 0.05
KCNA_LEXICON = "kcna-polarity"
_WIDE = ("doc_id", "date", "method", "n_sentences", "n_tokens", "mean", "share_neg",
         "share_pos", "sum")


# --------------------------------------------------------------------------- VADER
def _vader_compound(sentences: Sequence[str]) -> np.ndarray:
    """VADER compound scores of ``sentences`` (float64 array)."""
    if len(sentences) == 0:
        return np.zeros(0)
    return _vader_engine()(sentences)


@functools.lru_cache(maxsize=1)
def _vader_engine():
    """The compound-score function: kcnalex.vader when present, else the reference."""
    try:
        from .vader import vader_array
    except ImportError:  # pragma: no cover - before kcnalex.vader landed
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        sia = SentimentIntensityAnalyzer()

        def engine(sentences):
            return np.fromiter((sia.polarity_scores(s)["compound"] for s in sentences),
                               dtype=np.float64, count=len(sentences))

        engine.name = "vaderSentiment.SentimentIntensityAnalyzer"
        return engine

    def engine(sentences):
        return np.asarray(vader_array(list(sentences)), dtype=np.float64)[:, 3]

    engine.name = "kcnalex.vader.vader_array"
    return engine


def _vader_engine_name() -> str:
    from ._jit import jit_enabled, numba

    if jit_enabled():
        return f"kcnalex._vader_jit (numba {numba.__version__})"
    return getattr(_vader_engine(), "name", "")


# --------------------------------------------------------------------------- lexicons
def _lexicon_dir() -> Path:
    return Path(str(resources.files("kcnalex") / "data" / "lexicons"))


@functools.lru_cache(maxsize=1)
def _kcna_lexicon() -> tuple[dict[str, float], dict[str, Any]]:
    path = _lexicon_dir() / f"{KCNA_LEXICON}.csv"
    raw = path.read_bytes()
    df = pd.read_csv(path, comment="#", dtype={"word": str}, keep_default_na=False)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    words = dict(zip(df["word"].tolist(), df["score"].astype(float).tolist()))
    info = {"name": KCNA_LEXICON, "version": str(meta.get("version", "")),
            "sha256": sha256_bytes(raw), "n_words": len(words)}
    return words, info


def load_kcna_polarity() -> pd.DataFrame:
    """The shipped ``kcna-polarity`` lexicon (induced by SentProp from kcna.co.jp).

    Returns
    -------
    pandas.DataFrame
        ``word``, ``score`` (mean standardised polarity, > 0 positive),
        ``confidence`` (share of bootstrap runs agreeing in sign), ``sd``, ``count``,
        ``version``; ``attrs["kcnalex"]`` holds the sidecar metadata (seeds,
        parameters, input description) and the file's sha256.

    See Also
    --------
    kcnalex.induce_lexicon : how it was made (``data-raw/induce_kcna_polarity.py``).
    """
    path = _lexicon_dir() / f"{KCNA_LEXICON}.csv"
    df = pd.read_csv(path, comment="#", dtype={"word": str, "version": str},
                     keep_default_na=False)
    _, info = _kcna_lexicon()
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return attach(df, provenance("load_kcna_polarity", lexicons=[info],
                                 tokenizer=False, sidecar=meta))


def _lexicon_from_frame(df: pd.DataFrame) -> dict[str, float]:
    for w, s in (("word", "score"), ("term", "polarity"), ("term", "score"),
                 ("word", "polarity")):
        if w in df.columns and s in df.columns:
            return _lexicon_from_pairs(df[w].tolist(), df[s].tolist())
    raise ValueError("a lexicon frame needs columns word and score (or term and "
                     f"polarity); it has {list(df.columns)}")


def _lexicon_from_pairs(words, scores) -> dict[str, float]:
    out: dict[str, float] = {}
    for w, s in zip(words, scores):
        key = str(w).strip().lower()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError(f"lexicon entries must be single words, got {w!r}")
        v = float(s)
        if not np.isfinite(v):
            raise ValueError(f"lexicon score of {w!r} is not finite: {s!r}")
        if key in out and out[key] != v:
            raise ValueError(f"lexicon word {key!r} has two scores ({out[key]}, {v})")
        out[key] = v
    if not out:
        raise ValueError("the lexicon is empty")
    return out


def _lexicon_digest(words: Mapping[str, float]) -> str:
    blob = "".join(f"{w}\t{words[w]!r}\n" for w in sorted(words))
    return sha256_bytes(blob.encode("utf-8"))


# --------------------------------------------------------------------------- scorer
class SentimentScorer:
    """Sentence scorer for one method (picklable; build it with :func:`make_scorer`).

    Attributes
    ----------
    method : str
        Label written to the ``method`` column (``"vader"``, ``"kcna"``, or the
        user lexicon's name).
    words : dict or None
        Lexicon word -> score (None for VADER).
    negation_window : int
        Word tokens before a hit searched for a negator (lexicon methods).
    info : dict
        Provenance of the lexicon (name, version, sha256).
    """

    def __init__(self, method: str, words: dict[str, float] | None,
                 info: dict[str, Any], *, negation_window: int = 3) -> None:
        self.method = method
        self.words = words
        self.info = info
        self.negation_window = int(negation_window)
        self._table = None  # the words' lookup table, built on first use

    def __repr__(self) -> str:
        return f"SentimentScorer(method={self.method!r})"

    def sentence_scores(self, text: str, word_starts: np.ndarray,
                        word_ends: np.ndarray, sent_starts: np.ndarray,
                        sent_ends: np.ndarray) -> np.ndarray:
        """Scores :math:`c_s` of the sentences that hold at least one word token.

        Parameters
        ----------
        text : str
            The document.
        word_starts, word_ends : numpy.ndarray of int
            Word-token offsets (:func:`kcnalex.tokenize.word_spans`).
        sent_starts, sent_ends : numpy.ndarray of int
            Sentence offsets (:func:`kcnalex.tokenize.sentence_spans`).

        Returns
        -------
        numpy.ndarray
            float64, one score per sentence with words, in text order.
        """
        if len(word_starts) == 0 or len(sent_starts) == 0:
            return np.zeros(0)
        if self.words is None:  # VADER reads the sentence text
            used = sentences_with_words(word_starts, sent_starts, sent_ends)
            from ._jit import jit_enabled

            if jit_enabled():
                from ._vader_jit import compound_spans

                return compound_spans(text, sent_starts[used], sent_ends[used])
            ss, se = sent_starts.tolist(), sent_ends.tolist()
            return _vader_compound([text[ss[i]:se[i]] for i in used.tolist()])
        sid = np.searchsorted(sent_starts, word_starts, side="right") - 1
        inside = (sid >= 0) & (word_starts < sent_ends[np.maximum(sid, 0)])
        word_starts, word_ends = word_starts[inside], word_ends[inside]
        sid = sid[inside]
        used = _sorted_unique(sid)  # words in text order: their sentence ids sorted
        # lexicon value and negator flag of every lower-cased token (compiled with
        # the fast extra, dict lookups otherwise: the same values)
        if self._table is None:
            from ._lexicon_jit import TokenTable

            self._table = TokenTable(self.words, NEGATORS)
        vals, neg = self._table.lookup(text, word_starts, word_ends)
        hit = ~np.isnan(vals)
        n = len(vals)
        flip = np.zeros(n, dtype=bool)
        for k in range(1, self.negation_window + 1):
            if k >= n:
                break
            flip[k:] |= neg[:-k] & (sid[:-k] == sid[k:])
        contrib = np.where(hit, np.where(flip, -vals, vals), 0.0)
        # compact sentence index 0..len(used)-1
        pos = np.searchsorted(used, sid)
        sums = np.bincount(pos, weights=contrib, minlength=len(used))
        nhit = np.bincount(pos, weights=hit, minlength=len(used))
        return np.divide(sums, nhit, out=np.zeros_like(sums), where=nhit > 0)


def sentences_with_words(word_starts: np.ndarray, sent_starts: np.ndarray,
                         sent_ends: np.ndarray) -> np.ndarray:
    """Indices of the sentences that hold the start of a word token.

    Both span lists are sorted and sentences do not overlap, so sentence ``i`` holds
    a word when a word start lies in ``[sent_starts[i], sent_ends[i])``: two
    searches per sentence, none per word.
    """
    lo = np.searchsorted(word_starts, sent_starts, side="left")
    hi = np.searchsorted(word_starts, sent_ends, side="left")
    return np.flatnonzero(hi > lo)


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """``numpy.unique`` of an already sorted array, without sorting it again."""
    if not len(a):
        return a
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


_Method = str | pd.DataFrame | Mapping[str, float] | os.PathLike


def make_scorer(method: _Method = "vader", *, negation_window: int = 3,
                name: str | None = None) -> SentimentScorer:
    """Prepare a sentence scorer for :func:`sentiment` / :func:`sentiment_doc`.

    Parameters
    ----------
    method : {"vader", "kcna"}, DataFrame, dict or path
        ``"vader"``: VADER compound; ``"kcna"``: the shipped ``kcna-polarity``
        lexicon; a DataFrame with ``word`` and ``score`` (or ``term`` and
        ``polarity``) columns, a dict word -> score, or the path of a CSV file with
        ``word`` and ``score`` columns (``#`` lines are comments).
    negation_window : int
        Word tokens before a lexicon hit searched for a negator (lexicon methods).
    name : str, optional
        Label of a user lexicon in the ``method`` column (default ``"lexicon"``, or
        the file stem for a path).

    Returns
    -------
    SentimentScorer
    """
    if isinstance(method, SentimentScorer):
        return method
    if isinstance(method, str) and method == "vader":
        from .vader import _DATA

        info = {"name": "vader_lexicon",
                "version": f"vaderSentiment {_DATA['version']}",
                "sha256": _DATA["lexicon_sha256"], "engine": _vader_engine_name()}
        return SentimentScorer("vader", None, info)
    if isinstance(method, str) and method == "kcna":
        words, info = _kcna_lexicon()
        return SentimentScorer("kcna", words, dict(info),
                               negation_window=negation_window)
    label = name
    if isinstance(method, pd.DataFrame):
        words = _lexicon_from_frame(method)
    elif isinstance(method, Mapping):
        words = _lexicon_from_pairs(list(method.keys()), list(method.values()))
    elif isinstance(method, (str, os.PathLike)):
        path = Path(method)
        if not path.is_file():
            raise ValueError(f"method must be 'vader', 'kcna', a lexicon or the path "
                             f"of a lexicon CSV; {str(method)!r} is none of these")
        words = _lexicon_from_frame(pd.read_csv(path, comment="#", dtype={"word": str},
                                                keep_default_na=False))
        label = label or path.stem
    else:
        raise TypeError(f"unsupported method {type(method).__name__}")
    label = label or "lexicon"
    info = {"name": label, "version": "user", "sha256": _lexicon_digest(words),
            "n_words": len(words)}
    return SentimentScorer(label, words, info, negation_window=negation_window)


# --------------------------------------------------------------------------- per doc
def sentiment_doc(text: str, scorer: SentimentScorer, *,
                  words: tuple[np.ndarray, np.ndarray] | None = None,
                  sentences: tuple[np.ndarray, np.ndarray] | None = None,
                  threshold: float = THRESHOLD) -> np.ndarray:
    r"""Sentiment of one document from compact arrays (the one-pass pipeline path).

    Parameters
    ----------
    text : str
        The document.
    scorer : SentimentScorer
        From :func:`make_scorer`.
    words : (starts, ends), optional
        Word-token offsets if already computed (:func:`kcnalex.tokenize.word_spans`).
    sentences : (starts, ends), optional
        Sentence offsets if already computed
        (:func:`kcnalex.tokenize.sentence_spans`).
    threshold : float
        :math:`\theta` of ``share_pos`` / ``share_neg``.

    Returns
    -------
    numpy.ndarray
        float64 array of :data:`DOC_FIELDS`: ``n_sentences``, ``n_tokens``,
        ``mean``, ``share_neg``, ``share_pos``, ``sum`` (formulas in
        :func:`sentiment`).
    """
    from .tokenize import sentence_spans, word_spans

    text = text if isinstance(text, str) else ""
    ws, we = words if words is not None else word_spans(text)
    ss, se = sentences if sentences is not None else sentence_spans(text)
    c = scorer.sentence_scores(text, np.asarray(ws), np.asarray(we),
                               np.asarray(ss), np.asarray(se))
    n = len(c)
    if n == 0:
        return np.array([0.0, float(len(ws)), np.nan, np.nan, np.nan, 0.0])
    total = float(c.sum())
    return np.array([float(n), float(len(ws)), total / n,
                     np.count_nonzero(c <= -threshold) / n,
                     np.count_nonzero(c >= threshold) / n, total])


# --------------------------------------------------------------------------- frame
def sentiment(
    corpus: pd.DataFrame | str | Sequence[str],
    *,
    method: _Method = "vader",
    threshold: float = THRESHOLD,
    negation_window: int = 3,
    name: str | None = None,
    form: Literal["wide", "long"] = "wide",
) -> pd.DataFrame:
    r"""Sentiment of each document, aggregated from sentence scores.

    Each document is split into sentences (:func:`kcnalex.tokenize.sentence_spans`);
    each sentence with at least one word token gets a score :math:`c_s`, and

    .. math::

        \mathrm{mean} = \frac1S\sum_{s=1}^S c_s,\quad
        \mathrm{share\_pos} = \frac{\#\{s: c_s \ge \theta\}}{S},\quad
        \mathrm{share\_neg} = \frac{\#\{s: c_s \le -\theta\}}{S},\quad
        \mathrm{sum} = \sum_{s=1}^S c_s .

    ``method="vader"``: :math:`c_s` is VADER's compound score of the sentence
    (vaderSentiment 3.3.2, :math:`\theta = 0.05` is VADER's own convention).
    Lexicon methods (``"kcna"`` or your lexicon L): :math:`c_s` is the mean score of
    the sentence's lexicon hits (lower-cased word tokens),
    :math:`c_s = \frac{1}{|H|}\sum_{i\in H} \nu_i L(t_i)` (0 without hits), where
    :math:`\nu_i = -1` if one of :data:`NEGATORS` is among the ``negation_window``
    word tokens before :math:`t_i` in the sentence. Scoring sentences rather than the
    whole text keeps long articles from saturating (VADER's
    :math:`x/\sqrt{x^2+15}` tends to :math:`\pm1` on news-length text).

    Parameters
    ----------
    corpus : pandas.DataFrame, str or list of str
        Corpus frame (``doc_id``, ``text``, optional ``date``) or texts.
    method : {"vader", "kcna"}, DataFrame, dict or path
        Sentence scorer (see :func:`make_scorer`).
    threshold : float
        :math:`\theta` (default 0.05). For ``"kcna"`` it is in the lexicon's units
        (standard deviations of the induced polarity).
    negation_window : int
        Word tokens before a lexicon hit searched for a negator.
    name : str, optional
        Label of a user lexicon (``method`` column and measure prefix).
    form : {"wide", "long"}
        ``"wide"``: one row per document. ``"long"``: doc-stats frame, one row per
        document and measure.

    Returns
    -------
    pandas.DataFrame
        ``form="wide"``: ``doc_id``, ``date``, ``method`` (str), ``n_sentences``
        (int), ``n_tokens`` (int, word tokens), ``mean``, ``share_neg``,
        ``share_pos`` (float; NaN when ``n_sentences`` is 0), ``sum`` (float).
        ``form="long"``: ``doc_id``, ``date``, ``measure``
        (``"<method>_mean"``, ``"<method>_share_neg"``, ``"<method>_share_pos"``,
        ``"<method>_sum"``, ``"<method>_n_sentences"``), ``value``, ``n_tokens``,
        ``method``. ``attrs["kcnalex"]`` records the method, lexicon (name, version,
        sha256), threshold and negation window.

    See Also
    --------
    sentiment_doc : the same for one document from precomputed arrays.
    kcnalex.vader_scores : VADER scores of arbitrary strings.
    kcnalex.induce_lexicon : build a domain lexicon (SentProp).

    References
    ----------
    Hutto, C. J. & Gilbert, E. (2014). VADER: A parsimonious rule-based model for
    sentiment analysis of social media text. ICWSM.
    Hamilton, W. L., Clark, K., Leskovec, J. & Jurafsky, D. (2016). Inducing
    domain-specific sentiment lexicons from unlabeled corpora. EMNLP.

    Examples
    --------
    >>> from kcnalex.sentiment import sentiment
    >>> df = sentiment(["The victory is glorious. The enemy is vile."],
    ...                method={"glorious": 2.0, "vile": -1.0})
    >>> df[["n_sentences", "mean", "share_pos", "share_neg", "sum"]].iloc[0].tolist()
    [2.0, 0.5, 0.5, 0.5, 1.0]
    """
    if form not in ("wide", "long"):
        raise ValueError(f"form must be 'wide' or 'long', got {form!r}")
    from .tokenize import sentence_spans_batch, word_spans_batch

    scorer = make_scorer(method, negation_window=negation_window, name=name)
    df = as_corpus(corpus)
    texts = df["text"].tolist()
    res = np.empty((len(texts), len(DOC_FIELDS)), dtype=np.float64)
    for b0 in range(0, len(texts), 256):  # spans found a batch at a time
        batch = [t if isinstance(t, str) else "" for t in texts[b0:b0 + 256]]
        for k, (text, words, sents) in enumerate(zip(
                texts[b0:b0 + 256], word_spans_batch(batch),
                sentence_spans_batch(batch))):
            res[b0 + k] = sentiment_doc(text, scorer, words=words, sentences=sents,
                                        threshold=threshold)
    out = pd.DataFrame({
        "doc_id": df["doc_id"].to_numpy(),
        "date": df["date"].to_numpy(),
        "method": scorer.method,
        "n_sentences": res[:, 0].astype(np.int64),
        "n_tokens": res[:, 1].astype(np.int64),
        "mean": res[:, 2],
        "share_neg": res[:, 3],
        "share_pos": res[:, 4],
        "sum": res[:, 5],
    }, columns=list(_WIDE))
    if form == "long":
        stats = ("mean", "share_neg", "share_pos", "sum", "n_sentences")
        parts = []
        for st in stats:
            parts.append(pd.DataFrame({
                "doc_id": out["doc_id"], "date": out["date"],
                "measure": f"{scorer.method}_{st}",
                "value": out[st].astype(np.float64), "n_tokens": out["n_tokens"],
                "method": scorer.method,
            }))
        out = pd.concat(parts, ignore_index=True)
        # document-major order: all measures of a document together
        order = np.argsort(np.tile(np.arange(len(df)), len(stats)), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
    params = {"method": scorer.method, "threshold": threshold,
              "negation_window": negation_window if scorer.words is not None else None,
              "form": form, "negators": sorted(NEGATORS)}
    return attach(out, provenance("sentiment", params=params, lexicons=[scorer.info]))
