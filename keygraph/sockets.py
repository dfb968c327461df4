"""Deadlines for what a client owes on a connection, so that a slow or silent socket is closed
rather than held forever.

uvicorn closes a connection left idle after a response (``timeout_keep_alive``), but it sets no
deadline on a request being received: a socket that connects and sends nothing, or half of a
request's headers, or a body shorter than its Content-Length, is kept until the client goes
away. ``GuardedConnection`` wraps the protocol uvicorn would use and follows the bytes it is
given with a parser of its own (httptools, the parser uvicorn uses itself), to know where each
request is:

- its headers must have arrived ``header_timeout`` seconds after the connection was made (first
  request) or after the request's first byte (later requests on a kept-alive connection);
- its body, ``body_timeout`` seconds after its headers;
- its target and headers hold at most ``max_header_bytes`` (uvicorn's parser sets no limit: a
  5 MB header line was taken whole).

A connection that misses a deadline or passes the limit is aborted: no answer (the client is
not reading one), and its file descriptor is released at once even when the client does not
read what was sent before. The wrapper reaches uvicorn only through its ``http`` setting and
the protocol its ``auto`` choice names (``AutoHTTPProtocol``): it forwards every event to that
protocol unchanged, and uvicorn serves the connection as it would without the wrapper.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, cast

import httptools
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from api.settings import Connections


class GuardedConnection(asyncio.Protocol):
    """uvicorn's HTTP protocol for one connection, with deadlines on receiving each request."""

    def __init__(self, limits: Connections, **uvicorn_arguments: Any) -> None:
        self._served = AutoHTTPProtocol(**uvicorn_arguments)
        self._limits = limits
        self._parser: httptools.HttpRequestParser | None = httptools.HttpRequestParser(
            _Progress(self)
        )
        # uvicorn's own parser lets a pipelined request follow a ``Connection: close`` one.
        self._parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self._transport: asyncio.Transport | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream server's transports are ``Transport``s; abort() is what a deadline needs.
        self._transport = cast(asyncio.Transport, transport)
        self.arm(self._limits.header_timeout)
        self._served.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._parser is not None:
            try:
                self._parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                # A WebSocket handshake (the GraphQL subscription): uvicorn hands the connection
                # to its WebSocket protocol, whose pings (and the subscription's connection_init
                # timeout) bound it from here; no HTTP deadline may cut it.
                self._parser = None
                self.disarm()
            except httptools.HttpParserError:
                # Bytes this parser cannot follow; uvicorn's refuses them the same way and
                # closes. Should it keep the connection, one more header timeout bounds it.
                self._parser = None
                self.arm(self._limits.header_timeout)
        self._served.data_received(data)

    def eof_received(self) -> bool | None:
        return self._served.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        self._parser = None
        self._served.connection_lost(exc)

    def pause_writing(self) -> None:
        self._served.pause_writing()

    def resume_writing(self) -> None:
        self._served.resume_writing()

    def request_began(self) -> None:
        """A later request's first byte: the first request's clock runs from the connection."""
        self._header_bytes = 0
        if self._deadline is None:
            self.arm(self._limits.header_timeout)

    def header_grew(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self._limits.max_header_bytes:
            self._abort()

    def headers_received(self) -> None:
        self.arm(self._limits.body_timeout)

    def arm(self, seconds: float) -> None:
        self.disarm()
        self._deadline = asyncio.get_running_loop().call_later(seconds, self._expire)

    def disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        self._abort()

    def _abort(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.abort()


class _Progress:
    """The parser's callbacks (httptools calls the ones an object has): where a request is."""

    def __init__(self, connection: GuardedConnection) -> None:
        self._connection = connection

    def on_message_begin(self) -> None:
        self._connection.request_began()

    def on_url(self, url: bytes) -> None:
        self._connection.header_grew(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._connection.header_grew(len(name) + len(value))

    def on_headers_complete(self) -> None:
        self._connection.headers_received()

    def on_message_complete(self) -> None:
        self._connection.disarm()


def guarded_protocol(limits: Connections) -> type[asyncio.Protocol]:
    """What uvicorn's ``http`` setting takes to make each connection's protocol. uvicorn calls
    it with keyword arguments; its annotation names a class, and a ``partial`` of one (which
    worker processes receive pickled) makes the same protocol."""
    return cast(type[asyncio.Protocol], partial(GuardedConnection, limits))
