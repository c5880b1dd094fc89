"""Where Slack's requests come in: POST /slack/events in the API's FastAPI app (HTTP mode), or a
websocket to Slack for workspaces without a public URL (Socket Mode, ``newsdesk slack``)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from service.conversations.store import ConversationStore
from service.runtime import ServiceHolder
from service.settings import Settings
from service.slack.bot import SlackBot, SlackConfigError
from service.stores.answer_log import AnswerLog


def mount_slack(
    app: FastAPI,
    holder: ServiceHolder,
    feedback: AnswerLog,
    conversations: ConversationStore,
) -> SlackBot:
    """Adds POST /slack/events (Events API, slash commands and interactivity) to the app,
    sharing its answer service and stores."""
    bot = SlackBot(holder.settings, holder, feedback=feedback, conversations=conversations)
    handler = AsyncSlackRequestHandler(bot.app)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request):
        return await handler.handle(request)

    return bot


async def run_socket_mode(settings: Settings, holder: ServiceHolder) -> None:
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
    holder = ServiceHolder(settings)
    holder.load_in_background()
    asyncio.run(run_socket_mode(settings, holder))
