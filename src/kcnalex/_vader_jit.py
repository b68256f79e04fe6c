"""VADER compound scores of many sentences in one compiled pass (numba, optional).

:func:`compound_spans` returns, for spans ``[s, e)`` of a text, the same floats as
``kcnalex.vader._score(text[s:e])[3]`` -- hence vaderSentiment 3.3.2's ``compound``,
bit for bit -- computed by one numba-compiled loop over the characters instead of one
Python call per sentence. It is used by :mod:`kcnalex.sentiment` (and so by
:func:`kcnalex.analyze`) when numba is installed (``pip install kcnalex[fast]``);
without numba the per-sentence path runs, with the same results.

The loop is the reference's algorithm, rule for rule:

* tokens are the runs of non-white-space characters (``str.split()``), each stripped
  of ASCII punctuation at both ends unless fewer than three characters would remain,
  and lower-cased;
* a token is looked up, character by character, in a table of every word a rule reads
  (VADER's lexicon, boosters, negations, idiom words and the words the rules name:
  ``no``, ``never``, ``so``, ``this``, ``without``, ``doubt``, ``least``, ``at``,
  ``very``, ``kind``, ``of``, ``or``, ``nor``, ``but``);
* every sentiment word gets ``sentiment_valence`` (ALL-CAPS emphasis, boosters and
  negations up to three tokens back, ``never so``, ``without doubt``, the idioms of
  ``SPECIAL_CASES`` and multi-word boosters, ``least``), and "kind of" scores 0;
* the ``but`` rule rescales by value (``list.index``), as the reference does;
* the valences are summed with the running Python's ``sum`` (left to right before
  3.12, Neumaier-compensated from 3.12), the ``!``/``?`` amplifier is added, and the
  compound is normalised and rounded to four decimals.

Sentences with a non-ASCII character (emoji descriptions, Unicode case mapping) and
the rare compounds within 1e-7 of a rounding half are finished by the Python code.
"""

from __future__ import annotations

import functools
import string

import numpy as np

from . import vader as _v

__all__ = ["compound_spans", "jit_enabled"]

from ._jit import jit_enabled, numba

_MAX_LEN = 24  # longest table word is 19 characters
_TABLE_BITS = 15
_NAMED = ("no", "never", "so", "this", "without", "doubt", "least", "at", "very",
          "kind", "of", "or", "nor", "but")
(_NO, _NEVER, _SO, _THIS, _WITHOUT, _DOUBT, _LEAST, _AT, _VERY, _KIND, _OF, _OR, _NOR,
 _BUT) = range(len(_NAMED))
# does the builtin sum() of floats compensate (Neumaier, Python >= 3.12)?
_SUM_COMPENSATED = sum([1e16, 1.0, -1e16]) != 0.0


def _fnv(chars) -> int:
    h = 0xCBF29CE484222325
    for c in chars:
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


