"""Driving Wagtail's searchable choosers in Chromium (Playwright)."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def open_chooser(tab, panel_label: str):
    """Open a MultipleChooserPanel's chooser; returns its dialog."""
    tab.get_by_role("button", name=re.compile(f"Aggiungi {panel_label}", re.I)).click()
    return tab.get_by_role("dialog")


def search(dialog, name: str) -> None:
    dialog.get_by_role("textbox").first.fill(name[:6])
    # The search answers after a short pause; look at its results, not the first list.
    expect(dialog.get_by_text(re.compile("corrispondenz"))).to_be_visible()


def choose(tab, panel_label: str, name: str) -> None:
    """Open a MultipleChooserPanel's chooser, search, and pick one entity."""
    dialog = open_chooser(tab, panel_label)
    search(dialog, name)
    row = dialog.locator("tr", has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    confirm = dialog.get_by_role("button", name="Conferma selezione")
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(dialog).to_be_hidden()
