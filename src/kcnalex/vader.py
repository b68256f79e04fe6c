"""VADER sentiment, bit-identical to vaderSentiment 3.3.2 and several times faster.

:func:`vader_scores` returns, for every input string, exactly the ``neg``, ``neu``,
``pos`` and ``compound`` numbers of
``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer().polarity_scores``
(same floats, bit for bit). The lexicon and the emoji table are read from the installed
``vaderSentiment`` package (no download); the rule constants (``NEGATE``,
``BOOSTER_DICT``, ``SPECIAL_CASES``, ...) are imported from it.

How it stays identical while doing less work
--------------------------------------------
The reference walks every token through all its rules and, for every lexicon word,
lower-cases the whole sentence again (negation, idiom and "but" checks), which makes it
quadratic in the sentence length. The score of a sentence only depends on

* ``n``, the number of whitespace tokens (every token that is not a sentiment word
  counts as one neutral item),
* the ordered list of the *non-zero* valences (zeros add nothing to a float sum, only
  to the neutral count, and are never matched by the "but" rule's ``list.index`` for a
  non-zero value),
* the counts of ``!`` and ``?`` in the text.

So this module lower-cases the text once, splits and punctuation-strips its tokens in
one pass, finds the sentiment words with a set intersection, and runs the reference's
rules only at those positions, reading at most three tokens back and two ahead, in
the reference's order of floating-point operations; a word with no rule trigger in
its three predecessors takes a short path. Sentences without any lexicon word
short-cut to ``neu = 1``; the final ``round`` calls use an exact integer shortcut.
The reference's quirks are kept on purpose, among them:

* tokens are ``str.split()`` pieces with leading/trailing ASCII punctuation removed,
  *unless* fewer than three characters remain, in which case the token keeps its
  punctuation (``"no,"`` is not ``"no"``, ``"so,"`` is not ``"so"``);
* ``"no"`` followed by a lexicon word scores 0, and a lexicon word one or two
  tokens after ``"no"`` (three, if the token before it is ``"or"``/``"nor"``) starts
  from its lexicon value times -0.74 (so ``"no no good"`` scores the second
  ``"no"``); a word right after
  ``"least"`` is negated unless the text reads ``"at least"``/``"very least"``;
* the 3-back negation test (run for the fourth token on, when the third previous
  token is not a lexicon word) multiplies by 1.25 whenever the previous token is
  ``"so"`` or ``"this"`` (operator precedence in the reference), not only after
  ``"never"``;
* idioms (``"the bomb"``, ``"bad ass"``, ``"kind of"`` ...) are only looked at for
  words from the fourth token on whose third previous token is not a lexicon word,
  and ``"kind of"``/``"sort of"`` add -0.293 whatever the sign of the valence;
* the ``"but"`` rule rescales by value (``list.index``), so a value repeated on both
  sides of ``"but"`` may be rescaled twice at its first occurrence and never at the
  later one;
* ALL-CAPS emphasis needs some but not all tokens in capitals; ``!`` counts up to 4
  (+0.292 each), ``?`` adds 0.18 each for 2-3 and 0.96 for more;
* an emoji character is replaced by its description, preceded by a space unless it
  starts the text or follows a space, never followed by one.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from importlib import metadata, resources
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from ._provenance import attach, provenance, sha256_bytes

__all__ = ["vader_scores", "vader_array", "polarity_scores", "VADER_COLUMNS"]

#: Columns of :func:`vader_scores` (and of :func:`vader_array`, in this order).
VADER_COLUMNS = ("neg", "neu", "pos", "compound")

REFERENCE_VERSION = "3.3.2"
# sha256 of vader_lexicon.txt as shipped in vaderSentiment 3.3.2
_LEXICON_SHA256 = "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5"
_EMOJI_SHA256 = "b8d54223ae1ce22a3e12c1f745316b71678c328eb5f5d3063a842f37cfbe2823"

# --------------------------------------------------------------------------------------
# Reference constants and data files


def _read_package_file(name: str) -> bytes:
    return resources.files("vaderSentiment").joinpath(name).read_bytes()


def _parse_lexicon(raw: bytes) -> dict[str, float]:
    # SentimentIntensityAnalyzer.make_lex_dict, line for line (codecs.open does no
    # newline translation, hence decoding the bytes ourselves).
    lex: dict[str, float] = {}
    for line in raw.decode("utf-8").rstrip("\n").split("\n"):
        if not line:
            continue
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    return lex


def _parse_emoji(raw: bytes) -> dict[str, str]:
    # SentimentIntensityAnalyzer.make_emoji_dict
    emojis: dict[str, str] = {}
    for line in raw.decode("utf-8").rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        emojis[emoji] = description
    return emojis


def _load() -> dict[str, Any]:
    from vaderSentiment import vaderSentiment as ref

    version = metadata.version("vaderSentiment")
    lex_raw = _read_package_file("vader_lexicon.txt")
    emo_raw = _read_package_file("emoji_utf8_lexicon.txt")
    lex_sha, emo_sha = sha256_bytes(lex_raw), sha256_bytes(emo_raw)
    if (version, lex_sha, emo_sha) != (REFERENCE_VERSION, _LEXICON_SHA256,
                                       _EMOJI_SHA256):
        warnings.warn(
            f"kcnalex.vader replicates vaderSentiment {REFERENCE_VERSION}; installed "
            f"is {version} (lexicon sha256 {lex_sha[:12]}...): scores may differ "
            "from that version's polarity_scores",
            RuntimeWarning,
            stacklevel=3,
        )
    return {
        "ref": ref,
        "version": version,
        "lexicon": _parse_lexicon(lex_raw),
        "emojis": _parse_emoji(emo_raw),
        "lexicon_sha256": lex_sha,
        "emoji_sha256": emo_sha,
    }


_DATA = _load()
_ref = _DATA["ref"]
_LEX: dict[str, float] = _DATA["lexicon"]
_EMOJI: dict[str, str] = _DATA["emojis"]
_BOOSTER: dict[str, float] = dict(_ref.BOOSTER_DICT)
_SPECIAL: dict[str, float] = dict(_ref.SPECIAL_CASES)
_NEGATE = frozenset(_ref.NEGATE)
_B_INCR = _ref.B_INCR
_C_INCR = _ref.C_INCR
_N_SCALAR = _ref.N_SCALAR
_PUNCT = _ref.string.punctuation

# Lexicon words that can carry a valence: the reference gives boosters 0 before it
# looks at the lexicon.
_SENTIMENT_WORDS = frozenset(w for w in _LEX if w not in _BOOSTER)
# Multi-word keys of SPECIAL_CASES and BOOSTER_DICT as tuples. Tokens never contain
# whitespace, so "a b" == key exactly when (a, b) == tuple(key.split(" ")).
_SPECIAL_T = {tuple(k.split(" ")): v for k, v in _SPECIAL.items() if " " in k}
_BOOSTER_T = {tuple(k.split(" ")): v for k, v in _BOOSTER.items() if " " in k}
# a token sequence can only match a multi-word key if it starts with one of these
_IDIOM_FIRST = frozenset(k[0] for k in (*_SPECIAL_T, *_BOOSTER_T))

# single characters the reference replaces (it tests one character at a time, so
# multi-character keys of the emoji file are never used)
_EMOJI1 = {k: v for k, v in _EMOJI.items() if len(k) == 1}
# Candidates: the BMP emoji characters (compiled to an O(1) bitmap) plus every
# character beyond the BMP (one range; listing the ~1000 non-BMP emoji would make
# the regex test each character against hundreds of ranges). Non-emoji candidates
# are left unchanged by _replace_emoji.
_EMOJI_RE = re.compile(
    "["
    + "".join(re.escape(c) for c in sorted(_EMOJI1) if ord(c) <= 0xFFFF)
    + "\U00010000-\U0010FFFF]"
)
_EMOJI_ASCII = any(c.isascii() for c in _EMOJI1)

_floor = math.floor

_ZERO = (0.0, 0.0, 0.0, 0.0)
_NEUTRAL = (0.0, 1.0, 0.0, 0.0)


# Lower-cased tokens that can change the valence of a sentiment word up to three
# tokens after them through a rule other than the idioms: boosters/dampeners,
# negations (a text containing "n't" takes the full rules everywhere), "no",
# "least", "so"/"this" ("never so", and the 3-back precedence quirk), "never",
# "without". A sentiment word whose three predecessors are all outside this set, and
# which is not itself in _SELF_TRIGGERS, gets its lexicon valence, the ALL-CAPS
# emphasis and the idiom check only: every other rule of the reference adds 0.0 or
# tests false for it.
_TRIGGERS = frozenset(
    {w for w in _BOOSTER if " " not in w}
    | set(_NEGATE)
    | {"no", "least", "so", "this", "never", "without"}
)
# words whose own value depends on the next token ("no" + lexicon word, "kind of")
_SELF_TRIGGERS = frozenset({"no", "kind"})
# first word of a multi-word key -> the second words it can be followed by
_IDIOM_NEXT: dict[str, frozenset[str]] = {
    a: frozenset(k[1] for k in (*_SPECIAL_T, *_BOOSTER_T) if k[0] == a)
    for a in _IDIOM_FIRST
}


def _replace_emoji(text: str) -> str:
    """The reference's emoji loop (polarity_scores), with a regex."""

    def repl(m: re.Match) -> str:
        c = m.group()
        desc = _EMOJI1.get(c)
        if desc is None:
            return c
        s = m.start()
        return desc if s == 0 or text[s - 1] == " " else " " + desc

    return _EMOJI_RE.sub(repl, text)


