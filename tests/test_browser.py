"""The built site in a real browser: headless Chromium driven through Selenium.

The project docs are built once per session (the ``project_site`` fixture in
conftest.py), served from a local HTTP server, and visited the way a reader
would: the landing page, a tag page, a case page with its engine tabs, and the
built-in search; that a case is two clicks from the landing page, that no code block
needs sideways scrolling at 1280 px and that a failing Result shows its hint.
Screenshots are kept as test artefacts in
``tests/artifacts/`` (or in ``$EXPORTDB_ARTIFACTS_DIR`` when set).

Needs Debian's Chromium and ChromeDriver (``apt-get install chromium
chromium-driver``; ``.ci/run`` installs them) and the ``selenium`` package from
the test extras.  ``$EXPORTDB_CHROMIUM`` and ``$EXPORTDB_CHROMEDRIVER`` point
at other binaries.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EXPORTDB_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("EXPORTDB_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("EXPORTDB_ARTIFACTS_DIR") or Path(__file__).parent / "artifacts")
INSTALL_HINT = "install them with `apt-get install -y chromium chromium-driver` (.ci/run does)"

# The case the tour visits: the example of docs/contributing.rst, a NOT_SUPPORTED_YET
# case with a rewrite, so its page holds two sets of engine tabs.
CASE = "tensor_value_branch"
TAG = "torch.cond"


def _unavailable() -> str | None:
    """Why the browser cannot run here, or None."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        return f"{' and '.join(missing)} not found; {INSTALL_HINT}"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed: python -m pip install -e '.[test]'"
    return None


UNAVAILABLE = _unavailable()
# .ci/run sets EXPORTDB_REQUIRE_BROWSER=1: there a missing browser fails the test instead.
REQUIRED = os.environ.get("EXPORTDB_REQUIRE_BROWSER", "") not in ("", "0")
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None and not REQUIRED, reason=str(UNAVAILABLE))

