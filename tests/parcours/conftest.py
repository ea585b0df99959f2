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


@pytest.fixture
def demo_tous_suivis(demo):
    """Chaque quartier de la démonstration suit un indicateur : aucun n'est « sans aucune
    donnée » (ceux-là n'ont pas de ligne dans les graphiques de la vue d'ensemble), les 17 ont
    la leur. `demo` est celle du module qui le demande (chacun charge la démonstration à sa
    façon)."""
    from quartiers.models import Quartier
    from tests.factories import IndicateurFactory, IndicateurSuiviFactory

    indicateur = IndicateurFactory(code="suivi-partout")
    for quartier in Quartier.objects.filter(indicateurs_suivis__isnull=True):
        IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
