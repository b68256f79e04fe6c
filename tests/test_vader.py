"""kcnalex.vader against the reference implementation (vaderSentiment 3.3.2).

Every comparison is exact equality of the floats. The reference is the independent
oracle: ``SentimentIntensityAnalyzer().polarity_scores``.
"""

from __future__ import annotations

import math
import random
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as ref_module

from kcnalex import vader
from kcnalex.vader import polarity_scores, vader_array, vader_scores

REF = ref_module.SentimentIntensityAnalyzer()
KEYS = ("neg", "neu", "pos", "compound")


def ref_tuple(text: str) -> tuple[float, ...]:
    d = REF.polarity_scores(text)
    return tuple(d[k] for k in KEYS)


def same_floats(a, b) -> bool:
    """Equal and with the same sign bit (0.0 vs -0.0 counts as a difference)."""
    return all(x == y and math.copysign(1, x) == math.copysign(1, y)
               for x, y in zip(a, b, strict=True))


def assert_same(texts) -> None:
    ours = vader_array(list(texts))
    for text, row in zip(texts, ours.tolist(), strict=True):
        expected = ref_tuple(text)
        assert same_floats(tuple(row), expected), (text, row, expected)
        assert same_floats(tuple(polarity_scores(text).values()), expected), text


# --------------------------------------------------------------------------------------
# hand-written cases, one or more per rule and quirk of the reference

EDGE_CASES = [
    # empty, whitespace, no lexicon word
    "",
    "   ",
    "\t\n",
    "The delegation left Pyongyang on Monday.",
    "!!!",
    "???",
    # plain lexicon words, punctuation stripping, words of length <= 2
    "The harvest is good.",
    "good",
    "Good, great, excellent!",
    "(good) [great] {bad}",
    "\"peace\" 'war' -hope-",
    "ok",
    "ok.",
    "It is ok, ok?",
    ":) :( :-) <3 :D",
    "The meeting ended :)",
    # negation: NEGATE words, n't, distance 1-3, "without doubt", "never so/this"
    "The talks were not successful.",
    "The talks were not very successful.",
    "The talks were not at all successful.",
    "It isn't good.",
    "It ain't good and it wasn't great.",
    "They never fail.",
    "They have never been so happy.",
    "They have never been this happy.",
    "It was never so very good.",
    "Without doubt a great victory.",
    "Without a doubt, a great victory.",
    "Nothing is good here.",
    "Despite the success the talks failed.",
    # "no" rules
    "no",
    "No good news.",
    "No, good news.",
    "no no good",
    "There is no peace or justice.",
    "There was no help nor hope.",
    "There is no way to win.",
    "no, no, no!",
    # boosters and dampeners, distance scaling, "kind of" / "sort of"
    "The plan is very good.",
    "The plan is very very good.",
    "It is extremely bad.",
    "It is kind of good.",
    "It was sort of bad.",
    "The statement is kind of, sort of acceptable.",
    "It is kinda good and sorta bad.",
    "It was just enough to win.",
    "slightly hostile, hardly friendly",
    "The results were somewhat more encouraging.",
    # ALL CAPS differential
    "The plan is GOOD.",
    "GOOD",
    "THE PLAN IS GOOD",
    "The plan is VERY good.",
    "The plan is VERY GOOD!",
    "The U.S. IMPERIALISTS are EVIL warmongers.",
    "The DPRK will never tolerate the HOSTILE policy.",
    # "least"
    "This is the least good plan.",
    "At least it is not bad.",
    "At the very least it is good.",
    "least good",
    "Not the least bit happy.",
    # "but"
    "The plan was good, but the result was bad.",
    "The plan was good but the result was good.",
    "good good but good good",
    "bad but bad",
    "But it was great.",
    "It was great but.",
    "good, but, bad, but good",
    # special cases and idioms
    "The new song is the bomb.",
    "My new song is truly the bomb!",
    "That guy is a real bad ass.",
    "He is such a badass",
    "We waited at the bus stop all day.",
    "yeah right, that will work",
    "Oh yeah right that will work",
    "This is the kiss of death for them.",
    "The food is to die for.",
    "It was simply to die for.",
    "a very beating heart",
    "It was the shit",
    "He was in the red.",
    "They cut the mustard.",
    # punctuation emphasis
    "Good!",
    "Good!!",
    "Good!!!!",
    "Good!!!!!!!",
    "Bad!!!",
    "Good?",
    "Good??",
    "Good???",
    "Good????????",
    "Is it good?!?!",
    "good! bad? terrible!!",
    # emoji
    "I love it \U0001f498",
    "\U0001f498\U0001f48b\U0001f601",
    "great\U0001f601",
    "\U0001f601 great",
    "Victory \u2764 peace",
    "Up \U0001f199 we go",
    "Warning \u203c and \u2049",
    "keycap 1\ufe0f\u20e3 and flag \U0001f1f0\U0001f1f5",
    # other unicode: non-breaking spaces, curly quotes, Greek sigma, dotted I
    "The\xa0plan\xa0is\xa0good.",
    "\u201cGreat victory,\u201d he said.",
    "\u201cNOT good\u201d",
    "ΟΔΟΣ good ΑΣ.",
    "\u0130yi G\u00dcZEL good",
    "\u0130\u0130, good",
    "ÉCHEC terrible bon",
    # long KCNA-like sentences (written for this test)
    "The heroic people of the country dealt a telling blow to the despicable "
    "aggressors and won a great victory, but the enemies did not give up.",
    "It is not an accident that the puppet warmongers are so desperately "
    "trying to escape the severe punishment of history.",
    "Kind of a disaster, the talks were not so bad without doubt, never this "
    "good, and at least NOT HORRIBLE!!!",
]


