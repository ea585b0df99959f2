"""L'API du catalogue et des stratégies : indicateurs, stratégies de changement (avec leur
théorie du changement), changements visés, actions, indicateurs suivis, périodes et
apprentissages.

Tout ce qui appartient à un quartier part de `quartiers_accessibles(personne, Droit.VOIR)` : un
objet d'un autre quartier n'apparaît dans aucune liste et répond 404. Le catalogue approuvé et
les périodes sont communs à tout le PIC. Seuls les apprentissages s'écrivent (création).
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from evalpic.api.champs import DecimauxEnTexte
from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import MOTIF_SLUG, reponses_erreur, schema_lecture, visibles
from indicateurs import services
from indicateurs.api_filtres import FiltresParPeriode, FiltresVerifies, QuartierFilter
from indicateurs.models import (
    Action,
    Apprentissage,
    ChangementVise,
    Cible,
    Famille,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    Periode,
    StatutIndicateur,
    StrategieDeChangement,
)
from indicateurs.models.saisies import apprentissage_publie
from quartiers.acces import Droit, quartiers_accessibles
from quartiers.models import Quartier

# --- Catalogue ----------------------------------------------------------------------------------


class IndicateurSerializer(serializers.ModelSerializer):
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Indicateur
        fields = [
            "code",
            "nom_fr",
            "nom_en",
            "definition_fr",
            "definition_en",
            "famille",
            "theme",
            "unite",
            "polarite",
            "agregation",
            "periodicite",
            "source",
            "source_en",
            "mode",
            "calcul",
        ]


class IndicateurFilterSet(django_filters.FilterSet):
    theme = django_filters.CharFilter(field_name="theme__code", label=_("thème (code)"))

    class Meta:
        model = Indicateur
        fields = ["theme", "famille", "mode", "unite"]


@schema_lecture(
    IndicateurSerializer, _("indicateurs approuvés du catalogue"), "catalogue et stratégies"
)
class IndicateurViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    introuvable = _("Indicateur introuvable.")
    serializer_class = IndicateurSerializer
    filterset_class = IndicateurFilterSet
    lookup_field = "code"
    lookup_value_regex = MOTIF_SLUG
    ordering_fields = ["code", "nom_fr", "nom_en", "famille", "unite"]
    ordering = ["famille", "code"]

    def get_queryset(self):
        # Le catalogue approuvé est commun à tout le PIC : toute personne connectée le voit.
        return Indicateur.objects.filter(statut=StatutIndicateur.APPROUVE).select_related("theme")


# --- Stratégies et théorie du changement --------------------------------------------------------


class ChangementDeStrategieSerializer(serializers.ModelSerializer):
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    indicateurs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ChangementVise
        fields = ["id", "code", "libelle", "horizon", "famille", "theme", "indicateurs"]


class LienDeChangementSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cible = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LienDeChangement
        fields = ["source", "cible", "hypothese"]


class StrategieSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    changements = ChangementDeStrategieSerializer(many=True, read_only=True)
    liens = LienDeChangementSerializer(many=True, read_only=True)

    class Meta:
        model = StrategieDeChangement
        fields = [
            "id",
            "quartier",
            "version",
            "titre",
            "vision",
            "statut",
            "adoptee_le",
            "donnees_fictives",
            "changements",
            "liens",
        ]


class StrategieFilterSet(FiltresVerifies):
    quartier = QuartierFilter()

    class Meta:
        model = StrategieDeChangement
        fields = ["quartier", "statut"]


@schema_lecture(
    StrategieSerializer, _("stratégies de changement, avec leur graphe"), "catalogue et stratégies"
)
class StrategieViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    serializer_class = StrategieSerializer
    filterset_class = StrategieFilterSet
    ordering_fields = ["id", "version", "statut", "adoptee_le", "quartier__nom"]
    ordering = ["quartier__nom", "-version"]

    def get_queryset(self):
        # Requêtes : la page, puis une par relation (changements, leurs indicateurs, liens).
        changements = (
            ChangementVise.objects.select_related("theme")
            .prefetch_related("indicateurs")
            .order_by("ordre", "code")
        )
        liens = LienDeChangement.objects.select_related("source", "cible").order_by("pk")
        return (
            StrategieDeChangement.objects.visibles_de(self.request.user)
            .select_related("quartier")
            .prefetch_related(Prefetch("changements", changements), Prefetch("liens", liens))
        )


class ChangementViseSerializer(serializers.ModelSerializer):
    quartier = serializers.CharField(source="strategie.quartier.slug", read_only=True)
    strategie = serializers.PrimaryKeyRelatedField(read_only=True)
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    indicateurs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ChangementVise
        fields = [
            "id",
            "quartier",
            "strategie",
            "code",
            "libelle",
            "description",
            "horizon",
            "famille",
            "theme",
            "indicateurs",
            "ordre",
        ]


class ChangementViseFilterSet(FiltresVerifies):
    quartier = QuartierFilter("strategie__quartier__slug")
    strategie = django_filters.NumberFilter(field_name="strategie_id", label=_("stratégie (id)"))
    theme = django_filters.CharFilter(field_name="theme__code", label=_("thème (code)"))

    class Meta:
        model = ChangementVise
        fields = ["quartier", "strategie", "horizon", "famille", "theme"]


@schema_lecture(ChangementViseSerializer, _("changements visés"), "catalogue et stratégies")
class ChangementViseViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChangementViseSerializer
    filterset_class = ChangementViseFilterSet
    ordering_fields = ["id", "code", "ordre", "horizon", "famille"]
    ordering = ["strategie__quartier__nom", "-strategie__version", "ordre", "code"]

    def get_queryset(self):
        return (
            ChangementVise.objects.visibles_de(self.request.user)
            .select_related("strategie__quartier", "theme")
            .prefetch_related("indicateurs")
        )


# --- Actions ------------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    porteur = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    partenaires = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    changements = serializers.SerializerMethodField(
        help_text=_(
            "Les codes des changements visés que sert l'action, une fois chacun : une action en "
            "cours sert un changement et sa copie dans la version suivante de la stratégie."
        )
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "quartier",
            "titre",
            "description",
            "type_action",
            "porteur",
            "partenaires",
            "changements",
            "debut",
            "fin",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_changements(self, action: Action) -> list[str]:
        return list(dict.fromkeys(changement.code for changement in action.changements.all()))


class ActionFilterSet(FiltresVerifies):
    quartier = QuartierFilter()
    actif_le = django_filters.DateFilter(method="filtrer_actif_le", label=_("active ce jour-là"))

    class Meta:
        model = Action
        fields = ["quartier", "type_action", "actif_le"]

    def filtrer_actif_le(self, queryset, name, value):
        return queryset.actives_entre(value, value)


@schema_lecture(ActionSerializer, _("actions des quartiers visibles"), "catalogue et stratégies")
class ActionViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    ordering_fields = ["id", "titre", "type_action", "debut", "fin"]
    ordering = ["quartier__nom", "debut", "titre", "id"]

    def get_queryset(self):
        return (
            Action.objects.filter(quartier__in=visibles(self.request))
            .select_related("quartier")
            .prefetch_related(
                "partenaires",
                # Ceux des brouillons que la personne ne voit pas n'existent pas pour elle.
                Prefetch("changements", ChangementVise.objects.visibles_de(self.request.user)),
            )
        )


# --- Indicateurs suivis et périodes -------------------------------------------------------------


class CibleSerializer(DecimauxEnTexte, serializers.ModelSerializer):
    periode = serializers.CharField(source="periode.code", read_only=True)

    class Meta:
        model = Cible
        fields = ["periode", "valeur"]


class IndicateurSuiviSerializer(DecimauxEnTexte, serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicateur = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cibles = CibleSerializer(many=True, read_only=True)

    class Meta:
        model = IndicateurSuivi
        fields = [
            "id",
            "quartier",
            "indicateur",
            "valeur_reference",
            "date_reference",
            "source_reference",
            "actif",
            "cibles",
        ]


class IndicateurSuiviFilterSet(FiltresVerifies):
    quartier = QuartierFilter()
    indicateur = django_filters.CharFilter(
        field_name="indicateur__code", label=_("indicateur (code)")
    )
    theme = django_filters.CharFilter(field_name="indicateur__theme__code", label=_("thème (code)"))
    famille = django_filters.ChoiceFilter(field_name="indicateur__famille", choices=Famille.choices)

    class Meta:
        model = IndicateurSuivi
        fields = ["quartier", "indicateur", "theme", "famille", "actif"]


@schema_lecture(
    IndicateurSuiviSerializer, _("indicateurs suivis, avec leurs cibles"), "catalogue et stratégies"
)
class IndicateurSuiviViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicateurSuiviSerializer
    filterset_class = IndicateurSuiviFilterSet
    ordering_fields = ["id", "quartier__nom", "indicateur__code", "date_reference"]
    ordering = ["quartier__nom", "indicateur__code"]

    def get_queryset(self):
        cibles = Cible.objects.select_related("periode").order_by("periode__debut")
        return (
            IndicateurSuivi.objects.filter(quartier__in=visibles(self.request))
            .select_related("quartier", "indicateur")
            .prefetch_related(Prefetch("cibles", cibles))
        )


class PeriodeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Periode
        fields = ["id", "code", "annee", "trimestre", "debut", "fin", "echeance", "statut"]


class PeriodeFilterSet(django_filters.FilterSet):
    class Meta:
        model = Periode
        fields = ["statut", "annee"]


@schema_lecture(PeriodeSerializer, _("périodes (trimestres)"), "catalogue et stratégies")
class PeriodeViewSet(IntrouvableTraduit, viewsets.ReadOnlyModelViewSet):
    introuvable = _("Période introuvable.")
    queryset = Periode.objects.all()
    serializer_class = PeriodeSerializer
    filterset_class = PeriodeFilterSet
    ordering_fields = ["id", "annee", "trimestre", "debut", "echeance"]
    ordering = ["annee", "trimestre"]


# --- Apprentissages -----------------------------------------------------------------------------


def _utilisateur(field: serializers.Field):
    request = field.context.get("request")
    return request.user if request else None


class SlugSansNulField(serializers.SlugRelatedField):
    """PostgreSQL refuse le caractère NUL dans un texte : une telle valeur est invalide (400),
    pas une erreur du serveur."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class QuartierVisibleField(SlugSansNulField):
    """Un quartier par son slug, parmi ceux que la personne voit : un autre est « inconnu »,
    comme un slug qui n'existe pas (rien n'est révélé)."""

    default_error_messages = {
        "does_not_exist": _("Quartier inconnu : « {value} »."),
        "invalid": _("Quartier inconnu."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Quartier.objects.all(), **kwargs)

    def get_queryset(self):
        return quartiers_accessibles(_utilisateur(self), Droit.VOIR)


class IndicateurConnuField(SlugSansNulField):
    """Un indicateur par son code, parmi ceux du catalogue (approuvés) et ceux que suit un
    quartier visible, quel que soit leur statut (proposé par la table, retiré) : le service
    (`ajouter_apprentissage`) décide seul si le rattachement est permis, comme pour la page
    d'ajout. Un indicateur proposé ailleurs est « inconnu », comme un code qui n'existe pas."""

    default_error_messages = {
        "does_not_exist": _("Indicateur inconnu : « {value} »."),
        "invalid": _("Indicateur inconnu."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Indicateur.objects.all(), **kwargs)

    def get_queryset(self):
        return Indicateur.objects.connus_de(_utilisateur(self))


class ChangementVisibleField(serializers.PrimaryKeyRelatedField):
    """Un changement visé par son id, parmi ceux des quartiers visibles."""

    default_error_messages = {
        "does_not_exist": _("Changement visé inconnu : {pk_value}."),
        "incorrect_type": _(
            "Changement visé inconnu : « {valeur} » (son identifiant est un nombre entier)."
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=ChangementVise.objects.all(), **kwargs)

    def to_internal_value(self, data):
        """Un entier, ou des chiffres : ni booléen, ni décimal, ni 1e400 (l'infini de JSON,
        qui faisait une erreur 500), ni texte; le message cite ce qui a été envoyé."""
        entier = isinstance(data, int) and not isinstance(data, bool)
        if not entier and not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("incorrect_type", valeur=str(data)[:50])
        return super().to_internal_value(data)

    def get_queryset(self):
        return ChangementVise.objects.visibles_de(_utilisateur(self)).publies()


@extend_schema_field(OpenApiTypes.STR)
class PeriodeParCodeField(serializers.RelatedField):
    """Une période par son code, « 2025-T2 »."""

    default_error_messages = {
        "introuvable": _("Période inconnue : « {code} » (forme attendue : 2025-T2)."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Periode.objects.all(), **kwargs)

    def to_representation(self, value: Periode) -> str:
        return value.code

    def to_internal_value(self, data) -> Periode:
        periode = self.get_queryset().par_code(data)
        if periode is None:
            self.fail("introuvable", code=data)
        return periode


class ApprentissageSerializer(serializers.ModelSerializer):
    quartier = QuartierVisibleField()
    periode = PeriodeParCodeField()
    indicateur = IndicateurConnuField(allow_null=True, required=False)
    changement = ChangementVisibleField(allow_null=True, required=False)
    auteur = serializers.PrimaryKeyRelatedField(read_only=True)
    # Comme les valeurs (`/valeurs/`), la liste montre aussi les brouillons des quartiers
    # visibles; `saisie` dit d'où vient l'apprentissage, et le filtre `publie` garde ce que
    # montrent les bilans et les tableaux de bord.
    saisie = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Identifiant de la saisie trimestrielle où l'apprentissage a été écrit : il ne paraît "
            "aux bilans et aux tableaux de bord qu'une fois cette saisie soumise ou validée. Nul "
            "pour un apprentissage ajouté hors saisie (page d'ajout, API), publié aussitôt."
        ),
    )

    class Meta:
        model = Apprentissage
        fields = [
            "id",
            "quartier",
            "periode",
            "categorie",
            "indicateur",
            "changement",
            "texte_fr",
            "texte_en",
            "saisie",
            "auteur",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ApprentissageFilterSet(FiltresParPeriode):
    quartier = QuartierFilter()
    indicateur = django_filters.CharFilter(
        field_name="indicateur__code", label=_("indicateur (code)")
    )
    publie = django_filters.BooleanFilter(
        method="filtrer_publie",
        label=_(
            "publié : ajouté hors saisie, ou écrit dans une saisie soumise ou validée (ce que "
            "montrent les bilans et les tableaux de bord)"
        ),
    )

    class Meta:
        model = Apprentissage
        fields = [
            "quartier",
            "periode",
            "periode_debut",
            "periode_fin",
            "categorie",
            "indicateur",
            "publie",
        ]

    def filtrer_publie(self, queryset, name, value):
        if value:
            return queryset.publies()
        return queryset.exclude(apprentissage_publie())


@schema_lecture(
    ApprentissageSerializer, _("apprentissages des quartiers visibles"), "apprentissages"
)
@extend_schema_view(
    create=extend_schema(
        summary=_("Ajouter un apprentissage"),
        tags=["apprentissages"],
        description=(
            _(
                "Il faut le droit de commenter le quartier (coordination : le sien; conseil : les "
                "quartiers affectés; évaluation et administration : tous). Un quartier invisible est "
                "« inconnu » (400), comme un slug qui n'existe pas. L'indicateur doit être suivi par "
                "le quartier et le changement visé appartenir à une de ses stratégies (400 sinon). "
                "L'auteur·e est la personne connectée. Le même apprentissage envoyé deux fois par "
                "la même personne (mêmes quartier, période, catégorie, rattachements et textes : "
                "un client qui réessaie) n'est écrit qu'une fois : la réponse rend celui qui "
                "existe."
            )
        ),
        request=ApprentissageSerializer,
        responses={201: ApprentissageSerializer, **reponses_erreur(400, 401, 403, 429)},
    ),
)
class ApprentissageViewSet(
    IntrouvableTraduit,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    introuvable = _("Apprentissage introuvable.")
    serializer_class = ApprentissageSerializer
    filterset_class = ApprentissageFilterSet
    ordering_fields = ["id", "created_at", "categorie", "periode__debut"]
    ordering = ["periode__debut", "categorie", "created_at", "id"]

    def get_queryset(self):
        return Apprentissage.objects.filter(quartier__in=visibles(self.request)).select_related(
            "quartier", "periode", "indicateur"
        )

    def perform_create(self, serializer: ApprentissageSerializer) -> None:
        # Les règles (droit de commenter, un texte au moins, un indicateur suivi et un changement
        # visé du quartier) sont celles du service, les mêmes que pour les pages : ses
        # `ValidationError` deviennent des 400 par champ (`gestionnaire_d_erreurs`).
        serializer.instance = services.ajouter_apprentissage(
            auteur=self.request.user, **serializer.validated_data
        )


ROUTES = [
    ("indicateurs", IndicateurViewSet, "api-indicateur"),
    ("strategies", StrategieViewSet, "api-strategie"),
    ("changements", ChangementViseViewSet, "api-changement"),
    ("actions", ActionViewSet, "api-action"),
    ("indicateurs-suivis", IndicateurSuiviViewSet, "api-indicateur-suivi"),
    ("periodes", PeriodeViewSet, "api-periode"),
    ("apprentissages", ApprentissageViewSet, "api-apprentissage"),
]
