"""Les figures des tableaux de bord : dictionnaires simples, validés ici par `go.Figure`."""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.utils import translation

from rapports import graphique_theorie, graphiques
from rapports.graphique_theorie import graphe_theorie_du_changement
from rapports.graphiques import (
    COULEURS_STATUT,
    carte_completude,
    courbe_a_renverser,
    croissance_partenaires,
    lignes_de_la_courbe,
    petits_multiples,
    progression_quartiers,
)
from rapports.series import Point, Repere, SerieIndicateur, Statut
from rapports.statuts import libelle_trimestre, normaliser, trimestre_suivant


@pytest.fixture(autouse=True)
def en_francais():
    with translation.override("fr"):
        yield


def valide(figure: dict) -> dict:
    """La figure est acceptée par plotly (validation complète) et sérialisable en JSON."""
    go.Figure(figure)
    json.dumps(figure)
    return figure


def traces(figure: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure["data"]}


def point(code: str, valeur) -> Point:
    annee, trimestre = (int(x) for x in code.split("-T"))
    debut = datetime.date(annee, 3 * trimestre - 2, 1)
    return Point(code, libelle_trimestre(code), debut, None if valeur is None else Decimal(valeur))


def serie(valeurs: list, *, depuis: str = "2025-T1", polarite: str = "hausse", **autres):
    points = [point(trimestre_suivant(depuis, k), v) for k, v in enumerate(valeurs)]
    return SerieIndicateur(
        code="EMP",
        nom="Taux d'emploi",
        unite="pourcentage",
        polarite=polarite,
        quartier="Quartier A",
        points=points,
        **autres,
    )


@pytest.fixture
def complete() -> SerieIndicateur:
    """Huit trimestres 2024-2025 avec un trou en 2024-T3, référence, deux cibles, deux
    apprentissages (dont un à la période du trou)."""
    return serie(
        ["10", "11", None, "12.5", "13", "14", "14.5", "15"],
        depuis="2024-T1",
        reference=Decimal("10"),
        cibles=[point("2025-T4", "16"), point("2026-T4", "20")],
        reperes=[
            Repere("2024-T3", "T3 2024", "Défis", "Départ de la coordonnatrice <b>!</b>"),
            Repere("2025-T2", "T2 2025", "Changements de pratiques", "x" * 500),
        ],
    )


# --- Courbe à renverser --------------------------------------------------------------------------


def test_courbe_les_cinq_traces_et_leurs_valeurs(complete):
    figure = valide(courbe_a_renverser(complete))
    par_nom = traces(figure)
    assert list(par_nom) == ["Valeurs", "Référence", "Cibles", "Tendance", "Apprentissages"]
    valeurs = par_nom["Valeurs"]
    assert valeurs["mode"] == "lines+markers"
    assert valeurs["connectgaps"] is False
    assert valeurs["x"][:3] == ["T1 2024", "T2 2024", "T3 2024"]
    assert valeurs["y"] == [10.0, 11.0, None, 12.5, 13.0, 14.0, 14.5, 15.0]
    assert par_nom["Cibles"]["x"] == ["T4 2025", "T4 2026"]
    assert par_nom["Cibles"]["y"] == [16.0, 20.0]
    assert par_nom["Cibles"]["marker"]["symbol"] in ("star", "diamond")


def test_courbe_axe_des_x_inclut_la_projection(complete):
    layout = courbe_a_renverser(complete)["layout"]
    assert layout["xaxis"]["categoryorder"] == "array"
    assert layout["xaxis"]["categoryarray"] == [
        *(f"T{t} {a}" for a in (2024, 2025) for t in (1, 2, 3, 4)),
        "T1 2026",
        "T2 2026",
        "T3 2026",
        "T4 2026",
    ]


def test_courbe_reference_en_tirets_sur_toute_la_largeur(complete):
    figure = courbe_a_renverser(complete)
    reference = traces(figure)["Référence"]
    assert reference["y"] == [10.0, 10.0]
    assert reference["x"] == ["T1 2024", "T4 2026"]
    assert reference["line"]["dash"] == "dash"


