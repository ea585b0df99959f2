"""Les graphiques d'un téléphone (390 px, et 320 px pour les plus petits) : rien ne se chevauche.
La légende des « indicateurs par statut » (bilan du PIC, vue d'ensemble) ne tombe plus sur le
titre de l'axe des x, les noms de quartiers laissent de la place aux barres, le titre d'une
courbe « turn the curve » ne recouvre plus ses graduations, et un petit multiple à 320 px ne
colle plus deux trimestres l'un sur l'autre (`static/js/graphiques.js`, `pourEcranEtroit`)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

TELEPHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]

# Les boîtes (à l'écran) des parties d'un graphique dessiné : légende, titre et graduations de
# l'axe des x, titre et graduations de l'axe des y, zone de tracé (les barres).
BOITES = """figure => {
  const zone = document.querySelector(`[data-figure="${figure}"]`);
  const boite = selecteur => {
    const element = zone.querySelector(selecteur);
    if (!element) { return null; }
    const r = element.getBoundingClientRect();
    return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null;
  };
  return {
    figure: boite(".main-svg"),
    legende: boite(".legend"),
    titre_x: boite(".g-xtitle text"),
    graduations_x: boite(".xaxislayer-above"),
    titre_y: boite(".g-ytitle text"),
    graduations_y: boite(".yaxislayer-above"),
    trace: boite(".nsewdrag"),
  };
}"""


@pytest.fixture
def demo(fichiers_temporaires):
    call_command("charger_demo", verbosity=0)


def _dessine(page: Page, figure: str) -> dict:
    zone = page.locator(f'[data-figure="{figure}"]')
    zone.scroll_into_view_if_needed()
    # graphiques.js cache le dessin aux lecteurs d'écran une fois Plotly.newPlot terminé (marges
    # automatiques comprises) : les boîtes sont alors les dernières.
    expect(zone.locator("svg.main-svg").first).to_have_attribute("aria-hidden", "true")
    return page.evaluate(BOITES, figure)


def _se_recoupent(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _rien_ne_se_chevauche(boites: dict, parties: tuple[str, ...]) -> None:
    presentes = [p for p in parties if boites[p]]
    assert presentes == list(parties), boites  # chaque partie est dessinée
    for rang, une in enumerate(presentes):
        for autre in presentes[rang + 1 :]:
            assert not _se_recoupent(boites[une], boites[autre]), (une, autre, boites)
    gauche, _haut, droite, _bas = boites["figure"]
    for partie in presentes:  # rien ne sort de la figure (le titre de l'axe débordait à droite)
        assert gauche - 1 <= boites[partie][0] and boites[partie][2] <= droite + 1, (partie, boites)


def _statuts_lisibles(page: Page, figure: str) -> None:
    boites = _dessine(page, figure)
    _rien_ne_se_chevauche(boites, ("legende", "titre_x", "graduations_x", "trace"))
    # Les barres gardent plus des deux cinquièmes de la largeur malgré les noms de quartiers
    # (avant : un cinquième sur la vue d'ensemble, à cause de « Pointe-aux-Trembles (avec…) »).
    largeur = boites["figure"][2] - boites["figure"][0]
    assert boites["trace"][2] - boites["trace"][0] >= 0.4 * largeur, boites


def test_la_legende_des_statuts_d_un_bilan_laisse_lire_l_axe(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    page.goto(f"{live_server.url}/bilans/")
    page.get_by_label("Portée").select_option("pic")
    page.get_by_label("Période").select_option(index=1)
    page.get_by_role("button", name="Demander").click()
    expect(page.get_by_role("heading", name="Les quartiers côte à côte")).to_be_visible()
    adresse_du_bilan = page.url
    for telephone in TELEPHONES:
        page.set_viewport_size(telephone)
        page.goto(adresse_du_bilan)
        _statuts_lisibles(page, "bilan-pic-donnees")


def test_sur_la_vue_d_ensemble_les_statuts_des_17_quartiers_tiennent(
    page: Page, live_server, demo_tous_suivis
):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for telephone in TELEPHONES:
        page.set_viewport_size(telephone)
        page.goto(f"{live_server.url}/tableau-de-bord/")
        _statuts_lisibles(page, "progression-donnees")
        noms = page.locator('[data-figure="progression-donnees"] .ytick text').all_text_contents()
        assert len(noms) == 17 and "Pointe-aux-Trem…" in noms, noms  # raccourci, pas coupé


def test_le_titre_d_une_courbe_ne_recouvre_pas_ses_graduations(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for telephone in TELEPHONES:
        page.set_viewport_size(telephone)
        page.goto(f"{live_server.url}/tableau-de-bord/quartiers/saint-michel/")
        # « valeur de l'indice » à côté de « 2,05 » : le titre le plus large contre les
        # graduations les plus larges.
        boites = _dessine(page, "fig-proc-diversite-partenaires-donnees")
        _rien_ne_se_chevauche(
            boites, ("legende", "graduations_x", "titre_y", "graduations_y", "trace")
        )


def test_les_trimestres_d_un_petit_multiple_ne_se_collent_pas(page: Page, live_server, demo):
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for telephone in TELEPHONES:
        page.set_viewport_size(telephone)
        # un indicateur que suivent les cinq quartiers de la démonstration : cinq panneaux
        page.goto(f"{live_server.url}/tableau-de-bord/indicateurs/pers-personnes-rejointes/")
        _dessine(page, "multiples-donnees")
        etiquettes = page.evaluate(
            """() => [...document.querySelectorAll('[data-figure="multiples-donnees"] .xtick text')]
              .map(t => { const r = t.getBoundingClientRect();
                          return [r.left, r.top, r.right, r.bottom, t.textContent]; })"""
        )
        assert etiquettes
        for rang, une in enumerate(etiquettes):
            for autre in etiquettes[rang + 1 :]:
                assert not _se_recoupent(une[:4], autre[:4]), (telephone, une, autre)


def test_le_graphe_de_la_theorie_ne_laisse_pas_de_blanc_dessous(page: Page, live_server, demo):
    """La place gardée avant le dessin (320 px) ne reste pas sous un graphe moins haut : sur un
    téléphone, les nœuds de Saint-Michel finissaient 140 px au-dessus du bas de la zone."""
    se_connecter(page, live_server.url, "evaluation@demo.evalpic.ca")
    for largeur in (390, 1366):
        page.set_viewport_size({"width": largeur, "height": 900})
        page.goto(
            f"{live_server.url}/tableau-de-bord/quartiers/saint-michel/theorie-du-changement/"
        )
        boites = _dessine(page, "theorie-donnees")
        zone = page.locator('[data-figure="theorie-donnees"]').bounding_box()
        figure_haut, figure_bas = boites["figure"][1], boites["figure"][3]
        assert zone["y"] + zone["height"] - figure_bas <= 2, (largeur, zone, boites["figure"])
        assert abs(zone["y"] - figure_haut) <= 2
