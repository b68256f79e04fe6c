"""Write the bundled SYNTHETIC sample corpus: src/kcnalex/data/sample/*.json.gz.

Every article is invented here from the templates below (no sentence comes from a
real KCNA text). Each title starts with ``SYNTHETIC:`` and each record carries
``"source": "SYNTHETIC kcnalex sample"``. The files use the kcna.co.jp day-file
layout ``{"date", "url", "articles": [{"title", "url", "content", "source"}]}`` with
that archive's quirks on purpose: the title repeated in the first line of content,
``&nbsp;`` entities and ``\\r\\n``, a dateline, a few Spanish records, one exact
duplicate, one null entry, and a December 31 dateline on a January 1 page.

Deterministic: seeded; run ``python data-raw/make_sample.py`` to rebuild.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "kcnalex" / "data" / "sample"
SOURCE = "SYNTHETIC kcnalex sample"
SEED = 20240620

DAYS = ["2010-03-15", "2010-11-02", "2011-06-20", "2012-01-01", "2012-08-14",
        "2013-04-15", "2013-09-09", "2014-07-27"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

PLACES = ["Pyongyang", "Pyongyang", "Pyongyang", "Hamhung", "Wonsan", "Sinuiju"]
FACILITIES = ["Sunrise Textile Mill", "Riverside Fish Farm", "Evergreen Orchard",
              "Northern Machine Complex", "Harbour Shoe Factory",
              "Mountain Vegetable Greenhouse Farm", "Central Youth Library"]
ORGS = ["National Peace Committee", "Committee for Friendship Exchange",
        "Association of Agricultural Workers", "Central Youth League"]
COUNTRIES = ["Laos", "Nigeria", "Peru", "Mongolia", "Syria", "Belarus", "Nepal"]
ENEMY = ["the U.S. imperialists", "the puppet warmongers", "the reactionary forces"]

LEADER_TEMPLATES = [
    "The respected Comrade {leader} inspected the {facility}.",
    "{leader} , going round various places of the {facility}, acquainted himself in "
    "detail with the production there.",
    "He expressed great satisfaction over the fact that the workers had overfulfilled "
    "the plan ahead of schedule.",
    "He stressed the need to introduce modern technology and raise the quality of "
    "products.",
    "The officials and workers pledged to remain loyal to the leadership of {leader} "
    "and to bring about a great upsurge in production.",
    "Looking round the newly built workshop, he praised the builders for their "
    "devoted efforts.",
    "He gave instructions on the tasks to be fulfilled to further improve the "
    "living standards of the people.",
    "Noting that the {facility} is a model unit, he called for spreading its "
    "experience across the country.",
    "He was accompanied by senior officials of the Central Committee.",
]
STATEMENT_TEMPLATES = [
    "A spokesman for the {org} issued a statement on {day_str} denouncing {enemy} "
    "for their reckless military provocation.",
    "The statement said that the aggressive drills are a grave threat to peace and "
    "stability on the Korean peninsula.",
    "It warned that the army and people will never tolerate the hostile moves and "
    "will resolutely foil them.",
    "The spokesman demanded that {enemy} immediately stop the dangerous exercises.",
    "The drills, staged with huge forces, are nothing but a rehearsal for a war of "
    "aggression, the statement noted.",
    "Those who play with fire will have to pay dearly for it, it stressed.",
    "The {org} called on all compatriots to turn out in the struggle for peace.",
    "Such provocations only deepen the mistrust and confrontation, the spokesman "
    "said.",
]
GREETING_TEMPLATES = [
    "{leader} sent a message of greeting to the President of {country} on the "
    "occasion of its national day.",
    "The message expressed the belief that the friendly relations between the two "
    "countries would grow stronger.",
    "It wished the president good health and the people of {country} prosperity.",
    "Recalling the visit of a delegation last year, it said that exchanges in "
    "culture and education had borne fruit.",
    "A floral basket was also sent on the occasion.",
    "The message hoped that the two peoples would cooperate closely in the "
    "international arena.",
    "The greeting was handed over to the ambassador of {country} here.",
]
ECONOMY_TEMPLATES = [
    "Workers of the {facility} have carried out their yearly plan ahead of schedule.",
    "They introduced new equipment and improved the production processes, raising "
    "output by {pct} percent.",
    "The innovation was greeted with joy by people across the country.",
    "Officials of the {facility} said they would keep up the momentum of the "
    "campaign.",
    "The technicians developed a new method of saving energy and materials.",
    "A meeting was held to celebrate the success, where speakers called for "
    "greater achievements.",
    "Young workers played a leading role in the emulation drive.",
    "Production has been normalized at a high level since the spring.",
]
SPANISH = [
    "La delegacion de la {org} llego el dia a la capital para una visita de amistad.",
    "Los representantes expresaron su deseo de fortalecer las relaciones entre los "
    "dos paises.",
]


def _leader(day: str) -> str:
    return "Kim Jong Il" if day < "2012" else "Kim Jong Un"


def _article(rng: random.Random, day: str, k: int, kind: str) -> dict:
    year, month, dd = (int(x) for x in day.split("-"))
    fill = {"leader": _leader(day), "facility": rng.choice(FACILITIES),
            "org": rng.choice(ORGS), "country": rng.choice(COUNTRIES),
            "enemy": rng.choice(ENEMY), "pct": rng.randint(5, 40),
            "day_str": f"{MONTHS[month - 1]} {dd}"}
    if kind == "leader":
        title = f"{fill['leader']} Inspects {fill['facility']}"
        sents = LEADER_TEMPLATES
    elif kind == "statement":
        title = f"{fill['org']} Denounces Military Drills"
        sents = STATEMENT_TEMPLATES
    elif kind == "greeting":
        title = f"Greetings to President of {fill['country']}"
        sents = GREETING_TEMPLATES
    elif kind == "economy":
        title = f"Yearly Plan Fulfilled at {fill['facility']}"
        sents = ECONOMY_TEMPLATES
    else:
        title = f"Llega delegacion de {fill['org']}"
        sents = SPANISH
    rest = list(sents[1:])
    rng.shuffle(rest)
    body = [s.format(**fill) for s in [sents[0], *rest[: rng.randint(2, 4)]]]
    title = f"SYNTHETIC: {title} ({k + 1})"
    place = rng.choice(PLACES)
    # a December 31 dateline on the January 1 page belongs to the previous year
    dl_month, dl_day = (12, 31) if day.endswith("-01-01") and k == 0 else (month, dd)
    if kind == "spanish":
        dateline = f"{place}, {dl_day} de mayo (ATCC) -- "
    else:
        dateline = f"{place}, {MONTHS[dl_month - 1]} {dl_day} (KCNA) -- "
    content = (f"{title} \r\n&nbsp;&nbsp;&nbsp; {dateline}{body[0]}\r\n "
               + " &nbsp;&nbsp;&nbsp;\r\n ".join(body[1:]) + "\r\n\r\n")
    ymd = day.replace("-", "")
    url = f"http://example.invalid/synthetic/{year}/{ymd}-{k + 1:02d}ee.html"
    return {"title": title, "url": url, "content": content, "source": SOURCE}


def main() -> None:
    rng = random.Random(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json.gz"):
        old.unlink()
    kinds = ["leader", "statement", "greeting", "economy"]
    for d_i, day in enumerate(DAYS):
        arts: list = []
        for k in range(8 if d_i % 2 == 0 else 7):
            arts.append(_article(rng, day, k, kinds[(k + d_i) % 4]))
        if day >= "2011":
            arts.append(_article(rng, day, len(arts), "spanish"))
        if d_i == 2:
            arts.append(dict(arts[1]))  # an exact duplicate (scraper artefact)
            arts.append(None)  # a null entry
        ymd = day.replace("-", "")
        doc = {"date": day, "url": f"http://example.invalid/synthetic/{ymd}.htm",
               "source": SOURCE, "articles": arts}
        raw = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        # mtime=0: byte-identical output on every run
        (OUT / f"{day}_synthetic.json.gz").write_bytes(gzip.compress(raw, mtime=0))
    print(f"wrote {len(DAYS)} day files to {OUT}")


if __name__ == "__main__":
    main()
