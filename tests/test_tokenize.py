"""Tokenizer: exact tokens and sentences on hand-written KCNA-style text."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kcnalex as kx
from kcnalex.tokenize import (
    count_tokens,
    count_tokens_batch,
    learn_abbreviations,
    sentence_spans,
    sentence_spans_batch,
    split_sentences,
    token_spans,
    word_spans,
    word_spans_batch,
)

# the module (kcnalex.tokenize the attribute is the function)
_tok = importlib.import_module("kcnalex.tokenize")


def toks(text, **kw):
    s, e = token_spans(text, **kw)
    return [text[a:b] for a, b in zip(s, e)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the U.S. imperialists", ["the", "U.S.", "imperialists"]),
        ("D.P.R.K. and the C.C., WPK", ["D.P.R.K.", "and", "the", "C.C.", ",", "WPK"]),
        ("anti-imperialist self-reliance", ["anti-imperialist", "self-reliance"]),
        ("Kimilsungism-Kimjongilism.", ["Kimilsungism-Kimjongilism", "."]),
        ("imperialists' moves", ["imperialists", "'", "moves"]),
        ("Kim Jong Il's works", ["Kim", "Jong", "Il", "'s", "works"]),
        ("the people’s army", ["the", "people", "’s", "army"]),
        ("1,000 tons and 3.5%", ["1,000", "tons", "and", "3.5", "%"]),
        ("Hwasong-15 test", ["Hwasong-15", "test"]),
        ("at No. 5 Mt. Paektu", ["at", "No.", "5", "Mt.", "Paektu"]),
        ("-- end --", ["-", "-", "end", "-", "-"]),
        ("it's", ["it", "'s"]),
        ("dogs'", ["dogs", "'"]),
        ("the 'Songun' idea", ["the", "'", "Songun", "'", "idea"]),
        ("", []),
        ("   ", []),
    ],
)
def test_tokens(text, expected):
    assert toks(text) == expected


def test_names_merge_into_one_token():
    text = "The respected Comrade Kim Jong Un and Kim Jong Il's works."
    assert toks(text, names=True) == [
        "The", "respected", "Comrade", "Kim Jong Un", "and", "Kim Jong Il", "'s",
        "works", ".",
    ]
    assert toks("Putin met Xi Jinping", names=["Xi Jinping"]) == [
        "Putin", "met", "Xi Jinping",
    ]
    # a longer name is not cut inside a real word
    assert toks("Kim Jong Unification", names=True) == ["Kim", "Jong", "Unification"]


def test_word_spans_and_counts():
    text = "The U.S. imperialists' anti-DPRK moves, 1,000 times."
    s, e = word_spans(text)
    assert [text[a:b] for a, b in zip(s, e)] == [
        "The", "U.S.", "imperialists", "anti-DPRK", "moves", "1,000", "times",
    ]
    assert count_tokens(text) == 7
    assert count_tokens("") == 0
    assert count_tokens("Kim Jong Il's") == 3


def test_batch_equals_single():
    texts = ["The U.S. imperialists.", "", "Kim Jong Un's visit\n\nto Mt. Paektu",
             "a-b c,d 1,2"]
    assert count_tokens_batch(texts).tolist() == [count_tokens(t) for t in texts]
    assert count_tokens_batch([]).tolist() == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. imperialists lied. Mt. Paektu stood. No. 3 works.",
         ["The U.S. imperialists lied.", "Mt. Paektu stood.", "No. 3 works."]),
        ("He is a member of the C.C., WPK. He spoke.",
         ["He is a member of the C.C., WPK.", "He spoke."]),
        ("She left the U.S. The talks began!", ["She left the U.S.",
                                               "The talks began!"]),
        ("J. Smith came. He said \"No.\" Then he left.",
         ["J. Smith came.", "He said \"No.\"", "Then he left."]),
        ("First line\nSecond line", ["First line", "Second line"]),
        ("Col. Gen. Ri spoke. It rained.", ["Col. Gen. Ri spoke.", "It rained."]),
        ("Why? Because. 2010 was hot.", ["Why?", "Because.", "2010 was hot."]),
    ],
)
def test_sentences(text, expected):
    assert split_sentences(text) == expected


def test_sentence_extra_abbreviations():
    text = "Sec. Gen. Ban came. Then."
    assert split_sentences(text) == ["Sec.", "Gen. Ban came.", "Then."]
    assert split_sentences(text, abbreviations={"sec"}) == ["Sec. Gen. Ban came.",
                                                           "Then."]


def test_tokenize_frame():
    df = kx.tokenize(["Kim Jong Un spoke. The U.S. lied."], names=True)
    assert list(df.columns) == ["doc_id", "sent_id", "token_id", "token", "start",
                                "end"]
    assert df["token"].tolist() == ["Kim Jong Un", "spoke", ".", "The", "U.S.",
                                    "lied", "."]
    assert df["sent_id"].tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert df["token_id"].tolist() == list(range(7))
    assert df.attrs["kcnalex"]["tokenizer"] == kx.TOKENIZER_VERSION
    assert kx.tokenize([], words_only=True).empty


def test_learn_abbreviations_uses_punkt():
    texts = ["The Sec. met Mr. Ri at the hall. He spoke to Sec. Pak. " * 5]
    abbrevs = learn_abbreviations(texts, min_count=1)
    assert "sec" in abbrevs


@given(st.text(max_size=300))
def test_spans_are_ordered_and_cover_all_nonspace(text):
    s, e = token_spans(text)
    assert np.all(e > s)
    assert np.all(s[1:] >= e[:-1])
    covered = "".join(text[a:b] for a, b in zip(s, e))
    assert covered == re.sub(r"\s", "", "".join(
        ch for ch in text if not (ch.isspace() or ch in "\ufeff\u200b")))
    ss, se = sentence_spans(text)
    assert np.all(se > ss) and np.all(ss[1:] >= se[:-1])


@given(st.lists(st.text(max_size=60), max_size=8))
def test_batch_property(texts):
    assert count_tokens_batch(texts).tolist() == [count_tokens(t) for t in texts]


@given(st.lists(st.text(max_size=80), max_size=8))
def test_word_spans_batch_equals_single(texts):
    got = word_spans_batch(texts)
    assert len(got) == len(texts)
    for (s, e), t in zip(got, texts):
        s1, e1 = word_spans(t)
        assert s.tolist() == s1.tolist() and e.tolist() == e1.tolist()


def test_word_spans_batch_hand():
    texts = ["U.", "S. imperialists' moves", "", "Kim Jong Il's-"]
    got = [[t[a:b] for a, b in zip(s, e)] for (s, e), t in
           zip(word_spans_batch(texts), texts)]
    # "U." alone is an initial, not an abbreviation: its dot is punctuation
    assert got == [["U"], ["S", "imperialists", "moves"], [], ["Kim", "Jong", "Il"]]


# --------------------------------------------------------------------------- sentences
# The splitter's reference: the rules written the plain way (the pattern run with
# finditer, the dot decision per match, each segment stripped with str.strip), as
# sentence_spans does for one text. For batches the library finds the same cuts with
# numpy (_sentence_bounds); these tests hold the two equal.
def _reference_sentences(text: str) -> list[tuple[int, int]]:
    cuts = [0]
    for m in _tok._SENT_CAND_RE.finditer(text):
        chunk = m.group()
        if (chunk[0] == "." and chunk[-1] == "."
                and not _tok._is_sentence_end(text, m.start(), m.end(), None)):
            continue
        cuts.append(m.end())
    cuts.append(len(text))
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        seg = text[a:b]
        left, right = len(seg) - len(seg.lstrip()), len(seg.rstrip())
        if right > left:
            out.append((a + left, a + right))
    return out


# characters the sentence rules look at, plus a few others
_SENT_ALPHABET = st.sampled_from(
    list(" \n\t\r.!?\"')]\u201c\u2018\u201d\u2019([-0AaBbUSNo7_,\u00a0\u2003\u0130é")
    + ["-0-", "U.S.", "No.", "Mt.", "D.P.R.K.", "etc.", " The", "J.", "...", "Mr.",
       "vs.", "approx.", "Messrs.", "Messrsx.", "É."])
_sent_texts = st.lists(_SENT_ALPHABET, max_size=40).map("".join)


@given(st.one_of(_sent_texts, st.text(max_size=200)))
def test_sentence_matches_equal_finditer(text):
    flags = _tok._SFLAGS[np.minimum(_tok._codepoints(text), 0xFFFF)]
    s, e = _tok._sentence_matches(text, flags)
    want = [m.span() for m in _tok._SENT_CAND_RE.finditer(text)]
    assert list(zip(s.tolist(), e.tolist())) == want


@given(st.one_of(_sent_texts, st.text(max_size=200)))
def test_sentence_bounds_equal_reference(text):
    """The numpy splitter (batches) equals the plain one (single texts)."""
    s, e = _tok._sentence_bounds(text, _tok._codepoints(text), None)
    assert list(zip(s.tolist(), e.tolist())) == _reference_sentences(text)
    s, e = sentence_spans(text)
    assert list(zip(s.tolist(), e.tolist())) == _reference_sentences(text)


@given(st.lists(st.one_of(_sent_texts, st.text(max_size=60)), max_size=8))
def test_sentence_spans_batch_equals_single(texts):
    got = sentence_spans_batch(texts)
    assert len(got) == len(texts)
    for (s, e), t in zip(got, texts):
        s1, e1 = sentence_spans(t)
        assert s.tolist() == s1.tolist() and e.tolist() == e1.tolist()


def test_sentence_spans_hand():
    text = 'He said "No." Then -0- it ended.\n\nThe U.S. The end...  Next'
    got = [text[a:b] for a, b in zip(*sentence_spans(text))]
    assert got == ['He said "No."', "Then -0-", "it ended.", "The U.S.", "The end...",
                   "Next"]
    # overlapping "-0-" (the second one is the match); a "-0-" opening a text does
    # not join it to the text before
    assert split_sentences("-0-0- x") == ["-0-0-", "x"]
    got = sentence_spans_batch(["! ", "-0-"])
    assert [p[0].tolist() + p[1].tolist() for p in got] == [[0, 1], [0, 3]]
    assert [[t[a:b] for a, b in zip(*p)] for p, t in
            zip(sentence_spans_batch(["A b. C d", "", "x U.S. The"]),
                ["A b. C d", "", "x U.S. The"])] == [["A b.", "C d"], [],
                                                       ["x U.S.", "The"]]


def test_sentence_spans_real_month(co_jp_dir):
    """A month of kcna.co.jp: batch and single splitting equal the reference."""
    files = sorted(co_jp_dir.glob("2009-07-*_juche.json.gz"))
    texts = kx.read_corpus(files, progress=False)["text"].tolist()
    assert len(texts) > 300
    batch = sentence_spans_batch(texts)
    n = 0
    for (s, e), t in zip(batch, texts):
        want = _reference_sentences(t)
        assert list(zip(s.tolist(), e.tolist())) == want
        n += len(want)
    assert n > 2000
