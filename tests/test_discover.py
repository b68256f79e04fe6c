"""Tests of kcnalex.discover: exact values on tiny hand-made corpora."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kcnalex.discover import (
    STOPWORDS,
    _encode,
    _theil_sen,
    chi_squared,
    discover_formulae,
    formula_lifecycle,
    keyness,
    log_likelihood,
    log_ratio,
)
from kcnalex.tokenize import token_spans

# Three short documents written for these tests (KCNA-like style, not real copy).
PUPPETS = [
    "the puppet group of traitors met . the puppet group of traitors left",
    "a puppet group of traitors",
    "puppet group and the group of traitors",
]


def _rows(out: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    return {g: (n, d, t) for g, n, d, t in
            out[["ngram", "n", "df", "tf"]].itertuples(index=False)}


# ---------------------------------------------------------------------------
# n-gram counting
# ---------------------------------------------------------------------------

def test_ngram_df_tf_by_hand():
    out = discover_formulae(PUPPETS, min_df=2, lexicon=None, min_score=0,
                            containment=2, top=None)
    # by hand: "puppet group" occurs 2+1+1 times in 3 documents; "group of traitors"
    # 2+1+1 in 3; "puppet group of traitors" 2+1+0 in 2. "the puppet" is in one
    # document only; "puppet group of", "group of", "of traitors" end/start with a
    # stopword; unigrams are not candidates.
    assert _rows(out) == {
        "puppet group": (2, 3, 4),
        "group of traitors": (3, 3, 4),
        "puppet group of traitors": (4, 2, 3),
    }


def test_ngram_df_matches_sklearn_countvectorizer():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [
        "The DPRK will bolster its war deterrent. The war deterrent is just.",
        "They praised the war deterrent of the DPRK and the Songun politics.",
        "Songun politics is the treasured sword. The treasured sword shines.",
        "The Songun politics and the war deterrent guard the country.",
        "Socialist Korea will bolster its war deterrent of justice.",
    ]

    def analyzer(doc: str) -> list[str]:
        # independent reference: tokens of the tokenizer, sentences cut at "." and
        # every n-gram (n = 2..4) inside a sentence
        s, e = token_spans(doc)
        toks = [doc[a:b].lower() for a, b in zip(s.tolist(), e.tolist())]
        grams, sent = [], []
        for t in toks + ["."]:
            if t == ".":
                for n in range(2, 5):
                    grams += [" ".join(sent[i:i + n])
                              for i in range(len(sent) - n + 1)]
                sent = []
            else:
                sent.append(t)
        return grams

    cv = CountVectorizer(analyzer=analyzer, binary=True)
    X = cv.fit_transform(texts)
    ref_df = dict(zip(cv.get_feature_names_out(), np.asarray(X.sum(axis=0))[0]))
    cv_tf = CountVectorizer(analyzer=analyzer)
    ref_tf = dict(zip(cv_tf.fit(texts).get_feature_names_out(),
                      np.asarray(cv_tf.transform(texts).sum(axis=0))[0]))
    out = discover_formulae(texts, n=(2, 4), min_df=2, lexicon=None, min_score=-1e9,
                            containment=2, top=None, names=False)
    assert len(out) > 0
    for g, d, t in out[["ngram", "df", "tf"]].itertuples(index=False):
        assert ref_df[g] == d and ref_tf[g] == t
    # and every eligible reference n-gram with df >= 2 is found
    def eligible(g: str) -> bool:
        w = g.split()
        return all(x not in STOPWORDS and any(c.isalpha() for c in x)
                   for x in (w[0], w[-1]))
    expected = {g for g, d in ref_df.items() if d >= 2 and eligible(g)}
    assert set(out["ngram"]) == expected


def test_no_ngram_crosses_sentence_line_or_document():
    # "struggle heroic" is found only inside the third document's sentence: in the
    # first it spans a full stop and a line break, and "heroic" + "struggle" spans
    # the boundary between the second and the third document
    texts = ["heroic struggle. heroic struggle\nheroic struggle", "heroic",
             "struggle heroic"]
    out = discover_formulae(texts, min_df=1, lexicon=None, min_score=-1e9,
                            containment=2, top=None)
    assert _rows(out) == {"heroic struggle": (2, 1, 3), "struggle heroic": (2, 1, 1)}
    enc = _encode(texts)
    assert enc.n_positions == 9  # breaks are not tokens
    # the full stop is a break, not a token of the vocabulary counted
    assert enc.ids.tolist() == [0 if t == 0 else t for t in enc.ids.tolist()]
    assert "." not in enc.vocab


def test_min_df_share():
    out = discover_formulae(PUPPETS, min_df=0.9, lexicon=None, min_score=0,
                            containment=2, top=None)
    assert _rows(out) == {"puppet group": (2, 3, 4), "group of traitors": (3, 3, 4)}
    assert out.attrs["kcnalex"]["params"]["min_df_docs"] == 3
    with pytest.raises(ValueError):
        discover_formulae(PUPPETS, min_df=0)


def test_edges_stopwords_punctuation_numbers():
    texts = ["of the Songun army , 2012 Songun army (", "of the Songun army , 2012"]
    out = discover_formulae(texts, min_df=2, lexicon=None, min_score=-1e9,
                            containment=2, top=None)
    assert set(out["ngram"]) == {"songun army"}


# ---------------------------------------------------------------------------
# nesting
# ---------------------------------------------------------------------------

def test_nested_candidates_merge():
    texts = [
        "the puppet group of traitors met",
        "a puppet group of traitors left",
        "puppet group of traitors",
        "puppet group and the group of traitors",
        "group of traitors",
    ]
    # tf: "puppet group" 4, "group of traitors" 5, "puppet group of traitors" 3.
    # ratios 3/4 = 0.75 and 3/5 = 0.6 < 0.9: all three stay
    out = discover_formulae(texts, min_df=2, lexicon=None, min_score=0, top=None)
    assert _rows(out) == {"puppet group": (2, 4, 4),
                          "group of traitors": (3, 5, 5),
                          "puppet group of traitors": (4, 3, 3)}
    # at containment 0.75 "puppet group" (3/4) goes, "group of traitors" (3/5) stays
    out = discover_formulae(texts, min_df=2, lexicon=None, min_score=0, top=None,
                            containment=0.75)
    assert set(out["ngram"]) == {"group of traitors", "puppet group of traitors"}


def test_nested_drops_fragment_only_found_inside():
    texts = ["traitorous puppet group of traitors"] * 3 + ["puppet group"]
    out = discover_formulae(texts, min_df=2, lexicon=None, min_score=0, top=None)
    # "traitorous puppet group of traitors" tf 3; "puppet group" tf 4 (3/4 < 0.9:
    # stays); "puppet group of traitors", "group of traitors", "traitorous puppet"
    # ... tf 3 = 3 * 1.0: nested, dropped
    assert _rows(out) == {"traitorous puppet group of traitors": (5, 3, 3),
                          "puppet group": (2, 4, 4)}


def test_nested_longer_ineligible_does_not_absorb():
    # "the puppet group" always has "the" in front, but a candidate may not start
    # with a stopword: "puppet group" is the maximal eligible sequence
    out = discover_formulae(["the puppet group"] * 3, min_df=2, lexicon=None,
                            min_score=0, top=None)
    assert _rows(out) == {"puppet group": (2, 3, 3)}


# ---------------------------------------------------------------------------
# lexicon exclusion
# ---------------------------------------------------------------------------

LEX_TEXTS = [
    "the great leader Kim Il Sung founded the Juche idea and the Songun army",
    "the great leader Kim Il Sung and the Juche idea and the Songun army",
    "the great leader Kim Il Sung praised the Juche idea of the Songun army",
]


@pytest.mark.parametrize(("exclude", "expected"), [
    # candidates: "great leader Kim Il Sung" (names merged), "Juche idea",
    # "Songun army"; lexicon term "great leader" is contained in the first
    ("equal", {"great leader kim il sung", "juche idea", "songun army"}),
    ("contains", {"juche idea", "songun army"}),
    ("contained", {"great leader kim il sung", "juche idea", "songun army"}),
    ("overlap", {"juche idea", "songun army"}),
])
def test_lexicon_exclusion_containing(exclude, expected):
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=["great leader"],
                            exclude=exclude, min_score=0, top=None)
    assert set(out["ngram"]) == expected


@pytest.mark.parametrize(("exclude", "expected"), [
    # lexicon term "the Juche idea and the Songun army" contains "Juche idea" and
    # "Songun army"; it is not itself a candidate (starts with "the", and only 2
    # documents have it in full)
    ("equal", {"great leader kim il sung", "juche idea", "songun army"}),
    ("contains", {"great leader kim il sung", "juche idea", "songun army"}),
    ("contained", {"great leader kim il sung"}),
    ("overlap", {"great leader kim il sung"}),
])
def test_lexicon_exclusion_contained(exclude, expected):
    lex = pd.DataFrame({"entry": ["e1"], "term": ["the Juche idea and the Songun army"],
                        "category": ["test"]})
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=lex, exclude=exclude,
                            min_score=0, top=None)
    assert set(out["ngram"]) == expected


def test_lexicon_equal_and_glob():
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=["Juche idea", "Songun arm*"],
                            exclude="equal", min_score=0, top=None)
    assert set(out["ngram"]) == {"great leader kim il sung"}


def test_names_off_counts_name_words():
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=None, min_score=0, top=None,
                            names=False)
    assert _rows(out)["great leader kim il sung"] == (5, 3, 3)
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=None, min_score=0, top=None)
    assert _rows(out)["great leader kim il sung"] == (3, 3, 3)


# ---------------------------------------------------------------------------
# association scores, dates, examples
# ---------------------------------------------------------------------------

def test_bigram_llr_equals_nltk_finder():
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    text = ("songun army guards songun politics and the songun army wins "
            "songun army songun politics army guards")
    out = discover_formulae([text], n=(2, 2), min_df=1, lexicon=None,
                            min_score=-1e9, top=None, stopwords=())
    finder = BigramCollocationFinder.from_words(text.split())
    ref = dict(finder.score_ngrams(BigramAssocMeasures.likelihood_ratio))
    got = dict(zip(out["ngram"], out["score"]))
    assert set(got) == {" ".join(k) for k in ref}
    for k, v in ref.items():
        assert got[" ".join(k)] == pytest.approx(v, rel=1e-12)
    pmi = discover_formulae([text], n=(2, 2), min_df=1, lexicon=None, measure="pmi",
                            min_score=-1e9, top=None, stopwords=())
    ref = dict(finder.score_ngrams(BigramAssocMeasures.pmi))
    got = dict(zip(pmi["ngram"], pmi["score"]))
    for k, v in ref.items():
        assert got[" ".join(k)] == pytest.approx(v, rel=1e-12)


def test_trigram_score_is_weakest_split():
    from nltk.collocations import BigramAssocMeasures as B

    text = "great socialist power great socialist power great socialist country"
    out = discover_formulae([text], n=(3, 3), min_df=1, lexicon=None,
                            min_score=-1e9, top=None, containment=2)
    row = out.set_index("ngram").loc["great socialist power"]
    N = 9  # tokens
    # splits: (great | socialist power): tf 2, tf(great) 3, tf(socialist power) 2
    #         (great socialist | power): tf 2, tf(great socialist) 3, tf(power) 2
    s1 = B.likelihood_ratio(2, (3, 2), N)
    s2 = B.likelihood_ratio(2, (3, 2), N)
    assert row["score"] == pytest.approx(min(s1, s2))
    assert row["tf"] == 2 and row["df"] == 1


def test_dates_examples_and_lang():
    corpus = pd.DataFrame({
        "doc_id": ["d3", "d1", "d2", "d4", "es"],
        "date": pd.to_datetime(["2003-03-03", "2001-01-01", None, "2004-04-04",
                                "2000-01-01"]),
        "text": ["We hail the Songun army.", "Long live the Songun army!",
                 "Glory to the  Songun\tarmy.", "The Songun army wins.",
                 "Viva el Songun army."],
        "lang": ["en", "en", "", "en", "es"],
    })
    out = discover_formulae(corpus, min_df=2, lexicon=None, min_score=0, width=20)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["phrase"] == "Songun army"
    assert (row["df"], row["tf"]) == (4, 4)  # the Spanish record is left out
    assert row["first_date"] == pd.Timestamp("2001-01-01")
    assert row["last_date"] == pd.Timestamp("2004-04-04")  # undated d2 ignored
    # the three earliest documents (undated last)
    assert row["examples"] == [
        {"doc_id": "d1", "kwic": "Long live the [Songun army]!"},
        {"doc_id": "d3", "kwic": "We hail the [Songun army]."},
        {"doc_id": "d4", "kwic": "The [Songun army] wins."},
    ]
    assert corpus["doc_id"].tolist()[0] == "d3"  # input untouched
    rec = out.attrs["kcnalex"]
    assert rec["function"] == "discover_formulae" and rec["n_docs"] == 4
    allowed = discover_formulae(corpus, min_df=2, lexicon=None, min_score=0,
                                lang=None)
    assert allowed["df"].tolist() == [5]


def test_top_sort_and_columns():
    out = discover_formulae(PUPPETS, min_df=2, lexicon=None, min_score=0,
                            containment=2, top=2, sort="score")
    assert list(out.columns) == ["phrase", "ngram", "n", "df", "tf", "score",
                                 "first_date", "last_date", "examples"]
    assert len(out) == 2
    assert out["score"].is_monotonic_decreasing


def test_min_score_default_llr_threshold():
    out = discover_formulae(PUPPETS, min_df=2, lexicon=None, containment=2,
                            top=None)
    # the 4-gram's weakest split scores 9.19 < 10.83
    assert set(out["ngram"]) == {"puppet group", "group of traitors"}
    assert (out["score"] >= 10.83).all()


def test_empty_result():
    out = discover_formulae(["one two", "three four"], min_df=2, lexicon=None)
    assert len(out) == 0 and "examples" in out.columns


# ---------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------

def test_g2_chi2_log_ratio_by_hand():
    # 2x2 table: a = 30 of 1,000 target tokens, b = 10 of 2,000 reference tokens.
    # N = 3000; row totals 40 and 2960; column totals 1000 and 2000.
    # E = 40*1000/3000 = 13.3333, 40*2000/3000 = 26.6667,
    #     2960*1000/3000 = 986.6667, 2960*2000/3000 = 1973.3333
    # G2 = 2 [30 ln(30/13.3333) + 10 ln(10/26.6667) + 970 ln(970/986.6667)
    #         + 1990 ln(1990/1973.3333)]
    #    = 2 [24.3279 - 9.8083 - 16.5297 + 16.7408] = 29.4627
    g2 = float(log_likelihood(30, 10, 1000, 2000))
    assert g2 == pytest.approx(29.46272930097768, rel=1e-12)
    assert g2 == pytest.approx(29.4627, abs=1e-4)
    # chi2 = N (ad - bc)^2 / ((a+b)(c+d)(a+c)(b+d)), c = 970, d = 1990
    chi2 = 3000 * (30 * 1990 - 10 * 970) ** 2 / (40 * 2960 * 1000 * 2000)
    assert float(chi_squared(30, 10, 1000, 2000)) == pytest.approx(chi2, rel=1e-12)
    assert chi2 == pytest.approx(31.6723, abs=1e-4)
    assert float(log_ratio(30, 10, 1000, 2000)) == pytest.approx(
        math.log2((30.5 / 1000) / (10.5 / 2000)))
    # zero cells: 0 ln 0 = 0
    assert float(log_likelihood(0, 5, 100, 100)) == pytest.approx(
        2 * (5 * math.log(5 / 2.5) + 100 * math.log(100 / 97.5)
             + 95 * math.log(95 / 97.5)))


def test_g2_matches_scipy():
    from scipy.stats import chi2_contingency

    for a, b, nt, nr in [(30, 10, 1000, 2000), (1, 40, 500, 800), (7, 7, 70, 700)]:
        table = np.array([[a, b], [nt - a, nr - b]])
        g2 = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        x2, p = chi2_contingency(table, correction=False)[:2]
        assert float(log_likelihood(a, b, nt, nr)) == pytest.approx(g2, rel=1e-10)
        assert float(chi_squared(a, b, nt, nr)) == pytest.approx(x2, rel=1e-10)


KEY_CORPUS = pd.DataFrame({
    "doc_id": ["a", "b", "c", "d"],
    "date": pd.to_datetime(["2011-06-01", "2011-12-31", "2012-01-01",
                            "2013-05-05"]),
    "text": ["peace and peace talks", "peace and dialogue",
             "puppet traitors and puppet war", "war drills and puppet"],
    "source": ["x", "x", "y", "y"],
})


def test_keyness_words_by_hand():
    k = keyness(KEY_CORPUS, target=("2012-01-01", "2015-12-31"), min_count=1)
    # target: c + d = 9 words; reference: a + b = 7 words
    rec = k.attrs["kcnalex"]
    assert (rec["n_tokens_target"], rec["n_tokens_reference"]) == (9, 7)
    row = k.set_index("term").loc["puppet"]
    assert (row["n_target"], row["n_reference"]) == (3, 0)
    assert row["keyness"] == pytest.approx(float(log_likelihood(3, 0, 9, 7)))
    assert row["effect"] == pytest.approx(math.log2((3.5 / 9) / (0.5 / 7)))
    assert row["p_value"] == pytest.approx(
        math.erfc(math.sqrt(row["keyness"] / 2)))
    assert math.isinf(row["pct_diff"])
    peace = k.set_index("term").loc["peace"]
    assert peace["keyness"] < 0  # under-used in the target
    assert peace["pct_diff"] == pytest.approx(-100.0)
    assert k["keyness"].is_monotonic_decreasing
    assert k["term"].iloc[0] == "puppet" and k["term"].iloc[-1] == "peace"
    # "and": 2 of 9 vs 2 of 7
    row = k.set_index("term").loc["and"]
    assert (row["n_target"], row["n_reference"]) == (2, 2)
    assert row["keyness"] == pytest.approx(-float(log_likelihood(2, 2, 9, 7)))


def test_keyness_group_specs_agree():
    by_dates = keyness(KEY_CORPUS, target=("2012-01-01", None), min_count=1)
    by_mask = keyness(KEY_CORPUS, target=np.array([False, False, True, True]),
                      min_count=1)
    by_query = keyness(KEY_CORPUS, target="source == 'y'", min_count=1)
    by_ref = keyness(KEY_CORPUS, target="source == 'y'",
                     reference=("1990-01-01", "2011-12-31"), min_count=1)
    cols = ["term", "n_target", "n_reference", "keyness"]
    for other in (by_mask, by_query, by_ref):
        pd.testing.assert_frame_equal(by_dates[cols], other[cols])
    with pytest.raises(ValueError, match="overlap"):
        keyness(KEY_CORPUS, target="source == 'y'", reference=("2012-01-01", None))


def test_keyness_chi2_and_min_count():
    k = keyness(KEY_CORPUS, target="source == 'y'", measure="chi2", min_count=3)
    assert set(k["term"]) == {"puppet", "and", "peace"}
    row = k.set_index("term").loc["puppet"]
    assert row["keyness"] == pytest.approx(float(chi_squared(3, 0, 9, 7)))


def test_keyness_formulae():
    texts = ["the puppet traitors fled . the puppet traitors lied",
             "the puppet traitors ran", "peace talks went on", "peace talks"]
    k = keyness(texts, target=[True, True, False, False], terms="formulae",
                min_df=2, min_count=1)
    assert k[["term", "n_target", "n_reference"]].values.tolist() == [
        ["puppet traitors", 3, 0], ["peace talks", 0, 2]]
    rec = k.attrs["kcnalex"]
    assert (rec["n_tokens_target"], rec["n_tokens_reference"]) == (12, 6)


def test_keyness_lexicon_terms():
    lex = pd.DataFrame({"entry": ["puppet", "peace"],
                        "term": ["puppet traitors", "peace talks"],
                        "category": ["enemy", "peace"]})
    texts = ["the puppet traitors fled . the puppet traitors lied",
             "the puppet traitors ran", "peace talks went on", "peace talks"]
    k = keyness(texts, target=[True, True, False, False], terms=lex, min_count=1)
    assert k[["term", "n_target", "n_reference"]].values.tolist() == [
        ["puppet", 3, 0], ["peace", 0, 2]]


# ---------------------------------------------------------------------------
# lifecycle
# ---------------------------------------------------------------------------

def _counts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hand-made counts: one document of 1,000 words per year 2001-2006."""
    years = range(2001, 2007)
    totals = pd.DataFrame({"doc_id": [f"y{y}" for y in years],
                           "date": pd.to_datetime([f"{y}-06-01" for y in years]),
                           "n_tokens": 1000})
    per_entry = {  # counts per year 2001..2006
        "rising": [1, 2, 3, 4, 5, 6],
        "falling": [6, 5, 4, 3, 2, 1],
        "flat": [3, 3, 4, 3, 3, 3],
        "gone": [5, 5, 5, 5, 0, 0],
        "fresh": [0, 0, 0, 0, 2, 3],
    }
    rows = []
    for e, cs in per_entry.items():
        for y, c in zip(years, cs):
            if c:
                rows.append({"doc_id": f"y{y}", "date": pd.Timestamp(f"{y}-06-01"),
                             "entry": e, "category": "cat-" + e, "count": c,
                             "n_tokens": 1000})
    return pd.DataFrame(rows), totals


