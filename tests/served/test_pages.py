"""The pages as HTTP clients see them: what each shows, the links between them, the
downloads, the headers, and hostile input that must come back as text, never as markup."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MYTH = "Deep learning always needs massive datasets."


def get(server, path: str, *, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, text) of one request to the server."""
    request = urllib.request.Request(server.base_url + path, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def upload(server, name: str, content: bytes, fmt: str = ""):
    """POST a bank to the exam page as a browser's form does."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="bank"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\n{fmt}\r\n'.encode(),
        f"--{boundary}--\r\n".encode(),
    ]
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return get(server, "/exam", data=b"".join(parts), headers=headers)


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with their attributes, and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._script_type: str | None = None
        self.data_blocks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script_type = attributes.get("type", "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None

    def handle_data(self, data):
        if self._script_type == "application/ld+json":
            self.data_blocks.append(data)
        else:
            self.text.append(data)

    def links(self) -> list[str]:
        return [a.get("href", "") for tag, a in self.elements if tag == "a"]

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_inert(page: Page) -> None:
    """Nothing on the page runs but the package's own scripts."""
    for tag, attributes in page.elements:
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        if tag == "script":
            assert attributes.get("type") in ("application/ld+json", "application/json") or (
                attributes.get("src", "").startswith("/static/")
            ), attributes
        assert tag not in ("img", "iframe", "object", "embed", "style"), (tag, attributes)
        for name in ("href", "src", "action"):
            value = attributes.get(name, "").strip().lower()
            assert not value.startswith("javascript:"), (tag, attributes)


# --- Check ------------------------------------------------------------------------------


def test_check_page_shows_the_verdict_card(server, checker):
    from checker import render

    status, headers, html = get(server, "/?" + urllib.parse.urlencode({"text": MYTH}))
    assert status == 200
    assert headers.get_content_type() == "text/html"
    page = Page(html)
    text = page.all_text()
    verdict = checker.check(MYTH)
    assert verdict.verdict == "false"
    assert '<section class="verdict verdict-false"' in html
    assert "False" in text and verdict.explanation in text
    claim_path = "/claim/" + verdict.claim.iri.rsplit("/", 1)[1]
    assert claim_path in page.links()
    correction = checker.kb.claims[verdict.claim.corrected_by[0]]
    assert "Correction" in text and correction.label in text
    for source in verdict.sources:
        assert source.section in text
    assert f"{claim_path}#sources" in page.links()
    # The path: an SVG whose nodes link to their pages and whose edges are labelled.
    assert html.count("<svg") == 1
    svg = html[html.index("<svg") : html.index("</svg>")]
    for edge in verdict.justification:
        for iri in (edge.subject, edge.object):
            kind, name = iri.split("/kg/")[1].split("/", 1)
            assert f'href="/{kind}/{name}"' in svg
    assert 'class="edge-label"' in svg and "corrected by" in svg
    # The ClaimReview, as `dlcheck check --format jsonld` gives it.
    (block,) = page.data_blocks
    assert json.loads(block) == json.loads(json.dumps(render.as_claim_review(verdict, checker.kb)))
    assert_inert(page)


def test_several_lines_give_several_cards_and_a_blank_page_invites(server):
    text = f"{MYTH}\n\nTransformers use attention.\n"
    html = get(server, "/?" + urllib.parse.urlencode({"text": text}))[2]
    assert html.count('<section class="verdict verdict-') == 2
    html = get(server, "/")[2]
    assert "verdict-" not in html and "/?text=" in html


def test_pages_carry_a_content_security_policy(server):
    _, headers, _ = get(server, "/")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


# --- Browse -----------------------------------------------------------------------------


def test_browse_topics_to_claims_to_concepts(server, checker):
    page = Page(get(server, "/browse")[2])
    topics = [link for link in page.links() if link.startswith("/topic/")]
    assert len(topics) >= 10
    topic = Page(get(server, "/topic/accessibility")[2])
    claims = [link for link in topic.links() if link.startswith("/claim/")]
    assert "/claim/dl-restricted-to-experts" in claims
    status, _, html = get(server, "/claim/dl-restricted-to-experts")
    assert status == 200
    claim = Page(html)
    text = claim.all_text()
    kb_claim = checker.kb.claims["https://w3id.org/dlcheck/kg/claim/dl-restricted-to-experts"]
    assert kb_claim.label in text and "False (a myth)" in text
    assert checker.kb.claims[kb_claim.corrected_by[0]].label in text  # the correction
    assert checker.kb.claims[kb_claim.refuted_by[0]].label in text  # the evidence
    assert "Myth 5" in text  # the source's section
    assert "/concept/deep-learning" in claim.links()
    assert "Claims sharing its concepts" in text
    assert any(link.startswith("/claim/") for link in claim.links())


def test_the_catalogue_is_fetched_at_start_and_kept_per_graph(server, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from web import catalogue

    # The server asks for it as it starts, with no page requested (run this test alone).
    deadline = time.monotonic() + 60
    while server.site._catalogue is None:
        assert time.monotonic() < deadline, "the catalogue was not fetched at start"
        time.sleep(0.1)
    # A worker keeps the JSON under the graph's content hash and reads it back.
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(tmp_path))
    built = []
    monkeypatch.setattr(catalogue, "build_catalogue", lambda kb, ds: built.append(1) or b"{}")
    first, second = SimpleNamespace(content_hash="a" * 64), SimpleNamespace(content_hash="b" * 64)
    assert catalogue.answer_catalogue(first, None).body == b"{}"
    assert len(list(tmp_path.glob("catalogue-*.pickle"))) == 1
    assert catalogue.answer_catalogue(first, None).body == b"{}"
    assert len(built) == 1  # read from the cache the second time
    catalogue.answer_catalogue(second, None)  # another graph: built again
    assert len(built) == 2


def test_concept_page_shows_labels_definition_taxonomy_and_claims(server, checker):
    concept = checker.kb.concepts[
        "https://w3id.org/dlcheck/kg/concept/convolutional-neural-network"
    ]
    page = Page(get(server, "/concept/convolutional-neural-network")[2])
    text = page.all_text()
    assert concept.label in text
    if concept.definition:
        assert concept.definition in text
    for broader in concept.broader:
        assert "/concept/" + broader.rsplit("/", 1)[1] in page.links()
    assert any(link.startswith("/claim/") for link in page.links())
    assert "Narrower" in text and "Broader" in text


def test_search_over_labels_and_unknown_pages(server):
    page = Page(get(server, "/search?q=GPU")[2])
    assert "/concept/gpu" in page.links()
    status, _, body = get(server, "/claim/no-such-claim")
    assert status == 404 and body.count("\n") == 1
    assert get(server, "/search")[0] == 200


# --- SPARQL -----------------------------------------------------------------------------


def test_query_page_shows_a_table_and_offers_downloads(server):
    query = "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(?c = c:tpu) }"
    page = Page(get(server, "/query?" + urllib.parse.urlencode({"query": query}))[2])
    assert "1 result" in page.all_text()
    assert "/concept/tpu" in page.links()
    downloads = [link for link in page.links() if link.startswith("/query/results.")]
    assert len(downloads) == 2
    status, headers, body = get(server, downloads[0])
    assert status == 200 and headers.get_content_type() == "text/csv"
    assert "attachment" in headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(body))) == [
        ["c", "l"],
        ["https://w3id.org/dlcheck/kg/concept/tpu", "TPU"],
    ]
    status, headers, body = get(server, downloads[1])
    assert json.loads(body)["head"]["vars"] == ["c", "l"]


