"""Property tests: no input crashes the reader with anything but its documented error.

Non-strict reads never raise on file content and always satisfy
``records_in == kept + sum(dropped)``; strict reads either succeed or raise
:class:`kcnalex.io.ReadError`.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import pickle
import tempfile
from pathlib import Path

import numpy as np
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


# keys from a small pool (many repeats) plus the extremes of uint64
_key = st.one_of(st.integers(0, 12), st.sampled_from([2**63, 2**64 - 2, 2**64 - 1]))


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(st.lists(_key, max_size=9), max_size=12),
       max_run=st.integers(1, 10),
       queries=st.lists(_key, max_size=12),
       spill=st.booleans())
def test_sorted_keys_match_a_sorted_list(batches, max_run, queries, spill):
    """SortedKeys (sorted runs, merged LSM-style, the final ones in a temporary
    file or not) against a plain reference: the sorted list of (key, insertion
    index)."""
    keys = _dedup.SortedKeys(order=np.int64, tag=np.uint8)
    keys.max_run = max_run
    keys.spill = spill
    ref: list[tuple[int, int]] = []
    for batch in batches:
        first = len(ref)
        order = list(range(first, first + len(batch)))
        keys.add(np.array(batch, dtype=np.uint64), order=order,
                 tag=[i % 3 for i in order])
        ref.extend(zip(batch, order, strict=True))
        ref_sorted = sorted(ref)  # equal keys: by insertion index
        assert len(keys) == len(ref)
        assert keys.keys.tolist() == [k for k, _ in ref_sorted]
        assert keys.columns["order"].tolist() == [i for _, i in ref_sorted]
        assert keys.columns["tag"].tolist() == [i % 3 for _, i in ref_sorted]
        assert keys.nbytes + keys.spilled_nbytes == len(ref) * 17
        # runs: the newest are merged while the older is small enough; those of
        # max_run keys or more are in the file (with spill)
        sizes = [_dedup._run_size(r) for r in keys._runs]
        assert sum(sizes) == len(ref) and all(sizes)
        assert all(a > 2 * b or a >= max_run for a, b in itertools.pairwise(sizes))
        spilled = [isinstance(r, _dedup._SpilledRun) for r in keys._runs]
        assert spilled == [spill and n >= max_run for n in sizes]
        assert keys.nbytes == 17 * sum(n for n, x in zip(sizes, spilled,
                                                         strict=True) if not x)
    if batches and spill and len(ref) >= max_run:  # pickled: the runs read back
        copy = pickle.loads(pickle.dumps(keys))
        assert copy.keys.tolist() == keys.keys.tolist()
        assert copy.columns["order"].tolist() == keys.columns["order"].tolist()
        assert copy.nbytes == len(ref) * 17 and copy.spilled_nbytes == 0
    q = np.array(queries, dtype=np.uint64)
    ref_sorted = sorted(ref)
    present = {k for k, _ in ref}
    assert keys.contains(q).tolist() == [k in present for k in queries]
    assert [k in keys for k in queries] == [k in present for k in queries]
    start, stop = keys.span(q)
    assert start.tolist() == [bisect.bisect_left(ref_sorted, (k, -1)) for k in queries]
    assert stop.tolist() == [bisect.bisect_left(ref_sorted, (k + 1, -1))
                             for k in queries]
    found, payload = keys.lookup(q)
    firsts = {}
    for k, i in ref:
        firsts.setdefault(k, i)
    assert found.tolist() == [k in firsts for k in queries]
    assert payload["order"].tolist() == [firsts.get(k, 0) for k in queries]
    # with a condition on a column: the first entry with that tag
    tags = [j % 3 for j in range(len(queries))]
    found, payload = keys.lookup(q, tag=tags)
    firsts_tag = {}
    for k, i in ref:
        firsts_tag.setdefault((k, i % 3), i)
    want = [firsts_tag.get((k, t)) for k, t in zip(queries, tags, strict=True)]
    assert found.tolist() == [w is not None for w in want]
    assert payload["order"].tolist() == [w or 0 for w in want]
    assert payload["tag"].tolist() == [t if w is not None else 0
                                       for t, w in zip(tags, want, strict=True)]


_piece = st.sampled_from(["a", "b", "é", ":", "[", "]", "0", "7", "\udcff",
                          "\U0001f600", "articles", "line",
                          "2012-01-01_juche.json.gz"])
_text = st.lists(_piece, max_size=5).map("".join)


@settings(max_examples=150, deadline=None)
@given(strings=st.lists(_text, max_size=40), recent=st.integers(1, 6),
       queries=st.lists(_text, max_size=8))
def test_string_table_interns_like_a_dict(strings, recent, queries):
    table = _dedup.StringTable()
    table.recent = recent
    first: dict[str, int] = {}
    for x in strings:
        assert table.intern(x) == first.setdefault(x, len(first))
        assert len(table) == len(first)
    assert list(table) == list(first)
    assert [table[i] for i in range(-len(first), 0)] == list(first)
    for x in [*queries, *strings]:
        assert table.find(x) == first.get(x, -1)
    plain = _dedup.StringTable(interned=False)
    assert [plain.append(x) for x in strings] == list(range(len(strings)))
    assert list(plain) == strings


_number = st.sampled_from(["0", "3", "007", "12", "2147483647", "2147483648",
                           "99999999999", "", "x"])


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.tuples(_text, st.booleans(), _text, _number), max_size=30),
       block=st.integers(1, 8), spill=st.booleans())
def test_label_store_rebuilds_any_label(parts, block, spill):
    labels = [f"{p}:{name}[{n}]" if indexed else p + name
              for p, indexed, name, n in parts]
    store = _dedup.LabelStore()
    store._number.block, store._number.spill = block, spill  # old blocks to a file
    assert [store.add(x) for x in labels] == list(range(len(labels)))
    assert [store[i] for i in range(len(store))] == labels
    copy = pickle.loads(pickle.dumps(store))
    assert [copy[i] for i in range(len(copy))] == labels
    kept = len(labels) % block if spill else len(labels)
    assert store._number.nbytes == 4 * kept


_dup = st.fixed_dictionaries({
    "origin": _text, "reason": st.sampled_from(["duplicate", "near_duplicate"]),
    "kept_origin": _text,
    "jaccard": st.one_of(st.just(1.0), st.floats(0.85, 1.0))})


@settings(max_examples=100, deadline=None)
@given(dups=st.lists(_dup, max_size=40), block=st.integers(1, 8))
def test_report_duplicates_equal_the_list_of_dicts(dups, block):
    """IngestReport.duplicates (compact arrays, old blocks in temporary files)
    behaves as the list of dicts it replaces."""
    from kcnalex.io import IngestReport, _Duplicates

    report = IngestReport()
    got = report.duplicates
    for arr in (got._origin._number, got._kept._number, got._reason, got._jaccard):
        arr.block = block  # old blocks to temporary files
    for dup in dups:
        got.append(dup)
    assert isinstance(got, _Duplicates)
    assert got == dups and list(got) == dups and len(got) == len(dups)
    assert [got[i] for i in range(-len(dups), 0)] == dups
    assert got[1:5] == dups[1:5]
    assert report.to_dict()["duplicates"] == dups
    assert pickle.loads(pickle.dumps(report)).duplicates == dups
    assert IngestReport(duplicates=dups).duplicates == dups
    if dups:
        assert got != dups[:-1]
        with pytest.raises(IndexError):
            got[len(dups)]


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-(2**31), 2**31 - 1), max_size=50),
       block=st.integers(1, 9), spill=st.booleans())
def test_block_array_is_an_append_only_list(values, block, spill):
    arr = _dedup._BlockArray("i")
    arr.block, arr.spill = block, spill
    for x in values:
        arr.append(x)
    assert len(arr) == len(values)
    assert [arr[i] for i in range(len(values))] == values
    assert [arr[i] for i in range(-len(values), 0)] == values
    for bad in (len(values), -len(values) - 1):
        with pytest.raises(IndexError):
            arr[bad]
    assert arr.nbytes == 4 * (len(values) % block if spill else len(values))
    assert [pickle.loads(pickle.dumps(arr))[i] for i in range(len(values))] == values


_tree_name = st.sampled_from(["a", "a-b", "a.b", "b", "A", "a_", "é", "z", ".h", "a b",
                              "10", "9", "a.json", "a.json.gz"])


@settings(max_examples=60, deadline=None)
@given(paths=st.lists(st.lists(_tree_name, min_size=1, max_size=3), max_size=20),
       link=st.booleans())
def test_folder_walk_lists_files_like_sorted_rglob(paths, link):
    """The reader lists a folder by a depth-first walk: the same files in the same
    order as sorted(Path.rglob("*")), hidden parts left out, symlinked folders not
    entered."""
    import os

    from kcnalex.io import _walk_files

    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for parts in paths:
            p = root.joinpath(*parts)
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
                if not p.exists():
                    p.write_text("x")
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                pass  # a name taken by a file and a folder
        if link and (root / "a").exists() and not (root / "lnk").exists():
            os.symlink(root / "a", root / "lnk")
        want = [f.relative_to(root).as_posix()
                for f in sorted(x for x in root.rglob("*") if x.is_file())
                if not any(s.startswith(".") for s in f.relative_to(root).parts)]
        assert list(_walk_files(root)) == want