def test_lifecycle_status_by_hand():
    counts, totals = _counts()
    lex = pd.DataFrame({"entry": ["rising", "falling", "flat", "gone", "fresh",
                                  "never"],
                        "term": ["a b", "c d", "e f", "g h", "i j", "k l"],
                        "category": ["cat-rising", "cat-falling", "cat-flat",
                                     "cat-gone", "cat-fresh", "cat-never"]})
    life = formula_lifecycle(counts, lexicon=lex, totals=totals).set_index("entry")
    assert life.loc["rising", "status"] == "emerging"
    assert life.loc["fresh", "status"] == "new"
    assert life.loc["flat", "status"] == "stable"
    assert life.loc["falling", "status"] == "declining"
    assert life.loc["gone", "status"] == "vanished"
    assert pd.isna(life.loc["never", "status"])
    # rates per 1k = counts (1,000 words a year); Theil-Sen slope of 1..6 is 1
    assert life.loc["rising", "trend"] == pytest.approx(1.0)
    assert life.loc["rising", "mean_rate_per_1k"] == pytest.approx(3.5)
    assert life.loc["rising", "change_rel"] == pytest.approx(1.0 * 5 / 3.5)
    assert life.loc["falling", "trend"] == pytest.approx(-1.0)
    assert life.loc["flat", "trend"] == pytest.approx(0.0)  # median pairwise slope
    assert life.loc["rising", "peak_period"] == "2006"
    assert life.loc["rising", "peak_rate_per_1k"] == pytest.approx(6.0)
    assert life.loc["falling", "peak_period"] == "2001"
    assert life.loc["gone", "peak_period"] == "2001"  # earliest of the ties
    assert life.loc["gone", "last_date"] == pd.Timestamp("2004-06-01")
    assert life.loc["fresh", "first_date"] == pd.Timestamp("2005-06-01")
    assert life.loc["gone", "n_docs"] == 4 and life.loc["gone", "n_matches"] == 20
    assert life.loc["never", "n_docs"] == 0
    assert life.loc["flat", "category"] == "cat-flat"
    assert life.attrs["kcnalex"]["n_periods"] == 6


