"""Column names of the frames passed between stages, and a validator.

=============  =========================  ==============================================
frame          one row per                required columns
=============  =========================  ==============================================
corpus         document                   doc_id, date, title, text, dateline, source,
                                          url, lang, origin
tokens         token                      doc_id, sent_id, token_id, token, start, end
lexicon        pattern of an entry        entry, term, category, polarity, lexicon,
                                          version
matches        match                      doc_id, entry, term, category, start, end,
                                          surface
doc stats      document x measure         doc_id, date, measure, value, n_tokens
period stats   period x group x measure   period, group, measure, value, n_docs
=============  =========================  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

CORPUS = ("doc_id", "date", "title", "text", "dateline", "source", "url", "lang",
          "origin")
TOKENS = ("doc_id", "sent_id", "token_id", "token", "start", "end")
LEXICON = ("entry", "term", "category", "polarity", "lexicon", "version")
MATCHES = ("doc_id", "entry", "term", "category", "start", "end", "surface")
DOC_STATS = ("doc_id", "date", "measure", "value", "n_tokens")
PERIOD_STATS = ("period", "group", "measure", "value", "n_docs")

FRAMES = {
    "corpus": CORPUS,
    "tokens": TOKENS,
    "lexicon": LEXICON,
    "matches": MATCHES,
    "doc_stats": DOC_STATS,
    "period_stats": PERIOD_STATS,
}


def validate_frame(df: pd.DataFrame, kind: str | Iterable[str], *,
                   name: str = "data") -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with the required columns of ``kind``.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to check.
    kind : str or iterable of str
        A frame kind from :data:`FRAMES` (``"corpus"``, ``"tokens"``, ...) or an
        explicit list of required columns.
    name : str
        How to call the argument in the error message.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself, unchanged.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If required columns are missing (the message names them).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    required = FRAMES[kind] if isinstance(kind, str) else tuple(kind)
    missing = [c for c in required if c not in df.columns]
    if missing:
        label = kind if isinstance(kind, str) else "required"
        raise ValueError(
            f"{name} is missing {label} column(s) {missing}; it has {list(df.columns)}"
        )
    return df


def as_corpus(data, *, name: str = "corpus") -> pd.DataFrame:
    """Accept a corpus frame, a string, or a list of strings; return a corpus frame.

    Plain strings become documents ``doc_id`` = ``"text-0"``, ``"text-1"``, ... with
    no date. A frame must at least have ``doc_id`` and ``text``; missing optional
    corpus columns are added empty. The input is never modified.
    """
    if isinstance(data, str):
        data = [data]
    if isinstance(data, pd.Series):
        data = data.tolist()
    if isinstance(data, (list, tuple)):
        if not all(isinstance(t, str) for t in data):
            raise TypeError(f"{name}: a list must hold strings only")
        df = pd.DataFrame({"doc_id": [f"text-{i}" for i in range(len(data))],
                           "text": list(data)})
    else:
        validate_frame(data, ("doc_id", "text"), name=name)
        df = data.copy(deep=False)
    for col in CORPUS:
        if col not in df.columns:
            if col == "date":
                df[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
            else:
                df[col] = pd.Series("", index=df.index, dtype=object)
    return df
