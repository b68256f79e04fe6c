"""Your own lexicon: write a small TOML file, load it, count, look at the contexts.

Builds a lexicon of production-campaign formulae in the kcnalex lexicon format
(see docs/lexicon-format.md): optional words (``the?``), alternatives (``(a|b)``),
word-prefix globs (``self-relian*``), a case rule per entry. Loads it, counts its
categories in the bundled SYNTHETIC sample, and shows keyword-in-context lines. The
lexicon's name, version and sha256 are in the provenance of every result.

Writes ``my-lexicon.toml``, ``custom_counts.csv`` (per document and category),
``custom_kwic.csv`` and ``custom_categories.png`` (category rates per year).

Run: ``python examples/custom_lexicon.py [--out DIR]``.
"""

from __future__ import annotations

from _common import parse_args, save, write_csv

import kcnalex as kx

LEXICON = """\
[lexicon]
name = "my-economy"
version = "0.1.0"
description = "Example lexicon: production campaigns and self-reliance"
case = "insensitive"

[[entry]]
id = "plan-fulfilment"
patterns = ["(overfulfilled|overfulfil*|carried out) (the|their) (yearly|annual)? plan",
            "(ahead of|before) (schedule|time)"]
category = "production"
note = "plan (over)fulfilment and its timing"

[[entry]]
id = "output-rise"
patterns = ["(raising|raised|increasing|increased) (the)? output"]
category = "production"

[[entry]]
id = "innovation"
patterns = ["innovation*", "labor innovators?"]
category = "innovation"

[[entry]]
id = "campaign"
patterns = ["the? momentum of the campaign", "(100-day|150-day|speed) campaign"]
category = "mobilisation"

[[entry]]
id = "self-reliance"
patterns = ["self-relian*", "(on|by) (our|their) own efforts?"]
category = "self-reliance"
note = "self-reliance, self-reliant; by their own effort(s)"

[[entry]]
id = "chollima"
patterns = ["Chollima (speed|movement|spirit)"]
category = "mobilisation"
case = "title"
"""


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    path = args.out / "my-lexicon.toml"
    path.write_text(LEXICON, encoding="utf-8")
    mine = kx.load_lexicon(path)
    print(f"{mine['entry'].nunique()} entries expand to {len(mine)} terms")

    corpus = kx.load_sample()
    counts = kx.count_formulae(corpus, lexicon=mine, by="category", zeros=True)
    write_csv(counts, args.out / "custom_counts.csv")
    print(kx.get_provenance(counts)["lexicons"])

    lines = kx.kwic(corpus, "plan-fulfilment", lexicon=mine, window=6)
    write_csv(lines, args.out / "custom_kwic.csv")
    print(lines[["left", "match", "right"]].head().to_string())

    # category rates per year: long doc stats -> ratio estimator per 1,000 tokens
    stats = counts.rename(columns={"category": "measure", "count": "value"})
    yearly = kx.aggregate(stats, freq="Y", kinds="count", ci=None)
    ax = kx.plot_heatmap(yearly, title="my-economy categories per 1,000 tokens "
                                       "(SYNTHETIC sample)")
    save(ax, args.out / "custom_categories.png")


if __name__ == "__main__":
    main()
