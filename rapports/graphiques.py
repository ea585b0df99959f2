"""Les graphiques des tableaux de bord et des bilans : données en entrée, figure Plotly en sortie.

Chaque fonction rend un dictionnaire simple `{"data": [...], "layout": {...}}` que plotly.js lit
tel quel (sérialisé par `json.dumps`, sans `Decimal`) : pas de `go.Figure`, dont la validation
coûte plus de dix fois la construction du dictionnaire; les tests, eux, valident chaque figure
avec `go.Figure(figure)`. Aucune requête : les sélecteurs lisent la base, ces fonctions ne font
que dessiner. Les libellés passent par gettext (source française).
"""

from __future__ import annotations

import html
import math
import textwrap
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evalpic.nombres import pour_cent, pour_cent_entier
from evalpic.traduction import une_fois_par_langue
from indicateurs.models.catalogue import Unite
from rapports.series import SerieIndicateur, Statut, Tendance
from rapports.statuts import a_un_statut, rang_trimestre, statut, tendance

# Palette d'Okabe et Ito, lisible par les personnes daltoniennes, au jaune assombri : le jaune
# d'origine (#F0E442) ne se voit pas en ligne sur fond blanc (contraste 1,3:1, ici 3,5:1).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#9E8A00", "#000000"]
COULEURS_STATUT = {
    Statut.ATTEINT: "#009E73",
    Statut.EN_BONNE_VOIE: "#56B4E9",
    Statut.A_SURVEILLER: "#E69F00",
    Statut.SANS_DONNEES: "#BBBBBB",
}
COULEUR_VALEURS, COULEUR_REFERENCE, COULEUR_CIBLES = "#0072B2", "#555555", "#D55E00"
COULEUR_TENDANCE, COULEUR_APPRENTISSAGES = "#CC79A7", "#000000"
TAILLE_DES_POINTS = 8  # les valeurs d'une courbe à renverser
# Complétude : 0 % (rien de transmis) en orange, à ne pas confondre avec une case vide (rien à
# saisir); puis les bleus de ColorBrewer, du plus clair (dès 0,01 %) au plus foncé (100 %).
BLEUS = [
    [0, "#fdae6b"],
    [0.0001, "#deebf7"],
    [0.25, "#c6dbef"],
    [0.5, "#6baed6"],
    [0.75, "#2171b5"],
    [1, "#08306b"],
]
LEGENDE_EN_HAUT = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0}
LONGUEUR_MAX_SURVOL = 300
COLONNES_MAX = 4
COLONNES_ETROIT = 2  # panneaux par ligne sur un téléphone (`js/graphiques.js`)
PARTENAIRES, DIVERSITE = "partenaires", "diversite"  # clés de `croissance_partenaires`
HAUTEUR_LIGNE_CARTE = 28  # px par quartier de la carte de complétude


# --- Utilitaires ---------------------------------------------------------------------------------


def _nombre(valeur: Decimal | float | int | None) -> float | None:
    """Un nombre pour plotly.js (JSON) : float, ou None pour un trou."""
    return None if valeur is None else float(valeur)


def _texte(texte: str) -> str:
    """Un texte saisi par une personne, échappé : plotly.js interprète un peu de HTML."""
    return html.escape(str(texte), quote=False)


# Les séparateurs de plotly.js (`layout.separators`) : le décimal, puis celui des milliers, comme
# `evalpic.nombres` les écrit dans la langue (« 84 100,5 », « 84,100.5 »).
SEPARATEURS = {"fr": ",\u00a0", "en": ".,"}
# Le format des graduations et du survol d'un axe de comptes ou de dollars (d3-format) : milliers
# séparés, décimales utiles seulement, jamais de suffixe SI (« 100k » devient « 100 000 »); les
# séparateurs sont ceux de `layout.separators`.
FORMAT_SANS_SUFFIXE = ",~f"
UNITES_SANS_SUFFIXE = (Unite.NOMBRE, Unite.DOLLARS)


def separateurs() -> str:
    """Les séparateurs de plotly.js dans la langue active (le français par défaut)."""
    return SEPARATEURS["en"] if (get_language() or "fr").startswith("en") else SEPARATEURS["fr"]


