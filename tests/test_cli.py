"""The `newsdesk` command as a user runs it: real files, a real index, exit codes."""

import json

import pytest
from typer.testing import CliRunner

from newsdesk_cli import app
from tests.conftest import SAMPLE

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
