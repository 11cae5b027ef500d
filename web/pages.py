"""The pages: Check, Browse (topics, claims, concepts, sources, search), SPARQL and Exam.

Templates are Jinja2 with autoescaping on, so every text a user or the graph supplies is
escaped where it is written; the only markup inserted as it is comes from web/picture.py,
which escapes its own text. Scripts and styles are files of the package (the CSP allows
nothing else); each page works without them.
"""

from __future__ import annotations

import asyncio
import base64
import json
from importlib.resources import files
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ontology.names import short
from web.app import AnswerResponse, form, read_body
from web.catalogue import Catalogue, page_path
from web.endpoint import JSON, Answer, Refusal
from web.picture import draw_path

if TYPE_CHECKING:
    from web.server import DlcheckServer

MAX_LINES = 20  # statements checked per Check page
VERDICT_WORDS = {
    "true": "True",
    "false": "False",
    "partly_true": "Partly true",
    "unknown": "Unknown",
}
STATUS_WORDS = {"true": "True", "false": "False (a myth)", "partly_true": "Partly true"}
EXAM_FORMATS = ("gift", "aiken", "moodle", "csv", "json")
# An upload is held in memory, never spooled to a temporary file: nothing uploaded is stored.
MultiPartParser.spool_max_size = 1 << 30


def answer_verdict(checker, text: str) -> Answer:
    """In a worker: the verdict of each line of the text, with its ClaimReview (JSON)."""
    from checker import render

    lines = [line.strip() for line in text.splitlines() if line.strip()][:MAX_LINES]
    found = []
    for line, verdict in zip(lines, checker.check_many(lines), strict=True):
        if verdict.error:
            found.append({"text": line, "error": verdict.error})
        else:
            review = render.as_claim_review(verdict, checker.kb)
            found.append({"verdict": verdict.as_dict(), "review": review})
    return Answer(200, JSON, json.dumps(found, ensure_ascii=False).encode())