def test_courbe_tendance_ajustee_puis_projetee(complete):
    droite = traces(courbe_a_renverser(complete))["Tendance"]
    assert droite["line"]["dash"] == "dot"
    assert "T3 2024" not in droite["x"]  # le trou n'a pas de valeur ajustée
    assert droite["x"][-4:] == ["T1 2026", "T2 2026", "T3 2026", "T4 2026"]
    assert len(droite["x"]) == len(droite["y"]) == 7 + 4
    pentes = {round(b - a, 3) for a, b in zip(droite["y"][-5:-1], droite["y"][-4:], strict=True)}
    assert len(pentes) == 1
    assert pentes.pop() > 0


def _apprentissages(figure: dict) -> tuple[dict | None, dict | None]:
    """(sur la courbe, en haut de la zone) : les traces des apprentissages épinglés."""
    nommees = [t for t in figure["data"] if t["name"] == "Apprentissages"]
    sur_la_courbe = [t for t in nommees if "yaxis" not in t]
    en_haut = [t for t in nommees if t.get("yaxis") == "y2"]
    assert len(sur_la_courbe) + len(en_haut) == len(nommees)
    return (sur_la_courbe or [None])[0], (en_haut or [None])[0]


def test_courbe_apprentissages_a_leur_periode_avec_le_texte_en_survol(complete):
    figure = valide(courbe_a_renverser(complete))
    sur_la_courbe, en_haut = _apprentissages(figure)
    # 2025-T2 prend la valeur du trimestre; le trou de 2024-T3 va en haut de la zone.
    assert (sur_la_courbe["x"], sur_la_courbe["y"]) == (["T2 2025"], [14.0])
    assert (en_haut["x"], en_haut["y"]) == (["T3 2024"], [graphiques.HAUT_DE_LA_ZONE])
    for trace in (sur_la_courbe, en_haut):
        assert trace["hoverinfo"] == "text"
        assert trace["legendgroup"] == "apprentissages"
        assert trace["marker"]["symbol"] == "circle-open"
    assert (sur_la_courbe["showlegend"], en_haut["showlegend"]) == (True, False)  # une entrée
    (premier,) = en_haut["hovertext"]
    (second,) = sur_la_courbe["hovertext"]
    assert premier == "Défis : Départ de la coordonnatrice &lt;b&gt;!&lt;/b&gt;"
    assert second.startswith("Changements de pratiques : xxx")
    assert len(second.replace("<br>", "")) <= 300
    assert second.endswith("…")


def test_un_apprentissage_sans_valeur_est_en_haut_de_la_zone_pas_sur_la_reference(complete):
    """Avant : la marque d'un trimestre sans valeur tombait sur la référence (ou à zéro), et se
    lisait comme une chute de la courbe. Elle va en haut de la zone du graphique, sur un axe
    à elle (0 à 1, invisible, superposé), quelle que soit l'échelle des valeurs."""
    figure = courbe_a_renverser(complete)
    _sur_la_courbe, en_haut = _apprentissages(figure)
    assert 10.0 not in en_haut["y"]  # la référence
    axe = figure["layout"]["yaxis2"]
    assert axe == {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}
    assert 0 < graphiques.HAUT_DE_LA_ZONE < 1
    # L'axe des valeurs, ses graduations comprises, ne voit pas ces marques.
    repere = Repere("2025-T2", "T2 2025", "Défis", "texte")
    entiers = serie(["10", None, "12"], reference=Decimal(10), reperes=[repere])
    layout = valide(courbe_a_renverser(entiers))["layout"]
    assert layout["yaxis"]["dtick"] == 1


def test_courbe_apprentissage_sans_valeur_ni_reference_en_haut_de_la_zone():
    s = serie([None, "4"], reperes=[Repere("2025-T1", "T1 2025", "Défis", "texte")])
    figure = valide(courbe_a_renverser(s))
    sur_la_courbe, en_haut = _apprentissages(figure)
    assert sur_la_courbe is None
    assert en_haut["y"] == [graphiques.HAUT_DE_LA_ZONE]
    assert en_haut["showlegend"] is True  # la seule trace : elle porte la légende


