"""A small HTTP/1.1 load generator that counts what it gets (wrk is not always installed).

Each of `processes` processes drives `connections` connections with a selector, one
request in flight per connection, keep-alive when the server allows it (gunicorn's
sync workers close after every response; the client then reconnects, as wrk does).
It counts statuses and the values of one response header (`X-Cache` from the app,
`X-Edge-Cache` from Varnish), so a run can prove what it measured.

With `unique=True` every request carries `_=<run nonce>-<process>-<connection>-<counter>`:
distinct across connections, processes, rounds and runs, so no response cache can
answer it (the app drops `_` from its cache key only to *store* canonical requests:
cms/caching.py; a unique `_` still makes every request its own Varnish object).
"""

from __future__ import annotations

import multiprocessing
import os
import selectors
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    header_values: Counter = field(default_factory=Counter)
    distinct_urls: int = 0
    body_bytes: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def merge(self, other: Result) -> None:
        self.requests += other.requests
        self.seconds = max(self.seconds, other.seconds)
        self.statuses.update(other.statuses)
        self.header_values.update(other.header_values)
        self.distinct_urls += other.distinct_urls
        self.body_bytes += other.body_bytes


class _Connection:
    def __init__(self, host: str, port: int, selector: selectors.BaseSelector) -> None:
        self.host, self.port, self.selector = host, port, selector
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.url = ""

    def open(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.selector.register(self.sock, selectors.EVENT_READ, self)
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.selector.unregister(self.sock)
            self.sock.close()
            self.sock = None

    def send(self, path: str, host_header: str) -> None:
        if self.sock is None:
            self.open()
        self.url = path
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: notiziario-bench\r\n\r\n"
        )
        self.sock.setblocking(True)
        self.sock.sendall(request.encode())
        self.sock.setblocking(False)

    def read(self, header: str) -> tuple[int, str | None, int, bool] | None:
        """(status, header value, body bytes, server closes) once a whole response is in."""
        try:
            chunk = self.sock.recv(262144)
        except BlockingIOError:
            return None
        if not chunk and not self.buffer:
            raise ConnectionError("closed before a response")
        self.buffer += chunk
        head, separator, body = self.buffer.partition(b"\r\n\r\n")
        if not separator:
            if not chunk:
                raise ConnectionError("closed in the middle of the headers")
            return None
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise ConnectionError("chunked responses are not supported by this load generator")
        length = int(headers.get("content-length", "0"))
        if len(body) < length:
            if not chunk:
                raise ConnectionError("closed in the middle of the body")
            return None
        self.buffer = body[length:]
        closes = headers.get("connection", "").lower() == "close"
        return status, headers.get(header.lower()), length, closes


def _worker(args: tuple) -> Result:
    url, duration, connections, unique, nonce, index, header = args
    parts = urlsplit(url)
    host_header = parts.netloc
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    joiner = "&" if "?" in path else "?"
    selector = selectors.DefaultSelector()
    result = Result()
    counter = 0
    seen: set[str] = set()
    pool = [_Connection(parts.hostname, parts.port or 80, selector) for _ in range(connections)]

    def next_path(connection_index: int) -> str:
        nonlocal counter
        if not unique:
            return path
        counter += 1
        return f"{path}{joiner}_={nonce}-{index}-{connection_index}-{counter}"

    start = time.perf_counter()
    deadline = start + duration
    for number, connection in enumerate(pool):
        connection.send(next_path(number), host_header)
    while time.perf_counter() < deadline:
        for key, _ in selector.select(timeout=1):
            connection: _Connection = key.data
            response = connection.read(header)
            if response is None:
                continue
            status, value, length, closes = response
            result.requests += 1
            result.statuses[status] += 1
            result.header_values[value or "-"] += 1
            result.body_bytes += length
            if unique:
                seen.add(connection.url)
            if closes:
                connection.close()
            connection.send(next_path(pool.index(connection)), host_header)
    result.seconds = time.perf_counter() - start
    for connection in pool:
        connection.close()
    result.distinct_urls = len(seen) if unique else 1
    return result


def run(
    url: str,
    duration: float,
    *,
    processes: int = 2,
    connections: int = 4,
    unique: bool = False,
    header: str = "X-Cache",
) -> Result:
    """Drive `url` for `duration` seconds; every process gets its own share of connections."""
    nonce = os.urandom(6).hex()
    jobs = [(url, duration, connections, unique, nonce, n, header) for n in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_worker, jobs)
    total = Result()
    for result in results:
        total.merge(result)
    return total
