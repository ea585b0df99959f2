"""Où en est un indicateur : tendance, cible courante, statut et écart à la référence.

Fonctions pures sur `SerieIndicateur` (aucune requête) : les tableaux de bord, les bilans et
les graphiques les appellent avec des séries déjà lues. Les calculs se font en `Decimal`,
arrondis à quatre décimales.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rapports.series import Point, SerieIndicateur, Statut, Tendance

QUATRE_DECIMALES = Decimal("0.0001")
CENT = Decimal(100)
TOLERANCE_ATTEINT_NEUTRE = Decimal("0.05")  # « neutre » : atteint à 5 % près de la cible
TOLERANCE_EN_BONNE_VOIE = Decimal("0.10")  # projection à 10 % près de la cible

HAUSSE, BAISSE, NEUTRE = "hausse", "baisse", "neutre"


# --- Périodes trimestrielles « AAAA-Tn » --------------------------------------------------------


def rang_trimestre(code: str) -> int:
    """Le rang absolu d'un trimestre (« 2025-T2 » → 2025 × 4 + 1), pour comparer et compter."""
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


# --- Tendance ------------------------------------------------------------------------------------


def tendance(
    serie: SerieIndicateur, trimestres_projetes: int = 4, fenetre: int = 8, libelles: bool = True
) -> Tendance | None:
    """Droite des moindres carrés sur les `fenetre` dernières valeurs non nulles.

    L'abscisse d'une valeur est son rang dans `serie.points` : un trimestre manquant compte
    donc comme un trimestre écoulé. `ajustees` donne la droite aux périodes de ces valeurs;
    `projection`, les `trimestres_projetes` trimestres qui suivent le dernier point de la série
    (avec ou sans valeur), libellés compris sauf si `libelles` est faux (le statut n'en a pas
    besoin). Aucune tendance avec moins de deux valeurs.
    """
    retenus = [(x, p) for x, p in enumerate(serie.points) if p.valeur is not None][-fenetre:]
    if len(retenus) < 2:
        return None
    # Calcul en flottants (dix fois plus rapide qu'en Decimal : un tableau de bord ajuste des
    # milliers de droites), résultats ramenés en Decimal à quatre décimales.
    xs = [float(x) for x, _p in retenus]
    ys = [float(p.valeur) for _x, p in retenus]
    moyenne_x, moyenne_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - moyenne_x) * (y - moyenne_y) for x, y in zip(xs, ys, strict=True))
    variance = sum((x - moyenne_x) ** 2 for x in xs)
    pente = covariance / variance
    origine = moyenne_y - pente * moyenne_x

    def sur_la_droite(x: int) -> Decimal:
        return Decimal(repr(round(origine + pente * x, 6))).quantize(QUATRE_DECIMALES)

    ajustees = [(p.periode, sur_la_droite(x)) for x, p in retenus]
    dernier = len(serie.points) - 1
    projection = []
    for k in range(1, trimestres_projetes + 1):
        code = trimestre_suivant(serie.points[dernier].periode, k)
        libelle = libelle_trimestre(code) if libelles else ""
        projection.append((code, libelle, sur_la_droite(dernier + k)))
    return Tendance(Decimal(repr(round(pente, 6))).quantize(QUATRE_DECIMALES), ajustees, projection)


# --- Cible et statut -----------------------------------------------------------------------------


def cible_courante(serie: SerieIndicateur) -> Point | None:
    """La première cible dont la période est celle de la dernière valeur ou une suivante; à
    défaut, la dernière cible (toutes sont passées). Sans valeur, la première cible."""
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


def valeur_projetee(serie: SerieIndicateur, droite: Tendance, periode: str) -> Decimal:
    """La valeur de la tendance à `periode` si elle tombe après la dernière valeur et au plus
    tard à la dernière projection; sinon (plus loin, ou déjà passée), la dernière projection."""
    code_ajuste, valeur_ajustee = droite.ajustees[-1]
    derniere = droite.projection[-1] if droite.projection else (code_ajuste, "", valeur_ajustee)
    rang = rang_trimestre(periode)
    if not rang_trimestre(code_ajuste) < rang <= rang_trimestre(derniere[0]):
        return derniere[2]
    ecart = rang - rang_trimestre(code_ajuste)
    return (valeur_ajustee + droite.pente * ecart).quantize(QUATRE_DECIMALES)


