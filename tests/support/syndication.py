"""A wire story carried by three outlets with light edits, and another report of the same event.

Written for these tests: the Wire Service's story, the Harbour Gazette's copy (a byline added,
one sentence dropped, two words swapped) and the Valley Courier's copy (a headline of its own,
a sentence reworded), published in that order; the Estoria Ledger's own report of the same
flood, on the same day and with the same names, is a different story.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.models import Article

WIRE_SENTENCES = [
    "The river Alden burst its banks at Marrow Ford early on Saturday, flooding the lower town.",
    "About 1,200 residents were moved to the sports hall on Quarry Road before dawn.",
    "The mayor, Ines Tolvar, said no one had been hurt and that the water was receding slowly.",
    "Engineers blamed three days of heavy rain upstream and a blocked culvert under the railway.",
    "Trains between Marrow Ford and Kesteln were cancelled while the embankment was inspected.",
    "The regional water authority said the flood barrier built in 2019 had held at the east end.",
    "Shop owners on Mill Street spent the morning carrying stock to the upper floors.",
    "Volunteers from the rowing club used their boats to reach houses cut off by the water.",
    "The weather service expects drier weather from Monday but warned of more rain next week.",
    "Insurers said they would send assessors to the town as soon as the roads reopened.",
]


def _day(hour: int) -> datetime:
    return datetime(2024, 3, 9, hour, tzinfo=UTC)


WIRE = Article(
    title="River Alden floods lower Marrow Ford",
    body=" ".join(WIRE_SENTENCES),
    url="https://wire.example/2024/alden-flood",
    source="Wire Service",
    published=_day(7),
)
GAZETTE = Article(
    title="Floods in Marrow Ford: 1,200 moved to safety",
    body="By Wire Service staff\n\n"
    + " ".join(WIRE_SENTENCES[:6] + WIRE_SENTENCES[7:]).replace(
        "receding slowly", "slowly receding"
    ),
    url="https://gazette.example/news/marrow-ford-floods",
    source="Harbour Gazette",
    published=_day(9),
)
COURIER = Article(
    title="Alden bursts its banks",
    body=" ".join(WIRE_SENTENCES).replace(
        "spent the morning carrying stock", "were carrying their stock"
    ),
    url="https://courier.example/alden-bursts-its-banks",
    source="Valley Courier",
    published=_day(11),
)
LEDGER = Article(
    title="Marrow Ford counts the cost of the Alden flood",
    body=(
        "Marrow Ford woke on Saturday to water in its lower streets after the Alden rose "
        "overnight. Ines Tolvar, the town's mayor, spent the night at the sports hall where "
        "evacuated families slept on camp beds. 'We were lucky this time,' she told the Ledger, "
        "pointing to the barrier on the east side that kept the water off the old bridge. "
        "Residents of Mill Street, many of whom were flooded in 2016 as well, asked why the "
        "culvert under the railway had not been cleared after the last storm. The railway "
        "operator said it would answer once the embankment had been checked. The rowing club "
        "ferried pensioners across the flooded square, and a bakery on Quarry Road handed out "
        "bread to anyone who came. Insurers are expected in the town next week."
    ),
    url="https://ledger.example/marrow-ford-counts-the-cost",
    source="Estoria Ledger",
    published=_day(8),
)
COPIES = (WIRE, GAZETTE, COURIER)
