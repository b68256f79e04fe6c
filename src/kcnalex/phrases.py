"""Match lexicon formulae in a corpus: audit frame, per-document counts, KWIC.

The matcher is one Aho–Corasick automaton (pyahocorasick, in C) over the lower-cased,
normalised copy of each text (white-space runs collapsed to one space, offsets mapped
back); the case rules of ``title`` and ``sensitive`` entries are checked on the hits.
Every hit is then checked against the token boundaries of
:func:`kcnalex.tokenize.token_spans`: a match must start where a token starts and end
where a token ends. Boundaries are decided from the tokenizer's character classes next
to the hit (white space, punctuation, letters); only hits next to a dot, an apostrophe
before ``s`` or similar joiners ask the tokenizer itself, on the white-space-delimited
chunk around the hit (the tokenizer's rules never look past white space, so this is
exact; a property test checks it). No regular expression alternation and no Python
object per token are involved.

Overlaps
--------
``overlaps="longest"`` (default) keeps non-overlapping matches chosen leftmost-longest:
scanning from the left, at each position the longest match wins (ties: a literal term
before a glob term, then the earlier row of the lexicon), and matches that overlap an
already chosen one are dropped — the same result as a regular expression alternation
sorted longest-first. ``overlaps="all"`` keeps every match (``the U.S. imperialists``
and ``U.S. imperialists`` both count).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._acdfa import KeyScanner, jit_enabled
from ._columns import as_corpus
from ._provenance import attach, provenance
from .lexicons import LexiconError, lexicon_info, load_lexicon
from .tokenize import (
    _ALPHA,
    _APOS,
    _CLASS,
    _COMMA,
    _DIGIT,
    _DOT,
    _HYPHEN,
    _PUNCT,
    _SPACE,
    _classes,
    _codepoints,
    _run_starts,
    count_tokens_batch,
    token_spans,
    word_spans,
)

__all__ = ["FormulaMatcher", "match_formulae", "count_formulae", "kwic"]

# --- character classes of the tokenizer (kcnalex.tokenize) -------------------------
_TABLE = bytes(_CLASS)  # class of every BMP code point, as the tokenizer sees it

# every character the tokenizer treats as white space, in runs
_WS_RUN = re.compile(r"[\s\ufeff\u200b]+")
# white space other than " " and "\n" (a one-character class: a fast C scan)
_ODD_WS = re.compile("[" + re.escape("".join(
    ch for ch in map(chr, range(0x3001)) if ch.isspace() and ch not in " \n"
)) + "\ufeff\u200b\u3000]")
# characters that are always one-character punctuation tokens (checked at import)
_PUNCT_FAST = frozenset(' ;:!?"()[]{}<>/\u201c\u201d')


assert all(_TABLE[ord(c)] in (_SPACE, _PUNCT) for c in _PUNCT_FAST)


def _cls(ch: str) -> int:
    o = ord(ch)
    if o < 0x10000:
        return _TABLE[o]
    return _ALPHA if ch.isalnum() else _PUNCT


def _alnum(ch: str) -> bool:
    c = _cls(ch)
    return c == _ALPHA or c == _DIGIT


# lower case of each BMP code point where it is one character (else the point
# itself): _lower(text) code by code, but for the final-sigma rule of str.lower,
# whose two forms are no key's characters (beyond the BMP: no key's either)
_LOWER_CP = np.array([ord(chr(c).lower()) if len(chr(c).lower()) == 1 else c
                      for c in range(0x10000)], dtype=np.uint32)


def _lower(text: str) -> str:
    """Lower-case without changing the length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _normalise(text: str) -> tuple[str, np.ndarray | None]:
    """Collapse white-space runs to one space; map back to original offsets.

    Returns the normalised text and ``None`` when offsets are unchanged (every run
    was one character), else an int64 array ``orig[i]`` for each normalised index.
    """
    norm = text.replace("\n", " ") if "\n" in text else text
    if "  " not in norm and _ODD_WS.search(norm) is None:
        return norm, None  # the common case: no run longer than one character
    norm = _WS_RUN.sub(" ", text)
    if len(norm) == len(text):
        return norm, None
    keep = np.ones(len(text), dtype=bool)
    for m in _WS_RUN.finditer(text):
        a, b = m.span()
        if b - a > 1:
            keep[a + 1:b] = False
    return norm, np.flatnonzero(keep).astype(np.int64)


