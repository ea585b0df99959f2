"""Sur un téléphone (390 px), la carte de complétude raccourcit les noms de quartiers longs
(js/graphiques.js). Le nom arrive échappé (« & » s'écrit « &amp; » pour plotly.js) : il est coupé
sur le texte lu, jamais au milieu d'une entité (« Saint-Michel &a… » avant)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from quartiers.models import Quartier
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

FIGURE = "completude-donnees"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)
    Quartier.objects.filter(slug="saint-michel").update(nom="Saint-Michel & Villeray")


def test_un_nom_avec_une_esperluette_est_raccourci_sans_couper_l_entite(
    page: Page, live_server, demo
):
    page.set_viewport_size({"width": 390, "height": 844})
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.goto(f"{live_server.url}/tableau-de-bord/")
    page.locator(f'[data-figure="{FIGURE}"]').scroll_into_view_if_needed()
    page.wait_for_function(
        "f => document.querySelector(`[data-figure=\"${f}\"]`).classList.contains('js-plotly-plot')",
        arg=FIGURE,
    )
    noms = page.locator(f'[data-figure="{FIGURE}"] .ytick text').all_text_contents()
    assert "Saint-Michel &…" in noms, noms
    assert not any("&a" in nom or "&l" in nom or "&g" in nom for nom in noms), noms
    assert all(len(nom) <= 16 for nom in noms), noms
