"""L'API du catalogue et des stratégies : indicateurs, stratégies de changement (avec leur
théorie du changement), changements visés, actions, indicateurs suivis, périodes et
apprentissages.

Tout ce qui appartient à un quartier part de `quartiers_accessibles(personne, Droit.VOIR)` : un
objet d'un autre quartier n'apparaît dans aucune liste et répond 404. Le catalogue approuvé et
les périodes sont communs à tout le PIC. Les apprentissages s'écrivent (création), les actions
aussi (création, modification), par les services des pages.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from evalpic.api.champs import DecimauxEnTexte
from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import (
    MOTIF_SLUG,
    ErreurSerializer,
    reponses_erreur,
    schema_lecture,
    visibles,
)
from indicateurs import services, services_actions
from indicateurs.api_filtres import FiltresParPeriode, FiltresVerifies, QuartierFilter
from indicateurs.api_saisies import ErreursSerializer
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
    StatutStrategie,
    StrategieDeChangement,
    TypeAction,
)
from indicateurs.models.saisies import apprentissage_publie
from quartiers.acces import Droit, quartiers_accessibles
from quartiers.models import Partenaire, Quartier
from quartiers.services_registre import partenaires_visibles

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


# --- Actions ------------------------------------------------------------------------------------
#
# Lues par qui voit le quartier; écrites (`POST`, `PATCH`) par qui tient ses actions, par le
# service des pages (`indicateurs.services_actions`) : mêmes règles, mêmes messages par champ.
# Les changements servis s'écrivent par leur identifiant (`changements_servis`) : un code se
# répète d'une version à l'autre (C1 de la v1, sa copie C1 dans la v2) et une action peut servir
# le changement d'une version archivée, comme au formulaire. `changements` garde les codes, en
# lecture. La version d'une action voyage dans `ETag` et revient dans `If-Match`, comme celle
# d'une saisie : son empreinte (`services_actions.empreinte_de_l_action`), celle que garde la page.


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
    changements_servis = serializers.SerializerMethodField(
        help_text=_(
            "Les identifiants des changements visés des versions adoptées que sert l'action "
            "(ceux de `/changements/`) : ce que `POST` et `PATCH` envoient. Les copies dans une "
            "version en préparation suivent d'elles-mêmes."
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
            "changements_servis",
            "debut",
            "fin",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_changements(self, action: Action) -> list[str]:
        return list(dict.fromkeys(changement.code for changement in action.changements.all()))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_changements_servis(self, action: Action) -> list[int]:
        return sorted(
            changement.pk
            for changement in action.changements.all()
            if changement.strategie.statut != StatutStrategie.BROUILLON
        )


class _ParIdentifiant(serializers.PrimaryKeyRelatedField):
    """Un objet par son identifiant : un entier, ou des chiffres (ni booléen, ni décimal, ni
    texte); le message cite ce qui a été envoyé."""

    def to_internal_value(self, data):
        entier = isinstance(data, int) and not isinstance(data, bool)
        if not entier and not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("incorrect_type", valeur=str(data)[:50])
        if len(str(data)) > 19 or int(data) > 2**63 - 1:  # hors des identifiants possibles
            self.fail("does_not_exist", pk_value=str(data)[:50])
        return super().to_internal_value(data)


class PartenaireLisibleField(_ParIdentifiant):
    """Un partenaire parmi ceux que la personne voit (`partenaires_visibles`) et ceux que
    l'action modifiée nomme déjà, comme au formulaire : le service dit si le choix convient
    (le registre de la table)."""

    default_error_messages = {
        "does_not_exist": _("Partenaire inconnu : {pk_value}."),
        "incorrect_type": _(
            "Partenaire inconnu : « {valeur} » (son identifiant est un nombre entier)."
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Partenaire.objects.all(), **kwargs)

    def get_queryset(self):
        condition = Q(pk__in=partenaires_visibles(_utilisateur(self)).values("pk"))
        if (action := self.context.get("action")) is not None:
            condition |= Q(pk=action.porteur_id) | Q(actions=action)
        return Partenaire.objects.filter(condition).distinct()


class ChangementLisibleField(_ParIdentifiant):
    """Un changement visé des quartiers visibles, brouillons visibles compris : le service dit
    pourquoi il ne convient pas (« d'un autre quartier », « d'une version en préparation »)."""

    default_error_messages = ChangementVisibleField.default_error_messages

    def __init__(self, **kwargs):
        super().__init__(queryset=ChangementVise.objects.all(), **kwargs)

    def get_queryset(self):
        return ChangementVise.objects.visibles_de(_utilisateur(self))


class EcritureActionSerializer(serializers.Serializer):
    """Ce que `PATCH` envoie : les champs à changer, les autres gardent leur valeur."""

    titre = serializers.CharField(max_length=200)
    type_action = serializers.ChoiceField(choices=TypeAction.choices)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")
    porteur = PartenaireLisibleField(
        allow_null=True,
        default=None,
        help_text=_("Identifiant d'un partenaire du registre de la table; null : aucun."),
    )
    partenaires = PartenaireLisibleField(
        many=True,
        default=list,
        help_text=_("Identifiants de partenaires du registre de la table."),
    )
    changements_servis = ChangementLisibleField(
        many=True,
        default=list,
        help_text=_(
            "Identifiants de changements visés d'une version adoptée de la stratégie du "
            "quartier (en vigueur ou archivée), pas d'une version en préparation."
        ),
    )
    debut = serializers.DateField()
    fin = serializers.DateField(
        allow_null=True,
        default=None,
        help_text=_("Null tant que l'action se poursuit. Terminer une action : `PATCH` sa fin."),
    )


class CreationActionSerializer(EcritureActionSerializer):
    quartier = QuartierVisibleField(
        help_text=_(
            "Identifiant (slug) du quartier; un quartier invisible est « inconnu », comme un "
            "slug qui n'existe pas."
        )
    )


class ConflitActionSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.CharField(
        help_text=_("La version actuelle de l'action (son ETag, entre guillemets).")
    )
    action = ActionSerializer(help_text=_("L'action telle qu'elle est enregistrée maintenant."))


class PreconditionActionRequise(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = _(
        "En-tête If-Match manquant (ou « * ») : renvoyez l'ETag lu sur l'action, pour qu'aucune "
        "écriture n'écrase celle de quelqu'un d'autre."
    )


def _versions_annoncees(request) -> list[str]:
    """Les versions que nomme If-Match (« "3f2a…" », « W/"3f2a…" », plusieurs séparées de
    virgules), dans l'ordre; 428 sans lui."""
    entete = request.headers.get("If-Match", "").strip()
    if not entete or entete == "*":
        raise PreconditionActionRequise()
    versions = (partie.strip().removeprefix("W/").strip('"') for partie in entete.split(","))
    return [version for version in versions if version]


