"""La valeur d'un indicateur sur une période plus longue qu'un trimestre (une année, ou tout
ensemble de trimestres), selon son agrégation dans le temps (`Indicateur.agregation`,
DESIGN.md). Fonctions pures, aucune requête : les bilans les appellent avec des valeurs déjà
lues, la règle des valeurs inhabituelles y lit quels indicateurs sont des flux (`est_un_flux`).

Les valeurs sont trimestrielles : un code de période « AAAA-Tn » → un Decimal, ou None pour un
trimestre sans valeur (absente, ou « non disponible »), qui ne compte pas. Sur les trimestres de
la période qui ont une valeur :

- somme : la somme de leurs valeurs (un flux « pendant la période » : le total de l'année);
- moyenne : la moyenne de leurs valeurs, arrondie à quatre décimales comme les calculs des
  bilans (`QUATRE_DECIMALES`, `rapports.statuts` : arrondi par défaut de decimal, au pair le
  plus proche; la colonne des valeurs en garde quatre aussi);
- dernière valeur : la valeur du plus récent d'entre eux;
- cumul : le total depuis la première valeur jamais saisie jusqu'à la fin de la période :
  `avant` (le total des trimestres antérieurs à toutes les valeurs fournies, 0 par défaut :
  les valeurs fournies remontent alors à la première), plus chaque valeur fournie jusqu'au
  dernier trimestre de la période, ceux d'avant la période compris. Les valeurs postérieures
  à la période ne comptent pas.

Une période dont aucun trimestre n'a de valeur n'a pas de valeur (None), quelle que soit
l'agrégation, cumul compris : « sans données » plutôt qu'un total d'une autre année. Une
période incomplète le dit : `trimestres` (ceux qui ont une valeur) sur `sur` (ceux de la
période), et `mention` (« 3 trimestres sur 4 », vide si la période est complète). Un
indicateur en texte n'a pas de valeur de période (None).

Le libellé (`libelle`, traduit dans la langue active quand on le lit) nomme la règle : « Total
de l'année », « Moyenne de l'année », « Dernière valeur de l'année » pour les quatre trimestres
d'une même année civile, « … de la période » pour tout autre ensemble; « Cumul depuis le début »
dans les deux cas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicateurs.models import Agregation, Unite
from indicateurs.models.saisies import annee_et_trimestre

# L'arrondi des calculs des bilans (`rapports.statuts.QUATRE_DECIMALES`; ce module ne lit pas
# l'application des bilans) et de la colonne des valeurs (DecimalField(14, 4)).
QUATRE_DECIMALES = Decimal("0.0001")

# Les agrégations d'un flux : ce qui se passe pendant le trimestre (une somme, ou les ajouts
# d'un cumul), dont la valeur suit les saisons (`indicateurs.validation.signaler_aberration`).
FLUX = frozenset({Agregation.SOMME, Agregation.CUMUL})


def est_un_flux(agregation: str) -> bool:
    """Vrai pour une somme ou un cumul : la valeur d'un trimestre est ce qui s'y est passé."""
    return agregation in FLUX


@dataclass(frozen=True)
class ValeurDePeriode:
    """La valeur d'un indicateur sur une période de plusieurs trimestres (`valeur_de_periode`)."""

    valeur: Decimal
    agregation: str  # valeur de indicateurs.models.Agregation
    trimestres: int  # trimestres de la période qui ont une valeur (au moins un)
    sur: int  # trimestres de la période
    derniere_periode: str  # code « AAAA-Tn » du plus récent trimestre de la période qui en a une
    annee: int | None = None  # l'année civile, si la période en est une entière

    @property
    def complete(self) -> bool:
        return self.trimestres == self.sur

    @property
    def libelle(self) -> str:
        """« Total de l'année », « Moyenne de la période », « Cumul depuis le début »…"""
        if self.agregation == Agregation.CUMUL:
            return _("Cumul depuis le début")
        if self.annee is not None:
            return {
                Agregation.SOMME: _("Total de l'année"),
                Agregation.MOYENNE: _("Moyenne de l'année"),
                Agregation.DERNIERE: _("Dernière valeur de l'année"),
            }[self.agregation]
        return {
            Agregation.SOMME: _("Total de la période"),
            Agregation.MOYENNE: _("Moyenne de la période"),
            Agregation.DERNIERE: _("Dernière valeur de la période"),
        }[self.agregation]

    @property
    def mention(self) -> str:
        """« 3 trimestres sur 4 » pour une période incomplète, vide sinon."""
        if self.complete:
            return ""
        return ngettext(
            "%(n)s trimestre sur %(sur)s", "%(n)s trimestres sur %(sur)s", self.trimestres
        ) % {"n": self.trimestres, "sur": self.sur}