def example_queries() -> list[tuple[str, str]]:
    """(name, text) of the example queries shipped with the package (docs/queries/)."""
    folder = files("web") / "queries"
    return sorted(
        (entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    )


class Site:
    """The pages of one server: its templates, its catalogue and its routes."""

    def __init__(self, server: DlcheckServer):
        self.server = server
        self.templates = Environment(
            loader=PackageLoader("web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            page_path=page_path, verdict_words=VERDICT_WORDS, status_words=STATUS_WORDS
        )
        self._catalogue: Catalogue | None = None
        self._catalogue_lock = asyncio.Lock()
        self.queries = example_queries()

    def routes(self) -> list:
        static = StaticFiles(directory=str(files("web") / "static"))
        return [
            Route("/", self.check_page, methods=["GET"]),
            Route("/browse", self.browse_page, methods=["GET"]),
            Route("/search", self.search_page, methods=["GET"]),
            Route("/claim/{name:path}", self.entry_page, methods=["GET"]),
            Route("/concept/{name:path}", self.entry_page, methods=["GET"]),
            Route("/topic/{name:path}", self.entry_page, methods=["GET"]),
            Route("/source/{name:path}", self.entry_page, methods=["GET"]),
            Route("/query", self.query_page, methods=["GET", "POST"]),
            Route("/query/results.{fmt}", self.query_download, methods=["GET"]),
            Route("/exam", self.exam_page, methods=["GET", "POST"]),
            Mount("/static", static, name="static"),
        ]

    def page(self, template: str, status: int = 200, **values) -> HTMLResponse:
        html = self.templates.get_template(template).render(**values)
        return HTMLResponse(html, status)

    async def warm(self) -> None:
        """Fetch the catalogue ahead of the first page; a failure is the first page's to
        report (it asks again)."""
        try:
            await self.catalogue()
        except Refusal:
            pass

    async def catalogue(self) -> Catalogue:
        """The browse data, fetched from a worker once."""
        async with self._catalogue_lock:
            if self._catalogue is None:
                answer = await self.server.pool.catalogue()
                if answer.status != 200:
                    raise Refusal(answer.status, answer.body.decode())
                self._catalogue = Catalogue.from_json(answer.body)
        return self._catalogue

    # Check ----------------------------------------------------------------------------------

    async def check_page(self, request: Request) -> Response:
        text = _one(form(request.url.query), "text")
        cards, error = [], None
        if text.strip():
            answer = await self.server.pool.verdict(text)
            if answer.status != 200:
                error = answer.body.decode().strip()
            else:
                catalogue = await self.catalogue()
                found = json.loads(answer.body)
                cards = [self._card(catalogue, item, n) for n, item in enumerate(found)]
        return self.page("check.html", text=text, cards=cards, error=error, title="Check")

    def _card(self, catalogue: Catalogue, item: dict, number: int) -> dict:
        if "error" in item:
            return item
        verdict = item["verdict"]
        claim = verdict["claim"]
        entry = catalogue.claims.get(claim["id"]) if claim else None
        corrections = [(iri, catalogue.label(iri)) for iri in (entry or {}).get("corrected_by", [])]

        def style(iri: str) -> str:
            if iri in catalogue.claims:
                return catalogue.claims[iri]["status"]
            return "concept" if iri in catalogue.concepts else "other"

        picture = draw_path(
            verdict["justification"],
            catalogue.label,
            page_path,
            style,
            catalogue.label,
            ident=f"path{number}",
        )
        return {
            "verdict": verdict,
            "claim_entry": entry,
            "corrections": corrections,
            "picture": Markup(picture),
            "review": item["review"],
        }

    # Browse ---------------------------------------------------------------------------------

    async def browse_page(self, request: Request) -> Response:
        catalogue = await self.catalogue()
        topics = sorted(catalogue.topics.items(), key=lambda t: t[1]["label"].casefold())
        return self.page("browse.html", topics=topics, catalogue=catalogue, title="Browse")

    async def search_page(self, request: Request) -> Response:
        catalogue = await self.catalogue()
        words = _one(form(request.url.query), "q")
        hits = catalogue.search(words) if words.strip() else []
        return self.page("search.html", words=words, hits=hits, title="Search")

    async def entry_page(self, request: Request) -> Response:
        catalogue = await self.catalogue()
        found = catalogue.find(request.url.path)
        if found is None:
            raise Refusal(404, f"no such page: {request.url.path}; search at /search")
        iri, entry = found
        kind = request.url.path.strip("/").split("/")[0]
        values = {"iri": iri, "entry": entry, "catalogue": catalogue, "title": entry["label"]}
        if kind == "claim":
            values["sharing"] = catalogue.sharing(iri)
        if kind == "source":
            values["cited_by"] = catalogue.cited_by(iri)
        return self.page(f"{kind}.html", **values)

    # SPARQL ---------------------------------------------------------------------------------

    async def query_page(self, request: Request) -> Response:
        params = form(request.url.query)
        if request.method == "POST":
            body = await read_body(request, self.server.limits.max_body)
            params = {**params, **form(body.decode("utf-8", "replace"))}
        query = _one(params, "query")
        table, error = None, None
        if query.strip():
            answer = await self.server.pool.run(query, "application/sparql-results+json")
            if answer.status == 200:
                table = _table(json.loads(answer.body))
            else:
                error = f"{answer.status}: {answer.body.decode().strip()}"
        if not query.strip():
            query = self.queries[0][1] if self.queries else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        return self.page(
            "query.html",
            query=query,
            table=table,
            error=error,
            examples=self.queries,
            title="SPARQL",
            scripts=["sparql.js"],
        )

    async def query_download(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        media = {"csv": "text/csv", "json": "application/sparql-results+json"}.get(fmt)
        if media is None:
            raise Refusal(404, f"no download as {fmt}: ask for results.csv or results.json")
        query = _one(form(request.url.query), "query")
        if not query.strip():
            raise Refusal(400, "no query: give it as query=...")
        answer = await self.server.pool.run(query, media)
        response = AnswerResponse(answer)
        if answer.status == 200:
            response.headers["Content-Disposition"] = f'attachment; filename="results.{fmt}"'
        return response

    # Exam -----------------------------------------------------------------------------------

    async def exam_page(self, request: Request) -> Response:
        values = {"formats": EXAM_FORMATS, "title": "Exam", "report": None, "error": None}
        if request.method == "POST":
            await read_body(request, self.server.limits.max_upload)
            async with request.form(max_files=1, max_fields=4) as fields:
                upload = fields.get("bank")
                fmt = str(fields.get("format") or "") or None
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise Refusal(400, "choose a question bank file to upload")
                if fmt is not None and fmt not in EXAM_FORMATS:
                    raise Refusal(400, f"unknown format {fmt!r}; one of {', '.join(EXAM_FORMATS)}")
                data = await upload.read()
                name = upload.filename
            answer = await self.server.pool.exam(name, data, fmt)
            if answer.status != 200:
                values["error"] = answer.body.decode().strip()
            else:
                values["report"] = _report(json.loads(answer.body))
        return self.page("exam.html", **values)


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) > 1:
        raise Refusal(400, f"give one {name} parameter, not several")
    return values[0] if values else ""


def _table(results: dict) -> dict:
    """SPARQL JSON results as a header and rows of (text, page path or None)."""
    if "boolean" in results:
        return {"head": ["answer"], "rows": [[("true" if results["boolean"] else "false", None)]]}
    head = results["head"]["vars"]
    rows = []
    for binding in results["results"]["bindings"]:
        row = []
        for var in head:
            value = binding.get(var)
            if value is None:
                row.append(("", None))
            else:
                text = value["value"]
                if value["type"] == "uri":  # as a curator writes it, linked to its page
                    row.append((short(text), page_path(text)))
                else:
                    row.append((text, None))
        rows.append(row)
    return {"head": head, "rows": rows}


def _report(data: dict) -> dict:
    """The exam report with its downloads as data: URLs (nothing is kept on the server)."""
    types = {"csv": "text/csv", "json": "application/json", "junit": "application/xml"}
    data["links"] = {
        fmt: f"data:{types[fmt]};charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
        for fmt, text in data.pop("downloads").items()
    }
    counts: dict[str, int] = {}
    for question in data["questions"]:
        status = question["key_status"] or "skipped"
        counts[status] = counts.get(status, 0) + 1
    data["counts"] = counts
    return data
