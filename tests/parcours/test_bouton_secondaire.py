"""Le bouton secondaire a un seul style (css/evalpic.css) : « Enregistrer le brouillon » du
formulaire de saisie et « Révoquer définitivement » du profil se dessinent pareil (contour, fond
blanc), ce qui les distingue étant la couleur de l'action destructive. Le formulaire avait sa
propre règle en ligne (contour de 2 px) qui contredisait celle de la feuille (1 px)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from indicateurs.models import Periode, StatutPeriode
from quartiers.jetons import creer_jeton
from quartiers.models import Utilisateur
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

COORDINATION = "coordination@demo.evalpic.ca"
STYLE = """b => {
    const s = getComputedStyle(b);
    return {
        contour: [s.borderTopWidth, s.borderTopStyle, s.borderLeftWidth],
        fond: s.backgroundColor, marge: s.padding, rayon: s.borderRadius,
    };
}"""


@pytest.fixture
def demo() -> str:
    call_command("charger_demo", verbosity=0)
    creer_jeton(utilisateur=Utilisateur.objects.get(email=COORDINATION), nom="Tableur")
    ouverte = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    return ouverte.code


def test_brouillon_et_revocation_ont_le_meme_bouton_secondaire(page: Page, live_server, demo):
    se_connecter(page, live_server.url, COORDINATION)
    page.goto(f"{live_server.url}/quartiers/saint-michel/saisies/{demo}/")
    brouillon = page.get_by_role("button", name="Enregistrer le brouillon")
    styles_en_ligne = page.locator("style").count()
    style_brouillon = brouillon.evaluate(STYLE)

    page.goto(f"{live_server.url}/profil/")
    page.get_by_text("Révoquer…").click()  # l'étape de confirmation (details)
    revoquer = page.get_by_role("button", name="Révoquer définitivement Tableur")
    style_revoquer = revoquer.evaluate(STYLE)

    assert style_brouillon == style_revoquer
    assert style_brouillon["fond"] == "rgb(255, 255, 255)"
    # La couleur du contour suit celle du texte : celle de l'action destructive pour révoquer.
    texte, contour = revoquer.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).borderTopColor]"
    )
    assert texte == contour
    assert styles_en_ligne == 0  # plus de règles en ligne dans le formulaire
