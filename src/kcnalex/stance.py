"""Stance toward named actors (the US, South Korea, Japan, China, Russia, the UN).

The score of a (sentence, target) pair looks only at what the sentence says *about
that target*: cue words are attached to the nearest target mention (directed verbs to
the mention that follows them), so "Russia condemned the U.S." is hostile to the US
and neutral to Russia. The method is documented in ``docs/methods/stance.md`` and in
:func:`stance`.

Public functions: :func:`stance` (corpus -> one row per sentence x target),
:func:`stance_series` (stance frame -> per-period means), :func:`load_targets`
(targets TOML -> frame), :func:`load_cues` (cue lexicon -> frame), and for the
one-pass pipeline :class:`StanceScorer` / :func:`stance_doc_sums` (one document ->
per-target sums from compact arrays).
"""

from __future__ import annotations

import json
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np
import pandas as pd

from ._columns import as_corpus, validate_frame
from ._provenance import attach, provenance, sha256_bytes
from .tokenize import sentence_spans, word_spans

__all__ = [
    "DEFAULT_TAU",
    "DEFAULT_WINDOW",
    "NEGATORS",
    "StanceScorer",
    "load_cues",
    "load_targets",
    "stance",
    "stance_doc_sums",
    "stance_series",
]

#: |score| >= DEFAULT_TAU -> stance -1 / +1, otherwise 0.
DEFAULT_TAU = 0.2
#: A cue attaches to a mention at most this many word tokens away.
DEFAULT_WINDOW = 10
#: Words that flip a cue when one of them is among the 3 word tokens before it.
NEGATORS = frozenset({"no", "not", "never", "nor", "without"})
NEGATION_SPAN = 3
#: A directed cue takes a mention on its right as its object only this close
#: ("condemned the U.S.": 2); farther right mentions are not its object
#: ("supported the DPRK against the U.S."), so it falls back to the left.
DIRECTED_REACH = 3

STANCE_COLUMNS = ("doc_id", "date", "sent_id", "target", "score", "stance",
                  "n_mentions", "sent_start", "sent_end")

TARGET_CASES = ("sensitive", "first", "insensitive")

# --------------------------------------------------------------------------------
# Internal cue list (version INTERNAL_CUES_VERSION). Swap it with ``cues=``.
#
# weight: -1 hostile, +1 friendly (0.5 for weaker cues). "directed" cues are verbs
# (and their nouns) whose evaluation falls on their object: they attach to the nearest
# target mention to their right when it is within DIRECTED_REACH tokens, else to the
# nearest on their left ("Russia condemned the U.S." -> US; "the U.S. was condemned").
# Undirected cues (adjectives, epithets, nouns) attach to the nearest mention on
# either side (ties go right: adjectives precede their noun).
# --------------------------------------------------------------------------------
INTERNAL_CUES_VERSION = "internal-2"

_HOSTILE = """
aggression aggressions aggressive aggressor aggressors imperialist imperialists
imperialism warmonger warmongers war-monger war-mongers war maniac war maniacs
war-thirsty bellicose reckless recklessly provocation provocations provocative
provocateurs hostile hostility hostilities traitor traitors treacherous treachery
reactionary reactionaries criminal criminals crime crimes brigandish brigand brigands
gangster gangsters gangster-like plot plots plotting scheme schemes slander slanders
slanderous smear frantic frantically hysteria hysteric hysterical hysterics outburst
outbursts threat threats threaten threatens threatened threatening invasion invader
invaders occupation occupiers colonial colonialist colonialists militarist
militarists militaristic militarism despicable shameless shamelessly vicious sinister
confrontation confrontational blackmail arrogant arrogance fascist fascists fascism
dictatorship dictator stooge stooges lackey lackeys flunkey flunkeys flunkeyist
flunkeyism sycophant sycophants sycophantic betrayal betray betrayed traitorous
murderous massacre massacres atrocity atrocities plunder plundered genocide heinous
high-handed highhanded tricks trickery lie lies fabrication fabricated cynical
hypocritical hypocrisy ridiculous absurd crazy madcap rash misdeeds anti-dprk
anti-reunification anti-peace anti-national warlike war exercises war drills
war games war moves war hysteria nuclear war war of aggression hostile policy
nuclear blackmail arms buildup interference meddling infringement illegal unjust
double standards robber robbers robbery pirate piracy terrorist terrorists terrorism
vile dirty sordid filthy nasty evil devilish wicked cruel brutal barbarous
barbarity rogue rogues ugly thugs group of traitors stifle stifles stifled
stifling suppress suppresses suppressed suppressing suppression discrimination
discriminatory racket war racket preposterous espionage sophism sophistry mockery
riff-raff riff-raffs hard-liners hardline hard-line crafty artifice reinvasion invade
invades invaded invading war preparations preemptive attack nuclear attack ignite
igniting clamor clamour clamoring clamouring vandalism incriminate hamper hampering
hamstring hamstringing intolerable outrageous impudent impudence shameful villain
villains culprit culprits swindler charlatan nonsense rubbish henchman henchmen
scum human scum clique confab ruckus farce hype hyping insult insulting defame
defamation dastardly perfidious militarization remilitarization arms race violate
violates violated violating violation violations trample trampling infringe
encroach encroaching usurp usurped so-called anachronistic wire-pulling hideous
abuse abuses wreck wrecked enemy enemies isolate isolating
"""
_HOSTILE_WEAK = """
sanctions pressure moves ambition ambitions wild dangerous hegemony hegemonic
domination dominationist arbitrary unilateral intervention attempt attempts pretext
allegedly withdrawal pullout master masters tension tensions danger blame
"""
_FRIENDLY = """
friendly friendship fraternal comradely cooperation cooperative solidarity cordial
cordially warm warmly warm-hearted good-neighborly good-neighbourly amity gratitude
thanks congratulatory greetings goodwill good will sincere sincerely admiration
esteem unbreakable militant friendship blood-sealed close ties traditional ties
mutual understanding brotherly appreciate appreciates appreciated appreciation
hospitality comradeship friendly feelings kindly kindness rejoiced pleased
"""
_FRIENDLY_WEAK = """
good gift gifts prosperity success successful close closer deepening deepen
traditional mutual excellent trust partnership donate donates donated donation
assistance brave
"""
# institutional names ("friendship delegation", "cooperation committee") name a body
# and protocol objects (wreath, floral basket) are reported as routine: they evaluate
# no one (weight 0; the longest match wins over "friendship")
_NAMES = """
friendship delegation|friendship delegations|friendship association|friendship
associations|friendship society|friendship group|friendship groups|friendship
committee|friendship camping|friendship tower|friendship bridge|friendship hospital|
cooperation committee|cooperation council|friendly contact|wreath|wreaths|floral
basket|floral baskets|bouquet|bouquets
"""
_HOSTILE_DIRECTED = """
condemn condemns condemned condemning condemnation denounce denounces denounced
denouncing denunciation slam slams slammed slamming flay flays flayed flaying blast
blasts blasted blasting censure censures censured censuring accuse accuses accused
accusing lambaste lambastes lambasted assail assails assailed castigate castigates
castigated criticize criticizes criticized criticizing criticise criticised criticism
rebuke rebukes rebuked oppose opposes opposed opposing protest protests protested
reject rejects rejected rejecting ridicule ridiculed mocked derided deride
"""
_FRIENDLY_DIRECTED = """
support supports supported supporting congratulate congratulates congratulated
congratulating congratulation congratulations thank thanks thanked praise praises
praised praising hail hails hailed welcome welcomes welcomed welcoming greet greets
greeted admire admires admired respect respects respected honor honors honored
honour honoured
"""