# --------------------------------------------------------------------------------------
# Core


def _cap_differential(toks: list[str]) -> bool:
    """allcap_differential: some, but not all, tokens are ALL CAPS."""
    n = len(toks)
    n_up = sum(map(str.isupper, toks))
    return 0 < n - n_up < n


def _scalar(word: str, tok: str, valence: float, toks: list[str]) -> float:
    """scalar_inc_dec for the lower-cased ``word`` (``tok`` as written)."""
    scalar = 0.0
    if word in _BOOSTER:
        scalar = _BOOSTER[word]
        if valence < 0:
            scalar *= -1
        if tok.isupper() and _cap_differential(toks):
            if valence > 0:
                scalar += _C_INCR
            else:
                scalar -= _C_INCR
    return scalar


def _valence(lw: tuple[str, ...], toks: list[str], i: int) -> float:
    """sentiment_valence (+ the "kind of" skip) of the sentiment word at ``i``.

    The reference's rules in its order of operations; ``lw`` are the lower-cased
    tokens, ``toks`` the tokens as written.
    """
    lex = _LEX
    last = len(lw) - 1
    w = lw[i]
    if w == "kind" and i < last and lw[i + 1] == "of":
        return 0
    valence = lex[w]
    if w == "no" and i != last and lw[i + 1] in lex:
        valence = 0.0
    if (
        (i > 0 and lw[i - 1] == "no")
        or (i > 1 and lw[i - 2] == "no")
        or (i > 2 and lw[i - 3] == "no" and lw[i - 1] in ("or", "nor"))
    ):
        valence = lex[w] * _N_SCALAR
    if toks[i].isupper() and _cap_differential(toks):
        if valence > 0:
            valence += _C_INCR
        else:
            valence -= _C_INCR
    if i > 0:
        p1 = lw[i - 1]
        if p1 not in lex:
            valence = valence + _scalar(p1, toks[i - 1], valence, toks)
            if p1 in _NEGATE or "n't" in p1:
                valence = valence * _N_SCALAR
        if i > 1:
            p2 = lw[i - 2]
            if p2 not in lex:
                s = _scalar(p2, toks[i - 2], valence, toks)
                if s != 0:
                    s = s * 0.95
                valence = valence + s
                if p2 == "never" and (p1 == "so" or p1 == "this"):
                    valence = valence * 1.25
                elif p2 == "without" and p1 == "doubt":
                    pass
                elif p2 in _NEGATE or "n't" in p2:
                    valence = valence * _N_SCALAR
            if i > 2:
                p3 = lw[i - 3]
                if p3 not in lex:
                    s = _scalar(p3, toks[i - 3], valence, toks)
                    if s != 0:
                        s = s * 0.9
                    valence = valence + s
                    # the reference's precedence: (never and so/this) or so/this
                    if (p3 == "never" and (p2 == "so" or p2 == "this")) or (
                        p1 == "so" or p1 == "this"
                    ):
                        valence = valence * 1.25
                    elif p3 == "without" and (p2 == "doubt" or p1 == "doubt"):
                        pass
                    elif p3 in _NEGATE or "n't" in p3:
                        valence = valence * _N_SCALAR
                    valence = _special_idioms(valence, lw, i, last)
    # _least_check
    if i > 1 and lw[i - 1] not in lex and lw[i - 1] == "least":
        if lw[i - 2] != "at" and lw[i - 2] != "very":
            valence = valence * _N_SCALAR
    elif i > 0 and lw[i - 1] not in lex and lw[i - 1] == "least":
        valence = valence * _N_SCALAR
    return valence


