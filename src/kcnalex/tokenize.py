"""Tokenize KCNA English: words, abbreviations, possessives, names, sentences.

The tokenizer is a character-class scanner written with numpy: the text is viewed as an
array of code points, each code point gets a class (space, letter, digit, punctuation,
hyphen, apostrophe, dot, comma), and tokens are the runs of the classes, with joining
rules for KCNA English. It builds no Python object per token: token boundaries come out
as two int64 arrays of character offsets (``start``, ``end``).

Why not NLTK's tokenizers: measured here, NLTK 3.10's regexp tokenizers run through a
regex-with-timeout wrapper (~7 MB/s) and TreebankWordTokenizer does ~3.4 MB/s, while a
compiled ``re`` with the same pattern does ~38 MB/s; the scanner below works on a whole
batch of documents in one pass of vectorised numpy.
NLTK is still used where it is the right tool: :func:`learn_abbreviations` trains NLTK's
``PunktTrainer`` (no downloaded data) to find abbreviations in a corpus, which
:func:`sentence_spans` then honours.

Rules (``TOKENIZER_VERSION`` changes whenever one of them does)
-----------------------------------------------------------------
* A word is a run of letters and digits; a hyphen between two word characters joins
  (``anti-imperialist``, ``Kimilsungism-Kimjongilism``, ``Hwasong-15``).
* A dot or comma between two digits joins (``1,000``, ``3.5``).
* Abbreviations keep their dots: letter-dot sequences (``U.S.``, ``D.P.R.K.``, ``C.C.``,
  ``A.D.``) and a list of known short forms (``Mt.``, ``No.``, ``Col.``, ``Gen.``, ...).
* A possessive ``'s`` (or ``’s``) after a word is its own token; a trailing apostrophe
  (``imperialists'``) is a punctuation token.
* Every other non-space character is a one-character punctuation token.
* ``names=True`` merges leaders' names (and ``names=[...]`` any configured multiword
  names) into single tokens: ``Kim Jong Un`` is one token, ``Kim Jong Il's`` is
  ``Kim Jong Il`` + ``'s``.
* Sentences end at ``.``, ``!``, ``?`` (with any closing quotes or brackets) followed by
  white space and an upper-case letter, digit or opening quote, and at line breaks; not
  after an abbreviation (``U.S.``, ``C.C.``, ``Mt.``, ``No.``, single initials), unless
  a multi-dot abbreviation is followed by a word that usually starts a sentence
  (``... the U.S. The ...``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ._columns import as_corpus
from ._provenance import attach, provenance

__all__ = [
    "TOKENIZER_VERSION",
    "DEFAULT_NAMES",
    "token_spans",
    "word_spans",
    "count_tokens",
    "count_tokens_batch",
    "word_spans_batch",
    "sentence_spans",
    "sentence_spans_batch",
    "split_sentences",
    "tokenize",
    "learn_abbreviations",
]

TOKENIZER_VERSION = "kcnalex-scan-1"

#: Multiword names merged into one token when ``names=True``.
DEFAULT_NAMES: tuple[str, ...] = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un",
                                  "Kim Jong Suk")

#: Short forms that keep their dot (case-sensitive, as written in KCNA copy).
ABBREVIATIONS: frozenset[str] = frozenset(
    """Mt No Nos Mr Mrs Ms Dr Prof Col Gen Lt Maj Capt Cpt Sgt Adm Cmdr Jr Sr St Rev
    Gov Sen Rep Amb Vol Art Fig Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Inc
    Corp Co Ltd Bros vs etc approx Dept Univ Assn Messrs pp""".split()
)

# Words that, capitalised after "U.S." and the like, usually open a new sentence.
_SENTENCE_STARTERS = frozenset(
    """The This That These Those It Its He She They We I In On At As But And Or If
    When While After Before Meanwhile However Such There Their His Her Our A An
    Noting Stressing Saying Recalling Referring Pointing Speakers Present""".split()
)

# character classes
_SPACE, _ALPHA, _DIGIT, _PUNCT, _HYPHEN, _APOS, _DOT, _COMMA = range(8)


def _build_class_table() -> np.ndarray:
    table = np.full(0x10000, _PUNCT, dtype=np.uint8)
    for cp in range(0x10000):
        ch = chr(cp)
        if ch.isspace():
            table[cp] = _SPACE
        elif ch.isdigit():
            table[cp] = _DIGIT
        elif ch.isalnum():
            table[cp] = _ALPHA
    # combining marks belong to the letter before them
    for cp in range(0x300, 0x370):
        table[cp] = _ALPHA
    table[ord("-")] = _HYPHEN
    table[0x2010] = _HYPHEN  # Unicode hyphen
    table[0x2011] = _HYPHEN  # non-breaking hyphen
    table[ord("'")] = _APOS
    table[0x2019] = _APOS  # right single quotation mark
    table[ord(".")] = _DOT
    table[ord(",")] = _COMMA
    table[0xFEFF] = _SPACE  # stray BOM
    table[0x200B] = _SPACE  # zero-width space
    return table


_CLASS = _build_class_table()

_SENT_CAND_RE = re.compile(
    r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n+|(?<=[^\s.])\s*-0-"
)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _classes(text: str, cp: np.ndarray | None = None) -> np.ndarray:
    cp = _codepoints(text) if cp is None else cp
    cls = _CLASS[np.minimum(cp, 0xFFFF)]
    if cp.size and cp.max() > 0xFFFF:
        # astral characters (emoji, rare CJK): letters stay letters, the rest punct
        for i in np.flatnonzero(cp > 0xFFFF):
            cls[i] = _ALPHA if chr(cp[i]).isalnum() else _PUNCT
    return cls


def _scan(text: str, cp: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(starts, ends, is_word)`` of every token of ``text`` (``cp``: its
    code points, if at hand)."""
    n = len(text)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    cp = _codepoints(text) if cp is None else cp
    cls = _CLASS[np.minimum(cp, 0xFFFF)]
    if cp.max() > 0xFFFF:
        # astral characters (emoji, rare CJK): letters stay letters, the rest punct
        for i in np.flatnonzero(cp > 0xFFFF):
            cls[i] = _ALPHA if chr(cp[i]).isalnum() else _PUNCT
    alnum = cls == _ALPHA
    digit = cls == _DIGIT
    alnum |= digit
    # joiners: a hyphen between two word characters; a dot or comma between digits
    word = alnum.copy()
    mid = slice(1, n - 1)
    word[mid] |= (cls[mid] == _HYPHEN) & alnum[:-2] & alnum[2:]
    word[mid] |= ((cls[mid] == _DOT) | (cls[mid] == _COMMA)) & digit[:-2] & digit[2:]
    dots = np.flatnonzero(cls == _DOT)
    if dots.size:
        _mark_abbreviations(text, cp, alnum, word, dots)
    # possessive 's after a word character, not followed by a word character
    poss = None
    if n > 2:
        apos = np.flatnonzero(cls[1:-1] == _APOS) + 1
        if apos.size:
            nxt = cp[apos + 1]
            after = apos + 2
            ok = alnum[apos - 1] & ((nxt == 115) | (nxt == 83))
            ok &= np.where(after < n, ~alnum[np.minimum(after, n - 1)], True)
            hit = apos[ok]
            if hit.size:
                poss = hit
    # token class per character: 0 space, 1 word, 2 punctuation, 3 possessive
    tc = np.where(word, np.int8(1), np.where(cls == _SPACE, np.int8(0), np.int8(2)))
    if poss is not None:
        tc[poss] = 3
        tc[poss + 1] = 3
    live = tc != 0
    boundary_l = np.empty(n, dtype=bool)
    boundary_l[0] = True
    boundary_l[1:] = tc[1:] != tc[:-1]
    boundary_r = np.empty(n, dtype=bool)
    boundary_r[-1] = True
    boundary_r[:-1] = boundary_l[1:]
    punct = tc == 2
    starts = np.flatnonzero(live & (boundary_l | punct))
    ends = np.flatnonzero(live & (boundary_r | punct)) + 1
    is_word = tc[starts] == 1
    return starts.astype(np.int64), ends.astype(np.int64), is_word


