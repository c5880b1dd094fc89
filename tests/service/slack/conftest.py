"""The Slack tests' index, fake Web API and server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ingest.pipeline import build_ingestor
from service.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.service.slack.workspace import serve, slack_settings


@pytest.fixture(scope="session")
def slack_index(tmp_path_factory, embedder, sample_article, multihop_articles) -> Settings:
    """A small index of our own: the stores beside it are written to by the bot."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("slack-index"),
        collection_prefix="slack" + uuid.uuid4().hex[:8],
    )
    report = build_ingestor(settings, embedder=embedder).ingest_articles(
        [sample_article, *multihop_articles[:3]]
    )
    assert report.ok, report.errors
    return settings


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture
def server(slack_index, fake) -> Iterator[str]:
    with serve(slack_settings(slack_index, fake)) as url:
        yield url
