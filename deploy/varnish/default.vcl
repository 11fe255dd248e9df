vcl 4.1;

# The edge cache in front of Notiziario (docker-compose.yml: service `varnish`).
#
# - Caches what the app says is cacheable: it honours the app's Cache-Control
#   (public, max-age; no-store/private are passed), so a scheduled expiry or
#   go-live still bounds the time a response is kept (cms/caching.py).
# - Never caches the admin, the newsletter forms, the preview, the email
#   provider's webhooks or any method other than GET and HEAD.
# - Forgets what changed when the app says so: `PURGE <path>` from the app
#   (cms/edge.py, through wagtail.contrib.frontend_cache) bans every cached
#   object with that path, whatever its query string; a path ending in `*` bans
#   every path that starts with the rest. A purge is accepted only on the
#   `purge` listener (never published outside the compose network) and only
#   from an address in the `purgers` ACL; anything else gets 405, so a PURGE
#   forwarded by the public proxy to the `http` listener is refused.
#
# The backend and the ACL are written for docker-compose; the test suite writes
# its own copy with a local backend (tests/cms/test_edge_cache.py).

backend default {
    .host = "web";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
}

acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
    # The compose network: the web and worker containers.
    "172.16.0.0"/12;
    "192.168.0.0"/16;
    "10.0.0.0"/8;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (local.socket != "purge" || !client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.url ~ "\*$") {
            ban("obj.http.x-path ~ ^" + regsub(req.url, "\*$", ""));
        } else {
            ban("obj.http.x-path == " + regsub(req.url, "\?.*$", ""));
        }
        return (synth(200, "Purged"));
    }
    if (req.method == "BAN") {
        return (synth(405, "Not allowed"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A percent-encoded path ("/%61dmin/") is routed by Django as the decoded one, so the
    # rules below would not see it: no public path needs one, so it is never cached.
    if (req.url ~ "^[^?]*%") {
        return (pass);
    }
    # The admin, the newsletter's forms (CSRF, per subscriber), the preview (drafts),
    # provider webhooks, health checks: never from the cache.
    if (req.url ~ "^/(admin|django-admin|newsletter|anymail)/"
        || req.url ~ "^/api/v2/preview/"
        || req.url ~ "^/api/v2/(newsletters|subscriptions)/"
        || req.url ~ "^/(healthz|readyz)") {
        return (pass);
    }
    # The public API and the feeds answer the same to everyone: a session cookie must
    # not turn every browser's request into a miss.
    if (req.url ~ "^/(api/v2|feeds)/") {
        unset req.http.Cookie;
        unset req.http.Authorization;
    }
    return (hash);
}

sub vcl_backend_response {
    # What a PURGE matches: the path without the query string (ban-lurker friendly).
    set beresp.http.x-path = regsub(bereq.url, "\?.*$", "");
    # Varnish's built-in rules then honour Cache-Control: no-store, private, no-cache
    # and Set-Cookie make the response uncacheable; max-age (or s-maxage) sets the TTL.
    if (beresp.http.Cache-Control ~ "(no-store|private|no-cache)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # No serving past max-age unless the app asks for it (stale-while-revalidate): the app
    # cuts max-age to the next scheduled expiry or go-live, and Varnish's default grace
    # (10 s) would serve a response after that moment.
    if (beresp.http.Cache-Control !~ "stale-while-revalidate") {
        set beresp.grace = 0s;
    }
    if (!beresp.http.Cache-Control) {
        # The app states a lifetime for everything it wants cached: nothing else is kept.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    unset resp.http.x-path;
    # The edge's own verdict, beside the app's X-Cache.
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
}