def _special_idioms(valence: float, lw: tuple[str, ...], i: int, last: int) -> float:
    """_special_idioms_check (the reference calls it for i > 2 only)."""
    w0, w1, w2, w3 = lw[i], lw[i - 1], lw[i - 2], lw[i - 3]
    # Every sequence tested below matches a key only if its first two tokens do:
    # (w3, w2), (w2, w1), (w1, w0) or (w0, lw[i + 1]). Skip the work otherwise.
    nxt = _IDIOM_NEXT
    if not (
        (w3 in nxt and w2 in nxt[w3])
        or (w2 in nxt and w1 in nxt[w2])
        or (w1 in nxt and w0 in nxt[w1])
        or (w0 in nxt and last > i and lw[i + 1] in nxt[w0])
    ):
        return valence
    special = _SPECIAL_T
    for seq in ((w1, w0), (w2, w1, w0), (w2, w1), (w3, w2, w1), (w3, w2)):
        if seq in special:
            valence = special[seq]
            break
    if last > i:
        seq = (w0, lw[i + 1])
        if seq in special:
            valence = special[seq]
    if last > i + 1:
        seq = (w0, lw[i + 1], lw[i + 2])
        if seq in special:
            valence = special[seq]
    for seq in ((w3, w2, w1), (w3, w2), (w2, w1)):
        if seq in _BOOSTER_T:
            valence = valence + _BOOSTER_T[seq]
    return valence


