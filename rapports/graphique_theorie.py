"""Le graphe de la théorie du changement d'un quartier : ses changements visés en colonnes (une
par horizon), reliés par des flèches qui portent leur hypothèse. Comme les autres graphiques
(`rapports.graphiques`), une fonction pure : données en entrée, figure Plotly (dictionnaire
simple) en sortie, sans requête.
"""

from __future__ import annotations

import math
from itertools import pairwise

from django.utils.translation import gettext as _

from indicateurs.models.catalogue import EtatDeMesure, Famille
from rapports.graphiques import (
    COULEUR_REFERENCE,
    _mise_en_page,
    _note,
    _nuage,
    _texte,
    replie_pour_survol,
)

HORIZONS = ("court", "moyen", "long")
LARGEUR_SURVOL = 42  # caractères par ligne d'une bulle : ~300 px, la largeur d'un téléphone

# Le graphe se dessine en colonnes (une par horizon) : l'axe des x compte les colonnes, celui des
# y des pixels (la hauteur de la figure suit le nombre de changements). Un lien ne traverse
# jamais un nœud qui n'est ni son départ ni son arrivée :
# - il quitte son nœud et arrive au suivant à l'horizontale, sur un bout droit de `DEPORT`
#   colonne, à la hauteur de son « port » (à moins de `ECART_PORTS` px du centre);
# - entre deux colonnes, il court dans l'espace libre qui les sépare (une courbe de Bézier dont
#   les points de contrôle y restent);
# - un lien du court au long terme franchit la colonne du milieu par un « passage », une place
#   à lui entre deux nœuds (le tracé en couches de Sugiyama);
# - un lien entre deux changements d'un même horizon fait un détour par l'espace libre voisin.
# L'ordre des nœuds d'une colonne est celui donné, sauf si un autre croise moins de liens.
RAYON_NOEUD, BORD_NOEUD = 22, 3  # px : le disque d'un changement visé et son bord de couleur
ECART_NOEUDS = 72  # px entre les centres de deux nœuds voisins d'une colonne
ECART_PASSAGE = 44  # px entre un nœud et un passage voisin
ECART_PASSAGES = 16  # px entre deux passages voisins
MARGE_NOEUDS = 40  # px au-dessus du premier nœud et sous le dernier
HAUTEUR_MIN_THEORIE = 160  # px de la zone des nœuds
MARGES_THEORIE = {"l": 20, "r": 20, "t": 80, "b": 20}
# px : la marge du haut sur un téléphone (`pourEcranEtroit`, js/graphiques.js : 24, ou 36 si une
# annotation dépasse y = 1; les titres de colonnes sont posés à y = 1), pour un pixel par unité.
MARGE_HAUT_ETROIT = 24
AXE_X_THEORIE, AXE_X_THEORIE_ETROIT = [-0.5, 2.5], [-0.3, 2.3]
# En colonnes : 0,25 colonne fait au moins 31 px sur un téléphone de 390 px (axe resserré),
# plus que le rayon d'un nœud (23,5 px avec son bord) : une courbe n'y touche aucun nœud.
DEPORT = 0.25
DETOUR = 0.2  # en colonnes : le détour d'un lien dans un même horizon culmine à 0,4 colonne
ECART_PORTS = 12  # px
QUEUE_FLECHE = 30  # px : la flèche, droite, couvre le bout droit de l'arrivée
PAS_BEZIER = 12  # segments par courbe

_NOEUD, _PASSAGE = "noeud", "passage"


def _colonne(noeud: dict) -> int:
    """Court terme 0, moyen 1, long 2; un horizon inconnu va au milieu."""
    return HORIZONS.index(noeud["horizon"]) if noeud["horizon"] in HORIZONS else 1


