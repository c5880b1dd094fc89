"""/stories: copies of one story posted under several outlets are read back as one story,
from its id or any copy's; a story whose original is deleted lives on in its copies."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.service.api.reading import assert_problem
from tests.support.syndication import COURIER, GAZETTE, LEDGER, WIRE

pytestmark = pytest.mark.integration


def record(article) -> dict:
    return article.model_dump(mode="json", exclude={"id"}, exclude_none=True)


def story(client, article_id: str):
    return client.get("/stories/" + quote(article_id, safe=""))


def test_copies_posted_under_several_outlets_read_back_as_one_story(fresh):
    with fresh() as client:
        posted = client.post("/articles", json=[record(a) for a in (COURIER, WIRE, LEDGER)])
        assert posted.status_code == 201, posted.text
        assert client.post("/articles", json=record(GAZETTE)).status_code == 201

        found = story(client, COURIER.id)
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["id"] == WIRE.id
        assert body["reported_by"] == "Wire Service"
        assert body["also_carried_by"] == ["Harbour Gazette", "Valley Courier"]
        first = body["articles"][0]
        assert (first["title"], first["url"]) == (WIRE.title, WIRE.url)
        assert first["published"].startswith("2024-03-09T07:00:00")
        assert story(client, WIRE.url).json() == body

        alone = story(client, LEDGER.id).json()
        assert (alone["reported_by"], alone["also_carried_by"]) == ("Estoria Ledger", [])

        assert client.delete("/articles/" + quote(WIRE.id, safe="")).status_code == 204
        after = story(client, COURIER.id).json()
        assert (after["id"], after["reported_by"]) == (GAZETTE.id, "Harbour Gazette")
        assert after["also_carried_by"] == ["Valley Courier"]
        assert_problem(story(client, WIRE.id), 404, "no story")
        assert_problem(story(client, "https://nowhere.example/x"), 404)