def _score(text: str) -> tuple[float, float, float, float]:
    """(neg, neu, pos, compound) of one string, as polarity_scores computes them."""
    if not isinstance(text, str):
        raise TypeError(
            f"vader: expected a str, got {type(text).__name__} ({text!r:.40})"
        )
    if _EMOJI_ASCII or not text.isascii():
        if _EMOJI_RE.search(text):
            text = _replace_emoji(text)
        if "\u0130" in text:
            return _score_slow(text)
    low = text.lower()
    # the tokens as the reference's rules see them: _strip_punc_if_word, lower-cased
    # (lower() and strip(punctuation) commute, and lower() keeps lengths except
    # for U+0130, handled above)
    lw = [
        t if (s := t.strip(_PUNCT)) is t else (s if len(s) > 2 else t)
        for t in low.split()
    ]
    if not lw:
        return _ZERO
    hits = _SENTIMENT_WORDS.intersection(lw)
    if not hits:
        return _NEUTRAL
    return _score_hits(text, lw, hits, "n't" in low)


def _score_slow(text: str) -> tuple[float, float, float, float]:
    """_score for texts where lower() changes a token's length (U+0130)."""
    toks = text.split()
    if not toks:
        return _ZERO
    lw = []
    for t in toks:
        s = t.strip(_PUNCT)
        lw.append((t if len(s) <= 2 else s).lower())
    hits = _SENTIMENT_WORDS.intersection(lw)
    if not hits:
        return _NEUTRAL
    return _score_hits(text, lw, hits, True)


