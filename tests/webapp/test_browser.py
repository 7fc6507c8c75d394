"""End to end in headless Chromium: `kkr-arkiv serve` on the corpus archive, a search, the
first decision, its page, and the reference list. Saves the screenshots in docs/screenshots/.

Uses Debian's /usr/bin/chromium (apt-get install chromium), never a downloaded browser."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ROOT

pytestmark = pytest.mark.slow  # a real browser against a served archive

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CITATION = re.compile(
    r'^KKR [^,]+, referat af mødet \d{1,2}\. (januar|februar|marts|april|maj|juni|juli|august|september|'
    r'oktober|november|december) \d{4}, pkt\. \d+(\.\d+)* "[^"]+" \(SAG-\d{4}-\d{5}\), s\. (\d+)(-(\d+))?$'
)


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(corpus_archive_dir):
    port = free_port()
    env = {**os.environ}
    env.pop("KKR_ARKIV_DATA", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--data", str(corpus_archive_dir), "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"kkr-arkiv serve exited with {proc.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("kkr-arkiv serve did not answer within 60 s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("SKIPPED: Chromium not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until(condition, timeout: float = 15.0) -> None:
    """Poll from Python: the app's CSP forbids the eval that page.wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def test_search_open_decision_page_and_reference_list(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="da-DK")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        # search
        page.goto(server + "/")
        page.get_by_label("Søgeord").fill("herberger")
        page.keyboard.press("Enter")
        page.wait_for_selector("li.result")
        assert "q=herberger" in page.url
        assert page.locator("li.result mark").count() > 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "search.png"))

        # the first decision: a referat result whose item has a Beslutning
        decision = page.locator("li.result.result-decision:has(.badge-referat)").first
        assert decision.count() == 1
        title = decision.locator(".result-title a").inner_text().strip()
        decision.get_by_role("link", name=re.compile(r"^Åbn punkt")).click()
        page.wait_for_selector("#beslutning")
        assert re.search(r"/punkt/[a-z0-9_.-]+_referat_[\d.]+", page.url)
        assert page.locator("h1").inner_text().strip().endswith(title)
        item_url = page.url.split("?")[0]
        item_id = item_url.rsplit("/", 1)[1]
        document_id = item_id.rsplit("_", 1)[0]
        citation = page.locator("#citation-text").inner_text().strip()
        match = CITATION.match(citation)
        assert match, citation
        first_page = int(match.group(3))
        page.screenshot(path=str(SCREENSHOTS / "item.png"))

        # the first page marker leads to the right page, highlighted, with the PDF link at that page
        marker = page.locator(".item-body a.page-marker").first
        assert marker.inner_text().replace("\xa0", " ") == f"s. {first_page}"
        marker.click()
        page.wait_for_selector("#page-image")
        assert f"/pdf/{document_id}/side/{first_page}?punkt={item_id}" in page.url
        wait_until(lambda: page.evaluate("() => document.getElementById('page-image').complete"))
        assert page.evaluate("document.getElementById('page-image').naturalWidth") > 500
        pdf_href = page.locator("#pdf-link").get_attribute("href")
        assert pdf_href == f"/pdf/{document_id}#page={first_page}"
        pdf = context.request.get(server + pdf_href.split("#")[0])
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body()[:5] == b"%PDF-"

        # add to the reference list, then copy the whole list
        page.goto(item_url)
        page.get_by_role("button", name="Tilføj til referenceliste").click()
        page.wait_for_selector("[data-ref-add].done")
        assert page.locator("[data-ref-count]").inner_text() == "1"
        page.get_by_role("link", name=re.compile("^Referenceliste")).click()
        page.wait_for_selector("[data-ref-list] li")
        listed = page.locator("[data-ref-text]").input_value()
        assert listed == citation
        page.get_by_role("button", name="Kopiér hele listen").click()
        page.wait_for_selector("[data-toast]:not([hidden])")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == citation
        assert CITATION.match(copied)
        assert errors == []
    finally:
        context.close()