def test_sans_apprentissage_sans_valeur_pas_d_axe_de_plus(complete):
    complete.reperes = complete.reperes[1:]  # celui d'un trimestre avec valeur
    figure = courbe_a_renverser(complete)
    assert "yaxis2" not in figure["layout"]
    assert _apprentissages(figure)[1] is None


def test_courbe_sans_reference_cibles_tendance_ni_apprentissages():
    figure = valide(courbe_a_renverser(serie(["3", None])))
    assert list(traces(figure)) == ["Valeurs"]
    assert figure["layout"]["xaxis"]["categoryarray"] == ["T1 2025", "T2 2025"]


def test_courbe_d_une_serie_vide():
    figure = valide(courbe_a_renverser(serie([])))
    assert figure["data"] == []
    assert figure["layout"]["meta"] == {"statut": "sans_donnees"}


@pytest.mark.parametrize(
    ("polarite", "texte"),
    [("hausse", "↑ une hausse est souhaitée"), ("baisse", "↓ une baisse est souhaitée")],
)
def test_courbe_annonce_le_sens_souhaite(polarite, texte):
    figure = courbe_a_renverser(serie(["1", "2"], polarite=polarite))
    assert [a["text"] for a in figure["layout"]["annotations"]] == [texte]


def test_courbe_neutre_sans_annonce_de_sens():
    figure = courbe_a_renverser(serie(["1", "2"], polarite="neutre"))
    assert figure["layout"]["annotations"] == []


def test_courbe_mise_en_page(complete):
    layout = courbe_a_renverser(complete)["layout"]
    assert layout["title"]["text"] == "Taux d'emploi — Quartier A"
    assert layout["yaxis"]["title"]["text"] == "pourcentage"
    assert layout["hovermode"] == "x unified"
    assert layout["legend"]["orientation"] == "h"
    assert set(layout["margin"]) == {"l", "r", "t", "b"}
    # 15 en 2025-T4, sous la cible de 16 de ce même trimestre : l'échéance est arrivée et la
    # cible est manquée (avant, la dernière projection, ~17,6 en 2026-T4, disait en bonne voie).
    assert layout["meta"] == {"statut": "a_surveiller"}
    assert courbe_a_renverser(complete, titre="Autre")["layout"]["title"]["text"] == "Autre"


def test_courbe_statut_dans_meta():
    s = serie(["1", "2"], cibles=[point("2025-T2", "2")])
    assert courbe_a_renverser(s)["layout"]["meta"] == {"statut": Statut.ATTEINT.value}


def test_courbe_sans_decimal_dans_le_dictionnaire(complete):
    def nombres(objet):
        if isinstance(objet, dict):
            return [n for v in objet.values() for n in nombres(v)]
        if isinstance(objet, list | tuple):
            return [n for v in objet for n in nombres(v)]
        return [objet]

    assert not any(isinstance(n, Decimal) for n in nombres(courbe_a_renverser(complete)))


def test_lignes_de_la_courbe(complete):
    lignes = lignes_de_la_courbe(complete)
    assert [ligne["periode"] for ligne in lignes][-2:] == ["T4 2025", "T4 2026"]
    assert lignes[0] == {
        "code": "2024-T1",
        "periode": "T1 2024",
        "valeur": 10.0,
        "cible": None,
        "reference": 10.0,
        "non_disponible": False,
        "raison": "",
    }
    assert lignes[2]["valeur"] is None
    assert lignes[-2] == {
        "code": "2025-T4",
        "periode": "T4 2025",
        "valeur": 15.0,
        "cible": 16.0,
        "reference": 10.0,
        "non_disponible": False,
        "raison": "",
    }
    assert lignes[-1]["valeur"] is None
    assert lignes[-1]["cible"] == 20.0
    json.dumps(lignes)


# --- Vue d'ensemble ------------------------------------------------------------------------------


