"""Exact and near-duplicate detection (MinHash + LSH over word shingles, numpy only).

Definitions
-----------
* **Normalised text** ``norm(t)``: the words of ``t`` (casefolded, punctuation
  replaced by spaces, split on whitespace; :func:`words`) joined by one space.
  Two records are *exact duplicates* when their normalised texts are equal
  (compared through a 128-bit BLAKE2b digest).
* **Shingles** ``S(t)``: the set of ``k``-word windows of ``norm(t)``
  (:data:`SHINGLE`, 5 words); a text shorter than ``k`` words has one shingle, itself.
  Each word is hashed from its UTF-8 bytes (polynomial hash modulo ``2**64``
  mixed by splitmix64: independent of reading order, batch and Python's hash
  seed); a shingle is the polynomial combination of its word hashes modulo
  ``2**64``, mixed again.
* **Near duplicates**: ``J(a, b) = |S(a) ∩ S(b)| / |S(a) ∪ S(b)| >= threshold``
  (default :data:`THRESHOLD` = 0.85), *computed exactly* on candidate pairs.
* **Candidates** come from MinHash signatures of :data:`N_PERM` = 32 multiply-add
  hash functions ``h_i(x) = a_i x + b_i mod 2**64``, banded LSH with
  :data:`BANDS` = 8 bands of 4 rows (a pair with Jaccard ``s`` becomes a candidate
  with probability ``1 - (1 - s**4)**8``: 0.985 at 0.8, 0.996 at 0.85, 0.9999 at
  0.9). Candidates whose signature agreement is below ``threshold - 0.25`` are not
  verified (the chance that a pair with true Jaccard >= 0.85 agrees on fewer than
  60 % of 32 MinHashes is below 1e-3).

Why 0.85: on the kcna.co.jp archive, pairs between 0.6 and 0.8 are distinct,
formulaic stories (a delegation "arrives" and "leaves", the same work "posted" by
two different foreign groups); pairs above 0.85 are the same story republished with
small edits (a retyped first sentence, a corrected name).

Short texts: only documents of at least :data:`MIN_WORDS` = 50 words take part in
the near-duplicate test (exact duplicates are caught at any length). Short
formulaic items differ in a name or a date only ("X and his party arrived here
today" in 2006 and again in 2008, Jaccard 0.875) and are different events.

Which copy is kept: records are ranked (by date, then origin; the caller passes the
rank order); a record is dropped as a near duplicate when it is similar to an
*earlier record that is itself kept* (greedy, so chains A~B~C keep A and C when A and
C are not similar to each other).
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import string
import tempfile
from array import array
from collections.abc import Sequence

import numpy as np

SHINGLE = 5
MIN_WORDS = 50
THRESHOLD = 0.85
N_PERM = 32
BANDS = 8
ROWS = N_PERM // BANDS
_PREFILTER = 0.25
_SIG_BATCH = 1024
_MAX_BUCKET = 64  # larger LSH buckets: each member is compared to its 64 predecessors

_PUNCT = str.maketrans({c: " " for c in string.punctuation
                        + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb"})
_M64 = (1 << 64) - 1

_rng = np.random.default_rng(20240620)
_A = (_rng.integers(1, 2**63, size=N_PERM, dtype=np.uint64) << np.uint64(1)) | 1
_B = _rng.integers(0, 2**63, size=N_PERM, dtype=np.uint64)
_POLY = np.array([pow(0x9E3779B97F4A7C15, i + 1, 1 << 64) for i in range(SHINGLE)],
                 dtype=np.uint64)
_P = 0x100000001B3  # FNV prime: odd, so invertible modulo 2**64
_PINV = pow(_P, -1, 1 << 64)
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def words(text: str) -> list[str]:
    """Casefolded words used by both the exact and the near-duplicate test: the
    text casefolded, punctuation (ASCII and typographic quotes/dashes) turned into
    spaces, split on whitespace."""
    return text.casefold().translate(_PUNCT).split()


def normalise(text: str) -> str:
    """The normalised text: :func:`words` joined by one space."""
    return " ".join(words(text))


def exact_key(norm: str) -> bytes:
    """128-bit BLAKE2b digest of a normalised text."""
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=16).digest()


def _digest_halves(digests: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The 16-byte digests as two uint64 arrays (first and last 8 bytes)."""
    both = np.frombuffer(b"".join(digests), dtype="<u8").reshape(-1, 2)
    return both[:, 0], both[:, 1]