def trimestres_de_l_annee(annee: int) -> tuple[str, ...]:
    """Les codes des quatre trimestres de `annee` : (« 2025-T1 », …, « 2025-T4 »)."""
    return tuple(_code((annee, trimestre)) for trimestre in range(1, 5))


def valeur_de_l_annee(
    agregation: str,
    valeurs: Mapping[str, Decimal | None],
    annee: int,
    *,
    unite: str = "",
    avant: Decimal = Decimal(0),
) -> ValeurDePeriode | None:
    """La valeur de l'année civile `annee` (`valeur_de_periode` sur ses quatre trimestres)."""
    return valeur_de_periode(
        agregation, valeurs, trimestres_de_l_annee(annee), unite=unite, avant=avant
    )


def valeur_de_periode(
    agregation: str,
    valeurs: Mapping[str, Decimal | None],
    periode: Iterable[str],
    *,
    unite: str = "",
    avant: Decimal = Decimal(0),
) -> ValeurDePeriode | None:
    """La valeur sur les trimestres `periode` (codes « AAAA-Tn ») d'un indicateur d'agrégation
    `agregation`, selon les règles du module, à partir de ses valeurs trimestrielles `valeurs`
    (code → Decimal ou None; des trimestres hors de la période peuvent y être : seul le cumul
    lit ceux d'avant). `avant` : pour un cumul, le total des trimestres antérieurs à toutes les
    valeurs fournies. None pour un indicateur en texte (`unite`) ou une période sans valeur.
    ValueError pour une agrégation inconnue, une période vide ou un code mal formé."""
    if agregation not in Agregation.values:
        raise ValueError(f"Agrégation inconnue : {agregation!r}")
    trimestres = sorted({_trimestre(code) for code in periode})
    if not trimestres:
        raise ValueError("Une période a au moins un trimestre.")
    if unite == Unite.TEXTE:
        return None
    connues = _valeurs_par_trimestre(valeurs)
    presentes = [(t, connues[t]) for t in trimestres if connues.get(t) is not None]
    if not presentes:
        return None
    nombres = [valeur for _t, valeur in presentes]
    if agregation == Agregation.SOMME:
        valeur = sum(nombres, Decimal(0))
    elif agregation == Agregation.MOYENNE:
        valeur = (sum(nombres, Decimal(0)) / len(nombres)).quantize(QUATRE_DECIMALES)
    elif agregation == Agregation.DERNIERE:
        valeur = nombres[-1]
    else:  # cumul
        fin = trimestres[-1]
        valeur = avant + sum(
            (v for t, v in connues.items() if v is not None and t <= fin), Decimal(0)
        )
    annees = {annee for annee, _trimestre in trimestres}
    return ValeurDePeriode(
        valeur=valeur,
        agregation=agregation,
        trimestres=len(presentes),
        sur=len(trimestres),
        derniere_periode=_code(presentes[-1][0]),
        annee=annees.pop() if len(annees) == 1 and len(trimestres) == 4 else None,
    )


def _trimestre(code: str) -> tuple[int, int]:
    annee_trimestre = annee_et_trimestre(code)
    if annee_trimestre is None:
        raise ValueError(f"Code de période mal formé : {code!r}")
    return annee_trimestre


def _code(annee_trimestre: tuple[int, int]) -> str:
    annee, trimestre = annee_trimestre
    return f"{annee}-T{trimestre}"


def _valeurs_par_trimestre(
    valeurs: Mapping[str, Decimal | None],
) -> dict[tuple[int, int], Decimal | None]:
    """Les valeurs par (année, trimestre). Deux écritures du même trimestre (« 2025-T2 » et
    « 2025-t2 ») sont ambiguës : refusées."""
    par_trimestre: dict[tuple[int, int], Decimal | None] = {}
    for code, valeur in valeurs.items():
        trimestre = _trimestre(code)
        if trimestre in par_trimestre:
            raise ValueError(f"Trimestre donné deux fois : {code!r}")
        par_trimestre[trimestre] = valeur
    return par_trimestre
