"""La théorie du changement nomme toujours les indicateurs de sa stratégie, même ceux que le
quartier ne mesure plus, mais elle les marque : « retiré » (du catalogue), « plus suivi » (suivi
inactif pour ce quartier), « non suivi », « proposé ». Dans le graphe, le nœud du changement est
gris avec un cercle pointillé et le mot dessous; la bulle et le tableau mettent le mot à côté de
l'indicateur; la légende l'explique. Avant, rien ne les distinguait d'un indicateur mesuré."""

from __future__ import annotations

import html
import json
import math
import re

import plotly.graph_objects as go
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from indicateurs.models import (
    EtatDeMesure,
    Indicateur,
    IndicateurSuivi,
    StatutIndicateur,
    StatutStrategie,
)
from quartiers.demo_commun import PROFILS
from rapports.graphique_theorie import (
    BORD_NOEUD,
    COULEUR_NON_MESURE,
    DECALAGE_MOT_NON_MESURE,
    FOND_NON_MESURE,
    RAYON_NOEUD,
    RAYON_POINTILLE,
    TAILLE_MOT_NON_MESURE,
    graphe_theorie_du_changement,
)
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    StrategieFactory,
)
from tests.rapports.test_theorie_sans_traversee import (
    ECRANS,
    Ecran,
    _mise_en_page_a_l_ecran,
    strategie_de_demo,
    traversees,
)

# --- Le graphe (fonction pure) -----------------------------------------------------------------


def _noeud(code: str, horizon: str, non_mesures: dict | None = None) -> dict:
    noeud = {
        "code": code,
        "libelle": f"Changement {code}",
        "horizon": horizon,
        "famille": "processus",
        "code_famille": "processus",
        "indicateurs": [f"{code.lower()}-a", f"{code.lower()}-b"],
        "actions": [],
    }
    if non_mesures is not None:
        noeud["non_mesures"] = non_mesures
    return noeud


def _mots(figure: dict) -> list[dict]:
    return [
        a
        for a in figure["layout"]["annotations"]
        if not a.get("showarrow") and a.get("yref") == "y"
    ]


def test_le_noeud_d_un_indicateur_non_mesure_est_gris_pointille_et_porte_le_mot():
    noeuds = [
        _noeud("C1", "court", {"c1-b": EtatDeMesure.RETIRE}),
        _noeud("C2", "moyen", {"c2-a": "plus_suivi", "c2-b": EtatDeMesure.RETIRE}),
        _noeud("C3", "long", {}),
        _noeud("C4", "long"),  # sans la clé : tous mesurés
    ]
    with translation.override("fr"):
        figure = graphe_theorie_du_changement(noeuds, [("C1", "C2", ""), ("C2", "C3", "")])
    go.Figure(figure)
    trace = figure["data"][1]
    fonds = dict(zip(trace["text"], trace["marker"]["color"], strict=True))
    assert fonds == {"C1": FOND_NON_MESURE, "C2": FOND_NON_MESURE, "C3": "#ffffff", "C4": "#ffffff"}
    survols = dict(zip(trace["text"], trace["hovertext"], strict=True))
    assert "Indicateurs : c1-a, c1-b (retiré)" in survols["C1"]
    assert "c2-a (plus suivi), c2-b (retiré)" in html.unescape(survols["C2"]).replace("<br>", " ")
    assert "(" not in survols["C3"].split("Indicateurs :")[1]
    # Le cercle pointillé : en pixels autour du centre du nœud, dans son disque.
    formes = figure["layout"]["shapes"]
    centres = dict(zip(trace["text"], zip(trace["x"], trace["y"], strict=True), strict=True))
    assert [(f["xanchor"], f["yanchor"]) for f in formes] == [centres["C1"], centres["C2"]]
    for forme in formes:
        assert forme["type"] == "circle" and forme["line"]["dash"] == "dot"
        assert forme["xsizemode"] == forme["ysizemode"] == "pixel"
        assert forme["x1"] == -forme["x0"] == RAYON_POINTILLE < RAYON_NOEUD
    # Le mot sous le nœud : celui de l'état, « non mesuré » pour des raisons différentes.
    mots = {(m["x"], m["y"]): m["text"] for m in _mots(figure)}
    assert mots == {centres["C1"]: "<i>retiré</i>", centres["C2"]: "<i>non mesuré</i>"}


def test_en_anglais_le_mot_du_catalogue():
    with translation.override("en"):
        figure = graphe_theorie_du_changement(
            [_noeud("C1", "court", {"c1-a": EtatDeMesure.RETIRE})], []
        )
    assert [m["text"] for m in _mots(figure)] == ["<i>withdrawn</i>"]
    assert "c1-a (withdrawn)" in figure["data"][1]["hovertext"][0]


