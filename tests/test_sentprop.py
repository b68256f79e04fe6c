"""Tests of kcnalex.sentprop (SentProp lexicon induction) and the shipped lexicon."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from kcnalex._provenance import sha256_file
from kcnalex.sentprop import (
    STOPWORDS,
    cooccurrence,
    induce_lexicon,
    knn_graph,
    ppmi,
    random_walk,
    transition_matrix,
)

LEXDIR = Path(__file__).resolve().parents[1] / "src" / "kcnalex" / "data" / "lexicons"


# ------------------------------------------------------------------ building blocks
def test_cooccurrence_by_hand():
    # types: 0=a 1=b 2=c ; running text "a b c a" + gap of 2 + "b"
    ids = np.array([0, 1, 2, 0, -1, -1, 1])
    row_of = np.array([0, 1, -1])  # targets a, b
    col_of = np.array([0, 1, 2])  # contexts a, b, c
    m = cooccurrence(ids, n_rows=2, n_cols=3, row_of=row_of, col_of=col_of,
                     window=1).toarray()
    # window 1: pairs (a,b) (b,c) (c,a); the gap stops (a, b) across documents
    assert m.tolist() == [[0, 1, 1], [1, 0, 1]]
    m2 = cooccurrence(ids, n_rows=2, n_cols=3, row_of=row_of, col_of=col_of,
                      window=2).toarray()
    # + distance 2: (a,c) (b,a); nothing reaches across the gap
    assert m2.tolist() == [[0, 2, 2], [2, 0, 1]]
    # chunking does not change the counts
    m3 = cooccurrence(ids, n_rows=2, n_cols=3, row_of=row_of, col_of=col_of,
                      window=2, chunk=2).toarray()
    assert m3.tolist() == m2.tolist()


def test_ppmi_by_hand_plain():
    c = np.array([[4.0, 0.0], [1.0, 3.0]])
    # N = 8, #(w) = 4, 4, #(c) = 5, 3
    got = ppmi(c, alpha=1.0).toarray()
    expected = np.array([[math.log(8 / 5), 0.0],
                         [0.0, math.log(2.0)]])  # log(0.4) < 0 -> 0
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert c.tolist() == [[4.0, 0.0], [1.0, 3.0]]  # input unchanged


def test_ppmi_by_hand_smoothed():
    c = np.array([[4.0, 0.0], [1.0, 3.0]])
    p0 = 5 ** 0.75 / (5 ** 0.75 + 3 ** 0.75)
    p1 = 3 ** 0.75 / (5 ** 0.75 + 3 ** 0.75)
    # PMI(w,c) = log( (#(w,c)/N) / ((#(w)/N) * P_a(c)) ), #(w)/N = 1/2
    expected = np.array([[max(0.0, math.log(0.5 / (0.5 * p0))), 0.0],
                         [max(0.0, math.log(0.125 / (0.5 * p0))),
                          max(0.0, math.log(0.375 / (0.5 * p1)))]])
    got = ppmi(sparse.csr_matrix(c), alpha=0.75).toarray()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[1, 0] == 0.0 and got[0, 0] > 0


def test_transition_and_random_walk_by_hand():
    # path graph 0 - 1 - 2; D = (1, 2, 1); T = D^-1/2 E D^-1/2
    e = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    t = transition_matrix(e).toarray()
    r = 1 / math.sqrt(2)
    np.testing.assert_allclose(t, [[0, r, 0], [r, 0, r], [0, r, 0]], rtol=1e-15)
    # p = (1-b)(I - bT)^-1 s with b = 1/2, s = e0: solved by hand -> (7/12, sqrt2/6,
    # 1/12)
    p = random_walk(sparse.csr_matrix(t), np.array([1.0, 0, 0]), beta=0.5)
    np.testing.assert_allclose(p, [7 / 12, math.sqrt(2) / 6, 1 / 12], rtol=1e-10)
    # several walks at once; teleport weights are normalised
    pp = random_walk(t, np.array([[2.0, 0], [0, 0], [0, 5.0]]), beta=0.5)
    np.testing.assert_allclose(pp[:, 0], [7 / 12, math.sqrt(2) / 6, 1 / 12],
                               rtol=1e-10)
    np.testing.assert_allclose(pp[:, 1], [1 / 12, math.sqrt(2) / 6, 7 / 12],
                               rtol=1e-10)


def test_knn_graph_by_hand():
    v = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]])
    g = knn_graph(v, k=1).toarray()
    w01 = math.acos(-0.8) / math.pi
    w12 = math.acos(-0.6) / math.pi
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 0] = w01
    expected[1, 2] = expected[2, 1] = w12
    expected[2, 3] = expected[3, 2] = 0.5  # cos = 0 -> arccos(0)/pi
    np.testing.assert_allclose(g, expected, atol=1e-12)


# ------------------------------------------------------------------ induction
POS_WORDS = ["glorious", "victory", "joy", "bright", "happy", "proud"]
NEG_WORDS = ["reckless", "enemy", "vile", "crime", "hostile", "wicked"]
SHARED = ["people", "day", "said", "country", "today", "world"]


def _synthetic_corpus(seed: int = 7, n_docs: int = 200) -> list[str]:
    """Documents drawing from one polarity cluster plus shared neutral words."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        cluster = POS_WORDS if i % 2 == 0 else NEG_WORDS
        marker = ["hail", "cheer"] if i % 2 == 0 else ["denounce", "condemn"]
        words = rng.choice(cluster + marker + SHARED, size=30)
        docs.append(" ".join(words) + ".")
    return docs