def test_enough_edge_cases():
    assert len(EDGE_CASES) >= 40


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_case_equals_reference(text):
    assert same_floats(tuple(polarity_scores(text).values()), ref_tuple(text))


def test_edge_cases_vectorised():
    assert_same(EDGE_CASES)


def test_quirks_are_exercised():
    """The quirks replicated above change the numbers (so the cases test them)."""
    # a short token keeps its punctuation: "no," is not the negator "no"
    assert ref_tuple("no good") != ref_tuple("no, good")
    # "so" before a word triggers the 1.25 boost through the 3-back precedence bug
    assert ref_tuple("the plan is so good") != ref_tuple("the plan is too good")
    # "kind of" adds -0.293 to a negative word as well
    assert ref_tuple("it is kind of bad")[3] < ref_tuple("it is bad")[3]
    # the bomb is an idiom only from the fourth token on
    assert ref_tuple("the bomb") != ref_tuple("it was the bomb")
    # a value equal on both sides of "but" is rescaled at its first occurrence only
    assert ref_tuple("good but good") == ref_tuple("good but good")
    for text in ("no good", "no, good", "the plan is so good", "it is kind of bad",
                 "the bomb", "it was the bomb", "good but good", "good good but good"):
        assert same_floats(tuple(polarity_scores(text).values()), ref_tuple(text))


def test_known_values():
    # values printed by the reference's own demo (vaderSentiment.py __main__)
    assert polarity_scores("VADER is smart, handsome, and funny.") == {
        "neg": 0.0, "neu": 0.254, "pos": 0.746, "compound": 0.8316}
    assert polarity_scores("Not bad at all") == {
        "neg": 0.0, "neu": 0.513, "pos": 0.487, "compound": 0.431}


# --------------------------------------------------------------------------------------
# hypothesis: random strings over the rule vocabulary


def _vocab() -> list[str]:
    rng = random.Random(0)
    lexicon = sorted(vader._LEX)
    words = rng.sample(lexicon, 300)
    words += [w for w in lexicon if len(w) <= 2][:60]
    words += sorted(w for w in ref_module.BOOSTER_DICT if " " not in w)
    words += list(ref_module.NEGATE)
    words += [w for k in ref_module.SPECIAL_CASES for w in k.split()]
    words += ["kind", "of", "sort", "just", "enough", "no", "least", "at", "very",
              "but", "BUT", "so", "this", "never", "without", "doubt", "or", "nor",
              "the", "a", "it", "is", "was", "plan", "DPRK", "U.S.", "--", "-0-"]
    return sorted(set(words))


VOCAB = _vocab()
EMOJI = sorted(vader._EMOJI1)[::25] + ["\U0001f199", "\u203c"]
PUNCT = list(string.punctuation) + ["!!", "!!!!!", "??", "????", "...", "''", "\"",
                                    "\u201c"]