def _format_des_nombres(unite: str) -> dict:
    """Graduations et survol d'un axe de comptes ou de dollars sans suffixe SI; rien pour les
    autres unités (pourcentage, échelle, indice : jamais assez grands pour en avoir un)."""
    if unite not in UNITES_SANS_SUFFIXE:
        return {}
    return {"tickformat": FORMAT_SANS_SUFFIXE, "hoverformat": FORMAT_SANS_SUFFIXE}


def _mise_en_page(titre: str, **autres) -> dict:
    """La mise en page commune : titre, marges, légende horizontale, séparateurs de la langue."""
    return {
        "title": {"text": _texte(titre), "x": 0, "xanchor": "left"},
        "margin": {"l": 60, "r": 30, "t": 80, "b": 60},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        "separators": separateurs(),
        "font": {"family": "system-ui, sans-serif", "size": 13},
        **autres,
    }


class _LibellesDesCourbes(NamedTuple):
    valeurs: str
    reference: str
    cibles: str
    tendance: str
    apprentissages: str
    survol_apprentissage: str
    sens: dict[str, str]
    unites: dict[str, str]


@une_fois_par_langue
def _libelles_des_courbes() -> _LibellesDesCourbes:
    """Les textes communs à toutes les courbes, traduits une fois par langue (une page en dessine
    plus de cent)."""
    return _LibellesDesCourbes(
        valeurs=_("Valeurs"),
        reference=_("Référence"),
        cibles=_("Cibles"),
        tendance=_("Tendance"),
        apprentissages=_("Apprentissages"),
        survol_apprentissage=_("%(categorie)s : %(texte)s"),
        sens={
            "hausse": "↑ " + _("une hausse est souhaitée"),
            "baisse": "↓ " + _("une baisse est souhaitée"),
        },
        # Le titre de l'axe : le libellé de l'unité, en mots simples pour l'indice (« indice
        # (décimal) » dit comment le saisir, pas ce qu'on lit).
        unites={valeur: str(libelle) for valeur, libelle in Unite.choices}
        | {Unite.INDICE.value: _("valeur de l'indice")},
    )


def replie_pour_survol(texte: str, largeur: int = 60) -> str:
    """Un texte pour une bulle de survol : échappé, coupé à ~300 caractères et replié en lignes
    de `largeur` (`<br>`); plotly.js n'en replie aucun, et une longue ligne sort de la figure."""
    texte = " ".join(str(texte).split())
    if len(texte) > LONGUEUR_MAX_SURVOL:
        texte = texte[: LONGUEUR_MAX_SURVOL - 1].rstrip() + "…"
    return "<br>".join(_texte(ligne) for ligne in textwrap.wrap(texte, largeur))


def _survol_apprentissage(categorie: str, texte: str) -> str:
    """« catégorie : texte », coupé à ~300 caractères et replié en lignes de 60."""
    gabarit = _libelles_des_courbes().survol_apprentissage
    return replie_pour_survol(gabarit % {"categorie": categorie, "texte": texte})


# --- La courbe à renverser -----------------------------------------------------------------------


def _categories(serie: SerieIndicateur, droite: Tendance | None) -> list[str]:
    """Tous les libellés de l'axe des x dans l'ordre chronologique : points, cibles, apprentissages
    et trimestres projetés."""
    libelles = {p.periode: p.libelle for p in [*serie.points, *serie.cibles, *serie.reperes]}
    if droite is not None:
        libelles.update({code: libelle for code, libelle, _v in droite.projection})
    return [libelles[code] for code in sorted(libelles, key=rang_trimestre)]


def _nuage(nom: str, mode: str, x: list, y: list, **autres) -> dict:
    """Une trace `scatter` : les nombres passent en float, None reste un trou."""
    return {
        "type": "scatter",
        "name": nom,
        "mode": mode,
        "x": x,
        "y": [_nombre(v) for v in y],
    } | autres


def _note(texte: str, x: float, y: float, **autres) -> dict:
    """Une annotation de texte sans flèche (par défaut relative à la zone du graphique)."""
    position = {"x": x, "y": y, "xref": "paper", "yref": "paper", "showarrow": False}
    return {"text": texte, **position, **autres}


PAS_ENTIERS = (1, 2, 5)


