"""La vue d'ensemble du PIC et les quartiers sans données. Avant : les 12 quartiers sans aucune
donnée avaient chacun une ligne vide dans les barres de statuts, la carte de complétude et les
tableaux, et une entrée de légende dans le graphique des partenaires; ses couleurs se donnaient
par rang dans la liste complète (`PALETTE[rang % 8]`), si bien que deux courbes tracées
pouvaient avoir la même couleur, et le jaune #F0E442 ne se voyait pas sur fond blanc."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from rapports.graphiques import PALETTE, croissance_partenaires, sans_partenaires
from tests.factories import QuartierFactory, construire_quartier


def _contraste_sur_blanc(couleur: str) -> float:
    def canal(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (canal(int(couleur[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_la_palette_a_huit_couleurs_distinctes_sans_le_jaune_pale():
    assert len(set(PALETTE)) == 8
    assert "#F0E442" not in PALETTE
    # Le plus pâle des huit (l'orange d'Okabe et Ito) reste au-dessus de 2:1; le jaune d'origine
    # était à 1,3:1.
    assert min(_contraste_sur_blanc(c) for c in PALETTE) > 2


def test_seuls_les_quartiers_qui_ont_des_valeurs_sont_traces_chacun_de_sa_couleur():
    vides = {f"Vide {k}": {"partenaires": [None, None], "diversite": [None, None]} for k in "ABCD"}
    pleins = {f"Plein {k}": {"partenaires": [k, k + 1], "diversite": [None, 0.5]} for k in range(8)}
    # Les vides d'abord, comme Ahuntsic et Bordeaux-Cartierville dans l'ordre alphabétique.
    par_quartier = vides | pleins
    with translation.override("fr"):
        figure = croissance_partenaires(["T1 2026", "T2 2026"], par_quartier)
    noms = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert noms == list(pleins)
    couleurs = [t["line"]["color"] for t in figure["data"] if t.get("showlegend", True)]
    assert len(set(couleurs)) == 8  # huit courbes, huit couleurs
    assert couleurs[0] == PALETTE[0]
    assert sans_partenaires(par_quartier) == list(vides)


def test_la_hauteur_suit_les_quartiers_traces():
    vides = {f"Vide {k}": {"partenaires": [None], "diversite": [None]} for k in range(12)}
    pleins = {f"Plein {k}": {"partenaires": [3], "diversite": [1.0]} for k in range(5)}
    with translation.override("fr"):
        seuls = croissance_partenaires(["T1 2026"], pleins)
        avec_les_vides = croissance_partenaires(["T1 2026"], vides | pleins)
    assert avec_les_vides["layout"]["height"] == seuls["layout"]["height"]


@pytest.mark.django_db
def test_la_vue_d_ensemble_regroupe_les_quartiers_sans_donnees(client, eve):
    construire_quartier(nom="Beta")
    QuartierFactory(nom="Alpha", slug="alpha")  # ni indicateur, ni valeur, ni partenaire
    QuartierFactory(nom="Gamma", slug="gamma")
    client.force_login(eve)
    page = client.get(reverse("tableau_pic"))
    assert page.status_code == 200
    figures = page.context["figures"]
    (progression,) = {tuple(t["y"]) for t in figures["progression"]["data"]}
    assert progression == ("Beta",)
    assert figures["completude"]["data"][0]["y"] == ["Beta"]
    assert page.context["completude"] == [("Beta", page.context["completude"][0][1])]
    legende = [t["name"] for t in figures["partenaires"]["data"] if t.get("showlegend", True)]
    assert "Alpha" not in legende and "Gamma" not in legende
    assert [ligne.quartier.nom for ligne in page.context["sans_donnees"]] == ["Alpha", "Gamma"]
    contenu = page.content.decode()
    # Une seule ligne pour les deux, à la fin de chaque tableau, chacun nommé une fois (statuts,
    # complétude, partenaires et diversité par trimestre, dernier trimestre).
    lignes = [ligne for ligne in contenu.split("<tr>") if 'class="sans-donnees"' in ligne]
    assert len(lignes) == 5
    assert all("Alpha" in ligne and "Gamma" in ligne for ligne in lignes)
    assert "Aucun indicateur suivi." in lignes[0] and ">Alpha</a>" in lignes[0]
    assert "Sans aucune donnée sur ces trimestres, absents du graphique : Alpha, Gamma." in contenu
    assert "Ni partenaires ni diversité sur ces trimestres, absents du graphique :" in contenu
    # L'ordre des quartiers reste alphabétique, sans classement : Beta avant le regroupement.
    assert contenu.index(">Beta</a>") < contenu.index(">Alpha</a>")


@pytest.mark.django_db
def test_le_csv_garde_tous_les_quartiers(client, eve):
    construire_quartier(nom="Beta")
    QuartierFactory(nom="Alpha", slug="alpha")
    client.force_login(eve)
    csv = client.get(reverse("tableau_pic"), {"csv": "progression"}).content.decode("utf-8-sig")
    assert [ligne.split(";")[0] for ligne in csv.splitlines()[1:]] == ["Alpha", "Beta"]
