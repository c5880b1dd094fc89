"""The Slack bot: @mentions, direct messages and /newsdesk, answered from the same AnswerService.

HTTP mode mounts Bolt at POST /slack/events in the API's FastAPI app; Socket Mode runs the same
Bolt app over a websocket for workspaces without a public URL. Slack wants an acknowledgement
within 3 seconds, so events are acked first (a reaction, or an ephemeral "searching" note) and the
answer is posted afterwards, in the thread of the question.

A thread is the conversation: bot answers carry Slack message metadata (the question, the
standalone question it was read as, the answer id), so a follow-up is rewritten from the thread
itself, whichever replica answers it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from pydantic import ValidationError
from slack_bolt import BoltResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from service.contract import MAX_QUESTION_CHARS, Answer, AskRequest
from service.conversations.followups import Rewriter, rewrite_followup
from service.conversations.store import ConversationStore, Turn
from service.settings import Settings
from service.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SHARE,
    answer_blocks,
    escape,
    fallback_text,
)
from service.stores.answer_log import FeedbackStore, UnknownAnswer

log = logging.getLogger("newsdesk.slack")

CHANNEL = "slack"
METADATA_EVENT = "newsdesk_answer"
ACK_REACTION = "eyes"
SEEN_LIMIT = 10_000
USAGE = (
    "Ask me about the news in the articles I have indexed, e.g. "
    "`@newsdesk What did outlets report about North Korean troops in Kursk?` "
    "or `/newsdesk <question>`."
)

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\|[^>]*)?>")


class SlackConfigError(ValueError):
    """Slack is switched on without what it needs to run safely."""


def question_from(text: str, bot_user_id: str | None) -> str:
    """The question as the user typed it: the bot's mention removed, Slack markup undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL_REF.sub(lambda m: f"#{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def turns_from_thread(
    messages: Sequence[dict], before_ts: str, bot_user_id: str | None
) -> list[Turn]:
    """The conversation so far, read from a Slack thread (conversations.replies, oldest first).

    Each earlier bot answer is a turn (from its metadata). A thread the bot has not answered in
    yet still has a topic: its opening message, when a person wrote it.
    """
    turns: list[Turn] = []
    opening: dict | None = None
    for message in messages:
        if float(message.get("ts", "0")) >= float(before_ts):
            break
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("question"):
            turns.append(
                Turn(
                    index=len(turns),
                    question=payload["question"],
                    standalone_question=payload.get("standalone_question") or payload["question"],
                    answer_id=payload.get("answer_id"),
                    answer_text=message.get("text", ""),
                    status=payload.get("status", "answered"),
                    created_at=_ts_datetime(message["ts"]),
                )
            )
        elif opening is None and not _from_bot(message, bot_user_id):
            opening = message
    if turns or opening is None:
        return turns
    topic = question_from(opening.get("text", ""), bot_user_id)
    if not topic:
        return []
    return [
        Turn(
            index=0,
            question=topic,
            standalone_question=topic,
            created_at=_ts_datetime(opening["ts"]),
        )
    ]


def _ts_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def _from_bot(event: dict, bot_user_id: str | None) -> bool:
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
    )


def answer_metadata(answer: Answer) -> dict:
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {
            "answer_id": answer.id,
            "question": answer.question,
            "standalone_question": answer.standalone_question or answer.question,
            "status": answer.status,
        },
    }


