"""Leader mentions and honorific density.

A *mention* is an occurrence of a leader's name (or alias) that refers to the person:
names directly followed by an institution word of the leaders file ("Kim Il Sung
University", "Kim Jong Il Prize", "Kim Il Sung-Kim Jong Il Foundation") name things,
not the person, and are not mentions. Fused forms ("Kimilsungism", "Kimjongilia")
never match, because a name must start and end at a word boundary.

The *honorifics* of a mention are the honorific units (epithets and titles of the
leaders file) in the contiguous run immediately before the name, read right to left,
longest unit first: "the great leader Comrade Kim Il Sung" has ``[great, leader,
Comrade]``. Units are separated by white space or a comma ("the great, respected
Comrade"); anything else (a determiner, a possessive pronoun, a preposition, "and",
another name, any word that is not a unit) ends the run. The last unit and the name are
separated by white space only.

Everything is driven by one versioned file, ``data/leaders.toml`` (see
:func:`load_leaders`), whose version and sha256 go into the provenance of every result.
The definitions and formulas of the density measures are in
``docs/methods/honorifics.md``.

Performance: one compiled regular expression finds every name in a text; for each
mention, the honorific run is read by anchored matches on the reversed ~300 characters
before the name, and the appositive title and possessive by anchored matches after it.
No Python object is built per token; :meth:`LeaderMatcher.scan` returns compact numpy
arrays for the one-pass pipeline.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from ._columns import as_corpus
from ._provenance import attach, provenance, sha256_bytes

__all__ = [
    "LEADERS_FILE",
    "Leader",
    "LeaderSet",
    "LeaderMatcher",
    "Scan",
    "LeadersFileError",
    "load_leaders",
    "leader_mentions",
    "honorific_density",
    "MENTION_COLUMNS",
    "DENSITY_MEASURES",
    "COUNT_MEASURES",
]

#: The leaders file shipped with kcnalex.
LEADERS_FILE = Path(__file__).resolve().parent / "data" / "leaders.toml"

#: Columns of :func:`leader_mentions`, in order.
MENTION_COLUMNS = ("doc_id", "leader", "start", "end", "surface", "honorifics",
                   "post_title", "possessive")

#: Measures of :func:`honorific_density` (columns of ``form="wide"``).
DENSITY_MEASURES = ("n_mentions", "n_honored", "n_honorifics", "honorifics_per_1k",
                    "honored_share", "units_per_mention")

#: Count measures of ``form="long"`` (plus one ``n_unit:<unit>`` per unit used).
COUNT_MEASURES = ("n_mentions", "n_honored", "n_honorifics")

_KINDS = ("dprk", "foreign")
# characters that may not touch a name or a unit (word characters and joiners)
_WORD = r"[^\W_]"


# a lower-case word that may modify an appositive title head ("faithful successor")
# but is not a pronoun, verb or conjunction ("Kim Jong Il, he said")
_FREE_MODIFIER = (
    r"(?!(?:who|whom|whose|which|that|he|she|it|they|we|you|i|his|her|its|their|our"
    r"|is|was|are|were|be|been|has|had|have|and|or|but|not|also|said|says|saying"
    r"|noted|added|stressed|who's)(?![^\W_]))[a-z][a-z-]*"
)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


class LeadersFileError(ValueError):
    """A leaders file is malformed (the message names the file and the problem)."""


@dataclass(frozen=True)
class Leader:
    """One leader of a leaders file.

    Attributes
    ----------
    name : str
        Canonical name (the ``leader`` column of the results).
    aliases : tuple of str
        Other names of the same person (also matched).
    kind : {"dprk", "foreign"}
        DPRK leader or foreign leader.
    default : bool
        Whether the leader is tracked when ``leaders=None``.
    """

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "dprk"
    default: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class LeaderSet:
    """A loaded leaders file and the selection of leaders to track.

    Build with :func:`load_leaders`; narrow or widen with :meth:`select`.

    Attributes
    ----------
    leaders : tuple of Leader
        All leaders of the file.
    active : tuple of str
        Canonical names of the leaders tracked (default: those with ``default``).
    units : tuple of str
        Honorific units (epithets and titles), as spelled in the file.
    case_sensitive : tuple of str
        Units and variants matched with their case only.
    variants : tuple of (str, str)
        Variant spelling -> unit it counts as (plurals, abbreviations).
    not_followed_by : tuple of str
        Institution words: a name followed by one is not a mention.
    post_titles : tuple of str
        Heads of an appositive title after a comma.
    version, sha256, path : str
        Version declared in the file, sha256 of its bytes, where it was read from.
    """

    leaders: tuple[Leader, ...]
    active: tuple[str, ...]
    units: tuple[str, ...]
    case_sensitive: tuple[str, ...]
    variants: tuple[tuple[str, str], ...]
    not_followed_by: tuple[str, ...]
    post_titles: tuple[str, ...]
    version: str
    sha256: str
    path: str = field(default="")

    def select(self, leaders: str | Iterable[str] | None = None) -> LeaderSet:
        """Return a copy tracking other leaders.

        Parameters
        ----------
        leaders : None, "all", "dprk", "foreign" or iterable of str
            ``None``: the leaders marked ``default = true``; ``"all"``: every leader of
            the file; ``"dprk"`` / ``"foreign"``: the leaders of that kind; an
            iterable: these canonical names (or aliases).

        Returns
        -------
        LeaderSet
        """
        if leaders is None:
            active = [ld.name for ld in self.leaders if ld.default]
        elif isinstance(leaders, str) and leaders == "all":
            active = [ld.name for ld in self.leaders]
        elif isinstance(leaders, str) and leaders in _KINDS:
            active = [ld.name for ld in self.leaders if ld.kind == leaders]
        else:
            if isinstance(leaders, str):
                leaders = [leaders]
            lookup = {n.casefold(): ld.name for ld in self.leaders for n in ld.names}
            active = []
            for name in leaders:
                canon = lookup.get(str(name).casefold())
                if canon is None:
                    raise ValueError(
                        f"unknown leader {name!r}; the leaders file has "
                        f"{[ld.name for ld in self.leaders]}"
                    )
                if canon not in active:
                    active.append(canon)
        order = [ld.name for ld in self.leaders]
        return replace(self, active=tuple(sorted(active, key=order.index)))

    def record(self) -> dict[str, Any]:
        """Provenance record of the file (name, version, sha256, path, active)."""
        return {"name": "leaders", "version": self.version, "sha256": self.sha256,
                "path": self.path, "active": list(self.active)}


def _strings(value: Any, where: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                              for v in value):
        raise LeadersFileError(f"{path}: {where} must be a list of non-empty strings")
    return tuple(" ".join(v.split()) for v in value)


def load_leaders(path: str | Path | None = None) -> LeaderSet:
    """Read a leaders file (TOML) into a :class:`LeaderSet`.

    Parameters
    ----------
    path : str or Path, optional
        A leaders file; default the one shipped with kcnalex (``data/leaders.toml``).

    Returns
    -------
    LeaderSet
        Leaders (name, aliases, kind, default), the honorific units, variants,
        institution words and appositive title heads, with the file's ``version`` and
        the ``sha256`` of its bytes.

    Raises
    ------
    LeadersFileError
        If a required table or key is missing or has the wrong type.

    Notes
    -----
    File layout::

        [leaders]
        version = "2025.1"
        [[leader]]
        name = "Kim Jong Un"
        aliases = []
        kind = "dprk"          # or "foreign"
        default = true         # tracked when leaders=None (default: kind == "dprk")
        [honorifics]
        units = ["respected", "Comrade", "General Secretary", ...]
        case_sensitive = ["HE"]
        [honorifics.variants]
        "Comrades" = "Comrade"
        [mentions]
        not_followed_by = ["University", "Prize", ...]
        post_titles = ["general secretary", ...]

    See Also
    --------
    leader_mentions, honorific_density

    Examples
    --------
    >>> lf = load_leaders()
    >>> lf.active
    ('Kim Il Sung', 'Kim Jong Il', 'Kim Jong Un', 'Kim Jong Suk')
    >>> "General Secretary" in lf.units
    True
    """
    p = Path(path) if path is not None else LEADERS_FILE
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LeadersFileError(f"{p}: not a valid TOML file ({exc})") from exc
    where = str(p)
    head = data.get("leaders")
    if not isinstance(head, dict) or not isinstance(head.get("version"), str):
        raise LeadersFileError(
            f"{where}: needs a [leaders] table with a version string")
    entries = data.get("leader")
    if not isinstance(entries, list) or not entries:
        raise LeadersFileError(f"{where}: needs at least one [[leader]] table")
    leaders = []
    seen: set[str] = set()
    for i, e in enumerate(entries):
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            raise LeadersFileError(f"{where}: [[leader]] #{i + 1} needs a name")
        kind = e.get("kind", "dprk")
        if kind not in _KINDS:
            raise LeadersFileError(f"{where}: leader {e['name']!r}: kind must be one "
                                   f"of {_KINDS}, got {kind!r}")
        name = " ".join(e["name"].split())
        aliases = _strings(e.get("aliases", []), f"aliases of {name!r}", where)
        for n in (name, *aliases):
            if n.casefold() in seen:
                raise LeadersFileError(f"{where}: name {n!r} is given twice")
            seen.add(n.casefold())
        default = e.get("default", kind == "dprk")
        if not isinstance(default, bool):
            raise LeadersFileError(f"{where}: leader {name!r}: default must be a bool")
        leaders.append(Leader(name, aliases, kind, default))
    hon = data.get("honorifics", {})
    units = _strings(hon.get("units"), "[honorifics] units", where)
    case_sensitive = _strings(hon.get("case_sensitive", []),
                              "[honorifics] case_sensitive", where)
    variants_raw = hon.get("variants", {})
    if not isinstance(variants_raw, dict):
        raise LeadersFileError(f"{where}: [honorifics.variants] must be a table")
    unit_keys = {u.casefold() for u in units}
    variants = []
    for k, v in variants_raw.items():
        if not isinstance(v, str) or v.casefold() not in unit_keys:
            raise LeadersFileError(f"{where}: variant {k!r} must map to a unit, "
                                   f"got {v!r}")
        variants.append((" ".join(k.split()), " ".join(v.split())))
    ment = data.get("mentions", {})
    not_followed_by = _strings(ment.get("not_followed_by", []),
                               "[mentions] not_followed_by", where)
    post_titles = _strings(ment.get("post_titles", []), "[mentions] post_titles",
                           where)
    lset = LeaderSet(
        leaders=tuple(leaders), active=(), units=units,
        case_sensitive=case_sensitive, variants=tuple(variants),
        not_followed_by=not_followed_by, post_titles=post_titles,
        version=head["version"], sha256=sha256_bytes(raw), path=str(p),
    )
    return lset.select(None)


def _resolve(leaders: LeaderSet | str | Iterable[str] | None) -> LeaderSet:
    if isinstance(leaders, LeaderSet):
        return leaders
    return load_leaders().select(leaders)


# --------------------------------------------------------------------------- patterns
def _phrase(words: str, *, reverse: bool = False) -> str:
    """Regex for a literal phrase: any white space between words, ' matches ’."""
    text = words[::-1] if reverse else words
    parts = [re.escape(w).replace("'", "['’]") for w in text.split()]
    return r"\s+".join(parts)


