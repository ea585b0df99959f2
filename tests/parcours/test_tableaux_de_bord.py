"""Parcours du conseiller : vue d'ensemble, filtre par thème, tableau d'un quartier avec ses
graphiques dessinés et ses données, téléchargement d'un CSV, passage à l'anglais."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def _bouton_png(nom: str) -> str:
    """Le bouton « télécharger en PNG » de la barre d'outils de Plotly, par son nom accessible
    (aria-label), qui suit la langue de la page."""
    return f"button.modebar-btn[aria-label='{nom}']"


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)


def test_le_conseiller_parcourt_les_tableaux_de_bord(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Courriel").fill("conseil@demo.evalpic.ca")
    page.get_by_label("Mot de passe").fill("demo-evalpic-2026")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Tableau de bord").first.click()
    expect(page.get_by_role("heading", name="Tableau de bord du PIC")).to_be_visible()
    expect(page.locator("[data-figure] svg.main-svg").first).to_be_visible()
    # Ses trois quartiers affectés, et pas les autres.
    progression = page.get_by_role("table").filter(has_text="Nombre d'indicateurs par statut")
    expect(progression.get_by_role("row")).to_have_count(4)
    expect(progression).not_to_contain_text("Saint-Léonard")

    page.get_by_label("Thème").select_option("alimentation")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile("theme=alimentation"))

    page.get_by_role("link", name="Saint-Michel").first.click()
    expect(page.get_by_role("heading", name="Tableau de bord de Saint-Michel")).to_be_visible()
    expect(page).to_have_url(re.compile("theme=alimentation"))
    courbes = page.locator("article.courbe")
    expect(courbes.first.locator("svg.main-svg").first).to_be_visible()
    # La barre d'outils de Plotly parle la langue de la page (dictionnaire plotly-locale-fr.js).
    expect(
        courbes.first.locator(_bouton_png("Télécharger le graphique en fichier PNG"))
    ).to_have_count(1)
    courbes.first.locator("summary").click()
    expect(courbes.first.get_by_role("table")).to_be_visible()

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Toutes les séries en CSV").click()
    contenu = Path(telechargement.value.path()).read_text(encoding="utf-8-sig")
    assert contenu.startswith("Indicateur;Nom;Période;Valeur")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Saint-Michel dashboard")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    courbe = page.locator("article.courbe").first
    expect(courbe.locator("svg.main-svg").first).to_be_visible()
    expect(courbe.locator(_bouton_png("Download plot as a PNG"))).to_have_count(1)


# --- Le dessin des graphiques, un à la fois ------------------------------------------------------

# Note, dans l'ordre, la zone de chaque graphique que Plotly dessine, et casse la figure JSON de
# la première courbe de la page (comme le ferait une figure fautive).
ESPION = """
window.__dessines = [];
document.addEventListener("DOMContentLoaded", () => {
    const premiere = document.querySelector("article.courbe [data-figure]");
    if (premiere) {
        document.getElementById(premiere.dataset.figure).textContent = "{ pas du JSON";
    }
});
Object.defineProperty(window, "Plotly", {
    configurable: true,
    set(valeur) {
        const dessiner = valeur.newPlot;
        valeur.newPlot = function (zone, ...reste) {
            window.__dessines.push(zone.closest("[id]") ? zone.closest("[id]").id : "?");
            return dessiner.call(this, zone, ...reste);
        };
        Object.defineProperty(window, "Plotly", {value: valeur, writable: true});
    },
});
"""


def test_les_graphiques_a_l_ecran_d_abord_et_une_figure_fautive_n_arrete_pas_les_autres(
    page: Page, live_server, demo
):
    """Le tableau d'un quartier ouvert sur sa dernière courbe (#courbe-…) : celle-ci est
    dessinée avant celles du haut de la page; une figure illisible (la première) est sautée, et
    toutes les autres sont dessinées."""
    se_connecter(page, live_server.url, "conseil@demo.evalpic.ca")
    page.add_init_script(ESPION)
    adresse = f"{live_server.url}/tableau-de-bord/quartiers/saint-michel/"
    page.goto(adresse)
    derniere = page.locator("article.courbe").last.get_attribute("id")
    page.goto("about:blank")
    page.goto(f"{adresse}#{derniere}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('article.courbe [data-figure]')].slice(1)"
        ".every(zone => zone.querySelector('svg.main-svg'))"
    )
    dessines = page.evaluate("() => window.__dessines")
    courbes = page.locator("article.courbe").count()
    assert courbes > 3
    # À l'écran d'abord : dans l'ordre de la page, la dernière serait dessinée la dernière.
    assert dessines.index(derniere) < len(dessines) // 2, dessines
    premiere = page.locator("article.courbe").first
    expect(premiere.locator("svg.main-svg")).to_have_count(0)  # sautée, pas bloquante
    assert len(dessines) == len(set(dessines))  # chacun une seule fois
