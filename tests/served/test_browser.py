"""The pages in a real browser (headless Chromium through Selenium): what a person does with
them, by mouse and by keyboard alone, and what axe-core finds about their accessibility.

Screenshots of each page go to a temporary directory, or to $DLCHECK_SCREENSHOTS when set
(`DLCHECK_SCREENSHOTS=docs/screenshots python -m pytest tests/served/test_browser.py`).
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests/vendor/axe-core/axe.min.js"
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"
MYTH = "Deep learning always needs massive datasets."
PAGES = {
    "check": "/?" + urllib.parse.urlencode({"text": MYTH}),
    "browse": "/browse",
    "claim": "/claim/dl-restricted-to-experts",
    "concept": "/concept/deep-learning",
    "search": "/search?q=network",
    "query": "/query?"
    + urllib.parse.urlencode({"query": "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } LIMIT 5"}),
    "exam": "/exam",
}
CONTROLS = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("DLCHECK_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for(browser, css: str, timeout: float = 30.0):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def find(browser, css: str):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, css)


def shoot(browser, shots: Path, name: str) -> None:
    """A screenshot of the whole page: the window grows to the document's height."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height + 140, 700), 2600))  # + the window frame
    browser.save_screenshot(str(shots / f"{name}.png"))
    browser.set_window_size(1280, 900)


def test_type_a_claim_and_see_the_verdict_and_the_drawn_path(server, browser, shots):
    browser.get(server.base_url + "/")
    box = find(browser, "textarea#text")[0]
    box.send_keys(MYTH)
    find(browser, ".check-form button")[0].click()
    card = wait_for(browser, "section.verdict")
    assert "verdict-false" in card.get_attribute("class")
    assert card.find_element("css selector", ".word").text == "False"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query) == {
        "text": [MYTH]
    }
    picture = find(browser, "svg.path-picture")[0]
    assert picture.size["width"] > 300 and picture.size["height"] > 60  # drawn, not empty
    labels = [t.text for t in find(browser, "svg.path-picture text.edge-label")]
    assert "corrected by" in labels and "refuted by" in labels
    assert len(find(browser, "svg.path-picture a.node")) >= 4
    shoot(browser, shots, "check")


def test_follow_a_node_of_the_path_to_its_concept_page(server, browser, shots):
    browser.get(server.base_url + PAGES["check"])
    node = wait_for(browser, "svg.path-picture a.node[href^='/concept/']")
    target = node.get_dom_attribute("href")
    label = node.get_attribute("aria-label").removeprefix("concept: ")
    node.click()
    heading = wait_for(browser, "main h1")
    assert target.startswith("/concept/") and browser.current_url.endswith(target)
    assert heading.text == label
    assert find(browser, "main .kind")[0].text.lower() == "concept"
    shoot(browser, shots, "concept")


def test_run_a_sparql_query_and_download_the_csv(server, browser, shots, tmp_path):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.get(server.base_url + "/query")
    Select(find(browser, "select#example")[0]).select_by_visible_text("myths-and-corrections")
    editor = find(browser, "textarea#query")[0]
    assert "correctedBy" in editor.get_attribute("value")
    assert find(browser, ".editor .highlight .tok-keyword")  # the text is highlighted
    find(browser, ".query-form button")[0].click()
    wait_for(browser, "section.results table")
    rows = find(browser, "section.results tbody tr")
    assert len(rows) > 5
    heads = [th.text for th in find(browser, "section.results thead th")]
    assert heads == ["myth", "myth_label", "status", "correction_label"]
    shoot(browser, shots, "query")
    find(browser, "p.downloads a")[0].click()  # CSV
    done = tmp_path / "results.csv"
    WebDriverWait(browser, 30).until(lambda _: done.exists() and done.stat().st_size > 0)
    lines = done.read_text().splitlines()
    assert lines[0] == "myth,myth_label,status,correction_label"
    assert len(lines) == len(rows) + 1