def _pas_entier(valeurs: list, graduations: int = 6) -> int:
    """Le pas (1, 2, 5, 10, 20…) des graduations d'un axe de comptes, pour au plus
    `graduations` intervalles du minimum au maximum des valeurs (l'axe des valeurs ajusté par
    plotly.js; ajouter 0 pour un axe qui part de zéro)."""
    nombres = [float(v) for v in valeurs if v is not None] or [0.0]
    etendue = max(nombres) - min(nombres)
    puissance = 1
    while True:
        for facteur in PAS_ENTIERS:
            if etendue / (facteur * puissance) <= graduations:
                return facteur * puissance
        puissance *= 10


def _axe_entier(valeurs: list) -> dict:
    """Un axe vertical gradué en entiers, pour une série de comptes : jamais « 7,5 »."""
    return {"tick0": 0, "dtick": _pas_entier(valeurs)}


def _que_des_entiers(valeurs: list) -> bool:
    nombres = [v for v in valeurs if v is not None]
    return bool(nombres) and all(float(v).is_integer() for v in nombres)


def _trace_tendance(serie: SerieIndicateur, droite: Tendance) -> dict:
    libelles = {p.periode: p.libelle for p in serie.points}
    x = [libelles[code] for code, _v in droite.ajustees]
    x += [libelle for _c, libelle, _v in droite.projection]
    y = [v for _c, v in droite.ajustees] + [v for _c, _l, v in droite.projection]
    return _nuage(
        _libelles_des_courbes().tendance,
        "lines",
        x,
        y,
        line={"dash": "dot", "color": COULEUR_TENDANCE},
    )


# L'axe des apprentissages d'un trimestre sans valeur : 0 en bas de la zone du graphique, 1 en
# haut, invisible; leurs marques s'y alignent juste sous le bord du haut (`HAUT_DE_LA_ZONE`).
AXE_DES_REPERES = "y2"
HAUT_DE_LA_ZONE = 0.96


def _traces_apprentissages(serie: SerieIndicateur) -> list[dict]:
    """Les apprentissages épinglés : sur la valeur de leur trimestre, ou, sans valeur, en haut de
    la zone du graphique (axe `AXE_DES_REPERES`) — jamais sur la référence ni à zéro, où la
    marque se lisait comme une chute. Une entrée de légende pour les deux traces."""
    valeurs = {p.periode: p.valeur for p in serie.points}
    sur_la_courbe = [r for r in serie.reperes if valeurs.get(r.periode) is not None]
    sans_valeur = [r for r in serie.reperes if valeurs.get(r.periode) is None]
    traces = []
    for reperes, y, axe in (
        (sur_la_courbe, [valeurs[r.periode] for r in sur_la_courbe], {}),
        (sans_valeur, [HAUT_DE_LA_ZONE] * len(sans_valeur), {"yaxis": AXE_DES_REPERES}),
    ):
        if not reperes:
            continue
        traces.append(
            _nuage(
                _libelles_des_courbes().apprentissages,
                "markers",
                [r.libelle for r in reperes],
                y,
                hovertext=[_survol_apprentissage(r.categorie, r.texte) for r in reperes],
                hoverinfo="text",
                marker={"symbol": "circle-open", "size": 16, "color": COULEUR_APPRENTISSAGES},
                legendgroup="apprentissages",
                showlegend=not traces,
                **axe,
            )
        )
    return traces


def _annotation_polarite(polarite: str) -> list[dict]:
    """Le sens souhaité, en haut à gauche; rien pour un indicateur « neutre »."""
    sens = _libelles_des_courbes().sens
    if polarite not in sens:
        return []
    return [_note(sens[polarite], 0, 1.02, xanchor="left", yanchor="bottom")]


def _traces_de_la_courbe(serie: SerieIndicateur, droite: Tendance | None, x: list[str]) -> list:
    points, cibles = serie.points, serie.cibles
    libelles = _libelles_des_courbes()
    traces = [
        _nuage(
            libelles.valeurs,
            "lines+markers",
            [p.libelle for p in points],
            [p.valeur for p in points],
            connectgaps=False,
            line={"color": COULEUR_VALEURS, "width": 3},
            # Une valeur seule entre deux « n.d. » n'est qu'un point : qu'il se voie, à l'écran
            # comme dans le PDF (la taille par défaut, 6, y fait un point de 1,5 mm).
            marker={"size": TAILLE_DES_POINTS, "color": COULEUR_VALEURS},
        )
    ]
    if serie.reference is not None:
        traces.append(
            _nuage(
                libelles.reference,
                "lines",
                [x[0], x[-1]],
                [serie.reference] * 2,
                line={"dash": "dash", "color": COULEUR_REFERENCE},
            )
        )
    if cibles:
        traces.append(
            _nuage(
                libelles.cibles,
                "markers",
                [c.libelle for c in cibles],
                [c.valeur for c in cibles],
                marker={"symbol": "star", "size": 14, "color": COULEUR_CIBLES},
            )
        )
    if droite is not None:
        traces.append(_trace_tendance(serie, droite))
    if serie.reperes:
        traces += _traces_apprentissages(serie)
    return traces