def _alternation(phrases: Iterable[str], *, reverse: bool = False) -> str:
    # longest first: a regex alternation takes the first alternative that matches
    uniq = sorted(set(phrases), key=lambda s: (-len(s), s))
    return "|".join(_phrase(p, reverse=reverse) for p in uniq)


class Scan(NamedTuple):
    """Compact result of :meth:`LeaderMatcher.scan` (one entry per mention).

    ``leader`` indexes :attr:`LeaderMatcher.names`; the honorific units of mention
    ``i`` are ``unit_id[unit_offsets[i]:unit_offsets[i + 1]]`` (indexes into
    :attr:`LeaderMatcher.units`, in text order) at character spans
    ``unit_start``/``unit_end``.
    """

    leader: np.ndarray        # int16, index into LeaderMatcher.names
    start: np.ndarray         # int64, name start (character offset)
    end: np.ndarray           # int64, name end
    post_title: np.ndarray    # bool
    possessive: np.ndarray    # bool
    unit_offsets: np.ndarray  # int64, n_mentions + 1
    unit_id: np.ndarray       # int32, index into LeaderMatcher.units
    unit_start: np.ndarray    # int64
    unit_end: np.ndarray      # int64

    @property
    def n_units(self) -> np.ndarray:
        """Number of honorific units of each mention (int64)."""
        return np.diff(self.unit_offsets)


