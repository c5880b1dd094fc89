"""What the API tests send: a question the sample article answers, and two articles."""

QUESTION = "How many North Korean troops were killed or wounded in the Kursk region?"

ARTICLE = {
    "title": "Harrowgate council approves Eastline tram",
    "body": (
        "Harrowgate city council voted 7 to 4 on Monday night to build the Eastline tram. "
        "The line will run 9 kilometres from the station to the hospital. "
        "Councillor Mara Quint said the vote ended eleven years of studies."
    ),
    "url": "https://example.org/news/harrowgate-tram?utm_source=feed",
    "source": "Harrowgate Courier",
    "published": "2024-03-05T09:30:00+00:00",
}
OTHER = {
    "title": "Estoria central bank holds rates",
    "text": "The Estoria central bank kept its main rate at 4.25 percent on Thursday.",
    "outlet": "Estoria Ledger",
    "published": "2023-02-01",
}
