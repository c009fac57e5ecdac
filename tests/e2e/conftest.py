"""End-to-end: the app as `make run` serves it, driven by headless Chromium.

The server runs in a subprocess on its own SQLite file, set up exactly as `make run` does
(migrate, load_knowledge, seed_demo), so these tests never touch the suite's test database.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported by the fixture that starts it, so collecting stays cheap
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(
            f"CI must run the browser tests, but {CHROMIUM} is missing (apt install chromium)"
        )
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium to run browser tests")


MANAGE = [sys.executable, str(ROOT / "manage.py")]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the e2e server: its own SQLite file, development settings."""
    workdir = tmp_path_factory.mktemp("e2e")
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }


@pytest.fixture(scope="session")
def app_url(server_env: dict[str, str], chromium_path: str) -> Iterator[str]:
    env = server_env
    workdir = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).parent
    manage = MANAGE
    for command in (["migrate", "--noinput"], ["load_knowledge"], ["seed_demo"]):
        subprocess.run(
            [*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
        )
    port = _free_port()
    # runserver logs every request to stderr: to a file, since an unread pipe fills after some
    # hundreds of requests and then blocks the server mid-response.
    log = (workdir / "runserver.log").open("wb")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    yield page
    context.close()
    # Every page, the admin and the API docs included, must live within the CSP.
    assert [text for text in console if "Content Security Policy" in text] == []


@pytest.fixture
def on_server(server_env: dict[str, str], app_url: str) -> Callable[[str], str]:
    """Runs Python in `manage.py shell` on the e2e server's database and returns what it prints.

    Only for what no page can do on the real clock (a booking earlier today, once the clinic
    has closed for the day); everything a user does goes through the pages."""

    def run(code: str) -> str:
        done = subprocess.run(
            [*MANAGE, "shell", "-c", code],
            cwd=ROOT,
            env=server_env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout

    return run


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, every browser test runs on one worker, which starts one server."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("e2e"))
