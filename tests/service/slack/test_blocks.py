"""Slack rendering without a server: limits, whole citations; and the app manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.contract import Answer, AnswerSentence, Citation, ClaimCheck, DirectAnswer
from service.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    SHARE,
    answer_blocks,
    escape,
    fallback_text,
)

pytestmark = pytest.mark.unit

BOT = "UNEWSBOT"


def citation(n: int, quote: str, url: str | None = "https://news.example/a?x=1&y=2") -> Citation:
    return Citation(
        n=n,
        passage_id=f"a{n}:0",
        article_id=f"a{n}",
        title=f"Report <{n}> | world",
        url=url,
        source="Example Times",
        published=datetime(2024, 11, 5, 9, 30, tzinfo=UTC),
        quote=quote,
        start=0,
        end=len(quote),
    )


def answer(sentences: list[AnswerSentence], citations: list[Citation], **extra) -> Answer:
    text = " ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in sentences)
    return Answer(
        id="ans1",
        question="What happened?",
        status="answered",
        text=text,
        sentences=sentences,
        citations=citations,
        created_at=datetime(2024, 11, 6, tzinfo=UTC),
        **extra,
    )


def sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def citation_text(blocks: list[dict], n: int) -> str:
    return "\n".join(
        b["text"]["text"]
        for b in blocks
        if b.get("block_id") == f"citation-{n}"
        or b.get("block_id", "").startswith(f"citation-{n}-")
    )


def test_a_short_answer_has_text_sources_and_feedback_buttons():
    rendered = answer_blocks(
        answer(
            [AnswerSentence(text="Troops crossed <the> border & stayed.", citations=[1])],
            [citation(1, "They crossed the border.")],
        )
    )
    texts = sections(rendered)
    assert texts[0] == "Troops crossed &lt;the&gt; border &amp; stayed. [1]"
    heading = citation_text(rendered, 1).splitlines()[0]
    assert heading == (
        "*[1]* <https://news.example/a?x=1&amp;y=2|Report &lt;1&gt; ¦ world>"
        "  —  Example Times · 2024-11-05"
    )
    assert citation_text(rendered, 1).splitlines()[1] == ">They crossed the border."
    actions = next(b for b in rendered if b["type"] == "actions")["elements"]
    assert [e["action_id"] for e in actions] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert {e["value"] for e in actions} == {"ans1"}


def test_shareable_answers_get_a_share_button():
    rendered = answer_blocks(answer([], []), shareable=True)
    actions = next(b for b in rendered if b["type"] == "actions")["elements"]
    assert [e["action_id"] for e in actions] == [FEEDBACK_UP, FEEDBACK_DOWN, SHARE]


def test_a_citation_without_url_shows_its_title_in_bold():
    rendered = answer_blocks(
        answer([AnswerSentence(text="A.", citations=[1])], [citation(1, "q", url=None)])
    )
    assert citation_text(rendered, 1).startswith("*[1]* *Report &lt;1&gt; ¦ world*")


def test_a_declined_answer_says_so_plainly():
    declined = Answer(
        id="d1",
        question="Sourdough?",
        status="declined",
        text="I could not find this in the indexed articles.",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    rendered = answer_blocks(declined)
    assert "could not find this" in sections(rendered)[0]
    assert not [b for b in rendered if b.get("block_id", "").startswith("citation-")]
    assert [b for b in rendered if b["type"] == "actions"]


def test_long_answers_stay_within_slack_limits_and_never_cut_a_citation():
    long_sentence = "The council debated the proposal at length " * 40  # ~1,700 chars
    sentences = [
        AnswerSentence(text=long_sentence.strip(), citations=[i, i + 1]) for i in range(1, 9)
    ]
    citations = [citation(n, f"Quote number {n}. " * 60) for n in range(1, 70)]
    citations[2] = citation(3, "A very long quoted paragraph & more. " * 200)  # ~7,400 chars
    rendered = answer_blocks(answer(sentences, citations))

    assert len(rendered) <= MAX_BLOCKS
    assert all(len(t) <= MAX_SECTION_CHARS for t in sections(rendered))
    json.dumps(rendered)  # serialisable as sent

    # Sentences are never split: each section of the answer holds whole sentences with markers.
    answer_sections = [
        b["text"]["text"] for b in rendered if b.get("block_id", "").startswith("answer-")
    ]
    assert len(answer_sections) > 1
    joined = " ".join(answer_sections)
    for s in sentences:
        whole = escape(s.text) + "".join(f" [{n}]" for n in s.citations)
        assert sum(whole in part for part in answer_sections) == 1
    assert joined.count("[") == sum(len(s.citations) for s in sentences)

    # Every source shown is whole (its full quote, over several sections if needed).
    shown = sorted(
        {
            int(b["block_id"].split("-")[1])
            for b in rendered
            if b.get("block_id", "").startswith("citation-")
        }
    )
    assert shown == list(range(1, len(shown) + 1))
    for n in shown:
        quote = "\n".join(
            line[1:] for line in citation_text(rendered, n).splitlines() if line.startswith(">")
        )
        assert quote.replace("\n", " ").split() == escape(citations[n - 1].quote).split()
    assert len(citation_text(rendered, 3)) > MAX_SECTION_CHARS  # split, yet complete

    left_out = len(citations) - len(shown)
    assert left_out > 0
    notes = json.dumps([b for b in rendered if b["type"] == "context"])
    assert f"{left_out} more source(s)" in notes
    assert rendered[-1]["type"] == "actions"


def test_fallback_text_is_bounded():
    sentences = [AnswerSentence(text="word " * 900, citations=[1])]
    text = fallback_text(answer(sentences, [citation(1, "q")]))
    assert len(text) <= 3000 and text.endswith("…")


def test_followup_and_degraded_notes_are_shown():
    rendered = answer_blocks(
        answer(
            [AnswerSentence(text="A.", citations=[1])],
            [citation(1, "q")],
            standalone_question="Who reported the troops in Kursk?",
            degraded=True,
            degraded_reason="the LLM timed out; extractive answer",
        )
    )
    notes = json.dumps([b for b in rendered if b["type"] == "context"])
    assert "Understood as: _Who reported the troops in Kursk?_" in notes
    assert "LLM timed out" in notes


def test_the_manifest_subscribes_to_what_the_bot_handles():
    import yaml

    from service.slack import bot as slack_bot

    manifest = yaml.safe_load(
        (Path(slack_bot.__file__).parent / "manifest.yaml").read_text(encoding="utf-8")
    )
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/newsdesk"
    urls = [command["url"], settings["interactivity"]["request_url"]]
    urls.append(settings["event_subscriptions"]["request_url"])
    assert all(url.endswith("/slack/events") for url in urls)
    needed = {
        "app_mentions:read",  # app_mention events
        "im:history",  # message.im events and DM threads
        "channels:history",  # conversations.replies for follow-ups
        "groups:history",
        "chat:write",  # chat.postMessage
        "reactions:write",  # reactions.add
        "commands",  # /newsdesk
    }
    assert needed <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_a_verdict_comes_first_with_each_claim_and_what_settles_it():
    direct = DirectAnswer(
        form="verdict",
        text="No: the articles give 140, not 200.",
        citations=[1],
        verdict="no",
        claims=[
            ClaimCheck(
                claim="Skyhaven cancelled 200 flights <in June>",
                status="contradicted",
                reason="the articles give 140, not 200",
                citations=[1],
            ),
            ClaimCheck(
                claim="the union & the airline met",
                status="unsettled",
                reason="no sentence of the articles says so",
                citations=[2],
            ),
        ],
    )
    sentences = [
        AnswerSentence(text=direct.text, citations=[1]),
        AnswerSentence(text="Skyhaven cancelled 140 flights.", citations=[1]),
        AnswerSentence(text="Talks resume on Friday.", citations=[2]),
    ]
    rendered = answer_blocks(
        answer(
            sentences, [citation(1, "Skyhaven cancelled 140 flights."), citation(2, "Talks.")]
        ).model_copy(update={"direct": direct})
    )
    assert rendered[0]["block_id"] == "direct-answer"
    assert rendered[0]["text"]["text"] == ":x: *No*  *No: the articles give 140, not 200.* [1]"
    claims = rendered[1]["elements"][0]["text"]
    assert claims.splitlines() == [
        ":x: Contradicted: Skyhaven cancelled 200 flights &lt;in June&gt; "
        "(the articles give 140, not 200) [1]",
        ":grey_question: Not settled: the union &amp; the airline met "
        "(no sentence of the articles says so) [2]",
    ]
    quotes = [b["text"]["text"] for b in rendered if b.get("block_id", "").startswith("answer-")]
    assert quotes == ["Skyhaven cancelled 140 flights. [1] Talks resume on Friday. [2]"]
    assert "No: the articles" not in " ".join(quotes), "the direct answer is not repeated"


def test_an_undated_citation_is_shown_as_undated():
    undated = citation(1, "q").model_copy(update={"published": None})
    rendered = answer_blocks(answer([AnswerSentence(text="A.", citations=[1])], [undated]))
    assert citation_text(rendered, 1).splitlines()[0].endswith("  —  Example Times · undated")


def test_a_syndicated_citation_names_the_outlets_that_also_carried_it():
    carried = citation(1, "q").model_copy(update={"also_carried_by": ["Wire & Co", "Gazette"]})
    rendered = answer_blocks(answer([AnswerSentence(text="A.", citations=[1])], [carried]))
    heading = citation_text(rendered, 1).splitlines()[0]
    assert heading.endswith("· also carried by Wire &amp; Co, Gazette")