class SlackBot:
    """The Bolt app and its listeners, over an AnswerService holder and the SQLite stores."""

    def __init__(
        self,
        settings: Settings,
        holder: Any,
        client: AsyncWebClient | None = None,
        feedback: FeedbackStore | None = None,
        conversations: ConversationStore | None = None,
        rewriter: Callable[[], Rewriter | None] = lambda: None,
    ):
        """``rewriter`` is asked at each follow-up, so an LLM rewriter plugged in later is used."""
        if not settings.slack_signing_secret:
            raise SlackConfigError(
                "Slack needs NEWSDESK_SLACK_SIGNING_SECRET to verify that requests come from Slack."
            )
        if not settings.slack_bot_token:
            raise SlackConfigError("Slack needs NEWSDESK_SLACK_BOT_TOKEN to post answers.")
        self.settings = settings
        self.holder = holder
        self.feedback = feedback or FeedbackStore.from_settings(settings)
        self.conversations = conversations or ConversationStore.from_settings(settings)
        self.rewriter = rewriter
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.app = AsyncApp(
            name="newsdesk",
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            client=client or web_client(settings),
            process_before_response=False,
            logger=logging.getLogger("newsdesk.slack.bolt"),
        )
        self._register()

    # --- wiring ---

    def _register(self) -> None:
        app = self.app
        app.middleware(self._skip_retries)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command("/newsdesk")(self._on_command)
        app.action(FEEDBACK_UP)(self._on_feedback)
        app.action(FEEDBACK_DOWN)(self._on_feedback)
        app.action(SHARE)(self._on_share)

    async def _skip_retries(self, req: AsyncBoltRequest, resp: BoltResponse, next) -> BoltResponse:
        """Slack retries an event it thinks was missed; the first delivery is already answered."""
        retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
        # Socket Mode passes every envelope's retry_attempt here, 0 for a first delivery.
        if retry.strip() not in ("", "0"):
            reason = (req.headers.get("x-slack-retry-reason") or ["?"])[0]
            log.info("ignoring Slack retry %s (%s)", retry, reason)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        return await next()

    def _first_time(self, key: str) -> bool:
        """One answer per message, even if Slack delivers it as two events."""
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return True

    # --- listeners ---

    async def _on_mention(self, event: dict, client: AsyncWebClient, context) -> None:
        if _from_bot(event, context.bot_user_id):
            return
        await self._answer_in_thread(event, client, context.bot_user_id)

    async def _on_message(self, event: dict, client: AsyncWebClient, context) -> None:
        """Direct messages only; channel messages reach the bot as app_mention events."""
        if event.get("channel_type") != "im" or event.get("subtype"):
            return
        if _from_bot(event, context.bot_user_id):
            return
        await self._answer_in_thread(event, client, context.bot_user_id)

    async def _answer_in_thread(
        self, event: dict, client: AsyncWebClient, bot_user_id: str | None
    ) -> None:
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        if not self._first_time(f"{channel}:{ts}"):
            return
        question = question_from(event.get("text", ""), bot_user_id)
        if not question:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=USAGE)
            return
        try:
            await client.reactions_add(channel=channel, timestamp=ts, name=ACK_REACTION)
        except SlackApiError as exc:
            log.warning("could not add the acknowledgement reaction: %s", exc.response.get("error"))
        try:
            history = await self._thread_history(client, channel, thread_ts, ts, bot_user_id)
            answer = await asyncio.to_thread(self._ask, question, history)
            # On record before it is shown, so its feedback buttons work from the first click.
            await asyncio.to_thread(self._remember, answer, f"{channel}:{thread_ts}")
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=fallback_text(answer),
                blocks=answer_blocks(answer),
                metadata=answer_metadata(answer),
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as exc:
            await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=self._apology(exc, question)
            )

    async def _on_command(self, ack, command: dict, respond) -> None:
        question = question_from(command.get("text", ""), None)
        if not question:
            await ack(response_type="ephemeral", text=USAGE)
            return
        await ack(
            response_type="ephemeral", text=f":mag: Searching the articles for: {escape(question)}"
        )
        try:
            answer = await asyncio.to_thread(self._ask, question, [])
            await asyncio.to_thread(self._remember, answer, None)
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text=fallback_text(answer),
                blocks=answer_blocks(answer, shareable=True),
            )
        except Exception as exc:
            await respond(
                response_type="ephemeral", replace_original=False, text=self._apology(exc, question)
            )

    async def _on_feedback(self, ack, body: dict, action: dict, respond) -> None:
        await ack()
        rating = "up" if action["action_id"] == FEEDBACK_UP else "down"
        answer_id = action.get("value", "")
        try:
            await asyncio.to_thread(self.feedback.record_feedback, answer_id, rating, None, CHANNEL)
        except UnknownAnswer:
            log.warning("feedback for unknown answer %s from %s", answer_id, _user(body))
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text="I no longer have that answer on record, so the feedback was not saved.",
            )
            return
        log.info("slack feedback %s on %s from %s", rating, answer_id, _user(body))
        thanks = (
            "👍 Thanks, noted." if rating == "up" else "👎 Thanks, noted — this helps us improve."
        )
        await respond(response_type="ephemeral", replace_original=False, text=thanks)

    async def _on_share(
        self, ack, body: dict, action: dict, client: AsyncWebClient, respond
    ) -> None:
        await ack()
        answer = await asyncio.to_thread(self.feedback.get_answer, action.get("value", ""))
        if answer is None:
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text="I no longer have that answer on record; please ask again.",
            )
            return
        user = _user(body)
        blocks = answer_blocks(answer, note=f"Asked by <@{user}> with /newsdesk")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        try:
            await client.chat_postMessage(
                channel=channel,
                text=fallback_text(answer),
                blocks=blocks,
                metadata=answer_metadata(answer),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            # The bot is not in that channel: the response URL can still post there.
            log.info(
                "chat.postMessage failed (%s); sharing via response_url", exc.response.get("error")
            )
            await respond(
                response_type="in_channel",
                replace_original=False,
                text=fallback_text(answer),
                blocks=blocks,
            )
        await respond(delete_original=True)

    # --- answering ---

    async def _thread_history(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str,
        ts: str,
        bot_user_id: str | None,
    ) -> list[Turn]:
        if thread_ts == ts:
            return []
        try:
            replies = await client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        except SlackApiError as exc:
            log.warning(
                "cannot read thread %s:%s (%s); using the stored conversation",
                channel,
                thread_ts,
                exc.response.get("error"),
            )
            return await asyncio.to_thread(self._stored_history, f"{channel}:{thread_ts}")
        return turns_from_thread(replies.get("messages", []), ts, bot_user_id)

    def _stored_history(self, key: str) -> list[Turn]:
        conversation = self.conversations.get_or_create(key, CHANNEL)
        return self.conversations.history(conversation.id)

    def _ask(self, question: str, history: Sequence[Turn]) -> Answer:
        """The same path as POST /ask; a follow-up is first rewritten to stand alone."""
        standalone = rewrite_followup(question, history, self.rewriter())
        if len(standalone) > MAX_QUESTION_CHARS:
            standalone = question
        answer = self.holder.get().ask(AskRequest(question=standalone))
        if standalone != question:
            answer = answer.model_copy(
                update={"question": question, "standalone_question": standalone}
            )
        return answer

    def _remember(self, answer: Answer, thread_key: str | None) -> None:
        self.feedback.record_answer(answer, channel=CHANNEL)
        if thread_key:
            conversation = self.conversations.get_or_create(thread_key, CHANNEL)
            self.conversations.add_turn(conversation.id, answer.question, answer)

    def _apology(self, exc: Exception, question: str) -> str:
        if isinstance(exc, ValidationError):
            problems = "; ".join(e["msg"] for e in exc.errors())
            return f"I could not take that question: {problems}."
        ref = uuid.uuid4().hex[:8]
        log.exception("slack answer failed (ref %s) for question %r", ref, question[:200])
        return (
            f"Sorry, something went wrong while answering and I could not finish. "
            f"The error has been logged (ref `{ref}`); please try again in a moment."
        )


def _user(body: dict) -> str:
    return (body.get("user") or {}).get("id", "?")


def web_client(settings: Settings) -> AsyncWebClient:
    """The bot's Web API client; NEWSDESK_SLACK_API_URL points it at a proxy or a test server."""
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token.get_secret_value()}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(**kwargs)


