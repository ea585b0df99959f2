"""Dans le graphe de la théorie du changement, une flèche ne passe jamais à travers un nœud qui
n'est ni son départ ni son arrivée (sur Saint-Michel, C2 → C6 traversait C4), à l'écran d'un
ordinateur (1366 px) comme à celui d'un téléphone (390 px).

La géométrie se vérifie en pixels, comme plotly.js dessine la figure : la zone du graphique
mesurée dans chromium (1104 px de large à 1366 px, 358 px à 390 px), les marges et les axes de
la figure, et, sur un téléphone, ce que `js/graphiques.js` (`pourEcranEtroit`) y change. Chaque
lien est une courbe de la trace « Liens » (points séparés par None, dans l'ordre des liens
connus) et une flèche (annotation) qui en marque l'arrivée."""

from __future__ import annotations

import copy
import math
import random
from itertools import pairwise

import pytest

from indicateurs.models import Famille
from quartiers.demo_commun import PROFILS
from quartiers.demo_strategies import LIENS, changements_du_profil
from rapports.graphique_theorie import HORIZONS, graphe_theorie_du_changement

# (largeur de la zone du graphique, téléphone ?) : mesurées dans chromium à 1366 et 390 px.
ECRANS = {"ordinateur": (1104, False), "telephone": (358, True)}
HAUTEUR_SANS_HAUTEUR = 320  # la zone (`.graphique__trace`) quand la figure ne dit pas la sienne


def _noeud(code: str, horizon: str, famille: str = Famille.PROCESSUS) -> dict:
    return {
        "code": code,
        "libelle": f"Changement {code}",
        "horizon": horizon,
        "famille": str(famille),
        "code_famille": famille,
        "indicateurs": [],
        "actions": [],
    }


def strategie_de_demo(slug: str, v1: bool = False) -> tuple[list[dict], list[tuple]]:
    """Les nœuds et les liens d'une stratégie de démonstration (v2, ou v1), en données pures."""
    profil = next(p for p in PROFILS if p.slug == slug)
    changements = [c for c in changements_du_profil(profil) if c.dans_v1 or not v1]
    noeuds = [_noeud(c.code, c.horizon, c.famille) for c in changements]
    codes = {c.code for c in changements}
    liens = [(s, c, h) for s, c, h in LIENS if s in codes and c in codes]
    return noeuds, liens


def strategie_au_hasard(graine: int) -> tuple[list[dict], list[tuple]]:
    """De 2 à 15 changements aux horizons tirés au hasard, et des liens entre eux dans tous les
    sens (d'un horizon au suivant, par-dessus le moyen terme, dans un même horizon, à rebours)."""
    hasard = random.Random(graine)
    codes = [f"C{i}" for i in range(1, hasard.randint(2, 15) + 1)]
    noeuds = [_noeud(code, hasard.choice(HORIZONS)) for code in codes]
    paires = [(a, b) for a in codes for b in codes if a != b]
    nombre = min(len(paires), hasard.randint(1, 2 * len(codes)))
    liens = [(a, b, f"Si {a}, alors {b}.") for a, b in hasard.sample(paires, nombre)]
    return noeuds, liens


def _mise_en_page_a_l_ecran(layout: dict, telephone: bool) -> dict:
    """La mise en page telle que plotly.js la reçoit; sur un téléphone, comme `pourEcranEtroit`
    (static/js/graphiques.js) : `meta.etroit` fusionné, marges resserrées."""
    layout = copy.deepcopy(layout)
    if not telephone:
        return layout
    for cle, valeur in layout.get("meta", {}).get("etroit", {}).items():
        layout[cle] = {**layout.get(cle, {}), **valeur} if isinstance(valeur, dict) else valeur
    en_haut = any(
        a.get("yref") == "paper" and a.get("y", 0) > 1 for a in layout.get("annotations", [])
    )
    marges = layout.get("margin", {})
    layout["margin"] = {**marges, "l": min(marges.get("l") or 40, 40), "r": 16}
    layout["margin"]["t"] = 36 if en_haut else 24
    return layout


class Ecran:
    """Des coordonnées des axes aux pixels, pour une largeur de zone donnée."""

    def __init__(self, figure: dict, largeur: int, telephone: bool):
        layout = _mise_en_page_a_l_ecran(figure["layout"], telephone)
        marges = layout["margin"]
        hauteur = layout.get("height", HAUTEUR_SANS_HAUTEUR)
        self.largeur = largeur - marges["l"] - marges["r"]
        self.hauteur = hauteur - marges["t"] - marges["b"]
        self.x0, self.x1 = layout["xaxis"]["range"]
        self.y0, self.y1 = layout["yaxis"]["range"]

    def pixels(self, x: float, y: float) -> tuple[float, float]:
        return (
            (x - self.x0) / (self.x1 - self.x0) * self.largeur,
            (self.y1 - y) / (self.y1 - self.y0) * self.hauteur,
        )


def _distance_au_segment(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    longueur = dx * dx + dy * dy
    t = 0.0 if longueur == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / longueur))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _courbes(trace: dict) -> list[list[tuple[float, float]]]:
    """Les courbes de la trace des liens : des suites de points séparées par None."""
    courbes, courante = [], []
    for x, y in zip(trace["x"], trace["y"], strict=True):
        if x is None:
            courbes.append(courante)
            courante = []
        else:
            courante.append((x, y))
    return courbes + ([courante] if courante else [])


