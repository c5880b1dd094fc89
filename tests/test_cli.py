"""The `newsdesk` command as a user runs it: real files, a real index, exit codes."""

import json

import pytest
from typer.testing import CliRunner

from newsdesk_cli import app
from tests.conftest import SAMPLE
from tests.support.web_pages import TRAM, UNTITLED, rss
from tests.support.web_server import local_site

pytestmark = pytest.mark.integration

GOOD = """Riverton approves its east tram line
URL: https://gazette.example/riverton-tram
Source: Riverton Gazette
Published: 2024-03-05T09:00:00+00:00

The city council of Riverton voted 31 to 12 on Tuesday to build a nine-kilometre tram line to
the eastern districts. Construction is due to start in spring 2025, and the budget is 410 million
euros, two thirds of it paid by the region.
"""


@pytest.fixture
def env(tmp_path, embedder):
    return {"NEWSDESK_DATA_DIR": str(tmp_path / "data"), "NEWSDESK_COLLECTION_PREFIX": "cli"}


def run(env, *args):
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_ingest_reports_bad_files_keeps_good_ones_and_exits_non_zero(tmp_path, env):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tram.txt").write_text(GOOD, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (folder / "feed.jsonl").write_text(
        '{"title": "Bad date", "body": "x", "published": "someday"}\n{oops\n', encoding="utf-8"
    )
    code, output = run(env, "ingest", str(folder), str(SAMPLE), str(tmp_path / "missing.txt"))
    assert code == 1
    assert "binary file" in output
    assert "feed.jsonl:1" in output and "does not parse" in output
    assert "feed.jsonl:2" in output and "invalid JSON" in output
    assert "missing.txt" in output and "no such file" in output
    assert "new" in output and "failed" in output

    code, output = run(env, "ask", "How many votes did the Riverton tram line get?", "--json")
    assert code == 0, output
    answer = json.loads(output)
    assert answer["status"] == "answered"
    assert answer["direct"]["text"] == "31 to 12"
    assert answer["citations"][0]["url"] == "https://gazette.example/riverton-tram"
    assert any("31 to 12" in c["quote"] for c in answer["citations"])

    code, output = run(env, "ingest", str(folder / "tram.txt"), str(SAMPLE))
    assert code == 0
    assert "unchanged" in output

    code, output = run(env, "ask", "How many North Korean troops were killed or wounded?")
    assert code == 0
    assert "[1]" in output and "30" in output and "chars" in output

    code, output = run(env, "articles", "--json")
    assert code == 0, output
    listed = {a["id"]: a for a in json.loads(output)}
    assert listed["https://gazette.example/riverton-tram"]["source"] == "Riverton Gazette"
    assert all("body" not in a for a in listed.values())

    code, output = run(env, "delete", "https://gazette.example/riverton-tram?utm_source=mail")
    assert code == 0 and "Deleted" in output
    code, output = run(env, "delete", "https://gazette.example/riverton-tram")
    assert code == 1 and "no article" in output


def test_ask_rejects_bad_input_with_a_clear_message(env):
    code, output = run(env, "ask", "   ")
    assert code == 2 and "question" in output
    code, output = run(env, "ask", "ok?", "--published-after", "yesterday-ish")
    assert code == 2 and "published_after" in output


@pytest.fixture
def site():
    with local_site() as site:
        site.routes.update({"/news/tram": TRAM, "/news/library": UNTITLED})
        site.routes["/feed.xml"] = rss(site, [("/news/tram", ""), ("/news/gone", "Gone")])
        yield site


def test_ingest_takes_page_urls_and_feeds_reporting_each_failure(env, site):
    env = {**env, "NEWSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1"}
    code, output = run(env, "ingest", site.url("/news/library"), "--feed", site.url("/feed.xml"))
    assert code == 1, output
    assert f"failed {site.url('/news/gone')}: the server answered 404" in output
    assert f"assumed {site.url('/news/library')}: no title: assumed the first sentence" in output
    assert "1 new, 0 updated" in output

    code, output = run(env, "articles", "--json")
    dates = {a["id"]: a["published"] for a in json.loads(output)}
    assert dates[site.url("/news/tram")].startswith("2024-03-05")
    assert dates[site.url("/news/library")] is None
    code, output = run(env, "articles")
    assert code == 0 and "undated" in output

    code, output = run(env, "watch", site.url("/feed.xml"), "--once")
    assert code == 0 and f"{site.url('/feed.xml')}: not modified since the last poll" in output
    code, output = run(env, "watch", "--once")
    assert code == 0 and f"{site.url('/feed.xml')}: not modified since the last poll" in output


def test_a_loopback_url_not_allowed_is_refused_naming_the_rule(env, site):
    code, output = run(env, "ingest", site.url("/news/tram"))
    assert code == 1 and "(rule: loopback address)" in output
    code, output = run(env, "ingest", "--feed", site.url("/feed.xml"))
    assert code == 1 and "(rule: loopback address)" in output
    assert site.requests == []
    code, output = run(env, "watch", "--once")
    assert code == 2 and "no feeds watched yet" in output, "a feed never read is not watched"


def test_a_record_without_title_is_ingested_and_the_summary_says_so(tmp_path, env):
    path = tmp_path / "scraped.jsonl"
    path.write_text(json.dumps({"body": "The tram opened on Monday. It is free."}) + "\n")
    code, output = run(env, "ingest", str(path))
    assert code == 0, output
    assert "scraped.jsonl:1: no title: assumed the first sentence 'The tram opened on" in output


def test_watch_refuses_an_interval_it_cannot_read(env):
    code, output = run(env, "watch", "https://gazette.example/feed.xml", "--every", "soon")
    assert code == 2 and "--every 'soon'" in output
