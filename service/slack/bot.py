"""The Slack bot's listeners: @mentions, direct messages and /newsdesk, answered from the same
AnswerService as the API, plus its feedback and share buttons.

Slack wants an acknowledgement within 3 seconds, so events are acked first (a reaction, or an
ephemeral "searching" note) and the answer is posted afterwards, in the thread of the question.
A follow-up in a thread is one conversation turn (``service.conversations.turns``), read
against the thread itself (``service.slack.threads``).

Each message is answered once across every replica: Slack may deliver it to several, under
several event ids, and retries a delivery it thinks failed. The replica that claims the message
in the shared store (``service.stores.claims``) answers it; a failed answer releases the claim, so
Slack's retry is answered, and a replica that dies lets it lapse.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from service.contract import Answer, AskRequest
from service.conversations.store import ConversationStore, Turn
from service.conversations.turns import Turns
from service.runtime import ServiceHolder
from service.settings import Settings
from service.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SHARE,
    answer_blocks,
    escape,
    fallback_text,
)
from service.slack.threads import answer_metadata, from_bot, question_from, turns_from_thread
from service.stores.answer_log import AnswerLog, UnknownAnswer
from service.stores.claims import Claim, Claims

log = logging.getLogger("newsdesk.slack")

CHANNEL = "slack"
ACK_REACTION = "eyes"
USAGE = (
    "Ask me about the news in the articles I have indexed, e.g. "
    "`@newsdesk What did outlets report about North Korean troops in Kursk?` "
    "or `/newsdesk <question>`."
)


class SlackConfigError(ValueError):
    """Slack is switched on without what it needs to run safely."""


class SlackBot:
    """The Bolt app and its listeners, over an AnswerService holder and the SQLite stores."""

    def __init__(
        self,
        settings: Settings,
        holder: ServiceHolder,
        client: AsyncWebClient | None = None,
        feedback: AnswerLog | None = None,
        conversations: ConversationStore | None = None,
        claims: Claims | None = None,
    ):
        if not settings.slack_signing_secret:
            raise SlackConfigError(
                "Slack needs NEWSDESK_SLACK_SIGNING_SECRET to verify that requests come from Slack."
            )
        if not settings.slack_bot_token:
            raise SlackConfigError("Slack needs NEWSDESK_SLACK_BOT_TOKEN to post answers.")
        self.settings = settings
        self.holder = holder
        self.feedback = feedback or AnswerLog.from_settings(settings)
        self.conversations = conversations or ConversationStore.from_settings(settings)
        self.claims = claims or Claims.from_settings(settings)
        self.turns = Turns(self.conversations, self._record)
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
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command("/newsdesk")(self._on_command)
        app.action(FEEDBACK_UP)(self._on_feedback)
        app.action(FEEDBACK_DOWN)(self._on_feedback)
        app.action(SHARE)(self._on_share)

    # --- listeners ---

    async def _on_mention(self, event: dict, client: AsyncWebClient, context) -> None:
        if from_bot(event, context.bot_user_id):
            return
        await self._answer_in_thread(event, client, context)

    async def _on_message(self, event: dict, client: AsyncWebClient, context) -> None:
        """Direct messages only; channel messages reach the bot as app_mention events."""
        if event.get("channel_type") != "im" or event.get("subtype"):
            return
        if from_bot(event, context.bot_user_id):
            return
        await self._answer_in_thread(event, client, context)

    async def _answer_in_thread(self, event: dict, client: AsyncWebClient, context) -> None:
        """Answers the message once, whichever replica or delivery gets to claim it first."""
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        key = message_key(context.team_id, channel, ts)
        claim = await asyncio.to_thread(self.claims.claim, key)
        if claim is None:
            log.info("message %s is answered, or being answered, already", key)
            return
        question = question_from(event.get("text", ""), context.bot_user_id)
        try:
            async with self._renewed(claim):
                await self._reply(client, event, question, context.bot_user_id)
        except Exception as exc:
            # A refused question would be refused again; anything else is left to a retry.
            refused = isinstance(exc, ValidationError)
            await asyncio.to_thread(self.claims.finish if refused else self.claims.release, claim)
            await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=self._apology(exc, question)
            )
            return
        await asyncio.to_thread(self.claims.finish, claim)

    @asynccontextmanager
    async def _renewed(self, claim: Claim) -> AsyncIterator[None]:
        """Keeps the claim's lease from lapsing while this replica works on the answer."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.claims.lease_seconds / 3)
                if not await asyncio.to_thread(self.claims.renew, claim):
                    log.warning("the claim on %s lapsed while it was being answered", claim.key)
                    return

        renewing = asyncio.create_task(renew())
        try:
            yield
        finally:
            renewing.cancel()

    async def _reply(
        self, client: AsyncWebClient, event: dict, question: str, bot_user_id: str | None
    ) -> None:
        """The answer in the message's thread (usage help for an empty question); raises when
        it cannot be given."""
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        if not question:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=USAGE)
            return
        try:
            await client.reactions_add(channel=channel, timestamp=ts, name=ACK_REACTION)
        except SlackApiError as exc:
            log.warning("could not add the acknowledgement reaction: %s", exc.response.get("error"))
        history = await self._thread_history(client, channel, thread_ts, ts, bot_user_id)
        answer = await asyncio.to_thread(self._answer, question, history, f"{channel}:{thread_ts}")
        await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=fallback_text(answer),
            blocks=answer_blocks(answer),
            metadata=answer_metadata(answer),
            unfurl_links=False,
            unfurl_media=False,
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
            answer = await asyncio.to_thread(self._answer, question, [], None)
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

    def _answer(self, question: str, history: Sequence[Turn], thread_key: str | None) -> Answer:
        """One turn, as POST /chat takes it; a thread (``thread_key``) is its conversation."""
        service = self.holder.get()
        pending = self.turns.begin(AskRequest(question=question), history, self.holder.rewriter)
        answer = service.ask(pending.request)
        conversation = (
            self.conversations.get_or_create(thread_key, CHANNEL).id if thread_key else None
        )
        return self.turns.finish(pending, answer, conversation)[0]

    def _record(self, answer: Answer) -> None:
        self.feedback.record_answer(answer, channel=CHANNEL)

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


def message_key(team_id: str | None, channel: str, ts: str) -> str:
    """A message's identity: the same under every event id and delivery that carries it."""
    return f"{team_id or '-'}:{channel}:{ts}"


def _user(body: dict) -> str:
    return (body.get("user") or {}).get("id", "?")


def web_client(settings: Settings) -> AsyncWebClient:
    """The bot's Web API client; NEWSDESK_SLACK_API_URL points it at a proxy or a test server."""
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token.get_secret_value()}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(**kwargs)
