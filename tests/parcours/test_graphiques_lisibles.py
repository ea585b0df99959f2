"""Les graphiques dessinés, tels que la revue d'ergonomie les a vus : la carte de complétude
nomme chacun des 17 quartiers, et sur un téléphone (390 px) ni barre d'outils ni titre Plotly
coupé, des étiquettes de trimestres droites, des petits multiples sur deux colonnes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def _dessine(page: Page, figure: str) -> None:
    zone = page.locator(f'[data-figure="{figure}"]')
    zone.scroll_into_view_if_needed()
    page.wait_for_function(
        "z => document.querySelector(`[data-figure=\"${z}\"]`).classList.contains('js-plotly-plot')",
        arg=figure,
    )


def test_la_carte_de_completude_nomme_chaque_quartier(page: Page, live_server, demo_tous_suivis):
    page.set_viewport_size({"width": 1366, "height": 900})
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.goto(f"{live_server.url}/tableau-de-bord/")
    _dessine(page, "completude-donnees")
    noms = page.locator('[data-figure="completude-donnees"] .ytick text').all_text_contents()
    assert len(noms) == 17 and "Ahuntsic" in noms  # avant : un nom sur deux


def test_sur_un_telephone_les_graphiques_se_resserrent(page: Page, live_server, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    # un indicateur que suivent les cinq quartiers de la démonstration : cinq panneaux
    page.goto(f"{live_server.url}/tableau-de-bord/indicateurs/pers-personnes-rejointes/")
    _dessine(page, "multiples-donnees")
    graphique = page.locator('[data-figure="multiples-donnees"]')
    assert graphique.locator(".modebar").count() == 0
    assert graphique.locator(".gtitle").count() == 0
    colonnes = page.evaluate(
        """() => {
          const gd = document.querySelector('[data-figure="multiples-donnees"]');
          const axes = Object.keys(gd.layout).filter(c => /^xaxis\\d*$/.test(c));
          return [...new Set(axes.map(c => gd.layout[c].domain[0]))].length;
        }"""
    )
    assert colonnes == 2  # avant : quatre panneaux par ligne, qui se chevauchaient
    page.goto(f"{live_server.url}/tableau-de-bord/quartiers/saint-michel/")
    _dessine(page, "fig-proc-secteurs-distincts-donnees")
    angles = page.evaluate(
        """() => document.querySelector('[data-figure="fig-proc-secteurs-distincts-donnees"]')
          .layout.xaxis.tickangle"""
    )
    assert angles == 0
    graduations = page.locator(
        '[data-figure="fig-proc-secteurs-distincts-donnees"] .ytick text'
    ).all_text_contents()
    assert graduations and all("," not in g for g in graduations)  # jamais « 7,5 »
