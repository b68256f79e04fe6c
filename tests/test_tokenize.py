"""Tokenizer: exact tokens and sentences on hand-written KCNA-style text."""

from __future__ import annotations

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
    split_sentences,
    token_spans,
    word_spans,
    word_spans_batch,
)


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