@functools.lru_cache(maxsize=1)
def _tables() -> tuple:
    """The word table and the rule data as arrays for the compiled loop."""
    lex = _v._LEX
    words = {w for w in lex if w == w.lower() and w.isascii()
             and not any(c.isspace() for c in w)}
    words |= set(_v._BOOSTER) | set(_v._NEGATE) | set(_NAMED)
    for key in (*_v._SPECIAL_T, *_v._BOOSTER_T):
        words |= set(key)
    words = sorted(w for w in words if " " not in w)
    for w in words:
        if not w.isascii() or len(w) > _MAX_LEN:  # pragma: no cover - fixed data
            raise RuntimeError(f"kcnalex: VADER word {w!r} does not fit the table")
    index = {w: i for i, w in enumerate(words)}
    n = len(words)
    chars = np.zeros((n, _MAX_LEN), dtype=np.uint8)  # ASCII words
    lengths = np.zeros(n, dtype=np.int64)
    size = 1 << _TABLE_BITS
    slots = np.full(size, -1, dtype=np.int32)
    for i, w in enumerate(words):
        codes = [ord(c) for c in w]
        chars[i, :len(w)] = codes
        lengths[i] = len(w)
        h = _fnv(codes) & (size - 1)
        while slots[h] >= 0:
            h = (h + 1) & (size - 1)
        slots[h] = i
    value = np.array([lex[w] if w in _v._SENTIMENT_WORDS else np.nan for w in words])
    in_lex = np.array([w in lex for w in words])
    booster = np.array([_v._BOOSTER.get(w, np.nan) for w in words])
    negate = np.array([w in _v._NEGATE for w in words])
    named = np.array([index[w] for w in _NAMED], dtype=np.int64)

    def seq_table(table: dict, k: int) -> tuple[np.ndarray, np.ndarray]:
        items = sorted((_seq_key([index[w] for w in key], n), v)
                       for key, v in table.items() if len(key) == k)
        return (np.array([a for a, _ in items], dtype=np.int64),
                np.array([b for _, b in items], dtype=np.float64))

    # pairs that start a multi-word key (the idiom check is skipped without one)
    starts = sorted({_seq_key([index[w] for w in key[:2]], n)
                     for key in (*_v._SPECIAL_T, *_v._BOOSTER_T)})
    first = np.zeros(n, dtype=np.bool_)
    for key in (*_v._SPECIAL_T, *_v._BOOSTER_T):
        first[index[key[0]]] = True
    sp2, sp3 = seq_table(_v._SPECIAL_T, 2), seq_table(_v._SPECIAL_T, 3)
    bo2, bo3 = seq_table(_v._BOOSTER_T, 2), seq_table(_v._BOOSTER_T, 3)
    if any(len(k) > 3 for k in (*_v._SPECIAL_T, *_v._BOOSTER_T)):  # pragma: no cover
        raise RuntimeError("kcnalex: VADER idioms longer than three words")
    return (slots, chars, lengths, value, in_lex, booster, negate, named,
            sp2[0], sp2[1], sp3[0], sp3[1], bo2[0], bo2[1], bo3[0], bo3[1],
            first, np.array(starts, dtype=np.int64),
            np.float64(_v._C_INCR), np.float64(_v._N_SCALAR))


def _seq_key(ids: list[int], n: int) -> int:
    key = 0
    for i in ids:
        key = key * (n + 1) + (i + 1)
    return key