def _score_hits(
    text: str, lw: list[str], hits: set[str], slow: bool
) -> tuple[float, float, float, float]:
    """Score a text whose lower-cased tokens ``lw`` contain the sentiment words
    ``hits``; ``slow`` sends every word through the full rules."""
    n = len(lw)
    toks = None  # the tokens as written, split when ALL-CAPS may matter
    ascii = text.isascii()
    # positions of the sentiment words, in order
    if len(hits) == 1:
        (w,) = hits
        j = lw.index(w)
        positions = [j]
        for _ in range(lw.count(w) - 1):
            j = lw.index(w, j + 1)
            positions.append(j)
    else:
        positions = []
        for w in hits:
            j = lw.index(w)
            positions.append(j)
            for _ in range(lw.count(w) - 1):
                j = lw.index(w, j + 1)
                positions.append(j)
        positions.sort()

    lex = _LEX
    trig = _TRIGGERS
    nxt = _IDIOM_NEXT
    vals: list[float] = []
    poss: list[int] = []
    cap_diff = None
    for i in positions:
        w = lw[i]
        if (
            slow
            or w in _SELF_TRIGGERS
            or (i > 0 and lw[i - 1] in trig)
            or (i > 1 and lw[i - 2] in trig)
            or (i > 2 and lw[i - 3] in trig)
        ):
            if toks is None:
                toks = text.split()
            valence = _valence(lw, toks, i)
        else:
            # only ALL-CAPS and the idioms can apply; the reference's "+ 0.0" steps
            # could only turn -0.0 into 0.0, and both count as zero below
            valence = lex[w]
            # ALL-CAPS: an ASCII token written in capitals contains w.upper(), so
            # most texts need not be split again to look at the token
            if not ascii or w.upper() in text:
                if toks is None:
                    toks = text.split()
                if toks[i].isupper():
                    if cap_diff is None:
                        cap_diff = _cap_differential(toks)
                    if cap_diff:
                        if valence > 0:
                            valence += _C_INCR
                        else:
                            valence -= _C_INCR
            if i > 2:
                w3 = lw[i - 3]
                if w3 not in lex:
                    w2 = lw[i - 2]
                    w1 = lw[i - 1]
                    # only when one of the pairs could start an idiom
                    if (
                        (w3 in nxt and w2 in nxt[w3])
                        or (w2 in nxt and w1 in nxt[w2])
                        or (w1 in nxt and w in nxt[w1])
                        or (w in nxt and i < n - 1 and lw[i + 1] in nxt[w])
                    ):
                        valence = _special_idioms(valence, lw, i, n - 1)
        if valence:
            vals.append(valence)
            poss.append(i)

    if not vals:
        return _NEUTRAL

    # _but_check on the non-zero values: zeros stay zero whatever it does to them,
    # and list.index of a non-zero value never lands on a zero
    if "but" in lw:
        bi = lw.index("but")
        for k in range(len(vals)):
            v = vals[k]
            j = vals.index(v)
            if poss[j] < bi:
                vals[j] = v * 0.5
            elif poss[j] > bi:
                vals[j] = v * 1.5

    ep = text.count("!")
    qm = text.count("?")
    return _score_valence(n, vals, ep, qm)


def _score_valence(
    n: int, vals: list[float], ep: int, qm: int
) -> tuple[float, float, float, float]:
    """score_valence from the token count, the non-zero valences and the counts of
    ``!`` and ``?``.

    ``sum()`` of the non-zero values is the reference's ``sum()`` of all of them:
    adding 0 to a float that is not -0.0 changes nothing, and partial sums that start
    from 0 are never -0.0.
    """
    sum_s = float(sum(vals))
    if ep > 4:
        ep = 4
    amp = ep * 0.292
    if qm > 1:
        amp = amp + (qm * 0.18 if qm <= 3 else 0.96)
    if sum_s > 0:
        sum_s += amp
    elif sum_s < 0:
        sum_s -= amp
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    pos_sum = 0.0
    neg_sum = 0.0
    for v in vals:
        if v > 0:
            pos_sum += v + 1
        else:
            neg_sum += v - 1
    neu_count = n - len(vals)
    fneg = math.fabs(neg_sum)
    if pos_sum > fneg:
        pos_sum += amp
    elif pos_sum < fneg:
        neg_sum -= amp
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (
        _round3(math.fabs(neg_sum / total)),
        _round3(math.fabs(neu_count / total)),
        _round3(math.fabs(pos_sum / total)),
        _round4(compound),
    )


