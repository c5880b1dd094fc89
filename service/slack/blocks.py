"""Renders an Answer as Slack Block Kit blocks, within Slack's limits.

Slack refuses a message with more than 50 blocks or a section text over 3,000 characters. The
direct answer comes first, in bold (a verdict with its claims beneath), then the quotes. The
answer text is split only between sentences (a sentence keeps its ``[n]`` markers), and a source
is either shown whole — its link, outlet, date and full quote, over several sections if need be —
or left out with a note saying how many sources were not shown.
"""

from __future__ import annotations

from datetime import datetime

from service.contract import Answer, AnswerSentence, Citation, DirectAnswer

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FALLBACK_CHARS = 3000
MAX_CONTEXT_CHARS = 3000

FEEDBACK_UP = "newsdesk_feedback_up"
FEEDBACK_DOWN = "newsdesk_feedback_down"
SHARE = "newsdesk_share"


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str | None, label: str) -> str:
    label = escape(label).replace("|", "¦") or "untitled"
    if url and url.startswith(("http://", "https://")):
        return f"<{escape(url)}|{label}>"
    return f"*{label}*"


def _date(value: datetime | None) -> str:
    """An article without a date is shown as undated, never as if its date were unknown here."""
    return value.strftime("%Y-%m-%d") if value else "undated"


def _split_words(text: str, limit: int) -> list[str]:
    """Splits text longer than limit at whitespace, so a word or a [n] marker stays whole."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit  # a single unbroken "word" longer than a section
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _pack(units: list[str], limit: int, sep: str) -> list[str]:
    """Greedily joins units into texts of at most limit characters; a unit is never split
    unless it alone exceeds the limit."""
    texts: list[str] = []
    current = ""
    for unit in units:
        for piece in _split_words(unit, limit) if len(unit) > limit else [unit]:
            candidate = f"{current}{sep}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return texts


def _sentence_text(sentence: AnswerSentence) -> str:
    return escape(sentence.text) + "".join(f" [{n}]" for n in sentence.citations)


def _section(text: str, block_id: str | None = None) -> dict:
    block: dict = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


VERDICT_BADGES = {
    "yes": ":white_check_mark: *Yes*",
    "no": ":x: *No*",
    "unsettled": ":grey_question:",
}
CLAIM_LABELS = {
    "supported": ":white_check_mark: Supported",
    "contradicted": ":x: Contradicted",
    "unsettled": ":grey_question: Not settled",
}


def direct_blocks(direct: DirectAnswer) -> list[dict]:
    """The direct answer in bold, first; for a verdict, each claim with what settles it."""
    markers = "".join(f" [{n}]" for n in direct.citations)
    text = f"*{escape(direct.text)}*{markers}"
    if direct.verdict is not None:
        text = f"{VERDICT_BADGES[direct.verdict]}  {text}"
    blocks = [_section(_split_words(text, MAX_SECTION_CHARS)[0], "direct-answer")]
    lines = [
        f"{CLAIM_LABELS[c.status]}: {escape(c.claim)} ({escape(c.reason)})"
        + "".join(f" [{n}]" for n in c.citations)
        for c in direct.claims
    ]
    for i, text in enumerate(_pack(lines, MAX_CONTEXT_CHARS, "\n")):
        blocks.append({**_context(text), "block_id": f"claims-{i}"})
    return blocks


def answer_text_blocks(answer: Answer) -> list[dict]:
    """The direct answer (when there is one), then the quotes."""
    if answer.status == "declined" or not answer.sentences:
        units = [f":grey_question: {escape(answer.text)}"]
        head: list[dict] = []
    elif answer.direct is not None:
        head = direct_blocks(answer.direct)
        units = [_sentence_text(s) for s in answer.sentences[1:]]
    else:
        head = []
        units = [_sentence_text(s) for s in answer.sentences]
    texts = _pack(units, MAX_SECTION_CHARS, " ")
    return head + [_section(t, f"answer-{i}") for i, t in enumerate(texts)]


def citation_blocks(citation: Citation) -> list[dict]:
    """One source: a heading line (marker, linked title, outlet, date, the other outlets that
    carried the story) and the quote."""
    carried = ", ".join(escape(o) for o in citation.also_carried_by)
    parts = (
        escape(citation.source or ""),
        _date(citation.published),
        carried and f"also carried by {carried}",
    )
    meta = " · ".join(x for x in parts if x)
    heading = f"*[{citation.n}]* {_link(citation.url, citation.title)}"
    if meta:
        heading += f"  —  {meta}"
    quote_lines = [
        f">{piece}"
        for line in citation.quote.splitlines() or [""]
        for piece in _split_words(escape(line), MAX_SECTION_CHARS - 1) or [""]
    ]
    texts = _pack([heading, *quote_lines], MAX_SECTION_CHARS, "\n")
    return [
        _section(t, f"citation-{citation.n}" + (f"-{i}" if i else "")) for i, t in enumerate(texts)
    ]


def action_blocks(answer: Answer, shareable: bool) -> list[dict]:
    elements = [
        {
            "type": "button",
            "action_id": FEEDBACK_UP,
            "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
            "value": answer.id,
        },
        {
            "type": "button",
            "action_id": FEEDBACK_DOWN,
            "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True},
            "value": answer.id,
        },
    ]
    if shareable:
        elements.append(
            {
                "type": "button",
                "action_id": SHARE,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": answer.id,
            }
        )
    return [{"type": "actions", "block_id": "newsdesk-actions", "elements": elements}]


def answer_blocks(answer: Answer, shareable: bool = False, note: str | None = None) -> list[dict]:
    """The full message: answer text, sources, notes, then the feedback (and share) buttons."""
    head = answer_text_blocks(answer)
    tail: list[dict] = []
    notes = []
    if answer.standalone_question and answer.standalone_question != answer.question:
        notes.append(f"Understood as: _{escape(answer.standalone_question)}_")
    if answer.degraded:
        notes.append(f":warning: {escape(answer.degraded_reason or 'degraded answer')}")
    if note:
        notes.append(note)
    if notes:
        tail.append(_context("\n".join(notes)))
    tail += action_blocks(answer, shareable)

    sources: list[list[dict]] = [citation_blocks(c) for c in answer.citations]
    # Reserve room for the header, the "not shown" note and the tail.
    budget = MAX_BLOCKS - len(head) - len(tail) - 2
    if budget < 0:
        head = head[: MAX_BLOCKS - len(tail) - 2]
        budget = 0
    shown: list[dict] = []
    left_out = 0
    for blocks in sources:
        if not left_out and len(blocks) <= budget - len(shown):
            shown.extend(blocks)
        else:
            left_out += 1
    middle: list[dict] = []
    if sources:
        middle.append({"type": "divider"})
        middle.extend(shown)
    if left_out:
        middle.append(
            _context(
                f"{left_out} more source(s) did not fit in this message; "
                f"answer id `{answer.id}` lists them all."
            )
        )
    return head + middle + tail


def fallback_text(answer: Answer) -> str:
    """The plain text Slack shows in notifications and to clients without blocks."""
    text = answer.text
    if len(text) > MAX_FALLBACK_CHARS:
        text = _split_words(text, MAX_FALLBACK_CHARS - 1)[0] + "…"
    return text
