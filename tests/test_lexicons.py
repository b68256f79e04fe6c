"""Tests of kcnalex.lexicons: pattern syntax, TOML loading, errors, shipped lexicon."""

from __future__ import annotations

import hashlib
import tomllib

import numpy as np
import pandas as pd
import pytest

from kcnalex import lexicons as lx
from kcnalex.lexicons import LexiconError, expand_pattern, list_lexicons, load_lexicon

HEADER = """[lexicon]
name = "mini"
version = "0.1"
description = "test lexicon"
license = "CC0-1.0"
"""


def write(tmp_path, body: str, header: str = HEADER, name: str = "mini.toml"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


# --- pattern syntax ----------------------------------------------------------------


@pytest.mark.parametrize("pattern, expected", [
    ("Juche idea", ["Juche idea"]),
    ("  Juche   idea ", ["Juche idea"]),
    ("the? puppet traitors", ["the puppet traitors", "puppet traitors"]),
    ("U.S. (imperialist|imperialists)", ["U.S. imperialist", "U.S. imperialists"]),
    ("(great|dear respected) leader", ["great leader", "dear respected leader"]),
    ("(the|a)? puppet", ["the puppet", "a puppet", "puppet"]),
    ("imperialist*", ["imperialist*"]),
    ("puppet* (group|clique)", ["puppet* group", "puppet* clique"]),
    ("(a b?|c) d", ["a b d", "a d", "c d"]),
    ("sun of the nation", ["sun of the nation"]),
])
def test_expand_pattern(pattern, expected):
    assert expand_pattern(pattern) == expected


@pytest.mark.parametrize("pattern, message", [
    ("", "empty pattern"),
    ("imp*ist", "bad glob"),
    ("*", "bad glob"),
    ("-*", "bad glob"),
    ("a | b", "unexpected '|'"),
    ("(a (b))", "nested"),
    ("(a b", "unclosed"),
    ("a(b)", "preceded by white space"),
    ("(a)b", "followed by white space"),
    ("(a|)", "empty alternative"),
    ("a? b?", "empty sequence"),
    ("wh?at", "'?' must end"),
])
def test_expand_pattern_errors(pattern, message):
    with pytest.raises(ValueError, match=message):
        expand_pattern(pattern)


def test_expand_pattern_limit():
    with pytest.raises(ValueError, match="more than 256"):
        expand_pattern(" ".join(["(a|b)"] * 9))


# --- loading -----------------------------------------------------------------------


def test_load_toml_frame_and_attrs(tmp_path):
    path = write(tmp_path, """
[[entry]]
id = "us-imp"
patterns = ["the? U.S. (imperialist|imperialists)"]
category = "hostility"
polarity = -1.0
note = "a note"

[[entry]]
id = "day-sun"
pattern = "Day of the Sun"
category = "leader-honorific"
case = "title"
""")
    lex = load_lexicon(path)
    assert list(lex.columns) == list(lx.LEXICON_COLUMNS)
    assert lex["term"].tolist() == ["the U.S. imperialist", "the U.S. imperialists",
                                    "U.S. imperialist", "U.S. imperialists",
                                    "Day of the Sun"]
    assert lex["entry"].tolist() == ["us-imp"] * 4 + ["day-sun"]
    assert lex["case"].tolist() == ["insensitive"] * 4 + ["title"]
    assert lex["polarity"].iloc[0] == -1.0 and np.isnan(lex["polarity"].iloc[4])
    assert set(lex["lexicon"]) == {"mini"} and set(lex["version"]) == {"0.1"}
    assert lex["note"].iloc[0] == "a note" and lex["note"].iloc[4] == ""
    info = lex.attrs["kcnalex"]
    assert info["name"] == "mini" and info["version"] == "0.1"
    assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info["path"] == str(path)
    # a loaded frame passes through unchanged (no re-expansion)
    again = load_lexicon(lex)
    pd.testing.assert_frame_equal(again, lex)
    assert again.attrs["kcnalex"]["sha256"] == info["sha256"]


def test_header_default_case(tmp_path):
    path = write(tmp_path, '[[entry]]\nid = "a"\npatterns = ["CNC"]\ncategory = "x"\n',
                 header=HEADER + 'case = "sensitive"\n')
    assert load_lexicon(path)["case"].tolist() == ["sensitive"]


@pytest.mark.parametrize("body, message", [
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\ncolour = "red"\n',
     "entry 'a': unknown key\\(s\\) \\['colour'\\]"),
    ('[[entry]]\nid = "a"\ncategory = "c"\n', "entry 'a': missing pattern"),
    ('[[entry]]\nid = "a"\npatterns = []\ncategory = "c"\n', "entry 'a': 'patterns'"),
    ('[[entry]]\nid = "a"\npatterns = ["imp*ist"]\ncategory = "c"\n',
     "entry 'a': pattern 'imp\\*ist': bad glob"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\ncase = "upper"\n',
     "entry 'a': bad case rule 'upper'"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\n'
     '[[entry]]\nid = "a"\npatterns = ["y"]\ncategory = "c"\n',
     "entry 'a': duplicate id \\(also entry #0\\)"),
    ('[[entry]]\npatterns = ["x"]\ncategory = "c"\n', "entry #0: missing 'id'"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\n', "entry 'a': missing 'category'"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\npolarity = 2.0\n',
     "entry 'a': polarity 2.0 outside"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\npolarity = "neg"\n',
     "entry 'a': polarity must be a number"),
    ('[[entry]]\nid = "a b"\npatterns = ["x"]\ncategory = "c"\n', "white space"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\n'
     '[[entry]]\nid = "b"\npatterns = ["X"]\ncategory = "c"\n',
     "entry 'b': term 'X' also belongs to entry 'a'"),
    ('[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\n[extra]\nk = 1\n',
     "unknown top-level key"),
    ('', "no \\[\\[entry\\]\\] tables"),
])
def test_malformed_lexicon_messages(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(LexiconError, match=message) as info:
        load_lexicon(path)
    assert str(path) in str(info.value)


def test_toml_syntax_error_has_line(tmp_path):
    path = write(tmp_path, '[[entry]]\nid = "a"\npatterns = ["x"\ncategory = "c"\n')
    with pytest.raises(LexiconError, match=r"TOML syntax error.*line 9") as info:
        load_lexicon(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)


def test_header_errors(tmp_path):
    path = write(tmp_path, '[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\n',
                 header='[lexicon]\nname = "m"\n')
    with pytest.raises(LexiconError, match="missing or empty 'version'"):
        load_lexicon(path)
    path = write(tmp_path, '[[entry]]\nid = "a"\npatterns = ["x"]\ncategory = "c"\n',
                 header=HEADER + 'author = "me"\n')
    with pytest.raises(LexiconError, match=r"\[lexicon\]: unknown key"):
        load_lexicon(path)


def test_unknown_name_and_missing_path(tmp_path):
    with pytest.raises(LexiconError, match="no shipped lexicon"):
        load_lexicon("no-such-lexicon")
    with pytest.raises(LexiconError, match="not found"):
        load_lexicon(tmp_path / "absent.toml")


def test_mixing_qualifies_entries(tmp_path):
    path = write(tmp_path, '[[entry]]\nid = "juche-idea"\npatterns = ["Juche ideas"]\n'
                           'category = "mine"\n')
    lex = load_lexicon(["kcna-formulae", path])
    mine = lex[lex["lexicon"] == "mini"]
    assert mine["entry"].tolist() == ["mini:juche-idea"]
    assert mine["term"].tolist() == ["Juche ideas"]
    shipped = lex[lex["lexicon"] == "kcna-formulae"]
    assert shipped["entry"].str.startswith("kcna-formulae:").all()
    info = lex.attrs["kcnalex"]
    assert info["name"] == "kcna-formulae+mini"
    assert [i["name"] for i in info["lexicons"]] == ["kcna-formulae", "mini"]
    assert all(len(i["sha256"]) == 64 for i in info["lexicons"])
    # same as passing them as separate arguments
    again = load_lexicon("kcna-formulae", path)
    assert again["entry"].tolist() == lex["entry"].tolist()
    with pytest.raises(LexiconError, match="more than once"):
        load_lexicon([path, path])


def test_dataframe_lexicon():
    user = pd.DataFrame({"term": ["dear leader", "puppet*", "puppet clique"],
                         "category": ["honorific", "hostility", "hostility"],
                         "entry": ["dl", "pp", "pp"]})
    before = user.copy()
    lex = load_lexicon(user)
    pd.testing.assert_frame_equal(user, before)  # input untouched
    assert lex["entry"].tolist() == ["dl", "pp", "pp"]
    assert lex["term"].tolist() == ["dear leader", "puppet*", "puppet clique"]
    assert lex["lexicon"].unique().tolist() == ["user"]
    assert lex["case"].unique().tolist() == ["insensitive"]
    assert len(lex.attrs["kcnalex"]["sha256"]) == 64
    # minimal frame: term + category; entry defaults to the term
    lex2 = load_lexicon(pd.DataFrame({"term": ["Juche"], "category": ["i"]}))
    assert lex2["entry"].tolist() == ["Juche"]
    with pytest.raises(LexiconError, match="needs columns 'term' and 'category'"):
        load_lexicon(pd.DataFrame({"word": ["x"]}))


def test_csv_lexicon_and_listing(tmp_path, monkeypatch):
    shipped = lx.LEXICON_DIR / "kcna-formulae.toml"
    (tmp_path / "kcna-formulae.toml").write_bytes(shipped.read_bytes())
    (tmp_path / "kcna-polarity.csv").write_text(
        "word,score,confidence,version\nhostile,-0.8,0.9,0.3\nfriendly,0.7,0.8,0.3\n",
        encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a lexicon", encoding="utf-8")
    monkeypatch.setattr(lx, "LEXICON_DIR", tmp_path)
    listing = list_lexicons()
    assert listing["name"].tolist() == ["kcna-formulae", "kcna-polarity"]
    pol = listing.set_index("name").loc["kcna-polarity"]
    assert pol["version"] == "0.3" and pol["n_entries"] == 2 and pol["format"] == "csv"
    n = len(tomllib.loads(shipped.read_text(encoding="utf-8"))["entry"])
    assert listing.set_index("name").loc["kcna-formulae", "n_entries"] == n
    # the word-score CSV is listed but not a pattern lexicon
    with pytest.raises(LexiconError, match="needs 'term' and 'category'"):
        load_lexicon("kcna-polarity")
    # a CSV pattern lexicon loads by path
    path = tmp_path / "mine.csv"
    path.write_text("term,category,polarity\nJuche idea,ideology,\npuppet*,hostility,"
                    "-1\n", encoding="utf-8")
    lex = load_lexicon(path)
    assert lex["term"].tolist() == ["Juche idea", "puppet*"]
    assert lex["entry"].tolist() == ["Juche-idea", "puppet*"]
    assert np.isnan(lex["polarity"].iloc[0]) and lex["polarity"].iloc[1] == -1.0
    assert lex.attrs["kcnalex"]["name"] == "mine"


# --- the shipped lexicon ---------------------------------------------------------


def test_list_lexicons_shipped():
    listing = list_lexicons()
    row = listing.set_index("name").loc["kcna-formulae"]
    assert row["n_entries"] >= 250
    assert row["format"] == "toml" and row["version"] == "1.0.0"
    assert list(listing.columns)[:5] == ["name", "version", "n_entries", "description",
                                         "format"]


def test_shipped_kcna_formulae():
    lex = load_lexicon("kcna-formulae")
    entries = lex.drop_duplicates("entry")
    assert len(entries) >= 250
    assert set(lex["category"]) == {
        "leader-honorific", "leadership", "ideology", "revolution", "hostility",
        "invective", "military", "economy", "reunification", "friendship",
        "sovereignty"}
    assert set(lex["case"]) <= set(lx.CASE_RULES)
    assert lex["polarity"].dropna().between(-1, 1).all()
    # formulae are short terms, not sentences
    assert lex["term"].str.split().str.len().max() <= 8
    # the examples of issue #3 are all there
    terms = set(lex["term"].str.lower())
    for t in ["respected comrade", "dear respected", "great leader", "peerless",
              "ever-victorious", "iron-willed", "sun of the nation",
              "anti-imperialist independence", "self-reliance", "juche idea", "songun",
              "single-minded unity", "socialist cause", "u.s. imperialists", "puppet",
              "puppets", "warmongers", "hegemony", "reckless provocation",
              "sycophantic traitors", "invincible friendship", "comradely",
              "strategic cooperation"]:
        assert t in terms, t
    info = lex.attrs["kcnalex"]
    assert info["sha256"] == hashlib.sha256(
        (lx.LEXICON_DIR / "kcna-formulae.toml").read_bytes()).hexdigest()
