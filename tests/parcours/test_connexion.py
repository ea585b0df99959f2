"""Parcours : se connecter, trouver son quartier, passer en anglais, se déconnecter."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import AffectationFactory, UtilisateurFactory, construire_quartier

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordonnatrice(mot_de_passe):
    quartier = construire_quartier(nom="Saint-Michel")
    construire_quartier(nom="Verdun")
    utilisatrice = UtilisateurFactory(email="coordination@exemple.org")
    AffectationFactory(utilisateur=utilisatrice, quartier=quartier, role="coordonnateur")
    return utilisatrice


def test_la_coordonnatrice_se_connecte_voit_son_quartier_et_passe_en_anglais(
    page: Page, live_server, coordonnatrice, mot_de_passe
):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()

    page.get_by_label("Courriel").fill("coordination@exemple.org")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()

    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Vos quartiers")).to_be_visible()
    expect(page.get_by_role("link", name="Saint-Michel")).to_be_visible()
    expect(page.get_by_role("link", name="Verdun")).to_have_count(0)

    page.get_by_role("link", name="Saint-Michel").click()
    expect(page.get_by_role("heading", name="Saint-Michel", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Indicateurs suivis")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Tracked indicators")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{live_server.url}/quartiers/verdun/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
