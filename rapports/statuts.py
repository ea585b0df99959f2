"""Où en est un indicateur : tendance, cible courante, statut et écart à la référence.

Fonctions pures sur `SerieIndicateur` (aucune requête) : les tableaux de bord, les bilans et
les graphiques les appellent avec des séries déjà lues. Les calculs se font en `Decimal`,
arrondis à quatre décimales.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evalpic.traduction import une_fois_par_langue
from rapports.series import Point, SerieIndicateur, Statut, Tendance

QUATRE_DECIMALES = Decimal("0.0001")
CENT = Decimal(100)
TOLERANCE_ATTEINT_NEUTRE = Decimal("0.05")  # « neutre » : atteint à 5 % près de la cible
# En bonne voie, avec une référence : la projection couvre au moins 90 % du changement prévu (de
# la référence à la cible, `_projection_en_bonne_voie`). Sans référence : à 10 % près de la cible.
PART_DU_CHANGEMENT_PREVU = Decimal("0.90")
TOLERANCE_EN_BONNE_VOIE = Decimal("0.10")

# Le statut et la tendance lisent les valeurs des 8 derniers trimestres de l'intervalle affiché
# (ceux qui finissent avec le dernier), quelle que soit sa longueur au-delà : tableau de bord
# (12 trimestres), bilan trimestriel (8) et bilan annuel (12) qui finissent au même trimestre
# disent le même statut. Un intervalle plus court est lu en entier.
FENETRE_TENDANCE = 8
# La tendance se dessine sur les 4 trimestres qui suivent le dernier; le statut la prolonge
# jusqu'à l'échéance de la cible, même plus loin (`valeur_projetee`).
TRIMESTRES_PROJETES = 4

HAUSSE, BAISSE, NEUTRE = "hausse", "baisse", "neutre"
UNITE_TEXTE = "texte"  # indicateurs.models.Unite.TEXTE (ce module ne lit pas les modèles)

# Les bornes de chaque unité, celles de la saisie (`indicateurs.validation.verifier_nombre`; un
# test vérifie l'accord) : un pourcentage de 0 à 100, l'échelle de 1 à 5, toute autre unité
# chiffrée (nombre, dollars, indice) jamais négative. Une tendance ne se projette pas au-delà.
BORNES_DES_UNITES: dict[str, tuple[Decimal, Decimal | None]] = {
    "pourcentage": (Decimal(0), Decimal(100)),
    "echelle": (Decimal(1), Decimal(5)),
}
BORNES_PAR_DEFAUT: tuple[Decimal, Decimal | None] = (Decimal(0), None)


# --- Périodes trimestrielles « AAAA-Tn » --------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def rang_trimestre(code: str) -> int:
    """Le rang absolu d'un trimestre (« 2025-T2 » → 2025 × 4 + 1), pour comparer et compter.
    Gardé en mémoire : une page en trie des milliers, sur quelques dizaines de trimestres."""
    annee, trimestre = code.split("-T")
    return int(annee) * 4 + int(trimestre) - 1


def trimestre_suivant(code: str, decalage: int = 1) -> str:
    """Le code du trimestre situé `decalage` trimestres après `code` (« 2025-T4 » → « 2026-T1 »)."""
    annee, reste = divmod(rang_trimestre(code) + decalage, 4)
    return f"{annee}-T{reste + 1}"


def libelle_trimestre(code: str) -> str:
    """Le libellé affiché d'un trimestre (« T1 2026 », « Q1 2026 » en anglais), avec le même
    msgid que `Periode.libelle`."""
    return _libelle_dans_la_langue(code, get_language() or "fr")


@functools.lru_cache(maxsize=1024)
def _libelle_dans_la_langue(code: str, langue: str) -> str:
    annee, trimestre = code.split("-T")
    return _("T%(trimestre)s %(annee)s") % {"trimestre": int(trimestre), "annee": int(annee)}


@une_fois_par_langue
def libelles_des_statuts() -> dict[str, str]:
    """Le libellé de chaque statut dans la langue active, par code (« en_bonne_voie » → « en
    bonne voie »), traduit une fois par langue : une page en affiche plus de cent."""
    return {statut.value: str(statut.label) for statut in Statut}


def borner(valeur: Decimal, unite: str) -> Decimal:
    """`valeur` ramenée dans les bornes de `unite` (`BORNES_DES_UNITES`) : une projection de
    tendance ne dépasse pas ce qu'une valeur saisie peut valoir (une échelle projetée à 6,4, un
    pourcentage à 134, un nombre à −46). Un texte n'a pas de bornes."""
    if unite == UNITE_TEXTE:
        return valeur
    bas, haut = BORNES_DES_UNITES.get(unite, BORNES_PAR_DEFAUT)
    if valeur < bas:
        return bas.quantize(QUATRE_DECIMALES)
    if haut is not None and valeur > haut:
        return haut.quantize(QUATRE_DECIMALES)
    return valeur


