"""Les défauts des graphiques relevés par la revue d'ergonomie, corrigés dans les fonctions de
graphiques et les balises qui les écrivent (sans base de données) : un indicateur en texte en
tableau, la carte de complétude lisible ligne par ligne, les partenaires sans légende écrasante,
des graduations entières pour des comptes, l'axe de l'indice en mots simples."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.utils import translation

from rapports.graphiques import (
    carte_completude,
    courbe_a_renverser,
    lignes_de_la_courbe,
    petits_multiples,
)
from rapports.series import Point, Repere, SerieIndicateur
from rapports.templatetags.donnees import lignes_de_courbe
from rapports.templatetags.graphiques_html import article_de_courbe, graphique


@pytest.fixture(autouse=True)
def en_francais():
    with translation.override("fr"):
        yield


def valide(figure: dict) -> dict:
    go.Figure(figure)
    json.dumps(figure)
    return figure


def _serie(unite: str, valeurs: list, textes: list[str] | None = None, **autres):
    textes = textes or [""] * len(valeurs)
    points = [
        Point(
            f"2025-T{n}",
            f"T{n} 2025",
            datetime.date(2025, 3 * n - 2, 1),
            None if v is None else Decimal(v),
            t,
        )
        for n, (v, t) in enumerate(zip(valeurs, textes, strict=True), start=1)
    ]
    return SerieIndicateur(
        code="IND", nom="Politique <municipale>", unite=unite, polarite="hausse",
        quartier="Alpha", points=points, **autres,
    )  # fmt: skip


TEXTES = ["Projet déposé & discuté", "", "Adoptée « enfin »"]


@pytest.fixture
def en_texte() -> SerieIndicateur:
    return _serie(
        "texte",
        [None, None, None],
        TEXTES,
        reperes=[Repere("2025-T2", "T2 2025", "Défis", "Un retard")],
    )


# --- 1. Un indicateur en texte ---------------------------------------------------------------


def test_un_indicateur_en_texte_n_a_pas_de_courbe(en_texte):
    """Sa figure ne dessine rien : ses textes sont dans le tableau HTML (tests ci-dessous)."""
    figure = valide(courbe_a_renverser(en_texte))
    assert figure["data"] == []
    assert figure["layout"]["meta"] == {"texte": True}  # ni statut ni axe −1…4
    assert "yaxis" not in figure["layout"]


def test_les_lignes_d_un_indicateur_en_texte_portent_ses_textes(en_texte):
    lignes = lignes_de_la_courbe(en_texte)
    assert [(ligne["periode"], ligne["texte"]) for ligne in lignes] == [
        ("T1 2025", TEXTES[0]),
        ("T2 2025", ""),
        ("T3 2025", TEXTES[2]),
    ]
    assert all(ligne["valeur"] is None for ligne in lignes)
    json.dumps(lignes)


def test_le_tableau_de_donnees_du_bilan_montre_les_textes_sur_trois_colonnes(en_texte):
    html = lignes_de_courbe(lignes_de_la_courbe(en_texte))
    assert html.count("<tr>") == 3
    assert '<td class="texte" colspan="3">Projet déposé &amp; discuté</td>' in html
    assert '<td class="texte" colspan="3">—</td>' in html  # un trimestre sans texte
    assert 'class="nombre"' not in html


def test_le_graphique_d_un_indicateur_en_texte_ne_dessine_rien(en_texte):
    assert graphique("fig", "Titre", courbe_a_renverser(en_texte)) == ""
    numerique = _serie("nombre", ["1", "2", "3"])
    assert "data-figure" in graphique("fig", "Titre", courbe_a_renverser(numerique))


def test_au_tableau_de_bord_un_indicateur_en_texte_est_un_tableau_sans_statut(en_texte):
    courbe = {
        "serie": en_texte,
        "statut": "sans_donnees",
        "libelle_statut": "sans données",
        "figure": courbe_a_renverser(en_texte),
        "lignes": lignes_de_la_courbe(en_texte),
    }
    html = article_de_courbe(courbe)
    assert 'id="courbe-IND"' in html and "Politique &lt;municipale&gt;" in html
    assert "statut" not in html and "sans données" not in html
    assert "data-figure" not in html and "<script" not in html
    assert "<details>" not in html  # les textes se lisent d'emblée
    assert '<th scope="col">Période</th><th scope="col">Texte</th>' in html
    assert '<th scope="row">T1 2025</th><td class="texte">Projet déposé &amp; discuté</td>' in html
    assert '<th scope="row">T2 2025</th><td class="texte">—</td>' in html
    assert "Un retard" in html  # ses apprentissages épinglés restent


def test_le_tableau_des_textes_en_anglais():
    with translation.override("en"):
        serie = _serie("texte", [None], ["Adopted"])
        html = article_de_courbe(
            {
                "serie": serie,
                "statut": "sans_donnees",
                "libelle_statut": "",
                "figure": courbe_a_renverser(serie),
                "lignes": lignes_de_la_courbe(serie),
            }
        )
    assert ">Period</th>" in html


# --- 2. La carte de complétude -----------------------------------------------------------------


def test_la_carte_de_completude_a_une_ligne_lisible_et_nommee_par_quartier():
    quartiers = [f"Quartier {n}" for n in range(17)]
    periodes = ["T1 2025", "T2 2025"]
    figure = valide(carte_completude(quartiers, periodes, [[100.0, None]] * 17))
    axe = figure["layout"]["yaxis"]
    assert axe["tickmode"] == "array"
    assert axe["tickvals"] == axe["ticktext"] == quartiers  # toutes les étiquettes
    assert figure["layout"]["height"] >= 28 * 17 + 100
    assert figure["data"][0]["textfont"]["size"] >= 11
    petite = carte_completude(["A", "B"], periodes, [[1.0, 2.0]] * 2)
    assert petite["layout"]["height"] < figure["layout"]["height"]


# --- 5. Graduations et titres d'axe ------------------------------------------------------------


def test_une_serie_de_comptes_a_des_graduations_entieres():
    """« Secteurs » allait de 7 à 9 : plotly.js graduait 7,5 et 8,5."""
    axe = valide(courbe_a_renverser(_serie("nombre", ["7", "8", "9"])))["layout"]["yaxis"]
    assert (axe["tick0"], axe["dtick"]) == (0, 1)
    figure = courbe_a_renverser(_serie("nombre", ["10", "40", "70"]))  # tendance jusqu'à 190
    ys = [y for trace in figure["data"] for y in trace["y"] if y is not None]
    pas = figure["layout"]["yaxis"]["dtick"]
    assert pas in (1, 2, 5, 10, 20, 50, 100)
    assert (max(ys) - min(ys)) / pas <= 6


def test_une_serie_decimale_garde_les_graduations_de_plotly():
    axe = courbe_a_renverser(_serie("pourcentage", ["7.5", "8", "9"]))["layout"]["yaxis"]
    assert "dtick" not in axe
    cible = [Point("2025-T3", "T3 2025", datetime.date(2025, 7, 1), Decimal("9.5"))]
    axe = courbe_a_renverser(_serie("nombre", ["7", "8", "9"], cibles=cible))["layout"]["yaxis"]
    assert "dtick" not in axe


def test_l_axe_d_un_indice_se_dit_en_mots_simples():
    axe = courbe_a_renverser(_serie("indice", ["0.5", "0.7"]))["layout"]["yaxis"]
    assert axe["title"]["text"] == "valeur de l'indice"
    assert "décimal" not in axe["title"]["text"]


# --- 4. Petits multiples sur un téléphone ------------------------------------------------------


def test_les_petits_multiples_prevoient_deux_colonnes_sur_un_ecran_etroit():
    series = [(f"Q{n}", [("T1 2025", Decimal(100)), ("T2 2025", Decimal(110))]) for n in range(5)]
    figure = valide(petits_multiples(series))
    etroit = figure["layout"]["meta"]["etroit"]
    debuts = sorted({tuple(etroit[f"xaxis{s}"]["domain"]) for s in ["", "2", "3", "4", "5"]})
    assert len(debuts) == 2  # deux colonnes
    (gauche, droite) = debuts
    assert gauche[1] < droite[0]  # sans chevauchement
    assert etroit["height"] > figure["layout"]["height"]
