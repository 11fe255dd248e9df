"""The language of a request: from the URL for pages, from the browser elsewhere.

Pages are served through ``i18n_patterns(prefix_default_language=False)``:
``/notizie/…`` is Italian and ``/en/news/…`` English, whatever Accept-Language
says. Django's own LocaleMiddleware would also force the default language on
every other unprefixed URL (the hosted newsletter pages, the API's messages),
which would show the subscription form in Italian to an English browser; so
those URLs keep negotiating the language as before, and only they vary on
Accept-Language. With an unprefixed default language Django never redirects
``/`` to ``/en/``; this class keeps it that way.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.cache import patch_vary_headers


def served_by_language_patterns(path: str, urlconf: str | None = None) -> bool:
    """Whether the i18n_patterns answer this unprefixed path (rather than an earlier route)."""
    return _served_by_language_patterns(get_resolver(urlconf), path)


# Keyed by the resolver too: a new one (clear_url_caches, another urlconf) starts afresh.
# Bounded, since anyone chooses the path; a miss costs what the walk always cost.
@functools.lru_cache(maxsize=2048)
def _served_by_language_patterns(resolver: URLResolver, path: str) -> bool:
    relative = path.removeprefix("/")
    with translation.override(settings.LANGUAGE_CODE):
        for pattern in resolver.url_patterns:  # the top-level routes, a fixed short list
            try:
                match = pattern.resolve(relative)
            except Resolver404:
                continue
            if match:
                return isinstance(pattern, URLResolver) and isinstance(
                    pattern.pattern, LocalePrefixPattern
                )
    return False


class PathLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        language = translation.get_language_from_path(request.path_info)
        request.language_negotiated = False
        if language is None:
            if is_language_prefix_patterns_used(urlconf)[0] and served_by_language_patterns(
                request.path_info, urlconf
            ):
                language = settings.LANGUAGE_CODE
            else:
                language = translation.get_language_from_request(request)
                request.language_negotiated = True
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "language_negotiated", True):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
