"""Just enough of the Chrome DevTools Protocol to load a page in headless Chromium, wait for text
the app renders over its websocket, read the page text and take a screenshot.

``chromium --dump-dom`` returns before Streamlit has rendered anything (the app arrives over a
websocket, which ``--virtual-time-budget`` does not wait for), hence this small client on the
``websockets`` package Streamlit already depends on.
"""

from __future__ import annotations

import base64
import itertools
import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import connect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
        time.sleep(0.3)


class Page:
    def __init__(self, ws: Any) -> None:
        self.ws, self.ids = ws, itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def text(self) -> str:
        result = self.call("Runtime.evaluate", expression="document.body.innerText",
                           returnByValue=True)
        return str(result.get("result", {}).get("value", ""))

    def wait_for_text(self, needles: Sequence[str], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(n in text for n in needles) or time.monotonic() > deadline:
                return text
            time.sleep(0.5)

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


@contextmanager
def headless_chromium(
    binary: str, url: str, size: tuple[int, int] = (1400, 1000)
) -> Iterator[Page]:
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--remote-debugging-port={port}", f"--window-size={size[0]},{size[1]}",
         "--no-first-run", "--user-data-dir=" + str(Path("/tmp") / f"dg-chromium-{port}"),
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/json/version", 30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            targets = [t for t in json.load(response) if t.get("type") == "page"]
        with connect(targets[0]["webSocketDebuggerUrl"], max_size=None,
                     open_timeout=30) as ws:
            page = Page(ws)
            page.call("Page.enable")
            page.call("Page.navigate", url=url)
            yield page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
