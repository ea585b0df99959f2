"""Parcours de la coordination : depuis la page de son quartier, inscrire un nouveau partenaire
(une fin avant le début est refusée à côté du champ, rien n'est enregistré), voir la
confirmation, puis noter son départ; la page d'inscription en anglais."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from quartiers.models import Participation
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

NOM = "Jardin collectif du parc Champdoré"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_la_coordination_inscrit_un_partenaire_puis_note_son_depart(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "coordination@demo.evalpic.ca")
    page.goto(f"{live_server.url}/quartiers/saint-michel/")
    page.get_by_role("link", name="Inscrire un partenaire").click()
    expect(
        page.get_by_role("heading", name="Inscrire un partenaire à la table de Saint-Michel")
    ).to_be_visible()

    page.get_by_label("Nom du nouveau partenaire").fill(NOM)
    page.get_by_label("Secteur").select_option(index=1)
    page.get_by_label("Début").fill("2026-03-01")
    page.get_by_label("Fin").fill("2026-01-01")
    page.get_by_role("button", name="Inscrire le partenaire").click()
    expect(page.locator(".alerte[role=alert]")).to_be_visible()
    expect(page.get_by_label("Fin")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom du nouveau partenaire")).to_have_value(NOM)
    assert not Participation.objects.filter(partenaire__nom=NOM).exists()

    page.get_by_label("Fin").fill("")
    page.get_by_role("button", name="Inscrire le partenaire").click()
    expect(page.get_by_text(f"{NOM} figure maintenant au registre de la table.")).to_be_visible()
    participation = Participation.objects.get(partenaire__nom=NOM)
    assert (participation.table.quartier.slug, participation.fin) == ("saint-michel", None)

    page.locator("summary", has_text="Voir les participations").click()
    page.get_by_role("link", name=f"Modifier la participation de {NOM}").click()
    page.get_by_label("Fin").fill("2026-10-31")
    page.get_by_role("button", name="Enregistrer la participation").click()
    expect(page.get_by_text(f"La participation de {NOM} est modifiée.")).to_be_visible()
    participation.refresh_from_db()
    assert participation.fin.isoformat() == "2026-10-31"

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Add a partner").click()
    expect(
        page.get_by_role("heading", name="Add a partner to the Saint-Michel roundtable")
    ).to_be_visible()
    expect(page.get_by_label("Name of the new partner")).to_be_visible()
