"""Dans un vrai navigateur, après l'audit d'accessibilité : un envoi refusé laisse le focus sur le
résumé des erreurs (il restait sur <body>), à l'écran, même au bas d'une longue page (révision
d'une saisie); les barres d'outils des graphiques ne gardent que « Télécharger en PNG » et
« Réinitialiser les axes » (neuf arrêts de tabulation par graphique, surtout des outils à la
souris)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from indicateurs.models import Saisie, StatutPeriode
from quartiers.models import RoleGlobal
from tests.factories import (
    MOT_DE_PASSE,
    UtilisateurFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

FOCUS = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {balise: el.tagName.toLowerCase(), id: el.id, role: el.getAttribute('role'),
          visible: r.top >= 0 && r.bottom <= innerHeight && r.height > 0};
}"""


def _connecter(page: Page, base: str, courriel: str) -> None:
    page.goto(f"{base}/comptes/login/")
    page.get_by_label("Courriel").fill(courriel)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_une_connexion_refusee_met_le_focus_sur_son_alerte(page: Page, live_server):
    UtilisateurFactory(email="alice@exemple.org")
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Courriel").fill("alice@exemple.org")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    focus = page.evaluate(FOCUS)
    assert focus["balise"] == "div" and focus["role"] == "alert" and focus["visible"]
    assert page.title().startswith("Erreur : ")


def test_renvoyer_sans_motif_ramene_a_l_alerte_de_la_revision(page: Page, live_server):
    quartier = construire_quartier(nom="Villeray", indicateurs=8, trimestres=2)
    periode = periode_du_trimestre(2026, 3, statut=StatutPeriode.OUVERTE)
    Saisie.objects.create(table=quartier.table, periode=periode, statut="soumise")
    UtilisateurFactory(email="eve@exemple.org", role_global=RoleGlobal.EVALUATEUR)
    page.set_viewport_size({"width": 1024, "height": 600})
    _connecter(page, live_server.url, "eve@exemple.org")
    page.goto(f"{live_server.url}/quartiers/villeray/saisies/{periode.code}/")
    page.get_by_role("button", name="Renvoyer à la table").click()
    expect(page.get_by_role("alert")).to_contain_text("voyez le motif")
    assert page.url.endswith("/revision/#erreur-revision")
    focus = page.evaluate(FOCUS)
    assert focus == {"balise": "div", "id": "erreur-revision", "role": "alert", "visible": True}
    assert page.evaluate("scrollY") > 0  # la section est au bas de la page, pas en haut


def test_la_barre_d_outils_d_un_graphique_n_a_que_ses_deux_boutons_utiles(page: Page, live_server):
    construire_quartier(nom="Villeray", indicateurs=2, trimestres=4)
    UtilisateurFactory(email="eve@exemple.org", role_global=RoleGlobal.EVALUATEUR)
    _connecter(page, live_server.url, "eve@exemple.org")
    page.goto(f"{live_server.url}/tableau-de-bord/quartiers/villeray/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-figure]')]"
        ".every(zone => zone.querySelector('svg.main-svg'))"
    )
    barres = page.evaluate(
        """() => [...document.querySelectorAll('[data-figure]')].map(zone =>
             [...zone.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title')))"""
    )
    assert len(barres) == 2
    assert all(
        boutons == ["Télécharger le graphique en fichier PNG", "Réinitialiser les axes"]
        for boutons in barres
    ), barres
