"""Parcours du conseiller : depuis la page d'un quartier, ajouter un apprentissage, voir l'erreur
d'un formulaire incomplet à côté du champ, puis la même page en anglais."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs.models import Apprentissage
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

TEXTE = "Les jeunes du parc viennent aux rencontres quand elles ont lieu le soir."


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_le_conseiller_ajoute_un_apprentissage_en_francais_puis_voit_la_page_en_anglais(
    page: Page, live_server, demo
):
    se_connecter(page, live_server.url, "conseil@demo.evalpic.ca")
    page.goto(f"{live_server.url}/quartiers/saint-michel/")
    page.get_by_role("link", name="Ajouter un apprentissage").click()
    expect(
        page.get_by_role("heading", name="Ajouter un apprentissage de Saint-Michel")
    ).to_be_visible()

    # Sans texte : l'erreur est à côté des champs, rien n'est enregistré.
    avant = Apprentissage.objects.count()
    page.get_by_role("button", name="Ajouter l'apprentissage").click()
    expect(page.locator(".alerte[role=alert]")).to_be_visible()
    expect(page.get_by_label("Texte en français")).to_have_attribute("aria-invalid", "true")
    assert Apprentissage.objects.count() == avant

    page.get_by_label("Rubrique").select_option("defis")
    page.get_by_label("Texte en français").fill(TEXTE)
    page.get_by_role("button", name="Ajouter l'apprentissage").click()
    # Retour à la liste des apprentissages du quartier, où le nouveau se lit.
    expect(
        page.get_by_role("heading", name="Apprentissages de Saint-Michel", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("L'apprentissage est ajouté à")).to_be_visible()
    expect(page.get_by_text(TEXTE)).to_be_visible()
    ajoute = Apprentissage.objects.get(texte_fr=TEXTE)
    assert (ajoute.quartier.slug, ajoute.categorie, ajoute.auteur.email) == (
        "saint-michel",
        "defis",
        "conseil@demo.evalpic.ca",
    )

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Add a learning").click()
    expect(page.get_by_role("heading", name="Add a learning from Saint-Michel")).to_be_visible()
    expect(page.get_by_label("Text in French")).to_be_visible()
    expect(page.get_by_label("Section")).to_be_visible()
