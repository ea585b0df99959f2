"""Pièces communes du schéma OpenAPI de l'API : corps d'erreur, réponses documentées, schéma
des ressources en lecture, et le point de départ de toute lecture (le sélecteur d'accès).

Le schéma et l'API navigable sont dans la langue de la requête (evalpic.middleware) : chaque
texte publié (résumé, description, libellé de filtre) est marqué par gettext_lazy et traduit à
chaque requête. Les docstrings des vues, écrits en français pour les développeurs, ne sont pas
publiés : une vue décrit ce qu'elle offre par `description_api`."""

from __future__ import annotations

from django.utils.encoding import smart_str
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.utils import formatting

from quartiers.acces import Droit, quartiers_accessibles


class SchemaAuto(AutoSchema):
    """Le schéma de DRF Spectacular, plus l'en-tête `Link` des listes paginées
    (`evalpic.api.commun.LiensDePagination`); la description d'une opération vient de
    `extend_schema(description=…)` ou de `description_api` de la vue, jamais d'un docstring."""

    def get_description(self):
        return getattr(self.view, "description_api", "")

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # La description d'un sérialiseur : extend_schema_serializer(description=…), jamais son
        # docstring.
        description = get_override(serializer, "description")
        if description:
            schema["description"] = description
        else:
            schema.pop("description", None)
        # Un corps d'erreur dont les clés sont des noms de champs (`Erreurs`) le dit.
        if (proprietes := getattr(serializer, "proprietes_supplementaires", None)) is not None:
            schema["additionalProperties"] = proprietes
        return schema

    def _get_response_bodies(self, direction="response"):
        reponses = super()._get_response_bodies(direction)
        # Toute opération limitée en débit peut répondre 429 : documenté partout, avec
        # Retry-After (`_get_response_headers_for_code`).
        if "429" not in reponses and self.view.get_throttles():
            reponses["429"] = self._get_response_for_code(
                _REPONSES_ERREUR[429], "429", direction=direction
            )
        return reponses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        entetes = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            entetes.setdefault("Retry-After", {"schema": {"type": "integer", "minimum": 0}})
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


def description_de_la_vue(view, html: bool = False) -> str:
    """`VIEW_DESCRIPTION_FUNCTION` de DRF (API navigable, OPTIONS) : la description d'une action
    (`@action(description=…)`), sinon `description_api` de la vue, traduite; jamais le
    docstring."""
    description = getattr(view, "description", None) or getattr(view, "description_api", "")
    texte = formatting.dedent(smart_str(description))
    return formatting.markup_description(texte) if html else texte


DESCRIPTION_LINK = gettext_lazy(
    'Les pages suivante et précédente, s\'il y en a : « <adresse>; rel="next" », '
    '« <adresse>; rel="prev" ». Seul moyen, en CSV, de savoir qu\'il y a une suite.'
)


# Les tags qui regroupent les opérations dans Swagger et ReDoc, dans cet ordre. Leurs noms sont
# des identifiants pour les clients (les générateurs de code en font des noms de classes) : ils
# ne changent pas et ne se traduisent pas; leur description, si. « v1 » est le tag que
# drf-spectacular donne, d'après l'adresse, aux ressources sans tag déclaré.
TAGS = {
    "territoire": gettext_lazy(
        "Les quartiers visibles, leurs tables de quartier, les partenaires de ces tables et "
        "leurs participations."
    ),
    "catalogue et stratégies": gettext_lazy(
        "Le catalogue des indicateurs approuvés, les indicateurs suivis par les quartiers "
        "visibles (références et cibles), leurs stratégies de changement, changements visés et "
        "actions, et les périodes (trimestres)."
    ),
    "apprentissages": gettext_lazy(
        "Les apprentissages des quartiers visibles, brouillons compris (filtre `publie`), et "
        "l'ajout d'un apprentissage."
    ),
    "v1": gettext_lazy(
        "Les saisies trimestrielles et leur circuit (ouvrir, écrire les valeurs, soumettre, "
        "valider, renvoyer, rouvrir; version dans `ETag` et `If-Match`), les valeurs saisies en "
        "lecture, les commentaires des saisies (lire, ajouter — rejouable sans doublon avec "
        "`Idempotency-Key` —, retirer le sien) et les bilans (demande, statut, fichiers)."
    ),
}


# Le titre de chaque tag dans la langue du lecteur : ReDoc affiche `x-displayName` à la place du
# nom, qui reste l'identifiant ci-dessus.
TITRES_DES_TAGS = {
    "territoire": gettext_lazy("Quartiers, tables et partenaires"),
    "catalogue et stratégies": gettext_lazy("Catalogue, stratégies et périodes"),
    "apprentissages": gettext_lazy("Apprentissages"),
    "v1": gettext_lazy("Saisies, valeurs et bilans"),
}


def decrire_les_tags(result, generator, request, public):
    """`POSTPROCESSING_HOOKS` de drf-spectacular : la liste des tags du schéma, chacun avec son
    titre (`x-displayName`) et sa description. Les textes paresseux sont traduits à la fin de la
    génération du schéma, dans la langue de la requête (ou de `?lang=`)."""
    result["tags"] = [
        {"name": nom, "x-displayName": TITRES_DES_TAGS[nom], "description": texte}
        for nom, texte in TAGS.items()
    ]
    return result


class ErreurSerializer(serializers.Serializer):
    detail = serializers.CharField()


_REPONSES_ERREUR = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=gettext_lazy("Paramètre ou champ invalide : une liste de messages par champ."),
    ),
    401: OpenApiResponse(
        ErreurSerializer,
        description=gettext_lazy("Non authentifié·e, ou jeton invalide ou révoqué."),
    ),
    403: OpenApiResponse(
        ErreurSerializer, description=gettext_lazy("Droit insuffisant sur ce quartier.")
    ),
    404: OpenApiResponse(
        ErreurSerializer, description=gettext_lazy("Introuvable, ou hors des quartiers visibles.")
    ),
    429: OpenApiResponse(
        ErreurSerializer, description=gettext_lazy("Trop de requêtes : réessayez plus tard.")
    ),
}
_PAGE_INTROUVABLE = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Page inexistante, ou format de sortie inconnu.")
)


def reponses_erreur(*codes: int) -> dict[int, OpenApiResponse]:
    """Les réponses d'erreur `codes` à documenter dans le schéma OpenAPI."""
    return {code: _REPONSES_ERREUR[code] for code in codes}


def schema_lecture(serializer_class, ressource, tag: str):
    """Le schéma d'une ressource en lecture : liste (filtres invalides → 400) et détail (404).
    `ressource` est un texte marqué par gettext_lazy (« quartiers visibles »)."""
    return extend_schema_view(
        list=extend_schema(
            summary=format_lazy(gettext_lazy("Lister : {ressource}"), ressource=ressource),
            tags=[tag],
            responses={
                200: serializer_class,
                **reponses_erreur(400, 401, 429),
                404: _PAGE_INTROUVABLE,
            },
        ),
        retrieve=extend_schema(
            summary=format_lazy(gettext_lazy("Détail : {ressource}"), ressource=ressource),
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