class _SpillFile:
    """An append-only temporary file of numpy arrays (``tempfile.TemporaryFile``,
    in ``TMPDIR``: created at the first write, deleted when closed or garbage
    collected).

    :meth:`put` writes arrays and returns their handles ``(offset, size, dtype)``,
    or None once the file could not be written (no space, no temporary folder:
    the caller then keeps its arrays in memory); :meth:`view` maps one read-only
    (the pages count in the process's memory only while the map is alive: drop it
    after use); :meth:`item` reads one value.
    """

    def __init__(self) -> None:
        self._f = None
        self._end = 0
        self.failed = False

    def put(self, *arrays: np.ndarray) -> list[tuple[int, int, np.dtype]] | None:
        if self.failed:
            return None
        handles = []
        try:
            if self._f is None:
                self._f = tempfile.TemporaryFile(prefix="kcnalex-")
            for values in arrays:
                values = np.ascontiguousarray(values)
                self._f.seek(self._end)
                self._f.write(memoryview(values).cast("B"))
                handles.append((self._end, values.size, values.dtype))
                self._end += values.nbytes
            self._f.flush()
        except OSError:
            self.failed = True
            return None
        return handles

    def view(self, handle: tuple[int, int, np.dtype]) -> np.ndarray:
        offset, size, dtype = handle
        if size == 0:
            return np.zeros(0, dtype=dtype)
        return np.memmap(self._f, dtype=dtype, mode="r", offset=offset, shape=(size,))

    def item(self, handle: tuple[int, int, np.dtype], i: int):
        offset, size, dtype = handle
        if not 0 <= i < size:
            raise IndexError(i)
        self._f.seek(offset + i * dtype.itemsize)
        return np.frombuffer(self._f.read(dtype.itemsize), dtype=dtype)[0]

    @property
    def nbytes(self) -> int:
        return self._end

    def __getstate__(self) -> dict:  # the owners pickle their data read back
        return {"_f": None, "_end": 0, "failed": self.failed}


