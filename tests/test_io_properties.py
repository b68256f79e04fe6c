"""Property tests: no input crashes the reader with anything but its documented error.

Non-strict reads never raise on file content and always satisfy
``records_in == kept + sum(dropped)``; strict reads either succeed or raise
:class:`kcnalex.io.ReadError`.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcnalex import _clean, _dedup, _lang
from kcnalex.io import ReadError, read_corpus

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
EXTS = [".json", ".jsonl", ".csv", ".tsv", ".txt", ".json.gz", ".txt.gz",
        ".parquet"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=40),
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.sampled_from(["title", "text", "content", "url", "date",
                                       "articles", "story_text", "headline",
                                       "link", "x"]), kids, max_size=5),
    max_leaves=20,
)


def _check(path: Path) -> None:
    df, rep = read_corpus(path, with_report=True, lang=None)
    assert rep.records_in == rep.kept + sum(rep.dropped.values())
    assert len(df) == rep.kept
    assert df["doc_id"].is_unique
    try:
        read_corpus(path, strict=True, lang=None)
    except ReadError as exc:
        assert exc.file is not None and exc.reason


@SETTINGS
@given(data=st.binary(max_size=600), ext=st.sampled_from(EXTS))
def test_any_bytes(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{ext}"
        if ext.endswith(".gz") and data[:1] == b"\x01":
            data = gzip.compress(data[1:])
        path.write_bytes(data)
        _check(path)


@SETTINGS
@given(value=json_values, ext=st.sampled_from([".json", ".jsonl", ".json.gz"]))
def test_any_json(value, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{ext}"
        raw = json.dumps(value).encode()
        path.write_bytes(gzip.compress(raw) if ext.endswith(".gz") else raw)
        _check(path)


@SETTINGS
@given(articles=st.lists(json_values, max_size=6))
def test_any_cojp_articles(articles):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2001-02-03_juche.json"
        path.write_text(json.dumps({"date": "2001-02-03", "url": "u",
                                    "articles": articles}))
        df, rep = read_corpus(path, with_report=True, lang=None, dedup=False)
        assert rep.records_in == len(articles)
        assert rep.records_in == rep.kept + sum(rep.dropped.values())


@SETTINGS
@given(text=st.text(max_size=300))
def test_text_reader_any_text(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.txt"
        path.write_text(text, encoding="utf-8")
        _check(path)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_cleaning_helpers_total(text):
    paras = _clean.paragraphs(text)
    assert all(p == " ".join(p.split()) and p for p in paras)
    assert _clean.paragraphs("\n".join(paras)) == paras  # idempotent
    _clean.parse_dateline(text)
    _clean.juche_date(text)
    fixed = _clean.fix_punct_space(text)
    assert _clean.fix_punct_space(fixed) == fixed
    pat = _clean.glue_pattern(_clean.LEADER_NAMES)
    out, n = _clean.repair_glued(text, pat)
    assert out.replace(" ", "") == text.replace(" ", "")  # only spaces are added
    assert _lang.detect_lang(text) in {*_lang.PROFILES, "ko", "ja", "zh", "und"}


@settings(max_examples=60, deadline=None)
@given(a=st.text(max_size=200), b=st.text(max_size=200))
def test_jaccard_symmetric_and_bounded(a, b):
    sa = _dedup.shingle_set(_dedup.normalise(a))
    sb = _dedup.shingle_set(_dedup.normalise(b))
    j = _dedup.jaccard(sa, sb)
    assert 0.0 <= j <= 1.0
    assert j == pytest.approx(_dedup.jaccard(sb, sa))
    assert _dedup.jaccard(sa, sa) == 1.0
