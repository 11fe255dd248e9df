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

A generation also says until when it is good: the next scheduled expiry or
go-live of any page. After that moment the first request renews it, so no
stored response (and no max-age) outlives a scheduled change, even when beat,
which unpublishes expired pages, is late or down.

The stored responses live in their own Redis (CACHE_REDIS_URL, evictable,
maxmemory with an LRU policy), never in the broker's. Only canonical requests
are stored: the key is built from the parsed, sorted parameters (`_` dropped,
whole numbers normalised), the view renders from that same canonical query,
and a response over API_RESPONSE_CACHE_MAX_BYTES is served but not stored.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from wagtail.models import Site

from cms.public import next_scheduled_change
from web.client_ip import client_limit_key
from web.params import is_ascii_whole_number
from web.ratelimit import RateLimit
from web.redis_client import redis_client

GENERATION_KEY = "api:generation"
RESPONSE_KEY = "api:response:{digest}"
KEY_PATTERN = "api:*"
# The edge is purged again this many seconds after the first purge (see invalidate).
# A cache-buster: it changes no response, so it is dropped before the key is made.
CACHE_BUSTER = "_"
# Parameters whose value is a whole number: "05" and "5" are one request.
WHOLE_NUMBER_PARAMETERS = frozenset(
    ["limit", "offset", "id", "child_of", "descendant_of", "ancestor_of", "translation_of"]
)


class _Store:
    """Where the generation and the stored responses live.

    With Redis it talks to Redis directly (web.redis_client): Django's cache
    would be most of the cost of a cache hit. Without Redis (development) it
    uses the cache.
    """

    def __init__(self) -> None:
        self._redis = None
        self._prefix = ""
        url = getattr(settings, "CACHE_REDIS_URL", None)
        if url:
            self._redis = redis_client(url)
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

    def keys(self) -> list[str]:
        """Every key this store holds (tests and operations only: it scans)."""
        if self._redis is None:
            return []
        return [
            key.decode().removeprefix(self._prefix)
            for key in self._redis.scan_iter(match=self._prefix + KEY_PATTERN, count=1000)
        ]

    def forget_all(self) -> None:
        """Delete every stored response and the generation (tests and operations only)."""
        if self._redis is None:
            cache.delete(GENERATION_KEY)
            return
        for key in self.keys():
            self._redis.delete(self._prefix + key)


class _LocalEntries:
    """This process's copy of recently served entries, checked against the shared generation.

    Bounded in count and in bytes.
    """

    def __init__(self, size: int = 256, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[str, tuple] = OrderedDict()

    def get(self, key: str) -> tuple | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: tuple) -> None:
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.bytes -= len(previous[-1])
        self.entries[key] = entry
        self.bytes += len(entry[-1])
        while len(self.entries) > self.size or self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= len(dropped[-1])

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


_local_entries = _LocalEntries()


def _store() -> _Store:
    # Per process: a forked worker (gunicorn, Celery prefork) must not share the
    # parent's connection.
    return _store_of(os.getpid())


@functools.cache
def _store_of(pid: int) -> _Store:
    return _Store()