class _SpilledRun:
    """A sorted run of :class:`SortedKeys` kept in a :class:`_SpillFile`."""

    def __init__(self, spill: _SpillFile, size: int, keys: tuple,
                 cols: dict[str, tuple]) -> None:
        self.spill, self.size, self.keys, self.cols = spill, size, keys, cols

    def arrays(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Read-only maps of the keys and columns (unmapped when dropped)."""
        return (self.spill.view(self.keys),
                {name: self.spill.view(h) for name, h in self.cols.items()})


class _BlockArray:
    """An append-only array of one type whose full blocks of :attr:`block` values
    go to a :class:`_SpillFile` (read back a value at a time), so the memory held
    stays flat: the current block only. Blocks stay in memory where the file
    cannot be written, or with ``spill`` False.
    """

    block: int = 1 << 16
    spill: bool = os.name == "posix"

    def __init__(self, typecode: str) -> None:
        self._typecode = typecode
        self._dtype = np.dtype(typecode)
        self._cur = array(typecode)
        self._blocks: list = []  # spill handles, or arrays kept in memory
        self._spill = _SpillFile()

    def __len__(self) -> int:
        return len(self._blocks) * self.block + len(self._cur)

    def append(self, x: int) -> None:
        self._cur.append(x)
        if len(self._cur) >= self.block:
            full = np.array(self._cur, dtype=self._dtype)
            self._cur = array(self._typecode)
            handles = self._spill.put(full) if self.spill else None
            self._blocks.append(full if handles is None else handles[0])

    def __getitem__(self, i: int):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("index out of range")
        b, j = divmod(i, self.block)
        if b >= len(self._blocks):
            return self._cur[j]
        blk = self._blocks[b]
        if isinstance(blk, np.ndarray):
            return blk[j].item()
        return self._spill.item(blk, j).item()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)  # pickled with its spilled blocks read back
        state["_blocks"] = [b if isinstance(b, np.ndarray) else
                            np.array(self._spill.view(b)) for b in self._blocks]
        return state

    @property
    def nbytes(self) -> int:
        """Bytes held in memory."""
        return (self._cur.itemsize * len(self._cur)
                + sum(b.nbytes for b in self._blocks if isinstance(b, np.ndarray)))


def _run_size(run) -> int:
    return run.size if isinstance(run, _SpilledRun) else int(run[0].size)


def _run_arrays(run) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    return run.arrays() if isinstance(run, _SpilledRun) else run


class SortedKeys:
    """A growing multiset of 64-bit keys, with payload columns, in sorted runs.

    Keys are added a batch at a time and looked up a batch at a time (binary
    search), so a key costs 8 bytes plus its payload columns, and no Python
    object: a corpus of a million documents needs a few megabytes, where a Python
    set or dict of strings or bytes needs hundreds and fragments the heap.

    Each batch becomes a sorted run. The two newest runs are merged while the
    older is at most twice the newer (as in a log-structured merge tree: a key is
    copied about ``log2(max_run / batch)`` times) and smaller than
    :attr:`max_run` keys; a run of :attr:`max_run` keys or more is never copied
    again. So adding never copies the whole set (inserting into one sorted array
    did: a transient second copy of the largest column, growing with the corpus),
    and a lookup is one binary search per run (``len(self) / max_run`` runs and a
    few smaller ones).

    Equal keys are kept in insertion order: within a run by stable sorting and
    merging, across runs because runs stay in the order they were added.

    Runs that are not merged any more (:attr:`max_run` keys or more) are moved to
    a temporary file (:attr:`spill`) and mapped read-only, one run at a time,
    while a call searches them; so the memory held stays flat however many keys
    are added (a million keys with two payload columns: 20 MB on disk, none in
    memory). A run is read from the page cache on each search: ~1 ms per
    million keys and batch of queries. If the file cannot be written (no space,
    no temporary folder) the runs stay in memory.

    Parameters
    ----------
    **columns : numpy dtype
        Payload columns stored beside the keys, ``name=dtype``.

    Attributes
    ----------
    max_run : int
        Runs of this many keys or more are not merged further (class default
        65,536: 1.5 MB for a key with two 8-byte payload columns).
    spill : bool
        Move those runs to a temporary file (class default: True on POSIX
        systems).

    Examples
    --------
    >>> keys = SortedKeys(label=np.int64)
    >>> keys.add(np.array([30, 10], dtype=np.uint64), label=[0, 1])
    >>> keys.contains(np.array([10, 20, 30], dtype=np.uint64)).tolist()
    [True, False, True]
    >>> keys.keys.tolist(), keys.columns["label"].tolist()
    ([10, 30], [1, 0])
    >>> found, payload = keys.lookup(np.array([30, 20], dtype=np.uint64))
    >>> found.tolist(), payload["label"].tolist()
    ([True, False], [0, 0])
    """

    max_run: int = 1 << 16
    spill: bool = os.name == "posix"

    def __init__(self, **columns: np.dtype | type) -> None:
        self._dtypes = {name: np.dtype(dt) for name, dt in columns.items()}
        # oldest first; each run: (sorted keys, {column: values in key order}), or
        # a _SpilledRun
        self._runs: list = []
        self._n = 0
        self._spill = _SpillFile()

    def __len__(self) -> int:
        return self._n

    def __contains__(self, key: int) -> bool:
        k = np.uint64(key)
        for r in self._runs:
            run = _run_arrays(r)[0]
            i = int(np.searchsorted(run, k))
            if i < run.size and run[i] == k:
                return True
        return False

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)  # pickled with its spilled runs read back
        runs = []
        for r in self._runs:
            k, cols = _run_arrays(r)
            runs.append((np.array(k), {n: np.array(c) for n, c in cols.items()}))
        state["_runs"] = runs
        return state

    @property
    def nbytes(self) -> int:
        """Bytes held in memory by the key and payload arrays."""
        return sum(k.nbytes + sum(c.nbytes for c in cols.values())
                   for k, cols in (r for r in self._runs
                                   if not isinstance(r, _SpilledRun)))

    @property
    def spilled_nbytes(self) -> int:
        """Bytes of the runs moved to the temporary file."""
        return self._spill.nbytes

    @property
    def n_runs(self) -> int:
        """Number of sorted runs."""
        return len(self._runs)

    def _merged(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if len(self._runs) == 1:
            k, cols = _run_arrays(self._runs[0])
            return np.array(k), {name: np.array(c) for name, c in cols.items()}
        if not self._runs:
            return (np.zeros(0, dtype=np.uint64),
                    {name: np.zeros(0, dtype=dt) for name, dt in self._dtypes.items()})
        runs = [_run_arrays(r) for r in self._runs]
        keys = np.concatenate([k for k, _ in runs])
        order = np.argsort(keys, kind="stable")  # older runs first among equals
        return keys[order], {name: np.concatenate([c[name] for _, c in runs])
                             [order] for name in self._dtypes}

    @property
    def keys(self) -> np.ndarray:
        """All keys, sorted (the runs merged; read only)."""
        return self._merged()[0]

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """The payload columns in the order of :attr:`keys` (read only)."""
        return self._merged()[1]

    def span(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per query key, the positions ``[start, stop)`` of :attr:`keys` holding it
        (empty if absent). Positions count over all runs: use with :attr:`keys`
        and :attr:`columns`; :meth:`lookup` needs no merged copy."""
        q = np.asarray(keys, dtype=np.uint64)
        start = np.zeros(q.shape, dtype=np.intp)
        stop = np.zeros(q.shape, dtype=np.intp)
        for r in self._runs:
            run = _run_arrays(r)[0]
            start += np.searchsorted(run, q, side="left")
            stop += np.searchsorted(run, q, side="right")
        return start, stop

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Boolean array: is each query key present."""
        q = np.asarray(keys, dtype=np.uint64)
        found = np.zeros(q.shape, dtype=bool)
        for r in self._runs:
            run = _run_arrays(r)[0]
            if run.size:
                i = np.minimum(np.searchsorted(run, q), run.size - 1)
                found |= run[i] == q
        return found

    def lookup(self, keys: np.ndarray, **where: Sequence | np.ndarray
               ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The payload of the first entry added with each query key.

        Parameters
        ----------
        keys : array of uint64
            Query keys.
        **where : array
            Per payload column named, one value per query key: only entries whose
            column equals the query's value match.

        Returns
        -------
        found : numpy.ndarray of bool
            Whether a matching entry exists, per query key.
        columns : dict of numpy.ndarray
            Per payload column, the value of the first matching entry in insertion
            order (0 where none matches).
        """
        q = np.asarray(keys, dtype=np.uint64)
        want = {name: np.asarray(v, dtype=self._dtypes[name])
                for name, v in where.items()}
        found = np.zeros(q.shape, dtype=bool)
        out = {name: np.zeros(q.shape, dtype=dt) for name, dt in self._dtypes.items()}
        for r in self._runs:  # oldest first: the first match wins
            todo = np.flatnonzero(~found)
            if todo.size == 0:
                break
            run, cols = _run_arrays(r)
            start = np.searchsorted(run, q[todo], side="left")
            count = np.searchsorted(run, q[todo], side="right") - start
            hit = count > 0
            todo, start, count = todo[hit], start[hit], count[hit]
            if todo.size == 0:
                continue
            # every candidate position (equal keys), grouped by query, in order
            query = np.repeat(todo, count)
            pos = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(
                query.size)
            ok = np.ones(query.size, dtype=bool)
            for name, values in want.items():
                ok &= cols[name][pos] == values[query]
            query, pos = query[ok], pos[ok]
            query, first = np.unique(query, return_index=True)
            pos = pos[first]
            found[query] = True
            for name in self._dtypes:
                out[name][query] = cols[name][pos]
        return found, out

    def get(self, key: int, column: str) -> np.ndarray:
        """The values of one payload column for every entry with ``key``, in
        insertion order."""
        k = np.uint64(key)
        parts = []
        for r in self._runs:
            run, cols = _run_arrays(r)
            a, b = np.searchsorted(run, k, "left"), np.searchsorted(run, k, "right")
            if b > a:
                parts.append(np.array(cols[column][a:b]))
        return (np.concatenate(parts) if parts
                else np.zeros(0, dtype=self._dtypes[column]))

    def add(self, keys: np.ndarray, **columns: Sequence | np.ndarray) -> None:
        """Insert keys (repeats allowed) with one payload value per key and column;
        equal keys stay in insertion order."""
        k = np.asarray(keys, dtype=np.uint64)
        if set(columns) != set(self._dtypes):
            raise ValueError(f"payload columns must be {sorted(self._dtypes)}, got "
                             f"{sorted(columns)}")
        vals = {name: np.asarray(columns[name], dtype=dt)
                for name, dt in self._dtypes.items()}
        for name, v in vals.items():
            if v.shape != k.shape:
                raise ValueError(f"column {name!r} has {v.size} values for "
                                 f"{k.size} keys")
        if k.size == 0:
            return
        order = np.argsort(k, kind="stable")
        self._runs.append((k[order], {name: v[order] for name, v in vals.items()}))
        self._n += int(k.size)
        while len(self._runs) >= 2:
            a, b = self._runs[-2], self._runs[-1]
            if _run_size(a) >= self.max_run or _run_size(a) > 2 * _run_size(b):
                break
            (ak, acols), (bk, bcols) = a, b  # in memory: smaller than max_run
            at = np.searchsorted(ak, bk, side="right")  # b after equal keys of a
            merged = (np.insert(ak, at, bk),
                      {name: np.insert(acols[name], at, bcols[name])
                       for name in self._dtypes})
            self._runs[-2:] = [merged]
        # a run of max_run keys or more is final (only the two newest runs merge,
        # and never when the older has max_run keys): to the temporary file
        if self.spill:
            for i, r in enumerate(self._runs):
                if not isinstance(r, _SpilledRun) and _run_size(r) >= self.max_run:
                    keys, cols = r
                    handles = self._spill.put(keys, *cols.values())
                    if handles is None:  # no space or no temporary folder: keep it
                        break
                    self._runs[i] = _SpilledRun(self._spill, keys.size, handles[0],
                                                dict(zip(cols, handles[1:],
                                                         strict=True)))


def _hash64(b: bytes) -> int:
    """A 64-bit BLAKE2b hash of bytes (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(b, digest_size=8).digest(), "little")


class StringTable:
    """Append-only table of strings in one UTF-8 buffer, optionally interned.

    A string costs its UTF-8 bytes plus 8 bytes (its end offset) and, interned and
    indexed, 12 bytes (a 64-bit hash and its index in a :class:`SortedKeys`):
    a fraction of a Python ``str`` in a list and a dict. Strings added recently
    (up to :attr:`recent` of them) are looked up in a dict; older ones by their
    hash (BLAKE2b, so a pickled table works in another process), comparing the
    stored bytes. Any ``str`` round-trips exactly (lone surrogates included).

    Parameters
    ----------
    interned : bool
        Keep the strings distinct (:meth:`intern`, :meth:`find`); False: a plain
        list of strings (:meth:`append` only, no index).

    Examples
    --------
    >>> table = StringTable()
    >>> [table.intern(x) for x in ("a.json", "b.json", "a.json")]
    [0, 1, 0]
    >>> table[1], len(table), table.find("c.json")
    ('b.json', 2, -1)
    """

    recent: int = 4096

    def __init__(self, *, interned: bool = True) -> None:
        self.interned = interned
        self._data = bytearray()
        self._ends = array("q")
        self._index = SortedKeys(at=np.int32)  # hash -> index, once flushed
        self._pending: dict[str, int] = {}  # added, not yet in the index
        self._cache: dict[str, int] = {}  # recently found in the index

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self._ends)
        if not 0 <= i < len(self._ends):
            raise IndexError("string index out of range")
        start = self._ends[i - 1] if i else 0
        return self._data[start : self._ends[i]].decode("utf-8", "surrogatepass")

    def __iter__(self):
        for i in range(len(self._ends)):
            yield self[i]

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffer, the offsets and the hash index."""
        return (len(self._data) + self._ends.itemsize * len(self._ends)
                + self._index.nbytes)

    def find(self, s: str) -> int:
        """Index of ``s``, or -1."""
        if not self.interned:
            raise TypeError("find() needs an interned StringTable")
        i = self._pending.get(s)
        if i is None:
            i = self._cache.get(s)
        if i is not None:
            return i
        b = s.encode("utf-8", "surrogatepass")
        for j in self._index.get(_hash64(b), "at").tolist():
            start = self._ends[j - 1] if j else 0
            if self._data[start : self._ends[j]] == b:
                if len(self._cache) >= self.recent:
                    self._cache.clear()
                self._cache[s] = j
                return j
        return -1

    def append(self, s: str) -> int:
        """Store ``s``; returns its index (not interned tables only)."""
        if self.interned:
            raise TypeError("an interned StringTable adds strings with intern()")
        return self._add(s)

    def _add(self, s: str) -> int:
        self._data += s.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))
        return len(self._ends) - 1

    def intern(self, s: str) -> int:
        """Index of ``s``, stored first if absent."""
        i = self.find(s)
        if i < 0:
            i = self._pending[s] = self._add(s)
            if len(self._pending) >= self.recent:
                self._flush()
        return i

    def _flush(self) -> None:
        strings, at = list(self._pending), list(self._pending.values())
        self._index.add(np.array([_hash64(x.encode("utf-8", "surrogatepass"))
                                  for x in strings], dtype=np.uint64), at=at)
        if len(self._cache) + len(self._pending) > self.recent:
            self._cache.clear()
        self._cache.update(self._pending)
        self._pending = {}


