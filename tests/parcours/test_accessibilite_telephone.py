"""Accessibilité sur un téléphone (390 px) : un tableau trop large y défile dans sa propre boîte
(css/evalpic.css). axe-core exige qu'une boîte qui défile s'atteigne au clavier (règle
scrollable-region-focusable, WCAG 2.1.1) : un tableau sans lien ni bouton (historique d'une
saisie, théorie du changement, tableaux d'un quartier) ne le pouvait pas. js/tableaux.js le rend
atteignable tant qu'il déborde, et seulement alors : sur un bureau, aucun arrêt de tabulation de
plus. Voir test_accessibilite.py pour la façon dont axe-core est injecté (sans contourner la CSP).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.parcours.outils import se_connecter
from tests.parcours.test_accessibilite import QUARTIER, analyser, source_axe, tabuler, verifier

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]
__all__ = ["source_axe"]  # la fixture, réutilisée telle quelle

TELEPHONE = {"width": 390, "height": 844}
BUREAU = {"width": 1280, "height": 844}
HISTORIQUE = f"/quartiers/{QUARTIER}/saisies/2026-T2/historique/"
PAGES = {
    "historique d'une saisie": HISTORIQUE,
    "théorie du changement": f"/tableau-de-bord/quartiers/{QUARTIER}/theorie-du-changement/",
    "page du quartier": f"/quartiers/{QUARTIER}/",
    "tableau du quartier": f"/tableau-de-bord/quartiers/{QUARTIER}/",
    "tableau du PIC": "/tableau-de-bord/",
    "complétude": "/completude/",
}
# Les tableaux que ce script rend atteignables, et ceux qui débordent.
ATTEIGNABLES = "() => document.querySelectorAll('.tableau[tabindex]').length"
DEBORDENT = """() => [...document.querySelectorAll('.tableau')]
    .filter(t => t.scrollWidth > t.clientWidth).length"""


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_pages_a_390px_sans_violation_wcag_a_ni_aa(page: Page, live_server, demo, source_axe):
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    resultats, comptes = {}, {}
    for nom, chemin in PAGES.items():
        reponse = page.goto(f"{live_server.url}{chemin}")
        assert reponse is not None and reponse.ok, chemin
        resultats[f"{nom} (390 px)"] = analyser(page, source_axe)
        comptes[nom] = (page.evaluate(ATTEIGNABLES), page.evaluate(DEBORDENT))
    verifier(resultats)
    # Chaque tableau qui déborde est atteignable; aucun autre.
    assert all(atteignables == debordent for atteignables, debordent in comptes.values()), comptes


def test_un_tableau_qui_defile_s_atteint_au_clavier_et_seulement_s_il_defile(
    page: Page, live_server, demo
):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.set_viewport_size(BUREAU)
    page.goto(f"{live_server.url}{HISTORIQUE}")
    page.wait_for_load_state("load")
    assert page.evaluate(DEBORDENT) == 0
    assert page.evaluate(ATTEIGNABLES) == 0  # sur un bureau, pas d'arrêt de tabulation inutile

    page.set_viewport_size(TELEPHONE)  # la fenêtre rétrécit : le tableau se met à défiler
    page.wait_for_function(f"() => ({ATTEIGNABLES})() > 0")
    tableau = page.locator(".tableau[tabindex='0']").first
    # Nommé au focus : par sa légende s'il en a une, sinon par le libellé générique.
    nom = tableau.evaluate(
        "t => (t.caption && t.caption.textContent.trim()) || t.getAttribute('aria-label')"
    )
    assert nom
    assert tableau.evaluate("t => t.getAttribute('role')") is None  # il reste un tableau

    # Au clavier : la tabulation l'atteint (contour visible, vérifié par tabuler), et les
    # flèches le font défiler.
    for _ in range(100):
        focus = tabuler(page)
        assert focus["balise"] != "body", "le tableau qui défile n'est jamais atteint au clavier"
        if page.evaluate("() => document.activeElement.classList.contains('tableau')"):
            break
    assert focus["balise"] == "table"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")

    page.set_viewport_size(BUREAU)  # la fenêtre s'élargit : tout ce qui a été posé est retiré
    page.wait_for_function(f"() => ({ATTEIGNABLES})() === 0")
    assert page.evaluate("() => document.querySelectorAll('.tableau[aria-label]').length") == 0
