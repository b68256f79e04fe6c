"""Tests of the corpus reader (kcnalex.io) on hand-written inputs and real corpora.

Hand-written inputs live in tests/data/io/ (texts written for these tests, KCNA-like
in style). Binary and badly encoded inputs are generated in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kcnalex as kx
from kcnalex import _clean, _dedup, _lang
from kcnalex._columns import CORPUS, validate_frame
from kcnalex.io import IngestReport, ReadError, iter_corpus, read_corpus

DATA = Path(__file__).parent / "data" / "io"
LEADERS = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un", "Kim Jong Suk")


def _title_repeated(df: pd.DataFrame) -> list[str]:
    """Origins whose text repeats the title as its first line (a title may open
    the first sentence: "X Nursery" / "X Nursery is located in ...")."""
    first = df["text"].str.split("\n").str[0].str.casefold().str.strip()
    return list(df.loc[first == df["title"].str.casefold().str.strip(), "origin"])


def _read(path, **kw):
    df, rep = read_corpus(path, with_report=True, **kw)
    validate_frame(df, "corpus")
    rep.check()
    assert rep.records_in == rep.kept + sum(rep.dropped.values())
    assert len(df) == rep.kept
    assert df["doc_id"].is_unique
    assert str(df["date"].dtype) == "datetime64[ns]"
    assert df.attrs["kcnalex"]["ingest"]["records_in"] == rep.records_in
    return df, rep


# --------------------------------------------------------------------------
# KCNA Watch pages
# --------------------------------------------------------------------------
def test_watch_page_exact():
    df, rep = _read(DATA / "watch_page.txt")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["title"] == "Orchard Workers Celebrate Bumper Harvest"
    assert row["date"] == pd.Timestamp("2023-09-14")
    assert row["date_source"] == "explicit"
    assert row["dateline"] == "Pyongyang"
    assert row["source"] == "kcnawatch"
    assert row["origin"] == "watch_page.txt:article[0]"
    assert row["issues"] == "juche_agrees"
    assert row["text"] == (
        "Workers of the Hillside Orchard gathered apples on a record scale, according "
        "to the orchard manager, who praised their devotion.\n"
        "The respected Comrade Kim Jong Un, who visited the orchard last year, had "
        "called for planting new varieties.\n"
        "The harvest will be supplied to the people of the capital.")
    assert "Teaser" not in row["text"] and "More" not in row["text"]


def test_watch_juche_mismatch_recorded():
    df, rep = _read(DATA / "watch_mismatch.txt")
    row = df.iloc[0]
    assert row["date"] == pd.Timestamp("2022-05-02")  # the explicit date wins
    assert row["issues"] == "juche_mismatch:(Juche111.5.3.)!=2022-05-02"
    assert rep.warnings == {"juche_mismatch": 1}
    assert row["text"] == ("A new bridge was opened over the river in the city.\n"
                           "Local people welcomed the event.")


def test_juche_stamp_dates_a_page_without_date_line():
    df, rep = _read(DATA / "watch_nodate.txt")
    row = df.iloc[0]
    assert row["date"] == pd.Timestamp("2025-01-05")  # Juche 114 = 2025
    assert row["date_source"] == "juche"
    assert row["title"] == "Seminar Held on Agriculture"
    assert "kcna.kp" not in row["text"] and "-0-" not in row["text"]


def test_juche_arithmetic():
    assert _clean.juche_date("x (Juche113.6.20.) y") == (dt.date(2024, 6, 20),
                                                         "(Juche113.6.20.)")
    assert _clean.juche_date("(Juche1.1.1)")[0] == dt.date(1912, 1, 1)
    assert _clean.juche_date("(Juche113.2.30.)")[0] is None
    assert _clean.juche_date("no stamp") is None


# --------------------------------------------------------------------------
# kcna.co.jp day files
# --------------------------------------------------------------------------
COJP = DATA / "2000-01-01_juche.json"


def test_cojp_accounting_and_reasons():
    df, rep = _read(COJP)
    assert rep.records_in == 13
    assert rep.kept == 6
    assert rep.dropped == {"null": 1, "empty": 2, "non_english": 1, "duplicate": 1,
                           "near_duplicate": 1, "malformed": 1}
    assert rep.errors == [{"file": COJP.name, "position": "articles[12]",
                           "reason": "article is a str, not an object",
                           "severity": "error"}]
    assert rep.files[COJP.name] == {"records_in": 13, "kept": 6,
                                    "dropped": rep.dropped}
    dups = {d["origin"]: (d["reason"], d["kept_origin"]) for d in rep.duplicates}
    assert dups == {
        f"{COJP.name}:articles[6]": ("duplicate", f"{COJP.name}:articles[0]"),
        f"{COJP.name}:articles[7]": ("near_duplicate", f"{COJP.name}:articles[1]"),
    }


def test_cojp_cleaning():
    df, _ = _read(COJP)
    by = df.set_index(df["origin"].str.split(":").str[1])
    first = by.loc["articles[0]"]
    assert first["title"] == "Leader Kim Jong Il Inspects Farm"
    # December dateline on a January page: previous year
    assert first["date"] == pd.Timestamp("1999-12-31")
    assert first["date_source"] == "dateline"
    assert first["text"] == ('Kim Jong Il, general secretary, inspected a "model" '
                             'farm.\nThe farm workers pledged loyalty.')
    assert first["url"] == "http://example.invalid/2000/01/01.htm#1"
    # misaligned title: the first line of content is the true title
    realigned = by.loc["articles[1]"]
    assert realigned["title"] == "Trade Fair Opens in Capital"
    assert realigned["issues"] == "title_realigned"
    assert realigned["text"].startswith("The trade fair opened in the capital")
    # content without a title line keeps the record's title
    assert by.loc["articles[8]"]["title"] == "Meeting Held"
    assert by.loc["articles[8]"]["dateline"] == "Hamhung"
    # a dateline far from the page date falls back to the page date
    far = by.loc["articles[9]"]
    assert far["date"] == pd.Timestamp("2000-01-01")
    assert far["date_source"] == "page"
    assert far["issues"] == "dateline_far:2000-06-03"
    assert by.loc["articles[10]"]["date_source"] == "page"
    assert by.loc["articles[10]"]["dateline"] == ""
    assert (by.loc["articles[11]"]["text"]
            == "Entities were escaped twice in this record.")
    for text, title in zip(df["text"], df["title"], strict=True):
        assert "&nbsp;" not in text and "&amp;" not in text and "\xa0" not in text
        assert "\r" not in text and "  " not in text
        assert text.split("\n")[0] != title
        assert "(KCNA)" not in text


def test_cojp_gz_and_options(tmp_path):
    gz = tmp_path / COJP.name.replace(".json", ".json.gz")
    gz.write_bytes(gzip.compress(COJP.read_bytes()))
    df, rep = _read(gz)
    assert rep.kept == 6 and len(df) == 6
    assert df["origin"].iloc[0].startswith(gz.name + ":articles[")
    # language filter off: the Spanish record is kept and labelled
    df_all, rep_all = _read(gz, lang=None)
    assert rep_all.kept == 7
    spanish = df_all["origin"].str.endswith("articles[5]")
    assert df_all.loc[spanish, "lang"].item() == "es"
    # a list of languages
    assert _read(gz, lang=["es"])[1].kept == 1
    # dedup off keeps both copies; near-duplicates off keeps the near copy only
    assert _read(gz, dedup=False)[1].kept == 8
    assert _read(gz, near_duplicates=False)[1].kept == 7
    assert _read(gz, format="kcna.co.jp")[1].kept == 6


def test_doc_ids_are_stable_and_path_free(tmp_path):
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    shutil.copy(COJP, copy / COJP.name)
    a, _ = _read(COJP)
    b, _ = _read(copy / COJP.name)
    assert list(a["doc_id"]) == list(b["doc_id"])
    assert all(re.fullmatch(r"[0-9a-f]{16}", d) for d in a["doc_id"])
    assert not any(str(tmp_path) in o for o in b["origin"])


# --------------------------------------------------------------------------
# kcna.kp scrape
# --------------------------------------------------------------------------
def test_kp_glued_names_repaired():
    df, rep = _read(DATA / "kp_headlines.json", glued_names=["Kim Yo Jong"])
    assert rep.dropped == {"empty": 1, "duplicate": 1}
    t = dict(zip(df["origin"].str.split(":").str[1], df["text"], strict=True))
    assert t["[0]"] == ("The respected Comrade Kim Jong Un invited farmers to a "
                        "banquet at Kim Il Sung Square.\nPresident Kim Il Sung and "
                        "Kim Jong Il were remembered with reverence.\nThe farmers "
                        "made kimchi for the Kimchi festival.")
    assert t["[3]"].startswith("Vice department director Kim Yo Jong issued a press")
    # real words next to names are not broken
    assert t["[4]"].startswith("The Kimilsungia show opened with beds of Kim Il "
                               "Sungia flowers")
    assert df["title"].iloc[0] == "Comrade Kim Jong Un Hosts Banquet"
    row = df.set_index(df["origin"].str.split(":").str[1]).loc["[3]"]
    assert row["date"] == pd.Timestamp("2024-03-05")
    assert row["date_source"] == "explicit"
    assert "dateline_mismatch:2024-03-01" in row["issues"]


def test_kp_custom_name_needs_listing():
    df, _ = _read(DATA / "kp_headlines.json")
    assert "directorKim Yo Jongissued" in " ".join(df["text"])


@pytest.mark.parametrize("glued, fixed", [
    ("The respected ComradeKim Jong Uninvited labor innovators",
     "The respected Comrade Kim Jong Un invited labor innovators"),
    ("held atKim Il SungSquare on", "held at Kim Il Sung Square on"),
    ("ofKim Il SungandKim Jong Ilwere", "of Kim Il Sung and Kim Jong Il were"),
    ("the Kim Jong Suk Textile Mill", "the Kim Jong Suk Textile Mill"),
    ("MotherKim Jong Sukwas", "Mother Kim Jong Suk was"),
    ("sentKim Jong Una letter", "sent Kim Jong Un a letter"),
    ("Kimchi, Kimilsungia and Kim Il Sungia", "Kimchi, Kimilsungia and Kim Il Sungia"),
    ("Kim Il Sungist ideas", "Kim Il Sungist ideas"),
    ("Kim Jong Un's work", "Kim Jong Un's work"),
    ("Kim Jong Ung met him", "Kim Jong Ung met him"),
])
def test_repair_glued_cases(glued, fixed):
    pat = _clean.glue_pattern(LEADERS)
    assert _clean.repair_glued(glued, pat)[0] == fixed


def test_repair_glued_opt_in_for_other_sources(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"text": "The respected ComradeKim Jong Unvisited a farm "
                                     "and the people of the county."}) + "\n")
    assert "ComradeKim" in _read(f)[0]["text"].item()
    assert _read(f, repair_glued=True)[0]["text"].item().startswith(
        "The respected Comrade Kim Jong Un visited")


# --------------------------------------------------------------------------
# generic formats
# --------------------------------------------------------------------------
def test_jsonl_with_column_mapping():
    df, rep = _read(DATA / "generic.jsonl",
                    columns={"text": "body", "date": "published"})
    assert rep.records_in == 5 and rep.kept == 2
    assert rep.dropped == {"malformed": 2, "null": 1}
    assert [e["position"] for e in rep.errors] == ["line[3]", "line[5]"]
    assert list(df["title"]) == ["Students Plant Trees", "Winter Sports Contest"]
    assert list(df["date"]) == [pd.Timestamp("2015-03-02"), pd.Timestamp("2015-12-31")]
    assert df["url"].iloc[0] == "http://example.invalid/j/1"
    assert df["text"].iloc[1] == ("A winter sports contest took place on the frozen "
                                  "lake.")
    assert set(df["source"]) == {"jsonl"}


def test_csv():
    df, rep = _read(DATA / "generic.csv")
    assert rep.records_in == 3 and rep.kept == 2
    assert rep.errors[0]["position"] == "row[1]"
    assert list(df["dateline"]) == ["Wonsan", "Pyongyang"]
    assert df["text"].iloc[1] == ("A new library opened in the city.\n"
                                  "It holds many books.")


def test_json_list_defaults_and_bad_values():
    df, rep = _read(DATA / "generic.json")
    assert rep.records_in == 4
    assert rep.dropped == {"malformed": 1, "lang_undetermined": 1}  # "12345.5"
    assert df["date"].iloc[0] == pd.Timestamp("2019-07-09")  # dd/mm/yyyy
    bad = df.iloc[1]
    assert pd.isna(bad["date"]) and bad["issues"] == "bad_date"
    assert bad["date_source"] == "none"


def test_parquet(tmp_path):
    src = pd.DataFrame({"headline": ["Bridge Built", "Dam Built"],
                        "content": ["Sinuiju, May 4 (KCNA) -- A bridge was built "
                                    "over the river by the youth of the city.",
                                    "A dam was built on the river by the workers of "
                                    "the county."],
                        "published": pd.to_datetime(["2020-05-04", "2020-05-05"])})
    f = tmp_path / "x.parquet"
    src.to_parquet(f)
    df, rep = _read(f)
    assert rep.kept == 2
    assert list(df["title"]) == ["Bridge Built", "Dam Built"]
    assert list(df["date"]) == list(src["published"])
    assert df["dateline"].iloc[0] == "Sinuiju"


def test_txt_folder_bulletin_and_single():
    df, rep = _read(DATA / "txt")
    assert rep.records_in == 4 and rep.kept == 4
    assert list(df["title"]) == ["Hospital Building Completed",
                                 "Farmers Start Rice Transplanting",
                                 "Greetings to Friendly Country",
                                 "Railway Line Repaired"]
    assert list(df["date"].iloc[:3]) == [pd.Timestamp("2013-05-01"),
                                         pd.Timestamp("2013-05-02"),
                                         pd.Timestamp("2013-05-02")]
    assert pd.isna(df["date"].iloc[3]) and df["date_source"].iloc[3] == "none"
    assert df["dateline"].iloc[3] == "Kaesong"
    assert df["origin"].iloc[0] == "2013-05-02_bulletin.txt:article[1]"
    assert df["text"].iloc[2] == ("A message of greeting was sent to the president "
                                  "of a friendly country on its national day.")
    assert rep.warnings.get("preface_skipped") == 1


def test_sources_list_and_glob():
    df, rep = _read([DATA / "generic.csv", str(DATA / "txt" / "*.txt")])
    assert rep.records_in == 3 + 4
    assert set(rep.files) == {"generic.csv", "2013-05-02_bulletin.txt", "single.txt"}


def test_resolved_files_paths_and_labels(tmp_path, monkeypatch):
    from kcnalex.io import _FileList, _resolve

    for rel in ("a/x.json", "a/sub/y.jsonl", "a/.hidden/z.json", "a/LICENSE",
                "a/sub/w.txt.gz", "b.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("[]")
    monkeypatch.chdir(tmp_path)
    rep = IngestReport()
    files = _resolve([tmp_path / "a", "b.csv", str(tmp_path / "a" / "**" / "*.json*"),
                      str(Path("a") / "sub" / ".." / "*.json")], rep)
    assert list(files) == [
        (tmp_path / "a" / "sub" / "w.txt.gz", "sub/w.txt.gz"),
        (tmp_path / "a" / "sub" / "y.jsonl", "sub/y.jsonl"),
        (tmp_path / "a" / "x.json", "x.json"),
        (Path("b.csv"), "b.csv"),
        (tmp_path / "a" / "sub" / "y.jsonl", "sub/y.jsonl"),
        (tmp_path / "a" / "x.json", "x.json"),
        (Path("a/sub/../x.json"), "x.json"),
    ]
    assert [str(p) for p, _ in files][-1] == "a/sub/../x.json"
    assert len(files) == 7 and files[-1] == files[6]
    assert files._roots == [tmp_path / "a", Path("."), Path("a/sub/..")]
    assert rep.skipped_files == ["LICENSE"]
    with pytest.raises(IndexError):
        files[7]
    other = _FileList()
    other.append(Path("/x/y.json"), "elsewhere.json")  # not root / label
    assert list(other) == [(Path("/x/y.json"), "elsewhere.json")]


def test_folder_skips_unknown_files_visibly(tmp_path):
    shutil.copy(DATA / "generic.csv", tmp_path / "generic.csv")
    (tmp_path / "LICENSE").write_text("license text")
    df, rep = _read(tmp_path)
    assert rep.skipped_files == ["LICENSE"]
    assert rep.kept == 2


# --------------------------------------------------------------------------
# errors and bad input
# --------------------------------------------------------------------------
def test_missing_path_raises():
    with pytest.raises(FileNotFoundError, match="no_such_file.json"):
        read_corpus(DATA / "no_such_file.json")
    with pytest.raises(FileNotFoundError):
        read_corpus(str(DATA / "nothing-*.json"))


def test_bad_options():
    with pytest.raises(ValueError, match="unknown format"):
        read_corpus(DATA / "generic.csv", format="xml")
    with pytest.raises(ValueError):
        read_corpus(DATA / "generic.csv", near_duplicate_threshold=0)


TEXT = "Pyongyang, May 2 (KCNA) -- The workers of the factory met the plan on time.\n"


@pytest.mark.parametrize("name, payload, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.json", b"  \n\n ", "empty file"),
    ("garbage.bin.txt", bytes(range(256)) * 4, "binary data"),
    ("trunc.json", b'[{"text": "The workers of the', "invalid or truncated JSON"),
    ("trunc.json.gz", gzip.compress(b'[{"text": "abc"}]')[:-6], "corrupt or truncated"),
    ("notgz.json.gz", b"plain bytes", "corrupt or truncated gzip"),
    ("scalar.json", b"42", "top-level JSON is a int"),
    ("bad.parquet", b"PAR1 not really", "unreadable Parquet"),
])
def test_malformed_files_reported_and_strict(tmp_path, name, payload, reason):
    f = tmp_path / name
    f.write_bytes(payload)
    good = tmp_path / "good.txt"
    good.write_text(TEXT)
    df, rep = _read([f, good])
    assert rep.kept == 1  # the rest goes on
    assert rep.records_in == 2
    err = rep.errors[0]
    assert err["file"] == name and reason in err["reason"]
    with pytest.raises(ReadError) as info:
        read_corpus([f, good], strict=True)
    assert info.value.file == name and reason in info.value.reason
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("encoding, warning", [
    ("utf-8-sig", "utf8_bom"), ("latin-1", "decoded_cp1252"),
    ("cp1252", "decoded_cp1252"), ("euc-kr", "decoded_euckr"),
])
def test_encodings(tmp_path, encoding, warning):
    word = "조선" if encoding == "euc-kr" else "café"
    text = f"Title Line\nPyongyang, May 2 (KCNA) -- The {word} of the city was " \
           f"opened to the public on the day.\n"
    f = tmp_path / "enc.txt"
    f.write_bytes(text.encode(encoding))
    df, rep = _read(f)
    assert rep.kept == 1
    assert word in df["text"].item()
    assert rep.warnings.get(warning) == 1
    # an explicit encoding that does not fit is an error with the file name
    if encoding == "euc-kr":
        df2, rep2 = _read(f, encoding="ascii")
        assert rep2.dropped == {"malformed": 1}
        assert "cannot decode as ascii" in rep2.errors[0]["reason"]


def test_report_json_roundtrip(tmp_path):
    df, rep = _read(COJP)
    out = tmp_path / "report.json"
    text = rep.to_json(out)
    back = json.loads(out.read_text())
    assert json.loads(text) == back
    for key in ("records_in", "kept", "dropped", "errors", "warnings", "files",
                "near_duplicate_threshold", "input_sha256"):
        assert key in back
    assert back["records_in"] == back["kept"] + sum(back["dropped"].values())
    assert isinstance(rep, IngestReport)
    assert df.attrs["kcnalex"]["function"] == "read_corpus"
    assert df.attrs["kcnalex"]["ingest"]["dropped"] == rep.dropped


class _Untouchable(list):
    def __iter__(self):
        raise AssertionError("iterated")


class _UntouchableFiles(dict):
    def __iter__(self):
        raise AssertionError("iterated")

    def items(self):
        raise AssertionError("iterated")


def test_report_summary_leaves_out_files_and_duplicates_without_copying():
    _, rep = _read(COJP)
    full = rep.to_dict()
    assert list(full) == ["records_in", "kept", "dropped", "errors", "warnings",
                          "files", "skipped_files", "duplicates",
                          "near_duplicate_threshold", "input_sha256", "params",
                          "n_errors"]
    assert full["files"] == {COJP.name: {"records_in": 13, "kept": 6,
                                         "dropped": rep.dropped}}
    assert full["files"][COJP.name] is not rep.files[COJP.name]
    assert full["duplicates"] == rep.duplicates
    assert full["duplicates"][0] is not rep.duplicates[0]
    summary = rep.to_dict(details=False)
    expected = {k: v for k, v in full.items() if k not in ("files", "duplicates")}
    assert summary == {**expected, "n_files": 1}
    assert list(summary) == [*expected, "n_files"]
    # the per-file counts and the duplicate list are not even iterated
    rep.files = _UntouchableFiles(rep.files)
    rep.duplicates = _Untouchable(rep.duplicates)
    assert rep.to_dict(details=False) == summary
    rep.errors = [{"file": "f", "position": None, "reason": str(i),
                   "severity": "error"} for i in range(150)]
    short = rep.to_dict(details=False)
    assert short["n_errors"] == 150 and len(short["errors"]) == 100
    short["errors"][0]["reason"] = "changed"
    assert rep.errors[0]["reason"] == "0"


def test_report_files_is_a_compact_read_only_mapping():
    from kcnalex.io import _FileCounts

    files = _FileCounts()
    for label, drop in [("b.json", None), ("b.json", "null"), ("a.json", "empty"),
                        ("b.json", "non_english"), ("b.json", "null"),
                        ("a.json", None), ("c.json", None)]:
        files._count(label, drop)
    files._index("empty.json")
    files._index("a.json")
    expected = {"b.json": {"records_in": 4, "kept": 1,
                           "dropped": {"null": 2, "non_english": 1}},
                "a.json": {"records_in": 2, "kept": 1, "dropped": {"empty": 1}},
                "c.json": {"records_in": 1, "kept": 1, "dropped": {}},
                "empty.json": {"records_in": 0, "kept": 0, "dropped": {}}}
    assert files == expected and expected == files
    assert list(files) == list(expected)  # order of first count
    assert list(files.items()) == list(expected.items())
    assert list(files.values()) == list(expected.values())
    assert list(files["b.json"]["dropped"]) == ["null", "non_english"]
    assert repr(files) == repr(expected)
    assert "a.json" in files and "x.json" not in files and 3 not in files
    assert files.get("x.json") is None and len(files) == 4
    with pytest.raises(KeyError):
        files["x.json"]
    with pytest.raises(TypeError):
        files["a.json"] = {}  # read only
    files["a.json"]["kept"] = 99  # a new dict each time
    assert files["a.json"]["kept"] == 1
    assert _FileCounts(expected) == expected
    assert list(_FileCounts(expected)["b.json"]["dropped"]) == ["null", "non_english"]
    assert pickle.loads(pickle.dumps(files)) == expected
    # a report built with a dict of dicts stores it compactly
    rep = IngestReport(files=expected)
    assert isinstance(rep.files, _FileCounts) and rep.files == expected
    assert rep.to_dict()["files"] == expected
    # a read stores each file name once: its file list, report and duplicate
    # labels share one table (which also holds the labels' "articles")
    _, rep = _read(DATA)
    names = list(rep.files.names)
    assert len(names) == len(set(names)) and set(rep.files) < set(names)
    assert "articles" in names and "articles" not in rep.files
    assert rep.files.get("articles") is None
    # counts that outgrow 32 bits widen their array
    files._drop(0, "null", 2**31)
    assert files["b.json"]["dropped"]["null"] == 2**31 + 2
    assert files.nbytes > 0


def test_empty_result_has_corpus_columns(tmp_path):
    f = tmp_path / "only_null.json"
    f.write_text("[null, null]")
    df, rep = _read(f)
    assert len(df) == 0 and list(df.columns[:9]) == list(CORPUS)
    assert rep.dropped == {"null": 2}


# --------------------------------------------------------------------------
# streaming
# --------------------------------------------------------------------------
def test_iter_corpus_matches_read_corpus(tmp_path):
    for name in ("2000-01-01_juche.json", "generic.csv", "kp_headlines.json"):
        shutil.copy(DATA / name, tmp_path / name)
    whole, rep = _read(tmp_path)
    chunks = iter_corpus(tmp_path, chunk_size=1)
    frames = list(chunks)
    assert len(frames) == 3  # files are never split
    got = pd.concat(frames, ignore_index=True)
    assert sorted(got["doc_id"]) == sorted(whole["doc_id"])
    assert chunks.report.records_in == rep.records_in
    assert chunks.report.dropped == rep.dropped
    assert list(got.columns) == list(whole.columns)


def test_iter_corpus_dedups_across_chunks(tmp_path):
    row = {"title": "A", "text": TEXT.strip()}
    for i in range(3):
        (tmp_path / f"{i}.jsonl").write_text(json.dumps(row) + "\n")
    chunks = iter_corpus(tmp_path, chunk_size=1)
    assert sum(len(f) for f in chunks) == 1
    assert chunks.report.dropped == {"duplicate": 2}


# --------------------------------------------------------------------------
# helpers: language, dedup, dates, punctuation
# --------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    ("The delegation left Pyongyang on Monday for a visit to the country.", "en"),
    ("La delegacion partio el lunes de Pyongyang para una visita de amistad al "
     "pais.", "es"),
    ("La délégation est partie lundi pour une visite dans le pays avec les "
     "membres.", "fr"),
    ("Die Delegation ist am Montag zu einem Besuch in das Land mit dem Zug "
     "gereist.", "de"),
    ("Делегация отбыла в понедельник", "ru"),
    ("조선중앙통신사 보도", "ko"),
    ("12345 67890", "und"),
    ("", "und"),
])
def test_detect_lang(text, code):
    assert _lang.detect_lang(text) == code


def test_jaccard_matches_reference():
    a = "one two three four five six seven eight nine ten"
    b = "one two three four five six seven eight nine eleven"

    def ref(x, y, k=5):
        def sh(w):
            return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}
        sx, sy = sh(x.split()), sh(y.split())
        return len(sx & sy) / len(sx | sy)

    got = _dedup.jaccard(_dedup.shingle_set(a), _dedup.shingle_set(b))
    assert got == pytest.approx(ref(a, b)) == 5 / 7
    # batch hashing equals one-document hashing
    flat, docs = _dedup._shingle_hashes([a, "", "x y", b])
    assert np.array_equal(np.unique(flat[docs == 3]), _dedup.shingle_set(b))
    assert np.array_equal(np.unique(flat[docs == 2]), _dedup.shingle_set("x y"))
    assert not (docs == 1).any()


def test_dedup_keeps_earliest_and_greedy():
    base = " ".join(f"w{i}" for i in range(100))  # J = 91/101
    near = base.replace("w30", "z30")
    d = _dedup.Deduplicator(threshold=0.85)
    out = d.process([base, near, base.upper(), "other text entirely here"],
                    ["a", "b", "c", "d"])
    assert out[0] is None and out[3] is None
    assert out[1][:2] == ("near_duplicate", "a")
    assert out[2] == ("duplicate", "a", 1.0)  # casefolded: same normalised text
    # texts under MIN_WORDS words are only tested for exact duplicates
    short = " ".join(f"s{i}" for i in range(_dedup.MIN_WORDS - 1))
    out = _dedup.Deduplicator().process([short, short.replace("s40", "t40")],
                                        ["a", "b"])
    assert out == [None, None]


def test_dedup_near_duplicates_across_batches_within_the_window():
    rng = np.random.default_rng(3)
    base = [" ".join(f"w{x}" for x in rng.integers(0, 10**6, 100)) for _ in range(6)]

    def near(t):
        return t.replace(t.split()[50], "edited", 1)

    d = _dedup.Deduplicator(window=3)
    assert d.process(base[:4], ["a:0", "a:1", "a:2", "a:3"]) == [None] * 4
    # the window holds a:1, a:2, a:3 (the last 3 kept); a:0 was forgotten
    out = d.process([near(base[0]), near(base[2]), base[4], near(base[4])],
                    ["b:0", "b:1", "b:2", "b:3"])
    assert out[0] is None and out[2] is None
    assert out[1][:2] == ("near_duplicate", "a:2") and out[1][2] > 0.85
    assert out[3][:2] == ("near_duplicate", "b:2")
    # now b:0, b:2 and a:3 are the last 3 kept... in id order: a:3, b:0, b:2
    assert d._win_label == ["a:3", "b:0", "b:2"]
    assert d._win_gid.tolist() == [3, 4, 6] and d._win_sig.shape == (3, _dedup.N_PERM)
    out = d.process([near(near(base[3])), near(base[1]), base[5]],
                    ["c:0", "c:1", "c:2"], remember=False)
    assert out[0][:2] == ("near_duplicate", "a:3") and out[1:] == [None, None]
    assert d._win_label == ["a:3", "b:0", "b:2"]  # remember=False: unchanged
    d = _dedup.Deduplicator(window=0)
    d.process(base[:2], ["a:0", "a:1"])
    assert d.process([near(base[0])], ["b:0"]) == [None] and not d._win_label


def test_sorted_keys_batches_repeats_and_payloads():
    keys = _dedup.SortedKeys(label=np.int64)
    keys.add(np.array([7, 2**64 - 1, 3], dtype=np.uint64), label=[0, 1, 2])
    keys.add(np.array([5, 7, 0], dtype=np.uint64), label=[3, 4, 5])
    keys.add(np.array([], dtype=np.uint64), label=[])
    assert keys.keys.tolist() == [0, 3, 5, 7, 7, 2**64 - 1]
    assert keys.columns["label"].tolist() == [5, 2, 3, 0, 4, 1]  # 7: in added order
    start, stop = keys.span(np.array([7, 4, 2**64 - 1], dtype=np.uint64))
    assert start.tolist() == [3, 2, 5] and stop.tolist() == [5, 2, 6]
    assert keys.contains(np.array([0, 1, 2**64 - 1], dtype=np.uint64)).tolist() == [
        True, False, True]
    assert 2**64 - 1 in keys and 6 not in keys and len(keys) == 6
    assert keys.nbytes == 6 * 16
    with pytest.raises(ValueError, match="payload columns"):
        keys.add(np.array([1], dtype=np.uint64))
    with pytest.raises(ValueError, match="2 values for 1 keys"):
        keys.add(np.array([1], dtype=np.uint64), label=[1, 2])


def test_label_store_rebuilds_every_label():
    labels = ["2012-01-01_juche.json.gz:articles[3]", "2012-01-01_juche.json.gz",
              "2012-01-01_juche.json.gz:articles[0]", "k.json:[12]", "x.jsonl:line[5]",
              "a:b:c", "plain", "", ":", "x:", "f:row[007]", "f:a[1][2]", "f:[]",
              "f:n[1234567890123456789]", "f:n[123456789012345678]",
              "f:n[2147483647]", "f:n[2147483648]", "f:n[9999999999]", "dir/w.txt"]
    store = _dedup.LabelStore()
    assert [store.add(x) for x in labels] == list(range(len(labels)))
    assert [store[i] for i in range(len(store))] == labels
    assert store[-1] == labels[-1]
    with pytest.raises(IndexError):
        store[len(labels)]
    # a file name is stored once, however many of its records are labelled
    assert list(store._strings).count("2012-01-01_juche.json.gz") == 1
    numbers = [store._number[i] for i in range(len(store))]
    assert numbers[:3] == [3, -1, 0]
    # numbers above 2**31 - 1 stay part of the suffix
    assert numbers[-3:-1] == [-1, -1]
    # records of one file in a row share one run (prefix and name)
    assert store._run_start.tolist()[:3] == [0, 1, 2]
    runs = _dedup.LabelStore()
    for i in (5, 2, 10, 0):
        runs.add(f"f.json:articles[{i}]")
    runs.add("g.json:articles[0]")
    assert runs._run_start.tolist() == [0, 4] and len(runs._strings) == 3
    assert runs.nbytes == runs._strings.nbytes + 2 * 16 + 5 * 4


def test_dedup_exact_across_batches_checks_all_128_bits(monkeypatch):
    d = _dedup.Deduplicator(near=False)
    assert d.process(["One text.", "Two texts."], ["f:a[0]", "f:a[1]"]) == [None] * 2
    out = d.process(["two TEXTS", "Three.", "one text", "three"],
                    ["g:a[0]", "g:a[1]", "g:a[2]", "g:a[3]"])
    assert out == [("duplicate", "f:a[1]", 1.0), None,
                   ("duplicate", "f:a[0]", 1.0), ("duplicate", "g:a[1]", 1.0)]
    assert len(d.keys) == len(d.labels) == 3
    # digests that share their first 8 bytes are different texts
    monkeypatch.setattr(_dedup, "exact_key", lambda norm: b"\0" * 8 + norm[:8].encode()
                        .ljust(8, b"\0"))
    d = _dedup.Deduplicator(near=False)
    assert d.process(["alpha"], ["f:a[0]"]) == [None]
    out = d.process(["beta", "alpha", "beta"], ["g:a[0]", "g:a[1]", "g:a[2]"])
    assert out == [None, ("duplicate", "f:a[0]", 1.0), ("duplicate", "g:a[0]", 1.0)]
    assert d.process(["beta", "gamma"], ["h:a[0]", "h:a[1]"]) == [
        ("duplicate", "g:a[0]", 1.0), None]
    assert d.keys.keys.tolist() == [0, 0, 0]


def test_doc_id_collisions_within_and_across_chunks(tmp_path):
    # three different articles at one URL: 1.jsonl holds two, 2.jsonl one
    url = "http://example.org/a"
    texts = [f"The {w} of the factory met the plan on time in the month."
             for w in ("workers", "engineers", "managers")]
    (tmp_path / "1.jsonl").write_text("".join(
        json.dumps({"text": t, "url": url, "date": "2000-01-0" + str(i + 1)}) + "\n"
        for i, t in enumerate(texts[:2])))
    (tmp_path / "2.jsonl").write_text(json.dumps(
        {"text": texts[2], "url": url, "date": "2000-01-03"}) + "\n")

    def sha(key):
        return hashlib.sha1(f"jsonl\x1f{key}".encode()).hexdigest()[:16]

    expect = [sha(url), sha(url + "#2"), sha(url + "#3")]
    assert list(_read(tmp_path)[0]["doc_id"]) == expect
    chunks = list(iter_corpus(tmp_path, chunk_size=1))
    assert [list(c["doc_id"]) for c in chunks] == [expect[:2], expect[2:]]


@pytest.mark.parametrize("page, month, day, expect", [
    (dt.date(2000, 1, 1), 12, 31, dt.date(1999, 12, 31)),
    (dt.date(1999, 12, 31), 1, 1, dt.date(2000, 1, 1)),
    (dt.date(2010, 10, 18), 10, 17, dt.date(2010, 10, 17)),
    (dt.date(2013, 3, 1), 2, 29, dt.date(2012, 2, 29)),
])
def test_dateline_year_resolution(page, month, day, expect):
    assert _clean.resolve_month_day(month, day, page) == expect


@pytest.mark.parametrize("line, place, month, day", [
    ("Pyongyang, June 20 (KCNA) -- Kim", "Pyongyang", 6, 20),
    ("Pyongyang, 5 de mayo (ATCC) -- El", "Pyongyang", 5, 5),
    ("Mt. Kumgang Resort, May 30 (KCNA) -- A", "Mt. Kumgang Resort", 5, 30),
    ("Tokyo, September 6 (KNS-KCNA) -- The", "Tokyo", 9, 6),
    ("PYONGYANG, MARCH 1 (KCNA) -- THE", "Pyongyang", 3, 1),
    ("Pyongyang May 6 (KCNA) - Hong", "Pyongyang", 5, 6),
])
def test_parse_dateline(line, place, month, day):
    got = _clean.parse_dateline(line)
    assert got[:3] == (place, month, day)


def test_parse_dateline_rejects_titles():
    assert _clean.parse_dateline("Kim Il Sung Advances Proposal") is None
    assert _clean.parse_dateline("Pyongyang, Kim Il Sung 5 (KCNA) -- x") is None


def test_punct_space():
    assert _clean.fix_punct_space("Kim Jong Un , general") == "Kim Jong Un, general"
    assert _clean.fix_punct_space("He said : yes ; no .") == "He said: yes; no."
    assert _clean.fix_punct_space("score 3 : 1 ok") == "score 3 : 1 ok"


# --------------------------------------------------------------------------
# bundled synthetic sample
# --------------------------------------------------------------------------
def test_load_sample():
    df, rep = kx.load_sample(with_report=True)
    assert len(df) == 60
    assert df["title"].str.startswith("SYNTHETIC").all()
    assert (df["source"] == "SYNTHETIC kcnalex sample").all()
    assert df["date"].dt.year.between(2010, 2014).all()
    assert rep.dropped == {"duplicate": 1, "non_english": 6, "null": 1}
    assert pd.Timestamp("2011-12-31") in set(df["date"])


# --------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------
@pytest.mark.realdata
def test_seed_article(seed_path):
    df, rep = _read(seed_path)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["title"] == ("Respected Comrade Kim Jong Un Has Talks with President "
                            "Vladimir Vladimirovich Putin")
    assert row["date"] == pd.Timestamp("2024-06-20")
    assert row["dateline"] == "Pyongyang"
    assert row["text"].startswith("Kim Jong Un, general secretary of the Workers' "
                                  "Party of Korea")
    assert row["text"].endswith("relations of strategic cooperation.")
    for teaser in ("Pang Chol Mi", "More From", "More Articles", "-0-", "Juche113",
                   "Tree Planting", "Read original version"):
        assert teaser not in row["text"]
    assert row["issues"] == "juche_agrees"  # the stamp agrees with the date
    assert " ," not in row["text"]
    assert row["lang"] == "en" and row["source"] == "kcnawatch"
    assert row["origin"] == f"{seed_path.name}:article[0]"


@pytest.mark.realdata
def test_kp_2024_no_glued_names(kp_2024_path):
    df, rep = _read(kp_2024_path, dedup=False, lang=None)
    assert rep.records_in == 1334
    text = "\n".join(df["text"]) + "\n" + "\n".join(df["title"])
    for bad in ("ComradeKim", "Uninvited", "SungSquare", "IlFoundation"):
        assert bad not in text
    names = "|".join(LEADERS)
    assert not re.search(rf"[^\W\d_](?:{names})", text)
    assert not re.search(rf"(?:{names})(?!ia\b)[^\W\d_]", text)
    # words that merely start with "Kim" (Kimchi, Kimilsungia, ...) are untouched
    raw = json.loads(kp_2024_path.read_text(encoding="utf-8"))
    raw_text = "\n".join((r.get("story_text") or "") for r in raw)
    kim_words = re.compile(r"\bKim[a-z]+")
    assert len(kim_words.findall(raw_text)) > 0
    assert (sorted(kim_words.findall(raw_text))
            == sorted(kim_words.findall("\n".join(df["text"]))))
    assert (df["date_source"] == "explicit").all()
    assert df["date"].between("2023-12-01", "2024-10-01").all()


@pytest.mark.realdata
def test_cojp_slice(co_jp_dir):
    files = sorted(co_jp_dir.glob("2012-01-*.json.gz"))
    df, rep = _read(files)
    assert rep.records_in == sum(
        len(json.loads(gzip.decompress(f.read_bytes()))["articles"]) for f in files)
    assert not df["text"].str.contains("&nbsp;|&quot;|&amp;", regex=True).any()
    assert not _title_repeated(df)
    assert df["date"].isna().mean() <= 0.005
    assert (df["lang"] == "en").all()
    assert rep.dropped["non_english"] > 0


@pytest.mark.realdata
@pytest.mark.slow
def test_cojp_full_folder(co_jp_dir):
    df, rep = _read(co_jp_dir, progress=False)
    assert rep.records_in == 117_407
    assert rep.dropped["null"] == 133
    assert rep.kept + sum(rep.dropped.values()) == 117_407
    assert len(rep.files) == 6554
    assert not df["text"].str.contains("&nbsp;", regex=False).any()
    assert not _title_repeated(df)
    assert df["date"].isna().mean() <= 0.005


def test_reader_state_stays_in_memory_when_no_temporary_file(monkeypatch):
    """Where the temporary file cannot be made, runs and blocks stay in memory
    with the same contents."""
    def no_file(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_dedup.tempfile, "TemporaryFile", no_file)
    keys = _dedup.SortedKeys(label=np.int32)
    keys.max_run = 4
    for b in range(5):
        keys.add(np.arange(b, 40, 5, dtype=np.uint64), label=np.arange(8) + 10 * b)
    assert keys.spilled_nbytes == 0 and keys.nbytes == 40 * 12
    assert keys.keys.tolist() == sorted(keys.keys.tolist()) == list(range(40))
    assert keys.contains(np.array([0, 39, 40], dtype=np.uint64)).tolist() == [
        True, True, False]
    arr = _dedup._BlockArray("i")
    arr.block = 3
    for x in range(10):
        arr.append(x)
    assert [arr[i] for i in range(10)] == list(range(10)) and arr.nbytes == 40
