"""The chat page in headless Chromium against a real `newsdesk serve` process."""

from __future__ import annotations

import pytest

from service.conversations.store import ConversationStore
from service.stores.answer_log import AnswerLog
from tests.support.syndication import COPIES

pytestmark = pytest.mark.e2e

QUESTION = "How many North Korean troops were killed or wounded in the Kursk region?"

# Records the answer text each time the page redraws it before the final answer arrives, so a
# test can see the text grow as the stream comes in rather than appear all at once.
WATCH_STREAM = """
window.__partials = [];
const original = Element.prototype.append;
Element.prototype.append = function (...nodes) {
  const result = original.apply(this, nodes);
  if (this.classList.contains('answer-text') && !this.parentElement.dataset.status) {
    window.__partials.push(this.textContent);
  }
  return result;
};
"""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('newsdesk-api-key', {live_server.api_key!r});")
    context.add_init_script(WATCH_STREAM)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The page's Content-Security-Policy must not block anything the page itself does.
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(live_server.url + "/")
    yield page
    context.close()
    assert not errors, errors


def ask(page, question: str, turn: int):
    page.fill("#question", question)
    page.click("#ask-button")
    answer = page.locator(".turn").nth(turn).locator(".answer")
    answer.and_(page.locator(".answer[data-status]")).wait_for(timeout=60_000)
    return answer


def test_ask_cite_follow_up_and_rate(page, live_server, artifacts):
    answer = ask(page, QUESTION, 0)
    assert answer.get_attribute("data-status") == "answered"
    assert "30" in answer.locator(".answer-text").inner_text()
    partials = page.evaluate("window.__partials")
    final = answer.locator(".answer-text").text_content()
    growing = {p for p in partials if p and p != final and final.startswith(p.strip()[:20])}
    assert growing, partials

    # The quotes' first marker: the direct answer's own marker quotes only the figure.
    first_marker = answer.locator(".answer-text button.cite").first
    first_marker.click()
    sources = page.locator("#sources")
    assert sources.is_visible()
    assert "North Korean" in page.locator("#source-title").inner_text()
    assert page.locator("#source-link").get_attribute("href") == (
        "https://example.com/north-korean-troops-kursk"
    )
    quote = page.locator("#source-passage mark").inner_text()
    assert len(quote) > 20
    assert quote in page.locator("#source-passage").inner_text()
    page.screenshot(path=str(artifacts / "chat-citation.png"), full_page=True)

    follow = ask(page, "and who reported that?", 1)
    assert "Searched as:" in follow.inner_text()
    assert page.locator(".turn").count() == 2

    answer.locator("button.rate-up").click()
    page.get_by_text("Thanks, noted.").wait_for()
    answer_id = answer.get_attribute("data-answer-id")
    stored = AnswerLog(live_server.data_dir / "newsdesk.sqlite3").list_feedback(answer_id)
    assert [(f.rating, f.channel) for f in stored] == [("up", "web")]

    follow_id = follow.get_attribute("data-answer-id")
    with live_server.client() as client:
        logged = client.get(f"/answers/{follow_id}").json()
    assert logged["question"] == "and who reported that?"
    assert "Kursk" in logged["standalone_question"]
    conversations = ConversationStore(live_server.data_dir / "newsdesk.sqlite3")
    (conversation,) = [
        c
        for c in (conversations.get(t) for t in _conversation_ids(live_server))
        if c and [t.answer_id for t in c.turns] == [answer_id, follow_id]
    ]
    assert [t.question for t in conversation.turns] == [QUESTION, "and who reported that?"]
    page.screenshot(path=str(artifacts / "chat-follow-up.png"), full_page=True)


def _conversation_ids(live_server) -> list[str]:
    import sqlite3

    with sqlite3.connect(live_server.data_dir / "newsdesk.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT id FROM conversations")]


def test_hostile_article_is_shown_as_text(page, artifacts):
    answer = ask(page, "How many visitors did the Glimmerton harbour festival draw?", 0)
    assert answer.get_attribute("data-status") == "answered"
    answer.locator("button.cite").first.click()
    page.locator("#sources").wait_for()
    shown = page.locator("#source-title").inner_text() + page.locator("#source-meta").inner_text()
    shown += page.locator("#source-passage").inner_text()
    assert "<img src=x" in shown or "<script>" in shown
    for marker in answer.locator("button.cite").all():
        marker.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#conversation img, #sources img, #conversation script").count() == 0
    page.screenshot(path=str(artifacts / "chat-hostile-article.png"), full_page=True)


def test_declined_answer_says_so(page):
    answer = ask(page, "What is the best recipe for sourdough bread with rye flour?", 0)
    assert answer.get_attribute("data-status") == "declined"
    assert answer.locator(".notice.declined").is_visible()
    assert "could not find" in answer.locator(".notice.declined").inner_text()


def test_date_filter_limits_the_answer(page):
    page.click("#filters summary")
    page.fill("#published-after", "2030-01-01")
    answer = ask(page, QUESTION, 0)
    assert answer.get_attribute("data-status") == "declined"