def _mark_abbreviations(text: str, cp: np.ndarray, alnum: np.ndarray,
                        word: np.ndarray, dots: np.ndarray) -> None:
    """Join the dots of abbreviations to their word (in place on ``word``)."""
    dots = dots[dots > 0]
    if not dots.size:
        return
    letter = dots - 1
    before = alnum[letter]
    dots, letter = dots[before], letter[before]
    if not dots.size:
        return
    # word start of the letters run ending just before each dot
    run_start = np.flatnonzero(alnum & ~np.concatenate(([False], alnum[:-1])))
    wstart = run_start[np.searchsorted(run_start, letter, side="right") - 1]
    single = (wstart == letter) & (cp[letter] < 128)
    # letter-dot chains: U.S., D.P.R.K., C.C.
    chain = single.copy()
    pos = letter[single]
    # a pair belongs to a chain when another pair starts right after its dot or
    # ends right before its letter
    if pos.size:
        is_pair = np.zeros(int(pos.max()) + 3, dtype=bool)
        is_pair[pos] = True
        prev = pos - 2
        chain[single] = is_pair[pos + 2] | ((prev >= 0) & is_pair[np.maximum(prev, 0)])
    for a in letter[chain].tolist():
        word[a:a + 2] = True
    # known short forms: Mt., No., Col., etc.
    short = ~chain & (letter - wstart < 7)
    for s, d in zip(wstart[short].tolist(), dots[short].tolist()):
        if s > 0 and text[s - 1] in "-'":
            continue
        if text[s:d] in ABBREVIATIONS:
            word[s:d + 1] = True


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    alts = sorted({" ".join(n.split()) for n in names if n.strip()}, key=len,
                  reverse=True)
    if not alts:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
    return re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])")