def _cue_block(text: str) -> list[str]:
    """Split a cue block into terms: single words, except known multiword terms."""
    words = text.split()
    multi = {
        "war maniac", "war maniacs", "war exercises", "war drills", "war games",
        "war moves", "war hysteria", "nuclear war", "war of aggression",
        "hostile policy", "nuclear blackmail", "arms buildup", "double standards",
        "group of traitors", "good will", "militant friendship", "close ties",
        "traditional ties", "mutual understanding", "war racket",
        "war preparations", "preemptive attack", "nuclear attack", "human scum",
        "arms race", "friendly feelings",
    }
    terms: list[str] = []
    i = 0
    while i < len(words):
        for n in (4, 3, 2):
            cand = " ".join(words[i:i + n])
            if len(words[i:i + n]) == n and cand in multi:
                terms.append(cand)
                i += n
                break
        else:
            terms.append(words[i])
            i += 1
    return terms


def _internal_cues() -> pd.DataFrame:
    rows: list[tuple[str, float, bool]] = []
    for block, weight, directed in (
        (_HOSTILE, -1.0, False), (_HOSTILE_WEAK, -0.5, False),
        (_FRIENDLY, 1.0, False), (_FRIENDLY_WEAK, 0.5, False),
        (_HOSTILE_DIRECTED, -1.0, True), (_FRIENDLY_DIRECTED, 1.0, True),
    ):
        rows.extend((t, weight, directed) for t in _cue_block(block))
    rows.extend((" ".join(t.split()), 0.0, False) for t in _NAMES.split("|"))
    df = pd.DataFrame(rows, columns=["term", "weight", "directed"])
    # later blocks never override earlier ones ("thanks" is friendly either way)
    df = df.drop_duplicates("term", keep="first").reset_index(drop=True)
    df["source"] = "internal"
    return df


# --------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------
def _default_targets_path() -> Path:
    return Path(str(resources.files("kcnalex") / "data" / "targets.toml"))


def _targets_rows(spec: Mapping[str, Any], version: str, source: str) -> list[dict]:
    rows: list[dict] = []
    for name, entry in spec.get("targets", {}).items():
        if isinstance(entry, str):
            entry = [entry]
        if isinstance(entry, (list, tuple)):
            # plain list of surfaces: acronyms exact case, other words "first"
            entry = {"auto": list(entry)}
        for key, surfaces in entry.items():
            for surface in surfaces:
                if key == "auto":
                    case = ("sensitive" if re.fullmatch(r"[A-Z][A-Z.]+", surface)
                            else "first")
                    cue = 0
                elif key in ("hostile", "friendly"):
                    case, cue = "first", (-1 if key == "hostile" else 1)
                elif key in TARGET_CASES:
                    case, cue = key, 0
                else:
                    raise ValueError(
                        f"target {name!r}: unknown key {key!r}; use one of "
                        f"{[*TARGET_CASES, 'hostile', 'friendly']}")
                rows.append({"target": str(name), "surface": str(surface),
                             "case": case, "cue": cue, "kind": "surface",
                             "version": version, "source": source})
    for key, surfaces in spec.get("exclude", {}).items():
        if key not in TARGET_CASES:
            raise ValueError(f"[exclude]: unknown key {key!r}")
        for surface in surfaces:
            rows.append({"target": "", "surface": str(surface), "case": key,
                         "cue": 0, "kind": "exclude", "version": version,
                         "source": source})
    return rows