def _chaines(
    noeuds: list[dict], liens: list[tuple[str, str, str]]
) -> tuple[dict[int, list[tuple]], list[tuple[list[tuple], str]]]:
    """Les colonnes (leurs éléments : nœuds dans l'ordre donné, puis passages) et, pour chaque
    lien entre deux codes connus, sa chaîne d'éléments (départ, passage éventuel, arrivée) et son
    hypothèse. Un lien vers un code inconnu est ignoré."""
    colonne = {n["code"]: _colonne(n) for n in noeuds}
    colonnes: dict[int, list[tuple]] = {x: [] for x in range(len(HORIZONS))}
    for noeud in noeuds:
        colonnes[colonne[noeud["code"]]].append((_NOEUD, noeud["code"]))
    chaines = []
    for rang, (source, cible, hypothese) in enumerate(liens):
        if source not in colonne or cible not in colonne:
            continue
        chaine = [(_NOEUD, source), (_NOEUD, cible)]
        if abs(colonne[source] - colonne[cible]) == 2:
            chaine.insert(1, (_PASSAGE, rang))
            colonnes[1].append((_PASSAGE, rang))
        chaines.append((chaine, hypothese))
    return colonnes, chaines


def _croisements(colonnes: dict[int, list[tuple]], paires: list[tuple[tuple, tuple]]) -> int:
    """Le nombre de croisements entre les liens de colonnes voisines (`paires` : gauche, droite)."""
    rang = {e: i for elements in colonnes.values() for i, e in enumerate(elements)}
    return sum(
        1
        for i, (a, b) in enumerate(paires)
        for c, d in paires[i + 1 :]
        if (rang[a] - rang[c]) * (rang[b] - rang[d]) < 0
    )


def _ordonner(colonnes: dict[int, list[tuple]], chaines: list) -> dict[int, list[tuple]]:
    """L'ordre de chaque colonne : d'abord l'ordre donné (chaque passage à la hauteur moyenne de
    ses deux bouts, parmi les nœuds du milieu), puis quelques balayages par barycentre; un autre
    ordre n'est retenu que s'il croise moins de liens."""
    colonne = {e: x for x, elements in colonnes.items() for e in elements}
    voisins: dict[tuple, list[tuple]] = {e: [] for e in colonne}
    paires = []
    for chaine, _hypothese in chaines:
        for a, b in pairwise(chaine):
            if colonne[a] != colonne[b]:
                voisins[a].append(b)
                voisins[b].append(a)
                paires.append((a, b) if colonne[a] < colonne[b] else (b, a))

    def hauteur(ordre: dict, element: tuple) -> float:
        elements = ordre[colonne[element]]
        return (elements.index(element) + 0.5) / len(elements)

    def barycentre(ordre: dict, element: tuple, reference: set[int]) -> float:
        autour = [v for v in voisins[element] if colonne[v] in reference]
        if not autour:
            return hauteur(ordre, element)
        return sum(hauteur(ordre, v) for v in autour) / len(autour)

    ordre = {x: list(elements) for x, elements in colonnes.items()}
    milieu = [e for e in ordre[1] if e[0] == _NOEUD]
    ordre[1].sort(
        key=lambda e: (
            (milieu.index(e) + 0.5) / len(milieu)
            if e[0] == _NOEUD
            else barycentre(ordre, e, {0, 2})
        )
    )
    meilleur, moins = {x: list(e) for x, e in ordre.items()}, _croisements(ordre, paires)
    for _balayage in range(4):
        for x, reference in ((1, {0}), (2, {1}), (1, {2}), (0, {1})):
            ordre[x] = sorted(ordre[x], key=lambda e, r=reference: barycentre(ordre, e, r))
            croisements = _croisements(ordre, paires)
            if croisements < moins:
                meilleur, moins = {x: list(e) for x, e in ordre.items()}, croisements
    return meilleur