def _kernel_py(codes, starts, ends, slots, chars, lengths, value, in_lex, booster,
               negate, named, sp2k, sp2v, sp3k, sp3v, bo2k, bo2v, bo3k, bo3v,
               first, pair_starts, c_incr, n_scalar, compensated, out,
               status):  # pragma: no cover
    """Compound of every span; ``status`` 1 = non-ASCII (Python finishes it), 2 =
    compound within 1e-7 of a rounding half (``out`` holds it unrounded)."""
    nw = len(lengths)
    mask = len(slots) - 1
    no_, never_, so_, this_, without_, doubt_, least_, at_, very_, kind_, of_, \
        or_, nor_, but_ = named
    maxtok = 1
    for s in range(len(starts)):
        if ends[s] - starts[s] > maxtok:
            maxtok = ends[s] - starts[s]
    maxtok = maxtok // 2 + 2
    tid = np.empty(maxtok, dtype=np.int64)
    upper = np.empty(maxtok, dtype=np.bool_)
    has_nt = np.empty(maxtok, dtype=np.bool_)
    vals = np.empty(maxtok, dtype=np.float64)
    poss = np.empty(maxtok, dtype=np.int64)
    for s in range(len(starts)):
        a = starts[s]
        b = ends[s]
        status[s] = 0
        out[s] = 0.0
        wide = False  # a non-ASCII character: Python scores the sentence
        # ---- tokens
        n = 0
        n_up = 0
        ep = 0
        qm = 0
        any_hit = False
        p = a
        while p < b:
            c = codes[p]
            if c == 32 or (9 <= c <= 13) or (28 <= c <= 31):
                p += 1
                continue
            t0 = p
            # one pass over the token: its end, "!"/"?", letter case, "n't"
            has_u = False
            has_l = False
            nt = False
            c1 = 0  # the two previous characters, lower-cased
            c2 = 0
            while p < b:
                c = codes[p]
                if c == 32 or (9 <= c <= 13) or (28 <= c <= 31):
                    break
                if c >= 128:
                    wide = True
                elif c == 33:
                    ep += 1
                elif c == 63:
                    qm += 1
                elif 65 <= c <= 90:
                    has_u = True
                    c += 32
                elif 97 <= c <= 122:
                    has_l = True
                if c == 116 and c1 == 39 and c2 == 110:
                    nt = True
                c2 = c1
                c1 = c
                p += 1
            t1 = p
            up = has_u and not has_l  # str.isupper of the token as written
            upper[n] = up
            if up:
                n_up += 1
            # _strip_punc_if_word ("n't" can only lie inside what it keeps: n and t
            # are not punctuation)
            l0 = t0
            while l0 < t1 and _is_punct(codes[l0]):
                l0 += 1
            l1 = t1
            while l1 > l0 and _is_punct(codes[l1 - 1]):
                l1 -= 1
            if l1 - l0 <= 2:
                l0 = t0
                l1 = t1
            has_nt[n] = nt
            # table lookup (exact)
            wid = -1
            ln = l1 - l0
            if ln <= chars.shape[1]:
                h = np.uint64(0xCBF29CE484222325)
                for q in range(l0, l1):
                    h = (h ^ np.uint64(_lower(codes[q]))) * np.uint64(0x100000001B3)
                slot = np.int64(h & np.uint64(mask))
                while slots[slot] >= 0:
                    cand = slots[slot]
                    if lengths[cand] == ln:
                        same = True
                        for q in range(ln):
                            if chars[cand, q] != _lower(codes[l0 + q]):
                                same = False
                                break
                        if same:
                            wid = cand
                            break
                    slot = (slot + 1) & mask
            tid[n] = wid
            if wid >= 0 and not np.isnan(value[wid]):
                any_hit = True
            n += 1
        if wide:
            status[s] = 1
            continue
        if n == 0 or not any_hit:
            continue
        cap_diff = 0 < n - n_up < n
        last = n - 1
        # ---- valences of the sentiment words
        nv = 0
        for i in range(n):
            w = tid[i]
            if w < 0 or np.isnan(value[w]):
                continue
            if w == kind_ and i < last and tid[i + 1] == of_:
                continue  # "kind of": 0
            valence = value[w]
            if w == no_ and i != last and tid[i + 1] >= 0 and in_lex[tid[i + 1]]:
                valence = 0.0
            if ((i > 0 and tid[i - 1] == no_) or (i > 1 and tid[i - 2] == no_)
                    or (i > 2 and tid[i - 3] == no_
                        and (tid[i - 1] == or_ or tid[i - 1] == nor_))):
                valence = value[w] * n_scalar
            if upper[i] and cap_diff:
                if valence > 0:
                    valence += c_incr
                else:
                    valence -= c_incr
            if i > 0:
                p1 = tid[i - 1]
                if p1 < 0 or not in_lex[p1]:
                    valence = valence + _scalar(p1, upper[i - 1], valence, booster,
                                                cap_diff, c_incr)
                    if (p1 >= 0 and negate[p1]) or has_nt[i - 1]:
                        valence = valence * n_scalar
                if i > 1:
                    p2 = tid[i - 2]
                    if p2 < 0 or not in_lex[p2]:
                        sc = _scalar(p2, upper[i - 2], valence, booster, cap_diff,
                                     c_incr)
                        if sc != 0:
                            sc = sc * 0.95
                        valence = valence + sc
                        if p2 == never_ and (p1 == so_ or p1 == this_):
                            valence = valence * 1.25
                        elif p2 == without_ and p1 == doubt_:
                            pass
                        elif (p2 >= 0 and negate[p2]) or has_nt[i - 2]:
                            valence = valence * n_scalar
                    if i > 2:
                        p3 = tid[i - 3]
                        if p3 < 0 or not in_lex[p3]:
                            sc = _scalar(p3, upper[i - 3], valence, booster, cap_diff,
                                         c_incr)
                            if sc != 0:
                                sc = sc * 0.9
                            valence = valence + sc
                            if ((p3 == never_ and (p2 == so_ or p2 == this_))
                                    or (p1 == so_ or p1 == this_)):
                                valence = valence * 1.25
                            elif p3 == without_ and (p2 == doubt_ or p1 == doubt_):
                                pass
                            elif (p3 >= 0 and negate[p3]) or has_nt[i - 3]:
                                valence = valence * n_scalar
                            # every key the idiom check reads starts with the
                            # pair (w3, w2), (w2, w1), (w1, w0) or (w0, next)
                            if (_pair(tid[i - 3], p2, first, pair_starts, nw)
                                    or _pair(p2, p1, first, pair_starts, nw)
                                    or _pair(p1, w, first, pair_starts, nw)
                                    or (i < last and _pair(w, tid[i + 1], first,
                                                           pair_starts, nw))):
                                valence = _idioms(valence, tid, i, last, nw, sp2k,
                                                  sp2v, sp3k, sp3v, bo2k, bo2v, bo3k,
                                                  bo3v)
            # _least_check
            if i > 1 and (tid[i - 1] < 0 or not in_lex[tid[i - 1]]) \
                    and tid[i - 1] == least_:
                if tid[i - 2] != at_ and tid[i - 2] != very_:
                    valence = valence * n_scalar
            elif i > 0 and (tid[i - 1] < 0 or not in_lex[tid[i - 1]]) \
                    and tid[i - 1] == least_:
                valence = valence * n_scalar
            if valence != 0:
                vals[nv] = valence
                poss[nv] = i
                nv += 1
        if nv == 0:
            continue
        # ---- "but" (rescaling by value, as list.index finds it)
        bi = -1
        for i in range(n):
            if tid[i] == but_:
                bi = i
                break
        if bi >= 0:
            for k in range(nv):
                v = vals[k]
                j = 0
                while vals[j] != v:
                    j += 1
                if poss[j] < bi:
                    vals[j] = v * 0.5
                elif poss[j] > bi:
                    vals[j] = v * 1.5
        # ---- score_valence (compound only)
        total = vals[0]
        comp = 0.0
        for k in range(1, nv):
            x = vals[k]
            t = total + x
            if compensated:
                if abs(total) >= abs(x):
                    comp += (total - t) + x
                else:
                    comp += (x - t) + total
            total = t
        if compensated and comp != 0.0 and np.isfinite(comp):
            total += comp
        if ep > 4:
            ep = 4
        amp = ep * 0.292
        if qm > 1:
            if qm <= 3:
                amp = amp + qm * 0.18
            else:
                amp = amp + 0.96
        if total > 0:
            total += amp
        elif total < 0:
            total -= amp
        compound = total / np.sqrt((total * total) + 15)
        if compound < -1.0:
            compound = -1.0
        elif compound > 1.0:
            compound = 1.0
        x4 = compound * 10000.0
        k4 = np.floor(x4 + 0.5)
        if x4 - k4 < -0.4999999:
            status[s] = 2
            out[s] = compound
        elif k4 == 0:
            out[s] = compound * 0.0
        else:
            out[s] = k4 / 10000.0