class LeaderMatcher:
    """Compiled matcher for the leaders of a :class:`LeaderSet`.

    Build it once and call :meth:`scan` per document (this is what the one-pass
    pipeline does); :func:`leader_mentions` and :func:`honorific_density` use it.

    Parameters
    ----------
    leaders : LeaderSet, None, "all", "dprk", "foreign" or iterable of str
        Which leaders to track (see :meth:`LeaderSet.select`); default the ``default``
        leaders of the shipped file.

    Attributes
    ----------
    names : tuple of str
        Canonical names of the tracked leaders (``Scan.leader`` indexes it).
    units : tuple of str
        Honorific units (``Scan.unit_id`` indexes it).
    leader_set : LeaderSet
    """

    def __init__(self, leaders: LeaderSet | str | Iterable[str] | None = None):
        lset = _resolve(leaders)
        self.leader_set = lset
        self.names: tuple[str, ...] = lset.active
        self.units: tuple[str, ...] = lset.units
        by_name = {ld.name: ld for ld in lset.leaders}
        # surface key (white space collapsed, upper case) -> leader index
        self._key: dict[str, int] = {}
        active_forms: list[str] = []
        for i, name in enumerate(self.names):
            for form in by_name[name].names:
                self._key[form.upper()] = i
                active_forms += [form, form.upper()]
        all_forms = [f for ld in lset.leaders for n in ld.names
                     for f in (n, n.upper())]
        any_name = _alternation(all_forms)
        inst = _alternation(lset.not_followed_by)
        if active_forms:
            guard = (rf"(?!(?:\s*-\s*(?:{any_name}))*\s+(?i:{inst})(?!{_WORD}))"
                     if inst else "")
            # no look-behind at the start: it would disable the regex engine's
            # literal-prefix search (30x slower); the left boundary is checked in
            # scan()
            self._name_re: re.Pattern[str] | None = re.compile(
                rf"(?:{_alternation(active_forms)})(?!{_WORD}){guard}")
        else:
            self._name_re = None
        # honorific units, reversed, for reading the run right to left
        cs = {u.casefold() for u in lset.case_sensitive}
        forms: dict[str, int] = {}
        for j, u in enumerate(self.units):
            forms[u] = j
        for variant, unit in lset.variants:
            j = next(k for k, u in enumerate(self.units)
                     if u.casefold() == unit.casefold())
            forms[variant] = j
        self._unit_of: dict[str, int] = {}
        sens, insens = [], []
        for f, j in forms.items():
            self._unit_of[f.casefold()] = j
            (sens if f.casefold() in cs else insens).append(f)
        alts = []
        if insens:
            alts.append(f"(?i:{_alternation(insens, reverse=True)})")
        if sens:
            alts.append(_alternation(sens, reverse=True))
        unit_rev = "|".join(sorted(alts, key=len, reverse=True))
        # one must not stop inside a word: the unit is not preceded (in the text)
        # by a word character, hyphen or apostrophe
        tail = rf"(?!{_WORD}|[-'’])"
        self._first_re = re.compile(rf"\s+(?P<u>{unit_rev}){tail}")
        self._next_re = re.compile(rf"(?:\s*,\s*|\s+)(?P<u>{unit_rev}){tail}")
        longest = max((len(f) for f in forms), default=0)
        self._window = max(120, 3 * longest)
        # forward unit pattern for the appositive title's modifiers
        unit_fwd = _alternation(list(forms))
        heads = _alternation(lset.post_titles)
        if heads:
            self._post_re: re.Pattern[str] | None = re.compile(
                rf"\s*,\s*(?:(?i:the|a|an)\s+)?"
                rf"(?:(?:(?i:{unit_fwd})|{_FREE_MODIFIER})\s*,?\s+){{0,4}}"
                rf"(?i:{heads})(?!{_WORD}|-)"
                # a coordinated name ("Kim Il Sung, leader Kim Jong Il") is no title
                rf"(?!(?:\s+(?i:{unit_fwd}))*\s+(?:{any_name})(?!{_WORD}))"
                rf"(?=\s*(?:[,.;:)\"”'’]|$)|\s+(?i:of|and|who|whose|in|to|for|at|as"
                rf"|on|is|was|has|had|with|from)(?!{_WORD}))")
        else:
            self._post_re = None
        self._poss_re = re.compile(r"\s?['’][sS](?!" + _WORD + ")")

    # ------------------------------------------------------------------ scanning
    def _honorifics(self, text: str, start: int
                    ) -> list[tuple[int, int, int]]:
        """Units (unit index, start, end) in the run before ``start``, text order."""
        lo = max(0, start - self._window)
        rev = text[lo:start][::-1]
        m = self._first_re.match(rev)
        out: list[tuple[int, int, int]] = []
        while m is not None:
            us, ue = m.span("u")
            surface = " ".join(rev[us:ue][::-1].split())
            out.append((self._unit_of[surface.casefold()], start - ue, start - us))
            m = self._next_re.match(rev, m.end())
        out.reverse()
        return out

    def scan(self, text: str) -> Scan:
        """Find the mentions of the tracked leaders in one text.

        Parameters
        ----------
        text : str

        Returns
        -------
        Scan
            Compact arrays, one entry per mention, in text order.

        Examples
        --------
        >>> m = LeaderMatcher()
        >>> s = m.scan("The respected Comrade Kim Jong Un visited Kim Il Sung Square.")
        >>> [m.names[i] for i in s.leader], s.start.tolist(), s.n_units.tolist()
        (['Kim Jong Un'], [22], [2])
        >>> [m.units[j] for j in s.unit_id]
        ['respected', 'Comrade']
        """
        leader: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        post: list[bool] = []
        poss: list[bool] = []
        offsets = [0]
        uid: list[int] = []
        ust: list[int] = []
        uen: list[int] = []
        if self._name_re is not None and text:
            post_re, poss_re = self._post_re, self._poss_re
            search = self._name_re.search
            m = search(text)
            while m is not None:
                s, e = m.span()
                if s > 0 and _is_word_char(text[s - 1]):
                    # glued to a preceding word: not a name here; look again from
                    # the next character (an alias may start inside the match)
                    m = search(text, s + 1)
                    continue
                leader.append(self._key[" ".join(m.group().split()).upper()])
                starts.append(s)
                ends.append(e)
                poss.append(poss_re.match(text, e) is not None)
                post.append(post_re is not None and post_re.match(text, e) is not None)
                for j, a, b in self._honorifics(text, s):
                    uid.append(j)
                    ust.append(a)
                    uen.append(b)
                offsets.append(len(uid))
                m = search(text, e)
        return Scan(
            np.asarray(leader, dtype=np.int16), np.asarray(starts, dtype=np.int64),
            np.asarray(ends, dtype=np.int64), np.asarray(post, dtype=bool),
            np.asarray(poss, dtype=bool), np.asarray(offsets, dtype=np.int64),
            np.asarray(uid, dtype=np.int32), np.asarray(ust, dtype=np.int64),
            np.asarray(uen, dtype=np.int64),
        )

    def counts(self, text: str, *, scan: Scan | None = None) -> np.ndarray:
        """Per-leader counts of one text: ``(n_leaders, 3)`` int64 array.

        Columns: mentions, honored mentions (>= 1 unit), honorific units. For the
        one-pass pipeline (pass ``scan`` when the text was scanned already).
        """
        sc = self.scan(text) if scan is None else scan
        k = len(self.names)
        n_units = sc.n_units
        li = sc.leader.astype(np.int64)
        return np.stack([
            np.bincount(li, minlength=k),
            np.bincount(li, weights=n_units > 0, minlength=k).astype(np.int64),
            np.bincount(li, weights=n_units, minlength=k).astype(np.int64),
        ], axis=1)