def _donnees(champs: dict, action: Action | None = None) -> services_actions.DonneesAction:
    """Les données du service : ce qui est envoyé, et pour le reste (un `PATCH`) ce que
    l'action porte (ses changements des versions adoptées, comme son formulaire)."""
    if action is not None:
        actuels = {
            "titre": action.titre,
            "type_action": action.type_action,
            "description": action.description,
            "porteur": action.porteur,
            "partenaires": list(action.partenaires.all()),
            "changements_servis": list(
                ChangementVise.objects.filter(actions=action).publies().order_by("pk")
            ),
            "debut": action.debut,
            "fin": action.fin,
        }
        champs = actuels | champs
    return services_actions.DonneesAction(
        titre=champs["titre"],
        type_action=champs["type_action"],
        description=champs["description"],
        porteur=champs["porteur"],
        partenaires=tuple(champs["partenaires"]),
        changements=tuple(champs["changements_servis"]),
        debut=champs["debut"],
        fin=champs["fin"],
    )


def _erreurs_de_l_api(erreur: ValidationError) -> exceptions.ValidationError:
    """Les erreurs du service, sous les noms des champs de l'API (`changements_servis`)."""
    if not hasattr(erreur, "error_dict"):
        return exceptions.ValidationError({"detail": erreur.messages})
    erreurs = dict(erreur.message_dict)
    if "changements" in erreurs:
        erreurs["changements_servis"] = erreurs.pop("changements")
    return exceptions.ValidationError(erreurs)


class ActionFilterSet(FiltresVerifies):
    quartier = QuartierFilter()
    actif_le = django_filters.DateFilter(method="filtrer_actif_le", label=_("active ce jour-là"))

    class Meta:
        model = Action
        fields = ["quartier", "type_action", "actif_le"]

    def filtrer_actif_le(self, queryset, name, value):
        return queryset.actives_entre(value, value)


SI_CORRESPOND_ACTION = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=_("L'ETag lu sur l'action, par exemple \"9c1e0f3a5b7d2e4f\" (W/ accepté)."),
)
ETAG_ACTION = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description=_("La version de l'action, entre guillemets, à renvoyer dans If-Match."),
)
R400_ACTION = OpenApiResponse(
    ErreursSerializer,
    description=_(
        "Données refusées, chacune à côté de son champ (titre, type, dates, fin avant le "
        "début, partenaire hors du registre de la table, changement visé d'un autre quartier "
        "ou d'une version en préparation) : rien n'est écrit."
    ),
)
DESCRIPTION_ECRITURE = _(
    "La coordination du quartier, l'évaluation et l'administration tiennent ses actions; le "
    "conseil reçoit 403. Mêmes règles que la page du quartier."
)