def _ordonnees(colonnes: dict[int, list[tuple]]) -> tuple[dict[tuple, float], float]:
    """La hauteur (px, depuis le bas) de chaque élément, chaque colonne centrée, et la hauteur de
    la zone des nœuds."""
    longueurs, decalages = {}, {}
    for x, elements in colonnes.items():
        ecarts = [0.0] if elements else []
        for avant, apres in pairwise(elements):
            passages = (avant[0] == _PASSAGE) + (apres[0] == _PASSAGE)
            ecarts.append(ecarts[-1] + (ECART_NOEUDS, ECART_PASSAGE, ECART_PASSAGES)[passages])
        decalages[x], longueurs[x] = ecarts, ecarts[-1] if ecarts else 0.0
    hauteur = max(HAUTEUR_MIN_THEORIE, max(longueurs.values()) + 2 * MARGE_NOEUDS)
    ordonnees = {}
    for x, elements in colonnes.items():
        haut = (hauteur + longueurs[x]) / 2
        for element, decalage in zip(elements, decalages[x], strict=True):
            ordonnees[element] = haut - decalage
    return ordonnees, hauteur


def _positions(noeuds: list[dict], colonnes: dict[int, list[tuple]]) -> tuple[dict, dict, float]:
    """Élément → (x, y) : x la colonne, y en px depuis le bas; code → (x, y) de chaque nœud; et
    la hauteur de la zone des nœuds."""
    ordonnees, hauteur = _ordonnees(colonnes)
    elements = {e: (float(x), ordonnees[e]) for x, liste in colonnes.items() for e in liste}
    noeuds_places = {n["code"]: elements[(_NOEUD, n["code"])] for n in noeuds}
    return elements, noeuds_places, hauteur


def _cote(depart: tuple[float, float], arrivee: tuple[float, float]) -> int:
    """Le côté (1 à droite, -1 à gauche) par lequel un morceau de lien quitte `depart` : vers
    l'arrivée, ou, dans une même colonne, vers l'espace libre du côté du milieu."""
    if depart[0] != arrivee[0]:
        return 1 if arrivee[0] > depart[0] else -1
    return 1 if depart[0] < len(HORIZONS) - 1 else -1


def _ports(chaines: list, elements: dict) -> dict[tuple[int, int], float]:
    """(rang de la chaîne, rang de l'élément dans la chaîne) → décalage vertical (px) de son
    point d'attache : sur un même côté d'un nœud, les liens s'attachent de haut en bas dans
    l'ordre de ce qu'ils rejoignent, à ±`ECART_PORTS` px du centre au plus. Un passage : 0."""
    attaches: dict[tuple, list] = {}
    for rang, (chaine, _hypothese) in enumerate(chaines):
        for i, element in enumerate(chaine):
            if element[0] != _NOEUD:
                continue
            autre = chaine[i + 1] if i + 1 < len(chaine) else chaine[i - 1]
            cote = _cote(elements[element], elements[autre])
            attaches.setdefault((element, cote), []).append((-elements[autre][1], rang, i))
    decalages = {}
    for liste in attaches.values():
        liste.sort()
        for k, (_hauteur, rang, i) in enumerate(liste):
            part = 0.5 if len(liste) == 1 else k / (len(liste) - 1)
            decalages[(rang, i)] = ECART_PORTS * (1 - 2 * part)
    return decalages


def _bezier(p0, p1, p2, p3) -> list[tuple[float, float]]:
    """Les points d'une courbe de Bézier cubique, sans le premier."""
    points = []
    for pas in range(1, PAS_BEZIER + 1):
        t = pas / PAS_BEZIER
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3
        points.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return points


def _morceau(depart: tuple[float, float], arrivee: tuple[float, float], cote: int) -> list:
    """Les points d'un morceau de lien (sans le premier) : un bout droit à l'horizontale hors du
    départ, une courbe dans l'espace libre, un bout droit à l'horizontale jusqu'à l'arrivée."""
    (x0, y0), (x1, y1) = depart, arrivee
    sortie = (x0 + cote * DEPORT, y0)
    if x0 == x1:  # un détour par l'espace libre voisin, qui revient sur la même colonne
        entree, bosse = (x1 + cote * DEPORT, y1), x0 + cote * (DEPORT + DETOUR)
        courbe = _bezier(sortie, (bosse, y0), (bosse, y1), entree)
    else:
        entree, milieu = (x1 - cote * DEPORT, y1), (x0 + x1) / 2
        courbe = _bezier(sortie, (milieu, y0), (milieu, y1), entree)
    return [sortie, *courbe, (x1, y1)]