def test_sans_indicateur_non_mesure_le_graphe_ne_change_pas():
    noeuds, liens = strategie_de_demo("saint-michel")
    figure = graphe_theorie_du_changement(noeuds, liens)
    assert figure["layout"]["shapes"] == [] and _mots(figure) == []
    assert set(figure["data"][1]["marker"]["color"]) == {"#ffffff"}


def _boite_du_mot(ecran: Ecran, note: dict) -> tuple[float, float, float, float]:
    """La boîte (gauche, haut, droite, bas, en px) du mot sous un nœud : 0,55 em par caractère
    (une italique sans empattement en fait ~0,5), une ligne de 1,3 em."""
    cx, cy = ecran.pixels(note["x"], note["y"])
    texte = re.sub(r"<[^>]+>", "", note["text"])
    demi = 0.55 * TAILLE_MOT_NON_MESURE * len(texte) / 2
    haut = cy - note["yshift"]
    return cx - demi, haut, cx + demi, haut + 1.3 * TAILLE_MOT_NON_MESURE


def _distance_boite(point, boite) -> float:
    x, y = point
    gauche, haut, droite, bas = boite
    return math.hypot(max(gauche - x, 0, x - droite), max(haut - y, 0, y - bas))


@pytest.mark.parametrize(
    "etats", [[EtatDeMesure.PLUS_SUIVI], list(EtatDeMesure)[1:]], ids=["plus-suivi", "tous"]
)
@pytest.mark.parametrize("v1", [False, True], ids=["v2", "v1"])
@pytest.mark.parametrize("slug", [p.slug for p in PROFILS])
@pytest.mark.parametrize("ecran", ECRANS)
def test_marquer_tous_les_noeuds_ne_fait_traverser_aucun_noeud(ecran, slug, v1, etats):
    """Les marques ne déplacent rien (mêmes liens sans traversée) et le mot, sous son nœud, ne
    touche aucun autre nœud et ne sort pas de la figure, à l'écran d'un ordinateur comme d'un
    téléphone, quel que soit l'état (ou plusieurs : « non mesuré »)."""
    noeuds, liens = strategie_de_demo(slug, v1)
    for noeud in noeuds:
        noeud["indicateurs"] = [f"x{rang}" for rang in range(len(etats))]
        noeud["non_mesures"] = dict(zip(noeud["indicateurs"], etats, strict=True))
    assert traversees(noeuds, liens, ecran) == []
    with translation.override("fr"):
        figure = graphe_theorie_du_changement(noeuds, liens)
    ecran_ = Ecran(figure, *ECRANS[ecran])
    trace = figure["data"][1]
    rayon = RAYON_NOEUD + BORD_NOEUD / 2
    centres = {
        code: ecran_.pixels(x, y)
        for code, x, y in zip(trace["text"], trace["x"], trace["y"], strict=True)
    }
    mots = _mots(figure)
    assert len(mots) == len(noeuds) and rayon <= DECALAGE_MOT_NON_MESURE
    for note in mots:
        boite = _boite_du_mot(ecran_, note)
        propre = ecran_.pixels(note["x"], note["y"])
        for code, centre in centres.items():
            if centre != propre:
                assert _distance_boite(centre, boite) > rayon, (code, note["text"])
        marges = _mise_en_page_a_l_ecran(figure["layout"], ECRANS[ecran][1])["margin"]
        assert -marges["l"] <= boite[0] and boite[2] <= ecran_.largeur + marges["r"], boite


def test_la_valeur_brute_ou_le_membre_d_etat_donnent_la_meme_figure():
    brut = graphe_theorie_du_changement([_noeud("C1", "court", {"c1-a": "retire"})], [])
    membre = graphe_theorie_du_changement(
        [_noeud("C1", "court", {"c1-a": EtatDeMesure.RETIRE})], []
    )
    assert json.dumps(brut, sort_keys=True) == json.dumps(membre, sort_keys=True)
    assert COULEUR_NON_MESURE in json.dumps(brut)


# --- La page ------------------------------------------------------------------------------------


@pytest.fixture
def strategie_avec_non_mesures(db):
    """Gamma : une stratégie en vigueur (v2) et une archivée (v1). C1 nomme un indicateur mesuré,
    un retiré du catalogue (toujours suivi) et un dont le suivi est inactif; v1 nomme aussi un
    indicateur que Gamma n'a jamais suivi."""
    quartier = QuartierFactory(nom="Gamma", slug="gamma")
    mesure = IndicateurSuiviFactory(quartier=quartier, indicateur__code="mesure").indicateur
    retire = IndicateurSuiviFactory(
        quartier=quartier, indicateur__code="vieux", indicateur__statut=StatutIndicateur.RETIRE
    ).indicateur
    plus_suivi = IndicateurSuiviFactory(
        quartier=quartier, indicateur__code="abandonne", actif=False
    ).indicateur
    en_vigueur = StrategieFactory(quartier=quartier, version=2, statut=StatutStrategie.EN_VIGUEUR)
    c1 = ChangementViseFactory(strategie=en_vigueur, code="C1")
    c1.indicateurs.set([mesure, retire, plus_suivi])
    ChangementViseFactory(strategie=en_vigueur, code="C2").indicateurs.set([mesure])
    archivee = StrategieFactory(quartier=quartier, version=1, statut=StatutStrategie.ARCHIVEE)
    ancien = ChangementViseFactory(strategie=archivee, code="A1")
    ancien.indicateurs.set([retire, IndicateurFactory(code="jamais")])
    return quartier