@lru_cache(maxsize=1 << 16)
def _chunk_tokens(chunk: str) -> tuple[frozenset, frozenset, tuple, tuple]:
    starts, ends = token_spans(chunk)
    s, e = starts.tolist(), ends.tolist()
    return frozenset(s), frozenset(e), tuple(s), tuple(e)


def _chunk(norm: str, pos: int) -> tuple[int, str]:
    a = norm.rfind(" ", 0, pos) + 1
    b = norm.find(" ", pos)
    if b < 0:
        b = len(norm)
    return a, norm[a:b]


def _is_start(norm: str, s: int) -> bool:
    """Is ``s`` the start of a token of ``norm`` (``norm[s]`` is not a space)?"""
    if s == 0:
        return True
    p = _cls(norm[s - 1])
    if p == _SPACE or p == _PUNCT:
        return True
    c = _cls(norm[s])
    p_al = p == _ALPHA or p == _DIGIT
    c_al = c == _ALPHA or c == _DIGIT
    if p_al and c_al:
        return False
    if p == _HYPHEN and c_al and (s < 2 or norm[s - 2] not in "sS"):
        # a hyphen joins only between two word characters (an "s" before it may be
        # the end of a possessive "'s", which the chunk check below decides)
        return not (s >= 2 and _alnum(norm[s - 2]))
    if p == _COMMA and c != _DIGIT:
        return True
    if p == _APOS and norm[s] not in "sS":
        return True
    a, chunk = _chunk(norm, s)
    return (s - a) in _chunk_tokens(chunk)[0]


def _is_end(norm: str, e: int) -> bool:
    """Is ``e`` the end of a token of ``norm`` (``norm[e - 1]`` is not a space)?"""
    if e == len(norm):
        return True
    n = _cls(norm[e])
    if n == _SPACE or n == _PUNCT or (n == _APOS and norm[e - 1] not in "sS"):
        # (two possessives in a row, "'s's", are one token: the chunk check decides)
        return True
    p = _cls(norm[e - 1])
    p_al = p == _ALPHA or p == _DIGIT
    n_al = n == _ALPHA or n == _DIGIT
    if p_al and n_al:
        return False
    if n == _HYPHEN and p_al and norm[e - 1] not in "sS":
        return not (e + 1 < len(norm) and _alnum(norm[e + 1]))
    if n == _COMMA and p != _DIGIT:
        return True
    a, chunk = _chunk(norm, e)
    return (e - a) in _chunk_tokens(chunk)[1]


def _token_end_at(norm: str, q: int, word_start: int) -> int:
    """End of the token holding ``norm[q]`` if it starts at ``word_start``, else -1."""
    a, chunk = _chunk(norm, q)
    _, _, starts, ends = _chunk_tokens(chunk)
    rel = q - a
    for s, e in zip(starts, ends):
        if s <= rel < e:
            return a + e if a + s == word_start else -1
    return -1


class _Term:
    __slots__ = ("idx", "entry", "case", "segs", "cmp", "globs", "caps", "exact",
                 "simple", "words0")

    def __init__(self, idx: int, entry: int, term: str, case: str):
        self.idx = idx
        self.entry = entry
        self.case = case
        words = term.split(" ")
        segs: list[str] = []
        globs: list[bool] = []
        cur: list[str] = []
        for w in words:
            if w.endswith("*"):
                cur.append(w[:-1])
                segs.append(" ".join(cur))
                globs.append(True)
                cur = []
            else:
                cur.append(w)
        if cur:
            segs.append(" ".join(cur))
            globs.append(False)
        # segments after the first start with the space that separates them
        self.segs = [seg if k == 0 else " " + seg for k, seg in enumerate(segs)]
        self.globs = globs
        self.cmp = [_lower(s) for s in self.segs]
        self.caps = ([[i for i, ch in enumerate(s) if ch.isupper()] for s in self.segs]
                     if case == "title" else None)
        self.exact = self.segs if case == "sensitive" else None
        self.simple = len(segs) == 1 and not globs[0]
        # length of the glob word's prefix within each glob segment
        self.words0 = [len(s.split(" ")[-1]) for s in self.segs]