def test_lifecycle_totals_matter():
    counts, totals = _counts()
    # without totals the denominators come from the documents in the counts frame:
    # here every year has one, so the result is the same
    a = formula_lifecycle(counts, lexicon=None, totals=totals)
    b = formula_lifecycle(counts, lexicon=None)
    pd.testing.assert_frame_equal(a, b)
    # doubling 2006's words halves its rates: "rising" peaks in 2005 (5 > 3)
    t2 = totals.assign(n_tokens=[1000] * 5 + [2000])
    c = formula_lifecycle(counts, lexicon=None, totals=t2).set_index("entry")
    assert c.loc["rising", "peak_period"] == "2005"
    assert c.loc["rising", "peak_rate_per_1k"] == pytest.approx(5.0)


def test_lifecycle_quarterly_and_thresholds():
    counts, totals = _counts()
    life = formula_lifecycle(counts, lexicon=None, totals=totals, freq="Q",
                             change=2.0).set_index("entry")
    # only the quarters with documents count: six periods, 2001Q2 .. 2006Q2
    assert life.loc["rising", "peak_period"] == "2006Q2"
    assert life.loc["rising", "status"] == "stable"  # 1.43 < 2.0
    life = formula_lifecycle(counts, lexicon=None, totals=totals, recent=3)
    assert life.set_index("entry").loc["gone", "status"] == "declining"


