"""Sur un téléphone (390 px de large) : aucune page ne défile de côté — un tableau trop large
défile dans sa propre boîte —, et l'en-tête reste compact (les liens côte à côte, aucun coupé en
deux lignes), en français et en anglais."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from quartiers.jetons import creer_jeton
from quartiers.models import Utilisateur
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

TELEPHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/quartiers/saint-michel/",
    "/quartiers/saint-michel/saisies/2026-T2/historique/",
    "/tableau-de-bord/",
    "/tableau-de-bord/quartiers/saint-michel/theorie-du-changement/",
    "/tableau-de-bord/indicateurs/proc-partenaires-actifs/",
    "/bilans/",
    "/completude/",
    "/profil/",
]


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)
    evaluation = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    # Un jeton au nom long : le tableau des jetons du profil est le plus étroit à faire tenir.
    creer_jeton(utilisateur=evaluation, nom="Tableau de bord externe de la table de quartier")


def _debordement(page: Page) -> int:
    """De combien de pixels la page dépasse la fenêtre en largeur (0 : elle tient)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_aucune_page_ne_defile_de_cote_sur_un_telephone(page: Page, live_server, demo):
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for langue in ("fr", "en"):
        if langue == "en":
            page.locator("form.langue button").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for chemin in PAGES:
            reponse = page.goto(f"{live_server.url}{chemin}")
            assert reponse is not None and reponse.status == 200, chemin
            page.wait_for_load_state("networkidle")
            assert _debordement(page) <= 0, f"{chemin} ({langue}) défile de côté"
        # L'en-tête ne repousse pas le contenu sous la moitié de l'écran.
        assert page.locator("h1").first.bounding_box()["y"] < 250


def test_le_lien_de_connexion_tient_sur_une_ligne_en_anglais(page: Page, live_server):
    page.set_viewport_size(TELEPHONE)
    page.goto(f"{live_server.url}/comptes/login/")
    page.locator("form.langue button").click()
    lien = page.get_by_role("navigation").get_by_role("link", name="Sign in")
    expect(lien).to_be_visible()
    hauteur_de_ligne = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.entete__nav a')).lineHeight)"
    )
    assert lien.bounding_box()["height"] < 1.5 * hauteur_de_ligne
    assert _debordement(page) <= 0
