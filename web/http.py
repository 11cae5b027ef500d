"""The HTTP connection as dlcheck keeps it, on uvicorn's h11 protocol: one deadline for a
whole request head, a cap on connections still sending theirs, and a one-line answer, logged
with its control characters escaped, to a request h11 cannot read.

uvicorn reads every connection in one event loop, so a client trickling a byte a second costs
a buffer, not a thread; what it lacks is a deadline for the head (its keep-alive timer
restarts on every byte) and dlcheck's words for the requests it refuses.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from web.endpoint import TEXT, Limits

# Control characters (ESC above all) a client could send to a terminal showing the log.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def printable(text: str) -> str:
    """Text with its control characters written as \\xNN, safe to show on a terminal."""
    return text.translate(_CONTROL)


class Doorway(Protocol):
    """What the connections of one server share: its limits, its count of connections still
    sending their request head, and its log."""

    limits: Limits
    waiting: int

    def log(self, client: str, request_line: str, status: int) -> None: ...


def reply(status: int, reason: str, message: str, retry: bool = False) -> bytes:
    """A whole HTTP answer of one line of text that closes the connection."""
    body = (message + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {TEXT}\r\n"
        f"Content-Length: {len(body)}\r\nServer: dlcheck\r\n"
        + ("Retry-After: 1\r\n" if retry else "")
        + "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def protocol_for(doorway: Doorway) -> type[H11Protocol]:
    """The connection class uvicorn builds for each client of this server."""
    return type("DlcheckConnection", (DlcheckConnection,), {"doorway": doorway})


class _LingeringClose:
    """The connection's transport, but closing it first stops writing and drops what the
    client still sends, until it closes or for 2 s at most: closing a socket with unread
    data makes the kernel reset the connection, and a client still sending a refused body
    would see "connection reset" instead of the answer."""

    LINGER = 2.0

    def __init__(self, transport: asyncio.Transport, protocol: DlcheckConnection):
        self._transport = transport
        self._protocol = protocol
        self._closing = False

    def __getattr__(self, name: str):
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self._closing or self._transport.is_closing()

    def close(self) -> None:
        if self._closing or self._transport.is_closing():
            return
        self._closing = True
        if self._protocol.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._transport.close()  # the client has sent all it meant to: nothing to drop
            return
        self._protocol.draining = True
        try:
            self._transport.write_eof()
            self._transport.resume_reading()
        except (OSError, RuntimeError, NotImplementedError):
            self._transport.close()
            return
        self._protocol.loop.call_later(self.LINGER, self._transport.close)


class DlcheckConnection(H11Protocol):
    doorway: Doorway
    draining = False  # answered and closing: what still arrives is dropped

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._waiting = False  # counted among the connections still sending a head
        self._seen = None  # the request cycle whose head has arrived last
        self._head = bytearray()  # the request head being read (up to the limit and a bit)
        self._unreadable: h11.RemoteProtocolError | None = None
        next_event = self.conn.next_event

        def remembering_next_event():
            # uvicorn answers every unreadable request alike; the error says which it was.
            try:
                return next_event()
            except h11.RemoteProtocolError as exc:
                self._unreadable = exc
                raise

        self.conn.next_event = remembering_next_event

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_LingeringClose(transport, self))  # type: ignore[arg-type]
        limit = self.doorway.limits.max_waiting
        if self.doorway.waiting >= limit:
            message = f"the server is at its limit of {limit} waiting; try again"
            self.transport.write(reply(503, "Service Unavailable", message, retry=True))
            self.transport.close()
            return
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.draining:
            return
        if self._waiting:
            # h11 counts only a head that arrives in pieces; one read can bring a bigger one.
            limit = self.doorway.limits.max_head
            self._head += data[: limit + 4 - len(self._head)]
            end = self._head.find(b"\r\n\r\n")
            if end > limit or (end < 0 and len(self._head) > limit):
                self._refuse(431, "Request Header Fields Too Large", self._too_long())
                return
        super().data_received(data)
        self._note_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        self._note_head()  # a pipelined request may have started
        if self.cycle is self._seen and self.cycle.response_complete:
            self._await_head()  # kept alive: the next head gets a deadline of its own

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """An unreadable request: one line saying why, in dlcheck's words, and a log line."""
        self._stop_waiting()
        error = self._unreadable
        if error is not None and error.error_status_hint == 431:
            self._refuse(431, "Request Header Fields Too Large", self._too_long())
        elif error is not None and "Content-Length" in str(error):
            self._refuse(400, "Bad Request", "give one Content-Length header, not several")
        else:
            self._refuse(400, "Bad Request", f"bad request: {error or msg}")

    def _too_long(self) -> str:
        return f"the request head is over {self.doorway.limits.max_head} bytes"

    def _refuse(self, status: int, reason: str, message: str) -> None:
        self._stop_waiting()
        line = bytes(self._head[:512]).split(b"\n", 1)[0].rstrip(b"\r")
        client = self.client[0] if self.client else "-"
        self.doorway.log(client, line.decode("latin-1"), status)
        self.transport.write(reply(status, reason, message))
        self.transport.close()

    # the head's deadline ----------------------------------------------------------------

    def _await_head(self) -> None:
        if not self._waiting:
            self._waiting = True
            self.doorway.waiting += 1
            self._head.clear()
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.loop.call_later(
            self.doorway.limits.client_timeout, self._head_is_late
        )

    def _note_head(self) -> None:
        if self.cycle is not None and self.cycle is not self._seen:
            self._seen = self.cycle
            self._stop_waiting()

    def _stop_waiting(self) -> None:
        if self._waiting:
            self._waiting = False
            self.doorway.waiting -= 1
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_is_late(self) -> None:
        # The whole head, not each read, had client_timeout: the connection goes, as it did.
        self._head_timer = None
        if self._waiting and not self.transport.is_closing():
            self._stop_waiting()
            self.transport.close()
