"""Sur un téléphone (390 px), les tableaux de la théorie du changement et la liste des bilans se
lisent en fiches (css/evalpic.css) : rien n'y reste hors de l'écran. Avant : les colonnes
« Indicateurs » et « Actions » de la théorie, et les boutons A/B de la comparaison des bilans
(x = 404), n'étaient visibles qu'en faisant défiler le tableau de côté. Sur un bureau, ce sont
toujours des tableaux."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from rapports.models import Bilan, Portee, StatutBilan
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

TELEPHONE = {"width": 390, "height": 844}
BUREAU = {"width": 1280, "height": 844}
THEORIE = "/tableau-de-bord/quartiers/saint-michel/theorie-du-changement/"

# Les éléments visibles (non masqués pour l'œil) qui dépassent le bord droit de la fenêtre, et
# les tableaux qui défilent de côté.
HORS_ECRAN = """selecteur => [...document.querySelectorAll(selecteur)]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.right > innerWidth + 1; })
  .map(e => e.textContent.trim().slice(0, 40) || e.outerHTML.slice(0, 60))"""
DEFILENT = """() => [...document.querySelectorAll('.tableau')]
  .filter(t => t.scrollWidth > t.clientWidth + 1).map(t => t.caption && t.caption.textContent)"""


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)
    for trimestre in (1, 2):
        Bilan.objects.create(
            portee=Portee.PIC, annee=2026, trimestre=trimestre, statut=StatutBilan.PRET
        )


def test_la_theorie_du_changement_se_lit_en_fiches(page: Page, live_server, demo):
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, "conseil@demo.evalpic.ca")
    page.goto(f"{live_server.url}{THEORIE}")
    assert page.locator(".tableau tbody tr").count() > 5
    assert page.evaluate(HORS_ECRAN, ".tableau tbody th, .tableau tbody td") == []
    assert page.evaluate(DEFILENT) == []
    # Chaque cellule dit sa colonne (« Indicateurs », « Actions »…), les en-têtes étant cachés.
    etiquette = page.locator(".tableau--fiches td[data-colonne='Actions']").first.evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    assert etiquette == '"Actions"'
    page.set_viewport_size(BUREAU)
    assert page.locator(".tableau--fiches").first.evaluate("t => getComputedStyle(t).display") == (
        "table"
    )


def test_les_boutons_a_b_des_bilans_sont_a_l_ecran(page: Page, live_server, demo):
    page.set_viewport_size(TELEPHONE)
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.goto(f"{live_server.url}/bilans/")
    boutons = page.locator("input[type='radio'][name='a'], input[type='radio'][name='b']")
    assert boutons.count() == 4
    assert page.evaluate(HORS_ECRAN, "input[type='radio'], .tableau tbody th") == []
    assert page.evaluate(DEFILENT) == []
    # Cochés au doigt, sans faire défiler le tableau.
    # Chaque bouton nomme son bilan (« A — … », texte caché aux yeux) : on les prend par leur champ.
    page.locator("input[type='radio'][name='a']").first.check()
    page.locator("input[type='radio'][name='b']").nth(1).check()
    assert page.evaluate("() => document.querySelector('.tableau').scrollLeft") == 0