def _params_record(lset: LeaderSet, **params: Any) -> dict[str, Any]:
    return {"leaders": list(lset.active), **params}


# ---------------------------------------------------------------------- public API
def leader_mentions(
    corpus: pd.DataFrame | str | Sequence[str],
    *,
    leaders: LeaderSet | str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per mention of a leader in each document's text.

    A mention is a leader's name or alias in ``text`` (any white space between its
    words; as written or in capitals) that is not part of a longer word and is not
    directly followed by an institution word of the leaders file (``Kim Il Sung
    University``, ``Kim Jong Il Prize``, ``Kim Il Sung-Kim Jong Il Foundation``).
    Its honorifics are the units of the contiguous run of epithets and titles right
    before the name (right to left, longest unit first; units separated by white
    space or a comma; the last unit and the name by white space).

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame (``doc_id``, ``text``), or plain strings (documents
        ``"text-0"``, ``"text-1"``, ...). Texts should come from
        :func:`kcnalex.read_corpus`, which repairs the names kcna.kp glued to their
        neighbours (``ComradeKim Jong Uninvited``): on unrepaired text such names do
        not match.
    leaders : LeaderSet, None, "all", "dprk", "foreign" or iterable of str
        Leaders to track. ``None`` (default): the leaders marked ``default = true``
        in the shipped file, i.e. Kim Il Sung, Kim Jong Il, Kim Jong Un and Kim Jong
        Suk (foreign leaders ship with ``default = false``); ``"all"``: also the
        foreign leaders (Putin, Medvedev, Jiang Zemin, Hu Jintao, Xi Jinping,
        Trump); a list of names; or ``load_leaders(path).select(...)`` for another
        file.

    Returns
    -------
    pandas.DataFrame
        One row per mention, in document then text order:

        - ``doc_id`` (str)
        - ``leader`` (str): canonical name
        - ``start``, ``end`` (int64): character offsets of the name in ``text``
        - ``surface`` (str): ``text[start:end]``
        - ``honorifics`` (list of str): the units before the name, in text order,
          case kept, inner white space collapsed to one space (``"General
          Secretary"``); ``[]`` when none
        - ``post_title`` (bool): an appositive title follows: a comma, an optional
          article and epithets, and a title head of the file (``Kim Jong Un,
          general secretary of the WPK``), not followed by another name
        - ``possessive`` (bool): ``'s`` follows the name (``Kim Jong Il's``)

        ``attrs["kcnalex"]`` holds the provenance (library version, leaders file
        version and sha256, the leaders tracked).

    See Also
    --------
    honorific_density : per-document rates.
    load_leaders : the leaders file.
    LeaderMatcher.scan : the same for one text, as compact arrays.

    References
    ----------
    The method and its choices: ``docs/methods/honorifics.md``.

    Examples
    --------
    >>> df = leader_mentions("The great leader Comrade Kim Il Sung and Kim Jong Il's "
    ...                      "works were studied at Kim Il Sung University.")
    >>> df[["leader", "start", "honorifics", "possessive"]]
            leader  start                honorifics  possessive
    0  Kim Il Sung     25  [great, leader, Comrade]       False
    1  Kim Jong Il     41                        []        True
    """
    data = as_corpus(corpus)
    matcher = LeaderMatcher(leaders)
    names = np.asarray(matcher.names, dtype=object)
    cols: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    for doc_id, text in zip(data["doc_id"].tolist(), data["text"].tolist()):
        if not isinstance(text, str) or not text:
            continue
        sc = matcher.scan(text)
        n = len(sc.start)
        if n == 0:
            continue
        cols["doc_id"] += [doc_id] * n
        cols["leader"] += names[sc.leader].tolist()
        cols["start"] += sc.start.tolist()
        cols["end"] += sc.end.tolist()
        cols["surface"] += [text[a:b] for a, b in zip(sc.start.tolist(),
                                                        sc.end.tolist())]
        us, ue, off = sc.unit_start.tolist(), sc.unit_end.tolist(), sc.unit_offsets
        cols["honorifics"] += [
            [" ".join(text[us[k]:ue[k]].split()) for k in range(off[i], off[i + 1])]
            for i in range(n)
        ]
        cols["post_title"] += sc.post_title.tolist()
        cols["possessive"] += sc.possessive.tolist()
    df = pd.DataFrame({
        "doc_id": pd.Series(cols["doc_id"], dtype=object),
        "leader": pd.Series(cols["leader"], dtype=object),
        "start": pd.Series(cols["start"], dtype=np.int64),
        "end": pd.Series(cols["end"], dtype=np.int64),
        "surface": pd.Series(cols["surface"], dtype=object),
        "honorifics": pd.Series(cols["honorifics"], dtype=object),
        "post_title": pd.Series(cols["post_title"], dtype=bool),
        "possessive": pd.Series(cols["possessive"], dtype=bool),
    })
    lset = matcher.leader_set
    return attach(df, provenance("leader_mentions", params=_params_record(lset),
                                 lexicons=[lset.record()], tokenizer=False,
                                 leaders_file=lset.record()))


def honorific_density(
    corpus: pd.DataFrame | str | Sequence[str],
    *,
    leaders: LeaderSet | str | Iterable[str] | None = None,
    by_leader: bool = True,
    form: Literal["wide", "long", "units"] = "wide",
) -> pd.DataFrame:
    r"""Honorific density per document (and per leader).

    For document :math:`d` (and leader :math:`l` when ``by_leader``), with
    :math:`T_d` its word tokens (:func:`kcnalex.tokenize.count_tokens`),
    :math:`M_{dl}` its mentions of :math:`l` (:func:`leader_mentions`) and
    :math:`u(m)` the number of honorific units of mention :math:`m`:

    .. math::

        n\_mentions = |M_{dl}|, \quad
        n\_honored = |\{m \in M_{dl} : u(m) \ge 1\}|, \quad
        n\_honorifics = \sum_{m \in M_{dl}} u(m)

        honorifics\_per\_1k = 1000 \cdot n\_honorifics / T_d, \quad
        honored\_share = n\_honored / n\_mentions, \quad
        units\_per\_mention = n\_honorifics / n\_mentions

    ``honored_share`` and ``units_per_mention`` are NaN when ``n_mentions`` is 0;
    ``honorifics_per_1k`` is NaN when ``T_d`` is 0. With ``by_leader=False`` the
    mentions of all tracked leaders are pooled. To aggregate over documents, sum the
    counts and divide (ratio of sums, e.g. :math:`1000 \sum_d n\_honorifics_d /
    \sum_d T_d`), not the mean of the per-document rates.

    Parameters
    ----------
    corpus : DataFrame, str or sequence of str
        A corpus frame or plain strings (see :func:`leader_mentions`). Honorific
        units are English; restrict to ``lang == "en"`` for English-only measures.
    leaders : LeaderSet, None, "all", "dprk", "foreign" or iterable of str
        Leaders to track (see :func:`leader_mentions`).
    by_leader : bool
        One row per document and leader (every tracked leader, also those with no
        mention, so that tokens of every document enter the rates), or one row per
        document with ``leader = "all"``.
    form : {"wide", "long", "units"}
        ``"wide"``: one row per document (x leader) with the columns below;
        ``"long"``: doc-stats frame for :func:`kcnalex.timeseries.aggregate`
        (``doc_id, date, leader, measure, value, n_tokens``) holding the *counts*
        only: ``n_mentions``, ``n_honored``, ``n_honorifics`` for every document (x
        leader), and ``n_unit:<unit>`` for each unit that occurs. Rates and shares
        are recomputed from counts by the aggregation (ratio of sums):
        ``aggregate(long, by="leader", ratios={"honored_share": ("n_honored",
        "n_mentions"), "units_per_mention": ("n_honorifics", "n_mentions")})``,
        whose rate of ``n_honorifics`` per 1,000 tokens is ``honorifics_per_1k``;
        ``"units"``: counts by unit, ``doc_id, date, leader, unit, n`` (only the
        units that occur).

    Returns
    -------
    pandas.DataFrame
        ``form="wide"``: ``doc_id``, ``date``, ``leader``, ``n_tokens`` (int64),
        ``n_mentions``, ``n_honored``, ``n_honorifics`` (int64),
        ``honorifics_per_1k``, ``honored_share``, ``units_per_mention`` (float64).
        ``attrs["kcnalex"]``: library and tokenizer versions, leaders file version
        and sha256, parameters.

    See Also
    --------
    leader_mentions, LeaderMatcher.counts, kcnalex.timeseries.aggregate

    References
    ----------
    Definitions and choices: ``docs/methods/honorifics.md``.

    Examples
    --------
    >>> d = honorific_density(["The respected Comrade Kim Jong Un spoke. "
    ...                        "Kim Jong Un left."], leaders=["Kim Jong Un"])
    >>> d[["n_tokens", "n_mentions", "n_honorifics", "honored_share"]]
       n_tokens  n_mentions  n_honorifics  honored_share
    0        11           2             2            0.5
    >>> round(float(d["honorifics_per_1k"].iloc[0]), 3)
    181.818
    """
    from .tokenize import count_tokens_batch

    if form not in ("wide", "long", "units"):
        raise ValueError(f"form must be 'wide', 'long' or 'units', got {form!r}")
    data = as_corpus(corpus)
    matcher = LeaderMatcher(leaders)
    lset = matcher.leader_set
    texts = [t if isinstance(t, str) else "" for t in data["text"].tolist()]
    n_docs = len(texts)
    k = len(matcher.names)
    n_tokens = np.zeros(n_docs, dtype=np.int64)
    batch = 512
    for i in range(0, n_docs, batch):
        n_tokens[i:i + batch] = count_tokens_batch(texts[i:i + batch])
    counts = np.zeros((n_docs, k, 3), dtype=np.int64)
    unit_rows: list[tuple[int, int, int, int]] = []  # doc, leader, unit, n
    for d, text in enumerate(texts):
        if not text:
            continue
        sc = matcher.scan(text)
        if len(sc.start) == 0:
            continue
        counts[d] = matcher.counts(text, scan=sc)
        if len(sc.unit_id) and form != "wide":
            lead = np.repeat(sc.leader.astype(np.int64), sc.n_units)
            if not by_leader:
                lead = np.zeros_like(lead)
            key = lead * len(matcher.units) + sc.unit_id
            vals, cnt = np.unique(key, return_counts=True)
            for v, c in zip(vals.tolist(), cnt.tolist()):
                unit_rows.append((d, v // len(matcher.units), v % len(matcher.units),
                                  c))
    if by_leader:
        leader_labels = list(matcher.names)
    else:
        counts = counts.sum(axis=1, keepdims=True)
        leader_labels = ["all"]
        k = 1
    doc_ids = data["doc_id"].to_numpy(dtype=object)
    dates = pd.to_datetime(data["date"]).to_numpy()
    rec = provenance(
        "honorific_density",
        params=_params_record(lset, by_leader=by_leader, form=form),
        lexicons=[lset.record()], leaders_file=lset.record(),
    )
    if form == "units":
        if unit_rows:
            arr = np.asarray(unit_rows, dtype=np.int64)
        else:
            arr = np.zeros((0, 4), dtype=np.int64)
        out = pd.DataFrame({
            "doc_id": doc_ids[arr[:, 0]],
            "date": dates[arr[:, 0]],
            "leader": np.asarray(leader_labels, dtype=object)[arr[:, 1]],
            "unit": np.asarray(matcher.units, dtype=object)[arr[:, 2]],
            "n": arr[:, 3],
        })
        return attach(out, rec)
    flat = counts.reshape(n_docs * k, 3)
    tok = np.repeat(n_tokens, k)
    n_m, n_h, n_u = flat[:, 0], flat[:, 1], flat[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1k = np.where(tok > 0, 1000.0 * n_u / np.where(tok > 0, tok, 1), np.nan)
        share = np.where(n_m > 0, n_h / np.where(n_m > 0, n_m, 1), np.nan)
        upm = np.where(n_m > 0, n_u / np.where(n_m > 0, n_m, 1), np.nan)
    wide = pd.DataFrame({
        "doc_id": np.repeat(doc_ids, k),
        "date": np.repeat(dates, k),
        "leader": np.tile(np.asarray(leader_labels, dtype=object), n_docs),
        "n_tokens": tok,
        "n_mentions": n_m,
        "n_honored": n_h,
        "n_honorifics": n_u,
        "honorifics_per_1k": per_1k.astype(np.float64),
        "honored_share": share.astype(np.float64),
        "units_per_mention": upm.astype(np.float64),
    })
    if form == "wide":
        return attach(wide, rec)
    long = wide.melt(id_vars=["doc_id", "date", "leader", "n_tokens"],
                     value_vars=list(COUNT_MEASURES), var_name="measure",
                     value_name="value")
    parts = [long]
    if unit_rows:
        arr = np.asarray(unit_rows, dtype=np.int64)
        parts.append(pd.DataFrame({
            "doc_id": doc_ids[arr[:, 0]],
            "date": dates[arr[:, 0]],
            "leader": np.asarray(leader_labels, dtype=object)[arr[:, 1]],
            "n_tokens": n_tokens[arr[:, 0]],
            "measure": ["n_unit:" + u for u in
                        np.asarray(matcher.units, dtype=object)[arr[:, 2]]],
            "value": arr[:, 3].astype(np.float64),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].astype(np.float64)
    out = out[["doc_id", "date", "leader", "measure", "value", "n_tokens"]]
    return attach(out, rec)
