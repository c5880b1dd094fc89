"""The app under test: one over the shared read-only news index, or a fresh one per test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app


@pytest.fixture(scope="session")
def client(news_index, embedder):
    with TestClient(create_app(news_index, preload=False)) as client:
        yield client


@pytest.fixture
def fresh(settings_factory, embedder):
    """An app over an empty index of its own, for routes that write."""

    def make(**overrides):
        return TestClient(create_app(settings_factory(**overrides), preload=False))

    return make
