"""End-to-end: the real ``liveguard demo`` command, looked at through a real browser.

One demo server serves the whole session (started exactly as the README says, on a free
port and a throwaway data directory); each test gets a fresh browser context, so cookies
never leak from one test to the next.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import service_missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60
STOP_SECONDS = 10
# Playwright waits up to 30 s by default; a page on localhost answers in well under 1 s.
PAGE_TIMEOUT_MS = 10_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _liveguard_command() -> list[str]:
    script = Path(sys.executable).parent / "liveguard"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "liveguard.cli.main"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``liveguard demo`` on a fresh data directory; yields its base URL."""
    root = tmp_path_factory.mktemp("demo")
    data_dir = root / "data"
    log_path = root / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # A fresh clone knows nothing of the developer's (or CI's) LIVEGUARD_* settings or
    # ~/.local/share/liveguard/liveguard.toml: keep both out.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEGUARD_")}
    env["XDG_DATA_HOME"] = str(root / "xdg")
    env["LIVEGUARD_REVERIFY_INTERVAL_MINUTES"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    command = [
        *_liveguard_command(),
        "demo",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(f"{base_url}/healthz"):
            output = log_path.read_text("utf-8", errors="replace")
            if process.poll() is not None:
                pytest.fail(
                    f"`{' '.join(command)}` exited with {process.returncode} before serving:\n"
                    f"{output}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"`{' '.join(command)}` did not answer {base_url}/healthz within "
                    f"{STARTUP_SECONDS} s:\n{output}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright's sync API."""
    if not CHROMIUM.exists():
        service_missing(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, demo_server: str) -> Iterator[Page]:
    """A new browser context (no cookies) and page, with the demo server as base URL."""
    context = browser.new_context(base_url=demo_server, locale="zh-CN")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