@st.composite
def token(draw):
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        w = draw(st.sampled_from(VOCAB))
        case = draw(st.integers(0, 3))
        if case == 1:
            w = w.upper()
        elif case == 2:
            w = w.capitalize()
        pre = draw(st.sampled_from(["", "", "", "(", "\"", "'", "-"]))
        post = draw(st.sampled_from(["", "", "", ",", ".", "!", "?", ")", "\"", "'s",
                                     "!!", "?!"]))
        return pre + w + post
    if kind == 6:
        return draw(st.sampled_from(PUNCT))
    if kind == 7:
        return draw(st.sampled_from(EMOJI)) + draw(st.sampled_from(["", "x", "good"]))
    return draw(st.text(min_size=1, max_size=4))


@st.composite
def sentence(draw):
    toks = draw(st.lists(token(), max_size=25))
    seps = draw(st.lists(st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\xa0", ""]),
                         min_size=len(toks), max_size=len(toks)))
    return "".join(t + s for t, s in zip(toks, seps, strict=True))


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(sentence())
def test_hypothesis_rule_vocabulary(text):
    assert same_floats(vader._score(text), ref_tuple(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_hypothesis_any_unicode(text):
    assert same_floats(vader._score(text), ref_tuple(text))


DENSE = list("aAsSoOnN '!?.,-\u03a3\u03c3\u0130i") + [
    "no", "so", "but", "good", "bad", "kind", "of", "least", "at", "the", "very",
    "not", "never", "this", "without", "doubt", "bomb", "nor"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DENSE), max_size=40).map("".join))
def test_hypothesis_dense_triggers(text):
    assert same_floats(vader._score(text), ref_tuple(text))


def test_fast_rounding_equals_round():
    rng = random.Random(3)
    xs = [rng.random() for _ in range(20000)] + [0.0, -0.0, 1.0, 5e-324, 0.00005]
    for k in range(0, 10001, 7):  # decimal halves and their float neighbours
        for base in (k / 1000 + 0.0005, k / 10000 + 0.00005):
            xs += [math.nextafter(base, -1), base, math.nextafter(base, 2)]
    for x in xs:
        for y in (x, -x):
            if 0 <= y <= 1:
                assert same_floats((vader._round3(y),), (round(y, 3),)), y
            if -1 <= y <= 1:
                assert same_floats((vader._round4(y),), (round(y, 4),)), y


# --------------------------------------------------------------------------------------
# API


def test_vader_scores_frame_and_provenance():
    texts = ["The harvest is good.", "The enemy attacked.", ""]
    df = vader_scores(texts)
    assert list(df.columns) == ["neg", "neu", "pos", "compound"]
    assert df.dtypes.eq(np.float64).all()
    assert df.index.tolist() == [0, 1, 2]
    for text, row in zip(texts, df.itertuples(index=False), strict=True):
        assert same_floats(tuple(row), ref_tuple(text))
    prov = df.attrs["kcnalex"]
    assert prov["function"] == "vader_scores"
    assert prov["vaderSentiment"] == "3.3.2"
    names = {lx["name"]: lx for lx in prov["lexicons"]}
    path = vader.resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
    assert names["vader_lexicon"]["sha256"] == vader.sha256_bytes(path.read_bytes())
    assert names["vader_lexicon"]["sha256"] == vader._LEXICON_SHA256


def test_vader_scores_series_index_and_input_untouched():
    s = pd.Series(["good", "bad", "neutral words"], index=["a", "b", "c"])
    before = s.copy()
    df = vader_scores(s)
    assert df.index.tolist() == ["a", "b", "c"]
    pd.testing.assert_series_equal(s, before)
    df2 = vader_scores(["good", "bad"], index=pd.Index([10, 20], name="sent"))
    assert df2.index.tolist() == [10, 20] and df2.index.name == "sent"
    with pytest.raises(ValueError, match="index"):
        vader_scores(["good"], index=[1, 2])


def test_single_string_and_empty():
    df = vader_scores("good")
    assert len(df) == 1
    assert vader_array([]).shape == (0, 4)
    assert vader_scores([]).shape == (0, 4)
    assert vader_array(("good", "bad")).shape == (2, 4)
    assert vader_array(np.array(["good", "bad"], dtype=object)).shape == (2, 4)
    gen = vader_array(t for t in ["good", "bad"])
    np.testing.assert_array_equal(gen, vader_array(["good", "bad"]))