def test_theil_sen_matches_scipy():
    from scipy.stats import theilslopes

    rng = np.random.default_rng(0)
    for k in (2, 5, 19):
        y = rng.random(k)
        assert _theil_sen(y) == pytest.approx(theilslopes(y, np.arange(k))[0])


# ---------------------------------------------------------------------------
# real data (a slice of the kcna.co.jp archive)
# ---------------------------------------------------------------------------

@pytest.mark.realdata
def test_real_slice_df_exact(co_jp_dir):
    from kcnalex.io import read_corpus

    files = sorted(co_jp_dir.glob("2013-03-0*_juche.json.gz"))
    corpus = read_corpus(files, progress=False)
    out = discover_formulae(corpus, min_df=5, lexicon=None, top=15)
    assert len(out) == 15
    texts = corpus.loc[corpus["lang"].isin(["en", "", "und"]), "text"].tolist()
    # independent recount: each document tokenized on its own, sentences cut at the
    # break tokens and line breaks, the lower-cased sequence searched
    from kcnalex.tokenize import token_spans as ts

    def sentences(text):
        s, e = ts(text, names=True)
        sent, out_ = [], []
        prev_end = 0
        for a, b in zip(s.tolist(), e.tolist()):
            tok = " ".join(text[a:b].lower().split())
            if tok in {".", "!", "?", ";", ":"} or "\n" in text[prev_end:a]:
                out_.append(sent)
                sent = []
            if tok not in {".", "!", "?", ";", ":"}:
                sent.append(tok)
            prev_end = b
        out_.append(sent)
        return out_

    docs = [sentences(t) for t in texts]
    for gram, df_, tf_ in out[["ngram", "df", "tf"]].itertuples(index=False):
        g = gram.split(" ") if "kim " not in gram else None
        if g is None:
            continue
        n = len(g)
        per_doc = [sum(sent[i:i + n] == g for sent in d
                       for i in range(len(sent) - n + 1)) for d in docs]
        assert sum(per_doc) == tf_, gram
        assert sum(1 for c in per_doc if c) == df_, gram


