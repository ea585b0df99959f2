"""Parcours du catalogue dans le navigateur : la coordination propose un indicateur pour son
quartier depuis la page du quartier (un envoi incomplet est refusé, le résumé des erreurs prend
le focus, rien n'est enregistré), le voit en attente sur son plan de mesure; l'évaluation le
trouve au menu « Propositions d'indicateurs » et l'approuve; le plan se lit en anglais. Les
pages du catalogue passent axe-core (WCAG 2.1 AA) dans les deux langues."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs.models import Indicateur, StatutIndicateur
from tests.parcours.outils import se_connecter
from tests.parcours.test_accessibilite import GRAVES, analyser, resume

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

CODE = "pers-aines-rejoints"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


@pytest.fixture(scope="module")
def source_axe() -> str:
    from tests.parcours.test_accessibilite import AXE

    if not AXE.exists():
        pytest.fail(f"axe-core manque ({AXE}) : lancez « npm ci --prefix tests/parcours ».")
    return AXE.read_text(encoding="utf-8")


def _sans_violation_grave(page: Page, source_axe: str, nom: str) -> None:
    violations = {nom: analyser(page, source_axe)}
    assert not resume(violations, GRAVES), resume(violations, GRAVES)


def test_une_proposition_de_la_table_approuvee_par_l_evaluation(
    page: Page, live_server, demo, source_axe
):
    se_connecter(page, live_server.url, "coordination@demo.evalpic.ca")
    page.goto(f"{live_server.url}/quartiers/saint-michel/")
    page.get_by_role("link", name="Plan de mesure").first.click()
    expect(page.get_by_role("heading", name="Plan de mesure de Saint-Michel")).to_be_visible()
    _sans_violation_grave(page, source_axe, "plan")
    page.get_by_role("link", name="Proposer un indicateur").first.click()

    page.get_by_role("button", name="Proposer l'indicateur").click()
    resume_des_erreurs = page.locator(".alerte[role=alert]").first
    expect(resume_des_erreurs).to_be_focused()
    expect(page).to_have_title("Erreur : Proposer un indicateur — Saint-Michel · ÉvalPIC")
    assert not Indicateur.objects.filter(code=CODE).exists()
    _sans_violation_grave(page, source_axe, "proposition refusée")

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
    _sans_violation_grave(page, source_axe, "propositions")
    page.get_by_role("link", name=f"{CODE} Personnes aînées rejointes").click()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text(f"La proposition « {CODE} » est approuvée")).to_be_visible()
    assert Indicateur.objects.get(code=CODE).statut == StatutIndicateur.APPROUVE

    page.goto(f"{live_server.url}/quartiers/saint-michel/plan/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Measurement plan of Saint-Michel")).to_be_visible()
    _sans_violation_grave(page, source_axe, "plan (en)")
