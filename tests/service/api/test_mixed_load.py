"""Eight clients mixing ask, search, add and delete against one real server: nothing fails,
every acknowledged add is searchable at once, every acknowledged delete is gone."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest

from service.api.app import create_app
from tests.service.api.serving import served

pytestmark = pytest.mark.integration

CLIENTS = 8
ROUNDS = 5


def article(client: int, round_: int) -> tuple[str, dict]:
    """An article findable by a word no other article holds."""
    word = f"quillmoor{client}x{round_}"
    body = (
        f"The {word} committee of Harrowgate met on Tuesday and voted to repave Weir Street. "
        f"Members of the {word} committee said the works would start in the spring."
    )
    return word, {
        "title": f"The {word} committee votes on Weir Street",
        "body": body,
        "url": f"https://example.org/committees/{word}",
        "source": "Harrowgate Courier",
    }


def found(client: httpx.Client, word: str) -> set[str]:
    response = client.get("/search", params={"q": word, "k": 5})
    assert response.status_code == 200, response.text
    return {p["chunk"]["article_id"] for p in response.json()["passages"]}


def work(url: str, number: int) -> tuple[list[str], list[tuple[str, str]]]:
    """One client's rounds: add, find, ask about it, then delete the previous round's article.
    Returns the articles it kept (id, word) and those it deleted."""
    kept: list[tuple[str, str]] = []
    deleted: list[tuple[str, str]] = []
    with httpx.Client(base_url=url, timeout=300) as client:
        for round_ in range(ROUNDS):
            word, body = article(number, round_)
            added = client.post("/articles", json=body)
            assert added.status_code == 201, added.text
            (article_id,) = added.json()["article_ids"]
            assert article_id in found(client, word), "an acknowledged add is searchable at once"
            asked = client.post("/ask", json={"question": f"What did the {word} committee vote?"})
            assert asked.status_code == 200, asked.text
            assert asked.json()["status"] == "answered"
            kept.append((article_id, word))
            if round_ % 2 == 1:
                old_id, old_word = kept.pop(0)
                gone = client.delete("/articles/" + quote(old_id, safe=""))
                assert gone.status_code == 204, gone.text
                assert client.get("/articles/" + quote(old_id, safe="")).status_code == 404
                assert old_id not in found(client, old_word), "a deleted article is not searched"
                deleted.append((old_id, old_word))
    return [article_id for article_id, _ in kept], deleted


def test_mixed_clients_lose_nothing_and_see_their_own_writes(settings_factory, embedder):
    settings = settings_factory()
    with served(create_app(settings, preload=False)) as url:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(lambda n: work(url, n), range(CLIENTS)))
        kept = {article_id for ids, _ in results for article_id in ids}
        deleted = [pair for _, pairs in results for pair in pairs]
        with httpx.Client(base_url=url, timeout=60) as client:
            listed = client.get("/articles", params={"limit": 100}).json()
            assert {a["id"] for a in listed["items"]} == kept
            assert listed["total"] == len(kept) == CLIENTS * (ROUNDS - ROUNDS // 2)
            for article_id, word in deleted:
                assert article_id not in found(client, word)
