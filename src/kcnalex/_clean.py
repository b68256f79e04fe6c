"""Text cleaning for the corpus reader: entities, whitespace, datelines, end marks,
glued leader names, Juche stamps.

Every function here takes and returns plain strings (or small tuples); the reader in
:mod:`kcnalex.io` composes them per record.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Iterable

LEADER_NAMES: tuple[str, ...] = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un",
                                 "Kim Jong Suk")
"""Names whose glued forms are repaired by default (see :func:`repair_glued`)."""

# Suffixes that legitimately continue a leader's name into one word (Kimilsungia,
# Kimjongilia, Kimilsungist, Kimilsungism): not split off.
_KEEP_SUFFIXES = ("ia", "ist", "ists", "ism", "ite", "ites")

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_WS = re.compile(r"\s+")
_TAG = re.compile(r"</?(?:p|br|div|span|b|i|strong|em|font|a)\b[^<>]{0,200}>", re.I)
_PUNCT_HINT = re.compile(r"[ \t][,;:!?.]")
_PUNCT_SPACE = re.compile(r"(?<=[^\W\d_])[ \t]+(?=[,;:!?.](?:\s|$|[\"')\]]))")

MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
    "january jan enero janvier januar",
    "february feb febrero fevrier février februar",
    "march mar marzo mars märz marz",
    "april apr abril avril",
    "may mayo mai",
    "june jun junio juin juni",
    "july jul julio juillet juli",
    "august aug agosto aout août",
    "september sep sept septiembre setiembre septembre",
    "october oct octubre octobre oktober",
    "november nov noviembre novembre",
    "december dec diciembre decembre décembre dezember",
), start=1):
    for _n in _names.split():
        MONTHS[_n] = _i

# Place, Month Day (AGENCY) --   |   Place, 5 de mayo (ATCC) --
DATELINE = re.compile(
    r"""^[^\w\n]{0,8}?[ \t]*
    (?P<place>[^\W\d_][\w.'’\- ]{0,48}?)[ \t]*[,.]?[ \t]*
    (?:(?P<month>[^\W\d_]{3,10})\.?,?[ \t]+(?P<day>\d{1,2})
      |(?P<day2>\d{1,2})[ \t]+de[ \t]+(?P<month2>[^\W\d_]{3,10}))
    [ \t]*\((?P<agency>[^()\n]{0,40}?(?:KCNA|ATCC|ACNC|KNS|SNC)[^()\n]{0,20})\)
    [ \t]*(?:[-\u2013\u2014?]+[ \t]*|(?=[A-Z"]))""",
    re.X | re.I,
)
# A dateline at the start of a line, for splitting bulletins
DATELINE_LINE = re.compile(DATELINE.pattern, re.X | re.I | re.M)

JUCHE = re.compile(r"\(\s*Juche\s*(\d{1,3})\.(\d{1,2})\.(\d{1,2})\.?\s*\)", re.I)
END_MARK = re.compile(r"[ \t]*-0-[ \t]*$")


def unescape(text: str) -> str:
    """Decode HTML entities (twice at most, for ``&amp;nbsp;``); strip simple tags."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return text


def paragraphs(text: str) -> list[str]:
    """Split into lines (``str.splitlines``), collapse each line's whitespace runs
    (any Unicode whitespace: tabs, no-break and ideographic spaces) to one space,
    strip, and drop empty lines."""
    return [s for s in (" ".join(line.split()) for line in text.splitlines()) if s]


def norm_line(text: str) -> str:
    """Casefolded, whitespace-collapsed form used to compare titles."""
    return " ".join(text.casefold().split())


def parse_dateline(line: str) -> tuple[str, int | None, int | None, int] | None:
    """Parse a leading dateline.

    Returns ``(place, month, day, end)`` with ``end`` the offset where the body
    starts, or ``None`` when ``line`` does not start with a dateline. ``month`` is
    None when the month name is not recognised.
    """
    if "(" not in line[:120]:
        return None
    m = DATELINE.match(line)
    if m is None:
        return None
    month_name = (m.group("month") or m.group("month2") or "").lower().rstrip(".")
    day = int(m.group("day") or m.group("day2"))
    month = MONTHS.get(month_name)
    if month is None and m.group("month"):
        # "Pyongyang Kim Il Sung 5 (KCNA)" is not a dateline: require a month name
        return None
    place = m.group("place").strip(" .,")
    if place.isupper() and len(place) > 3:
        place = place.title()
    return place, month, (day if 1 <= day <= 31 else None), m.end()


def resolve_month_day(month: int, day: int, ref: _dt.date) -> _dt.date | None:
    """The date with ``month``/``day`` nearest to ``ref`` (previous, same or next
    year): a December dateline on a January page belongs to the previous year."""
    best = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            cand = _dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - ref).days) < abs((best - ref).days):
            best = cand
    return best


def juche_date(text: str) -> tuple[_dt.date | None, str] | None:
    """Find a Juche stamp ``(Juche113.6.20.)``; return ``(date, stamp)``.

    The Juche year is the Gregorian year minus 1911 (Juche 1 = 1912). ``date`` is
    None when the stamp names an impossible day.
    """
    m = JUCHE.search(text)
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    try:
        return _dt.date(year + 1911, month, day), m.group(0)
    except ValueError:
        return None, m.group(0)


def strip_end_mark(paras: list[str]) -> list[str]:
    """Remove a trailing ``-0-`` end mark (own paragraph or end of the last one)."""
    while paras and END_MARK.search(paras[-1]):
        last = END_MARK.sub("", paras[-1]).rstrip()
        if last:
            paras[-1] = last
            break
        paras.pop()
    return paras


def fix_punct_space(text: str) -> str:
    """``Kim Jong Un , general`` -> ``Kim Jong Un, general`` (space before ``,;:!?.``
    after a letter, when the mark ends a word)."""
    if _PUNCT_HINT.search(text):
        return _PUNCT_SPACE.sub("", text)
    return text


def glue_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """Regex finding each name, with the letters glued on its right."""
    alts = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(rf"(?P<name>{alts})(?P<right>(?:(?!{alts})[^\W\d_])+)?")


def repair_glued(text: str, pattern: re.Pattern[str]) -> tuple[str, int]:
    """Insert the missing spaces around glued names.

    ``ComradeKim Jong Uninvited`` -> ``Comrade Kim Jong Un invited``;
    ``atKim Il SungSquare`` -> ``at Kim Il Sung Square``. A right-hand continuation
    is split off only if it is a word of two or more letters or ``a``, and not one of
    the suffixes that make a real word of the name (``Kim Il Sungia``). A letter
    glued on the left is always split (no English word ends right before a
    capitalised full name). Returns the text and the number of repairs.
    """
    n = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal n
        name, right = m.group("name"), m.group("right")
        out = name
        start = m.start()
        if start > 0 and (m.string[start - 1].isalpha()):
            out = " " + out
            n += 1
        if right:
            word = len(right) >= 2 or right == "a"
            if word and right.lower() not in _KEEP_SUFFIXES:
                out = out + " " + right
                n += 1
            else:
                out = out + right
        return out

    return pattern.sub(fix, text), n
