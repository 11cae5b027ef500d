"""The web application: the SPARQL endpoint, /check and /health, and the pages.

`Gatekeeper` wraps every request: the cap on requests answered at once, the body's limits
(411, 413, 408), the headers every answer carries (CSP, Vary, Retry-After, Allow), one line
of text for every error, and the log. Work that can run long goes to the worker pool
(web/workers.py), so the event loop never waits for it.

The machine routes (`/sparql`, `/check`, `/health`) are answered by `Api`, plain ASGI, before
Starlette: they are where load comes from, and Starlette's router, middleware and request
objects cost the web process about a tenth of its CPU time per query (measured with
bench/server_load.py). The pages are Starlette's.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from web.endpoint import JSON, Answer, Refusal, service_description

if TYPE_CHECKING:
    from web.server import DlcheckServer

# Pages may load only what the server itself serves: no inline script, no other origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")
# The headers every answer carries, encoded once.
_EVERY_ANSWER = [
    (b"vary", b"Accept"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class AnswerResponse(Response):
    """An Answer as a Starlette response: its status, its content type and its bytes."""

    def __init__(self, answer: Answer, close: bool = False):
        headers = {"Content-Type": answer.content_type}
        if close:
            headers["Connection"] = "close"
        super().__init__(answer.body, answer.status, headers)


class BodyRefusal(Refusal):
    """A refusal after which the connection closes: the rest of the body is not read."""


def form(text: str) -> dict[str, list[str]]:
    """A query string or form body; more than 64 fields is a bad request."""
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=64)
    except ValueError as exc:
        raise Refusal(400, f"bad form or query string: {exc}") from None


def utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(400, f"the request body is not UTF-8 (byte {exc.start})") from None


async def read_body(request: Request | Call, limit: int) -> bytes:
    """The body of a POST within the size limit and the rest of the client timeout."""
    coding = request.headers.get("transfer-encoding", "").strip().lower()
    if coding not in ("", "identity"):
        raise BodyRefusal(411, "send the body with a Content-Length, not chunked")
    lengths = request.headers.getlist("content-length")
    if not lengths:
        raise BodyRefusal(411, "a POST needs a Content-Length")
    if len(lengths) > 1:  # which one a proxy on the way believed is anybody's guess
        raise BodyRefusal(400, "give one Content-Length header, not several")
    try:
        length = int(lengths[0])
        if length < 0:
            raise ValueError
    except ValueError:
        raise BodyRefusal(400, f"bad Content-Length: {lengths[0]!r}") from None
    if length > limit:
        raise BodyRefusal(413, f"the request body is {length} bytes; the limit is {limit}")
    left = request.scope["dlcheck.deadline"] - time.monotonic()
    try:
        data = await asyncio.wait_for(request.body(), max(left, 0.001))
    except TimeoutError:
        raise BodyRefusal(408, "the request body did not arrive in time") from None
    except ClientDisconnect:
        raise BodyRefusal(400, "the request body ended before its Content-Length") from None
    return data


# --- /sparql, /check, /health --------------------------------------------------------------


class Call:
    """A request to one of the machine routes, read straight from the ASGI scope: what
    read_body and the handlers need of Starlette's Request, without building one."""

    __slots__ = ("headers", "method", "receive", "scope")

    def __init__(self, scope: dict, receive: Receive):
        self.scope = scope
        self.receive = receive
        self.method = scope["method"]
        self.headers = Headers(raw=scope["headers"])

    @property
    def query(self) -> str:
        return self.scope["query_string"].decode("latin-1")  # h11 lets only ASCII in

    async def body(self) -> bytes:
        chunks = []
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