@pytest.fixture(scope="module")
def synthetic_lexicon():
    return induce_lexicon(_synthetic_corpus(), positive_seeds=["glorious", "joy"],
                          negative_seeds=["reckless", "vile"], min_count=5,
                          dims=4, k=3, n_boot=6, boot_size=1, window=3)


def test_induce_lexicon_recovers_clusters(synthetic_lexicon):
    lex = synthetic_lexicon.set_index("word")
    for w in ["victory", "bright", "happy", "proud", "hail", "cheer"]:
        assert lex.loc[w, "score"] > 0, w
    for w in ["enemy", "crime", "hostile", "wicked", "denounce", "condemn"]:
        assert lex.loc[w, "score"] < 0, w
    pos_min = lex.loc[POS_WORDS, "score"].min()
    neg_max = lex.loc[NEG_WORDS, "score"].max()
    assert pos_min > neg_max
    assert lex.loc["glorious", "seed"] == "positive"
    assert lex.loc["vile", "seed"] == "negative"
    assert lex.loc["victory", "seed"] == ""
    assert (lex["confidence"].between(0, 1)).all()
    assert lex.loc["victory", "confidence"] == 1.0


def test_induce_lexicon_frame(synthetic_lexicon):
    lex = synthetic_lexicon
    assert list(lex.columns) == ["word", "score", "confidence", "sd", "count", "seed"]
    assert lex["score"].is_monotonic_decreasing
    # stopwords stay out of the targets (the texts have none but "said" is content)
    assert not set(lex["word"]) & STOPWORDS
    assert lex["count"].dtype == np.int64
    total = sum(d.rstrip(".").split().count("victory") for d in _synthetic_corpus())
    assert lex.set_index("word").loc["victory", "count"] == total
    rec = lex.attrs["kcnalex"]
    assert rec["function"] == "induce_lexicon"
    assert rec["params"]["positive_seeds"] == ["glorious", "joy"]
    assert rec["params"]["k"] == 3 and rec["params"]["beta"] == 0.9
    assert len(rec["runs"]) == 6


def test_induce_lexicon_deterministic(synthetic_lexicon):
    again = induce_lexicon(_synthetic_corpus(), positive_seeds=["glorious", "joy"],
                           negative_seeds=["reckless", "vile"], min_count=5,
                           dims=4, k=3, n_boot=6, boot_size=1, window=3)
    pd.testing.assert_frame_equal(again, synthetic_lexicon)
    assert again.attrs["kcnalex"]["runs"] == synthetic_lexicon.attrs["kcnalex"]["runs"]


def test_standardised_per_run():
    lex = induce_lexicon(_synthetic_corpus(), positive_seeds=["glorious", "joy"],
                         negative_seeds=["reckless", "vile"], min_count=5, dims=4,
                         k=3, n_boot=1, boot_size=2, window=3)
    # one run with all seeds: the score is the standardised polarity itself
    assert abs(lex["score"].mean()) < 1e-12
    assert lex["score"].std(ddof=0) == pytest.approx(1.0, rel=1e-12)
    assert lex["sd"].isna().all()


def test_missing_seed_warns_and_bad_seeds_raise():
    docs = _synthetic_corpus()
    with pytest.warns(UserWarning, match="absentword"):
        induce_lexicon(docs, positive_seeds=["glorious", "absentword"],
                       negative_seeds=["vile"], min_count=5, dims=4, k=3, n_boot=2,
                       boot_size=1)
    with pytest.raises(ValueError, match="both sides"):
        induce_lexicon(docs, positive_seeds=["vile"], negative_seeds=["vile"])
    with pytest.raises(TypeError):
        induce_lexicon(docs, positive_seeds="glorious", negative_seeds=["vile"])


# ------------------------------------------------------------------ shipped lexicon
def _header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*([\w_]+):\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def test_shipped_lexicon_format():
    csv = LEXDIR / "kcna-polarity.csv"
    meta = json.loads((LEXDIR / "kcna-polarity.json").read_text(encoding="utf-8"))
    assert csv.stat().st_size < 2_000_000
    df = pd.read_csv(csv, comment="#", dtype={"word": str, "version": str},
                     keep_default_na=False)
    assert list(df.columns) == ["word", "score", "confidence", "sd", "count",
                                "version"]
    assert 5_000 <= len(df) <= 15_000 == meta["parameters"]["max_words"]
    assert df["word"].is_unique
    assert (df["word"] == df["word"].str.lower()).all()
    assert not df["word"].str.contains(r"\s").any()
    assert np.isfinite(df["score"]).all() and df["confidence"].between(0, 1).all()
    assert (df["count"] >= meta["parameters"]["min_count"]).all()
    assert (df["version"] == meta["version"]).all()
    assert df["score"].is_monotonic_decreasing
    seeds = meta["seeds"]
    assert set(seeds["positive"]) <= set(df["word"])
    assert set(seeds["negative"]) <= set(df["word"])
    lex = df.set_index("word")["score"]
    assert (lex[seeds["positive"]] > 0).all() and (lex[seeds["negative"]] < 0).all()
    # the comment header repeats the sidecar's parameters and seeds
    head = _header(csv)
    for key in ("min_count", "window", "dims", "k", "beta", "n_boot", "boot_size"):
        assert head[key] == str(meta["parameters"][key]), key
    assert head["positive_seeds"] == " ".join(seeds["positive"])
    assert head["negative_seeds"] == " ".join(seeds["negative"])


def test_shipped_lexicon_sidecar_hash():
    csv = LEXDIR / "kcna-polarity.csv"
    meta = json.loads((LEXDIR / "kcna-polarity.json").read_text(encoding="utf-8"))
    assert meta["name"] == "kcna-polarity"
    assert meta["sha256"] == sha256_file(csv)
    assert meta["n_words"] == len(pd.read_csv(csv, comment="#"))