def a_un_statut(unite: str) -> bool:
    """Un indicateur en texte n'a ni valeur chiffrée ni cible, donc pas de statut (et non
    « sans données » : sa valeur compte comme renseignée à la complétude). La règle, une fois,
    pour le constat « En bref », la figure du PIC et la vue d'ensemble."""
    return unite != UNITE_TEXTE


# --- Tendance ------------------------------------------------------------------------------------


class Sommes(NamedTuple):
    """Les sommes qui suffisent à la droite des moindres carrés : nombre de points, Σx, Σy, Σxy,
    Σx². Exactes (entiers et `Decimal`) : calculées en Python sur une série ou en SQL sur les
    lignes (`rapports.resumes`), elles donnent la même droite au dernier chiffre."""

    n: int
    sx: int
    sy: Decimal
    sxy: Decimal
    sxx: int


def sommes_des_retenus(retenus: list[tuple[int, Decimal]]) -> Sommes:
    return Sommes(
        len(retenus),
        sum(x for x, _y in retenus),
        sum((y for _x, y in retenus), Decimal(0)),
        sum((x * y for x, y in retenus), Decimal(0)),
        sum(x * x for x, _y in retenus),
    )


class Droite(NamedTuple):
    pente: Decimal  # non arrondie
    origine: Decimal

    def en(self, x: int) -> Decimal:
        """La valeur de la droite à l'abscisse `x`, à quatre décimales."""
        return (self.origine + self.pente * x).quantize(QUATRE_DECIMALES)


def droite(sommes: Sommes) -> Droite | None:
    """La droite des moindres carrés, en arithmétique décimale exacte; None sous deux points."""
    n, sx, sy, sxy, sxx = sommes
    variance = n * sxx - sx * sx
    if n < 2 or not variance:
        return None
    pente = (n * sxy - sx * sy) / variance
    return Droite(pente, (sy - pente * sx) / n)


def debut_des_retenus(nombre_de_points: int, fenetre: int = FENETRE_TENDANCE) -> int:
    """Le rang du premier point retenu : les `fenetre` derniers trimestres d'une série de
    `nombre_de_points` (un par trimestre), soit x > x_fin − `fenetre`; tous s'il y en a moins.
    La règle, une fois, pour `points_retenus` et pour le SQL de `rapports.resumes`."""
    return max(0, nombre_de_points - fenetre)


def points_retenus(serie: SerieIndicateur, fenetre: int = FENETRE_TENDANCE) -> list:
    """(rang dans `serie.points`, valeur) des valeurs des `fenetre` derniers trimestres de la
    série (`debut_des_retenus`) : un trimestre sans valeur y compte, la fenêtre ne va pas
    chercher une valeur plus ancienne pour le remplacer."""
    debut = debut_des_retenus(len(serie.points), fenetre)
    return [
        (x, p.valeur)
        for x, p in enumerate(serie.points[debut:], start=debut)
        if p.valeur is not None
    ]


def tendance(
    serie: SerieIndicateur,
    trimestres_projetes: int = TRIMESTRES_PROJETES,
    fenetre: int = FENETRE_TENDANCE,
    libelles: bool = True,
) -> Tendance | None:
    """Droite des moindres carrés sur les valeurs des `fenetre` derniers trimestres de la série
    (`points_retenus`).

    L'abscisse d'une valeur est son rang dans `serie.points` : un trimestre manquant compte
    donc comme un trimestre écoulé. `ajustees` donne la droite aux périodes de ces valeurs;
    `projection`, les `trimestres_projetes` trimestres qui suivent le dernier point de la série
    (avec ou sans valeur), libellés compris sauf si `libelles` est faux. Les unes et les autres
    restent dans les bornes de l'unité (`borner`) : c'est la ligne que dessinent les graphiques,
    et la valeur projetée que lit le statut (`valeur_projetee`). La pente, elle, n'est pas
    bornée. Aucune tendance avec moins de deux valeurs.
    """
    retenus = points_retenus(serie, fenetre)
    ligne = droite(sommes_des_retenus(retenus))
    if ligne is None:
        return None
    unite = serie.unite
    ajustees = [(serie.points[x].periode, borner(ligne.en(x), unite)) for x, _y in retenus]
    dernier = len(serie.points) - 1
    projection = []
    for k in range(1, trimestres_projetes + 1):
        code = trimestre_suivant(serie.points[dernier].periode, k)
        libelle = libelle_trimestre(code) if libelles else ""
        projection.append((code, libelle, borner(ligne.en(dernier + k), unite)))
    return Tendance(ligne.pente.quantize(QUATRE_DECIMALES), ajustees, projection)


