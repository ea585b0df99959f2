"""Le tri des listes de l'API. (Hors de `evalpic.api.commun`, que les réglages de DRF importent :
`rest_framework.filters` lit ces réglages dès son import.)"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from rest_framework import exceptions, filters

from evalpic.api.parametres import valeur_unique


class TriStable(filters.OrderingFilter):
    """`?ordering=` (ou le tri par défaut de la vue) suivi de la clé primaire : sur un champ qui
    n'est pas unique (`?ordering=role`), l'ordre des lignes égales n'était pas fixé et la
    pagination en sautait ou en répétait d'une page à l'autre (182 lignes lues, 145
    distinctes).

    Un champ de tri inconnu (« ordering=%00 », « ordering=inconnu,-nom ») répond 400 avec les
    champs possibles, comme un filtre invalide : DRF l'écartait en silence et triait par
    défaut. Vide ou donné deux fois, de même (`valeur_unique`)."""

    def get_ordering(self, request, queryset, view):
        texte = valeur_unique(request, self.ordering_param)
        if texte is None:
            return self.get_default_ordering(view)
        termes = [terme.strip() for terme in texte.split(",")]
        champs = [
            nom for nom, _libelle in self.get_valid_fields(queryset, view, {"request": request})
        ]
        inconnus = [terme for terme in termes if terme.removeprefix("-") not in champs]
        if inconnus:
            raise exceptions.ValidationError(
                {self.ordering_param: [_tri_inconnu(inconnus, champs)]}
            )
        return termes

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        ordering = list(ordering)
        if not {terme.lstrip("-") for terme in ordering} & {"pk", "id"}:
            ordering.append("pk")
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        """Les champs possibles, en motif : un ou plusieurs, séparés par des virgules, chacun
        précédé ou non de « - »."""
        parametres = super().get_schema_operation_parameters(view)
        champs = getattr(view, "ordering_fields", None)
        if not isinstance(champs, list | tuple) or not champs:
            return parametres
        champs = [champ if isinstance(champ, str) else champ[0] for champ in champs]
        un = "-?(" + "|".join(re.escape(champ) for champ in champs) + ")"
        for parametre in parametres:
            parametre["schema"]["pattern"] = f"^{un}(,{un})*$"
        return parametres


def _tri_inconnu(inconnus: list[str], champs: list[str]) -> str:
    return gettext(
        "Tri inconnu : « %(tri)s ». Tris possibles : %(champs)s, chacun précédé ou non de « - »."
    ) % {"tri": ", ".join(inconnus), "champs": ", ".join(champs)}
