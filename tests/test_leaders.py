"""Tests of kcnalex.leaders: leader mentions, honorific spans, honorific density.

Short texts are written for these tests in KCNA style. Real-data tests read the
shared corpora through the conftest fixtures and the hand annotations in
tests/annotations/leaders/ (offsets and labels only).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kcnalex._provenance import get_provenance
from kcnalex.leaders import (
    LEADERS_FILE,
    LeaderMatcher,
    LeadersFileError,
    honorific_density,
    leader_mentions,
    load_leaders,
)

ANNOTATIONS = Path(__file__).parent / "annotations" / "leaders" / "articles.json"
DPRK = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un", "Kim Jong Suk")


def _one(text: str, **kw) -> list[tuple[str, list[str], bool, bool]]:
    df = leader_mentions(text, **kw)
    return [(r.leader, list(r.honorifics), r.post_title, r.possessive)
            for r in df.itertuples()]


# ------------------------------------------------------------------ leaders file
def test_load_leaders_default_file():
    lf = load_leaders()
    assert lf.active == DPRK
    assert lf.version == "2025.1"
    assert lf.sha256 == hashlib.sha256(LEADERS_FILE.read_bytes()).hexdigest()
    kinds = {ld.name: ld.kind for ld in lf.leaders}
    assert {n for n, k in kinds.items() if k == "foreign"} >= {
        "Vladimir Putin", "Xi Jinping", "Hu Jintao", "Jiang Zemin",
        "Dmitry Medvedev", "Donald Trump"}
    for unit in ("respected", "Comrade", "General Secretary",
                 "President of the State Affairs", "Supreme Commander",
                 "Marshal of the DPRK"):
        assert unit in lf.units
    assert "University" in lf.not_followed_by


def test_select():
    lf = load_leaders()
    assert lf.select("all").active[:4] == DPRK
    assert "Vladimir Putin" in lf.select("all").active
    assert lf.select("foreign").active[0] == "Vladimir Putin"
    # aliases resolve to the canonical name, order follows the file
    assert lf.select(["putin", "Kim Jong Un"]).active == ("Kim Jong Un",
                                                          "Vladimir Putin")
    with pytest.raises(ValueError, match="unknown leader"):
        lf.select(["Kim Jong"])


def test_custom_leaders_file(tmp_path):
    p = tmp_path / "l.toml"
    p.write_text(
        '[leaders]\nversion = "t1"\n'
        '[[leader]]\nname = "Ri Chol"\naliases = ["Chol"]\nkind = "foreign"\n'
        '[honorifics]\nunits = ["Dear", "Mister Chairman"]\n'
        '[honorifics.variants]\n"Dears" = "Dear"\n'
        '[mentions]\nnot_followed_by = ["Park"]\npost_titles = ["boss"]\n',
        encoding="utf-8")
    lf = load_leaders(p)
    # a foreign leader without `default` is not tracked by default
    assert lf.active == ()
    lf = lf.select("all")
    text = "Dears Mister Chairman Ri Chol, boss of the farm, met Chol at Ri Chol Park"
    df = leader_mentions(text, leaders=lf)
    assert df["start"].tolist() == [22, 53]
    assert df["honorifics"].tolist() == [["Dears", "Mister Chairman"], []]
    assert df["post_title"].tolist() == [True, False]
    rec = get_provenance(df)
    assert rec["leaders_file"]["version"] == "t1"
    assert rec["leaders_file"]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("body, match", [
    ('[[leader]]\nname = "A"\n', "version"),
    ('[leaders]\nversion = "1"\n', "at least one"),
    ('[leaders]\nversion = "1"\n[[leader]]\nname = "A"\nkind = "x"\n', "kind"),
    ('[leaders]\nversion = "1"\n[[leader]]\nname = "A"\naliases = ["A"]\n'
     '[honorifics]\nunits = ["a"]\n', "twice"),
    ('[leaders]\nversion = "1"\n[[leader]]\nname = "A"\n'
     '[honorifics]\nunits = ["a"]\n[honorifics.variants]\n"b" = "c"\n', "variant"),
    ('[leaders]\nversion = "1"\n[[leader]]\nname = "A"\n', "units"),
    ("[leaders\n", "TOML"),
])
def test_bad_leaders_file(tmp_path, body, match):
    p = tmp_path / "bad.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(LeadersFileError, match=match):
        load_leaders(p)


# ------------------------------------------------------------- honorific spans
@pytest.mark.parametrize("text, honorifics", [
    ("the great leader Comrade Kim Il Sung", ["great", "leader", "Comrade"]),
    ("the respected Comrade Kim Jong Un", ["respected", "Comrade"]),
    ("Kim Jong Un", []),
    ("Chairman Kim Jong Un", ["Chairman"]),
    # multiword titles are one unit (longest match)
    ("General Secretary Kim Jong Il", ["General Secretary"]),
    ("at the invitation of President of the State Affairs Kim Jong Un",
     ["President of the State Affairs"]),
    ("Supreme Commander of the Korean People's Army Kim Jong Un",
     ["Supreme Commander of the Korean People's Army"]),
    ("Marshal of the DPRK Kim Jong Un", ["Marshal of the DPRK"]),
    ("the anti-Japanese war hero Kim Jong Suk", ["anti-Japanese war hero"]),
    # a comma inside the epithet run continues it
    ("the great, respected Comrade Kim Jong Il", ["great", "respected", "Comrade"]),
    ("ever-victorious, iron-willed brilliant commander Kim Jong Il",
     ["ever-victorious", "iron-willed", "brilliant", "commander"]),
    # case kept; surface white space collapsed
    ("The Dear Respected\nMarshal Kim Jong Un", ["Dear", "Respected", "Marshal"]),
    ("supreme leader Kim Jong Un", ["supreme leader"]),
    # determiners, possessives, prepositions, 'and', other words end the run
    ("his great leader Kim Jong Il", ["great", "leader"]),
    ("praised President Kim Il Sung", ["President"]),
    ("the works of Kim Il Sung", []),
    ("the sagacious and fatherly leader Kim Jong Il", ["fatherly", "leader"]),
    # a unit is a whole word: 'great' does not end 'ungreat'; HE is case-sensitive
    ("ungreat Kim Jong Il", []),
    ("said he Kim Jong Il", []),
    ("HE Kim Jong Il", ["HE"]),
    ("His Excellency Kim Jong Il", ["His Excellency"]),
    # the last unit and the name are separated by white space only
    ("the leader, Kim Jong Il", []),
])
def test_honorific_span(text, honorifics):
    got = _one(text)
    assert len(got) == 1
    assert got[0][1] == honorifics


def test_plural_honorific_goes_to_first_name():
    got = _one("the great leaders Comrades Kim Il Sung and Kim Jong Il")
    assert got == [("Kim Il Sung", ["great", "leaders", "Comrades"], False, False),
                   ("Kim Jong Il", [], False, False)]


def test_unit_counts_use_canonical_units():
    d = honorific_density("Comrades Kim Il Sung and Generalissimos Kim Jong Il.",
                          form="units", by_leader=False)
    assert sorted(zip(d["unit"], d["n"])) == [("Comrade", 1), ("Generalissimo", 1)]


# --------------------------------------------------------------------- mentions
@pytest.mark.parametrize("text", [
    "students of Kim Il Sung University",
    "the Kim Il Sung Socialist Youth League",
    "winners of the Kim Jong Il Prize",
    "at Kim Il Sung Square and Kim Il Sung Stadium",
    "the International Kim Il Sung-Kim Jong Il Foundation",
    "Kimilsungism-Kimjongilism and Kimjongilia and Kimilsungia",
    "Kim Jong Suk county and Kim Jong Suk Naval University",
    "Kim Jong Sukh, Kim Jong Sik and Kim Jong",
    "ComradeKim Jong Uninvited",  # glued kcna.kp text: read_corpus repairs it
])
def test_not_a_mention(text):
    assert _one(text) == []


def test_mention_fields_and_offsets():
    text = ("Kim Jong Un, general secretary of the WPK, met Kim Jong Il's friends. "
            "KIM IL SUNG'S works; Kim  Jong\nSuk, an anti-Japanese war hero, fought.")
    df = leader_mentions(text)
    assert list(df.columns) == ["doc_id", "leader", "start", "end", "surface",
                                "honorifics", "post_title", "possessive"]
    assert df["doc_id"].tolist() == ["text-0"] * 4
    assert df["leader"].tolist() == ["Kim Jong Un", "Kim Jong Il", "Kim Il Sung",
                                     "Kim Jong Suk"]
    assert df["start"].tolist() == [0, 47, 70, 91]
    assert df["end"].tolist() == [11, 58, 81, 104]
    assert df["surface"].tolist() == [text[a:b] for a, b in zip(df.start, df.end)]
    assert df["post_title"].tolist() == [True, False, False, True]
    assert df["possessive"].tolist() == [False, True, True, False]
    assert df["start"].dtype == np.int64 and df["post_title"].dtype == bool


@pytest.mark.parametrize("text, post", [
    ("Kim Jong Un, general secretary of the WPK", True),
    ("Kim Jong Un , General Secretary of the WPK", True),
    ("Kim Il Sung, founder of socialist Korea", True),
    ("Kim Jong Il, faithful successor to the cause", True),
    ("Kim Jong Suk, a great communist revolutionary fighter, was", True),
    ("Kim Jong Il, he said.", False),
    ("Kim Jong Il, who is leader of the people", False),
    ("Kim Il Sung, leader Kim Jong Il and", False),  # coordination, not apposition
    ("Kim Jong Un, on behalf of the people", False),
    ("Kim Jong Un general secretary", False),  # needs the comma
])
def test_post_title(text, post):
    assert _one(text)[0][2] is post


def test_plain_strings_and_corpus_frame():
    texts = ["Kim Jong Un spoke.", "", "Marshal Kim Jong Un and Kim Il Sung."]
    df = leader_mentions(texts)
    assert df["doc_id"].tolist() == ["text-0", "text-2", "text-2"]
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Kim Jong Il", None]})
    before = corpus.copy()
    out = leader_mentions(corpus)
    pd.testing.assert_frame_equal(corpus, before)
    assert out["doc_id"].tolist() == ["a"]
    empty = leader_mentions([])
    assert len(empty) == 0 and list(empty.columns)[0] == "doc_id"


def test_foreign_leaders_off_by_default():
    text = ("President Vladimir Vladimirovich Putin met Kim Jong Un. Putin's visit "
            "pleased Comrade Xi Jinping.")
    assert leader_mentions(text)["leader"].tolist() == ["Kim Jong Un"]
    df = leader_mentions(text, leaders="all")
    assert df["leader"].tolist() == ["Vladimir Putin", "Kim Jong Un",
                                     "Vladimir Putin", "Xi Jinping"]
    assert df["surface"].tolist()[0] == "Vladimir Vladimirovich Putin"
    assert df["honorifics"].tolist() == [["President"], [], [], ["Comrade"]]
    assert df["possessive"].tolist() == [False, False, True, False]


def test_scan_matches_frame():
    m = LeaderMatcher()
    text = "The dear respected Kim Jong Un and leader Kim Jong Il's works."
    sc = m.scan(text)
    assert [m.names[i] for i in sc.leader] == ["Kim Jong Un", "Kim Jong Il"]
    assert sc.unit_offsets.tolist() == [0, 2, 3]
    assert [m.units[j] for j in sc.unit_id] == ["dear", "respected", "leader"]
    assert [text[a:b] for a, b in zip(sc.unit_start, sc.unit_end)] == [
        "dear", "respected", "leader"]
    assert sc.possessive.tolist() == [False, True]
    assert m.counts(text).tolist() == [[0, 0, 0], [1, 1, 1], [1, 1, 2], [0, 0, 0]]
    assert sc.start.dtype == np.int64 and sc.unit_id.dtype == np.int32


def test_provenance_of_mentions():
    rec = get_provenance(leader_mentions("Kim Jong Un"))
    assert rec["function"] == "leader_mentions"
    assert rec["leaders_file"]["sha256"] == load_leaders().sha256
    assert rec["params"]["leaders"] == list(DPRK)


# ---------------------------------------------------------------- density
CORPUS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3"],
    "date": pd.to_datetime(["2012-01-01", "2012-02-01", "2012-03-01"]),
    # d1: 16 word tokens; KJU 2 mentions (units 3 + 0), KJI 1 mention (1 unit)
    "text": ["The dear respected Marshal Kim Jong Un met Kim Jong Un and "
             "leader Kim Jong Il.",
             # d2: 4 word tokens, no mention
             "No leader named here.",
             ""],
})


def test_density_wide_by_hand():
    d = honorific_density(CORPUS)
    assert list(d.columns) == ["doc_id", "date", "leader", "n_tokens", "n_mentions",
                               "n_honored", "n_honorifics", "honorifics_per_1k",
                               "honored_share", "units_per_mention"]
    assert len(d) == 3 * 4  # every document x every tracked leader
    r = d.set_index(["doc_id", "leader"])
    assert r.loc[("d1", "Kim Jong Un"), "n_tokens"] == 16
    assert r.loc[("d1", "Kim Jong Un"), "n_mentions"] == 2
    assert r.loc[("d1", "Kim Jong Un"), "n_honored"] == 1
    assert r.loc[("d1", "Kim Jong Un"), "n_honorifics"] == 3
    assert r.loc[("d1", "Kim Jong Un"), "honorifics_per_1k"] == pytest.approx(
        3000 / 16)
    assert r.loc[("d1", "Kim Jong Un"), "honored_share"] == 0.5
    assert r.loc[("d1", "Kim Jong Un"), "units_per_mention"] == 1.5
    assert r.loc[("d1", "Kim Jong Il"), "honorifics_per_1k"] == pytest.approx(
        1000 / 16)
    assert r.loc[("d2", "Kim Jong Un"), "honorifics_per_1k"] == 0.0
    assert math.isnan(r.loc[("d2", "Kim Jong Un"), "honored_share"])
    assert math.isnan(r.loc[("d3", "Kim Jong Un"), "honorifics_per_1k"])
    rec = get_provenance(d)
    assert rec["function"] == "honorific_density"
    assert rec["leaders_file"]["version"] == load_leaders().version
    assert "tokenizer" in rec


def test_density_pooled_and_long():
    d = honorific_density(CORPUS, by_leader=False)
    assert d["leader"].tolist() == ["all"] * 3
    assert d["n_mentions"].tolist() == [3, 0, 0]
    assert d["n_honorifics"].tolist() == [4, 0, 0]
    assert d["honored_share"].iloc[0] == pytest.approx(2 / 3)
    long = honorific_density(CORPUS, form="long")
    assert list(long.columns) == ["doc_id", "date", "leader", "measure", "value",
                                  "n_tokens"]
    assert len(long[long.measure == "n_mentions"]) == 12
    units = long[long.measure.str.startswith("n_unit:")]
    assert sorted(zip(units.leader, units.measure, units.value)) == [
        ("Kim Jong Il", "n_unit:leader", 1.0),
        ("Kim Jong Un", "n_unit:Marshal", 1.0),
        ("Kim Jong Un", "n_unit:dear", 1.0),
        ("Kim Jong Un", "n_unit:respected", 1.0)]
    u = honorific_density(CORPUS, form="units")
    assert u["n"].sum() == 4 and list(u.columns) == ["doc_id", "date", "leader",
                                                     "unit", "n"]
    with pytest.raises(ValueError, match="form"):
        honorific_density(CORPUS, form="tall")


def test_density_long_aggregates_to_ratio_of_sums():
    timeseries = pytest.importorskip("kcnalex.timeseries")
    long = honorific_density(CORPUS.iloc[:2], form="long")
    agg = timeseries.aggregate(long, freq="Y", by="leader", ci=None, min_docs=1,
                               ratios={"honored_share": ("n_honored",
                                                         "n_mentions")})
    cell = agg[(agg.group == "Kim Jong Un")].set_index("measure")["value"]
    # 3 units over 16 + 4 tokens; 1 honoured mention of 2
    assert cell["n_honorifics"] == pytest.approx(3000 / 20)
    assert cell["honored_share"] == pytest.approx(0.5)


# ------------------------------------------------------------------- real data
# The seed article, read by read_corpus: the ten mentions of Kim Jong Un in its body,
# annotated by hand (offsets into the reader's text).
SEED_KJU = [
    # start, honorifics, post_title, possessive
    (0, [], True, False),            # "Kim Jong Un, general secretary of the WPK ..."
    (279, ["respected", "Comrade"], False, False),
    (1516, [], False, False),        # "At the talks Kim Jong Un, on behalf of ..."
    (2821, ["President of the State Affairs"], False, False),
    (3282, ["Comrade"], False, False),
    (4987, [], False, False),
    (5010, [], False, False),
    (5541, [], False, False),
    (5673, [], False, False),
    (5789, ["respected", "Comrade"], False, False),
]


@pytest.mark.realdata
def test_seed_article(seed_path):
    from kcnalex.io import read_corpus

    corpus = read_corpus(seed_path)
    assert len(corpus) == 1
    text = corpus["text"].iloc[0]
    df = leader_mentions(corpus)
    assert df["leader"].tolist() == ["Kim Jong Un"] * 10
    got = list(zip(df.start, df.honorifics, df.post_title, df.possessive))
    assert got == [(s, h, p, q) for s, h, p, q in SEED_KJU], (
        "if read_corpus changed its cleaning, re-derive the offsets by hand")
    assert (df["end"] - df["start"]).tolist() == [11] * 10
    assert all(text[a:b] == "Kim Jong Un" for a, b in zip(df.start, df.end))
    putin = leader_mentions(corpus, leaders=["Vladimir Putin"])
    assert len(putin) == 10
    by_start = putin.set_index("start")
    # "... with Vladimir Vladimirovich Putin, president of the Russian Federation"
    assert by_start.loc[158, "surface"] == "Vladimir Vladimirovich Putin"
    assert bool(by_start.loc[158, "post_title"])
    assert by_start.loc[322, "honorifics"] == ["Comrade"]
    assert by_start.loc[1626, "honorifics"] == ["President of the Russian Federation"]
    assert bool(by_start.loc[1941, "possessive"])
    assert by_start.loc[5827, "honorifics"] == ["respected", "Comrade"]


def _load_annotated(shared: Path):
    from kcnalex.io import read_corpus

    spec = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))
    cache: dict[str, pd.DataFrame] = {}
    docs = []
    for art in spec["articles"]:
        if art["file"] not in cache:
            cache[art["file"]] = read_corpus(shared / art["file"])
        rows = cache[art["file"]]
        rows = rows[rows["origin"] == art["origin"]]
        assert len(rows) == 1, art["origin"]
        text = rows["text"].iloc[0]
        assert hashlib.sha256(text.encode()).hexdigest() == art["text_sha256"], (
            f"read_corpus text of {art['origin']} changed: re-check the annotations")
        docs.append((art, rows))
    return docs


def _evaluate(docs):
    """Counts for precision/recall of mentions and of honorific units."""
    c = dict.fromkeys(["m_tp", "m_fp", "m_fn", "u_tp", "u_fp", "u_fn",
                       "exact", "post_ok", "poss_ok"], 0)
    for art, rows in docs:
        pred = leader_mentions(rows)
        got = {(r.start, r.end, r.leader): r for r in pred.itertuples()}
        gold = {(m["start"], m["end"], m["leader"]): m for m in art["mentions"]}
        for key in got.keys() | gold.keys():
            g_units = gold[key]["honorifics"] if key in gold else []
            p_units = list(got[key].honorifics) if key in got else []
            # units compared as (position from the name, unit) pairs
            g_set = set(enumerate(reversed(g_units)))
            p_set = set(enumerate(reversed(p_units)))
            c["u_tp"] += len(g_set & p_set)
            c["u_fp"] += len(p_set - g_set)
            c["u_fn"] += len(g_set - p_set)
            if key in got and key in gold:
                c["m_tp"] += 1
                c["exact"] += p_units == g_units
                c["post_ok"] += bool(got[key].post_title) == gold[key]["post_title"]
                c["poss_ok"] += bool(got[key].possessive) == gold[key]["possessive"]
            elif key in got:
                c["m_fp"] += 1
            else:
                c["m_fn"] += 1
    return c


@pytest.mark.realdata
def test_precision_recall_on_annotated_articles(shared_corpora):
    docs = _load_annotated(shared_corpora)
    assert len(docs) >= 20
    c = _evaluate(docs)
    gold_mentions = sum(len(a["mentions"]) for a, _ in docs)
    gold_units = sum(len(m["honorifics"]) for a, _ in docs for m in a["mentions"])
    assert (gold_mentions, gold_units) == (73, 36)
    # measured values (reported in docs/methods/honorifics.md)
    assert (c["m_tp"], c["m_fp"], c["m_fn"]) == (73, 0, 0)   # P = R = 1.0
    assert (c["u_tp"], c["u_fp"], c["u_fn"]) == (36, 0, 0)   # P = R = 1.0
    assert c["exact"] == 73
    assert c["poss_ok"] == 73
    assert c["post_ok"] == 73