def load_targets(path: str | Path | Mapping[str, Any] | None = None, *,
                 defaults: bool = True) -> pd.DataFrame:
    """Load stance targets and their surface forms.

    Parameters
    ----------
    path : str, Path, mapping or None
        ``None``: the shipped ``kcnalex/data/targets.toml``. A path to a TOML file of
        the same layout (``version = ...``, ``[targets.NAME]`` tables with
        ``sensitive`` / ``first`` / ``insensitive`` / ``hostile`` / ``friendly``
        lists, optional ``[exclude]``), or a mapping ``{"Germany": ["Germany",
        "German", "Berlin"], ...}`` (or ``{"Germany": {"first": [...]}}``). Plain lists
        use ``sensitive`` for all-capital acronyms and ``first`` otherwise.
    defaults : bool
        Merge the shipped default targets with ``path`` (default True). A target
        named in ``path`` replaces the default target of the same name.

    Returns
    -------
    pandas.DataFrame
        One row per surface form: ``target``, ``surface``, ``case`` (``"sensitive"``:
        exact; ``"first"``: first letter in either case, rest exact, so
        ``"south Korea"`` also matches ``"South Korea"``; ``"insensitive"``),
        ``cue`` (-1 / +1 when the surface is itself a hostile / friendly epithet,
        else 0), ``kind`` (``"surface"``, or ``"exclude"`` for strings that are
        consumed but name no target; their ``target`` is ``""``), ``version`` and
        ``source`` (file name or ``"user"``). ``attrs["sha256"]`` is the sha256 of
        the sources (file bytes, or canonical JSON of a mapping), joined by ``+``
        when merged; ``attrs["version"]`` likewise.

    See Also
    --------
    stance : uses these targets.

    Examples
    --------
    >>> t = load_targets()
    >>> sorted(t.loc[t["kind"] == "surface", "target"].unique())
    ['China', 'Japan', 'Russia', 'South Korea', 'UN', 'US']
    >>> load_targets({"Germany": ["Germany", "German"]}).query(
    ...     "target == 'Germany'")["case"].tolist()
    ['first', 'first']
    """
    parts: list[tuple[list[dict], str, str]] = []
    if defaults or path is None:
        p = _default_targets_path()
        raw = p.read_bytes()
        spec = tomllib.loads(raw.decode("utf-8"))
        ver = str(spec.get("version", "unknown"))
        parts.append((_targets_rows(spec, ver, p.name), ver, sha256_bytes(raw)))
    if path is not None:
        if isinstance(path, Mapping):
            spec = dict(path)
            if "targets" not in spec:
                spec = {"targets": spec}
            raw = json.dumps(spec, sort_keys=True, default=list).encode("utf-8")
            ver = str(spec.get("version", "user"))
            src = "user"
        else:
            p = Path(path)
            raw = p.read_bytes()
            spec = tomllib.loads(raw.decode("utf-8"))
            ver = str(spec.get("version", "unknown"))
            src = p.name
        parts.append((_targets_rows(spec, ver, src), ver, sha256_bytes(raw)))
    rows: list[dict] = []
    for i, (part_rows, _, _) in enumerate(parts):
        if i > 0:  # a later source replaces targets of the same name
            names = {r["target"] for r in part_rows if r["kind"] == "surface"}
            rows = [r for r in rows if r["target"] not in names]
        rows.extend(part_rows)
    df = pd.DataFrame(rows, columns=["target", "surface", "case", "cue", "kind",
                                     "version", "source"])
    df["cue"] = df["cue"].astype(np.int64)
    df = df.drop_duplicates(["target", "surface", "case", "kind"], keep="last")
    df = df.reset_index(drop=True)
    df.attrs["sha256"] = "+".join(h for _, _, h in parts)
    df.attrs["version"] = "+".join(v for _, v, _ in parts)
    return df


def _surface_pattern(surface: str, case: str) -> str:
    esc = re.escape(surface)
    if case == "insensitive":
        return f"(?i:{esc})"
    if case == "first" and surface[:1].isalpha():
        return f"(?i:{re.escape(surface[0])}){re.escape(surface[1:])}"
    return esc


#: Prefilter of the mention regex: every non-ASCII character of a text becomes _MARK
#: (one character for one, so offsets stay), and the automaton holds the first
#: PREFIX_LEN characters of every surface form in every spelling the regex accepts
#: there (fewer characters when that would take more than PREFIX_KEYS spellings),
#: with _MARK for the non-ASCII ones; it finds a superset of mention starts.
PREFIX_LEN = 12
PREFIX_KEYS = 256
_MARK = "\x00"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII = [chr(i) for i in range(128)]


def _ascii_spellings(ch: str, insensitive: bool) -> list[str]:
    """Characters of the prefilter key that may stand where the regex matches ``ch``.

    Exact case: ``ch`` itself (``_MARK`` when it is not ASCII). Either case: the
    ASCII characters that ``(?i:ch)`` matches, found by trying all 128, plus
    ``_MARK`` (Python's case folding also pairs "k" with the Kelvin sign, "s"
    with the long s, ...).
    """
    if not insensitive:
        return [ch if ch.isascii() else _MARK]
    pat = re.compile(f"(?i:{re.escape(ch)})")
    return [c for c in _ASCII if pat.fullmatch(c)] + [_MARK]


def _prefix_automaton(surfaces: list[str], cases: list[str]
                      ) -> tuple[Any, dict[int, int]]:
    """Aho-Corasick automaton of surface-form prefixes (see PREFIX_LEN).

    Returns ``(automaton, lengths)``: each key's value is an id whose prefix
    length is ``lengths[id]``; ``(None, {})`` when a surface is empty (the regex
    could then match the empty string, and the prefilter does not apply).
    """
    if any(not s for s in surfaces):
        return None, {}
    keys: set[str] = set()
    for surface, case in zip(surfaces, cases):
        first = case == "first" and surface[:1].isalpha()
        acc = [""]
        for i, ch in enumerate(surface[:PREFIX_LEN]):
            ins = case == "insensitive" or (first and i == 0)
            opts = _ascii_spellings(ch, ins)
            if i and len(acc) * len(opts) > PREFIX_KEYS:
                break
            acc = [a + o for a in acc for o in opts]
        keys.update(acc)
    auto = ahocorasick.Automaton()
    lengths: dict[int, int] = {}
    for k, key in enumerate(sorted(keys)):
        auto.add_word(key, k)
        lengths[k] = len(key)
    auto.make_automaton()
    return auto, lengths


# --------------------------------------------------------------------------------
# Cues
# --------------------------------------------------------------------------------
POLARITY_FILE = "kcna-polarity.csv"


def _polarity_path() -> Path:
    return Path(str(resources.files("kcnalex") / "data" / "lexicons" / POLARITY_FILE))