def _non_mesures(noeud: dict) -> dict[str, EtatDeMesure]:
    """Code → état de mesure des indicateurs du nœud que son quartier ne mesure pas (ou plus)
    (clé « non_mesures », facultative : absente, tous le sont)."""
    return {
        code: EtatDeMesure(etat) for code, etat in (noeud.get("non_mesures") or {}).items() if etat
    }


def mot_non_mesure(noeud: dict) -> str:
    """Le mot sous un nœud qui nomme un indicateur non mesuré : celui de son état (« retiré »,
    « plus suivi »…), ou « non mesuré » si ses indicateurs non mesurés le sont pour des raisons
    différentes (la bulle et le tableau donnent chacune); vide si tous sont mesurés. Un seul
    mot court : il tient sous le nœud, même sur un téléphone."""
    etats = set(_non_mesures(noeud).values())
    if len(etats) > 1:
        return _("non mesuré")
    return str(etats.pop().label) if etats else ""


def _indicateur_marque(code: str, etat: EtatDeMesure | None) -> str:
    return f"{code} ({etat.label})" if etat else code


def _survol_noeud(noeud: dict) -> str:
    """Code et libellé (en gras), famille, indicateurs (chacun non mesuré suivi de son mot :
    « retiré », « plus suivi »…) et actions, chaque rubrique repliée en lignes de
    `LARGEUR_SURVOL` : la bulle tient dans la figure, même sur un téléphone."""
    titre = replie_pour_survol(f"{noeud['code']} — {noeud['libelle']}", LARGEUR_SURVOL)
    non_mesures = _non_mesures(noeud)
    indicateurs = [_indicateur_marque(c, non_mesures.get(c)) for c in noeud["indicateurs"]]
    rubriques = [
        noeud["famille"],
        _("Indicateurs : %(liste)s") % {"liste": ", ".join(indicateurs) or "—"},
        _("Actions : %(liste)s") % {"liste": ", ".join(noeud["actions"]) or "—"},
    ]
    lignes = [f"<b>{ligne}</b>" for ligne in titre.split("<br>")]
    lignes += [replie_pour_survol(rubrique, LARGEUR_SURVOL) for rubrique in rubriques]
    return "<br>".join(lignes)


def _fleche(centre: tuple[float, float], decalage: float, cote: int, hypothese: str) -> dict:
    """La pointe d'un lien sur le nœud de `centre` (coordonnées des axes), à son port
    (`decalage` px au-dessus du centre), venue à l'horizontale du `cote` donné (1 : de la
    droite); l'hypothèse en survol. La queue est en pixels (`axref` « pixel ») : la flèche garde
    sa longueur à toutes les largeurs; la pointe s'arrête sur le bord du cercle."""
    x, y = centre
    bord = RAYON_NOEUD + BORD_NOEUD / 2 + 1
    return {
        "x": x,
        "y": y + decalage,
        "xref": "x",
        "yref": "y",
        "ax": cote * QUEUE_FLECHE,
        "ay": 0,
        "axref": "pixel",
        "ayref": "pixel",
        "showarrow": True,
        "arrowhead": 3,
        "arrowsize": 1.2,
        "standoff": round(math.sqrt(bord**2 - decalage**2), 1),
        "startstandoff": 0,
        "arrowcolor": COULEUR_REFERENCE,
        "text": "",
        "hovertext": replie_pour_survol(hypothese, LARGEUR_SURVOL) or None,
    }


