"""Pièces communes du schéma OpenAPI de l'API : corps d'erreur, réponses documentées, schéma
des ressources en lecture, et le point de départ de toute lecture (le sélecteur d'accès)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from quartiers.acces import Droit, quartiers_accessibles


class SchemaAuto(AutoSchema):
    """Le schéma de DRF Spectacular, plus l'en-tête `Link` des listes paginées
    (`evalpic.api.commun.LiensDePagination`)."""

    def _get_response_headers_for_code(self, status_code, direction="response"):
        entetes = super()._get_response_headers_for_code(status_code, direction)
        if (
            status_code == "200"
            and self.method == "GET"
            and self._is_list_view()
            and self._get_paginator()
        ):
            entetes.setdefault(
                "Link", {"schema": {"type": "string"}, "description": DESCRIPTION_LINK}
            )
        return entetes


DESCRIPTION_LINK = gettext_lazy(
    'Les pages suivante et précédente, s\'il y en a : « <adresse>; rel="next" », '
    '« <adresse>; rel="prev" ». Seul moyen, en CSV, de savoir qu\'il y a une suite.'
)


class ErreurSerializer(serializers.Serializer):
    detail = serializers.CharField()


_REPONSES_ERREUR = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Paramètre ou champ invalide : une liste de messages par champ.",
    ),
    401: OpenApiResponse(
        ErreurSerializer, description="Non authentifié·e, ou jeton invalide ou révoqué."
    ),
    403: OpenApiResponse(ErreurSerializer, description="Droit insuffisant sur ce quartier."),
    404: OpenApiResponse(
        ErreurSerializer, description="Introuvable, ou hors des quartiers visibles."
    ),
    429: OpenApiResponse(ErreurSerializer, description="Trop de requêtes : réessayez plus tard."),
}
_PAGE_INTROUVABLE = OpenApiResponse(
    ErreurSerializer, description="Page inexistante, ou format de sortie inconnu."
)


def reponses_erreur(*codes: int) -> dict[int, OpenApiResponse]:
    """Les réponses d'erreur `codes` à documenter dans le schéma OpenAPI."""
    return {code: _REPONSES_ERREUR[code] for code in codes}


def schema_lecture(serializer_class, ressource: str, tag: str):
    """Le schéma d'une ressource en lecture : liste (filtres invalides → 400) et détail (404)."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"Lister : {ressource}",
            tags=[tag],
            responses={
                200: serializer_class,
                **reponses_erreur(400, 401, 429),
                404: _PAGE_INTROUVABLE,
            },
        ),
        retrieve=extend_schema(
            summary=f"Détail : {ressource}",
            tags=[tag],
            responses={200: serializer_class, **reponses_erreur(401, 404, 429)},
        ),
    )


# Les slugs et codes dans les adresses : une autre forme répond 404 sans interroger la base.
MOTIF_SLUG = "[-a-zA-Z0-9_]+"


def visibles(request):
    """Les quartiers que la personne qui appelle l'API peut voir."""
    return quartiers_accessibles(request.user, Droit.VOIR)


# --- Quartiers ----------------------------------------------------------------------------------