def mount_slack(app: FastAPI, holder: Any) -> SlackBot:
    """Adds POST /slack/events (Events API, slash commands and interactivity) to the app."""
    state = app.state
    bot = SlackBot(
        holder.settings,
        holder,
        feedback=getattr(state, "answers", None),
        conversations=getattr(state, "conversations", None),
        rewriter=lambda: getattr(state, "followup_rewriter", None),
    )
    handler = AsyncSlackRequestHandler(bot.app)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request):
        return await handler.handle(request)

    app.state.slack = bot
    return bot


async def run_socket_mode(settings: Settings, holder: Any) -> None:
    """Connects to Slack over a websocket (no public URL needed) and serves until cancelled."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    if not settings.slack_app_token:
        raise SlackConfigError(
            "Socket Mode needs an app-level token (xapp-…) in NEWSDESK_SLACK_APP_TOKEN."
        )
    bot = SlackBot(settings, holder)
    handler = AsyncSocketModeHandler(bot.app, settings.slack_app_token.get_secret_value())
    try:
        await handler.start_async()
    finally:
        await handler.close_async()


def serve_socket_mode(settings: Settings) -> None:
    """The `newsdesk slack` command: Socket Mode in the foreground, loading the index meanwhile."""
    import threading

    from service.api.app import ServiceHolder

    holder = ServiceHolder(settings)
    threading.Thread(target=holder.load, name="newsdesk-load", daemon=True).start()
    asyncio.run(run_socket_mode(settings, holder))
