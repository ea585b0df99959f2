"""Changer l'unité d'un indicateur qui a déjà des valeurs.

Passer du texte à un nombre (ou l'inverse) est refusé par le modèle (`Indicateur.clean`). Entre
deux unités numériques, rien ne change de nature, mais les bornes changent : un « nombre » de
150 n'est pas un pourcentage, une échelle va de 1 à 5. Les valeurs saisies, les valeurs de
référence et les cibles déjà enregistrées doivent suivre la règle de la nouvelle unité, celle
de la saisie (`validation.verifier_nombre`, par `erreurs_selon_l_unite`) : sinon le formulaire
trimestriel les relirait, et les bilans les compareraient, hors de leurs bornes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evalpic.nombres import nombre
from indicateurs.models import Cible, Indicateur, IndicateurSuivi, Periode, Unite, Valeur
from indicateurs.models.catalogue import erreurs_selon_l_unite

# Les valeurs nommées dans le refus : assez pour les retrouver, pas toute la liste.
EXEMPLES_MAX = 5


@dataclass(frozen=True)
class ValeurHorsUnite:
    """Une valeur enregistrée que la nouvelle unité refuserait : où (quartier, trimestre, ou
    « référence », « cible T4 2026 »), laquelle, et pourquoi (le message de la saisie)."""

    quartier: str
    quand: str
    valeur: Decimal
    raison: str

    def __str__(self) -> str:
        return _("%(quartier)s, %(quand)s : %(valeur)s — %(raison)s") % {
            "quartier": self.quartier,
            "quand": self.quand,
            "valeur": nombre(self.valeur),
            "raison": self.raison,
        }


def valeurs_hors_de_l_unite(indicateur: Indicateur, unite: str) -> list[ValeurHorsUnite]:
    """Les valeurs déjà enregistrées de `indicateur` (saisies, de référence, cibles) que
    `unite` refuserait, dans l'ordre des trimestres. Vide si l'unité ne change pas, si elle
    devient « texte » (le modèle juge ce changement de nature) ou si tout est dans les bornes."""
    avant = Indicateur.objects.filter(pk=indicateur.pk).values_list("unite", flat=True).first()
    if avant is None or unite == avant or unite == Unite.TEXTE:
        return []
    sous_la_nouvelle_unite = copy.copy(indicateur)
    sous_la_nouvelle_unite.unite = unite
    hors = []
    for quartier, quand, valeur in _valeurs_enregistrees(indicateur):
        if raisons := erreurs_selon_l_unite(sous_la_nouvelle_unite, valeur):
            hors.append(ValeurHorsUnite(quartier, quand, valeur, " ".join(raisons)))
    return hors


def _valeurs_enregistrees(indicateur: Indicateur):
    """(quartier, quand, valeur) de chaque nombre enregistré pour l'indicateur : valeurs
    saisies (brouillons compris : ils seront relus), références puis cibles."""
    saisies = (
        Valeur.objects.filter(indicateur=indicateur, valeur_numerique__isnull=False)
        .order_by("saisie__periode__debut", "saisie__table__quartier__nom")
        .values_list(
            "saisie__table__quartier__nom",
            "saisie__periode__annee",
            "saisie__periode__trimestre",
            "valeur_numerique",
        )
    )
    for quartier, annee, trimestre, valeur in saisies.iterator():
        yield quartier, Periode(annee=annee, trimestre=trimestre).libelle, valeur
    references = (
        IndicateurSuivi.objects.filter(indicateur=indicateur, valeur_reference__isnull=False)
        .order_by("quartier__nom")
        .values_list("quartier__nom", "valeur_reference")
    )
    for quartier, valeur in references:
        yield quartier, _("référence"), valeur
    cibles = (
        Cible.objects.filter(suivi__indicateur=indicateur)
        .order_by("periode__debut", "suivi__quartier__nom")
        .values_list("suivi__quartier__nom", "periode__annee", "periode__trimestre", "valeur")
    )
    for quartier, annee, trimestre, valeur in cibles:
        periode = Periode(annee=annee, trimestre=trimestre).libelle
        yield quartier, _("cible %(periode)s") % {"periode": periode}, valeur


def refus_du_changement_d_unite(hors: list[ValeurHorsUnite], unite: str) -> list[str]:
    """Les messages du refus, à écrire à côté du champ « unité » : combien de valeurs, les
    premières nommées (quartier, trimestre, valeur, raison), et ce qu'il reste."""
    libelle = Unite(unite).label
    messages = [
        ngettext(
            "%(nombre)s valeur déjà enregistrée (saisie, référence ou cible) ne respecte pas "
            "l'unité « %(unite)s » : corrigez-la d'abord, ou créez plutôt un nouvel indicateur.",
            "%(nombre)s valeurs déjà enregistrées (saisies, références ou cibles) ne respectent "
            "pas l'unité « %(unite)s » : corrigez-les d'abord, ou créez plutôt un nouvel "
            "indicateur.",
            len(hors),
        )
        % {"nombre": len(hors), "unite": libelle}
    ]
    messages += [str(valeur) for valeur in hors[:EXEMPLES_MAX]]
    reste = len(hors) - EXEMPLES_MAX
    if reste > 0:
        messages.append(
            ngettext("… et %(reste)s autre.", "… et %(reste)s autres.", reste) % {"reste": reste}
        )
    return messages