def _round3(x: float) -> float:
    """round(x, 3) for 0 <= x <= 1, bit for bit, without the decimal conversion.

    k = floor(1000 x + 0.5) is the correctly rounded integer unless 1000 x lies
    within 1e-7 of a half (then the product's rounding error could matter: use
    round); k / 1000.0 is the double nearest to the decimal k/1000, which is what
    round() returns.
    """
    t = x * 1000.0
    k = _floor(t + 0.5)
    if t - k < -0.4999999:
        return round(x, 3)
    if not k:
        return x * 0.0  # 0.0 with the sign of x, as round() gives
    return k / 1000.0


def _round4(x: float) -> float:
    """round(x, 4) for -1 <= x <= 1, bit for bit (see _round3; keeps -0.0)."""
    t = x * 10000.0
    k = _floor(t + 0.5)
    if t - k < -0.4999999:
        return round(x, 4)
    if not k:
        return x * 0.0
    return k / 10000.0


# --------------------------------------------------------------------------------------
# Public API

_REFERENCES = """\
Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for
Sentiment Analysis of Social Media Text. Eighth International Conference on Weblogs
and Social Media (ICWSM-14), Ann Arbor, MI. Implementation: vaderSentiment 3.3.2,
``vaderSentiment/vaderSentiment.py`` (https://github.com/cjhutto/vaderSentiment)."""


def polarity_scores(text: str) -> dict[str, float]:
    """VADER scores of one string, as a dict (drop-in for the reference method).

    Parameters
    ----------
    text : str
        Any string (a sentence, ideally: VADER is a sentence-level model).

    Returns
    -------
    dict
        ``{"neg", "neu", "pos", "compound"}``, equal (bit for bit) to
        ``SentimentIntensityAnalyzer().polarity_scores(text)`` of vaderSentiment
        3.3.2. See :func:`vader_scores` for the formulas.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    See Also
    --------
    vader_scores : the same for many strings, as a DataFrame.

    Examples
    --------
    >>> polarity_scores("The harvest is very good!")
    {'neg': 0.0, 'neu': 0.534, 'pos': 0.466, 'compound': 0.54}
    """
    neg, neu, pos, compound = _score(text)
    return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}


def _as_texts(texts: str | Sequence[str] | pd.Series) -> Sequence[str]:
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, pd.DataFrame):
        raise TypeError(
            "vader: pass a column of strings (e.g. corpus['text']), not a DataFrame"
        )
    if isinstance(texts, pd.Series):
        return texts.tolist()
    if isinstance(texts, np.ndarray):
        return texts.tolist()
    if not hasattr(texts, "__len__"):
        return list(texts)
    return texts


def vader_array(texts: str | Sequence[str] | pd.Series) -> np.ndarray:
    """VADER scores of many strings as a float64 array of shape ``(n, 4)``.

    The fast path for pipelines: no dict and no DataFrame per string.

    Parameters
    ----------
    texts : str, sequence of str or pandas.Series
        The strings to score (a single str is one string).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 4)``, columns in :data:`VADER_COLUMNS` order
        (``neg, neu, pos, compound``), row ``k`` for ``texts[k]``.

    Raises
    ------
    TypeError
        If an element is not a str (the reference fails on those too).

    See Also
    --------
    vader_scores : the same numbers as a DataFrame with provenance.

    Examples
    --------
    >>> vader_array(["A great victory.", "The enemy attacked."]).tolist()
    [[0.0, 0.328, 0.672, 0.6249], [0.867, 0.133, 0.0, -0.7579]]
    """
    seq = _as_texts(texts)
    n = len(seq)
    flat = np.fromiter(chain.from_iterable(map(_score, seq)), np.float64, count=4 * n)
    return flat.reshape(n, 4)