_INDEXED = re.compile(r"(.*)\[(0|[1-9][0-9]{0,9})\]", re.S)
_MAX_NUMBER = 2**31 - 1


class LabelStore:
    """Append-only store of record labels, about 4 bytes a label (on disk beyond
    the newest 65,536).

    Labels are origins such as ``"2012-01-01_juche.json.gz:articles[3]"``. A label
    is split at its last ``":"`` into a prefix (a file name) and a suffix; a suffix
    ``name[number]`` (a record position) is stored as ``name`` and the number, any
    other suffix as itself. Prefixes and names are interned in a
    :class:`StringTable` (stored once per file) and run-length encoded: labels
    added one after another with the same prefix and name (the records of one
    file) share one run of 16 bytes; each label stores its number (4 bytes; full
    blocks of 65,536 numbers go to a temporary file and are read back one at a
    time, when a duplicate names its first copy).
    ``store[i]`` rebuilds the exact label. (A position number with a leading zero
    or above ``2**31 - 1`` stays part of the suffix.)

    Parameters
    ----------
    strings : StringTable, optional
        The table to intern prefixes and names in (shared with the reader's file
        list, so a file name is stored once; a new one by default).

    Examples
    --------
    >>> store = LabelStore()
    >>> [store.add(x) for x in ("a.json:articles[3]", "a.json:articles[4]", "b")]
    [0, 1, 2]
    >>> store[1], store[2], len(store)
    ('a.json:articles[4]', 'b', 3)
    """

    def __init__(self, strings: StringTable | None = None) -> None:
        self._own_strings = strings is None
        self._strings = StringTable() if strings is None else strings
        self._run_start = array("q")  # index of the first label of each run
        self._run_prefix = array("i")  # string id of the prefix (or the whole label)
        self._run_name = array("i")  # string id of the suffix or its name; -1: none
        # per label: the number (-1: the suffix as is), old blocks in a file
        self._number = _BlockArray("i")
        self._last: tuple[str, str | None] | None = None  # the last run's strings

    def __len__(self) -> int:
        return len(self._number)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays and the string table (unless shared)."""
        return ((self._strings.nbytes if self._own_strings else 0)
                + 8 * len(self._run_start)
                + 4 * (len(self._run_prefix) + len(self._run_name))
                + self._number.nbytes)

    def add(self, label: str) -> int:
        """Store a label; returns its index."""
        prefix, colon, suffix = label.rpartition(":")
        number = -1
        if not colon:
            prefix, name = label, None
        else:
            m = _INDEXED.fullmatch(suffix)
            if m is not None and int(m.group(2)) <= _MAX_NUMBER:
                name, number = m.group(1), int(m.group(2))
            else:
                name = suffix
        if self._last != (prefix, name):
            self._last = (prefix, name)
            self._run_start.append(len(self._number))
            self._run_prefix.append(self._strings.intern(prefix))
            self._run_name.append(-1 if name is None else self._strings.intern(name))
        self._number.append(number)
        return len(self._number) - 1

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self._number)
        if not 0 <= i < len(self._number):
            raise IndexError("label index out of range")
        run = bisect.bisect_right(self._run_start, i) - 1
        prefix, name = self._run_prefix[run], self._run_name[run]
        if name < 0:
            return self._strings[prefix]
        number = self._number[i]
        suffix = (self._strings[name] if number < 0
                  else f"{self._strings[name]}[{number}]")
        return f"{self._strings[prefix]}:{suffix}"


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (a bijection of uint64 with good avalanche)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _C1
    x = x ^ (x >> np.uint64(27))
    x = x * _C2
    return x ^ (x >> np.uint64(31))


def _pow_table(base: int, n: int) -> np.ndarray:
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


def _shingle_hashes(norms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of normalised texts, with the document index of each.

    Words are hashed from their UTF-8 bytes with a polynomial hash modulo 2**64
    (computed for all words at once from prefix sums) and mixed with splitmix64;
    so a word's hash depends on its bytes only. Shingles are returned grouped by
    document (ascending document index); duplicates within a document are kept.
    """
    n_docs = len(norms)
    data = np.frombuffer("\n".join(norms).encode("utf-8"), dtype=np.uint8)
    if data.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    sep = (data == 32) | (data == 10)
    is_word = ~sep
    prev = np.concatenate(([False], is_word[:-1]))
    nxt = np.concatenate((is_word[1:], [False]))
    starts = np.flatnonzero(is_word & ~prev)
    ends = np.flatnonzero(is_word & ~nxt) + 1
    if starts.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    doc = np.cumsum(data == 10)[starts]  # newlines before the word = document index
    with np.errstate(over="ignore"):
        ppow = _pow_table(_P, data.size + 1)
        prefix = np.zeros(data.size + 1, dtype=np.uint64)
        np.cumsum((data.astype(np.uint64) + np.uint64(1)) * ppow[:-1], out=prefix[1:])
        pinv = _pow_table(_PINV, data.size + 1)
        wh = _mix((prefix[ends] - prefix[starts]) * pinv[starts])
        n_words = wh.size
        counts = np.bincount(doc, minlength=n_docs)
        parts, part_docs = [], []
        if n_words >= SHINGLE:
            m = n_words - SHINGLE + 1
            sh = wh[:m] * _POLY[0]
            for i in range(1, SHINGLE):
                sh = sh + wh[i : i + m] * _POLY[i]
            ok = doc[:m] == doc[SHINGLE - 1 :]
            parts.append(sh[ok])
            part_docs.append(doc[:m][ok])
        short = np.flatnonzero((counts > 0) & (counts < SHINGLE))
        if short.size:
            first = np.concatenate(([0], np.cumsum(counts)[:-1]))
            vals = np.zeros(short.size, dtype=np.uint64)
            for j, d in enumerate(short):
                w0 = first[d]
                for i in range(counts[d]):
                    vals[j] = vals[j] + wh[w0 + i] * _POLY[i]
            parts.append(vals)
            part_docs.append(short.astype(np.int64))
        if not parts:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        flat = _mix(np.concatenate(parts))
        docs = np.concatenate(part_docs).astype(np.int64)
    if short.size:
        order = np.argsort(docs, kind="stable")
        flat, docs = flat[order], docs[order]
    return flat, docs


