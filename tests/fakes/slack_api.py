"""A local stand-in for Slack's Web API and response URLs, on 127.0.0.1.

The bot's real slack_sdk client talks to it over HTTP (``WebClient(base_url=fake.api_url)``).
It records every call and keeps threads, so ``conversations.replies`` returns what was posted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID = "UNEWSBOT"
BOT_ID = "BNEWSBOT"
TEAM_ID = "TNEWSDESK"
_CLOCK = itertools.count(1)
"""Message timestamps, unique across fakes as Slack's are: the bot remembers every message it
answered (in the data dir the tests share), so a reused one would read as answered already."""


@dataclass
class Call:
    method: str
    params: dict
    token: str | None = None


@dataclass
class FakeSlack:
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    team_id: str = TEAM_ID
    calls: list[Call] = field(default_factory=list)
    threads: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    stalls: dict[str, threading.Event] = field(default_factory=dict)
    socket_url: str | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ---

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    # --- test helpers ---

    def next_ts(self) -> str:
        return f"{1_800_000_000 + next(_CLOCK)}.000100"

    def add_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None, **extra
    ) -> dict:
        """A message a person wrote, as Slack would keep it; returns it with its ts."""
        ts = self.next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts, **extra}
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            self.threads.setdefault((channel, thread_ts or ts), []).append(message)
        return message

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Polls until ``count`` calls to ``method`` arrived; the bot answers after its ack."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} call(s) to {method}; got calls {seen}")
            time.sleep(0.05)

    def settle(self, quiet: float = 0.5) -> None:
        """Waits until no call has arrived for ``quiet`` seconds (to check nothing more comes)."""
        last = -1
        while True:
            with self._lock:
                now = len(self.calls)
            if now == last:
                return
            last = now
            time.sleep(quiet)

    # --- the protocol ---

    def handle(self, path: str, params: dict, token: str | None) -> tuple[int, dict | str]:
        if path.startswith("/response/"):
            with self._lock:
                self.calls.append(Call("response_url:" + path.rsplit("/", 1)[1], params, token))
            return 200, "ok"
        if not path.startswith("/api/"):
            return 404, {"ok": False, "error": "unknown_path"}
        method = path[len("/api/") :]
        with self._lock:
            self.calls.append(Call(method, params, token))
        stall = self.stalls.get(method)
        if stall is not None:
            # A call that hangs, as Slack's would on a lost connection, until the test lets go.
            stall.wait(timeout=120)
        if method in self.failures:
            return 200, {"ok": False, "error": self.failures[method]}
        if token is None:
            return 200, {"ok": False, "error": "not_authed"}
        reply = getattr(self, "_" + method.replace(".", "_"), None)
        if reply is None:
            return 200, {"ok": False, "error": "unknown_method"}
        return 200, reply(params)

    def _auth_test(self, params: dict) -> dict:
        return {
            "ok": True,
            "url": "https://newsdesk-test.slack.com/",
            "team": "newsdesk test",
            "user": "newsdesk",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    def _chat_postMessage(self, params: dict) -> dict:
        channel = params["channel"]
        ts = self.next_ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text", ""),
            "blocks": params.get("blocks") or [],
            "ts": ts,
        }
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        thread_ts = params.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            self.threads.setdefault((channel, thread_ts or ts), []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _apps_connections_open(self, params: dict) -> dict:
        if not self.socket_url:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket_url}

    def _chat_postEphemeral(self, params: dict) -> dict:
        return {"ok": True, "message_ts": self.next_ts()}

    def _chat_update(self, params: dict) -> dict:
        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}

    def _reactions_add(self, params: dict) -> dict:
        return {"ok": True}

    def _conversations_replies(self, params: dict) -> dict:
        with self._lock:
            messages = list(self.threads.get((params["channel"], params["ts"]), []))
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        if params.get("include_all_metadata") not in ("true", "1", True):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        return {"ok": True, "messages": messages, "has_more": False}


def _handler(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _serve(self) -> None:
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            if raw:
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(raw))
                else:
                    params.update(parse_qsl(raw))
            for key in ("blocks", "metadata"):
                if isinstance(params.get(key), str):
                    params[key] = json.loads(params[key])
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ").strip() or params.pop("token", None)
            status, body = fake.handle(url.path, params, token)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type", "text/plain" if isinstance(body, str) else "application/json"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

    return Handler


class FakeSocketMode:
    """Slack's Socket Mode endpoint: hands envelopes to the connected app, collects its acks."""

    def __init__(self) -> None:
        self.acks: list[dict] = []
        self._socket = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.url = ""

    def start(self) -> FakeSocketMode:
        self._thread.start()
        assert self._ready.wait(10), "fake socket server did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def wait_connected(self, timeout: float = 30.0) -> None:
        assert self._connected.wait(timeout), "the app never opened the socket"

    def send(self, envelope: dict) -> None:
        asyncio.run_coroutine_threadsafe(self._socket.send_json(envelope), self._loop).result(10)

    def wait_ack(self, envelope_id: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in list(self.acks):
                if ack.get("envelope_id") == envelope_id:
                    return ack
            time.sleep(0.05)
        raise AssertionError(f"no ack for envelope {envelope_id}; acks: {self.acks}")

    def _run(self) -> None:
        from aiohttp import WSMsgType, web

        async def link(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            self._socket = ws
            await ws.send_json({"type": "hello", "num_connections": 1})
            self._connected.set()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
            return ws

        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/link", link)
            runner = web.AppRunner(app)
            await runner.setup()
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            await web.SockSite(runner, sock).start()
            self.url = f"ws://127.0.0.1:{sock.getsockname()[1]}/link"
            self._ready.set()

        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(serve())
        self._loop.run_forever()