def test_query_page_shows_the_guards_refusal(server):
    for query, shown in [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "403"),
        ("SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", "403"),
        ("SELECT WHERE {", "SPARQL syntax error"),
    ]:
        status, _, html = get(server, "/query?" + urllib.parse.urlencode({"query": query}))
        assert status == 200
        assert shown in Page(html).all_text()
        assert 'role="alert"' in html


def test_example_queries_are_the_documented_ones(server):
    from web.pages import example_queries

    documented = sorted((ROOT / "docs" / "queries").glob("*.rq"))
    assert [name for name, _ in example_queries()] == [p.stem for p in documented]
    assert [text for _, text in example_queries()] == [p.read_text() for p in documented]
    html = get(server, "/query")[2]
    for path in documented:
        assert path.stem in html


# --- Exam -------------------------------------------------------------------------------


def test_exam_upload_shows_the_report_and_its_downloads(server):
    status, _, html = upload(server, "seed.gift", (ROOT / "examples/seed.gift").read_bytes())
    assert status == 200
    page = Page(html)
    assert "disagrees" in page.all_text()
    assert 'class="row-disagrees"' in html
    data_links = [link for link in page.links() if link.startswith("data:")]
    assert len(data_links) == 3
    assert any(link.startswith("data:text/csv") for link in data_links)
    assert_inert(page)


