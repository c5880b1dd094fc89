"""The chat page and its static files."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_chat_page_is_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "newsdesk" in page.text
    assert client.get("/static/style.css").status_code == 200