def _liens(chaines: list, elements: dict) -> tuple[dict, list[dict]]:
    """Les liens : une trace de courbes (séparées par None), une par lien, et une flèche par
    lien, à son arrivée."""
    ports = _ports(chaines, elements)
    x, y, fleches = [], [], []
    for rang, (chaine, hypothese) in enumerate(chaines):
        attaches = [
            (elements[e][0], elements[e][1] + ports.get((rang, i), 0.0))
            for i, e in enumerate(chaine)
        ]
        points = [attaches[0]]
        for depart, arrivee in pairwise(attaches):
            points += _morceau(depart, arrivee, _cote(depart, arrivee))
        x += [round(px, 4) for px, _py in points] + [None]
        y += [round(py, 2) for _px, py in points] + [None]
        avant_derniere, derniere = chaine[-2], chaine[-1]
        cote = _cote(elements[derniere], elements[avant_derniere])
        decalage = ports[(rang, len(chaine) - 1)]
        fleches.append(_fleche(elements[derniere], decalage, cote, hypothese))
    segments = _nuage(
        _("Liens"),
        "lines",
        x,
        y,
        hoverinfo="skip",
        showlegend=False,
        line={"color": COULEUR_REFERENCE, "width": 1},
    )
    return segments, fleches


# La couleur de chaque famille de changement visé, la même d'une version de la stratégie (et
# d'un quartier) à l'autre : la légende de la page (`legende_des_familles`) la nomme.
COULEURS_FAMILLE = {
    Famille.PERSONNES: "#0072B2",
    Famille.PROCESSUS: "#E69F00",
    Famille.CONDITIONS_DE_VIE: "#009E73",
    Famille.SYSTEME: "#CC79A7",
}
COULEUR_FAMILLE_INCONNUE = "#999999"


def couleur_de_famille(code_famille: str | None) -> str:
    return COULEURS_FAMILLE.get(code_famille, COULEUR_FAMILLE_INCONNUE)


def legende_des_familles(noeuds: list[dict]) -> list[tuple[str, str]]:
    """(libellé traduit, couleur) de chaque famille présente parmi les nœuds du graphe de la
    théorie du changement, dans l'ordre des familles."""
    presentes = {n.get("code_famille") for n in noeuds}
    return [(str(f.label), COULEURS_FAMILLE[f]) for f in Famille if f in presentes]


# Un changement qui nomme un indicateur que son quartier ne mesure pas (ou plus) : disque gris,
# cercle pointillé autour de son code, et le mot (« retiré », « plus suivi »…) sous le nœud.
FOND_NOEUD, FOND_NON_MESURE = "#ffffff", "#e8e8e8"
COULEUR_NON_MESURE = "#595959"  # 7:1 sur blanc, 5,9:1 sur le gris du disque
RAYON_POINTILLE = RAYON_NOEUD - 5  # px : dans le disque, autour du code; aucun lien n'y passe
TAILLE_MOT_NON_MESURE = 10  # px
# px sous le centre du nœud : le mot (une ligne, de 25 à ~38 px) tient sous son bord, avant un
# passage (`ECART_PASSAGE`, 44 px) ou le bord du nœud suivant (`ECART_NOEUDS` moins le rayon,
# ~48 px); les liens quittent le nœud à l'horizontale, à `ECART_PORTS` px du centre au plus.
DECALAGE_MOT_NON_MESURE = RAYON_NOEUD + BORD_NOEUD


def _marques_non_mesures(noeuds: list[dict], positions: dict) -> tuple[list, list]:
    """Les marques des nœuds qui nomment un indicateur non mesuré : un cercle pointillé (forme
    de `RAYON_POINTILLE` px, en pixels autour du centre du nœud : même taille à toutes les
    largeurs) et le mot sous le nœud."""
    formes, mots = [], []
    for noeud in noeuds:
        if not (mot := mot_non_mesure(noeud)):
            continue
        x, y = positions[noeud["code"]]
        formes.append(
            {
                "type": "circle",
                "xref": "x",
                "yref": "y",
                "xsizemode": "pixel",
                "ysizemode": "pixel",
                "xanchor": x,
                "yanchor": y,
                "x0": -RAYON_POINTILLE,
                "x1": RAYON_POINTILLE,
                "y0": -RAYON_POINTILLE,
                "y1": RAYON_POINTILLE,
                "line": {"color": COULEUR_NON_MESURE, "width": 1.5, "dash": "dot"},
                "layer": "above",
            }
        )
        mots.append(
            _note(
                f"<i>{_texte(mot)}</i>",
                x,
                y,
                xref="x",
                yref="y",
                yanchor="top",
                yshift=-DECALAGE_MOT_NON_MESURE,
                font={"size": TAILLE_MOT_NON_MESURE, "color": COULEUR_NON_MESURE},
                bgcolor="rgba(255,255,255,0.85)",
                borderpad=0,
            )
        )
    return formes, mots