# --- Résumé d'une série : ce que le statut lit ---------------------------------------------------


class Resume(NamedTuple):
    """Tout ce dont le statut a besoin, sans les points : la dernière valeur des
    `FENETRE_TENDANCE` derniers trimestres et sa période, les sommes des valeurs de ces
    trimestres (`points_retenus`, la tendance) et la cible courante. `resumer` le tire d'une
    série; `rapports.resumes` le calcule en SQL pour la vue d'ensemble (des milliers de
    séries) — les règles, elles, ne sont écrites qu'ici."""

    polarite: str
    unite: str  # les bornes de la projection (`borner`)
    reference: Decimal | None
    derniere: Decimal | None  # dernière valeur retenue (None : aucune dans la fenêtre)
    periode_derniere: str | None  # son code « AAAA-Tn »
    x_derniere: int | None  # son rang dans les points
    sommes: Sommes  # des valeurs retenues pour la tendance
    cible: tuple[str, Decimal] | None  # cible courante (période, valeur); None sans valeur


def resumer(serie: SerieIndicateur) -> Resume:
    """Le résumé d'une série. Sans valeur retenue, ni dernière valeur ni cible : le statut est
    « sans données » (comme le résumé SQL, qui n'a alors aucune ligne)."""
    retenus = points_retenus(serie)
    derniere = serie.points[retenus[-1][0]] if retenus else None
    # La dernière valeur retenue est la dernière de la série : la cible est la même.
    cible = cible_courante(serie) if retenus else None
    return Resume(
        polarite=serie.polarite,
        unite=serie.unite,
        reference=serie.reference,
        derniere=derniere.valeur if derniere else None,
        periode_derniere=derniere.periode if derniere else None,
        x_derniere=retenus[-1][0] if retenus else None,
        sommes=sommes_des_retenus(retenus),
        cible=(cible.periode, cible.valeur) if cible else None,
    )


# --- Cible et statut -----------------------------------------------------------------------------


def cible_courante(serie: SerieIndicateur) -> Point | None:
    """La première cible dont la période est celle de la dernière valeur ou une suivante; à
    défaut, la dernière cible (toutes sont passées). Sans valeur, la première cible. Une série
    porte, outre les cibles de l'intervalle lu et de l'année qui suit, la première cible à venir
    quelle que soit sa distance (la cible de fin d'un plan, des années après), et, sans cible
    depuis le début de l'intervalle, la dernière d'avant (`lectures._cibles`, comme
    `rapports.resumes`) : le choix ne dépend ni de la longueur de l'intervalle ni de la distance
    de la prochaine cible."""
    cibles = sorted(
        (c for c in serie.cibles if c.valeur is not None), key=lambda c: rang_trimestre(c.periode)
    )
    if not cibles:
        return None
    valeurs = serie.valeurs
    if not valeurs:
        return cibles[0]
    depuis = rang_trimestre(valeurs[-1].periode)
    a_venir = [c for c in cibles if rang_trimestre(c.periode) >= depuis]
    return a_venir[0] if a_venir else cibles[-1]


def _atteint(valeur: Decimal, cible: Decimal, polarite: str, tolerance: Decimal) -> bool:
    """`valeur` satisfait `cible` selon la polarité, à `tolerance` (fraction de |cible|) près."""
    marge = abs(cible) * tolerance
    if polarite == HAUSSE:
        return valeur >= cible - marge
    if polarite == BAISSE:
        return valeur <= cible + marge
    return abs(valeur - cible) <= marge


