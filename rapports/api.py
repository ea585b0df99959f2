"""API des bilans : les lire, en demander un (la production part en tâche de fond), télécharger
ses fichiers quand il est prêt. Mêmes sélecteur d'accès et service que les pages."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import (
    exceptions,
    mixins,
    negotiation,
    renderers,
    serializers,
    status,
    viewsets,
)
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import ErreurSerializer
from indicateurs.api_filtres import FiltresVerifies, QuartierFilter
from indicateurs.api_saisies import ErreursSerializer
from quartiers.acces import Droit, quartier_accessible_ou_404
from quartiers.models import Langue
from rapports import selectors, services
from rapports.fichiers import TYPES, reponse_du_fichier
from rapports.models import Bilan, Portee, RaisonEchec, StatutBilan

FORMATS = ("pdf", "xlsx", "csv", "html")
MESSAGES = {
    StatutBilan.EN_ATTENTE: gettext_lazy("En attente : le bilan est dans la file des tâches."),
    StatutBilan.EN_COURS: gettext_lazy("En cours de production."),
    StatutBilan.PRET: gettext_lazy("Prêt : ses fichiers sont téléchargeables."),
    StatutBilan.ECHEC: gettext_lazy("Échec : voir l'erreur."),
}

# --- Sérialiseurs -------------------------------------------------------------------------------


class FichiersSerializer(serializers.Serializer):
    pdf = serializers.URLField(allow_null=True)
    xlsx = serializers.URLField(allow_null=True)
    csv = serializers.URLField(allow_null=True)
    html = serializers.URLField(allow_null=True)


class BilanSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    fichiers = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Adresse de téléchargement de chaque fichier, null tant que le bilan n'est pas prêt."
        )
    )
    en_file = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Faux tant qu'un bilan en attente n'a pas pu être confié à la file des tâches "
            "(file indisponible) : il est enregistré et partira à son retour."
        )
    )
    message = serializers.SerializerMethodField(
        help_text=gettext_lazy("L'état du bilan, en une phrase.")
    )
    erreur = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Pourquoi le bilan a échoué, en une phrase dans la langue de la réponse; vide s'il "
            "n'a pas échoué."
        )
    )
    code_erreur = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Code stable de la raison d'un échec (erreur_inattendue pour toute erreur imprévue); "
            "null s'il n'a pas échoué."
        )
    )

    class Meta:
        model = Bilan
        fields = [
            "id",
            "portee",
            "quartier",
            "annee",
            "trimestre",
            "langue",
            "statut",
            "erreur",
            "code_erreur",
            "planifie",
            "created_at",
            "fin_generation",
            "somme_controle",
            "fichiers",
            "en_file",
            "message",
        ]
        read_only_fields = fields

    def get_en_file(self, bilan: Bilan) -> bool:
        return not services.attend_la_file(bilan)

    def get_erreur(self, bilan: Bilan) -> str:
        return bilan.motif_echec

    @extend_schema_field(serializers.ChoiceField(choices=RaisonEchec.choices, allow_null=True))
    def get_code_erreur(self, bilan: Bilan) -> str | None:
        raison = bilan.raison_echec
        return None if raison is None else raison.value

    def get_message(self, bilan: Bilan) -> str:
        if services.attend_la_file(bilan):
            return str(services.MESSAGE_FILE_INDISPONIBLE)
        return str(MESSAGES[bilan.statut])

    @extend_schema_field(FichiersSerializer)
    def get_fichiers(self, bilan: Bilan) -> dict[str, str | None]:
        request = self.context.get("request")
        return {
            format_: (
                reverse(
                    "bilans-fichier",
                    kwargs={"pk": bilan.pk, "type_fichier": format_},
                    request=request,
                )
                if bilan.est_pret and getattr(bilan, f"fichier_{format_}")
                else None
            )
            for format_ in FORMATS
        }


def langue_de_la_requete() -> str:
    """La langue active, celle de la requête (`evalpic.middleware.LangueMiddleware`, puis
    `langue_de_la_personne` à l'authentification par jeton) : un bilan demandé sans `langue`
    est dans la langue de la réponse, comme depuis la page, dont le formulaire la propose."""
    langue = (translation.get_language() or "").split("-")[0]
    return langue if langue in Langue.values else settings.LANGUAGE_CODE


class DemandeBilanSerializer(serializers.Serializer):
    portee = serializers.ChoiceField(choices=Portee.choices)
    quartier = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Slug du quartier; requis si `portee=quartier`."),
    )
    annee = serializers.IntegerField(min_value=2000, max_value=2100)
    trimestre = serializers.IntegerField(
        min_value=1,
        max_value=4,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Null : annuel."),
    )
    langue = serializers.ChoiceField(
        choices=Langue.choices,
        default=langue_de_la_requete,
        help_text=gettext_lazy(
            "Langue du bilan. Sans elle, la langue de la requête, celle des réponses : le témoin "
            "de langue, sinon l'en-tête Accept-Language, sinon la langue préférée de la personne "
            "à qui est le jeton, sinon le français."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["portee"] == Portee.QUARTIER and not attrs.get("quartier"):
            raise serializers.ValidationError({"quartier": [_("Choisissez un quartier.")]})
        if attrs["portee"] == Portee.PIC and attrs.get("quartier"):
            raise serializers.ValidationError(
                {"quartier": [_("Un bilan de tout le PIC ne porte pas sur un quartier.")]}
            )
        return attrs


# --- Filtres et négociation ---------------------------------------------------------------------


class FiltresBilan(FiltresVerifies):
    quartier = QuartierFilter()
    statut = filters.ChoiceFilter(choices=StatutBilan.choices)
    portee = filters.ChoiceFilter(choices=Portee.choices)

    class Meta:
        model = Bilan
        fields = ["statut", "portee", "quartier", "annee"]


class NegociationTolerante(negotiation.DefaultContentNegotiation):
    """Pour un téléchargement, un en-tête Accept « application/pdf » (ou `?format=csv`) ne doit
    pas valoir 406 ni 404 : les erreurs éventuelles sont alors rendues en JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (exceptions.NotAcceptable, Http404):
            return renderers[0], renderers[0].media_type


# --- Documentation ------------------------------------------------------------------------------

R400 = OpenApiResponse(
    ErreursSerializer, description=gettext_lazy("Données invalides : messages par champ.")
)
R401 = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Non authentifié, ou jeton révoqué.")
)
R403 = OpenApiResponse(
    ErreurSerializer,
    description=gettext_lazy("Bilan de tout le PIC demandé sans le rôle d'évaluation."),
)
R404 = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Introuvable, ou quartier non visible.")
)
R404_LISTE = OpenApiResponse(ErreurSerializer, description=gettext_lazy("Page inexistante."))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Bilans visibles"),
        responses={200: BilanSerializer(many=True), 400: R400, 401: R401, 404: R404_LISTE},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Un bilan (interroger jusqu'à statut=pret)"),
        responses={200: BilanSerializer, 401: R401, 404: R404},
    ),
)
class BilanViewSet(
    IntrouvableTraduit,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    introuvable = gettext_lazy("Bilan introuvable.")
    description_api = gettext_lazy(
        "Les bilans des quartiers visibles; ceux de tout le PIC pour l'évaluation."
    )

    serializer_class = BilanSerializer
    filterset_class = FiltresBilan
    ordering_fields = ["id", "created_at", "annee", "trimestre", "statut"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.bilans_accessibles(self.request.user)

    @extend_schema(
        summary=gettext_lazy("Demander un bilan (produit en tâche de fond)"),
        request=DemandeBilanSerializer,
        responses={
            202: OpenApiResponse(
                BilanSerializer,
                description=gettext_lazy(
                    "Demandé : en attente, à interroger. Si la file des tâches est "
                    "indisponible, le bilan est tout de même enregistré : en_file est faux, message "
                    "le dit, et il partira au retour de la file."
                ),
            ),
            400: OpenApiResponse(
                ErreursSerializer,
                description=gettext_lazy("Données invalides, ou période sans données."),
            ),
            401: R401,
            403: R403,
            404: R404,
        },
    )
    def create(self, request, *args, **kwargs):
        entree = DemandeBilanSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        donnees = dict(entree.validated_data)
        slug = donnees.pop("quartier", None)
        quartier = None
        if donnees["portee"] == Portee.QUARTIER:
            quartier = quartier_accessible_ou_404(request.user, slug, Droit.GENERER_BILAN)
        bilan = services.demander_bilan(auteur=request.user, quartier=quartier, **donnees)
        corps = self.get_serializer(bilan).data
        adresse = reverse("bilans-detail", args=[bilan.pk], request=request)
        return Response(corps, status=status.HTTP_202_ACCEPTED, headers={"Location": adresse})

    @extend_schema(
        summary=gettext_lazy("Télécharger un fichier du bilan"),
        description=gettext_lazy(
            "Revérifie l'accès à chaque téléchargement; seul un bilan prêt a des fichiers."
        ),
        parameters=[
            OpenApiParameter("type_fichier", OpenApiTypes.STR, OpenApiParameter.PATH, enum=FORMATS)
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (200, TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
            (200, "text/html"): OpenApiResponse(OpenApiTypes.BINARY, description="HTML"),
            (401, "application/json"): R401,
            (404, "application/json"): OpenApiResponse(
                ErreurSerializer, description=gettext_lazy("Bilan introuvable, ou pas encore prêt.")
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"fichier/(?P<type_fichier>pdf|xlsx|csv|html)",
        url_name="fichier",
        content_negotiation_class=NegociationTolerante,
        renderer_classes=[renderers.JSONRenderer],
    )
    def fichier(self, request, pk=None, type_fichier: str = "pdf", format=None):
        """Revérifie l'accès à chaque téléchargement; seul un bilan prêt a des fichiers."""
        return reponse_du_fichier(self.get_object(), type_fichier)


ROUTES = [("bilans", BilanViewSet, "bilans")]
