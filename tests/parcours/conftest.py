"""Parcours dans un vrai navigateur : Playwright pilote le chromium de Debian (Playwright ne
peut pas télécharger son propre navigateur ici)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGUMENTS_CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Un navigateur réglé en anglais : l'interface doit tout de même s'ouvrir en français.
    return {**browser_context_args, "locale": "en-CA"}
