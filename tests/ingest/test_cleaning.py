"""Boilerplate lines stripped from article text; the article's own lines kept verbatim."""

from __future__ import annotations

import pytest

from ingest.cleaning import strip_boilerplate

pytestmark = pytest.mark.unit

STORY = (
    "The council voted 31 to 12 for the tram.",
    "Residents said the cookies sold at the town-hall bake sale paid for the campaign posters, "
    "and the organisers would accept donations until the line opens; by using the proceeds "
    "wisely they hope to fund a second line, the policy of the group being to manage costs.",
    "Register as a new user by supplying your name, email and mailing address.",
    "Sign up for a new BetRivers account using the code SPORTSRIV to get a $500 bet.",
)
FURNITURE = (
    "This website uses cookies. By continuing you accept our cookie policy.",
    "Accept all cookies",
    "Read more: the bus network will be redrawn",
    "Continue reading",
    "Sign up for our free newsletter",
    "This is Hot Pod, The Verge's newsletter about podcasting. Sign up here for more.",
    "Subscribe now for unlimited access today",
    "Already a subscriber? Log in",
    "Advertisement",
    "Share this article",
)


def test_boilerplate_lines_go_and_story_lines_stay_verbatim():
    text = "\n".join([FURNITURE[0], STORY[0], *FURNITURE[1:], "", *STORY[1:]])
    assert strip_boilerplate(text) == STORY[0] + "\n\n" + "\n".join(STORY[1:])


def test_text_without_boilerplate_is_unchanged():
    text = "\n\n".join(STORY)
    assert strip_boilerplate(text) == text