@schema_lecture(ActionSerializer, _("actions des quartiers visibles"), "catalogue et stratégies")
@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG_ACTION]),
    create=extend_schema(
        summary=_("Inscrire une action"),
        tags=["catalogue et stratégies"],
        description=format_lazy(
            "{} {}",
            DESCRIPTION_ECRITURE,
            _(
                "Un quartier invisible est « inconnu » (400). La même action envoyée deux fois "
                "(mêmes champs : un client qui réessaie, un double clic) n'est inscrite qu'une "
                "fois : la seconde réponse est 200, avec l'action qui existe."
            ),
        ),
        request=CreationActionSerializer,
        parameters=[ETAG_ACTION],
        responses={
            201: OpenApiResponse(ActionSerializer, description=_("Inscrite.")),
            200: OpenApiResponse(
                ActionSerializer, description=_("Déjà inscrite à l'identique : rien n'a changé.")
            ),
            400: R400_ACTION,
            **reponses_erreur(401, 403),
            404: OpenApiResponse(
                ErreurSerializer, description=_("Format de sortie inconnu (`format`).")
            ),
            **reponses_erreur(429),
        },
    ),
    partial_update=extend_schema(
        summary=_("Modifier ou terminer une action"),
        tags=["catalogue et stratégies"],
        description=format_lazy(
            "{} {}",
            DESCRIPTION_ECRITURE,
            _(
                "Seuls les champs envoyés changent; terminer une action, c'est envoyer sa "
                "`fin`. If-Match porte l'ETag lu sur l'action : sans lui, 428; périmé, 412 avec "
                "l'action telle qu'elle est, et rien n'est écrit — sauf si l'action porte déjà "
                "ce qui est envoyé (le même envoi rejoué) : 200."
            ),
        ),
        request=EcritureActionSerializer,
        parameters=[SI_CORRESPOND_ACTION, ETAG_ACTION],
        responses={
            200: ActionSerializer,
            400: R400_ACTION,
            **reponses_erreur(401, 403, 404),
            412: OpenApiResponse(
                ConflitActionSerializer,
                description=_(
                    "If-Match périmé : quelqu'un a modifié l'action. Rien n'est écrit; le corps "
                    "donne sa version et son contenu actuels."
                ),
            ),
            428: OpenApiResponse(ErreurSerializer, description=_("En-tête If-Match manquant.")),
            **reponses_erreur(429),
        },
    ),
)
class ActionViewSet(
    IntrouvableTraduit,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    ordering_fields = ["id", "titre", "type_action", "debut", "fin"]
    ordering = ["quartier__nom", "debut", "titre", "id"]

    def get_queryset(self):
        # Ceux des brouillons que la personne ne voit pas n'existent pas pour elle.
        changements = ChangementVise.objects.visibles_de(self.request.user).select_related(
            "strategie"
        )
        return (
            Action.objects.filter(quartier__in=visibles(self.request))
            .select_related("quartier", "porteur")
            .prefetch_related("partenaires", Prefetch("changements", changements))
        )

    def _reponse(self, action: Action, statut: int = 200) -> Response:
        """L'action relue comme la liste la montre, avec sa version dans `ETag`."""
        action = self.get_queryset().get(pk=action.pk)
        entetes = {"ETag": f'"{services_actions.empreinte_de_l_action(action)}"'}
        return Response(ActionSerializer(action).data, status=statut, headers=entetes)

    def retrieve(self, request, *args, **kwargs):
        return self._reponse(self.get_object())

    def create(self, request, *args, **kwargs):
        # Le quartier d'abord (400 s'il est inconnu), puis le droit (403), puis le reste.
        entree = CreationActionSerializer(data=request.data, context=self.get_serializer_context())
        valide = entree.is_valid()
        if not valide and ("quartier" in entree.errors or not isinstance(request.data, dict)):
            raise exceptions.ValidationError(entree.errors)
        champ = entree.fields["quartier"]
        quartier = (
            entree.validated_data["quartier"]
            if valide
            else champ.run_validation(request.data["quartier"])
        )
        services_actions.exiger_de_tenir_les_actions(request.user, quartier)
        if not valide:
            raise exceptions.ValidationError(entree.errors)
        try:
            action, creee = services_actions.creer_action(
                auteur=request.user, quartier=quartier, donnees=_donnees(entree.validated_data)
            )
        except ValidationError as erreur:
            raise _erreurs_de_l_api(erreur) from erreur
        return self._reponse(action, status.HTTP_201_CREATED if creee else status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        services_actions.exiger_de_tenir_les_actions(request.user, action.quartier)
        annoncees = _versions_annoncees(request)
        contexte = {**self.get_serializer_context(), "action": action}
        entree = EcritureActionSerializer(data=request.data, partial=True, context=contexte)
        entree.is_valid(raise_exception=True)
        actuelle = services_actions.empreinte_de_l_action(action)
        version = actuelle if actuelle in annoncees else (annoncees or [""])[0]
        try:
            action = services_actions.modifier_action(
                auteur=request.user,
                action=action,
                donnees=_donnees(entree.validated_data, action),
                version=version,
            )
        except services_actions.ConflitAction as conflit:
            return self._conflit(conflit)
        except ValidationError as erreur:
            raise _erreurs_de_l_api(erreur) from erreur
        return self._reponse(action)

    def _conflit(self, conflit: services_actions.ConflitAction) -> Response:
        action = self.get_queryset().get(pk=conflit.actuelle.pk)
        version = services_actions.empreinte_de_l_action(action)
        corps = {
            "detail": str(conflit),
            "version": version,
            "action": ActionSerializer(action).data,
        }
        return Response(
            corps, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": f'"{version}"'}
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