def test_one_word_terms_do_not_exclude_containing_candidates():
    out = discover_formulae(LEX_TEXTS, min_df=3, lexicon=["Juche", "Songun", "army"],
                            exclude="overlap", min_score=0, top=None)
    assert set(out["ngram"]) == {"great leader kim il sung", "juche idea",
                                 "songun army"}


def test_proper_nouns_dropped_unless_asked():
    texts = [
        "Kim Yong Nam met the delegation . Supreme People's Assembly praised it",
        "later Kim Yong Nam met the delegation of the Supreme People's Assembly",
        "the delegation arrived . Kim Yong Nam left . the Supreme People's Assembly",
    ]
    out = discover_formulae(texts, min_df=3, lexicon=None, min_score=0, top=None)
    # "Kim Yong Nam" and "Supreme People's Assembly" are written capitalised in
    # every occurrence: names, not formulae
    assert len(out) == 0
    out = discover_formulae(texts, min_df=3, lexicon=None, min_score=0, top=None,
                            proper_nouns=True)
    assert _rows(out) == {"kim yong nam": (3, 3, 3),
                          "supreme people 's assembly": (4, 3, 3)}
    assert set(out["phrase"]) == {"Kim Yong Nam", "Supreme People's Assembly"}


def test_proper_noun_rule_uses_case_in_text():
    # the rule reads the case of each occurrence in the text: capitalised in 3 of
    # 4 occurrences is a name, in 1 of 4 it is not
    texts = ["Korean People rose", "the Korean People", "Korean People",
             "the Korean people"]
    out = discover_formulae(texts, min_df=3, lexicon=None, min_score=0, top=None)
    assert set(out["ngram"]) == set()
    texts = ["Korean People rose", "the Korean people", "Korean people",
             "the Korean people"]
    out = discover_formulae(texts, min_df=3, lexicon=None, min_score=0, top=None)
    assert _rows(out) == {"korean people": (2, 4, 4)}