def test_carte_completude():
    figure = valide(
        carte_completude(
            ["Quartier A", "Quartier B"], ["T1 2025", "T2 2025"], [[50, None], [100, 0]]
        )
    )
    (carte,) = figure["data"]
    assert carte["type"] == "heatmap"
    assert carte["z"] == [[50.0, None], [100.0, 0.0]]
    assert (carte["zmin"], carte["zmax"]) == (0, 100)
    assert carte["text"] == [["50\u00a0%", ""], ["100\u00a0%", "0\u00a0%"]]
    assert carte["texttemplate"] == "%{text}"
    assert "valeurs présentes" in carte["hovertemplate"]
    assert carte["y"] == ["Quartier A", "Quartier B"]


def test_croissance_partenaires_deux_panneaux_une_entree_de_legende_par_quartier():
    """Partenaires en haut, diversité en bas (deux panneaux, plus de second axe superposé aux
    graduations bizarres « 0,567 »), une seule entrée de légende par quartier, sous le
    graphique."""
    figure = valide(
        croissance_partenaires(
            ["2024", "2025"],
            {
                "Quartier A": {"partenaires": [12, 15], "diversite": [1.2, 1.4]},
                "Quartier B": {"partenaires": [8, 9], "diversite": [0.9, 1.1]},
            },
        )
    )
    assert len(figure["data"]) == 4
    partenaires, diversite = figure["data"][:2]
    assert (partenaires["xaxis"], partenaires["yaxis"]) == ("x", "y")
    assert partenaires["y"] == [12.0, 15.0]
    assert (diversite["xaxis"], diversite["yaxis"]) == ("x2", "y2")
    assert diversite["y"] == [1.2, 1.4]
    assert partenaires["line"]["color"] == diversite["line"]["color"]
    assert figure["data"][2]["line"]["color"] != partenaires["line"]["color"]
    assert [t.get("showlegend", True) for t in figure["data"]] == [True, False, True, False]
    assert partenaires["name"] == "Quartier A"
    layout = figure["layout"]
    assert "overlaying" not in layout["yaxis2"]
    assert layout["yaxis"]["domain"][0] > layout["yaxis2"]["domain"][1]  # l'un sur l'autre
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] < 0
    assert layout["yaxis"]["dtick"] == 5  # de 0 à 15 : graduations entières
    assert layout["yaxis2"]["tickformat"] == ".2~f"


@pytest.mark.parametrize("n", [17, 49])
def test_croissance_partenaires_la_hauteur_suit_le_nombre_de_quartiers(n):
    par_quartier = {
        f"Quartier {k}": {"partenaires": [k, k + 1], "diversite": [0.5, 0.6]} for k in range(n)
    }
    figure = valide(croissance_partenaires(["2024", "2025"], par_quartier))
    legende = sum(1 for t in figure["data"] if t.get("showlegend", True))
    assert legende == n
    assert figure["layout"]["height"] >= 560 + 22 * math.ceil(n / 5)


def test_progression_quartiers_garde_l_ordre_donne():
    lignes = [
        ("Quartier C", {"a_surveiller": 3}),
        ("Quartier A", {"atteint": 5, "en_bonne_voie": 1}),
        ("Quartier B", {"atteint": 1, "sans_donnees": 2}),
    ]
    figure = valide(progression_quartiers(lignes))
    assert [t["name"] for t in figure["data"]] == [
        "atteint",
        "en bonne voie",
        "à surveiller",
        "sans données",
    ]
    for trace in figure["data"]:
        assert trace["y"] == ["Quartier C", "Quartier A", "Quartier B"]
        assert trace["orientation"] == "h"
    assert figure["data"][0]["x"] == [0, 5, 1]
    assert figure["data"][3]["x"] == [0, 0, 2]
    assert figure["layout"]["barmode"] == "stack"
    axe = figure["layout"]["yaxis"]
    assert axe["categoryarray"] == ["Quartier C", "Quartier A", "Quartier B"]
    couleurs = [t["marker"]["color"] for t in figure["data"]]
    assert couleurs == [COULEURS_STATUT[s] for s in Statut]
    assert len(set(couleurs)) == 4


# --- Théorie du changement -----------------------------------------------------------------------


def noeud(code: str, horizon: str, famille: str = "Milieu de vie") -> dict:
    return {
        "code": code,
        "libelle": f"Changement {code}",
        "horizon": horizon,
        "famille": famille,
        "indicateurs": [f"IND-{code}"],
        "actions": [f"Action {code}"],
    }