def test_type_errors():
    with pytest.raises(TypeError):
        vader_scores(["good", None])
    with pytest.raises(TypeError):
        vader_scores(pd.Series(["good", np.nan]))
    with pytest.raises(TypeError):
        polarity_scores(3)
    with pytest.raises(TypeError, match="column"):
        vader_scores(pd.DataFrame({"text": ["good"]}))


def test_top_level_export():
    import kcnalex

    assert kcnalex.vader_scores is vader_scores


# --------------------------------------------------------------------------------------
# real sentences


def _real_sentences(files, n, seed):
    import kcnalex
    from kcnalex.tokenize import split_sentences

    corpus = kcnalex.read_corpus(files, progress=False)
    sents = [s for text in corpus["text"] for s in split_sentences(text)]
    rng = random.Random(seed)
    return rng.sample(sents, min(n, len(sents)))


@pytest.mark.realdata
def test_real_kcna_co_jp_sentences(co_jp_dir):
    files = sorted(co_jp_dir.glob("*.json.gz"))[::250]
    sents = _real_sentences(files, 2000, seed=1)
    assert len(sents) == 2000
    assert_same(sents)


@pytest.mark.realdata
def test_real_kcna_kp_2024_sentences(kp_2024_path):
    sents = _real_sentences([kp_2024_path], 500, seed=2)
    assert len(sents) == 500
    assert_same(sents)


@pytest.mark.realdata
def test_real_seed_article(seed_path):
    import kcnalex
    from kcnalex.tokenize import split_sentences

    text = kcnalex.read_corpus(seed_path, progress=False)["text"].iloc[0]
    sents = split_sentences(text)
    assert len(sents) > 10
    assert_same(sents)
    assert_same([text])  # a whole article as one string


# --------------------------------------------------------------------------------------
# the compiled path (numba): every sentence's compound equals the reference's

_jit = pytest.importorskip("kcnalex._vader_jit")
needs_numba = pytest.mark.skipif(not _jit.jit_enabled(),
                                 reason="numba is not installed (kcnalex[fast])")


def jit_compounds(texts) -> list[float]:
    """Compound of each text, scored as spans of one joined string."""
    joined, starts, ends, pos = "", [], [], 0
    parts = []
    for t in texts:
        parts.append(t)
        starts.append(pos)
        ends.append(pos + len(t))
        pos += len(t) + 1
    joined = "\x00".join(parts)
    return _jit.compound_spans(joined, np.array(starts), np.array(ends)).tolist()


def assert_jit_same(texts) -> None:
    for text, got in zip(texts, jit_compounds(texts), strict=True):
        want = ref_tuple(text)[3]
        assert same_floats((got,), (want,)), (text, got, want)


@needs_numba
def test_jit_edge_cases():
    assert_jit_same(EDGE_CASES)


@needs_numba
@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sentence(), min_size=1, max_size=4))
def test_jit_hypothesis_rule_vocabulary(texts):
    assert_jit_same(texts)


@needs_numba
@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(DENSE), max_size=40).map("".join),
                min_size=1, max_size=4))
def test_jit_hypothesis_dense_triggers(texts):
    assert_jit_same(texts)


# every word of the reference's multi-word idioms and boosters, with rule words
IDIOM_WORDS = sorted({w for key in (*vader._SPECIAL_T, *vader._BOOSTER_T)
                      for w in key} | {"no", "not", "never", "so", "this", "very",
                                       "least", "at", "but", "good", "bad", "great"})


@needs_numba
@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(IDIOM_WORDS), max_size=30).map(" ".join),
                min_size=1, max_size=4))
def test_jit_hypothesis_idioms(texts):
    assert_jit_same(texts)


@needs_numba
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_jit_hypothesis_any_unicode(texts):
    assert_jit_same(texts)


@needs_numba
@pytest.mark.realdata
def test_jit_real_kcna_co_jp_sentences(co_jp_dir):
    files = sorted(co_jp_dir.glob("*.json.gz"))[::100]
    sents = _real_sentences(files, 3000, seed=4)
    assert len(sents) == 3000
    assert_jit_same(sents)


@needs_numba
def test_jit_short_and_empty():
    assert jit_compounds(["good"] * 3 + ["The harvest is very good!",
                                         "No progress was made.", ""]) == [
        0.4404, 0.4404, 0.4404, 0.54, -0.3252, 0.0]
    assert _jit.compound_spans("", np.zeros(0), np.zeros(0)).tolist() == []
