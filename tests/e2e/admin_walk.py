"""Shared helpers for the browser tests that walk the Italian admin."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from django.conf import settings

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
TIMEOUT_MS = 30_000
# Screenshots go under var/ (git-ignored): var/artefacts/<test>/NN-name.png
ARTEFACTS = Path(settings.BASE_DIR) / "var" / "artefacts"

# Text an Italian editor must never see: English left untranslated by Wagtail's
# Italian catalogue, and raw Python values shown as text.
LEFTOVERS = [
    re.compile(pattern)
    for pattern in (
        r"\bNone\b",
        r"\bTrue\b",
        r"\bFalse\b",
        r"\b\d+-\d+ of \d+\b",
        r"(?i)\btitle tag\b",
        r"(?i)\bmeta description\b",
        r"\bGo-live\b",
        r"\bModerators approval\b",
        r"\bDefault\b",
        r"\bLocale\b",
        r"\bSubmit to\b",
        r"\bItem \d+ of\b",
        r"\bacross entire site\b",
        r"\be\.g\b",
        r"\b(?:LIVE|Live)\b",
    )
]


def leftovers(text: str) -> list[str]:
    found = []
    for pattern in LEFTOVERS:
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(text[start : match.end() + 40].replace("\n", " ⏎ "))
    return found


def login(tab, base_url: str, username: str, password: str) -> None:
    tab.goto(f"{base_url}/admin/login/")
    tab.locator("#id_username").fill(username)
    tab.locator("#id_password").fill(password)
    tab.locator("form button[type='submit']").click()
    tab.wait_for_url(re.compile(r".*/admin/$"))


class Walk:
    """Visits screens, saves a screenshot of each, and collects what an Italian
    editor should not see."""

    def __init__(self, tab, name: str) -> None:
        self.tab = tab
        self.folder = ARTEFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)  # this run's screenshots only
        self.folder.mkdir(parents=True)
        self.count = 0
        self.problems: list[str] = []

    def shot(self, label: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        self.tab.screenshot(path=str(path), full_page=True)
        return path

    def check(self, label: str, text: str | None = None) -> None:
        text = self.tab.locator("body").inner_text() if text is None else text
        self.problems += [f"{label}: …{found}…" for found in leftovers(text)]

    def visit(self, base_url: str, path: str, label: str) -> None:
        response = self.tab.goto(base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.shot(label)
        self.check(label)
