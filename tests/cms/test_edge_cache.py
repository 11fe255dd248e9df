"""A real Varnish (deploy/varnish/default.vcl) in front of the test server, purged on publish.

The purge travels as it does in production: the signal computes the paths
(cms/edge.py), the transaction commits, a real Celery worker runs
cms.tasks.purge_edge, which sends PURGE requests through
wagtail.contrib.frontend_cache to Varnish's purge listener.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.core.signals import request_started

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
LISTING = "/api/v2/pages/?type=cms.NewsPage&fields=*"

pytestmark = [pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Varnish:
    """varnishd as a child process: a public listener and a purge listener, both on loopback."""

    def __init__(self, backend_port: int, workdir: Path) -> None:
        vcl = (ROOT / "deploy/varnish/default.vcl").read_text()
        vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";')
        vcl = vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
        assert f'.port = "{backend_port}";' in vcl
        self.vcl = workdir / "test.vcl"
        self.vcl.write_text(vcl)
        self.workdir = workdir
        self.port = free_port()
        self.purge_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.purge_url = f"http://127.0.0.1:{self.purge_port}"
        self.log = (workdir / "varnishd.log").open("wb")
        self.process: subprocess.Popen | None = None

    def start(self) -> Varnish:
        self.process = subprocess.Popen(
            [
                VARNISHD, "-F", "-j", "none", "-n", str(self.workdir / "n"),
                "-a", f"http=127.0.0.1:{self.port},HTTP",
                "-a", f"purge=127.0.0.1:{self.purge_port},HTTP",
                "-f", str(self.vcl), "-s", "malloc,32m",
                "-p", "ban_lurker_sleep=0.01",
            ],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.workdir / "varnishd.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("varnishd did not listen within 30 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()

    def get(self, path: str, method: str = "GET", base: str | None = None):
        request = urllib.request.Request((base or self.url) + path, method=method)
        try:
            with _opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other: counted once


_opener = urllib.request.build_opener(_NoRedirects)


class DjangoRequests:
    """Counts the requests that reach Django (the live server runs in this process)."""

    def __init__(self) -> None:
        self.paths: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, sender, environ=None, **kwargs) -> None:
        if environ is not None:
            with self.lock:
                self.paths[environ.get("PATH_INFO", "")] += 1

    def total(self) -> int:
        with self.lock:
            return sum(self.paths.values())


@pytest.fixture
def django_requests():
    counter = DjangoRequests()
    request_started.connect(counter, dispatch_uid="edge-cache-test-counter")
    yield counter
    request_started.disconnect(dispatch_uid="edge-cache-test-counter")


@pytest.fixture
def varnish(live_server, tmp_path):
    if not Path(VARNISHD).exists():
        pytest.fail(f"varnishd is missing at {VARNISHD}: apt-get install varnish (.ci/run does)")
    port = int(live_server.url.rsplit(":", 1)[1])
    server = Varnish(port, tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def edge(varnish, settings, celery_worker_factory):
    """The app purges `varnish`: this process enqueues, a real worker sends the PURGEs."""
    settings.VARNISH_URL = varnish.purge_url
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "cms.edge.VarnishBackend", "LOCATION": varnish.purge_url}
    }
    celery_worker_factory(VARNISH_URL=varnish.purge_url)
    return varnish


def wait_until_served(varnish: Varnish, path: str, expected, timeout: float = 1.0):
    """Poll through Varnish until `expected(status, body)` holds; return the seconds it took."""
    start = time.monotonic()
    status, _, body = varnish.get(path)
    while not expected(status, body):
        assert time.monotonic() - start < timeout, (
            f"{path} still served old content {timeout} s after the change: {status} {body[:200]}"
        )
        time.sleep(0.02)
        status, _, body = varnish.get(path)
    return time.monotonic() - start


def assert_served_from_cache(varnish, django_requests, paths, repeat: int = 10) -> None:
    before = django_requests.total()
    for _ in range(repeat):
        for path in paths:
            status, headers, _ = varnish.get(path)
            assert status == 200, path
            assert headers.get("X-Edge-Cache") == "hit", (path, headers)
    assert django_requests.total() == before, django_requests.paths


def test_a_publish_reaches_readers_through_varnish_within_a_second(edge, django_requests):
    topic = factories.topic("Spazio")
    page = factories.news(title="Prima versione", topics=[topic])
    detail = f"/api/v2/pages/{page.id}/"
    topic_detail = f"/api/v2/topics/{topic.id}/"
    paths = [LISTING, detail, topic_detail, "/feeds/news.rss"]
    for path in paths:
        assert edge.get(path)[0] == 200, path  # fills the edge cache
    assert_served_from_cache(edge, django_requests, paths)

    page.title = "Seconda versione"
    page.save_revision().publish()

    for path in (LISTING, detail, "/feeds/news.rss"):
        wait_until_served(edge, path, lambda status, body: "Seconda versione" in body)
    # Exactly what changed: the topic's own detail does not show the page and stays cached.
    before = django_requests.paths[topic_detail]
    assert edge.get(topic_detail)[1].get("X-Edge-Cache") == "hit"
    assert django_requests.paths[topic_detail] == before
    # Between publishes, nothing reaches Django again.
    assert_served_from_cache(edge, django_requests, paths)


def test_an_unpublished_page_is_gone_from_varnish_within_a_second(edge, django_requests):
    page = factories.news(title="Notizia da ritirare")
    detail = f"/api/v2/pages/{page.id}/"
    for path in (detail, LISTING):
        assert edge.get(path)[0] == 200, path
    assert_served_from_cache(edge, django_requests, [detail, LISTING])

    page.unpublish()

    wait_until_served(edge, detail, lambda status, body: status == 404)
    wait_until_served(edge, LISTING, lambda status, body: "Notizia da ritirare" not in body)


def test_a_renamed_topic_reaches_the_page_listing_within_a_second(edge, django_requests):
    topic = factories.topic("Robotica")
    page = factories.news(title="Notizia con tema", topics=[topic])
    detail = f"/api/v2/pages/{page.id}/"
    paths = [LISTING, detail, f"/api/v2/topics/{topic.id}/", "/api/v2/topics/"]
    for path in paths:
        assert "Robotica" in edge.get(path)[2], path
    assert_served_from_cache(edge, django_requests, paths)

    topic.name = "Robotica spaziale"
    topic.save()

    for path in paths:
        wait_until_served(edge, path, lambda status, body: "Robotica spaziale" in body)


def test_varnish_refuses_purges_from_the_public_listener(edge, django_requests):
    page = factories.news(title="Notizia protetta")
    detail = f"/api/v2/pages/{page.id}/"
    assert edge.get(detail)[0] == 200
    for method in ("PURGE", "BAN"):
        status, _, _ = edge.get(detail, method=method)
        assert status == 405, method
    assert_served_from_cache(edge, django_requests, [detail])
    # The purge listener does accept it, and the next request goes to Django.
    assert edge.get(detail, method="PURGE", base=edge.purge_url)[0] == 200
    before = django_requests.total()
    assert edge.get(detail)[0] == 200
    assert django_requests.total() == before + 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/login/"),
        ("GET", "/newsletter/"),
        ("GET", "/api/v2/preview/"),
        ("POST", "/api/v2/pages/"),
    ],
)
def test_varnish_passes_the_admin_forms_preview_and_posts_to_django(
    varnish, django_requests, method, path
):
    for attempt in range(1, 4):
        varnish.get(path, method=method)
        assert django_requests.total() == attempt, django_requests.paths


def test_a_deleted_page_is_gone_from_varnish_within_a_second(edge, django_requests):
    page = factories.news(title="Notizia da cancellare")
    detail = f"/api/v2/pages/{page.id}/"
    for path in (detail, LISTING):
        assert edge.get(path)[0] == 200, path
    assert_served_from_cache(edge, django_requests, [detail, LISTING])

    page.delete()

    wait_until_served(edge, detail, lambda status, body: status == 404)
    wait_until_served(edge, LISTING, lambda status, body: "Notizia da cancellare" not in body)


def test_a_moved_page_shows_its_new_address_through_varnish_within_a_second(edge, django_requests):
    from cms.models import NewsIndexPage

    index = factories.site_tree()
    archive = index.get_parent().add_child(
        instance=NewsIndexPage(title="Archivio", slug="archivio", locale=index.locale)
    )
    archive.save_revision().publish()
    page = factories.news(index, title="Notizia da spostare")
    detail = f"/api/v2/pages/{page.id}/"
    assert "/archivio/" not in edge.get(detail)[2]
    assert_served_from_cache(edge, django_requests, [detail])

    page.move(archive, pos="last-child")

    wait_until_served(edge, detail, lambda status, body: "/archivio/" in body)
