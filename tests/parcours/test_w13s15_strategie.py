"""Parcours de la stratégie de changement dans le navigateur : la coordination de Saint-Michel
ouvre la théorie du changement depuis la page de son quartier, prépare une nouvelle version et
y ajoute un changement visé au clavier seul (un envoi incomplet d'abord : le titre commence par
« Erreur : », le résumé des erreurs prend le focus, rien n'est enregistré), puis soumet le
brouillon à l'évaluation. L'évaluation le trouve au menu « Propositions d'indicateurs », l'ouvre
et l'adopte à une date; la théorie du changement montre alors à la coordination la nouvelle
version, en vigueur, avec le changement ajouté."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from indicateurs.models import StatutStrategie, StrategieDeChangement
from tests.parcours.outils import se_connecter
from tests.parcours.test_accessibilite import QUARTIER, tabuler_jusqu_a

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

CODE = "C9"
LIBELLE = "Les voisin·es se connaissent d'une ruelle à l'autre"


@pytest.fixture
def demo() -> int:
    """La démonstration; rend le numéro de la version en vigueur de Saint-Michel."""
    call_command("charger_demo", verbosity=0)
    return StrategieDeChangement.objects.get(
        quartier__slug=QUARTIER, statut=StatutStrategie.EN_VIGUEUR
    ).version


def test_la_coordination_soumet_sa_strategie_et_l_evaluation_l_adopte(
    page: Page, live_server, demo
):
    base = live_server.url
    nouvelle = demo + 1
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.goto(f"{base}/quartiers/{QUARTIER}/")
    page.get_by_role("link", name="Théorie du changement").click()
    expect(
        page.get_by_role("heading", name="Théorie du changement de Saint-Michel")
    ).to_be_visible()
    page.get_by_role("button", name="Préparer une nouvelle version").click()
    expect(page.get_by_text(f"La version {nouvelle} est prête à modifier")).to_be_visible()
    brouillon = StrategieDeChangement.objects.get(
        quartier__slug=QUARTIER, statut=StatutStrategie.BROUILLON
    )
    avant = brouillon.changements.count()
    page.get_by_role("link", name="Ajouter un changement visé").click()
    expect(page.get_by_role("heading", name=f"au brouillon v{nouvelle}")).to_be_visible()

    # Au clavier : le code seul, puis « Enregistrer » (libellé, horizon et famille manquent).
    tabuler_jusqu_a(page, lambda f: f["nom"] == "code")
    page.keyboard.type(CODE)
    tabuler_jusqu_a(page, lambda f: f["texte"] == "Enregistrer")
    page.keyboard.press("Enter")
    expect(page.locator(".alerte[role=alert]").first).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    expect(page.locator("#id_libelle_error")).to_be_visible()
    assert brouillon.changements.count() == avant

    # Le code est gardé; on complète au clavier depuis le résumé des erreurs.
    expect(page.locator("[name=code]")).to_have_value(CODE)
    tabuler_jusqu_a(page, lambda f: f["nom"] == "libelle")
    page.keyboard.type(LIBELLE)
    tabuler_jusqu_a(page, lambda f: f["nom"] == "horizon")
    page.keyboard.press("ArrowDown")
    tabuler_jusqu_a(page, lambda f: f["nom"] == "famille")
    page.keyboard.press("ArrowDown")
    tabuler_jusqu_a(page, lambda f: f["nom"] == "indicateurs")
    page.keyboard.press("Space")
    tabuler_jusqu_a(page, lambda f: f["texte"] == "Enregistrer")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Le changement visé « {CODE} » est enregistré.")).to_be_visible()
    changement = brouillon.changements.get(code=CODE)
    assert changement.libelle == LIBELLE and changement.horizon and changement.famille
    assert changement.indicateurs.count() == 1

    page.get_by_role("button", name="Soumettre à l'évaluation").click()
    expect(page.get_by_text(f"La version {nouvelle} est soumise à l'évaluation")).to_be_visible()
    expect(page.get_by_role("button", name="Soumettre à l'évaluation")).to_have_count(0)

    # L'évaluation : le menu, la stratégie soumise, le brouillon, l'adoption à une date.
    page.context.clear_cookies()
    se_connecter(page, base, "evaluation@demo.evalpic.ca")
    page.get_by_role("link", name="Propositions d'indicateurs").click()
    soumises = page.get_by_role("region", name="Stratégies de changement soumises")
    soumises.get_by_role("link", name=f"Saint-Michel, version {nouvelle}").click()
    expect(page.get_by_role("cell", name=LIBELLE)).to_be_visible()
    page.get_by_role("link", name="Adopter cette version").click()
    aujourd_hui = timezone.localdate()
    page.get_by_label("Date d'adoption").fill(aujourd_hui.isoformat())
    page.get_by_role("button", name="Adopter cette version").click()
    expect(page.get_by_text(f"La version {nouvelle} est en vigueur depuis le")).to_be_visible()
    brouillon.refresh_from_db()
    assert brouillon.statut == StatutStrategie.EN_VIGUEUR
    assert brouillon.adoptee_le == aujourd_hui

    # La coordination lit la nouvelle version en vigueur, sans brouillon en préparation.
    page.context.clear_cookies()
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.goto(f"{base}/quartiers/{QUARTIER}/")
    page.get_by_role("link", name="Théorie du changement").click()
    expect(page.locator("#version option:checked")).to_have_text(f"v{nouvelle} — en vigueur")
    expect(page.get_by_role("button", name="Préparer une nouvelle version")).to_be_visible()
    expect(page.get_by_text(LIBELLE).first).to_be_visible()