def test_upload_the_seed_bank_and_see_the_flagged_key(server, browser, shots):
    browser.get(server.base_url + "/exam")
    find(browser, "input#bank")[0].send_keys(str(ROOT / "examples/seed.gift"))
    find(browser, ".exam-form button")[0].click()
    wait_for(browser, "section.report", timeout=60)
    flagged = find(browser, "tr.row-disagrees")
    assert flagged, "the seed bank's wrong key is not flagged"
    assert flagged[0].find_element("css selector", ".key").text == "disagrees"
    assert {a.text for a in find(browser, "p.downloads a")} == {"CSV", "JSON", "JUnit"}
    shoot(browser, shots, "exam")


def test_browse_pages_look_right(server, browser, shots):
    for name in ("browse", "claim", "search"):
        browser.get(server.base_url + PAGES[name])
        wait_for(browser, "main h1")
        shoot(browser, shots, name)


def test_hostile_text_runs_no_script(server, browser):
    hostile = [
        "<script>window.pwned = 1</script>",
        '"><img src=x onerror="window.pwned=1">',
        "</textarea><svg onload='window.pwned=1'>",
    ]
    for text in hostile:
        for path in ("/?text=", "/search?q=", "/query?query="):
            browser.get(server.base_url + path + urllib.parse.quote(text))
            wait_for(browser, "main h1")
            assert browser.execute_script("return window.pwned") is None, (path, text)


def test_a_hostile_bank_file_runs_no_script(server, browser, tmp_path):
    bank = tmp_path / '"><svg onload=window.pwned=1>.gift'
    bank.write_text(
        "::<script>window.pwned=1</script>:: Which is <img src=x onerror=window.pwned=1> true? {\n"
        '=CNNs need GPUs"><script>window.pwned=1</script>\n'
        "~' onfocus='window.pwned=1' autofocus='\n}\n",
        encoding="utf-8",
    )
    browser.get(server.base_url + "/exam")
    find(browser, "input#bank")[0].send_keys(str(bank))
    find(browser, ".exam-form button")[0].click()
    wait_for(browser, "section.report", timeout=60)
    assert "<script>window.pwned=1</script>" in find(browser, "section.report")[0].text
    assert browser.execute_script("return window.pwned") is None


def _tab_through(browser, limit: int = 400) -> list[str]:
    """The elements Tab reaches from the top of the page, in order, until it wraps."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("document.activeElement && document.activeElement.blur()")
    reached: list[str] = []
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        key = browser.execute_script(
            "const e = document.activeElement;return e === document.body ? null : e.dataset.tabKey;"
        )
        if key is None or (reached and key == reached[0]):
            break
        reached.append(key)
    return reached


@pytest.mark.parametrize("name", ["check", "query", "exam", "claim"])
def test_the_keyboard_alone_reaches_every_control_and_each_has_a_name(server, browser, name):
    browser.get(server.base_url + PAGES[name])
    wait_for(browser, "main h1")
    controls = browser.execute_script(
        """
        const found = [];
        document.querySelectorAll(arguments[0]).forEach((e, i) => {
          const box = e.getBoundingClientRect();
          const hidden = getComputedStyle(e).visibility === 'hidden' || e.closest('[hidden]');
          if (hidden || e.classList.contains('skip') === false && box.width === 0) return;
          e.dataset.tabKey = String(i);
          const labelled = (e.labels && e.labels.length && e.labels[0].textContent.trim())
            || e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby')
              && document.getElementById(e.getAttribute('aria-labelledby')))
            || (e.textContent || '').trim();
          found.push([String(i), e.tagName.toLowerCase(), Boolean(labelled)]);
        });
        return found;
        """,
        CONTROLS,
    )
    assert controls
    unnamed = [c for c in controls if not c[2]]
    assert not unnamed, f"controls without a name on {name}: {unnamed}"
    reached = set(_tab_through(browser))
    missing = [c for c in controls if c[0] not in reached]
    assert not missing, f"Tab does not reach these controls of {name}: {missing}"


def test_axe_finds_no_serious_or_critical_violation(server, browser):
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256  # the vendored, pinned file
    browser.set_script_timeout(60)
    found = {}
    for name, path in PAGES.items():
        browser.get(server.base_url + path)
        wait_for(browser, "main h1")
        browser.execute_script(source.decode())
        violations = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length])))"
            ".catch(e => done([['axe-error', 'critical', String(e)]]));"
        )
        bad = [v for v in violations if v[1] in ("serious", "critical")]
        if bad:
            found[name] = bad
    assert found == {}