TORCH = importlib.util.find_spec("torch") is not None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site_url(project_site) -> Iterator[str]:
    """The built site, served on a free localhost port for the duration of the module."""
    assert project_site.status == 0, project_site.warnings  # warnings alone fail the Sphinx build test
    handler = functools.partial(_QuietHandler, directory=str(project_site.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """A headless Chromium with a fresh profile and no background network traffic."""
    if UNAVAILABLE is not None:
        pytest.fail(f"EXPORTDB_REQUIRE_BROWSER is set, but {UNAVAILABLE}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, what: str, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition, message=f"timed out waiting for {what}")


def _main(driver):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, "article[role=main]")


def _follow(driver, link_text: str) -> None:
    """Click the link named ``link_text`` in the page body and wait for the new page."""
    from selenium.webdriver.common.by import By

    before = driver.current_url
    link = _main(driver).find_element(By.XPATH, f".//a[normalize-space(.)='{link_text}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", link)
    link.click()
    _wait(driver, lambda d: d.current_url != before and d.execute_script("return document.readyState") == "complete",
          f"the page behind the link {link_text!r}")


def _title(driver) -> str:
    from selenium.webdriver.common.by import By

    return _main(driver).find_element(By.TAG_NAME, "h1").text.rstrip("#¶ \n")


def _check_highlighted_result(driver, block) -> None:
    """``block`` (a ``div.highlight`` holding a Result) shows Pygments tokens, coloured by the theme.

    A Result is a printed program, or one ``ErrorType: message`` line when the export fails.
    """
    from selenium.webdriver.common.by import By

    text = block.text
    tokens = driver.execute_script(  # one round trip rather than one per token
        "return Array.from(arguments[0].querySelectorAll('pre span[class]'), s => s.className);", block)
    kinds = set(tokens)
    if text.startswith("ExportedProgram:"):
        assert len(tokens) > 20 and {"k", "nc", "n", "p"} <= kinds, sorted(kinds)  # class GraphModule(...)
        # The theme's Pygments stylesheet is loaded: a keyword and a name differ in colour.
        keyword = block.find_element(By.CSS_SELECTOR, "pre span.k").value_of_css_property("color")
        name = block.find_element(By.CSS_SELECTOR, "pre span.n").value_of_css_property("color")
        assert keyword != name, (keyword, name)
    else:
        assert re.match(r"[A-Za-z_][\w.]*: \S", text), text[:200]
        assert tokens and "n" in kinds, sorted(kinds)


def _result_blocks(driver) -> list:
    """The code blocks that follow a paragraph starting with "Result" in the page body."""
    from selenium.webdriver.common.by import By

    return _main(driver).find_elements(
        By.XPATH, ".//p[starts-with(normalize-space(.), 'Result')]"
                  "/following-sibling::div[contains(@class, 'highlight')][1]//div[@class='highlight']")


def _save_screenshot(driver, name: str) -> Path:
    """A screenshot of the whole page (beyond the window) as ``ARTIFACTS/name``."""
    import base64

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    # From the top, with no focus ring left on the last clicked element (or the skip link).
    driver.execute_script("document.activeElement && document.activeElement.blur();"
                          "window.scrollTo({top: 0, behavior: 'instant'});")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    target.write_bytes(base64.b64decode(shot["data"]))
    return target


def test_tour_from_the_index_through_a_tag_page_to_a_case_page(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "index.html")
    assert browser.title.startswith("exportdb")
    _follow(browser, "ExportDB")
    assert _title(browser) == "ExportDB" and browser.current_url.endswith("generated/index.html")

    _follow(browser, TAG)
    assert _title(browser) == TAG and browser.current_url.endswith(f"generated/{TAG}.html")
    blocks = _result_blocks(browser)
    assert len(blocks) >= 5  # one Result per case carrying the tag
    assert any(block.text.startswith("ExportedProgram:") for block in blocks)
    for block in blocks[:5]:
        _check_highlighted_result(browser, block)

    browser.back()
    _wait(browser, lambda d: d.current_url.endswith("generated/index.html"), "the index again")
    _follow(browser, CASE)
    assert _title(browser) == CASE and browser.current_url.endswith(f"generated/cases/{CASE}.html")
    source = _main(browser).find_element(By.CSS_SELECTOR, "div.highlight-python div.highlight")
    assert "class " in source.text and source.find_elements(By.CSS_SELECTOR, "span.k")
    blocks = [b for b in _result_blocks(browser) if b.is_displayed()]
    assert any(block.text.startswith("ExportedProgram:") for block in blocks)  # the rewrite's, at least
    for block in blocks:
        _check_highlighted_result(browser, block)
    shot = _save_screenshot(browser, "case_page.png")
    assert shot.stat().st_size > 10_000


def test_search_for_cond_lists_results(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(site_url + "index.html")
    box = browser.find_element(By.CSS_SELECTOR, "form[role=search] input[name=q]")
    box.send_keys("cond", Keys.ENTER)
    _wait(browser, lambda d: "search.html" in d.current_url, "the search page")
    # searchtools.js fills the list in as it goes, then writes "Search finished, ..." in the summary.
    summary = _wait(browser, lambda d: [p for p in d.find_elements(By.CSS_SELECTOR, "#search-results p.search-summary")
                                        if p.text.strip()], "the search to finish")[0]
    hits = browser.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")
    titles = [hit.text for hit in hits]
    assert len(hits) >= 5, (summary.text, titles)
    assert "found" in summary.text.lower() and "did not match" not in summary.text.lower(), summary.text
    assert "Control flow with cond" in titles or any(t.startswith("cond_") for t in titles), titles
    # A hit leads to a real page.
    target = next(hit for hit in hits if hit.text.startswith("cond_"))
    href = target.get_attribute("href")
    # the hit may sit under the fixed footer or beside the sidebar until scrolled to
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", target)
    target.click()
    _wait(browser, lambda d: d.current_url.split("?")[0] == href.split("?")[0].split("#")[0], "the hit's page")
    assert _title(browser).startswith("cond_")


@pytest.mark.skipif(not TORCH, reason="the site shows one engine without PyTorch, so there are no tabs "
                                      "(pip install torch==2.13.0)")
def test_engine_tabs_switch_between_builtin_and_torch_export(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + f"generated/cases/{CASE}.html")
    sets = _main(browser).find_elements(By.CSS_SELECTOR, "div.tab-set")
    assert len(sets) == 2  # the case's Results, and its rewrite's

    def panels(tab_set) -> dict[str, object]:
        labels = tab_set.find_elements(By.CSS_SELECTOR, ":scope > label.tab-label")
        contents = tab_set.find_elements(By.CSS_SELECTOR, ":scope > div.tab-content")
        return {label.text: content for label, content in zip(labels, contents)}

    for tab_set in sets:
        shown = panels(tab_set)
        assert list(shown) == ["builtin", "torch.export"]
        assert shown["builtin"].is_displayed() and not shown["torch.export"].is_displayed()
        assert shown["builtin"].text.startswith("Result") and "(builtin " in shown["builtin"].text

    first = sets[0].find_element(By.XPATH, "./label[normalize-space(.)='torch.export']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", first)
    first.click()
    _wait(browser, lambda d: panels(sets[0])["torch.export"].is_displayed(), "the torch.export panel")
    for tab_set in sets:  # tabs.js switches every set with the same label
        shown = panels(tab_set)
        assert shown["torch.export"].is_displayed() and not shown["builtin"].is_displayed()
        assert "(torch " in shown["torch.export"].text
        _check_highlighted_result(browser, shown["torch.export"].find_element(By.CSS_SELECTOR, "div.highlight"))
    _save_screenshot(browser, "case_page_torch_tab.png")

    back = sets[0].find_element(By.XPATH, "./label[normalize-space(.)='builtin']")
    back.click()
    _wait(browser, lambda d: panels(sets[0])["builtin"].is_displayed(), "the builtin panel again")
    assert not panels(sets[0])["torch.export"].is_displayed()


def test_the_landing_page_reaches_a_case_in_two_clicks(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "index.html")
    _follow(browser, TAG)  # click 1: the tag, in the tag list the landing page opens on
    assert _title(browser) == TAG
    # click 2: the case, listed in the sidebar under its tag page
    sidebar = browser.find_element(By.CSS_SELECTOR, ".sidebar-tree")
    link = sidebar.find_element(By.XPATH, f".//a[normalize-space(.)='{CASE}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", link)
    assert link.is_displayed()
    before = browser.current_url
    link.click()
    _wait(browser, lambda d: d.current_url != before and d.execute_script("return document.readyState") == "complete",
          f"the page of {CASE}")
    assert _title(browser) == CASE and browser.current_url.endswith(f"generated/cases/{CASE}.html")
    # the sidebar groups the cases by tag: the case sits under the tag page it was reached from
    tag_item = browser.find_element(By.CSS_SELECTOR, ".sidebar-tree li.toctree-l2.current")
    assert tag_item.find_element(By.XPATH, "./a").text == TAG
    names = [a.get_attribute("textContent").strip() for a in tag_item.find_elements(By.CSS_SELECTOR, "ul a")]
    assert CASE in names and len(names) > 1
    tags = [a.get_attribute("textContent").strip()
            for a in browser.find_elements(By.CSS_SELECTOR, ".sidebar-tree li.toctree-l2 > a")]
    assert CASE not in tags and TAG in tags  # no flat run of every case beside the tags


#: Finds the code blocks of the page whose text is wider than the block (read only by scrolling sideways).
_OVERFLOWING = """
return Array.from(document.querySelectorAll('article[role=main] div.highlight pre'))
  .filter(pre => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1)
  .map(pre => [pre.scrollWidth, pre.clientWidth, pre.textContent.split('\\n').find(l => l.length > 60) || '']);
"""


def test_no_result_line_needs_horizontal_scrolling_at_1280px(browser, site_url):
    from exportdb.catalog import tags as taxonomy

    assert browser.execute_script("return window.innerWidth") == 1280
    # the tag pages hold every case's source and Result; the case page adds the rewrite and the tabs
    pages = [f"generated/{tag.name}.html" for tag in taxonomy.TAXONOMY] + [f"generated/cases/{CASE}.html"]
    wide = {}
    checked = 0
    for page in pages:
        browser.get(site_url + page)
        checked += browser.execute_script(
            "return document.querySelectorAll('article[role=main] div.highlight pre').length")
        overflowing = browser.execute_script(_OVERFLOWING)
        if overflowing:
            wide[page] = overflowing[:3]
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), page
    assert checked > 100
    assert not wide, wide
    browser.get(site_url + f"generated/{TAG}.html")
    _save_screenshot(browser, "tag_page_1280.png")


def test_the_hint_shows_under_the_result_on_a_not_supported_yet_case_page(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + f"generated/cases/{CASE}.html")
    main = _main(browser)
    assert "NOT_SUPPORTED_YET" in main.text
    hints = [h for h in main.find_elements(By.CSS_SELECTOR, "div.admonition.hint") if h.is_displayed()]
    assert len(hints) == 1, [h.text for h in hints]
    error = next(b for b in _result_blocks(browser) if b.is_displayed())
    assert error.text.startswith("DataDependentControlFlowError: ")
    assert "torch.cond" in hints[0].text
    assert hints[0].location["y"] > error.location["y"]  # under the failing Result
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", hints[0])
    shot = browser.get_screenshot_as_png()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "case_page_hint.png").write_bytes(shot)
    assert len(shot) > 10_000
