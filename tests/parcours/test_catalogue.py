"""Parcours du catalogue dans le navigateur : la coordination propose un indicateur pour son
quartier depuis la page du quartier (un envoi incomplet est refusé, le résumé des erreurs prend
le focus, rien n'est enregistré), le voit en attente sur son plan de mesure; l'évaluation le
trouve au menu « Propositions d'indicateurs » et l'approuve; le plan se lit en anglais. Ces
pages (plan de mesure de la coordination et de l'évaluation, proposition refusée, propositions,
en français et en anglais) passent axe-core dans test_accessibilite.py, où toute violation
WCAG 2.0/2.1 A ou AA fait échouer le test : ce parcours ne les analyse pas une seconde fois."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs.models import Indicateur, StatutIndicateur
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

CODE = "pers-aines-rejoints"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_une_proposition_de_la_table_approuvee_par_l_evaluation(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "coordination@demo.evalpic.ca")
    page.goto(f"{live_server.url}/quartiers/saint-michel/")
    page.get_by_role("link", name="Plan de mesure").first.click()
    expect(page.get_by_role("heading", name="Plan de mesure de Saint-Michel")).to_be_visible()
    page.get_by_role("link", name="Proposer un indicateur").first.click()

    page.get_by_role("button", name="Proposer l'indicateur").click()
    resume_des_erreurs = page.locator(".alerte[role=alert]").first
    expect(resume_des_erreurs).to_be_focused()
    expect(page).to_have_title("Erreur : Proposer un indicateur — Saint-Michel · ÉvalPIC")
    assert not Indicateur.objects.filter(code=CODE).exists()

    page.get_by_label("Code").fill(CODE)
    page.get_by_label("Nom (français)").fill("Personnes aînées rejointes")
    page.get_by_label("Nom (anglais)").fill("Older adults reached")
    page.get_by_label("Définition (français)").fill("Personnes de 65 ans et plus rejointes.")
    page.get_by_label("Définition (anglais)").fill("People aged 65 and over reached.")
    for liste in ("Famille", "Unité", "Agrégation dans le temps"):
        page.get_by_label(liste).select_option(index=1)
    page.get_by_role("button", name="Proposer l'indicateur").click()
    expect(page.get_by_text(f"L'indicateur « {CODE} » est proposé.")).to_be_visible()
    expect(page.get_by_text("en attente d'examen").first).to_be_visible()
    assert Indicateur.objects.get(code=CODE).statut == StatutIndicateur.PROPOSE

    page.context.clear_cookies()
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.get_by_role("link", name="Propositions d'indicateurs").click()
    page.get_by_role("link", name=f"{CODE} Personnes aînées rejointes").click()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text(f"La proposition « {CODE} » est approuvée")).to_be_visible()
    assert Indicateur.objects.get(code=CODE).statut == StatutIndicateur.APPROUVE

    page.goto(f"{live_server.url}/quartiers/saint-michel/plan/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Measurement plan of Saint-Michel")).to_be_visible()