def test_keyness_formula_labels_join_possessives():
    texts = ["the people's living standard rose . the people's living standard"] * 2
    texts += ["peace talks"] * 2
    k = keyness(texts, target=[True, True, False, False], terms="formulae",
                min_df=2, min_count=1)
    assert "people's living standard" in set(k["term"])


def test_lifecycle_single_period_is_stable():
    counts = pd.DataFrame({"doc_id": ["a", "b"], "entry": ["x", "x"],
                           "date": pd.to_datetime(["2001-01-01", "2001-02-01"]),
                           "category": ["c", "c"], "count": [1, 2],
                           "n_tokens": [100, 200]})
    life = formula_lifecycle(counts, lexicon=None)
    assert life[["status", "peak_period"]].values.tolist() == [["stable", "2001"]]
    assert life["peak_rate_per_1k"].iloc[0] == pytest.approx(1000 * 3 / 300)


def test_examples_spread_and_phrase_majority():
    corpus = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(5)],
        "date": pd.to_datetime([f"200{i}-01-01" for i in range(5)]),
        "text": ["SONGUN ARMY", "the Songun army", "a Songun army", "Songun Army",
                 "our Songun army"],
    })
    out = discover_formulae(corpus, min_df=2, lexicon=None, min_score=-1e9,
                            proper_nouns=True)
    row = out.iloc[0]
    assert [e["doc_id"] for e in row["examples"]] == ["d0", "d2", "d4"]
    assert row["phrase"] == "Songun army"  # 2 of the 3 examples


def test_keyness_names_are_terms_and_totals_count_words():
    from kcnalex.tokenize import count_tokens

    texts = ["Kim Jong Un inspected the farm", "Kim Jong Il's works",
             "the farm and the works"]
    k = keyness(texts, target=[True, True, False], min_count=1)
    assert {"kim jong un", "kim jong il"} <= set(k["term"])
    assert "jong" not in set(k["term"])
    rec = k.attrs["kcnalex"]
    assert rec["n_tokens_target"] == count_tokens(texts[0]) + count_tokens(texts[1])
    assert rec["n_tokens_reference"] == count_tokens(texts[2])
    plain = keyness(texts, target=[True, True, False], min_count=1, names=False)
    assert plain.set_index("term").loc["jong", "n_target"] == 2
    assert plain.attrs["kcnalex"]["n_tokens_target"] == rec["n_tokens_target"]
