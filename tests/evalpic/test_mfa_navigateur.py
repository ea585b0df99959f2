"""L'activation de la double authentification dans un vrai navigateur, sur un téléphone (390 px)
et sur un bureau : la clé secrète se lit en entier à l'écran (elle était coupée dans un petit
champ, même à 1366 px), un code faux est signalé sous son champ, un code juste active le TOTP et
mène aux codes de récupération; aucune violation grave d'axe-core sur ces pages."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from quartiers.models import Utilisateur
from tests.evalpic.test_pages_mfa import code_faux, code_juste
from tests.evalpic.test_telephone_tableaux import browser_type_launch_args
from tests.parcours.outils import MOT_DE_PASSE_DEMO, se_connecter
from tests.parcours.test_accessibilite import analyser, source_axe, verifier

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]
__all__ = ["browser_type_launch_args", "source_axe"]  # les fixtures, réutilisées telles quelles

COURRIEL = "evaluation@demo.evalpic.ca"


@pytest.fixture
def demo():
    from django.core.management import call_command

    call_command("charger_demo", verbosity=0)


@pytest.mark.parametrize("largeur", [390, 1366])
def test_activer_le_totp_en_lisant_la_cle(page: Page, live_server, demo, source_axe, largeur):
    page.set_viewport_size({"width": largeur, "height": 900})
    se_connecter(page, live_server.url, COURRIEL)
    page.goto(f"{live_server.url}/comptes/2fa/totp/activate/")
    if page.locator("input[name=password]").count():  # allauth redemande le mot de passe
        page.get_by_label("Mot de passe").fill(MOT_DE_PASSE_DEMO)
        page.get_by_role("button", name="Confirmer").click()
    expect(
        page.get_by_role("heading", name="Activer une application d'authentification")
    ).to_be_visible()
    resultats = {"activation": analyser(page, source_axe)}

    cle = page.locator("#cle-secrete")
    secret = cle.inner_text().strip()
    assert len(secret) == 32
    boite = cle.bounding_box()
    assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur, boite
    assert cle.evaluate("e => e.scrollWidth <= e.clientWidth")  # rien de caché dans la boîte

    page.get_by_label("Code de l'authentificateur").fill(code_faux(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".champ--erreur .erreurs")).to_have_text("Code incorrect.")
    expect(page.get_by_role("alert")).to_be_visible()
    resultats["code faux"] = analyser(page, source_axe)
    assert page.locator("#cle-secrete").inner_text().strip() == secret

    page.get_by_label("Code de l'authentificateur").fill(code_juste(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Codes de récupération")).to_be_visible()
    resultats["codes de récupération"] = analyser(page, source_axe)
    assert len(page.locator("pre.codes-recuperation").inner_text().split()) == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= largeur
    verifier(resultats)
    personne = Utilisateur.objects.get(email=COURRIEL)
    assert Authenticator.objects.filter(user=personne, type=Authenticator.Type.TOTP).exists()