def en_texte(serie: SerieIndicateur) -> bool:
    """Un indicateur en texte : ni courbe ni statut (`statuts.a_un_statut`), ses textes en
    tableau."""
    return not a_un_statut(serie.unite)


def courbe_a_renverser(serie: SerieIndicateur, titre: str | None = None) -> dict:
    """La courbe « à renverser » d'un indicateur : valeurs, référence, cibles, tendance projetée
    et apprentissages épinglés à leur période; le sens souhaité est annoncé en haut, et le statut
    accompagne la figure dans `layout.meta`. Un indicateur en texte n'a pas de courbe : sa figure
    ne dessine rien (`figure_des_textes`)."""
    if titre is None:
        titre = f"{serie.nom} — {serie.quartier}" if serie.quartier else serie.nom
    if en_texte(serie):
        return figure_des_textes(serie, titre)
    droite = tendance(serie)
    x = _categories(serie, droite)
    unite = _libelles_des_courbes().unites.get(serie.unite, serie.unite)
    # `automargin` : la marge s'élargit pour des graduations longues (« 120 000 ») au lieu que le
    # titre de l'axe les chevauche.
    axe_y = {
        "title": {"text": unite},
        "zeroline": False,
        "automargin": True,
        **_format_des_nombres(serie.unite),
    }
    data = _traces_de_la_courbe(serie, droite, x) if x else []
    sur_l_axe = [trace for trace in data if trace.get("yaxis") != AXE_DES_REPERES]
    if _que_des_entiers([p.valeur for p in [*serie.points, *serie.cibles]] + [serie.reference]):
        axe_y |= _axe_entier([y for trace in sur_l_axe for y in trace["y"]])
    axes = {"yaxis": axe_y}
    if len(sur_l_axe) < len(data):  # des apprentissages sans valeur, en haut de la zone
        axes["yaxis2"] = {
            "overlaying": "y",
            "range": [0, 1],
            "visible": False,
            "fixedrange": True,
        }
    layout = _mise_en_page(
        titre,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": x},
        hovermode="x unified",
        annotations=_annotation_polarite(serie.polarite),
        meta={"statut": statut(serie).value},
        **axes,
    )
    return {"data": data, "layout": layout}


def figure_des_textes(serie: SerieIndicateur, titre: str) -> dict:
    """La figure d'un indicateur en texte : sans trace, marquée `layout.meta.texte`. Ni les
    pages web ni les PDF n'en dessinent rien : le tableau HTML de ses textes
    (`lignes_de_la_courbe`) les montre, et s'imprime sur autant de pages qu'il faut."""
    return {"data": [], "layout": _mise_en_page(titre, meta={"texte": True})}


def lignes_de_la_courbe(serie: SerieIndicateur) -> list[dict]:
    """Le tableau de données de la courbe (accessibilité, CSV) : une ligne par période des points
    ou des cibles, dans l'ordre chronologique, avec valeur, cible et référence (float ou None),
    et « non disponible » (booléen) avec sa « raison » (texte, vide sinon) : une absence
    expliquée par la table n'est pas un simple trou. Un indicateur en texte : une ligne par
    période des points, son texte sous « texte »."""
    if en_texte(serie):
        return [
            {
                "code": p.periode,
                "periode": p.libelle,
                "valeur": None,
                "cible": None,
                "reference": None,
                "texte": p.texte,
                "non_disponible": p.non_disponible,
                "raison": p.raison,
            }
            for p in serie.points
        ]
    libelles = {p.periode: p.libelle for p in [*serie.points, *serie.cibles]}
    points = {p.periode: p for p in serie.points}
    cibles = {c.periode: c.valeur for c in serie.cibles}
    lignes = []
    for code in sorted(libelles, key=rang_trimestre):
        point = points.get(code)
        lignes.append(
            {
                "code": code,
                "periode": libelles[code],
                "valeur": None if point is None else _nombre(point.valeur),
                "cible": _nombre(cibles.get(code)),
                "reference": _nombre(serie.reference),
                "non_disponible": point is not None and point.non_disponible,
                "raison": "" if point is None else point.raison,
            }
        )
    return lignes


