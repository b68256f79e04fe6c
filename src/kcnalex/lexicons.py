"""Lexicons: human-editable TOML files of formulae, loaded into a lexicon frame.

A lexicon file has a ``[lexicon]`` header and ``[[entry]]`` tables; each entry has an
id, one or more *patterns* in a small syntax (optional words, alternatives, word-prefix
globs), a category, an optional polarity, a case rule and a note. :func:`load_lexicon`
expands every pattern to the literal token sequences it stands for and returns one row
per expanded term. The full format reference is ``docs/lexicon-format.md``.

Pattern syntax (summary)
------------------------
* words are separated by white space; white space in a pattern matches any run of
  white space in a text, and a match must start and end on token boundaries of
  :func:`kcnalex.tokenize.token_spans`;
* ``word?`` — the word is optional (``the? puppet traitors``);
* ``(a|b c|d)`` — one of the alternatives, each a sequence of words; ``(a|b)?`` makes
  the group optional (``U.S. (imperialist|imperialists)``);
* ``word*`` — a *glob*: any token that begins with ``word`` (``imperialist*`` matches
  ``imperialist``, ``imperialists``, ``imperialist-minded``); ``*`` only at the end of
  a word, after at least one letter or digit;
* the characters ``( ) | ? *`` are reserved: a pattern cannot match them literally.
"""

from __future__ import annotations

import csv
import itertools
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._provenance import ATTRS_KEY, attach, sha256_bytes, sha256_file
from ._version import __version__

__all__ = [
    "LexiconError",
    "load_lexicon",
    "list_lexicons",
    "expand_pattern",
    "CASE_RULES",
    "LEXICON_DIR",
]

#: Folder of the lexicons shipped with kcnalex.
LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicons"

#: Allowed values of an entry's ``case`` rule.
CASE_RULES = ("insensitive", "sensitive", "title")

#: Columns of a lexicon frame, in order.
LEXICON_COLUMNS = ("entry", "term", "category", "polarity", "case", "note", "lexicon",
                   "version", "pattern")

_HEADER_KEYS = {"name", "version", "description", "license", "source", "case"}
_ENTRY_KEYS = {"id", "pattern", "patterns", "category", "polarity", "case", "note"}
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
_ID_RE = re.compile(r"[^\s:]+")
_RESERVED = set("()|?*")
MAX_EXPANSIONS = 256


class LexiconError(ValueError):
    """A lexicon file or frame is malformed.

    The message names the file, the entry (id or 0-based index) and the problem.
    """


# ---------------------------------------------------------------------------
# pattern syntax
# ---------------------------------------------------------------------------


def _check_word(word: str) -> str:
    """Validate one literal word (optional ``*`` glob at its end)."""
    if "?" in word:
        raise ValueError(f"'?' must end a word or a group, in {word!r}")
    if "|" in word:
        raise ValueError(f"'|' is only allowed inside a (group), in {word!r}")
    if "(" in word or ")" in word:
        raise ValueError(f"parentheses must enclose whole words, in {word!r}")
    if "*" in word:
        stem = word[:-1]
        if not word.endswith("*") or "*" in stem:
            raise ValueError(f"bad glob {word!r}: '*' only at the end of a word")
        if not any(ch.isalnum() for ch in stem):
            raise ValueError(f"bad glob {word!r}: needs a letter or digit before '*'")
    return word


def _split_items(pattern: str) -> list[tuple[list[tuple[str, ...]], bool]]:
    """Parse ``pattern`` into slots: (alternatives, optional)."""
    items: list[tuple[list[tuple[str, ...]], bool]] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "(":
            close = pattern.find(")", i + 1)
            if close < 0:
                raise ValueError("unclosed '(' group")
            body = pattern[i + 1:close]
            if "(" in body:
                raise ValueError("groups cannot be nested")
            j = close + 1
            optional = j < n and pattern[j] == "?"
            if optional:
                j += 1
            if j < n and not pattern[j].isspace():
                raise ValueError("a group must be followed by white space or end")
            if i > 0 and not pattern[i - 1].isspace():
                raise ValueError("a group must be preceded by white space or start")
            alts = []
            for alt in body.split("|"):
                words = alt.split()
                if not words:
                    raise ValueError("empty alternative in a group (use '?')")
                seqs: list[tuple[str, ...]] = [()]
                for w in words:
                    opt = w.endswith("?") and len(w) > 1
                    w = _check_word(w[:-1] if opt else w)
                    seqs = [s + (w,) for s in seqs] + (seqs if opt else [])
                alts.extend(seqs)
            items.append((alts, optional))
            i = j
            continue
        if ch in ")|":
            raise ValueError(f"unexpected {ch!r}")
        j = i
        while j < n and not pattern[j].isspace() and pattern[j] not in "()":
            j += 1
        word = pattern[i:j]
        optional = word.endswith("?") and len(word) > 1
        if optional:
            word = word[:-1]
        items.append(([(_check_word(word),)], optional))
        i = j
    return items