def load_cues(*, formulae: bool = True, polarity: bool = False,
              polarity_weight: float = 0.5, min_confidence: float = 0.0,
              polarity_min_score: float = 0.0) -> pd.DataFrame:
    """Assemble the cue lexicon used by :func:`stance`.

    Parameters
    ----------
    formulae : bool
        Add the ``hostility`` and ``friendship`` entries of the ``kcna-formulae``
        lexicon (:func:`kcnalex.load_lexicon`) when it is available, with their
        ``polarity`` (clipped to [-1, 1]) as weight; entries without a polarity are
        skipped, and internal cues of the same term win.
    polarity : bool
        Add the words of ``data/lexicons/kcna-polarity.csv`` (columns ``word``,
        ``score``, ``confidence``) that are not cues already, with weight
        ``polarity_weight * score / max|score|``, when the file is available.
        Off by default: on the hand labels it lowers accuracy (0.776 without it,
        0.577 with all 14,589 words, 0.766 with the 253 words of ``|score| >= 2``;
        see ``docs/methods/stance.md``).
    polarity_weight : float
        Largest absolute weight of a polarity-lexicon cue.
    min_confidence : float
        Polarity words with a lower ``confidence`` are ignored.
    polarity_min_score : float
        Polarity words with ``|score|`` below this (on the file's own scale) are
        ignored.

    Returns
    -------
    pandas.DataFrame
        ``term`` (lower case; multiword terms single-spaced), ``weight`` (signed),
        ``directed`` (bool), ``source`` (``"internal"``, ``"kcna-formulae"``,
        ``"kcna-polarity"``). ``attrs["lexicons"]`` lists the sources used (name,
        version, sha256) and ``attrs["missing"]`` the ones that were asked for but
        not available.
    """
    cues = _internal_cues()
    internal_raw = cues.to_csv(index=False).encode()
    used = [{"name": "stance-internal-cues", "version": INTERNAL_CUES_VERSION,
             "sha256": sha256_bytes(internal_raw)}]
    missing: list[str] = []
    if formulae:
        try:
            from .lexicons import load_lexicon

            lx = load_lexicon("kcna-formulae")
        except Exception:  # not available yet / not installed: internal cues only
            lx = None
            missing.append("kcna-formulae")
        if lx is not None:
            sel = lx[lx["category"].isin(["hostility", "friendship"])]
            pol = pd.to_numeric(sel["polarity"], errors="coerce")
            # entries without a polarity (courtesy call, multi-polar) are not cues
            sel = sel[pol.notna() & (pol != 0)]
            pol = pol[sel.index]
            if len(sel):
                terms = (sel["term"].astype(str).str.lower()
                         .str.split().str.join(" "))
                add = pd.DataFrame({"term": terms.to_numpy(),
                                    "weight": np.clip(pol.to_numpy(float), -1, 1),
                                    "directed": False, "source": "kcna-formulae"})
                # the internal list (tuned for stance, with its zero-weight
                # institutional names) wins where both have a term
                add = add[~add["term"].isin(cues["term"])].drop_duplicates("term")
                cues = pd.concat([cues, add], ignore_index=True)
            prov = lx.attrs.get("kcnalex", {}).get("lexicons") or []
            used.extend(prov or [{"name": "kcna-formulae",
                                  "version": str(lx["version"].iloc[0])
                                  if len(lx) else "", "sha256": ""}])
    if polarity:
        p = _polarity_path()
        if p.exists():
            raw = p.read_bytes()
            header = dict(
                line[2:].split(": ", 1) for line in
                raw.decode("utf-8").splitlines() if line.startswith("# ") and
                ": " in line)
            pol = pd.read_csv(p, comment="#", keep_default_na=False,
                              dtype={"word": str})
            pol = pol[pol["confidence"] >= min_confidence]
            pol = pol[(pol["score"] != 0)
                      & (np.abs(pol["score"]) >= polarity_min_score)]
            scale = float(np.abs(pol["score"]).max()) if len(pol) else 1.0
            add = pd.DataFrame({
                "term": pol["word"].astype(str).str.lower().to_numpy(),
                "weight": polarity_weight * pol["score"].to_numpy(float) / scale,
                "directed": False, "source": "kcna-polarity"})
            add = add[~add["term"].isin(cues["term"])].drop_duplicates("term")
            cues = pd.concat([cues, add], ignore_index=True)
            used.append({"name": "kcna-polarity",
                         "version": header.get("version", "unknown").strip(),
                         "sha256": sha256_bytes(raw)})
        else:
            missing.append("kcna-polarity")
    cues = cues.reset_index(drop=True)
    cues.attrs["lexicons"] = used
    cues.attrs["missing"] = missing
    return cues


# --------------------------------------------------------------------------------
# Scorer
# --------------------------------------------------------------------------------
_CONJ_GAP = re.compile(
    r"[\s,'’]*(?:(?:and|or|as well as|the|&|s)[\s,'’]*)*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w'-]")
#: ``_NOT_WORD.sub(" ", text.lower())`` as one table, for ASCII text
_LOWER_BLANK = str.maketrans({
    c: (c.lower() if _NOT_WORD.fullmatch(c) is None else " ")
    for c in map(chr, range(128))})
#: A hostile cue does not attach to a mention that follows it after one of these
#: words: the mention is the victim ("aggression against Russia", "sanctions on
#: China", "attack upon the U.S.").
VICTIM_MARKERS = ("against", "upon", "on", "toward", "towards", "at")
_VICTIM = re.compile(r"(?<![\w-])(?:" + "|".join(VICTIM_MARKERS) + r")(?![\w-])",
                     re.IGNORECASE)