def _bon_sens(pente: Decimal, polarite: str, vers: Decimal | None = None) -> bool:
    """La pente va dans le sens souhaité : vers le haut (hausse), vers le bas (baisse), ou vers
    `vers` (neutre avec une cible; toujours vrai pour neutre sans cible)."""
    if polarite == HAUSSE:
        return pente > 0
    if polarite == BAISSE:
        return pente < 0
    if vers is None:
        return True
    return pente != 0 and (pente > 0) == (vers > 0)


def valeur_projetee(resume: Resume, ligne: Droite, periode: str) -> Decimal:
    """La valeur de la tendance à `periode`, celle d'une cible encore à venir (le statut ne
    projette que vers une cible qui suit la dernière valeur) : la droite prolongée depuis la
    dernière valeur jusqu'à l'échéance de la cible, quelle que soit sa distance. La courbe n'en
    dessine que les `TRIMESTRES_PROJETES` premiers trimestres; une cible plus lointaine (celle de
    la fin d'un plan de cinq ans) se juge au rythme de la tendance : à ce rythme, fera-t-on assez
    de chemin d'ici son échéance (`_projection_en_bonne_voie`) ? Avant, la projection s'arrêtait
    à la dernière dessinée, et une cible à cinq ans demandait 90 % du changement prévu en un an.
    Dans les bornes de l'unité (`borner`), comme la ligne dessinée : un pourcentage projeté loin
    ne dépasse pas 100."""
    depuis = rang_trimestre(resume.periode_derniere)
    pente = ligne.pente.quantize(QUATRE_DECIMALES)
    ecart = rang_trimestre(periode) - depuis
    projetee = (ligne.en(resume.x_derniere) + pente * ecart).quantize(QUATRE_DECIMALES)
    return borner(projetee, resume.unite)


def statut(serie: SerieIndicateur) -> Statut:
    """Le statut d'un indicateur, selon ces règles (les seules de l'application).

    Elles lisent les valeurs des `FENETRE_TENDANCE` (8) derniers trimestres de l'intervalle
    (`points_retenus`), et non les 8 dernières valeurs : à partir de 8 trimestres affichés, le
    statut ne dépend pas de la longueur de l'intervalle (tableau de bord, bilans trimestriel et
    annuel qui finissent au même trimestre); plus court, l'intervalle est lu en entier. « La
    dernière valeur » est la dernière de ces trimestres.

    1. Aucune valeur dans ces trimestres → SANS_DONNEES (un indicateur calculé n'en a pas avant
       le début du registre : `lectures.mesures_du_registre`).
    2. Avec une cible (`cible_courante`) :
       - ATTEINT si la dernière valeur l'atteint : ≥ cible pour « hausse », ≤ cible pour
         « baisse », à 5 % près de la cible pour « neutre »;
       - sinon, si l'échéance de la cible est arrivée (sa période est celle de la dernière
         valeur, ou une précédente : toutes les cibles sont passées) → A_SURVEILLER : une cible
         manquée à son échéance n'est pas « en bonne voie »;
       - sinon EN_BONNE_VOIE si la tendance (au moins deux valeurs) va dans le bon sens (vers la
         cible pour « neutre ») ET si la valeur projetée à la période de la cible (la droite
         prolongée jusqu'à son échéance, même au-delà des quatre trimestres dessinés,
         `valeur_projetee`; bornée à l'unité, `borner`) est assez proche
         (`_projection_en_bonne_voie`) :
         · « hausse » ou « baisse » avec une référence : elle fait mieux que la référence (à
           la référence ou pire, jamais en bonne voie) et couvre au moins 90 % du changement
           prévu, de la référence à la cible, dans le sens de la polarité (une cible égale à la
           référence, ou en deçà : faire mieux que la référence suffit);
         · « neutre » avec une référence qui diffère de la cible : à 10 % du changement prévu
           près de la cible, d'un côté ou de l'autre;
         · sans référence (ou « neutre » avec une cible égale à la référence) : elle atteint la
           cible ou s'en tient à 10 % près (de la valeur de la cible);
       - sinon A_SURVEILLER.
    3. Sans cible, avec une référence : dernière valeur meilleure que la référence (selon la
       polarité) ou égale → EN_BONNE_VOIE, pire → A_SURVEILLER. « neutre » → EN_BONNE_VOIE.
    4. Sans cible ni référence : EN_BONNE_VOIE si la tendance va dans le bon sens (strictement),
       sinon A_SURVEILLER (une seule valeur : pas de tendance). « neutre » → EN_BONNE_VOIE.

    Les règles lisent le résumé de la série (`resumer`), que la vue d'ensemble calcule aussi en
    SQL (`rapports.resumes`) : une seule définition pour les deux chemins.
    """
    return statut_du_resume(resumer(serie))


