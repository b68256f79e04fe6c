"""Tests of kcnalex.stance.

Scores below are computed by hand from the formula in ``stance``'s docstring with
window W = 10 and tau = 0.2: a cue d word tokens from its mention group weighs
``w * (W + 1 - max(d, 1)) / W``, i.e. 1.0 adjacent (d = 1), 0.9 at d = 2, 0.8 at d = 3.
The cue lexicon is pinned to the internal list (``formulae=False, polarity=False``)
so the expected values do not move when other lexicons are shipped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kcnalex.stance import (
    DEFAULT_TAU,
    DEFAULT_WINDOW,
    StanceScorer,
    load_cues,
    load_targets,
    stance,
    stance_doc_sums,
    stance_series,
)

LABELS = Path(__file__).parent / "annotations" / "stance" / "labels.csv"


@pytest.fixture(scope="module")
def cues() -> pd.DataFrame:
    return load_cues(formulae=False, polarity=False)


def rows(text, cues, **kw) -> dict[str, tuple[float, int, int]]:
    df = stance(text, cues=cues, **kw)
    return {t: (round(s, 6), int(st), int(n)) for t, s, st, n in
            zip(df["target"], df["score"], df["stance"], df["n_mentions"])}


def test_defaults():
    assert DEFAULT_WINDOW == 10
    assert DEFAULT_TAU == 0.2


# ------------------------------------------------------------ hand-computed scores
def test_hostile_epithet_and_cue(cues):
    # "U.S. imperialists" is a hostile epithet (-1); "warmongers" at d = 2 -> -0.9
    assert rows("The U.S. imperialists are warmongers.", cues) == {
        "US": (-1.9, -1, 1)}


def test_friendly(cues):
    # China | is | our | fraternal: d = 3 -> +0.8
    assert rows("China is our fraternal neighbour.", cues) == {"China": (0.8, 1, 1)}


def test_neutral_report(cues):
    assert rows("A Chinese delegation arrived in Pyongyang.", cues) == {
        "China": (0.0, 0, 1)}


def test_institutional_name_is_not_a_cue(cues):
    # "friendship delegation" is a name (weight 0), not "friendship"
    assert rows("A Chinese friendship delegation arrived.", cues) == {
        "China": (0.0, 0, 1)}


def test_negation_flips(cues):
    # Japan | is | not | friendly: d = 3 (+0.8), "not" among the 3 tokens before it
    assert rows("Japan is not friendly.", cues) == {"Japan": (-0.8, -1, 1)}
    # "never" 3 tokens before the cue still flips; 4 tokens before does not
    assert rows("Russia never was so friendly.", cues) == {"Russia": (-0.7, -1, 1)}
    assert rows("Russia never was so very friendly.", cues) == {
        "Russia": (0.6, 1, 1)}


def test_two_targets_opposite_stance(cues):
    # "condemned" is directed: its object "the U.S." (d = 2, -0.9); "hostile policy"
    # d = 3 from U.S. (-0.8); nothing attaches to Russia
    assert rows("Russia condemned the U.S. for its hostile policy.", cues) == {
        "US": (-1.7, -1, 1), "Russia": (0.0, 0, 1)}
    # "supported": the U.S. is 5 tokens to the right (not its object) -> China, d = 1
    assert rows("China supported the DPRK against the U.S. aggressors.", cues) == {
        "China": (1.0, 1, 1), "US": (-1.0, -1, 1)}


def test_conjunct_group_shares_cues(cues):
    # U.S. and Japan form one group; warmongers at d = 2 from its end
    assert rows("The U.S. and Japan are warmongers.", cues) == {
        "US": (-0.9, -1, 1), "Japan": (-0.9, -1, 1)}


def test_victim_marker_blocks_hostile_cue(cues):
    # sanctions (-0.5): U.S. at d = 2 on the left, Russia at d = 2 on the right
    # after "on" (victim) -> attaches to the U.S.: -0.5 * 0.9
    assert rows("The U.S. imposed sanctions on Russia.", cues) == {
        "US": (-0.45, -1, 1), "Russia": (0.0, 0, 1)}


def test_window_cut(cues):
    # "hostile" 11 tokens after "Japan": beyond W = 10, no attachment
    text = "Japan one two three four five six seven eight nine ten hostile."
    assert rows(text, cues) == {"Japan": (0.0, 0, 1)}
    # with W = 11 it attaches with weight (12 - 11) / 11, below tau -> neutral
    df = stance(text, cues=cues, window=11)
    assert df["score"].iloc[0] == pytest.approx(-1 / 11)
    assert df["stance"].iloc[0] == 0


def test_threshold(cues):
    # -0.45 is hostile at tau 0.2, neutral at tau 0.5
    t = "The U.S. imposed sanctions on Russia."
    assert rows(t, cues, tau=0.5)["US"] == (-0.45, 0, 1)


def test_target_word_as_hostile_epithet(cues):
    assert rows("The puppets gathered.", cues) == {"South Korea": (-1.0, -1, 1)}
    assert rows("Yankees gathered.", cues) == {"US": (-1.0, -1, 1)}


# ------------------------------------------------------------ surface forms
@pytest.mark.parametrize("text, target", [
    ("south Korea held talks.", "South Korea"),
    ("South Korea held talks.", "South Korea"),
    ("The south Korean authorities held talks.", "South Korea"),
    ("The ROK held talks.", "South Korea"),
    ("The Lee Myung Bak group held talks.", "South Korea"),
    ("The United States held talks.", "US"),
    ("Washington held talks.", "US"),
    ("The Russian Federation held talks.", "Russia"),
    ("The Soviet Union held talks.", "Russia"),
    ("The PRC held talks.", "China"),
    ("Tokyo held talks.", "Japan"),
    ("The UNSC held talks.", "UN"),
    ("The United Nations held talks.", "UN"),
])
def test_surface_forms(text, target, cues):
    assert list(stance(text, cues=cues)["target"]) == [target]


@pytest.mark.parametrize("text", [
    "Koreans held talks.",
    "Korea is one.",
    "The Democratic People's Republic of Korea held talks.",
    "Let us unite.",          # "us" is not the US (case sensitive)
    "Latin American countries held talks.",
])
def test_no_target(text, cues):
    assert stance(text, cues=cues).empty


def test_no_partial_word_match(cues):
    assert list(stance("The USSR held talks.", cues=cues)["target"]) == ["Russia"]
    assert stance("A bush and a trump card.", cues=cues).empty


def test_mentions_counted_and_offsets(cues):
    text = "The U.S. army and the U.S. navy came.  Japan waited."
    df = stance(text, cues=cues)
    us = df[df["target"] == "US"].iloc[0]
    assert us["n_mentions"] == 2 and us["sent_id"] == 0
    assert (us["sent_start"], us["sent_end"]) == (0, 37)
    jp = df[df["target"] == "Japan"].iloc[0]
    assert jp["sent_id"] == 1
    assert text[jp["sent_start"]:jp["sent_end"]] == "Japan waited."


# ------------------------------------------------------------ frames and contracts
def test_frame_columns_dtypes_and_provenance(cues):
    c = pd.DataFrame({"doc_id": ["a", "b"], "text": ["China is friendly.", "None."],
                      "date": pd.to_datetime(["2000-06-15", "2000-06-16"])})
    before = c.copy()
    df = stance(c, cues=cues)
    pd.testing.assert_frame_equal(c, before)
    assert list(df.columns) == ["doc_id", "date", "sent_id", "target", "score",
                                "stance", "n_mentions", "sent_start", "sent_end"]
    assert df["date"].iloc[0] == pd.Timestamp("2000-06-15")
    rec = df.attrs["kcnalex"]
    assert rec["function"] == "stance"
    names = [lx["name"] for lx in rec["lexicons"]]
    assert names[:2] == ["targets", "stance-internal-cues"]
    assert rec["params"]["window"] == 10 and rec["params"]["tau"] == 0.2


def test_empty_corpus(cues):
    df = stance(pd.DataFrame({"doc_id": [], "text": []}), cues=cues)
    assert df.empty and "score" in df.columns


def test_doc_sums_match_frame(cues):
    text = ("The U.S. imperialists are warmongers. China is our fraternal "
            "neighbour. The U.S. and Japan are warmongers. Japan is here.")
    sc = StanceScorer(cues=cues)
    r = stance_doc_sums(text, scorer=sc)
    got = dict(zip(r["target"], zip(r["score_sum"].round(6), r["n_sentences"],
                                    r["n_hostile"], r["n_friendly"])))
    assert got["US"] == (-2.8, 2, 2, 0)
    assert got["Japan"] == (-0.9, 2, 1, 0)
    assert got["China"] == (0.8, 1, 0, 1)
    assert got["Russia"] == (0.0, 0, 0, 0)
    df = stance(text, cues=cues)
    assert df.groupby("target")["score"].sum().round(6).to_dict() == {
        "China": 0.8, "Japan": -0.9, "US": -2.8}


def test_stance_series(cues):
    c = pd.DataFrame({
        "doc_id": ["a", "b", "c"],
        "text": ["The U.S. imperialists are warmongers. Washington came.",
                 "The U.S. and Japan are warmongers.",
                 "China is our fraternal neighbour."],
        "date": pd.to_datetime(["2000-01-05", "2000-01-20", "2000-02-01"])})
    s = stance_series(stance(c, cues=cues), freq="M", n_boot=50)
    got = {(p.strftime("%Y-%m"), t): (round(v, 6), m, n, d) for p, t, v, m, n, d in
           zip(s["period"], s["target"], s["value"], s["mean_stance"],
               s["n_sentences"], s["n_docs"])}
    # US in January: sentence scores -1.9, 0.0, -0.9 -> mean -0.933333
    assert got[("2000-01", "US")] == (round(-2.8 / 3, 6), -2 / 3, 3, 2)
    assert got[("2000-01", "Japan")] == (-0.9, -1.0, 1, 1)
    assert got[("2000-02", "China")] == (0.8, 1.0, 1, 1)
    assert set(s["measure"]) == {"stance"}
    assert s.attrs["kcnalex"]["function"] == "stance_series"


# ------------------------------------------------------------ targets file
def test_load_targets_default():
    t = load_targets()
    assert list(t.columns) == ["target", "surface", "case", "cue", "kind", "version",
                               "source"]
    surf = t[t["kind"] == "surface"]
    assert set(surf["target"]) == {"US", "South Korea", "Japan", "China", "Russia",
                                   "UN"}
    assert set(t["case"]) <= {"sensitive", "first", "insensitive"}
    raw = (Path(__file__).parents[1] / "src" / "kcnalex" / "data" /
           "targets.toml").read_bytes()
    assert t.attrs["sha256"] == hashlib.sha256(raw).hexdigest()
    assert t.attrs["version"] == t["version"].iloc[0]
    epi = t[(t["target"] == "US") & (t["surface"] == "U.S. imperialists")]
    assert epi["cue"].tolist() == [-1]


def test_user_targets_dict_and_file(tmp_path, cues):
    t = load_targets({"Germany": ["Germany", "German", "FRG"]})
    g = t[t["target"] == "Germany"].set_index("surface")["case"].to_dict()
    assert g == {"Germany": "first", "German": "first", "FRG": "sensitive"}
    assert "US" in set(t["target"])           # merged with the defaults
    assert "+" in t.attrs["sha256"]
    df = stance("The German side is friendly.", targets={"Germany": ["German"]},
                cues=cues)
    assert df[["target", "score"]].values.tolist() == [["Germany", 0.8]]
    f = tmp_path / "t.toml"
    f.write_text('version = "9"\n[targets.France]\nfirst = ["France"]\n'
                 'hostile = ["Gauls"]\n')
    t2 = load_targets(f, defaults=False)
    assert set(t2["target"]) == {"France"} and set(t2["version"]) == {"9"}
    assert rows("The Gauls came.", cues, targets=t2) == {"France": (-1.0, -1, 1)}


def test_bad_case_rule():
    with pytest.raises(ValueError, match="unknown key"):
        load_targets({"X": {"shouty": ["X"]}})


def test_cues_frame():
    c = load_cues(formulae=False, polarity=False)
    assert list(c.columns) == ["term", "weight", "directed", "source"]
    assert not c["term"].duplicated().any()
    assert c.set_index("term").loc["friendship delegation", "weight"] == 0.0
    assert c.attrs["lexicons"][0]["name"] == "stance-internal-cues"


# ------------------------------------------------------------ validation (real data)
# Computed once (data-raw/stance_validation.py; W = 10, tau = 0.2) on the 286
# labelled pairs (+2 "not a mention" pairs, not scored). "internal": the pinned
# internal cue list; "default": internal + kcna-formulae 1.0.0 (sha256 below), the
# default while no kcna-polarity.csv is shipped; "vader": sentence-level VADER.
EXPECTED = {"internal": (0.7762, 0.7391), "default": (0.7762, 0.7379),
            "vader": (0.5105, 0.4929)}
FORMULAE_SHA256 = "b58c16ff40dede4f54c4cceb12c65e756306d8d8a15e05adaee02d189b1dd682"


@pytest.mark.realdata
def test_validation_metrics(shared_corpora, cues):
    from sklearn.metrics import accuracy_score, f1_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    import kcnalex

    labels = pd.read_csv(LABELS, dtype={"label": str})
    assert len(labels) >= 150
    assert set(labels["label"]) == {"-1", "0", "1", "x"}
    paths = []
    for f in sorted(labels["file"].unique()):
        p = (shared_corpora / "kcna-kp-2024" / f if f.startswith("headlines")
             else shared_corpora / "kcna-co-jp" / "days" / f)
        paths.append(str(p))
    corpus = kcnalex.read_corpus(paths, lang=None, dedup=False, progress=False)
    texts = {(Path(o.rpartition(":")[0]).name, o.rpartition(":")[2]): t
             for o, t in zip(corpus["origin"], corpus["text"])}
    configs = {"internal": cues}
    full = load_cues(polarity=False)
    if any(lx.get("sha256") == FORMULAE_SHA256 for lx in full.attrs["lexicons"]):
        configs["default"] = full
    scorers = {k: StanceScorer(cues=c) for k, c in configs.items()}
    vader = SentimentIntensityAnalyzer()
    y: list[int] = []
    cache: dict = {}
    pred: dict[str, list[int]] = {k: [] for k in [*configs, "vader"]}
    for r in labels.itertuples(index=False):
        text = texts[(r.file, r.position)]
        sent = text[r.sent_start:r.sent_end]
        h = hashlib.sha256(" ".join(sent.split()).encode()).hexdigest()[:16]
        assert h == r.sent_sha256, f"item {r.item}: offsets moved"
        if r.label == "x":
            continue
        y.append(int(r.label))
        for k, sc in scorers.items():
            key = (k, r.file, r.position)
            if key not in cache:
                cache[key] = sc.score(text)
            res = cache[key]
            names = np.asarray(sc.target_names)[res["target"]]
            hit = np.flatnonzero((res["sent_start"] == r.sent_start)
                                 & (names == r.target))
            pred[k].append(int(res["stance"][hit[0]]) if len(hit) else 0)
        comp = vader.polarity_scores(sent)["compound"]
        pred["vader"].append(1 if comp >= 0.05 else (-1 if comp <= -0.05 else 0))
    assert len(y) == 286
    for name, p in pred.items():
        acc = round(accuracy_score(y, p), 4)
        f1 = round(f1_score(y, p, labels=[-1, 0, 1], average="macro"), 4)
        assert (acc, f1) == EXPECTED[name], name


# ------------------------------------------------------------ equivalence (speed-up)
# The scorer was made faster (prefiltered mention search, per-document cue pass);
# tests/_stance_reference.py keeps a frozen copy of the scoring before that change.
# Every output array must be bit-identical (values, dtypes) on real documents.
SCORE_KEYS = ("sent_id", "target", "score", "stance", "n_mentions", "sent_start",
              "sent_end")


def _assert_same(got: dict, ref: dict, where: str) -> None:
    assert set(got) == set(ref), where
    for k in ref:
        a, b = np.asarray(got[k]), np.asarray(ref[k])
        assert a.dtype == b.dtype and a.shape == b.shape, (where, k)
        assert a.tobytes() == b.tobytes(), (where, k)


def _assert_scorers_agree(new: StanceScorer, ref, texts: list[str], *,
                          mentions: bool = True) -> int:
    from kcnalex.tokenize import sentence_spans, word_spans

    n_sent = 0
    for i, text in enumerate(texts):
        sents, words = sentence_spans(text), word_spans(text)
        n_sent += len(sents[0])
        if mentions:
            m = ref.mentions(text)
            for a, b in zip(new.mentions(text), m):
                assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), i
            ref.mentions = lambda *a, _m=m: _m  # reused by ref.score below
        r = ref.score(text, sentences=sents, words=words)
        if mentions:
            del ref.mentions
        _assert_same(new.score(text, sentences=sents, words=words), r, f"doc {i}")
        _assert_same(new.score(text), r, f"doc {i} (own spans)")
        # the reference's doc_sums from the same (slow) score, computed once
        ref.score = lambda *a, _r=r, **k: _r
        _assert_same(new.doc_sums(text, sentences=sents, words=words),
                     ref.doc_sums(text, sentences=sents, words=words), f"doc {i}")
        del ref.score
    return n_sent


@pytest.fixture(scope="module")
def real_texts(shared_corpora) -> list[str]:
    """~2,000 sentences: every 400th kcna.co.jp day file 1997-2015, plus the
    kcna.kp 2024 records that contain non-ASCII characters."""
    import kcnalex

    days = sorted((shared_corpora / "kcna-co-jp" / "days").glob("*.json.gz"))
    co = kcnalex.read_corpus([str(p) for p in days[::400]], progress=False)
    kp = kcnalex.read_corpus(str(shared_corpora / "kcna-kp-2024" /
                                 "headlines_2024-09-30.json"), lang=None,
                             dedup=False, progress=False)
    kp_texts = [t for t in kp["text"].tolist() if not t.isascii()]
    return co["text"].tolist() + kp_texts


@pytest.mark.realdata
@pytest.mark.parametrize("config", ["default", "internal-w5-polarity"])
def test_equivalent_to_frozen_reference(real_texts, config):
    from _stance_reference import ReferenceScorer

    if config == "default":
        kw: dict = {}
    else:  # other window / tau and the large polarity cue list
        kw = {"cues": load_cues(polarity=True), "window": 5, "tau": 0.35}
    new = StanceScorer(**kw)
    ref = ReferenceScorer(targets=new.targets, cues=new.cues, window=new.window,
                          tau=new.tau)
    assert new.target_names == ref.target_names
    if config == "default":
        n_sent = _assert_scorers_agree(new, ref, real_texts)
        assert n_sent >= 2000
    else:
        _assert_scorers_agree(new, ref, real_texts[::3], mentions=False)


def _synthetic_texts(n: int, seed: int) -> list[str]:
    """Random KCNA-like word salad (written here, no corpus text) that packs target
    forms, cues, conjunctions, negators, victim markers and odd characters."""
    rng = np.random.default_rng(seed)
    vocab = [
        "U.S.", "US", "us", "the", "The", "United States", "american", "Americans",
        "Yankees", "U.S. imperialists", "anti-U.S.", "DPRK-U.S.", "south Korea",
        "South Korean puppets", "puppet", "\u212aim Dae Jung", "Ru\u017fsia",
        "Japan", "Japanese", "\u0130ndia", "China", "Chinese", "DPRK-China",
        "friendship", "friendship delegation", "Russia", "UN", "U.N.", "Security",
        "Council", "Democratic People's Republic of Korea", "Latin America",
        "and", "or", ",", "as well as", "&", "'s", "’s", "against", "on", "upon",
        "toward", "at", "not", "never", "no", "without", "nor", "condemned",
        "denounce", "supported", "congratulate", "welcomed", "hostile", "policy",
        "hostile policy", "aggression", "aggressors", "warmongers", "sanctions",
        "friendly", "fraternal", "good", "war", "exercises", "nuclear", "blackmail",
        "one", "two", "three", "four", "five", "six", "seven", "said", "is", "was",
        "for", "its", "in", "Pyongyang", "Korea", "Korean", "-", "—", "(", ")",
        "\u00e9lite", "na\u00efve", "_US", "US_", "USA", "1997",
    ]
    ends = [".", "!", "?", ".", "."]
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(1, 6))):
            k = int(rng.integers(3, 25))
            words = [vocab[j] for j in rng.integers(0, len(vocab), k)]
            parts.append(" ".join(words) + ends[int(rng.integers(0, len(ends)))])
        texts.append("  ".join(parts))
    return texts


@pytest.mark.parametrize("window, tau", [(10, 0.2), (3, 0.5), (1, 0.05)])
def test_equivalent_to_frozen_reference_synthetic(window, tau):
    from _stance_reference import ReferenceScorer

    targets = load_targets({"Turkey": {"insensitive": ["T\u00fcrkiye", "Ankara"]},
                            "India": {"first": ["\u0130ndia"]}})
    cues = load_cues(polarity=False)
    new = StanceScorer(targets=targets, cues=cues, window=window, tau=tau)
    ref = ReferenceScorer(targets=targets, cues=cues, window=window, tau=tau)
    texts = _synthetic_texts(150, seed=window)
    texts += ["t\u00dcRKIYE and ankara are hostile.", "\u212aim Young Sam group.",
              "", "US", "us US", "U.S.-U.S. U.S.A.U.S."]
    _assert_scorers_agree(new, ref, texts)


def test_equivalent_to_frozen_reference_empty_surface():
    # an empty surface form makes the mention regex match empty strings: the
    # prefilter is off then, and the plain regex scan gives the same rows
    from _stance_reference import ReferenceScorer

    targets = load_targets({"Odd": ["", "Xanadu"]})
    cues = load_cues(formulae=False, polarity=False)
    new = StanceScorer(targets=targets, cues=cues)
    assert new._prefilter[0] is None
    ref = ReferenceScorer(targets=targets, cues=cues)
    texts = ["Xanadu is hostile. The U.S. imperialists are warmongers.", "hostile",
             *_synthetic_texts(20, seed=7)]
    _assert_scorers_agree(new, ref, texts)
