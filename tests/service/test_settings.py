"""One set of NEWSDESK_ variables configures every process, each layer reading its own section."""

import pytest
from pydantic import ValidationError

from ingest.settings import IndexSettings
from service.settings import Settings

pytestmark = pytest.mark.unit


def test_the_index_settings_know_nothing_of_answering_http_or_slack():
    index = set(IndexSettings.model_fields)
    assert {"chroma_url", "embedding_model", "chunk_tokens"} <= index
    assert not index & {"top_k", "answerer", "llm_api_key", "api_keys", "slack_signing_secret"}


def test_one_environment_configures_both_layers(monkeypatch):
    monkeypatch.setenv("NEWSDESK_CHUNK_TOKENS", "120")
    monkeypatch.setenv("NEWSDESK_TOP_K", "3")
    monkeypatch.setenv("NEWSDESK_API_KEYS", "k1, k2")
    settings = Settings(_env_file=None)
    assert (settings.chunk_tokens, settings.top_k) == (120, 3)
    assert [key.get_secret_value() for key in settings.api_keys] == ["k1", "k2"]
    assert IndexSettings(_env_file=None).chunk_tokens == 120


def test_only_what_shapes_the_index_keys_its_cache():
    assert IndexSettings.shaping_fields() == [
        "chunk_overlap_tokens",
        "chunk_tokens",
        "document_encoder",
        "embedding_dtype",
        "embedding_model",
        "story_similarity",
    ]


def test_an_eval_run_records_every_setting_that_changes_an_answer_but_no_secret():
    fields = set(Settings.answer_fields())
    assert {"top_k", "fusion", "answerer", "decline_threshold", "llm_base_url"} <= fields
    assert not fields & {"llm_api_key", "slack_bot_token", "api_keys", "data_dir", "port"}


def test_unsafe_settings_are_refused_with_the_fix_named():
    with pytest.raises(ValidationError, match="NEWSDESK_SLACK_SIGNING_SECRET"):
        Settings(_env_file=None, slack_enabled=True, slack_bot_token="xoxb-1")
    for make in (IndexSettings, Settings):
        with pytest.raises(ValidationError, match="NEWSDESK_CHUNK_OVERLAP_TOKENS"):
            make(_env_file=None, chunk_tokens=64, chunk_overlap_tokens=64)
        with pytest.raises(ValidationError, match="http:// or https://"):
            make(_env_file=None, chroma_url="localhost:8000")
