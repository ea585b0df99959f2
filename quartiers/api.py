"""L'API du territoire : quartiers, tables de quartier, partenaires et participations.

Chaque ressource part de `quartiers_accessibles(personne, Droit.VOIR)` : un objet d'un autre
quartier n'apparaît dans aucune liste et répond 404. Lecture seule.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import MOTIF_SLUG, schema_lecture, visibles
from indicateurs.api_filtres import FiltresVerifies, QuartierFilter
from quartiers.models import Partenaire, Participation, Quartier, TableDeQuartier

# --- Réponses d'erreur documentées (partagées avec indicateurs.api) -----------------------------


class TableResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TableDeQuartier
        fields = ["nom", "organisme_coordonnateur", "annee_fondation"]


class QuartierSerializer(serializers.ModelSerializer):
    table = TableResumeSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Quartier
        fields = ["slug", "nom", "niveau_soutien", "arrondissement", "table"]


class QuartierFilterSet(django_filters.FilterSet):
    class Meta:
        model = Quartier
        fields = ["niveau_soutien"]


@schema_lecture(QuartierSerializer, _("quartiers visibles"), "territoire")
class QuartierViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    introuvable = _("Quartier introuvable.")
    serializer_class = QuartierSerializer
    filterset_class = QuartierFilterSet
    lookup_field = "slug"
    lookup_value_regex = MOTIF_SLUG
    ordering_fields = ["nom", "slug", "niveau_soutien", "arrondissement"]
    ordering = ["nom"]

    def get_queryset(self):
        return visibles(self.request).select_related("table")


# --- Tables de quartier -------------------------------------------------------------------------


@extend_schema_field(
    # anyOf, pas le oneOf que drf-spectacular écrit pour un champ qui admet le vide : « » y
    # satisfait les deux branches quand le format n'est pas vérifié, et un validateur strict
    # refusait alors chaque table sans site.
    {
        "anyOf": [
            {"type": "string", "format": "uri", "maxLength": 200},
            {"type": "string", "maxLength": 0},
        ]
    }
)
class AdresseWebField(serializers.URLField):
    """Une adresse web, ou vide."""


class TableSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    site_web = AdresseWebField(read_only=True, allow_blank=True)

    class Meta:
        model = TableDeQuartier
        fields = [
            "id",
            "quartier",
            "nom",
            "organisme_coordonnateur",
            "annee_fondation",
            "site_web",
        ]


class TableFilterSet(FiltresVerifies):
    quartier = QuartierFilter()

    class Meta:
        model = TableDeQuartier
        fields = ["quartier"]


@schema_lecture(TableSerializer, _("tables de quartier"), "territoire")
class TableViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    serializer_class = TableSerializer
    filterset_class = TableFilterSet
    ordering_fields = ["id", "nom", "quartier__nom", "annee_fondation"]
    ordering = ["quartier__nom"]

    def get_queryset(self):
        return TableDeQuartier.objects.filter(quartier__in=visibles(self.request)).select_related(
            "quartier"
        )


# --- Partenaires --------------------------------------------------------------------------------


class PartenaireSerializer(serializers.ModelSerializer):
    secteur = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Partenaire
        fields = ["id", "nom", "secteur", "acteur_influence", "donnees_fictives"]


class PartenaireFilterSet(FiltresVerifies):
    secteur = django_filters.CharFilter(field_name="secteur__code", label=_("secteur (code)"))
    quartier = QuartierFilter(method="filtrer_quartier")

    class Meta:
        model = Partenaire
        fields = ["secteur", "acteur_influence", "quartier"]

    def filtrer_quartier(self, queryset, name, value):
        # Seulement les participations des tables visibles : le filtre ne révèle rien d'ailleurs.
        participations = Participation.objects.filter(
            table__quartier__in=visibles(self.request), table__quartier__slug=value
        )
        return queryset.filter(pk__in=participations.values("partenaire_id"))


@schema_lecture(PartenaireSerializer, _("partenaires des tables visibles"), "territoire")
class PartenaireViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    introuvable = _("Partenaire introuvable.")
    serializer_class = PartenaireSerializer
    filterset_class = PartenaireFilterSet
    ordering_fields = ["id", "nom", "secteur__code"]
    ordering = ["nom", "id"]

    def get_queryset(self):
        participations = Participation.objects.filter(table__quartier__in=visibles(self.request))
        return Partenaire.objects.filter(
            pk__in=participations.values("partenaire_id")
        ).select_related("secteur")


# --- Participations -----------------------------------------------------------------------------


class PartenaireResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partenaire
        fields = ["id", "nom"]


class ParticipationSerializer(serializers.ModelSerializer):
    partenaire = PartenaireResumeSerializer(read_only=True)
    table = serializers.PrimaryKeyRelatedField(read_only=True)
    quartier = serializers.CharField(source="table.quartier.slug", read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "partenaire", "table", "quartier", "role", "debut", "fin"]


class ParticipationFilterSet(FiltresVerifies):
    quartier = QuartierFilter("table__quartier__slug")
    secteur = django_filters.CharFilter(
        field_name="partenaire__secteur__code", label=_("secteur du partenaire (code)")
    )
    actif_le = django_filters.DateFilter(method="filtrer_actif_le", label=_("active ce jour-là"))
    # Des identifiants filtrés sans requête de validation : un id d'ailleurs donne une liste vide.
    partenaire = django_filters.NumberFilter(
        field_name="partenaire_id", label=_("partenaire (identifiant)")
    )
    table = django_filters.NumberFilter(field_name="table_id", label=_("table (identifiant)"))

    class Meta:
        model = Participation
        fields = ["quartier", "secteur", "actif_le", "role", "partenaire", "table"]

    def filtrer_actif_le(self, queryset, name, value):
        return queryset.actives_entre(value, value)


@schema_lecture(ParticipationSerializer, _("participations aux tables visibles"), "territoire")
class ParticipationViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    introuvable = _("Participation introuvable.")
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet
    ordering_fields = ["id", "debut", "fin", "role", "partenaire__nom", "table__quartier__nom"]
    ordering = ["debut", "id"]

    def get_queryset(self):
        return Participation.objects.filter(
            table__quartier__in=visibles(self.request)
        ).select_related("partenaire", "table__quartier")


ROUTES = [
    ("quartiers", QuartierViewSet, "api-quartier"),
    ("tables", TableViewSet, "api-table"),
    ("partenaires", PartenaireViewSet, "api-partenaire"),
    ("participations", ParticipationViewSet, "api-participation"),
]