def vader_scores(
    texts: str | Sequence[str] | pd.Series,
    *,
    index: Sequence[Any] | pd.Index | None = None,
) -> pd.DataFrame:
    """VADER sentiment of each string, identical to vaderSentiment 3.3.2.

    Every number equals (bit for bit) what
    ``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer().polarity_scores``
    returns for the same string, quirks included; only faster.

    For a string, VADER splits on whitespace, strips leading/trailing ASCII
    punctuation from each token (unless that leaves fewer than 3 characters), and
    gives each token a valence :math:`s_i`: 0 unless its lower-case form is in the
    VADER lexicon, else the lexicon value adjusted by the rules (ALL-CAPS
    :math:`\\pm 0.733` when some but not all tokens are capitals; boosters/dampeners
    up to three tokens back :math:`\\pm 0.293`, scaled by 1, 0.95, 0.9 with distance;
    negation :math:`\\times -0.74`; "never so/this" :math:`\\times 1.25`; special
    idioms; "least"; after the first "but" :math:`\\times 1.5`, before it
    :math:`\\times 0.5`). With :math:`a` the punctuation amplifier
    (:math:`0.292 \\min(\\#!, 4)`, plus :math:`0.18 \\#?` for 2-3 question marks or
    0.96 for more) and :math:`S = \\sum_i s_i \\pm a` (sign of the sum; 0 stays 0):

    .. math::

        \\mathrm{compound} = S / \\sqrt{S^2 + 15}, \\quad
        P = \\sum_{s_i > 0} (s_i + 1), \\quad N = \\sum_{s_i < 0} (s_i - 1),
        \\quad Z = \\#\\{i : s_i = 0\\}

    :math:`a` is added to the larger of :math:`P` and :math:`|N|`; with
    :math:`T = P + |N| + Z`: ``pos`` = :math:`P/T`, ``neg`` = :math:`|N|/T`,
    ``neu`` = :math:`Z/T`, rounded to 3 decimals (``compound`` to 4). A string
    without tokens scores 0 everywhere.

    Parameters
    ----------
    texts : str, sequence of str or pandas.Series
        The strings (VADER is designed for sentences: split documents with
        ``kcnalex.tokenize.split_sentences`` first).
    index : sequence or pandas.Index, optional
        Index of the result. Default: the Series' index when ``texts`` is a Series,
        else ``0..n-1``.

    Returns
    -------
    pandas.DataFrame
        One row per input string, in order, columns:

        ``neg``, ``neu``, ``pos`` : float
            Shares of negative, neutral and positive valence (3 decimals).
        ``compound`` : float
            Normalised sum of valences in [-1, 1] (4 decimals).

        ``df.attrs["kcnalex"]`` records the vaderSentiment version and the sha256 of
        its lexicon and emoji files.

    Raises
    ------
    TypeError
        If an element is not a str, or ``texts`` is a DataFrame.
    ValueError
        If ``index`` has a different length than ``texts``.

    See Also
    --------
    vader_array : the same numbers as a bare ``(n, 4)`` array.
    polarity_scores : one string, as a dict.

    References
    ----------
    .. [1] Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model
       for Sentiment Analysis of Social Media Text. Eighth International Conference on
       Weblogs and Social Media (ICWSM-14), Ann Arbor, MI.
    .. [2] vaderSentiment 3.3.2, ``vaderSentiment/vaderSentiment.py``,
       https://github.com/cjhutto/vaderSentiment

    Examples
    --------
    >>> df = vader_scores(["The harvest is very good!", "No progress was made."])
    >>> df
         neg    neu    pos  compound
    0  0.000  0.534  0.466    0.5400
    1  0.437  0.563  0.000   -0.3252
    >>> df.attrs["kcnalex"]["vaderSentiment"]
    '3.3.2'
    """
    if isinstance(texts, pd.Series) and index is None:
        index = texts.index
    arr = vader_array(texts)
    if index is not None and len(index) != len(arr):
        raise ValueError(
            f"vader_scores: index has {len(index)} entries for {len(arr)} texts"
        )
    df = pd.DataFrame(arr, columns=list(VADER_COLUMNS), index=index)
    record = provenance(
        "vader_scores",
        params={},
        lexicons=[
            {"name": "vader_lexicon", "version": f"vaderSentiment {_DATA['version']}",
             "sha256": _DATA["lexicon_sha256"]},
            {"name": "emoji_utf8_lexicon",
             "version": f"vaderSentiment {_DATA['version']}",
             "sha256": _DATA["emoji_sha256"]},
        ],
        tokenizer=False,
        vaderSentiment=_DATA["version"],
        method="VADER (Hutto & Gilbert 2014), exact replica of vaderSentiment "
        "polarity_scores",
    )
    return attach(df, record)
