"""A real newsdesk server (``newsdesk serve`` in a subprocess) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import SAMPLE

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

HOSTILE = {
    "title": 'Glimmerton harbour festival <img src=x onerror="window.__pwned=1">',
    "body": (
        "The Glimmerton harbour festival drew 12,000 visitors on Saturday, organisers said. "
        "<script>window.__pwned=1</script> "
        'The mayor called the fireworks <img src=x onerror="window.__pwned=1"> the best in a '
        "decade. Stallholders reported record sales of smoked fish along the quay."
    ),
    "url": "https://example.org/glimmerton-festival",
    "source": "Glimmerton <b>Gazette</b>",
    "published": "2024-06-02T10:00:00+00:00",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    api_key: str

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=60,
        )


def start_server(
    data_dir: Path, env: dict[str, str], log_path: Path
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")},
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_COLLECTION_PREFIX": "e2e" + uuid.uuid4().hex[:8],
        "NEWSDESK_LOG_LEVEL": "WARNING",
        **env,
    }
    newsdesk = Path(sys.executable).parent / "newsdesk"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(newsdesk), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=full_env,
        cwd=data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            health = httpx.get(f"{url}/health", timeout=2).json()
            if health["status"] == "ok":
                return proc, url
        except (httpx.HTTPError, ValueError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"newsdesk serve did not become healthy; see {log_path}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    """A server with API keys on, holding the sample article and a hostile article."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    key = "e2e-" + uuid.uuid4().hex
    proc, url = start_server(
        data_dir, {"NEWSDESK_API_KEYS": f"{key},other-key"}, data_dir / "server.log"
    )
    server = LiveServer(url=url, data_dir=data_dir, api_key=key)
    sample = SAMPLE.read_text(encoding="utf-8")
    title, _, body = sample.partition("\n")
    with server.client() as client:
        response = client.post(
            "/articles",
            json=[
                {
                    "title": title.strip(),
                    "body": body.strip(),
                    "url": "https://example.com/north-korean-troops-kursk",
                    "source": "Sample Outlet",
                    "published": "2024-12-17T12:00:00+00:00",
                },
                HOSTILE,
            ],
        )
        response.raise_for_status()
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
