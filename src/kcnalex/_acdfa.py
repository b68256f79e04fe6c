"""Every occurrence of a set of keys in a text: an Aho–Corasick DFA compiled by numba.

:class:`KeyScanner` finds the same ``(end, key)`` pairs as ``pyahocorasick``'s
``Automaton.iter`` over the same keys (each occurrence of each key, ``end`` the offset
of its last character), as numpy arrays. With numba installed (``kcnalex[fast]``)
the automaton is a dense transition table (states x the keys' characters) scanned by
one compiled loop; without numba (or with ``KCNALEX_JIT=0``) ``pyahocorasick`` does
the scan.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import ahocorasick
import numpy as np

from ._jit import jit_enabled, numba

__all__ = ["KeyScanner", "jit_enabled"]


class KeyScanner:
    """Find every occurrence of ``keys`` (exact strings) in texts.

    Parameters
    ----------
    keys : sequence of str
        Distinct, non-empty keys; key ``i`` is reported as ``i``.
    fold : numpy.ndarray of uint32, optional
        A map of the BMP applied to the text's code points before matching (e.g.
        lower case); :meth:`scan_codes` then takes the raw code points (the map is
        compiled into the automaton's symbol table), while :meth:`scan` expects
        an already folded string.
    """

    def __init__(self, keys: Sequence[str], fold: np.ndarray | None = None) -> None:
        self.keys = list(keys)
        self.fold = fold
        self._lengths = np.fromiter(map(len, self.keys), dtype=np.int64,
                                    count=len(self.keys))
        auto = ahocorasick.Automaton()
        for i, k in enumerate(self.keys):
            auto.add_word(k, i)
        if self.keys:
            auto.make_automaton()
        self._auto = auto
        self._dfa: tuple | None = None

    def scan(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``(ends, key_ids)`` int64 arrays of every key occurrence in ``text``,
        sorted by ``end`` and, at one end, longer keys first."""
        if not self.keys or not text:
            z = np.zeros(0, dtype=np.int64)
            return z, z.copy()
        if jit_enabled() and self.fold is None:
            return self.scan_codes(np.frombuffer(
                text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
        arr = np.array(list(self._auto.iter(text)), dtype=np.int64).reshape(-1, 2)
        order = np.lexsort((-self._lengths[arr[:, 1]], arr[:, 0]))
        return arr[order, 0], arr[order, 1]

    def scan_codes(self, cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`scan` of a text given as its code points (compiled path only)."""
        if not self.keys or not len(cp):
            z = np.zeros(0, dtype=np.int64)
            return z, z.copy()
        if self._dfa is None:
            self._dfa = _build_dfa(self.keys, self.fold)
        return _scan(cp, *self._dfa)


def _build_dfa(keys: list[str], fold: np.ndarray | None = None) -> tuple:
    """Dense DFA of the Aho–Corasick automaton of ``keys`` (``fold``: a map of the
    BMP applied to the text first, built into the symbol table).

    Returns ``(symbols, delta, out_key, link)``: ``symbols[c]`` the symbol of BMP
    code point ``c`` (0: a character of no key), ``delta[state, symbol]`` the next
    state, ``out_key[state]`` the key ending at the state (or -1), ``link[state]`` the
    nearest proper suffix state where a key ends (or -1).
    """
    chars = sorted({c for k in keys for c in k})
    if any(ord(c) > 0xFFFF for c in chars):  # pragma: no cover - no such key here
        raise ValueError("keys beyond the Basic Multilingual Plane")
    symbols = np.zeros(0x10000, dtype=np.uint8 if len(chars) < 255 else np.int32)
    for j, c in enumerate(chars, start=1):
        symbols[ord(c)] = j
    key_symbols = symbols
    if fold is not None:  # the symbol of c is that of fold[c]
        symbols = symbols[fold[:0x10000]]
    goto: list[dict[int, int]] = [{}]
    out_key = [-1]
    for i, k in enumerate(keys):
        s = 0
        for c in k:
            a = int(key_symbols[ord(c)])
            nxt = goto[s].get(a)
            if nxt is None:
                nxt = len(goto)
                goto[s][a] = nxt
                goto.append({})
                out_key.append(-1)
            s = nxt
        out_key[s] = i
    n_states, n_sym = len(goto), len(chars) + 1
    # a small table stays in cache: int16 states when they fit
    delta = np.zeros((n_states, n_sym),
                     dtype=np.int16 if n_states < 2 ** 15 else np.int32)
    fail = np.zeros(n_states, dtype=np.int64)
    link = np.full(n_states, -1, dtype=np.int32)
    out = np.asarray(out_key, dtype=np.int32)
    queue: deque[int] = deque()
    for a, s in goto[0].items():
        delta[0, a] = s
        queue.append(s)
    while queue:  # breadth first: a state's fail state is complete before it
        s = queue.popleft()
        f = fail[s]
        link[s] = f if out[f] >= 0 else link[f]
        row = delta[f].copy()
        for a, t in goto[s].items():
            row[a] = t
            fail[t] = delta[f, a]
            queue.append(t)
        delta[s] = row
    return symbols, delta, out, link


def _scan_py(cp, symbols, delta, out_key, link, cap):  # pragma: no cover - compiled
    """Hits into arrays of ``cap`` elements; ``m > cap`` says they did not fit
    (growing them inside the loop would make every iteration pay for their
    reference counts)."""
    ends = np.empty(cap, dtype=np.int64)
    keys = np.empty(cap, dtype=np.int64)
    m = 0
    state = 0
    for i in range(len(cp)):
        c = np.int64(cp[i])
        state = np.int64(delta[state, symbols[c] if c < 0x10000 else 0])
        o = state if out_key[state] >= 0 else np.int64(link[state])
        while o >= 0:
            if m < cap:
                ends[m] = i
                keys[m] = out_key[o]
            m += 1
            o = np.int64(link[o])
    return ends, keys, m


def _scan(cp, symbols, delta, out_key, link):
    """``(ends, keys)`` of every hit (one pass; a second with room for all of them
    in the rare text with more hits than a quarter of its characters)."""
    if _scan_jit is None:
        raise RuntimeError("kcnalex: the compiled scan needs numba "
                           "(pip install kcnalex[fast])")
    cap = len(cp) // 4 + 64
    ends, keys, m = _scan_jit(cp, symbols, delta, out_key, link, cap)
    if m > cap:
        ends, keys, m = _scan_jit(cp, symbols, delta, out_key, link, m)
    return ends[:m], keys[:m]


_scan_jit = (numba.njit(cache=True, nogil=True)(_scan_py) if numba is not None
             else None)