def statut(serie: SerieIndicateur) -> Statut:
    """Le statut d'un indicateur, selon ces règles (les seules de l'application) :

    1. Aucune valeur → SANS_DONNEES.
    2. Avec une cible (`cible_courante`) :
       - ATTEINT si la dernière valeur l'atteint : ≥ cible pour « hausse », ≤ cible pour
         « baisse », à 5 % près de la cible pour « neutre »;
       - sinon EN_BONNE_VOIE si la tendance (au moins deux valeurs) va dans le bon sens (vers la
         cible pour « neutre ») ET si la valeur projetée à la période de la cible (ou la dernière
         projection si la cible est plus loin ou déjà passée) l'atteint ou s'en tient à 10 % près;
       - sinon A_SURVEILLER.
    3. Sans cible, avec une référence : dernière valeur meilleure que la référence (selon la
       polarité) ou égale → EN_BONNE_VOIE, pire → A_SURVEILLER. « neutre » → EN_BONNE_VOIE.
    4. Sans cible ni référence : EN_BONNE_VOIE si la tendance va dans le bon sens (strictement),
       sinon A_SURVEILLER (une seule valeur : pas de tendance). « neutre » → EN_BONNE_VOIE.
    """
    valeurs = serie.valeurs
    if not valeurs:
        return Statut.SANS_DONNEES
    derniere = valeurs[-1].valeur
    cible = cible_courante(serie)
    if cible is not None:
        return _statut_avec_cible(serie, derniere, cible.valeur, cible.periode)
    if serie.polarite not in (HAUSSE, BAISSE):
        return Statut.EN_BONNE_VOIE
    if serie.reference is not None:
        pas_pire = _atteint(derniere, serie.reference, serie.polarite, Decimal(0))
        return Statut.EN_BONNE_VOIE if pas_pire else Statut.A_SURVEILLER
    droite = tendance(serie, libelles=False)
    if droite is not None and _bon_sens(droite.pente, serie.polarite):
        return Statut.EN_BONNE_VOIE
    return Statut.A_SURVEILLER


def _statut_avec_cible(
    serie: SerieIndicateur, derniere: Decimal, cible: Decimal, periode: str
) -> Statut:
    neutre = serie.polarite not in (HAUSSE, BAISSE)
    tolerance = TOLERANCE_ATTEINT_NEUTRE if neutre else Decimal(0)
    if _atteint(derniere, cible, serie.polarite, tolerance):
        return Statut.ATTEINT
    droite = tendance(serie, libelles=False)
    if droite is None or not _bon_sens(droite.pente, serie.polarite, vers=cible - derniere):
        return Statut.A_SURVEILLER
    projetee = valeur_projetee(serie, droite, periode)
    if _atteint(projetee, cible, serie.polarite, TOLERANCE_EN_BONNE_VOIE):
        return Statut.EN_BONNE_VOIE
    return Statut.A_SURVEILLER


# --- Par rapport à la référence ------------------------------------------------------------------


def ecart_a_la_reference(serie: SerieIndicateur) -> Decimal | None:
    """L'écart de la dernière valeur à la référence, en % de |référence| :
    (dernière − référence) / |référence| × 100. None sans valeur, sans référence ou si la
    référence vaut zéro."""
    valeurs = serie.valeurs
    if not valeurs or not serie.reference:
        return None
    return _ecart(valeurs[-1].valeur, serie.reference)


def _ecart(valeur: Decimal, reference: Decimal) -> Decimal:
    return ((valeur - reference) / abs(reference) * CENT).quantize(QUATRE_DECIMALES)


def normaliser(serie: SerieIndicateur) -> list[tuple[str, Decimal | None]]:
    """Chaque point (libellé de période, indice) en base 100 à la référence : 100 + écart en %
    (soit valeur / référence × 100 pour une référence positive). Indices None sans valeur, et
    partout sans référence ou si elle vaut zéro. Sert aux petits multiples entre quartiers."""
    reference = serie.reference
    return [
        (
            p.libelle,
            CENT + _ecart(p.valeur, reference) if p.valeur is not None and reference else None,
        )
        for p in serie.points
    ]