@dataclass
class StanceScorer:
    """Compiled targets and cues; scores one document at a time.

    Build it once (it compiles a regex of the surface forms and an Aho-Corasick
    automaton of the cues) and call :meth:`score` or :meth:`doc_sums` per document.
    All outputs are numpy arrays: no DataFrame or Python object per token.

    Parameters
    ----------
    targets : DataFrame, optional
        From :func:`load_targets` (default: the shipped targets).
    cues : DataFrame, optional
        From :func:`load_cues` (default: ``load_cues()``), columns ``term``,
        ``weight``, ``directed``.
    window : int
        Largest distance, in word tokens, at which a cue attaches to a mention.
    tau : float
        Threshold: ``|score| >= tau`` gives stance -1 / +1.
    """

    targets: pd.DataFrame | None = None
    cues: pd.DataFrame | None = None
    window: int = DEFAULT_WINDOW
    tau: float = DEFAULT_TAU
    target_names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.targets is None:
            self.targets = load_targets()
        if self.cues is None:
            self.cues = load_cues()
        if self.window < 1:
            raise ValueError("window must be >= 1")
        if self.tau <= 0:
            raise ValueError("tau must be > 0")
        t = validate_frame(self.targets, ("target", "surface", "case", "cue", "kind"),
                           name="targets")
        bad = set(t["case"]) - set(TARGET_CASES)
        if bad:
            raise ValueError(f"targets: unknown case rule(s) {sorted(bad)}")
        surf = t[t["kind"] == "surface"]
        self.target_names = list(dict.fromkeys(surf["target"].tolist()))
        index = {n: i for i, n in enumerate(self.target_names)}
        # longest first: Python's regex alternation is leftmost-first, so at each
        # position the longest surface wins ("U.S. imperialists" over "U.S.")
        order = sorted(range(len(t)), key=lambda i: (-len(t["surface"].iat[i]), i))
        alts, self._group_target, self._group_cue = [], [], []
        for j, i in enumerate(order):
            pat = _surface_pattern(t["surface"].iat[i], t["case"].iat[i])
            alts.append(f"(?P<g{j}>{pat})")
            kind = t["kind"].iat[i]
            self._group_target.append(index[t["target"].iat[i]]
                                      if kind == "surface" else -1)
            self._group_cue.append(float(t["cue"].iat[i]))
        self._regex = re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")
        self._prefilter = _prefix_automaton(t["surface"].tolist(),
                                            t["case"].tolist())
        c = validate_frame(self.cues, ("term", "weight", "directed"), name="cues")
        self._automaton = ahocorasick.Automaton()
        self._cue_weight = c["weight"].to_numpy(float)
        self._cue_directed = c["directed"].to_numpy(bool)
        for k, term in enumerate(c["term"].astype(str).tolist()):
            key = " ".join(term.lower().split())
            if key:
                self._automaton.add_word(key, (k, len(key)))
        if len(self._automaton):
            self._automaton.make_automaton()

    # ---------------------------------------------------------------- mentions
    def mentions(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                           np.ndarray]:
        """Target mentions in ``text``: ``(starts, ends, target_index, cue)``."""
        s, e, ti, cu = [], [], [], []
        gt, gc = self._group_target, self._group_cue
        for m in self._iter_mentions(text):
            g = int(m.lastgroup[1:])
            if gt[g] < 0:
                continue
            s.append(m.start())
            e.append(m.end())
            ti.append(gt[g])
            cu.append(gc[g])
        return (np.asarray(s, dtype=np.int64), np.asarray(e, dtype=np.int64),
                np.asarray(ti, dtype=np.int64), np.asarray(cu, dtype=float))

    def _iter_mentions(self, text: str):
        """The matches of ``self._regex.finditer(text)``, found faster.

        The big alternation is tried only where the prefilter automaton saw the
        first characters (up to PREFIX_LEN) of some surface form; every match of the
        regex starts at such a place, so scanning those starts left to right with
        ``match`` (skipping starts inside the previous match) gives exactly the
        matches of ``finditer``.
        """
        auto, plen = self._prefilter
        if auto is None:
            yield from self._regex.finditer(text)
            return
        key = text if text.isascii() else _NON_ASCII.sub(_MARK, text)
        starts = sorted({end - plen[k] + 1 for end, k in auto.iter(key)})
        match = self._regex.match
        last = 0
        for p in starts:
            if p < last:
                continue
            m = match(text, p)
            if m is not None:
                last = m.end()
                yield m

    # -------------------------------------------------------------------- cues
    def _cues_in(self, text: str, a: int, b: int) -> list[tuple[int, int, int]]:
        """Leftmost-longest cue matches in ``text[a:b]`` with word boundaries."""
        if not len(self._automaton):
            return []
        # offsets are kept 1:1; multiword cues match single-spaced text only
        low = _NOT_WORD.sub(" ", text[a:b].lower())
        return [(st + a, en + a, k) for st, en, k in self._cues_low(low, 0, len(low))]

    def _cues_low(self, low: str, a: int, b: int) -> list[tuple[int, int, int]]:
        """:meth:`_cues_in` for ``text[a:b]`` from ``low``, the whole document
        lower-cased and blanked as there (ASCII text only: then the characters of
        ``low[a:b]`` are the ones ``_cues_in`` makes of the slice)."""
        found = []
        for end, (k, n) in self._automaton.iter(low, a, b):
            st = end - n + 1
            if st > a and low[st - 1].isalnum():
                continue
            if end + 1 < b and low[end + 1].isalnum():
                continue
            found.append((st, end + 1, k))
        if not found:
            return []
        found.sort(key=lambda x: (x[0], x[0] - x[1]))
        out, last = [], -1
        for st, en, k in found:
            if st >= last:
                out.append((st, en, k))
                last = en
        return out

    # ------------------------------------------------------------------- score
    def score(self, text: str, *,
              sentences: tuple[np.ndarray, np.ndarray] | None = None,
              words: tuple[np.ndarray, np.ndarray] | None = None
              ) -> dict[str, np.ndarray]:
        """Score every (sentence, target) pair of one document.

        Parameters
        ----------
        text : str
            The document's text.
        sentences, words : (starts, ends), optional
            :func:`kcnalex.tokenize.sentence_spans` and
            :func:`kcnalex.tokenize.word_spans` (``names=False``) of ``text``, if
            already computed.

        Returns
        -------
        dict of numpy.ndarray
            Parallel arrays, one element per (sentence, target) pair that has a
            mention: ``sent_id``, ``target`` (index into ``target_names``),
            ``score``, ``stance``, ``n_mentions``, ``sent_start``, ``sent_end``.
        """
        empty = {k: np.zeros(0, dtype=np.int64) for k in
                 ("sent_id", "target", "stance", "n_mentions", "sent_start",
                  "sent_end")}
        empty["score"] = np.zeros(0, dtype=float)
        if not isinstance(text, str) or not text:
            return empty
        ms, me, mt, mc = self.mentions(text)
        if not len(ms):
            return empty
        ss, se = sentences if sentences is not None else sentence_spans(text)
        ws, we = words if words is not None else word_spans(text)
        sent_of = np.searchsorted(ss, ms, side="right") - 1
        ok = (sent_of >= 0) & (ms < se[np.maximum(sent_of, 0)])
        ms, me, mt, mc, sent_of = ms[ok], me[ok], mt[ok], mc[ok], sent_of[ok]
        # word-token span [ta, tb) of each mention (a mention inside a hyphenated
        # token such as "DPRK-U.S." maps to that token)
        ta = np.searchsorted(we, ms, side="right")
        tb = np.maximum(np.searchsorted(ws, me, side="left"), ta + 1)
        # the per-sentence work below runs on Python lists: the arrays are tiny
        # and numpy's per-call cost would dominate
        msl, mel, mtl, mcl = ms.tolist(), me.tolist(), mt.tolist(), mc.tolist()
        tal, tbl, sol = ta.tolist(), tb.tolist(), sent_of.tolist()
        wsl, wel = ws.tolist(), we.tolist()
        # ASCII text: lower-case and blank it once for the whole document (the
        # same characters as per sentence); otherwise per sentence, since
        # str.lower can change lengths and depends on context outside ASCII
        low = (text.translate(_LOWER_BLANK)
               if text.isascii() and len(self._automaton) else None)
        cw, cdir = self._cue_weight, self._cue_directed
        out_sid, out_t, out_score, out_n = [], [], [], []
        W = self.window
        n_m = len(msl)
        lo = 0
        while lo < n_m:
            sid = sol[lo]
            hi = lo + 1
            while hi < n_m and sol[hi] == sid:
                hi += 1
            s0, s1 = int(ss[sid]), int(se[sid])
            # conjunct groups: mentions joined by "and", ",", "or", "the"
            groups: list[list[int]] = [[lo]]
            for i in range(lo + 1, hi):
                if _CONJ_GAP.fullmatch(text[mel[i - 1]:msl[i]]):
                    groups[-1].append(i)
                else:
                    groups.append([i])
            group_of = {i: n for n, grp in enumerate(groups) for i in grp}
            gs = [msl[g[0]] for g in groups]
            ga = [tal[g[0]] for g in groups]
            gb = [tbl[g[-1]] for g in groups]
            tset = [sorted({mtl[i] for i in g}) for g in groups]
            scores: dict[int, float] = {}
            counts: dict[int, int] = {}
            for i in range(lo, hi):
                t = mtl[i]
                counts[t] = counts.get(t, 0) + 1
                scores[t] = scores.get(t, 0.0) + mcl[i]
            # sentence word-token range, for negation look-back
            w0 = bisect_left(wsl, s0)
            cues = (self._cues_in(text, s0, s1) if low is None
                    else self._cues_low(low, s0, s1))
            for cs, ce, k in cues:
                # a cue inside a mention is already counted as its epithet; a cue
                # that contains a mention and more ("DPRK-China friendship",
                # "puppet warmongers") belongs to that mention's group (d = 0)
                j = next((i for i in range(lo, hi)
                          if msl[i] < ce and mel[i] > cs), -1)
                if j >= 0:
                    if msl[j] <= cs and ce <= mel[j]:
                        continue
                    add = cw[k] * _negated_list(
                        text, wsl, wel, w0, bisect_right(wel, min(cs, msl[j])))
                    for t in tset[group_of[j]]:
                        scores[t] += add
                    continue
                ca = bisect_right(wel, cs)
                cb = max(bisect_left(wsl, ce), ca + 1)
                # distance to each group; right: the group is after the cue
                right = [x >= cb for x in ga]
                dist = [0 if (x < cb and y > ca) else
                        (x - cb + 1 if r else ca - y + 1)
                        for x, y, r in zip(ga, gb, right)]
                near = [x <= W for x in dist]
                if cw[k] < 0:
                    for g in range(len(groups)):
                        if near[g] and right[g] and _VICTIM.search(text, ce, gs[g]):
                            near[g] = False
                if not any(near):
                    continue
                cand = []
                if cdir[k]:
                    cand = [g for g in range(len(groups)) if near[g] and right[g]
                            and dist[g] <= DIRECTED_REACH]
                if not cand:
                    cand = [g for g in range(len(groups)) if near[g]]
                # nearest; ties go to the group on the right (the larger index)
                best = min(cand, key=lambda g: (dist[g], -g))
                d = dist[best]
                w = cw[k] * (W + 1 - max(d, 1)) / W
                w *= _negated_list(text, wsl, wel, w0, ca)
                for t in tset[best]:
                    scores[t] += w
            for t in sorted(scores):
                out_sid.append(sid)
                out_t.append(t)
                out_score.append(round(scores[t], 12))
                out_n.append(counts[t])
            lo = hi
        score = np.asarray(out_score, dtype=float)
        sid = np.asarray(out_sid, dtype=np.int64)
        return {
            "sent_id": sid,
            "target": np.asarray(out_t, dtype=np.int64),
            "score": score,
            "stance": _label(score, self.tau),
            "n_mentions": np.asarray(out_n, dtype=np.int64),
            "sent_start": ss[sid].astype(np.int64),
            "sent_end": se[sid].astype(np.int64),
        }

    def doc_sums(self, text: str, *,
                 sentences: tuple[np.ndarray, np.ndarray] | None = None,
                 words: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> dict[str, np.ndarray]:
        """Per-target sums for one document (for the one-pass pipeline).

        Returns
        -------
        dict of numpy.ndarray
            One element per target of ``target_names`` (all of them, zeros where the
            document does not name it): ``score_sum`` (sum of sentence scores),
            ``n_sentences``, ``n_hostile``, ``n_friendly``. All are int64 when the
            document names no target at all (``score_sum`` is float64 otherwise).
        """
        r = self.score(text, sentences=sentences, words=words)
        n = len(self.target_names)
        t = r["target"]
        if not len(t):
            # as np.bincount gives for no rows: int64 zeros, score_sum included
            return {k: np.zeros(n, dtype=np.int64) for k in
                    ("score_sum", "n_sentences", "n_hostile", "n_friendly")}
        return {
            "score_sum": np.bincount(t, weights=r["score"], minlength=n),
            "n_sentences": np.bincount(t, minlength=n).astype(np.int64),
            "n_hostile": np.bincount(t[r["stance"] < 0], minlength=n).astype(np.int64),
            "n_friendly": np.bincount(t[r["stance"] > 0], minlength=n).astype(np.int64),
        }

    def provenance_lexicons(self) -> list[dict]:
        """Name, version and sha256 of the targets file(s) and cue sources."""
        out = [{"name": "targets", "version": self.targets.attrs.get("version", ""),
                "sha256": self.targets.attrs.get("sha256", "")}]
        out.extend(self.cues.attrs.get("lexicons", []))
        return out


def _negated(text: str, ws: np.ndarray, we: np.ndarray, first: int, at: int
             ) -> float:
    """-1.0 if a negator is among the NEGATION_SPAN word tokens before token ``at``
    (not before token ``first``, the sentence's first word), else 1.0."""
    for j in range(max(first, at - NEGATION_SPAN), at):
        if text[int(ws[j]):int(we[j])].lower() in NEGATORS:
            return -1.0
    return 1.0


def _negated_list(text: str, ws: list[int], we: list[int], first: int, at: int
                  ) -> float:
    """:func:`_negated` with the word spans as lists."""
    for j in range(max(first, at - NEGATION_SPAN), at):
        if text[ws[j]:we[j]].lower() in NEGATORS:
            return -1.0
    return 1.0


def _label(score: np.ndarray, tau: float) -> np.ndarray:
    return np.where(score >= tau, 1, np.where(score <= -tau, -1, 0)).astype(np.int64)


def stance_doc_sums(text: str, *, scorer: StanceScorer | None = None,
                    sentences: tuple[np.ndarray, np.ndarray] | None = None,
                    words: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> dict[str, np.ndarray]:
    """Per-target stance sums of one document, from compact arrays.

    Parameters
    ----------
    text : str
        One document's text.
    scorer : StanceScorer, optional
        Build it once and reuse it (default: a new one with the shipped targets).
    sentences, words : (starts, ends), optional
        Sentence and word-token spans of ``text`` from :mod:`kcnalex.tokenize`
        (``word_spans(text, names=False)``), if the caller has them already.

    Returns
    -------
    dict of numpy.ndarray
        ``target`` (names), ``score_sum``, ``n_sentences``, ``n_hostile``,
        ``n_friendly``: one element per target.

    See Also
    --------
    stance : the same scores as one row per sentence and target.

    Examples
    --------
    >>> r = stance_doc_sums("The U.S. imperialists are aggressors. China is friendly.")
    >>> dict(zip(r["target"], r["score_sum"].round(3)))["US"]
    np.float64(-1.9)
    """
    scorer = scorer if scorer is not None else StanceScorer()
    sums = scorer.doc_sums(text, sentences=sentences, words=words)
    return {"target": np.asarray(scorer.target_names, dtype=object), **sums}


# --------------------------------------------------------------------------------
# Frame API
# --------------------------------------------------------------------------------
def stance(corpus: pd.DataFrame | str | list[str], *,
           targets: pd.DataFrame | str | Path | Mapping[str, Any] | None = None,
           window: int = DEFAULT_WINDOW, tau: float = DEFAULT_TAU,
           cues: pd.DataFrame | None = None, polarity: bool = False
           ) -> pd.DataFrame:
    r"""Stance of each sentence toward each named actor it mentions.

    For every sentence that names a target, the score sums the cues that the
    sentence attaches to that target:

    .. math::

        s(\text{sent}, t) = \sum_{m \in M_t} e_m
            + \sum_{c \to t} w_c \, \nu_c \, \frac{W + 1 - \max(d_c, 1)}{W}

    where :math:`M_t` are the sentence's mentions of :math:`t`, :math:`e_m` is -1 /
    +1 when the mention is itself an epithet ("U.S. imperialists", "puppets",
    "Yankees"), else 0; each cue :math:`c` (weight :math:`w_c` from the cue lexicon,
    see :func:`load_cues`) is attached to one group of mentions only: the nearest
    (in word tokens, :math:`d_c` = 1 for adjacent words) within :math:`W`
    (``window``) tokens, ties to the right; a *directed* cue (condemn, denounce,
    support, congratulate, ...) goes to the nearest group on its right when that is
    at most 3 tokens away (its object), else to the nearest on its left. A hostile
    cue does not attach to a group on its right when "against", "upon", "on",
    "toward(s)" or "at" stands between them (the victim). Mentions joined only
    by "and", "or", commas or "the"
    form one group and share its cues. :math:`\nu_c = -1` when "no", "not",
    "never", "nor" or "without" is among the 3 word tokens before the cue, else 1.
    A cue inside a mention is not counted again (the epithet is); a cue that
    contains a mention and more ("DPRK-China friendship") attaches to that
    mention's group with :math:`d_c = 0`. Then
    ``stance = +1 if score >= tau, -1 if score <= -tau, else 0``.

    Parameters
    ----------
    corpus : DataFrame, str or list of str
        A corpus frame (``doc_id``, ``text``, optional ``date``) or texts.
    targets : DataFrame, path, mapping or None
        A frame from :func:`load_targets` (used as is), or a TOML path / mapping of
        extra targets merged with the defaults by :func:`load_targets`.
    window : int
        :math:`W`, the largest cue-mention distance in word tokens (default 10).
    tau : float
        Threshold :math:`\tau` (default 0.2).
    cues : DataFrame, optional
        A cue lexicon (``term``, ``weight``, ``directed``); default
        ``load_cues(polarity=polarity)``.
    polarity : bool
        Whether the default cue lexicon includes the induced KCNA polarity lexicon
        (default False: it lowered accuracy on the hand labels; ignored when
        ``cues`` is given).

    Returns
    -------
    pandas.DataFrame
        One row per (document, sentence, target) where the sentence names the
        target: ``doc_id``, ``date``, ``sent_id`` (0-based sentence number, as in
        :func:`kcnalex.tokenize`), ``target``, ``score`` (float), ``stance`` (-1
        hostile, 0 neutral, +1 friendly), ``n_mentions`` (mentions of the target in
        the sentence), ``sent_start``, ``sent_end`` (character offsets of the
        sentence in ``text``). Provenance in ``attrs["kcnalex"]`` (targets and cue
        sources with versions and sha256; parameters).

    See Also
    --------
    load_targets, load_cues, stance_series, stance_doc_sums

    References
    ----------
    Method and validation: ``docs/methods/stance.md``. Cue attachment by proximity
    follows target-dependent sentiment baselines (e.g. Jiang et al. 2011,
    "Target-dependent Twitter Sentiment Classification", ACL).

    Examples
    --------
    >>> df = stance("Russia condemned the U.S. for its hostile policy.")
    >>> df[["target", "score", "stance"]].values.tolist()
    [['US', -1.7, -1], ['Russia', 0.0, 0]]
    """
    docs = as_corpus(corpus)
    if isinstance(targets, pd.DataFrame):
        tframe = targets
    else:
        tframe = load_targets(targets) if targets is not None else load_targets()
    cue_frame = cues if cues is not None else load_cues(polarity=polarity)
    scorer = StanceScorer(targets=tframe, cues=cue_frame, window=window, tau=tau)
    parts: dict[str, list] = {k: [] for k in ("doc", "sent_id", "target", "score",
                                              "stance", "n_mentions", "sent_start",
                                              "sent_end")}
    for i, text in enumerate(docs["text"].tolist()):
        r = scorer.score(text if isinstance(text, str) else "")
        if not len(r["sent_id"]):
            continue
        parts["doc"].append(np.full(len(r["sent_id"]), i, dtype=np.int64))
        for k in ("sent_id", "target", "score", "stance", "n_mentions", "sent_start",
                  "sent_end"):
            parts[k].append(r[k])

    def cat(key: str, dtype) -> np.ndarray:
        return (np.concatenate(parts[key]) if parts[key]
                else np.zeros(0, dtype=dtype))

    doc = cat("doc", np.int64)
    names = np.asarray(scorer.target_names, dtype=object)
    dates = pd.to_datetime(docs["date"]).to_numpy()
    out = pd.DataFrame({
        "doc_id": docs["doc_id"].to_numpy(dtype=object)[doc],
        "date": dates[doc],
        "sent_id": cat("sent_id", np.int64),
        "target": names[cat("target", np.int64)] if len(doc) else
        np.zeros(0, dtype=object),
        "score": cat("score", float),
        "stance": cat("stance", np.int64),
        "n_mentions": cat("n_mentions", np.int64),
        "sent_start": cat("sent_start", np.int64),
        "sent_end": cat("sent_end", np.int64),
    })
    params = {"window": window, "tau": tau, "polarity": polarity,
              "cues": "default" if cues is None else "user",
              "negators": sorted(NEGATORS), "negation_span": NEGATION_SPAN}
    missing = cue_frame.attrs.get("missing", [])
    return attach(out, provenance("stance", params=params,
                                  lexicons=scorer.provenance_lexicons(),
                                  missing_lexicons=missing))


def stance_series(stance_frame: pd.DataFrame, *, freq: str = "M",
                  targets: list[str] | None = None, ci: float | None = 0.95,
                  n_boot: int = 1000, seed: int = 0, min_docs: int = 5
                  ) -> pd.DataFrame:
    r"""Per-period mean stance per target.

    The stance frame is reduced to long doc stats, one row per document x target x
    measure: ``stance_sum`` (sum of the document's sentence scores for the target),
    ``label_sum`` (sum of its -1/0/+1 labels), ``n_hostile``, ``n_friendly``,
    ``n_sentences``; then :func:`kcnalex.timeseries.aggregate` gives, per period
    :math:`p` and target :math:`t`, the ratio estimators

    .. math::

        ar s_{p,t} = rac{\sum_{d \in p} 	ext{stance\_sum}_{d,t}}
                            {\sum_{d \in p} n_{d,t}}

    (the mean sentence score: each sentence that names :math:`t` weighs the same),
    and likewise the mean label and the shares of hostile and friendly sentences,
    with percentile bootstrap intervals over documents (see ``aggregate``).

    Parameters
    ----------
    stance_frame : DataFrame
        From :func:`stance`.
    freq : str
        Period: ``"D"``, ``"W"``, ``"M"`` (month), ``"Q"``, ``"Y"``.
    targets : list of str, optional
        Keep only these targets.
    ci, n_boot, seed, min_docs
        Passed to :func:`kcnalex.timeseries.aggregate` (``ci=None`` skips the
        bootstrap).

    Returns
    -------
    pandas.DataFrame
        One row per period x target: ``period`` (first day), ``group`` and
        ``target`` (the target), ``measure`` (``"stance"``), ``value`` (mean
        sentence score), ``ci_low``, ``ci_high`` (bootstrap bounds of ``value``),
        ``mean_stance`` (mean of the -1/0/+1 labels), ``share_hostile``,
        ``share_friendly``, ``n_sentences``, ``n_docs``, ``low_data``. Only
        periods in which the target is named. Rows with no date are dropped.
        Provenance in ``attrs["kcnalex"]`` (with ``aggregate``'s, which holds the
        stance frame's own).

    See Also
    --------
    stance, kcnalex.timeseries.aggregate

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "text": ["The U.S. imperialists lied.",
    ...                   "China is a friendly neighbour."],
    ...                   "date": pd.to_datetime(["2000-01-05", "2000-01-20"])})
    >>> s = stance_series(stance(c), freq="M", ci=None)
    >>> s[["target", "value", "n_sentences"]].values.tolist()
    [['China', 0.8, 1], ['US', -1.0, 1]]
    """
    from .timeseries import aggregate

    validate_frame(stance_frame, ("doc_id", "date", "target", "score", "stance"),
                   name="stance_frame")
    df = stance_frame
    if targets is not None:
        df = df[df["target"].isin(list(targets))]
    df = df[df["date"].notna()]
    st = df["stance"].to_numpy()
    doc = (df.assign(hostile=(st < 0).astype(np.int64),
                     friendly=(st > 0).astype(np.int64))
             .groupby(["doc_id", "date", "target"], sort=True, observed=True)
             .agg(stance_sum=("score", "sum"), label_sum=("stance", "sum"),
                  n_hostile=("hostile", "sum"), n_friendly=("friendly", "sum"),
                  n_sentences=("score", "size"))
             .reset_index())
    names = ["stance_sum", "label_sum", "n_hostile", "n_friendly", "n_sentences"]
    long = doc.melt(id_vars=["doc_id", "date", "target"], value_vars=names,
                    var_name="measure", value_name="value")
    long["value"] = long["value"].astype(float)
    long["n_tokens"] = 0  # not used by the ratios below
    ratios = {"stance": ("stance_sum", "n_sentences"),
              "mean_stance": ("label_sum", "n_sentences"),
              "share_hostile": ("n_hostile", "n_sentences"),
              "share_friendly": ("n_friendly", "n_sentences")}
    agg = aggregate(long, freq=freq, by="target", ci=ci, ratios=ratios,
                    measures=[], n_boot=n_boot, seed=seed,
                    min_docs=min_docs)
    agg = agg[agg["n_docs"] > 0]
    wide = agg.pivot(index=["period", "target"], columns="measure", values="value")
    main = agg[agg["measure"] == "stance"].set_index(["period", "target"])
    nsent = (doc.assign(period=pd.to_datetime(doc["date"]).dt.to_period(freq)
                        .dt.start_time.astype("datetime64[ns]"))
                .groupby(["period", "target"])["n_sentences"].sum())
    idx = main.index
    out = pd.DataFrame({
        "period": idx.get_level_values("period"),
        "group": idx.get_level_values("target"),
        "target": idx.get_level_values("target"),
        "measure": "stance",
        "value": main["value"].to_numpy(float),
        "ci_low": main["ci_low"].to_numpy(float),
        "ci_high": main["ci_high"].to_numpy(float),
        "mean_stance": wide.loc[idx, "mean_stance"].to_numpy(float),
        "share_hostile": wide.loc[idx, "share_hostile"].to_numpy(float),
        "share_friendly": wide.loc[idx, "share_friendly"].to_numpy(float),
        "n_sentences": nsent.reindex(idx).fillna(0).to_numpy(np.int64),
        "n_docs": main["n_docs"].to_numpy(np.int64),
        "low_data": main["low_data"].to_numpy(bool),
    })
    out = out.sort_values(["period", "target"]).reset_index(drop=True)
    rec = provenance("stance_series",
                     params={"freq": freq, "targets": targets, "ci": ci,
                             "n_boot": n_boot, "seed": seed, "min_docs": min_docs},
                     aggregate=agg.attrs.get("kcnalex", {}))
    return attach(out, rec)