def _figure(contenu: str) -> dict:
    (texte,) = re.findall(
        r'<script id="theorie-donnees" type="application/json">(.*?)</script>', contenu, re.S
    )
    figure = json.loads(texte)
    go.Figure(figure)
    return figure


def _ligne(contenu: str, code: str) -> str:
    (ligne,) = [ligne for ligne in contenu.split("<tr>") if f'<th scope="row">{code}</th>' in ligne]
    return ligne


def test_la_page_marque_le_retire_et_le_plus_suivi(client, eve, strategie_avec_non_mesures):
    client.force_login(eve)
    url = reverse("theorie_du_changement", args=["gamma"])
    contenu = client.get(url).content.decode()
    c1 = _ligne(contenu, "C1")
    assert re.search(r"vieux <span class=\"etiquette[^\"]*\">retiré</span>", c1)
    assert re.search(r"abandonne</a> <span class=\"etiquette[^\"]*\">plus suivi</span>", c1)
    assert re.search(r"mesure</a>(, |</td>)", c1)  # le mesuré, sans mot
    assert "etiquette" not in _ligne(contenu, "C2")
    assert "ne mesure pas ou plus" in contenu  # la légende
    figure = _figure(contenu)
    trace = figure["data"][1]
    survols = dict(zip(trace["text"], trace["hovertext"], strict=True))
    assert "vieux (retiré)" in survols["C1"] and "abandonne (plus suivi)" in html.unescape(
        survols["C1"]
    ).replace("<br>", " ")
    fonds = dict(zip(trace["text"], trace["marker"]["color"], strict=True))
    assert fonds == {"C1": FOND_NON_MESURE, "C2": "#ffffff"}
    assert len(figure["layout"]["shapes"]) == 1


def test_une_ancienne_version_reste_ce_qu_elle_etait_et_dit_ce_qui_n_est_plus_mesure(
    client, eve, strategie_avec_non_mesures
):
    client.force_login(eve)
    url = reverse("theorie_du_changement", args=["gamma"])
    contenu = client.get(url, {"version": "1"}).content.decode()
    a1 = _ligne(contenu, "A1")
    assert re.search(r"jamais</a> <span class=\"etiquette[^\"]*\">non suivi</span>", a1)
    assert re.search(r"vieux <span class=\"etiquette[^\"]*\">retiré</span>", a1)
    (mot,) = [m["text"] for m in _mots(_figure(contenu))]
    assert mot == "<i>non mesuré</i>"


def test_en_anglais(client, eve, strategie_avec_non_mesures):
    client.force_login(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    contenu = client.get(reverse("theorie_du_changement", args=["gamma"])).content.decode()
    assert re.search(
        r"vieux <span class=\"etiquette[^\"]*\">withdrawn</span>", _ligne(contenu, "C1")
    )


def test_une_page_sans_indicateur_non_mesure_n_a_ni_marque_ni_legende(
    client, eve, strategie_avec_non_mesures
):
    IndicateurSuivi.objects.update(actif=True)
    Indicateur.objects.filter(code="vieux").update(statut=StatutIndicateur.APPROUVE)
    client.force_login(eve)
    contenu = client.get(reverse("theorie_du_changement", args=["gamma"])).content.decode()
    assert "etiquette--non-mesure" not in contenu and "ne mesure pas ou plus" not in contenu
    assert _figure(contenu)["layout"]["shapes"] == []


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_marquer_ne_coute_aucune_requete(client, eve, strategie_avec_non_mesures):
    """Théorie : session, utilisateur, quartier, versions, changements, indicateurs (avec leur
    état, en sous-requêtes), actions, liens — autant qu'un quartier dont tout est mesuré."""
    client.force_login(eve)
    tout_mesure = QuartierFactory(nom="Delta", slug="delta")
    strategie = StrategieFactory(quartier=tout_mesure, statut=StatutStrategie.EN_VIGUEUR)
    suivi = IndicateurSuiviFactory(quartier=tout_mesure)
    ChangementViseFactory(strategie=strategie).indicateurs.set([suivi.indicateur])
    assert _requetes(client, reverse("theorie_du_changement", args=["gamma"])) == _requetes(
        client, reverse("theorie_du_changement", args=["delta"])
    )
