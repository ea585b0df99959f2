"""API des valeurs, en lecture (pagination par curseur) : on les écrit par
`PUT /saisies/{id}/valeurs/` (`indicateurs.api_saisies`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from evalpic.api.champs import DecimalTexteField
from evalpic.api.commun import IntrouvableTraduit, PaginationParCurseur
from indicateurs.api_filtres import FiltresParPeriode, QuartierFilter
from indicateurs.api_saisies import R400, R401, R404, R404_LISTE
from indicateurs.models import StatutSaisie, Valeur
from quartiers.acces import Droit, quartiers_accessibles
from rapports.export_valeurs import STATUTS_TRANSMIS


@extend_schema_field(
    # Le même type que `statut` d'une saisie (`SaisieStatutEnum`), pas un second nom pour les
    # mêmes choix (drf-spectacular avertirait, et les clients générés auraient deux types).
    {"allOf": [{"$ref": "#/components/schemas/SaisieStatutEnum"}]}
)
class StatutSaisieField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=StatutSaisie.choices, **kwargs)


class ValeurSerializer(serializers.ModelSerializer):
    saisie = serializers.IntegerField(source="saisie_id", read_only=True)
    quartier = serializers.CharField(source="saisie.table.quartier.slug", read_only=True)
    periode = serializers.CharField(source="saisie.periode.code", read_only=True)
    indicateur = serializers.CharField(source="indicateur.code", read_only=True)
    valeur = DecimalTexteField(source="valeur_numerique", allow_null=True, read_only=True)
    preuve_url = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Lien https://…, ou vide.")
    )
    statut_saisie = StatutSaisieField(
        source="saisie.statut",
        read_only=True,
        help_text=gettext_lazy("Statut de la saisie."),
    )

    class Meta:
        model = Valeur
        fields = [
            "id",
            "saisie",
            "quartier",
            "periode",
            "indicateur",
            "valeur",
            "valeur_texte",
            "non_disponible",
            "raison_non_disponible",
            "commentaire",
            "preuve_url",
            "updated_at",
            "statut_saisie",
        ]
        read_only_fields = fields


class FiltresValeur(FiltresParPeriode):
    """Un quartier ou un indicateur inconnu, ou invisible pour la personne, répond 400 avec le
    message de l'export des valeurs, dont le formulaire décide (`FiltresVerifies` : mêmes
    choix, quartiers visibles et indicateurs saisis connus d'elle). Un quartier invisible n'est
    qu'inconnu; un indicateur calculé n'a pas de valeurs saisies."""

    chemin_periode = "saisie__periode"
    filtres_de_l_export = ("quartier", "indicateur")
    quartier = QuartierFilter("saisie__table__quartier__slug")
    indicateur = filters.CharFilter(
        field_name="indicateur__code", help_text=gettext_lazy("Code d'indicateur.")
    )
    theme = filters.CharFilter(
        field_name="indicateur__theme__code", help_text=gettext_lazy("Code du thème.")
    )
    statut = filters.ChoiceFilter(
        method="filtrer_statut",
        choices=[
            (STATUTS_TRANSMIS, gettext_lazy("transmises (soumises ou validées)")),
            *StatutSaisie.choices,
        ],
        # `transmises` : ce que montrent les tableaux de bord, comme l'export des valeurs (le
        # schéma liste chaque choix et son libellé).
        help_text=gettext_lazy("Statut de la saisie."),
    )

    class Meta:
        model = Valeur
        fields = [
            "quartier",
            "indicateur",
            "periode",
            "periode_debut",
            "periode_fin",
            "theme",
            "statut",
        ]

    def filtrer_statut(self, queryset, name: str, value: str):
        # La règle de l'export des valeurs (`rapports.export_valeurs.valeurs_exportables`).
        if value == STATUTS_TRANSMIS:
            return queryset.publiees()
        return queryset.filter(saisie__statut=value)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Valeurs des quartiers visibles (pagination par curseur)"),
        responses={200: ValeurSerializer(many=True), 400: R400, 401: R401, 404: R404_LISTE},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Une valeur"), responses={200: ValeurSerializer, 401: R401, 404: R404}
    ),
)
class ValeurViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    description_api = gettext_lazy(
        "Les valeurs saisies, en lecture : on les écrit par `PUT /saisies/{id}/valeurs/`."
    )

    serializer_class = ValeurSerializer
    pagination_class = PaginationParCurseur
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = FiltresValeur

    def get_queryset(self):
        visibles = quartiers_accessibles(self.request.user, Droit.VOIR)
        return Valeur.objects.filter(saisie__table__quartier__in=visibles).select_related(
            "saisie__table__quartier", "saisie__periode", "indicateur"
        )

    def list(self, request, *args, **kwargs):
        """Même forme que `ValeurSerializer`, mais lue en tuples : une page de mille valeurs
        coûterait sinon six fois le temps de la requête en instances et en champs DRF."""
        lignes = self.filter_queryset(self.get_queryset()).values(*_CHAMPS_LISTE)
        page = self.paginate_queryset(lignes)
        return self.get_paginated_response([_valeur_en_json(ligne) for ligne in page])


_CHAMPS_LISTE = (
    "pk",  # la pagination par curseur lit la position dans cette clé
    "id",
    "saisie_id",
    "saisie__table__quartier__slug",
    "saisie__periode__annee",
    "saisie__periode__trimestre",
    "indicateur__code",
    "valeur_numerique",
    "valeur_texte",
    "non_disponible",
    "raison_non_disponible",
    "commentaire",
    "preuve_url",
    "updated_at",
    "saisie__statut",
)
_DECIMAL = ValeurSerializer().fields["valeur"]
_DATE = serializers.DateTimeField()


def _valeur_en_json(ligne: dict) -> dict:
    valeur = ligne["valeur_numerique"]
    return {
        "id": ligne["id"],
        "saisie": ligne["saisie_id"],
        "quartier": ligne["saisie__table__quartier__slug"],
        "periode": f"{ligne['saisie__periode__annee']}-T{ligne['saisie__periode__trimestre']}",
        "indicateur": ligne["indicateur__code"],
        "valeur": None if valeur is None else _DECIMAL.to_representation(valeur),
        "valeur_texte": ligne["valeur_texte"],
        "non_disponible": ligne["non_disponible"],
        "raison_non_disponible": ligne["raison_non_disponible"],
        "commentaire": ligne["commentaire"],
        "preuve_url": ligne["preuve_url"],
        "updated_at": _DATE.to_representation(ligne["updated_at"]),
        "statut_saisie": ligne["saisie__statut"],
    }


ROUTES = [("valeurs", ValeurViewSet, "valeurs")]
