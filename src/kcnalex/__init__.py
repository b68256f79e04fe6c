"""kcnalex: measure the language of North Korean state media.

Import as ``import kcnalex as kx``; every public function of the stages is available
at the top level (``kx.read_corpus``, ``kx.tokenize``, ``kx.count_formulae``, ...).
Submodules are imported lazily, on first use, so ``import kcnalex`` stays fast.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# public name -> submodule that defines it (data flow order)
_EXPORTS: dict[str, str] = {
    # read
    "read_corpus": "io",
    "iter_corpus": "io",
    "CorpusChunks": "io",
    "load_sample": "io",
    "IngestReport": "io",
    "ReadError": "io",
    # tokenize
    "tokenize": "tokenize",
    "split_sentences": "tokenize",
    "token_spans": "tokenize",
    "count_tokens": "tokenize",
    "TOKENIZER_VERSION": "tokenize",
    # lexicons and matching
    "load_lexicon": "lexicons",
    "list_lexicons": "lexicons",
    "LexiconError": "lexicons",
    "match_formulae": "phrases",
    "FormulaMatcher": "phrases",
    "expand_pattern": "lexicons",
    "count_formulae": "phrases",
    "kwic": "phrases",
    "discover_formulae": "discover",
    "keyness": "discover",
    "formula_lifecycle": "discover",
    # measures
    "leader_mentions": "leaders",
    "honorific_density": "leaders",
    "load_leaders": "leaders",
    "LeaderMatcher": "leaders",
    "LeadersFileError": "leaders",
    "vader_scores": "vader",
    "vader_array": "vader",
    "sentiment": "sentiment",
    "load_kcna_polarity": "sentiment",
    "induce_lexicon": "sentprop",
    "stance": "stance",
    "stance_series": "stance",
    "load_targets": "stance",
    "load_cues": "stance",
    "StanceScorer": "stance",
    "stance_doc_sums": "stance",
    # over time
    "aggregate": "timeseries",
    "changepoints": "timeseries",
    "bursts": "timeseries",
    "events": "timeseries",
    "EVENTS_VERSION": "timeseries",
    "load_stats": "datasets",
    # plots
    "plot_timeseries": "plot",
    "plot_heatmap": "plot",
    "plot_honorifics": "plot",
    "plot_stance": "plot",
    "plot_keyness": "plot",
    "plot_xray": "plot",
    "PALETTE": "plot",
    # pipeline, report, data
    "analyze": "pipeline",
    "analyze_dask": "dask",
    "read_corpus_dask": "dask",
    "aggregate_dask": "dask",
    "make_report": "report",
    "reproduce": "report",
    "split_measures": "report",
    "to_long": "pipeline",
    "standard_ratios": "pipeline",
    "fetch_corpus": "fetch",
    "list_corpora": "fetch",
    "get_provenance": "_provenance",
}

__all__ = ["__version__", *_EXPORTS]


# Functions that share their module's name are bound eagerly: otherwise importing the
# submodule (by any path) would shadow the function with the module object.
from .sentiment import sentiment  # noqa: E402, F401
from .stance import stance  # noqa: E402, F401
from .tokenize import tokenize  # noqa: E402, F401


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kcnalex' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