def _trace_noeuds(noeuds: list[dict], positions: dict) -> dict:
    """Les changements visés : un disque blanc par nœud (gris s'il nomme un indicateur non
    mesuré), bordé de la couleur de sa famille (`COULEURS_FAMILLE`), son code dedans; opaque,
    il cache le croisement des segments."""
    couleurs = [couleur_de_famille(n.get("code_famille")) for n in noeuds]
    fonds = [FOND_NON_MESURE if mot_non_mesure(n) else FOND_NOEUD for n in noeuds]
    return _nuage(
        _("Changements visés"),
        "markers+text",
        [positions[n["code"]][0] for n in noeuds],
        [positions[n["code"]][1] for n in noeuds],
        text=[_texte(n["code"]) for n in noeuds],
        textposition="middle center",
        hovertext=[_survol_noeud(n) for n in noeuds],
        hoverinfo="text",
        marker={
            "size": 2 * RAYON_NOEUD,
            "color": fonds,
            "line": {"width": BORD_NOEUD, "color": couleurs},
        },
    )


def graphe_theorie_du_changement(noeuds: list[dict], liens: list[tuple[str, str, str]]) -> dict:
    """Le graphe de la théorie du changement : les changements visés en trois colonnes (court,
    moyen, long terme), reliés par des flèches qui portent leur hypothèse et ne traversent aucun
    autre changement (voir plus haut). Chaque nœud (dict : code, libelle, horizon, famille
    (libellé), code_famille, indicateurs (codes), non_mesures (facultatif : code → état de
    mesure, `EtatDeMesure`, de ceux que le quartier ne mesure pas), actions) montre son code
    dans un cercle de la couleur de sa famille et, en survol, son libellé, sa famille, ses
    indicateurs et ses actions. Un nœud qui nomme un indicateur non mesuré est marqué
    (`_marques_non_mesures`) et le mot suit l'indicateur dans la bulle."""
    colonnes, chaines = _chaines(noeuds, liens)
    elements, positions, hauteur = _positions(noeuds, _ordonner(colonnes, chaines))
    segments, fleches = _liens(chaines, elements)
    formes, mots = _marques_non_mesures(noeuds, positions)
    titres = [_("court terme"), _("moyen terme"), _("long terme")]
    entetes = [
        _note(f"<b>{titre}</b>", float(x), 1.0, xref="x", yanchor="bottom")
        for x, titre in enumerate(titres)
    ]
    marges = MARGES_THEORIE
    layout = _mise_en_page(
        _("Théorie du changement"),
        xaxis={"visible": False, "range": AXE_X_THEORIE, "fixedrange": True},
        # L'axe des y compte des pixels : la hauteur de la figure en donne un par unité, à
        # l'écran d'un ordinateur comme d'un téléphone (marge du haut resserrée).
        yaxis={"visible": False, "range": [0, hauteur], "fixedrange": True},
        height=hauteur + marges["t"] + marges["b"],
        margin=marges,
        meta={
            "etroit": {
                "height": hauteur + MARGE_HAUT_ETROIT + marges["b"],
                "xaxis": {"range": AXE_X_THEORIE_ETROIT},
            }
        },
        annotations=entetes + fleches + mots,
        shapes=formes,
        showlegend=False,
        hovermode="closest",
    )
    return {"data": [segments, _trace_noeuds(noeuds, positions)], "layout": layout}