def test_graphe_theorie_colonnes_et_liens():
    noeuds = [noeud("L1", "long"), noeud("C1", "court"), noeud("M1", "moyen"), noeud("C2", "court")]
    liens = [("C1", "M1", "Si on se concerte…"), ("C2", "M1", ""), ("M1", "L1", "alors…")]
    figure = valide(graphe_theorie_du_changement(noeuds, [*liens, ("C1", "X9", "inconnu")]))
    segments, trace_noeuds = figure["data"]
    positions = dict(zip(trace_noeuds["text"], trace_noeuds["x"], strict=True))
    assert positions == {"L1": 2.0, "C1": 0.0, "M1": 1.0, "C2": 0.0}
    ordonnees = dict(zip(trace_noeuds["text"], trace_noeuds["y"], strict=True))
    assert ordonnees["C1"] > ordonnees["C2"]  # dans l'ordre donné, de haut en bas
    # Une courbe par lien connu, séparées par None; le lien vers X9 est ignoré.
    assert segments["x"].count(None) == 3
    premiere = segments["x"][: segments["x"].index(None)]
    assert (premiere[0], premiere[-1]) == (0.0, 1.0)
    fleches = [a for a in figure["layout"]["annotations"] if a.get("showarrow")]
    assert len(fleches) == 3
    # La pointe sur M1, la queue à sa gauche (en pixels) : la flèche vient de C1.
    assert fleches[0]["x"] == 1.0
    assert fleches[0]["ax"] < 0
    assert fleches[0]["hovertext"] == "Si on se concerte…"
    entetes = [a["text"] for a in figure["layout"]["annotations"] if not a.get("showarrow")]
    assert entetes == ["<b>court terme</b>", "<b>moyen terme</b>", "<b>long terme</b>"]
    assert figure["layout"]["xaxis"]["visible"] is False


def test_graphe_theorie_survol_des_noeuds():
    figure = graphe_theorie_du_changement([noeud("C1", "court", "Pouvoir d'agir")], [])
    (survol,) = figure["data"][1]["hovertext"]
    for attendu in ("Changement C1", "Pouvoir d'agir", "IND-C1", "Action C1"):
        assert attendu in survol
    assert figure["data"][1]["mode"] == "markers+text"
    valide(graphe_theorie_du_changement([], []))


# --- Petits multiples ----------------------------------------------------------------------------


