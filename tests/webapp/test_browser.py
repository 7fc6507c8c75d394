"""End to end in headless Chromium, at desktop width and at 390 px (a phone): `kkr-arkiv
serve` on the corpus archive; search "herberger" (one result per item, a stable count),
open the decision, the page viewer (pdf.js) at the page with the Beslutning sentence
highlighted, ask a question, add a citation of the answer to the reference list and copy the
list with its permalinks. axe-core checks every page visited. Saves the screenshots in
docs/screenshots/ (the README shows them).

Uses Debian's /usr/bin/chromium (apt-get install chromium), never a downloaded browser;
pdf.js and axe-core come from the npm registry by `make vendor` (package-lock.json)."""
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
CHROMIUM_ARGS = ["--headless", "--lang=da-DK", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CITATION = re.compile(
    r'KKR [^,]+, referat af mødet \d{1,2}\. (januar|februar|marts|april|maj|juni|juli|august|september|'
    r'oktober|november|december) \d{4}, pkt\. \d+(\.\d+)* »[^«]+« \(SAG-\d{4}-\d{5}\), s\. (\d+)(–(\d+))?'
)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PDFJS = ROOT / "webapp" / "static" / "vendor" / "pdfjs" / "pdf.min.mjs"
SIZES = {"desktop": {"width": 1280, "height": 1000}, "phone": {"width": 390, "height": 844}}


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


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # the devtools protocol, not a script tag: the CSP holds
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def result_ids(page) -> list[str]:
    hrefs = page.locator("li.result .result-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [h.split("?")[0].rsplit("/", 1)[1] for h in hrefs]


def results_count(page) -> int:
    return int(re.search(r"(\d+) resultater? for", page.locator("#results-heading").inner_text()).group(1))


@pytest.mark.parametrize("size", list(SIZES))
def test_case_worker_journey(browser, server, size):
    assert AXE.is_file() and PDFJS.is_file(), "run `make vendor` (npm ci) first"
    phone = size == "phone"
    shot = (lambda name: str(SCREENSHOTS / f"{'phone-' if phone else ''}{name}.png"))
    context = browser.new_context(viewport=SIZES[size], locale="da-DK", device_scale_factor=1,
                                  is_mobile=phone, has_touch=phone)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    violations: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = axe_violations(page)
        if found:
            violations[name] = found
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], f"{name} is wider than the screen"

    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # search "herberger": one result per item, the same count on every page
        page.goto(server + "/")
        check("start")
        page.get_by_label("Søgeord").fill("herberger")
        page.keyboard.press("Enter")
        page.wait_for_selector("li.result")
        assert "q=herberger" in page.url
        total = results_count(page)
        first_page = result_ids(page)
        page.screenshot(path=shot("search"))
        if phone:  # the filters wait behind "Filtrér"; the results start on the first screen
            assert not page.locator("#council").is_visible()
            page.get_by_text("Filtrér", exact=True).click()
            assert page.locator("#council").is_visible()
            page.get_by_text("Filtrér", exact=True).click()
            assert page.locator("li.result").first.bounding_box()["y"] < SIZES[size]["height"]
        else:  # a skip link: two Tab presses to the result list, one more to the first result
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.getAttribute('href')") == "#resultater"
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('.result-title') !== null")
        check("search")
        page.locator("a[rel=next]").click()
        page.wait_for_url(re.compile(r"side=2"))
        page.wait_for_selector("li.result")
        assert results_count(page) == total
        every = first_page + result_ids(page)
        keys = [(i.rsplit("_", 2)[0], i.rsplit("_", 1)[1]) for i in every]  # meeting and item number
        assert len(set(keys)) == len(keys), "the dagsorden and referat of one item are one result"
        page.go_back()
        page.wait_for_selector("li.result")

        # the first decision: a referat result whose item has a Beslutning
        decision = page.locator("li.result.result-decision:has(.badge-referat)").first
        title = decision.locator(".result-title a").inner_text().strip()
        decision.get_by_role("link", name=re.compile(r"^Åbn punkt")).click()
        page.wait_for_selector("#beslutning")
        assert re.search(r"/punkt/[a-z0-9_.-]+_referat_[\d.]+", page.url)
        assert page.locator("h1").inner_text().strip().endswith(title)
        citation = page.locator("#citation-text").inner_text().strip()
        assert CITATION.fullmatch(citation), citation
        if phone:  # the citation box near the top, not under the whole item
            assert page.locator("#henvisning").bounding_box()["y"] < 2 * SIZES[size]["height"]
        page.screenshot(path=shot("item"))
        check("item")

        # the viewer opens at the page of the decision with its sentence highlighted
        decision_text = page.locator("#beslutning p.para").first.inner_text().strip()
        page.get_by_role("link", name=re.compile(r"^Vis beslutningen i PDF")).click()
        page.wait_for_selector("[data-viewer-state=ready]", timeout=30000)
        assert "citat=" in page.url
        assert int(page.get_attribute("[data-viewer]", "data-viewer-marks")) >= 1
        assert page.locator("#page-image").is_hidden()  # the static image is the no-JS fallback
        quote_box = page.locator(".hl-quote").first.bounding_box()
        assert quote_box and 0 <= quote_box["y"] < SIZES[size]["height"], "scrolled to the sentence"
        text_layer = page.locator(".textLayer").inner_text()
        assert decision_text.split()[0] in text_layer
        level = page.locator("[data-zoom-level]").inner_text()
        page.get_by_role("button", name="Zoom ind").click()
        wait_until(lambda: page.locator("[data-zoom-level]").inner_text() != level)
        page.wait_for_selector(".hl-quote")
        zoomed = page.locator("[data-zoom-level]").inner_text()
        page.locator("[data-viewer-stage]").focus()  # the keyboard zooms the focused page too
        page.keyboard.press("-")
        wait_until(lambda: page.locator("[data-zoom-level]").inner_text() not in (zoomed, ""))
        page.keyboard.press("+")
        wait_until(lambda: page.locator("[data-zoom-level]").inner_text() == zoomed)
        page.wait_for_selector(".hl-quote")
        page.get_by_role("button", name="Gå til citatet").click()
        page.screenshot(path=shot("viewer"))
        check("viewer")
        pdf_href = page.locator("#pdf-link").get_attribute("href")
        pdf = context.request.get(server + pdf_href.split("#")[0])
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"

        # ask, and put a citation of the answer on the reference list
        page.goto(server + "/spoerg")
        page.get_by_label("Dit spørgsmål").fill("Hvad besluttede KKR om herberger?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".answer")
        add = page.get_by_role("button", name="Tilføj til referencelisten").first
        cited = add.get_attribute("data-ref-citation")
        permalink = add.get_attribute("data-ref-url")
        assert cited.startswith("»") and CITATION.search(cited), cited
        add.click()
        page.wait_for_selector("[data-ref-add].done")
        page.screenshot(path=shot("answer"))
        check("answer")
        assert page.locator("[data-ref-count]").inner_text() == "1"
        page.get_by_role("button", name="Kopiér henvisning").first.click()
        page.wait_for_selector("[data-toast]:not([hidden])")
        assert page.evaluate("navigator.clipboard.readText()") == f"{cited}. {server}{permalink}"

        page.goto(server + "/referencer")
        page.wait_for_selector("[data-ref-list] li")
        page.get_by_role("button", name="Kopiér hele listen").click()
        page.wait_for_selector("[data-toast]:not([hidden])")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{cited}. {server}{permalink}"  # the permalink travels with the citation
        page.screenshot(path=shot("references"))
        check("references")
        view = page.get_by_role("link", name="Vis citatet i PDF'en").first
        assert "citat=" in view.get_attribute("href")
        view.click()  # the reference list leads back to the sentence too
        page.wait_for_selector("[data-viewer-state=ready]", timeout=30000)
        assert int(page.get_attribute("[data-viewer]", "data-viewer-marks")) >= 1

        # the meeting list and a case page fit the screen
        page.goto(server + "/moeder")
        check("meetings")
        page.goto(server + "/sag/SAG-2026-00541")
        check("case")
        assert violations == {}, violations
        assert errors == []
    finally:
        context.close()