@dataclass(frozen=True)
class Generation:
    """Written "<changed at, ns>.<nonce>.<good until, Unix seconds; 0: no scheduled change>"."""

    value: bytes
    changed_at: int  # Unix seconds, for Last-Modified
    good_until: int | None = None  # the next scheduled expiry or go-live

    @classmethod
    def parse(cls, raw: bytes) -> Generation:
        parts = raw.split(b".")
        good_until = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
        return cls(raw, int(parts[0]) // 10**9, good_until or None)

    def seconds_left(self, now: float) -> int | None:
        """Whole seconds until the next scheduled change (0 once it is due); None: no change."""
        if self.good_until is None:
            return None
        return max(0, int(self.good_until - now))


def _now() -> float:
    return timezone.now().timestamp()


def _next_scheduled_change() -> int:
    """Unix seconds of the next expiry or go-live of any page, rounded down; 0 when none."""
    moment = next_scheduled_change()
    return int(moment.timestamp()) if moment is not None else 0


def _generation_value(nonce: int) -> bytes:
    return f"{time.time_ns()}.{nonce}.{_next_scheduled_change()}".encode()


def _new_generation() -> Generation:
    raw = _generation_value(0)
    # Another process may have set it meanwhile: whichever was first wins.
    if not _store().add(GENERATION_KEY, raw):
        raw = _store().get_many([GENERATION_KEY])[0] or raw
    return Generation.parse(raw)


def _bump() -> Generation:
    raw = _generation_value(id(object()))
    _store().set(GENERATION_KEY, raw, timeout=None)
    return Generation.parse(raw)


def forget_all() -> None:
    """Drop every stored response, this process's copies and the generation (tests, operations)."""
    _store().forget_all()
    _local_entries.clear()


def invalidate() -> None:
    """Make every cached API and feed response stale.

    Bumped now (so this process and this transaction see fresh content) and
    again after commit (so no response rendered from pre-commit data in another
    process survives under the new generation). An edge cache in front is purged
    by cms.signals, after the second bump.
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


def canonical_query(request: HttpRequest) -> QueryDict | None:
    """The query as one cache entry: `_` dropped, names sorted, whole numbers normalised.

    None when the request cannot share an entry with any other (a parameter
    given twice, a malformed whole number): it is answered but not stored.
    """
    canonical = QueryDict(mutable=True)
    for name, values in sorted(request.GET.lists()):
        if name == CACHE_BUSTER:
            continue
        if len(values) != 1:
            return None
        value = values[0]
        if name in WHOLE_NUMBER_PARAMETERS and value not in ("root",):
            if not is_ascii_whole_number(value):
                return None
            value = str(int(value))
        canonical[name] = value
    return canonical


def _use_canonical_query(request: HttpRequest, query: QueryDict) -> None:
    """Let the view render from the canonical query, so the stored response is the one it names."""
    query._mutable = False
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def _request_digest(request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
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


def _set_cache_headers(
    response: HttpResponse, etag: str, last_modified: int, seconds_left: int | None
) -> None:
    max_age = settings.API_CACHE_MAX_AGE
    if seconds_left is not None:
        max_age = min(max_age, seconds_left)
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)


# (generation value, Site.get_site_root_paths() as of that generation), for this process.
_site_root_paths: tuple[bytes, list] = (b"", [])


def _hand_site_root_paths_to_wagtail(request: HttpRequest, generation: Generation) -> None:
    """Give Wagtail the site root paths it needs for every page's address, without a
    round trip to its cache.

    Wagtail keeps them in Django's cache (a Redis GET and an unpickle per request) and
    looks first on the request. They change only with a Site, a Locale or a site root
    page, and every one of those changes bumps the generation (cms/signals.py), so
    this process keeps them for the generation it last saw.
    """
    global _site_root_paths
    value, paths = _site_root_paths
    if value != generation.value:
        paths = Site.get_site_root_paths()
        _site_root_paths = (generation.value, paths)
    request._wagtail_cached_site_root_paths = paths


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


def _unknown_parameter(name: str) -> JsonResponse:
    response = JsonResponse(
        {"message": f"unknown query parameter: {name[:60]}", "parameter": name[:60]}, status=400
    )
    response["Cache-Control"] = "no-store"
    return response


def public_endpoint(
    view: Callable[..., HttpResponse] | None = None, *, parameters: frozenset[str] | None = None
):
    """Wrap a read-only public view: rate limit, conditional requests, response cache.

    `parameters` lists the only query parameters a view takes, for views that do
    not check their own (the API viewsets and the feeds refuse unknown ones).
    """
    if view is None:
        return functools.partial(public_endpoint, parameters=parameters)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        limiter = rate_limit()
        if limiter is not None:
            decision = limiter.hit(client_limit_key(request))
            if not decision.allowed:
                return too_many_requests(decision.retry_after)
        if parameters is not None:
            unknown = sorted(set(request.GET) - parameters - {CACHE_BUSTER})
            if unknown:
                return _unknown_parameter(unknown[0])

        query = canonical_query(request)
        if query is not None:
            _use_canonical_query(request, query)
        use_cache = query is not None and bool(settings.API_RESPONSE_CACHE_TIMEOUT)
        digest = _request_digest(request)
        key = RESPONSE_KEY.format(digest=digest)
        # The common case is one small round trip (the generation) and a hit in this
        # process's own copy; otherwise the stored entry comes along in the same MGET.
        local = _local_entries.get(key) if use_cache else None
        keys = [GENERATION_KEY] if local is not None or not use_cache else [GENERATION_KEY, key]
        raw_generation, *stored = _store().get_many(keys)
        generation = (
            Generation.parse(raw_generation) if raw_generation is not None else _new_generation()
        )
        now = _now()
        if generation.good_until is not None and now >= generation.good_until:
            # A page's scheduled expiry or go-live is due: nothing rendered before may be served.
            generation = _bump()
            local, stored = None, []
        seconds_left = generation.seconds_left(now)
        etag = _etag(generation, digest)
        if _not_modified(request, etag, generation.changed_at):
            response = HttpResponseNotModified()
            _set_cache_headers(response, etag, generation.changed_at, seconds_left)
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
            _hand_site_root_paths_to_wagtail(request, generation)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            timeout = settings.API_RESPONSE_CACHE_TIMEOUT
            if seconds_left is not None:
                timeout = min(timeout, seconds_left)
            if (
                use_cache
                and response.status_code == 200
                and timeout > 0
                and len(response.content) <= settings.API_RESPONSE_CACHE_MAX_BYTES
            ):
                # Stored with the generation it was rendered from: a later bump makes it stale.
                encoded = _encode(generation, response)
                _store().set(key, encoded, timeout)
                _local_entries.put(key, _decode(encoded))
            response["X-Cache"] = "miss"
        if response.status_code == 200:
            _set_cache_headers(response, etag, generation.changed_at, seconds_left)
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

    return wrapped
