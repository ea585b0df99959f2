"""Sur un téléphone (390 px), un tableau trop large défile dans sa propre boîte (css/evalpic.css);
sa légende, elle, reste lisible en entier : elle passe à la ligne dans la largeur visible et ne
défile pas avec les colonnes (elle était coupée au milieu d'une phrase, « … en retard, renvo »).
Une seule règle pour tous les tableaux du site. Dans le profil, « Révoquer… » suit le nom du
jeton : ouverte, la confirmation et son bouton tiennent à l'écran à côté de ce nom.
Dans un vrai navigateur (Playwright + chromium de Debian, comme tests/parcours/)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from quartiers.jetons import creer_jeton
from quartiers.models import Utilisateur
from tests.parcours.conftest import ARGUMENTS_CHROMIUM, CHROMIUM
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

TELEPHONE = {"width": 390, "height": 844}
COORDINATION = "coordination@demo.evalpic.ca"
# Des pages dont un tableau à légende visible déborde à 390 px (données de démonstration).
PAGES = {
    "boîte de saisie": "/saisie/",
    "historique d'une saisie": "/quartiers/saint-michel/saisies/2026-T2/historique/",
    "page du quartier": "/quartiers/saint-michel/",
    "tableau du quartier": "/tableau-de-bord/quartiers/saint-michel/",
}
LEGENDES = """() => [...document.querySelectorAll('.tableau')]
  .filter(t => t.scrollWidth > t.clientWidth)
  .map(t => [t, t.querySelector(':scope > caption')])
  .filter(([t, c]) => c && c.getBoundingClientRect().width > 1)  // une légende visible
  .map(([t, c]) => {
    const mesurer = () => {
      const lt = t.getBoundingClientRect(), lc = c.getBoundingClientRect();
      return {gauche: lc.left - lt.left, droite: lt.left + t.clientWidth - lc.right};
    };
    const avant = mesurer();
    t.scrollLeft = t.scrollWidth;  // au bout des colonnes
    const apres = mesurer();
    t.scrollLeft = 0;
    return {texte: c.textContent.trim().slice(0, 60), coupee: c.scrollWidth > c.clientWidth,
            avant, apres, defile: t.scrollWidth - t.clientWidth};
  })"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGUMENTS_CHROMIUM}


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_la_legende_d_un_tableau_qui_defile_reste_lisible(page: Page, live_server, demo):
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, COORDINATION, accueil=None)
    mesures = {}
    for nom, chemin in PAGES.items():
        reponse = page.goto(f"{live_server.url}{chemin}")
        assert reponse is not None and reponse.ok, chemin
        mesures[nom] = page.evaluate(LEGENDES)
    assert sum(len(m) for m in mesures.values()) >= 3, mesures  # le test mesure bien quelque chose
    for nom, legendes in mesures.items():
        for legende in legendes:
            assert not legende["coupee"], (nom, legende)
            # Dans la largeur visible du tableau, avant et après avoir fait défiler ses colonnes.
            for cote in ("avant", "apres"):
                assert legende[cote]["gauche"] >= -1, (nom, cote, legende)
                assert legende[cote]["droite"] >= -1, (nom, cote, legende)


def test_revoquer_un_jeton_sur_un_telephone(page: Page, live_server, demo):
    personne = Utilisateur.objects.get(email=COORDINATION)
    creer_jeton(utilisateur=personne, nom="tableur de la table de quartier")
    creer_jeton(utilisateur=personne, nom="script")
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, COORDINATION, accueil=None)
    page.goto(f"{live_server.url}/profil/")
    ligne = page.locator(".tableau tbody tr").filter(has_text="tableur de la table de quartier")
    ligne.locator("summary").click()
    bouton = ligne.get_by_role("button", name="Révoquer définitivement")
    expect(bouton).to_be_visible()
    # Le nom du jeton, l'avertissement et le bouton tiennent tous dans l'écran, sans défiler.
    for element in (ligne.locator("th"), ligne.locator("details p"), bouton):
        boite = element.bounding_box()
        assert boite is not None
        assert boite["x"] >= 0 and boite["x"] + boite["width"] <= TELEPHONE["width"], boite
    bouton.click()
    expect(page.locator(".tableau tbody tr").filter(has_text="tableur")).to_contain_text(
        "révoqué le"
    )