def _fleches(figure: dict, ecran: Ecran) -> list[tuple[tuple, tuple]]:
    """Chaque flèche (annotation) en pixels : (queue, pointe). `ax`/`ay` en coordonnées des axes
    si `axref`/`ayref` le disent, sinon en pixels depuis la pointe (le défaut de plotly.js)."""
    fleches = []
    for note in figure["layout"]["annotations"]:
        if not note.get("showarrow"):
            continue
        pointe = ecran.pixels(note["x"], note["y"])
        if note.get("axref") == "x":
            queue = ecran.pixels(note["ax"], note["ay"])
        else:
            queue = (pointe[0] + note["ax"], pointe[1] + note["ay"])
        fleches.append((queue, pointe))
    return fleches


def traversees(noeuds: list[dict], liens: list[tuple], ecran_: str) -> list[str]:
    """Ce qui passe à moins d'un rayon d'un nœud étranger (ou des nœuds qui se chevauchent),
    en clair; vide si rien."""
    figure = graphe_theorie_du_changement(noeuds, liens)
    ecran = Ecran(figure, *ECRANS[ecran_])
    trace_liens, trace_noeuds = figure["data"]
    marqueur = trace_noeuds["marker"]
    rayon = marqueur["size"] / 2 + marqueur["line"]["width"] / 2
    centres = {
        code: ecran.pixels(x, y)
        for code, x, y in zip(
            trace_noeuds["text"], trace_noeuds["x"], trace_noeuds["y"], strict=True
        )
    }
    problemes = [
        f"{a} et {b} se chevauchent"
        for a in centres
        for b in centres
        if a < b and math.dist(centres[a], centres[b]) < 2 * rayon
    ]
    connus = [(s, c) for s, c, _h in liens if s in centres and c in centres]
    courbes, fleches = _courbes(trace_liens), _fleches(figure, ecran)
    assert len(courbes) == len(fleches) == len(connus)
    for (source, cible), courbe, fleche in zip(connus, courbes, fleches, strict=True):
        points = [ecran.pixels(x, y) for x, y in courbe]
        morceaux = [*pairwise(points), fleche]
        for code, centre in centres.items():
            if code in (source, cible):
                continue
            distance = min(_distance_au_segment(centre, a, b) for a, b in morceaux)
            if distance < rayon:
                problemes.append(f"{source} → {cible} passe à {distance:.1f} px de {code}")
    return problemes


@pytest.mark.parametrize("ecran", ECRANS)
def test_saint_michel_la_fleche_c2_c6_contourne_c4(ecran):
    noeuds, liens = strategie_de_demo("saint-michel")
    assert ("C2", "C6") in [(s, c) for s, c, _h in liens]
    assert traversees(noeuds, liens, ecran) == []


@pytest.mark.parametrize("v1", [False, True], ids=["v2", "v1"])
@pytest.mark.parametrize("slug", [p.slug for p in PROFILS])
@pytest.mark.parametrize("ecran", ECRANS)
def test_aucune_strategie_de_demo_ne_traverse_un_noeud(ecran, slug, v1):
    assert traversees(*strategie_de_demo(slug, v1), ecran) == []


@pytest.mark.parametrize("ecran", ECRANS)
@pytest.mark.parametrize("graine", range(40))
def test_aucune_strategie_au_hasard_ne_traverse_un_noeud(graine, ecran):
    assert traversees(*strategie_au_hasard(graine), ecran) == []


@pytest.mark.parametrize("ecran", ECRANS)
def test_quinze_changements_tous_lies_sans_traversee(ecran):
    """Le pire cas : quinze changements, chacun lié à tous les suivants."""
    noeuds = [_noeud(f"C{i}", HORIZONS[i % 3]) for i in range(1, 16)]
    codes = [n["code"] for n in noeuds]
    liens = [(a, b, "") for i, a in enumerate(codes) for b in codes[i + 1 :]]
    assert traversees(noeuds, liens, ecran) == []


def _hauteurs(noeuds: list[dict], liens: list[tuple]) -> dict[str, float]:
    trace = graphe_theorie_du_changement(noeuds, liens)["data"][1]
    return dict(zip(trace["text"], trace["y"], strict=True))


def test_l_ordre_donne_reste_quand_un_autre_ne_croise_pas_moins_de_liens():
    hauteurs = _hauteurs(*strategie_de_demo("saint-michel"))
    assert hauteurs["C1"] > hauteurs["C2"]
    assert hauteurs["C3"] > hauteurs["C4"]
    assert hauteurs["C5"] > hauteurs["C6"]


def test_un_ordre_qui_croise_moins_de_liens_remplace_l_ordre_donne():
    noeuds = [_noeud("C1", "court"), _noeud("C2", "court")]
    noeuds += [_noeud("M1", "moyen"), _noeud("M2", "moyen")]
    hauteurs = _hauteurs(noeuds, [("C1", "M2", ""), ("C2", "M1", "")])
    assert (hauteurs["C1"] > hauteurs["C2"]) == (hauteurs["M2"] > hauteurs["M1"])
