"""La page de complétude sur un téléphone : la part d'une table (« 100 % ») reste sur une ligne
dans sa colonne étroite; avant, « 100 » puis « % » à la ligne en français, à 390 et 320 px."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

LIGNES_PAR_PART = """() => [...document.querySelectorAll("td.insecable")].map(cellule => {
  const etendue = document.createRange();
  etendue.selectNodeContents(cellule);
  const hauteurs = new Set([...etendue.getClientRects()].map(r => Math.round(r.top)));
  return [cellule.textContent.trim(), hauteurs.size];
})"""


@pytest.fixture
def demo(fichiers_temporaires):
    call_command("charger_demo", verbosity=0)


def test_chaque_part_tient_sur_une_ligne(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for largeur in (390, 320):
        page.set_viewport_size({"width": largeur, "height": 800})
        page.goto(f"{live_server.url}/completude/")
        expect(page.locator("td.insecable").first).to_be_visible()
        parts = page.evaluate(LIGNES_PAR_PART)
        assert any(texte == "100 %" for texte, _lignes in parts), parts  # le cas le plus large
        assert all(lignes == 1 for _texte, lignes in parts), (largeur, parts)