_DEFAULT_NAMES_RE = _names_pattern(DEFAULT_NAMES)


def _resolve_names(names: bool | Iterable[str]) -> re.Pattern[str] | None:
    if names is False or names is None:
        return None
    if names is True:
        return _DEFAULT_NAMES_RE
    if isinstance(names, str):
        names = [names]
    return _names_pattern(names)


def _merge_names(text: str, starts: np.ndarray, ends: np.ndarray, is_word: np.ndarray,
                 pattern: re.Pattern[str]):
    spans = [m.span() for m in pattern.finditer(text)]
    if not spans:
        return starts, ends, is_word
    ns = np.array([s for s, _ in spans], dtype=np.int64)
    ne = np.array([e for _, e in spans], dtype=np.int64)
    # tokens inside a name span are replaced by the span
    lo = np.searchsorted(starts, ns, side="left")
    hi = np.searchsorted(starts, ne, side="left")
    inside = np.zeros(starts.size, dtype=bool)
    for a, b in zip(lo, hi):
        inside[a:b] = True
    keep = ~inside
    starts = np.concatenate((starts[keep], ns))
    ends = np.concatenate((ends[keep], ne))
    is_word = np.concatenate((is_word[keep], np.ones(ns.size, dtype=bool)))
    order = np.argsort(starts, kind="stable")
    return starts[order], ends[order], is_word[order]


