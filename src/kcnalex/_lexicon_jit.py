"""Word-lexicon lookups of many tokens in one compiled loop (numba, optional).

:class:`TokenTable` gives, for word tokens ``text[starts[i]:ends[i]]``, the value of
the lower-cased token in a word -> score mapping (NaN when absent) and whether it is
one of a set of flag words (negators), as the sentiment stage's Python path does with
``dict.get`` on ``text.lower()[a:b]``. ASCII tokens are hashed and compared code point
by code point in a compiled loop; a token with a non-ASCII character is looked up in
Python, so Unicode case rules stay exactly those of ``str.lower``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ._jit import jit_enabled, numba

__all__ = ["TokenTable"]

_FNV0 = 0xCBF29CE484222325
_FNV1 = 0x100000001B3


def _fnv(codes) -> int:
    h = _FNV0
    for c in codes:
        h = ((h ^ c) * _FNV1) & 0xFFFFFFFFFFFFFFFF
    return h


class TokenTable:
    """Values and flags of lower-cased word tokens.

    Parameters
    ----------
    values : mapping of str to float
        Word -> value (looked up with the lower-cased token).
    flags : iterable of str
        Words whose tokens are flagged (e.g. negators).
    """

    def __init__(self, values: Mapping[str, float], flags: Iterable[str]) -> None:
        self.values = dict(values)
        self.flags = frozenset(flags)
        self._tables: tuple | None = None

    def lookup(self, text: str, starts: np.ndarray, ends: np.ndarray,
               cp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(values, flagged)`` of the tokens: float64 (NaN: not in ``values``) and
        bool arrays."""
        n = len(starts)
        if not jit_enabled() or n == 0:
            return self._python(text, starts, ends)
        if self._tables is None:
            self._tables = self._build()
        if cp is None:
            cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"),
                               dtype=np.uint32)
        vals = np.empty(n)
        flagged = np.empty(n, dtype=np.bool_)
        wide = np.empty(n, dtype=np.bool_)
        _lookup(cp, np.ascontiguousarray(starts, dtype=np.int64),
                np.ascontiguousarray(ends, dtype=np.int64), *self._tables, vals,
                flagged, wide)
        todo = np.flatnonzero(wide)
        if len(todo):  # non-ASCII tokens: str.lower and the dicts, as in Python
            v, f = self._python(text, starts, ends, only=todo)
            vals[todo] = v
            flagged[todo] = f
        return vals, flagged

    def _python(self, text, starts, ends, only=None):
        low = text.lower()
        a_s, b_s = starts.tolist(), ends.tolist()
        idx = range(len(a_s)) if only is None else only.tolist()
        if len(low) != len(text):  # lower() changed lengths (rare Unicode)
            toks = [text[a_s[i]:b_s[i]].lower() for i in idx]
        else:
            toks = [low[a_s[i]:b_s[i]] for i in idx]
        n = len(toks)
        vals = np.fromiter(map(self.values.get, toks, [np.nan] * n),
                           dtype=np.float64, count=n)
        flagged = np.fromiter(map(self.flags.__contains__, toks), dtype=bool, count=n)
        return vals, flagged

    def _build(self) -> tuple:
        words = sorted(set(self.values) | self.flags)
        size = 1 << max(4, (4 * len(words)).bit_length())
        slots = np.full(size, -1, dtype=np.int64)
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        codes = []
        for i, w in enumerate(words):
            cps = [ord(c) for c in w]
            codes.extend(cps)
            offsets[i + 1] = offsets[i] + len(cps)
            h = _fnv(cps) & (size - 1)
            while slots[h] >= 0:
                h = (h + 1) & (size - 1)
            slots[h] = i
        value = np.array([self.values.get(w, np.nan) for w in words], dtype=np.float64)
        flag = np.array([w in self.flags for w in words], dtype=np.bool_)
        return (slots, np.asarray(codes, dtype=np.uint32), offsets, value, flag)


def _lookup_py(cp, starts, ends, slots, codes, offsets, value, flag, vals, flagged,
               wide):  # pragma: no cover - compiled
    mask = len(slots) - 1
    for i in range(len(starts)):
        a = starts[i]
        b = ends[i]
        vals[i] = np.nan
        flagged[i] = False
        wide[i] = False
        h = np.uint64(0xCBF29CE484222325)
        for p in range(a, b):
            c = cp[p]
            if c >= 128:
                wide[i] = True
                break
            if 65 <= c <= 90:
                c += 32
            h = (h ^ np.uint64(c)) * np.uint64(0x100000001B3)
        if wide[i]:
            continue
        slot = np.int64(h & np.uint64(mask))
        while slots[slot] >= 0:
            w = slots[slot]
            o0 = offsets[w]
            if offsets[w + 1] - o0 == b - a:
                same = True
                for q in range(b - a):
                    c = cp[a + q]
                    if 65 <= c <= 90:
                        c += 32
                    if codes[o0 + q] != c:
                        same = False
                        break
                if same:
                    vals[i] = value[w]
                    flagged[i] = flag[w]
                    break
            slot = (slot + 1) & mask


_lookup = (numba.njit(cache=True, nogil=True)(_lookup_py) if numba is not None
           else None)