def _is_punct_py(c):  # pragma: no cover - compiled
    return (33 <= c <= 47) or (58 <= c <= 64) or (91 <= c <= 96) or (123 <= c <= 126)


def _lower_py(c):  # pragma: no cover - compiled
    if 65 <= c <= 90:
        return c + 32
    return c


def _scalar_py(word, tok_upper, valence, booster, cap_diff, c_incr):  # pragma: no cover
    scalar = 0.0
    if word >= 0 and not np.isnan(booster[word]):
        scalar = booster[word]
        if valence < 0:
            scalar *= -1
        if tok_upper and cap_diff:
            if valence > 0:
                scalar += c_incr
            else:
                scalar -= c_incr
    return scalar


def _find(keys, vals, key):  # pragma: no cover - compiled
    j = np.searchsorted(keys, key)
    if j < len(keys) and keys[j] == key:
        return True, vals[j]
    return False, 0.0


def _key(ids, nw):  # pragma: no cover - compiled
    key = 0
    for i in ids:
        if i < 0:
            return -1
        key = key * (nw + 1) + (i + 1)
    return key


def _pair_py(a, b, first, pair_starts, nw):  # pragma: no cover - compiled
    if a < 0 or b < 0 or not first[a]:
        return False
    key = (a + 1) * (nw + 1) + (b + 1)
    j = np.searchsorted(pair_starts, key)
    return j < len(pair_starts) and pair_starts[j] == key


