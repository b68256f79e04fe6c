"""Tests of kcnalex.phrases: matching rules, frames, seed article, real archive."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kcnalex as kx
from kcnalex import phrases
from kcnalex.lexicons import load_lexicon
from kcnalex.phrases import FormulaMatcher, count_formulae, kwic, match_formulae
from kcnalex.tokenize import token_spans


def lex(*rows, name="t"):
    """A user lexicon from (entry, term[, case]) rows."""
    df = pd.DataFrame({
        "entry": [r[0] for r in rows],
        "term": [r[1] for r in rows],
        "category": ["c"] * len(rows),
        "case": [r[2] if len(r) > 2 else "insensitive" for r in rows],
    })
    df.attrs["name"] = name
    return df


def found(text, lexicon, overlaps="longest"):
    m = FormulaMatcher(lexicon, overlaps=overlaps)
    idx, s, e = m.find(text)
    return [(m.entries[i], text[a:b]) for i, a, b in zip(idx, s, e)]


# --- matching rules on tiny hand-written inputs -----------------------------------


def test_case_rules():
    lx = lex(("ins", "juche idea"), ("sens", "CNC", "sensitive"),
             ("tit", "Day of the Sun", "title"))
    text = ("JUCHE IDEA, Juche Idea. CNC and cnc and Cnc. Day of the Sun, DAY OF THE "
            "SUN, Day Of The Sun, day of the sun, Day of the sun.")
    assert found(text, lx) == [
        ("ins", "JUCHE IDEA"), ("ins", "Juche Idea"), ("sens", "CNC"),
        ("tit", "Day of the Sun"), ("tit", "DAY OF THE SUN"), ("tit", "Day Of The Sun"),
    ]


def test_token_boundaries_words():
    lx = lex(("p", "puppet"), ("i", "imperialist"))
    text = "puppets, puppet-like, anti-imperialist, imperialistic, puppet; imperialist."
    assert found(text, lx) == [("p", "puppet"), ("i", "imperialist")]
    assert found_spans(text, lx)[0] == [text.index("puppet;"),
                                        text.index("imperialist.")]


def found_spans(text, lexicon):
    _, s, e = FormulaMatcher(lexicon).find(text)
    return s.tolist(), e.tolist()


def test_glob():
    lx = lex(("p", "puppet*"))
    text = "puppet, puppets' and puppeteers, puppet-like; anti-puppet, Puppet's."
    assert [t for _, t in found(text, lx)] == ["puppet", "puppets", "puppeteers",
                                               "puppet-like", "Puppet"]
    # a glob inside a phrase, and a glob word that must start a token
    lx2 = lex(("g", "puppet* (group|clique)"))
    assert [t for _, t in found("the puppets group and puppet clique, puppetgroup",
                                lx2)] == ["puppets group", "puppet clique"]
    lx3 = lex(("u", "U.S. imperialist*"))
    assert [t for _, t in found("the U.S. imperialists' and U.S. imperialist-led "
                                "U.S. imperialism", lx3)] == [
        "U.S. imperialists", "U.S. imperialist-led"]


def test_optional_tokens_and_alternatives():
    lx = lex(("pt", "the? puppet traitors"), ("us", "U.S. (imperialist|imperialists)"))
    text = ("The puppet traitors; puppet traitors and the U.S. imperialists, "
            "U.S. imperialist")
    assert found(text, lx) == [("pt", "The puppet traitors"), ("pt", "puppet traitors"),
                               ("us", "U.S. imperialists"), ("us", "U.S. imperialist")]


def test_overlaps_longest_vs_all():
    lx = lex(("us", "U.S."), ("imp", "imperialists"), ("usimp", "U.S. imperialists"),
             ("impagg", "imperialists aggression"))
    text = "the U.S. imperialists aggression"
    assert found(text, lx) == [("usimp", "U.S. imperialists")]  # leftmost-longest
    assert sorted(found(text, lx, "all")) == sorted([
        ("us", "U.S."), ("usimp", "U.S. imperialists"), ("imp", "imperialists"),
        ("impagg", "imperialists aggression")])
    # longest at the same start wins, whatever the lexicon order
    lx2 = lex(("short", "great leader"), ("long", "great leader Comrade"))
    assert found("the great leader Comrade", lx2) == [("long", "great leader Comrade")]
    # "all" keeps identical spans of different entries, once each
    lx3 = lex(("a", "puppet*"), ("b", "puppets"))
    assert sorted(found("puppets", lx3, "all")) == [("a", "puppets"), ("b", "puppets")]
    # tie at the same span: a literal term wins over a glob
    assert found("puppets", lx3) == [("b", "puppets")]


def test_possessive_and_apostrophes():
    lx = lex(("usimp", "U.S. imperialists"), ("ji", "Juche idea"),
             ("kji", "Kim Jong Il"))
    text = "the U.S. imperialists' moves, the Juche idea's truth, Kim Jong Il's works"
    assert found(text, lx) == [("usimp", "U.S. imperialists"), ("ji", "Juche idea"),
                               ("kji", "Kim Jong Il")]
    # a right single quotation mark works like an apostrophe
    assert found("the Juche idea\u2019s truth", lx) == [("ji", "Juche idea")]
    # the 's' of a possessive is not a word
    assert found("Kim Jong Il's", lex(("s", "s"))) == []


def test_hyphenated_words():
    lx = lex(("ai", "anti-imperialist"), ("imp", "imperialist"), ("j", "Juche"),
             ("us", "U.S."))
    text = "anti-imperialist, Juche-oriented, self-reliant Juche, U.S.-led, anti-U.S."
    assert found(text, lx) == [("ai", "anti-imperialist"), ("j", "Juche"),
                               ("us", "U.S.")]
    # a dash between spaces or a double hyphen does not join words
    assert found("imperialist -- Juche - imperialist--Juche", lx) == [
        ("imp", "imperialist"), ("j", "Juche"), ("imp", "imperialist"), ("j", "Juche")]


def test_punctuation_boundaries():
    lx = lex(("ji", "Juche idea"))
    text = '(Juche idea) "Juche idea" Juche idea, Juche idea. Juche idea; [Juche idea]!'
    assert len(found(text, lx)) == 6
    assert found("Juche ideas, Juche idea1, XJuche idea", lx) == []


def test_abbreviations_and_numbers():
    lx = lex(("us", "U.S."), ("s", "S."), ("no", "No. 1"), ("k", "thousand"),
             ("d", "100-day campaign"))
    text = "the U.S. and U.S.A. and No. 1 and No. 10 and 1,000 and 100-day campaign"
    assert found(text, lx) == [("us", "U.S."), ("no", "No. 1"),
                               ("d", "100-day campaign")]


def test_whitespace_runs_and_offsets():
    lx = lex(("ji", "Juche idea"), ("us", "U.S. imperialists"))
    text = "  The Juche\n\n   idea and the U.S.\timperialists.\n"
    idx, s, e = FormulaMatcher(lx).find(text)
    assert [text[a:b] for a, b in zip(s, e)] == ["Juche\n\n   idea",
                                                "U.S.\timperialists"]
    m = match_formulae([text], lexicon=lx)
    assert m["surface"].tolist() == ["Juche\n\n   idea", "U.S.\timperialists"]
    assert (m["end"] - m["start"]).tolist() == [14, 17]


def test_non_ascii_lowercase_keeps_offsets():
    # "İ".lower() has two characters: offsets must still point into the text
    lx = lex(("ji", "Juche idea"))
    text = "İİİ the Juche idea"
    _, s, e = FormulaMatcher(lx).find(text)
    assert text[s[0]:e[0]] == "Juche idea"


def test_empty_and_missing_texts():
    m = FormulaMatcher(lex(("ji", "Juche idea")))
    for text in ["", None, "no formula"]:
        idx, s, e = m.find(text)
        assert idx.size == s.size == e.size == 0 and idx.dtype == np.int64
    assert m.count("").tolist() == [0]


# --- the boundary test is the tokenizer's (property test) -------------------------

_ALPHABET = "aNoUS9 -.,'\u2019!\u00e9\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=30))
def test_fast_boundaries_equal_tokenizer(text):
    norm, _ = phrases._normalise(text)
    starts, ends = token_spans(norm)
    s_set, e_set = set(starts.tolist()), set(ends.tolist())
    for p in range(len(norm)):
        if norm[p] != " ":
            assert phrases._is_start(norm, p) == (p in s_set), (norm, p)
        if p and norm[p - 1] != " ":
            assert phrases._is_end(norm, p) == (p in e_set), (norm, p)
    if norm and norm[-1] != " ":
        assert phrases._is_end(norm, len(norm))


# --- matcher object -------------------------------------------------------------------


def test_matcher_count_find_pickle():
    m = FormulaMatcher("kcna-formulae")
    text = "The U.S. imperialists and their puppets. The Juche idea; the Juche idea."
    counts = m.count(text)
    assert counts.dtype == np.int64 and counts.shape == (m.n_entries,)
    got = {m.entries[i]: int(c) for i, c in enumerate(counts) if c}
    assert got == {"us-imperialists": 1, "puppets": 1, "juche-idea": 2}
    m2 = pickle.loads(pickle.dumps(m))
    for a, b in zip(m.find(text), m2.find(text)):
        np.testing.assert_array_equal(a, b)
    many = m.count_many([text, "", "puppets"])
    np.testing.assert_array_equal(many[0], counts)
    assert many[1].sum() == 0 and many[2].sum() == 1
    with pytest.raises(ValueError, match="overlaps"):
        FormulaMatcher("kcna-formulae", overlaps="shortest")


# --- frames ---------------------------------------------------------------------------


@pytest.fixture
def tiny():
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3"],
        "date": pd.to_datetime(["2010-01-01", "2011-02-03", None]),
        "text": ["The U.S. imperialists and the puppet army.",
                 "The Juche idea. The Juche idea! Invincible friendship.", ""],
    })


def test_match_formulae_frame(tiny):
    before = tiny.copy()
    m = match_formulae(tiny)
    pd.testing.assert_frame_equal(tiny, before)
    assert list(m.columns) == ["doc_id", "date", "entry", "term", "category", "start",
                               "end", "surface"]
    assert m[["doc_id", "entry", "surface"]].values.tolist() == [
        ["d1", "us-imperialists", "The U.S. imperialists"],
        ["d1", "puppet-army", "puppet army"],
        ["d2", "juche-idea", "Juche idea"],
        ["d2", "juche-idea", "Juche idea"],
        ["d2", "invincible-friendship", "Invincible friendship"],
    ]
    for row in m.itertuples():
        text = tiny.set_index("doc_id").loc[row.doc_id, "text"]
        assert text[row.start:row.end] == row.surface
    assert m["date"].dtype == tiny["date"].dtype
    prov = m.attrs["kcnalex"]
    assert prov["function"] == "match_formulae"
    assert prov["lexicons"][0]["name"] == "kcna-formulae"
    assert len(prov["lexicons"][0]["sha256"]) == 64
    assert prov["tokenizer"] == kx.TOKENIZER_VERSION
    empty = match_formulae(["nothing"])
    assert len(empty) == 0 and list(empty.columns) == list(m.columns)


def test_count_formulae_long_wide_category(tiny):
    c = count_formulae(tiny)
    assert list(c.columns) == ["doc_id", "date", "entry", "category", "count",
                               "n_tokens"]
    assert c[["doc_id", "entry", "count", "n_tokens"]].values.tolist() == [
        ["d1", "us-imperialists", 1, 7], ["d1", "puppet-army", 1, 7],
        ["d2", "juche-idea", 2, 8], ["d2", "invincible-friendship", 1, 8]]
    m = FormulaMatcher("kcna-formulae")
    z = count_formulae(tiny, lexicon=m, zeros=True)
    assert len(z) == 3 * m.n_entries and z["count"].sum() == 5
    assert (z.loc[z["doc_id"] == "d3", "n_tokens"] == 0).all()
    w = count_formulae(tiny, lexicon=m, form="wide")
    assert list(w.columns[:3]) == ["doc_id", "date", "n_tokens"]
    assert list(w.columns[3:]) == list(m.entries)
    assert w["juche-idea"].tolist() == [0, 2, 0]
    cat = count_formulae(tiny, by="category")
    assert cat[["doc_id", "category", "count"]].values.tolist() == [
        ["d1", "hostility", 2], ["d2", "ideology", 2], ["d2", "friendship", 1]]
    cw = count_formulae(tiny, by="category", form="wide")
    assert cw["hostility"].tolist() == [2, 0, 0]
    assert c.attrs["kcnalex"]["params"]["by"] == "entry"
    with pytest.raises(ValueError, match="by"):
        count_formulae(tiny, by="term")
    with pytest.raises(ValueError, match="form"):
        count_formulae(tiny, form="tall")


def test_count_formulae_overlaps_all():
    text = ["the U.S. imperialists"]
    lx = lex(("us", "U.S."), ("usimp", "U.S. imperialists"), ("imp", "imperialists"))
    assert count_formulae(text, lexicon=lx)["entry"].tolist() == ["usimp"]
    assert count_formulae(text, lexicon=lx, overlaps="all")["count"].tolist() == [1] * 3


def test_kwic():
    docs = ["Down with the U.S. imperialists' aggression and their puppets!",
            "The puppet army, the puppets."]
    k = kwic(docs, "puppet*", window=2)
    assert list(k.columns) == ["doc_id", "date", "left", "match", "right", "start",
                               "end"]
    assert k[["doc_id", "left", "match", "right"]].values.tolist() == [
        ["text-0", "and their", "puppets", ""],
        ["text-1", "The", "puppet", "army, the"],
        ["text-1", "army, the", "puppets", ""],
    ]
    for row in k.itertuples():
        assert docs[int(row.doc_id[-1])][row.start:row.end] == row.match
    # an entry id of a lexicon
    e = kwic(docs, "us-imperialists", lexicon="kcna-formulae", window=1)
    assert e[["left", "match", "right"]].values.tolist() == [
        ["with", "the U.S. imperialists", "' aggression"]]
    # the same string without lexicon is a literal pattern: no match
    assert len(kwic(docs, "us-imperialists")) == 0
    assert kwic(docs, "PUPPET ARMY", case="sensitive").empty
    assert kwic(docs, "puppet army", window=0)[["left", "right"]].values.tolist() == [
        ["", ""]]
    with pytest.raises(ValueError, match="not a valid pattern"):
        kwic(docs, "imp*ist")


# --- real data ------------------------------------------------------------------------


@pytest.mark.realdata
def test_seed_article_counts(seed_path):
    corpus = kx.read_corpus(seed_path)
    assert len(corpus) == 1
    c = count_formulae(corpus).set_index("entry")["count"]
    # counted by hand in the body (title and "More From" teasers are not the text):
    # "the respected Comrade Kim Jong Un had a photo", "between the respected Comrade
    # Kim Jong Un and the respected Comrade Vladimir ..."
    assert c["respected-comrade"] == 3
    assert c["anti-imperialist-independence"] == 1
    # "deepening the strategic cooperation", "relations of strategic cooperation"
    assert c["strategic-cooperation"] == 2
    # "in a friendly and comradely atmosphere": the longer entry wins
    assert c["friendly-and-comradely"] == 1 and "comradely" not in c
    # "the imperialists' hegemony policy"
    assert c["imperialists"] == 1 and c["hegemony"] == 1
    m = match_formulae(corpus)
    text = corpus["text"].iloc[0]
    assert all(text[a:b] == s for a, b, s in zip(m["start"], m["end"], m["surface"]))


REFERENCE_ENTRIES = ["respected-comrade", "us-imperialists", "juche-idea",
                     "songun-politics", "single-minded-unity", "puppet", "hegemony",
                     "national-reunification", "self-reliance", "by-our-nation-itself",
                     "sycophantic-traitors"]


def _reference_count(texts, terms):
    """Straightforward reference: one case-insensitive regex per entry, terms sorted
    longest first, bounded by token-boundary lookarounds (no letter/digit next to the
    match, and no hyphen joining it to one)."""
    body = "|".join(r"\s+".join(re.escape(w) for w in t.split())
                    for t in sorted(terms, key=len, reverse=True))
    rx = re.compile(r"(?<![^\W_])(?<![^\W_]-)(?:" + body + r")(?![^\W_])(?!-[^\W_])",
                    re.IGNORECASE)
    return np.array([len(rx.findall(t)) for t in texts])


@pytest.fixture(scope="module")
def two_years(co_jp_dir):
    files = sorted(co_jp_dir.glob("1999-*.json.gz"))[::2] + sorted(
        co_jp_dir.glob("2012-*.json.gz"))[::2]
    return kx.read_corpus(files, near_duplicates=False)


@pytest.mark.realdata
def test_real_archive_counts_equal_regex_reference(two_years):
    texts = two_years["text"].tolist()
    assert len(texts) > 2000
    full = load_lexicon("kcna-formulae")
    sub = full[full["entry"].isin(REFERENCE_ENTRIES)]
    assert not sub["term"].str.contains(r"\*").any()
    assert set(sub["case"]) == {"insensitive"}
    # these entries share no words, so no match of one can overlap one of another
    m = FormulaMatcher(sub)
    got = m.count_many(texts)
    for j, entry in enumerate(m.entries):
        ref = _reference_count(texts, sub.loc[sub["entry"] == entry, "term"].tolist())
        assert got[:, j].sum() > 0, entry
        np.testing.assert_array_equal(got[:, j], ref, err_msg=entry)


@pytest.mark.realdata
def test_real_archive_count_frame_consistent(two_years):
    docs = two_years.iloc[:300]
    c = count_formulae(docs, form="wide")
    m = match_formulae(docs)
    per = m.groupby(["doc_id", "entry"]).size()
    wide = c.set_index("doc_id").drop(columns=["date", "n_tokens"])
    stacked = wide.stack()
    stacked = stacked[stacked > 0]
    assert stacked.sort_index().to_dict() == per.sort_index().to_dict()
    np.testing.assert_array_equal(
        c["n_tokens"].to_numpy(), [kx.count_tokens(t) for t in docs["text"]])


# --------------------------------------------------------------------------- scanning
# The compiled Aho-Corasick DFA (kcnalex[fast]) against pyahocorasick, and the
# matcher's results with either scan.
from kcnalex import _acdfa  # noqa: E402

needs_numba = pytest.mark.skipif(not _acdfa.jit_enabled(),
                                 reason="numba is not installed (kcnalex[fast])")
_KEY_ALPHABET = st.sampled_from(list("abcu .-'s\u00d7"))


@needs_numba
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_KEY_ALPHABET, min_size=1, max_size=6), min_size=1,
                max_size=12, unique=True),
       st.text(st.sampled_from(list("abcu .-'s\u00d7xZ\n")), max_size=200))
def test_compiled_scan_equals_pyahocorasick(keys, text):
    sc = _acdfa.KeyScanner(keys)
    compiled = sc.scan(text)
    arr = np.array(list(sc._auto.iter(text)), dtype=np.int64).reshape(-1, 2)
    order = np.lexsort((-np.array([len(keys[k]) for k in arr[:, 1]], dtype=np.int64),
                        arr[:, 0]))
    reference = arr[order, 0], arr[order, 1]
    assert compiled[0].tolist() == reference[0].tolist()
    assert compiled[1].tolist() == reference[1].tolist()
    # the hits themselves: every (end, key) is an occurrence
    for end, k in zip(*map(np.ndarray.tolist, compiled)):
        assert text[end - len(keys[k]) + 1:end + 1] == keys[k]
    assert len(compiled[0]) == sum(
        text.startswith(k, i) for k in keys for i in range(len(text)))


@needs_numba
def test_compiled_scan_more_hits_than_room():
    sc = _acdfa.KeyScanner(["a", "aa", "aaa"])
    ends, keys = sc.scan("a" * 40)  # 117 hits in 40 characters: a second pass
    assert len(ends) == 40 + 39 + 38
    assert ends.tolist()[:4] == [0, 1, 1, 2] and keys.tolist()[:4] == [0, 1, 0, 2]


@needs_numba
@pytest.mark.realdata
def test_compiled_and_python_scans_match_the_same(two_years, monkeypatch):
    docs = two_years.iloc[:1500]
    m = FormulaMatcher("kcna-formulae")
    compiled = match_formulae(docs, lexicon=m)
    counts = m.count_many(docs["text"].tolist())
    monkeypatch.setenv("KCNALEX_JIT", "0")
    python = match_formulae(docs, lexicon=m)
    assert len(compiled) > 5000
    pd.testing.assert_frame_equal(compiled, python)
    np.testing.assert_array_equal(counts, m.count_many(docs["text"].tolist()))
    np.testing.assert_array_equal(
        counts, np.stack([m.count(t) for t in docs["text"].tolist()]))


@needs_numba
@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(_KEY_ALPHABET, min_size=1, max_size=5), min_size=1,
                max_size=10, unique=True),
       st.text(st.sampled_from(list("abcuABCU .-'sS\u00d7\u0130\u03a3x")),
               max_size=150))
def test_compiled_scan_with_folding_equals_scan_of_folded_text(keys, text):
    """The lower-case map compiled into the automaton == scanning lowered text."""
    sc = _acdfa.KeyScanner(keys, fold=phrases._LOWER_CP)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    got = sc.scan_codes(cp)
    low = "".join(chr(c) for c in phrases._LOWER_CP[cp])
    want = _acdfa.KeyScanner(keys).scan(low)
    assert got[0].tolist() == want[0].tolist()
    assert got[1].tolist() == want[1].tolist()
