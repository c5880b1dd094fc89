import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.sources.files import load_paths
from ingest.sources.records import LoadedArticle, LoadError
from tests.conftest import MULTIHOP, SAMPLE

pytestmark = pytest.mark.unit

HTML = """<!doctype html><html><head><title>Tram line approved | Riverton Gazette</title>
<meta property="og:title" content="Riverton council approves the east tram line">
<meta property="og:site_name" content="Riverton Gazette">
<meta property="article:published_time" content="2024-03-05T09:00:00+00:00">
<meta property="og:url" content="https://gazette.example/tram-line">
<script>var tracking = "do not index me";</script></head>
<body><nav><a href="/">Home</a> | <a href="/sport">Sport</a> | Subscribe now</nav>
<div class="ad">Buy discount sofas today</div>
<article><h1>Riverton council approves the east tram line</h1>
<p>The city council of Riverton voted 31 to 12 on Tuesday to build a 9-kilometre tram line to
the eastern districts, ending a debate that lasted more than four years.</p>
<p>Construction is due to start in spring 2025 and the first trams should run in 2028, the
transport department said. The budget is 410 million euros, two thirds of it from the region.</p>
<p>Opponents argued that electric buses would serve the same neighbourhoods for a fraction of
the cost, but the mayor said the tram would carry twice as many passengers at peak hours.</p>
</article><footer>Copyright Riverton Gazette. All rights reserved.</footer></body></html>"""


def load(*paths: Path) -> tuple[list[LoadedArticle], list[LoadError]]:
    items = list(load_paths(paths))
    return (
        [i for i in items if isinstance(i, LoadedArticle)],
        [i for i in items if isinstance(i, LoadError)],
    )


def test_text_file_with_headers(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "Heat wave closes schools\nURL: https://news.example/heat?utm_source=x#top\n"
        "Source: Example News\nPublished: 2024-07-02\n\nSchools closed on Tuesday.\n",
        encoding="utf-8",
    )
    (ok,), errors = load(path)
    article = ok.article
    assert not errors
    assert article.title == "Heat wave closes schools"
    assert article.body == "Schools closed on Tuesday."
    assert article.source == "Example News"
    assert article.published == datetime(2024, 7, 2, tzinfo=UTC)
    assert article.id == "https://news.example/heat", "tracking parameters and fragment dropped"


def test_sample_article_loads_with_a_content_hash_id():
    (ok,), errors = load(SAMPLE)
    assert not errors
    assert ok.article.title.startswith("How North Korean Losses")
    assert ok.article.id.startswith("sha256:")
    assert "30 North Korean troops" in ok.article.body


def test_html_extraction_drops_navigation_ads_and_scripts(tmp_path):
    path = tmp_path / "tram.html"
    path.write_text(HTML, encoding="utf-8")
    (ok,), errors = load(path)
    article = ok.article
    assert not errors
    assert "voted 31 to 12" in article.body
    assert "410 million euros" in article.body
    for junk in ("do not index me", "Subscribe now", "discount sofas", "All rights reserved"):
        assert junk not in article.body
    assert article.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert article.source == "Riverton Gazette"


def test_multihop_corpus_loads_as_it_is():
    ok, errors = load(MULTIHOP / "corpus.json")
    assert not errors
    assert len(ok) == 609
    first = ok[0].article
    assert first.id == "https://mashable.com/article/cyber-monday-deals-amazon-2023"
    assert first.source == "Mashable"
    assert first.published == datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)
    assert len({item.article.id for item in ok}) == 609


def test_jsonl_reports_bad_lines_and_keeps_good_ones(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"title": "Good one", "text": "Body one.", "url": "https://x.example/1"}),
        "{not json",
        json.dumps({"title": "No body", "url": "https://x.example/2"}),
        json.dumps({"title": "Bad date", "body": "B.", "published": "the 32nd of Smarch"}),
        "",
        json.dumps({"title": "Good two", "body": "Body two.", "published": "2023-11-02T10:00:00Z"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    ok, errors = load(path)
    assert [i.article.title for i in ok] == ["Good one", "Good two"]
    by_line = {e.line: e.reason for e in errors}
    assert set(by_line) == {2, 3, 4}
    assert "invalid JSON" in by_line[2]
    assert "no body" in by_line[3]
    assert "does not parse" in by_line[4] and "Smarch" in by_line[4]
    assert str(errors[0]).startswith(f"{path}:2: ")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", "Caf\xe9 news\n\nBody".encode("latin-1"), "not valid UTF-8"),
        ("empty.md", b"   \n\n", "empty file"),
        ("title-only.txt", b"Just a title\n\n", "no body"),
        ("broken.json", b'{"title": "x", ', "invalid JSON"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_files_are_reported_with_their_reason(tmp_path, name, content, reason):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("A good article\n\nIt has a body.", encoding="utf-8")
    ok, errors = load(bad, good)
    assert [i.article.title for i in ok] == ["A good article"]
    assert len(errors) == 1
    assert errors[0].path == str(bad)
    assert reason in errors[0].reason


def test_missing_path_is_an_error_not_a_crash(tmp_path):
    ok, errors = load(tmp_path / "nope")
    assert not ok
    assert errors[0].reason == "no such file or folder"


def test_folders_are_walked_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "b" / "deep" / "two.md").write_text("# Two\n\nSecond body.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("One\n\nFirst body.", encoding="utf-8")
    (tmp_path / "ignored.csv").write_text("x,y", encoding="utf-8")
    ok, errors = load(tmp_path)
    assert not errors
    assert [i.article.title for i in ok] == ["One", "Two"]


def test_an_html_file_without_title_is_named_after_the_file_and_says_so(tmp_path):
    path = tmp_path / "riverton-tram-vote.html"
    text = "The council of Riverton voted 31 to 12 on Tuesday for the east tram line, after hours."
    path.write_text(f"<html><body><article><p>{text}</p></article></body></html>")
    (loaded,) = list(load_paths([path]))
    assert loaded.article.title == "riverton tram vote"
    assert loaded.article.assumed == ("no title: assumed 'riverton tram vote' from the file name",)
