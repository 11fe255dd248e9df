"""HTTP caching and the server-side response cache for the public API and feeds.

One number, the content *generation*, says which version of the published
content a response was made from. Any publish, unpublish, move or delete of a
page or snippet, and any change to who may view what, bumps it (cms/signals.py).
From it follow, without rendering anything or touching the database:

- the ETag of a URL (a hash of the generation and the URL), so a conditional
  request is answered 304 before the view runs;
- Last-Modified (the moment of the last bump);
- whether the response stored in Redis for a URL is still good: it is kept
  with the generation it was rendered from, so a bump makes every stored
  response stale at once: no listing can be stale after a publish. Each
  process also keeps a small copy of recent entries, checked against the
  shared generation on every request, so a hit moves only the generation.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from config.client_ip import client_limit_key
from config.ratelimit import RateLimit

GENERATION_KEY = "api:generation"
RESPONSE_KEY = "api:response:{digest}"


class _Store:
    """Where the generation and the stored responses live.

    With Redis it talks to Redis directly, through one client per process:
    Django's cache builds a client per call and pickles values, which is most
    of the cost of a cache hit. Without Redis (development) it uses the cache.
    """

    def __init__(self) -> None:
        self._redis = None
        self._prefix = ""
        url = getattr(settings, "REDIS_URL", None)
        if url:
            import redis

            self._redis = redis.Redis.from_url(url)
            self._prefix = settings.CACHES["default"].get("KEY_PREFIX", "") + ":"

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if self._redis is not None:
            return self._redis.mget([self._prefix + key for key in keys])
        found = cache.get_many(keys)
        return [found.get(key) for key in keys]

    def set(self, key: str, value: bytes, timeout: int | None) -> None:
        if self._redis is not None:
            self._redis.set(self._prefix + key, value, ex=timeout)
        else:
            cache.set(key, value, timeout=timeout)

    def add(self, key: str, value: bytes) -> bool:
        if self._redis is not None:
            return bool(self._redis.set(self._prefix + key, value, nx=True))
        return cache.add(key, value, timeout=None)


class _LocalEntries:
    """This process's copy of recently served entries, checked against the shared generation."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple] = OrderedDict()

    def get(self, key: str) -> tuple | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: tuple) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_local_entries = _LocalEntries()


@functools.cache
def _store() -> _Store:
    return _Store()


@dataclass(frozen=True)
class Generation:
    value: bytes
    changed_at: int  # Unix seconds, for Last-Modified

    @classmethod
    def parse(cls, raw: bytes) -> Generation:
        return cls(raw, int(raw.split(b".")[0]) // 10**9)


def _new_generation() -> Generation:
    raw = f"{time.time_ns()}.0".encode()
    # Another process may have set it meanwhile: whichever was first wins.
    if not _store().add(GENERATION_KEY, raw):
        raw = _store().get_many([GENERATION_KEY])[0] or raw
    return Generation.parse(raw)


def current_generation() -> Generation:
    raw = _store().get_many([GENERATION_KEY])[0]
    return Generation.parse(raw) if raw is not None else _new_generation()


def _bump() -> None:
    _store().set(GENERATION_KEY, f"{time.time_ns()}.{id(object())}".encode(), timeout=None)


def invalidate() -> None:
    """Make every cached API and feed response stale.

    Bumped now (so this process and this transaction see fresh content) and
    again after commit (so no response rendered from pre-commit data in another
    process survives under the new generation).
    """
    _bump()
    transaction.on_commit(_bump)


def _encode(generation: Generation, response: HttpResponse) -> bytes:
    head = b"%s\n%d\n%s\n" % (
        generation.value,
        response.status_code,
        response["Content-Type"].encode(),
    )
    return head + response.content


def _decode(entry: bytes) -> tuple[bytes, int, str, bytes]:
    generation, status, content_type, content = entry.split(b"\n", 3)
    return generation, int(status), content_type.decode(), content


def _request_digest(request: HttpRequest) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    return hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]


def _etag(generation: Generation, digest: str) -> str:
    return quote_etag(hashlib.sha256(generation.value + b":" + digest.encode()).hexdigest()[:24])


def _not_modified(request: HttpRequest, etag: str, last_modified: int) -> bool:
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and last_modified <= since


def _set_cache_headers(response: HttpResponse, etag: str, last_modified: int) -> None:
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_MAX_AGE}"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)


def rate_limit() -> RateLimit | None:
    """API_RATE_LIMIT requests per API_RATE_LIMIT_PERIOD seconds per client IP; 0 turns it off."""
    limit = settings.API_RATE_LIMIT
    if not limit:
        return None
    return RateLimit("api", limit, settings.API_RATE_LIMIT_PERIOD)


def too_many_requests(retry_after: int) -> JsonResponse:
    response = JsonResponse(
        {"message": "too many requests: slow down and retry later", "parameter": None},
        status=429,
    )
    response["Retry-After"] = str(max(1, retry_after))
    response["Cache-Control"] = "no-store"
    return response


def public_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a read-only public view: rate limit, conditional requests, response cache."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        limiter = rate_limit()
        if limiter is not None:
            decision = limiter.hit(client_limit_key(request))
            if not decision.allowed:
                return too_many_requests(decision.retry_after)

        digest = _request_digest(request)
        key = RESPONSE_KEY.format(digest=digest)
        use_cache = bool(settings.API_RESPONSE_CACHE_TIMEOUT)
        # The common case is one small round trip (the generation) and a hit in this
        # process's own copy; otherwise the stored entry comes along in the same MGET.
        local = _local_entries.get(key) if use_cache else None
        keys = [GENERATION_KEY] if local is not None or not use_cache else [GENERATION_KEY, key]
        raw_generation, *stored = _store().get_many(keys)
        generation = (
            Generation.parse(raw_generation) if raw_generation is not None else _new_generation()
        )
        etag = _etag(generation, digest)
        if _not_modified(request, etag, generation.changed_at):
            response = HttpResponseNotModified()
            _set_cache_headers(response, etag, generation.changed_at)
            return response

        entry = local
        if local is None or local[0] != generation.value:
            if local is not None:  # stale here: fetch what other processes may have stored
                stored = _store().get_many([key])
            entry = _decode(stored[0]) if stored and stored[0] is not None else None
            if entry is not None and entry[0] == generation.value:
                _local_entries.put(key, entry)
        if entry is not None and entry[0] == generation.value:
            _, status, content_type, content = entry
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and use_cache:
                # Stored with the generation it was rendered from: a later bump makes it stale.
                encoded = _encode(generation, response)
                _store().set(key, encoded, settings.API_RESPONSE_CACHE_TIMEOUT)
                _local_entries.put(key, _decode(encoded))
            response["X-Cache"] = "miss"
        if response.status_code == 200:
            _set_cache_headers(response, etag, generation.changed_at)
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

    return wrapped