def expand_pattern(pattern: str) -> list[str]:
    """Expand a pattern to the literal terms (token sequences) it stands for.

    Parameters
    ----------
    pattern : str
        A pattern in the lexicon syntax: words separated by spaces, ``word?`` optional
        words, ``(a|b c)`` / ``(a|b)?`` alternatives, ``word*`` word-prefix globs.

    Returns
    -------
    list of str
        The expanded terms, words joined by one space, in the order of the pattern
        (earlier alternatives first, a present optional word before its absence),
        without duplicates. Globs stay in the terms (``imperialist*``).

    Raises
    ------
    ValueError
        If the pattern is empty, malformed (bad glob, stray ``|``, unclosed group), can
        expand to an empty sequence, or has more than 256 expansions.

    Examples
    --------
    >>> expand_pattern("the? U.S. (imperialist|imperialists)")
    ['the U.S. imperialist', 'the U.S. imperialists', 'U.S. imperialist', \
'U.S. imperialists']
    >>> expand_pattern("puppet*")
    ['puppet*']
    """
    if not isinstance(pattern, str):
        raise ValueError(f"a pattern must be a string, got {type(pattern).__name__}")
    items = _split_items(pattern)
    if not items:
        raise ValueError("empty pattern")
    total = 1
    for alts, optional in items:
        total *= len(alts) + int(optional)
    if total > MAX_EXPANSIONS:
        raise ValueError(f"pattern expands to {total} terms (more than "
                         f"{MAX_EXPANSIONS})")
    choices = [alts + ([()] if optional else []) for alts, optional in items]
    out: dict[str, None] = {}
    for combo in itertools.product(*choices):
        words = [w for part in combo for w in part]
        if not words:
            raise ValueError("pattern can expand to an empty sequence")
        out[" ".join(words)] = None
    return list(out)


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def _err(where: str, problem: str, entry: str | int | None = None) -> LexiconError:
    if entry is None:
        return LexiconError(f"{where}: {problem}")
    label = f"entry {entry!r}" if isinstance(entry, str) else f"entry #{entry}"
    return LexiconError(f"{where}: {label}: {problem}")


