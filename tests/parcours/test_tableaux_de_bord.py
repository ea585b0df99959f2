"""Parcours du conseiller : vue d'ensemble, filtre par thème, tableau d'un quartier avec ses
graphiques dessinés et ses données, téléchargement d'un CSV, passage à l'anglais."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def _bouton_png(nom: str) -> str:
    """Le bouton « télécharger en PNG » de la barre d'outils de Plotly, par son nom accessible
    (aria-label), qui suit la langue de la page."""
    return f"button.modebar-btn[aria-label='{nom}']"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_le_conseiller_parcourt_les_tableaux_de_bord(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Courriel").fill("conseil@demo.evalpic.ca")
    page.get_by_label("Mot de passe").fill("demo-evalpic-2026")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Tableau de bord").first.click()
    expect(page.get_by_role("heading", name="Tableau de bord du PIC")).to_be_visible()
    expect(page.locator("[data-figure] svg.main-svg").first).to_be_visible()
    # Ses trois quartiers affectés, et pas les autres.
    progression = page.get_by_role("table").filter(has_text="Nombre d'indicateurs par statut")
    expect(progression.get_by_role("row")).to_have_count(4)
    expect(progression).not_to_contain_text("Saint-Léonard")

    page.get_by_label("Thème").select_option("alimentation")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile("theme=alimentation"))

    page.get_by_role("link", name="Saint-Michel").first.click()
    expect(page.get_by_role("heading", name="Tableau de bord de Saint-Michel")).to_be_visible()
    expect(page).to_have_url(re.compile("theme=alimentation"))
    courbes = page.locator("article.courbe")
    expect(courbes.first.locator("svg.main-svg").first).to_be_visible()
    # La barre d'outils de Plotly parle la langue de la page (dictionnaire plotly-locale-fr.js).
    expect(
        courbes.first.locator(_bouton_png("Télécharger le graphique en fichier PNG"))
    ).to_have_count(1)
    courbes.first.locator("summary").click()
    expect(courbes.first.get_by_role("table")).to_be_visible()

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Toutes les séries en CSV").click()
    contenu = Path(telechargement.value.path()).read_text(encoding="utf-8-sig")
    assert contenu.startswith("Indicateur;Nom;Période;Valeur")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Saint-Michel dashboard")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    courbe = page.locator("article.courbe").first
    expect(courbe.locator("svg.main-svg").first).to_be_visible()
    expect(courbe.locator(_bouton_png("Download plot as a PNG"))).to_have_count(1)