# --- Vue d'ensemble du PIC -----------------------------------------------------------------------


def carte_completude(
    quartiers: list[str], periodes: list[str], parts: list[list[float | None]]
) -> dict:
    """Carte de chaleur de la complétude : part (0 à 100) des valeurs attendues présentes, par
    quartier (lignes, dans l'ordre donné) et par période (colonnes). Une ligne de hauteur fixe
    par quartier, chacune avec son nom (plotly.js en saute sinon, et les lignes se lisent en
    face du mauvais nom)."""
    texte = [
        [("" if v is None else pour_cent(pour_cent_entier(v))) for v in ligne] for ligne in parts
    ]
    survol = _("valeurs présentes : %(part)s") % {"part": pour_cent("%{z:.0f}")}
    noms = [_texte(q) for q in quartiers]
    trace = {
        "type": "heatmap",
        "x": periodes,
        "y": noms,
        "z": [[_nombre(v) for v in ligne] for ligne in parts],
        "zmin": 0,
        "zmax": 100,
        "colorscale": BLEUS,
        "colorbar": {"title": {"text": "%"}, "thickness": 14},
        "text": texte,
        "texttemplate": "%{text}",
        "textfont": {"size": 12},
        "hovertemplate": "%{y} — %{x}<br>" + survol + "<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = _mise_en_page(
        _("Complétude des saisies"),
        xaxis={"type": "category", "side": "top", "tickangle": 0},
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "automargin": True,
            "tickmode": "array",
            "tickvals": noms,
            "ticktext": noms,
        },
        height=150 + HAUTEUR_LIGNE_CARTE * max(1, len(quartiers)),
    )
    layout["margin"] = {**layout["margin"], "t": 110, "b": 20}
    return {"data": [trace], "layout": layout}


def _traces_partenaires(quartier: str, mesures: dict, x: list[str], couleur: str) -> list[dict]:
    """Les deux traces d'un quartier : partenaires (panneau du haut) et diversité (panneau du
    bas), une seule entrée de légende pour les deux."""
    nom = _texte(quartier)
    commun = {"legendgroup": quartier, "line": {"color": couleur, "width": 2}}
    commun["marker"] = {"size": 5}
    partenaires = _nuage(nom, "lines+markers", x, mesures.get(PARTENAIRES, []), **commun)
    diversite = _nuage(
        nom,
        "lines+markers",
        x,
        mesures.get(DIVERSITE, []),
        xaxis="x2",
        yaxis="y2",
        showlegend=False,
        **commun,
    )
    return [partenaires | {"xaxis": "x", "yaxis": "y"}, diversite]


def _a_des_partenaires(mesures: dict) -> bool:
    return any(v is not None for cle in (PARTENAIRES, DIVERSITE) for v in mesures.get(cle, []))


def sans_partenaires(par_quartier: dict[str, dict[str, list[float | None]]]) -> list[str]:
    """Les quartiers que `croissance_partenaires` ne trace pas : ni partenaires ni diversité
    sur ces périodes. La page les nomme sous le graphique."""
    return [q for q, mesures in par_quartier.items() if not _a_des_partenaires(mesures)]