def _parse_toml(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    where = str(path)
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _err(where, f"not UTF-8 text ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(where, f"TOML syntax error: {exc}") from None
    unknown = set(doc) - {"lexicon", "entry"}
    if unknown:
        raise _err(where, f"unknown top-level key(s) {sorted(unknown)} "
                          "(expected [lexicon] and [[entry]])")
    header = doc.get("lexicon")
    if not isinstance(header, dict):
        raise _err(where, "missing [lexicon] header table")
    bad = set(header) - _HEADER_KEYS
    if bad:
        raise _err(where, f"[lexicon]: unknown key(s) {sorted(bad)}; allowed "
                          f"{sorted(_HEADER_KEYS)}")
    for key in ("name", "version"):
        if not isinstance(header.get(key), str) or not header[key].strip():
            raise _err(where, f"[lexicon]: missing or empty '{key}'")
    name = header["name"]
    if not _NAME_RE.fullmatch(name):
        raise _err(where, f"[lexicon]: bad name {name!r} (letters, digits, _ . + -)")
    default_case = header.get("case", "insensitive")
    if default_case not in CASE_RULES:
        raise _err(where, f"[lexicon]: bad case rule {default_case!r}; one of "
                          f"{list(CASE_RULES)}")
    for key in ("description", "license", "source"):
        if key in header and not isinstance(header[key], str):
            raise _err(where, f"[lexicon]: '{key}' must be a string")
    entries = doc.get("entry", [])
    if not isinstance(entries, list) or not entries:
        raise _err(where, "no [[entry]] tables")
    rows = _entry_rows(entries, where=where, name=name, version=header["version"],
                       default_case=default_case)
    frame = _frame(rows)
    info = {"name": name, "version": header["version"], "sha256": sha256_bytes(raw),
            "path": str(path), "description": header.get("description", ""),
            "license": header.get("license", ""), "n_entries": len(entries)}
    return _attach_info(frame, [info])


def _entry_rows(entries: Sequence[Any], *, where: str, name: str, version: str,
                default_case: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    seen_terms: dict[str, str] = {}
    for idx, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise _err(where, "an [[entry]] must be a table", idx)
        label: str | int = entry.get("id") if isinstance(entry.get("id"), str) else idx
        bad = set(entry) - _ENTRY_KEYS
        if bad:
            raise _err(where, f"unknown key(s) {sorted(bad)}; allowed "
                              f"{sorted(_ENTRY_KEYS)}", label)
        eid = entry.get("id")
        if not isinstance(eid, str) or not eid:
            raise _err(where, "missing 'id'", label)
        if not _ID_RE.fullmatch(eid):
            raise _err(where, "an id cannot contain white space or ':'", label)
        if eid in seen_ids:
            raise _err(where, f"duplicate id (also entry #{seen_ids[eid]})", label)
        seen_ids[eid] = idx
        if "pattern" in entry and "patterns" in entry:
            raise _err(where, "give 'pattern' or 'patterns', not both", label)
        patterns = entry.get("patterns", entry.get("pattern"))
        if patterns is None:
            raise _err(where, "missing pattern ('patterns' = [...])", label)
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not patterns or not all(
                isinstance(p, str) for p in patterns):
            raise _err(where, "'patterns' must be a non-empty list of strings", label)
        category = entry.get("category")
        if not isinstance(category, str) or not category.strip():
            raise _err(where, "missing 'category'", label)
        polarity = entry.get("polarity", np.nan)
        if isinstance(polarity, bool) or not isinstance(polarity, (int, float)):
            raise _err(where, f"polarity must be a number, got {polarity!r}", label)
        if not np.isnan(polarity) and not -1.0 <= polarity <= 1.0:
            raise _err(where, f"polarity {polarity} outside -1..+1", label)
        case = entry.get("case", default_case)
        if case not in CASE_RULES:
            raise _err(where, f"bad case rule {case!r}; one of {list(CASE_RULES)}",
                       label)
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise _err(where, "'note' must be a string", label)
        terms: dict[str, str] = {}
        for pat in patterns:
            try:
                expanded = expand_pattern(pat)
            except ValueError as exc:
                raise _err(where, f"pattern {pat!r}: {exc}", label) from None
            for term in expanded:
                terms.setdefault(term, pat)
        for term, pat in terms.items():
            key = term.lower()
            other = seen_terms.get(key)
            if other is not None and other != eid:
                raise _err(where, f"term {term!r} also belongs to entry {other!r}",
                           label)
            seen_terms[key] = eid
            rows.append({"entry": eid, "term": term, "category": category,
                         "polarity": float(polarity), "case": case, "note": note,
                         "lexicon": name, "version": version, "pattern": pat})
    return rows


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(LEXICON_COLUMNS))
    frame["polarity"] = frame["polarity"].astype(float)
    return frame


def _attach_info(frame: pd.DataFrame, infos: list[dict[str, Any]]) -> pd.DataFrame:
    """Store ``{name, version, sha256, path, lexicons}`` in ``attrs["kcnalex"]``."""
    if len(infos) == 1:
        head = {k: infos[0][k] for k in ("name", "version", "sha256", "path")}
    else:
        head = {
            "name": "+".join(i["name"] for i in infos),
            "version": "+".join(i["version"] for i in infos),
            "sha256": sha256_bytes("\n".join(i["sha256"] for i in infos).encode()),
            "path": [i["path"] for i in infos],
        }
    record = dict(head)
    record["lexicons"] = [
        {k: i.get(k) for k in ("name", "version", "sha256", "path")} for i in infos
    ]
    record["library"] = "kcnalex"
    record["library_version"] = __version__
    record["function"] = "load_lexicon"
    return attach(frame, record)


def _resolve(source: str | Path) -> Path:
    if isinstance(source, Path) or any(s in str(source) for s in ("/", "\\")) or \
            str(source).endswith((".toml", ".csv")):
        path = Path(source).expanduser()
        if not path.exists():
            raise LexiconError(f"{path}: lexicon file not found")
        return path
    for ext in (".toml", ".csv"):
        path = LEXICON_DIR / f"{source}{ext}"
        if path.exists():
            return path
    known = ", ".join(sorted(p.stem for p in _shipped_files())) or "none"
    raise LexiconError(f"{source}: no shipped lexicon of that name (shipped: {known}); "
                       "pass a path to load your own")


def _from_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - report any parser failure uniformly
        raise _err(str(path), f"cannot read CSV: {exc}") from None
    if not {"term", "category"} <= set(df.columns):
        raise _err(str(path),
                   "a pattern lexicon in CSV needs 'term' and 'category' columns; this "
                   f"file has {list(df.columns)} (a word-score lexicon is listed by "
                   "list_lexicons but not matched)")
    name = path.stem
    version = df["version"].iloc[0] if "version" in df.columns and len(df) else ""
    if "polarity" in df.columns:
        df = df.assign(polarity=pd.to_numeric(df["polarity"].replace("", np.nan)))
    frame = _from_frame(df, where=str(path), name=name, version=str(version))
    info = {"name": name, "version": str(version), "sha256": sha256_bytes(raw),
            "path": str(path)}
    return _attach_info(frame, [info])


def _from_frame(df: pd.DataFrame, *, where: str, name: str, version: str
                ) -> pd.DataFrame:
    missing = [c for c in ("term", "category") if c not in df.columns]
    if missing:
        raise _err(where, f"a lexicon frame needs columns 'term' and 'category'; "
                          f"missing {missing}")
    entries = []
    for idx, row in enumerate(df.to_dict("records")):
        eid = row.get("entry") or "-".join(str(row["term"]).replace(":", " ").split())
        entry = {"id": eid, "pattern": row["term"],
                 "category": row["category"]}
        pol = row.get("polarity")
        if pol is not None and not (isinstance(pol, float) and np.isnan(pol)):
            entry["polarity"] = float(pol)
        for key in ("case", "note"):
            if row.get(key):
                entry[key] = row[key]
        entries.append(entry)
    # rows of one user entry may repeat the id (several patterns): merge them
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        have = merged.get(entry["id"])
        if have is None:
            merged[entry["id"]] = dict(entry, patterns=[entry.pop("pattern")])
        else:
            have["patterns"].append(entry["pattern"])
    for entry in merged.values():
        entry.pop("pattern", None)
    rows = _entry_rows(list(merged.values()), where=where, name=name, version=version,
                       default_case="insensitive")
    return _frame(rows)


def _is_lexicon_frame(df: pd.DataFrame) -> bool:
    info = df.attrs.get(ATTRS_KEY, {})
    return set(LEXICON_COLUMNS) <= set(df.columns) and "sha256" in info


def _one(source: Any) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        if _is_lexicon_frame(source):
            out = source.copy()
            out.attrs = {ATTRS_KEY: dict(source.attrs[ATTRS_KEY])}
            return out
        name = str(source.attrs.get("name", "user"))
        version = str(source.attrs.get("version", ""))
        cols = [c for c in ("entry", "term", "category", "polarity", "case", "note")
                if c in source.columns]
        canon = source[cols].astype(object).to_csv(index=False).encode()
        frame = _from_frame(source, where=f"<DataFrame {name}>", name=name,
                            version=version)
        info = {"name": name, "version": version, "sha256": sha256_bytes(canon),
                "path": None}
        return _attach_info(frame, [info])
    if not isinstance(source, (str, Path)):
        raise TypeError("a lexicon is a name, a path or a DataFrame, got "
                        f"{type(source).__name__}")
    path = _resolve(source)
    if path.suffix.lower() == ".csv":
        return _from_csv(path)
    return _parse_toml(path)


def load_lexicon(source: str | Path | pd.DataFrame |
                 Sequence[str | Path | pd.DataFrame] = "kcna-formulae", *more:
                 str | Path | pd.DataFrame) -> pd.DataFrame:
    """Load one or several lexicons into a lexicon frame.

    Parameters
    ----------
    source : str, path, DataFrame, or a list of them
        A shipped lexicon name (``"kcna-formulae"``, see :func:`list_lexicons`), a path
        to a ``.toml`` lexicon (or a ``.csv`` with ``term`` and ``category`` columns),
        or a DataFrame with at least ``term`` and ``category`` (a user-built lexicon;
        optional ``entry``, ``polarity``, ``case``, ``note``; ``term`` uses the pattern
        syntax; a missing ``entry`` is the term with spaces as hyphens;
        ``df.attrs["name"]``/``["version"]`` name it, default ``"user"``).
    *more : str, path or DataFrame
        Further lexicons, concatenated after ``source`` (same as passing a list).

    Returns
    -------
    pandas.DataFrame
        One row per expanded term: ``entry`` (id; ``lexicon:id`` when several lexicons
        are mixed), ``term`` (literal token sequence, globs kept as ``word*``),
        ``category``, ``polarity`` (float in -1..+1, NaN when none), ``case``
        (``insensitive``/``sensitive``/``title``), ``note``, ``lexicon`` (name),
        ``version`` (lexicon version), ``pattern`` (the pattern the term came from).
        ``attrs["kcnalex"]`` = ``{name, version, sha256, path, lexicons: [...]}``:
        ``sha256`` is the hash of the file bytes (for several lexicons, the sha256 of
        their hashes joined by newlines, each listed in ``lexicons``).

    Raises
    ------
    LexiconError
        A malformed lexicon (message names the file, the entry and the problem), an
        unknown name, or duplicate lexicon names when mixing.

    See Also
    --------
    list_lexicons : the shipped lexicons.
    kcnalex.count_formulae, kcnalex.match_formulae : use a lexicon.

    References
    ----------
    Format reference: ``docs/lexicon-format.md``.

    Examples
    --------
    >>> lex = load_lexicon("kcna-formulae")
    >>> lex.attrs["kcnalex"]["name"]
    'kcna-formulae'
    >>> lex.loc[lex["entry"] == "juche-idea", "term"].tolist()
    ['Juche idea', 'Juche ideas']
    """
    sources: list[Any]
    if isinstance(source, (list, tuple)):
        sources = list(source) + list(more)
    else:
        sources = [source, *more]
    if not sources:
        raise LexiconError("no lexicon given")
    frames = [_one(s) for s in sources]
    if len(frames) == 1:
        return frames[0]
    infos = []
    for f in frames:
        infos.extend(f.attrs[ATTRS_KEY]["lexicons"])
    names = [f.attrs[ATTRS_KEY]["name"] for f in frames]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise LexiconError(f"lexicon name(s) {dup} given more than once; rename a "
                           "user lexicon ([lexicon] name or df.attrs['name'])")
    parts = []
    for f, name in zip(frames, names):
        part = f.copy()
        already = part["entry"].str.contains(":", regex=False)
        part["entry"] = part["entry"].where(already, name + ":" + part["entry"])
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return _attach_info(out, infos)


def _shipped_files() -> list[Path]:
    if not LEXICON_DIR.is_dir():
        return []
    return sorted(p for p in LEXICON_DIR.iterdir()
                  if p.suffix.lower() in (".toml", ".csv") and p.is_file())


def _csv_summary(path: Path) -> dict[str, Any]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        first = next(reader, None)
        n = (1 if first is not None else 0) + sum(1 for _ in reader)
    version = ""
    if first is not None and "version" in header:
        version = first[header.index("version")]
    return {"name": path.stem, "version": version, "n_entries": n,
            "description": f"CSV lexicon, columns: {', '.join(header)}",
            "format": "csv", "path": str(path)}


def list_lexicons() -> pd.DataFrame:
    """List the lexicons shipped with kcnalex (``data/lexicons/*.toml|csv``).

    Returns
    -------
    pandas.DataFrame
        One row per file: ``name``, ``version``, ``n_entries`` (``[[entry]]`` tables of
        a TOML lexicon; data rows of a CSV lexicon), ``description``, ``format``
        (``toml``/``csv``), ``path``, ``sha256`` (of the file bytes).

    See Also
    --------
    load_lexicon : load one of them.

    Examples
    --------
    >>> "kcna-formulae" in list_lexicons()["name"].tolist()
    True
    """
    rows = []
    for path in _shipped_files():
        if path.suffix.lower() == ".csv":
            row = _csv_summary(path)
        else:
            try:
                doc = tomllib.loads(path.read_text(encoding="utf-8"))
                head = doc.get("lexicon", {})
                row = {"name": head.get("name", path.stem),
                       "version": head.get("version", ""),
                       "n_entries": len(doc.get("entry", [])),
                       "description": head.get("description", ""), "format": "toml",
                       "path": str(path)}
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                row = {"name": path.stem, "version": "", "n_entries": 0,
                       "description": f"unreadable: {exc}", "format": "toml",
                       "path": str(path)}
        row["sha256"] = sha256_file(path)
        rows.append(row)
    cols = ["name", "version", "n_entries", "description", "format", "path", "sha256"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_entries"] = out["n_entries"].astype("int64")
    record = {"library": "kcnalex", "version": __version__,
              "function": "list_lexicons", "folder": str(LEXICON_DIR)}
    return attach(out, record)


def lexicon_info(lexicon: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``{name, version, sha256, path}`` records of a loaded lexicon frame."""
    info = lexicon.attrs.get(ATTRS_KEY, {})
    return [dict(i) for i in info.get("lexicons", [])]
