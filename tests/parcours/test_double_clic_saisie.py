"""Un double clic sur « Enregistrer et soumettre » n'envoie qu'une requête (js/envoi_unique.js) :
le bouton cliqué fait partie de l'envoi (la saisie est soumise, pas seulement enregistrée), les
boutons sont désactivés pendant l'attente, et la page d'arrivée dit « soumise »."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs import services
from indicateurs.models import (
    Apprentissage,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutPeriode,
)
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

VALEUR_PAR_UNITE = {
    "nombre": "100",
    "pourcentage": "50",
    "dollars": "1000",
    "echelle": "3",
    "indice": "1",
    "texte": "Démarche en cours.",
}


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)
    periode = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    suivis = IndicateurSuivi.objects.filter(
        quartier__slug="saint-michel", actif=True, indicateur__mode=ModeCollecte.SAISI
    ).select_related("indicateur")
    return periode, list(suivis)


def _remplir(page: Page, base: str, periode, suivis) -> None:
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.goto(f"{base}/quartiers/saint-michel/saisies/{periode.code}/")
    for suivi in suivis:
        pk = suivi.indicateur.pk
        page.locator(f"[name=v{pk}]").fill(VALEUR_PAR_UNITE[suivi.indicateur.unite])
        page.locator(f"[name=c{pk}]").fill("Valeur vérifiée auprès des partenaires.")
    page.locator("[name=app_defis]").fill("Un défi important de ce trimestre.")


def _double_clic(page: Page, nom: str) -> None:
    """Deux clics au même endroit, le second 300 ms après le premier, puis Entrée."""
    bouton = page.get_by_role("button", name=nom)
    bouton.scroll_into_view_if_needed()
    boite = bouton.bounding_box()
    x, y = boite["x"] + 5, boite["y"] + 5
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.keyboard.press("Enter")


def test_un_double_clic_sur_soumettre_n_envoie_qu_une_requete(
    page: Page, live_server, demo, monkeypatch
):
    periode, suivis = demo
    _remplir(page, live_server.url, periode, suivis)
    apprentissages = Apprentissage.objects.count()
    # Un serveur lent : le second clic arrive pendant que le premier envoi attend sa réponse.
    enregistrer = services.enregistrer_saisie

    def lent(**arguments):
        time.sleep(1.5)
        return enregistrer(**arguments)

    monkeypatch.setattr(services, "enregistrer_saisie", lent)
    envois = []
    page.on("request", lambda r: r.method == "POST" and envois.append(r.post_data or ""))
    _double_clic(page, "Enregistrer et soumettre")
    expect(page.get_by_text("La saisie est soumise pour validation.")).to_be_visible()

    # Le bouton cliqué fait partie de l'unique envoi : la saisie est soumise.
    assert len(envois) == 1 and "action=soumettre" in envois[0]
    saisie = Saisie.objects.get(table__quartier__slug="saint-michel", periode=periode)
    assert saisie.statut == "soumise"
    assert Apprentissage.objects.count() == apprentissages + 1


def test_les_boutons_sont_desactives_pendant_l_envoi(page: Page, live_server, demo):
    """La réponse 204 laisse la page en place (aucune navigation) : on voit l'état des
    boutons pendant l'attente."""
    periode, suivis = demo
    _remplir(page, live_server.url, periode, suivis)
    envois = []

    def sans_reponse(route):
        envois.append(route.request.post_data or "")
        route.fulfill(status=204)

    page.route(
        "**/saisies/**",
        lambda route: sans_reponse(route) if route.request.method == "POST" else route.continue_(),
    )
    _double_clic(page, "Enregistrer le brouillon")
    page.wait_for_timeout(300)
    assert len(envois) == 1 and "action=enregistrer" in envois[0]
    formulaire = page.locator("form.saisie")
    expect(formulaire).to_have_attribute("aria-busy", "true")
    expect(formulaire.get_by_role("button", name="Enregistrer le brouillon")).to_be_disabled()
    expect(formulaire.get_by_role("button", name="Enregistrer et soumettre")).to_be_disabled()
