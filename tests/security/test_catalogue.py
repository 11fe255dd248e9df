"""The attack catalogue stays honest (issue #9, "Done when").

docs/security.md, linked from the README, states the threat model (what each kind of user can
and cannot do) and the settings a public deployment must set, and names the test that proves
each defence: every test it names must exist, or the page promises a proof nobody runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_foundation.processes import production_environment

ROOT = Path(__file__).resolve().parents[2]
SECURITY = (ROOT / "docs" / "security.md").read_text()
README = (ROOT / "README.md").read_text()
ROLES = [
    "Anonymous internet clients",
    "Partner sites",
    "Editors",
    "Newsletter managers",
    "Superusers",
]


def section(heading: str) -> str:
    """The text under the first heading starting with `heading`, up to the next heading."""
    found = re.search(rf"^#+ {re.escape(heading)}.*?\n(.*?)(?=^#|\Z)", SECURITY, re.M | re.S)
    assert found, heading
    return found.group(1)


def test_the_readme_links_the_security_page():
    assert "](docs/security.md)" in README


@pytest.mark.parametrize("role", ROLES)
def test_the_threat_model_says_what_each_user_can_and_cannot_do(role):
    text = section(role)
    assert "**Can:**" in text and "**Cannot:**" in text


def test_every_variable_production_requires_is_in_the_table(tmp_path):
    required = section("What a public deployment must set")
    ignored = {"DJANGO_SETTINGS_MODULE", "PATH", "HOME", "VAR_DIR"}
    for name in sorted(set(production_environment(tmp_path)) - ignored):
        assert f"`{name}`" in required, name


def test_every_test_the_catalogue_names_exists():
    modules = set(re.findall(r"tests/[\w/]+\.py", SECURITY))
    assert modules
    for module in modules:
        assert (ROOT / module).is_file(), module
    defined = {
        name
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.M)
    }
    module_names = {Path(module).stem for module in modules}
    named = set(re.findall(r"\b(test_\w+)\b(?!\.py)", SECURITY)) - module_names
    assert named
    assert sorted(named - defined) == []


def test_the_readme_never_says_a_rate_limit_counts_by_remote_addr_alone():
    """c88be13 said so in one place, contradicting TRUSTED_PROXY_COUNT."""
    for paragraph in README.split("\n\n"):
        if "REMOTE_ADDR" in paragraph and "rate limit" in paragraph.lower():
            assert "TRUSTED_PROXY_COUNT" in paragraph, paragraph
