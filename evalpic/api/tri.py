"""Le tri des listes de l'API. (Hors de `evalpic.api.commun`, que les réglages de DRF importent :
`rest_framework.filters` lit ces réglages dès son import.)"""

from __future__ import annotations

from rest_framework import filters


class TriStable(filters.OrderingFilter):
    """`?ordering=` (ou le tri par défaut de la vue) suivi de la clé primaire : sur un champ qui
    n'est pas unique (`?ordering=role`), l'ordre des lignes égales n'était pas fixé et la
    pagination en sautait ou en répétait d'une page à l'autre (182 lignes lues, 145
    distinctes)."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        ordering = list(ordering)
        if not {terme.lstrip("-") for terme in ordering} & {"pk", "id"}:
            ordering.append("pk")
        return queryset.order_by(*ordering)