def test_exam_refuses_what_it_cannot_read(server):
    status, _, html = upload(server, "bank.bin", b"\x00\x01binary")
    assert status == 200 and "Not read" in Page(html).all_text()
    assert get(server, "/exam", data=b"x=1", headers={"Content-Type": "text/plain"})[0] == 400


# --- hostile input ----------------------------------------------------------------------

HOSTILE = [
    "<script>window.pwned = 1</script> CNNs need GPUs",
    '"><img src=x onerror="window.pwned=1"> GPUs',
    "' onmouseover='window.pwned=1' x='",
    "</textarea><script>window.pwned=1</script>",
    "</script><script>window.pwned=1</script>",
    "javascript:window.pwned=1",
    "{{ 7*7 }} {% raw %} ${7*7}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_statements_come_back_as_text(server, text):
    for path in ("/?", "/search?", "/query?"):
        name = {"/?": "text", "/search?": "q", "/query?": "query"}[path]
        status, _, html = get(server, path + urllib.parse.urlencode({name: text}))
        assert status == 200
        page = Page(html)
        assert_inert(page)
        assert text.strip() in page.all_text() or text.strip() in html.replace("&#34;", '"')
        assert "49" not in page.all_text().replace(text, "")


def test_huge_inputs_are_refused_in_one_line(server):
    status, _, body = get(server, "/?" + urllib.parse.urlencode({"text": "GPUs " * 20_000}))
    assert status == 431 and body == "the request head is over 65536 bytes\n"
    long = "CNNs need GPUs " * 800  # 12,000 characters: over the statement limit
    status, _, html = get(server, "/?" + urllib.parse.urlencode({"text": long}))
    assert status == 200 and "Not checked" in html
    big = b"::q:: x {=a ~b}\n" * (1 << 19)  # 8 MB
    status, _, body = upload(server, "big.gift", big)
    assert status == 413 and body.count("\n") == 1


def test_hostile_bank_files_come_back_as_text(server):
    gift = (
        b"::<script>window.pwned=1</script>:: Which is <img src=x onerror=alert(1)> true? {\n"
        b'=CNNs need GPUs"><script>window.pwned=1</script>\n'
        b"~' onfocus='window.pwned=1\n}\n"
    )
    csv_bank = (
        b'question,A,B,answer\n"<script>alert(1)</script> Which is true?",'
        b'"""><svg onload=alert(1)>",CNNs need GPUs,A\n'
    )
    for name, content in [("evil.gift", gift), ("evil.csv", csv_bank), ("<x>.gift", gift)]:
        status, _, html = upload(server, name, content)
        assert status == 200
        page = Page(html)
        assert_inert(page)
        assert "<script>window.pwned=1</script>" not in html


def test_page_load_every_page_is_answered(server):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("web_speed", ROOT / "bench/web_speed.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    sent, answered, failures, seconds = bench.page_load(server.base_url, threads=8, per_thread=100)
    assert (sent, answered, failures) == (800, 800, [])
    print(f"\npage load: {answered / seconds:.0f} pages/s")
