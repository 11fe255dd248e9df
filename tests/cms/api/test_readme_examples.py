"""Every curl example in the README runs against the demo content.

The examples are read from README.md's ``sh`` blocks as written (line continuations
joined), and run against the test server with the demo loaded: method (-X), headers
(-H), body (-d), redirects (-L). A trailing comment that starts with a status
("# 302 to the detail") is the status the example promises; otherwise it must be a
2xx (a 304 where the example sends a validator). The examples use two shell forms
besides curl, which this runner understands: ``NAME=value`` and
``NAME=$(curl -s URL | jq 'PATH')`` with a jq path like ``.items[0].id``.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

README = Path(__file__).resolve().parents[3] / "README.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$")
SUBSTITUTION = re.compile(r"^\$\((.*)\)$")
VARIABLE = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)\}?")
JQ_PATH = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")
# Hosts the examples may address: $SITE, and the local server of the newsletter section.
LOCAL_HOSTS = {"notizie.example.org", "localhost:8000"}


def readme_commands() -> list[str]:
    """The shell lines of the README's sh blocks, continuations joined, comments kept."""
    commands = []
    for block in SH_BLOCK.findall(README.read_text()):
        pending = ""
        for line in block.replace("\\\n", " ").splitlines():
            line = f"{pending}\n{line}" if pending else line.strip()
            try:
                shlex.split(line, comments=True)
            except ValueError:  # a quoted string goes on to the next line
                pending = line
                continue
            pending = ""
            if line and not line.startswith("#"):
                commands.append(line)
        assert not pending, f"unclosed quote in the README: {pending}"
    return commands


@dataclass
class Curl:
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    follow: bool = False
    expected: int | None = None


def parse_curl(words: list[str]) -> Curl:
    assert words[0] == "curl", words
    curl = Curl(url="")
    rest = iter(words[1:])
    for word in rest:
        if word in ("-s", "-i", "-si", "-is"):
            continue
        if word == "-L":
            curl.follow = True
        elif word == "-X":
            curl.method = next(rest)
        elif word == "-H":
            name, _, value = next(rest).partition(":")
            curl.headers[name.strip()] = value.strip()
        elif word in ("-d", "--data"):
            curl.body = next(rest)
            if curl.method == "GET":
                curl.method = "POST"
        elif word.startswith("-"):
            raise AssertionError(f"the README runner does not know curl's {word}")
        else:
            assert not curl.url, f"two URLs in one example: {words}"
            curl.url = word
    return curl


def feed_items(response) -> list:
    """The items of an RSS, Atom or JSON feed."""
    if response["Content-Type"].startswith("application/feed+json"):
        return json.loads(response.content)["items"]
    root = ElementTree.fromstring(response.content)
    return root.findall("channel/item") + root.findall("{http://www.w3.org/2005/Atom}entry")


def jq(document, path: str):
    """The value at a jq path made of .names and [indexes] (all the README uses)."""
    assert JQ_PATH.sub("", path) == "", f"the README runner does not know jq {path!r}"
    try:
        for name, index in JQ_PATH.findall(path):
            document = document[name] if name else document[int(index)]
    except (KeyError, IndexError, TypeError):
        return None  # jq prints null
    return document


class Runner:
    def __init__(self, client, variables: dict[str, str]):
        self.client = client
        self.variables = dict(variables)
        self.ran: list[tuple[str, int]] = []

    def expand(self, text: str) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1)
            assert name in self.variables, f"${name} is used before the README defines it"
            return self.variables[name]

        return VARIABLE.sub(value, text)

    def request(self, curl: Curl):
        parts = urlsplit(curl.url)
        assert parts.netloc in LOCAL_HOSTS, f"{curl.url} is not on this site"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in curl.headers.items()
            if name.lower() != "content-type"
        }
        content_type = curl.headers.get("Content-Type", "application/octet-stream")
        if curl.method == "GET":
            response = self.client.get(path, follow=curl.follow, **headers)
        else:
            response = self.client.generic(
                curl.method, path, curl.body or "", content_type, follow=curl.follow, **headers
            )
        self.ran.append((f"{curl.method} {path}", response.status_code))
        return response

    def run(self, line: str) -> None:
        assignment = ASSIGNMENT.match(line)
        if assignment:
            name, value = assignment.groups()
            self.variables[name] = self.evaluate(value)
            return
        if not line.startswith("curl "):
            assert "curl" not in line, f"the README runner cannot run: {line}"
            return  # not an API example (openssl, printf)
        comment = line.partition(" #")[2]
        words = shlex.split(self.expand(line), comments=True)
        if "|" in words:
            words = words[: words.index("|")]  # curl … | grep: the request is the curl
        curl = parse_curl(words)
        documented = re.match(r"\s*(\d{3})\b", comment)
        curl.expected = int(documented.group(1)) if documented else None
        response = self.request(curl)
        if curl.expected is not None:
            assert response.status_code == curl.expected, (line, response.content[:300])
        elif curl.headers.keys() & {"If-None-Match", "If-Modified-Since"}:
            assert response.status_code in (200, 304), (line, response.content[:300])
        else:
            assert 200 <= response.status_code < 300, (line, response.content[:300])
        if urlsplit(curl.url).path.startswith("/api/") and response.status_code != 304:
            if 200 <= response.status_code < 300:
                document = json.loads(response.content)  # the API always answers JSON
                # A listing example shows something: its filters match the demo content.
                assert document.get("items", [None]), f"{line} lists nothing in the demo"
        if urlsplit(curl.url).path.startswith("/feeds/") and response.status_code == 200:
            # A feed example (one language, a topic) carries news of the demo.
            assert feed_items(response), f"{line}: an empty feed in the demo"

    def evaluate(self, value: str) -> str:
        substitution = SUBSTITUTION.match(value)
        if substitution is None:
            return value.strip("\"'")
        command = shlex.split(self.expand(substitution.group(1)))
        pipe = command.index("|")
        assert command[pipe + 1 : pipe + 2] == ["jq"], f"$(…) must be curl | jq: {value}"
        response = self.request(parse_curl(command[:pipe]))
        assert response.status_code == 200, (value, response.content[:300])
        result = jq(response.json(), command[-1])
        assert result is not None, f"{value} found nothing in the demo content"
        return str(result)


def test_the_readme_has_curl_examples_for_every_part_of_the_api():
    commands = " ".join(readme_commands())
    for path in (
        "/api/v2/pages/",
        "/api/v2/pages/find/",
        "/api/v2/topics/",
        "/api/v2/missions/",
        "/api/v2/preview/",
        "/api/v2/newsletters/",
        "/api/v2/subscriptions/",
        "/feeds/news.rss",
    ):
        assert path in commands, path


def test_every_curl_example_in_the_readme_runs_against_the_demo_content(api, demo_site):
    runner = Runner(api, {"TOKEN": demo_site["preview_token"]})
    for line in readme_commands():
        runner.run(line)
    assert len(runner.ran) >= 30, runner.ran


def test_an_example_that_names_content_the_demo_lacks_fails(api, demo_site):
    runner = Runner(api, {"SITE": "https://notizie.example.org"})
    with pytest.raises(AssertionError):
        runner.run('curl "$SITE/api/v2/pages/?child_of=4&order=-publication_date"')
    with pytest.raises(AssertionError):
        runner.run(
            'ID=$(curl -s "$SITE/api/v2/pages/?slug=houston&fields=_,id" | jq ".items[0].id")'
        )
    with pytest.raises(AssertionError):
        runner.run('curl "$SITE/feeds/news.atom?locale=en&topic=houston"')