class FormulaMatcher:
    """A compiled matcher for the terms of a lexicon (build once, reuse per text).

    Parameters
    ----------
    lexicon : str, path, DataFrame or list
        Anything :func:`kcnalex.load_lexicon` accepts (default ``"kcna-formulae"``).
    overlaps : {"longest", "all"}
        Leftmost-longest non-overlapping matches, or every match.

    Attributes
    ----------
    lexicon : pandas.DataFrame
        The lexicon frame (one row per term).
    entries : numpy.ndarray of str
        Entry ids in lexicon order; ``count`` and ``find`` index into it.
    categories : numpy.ndarray of str
        The category of each entry.

    Notes
    -----
    Instances pickle by their lexicon frame and are rebuilt on unpickling (the
    automaton takes a few milliseconds to build), so they can be sent to worker
    processes.

    Examples
    --------
    >>> m = FormulaMatcher("kcna-formulae")
    >>> idx, start, end = m.find("Down with U.S. imperialists' moves!")
    >>> m.entries[idx].tolist(), start.tolist(), end.tolist()
    (['us-imperialists'], [10], [27])
    >>> m.count("The Juche idea, the Juche idea.")[m.entries == "juche-idea"]
    array([2])
    """

    def __init__(self, lexicon: Any = "kcna-formulae", *,
                 overlaps: Literal["longest", "all"] = "longest"):
        if overlaps not in ("longest", "all"):
            raise ValueError(f"overlaps must be 'longest' or 'all', got {overlaps!r}")
        lex = load_lexicon(lexicon)
        self.lexicon = lex
        self.overlaps = overlaps
        # entries in lexicon order
        first = pd.Index(lex["entry"]).drop_duplicates()
        order = {e: i for i, e in enumerate(first)}
        self.entries = np.array(list(first), dtype=object)
        cat = lex.drop_duplicates("entry").set_index("entry")["category"]
        self.categories = cat.reindex(first).to_numpy(dtype=object)
        self.terms_text = lex["term"].to_numpy(dtype=object)
        self.term_entry = np.array([order[e] for e in lex["entry"]], dtype=np.int64)
        terms = [_Term(i, int(self.term_entry[i]), t, c)
                 for i, (t, c) in enumerate(zip(lex["term"], lex["case"]))]
        self._terms = terms
        # tie-break at equal spans: a literal term before a glob term
        self._rank_list = [0 if not any(t.globs) else 1 for t in terms]
        self._entry_list = self.term_entry.tolist()
        # one automaton over the lower-cased text for every term; the case rules of
        # title and sensitive terms are checked on the hits (a few per document)
        groups: dict[str, list[_Term]] = {}
        for t in terms:
            groups.setdefault(t.cmp[0], []).append(t)
        keys = list(groups)
        self._payload = []
        plain = np.full(len(keys), -1, dtype=np.int64)  # the key's one plain term
        for k, key in enumerate(keys):
            ts = groups[key]
            simple = tuple((t.idx, t.caps[0] if t.caps else None,
                            t.exact[0] if t.exact else None) for t in ts if t.simple)
            complex_ = tuple(t for t in ts if not t.simple)
            self._payload.append((len(key), simple, complex_))
            if (len(simple) == 1 and not complex_ and simple[0][1] is None
                    and simple[0][2] is None):
                plain[k] = simple[0][0]
        self._plain = plain
        self._klen = np.array([len(k) for k in keys], dtype=np.int64)
        self._has_simple = np.array([bool(p[1]) for p in self._payload], dtype=bool)
        self._has_complex = np.array([bool(p[2]) for p in self._payload], dtype=bool)
        self._rank = np.asarray(self._rank_list, dtype=np.int64)
        self._scanner = KeyScanner(keys, fold=_LOWER_CP)

    # pickling: rebuild from the lexicon frame
    def __reduce__(self):
        return (_rebuild, (self.lexicon, self.overlaps))

    def __repr__(self) -> str:
        info = self.lexicon.attrs.get("kcnalex", {})
        return (f"FormulaMatcher({info.get('name')!r} {info.get('version')!r}, "
                f"{len(self.entries)} entries, {len(self._terms)} terms, "
                f"overlaps={self.overlaps!r})")

    @property
    def n_entries(self) -> int:
        return len(self.entries)

    def _complex(self, t: _Term, s: int, norm: str, low: str) -> int:
        """End of a glob / multi-segment term matched at ``s``, or -1."""
        pos = s
        for k, seg in enumerate(t.cmp):
            if k and not low.startswith(seg, pos):
                return -1
            if t.exact is not None and not norm.startswith(t.exact[k], pos):
                return -1
            if t.caps is not None:
                for i in t.caps[k]:
                    if not norm[pos + i].isupper():
                        return -1
            pos += len(seg)
            if t.globs[k]:
                pos = _token_end_at(norm, pos - 1, pos - t.words0[k])
                if pos < 0:
                    return -1
        if not t.globs[-1] and not _is_end(norm, pos):
            return -1
        return pos

    def _candidates(self, norm: str
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Term matches ``(starts, ends, term_idx)`` before overlaps are resolved.

        Every key occurrence in the lower-cased text is a hit. Token boundaries are
        decided in numpy from the tokenizer's character classes where the
        neighbouring characters settle them (space or punctuation: a boundary; a
        letter or digit on both sides: none), by :func:`_is_start` /
        :func:`_is_end` otherwise; case rules, globs and multi-segment terms are
        checked hit by hit.
        """
        cp = _codepoints(norm)
        low = None
        if jit_enabled():  # lower case (as _lower does) is in the symbol table
            ends, keys = self._scanner.scan_codes(cp)
        else:
            low = _lower(norm)
            ends, keys = self._scanner.scan(low)
        z = np.zeros(0, dtype=np.int64)
        if not len(ends):
            return z, z, z
        n = len(norm)
        cls = _classes(norm, cp)
        alnum = (cls == _ALPHA) | (cls == _DIGIT)
        s = ends - self._klen[keys] + 1
        e = ends + 1
        # a token starts at s
        sp = np.maximum(s - 1, 0)
        prev = cls[sp]
        start = (s == 0) | (prev == _SPACE) | (prev == _PUNCT)
        todo = ~start & ~(alnum[sp] & alnum[s])
        for j in np.flatnonzero(todo).tolist():
            start[j] = _is_start(norm, int(s[j]))
        # a token ends at e (hits of keys with a simple term)
        simple = start & self._has_simple[keys]
        at_end = e >= n
        ee = np.minimum(e, n - 1)
        nxt = cls[ee]
        end = at_end | (nxt == _SPACE) | (nxt == _PUNCT)
        before = cp[e - 1]
        not_s = (before != 115) & (before != 83)  # neither "s" nor "S"
        end |= ~at_end & (nxt == _APOS) & not_s
        p_al = alnum[e - 1]
        end |= ~at_end & (nxt == _COMMA) & (cls[e - 1] != _DIGIT)
        # "x-y": a hyphen after a word character joins when a word character follows
        hy = ~at_end & (nxt == _HYPHEN) & p_al & not_s
        after = alnum[np.minimum(e + 1, n - 1)] & (e + 1 < n)
        end |= hy & ~after
        # a dot after a letter run of 7+ characters is its own token (the known
        # short forms have at most 6 letters, chains like U.S. 1)
        dot = ~at_end & (nxt == _DOT) & (cls[e - 1] == _ALPHA) & ~end
        if dot.any():
            run = _run_starts(alnum, e[dot] - 1)
            long_word = np.zeros(len(e), dtype=bool)
            long_word[dot] = (e[dot] - run) >= 7
            end |= long_word
        decided = end | (p_al & alnum[ee] & ~at_end) | (hy & after)
        todo = simple & ~decided
        for j in np.flatnonzero(todo).tolist():
            end[j] = _is_end(norm, int(e[j]))
        hit = simple & end
        plain = self._plain[keys]
        fast = hit & (plain >= 0)
        out = [(s[fast], e[fast], plain[fast])]
        # case rules, and glob or multi-segment terms, hit by hit
        extra: list[tuple[int, int, int]] = []
        slow = (hit & (plain < 0)) | (start & self._has_complex[keys])
        for j in np.flatnonzero(slow).tolist():
            sj, ej = int(s[j]), int(e[j])
            _, simple_terms, complex_ = self._payload[int(keys[j])]
            if hit[j]:
                for idx, caps, exact in simple_terms:
                    if caps is not None:
                        if not all(norm[sj + i].isupper() for i in caps):
                            continue
                    elif exact is not None and norm[sj:ej] != exact:
                        continue
                    extra.append((sj, ej, idx))
            if complex_ and low is None:
                low = _lower(norm)
            for t in complex_:
                ec = self._complex(t, sj, norm, low)
                if ec > 0:
                    extra.append((sj, ec, t.idx))
        if extra:
            arr = np.array(extra, dtype=np.int64)
            out.append((arr[:, 0], arr[:, 1], arr[:, 2]))
        return tuple(np.concatenate(col) for col in zip(*out))

    def _resolve(self, starts: np.ndarray, ends: np.ndarray, idx: np.ndarray
                 ) -> list[tuple[int, int, int]]:
        """Apply the overlap policy to candidate matches: ``(start, end, term_idx)``
        in text order."""
        if not len(starts):
            return []
        if self.overlaps == "longest":
            # leftmost, then longest, then a literal before a glob term, then order
            order = np.lexsort((idx, self._rank[idx], starts - ends, starts))
            keep = []
            last = -1
            for c in zip(starts[order].tolist(), ends[order].tolist(),
                         idx[order].tolist()):
                if c[0] >= last:
                    keep.append(c)
                    last = c[1]
            return keep
        entry = self._entry_list
        cands = zip(starts.tolist(), ends.tolist(), idx.tolist())
        keyed = sorted({(c[0], c[1], entry[c[2]]): c for c in
                        sorted(cands, reverse=True)}.items())
        return [c for _, c in keyed]

    def _matches(self, text: Any) -> tuple[list[tuple[int, int, int]],
                                            np.ndarray | None]:
        """Resolved matches ``(start, end, term_idx)`` in normalised offsets."""
        if not isinstance(text, str) or not text:
            return [], None
        norm, omap = _normalise(text)
        return self._resolve(*self._candidates(norm)), omap

    def find_terms(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches of ``text`` as ``(term_idx, start, end)`` int64 arrays.

        ``term_idx`` indexes the rows of :attr:`lexicon`; ``start``/``end`` are
        character offsets into ``text``; sorted by ``start``, then ``end``.
        """
        found, omap = self._matches(text)
        if not found:
            z = np.zeros(0, dtype=np.int64)
            return z, z.copy(), z.copy()
        arr = np.array(found, dtype=np.int64)
        s, e, ti = arr[:, 0], arr[:, 1], arr[:, 2]
        if omap is not None:
            s = omap[s]
            e = omap[e - 1] + 1
        return ti, s, e

    def find(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches of ``text`` as ``(entry_idx, start, end)`` int64 arrays.

        ``entry_idx`` indexes :attr:`entries`; offsets are into ``text``.
        """
        ti, s, e = self.find_terms(text)
        return self.term_entry[ti], s, e

    def count(self, text: str) -> np.ndarray:
        """Number of matches of each entry in ``text`` (int64, length ``n_entries``)."""
        entry = self._entry_list
        return np.bincount(np.array([entry[c[2]] for c in self._matches(text)[0]],
                                    dtype=np.int64),
                           minlength=len(self.entries)).astype(np.int64)

    def count_many(self, texts: Sequence[str]) -> np.ndarray:
        """Counts of many texts: int64 array of shape ``(len(texts), n_entries)``.

        Row ``i`` equals ``count(texts[i])``. The texts are matched joined by
        ``" \\x00 "`` (a space, a one-character punctuation token, a space: no term
        crosses it, and it bounds tokens as a text's start and end do), in one
        scan, and the matches are tallied per text with one ``numpy.bincount``.
        """
        n = len(self.entries)
        docs = [t if isinstance(t, str) else "" for t in texts]
        counts = np.zeros(len(docs) * n, dtype=np.int64)
        if not docs:
            return counts.reshape(0, n)
        found, omap = self._matches(_JOIN.join(docs))
        if found:
            arr = np.array(found, dtype=np.int64)
            start = arr[:, 0] if omap is None else omap[arr[:, 0]]
            lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
            offsets = np.zeros(len(docs), dtype=np.int64)
            np.cumsum(lengths[:-1] + len(_JOIN), out=offsets[1:])
            doc = np.searchsorted(offsets, start, side="right") - 1
            counts = np.bincount(doc * n + self.term_entry[arr[:, 2]],
                                 minlength=len(docs) * n).astype(np.int64)
        return counts.reshape(len(docs), n)


_JOIN = " \x00 "
assert _TABLE[0] == _PUNCT  # the separator's middle character is punctuation


def _rebuild(lexicon: pd.DataFrame, overlaps: str) -> FormulaMatcher:
    return FormulaMatcher(lexicon, overlaps=overlaps)


# ---------------------------------------------------------------------------
# public frame functions
# ---------------------------------------------------------------------------


def _matcher(lexicon: Any, overlaps: str) -> FormulaMatcher:
    if isinstance(lexicon, FormulaMatcher):
        if lexicon.overlaps == overlaps:
            return lexicon
        return FormulaMatcher(lexicon.lexicon, overlaps=overlaps)
    return FormulaMatcher(lexicon, overlaps=overlaps)


def _texts(docs: pd.DataFrame) -> list[str]:
    return [t if isinstance(t, str) else "" for t in docs["text"].tolist()]


def _lexicon_name(lexicon: Any) -> Any:
    if isinstance(lexicon, (str, int, float)):
        return lexicon
    if isinstance(lexicon, (list, tuple)):
        return [_lexicon_name(x) for x in lexicon]
    if isinstance(lexicon, FormulaMatcher):
        return lexicon.lexicon.attrs.get("kcnalex", {}).get("name")
    if isinstance(lexicon, pd.DataFrame):
        return lexicon.attrs.get("kcnalex", {}).get("name", "<DataFrame>")
    return str(lexicon)


def match_formulae(corpus: pd.DataFrame | str | Sequence[str], *,
                   lexicon: Any = "kcna-formulae",
                   overlaps: Literal["longest", "all"] = "longest") -> pd.DataFrame:
    """Find every formula of a lexicon in a corpus (the audit frame).

    A match is an occurrence of one of an entry's expanded terms whose first and last
    characters fall on token boundaries of :func:`kcnalex.tokenize.token_spans`
    (``U.S. imperialists`` matches in ``the U.S. imperialists'``; ``puppet`` does not
    match inside ``puppets`` or ``puppet-like``). White space in a term matches any run
    of white space. Case follows each entry's rule: ``insensitive``; ``sensitive``
    (exact); ``title`` (upper-case letters of the term must be upper case in the
    text, lower-case letters match either case).

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``; ``date`` used if present) or texts.
    lexicon : str, path, DataFrame, list or FormulaMatcher
        The lexicon (see :func:`kcnalex.load_lexicon`), default ``"kcna-formulae"``.
    overlaps : {"longest", "all"}
        ``"longest"``: leftmost-longest, non-overlapping (at each position the longest
        match; ties go to a literal term over a glob, then to the earlier lexicon
        row); ``"all"``: every match, overlapping or nested.

    Returns
    -------
    pandas.DataFrame
        One row per match, in document order then ``start``: ``doc_id``, ``date``,
        ``entry``, ``term`` (the expanded term that matched), ``category``,
        ``start``, ``end`` (character offsets into the document's ``text``),
        ``surface`` (``text[start:end]``). Provenance in ``attrs["kcnalex"]``
        (lexicon name, version, sha256; tokenizer version; parameters).

    See Also
    --------
    count_formulae : per-document counts.
    kwic : keyword in context.
    FormulaMatcher : the compiled matcher.

    References
    ----------
    Aho, A. V. & Corasick, M. J. (1975). Efficient string matching: an aid to
    bibliographic search. *Communications of the ACM* 18(6), 333-340.

    Examples
    --------
    >>> m = match_formulae(["The U.S. imperialists' puppets and the puppet army."])
    >>> for row in m[["entry", "surface", "start", "end"]].values.tolist():
    ...     print(row)
    ['us-imperialists', 'The U.S. imperialists', 0, 21]
    ['puppets', 'puppets', 23, 30]
    ['puppet-army', 'puppet army', 39, 50]
    """
    docs = as_corpus(corpus)
    m = _matcher(lexicon, overlaps)
    texts = _texts(docs)
    doc_idx, tis, ss, es = [], [], [], []
    for i, text in enumerate(texts):
        ti, s, e = m.find_terms(text)
        if ti.size:
            doc_idx.append(np.full(ti.size, i, dtype=np.int64))
            tis.append(ti)
            ss.append(s)
            es.append(e)
    if doc_idx:
        di = np.concatenate(doc_idx)
        ti = np.concatenate(tis)
        s = np.concatenate(ss)
        e = np.concatenate(es)
    else:
        di = ti = s = e = np.zeros(0, dtype=np.int64)
    surface = [texts[d][a:b] for d, a, b in zip(di.tolist(), s.tolist(), e.tolist())]
    ent = m.term_entry[ti]
    out = pd.DataFrame({
        "doc_id": docs["doc_id"].to_numpy(dtype=object)[di],
        "date": docs["date"].to_numpy()[di],
        "entry": m.entries[ent],
        "term": m.terms_text[ti],
        "category": m.categories[ent],
        "start": s,
        "end": e,
        "surface": pd.Series(surface, dtype=object),
    })
    if len(out) == 0:
        out["date"] = out["date"].astype(docs["date"].dtype)
    params = {"lexicon": _lexicon_name(lexicon), "overlaps": overlaps}
    return attach(out, provenance("match_formulae", params=params,
                                  lexicons=lexicon_info(m.lexicon)))


def count_formulae(corpus: pd.DataFrame | str | Sequence[str], *,
                   lexicon: Any = "kcna-formulae",
                   by: Literal["entry", "category"] = "entry",
                   form: Literal["long", "wide"] = "long", zeros: bool = False,
                   overlaps: Literal["longest", "all"] = "longest") -> pd.DataFrame:
    """Count the formulae of a lexicon in each document, with token totals.

    The count of entry *e* in document *d* is the number of matches of *e* in *d*
    (as listed by :func:`match_formulae` with the same ``overlaps``); the rate per
    1,000 tokens is ``1000 * count / n_tokens``, where ``n_tokens`` is the number of
    word tokens of the document (:func:`kcnalex.tokenize.count_tokens`).

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``; ``date`` used if present) or texts.
    lexicon : str, path, DataFrame, list or FormulaMatcher
        The lexicon (see :func:`kcnalex.load_lexicon`), default ``"kcna-formulae"``.
    by : {"entry", "category"}
        Count per entry, or per category (the sum of its entries' counts).
    form : {"long", "wide"}
        Long: one row per document and entry/category. Wide: one row per document,
        one column per entry/category (all lexicon entries, zeros included).
    zeros : bool
        In long form, also return the zero counts (every document x every
        entry/category). Default False: nonzero counts only.
    overlaps : {"longest", "all"}
        See :func:`match_formulae`.

    Returns
    -------
    pandas.DataFrame
        Long: ``doc_id``, ``date``, ``entry`` (or ``category`` when
        ``by="category"``), ``category`` (``by="entry"`` only), ``count`` (int64),
        ``n_tokens`` (int64), sorted by document order then lexicon order. Wide:
        ``doc_id``, ``date``, ``n_tokens`` and one int64 column per entry (or
        category) in lexicon order. Provenance in ``attrs["kcnalex"]``.

    See Also
    --------
    match_formulae : the matches behind the counts.
    FormulaMatcher.count_many : the array-level counter.

    Examples
    --------
    >>> c = count_formulae(["The Juche idea and the Juche idea.", "Nothing here."])
    >>> c[["doc_id", "entry", "count", "n_tokens"]].values.tolist()
    [['text-0', 'juche-idea', 2, 7]]
    >>> count_formulae(["Nothing here."], zeros=True)["count"].sum()
    np.int64(0)
    """
    if by not in ("entry", "category"):
        raise ValueError(f"by must be 'entry' or 'category', got {by!r}")
    if form not in ("long", "wide"):
        raise ValueError(f"form must be 'long' or 'wide', got {form!r}")
    docs = as_corpus(corpus)
    m = _matcher(lexicon, overlaps)
    texts = _texts(docs)
    counts = m.count_many(texts)
    n_tokens = count_tokens_batch(texts) if texts else np.zeros(0, np.int64)
    labels = m.entries
    if by == "category":
        cats = pd.Index(m.categories).drop_duplicates()
        code = cats.get_indexer(m.categories)
        agg = np.zeros((counts.shape[0], len(cats)), dtype=np.int64)
        for j in range(len(cats)):
            agg[:, j] = counts[:, code == j].sum(axis=1)
        counts = agg
        labels = np.array(list(cats), dtype=object)
    doc_ids = docs["doc_id"].to_numpy(dtype=object)
    dates = docs["date"].to_numpy()
    params = {"lexicon": _lexicon_name(lexicon), "by": by, "form": form,
              "zeros": zeros, "overlaps": overlaps}
    if form == "wide":
        out = pd.DataFrame({"doc_id": doc_ids, "date": dates,
                            "n_tokens": n_tokens.astype(np.int64)})
        wide = pd.DataFrame(counts, columns=list(labels), index=out.index)
        out = pd.concat([out, wide], axis=1)
    else:
        if zeros:
            r, c = np.divmod(np.arange(counts.size), counts.shape[1])
        else:
            r, c = np.nonzero(counts)
        out = pd.DataFrame({"doc_id": doc_ids[r], "date": dates[r]})
        out[by] = labels[c]
        if by == "entry":
            out["category"] = m.categories[c]
        out["count"] = counts[r, c].astype(np.int64)
        out["n_tokens"] = n_tokens[r].astype(np.int64)
        if len(out) == 0:
            out["date"] = out["date"].astype(docs["date"].dtype)
    return attach(out, provenance("count_formulae", params=params,
                                  lexicons=lexicon_info(m.lexicon)))


def _kwic_lexicon(pattern_or_entry: str, lexicon: Any, case: str) -> pd.DataFrame:
    if lexicon is not None:
        lex = load_lexicon(lexicon)
        hit = (lex["entry"] == pattern_or_entry) | lex["entry"].str.endswith(
            ":" + pattern_or_entry)
        if hit.any():
            return lex[hit]
    user = pd.DataFrame({"entry": ["kwic"], "term": [pattern_or_entry],
                         "category": ["kwic"], "case": [case]})
    user.attrs["name"] = "kwic"
    try:
        return load_lexicon(user)
    except LexiconError as exc:
        raise ValueError(f"kwic: {pattern_or_entry!r} is not an entry of the lexicon "
                         f"and not a valid pattern ({exc})") from None


def kwic(corpus: pd.DataFrame | str | Sequence[str], pattern_or_entry: str, *,
         window: int = 5, lexicon: Any = None,
         case: Literal["insensitive", "sensitive", "title"] = "insensitive"
         ) -> pd.DataFrame:
    """Keyword in context: every match of a phrase, glob pattern or lexicon entry.

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``; ``date`` used if present) or texts.
    pattern_or_entry : str
        An entry id of ``lexicon`` (``"us-imperialists"``), or else a pattern in the
        lexicon syntax: a literal phrase (``"respected Comrade"``), with optional
        words, alternatives or globs (``"puppet*"``, ``"the? U.S. imperialist*"``).
    window : int
        Number of word tokens of context on each side (punctuation between them is
        shown but not counted).
    lexicon : str, path, DataFrame or None
        Lexicon in which to look ``pattern_or_entry`` up as an entry id. When it is
        None, or the id is not found, ``pattern_or_entry`` is a pattern.
    case : {"insensitive", "sensitive", "title"}
        Case rule for a pattern (an entry keeps its own rule).

    Returns
    -------
    pandas.DataFrame
        One row per match (leftmost-longest): ``doc_id``, ``date``, ``left``,
        ``match``, ``right`` (context with white space collapsed), ``start``, ``end``
        (character offsets of the match in ``text``).

    See Also
    --------
    match_formulae : the audit frame of all entries.

    Examples
    --------
    >>> k = kwic(["Down with the U.S. imperialists' aggression!"], "U.S. imperialist*",
    ...          window=2)
    >>> k[["left", "match", "right"]].values.tolist()
    [['with the', 'U.S. imperialists', "' aggression"]]
    """
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"window must be a non-negative int, got {window!r}")
    docs = as_corpus(corpus)
    lex = _kwic_lexicon(pattern_or_entry, lexicon, case)
    m = FormulaMatcher(lex, overlaps="longest")
    texts = _texts(docs)
    rows: dict[str, list] = {k: [] for k in ("i", "left", "match", "right", "start",
                                             "end")}
    for i, text in enumerate(texts):
        _, s, e = m.find(text)
        if not s.size:
            continue
        ws, we = word_spans(text)
        lo = np.searchsorted(ws, s, side="left")  # words before the match: [0, lo)
        hi = np.searchsorted(ws, e, side="left")  # words after the match: [hi, ...)
        for a, b, l0, h0 in zip(s.tolist(), e.tolist(), lo.tolist(), hi.tolist()):
            left_from = int(ws[max(l0 - window, 0)]) if window and l0 > 0 else a
            right_to = (int(we[min(h0 + window, ws.size) - 1])
                        if window and h0 < ws.size else b)
            rows["i"].append(i)
            rows["left"].append(" ".join(text[left_from:a].split()))
            rows["match"].append(" ".join(text[a:b].split()))
            rows["right"].append(" ".join(text[b:right_to].split()))
            rows["start"].append(a)
            rows["end"].append(b)
    di = np.asarray(rows["i"], dtype=np.int64)
    out = pd.DataFrame({
        "doc_id": docs["doc_id"].to_numpy(dtype=object)[di],
        "date": docs["date"].to_numpy()[di],
        "left": pd.Series(rows["left"], dtype=object),
        "match": pd.Series(rows["match"], dtype=object),
        "right": pd.Series(rows["right"], dtype=object),
        "start": np.asarray(rows["start"], dtype=np.int64),
        "end": np.asarray(rows["end"], dtype=np.int64),
    })
    if len(out) == 0:
        out["date"] = out["date"].astype(docs["date"].dtype)
    params = {"pattern_or_entry": pattern_or_entry, "window": int(window),
              "lexicon": _lexicon_name(lexicon), "case": case}
    return attach(out, provenance("kwic", params=params,
                                  lexicons=lexicon_info(m.lexicon)))
