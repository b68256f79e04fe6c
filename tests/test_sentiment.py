"""Tests of kcnalex.sentiment (document sentiment from sentence scores)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kcnalex.sentiment import (
    DOC_FIELDS,
    NEGATORS,
    load_kcna_polarity,
    make_scorer,
    sentiment,
    sentiment_doc,
)
from kcnalex.tokenize import count_tokens, sentence_spans, split_sentences, word_spans

LEXDIR = Path(__file__).resolve().parents[1] / "src" / "kcnalex" / "data" / "lexicons"

VADER_DOC = ("The heroic people won a great victory! The reckless warmongers "
             "committed hideous crimes. Delegations exchanged gifts. They did not "
             "fail.")
# compound scores of the four sentences, from vaderSentiment 3.3.2's
# SentimentIntensityAnalyzer().polarity_scores
VADER_SENTS = [0.9134, -0.6597, 0.0, 0.431]

LEX = {"glorious": 2.0, "victory": 1.0, "vile": -3.0, "reckless": -1.0}
KCNA_DOC = ("The glorious victory was won. The enemy is not vile. Nothing happened "
            "here. Reckless moves never end.")


# ------------------------------------------------------------------ VADER
def test_vader_sentence_scores_are_the_reference():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    sents = split_sentences(VADER_DOC)
    assert len(sents) == 4
    assert [sia.polarity_scores(s)["compound"] for s in sents] == VADER_SENTS


def test_vader_document():
    df = sentiment([VADER_DOC], method="vader")
    row = df.iloc[0]
    assert list(df.columns) == ["doc_id", "date", "method", "n_sentences", "n_tokens",
                                "mean", "share_neg", "share_pos", "sum"]
    assert row["method"] == "vader"
    assert row["n_sentences"] == 4
    assert row["n_tokens"] == 20 == count_tokens(VADER_DOC)
    assert row["sum"] == pytest.approx(sum(VADER_SENTS), abs=1e-15)
    assert row["mean"] == pytest.approx(sum(VADER_SENTS) / 4, abs=1e-15)
    assert row["share_pos"] == 0.5  # 0.9134, 0.431
    assert row["share_neg"] == 0.25  # -0.6597
    assert df["n_sentences"].dtype == np.int64 and df["n_tokens"].dtype == np.int64


def test_vader_does_not_saturate_on_long_text():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = " ".join(["The heroic people won a great victory!",
                     "Delegations exchanged gifts."] * 20)
    whole = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert whole > 0.99  # scored whole, the text saturates
    row = sentiment([text]).iloc[0]
    assert row["mean"] == pytest.approx((0.9134 + 0.0) / 2, abs=1e-12)
    assert row["share_pos"] == 0.5 and row["share_neg"] == 0.0


# ------------------------------------------------------------------ lexicon methods
def test_lexicon_document_by_hand():
    # sentence scores: (2 + 1) / 2 = 1.5 ; "not vile" -> +3 ; no hits -> 0 ;
    # "never" comes after "reckless" -> -1
    row = sentiment([KCNA_DOC], method=LEX).iloc[0]
    assert row["method"] == "lexicon"
    assert row["n_sentences"] == 4
    assert row["n_tokens"] == 17
    assert row["sum"] == 3.5
    assert row["mean"] == 0.875
    assert row["share_pos"] == 0.5
    assert row["share_neg"] == 0.25


@pytest.mark.parametrize("text, expected", [
    ("not one single glorious", -2.0),   # negator 3 tokens before: flipped
    ("not a very big glorious", 2.0),    # 4 tokens before: not flipped
    ("no glorious victory", -1.5),       # both hits within 3 tokens of "no"
    ("They don't seem glorious", -2.0),  # don't -> don, t
    ("It was never vile", 3.0),
    ("glorious not", 2.0),               # a negator after the word does nothing
])
def test_negation(text, expected):
    assert sentiment([text], method=LEX).iloc[0]["mean"] == expected


def test_negation_stops_at_sentence_end():
    row = sentiment(["It is not. Glorious day."], method=LEX).iloc[0]
    assert row["n_sentences"] == 2
    assert row["sum"] == 2.0  # not flipped across the boundary


def test_negation_window_parameter():
    text = "not a very big glorious"
    assert sentiment([text], method=LEX, negation_window=4).iloc[0]["mean"] == -2.0
    assert sentiment(["not glorious"], method=LEX,
                     negation_window=0).iloc[0]["mean"] == 2.0
    assert {"not", "no", "never"} <= NEGATORS


def test_threshold_is_inclusive():
    lex = {"good": 0.05, "bad": -0.05, "meh": 0.04}
    row = sentiment(["Good day. Bad day. Meh day."], method=lex).iloc[0]
    assert row["share_pos"] == pytest.approx(1 / 3)
    assert row["share_neg"] == pytest.approx(1 / 3)
    row = sentiment(["Good day. Bad day. Meh day."], method=lex,
                    threshold=0.04).iloc[0]
    assert row["share_pos"] == pytest.approx(2 / 3)


def test_empty_and_punctuation_only_documents():
    df = sentiment(["", "...", "Glorious."], method=LEX)
    assert df["n_sentences"].tolist() == [0, 0, 1]
    assert df["n_tokens"].tolist() == [0, 0, 1]
    assert df["sum"].tolist() == [0.0, 0.0, 2.0]
    assert df["mean"].isna().tolist() == [True, True, False]
    assert df["share_pos"].isna().tolist() == [True, True, False]


def test_user_lexicon_forms_agree(tmp_path):
    frame = pd.DataFrame({"word": list(LEX), "score": list(LEX.values())})
    path = tmp_path / "mylex.csv"
    path.write_text("# my lexicon\n" + frame.to_csv(index=False), encoding="utf-8")
    terms = pd.DataFrame({"term": [w.upper() for w in LEX],
                          "polarity": list(LEX.values())})
    ref = sentiment([KCNA_DOC], method=LEX)
    for method in (frame, path, str(path), terms):
        got = sentiment([KCNA_DOC], method=method)
        pd.testing.assert_frame_equal(got.drop(columns="method"),
                                      ref.drop(columns="method"))
    assert sentiment([KCNA_DOC], method=path).iloc[0]["method"] == "mylex"
    assert sentiment([KCNA_DOC], method=LEX, name="mine").iloc[0]["method"] == "mine"
    a = sentiment([KCNA_DOC], method=frame).attrs["kcnalex"]["lexicons"][0]["sha256"]
    b = sentiment([KCNA_DOC], method=LEX).attrs["kcnalex"]["lexicons"][0]["sha256"]
    assert a == b


def test_bad_inputs():
    with pytest.raises(ValueError, match="single words"):
        sentiment(["x"], method={"great victory": 1.0})
    with pytest.raises(ValueError, match="none of these"):
        sentiment(["x"], method="afinn")
    with pytest.raises(ValueError, match="form"):
        sentiment(["x"], method=LEX, form="tall")
    with pytest.raises(ValueError, match="two scores"):
        sentiment(["x"], method={"Good": 1.0, "good": 2.0})
    with pytest.raises(ValueError, match="word and score"):
        sentiment(["x"], method=pd.DataFrame({"a": ["x"], "b": [1]}))


# ------------------------------------------------------------------ frames
def test_corpus_frame_and_long_form():
    corpus = pd.DataFrame({
        "doc_id": ["a", "b"],
        "date": pd.to_datetime(["2010-01-02", "2011-03-04"]),
        "text": [KCNA_DOC, "Glorious."],
    })
    before = corpus.copy()
    wide = sentiment(corpus, method=LEX)
    pd.testing.assert_frame_equal(corpus, before)
    assert wide["doc_id"].tolist() == ["a", "b"]
    assert wide["date"].tolist() == corpus["date"].tolist()
    long = sentiment(corpus, method=LEX, form="long")
    assert list(long.columns[:5]) == ["doc_id", "date", "measure", "value",
                                      "n_tokens"]
    assert len(long) == 10
    assert long["doc_id"].tolist() == ["a"] * 5 + ["b"] * 5
    got = long[long["doc_id"] == "a"].set_index("measure")["value"]
    assert got.to_dict() == {"lexicon_mean": 0.875, "lexicon_share_neg": 0.25,
                             "lexicon_share_pos": 0.5, "lexicon_sum": 3.5,
                             "lexicon_n_sentences": 4.0}
    assert (long[long["doc_id"] == "a"]["n_tokens"] == 17).all()
    rec = long.attrs["kcnalex"]
    assert rec["function"] == "sentiment"
    assert rec["params"]["method"] == "lexicon" and rec["params"]["threshold"] == 0.05


def test_sentiment_doc_matches_frame_and_takes_arrays():
    scorer = make_scorer(LEX)
    expected = sentiment([KCNA_DOC], method=LEX).iloc[0]
    plain = sentiment_doc(KCNA_DOC, scorer)
    arrays = sentiment_doc(KCNA_DOC, scorer, words=word_spans(KCNA_DOC),
                           sentences=sentence_spans(KCNA_DOC))
    assert plain.tolist() == arrays.tolist()
    assert dict(zip(DOC_FIELDS, plain.tolist())) == {
        k: float(expected[k]) for k in DOC_FIELDS}
    vs = make_scorer("vader")
    assert sentiment_doc(VADER_DOC, vs)[2] == pytest.approx(sum(VADER_SENTS) / 4)


def test_scorer_is_picklable():
    import pickle

    s = pickle.loads(pickle.dumps(make_scorer(LEX)))
    assert sentiment_doc(KCNA_DOC, s)[5] == 3.5


# ------------------------------------------------------------------ shipped lexicon
def test_kcna_method_by_hand_from_the_shipped_lexicon():
    lex = load_kcna_polarity()
    assert {"word", "score", "confidence", "count", "version"} <= set(lex.columns)
    score = dict(zip(lex["word"], lex["score"]))
    text = "The heroic people won a glorious victory. The puppets are not reckless."
    s1_words = ["the", "heroic", "people", "won", "a", "glorious", "victory"]
    s2_words = ["the", "puppets", "are", "not", "reckless"]
    h1 = [score[w] for w in s1_words if w in score]
    h2 = [(-score[w] if w == "reckless" else score[w]) for w in s2_words
          if w in score]
    c = [sum(h1) / len(h1), sum(h2) / len(h2)]
    row = sentiment([text], method="kcna").iloc[0]
    assert row["method"] == "kcna"
    assert row["sum"] == pytest.approx(sum(c), abs=1e-12)
    assert row["mean"] == pytest.approx(sum(c) / 2, abs=1e-12)
    meta = json.loads((LEXDIR / "kcna-polarity.json").read_text(encoding="utf-8"))
    info = sentiment([text], method="kcna").attrs["kcnalex"]["lexicons"][0]
    assert info["name"] == "kcna-polarity"
    assert info["sha256"] == meta["sha256"]
    assert info["version"] == meta["version"]


# ------------------------------------------------------------------ real data
@pytest.mark.realdata
def test_seed_article(seed_path):
    import kcnalex as kx

    corpus = kx.read_corpus(seed_path)
    text = corpus["text"].iloc[0]
    for method in ("vader", "kcna"):
        row = sentiment(corpus, method=method).iloc[0]
        assert row["n_tokens"] == count_tokens(text)
        n_sent = sum(1 for s in split_sentences(text) if count_tokens(s) > 0)
        assert row["n_sentences"] == n_sent > 10
        assert row["mean"] == pytest.approx(row["sum"] / n_sent)
        assert row["share_neg"] >= 0 and row["share_pos"] >= 0
        assert row["share_neg"] + row["share_pos"] <= 1 + 1e-12
    # a long, warm summit report: VADER on the whole text saturates, the mean not
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    whole = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert abs(whole) > 0.99
    assert abs(sentiment(corpus).iloc[0]["mean"]) < 0.9


@pytest.mark.realdata
def test_real_month_kcna_vs_vader(co_jp_dir):
    import kcnalex as kx

    corpus = kx.read_corpus(str(co_jp_dir / "2010-03-0*_juche.json.gz"),
                            progress=False)
    assert len(corpus) > 50
    v = sentiment(corpus, method="vader")
    k = sentiment(corpus, method="kcna")
    assert (v["n_tokens"] == k["n_tokens"]).all()
    assert (v["n_sentences"] == k["n_sentences"]).all()
    ok = v["n_sentences"] > 0
    assert v.loc[ok, "mean"].between(-1, 1).all()
    assert (k.loc[ok, "share_pos"] + k.loc[ok, "share_neg"] <= 1 + 1e-12).all()
    # the two measures agree in direction across documents
    assert np.corrcoef(v.loc[ok, "mean"], k.loc[ok, "mean"])[0, 1] > 0.2


# --------------------------------------------------------------------------- compiled
# The lexicon lookup of the fast extra against the dict lookups of the Python path.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kcnalex._acdfa import jit_enabled  # noqa: E402
from kcnalex._lexicon_jit import TokenTable  # noqa: E402

needs_numba = pytest.mark.skipif(not jit_enabled(),
                                 reason="numba is not installed (kcnalex[fast])")
_LEX = {"good": 1.0, "bad": -1.0, "Juche": 2.0, "élan": 0.5, "i̇yi": 0.25,
        "ΣΟΦΟΣ": 3.0, "σοφος": -3.0, "not": 0.0}
_WORDS = st.sampled_from(["good", "GOOD", "Bad", "bad", "juche", "Juche", "not",
                          "NOT", "never", "t", "élan", "ÉLAN", "İyi", "ΣΟΦΟΣ",
                          "σοφος", "x", "goods", "go"])


@needs_numba
@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=25), st.sampled_from([" ", "  ", "\n", "-"]))
def test_compiled_lexicon_lookup_equals_dicts(words, sep):
    text = sep.join(words)
    starts, ends = word_spans(text)
    table = TokenTable(_LEX, {"not", "no", "never", "cannot", "t"})
    got = table.lookup(text, starts, ends)
    want = table._python(text, starts, ends)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@needs_numba
def test_compiled_lexicon_lookup_by_hand():
    text = "GOOD not Juche ÉLAN t bad"
    table = TokenTable(_LEX, {"not", "t"})
    vals, flags = table.lookup(text, *word_spans(text))
    # "Juche" is lower-cased to "juche", which the lexicon does not hold
    assert np.isnan(vals[2]) and vals[3] == 0.5 and vals[0] == 1.0
    assert vals[1] == 0.0 and flags.tolist() == [False, True, False, False, True,
                                                 False]


@needs_numba
@pytest.mark.realdata
def test_compiled_kcna_scores_equal_python_path(co_jp_dir, monkeypatch):
    import kcnalex as kx

    files = sorted(co_jp_dir.glob("2013-05-1*_juche.json.gz"))
    corpus = kx.read_corpus(files, progress=False)
    compiled = sentiment(corpus, method="kcna")
    monkeypatch.setenv("KCNALEX_JIT", "0")
    python = sentiment(corpus, method="kcna")
    assert len(compiled) > 100
    pd.testing.assert_frame_equal(compiled, python, check_exact=True)