class Api:
    """/sparql, /check and /health as plain ASGI: each answer is an `Answer`."""

    def __init__(self, server: DlcheckServer):
        self.server = server
        self.routes = {"/sparql": self.sparql, "/check": self.check, "/health": self.health}

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        close = False
        call = Call(scope, receive)
        if call.method not in ("GET", "HEAD", "POST"):
            message = f"{call.method} is not allowed here: the endpoint is read-only"
            answer = Answer.text(405, message)
        else:
            try:
                answer = await self.routes[scope["path"]](call)
            except Refusal as exc:
                answer, close = exc.answer, isinstance(exc, BodyRefusal)
        await send_answer(send, answer, close)

    async def sparql(self, call: Call) -> Answer:
        server = self.server
        params = form(call.query)
        if call.method == "POST":
            media = _media_type(call)
            body = await read_body(call, server.limits.max_body)
            if media == "application/x-www-form-urlencoded":
                params = {**params, **form(utf8(body))}
            elif media == "application/sparql-query":
                params = {**params, "query": [utf8(body)]}
            elif media == "application/sparql-update":
                raise Refusal(403, "SPARQL updates are refused: this endpoint is read-only")
            else:
                raise Refusal(
                    415,
                    f"POST a query as application/x-www-form-urlencoded (query=...) or "
                    f"application/sparql-query, not {media or 'no Content-Type'}",
                )
        if "update" in params:
            raise Refusal(403, "SPARQL updates are refused: this endpoint is read-only")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            raise Refusal(
                403,
                "refused: default-graph-uri / named-graph-uri would load graphs from outside; "
                "the endpoint serves its one graph",
            )
        queries = params.get("query")
        if queries is None:
            if call.method == "POST":
                raise Refusal(400, "no query: send query=... or an application/sparql-query body")
            host = call.headers.get("host", "")
            if not _HOST_HEADER.match(host):
                host = server.url.split("/")[2]
            return service_description(host, server.pool.triples)
        if len(queries) > 1:
            raise Refusal(400, "give one query parameter, not several")
        return await server.pool.run(queries[0], call.headers.get("accept"))

    async def check(self, call: Call) -> Answer:
        params = form(call.query)
        if call.method == "POST":
            media = _media_type(call)
            body = utf8(await read_body(call, self.server.limits.max_body))
            if media == "application/x-www-form-urlencoded":
                params = {**params, **form(body)}
            elif media == "text/plain":
                params = {**params, "text": [body]}
            else:
                raise Refusal(415, "POST text=... as a form, or the statement as text/plain")
        texts = params.get("text")
        if not texts:
            raise Refusal(400, "no statement: give it as text=...")
        if len(texts) > 1:
            raise Refusal(400, "give one text parameter, not several")
        return await self.server.pool.check(texts[0])

    async def health(self, call: Call) -> Answer:
        pool = self.server.pool
        state = {"status": "ok", "triples": pool.triples, "workers": pool.size}
        state["idle_workers"] = pool.idle()
        return Answer(200, JSON, (json.dumps(state) + "\n").encode())


async def send_answer(send: Send, answer: Answer, close: bool = False) -> None:
    """An Answer as ASGI messages: its status, its content type and its bytes."""
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _media_type(request: Request | Call) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


# --- the whole application -------------------------------------------------------------------


def make_app(server: DlcheckServer, routes: list[Route]) -> Gatekeeper:
    """The pages' routes under Starlette, the machine routes before it, both behind the
    Gatekeeper."""

    async def not_routed(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        if status == 405:
            message = f"{request.method} is not allowed here: the endpoint is read-only"
        elif status == 404:
            message = (
                f"no such resource: {request.url.path}; try /sparql, /check or /health, "
                "or the pages at /"
            )
        else:
            message = str(getattr(exc, "detail", exc))
        return AnswerResponse(Answer.text(status, message))

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return AnswerResponse(exc.answer, close=isinstance(exc, BodyRefusal))

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_routed, Refusal: refused})
    return Gatekeeper(app, Api(server), server)


Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class Gatekeeper:
    """What every request goes through, whatever its route."""

    def __init__(self, app: Starlette, api: Api, server: DlcheckServer):
        self.app = app
        self.api = api
        self.server = server
        self.busy = 0  # requests being answered

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan and websockets are off
        limits = self.server.limits
        scope["dlcheck.deadline"] = time.monotonic() + limits.client_timeout
        status = 500

        async def send_with_headers(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), *_EVERY_ANSWER]
                if status == 503:
                    headers.append((b"retry-after", b"1"))
                if status == 405:
                    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                    headers.append((b"allow", b"GET, POST"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if self.busy >= limits.max_connections:
                limit = limits.max_connections
                answer = Answer.text(
                    503, f"the server is at its limit of {limit} connections; try again"
                )
                await AnswerResponse(answer, close=True)(scope, receive, send_with_headers)
                return
            self.busy += 1
            try:
                if scope["path"] in self.api.routes:
                    await self.api(scope, receive, send_with_headers)
                else:
                    await self.app(scope, receive, send_with_headers)
            except Exception as exc:  # a bug of ours: still an answer, and the server goes on
                answer = Answer.text(500, f"internal error: {type(exc).__name__}: {exc}")
                await AnswerResponse(answer, close=True)(scope, receive, send_with_headers)
            finally:
                self.busy -= 1
        finally:
            self._log(scope, status)

    def _log(self, scope: dict, status: int) -> None:
        target = scope.get("raw_path", b"").decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        line = f"{scope['method']} {target} HTTP/{scope.get('http_version', '1.1')}"
        client = scope.get("client")
        self.server.log(client[0] if client else "-", line, status)