def statut_du_resume(resume: Resume) -> Statut:
    """Les règles de `statut`, appliquées à un résumé."""
    if resume.derniere is None:
        return Statut.SANS_DONNEES
    if resume.cible is not None:
        return _statut_avec_cible(resume, *resume.cible)
    if resume.polarite not in (HAUSSE, BAISSE):
        return Statut.EN_BONNE_VOIE
    if resume.reference is not None:
        pas_pire = _atteint(resume.derniere, resume.reference, resume.polarite, Decimal(0))
        return Statut.EN_BONNE_VOIE if pas_pire else Statut.A_SURVEILLER
    ligne = droite(resume.sommes)
    if ligne is not None and _bon_sens(ligne.pente.quantize(QUATRE_DECIMALES), resume.polarite):
        return Statut.EN_BONNE_VOIE
    return Statut.A_SURVEILLER


def _statut_avec_cible(resume: Resume, periode: str, cible: Decimal) -> Statut:
    derniere, polarite = resume.derniere, resume.polarite
    neutre = polarite not in (HAUSSE, BAISSE)
    tolerance = TOLERANCE_ATTEINT_NEUTRE if neutre else Decimal(0)
    if _atteint(derniere, cible, polarite, tolerance):
        return Statut.ATTEINT
    if rang_trimestre(periode) <= rang_trimestre(resume.periode_derniere):
        return Statut.A_SURVEILLER  # l'échéance est arrivée, la cible est manquée
    ligne = droite(resume.sommes)
    if ligne is None:
        return Statut.A_SURVEILLER
    if not _bon_sens(ligne.pente.quantize(QUATRE_DECIMALES), polarite, vers=cible - derniere):
        return Statut.A_SURVEILLER
    projetee = valeur_projetee(resume, ligne, periode)
    if _projection_en_bonne_voie(projetee, cible, resume.reference, polarite):
        return Statut.EN_BONNE_VOIE
    return Statut.A_SURVEILLER


def _projection_en_bonne_voie(
    projetee: Decimal, cible: Decimal, reference: Decimal | None, polarite: str
) -> bool:
    """La valeur projetée à l'échéance de la cible est-elle assez proche pour « en bonne voie » ?
    Avec une référence, la marge se prend sur le changement prévu (référence → cible), pas sur
    la valeur de la cible : 10 % d'une cible de 2,079 (0,21) dépassait tout le gain visé depuis
    une référence de 1,957 (0,12), et une projection sous la référence passait."""
    if polarite in (HAUSSE, BAISSE) and reference is not None:
        sens = 1 if polarite == HAUSSE else -1
        prevu = sens * (cible - reference)
        projete = sens * (projetee - reference)
        return projete > 0 and projete >= PART_DU_CHANGEMENT_PREVU * prevu
    if reference is not None and cible != reference:  # neutre
        return abs(projetee - cible) <= (1 - PART_DU_CHANGEMENT_PREVU) * abs(cible - reference)
    return _atteint(projetee, cible, polarite, TOLERANCE_EN_BONNE_VOIE)


# --- Par rapport à la référence ------------------------------------------------------------------


def _ecart(valeur: Decimal, reference: Decimal) -> Decimal:
    return ((valeur - reference) / abs(reference) * CENT).quantize(QUATRE_DECIMALES)


class Indices(list):
    """Les indices d'une série (`normaliser`) : (libellé de période, indice) par point, et
    `sans_reference` vrai quand aucun n'est calculable faute de référence (absente ou nulle) —
    le panneau le dit au lieu de rester vide (`graphiques.petits_multiples`)."""

    sans_reference: bool = False


def normaliser(serie: SerieIndicateur) -> Indices:
    """Chaque point (libellé de période, indice) en base 100 à la référence : 100 + écart en %
    (soit valeur / référence × 100 pour une référence positive). Indices None sans valeur, et
    partout sans référence ou si elle vaut zéro (`Indices.sans_reference`). Sert aux petits
    multiples entre quartiers."""
    reference = serie.reference
    indices = Indices(
        (
            p.libelle,
            CENT + _ecart(p.valeur, reference) if p.valeur is not None and reference else None,
        )
        for p in serie.points
    )
    indices.sans_reference = not reference
    return indices