def croissance_partenaires(
    annees_ou_periodes: list[str], par_quartier: dict[str, dict[str, list[float | None]]]
) -> dict:
    """Partenaires actifs (panneau du haut, graduations entières) et diversité de Shannon
    (panneau du bas) dans le temps, une couleur par quartier et une entrée de légende par
    quartier, sous les panneaux. `par_quartier[q]` a les clés `PARTENAIRES` (« partenaires »)
    et `DIVERSITE` (« diversite »). Seuls les quartiers qui ont une valeur sont tracés
    (`sans_partenaires` : les autres), et les couleurs se donnent dans l'ordre aux seules
    courbes tracées : deux courbes n'ont la même couleur qu'au-delà de huit quartiers. La
    hauteur suit le nombre de quartiers tracés (la légende)."""
    traces = {q: m for q, m in par_quartier.items() if _a_des_partenaires(m)}
    data = []
    for rang, (quartier, mesures) in enumerate(traces.items()):
        couleur = PALETTE[rang % len(PALETTE)]
        data += _traces_partenaires(quartier, mesures, annees_ou_periodes, couleur)
    comptes = [v for m in traces.values() for v in m.get(PARTENAIRES, [])]
    periodes = {"type": "category", "categoryorder": "array"}
    periodes["categoryarray"] = list(annees_ou_periodes)
    lignes_de_legende = math.ceil(len(traces) / 5)
    layout = _mise_en_page(
        _("Partenaires actifs et diversité"),
        xaxis={**periodes, "anchor": "y", "matches": "x2", "showticklabels": False},
        xaxis2={**periodes, "anchor": "y2"},
        yaxis={
            "title": {"text": _("Partenaires actifs")},
            "domain": [0.56, 1],
            "rangemode": "tozero",
            **_axe_entier([0, *comptes]),
            **_format_des_nombres(Unite.NOMBRE),
        },
        yaxis2={
            "title": {"text": _("Diversité (indice de Shannon)")},
            "domain": [0, 0.44],
            "rangemode": "tozero",
            "tickformat": ".2~f",
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        hovermode="x unified",
        height=560 + 22 * lignes_de_legende,
    )
    return {"data": data, "layout": layout}


def progression_quartiers(lignes: list[tuple[str, dict[str, int]]]) -> dict:
    """Barres horizontales empilées : nombre d'indicateurs par statut dans chaque quartier, dans
    l'ordre donné (aucun classement par défaut), une couleur fixe par statut."""
    quartiers = [_texte(q) for q, _c in lignes]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": str(s.label),
            "y": quartiers,
            "x": [comptes.get(s.value, 0) for _q, comptes in lignes],
            "text": [str(comptes.get(s.value, 0) or "") for _q, comptes in lignes],
            "textposition": "inside",
            "marker": {"color": COULEURS_STATUT[s]},
        }
        for s in Statut
    ]
    layout = _mise_en_page(
        _("Indicateurs par statut"),
        barmode="stack",
        legend={**LEGENDE_EN_HAUT, "traceorder": "normal"},
        xaxis={"title": {"text": _("Nombre d'indicateurs")}, "rangemode": "tozero"},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": quartiers,
            "autorange": "reversed",
            "automargin": True,
        },
        # Une ligne lisible par quartier : sinon plotly.js saute des étiquettes.
        height=max(320, 140 + 30 * len(quartiers)),
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return {"data": data, "layout": layout}


# --- Un indicateur entre quartiers ---------------------------------------------------------------


def _domaines(
    n: int, colonnes_max: int = COLONNES_MAX, ecart_x: float = 0.05
) -> list[tuple[list[float], list[float]]]:
    """Les domaines (x, y) de `n` panneaux, jusqu'à `colonnes_max` par ligne, de gauche à droite
    puis de haut en bas."""
    colonnes = max(1, min(colonnes_max, n))
    lignes = max(1, math.ceil(n / colonnes))
    ecart_y = 0.3 / lignes
    largeur = (1 - ecart_x * (colonnes - 1)) / colonnes
    hauteur = (1 - ecart_y * (lignes - 1)) / lignes
    domaines = []
    for i in range(n):
        ligne, colonne = divmod(i, colonnes)
        x0 = colonne * (largeur + ecart_x)
        y1 = 1 - ligne * (hauteur + ecart_y)
        domaines.append(
            ([round(x0, 4), round(x0 + largeur, 4)], [round(y1 - hauteur, 4), round(y1, 4)])
        )
    return domaines


def _panneau(rang: int, quartier: str, points: list[tuple[str, Decimal | None]]) -> list[dict]:
    """Les traces du panneau `rang` (1, 2…) : la ligne 100 en tirets, puis l'indice."""
    suffixe = "" if rang == 1 else str(rang)
    axes = {"xaxis": f"x{suffixe}", "yaxis": f"y{suffixe}"}
    x = [libelle for libelle, _v in points]
    base = _nuage(
        _("Référence = 100"),
        "lines",
        [x[0], x[-1]] if x else [],
        [100, 100] if x else [],
        hoverinfo="skip",
        showlegend=rang == 1,
        legendgroup="reference",
        line={"color": COULEUR_REFERENCE, "dash": "dash", "width": 1},
        **axes,
    )
    indice = _nuage(
        _texte(quartier),
        "lines+markers",
        x,
        [v for _l, v in points],
        connectgaps=False,
        showlegend=False,
        line={"color": PALETTE[0]},
        **axes,
    )
    return [base, indice]


