"""End to end in a real browser: `streamlit run streamlit_app.py` on a free loopback port over a temporary index,
driven through Debian's Chromium with playwright. Saves a screenshot (docs/screenshot-chat.png, the README's, with UPDATE_SCREENSHOTS=1).

Needs /usr/bin/chromium (`make test` installs it with scripts/setup-browser.sh); skipped only when it is missing.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from test_app import HOSTILE
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# The README's screenshot is refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run leaves git clean.
SCREENSHOT = (ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") else Path(tempfile.gettempdir())) \
    / "screenshot-chat.png"
AFP_ID = "afp-2019-idleb-unilateral-ceasefire"
TRUCE = "When did the August truce start?"
BRIDGE = """title: Port Lorne harbour bridge reopens
source: Lorne Gazette
date: 2022-05-10

The Port Lorne harbour bridge reopened to traffic on Monday after a long closure.

The repairs cost 42 million euros, the city council said.
"""

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"Chromium is not installed at {CHROMIUM} and scripts/setup-browser.sh could not install it "
           "(as root: apt-get install -y chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app as users start it, over a temporary archive folder and index (ingested with the CLI first)."""
    folder = tmp_path_factory.mktemp("browser")
    archive = folder / "archive"
    shutil.copytree(ROOT / "archive", archive)
    (archive / "hostile.txt").write_text(HOSTILE)
    # Extractive by default, so the other tests' answers are exact; the reader test picks the model in the sidebar.
    env = {**os.environ, "RAG_INDEX_DIR": str(folder / "index"), "RAG_ARCHIVE_DIR": str(archive),
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "RAG_ANSWERER": "extractive"}
    subprocess.run([sys.executable, "-m", "rag", "ingest", "--quiet", str(archive)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    port = free_port()
    log = open(folder / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}: {(folder / 'streamlit.log').read_text()}")
            try:
                if urllib.request.urlopen(url + "_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline:
                pytest.fail("streamlit did not answer on its health URL within 90 s")
            time.sleep(0.3)
        yield url, archive
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new browser session; any JavaScript dialog (an injected alert) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(60_000)
    yield page
    context.close()
    assert not dialogs, f"the page ran injected script: {dialogs}"


def ask(page, question: str):
    """Type a question, wait for the answer to finish; the assistant's message."""
    from playwright.sync_api import expect

    before = page.get_by_test_id("stChatMessage").count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(before + 1)
    # Finished: the caption with the answer's settings comes after the streamed text.
    expect(reply.get_by_text("passages ·", exact=False)).to_be_visible(timeout=120_000)
    return reply


def open_chat(page, url):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    try:
        page.get_by_test_id("stChatInputTextArea").wait_for(timeout=180_000)  # the first visit loads the model
    except PlaywrightTimeout:
        pytest.fail(f"no chat input after 180 s; the page says:\n{page.inner_text('body')[:3000]}")


def test_truce_answer_cites_the_afp_paragraph_and_opens_it_in_the_archive(server, page):
    from playwright.sync_api import expect

    url, _ = server
    open_chat(page, url)
    reply = ask(page, TRUCE)
    text = reply.inner_text()
    assert "31 August 2019" in text and "[1]" in text

    citation = reply.get_by_test_id("stExpander").filter(has_text="[1] AFP").first
    citation.locator("summary").click()
    mark = citation.locator("mark.quote")
    expect(mark).to_be_visible()
    assert "starting at 6:00 am on August 31" in mark.inner_text()
    expect(citation.locator("#para-5")).to_contain_text("¶5")
    expect(citation.get_by_text("paragraph 5 of 13", exact=False)).to_be_visible()
    citation.scroll_into_view_if_needed()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    citation.get_by_text("Open the article at ¶5").click()
    page.wait_for_url(f"**/archive?article={AFP_ID}&p=5")
    focused = page.locator("#para-5.focus")
    expect(focused).to_be_visible()
    expect(focused).to_be_in_viewport()
    expect(focused.locator("mark.quote")).to_contain_text("a unilateral ceasefire by Syrian government forces")
    assert page.locator(".para").count() == 13


def test_quick_answer_is_replaced_by_the_readers_checked_answer(server, page):
    """With the reader model chosen, the extractive answer shows at once under its label, then the model's
    checked answer takes its place under another; the user can always tell which one is on screen."""
    from playwright.sync_api import expect

    from rag.answerers.llamacpp import LlamaCppAnswerer
    from rag.config import Config
    if not LlamaCppAnswerer.available(Config.from_env()):
        pytest.fail("the reader model is not set up; run make setup")
    url, _ = server
    open_chat(page, url)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Answer mode").click()
    page.get_by_role("option", name="llamacpp").click()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Who is the director of the Syrian Observatory for Human Rights?")  # a question the model reads
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    quick = reply.get_by_text("Quick answer (extractive) — checking with the reader model…")
    expect(quick).to_be_visible(timeout=180_000)  # the first choice of the reader loads the model
    assert "Rami Abdel Rahman" in reply.inner_text()
    page.screenshot(path=str(SCREENSHOT.with_name("screenshot-quick-answer.png")))
    passages = Config.from_env().top_k
    expect(reply.get_by_text(f"llamacpp answer · {passages} passages", exact=False)).to_be_visible(timeout=180_000)
    expect(quick).to_have_count(0)
    # The reader's own answer, or (when none of its sentences passes the check) the extractive one, said so.
    expect(reply.get_by_test_id("stCaptionContainer").first).to_have_text(
        re.compile(r"Reader answer \(checked\)$|^Extractive answer: the reader model's answer did not pass"))
    text = reply.inner_text()
    assert "[1]" in text and "quick answer in" in text
    expect(reply.get_by_test_id("stExpander").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT.with_name("screenshot-reader-answer.png")))


def test_archive_link_scrolls_to_a_late_paragraph(server, page):
    from playwright.sync_api import expect

    url, _ = server
    page.goto(f"{url}archive?article={AFP_ID}&p=13")
    focused = page.locator("#para-13.focus")
    expect(focused).to_be_in_viewport(timeout=60_000)
    expect(page.locator("#para-1")).not_to_be_in_viewport()


def test_two_sessions_asking_at_once_share_the_engine(server, browser):
    """Two browser sessions ask at the same moment; each gets its own, correct answer."""
    from playwright.sync_api import expect

    url, _ = server
    contexts = [browser.new_context(viewport={"width": 1000, "height": 800}) for _ in range(2)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.set_default_timeout(120_000)
            open_chat(p, url)
        questions = [TRUCE, "When did Russia and Turkey agree on a complete ceasefire in Idlib?"]
        for p, q in zip(pages, questions):
            p.get_by_test_id("stChatInputTextArea").fill(q)
        for p in pages:
            p.get_by_test_id("stChatInputTextArea").press("Enter")
        replies = [p.get_by_test_id("stChatMessage").nth(1) for p in pages]
        for r in replies:
            expect(r.get_by_text("passages ·", exact=False)).to_be_visible()
        assert "31 August 2019" in replies[0].inner_text()
        assert "12 June 2019" in replies[1].inner_text() and "31 August" not in replies[1].inner_text()
    finally:
        for c in contexts:
            c.close()


def test_publisher_filter_without_afp_changes_the_answer(server, page):
    from playwright.sync_api import expect

    url, _ = server
    open_chat(page, url)
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").click()
    page.get_by_role("option", name="Reuters").click()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Searching only: Reuters.")).to_be_visible()
    reply = ask(page, TRUCE)
    text = reply.inner_text()
    assert "does not answer" in text and "31 August 2019" not in text
    assert "Related, but not an answer" in text and "AFP" not in text


def test_uploaded_article_is_answerable_in_the_browser(server, page, tmp_path):
    from playwright.sync_api import expect

    url, archive = server
    page.goto(url + "add_articles")
    upload = tmp_path / "Port Lorne bridge.txt"
    upload.write_text(BRIDGE)
    page.locator("input[type=file]").set_input_files(str(upload))
    expect(page.get_by_role("button", name="Remove Port Lorne bridge.txt")).to_be_visible()
    page.get_by_role("button", name="Add to archive").click()
    expect(page.get_by_text("1 added, 0 updated, 0 unchanged, 0 failed")).to_be_visible(timeout=120_000)
    assert (archive / "Port-Lorne-bridge.txt").read_text() == BRIDGE

    page.get_by_text("Ask about them in the chat").click()
    reply = ask(page, "How much did the Port Lorne bridge repairs cost?")
    assert "42 million" in reply.inner_text()
    expect(reply.get_by_test_id("stExpander").filter(has_text="Lorne Gazette")).to_have_count(1)


def test_markup_in_an_article_shows_as_text(server, page):
    from playwright.sync_api import expect

    url, _ = server
    open_chat(page, url)
    reply = ask(page, "When did the Zenda dam open?")
    expect(reply.get_by_text("<script>alert(3)</script>", exact=False).first).to_be_visible()
    reply.get_by_test_id("stExpander").first.locator("summary").click()
    page.goto(f"{url}archive?article=hostile&p=1")
    expect(page.locator("#para-1")).to_contain_text("<img src=x onerror=alert(4)>")
    expect(page.locator("#para-2")).to_contain_text("[here](javascript:alert(5)) or ![i](http://127.0.0.1:9/x.png)")
    expect(page.get_by_role("heading", name='<script>alert("t")</script> Dam', exact=False)).to_be_visible()
    assert page.locator("img[onerror], a[href^='javascript'], img[src='x']").count() == 0
    assert page.locator(".para img, .para a, .para script, .para b").count() == 0


def test_timeline_page_lists_dated_events_with_citations_and_downloads_its_json(server, page):
    import json

    from playwright.sync_api import expect

    url, archive = server
    page.goto(url + "timeline")
    box = page.get_by_label("Topic", exact=True)
    box.wait_for(timeout=180_000)  # the first visit loads the model
    box.fill("Idlib ceasefire")
    box.press("Enter")
    expect(page.get_by_text("Saturday 31 August 2019", exact=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("06:00 · the article says “6:00 am on August 31”")).to_be_visible()
    headings = page.locator("h5").all_inner_texts()
    assert headings.index("Friday 30 August 2019") < headings.index("Saturday 31 August 2019")

    citation = page.get_by_test_id("stExpander").filter(has_text="AFP · 31 August 2019 · ¶5").first
    citation.locator("summary").click()
    expect(citation.locator("mark.quote")).to_contain_text("starting at 6:00 am on August 31")
    expect(citation.get_by_text("paragraph 5 of 13", exact=False)).to_be_visible()
    expect(citation.get_by_text("Open the article at ¶5")).to_be_visible()
    # docs/screenshot-timeline.png: the last days of August, the truce's citation open
    page.get_by_text("Thursday 29 August 2019", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SCREENSHOT.with_name("screenshot-timeline.png")))

    # The download is exactly what `python -m rag timeline --json` prints for the same index.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    got = json.loads(Path(download.value.path()).read_text())
    env = {**os.environ, "RAG_INDEX_DIR": str(archive.parent / "index"), "HF_HUB_OFFLINE": "1"}
    cli = subprocess.run([sys.executable, "-m", "rag", "timeline", "--json", "Idlib ceasefire"], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True, timeout=300)
    assert got == json.loads(cli.stdout)
    assert got["topic"] == "Idlib ceasefire" and any(e["date"] == "2019-08-31" for e in got["events"])