def test_failure_is_reported_clearly(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.evaluate("sessionStorage.setItem('newsdesk-api-key', 'wrong-key')")
    page.reload()
    answer = ask(page, QUESTION, 0)
    assert answer.get_attribute("data-status") == "error"
    assert "API key" in answer.locator(".notice.error").inner_text()
    assert page.locator("#api-key").is_visible()
    context.close()


def test_phone_width_stays_usable(browser, live_server, artifacts):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    context.add_init_script(f"sessionStorage.setItem('newsdesk-api-key', {live_server.api_key!r});")
    page = context.new_page()
    page.goto(live_server.url + "/")
    answer = ask(page, QUESTION, 0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#question").is_visible()
    box = page.locator("#ask-button").bounding_box()
    assert box["x"] + box["width"] <= 390
    page.screenshot(path=str(artifacts / "chat-phone.png"), full_page=False)
    answer.locator("button.cite").first.click()
    sources = page.locator("#sources").bounding_box()
    assert sources["width"] <= 390
    page.screenshot(path=str(artifacts / "chat-phone-source.png"), full_page=False)
    context.close()


def _comes_before(first, second) -> bool:
    """Whether ``first`` precedes ``second`` in document order."""
    return first.evaluate(
        "(a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        second.element_handle(),
    )


def _above(first, second) -> bool:
    top, below = first.bounding_box(), second.bounding_box()
    return top["y"] + top["height"] <= below["y"] + 1


def test_direct_answer_is_shown_above_the_quotes(page, artifacts):
    verdict = ask(page, "Do the North Korean soldiers sent to Kursk have combat experience?", 0)
    assert verdict.get_attribute("data-status") == "answered"
    direct = verdict.locator('.direct-answer[data-form="verdict"][data-verdict="no"]')
    assert direct.is_visible()
    quotes = verdict.locator(".answer-text")
    assert "lack combat experience" in quotes.inner_text()
    assert _comes_before(direct, quotes)
    assert _above(direct, quotes)
    assert "No" in direct.locator(".verdict-badge").inner_text()
    claim = direct.locator('ul.claims li.claim[data-status="contradicted"]')
    assert claim.count() == 1
    assert claim.locator(".claim-status").text_content() == "Contradicted"
    assert "combat experience" in claim.inner_text()
    assert claim.locator("button.cite").count() >= 1
    # While streaming, the quotes grew on their own: the direct answer was not repeated in them.
    partials = [p for p in page.evaluate("window.__partials") if p.strip()]
    assert partials, "the quotes did not stream"
    assert not any(p.lstrip().startswith("No:") for p in partials), partials

    direct.locator(".direct-text button.cite").first.click()
    assert page.locator("#sources").is_visible()
    assert "lack combat experience" in page.locator("#source-passage mark").inner_text()
    page.screenshot(path=str(artifacts / "chat-direct-verdict.png"), full_page=True)

    span = ask(page, QUESTION, 1)
    assert span.get_attribute("data-status") == "answered"
    direct = span.locator('.direct-answer[data-form="span"]')
    assert direct.is_visible()
    assert direct.get_attribute("data-verdict") is None
    assert "30" in direct.locator(".direct-text").inner_text()
    assert direct.locator("ul.claims").count() == 0
    marker = direct.locator("button.cite").first
    assert marker.is_visible()
    quotes = span.locator(".answer-text")
    assert "30 North Korean troops" in quotes.inner_text()
    assert _comes_before(direct, quotes)
    assert _above(direct, quotes)
    marker.click()
    assert "30" in page.locator("#source-passage mark").inner_text()
    page.screenshot(path=str(artifacts / "chat-direct-span.png"), full_page=True)


UNDATED = {
    "title": "Volunteers repaint the Ostmark lighthouse",
    "body": (
        "Forty volunteers spent the weekend repainting the Ostmark lighthouse in red and white "
        "bands, the harbour trust said. The trust paid for 300 litres of marine paint, and the "
        "lamp room will reopen to visitors once the scaffolding is down."
    ),
    "url": "https://harbournotes.example/ostmark-lighthouse",
    "source": "Harbour Notes",
}


def first_source_meta(page, live_server, articles, question: str) -> str:
    """Adds the articles, asks, opens the first citation: the outlet/date line it shows."""
    with live_server.client() as client:
        client.post("/articles", json=articles).raise_for_status()
    answer = ask(page, question, 0)
    assert answer.get_attribute("data-status") == "answered"
    answer.locator("button.cite").first.click()
    page.locator("#sources").wait_for()
    return page.locator("#source-meta").inner_text()


def test_an_undated_article_is_cited_as_undated(page, live_server, artifacts):
    question = "How many volunteers repainted the Ostmark lighthouse?"
    meta = first_source_meta(page, live_server, UNDATED, question)
    assert "Harbour Notes" in meta and "undated" in meta
    page.screenshot(path=str(artifacts / "chat-undated-source.png"), full_page=True)


def test_a_syndicated_story_names_the_outlets_that_also_carried_it(page, live_server):
    copies = [
        a.model_dump(mode="json", include={"title", "body", "url", "source", "published"})
        for a in COPIES
    ]
    question = "How many residents were moved to the sports hall on Quarry Road?"
    meta = first_source_meta(page, live_server, copies, question)
    shown, _, others = meta.partition("also carried by ")
    outlets = {a.source for a in COPIES}
    assert others and {o.strip() for o in others.split(",")} | {shown.split(" · ")[0]} == outlets