def test_petits_multiples_un_panneau_par_quartier():
    series = [
        (f"Quartier {i}", normaliser(serie([str(10 + i), str(11 + i)], reference=10)))
        for i in range(6)
    ]
    figure = valide(petits_multiples(series))
    layout = figure["layout"]
    axes_x = sorted(k for k in layout if k.startswith("xaxis"))
    assert axes_x == ["xaxis", "xaxis2", "xaxis3", "xaxis4", "xaxis5", "xaxis6"]
    indices = [t for t in figure["data"] if t["name"].startswith("Quartier")]
    assert [t["yaxis"] for t in indices] == ["y", "y2", "y3", "y4", "y5", "y6"]
    assert indices[1]["y"] == [110.0, 120.0]
    bases = [t for t in figure["data"] if t["name"] == "Référence = 100"]
    assert len(bases) == 6
    assert all(b["y"] == [100, 100] and b["line"]["dash"] == "dash" for b in bases)
    titres = [a["text"] for a in layout["annotations"]]
    assert titres == [f"<b>Quartier {i}</b>" for i in range(6)]
    # Quatre colonnes au plus : le cinquième panneau commence une deuxième ligne.
    assert layout["xaxis5"]["domain"][0] == 0
    assert layout["yaxis5"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert layout["xaxis4"]["domain"][1] == pytest.approx(1)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_petits_multiples_n_panneaux(n):
    series = [(f"Q{i}", normaliser(serie(["1"], reference=1))) for i in range(n)]
    figure = valide(petits_multiples(series))
    assert len(figure["layout"]["annotations"]) == n


# --- Traduction ----------------------------------------------------------------------------------


@pytest.fixture
def gettext_marque(monkeypatch):
    """gettext remplacé par une marque; les libellés des courbes, traduits une fois par langue,
    sont oubliés avant et après."""
    for module in (graphiques, graphique_theorie):
        monkeypatch.setattr(module, "_", lambda texte: f"«{texte}»")
    graphiques._libelles_des_courbes.cache_clear()
    yield
    graphiques._libelles_des_courbes.cache_clear()


@pytest.mark.usefixtures("gettext_marque")
def test_les_libelles_passent_par_gettext(complete):
    """Chaque libellé fixe passe par gettext : en le remplaçant, on le retrouve marqué."""
    figure = courbe_a_renverser(complete)
    assert list(traces(figure)) == [
        "«Valeurs»",
        "«Référence»",
        "«Cibles»",
        "«Tendance»",
        "«Apprentissages»",
    ]
    assert figure["layout"]["annotations"][0]["text"] == "↑ «une hausse est souhaitée»"
    titre = graphe_theorie_du_changement([], [])["layout"]["title"]["text"]
    assert titre == "«Théorie du changement»"


def test_en_anglais_les_traductions_existantes_s_appliquent():
    with translation.override("en"):
        s = serie(["1", "2"], depuis="2025-T3")
        figure = valide(courbe_a_renverser(s))
    assert figure["layout"]["annotations"][0]["text"] == "↑ an increase is desired"
    assert figure["layout"]["xaxis"]["categoryarray"][-4:] == [
        "Q1 2026",
        "Q2 2026",
        "Q3 2026",
        "Q4 2026",
    ]
    assert figure["layout"]["separators"] == ".,"
    assert courbe_a_renverser(s)["layout"]["separators"] == ",\u00a0"


# --- Écriture des nombres : séparateurs de la langue, pas de suffixe SI ---------------------------


@pytest.mark.parametrize(("langue", "attendu"), [("fr", ",\u00a0"), ("en", ".,")])
def test_les_separateurs_suivent_la_langue(complete, langue, attendu):
    """Décimal puis milliers, comme `evalpic.nombres` : « 84 100,5 », « 84,100.5 »."""
    with translation.override(langue):
        figures = [
            courbe_a_renverser(complete),
            progression_quartiers([("A", {"atteint": 1})]),
            croissance_partenaires(["2024"], {"A": {"partenaires": [3], "diversite": [0.5]}}),
        ]
    assert {figure["layout"]["separators"] for figure in figures} == {attendu}


@pytest.mark.parametrize("unite", ["nombre", "dollars"])
def test_l_axe_des_comptes_et_des_dollars_n_a_pas_de_suffixe_si(unite):
    """plotly.js écrit « 100k » sans format : « ,~f » sépare les milliers (par `separators`),
    garde les décimales utiles et n'ajoute aucun suffixe, en graduation comme en survol."""
    s = serie(["84100", "92000", "100500"])
    s.unite = unite
    axe = valide(courbe_a_renverser(s))["layout"]["yaxis"]
    assert (axe["tickformat"], axe["hoverformat"]) == (",~f", ",~f")


def test_les_autres_unites_gardent_le_format_de_plotly(complete):
    axe = courbe_a_renverser(complete)["layout"]["yaxis"]
    assert "tickformat" not in axe and "hoverformat" not in axe


def test_l_axe_des_partenaires_n_a_pas_de_suffixe_si():
    figure = croissance_partenaires(["2024"], {"A": {"partenaires": [1200], "diversite": [0.5]}})
    assert valide(figure)["layout"]["yaxis"]["tickformat"] == ",~f"


def test_l_axe_des_valeurs_elargit_sa_marge_pour_ses_graduations():
    """« 120 000 » est plus long que « 120k » : sans `automargin`, le titre de l'axe
    (« dollars ») chevauchait les graduations dans l'image du PDF (marge fixe de 60 px)."""
    s = serie(["84100", "120000"])
    s.unite = "dollars"
    assert valide(courbe_a_renverser(s))["layout"]["yaxis"]["automargin"] is True