def shingle_set(norm: str) -> np.ndarray:
    """Sorted unique shingle hashes of one normalised text (the set ``S``)."""
    return np.unique(_shingle_hashes([norm])[0])


def _signatures(norms: Sequence[str]) -> np.ndarray:
    """MinHash signatures, shape (n_docs, N_PERM), uint64 (empty docs: all max)."""
    n = len(norms)
    if n > _SIG_BATCH:  # bound the temporary arrays
        return np.concatenate([_signatures(norms[i : i + _SIG_BATCH])
                               for i in range(0, n, _SIG_BATCH)])
    sig = np.full((n, N_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    flat, docs = _shingle_hashes(norms)
    if flat.size == 0:
        return sig
    present = np.unique(docs)
    starts = np.searchsorted(docs, present)
    with np.errstate(over="ignore"):
        for p in range(N_PERM):
            v = flat * _A[p] + _B[p]
            sig[present, p] = np.minimum.reduceat(v, starts)
    return sig


#: ``(digest, signature)`` of one document: :func:`exact_key` of its normalised
#: text, and its MinHash signature as ``N_PERM`` uint64 bytes, or None when the
#: document is too short for the near-duplicate test (or it is not wanted).
DocKeys = tuple[bytes, "bytes | None"]


def doc_keys(text: str, near: bool = True) -> DocKeys:
    """The :data:`DocKeys` :meth:`Deduplicator.process` computes for ``text``."""
    return many_doc_keys([text], near)[0]


def many_doc_keys(texts: Sequence[str], near: bool = True) -> list[DocKeys]:
    """:func:`doc_keys` of many texts (signatures computed together)."""
    norms = [normalise(t) for t in texts]
    out: list[DocKeys] = [(exact_key(n), None) for n in norms]
    long = [i for i, n in enumerate(norms) if near and n.count(" ") + 1 >= MIN_WORDS]
    if long:
        sigs = _signatures([norms[i] for i in long])
        for i, row in zip(long, sigs, strict=True):
            out[i] = (out[i][0], row.tobytes())
    return out


def _band_keys(sig: np.ndarray) -> np.ndarray:
    """One 64-bit key per (doc, band): shape (n_docs, BANDS)."""
    s = sig.reshape(sig.shape[0], BANDS, ROWS)
    with np.errstate(over="ignore"):
        key = np.zeros(s.shape[:2], dtype=np.uint64)
        for r in range(ROWS):
            key = key * np.uint64(0x100000001B3) + (s[:, :, r] >> np.uint64(17))
    return key


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique uint64 arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


class Deduplicator:
    """Stateful exact and near-duplicate filter, fed batches in rank order.

    Parameters
    ----------
    exact : bool
        Drop exact duplicates.
    near : bool
        Drop near duplicates (Jaccard of 5-word shingles >= ``threshold``).
    threshold : float
        Jaccard threshold.
    window : int
        Number of most recent kept documents remembered across batches for the
        near-duplicate test. Each costs its text and label and 328 bytes (id,
        LSH band keys and MinHash signature, in arrays; the buckets are found by
        sorting the band keys once per batch): about 1.9 kB for a KCNA article.
        Exact duplicates are remembered without limit: the 128-bit digest and
        the label of every kept document, in compact arrays, about 20 bytes per
        document (8 + 8 for the digest, 4 for the index of its label, 4 for the
        label's record number in the :class:`LabelStore`) plus the file names
        once each. All but the newest ~65,536 digests and labels are kept in
        temporary files (see :class:`SortedKeys`), so the memory they hold does
        not grow with the corpus.
    names : StringTable, optional
        Where the labels' file names are interned (see :class:`LabelStore`).

    Attributes
    ----------
    keys : SortedKeys
        The exact-duplicate digests seen so far: the first 8 bytes as the key,
        the last 8 (``lo``) and the index of the first copy's label (``label``,
        into ``labels``) as payload.
    labels : LabelStore
        The labels of the first copies.
    """

    def __init__(self, *, exact: bool = True, near: bool = True,
                 threshold: float = THRESHOLD, window: int = 20_000,
                 names: StringTable | None = None) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got "
                             f"{threshold!r}")
        self.exact, self.near, self.threshold = exact, near, threshold
        self.window = window
        self.keys = SortedKeys(lo=np.uint64, label=np.int32)
        self.labels = LabelStore(names)
        # the window: kept documents of earlier batches, oldest first, in arrays
        # (id, LSH band keys, signature: 328 bytes a document) and lists
        self._win_gid = np.zeros(0, dtype=np.int64)
        self._win_keys = np.zeros((0, BANDS), dtype=np.uint64)
        self._win_sig = np.zeros((0, N_PERM), dtype=np.uint64)
        self._win_text: list[str] = []
        self._win_label: list[str] = []
        self.next_gid = 0

    def _window_candidates(self, keys: np.ndarray) -> list[list[int]]:
        """Per document (a row of band ``keys``), the window positions sharing an
        LSH bucket with it, ascending: in each band, the last :data:`_MAX_BUCKET`
        window documents with the same key."""
        n, w = keys.shape[0], self._win_gid.size
        out: list[list[int]] = [[] for _ in range(n)]
        if not w:
            return out
        pairs = []
        for b in range(BANDS):
            order = np.argsort(self._win_keys[:, b], kind="stable")
            sorted_keys = self._win_keys[order, b]
            stop = np.searchsorted(sorted_keys, keys[:, b], side="right")
            start = np.maximum(np.searchsorted(sorted_keys, keys[:, b], side="left"),
                               stop - _MAX_BUCKET)
            count = stop - start
            if not count.any():
                continue
            doc = np.repeat(np.arange(n, dtype=np.int64), count)
            at = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(
                doc.size)
            pairs.append(doc * w + order[at])
        if pairs:
            doc, pos = np.divmod(np.unique(np.concatenate(pairs)), w)
            for d, p in zip(doc.tolist(), pos.tolist(), strict=True):
                out[d].append(p)
        return out

    def _lookup(self, digests: Sequence[bytes]) -> list[int]:
        """Per digest, the label index of an earlier batch's copy, or -1."""
        out = [-1] * len(digests)
        if not len(self.keys) or not digests:
            return out
        hi, lo = _digest_halves(digests)
        found, payload = self.keys.lookup(hi, lo=lo)  # all 128 bits equal
        label = payload["label"]
        for j in np.flatnonzero(found).tolist():
            out[j] = int(label[j])
        return out

    def process(self, texts: Sequence[str], labels: Sequence[str], *,
                remember: bool = True,
                keys: Sequence[DocKeys | None] | None = None,
                ) -> list[tuple[str, str, float] | None]:
        """Decide every document of a batch (already in rank order).

        ``keys``, if given, holds each document's :func:`doc_keys` (computed
        elsewhere, e.g. by the reader's workers; None: computed here).

        Returns, per document, ``None`` (keep) or ``(reason, label_of_kept_copy,
        jaccard)`` with reason ``"duplicate"`` or ``"near_duplicate"``.
        """
        n = len(texts)
        if keys is None:  # in blocks, so normalised texts are held only briefly
            keys = [k for b0 in range(0, n, _SIG_BATCH)
                    for k in many_doc_keys(texts[b0:b0 + _SIG_BATCH], self.near)]
        pre = [k if k is not None else doc_keys(t, self.near)
               for k, t in zip(keys, texts, strict=True)]
        out: list[tuple[str, str, float] | None] = [None] * n
        live: list[int] = []
        rows: list[bytes] = []
        firsts: dict[bytes, int] = {}  # this batch's new digests -> position
        earlier = self._lookup([k[0] for k in pre]) if self.exact else None
        for i, (digest, sig) in enumerate(pre):
            if self.exact:
                if earlier[i] >= 0:
                    out[i] = ("duplicate", self.labels[earlier[i]], 1.0)
                    continue
                first = firsts.get(digest)
                if first is not None:
                    out[i] = ("duplicate", labels[first], 1.0)
                    continue
                firsts[digest] = i
            if self.near and sig is not None:
                live.append(i)
                rows.append(sig)
        sig_all = (np.frombuffer(b"".join(rows), dtype=np.uint64).reshape(-1, N_PERM)
                   if rows else None)
        return self._decide(texts, labels, remember, out, firsts, live, sig_all)

    def _decide(self, texts: Sequence[str], labels: Sequence[str], remember: bool,
                out: list, firsts: dict[bytes, int], live: list[int],
                sig: np.ndarray | None) -> list[tuple[str, str, float] | None]:
        """Record this batch's new digests, then the near-duplicate decisions of
        the ``live`` documents (signatures ``sig``, one row each)."""
        if firsts:
            hi, lo = _digest_halves(list(firsts))
            self.keys.add(hi, lo=lo,
                          label=[self.labels.add(labels[i]) for i in firsts.values()])
        if not self.near or not live:
            return out
        keys = _band_keys(sig)
        t_low = self.threshold - _PREFILTER
        sets: dict[int, np.ndarray] = {}

        def set_of(li: int) -> np.ndarray:
            got = sets.get(li)
            if got is None:
                got = sets[li] = shingle_set(normalise(texts[live[li]]))
            return got

        # candidates: window documents (earlier batches, all older than this
        # batch's) sharing a bucket, then this batch's kept documents so far
        in_window = self._window_candidates(keys)
        batch_tables: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        for li, i in enumerate(live):
            row = keys[li]
            cands: set[int] = set()
            for b in range(BANDS):
                prev = batch_tables[b].get(int(row[b]))
                if prev:
                    cands.update(prev[-_MAX_BUCKET:])
            best: tuple[float, str] | None = None
            for p in in_window[li]:
                if np.count_nonzero(self._win_sig[p] == sig[li]) / N_PERM < t_low:
                    continue
                jac = jaccard(set_of(li), shingle_set(normalise(self._win_text[p])))
                if jac >= self.threshold and (best is None or jac > best[0]):
                    best = (jac, self._win_label[p])
            for lj in sorted(cands):
                if np.count_nonzero(sig[lj] == sig[li]) / N_PERM < t_low:
                    continue
                jac = jaccard(set_of(li), set_of(lj))
                if jac >= self.threshold and (best is None or jac > best[0]):
                    best = (jac, labels[live[lj]])
            if best is not None:
                out[i] = ("near_duplicate", best[1], round(best[0], 4))
            else:
                for b in range(BANDS):
                    batch_tables[b].setdefault(int(row[b]), []).append(li)
        gid0 = self.next_gid
        self.next_gid = gid0 + len(live)
        if not remember:
            return out
        # remember the kept documents of this batch (bounded window)
        kept = [li for li, i in enumerate(live) if out[i] is None]
        drop = max(0, self._win_gid.size + len(kept) - self.window)
        self._win_gid = np.concatenate(
            (self._win_gid, gid0 + np.array(kept, dtype=np.int64)))[drop:]
        self._win_keys = np.concatenate((self._win_keys, keys[kept]))[drop:]
        self._win_sig = np.concatenate((self._win_sig, sig[kept]))[drop:]
        self._win_text.extend(texts[live[li]] for li in kept)
        self._win_label.extend(labels[live[li]] for li in kept)
        del self._win_text[:drop], self._win_label[:drop]
        return out