def _idioms_py(valence, tid, i, last, nw, sp2k, sp2v, sp3k, sp3v, bo2k, bo2v, bo3k,
               bo3v):  # pragma: no cover - compiled
    w0 = tid[i]
    w1 = tid[i - 1]
    w2 = tid[i - 2]
    w3 = tid[i - 3]
    # (w1, w0), (w2, w1, w0), (w2, w1), (w3, w2, w1), (w3, w2): the first that is a
    # SPECIAL_CASES key sets the valence
    found, v = _find(sp2k, sp2v, _key((w1, w0), nw))
    if not found:
        found, v = _find(sp3k, sp3v, _key((w2, w1, w0), nw))
    if not found:
        found, v = _find(sp2k, sp2v, _key((w2, w1), nw))
    if not found:
        found, v = _find(sp3k, sp3v, _key((w3, w2, w1), nw))
    if not found:
        found, v = _find(sp2k, sp2v, _key((w3, w2), nw))
    if found:
        valence = v
    if last > i:
        found, v = _find(sp2k, sp2v, _key((w0, tid[i + 1]), nw))
        if found:
            valence = v
    if last > i + 1:
        found, v = _find(sp3k, sp3v, _key((w0, tid[i + 1], tid[i + 2]), nw))
        if found:
            valence = v
    found, v = _find(bo3k, bo3v, _key((w3, w2, w1), nw))
    if found:
        valence = valence + v
    found, v = _find(bo2k, bo2v, _key((w3, w2), nw))
    if found:
        valence = valence + v
    found, v = _find(bo2k, bo2v, _key((w2, w1), nw))
    if found:
        valence = valence + v
    return valence


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True)
    _is_punct = _jit(_is_punct_py)
    _lower = _jit(_lower_py)
    _scalar = _jit(_scalar_py)
    _find = _jit(_find)
    _key = _jit(_key)
    _idioms = _jit(_idioms_py)
    _pair = _jit(_pair_py)
    _kernel = _jit(_kernel_py)

assert set(string.punctuation) == {chr(c) for c in range(128) if _is_punct_py(c)}


def compound_spans(text: str, starts: np.ndarray, ends: np.ndarray,
                   cp: np.ndarray | None = None) -> np.ndarray:
    """VADER compound of ``text[starts[i]:ends[i]]`` for every ``i``.

    Parameters
    ----------
    text : str
        The text (one document, or documents joined).
    starts, ends : numpy.ndarray of int
        Span offsets.
    cp : numpy.ndarray of uint32, optional
        The text's code points, if at hand.

    Returns
    -------
    numpy.ndarray
        float64; element ``i`` equals ``kcnalex.vader._score(text[s:e])[3]``.
    """
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    ends = np.ascontiguousarray(ends, dtype=np.int64)
    out = np.zeros(len(starts))
    if not len(starts):
        return out
    if numba is None:
        raise RuntimeError("kcnalex: the compiled VADER path needs numba "
                           "(pip install kcnalex[fast])")
    if cp is None:
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    status = np.zeros(len(starts), dtype=np.int8)
    _kernel(cp, starts, ends, *_tables(), _SUM_COMPENSATED, out, status)
    for i in np.flatnonzero(status == 1).tolist():
        out[i] = _v._score(text[starts[i]:ends[i]])[3]
    for i in np.flatnonzero(status == 2).tolist():
        out[i] = round(float(out[i]), 4)
    return out
