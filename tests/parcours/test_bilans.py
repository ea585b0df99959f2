"""Parcours de l'évaluatrice : demander le bilan d'un quartier, le lire, télécharger le PDF,
comparer deux bilans, puis lire la page en anglais — le bilan, lui, reste dans sa langue."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(fichiers_temporaires):
    call_command("charger_demo", verbosity=0)


def demander(page: Page) -> None:
    page.get_by_label("Portée").select_option("saint-michel")
    page.get_by_label("Période").select_option(index=1)
    page.get_by_role("button", name="Demander").click()


def test_l_evaluatrice_demande_lit_telecharge_et_compare(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Courriel").fill("evaluation@demo.evalpic.ca")
    page.get_by_label("Mot de passe").fill("demo-evalpic-2026")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Bilans").first.click()
    demander(page)  # sans file de tâches configurée, le bilan se produit tout de suite
    expect(page.get_by_role("heading", name="En bref")).to_be_visible()
    adresse_du_bilan = page.url
    expect(page.locator("[data-constat=partenaires]")).to_contain_text("partenaires mobilisés")
    expect(page.locator("[data-figure] svg.main-svg").first).to_be_visible()

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = Path(telechargement.value.path()).read_bytes()
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Saint-Michel" in texte and "En bref" in texte

    page.get_by_role("link", name="Bilans").first.click()
    demander(page)
    page.get_by_role("link", name="Bilans").first.click()
    page.locator("input[name=a]").nth(0).check()
    page.locator("input[name=b]").nth(1).check()
    page.get_by_role("button", name="Comparer A et B").click()
    expect(page.get_by_role("heading", name="Comparaison de bilans")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Report comparison")).to_be_visible()

    # Le bilan en français lu en anglais : le site autour parle anglais, le bilan et ses
    # graphiques (jusqu'à la barre d'outils de Plotly) restent en français.
    page.goto(adresse_du_bilan)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.get_by_role("heading", name="En bref")).to_be_visible()
    graphique = page.locator("[data-figure]").first
    expect(graphique.locator("svg.main-svg").first).to_be_visible()
    bouton = "button.modebar-btn[aria-label='Télécharger le graphique en fichier PNG']"
    expect(graphique.locator(bouton)).to_have_count(1)