def _spans(text: str, names: bool | Iterable[str]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scan ``text`` and merge configured names: ``(starts, ends, is_word)``."""
    starts, ends, is_word = _scan(text)
    pattern = _resolve_names(names)
    if pattern is not None:
        starts, ends, is_word = _merge_names(text, starts, ends, is_word, pattern)
    return starts, ends, is_word


def token_spans(text: str, *, names: bool | Iterable[str] = False
                ) -> tuple[np.ndarray, np.ndarray]:
    """Character offsets of every token of ``text``.

    Parameters
    ----------
    text : str
        One document.
    names : bool or iterable of str
        ``True`` merges the leaders' names of :data:`DEFAULT_NAMES` into single tokens;
        an iterable gives the multiword names to merge.

    Returns
    -------
    starts, ends : numpy.ndarray of int64
        ``text[starts[i]:ends[i]]`` is token ``i``; words, numbers and punctuation.

    Examples
    --------
    >>> s, e = token_spans("the U.S. imperialists' anti-DPRK moves")
    >>> [("the U.S. imperialists' anti-DPRK moves")[a:b] for a, b in zip(s, e)]
    ['the', 'U.S.', 'imperialists', "'", 'anti-DPRK', 'moves']
    """
    starts, ends, _ = _spans(text, names)
    return starts, ends


def word_spans(text: str, *, names: bool | Iterable[str] = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`token_spans`, word tokens only (tokens with a letter or digit).

    Examples
    --------
    >>> s, e = word_spans("Kim Jong Il's works, Vol. 3.")
    >>> [("Kim Jong Il's works, Vol. 3.")[a:b] for a, b in zip(s, e)]
    ['Kim', 'Jong', 'Il', 'works', 'Vol.', '3']
    """
    starts, ends, is_word = _spans(text, names)
    return starts[is_word], ends[is_word]


def count_tokens(text: str) -> int:
    """Number of word tokens of ``text`` (the ``n_tokens`` of every kcnalex measure).

    Word tokens are tokens of :func:`token_spans` that contain a letter or digit;
    punctuation is not counted, and names count by their words (``names=False``).

    Examples
    --------
    >>> count_tokens("The U.S. imperialists' anti-DPRK moves, 1,000 times.")
    7
    """
    return int(_scan(text)[2].sum())


def count_tokens_batch(texts: Sequence[str]) -> np.ndarray:
    """Word-token counts of many texts in one vectorised pass.

    Equal to ``[count_tokens(t) for t in texts]`` (texts are joined with a blank line,
    which no token can cross), but one numpy pass for the whole batch.
    """
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    joined, offsets = _join(texts)
    starts, _, is_word = _scan(joined)
    doc = np.searchsorted(offsets, starts[is_word], side="right") - 1
    return np.bincount(doc, minlength=len(texts)).astype(np.int64)


def word_spans_batch(texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`word_spans` of many texts in one vectorised pass.

    Equal to ``[word_spans(t) for t in texts]``: the texts are scanned joined by a
    blank line, which no token or joining rule can cross, and the offsets are cut
    back per text. One numpy pass per batch instead of per text is about four times
    faster on KCNA articles.
    """
    if len(texts) == 0:
        return []
    joined, offsets = _join(texts)
    starts, ends, is_word = _scan(joined)
    return _cut(starts[is_word], ends[is_word], offsets)


def sentence_spans(text: str, *, abbreviations: Iterable[str] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Character offsets of the sentences of ``text``.

    Parameters
    ----------
    text : str
        One document.
    abbreviations : iterable of str, optional
        Extra abbreviations (without the final dot, case-insensitive) after which a
        sentence does not end, e.g. from :func:`learn_abbreviations`.

    Returns
    -------
    starts, ends : numpy.ndarray of int64
        Sentence ``i`` is ``text[starts[i]:ends[i]]``, stripped of surrounding space.
        Empty sentences are not returned.

    Examples
    --------
    >>> t = "The U.S. imperialists lied. Mt. Paektu stood. No. 3 works."
    >>> [t[a:b] for a, b in zip(*sentence_spans(t))]
    ['The U.S. imperialists lied.', 'Mt. Paektu stood.', 'No. 3 works.']
    """
    extra = {a.lower().rstrip(".") for a in abbreviations} if abbreviations else None
    # one text: the pattern and str.strip (cheaper than numpy's fixed costs);
    # batches: _sentence_bounds (numpy), equal by construction and by test
    cuts = [0]
    for m in _SENT_CAND_RE.finditer(text):
        end = m.end()
        chunk = m.group()
        # a dot inside closing quotes ends the sentence even after "No."
        if (chunk[0] == "." and chunk[-1] == "."
                and not _is_sentence_end(text, m.start(), end, extra)):
            continue
        cuts.append(end)
    cuts.append(len(text))
    starts, ends = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        seg = text[a:b]
        left = len(seg) - len(seg.lstrip())
        right = len(seg.rstrip())
        if right > left:
            starts.append(a + left)
            ends.append(a + right)
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def sentence_spans_batch(texts: Sequence[str], *,
                         abbreviations: Iterable[str] | None = None
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`sentence_spans` of many texts in one pass.

    Equal to ``[sentence_spans(t) for t in texts]``: the texts are split joined by a
    blank line (a line break always ends a sentence, and no rule looks across one),
    and the offsets are cut back per text.
    """
    if len(texts) == 0:
        return []
    joined, offsets = _join(texts)
    extra = {a.lower().rstrip(".") for a in abbreviations} if abbreviations else None
    starts, ends = _joined_sentence_bounds(texts, joined, _codepoints(joined), offsets,
                                           extra)
    return _cut(starts, ends, offsets)


def _joined_sentence_bounds(texts: Sequence[str], joined: str, cp: np.ndarray,
                            offsets: np.ndarray, extra: set[str] | None
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Sentence offsets of ``joined`` (``texts`` joined by :func:`_join`), equal to
    each text's own sentences shifted by its offset.

    The one rule that can reach across the blank line between two texts is the
    "-0-" separator after white space: a text that opens with (spaces and) "-0-"
    makes the batch be split text by text.
    """
    if any(t.lstrip().startswith("-0-") for t in texts[1:]):
        parts = [_sentence_bounds(t, _codepoints(t), extra) for t in texts]
        starts = np.concatenate([s + off for (s, _), off in zip(parts, offsets)])
        ends = np.concatenate([e + off for (_, e), off in zip(parts, offsets)])
        return starts.astype(np.int64), ends.astype(np.int64)
    return _sentence_bounds(joined, cp, extra)


_SEP = "\n\n"


def _join(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    """``texts`` joined by a blank line, and the offset of each text in the result."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + len(_SEP), out=offsets[1:])
    return _SEP.join(texts), offsets


def _cut(starts: np.ndarray, ends: np.ndarray, offsets: np.ndarray
         ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split sorted global spans back into per-text spans (text-relative offsets)."""
    cuts = np.searchsorted(starts, offsets).tolist() + [len(starts)]
    return [(starts[cuts[i]:cuts[i + 1]] - off, ends[cuts[i]:cuts[i + 1]] - off)
            for i, off in enumerate(offsets.tolist())]


# sentence-rule flags per BMP code point (one table lookup per text)
_F_TERM, _F_CLOSE, _F_OPEN, _F_CAP, _F_SPACE, _F_WORDISH, _F_NL, _F_DOT = (
    1 << k for k in range(8))


def _build_sentence_flags() -> np.ndarray:
    flags = np.zeros(0x10000, dtype=np.uint8)
    for chars, bit in ((".!?", _F_TERM), ("\"'\u201d\u2019)]", _F_CLOSE),
                       ("\"'\u201c\u2018([", _F_OPEN),
                       ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", _F_CAP),
                       ("\n", _F_NL), (".", _F_DOT)):
        for ch in chars:
            flags[ord(ch)] |= bit
    for cp in range(0x10000):
        ch = chr(cp)
        if ch.isspace():  # what str.strip() and re's \s remove
            flags[cp] |= _F_SPACE
        if ch.isalnum() or ch in ".'-":  # the word before a dot: [^\W_] or . ' -
            flags[cp] |= _F_WORDISH
    return flags


_SFLAGS = _build_sentence_flags()
_DASH_ZERO_RE = re.compile("(?=-0-)")  # every "-0-", overlapping ones too
# the short forms as little-endian packed ASCII (one byte per character)
_ABBREV_PACKED = np.array(sorted(
    sum(ord(ch) << (8 * k) for k, ch in enumerate(a)) for a in ABBREVIATIONS
    if a.isascii() and len(a) <= 6), dtype=np.int64)


def _run_ends(mask: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """End (exclusive) of the run of ``mask`` that covers each ``pos`` (``pos``
    itself where ``mask[pos]`` is false). Cheap for sparse masks."""
    n = len(mask)
    if not len(pos):
        return pos.copy()
    tail = np.flatnonzero(mask[:-1] & ~mask[1:]) + 1
    if mask[-1]:
        tail = np.append(tail, n)
    if not len(tail):
        return pos.copy()
    k = np.minimum(np.searchsorted(tail, pos, side="right"), len(tail) - 1)
    inside = np.zeros(len(pos), dtype=bool)
    valid = pos < n
    inside[valid] = mask[pos[valid]]
    return np.where(inside, tail[k], pos)


def _run_starts(mask: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Start of the run of ``mask`` that covers each ``pos`` (``pos + 1`` where
    ``mask[pos]`` is false), so that ``text[:result]`` ends before the run."""
    if not len(pos):
        return pos.copy()
    head = np.flatnonzero(mask[1:] & ~mask[:-1]) + 1
    if mask[0]:
        head = np.insert(head, 0, 0)
    inside = mask[pos]
    if not len(head):
        return pos + 1
    k = np.maximum(np.searchsorted(head, pos, side="right") - 1, 0)
    return np.where(inside, head[k], pos + 1)


def _sentence_matches(text: str, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` of the matches of ``_SENT_CAND_RE.finditer(text)``.

    ``flags``: :data:`_SFLAGS` of the text's code points. The pattern's three
    branches match disjoint characters: a run of ``.!?`` plus closing quotes when a
    space and a capital (or digit) follow; a run of line breaks; and (rare) spaces
    plus "-0-". Without "-0-" in the text the first two are found with numpy alone;
    with it, the pattern is tried only where a match can begin, so the result is
    always finditer's.
    """
    n = len(flags)
    empty = np.zeros(0, dtype=np.int64)
    if n == 0:
        return empty, empty
    term = (flags & _F_TERM) != 0
    first = term.copy()
    first[1:] &= ~term[:-1]
    nl = (flags & _F_NL) != 0
    nl_first = nl.copy()
    nl_first[1:] &= ~nl[:-1]
    if "-0-" in text:
        cands = np.flatnonzero(first | nl_first).tolist()
        extra = []
        for m in _DASH_ZERO_RE.finditer(text):
            q = r = m.start()
            while r > 0 and text[r - 1].isspace():
                r -= 1
            extra += [r, q]
        match = _SENT_CAND_RE.match
        out: list[tuple[int, int]] = []
        last = 0
        for p in sorted(set(cands).union(extra)):
            if p < last:
                continue
            m = match(text, p)
            if m is not None:
                last = m.end()
                out.append((p, last))
        if not out:
            return empty, empty
        arr = np.asarray(out, dtype=np.int64)
        return arr[:, 0], arr[:, 1]
    # branch 1: [.!?]+ then closers*, looking at \s+ [opener]? [A-Z0-9]
    p = np.flatnonzero(first)
    c = _run_ends((flags & _F_CLOSE) != 0, _run_ends(term, p))
    space = (flags & _F_SPACE) != 0
    ok = c < n
    ok[ok] = space[c[ok]]
    q = _run_ends(space, c[ok])  # first non-space after the spaces
    has_q = q < n
    fq = flags[np.minimum(q, n - 1)]
    fq1 = flags[np.minimum(q + 1, n - 1)]
    look = has_q & (((fq & _F_CAP) != 0)
                    | (((fq & _F_OPEN) != 0) & (q + 1 < n) & ((fq1 & _F_CAP) != 0)))
    ok[ok] = look
    nls = np.flatnonzero(nl_first)
    starts = np.concatenate((p[ok], nls))
    ends = np.concatenate((c[ok], _run_ends(nl, nls)))
    order = np.argsort(starts, kind="stable")
    return starts[order].astype(np.int64), ends[order].astype(np.int64)


def _sentence_bounds(text: str, cp: np.ndarray, extra: set[str] | None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Sentence offsets of ``text`` (``cp``: its code points)."""
    if not len(cp):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    flags = _SFLAGS[np.minimum(cp, 0xFFFF)]
    ms, me = _sentence_matches(text, flags)
    keep = np.ones(len(ms), dtype=bool)
    # a match that starts and ends with a dot may be an abbreviation's dot
    dot = ((flags[ms] & _F_DOT) != 0) & ((flags[me - 1] & _F_DOT) != 0)
    if dot.any():
        ds, de = ms[dot], me[dot]
        ellipsis = (ds + 1 < de) & ((flags[np.minimum(ds + 1, len(cp) - 1)]
                                     & _F_DOT) != 0)
        # start of the word before the dot (at most 40 characters back)
        ws = np.maximum(_run_starts((flags & _F_WORDISH) != 0,
                                    np.maximum(ds - 1, 0)), ds - 40)
        ws = np.where(ds > 0, ws, 0)
        # no dot inside a word of 7+ characters: not an abbreviation (the known
        # short forms have at most 6 letters) unless the caller gave extra ones
        dots = np.flatnonzero(flags & _F_DOT)
        inner = np.searchsorted(dots, ds) - np.searchsorted(dots, ws)
        sure = ellipsis | (ws >= ds)
        res = np.ones(len(ds), dtype=bool)
        if extra is None:
            sure |= (ds - ws >= 7) & (inner == 0)
            # ASCII words of 1-6 characters without a dot: an initial (one capital)
            # or a known short form does not end the sentence, any other word does
            short = np.flatnonzero(~sure & (inner == 0))
            if len(short):
                a, b = ws[short], ds[short]
                packed = np.zeros(len(short), dtype=np.int64)
                ascii_ = np.ones(len(short), dtype=bool)
                for k in range(6):
                    inside = a + k < b
                    c = cp[np.minimum(a + k, len(cp) - 1)].astype(np.int64)
                    ascii_ &= ~inside | (c < 128)
                    packed |= np.where(inside, c, 0) << (8 * k)
                one_cap = (b - a == 1) & (packed >= 65) & (packed <= 90)
                res[short[ascii_]] = ~(one_cap | np.isin(packed, _ABBREV_PACKED))[
                    ascii_]
                sure[short[ascii_]] = True
        todo = np.flatnonzero(~sure)
        res[todo] = [_dot_ends_sentence(text, text[a:b], e, extra) for a, b, e in
                     zip(ws[todo].tolist(), ds[todo].tolist(), de[todo].tolist())]
        keep[dot] = res
    c = np.concatenate(([0], me[keep], [len(text)])).astype(np.int64)
    # strip each segment: first non-space at or after its start, last before its end
    space = (flags & _F_SPACE) != 0
    a = _run_ends(space, c[:-1])
    b = _run_starts(space, np.maximum(c[1:] - 1, 0))
    ok = a < b
    return a[ok], b[ok]


# the word before a dot, matched on the reversed 40 characters before it (a forward
# search with "$" would retry from every position of the window)
_WORD_BEFORE_DOT_REV = re.compile(r"(?:[^\W_]|[.'-])*")
_NEXT_WORD = re.compile(r"\s+[\"'“‘(\[]?([^\W_]+)")


def _is_sentence_end(text: str, dot: int, end: int, extra: set[str] | None) -> bool:
    """Decide whether the dot at ``dot`` closes a sentence."""
    if text[dot:end].startswith(".."):
        return True  # ellipsis followed by a capital
    word = _WORD_BEFORE_DOT_REV.match(text[max(0, dot - 40):dot][::-1]).group()[::-1]
    return _dot_ends_sentence(text, word, end, extra)


def _dot_ends_sentence(text: str, word: str, end: int, extra: set[str] | None) -> bool:
    """Does a dot after ``word`` (the letters, digits and ``.'-`` before it, at most
    40) end a sentence? ``end``: the end of the dot's match."""
    if not word:
        return True
    bare = word.rstrip(".")
    if "." in bare and re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", bare):
        # multi-dot abbreviation (U.S., D.P.R.K.): ends a sentence only before a
        # typical sentence opener
        nxt = _NEXT_WORD.match(text, end)
        return (nxt.group(1) if nxt else "") in _SENTENCE_STARTERS
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return False  # an initial: "J. Smith"
    if bare in ABBREVIATIONS:
        return False
    if extra and bare.lower() in extra:
        return False
    return True


def split_sentences(text: str, *, abbreviations: Iterable[str] | None = None
                    ) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    starts, ends = sentence_spans(text, abbreviations=abbreviations)
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def learn_abbreviations(texts: Iterable[str], *, min_count: int = 3) -> set[str]:
    """Learn the corpus's abbreviations with NLTK's unsupervised Punkt trainer.

    ``nltk.tokenize.punkt.PunktTrainer`` needs no downloaded model: it learns
    abbreviation types (words usually followed by a period that does not end the
    sentence) from the texts themselves (Kiss & Strunk 2006). Pass the result to
    :func:`sentence_spans` / :func:`tokenize` as ``abbreviations=``.

    Parameters
    ----------
    texts : iterable of str
        Training texts (a few thousand articles are plenty).
    min_count : int
        Keep abbreviations seen at least this many times followed by a period.

    Returns
    -------
    set of str
        Lower-cased abbreviation types without the final period (``"mt"``, ``"u.s"``).

    References
    ----------
    Kiss, T. & Strunk, J. (2006). Unsupervised multilingual sentence boundary
    detection. *Computational Linguistics* 32(4), 485-525.
    """
    from nltk.tokenize.punkt import PunktTrainer

    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    for t in texts:
        trainer.train(t, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    counts = trainer._type_fdist  # noqa: SLF001 - the trainer keeps counts here
    return {a for a in params.abbrev_types if counts.get(a + ".", 0) >= min_count}


def tokenize(corpus: pd.DataFrame | str | Sequence[str], *,
             names: bool | Iterable[str] = False, words_only: bool = False,
             lowercase: bool = False,
             abbreviations: Iterable[str] | None = None) -> pd.DataFrame:
    """Tokenize a corpus into a tidy tokens frame (one row per token).

    This frame is for looking at small corpora (KWIC, audits, teaching); the measures
    work on compact offset arrays (:func:`token_spans`) and never build it.

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``) from :func:`kcnalex.read_corpus`, one
        text, or a list of texts (documents ``text-0``, ``text-1``, ...).
    names : bool or iterable of str
        Merge leaders' names (``True``) or the given multiword names into single tokens.
    words_only : bool
        Drop punctuation tokens.
    lowercase : bool
        Lower-case the ``token`` column (offsets still point into the original text).
    abbreviations : iterable of str, optional
        Extra abbreviations for sentence splitting (see :func:`learn_abbreviations`).

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``sent_id`` (0-based sentence number in the document),
        ``token_id`` (0-based token number in the document), ``token``, ``start``,
        ``end`` (character offsets into the document's ``text``). Provenance (library
        and tokenizer versions, parameters) in ``attrs["kcnalex"]``.

    Examples
    --------
    >>> tokenize("The respected Comrade Kim Jong Un visited Mt. Paektu.",
    ...          names=True)["token"].tolist()
    ['The', 'respected', 'Comrade', 'Kim Jong Un', 'visited', 'Mt.', 'Paektu', '.']
    """
    docs = as_corpus(corpus)
    frames: dict[str, list] = {k: [] for k in
                               ("doc_id", "sent_id", "token_id", "token", "start",
                                "end")}
    for doc_id, text in zip(docs["doc_id"].tolist(), docs["text"].tolist()):
        text = text if isinstance(text, str) else ""
        starts, ends, is_word = _spans(text, names)
        if words_only:
            starts, ends = starts[is_word], ends[is_word]
        s_starts, _ = sentence_spans(text, abbreviations=abbreviations)
        sent = np.searchsorted(s_starts, starts, side="right") - 1
        sent = np.maximum(sent, 0)
        toks = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
        if lowercase:
            toks = [t.lower() for t in toks]
        k = len(toks)
        frames["doc_id"].extend([doc_id] * k)
        frames["sent_id"].append(sent)
        frames["token_id"].append(np.arange(k, dtype=np.int64))
        frames["token"].extend(toks)
        frames["start"].append(starts)
        frames["end"].append(ends)
    out = pd.DataFrame({
        "doc_id": pd.Series(frames["doc_id"], dtype=object),
        "sent_id": _cat(frames["sent_id"]),
        "token_id": _cat(frames["token_id"]),
        "token": pd.Series(frames["token"], dtype=object),
        "start": _cat(frames["start"]),
        "end": _cat(frames["end"]),
    })
    params = {"names": names if isinstance(names, bool) else sorted(names),
              "words_only": words_only, "lowercase": lowercase}
    return attach(out, provenance("tokenize", params=params))


def _cat(arrays: list[np.ndarray]) -> np.ndarray:
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(arrays).astype(np.int64)


if __name__ == "__main__":  # pragma: no cover - tiny manual check
    for line in sys.stdin:
        s, e = token_spans(line, names=True)
        print([line[a:b] for a, b in zip(s, e)])
