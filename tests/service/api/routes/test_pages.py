"""The chat page and its static files."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_chat_page_is_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "newsdesk" in page.text
    assert client.get("/static/style.css").status_code == 200


def test_the_page_has_a_content_security_policy_of_its_own_origin(client):
    policy = client.get("/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'" and "unsafe-inline" not in policy