def _axes_du_panneau(
    rang: int, quartier: str, categories: list[str], domaines: tuple[list, list]
) -> tuple[dict, dict]:
    """Les axes du panneau `rang` (périodes dans l'ordre, échelle verticale commune) et son
    titre en annotation."""
    suffixe = "" if rang == 1 else str(rang)
    periodes = {"type": "category", "categoryorder": "array", "categoryarray": categories}
    axes = {
        f"xaxis{suffixe}": {"domain": domaines[0], "anchor": f"y{suffixe}", **periodes},
        f"yaxis{suffixe}": {"domain": domaines[1], "anchor": f"x{suffixe}"},
    }
    axes[f"xaxis{suffixe}"] |= {"nticks": 3, "tickangle": 0}
    if rang > 1:
        axes[f"yaxis{suffixe}"]["matches"] = "y"
    titre = _note(
        f"<b>{_texte(quartier)}</b>",
        0.5,
        1,
        xref=f"x{suffixe} domain",
        yref=f"y{suffixe} domain",
        yanchor="bottom",
    )
    return axes, titre


def petits_multiples(series: list[tuple[str, list[tuple[str, Decimal | None]]]]) -> dict:
    """Un petit panneau par quartier (quatre par ligne au plus, dans l'ordre donné) : l'indice de
    l'indicateur en base 100 à la référence du quartier (`statuts.normaliser`) et la ligne 100
    en tirets. Même échelle verticale partout pour comparer les trajectoires."""
    data, tous_les_axes, titres = [], {}, []
    panneaux = zip(series, _domaines(len(series)), strict=True)
    for rang, ((quartier, points), (dom_x, dom_y)) in enumerate(panneaux, start=1):
        data += _panneau(rang, quartier, points)
        categories = [libelle for libelle, _v in points]
        axes, titre = _axes_du_panneau(rang, quartier, categories, (dom_x, dom_y))
        tous_les_axes.update(axes)
        titres.append(titre)
        if getattr(points, "sans_reference", False):  # `statuts.Indices` : le dire
            titres.append(_note_sans_reference(rang))
    lignes = max(1, math.ceil(len(series) / COLONNES_MAX))
    layout = _mise_en_page(
        _("Indice en base 100 à la référence de chaque quartier"),
        annotations=titres,
        height=140 + 220 * lignes,
        hovermode="closest",
        meta={"etroit": _petits_multiples_etroits(len(series))},
        **tous_les_axes,
    )
    return {"data": data, "layout": layout}


def _note_sans_reference(rang: int) -> dict:
    """La note au milieu d'un panneau dont aucun indice n'est calculable : sans référence, ou
    avec une référence nulle (`statuts.normaliser`). Sans elle, le panneau restait vide."""
    suffixe = "" if rang == 1 else str(rang)
    return _note(
        replie_pour_survol(_("Sans référence (ou référence nulle) : indice non calculable"), 24),
        0.5,
        0.5,
        xref=f"x{suffixe} domain",
        yref=f"y{suffixe} domain",
        font={"color": COULEUR_REFERENCE},
    )


def _petits_multiples_etroits(n: int) -> dict:
    """La mise en page des panneaux sur un écran étroit (un téléphone), que `js/graphiques.js`
    applique : deux panneaux par ligne au plus, plus hauts, pour qu'ils ne se chevauchent pas."""
    modifs: dict = {"height": 120 + 200 * max(1, math.ceil(n / COLONNES_ETROIT))}
    for rang, (dom_x, dom_y) in enumerate(_domaines(n, COLONNES_ETROIT, ecart_x=0.14), start=1):
        suffixe = "" if rang == 1 else str(rang)
        modifs[f"xaxis{suffixe}"] = {"domain": dom_x}
        modifs[f"yaxis{suffixe}"] = {"domain": dom_y}
    return modifs
