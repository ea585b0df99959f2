"""API des commentaires d'une saisie (`CommentaireSaisie`) : les lire, en écrire un, retirer le
sien. Les règles sont celles des pages (`indicateurs.views_commentaires`), dans
`indicateurs.services_commentaires` : qui voit le quartier lit; le droit de commenter écrit
(403 sans lui); une saisie d'un autre quartier répond 404, comme une saisie qui n'existe pas;
texte vide, invisible ou trop long, indicateur étranger à la saisie : 400 par champ, rien
d'écrit. Retirer est une action (`POST …/retirer/`), comme les étapes du circuit d'une saisie :
la ligne reste, son texte effacé, avec la date du retrait. Un ajout peut porter l'en-tête
`Idempotency-Key` (un UUID tiré par le client) : rejoué, il répond 200 avec le commentaire déjà
écrit, au lieu d'en écrire un second (201 à la seule requête qui l'écrit); la même clé pour un
autre commentaire, 409."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import ErreurSerializer, reponses_erreur, schema_lecture, visibles
from indicateurs import services_commentaires
from indicateurs.api_filtres import FiltresParPeriode, QuartierFilter
from indicateurs.api_saisies import ErreursSerializer
from indicateurs.models import CommentaireSaisie, Indicateur, Saisie

TAG = "v1"  # avec les saisies, dont ils sont la discussion


class CommentaireSerializer(serializers.ModelSerializer):
    quartier = serializers.CharField(source="saisie.table.quartier.slug", read_only=True)
    saisie = serializers.IntegerField(source="saisie_id", read_only=True)
    periode = serializers.CharField(
        source="saisie.periode.code", read_only=True, help_text=gettext_lazy("« 2025-T2 »")
    )
    indicateur = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Code de l'indicateur visé; null pour toute la saisie."),
    )
    auteur = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    auteur_nom = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Le nom de l'auteur·e, comme le montre la page; null pour un compte supprimé."
        )
    )
    texte = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Vide pour un commentaire retiré.")
    )
    retire_le = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Date du retrait par son auteur·e; null s'il ne l'est pas."),
    )

    class Meta:
        model = CommentaireSaisie
        fields = [
            "id",
            "quartier",
            "saisie",
            "periode",
            "indicateur",
            "auteur",
            "auteur_nom",
            "texte",
            "retire_le",
            "created_at",
        ]
        read_only_fields = fields

    def get_auteur_nom(self, commentaire: CommentaireSaisie) -> str | None:
        return str(commentaire.auteur) if commentaire.auteur_id else None


class CreationCommentaireSerializer(serializers.Serializer):
    saisie = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text=gettext_lazy(
            "Identifiant de la saisie (`/saisies/`); une saisie d'un quartier invisible répond "
            "404, comme une saisie qui n'existe pas."
        ),
    )
    texte = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        help_text=gettext_lazy("Obligatoire; visible de qui voit le quartier."),
    )
    indicateur = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=40,
        help_text=gettext_lazy(
            "Code d'un indicateur de la saisie (ceux de son formulaire, ou dont elle a une "
            "valeur); absent ou null : toute la saisie."
        ),
    )


class EntierFilter(filters.NumberFilter):
    """Un identifiant : un nombre entier (« 1.5 » répond 400, au lieu d'être lu 1)."""

    field_class = forms.IntegerField


class FiltresCommentaire(FiltresParPeriode):
    """`quartier` : vérifié par le formulaire de l'export des valeurs (`FiltresVerifies`);
    `indicateur` : un code que la personne connaît (`Indicateur.objects.connus_de`), sinon 400,
    comme le champ d'un apprentissage, au lieu d'une liste vide."""

    chemin_periode = "saisie__periode"
    quartier = QuartierFilter("saisie__table__quartier__slug")
    saisie = EntierFilter(field_name="saisie_id", label=gettext_lazy("saisie (id)"), min_value=1)
    indicateur = filters.CharFilter(
        field_name="indicateur__code", label=gettext_lazy("indicateur (code)")
    )

    class Meta:
        model = CommentaireSaisie
        fields = ["quartier", "saisie", "periode", "periode_debut", "periode_fin", "indicateur"]

    def verifier(self, formulaire, donnees: dict) -> None:
        super().verifier(formulaire, donnees)
        code = donnees.get("indicateur")
        if code and not Indicateur.objects.connus_de(self.request.user).filter(code=code).exists():
            # Le texte en paramètre : django-filters formate chaque message avec les siens, et
            # un « % » du code reçu (« ?indicateur=50% ») casserait un message déjà formaté.
            message = _("Indicateur inconnu : « {value} ».").format(value=code)
            formulaire.add_error(
                "indicateur", forms.ValidationError("%(message)s", params={"message": message})
            )


def _saisie(pk: int) -> Saisie:
    """La saisie `pk`, avec son quartier et sa période; 404 si elle n'existe pas (une saisie
    invisible répond le même 404, au service)."""
    saisie = Saisie.objects.select_related("table__quartier", "periode").filter(pk=pk).first()
    if saisie is None:
        raise exceptions.NotFound(_("Saisie introuvable."))
    return saisie


def _indicateur(saisie: Saisie, code: str | None, texte: str | None) -> Indicateur | None:
    """L'indicateur de code `code`, que le service vérifie (un indicateur étranger à la saisie :
    400). Un code qui n'existe pas reçoit le même message, avec ceux du texte s'il y en a."""
    if code is None:
        return None
    indicateur = Indicateur.objects.filter(code=code).first()
    if indicateur is not None:
        return indicateur
    erreurs = {"indicateur": [_("Cet indicateur ne fait pas partie de cette saisie.")]}
    try:
        services_commentaires.verifier_commentaire(saisie, texte, None)
    except ValidationError as refus:
        erreurs = {**refus.message_dict, **erreurs}
    raise ValidationError(erreurs)


ENTETE_IDEMPOTENCE = "Idempotency-Key"


def _jeton(request) -> uuid.UUID | None:
    """L'UUID de l'en-tête `Idempotency-Key`, None sans lui; 400 s'il n'en est pas un."""
    valeur = request.headers.get(ENTETE_IDEMPOTENCE)
    if valeur is None:
        return None
    try:
        return uuid.UUID(valeur.strip())
    except ValueError:
        raise exceptions.ValidationError(
            {
                ENTETE_IDEMPOTENCE: [
                    _(
                        "L'en-tête Idempotency-Key doit être un UUID, par exemple "
                        "« 8f14e45f-ceea-467f-a0e6-1fe05f4b1c3d »."
                    )
                ]
            }
        ) from None


CLE_D_IDEMPOTENCE = OpenApiParameter(
    ENTETE_IDEMPOTENCE,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Facultatif : un UUID tiré pour cet ajout. Le même ajout envoyé de nouveau avec la même "
        "clé (une réponse perdue, un client qui réessaie) répond 200 avec le commentaire déjà "
        "écrit, sans en écrire un second ni prévenir de nouveau la coordination."
    ),
)
R200_REJOUE = OpenApiResponse(
    CommentaireSerializer,
    description=gettext_lazy(
        "Ajout rejoué avec la même clé Idempotency-Key : le commentaire déjà écrit, rien de plus."
    ),
)
R409 = OpenApiResponse(
    ErreurSerializer,
    description=gettext_lazy(
        "La clé Idempotency-Key a déjà servi à un autre commentaire de la même personne. Rien "
        "n'est écrit."
    ),
)


R400 = OpenApiResponse(
    ErreursSerializer,
    description=gettext_lazy(
        "Texte vide, invisible ou trop long, indicateur étranger à la saisie, clé "
        "Idempotency-Key qui n'est pas un UUID : messages par champ (`texte`, `indicateur`, "
        "`saisie`, `Idempotency-Key`). Rien n'est écrit."
    ),
)


@schema_lecture(CommentaireSerializer, gettext_lazy("commentaires des saisies visibles"), TAG)
@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("Commenter une saisie"),
        tags=[TAG],
        description=gettext_lazy(
            "Il faut le droit de commenter le quartier (coordination : le sien; conseil : les "
            "quartiers affectés; évaluation et administration : tous), sinon 403. Une saisie "
            "d'un quartier invisible répond 404. Le commentaire ne change ni les valeurs, ni la "
            "version, ni le statut de la saisie, quel que soit ce statut; l'auteur·e est la "
            "personne connectée."
        ),
        request=CreationCommentaireSerializer,
        parameters=[CLE_D_IDEMPOTENCE],
        responses={
            201: CommentaireSerializer,
            200: R200_REJOUE,
            400: R400,
            409: R409,
            **reponses_erreur(401, 403, 404, 429),
        },
    ),
    retirer=extend_schema(
        summary=gettext_lazy("Retirer son commentaire"),
        tags=[TAG],
        description=gettext_lazy(
            "Seul·e son auteur·e retire un commentaire (403 pour toute autre personne) : le "
            "texte est effacé, la ligne reste avec la date du retrait. Retirer un commentaire "
            "déjà retiré ne change rien (200)."
        ),
        request=None,
        responses={200: CommentaireSerializer, **reponses_erreur(401, 403, 404, 429)},
    ),
)
class CommentaireViewSet(
    IntrouvableTraduit,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    introuvable = gettext_lazy("Commentaire introuvable.")
    description_api = gettext_lazy(
        "Les commentaires des saisies des quartiers visibles : une discussion à côté des "
        "données, hors des bilans et des tableaux de bord."
    )
    serializer_class = CommentaireSerializer
    filterset_class = FiltresCommentaire
    ordering_fields = ["id", "created_at", "retire_le"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        # Requêtes : le compte de la page, puis la page (quartier, période, indicateur et
        # auteur·e joints), quel que soit le nombre de commentaires.
        return CommentaireSaisie.objects.filter(
            saisie__table__quartier__in=visibles(self.request)
        ).select_related("saisie__table__quartier", "saisie__periode", "indicateur", "auteur")

    def create(self, request, *args, **kwargs):
        entree = CreationCommentaireSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        donnees = entree.validated_data
        saisie = _saisie(donnees["saisie"])
        # Le droit avant le contenu, comme la page : 404, puis 403, puis les champs.
        services_commentaires.exiger_de_pouvoir_commenter(request.user, saisie)
        jeton = _jeton(request)
        texte = donnees.get("texte")
        try:
            commentaire, ecrit = services_commentaires.ecrire_commentaire(
                auteur=request.user,
                saisie=saisie,
                texte=texte,
                indicateur=_indicateur(saisie, donnees.get("indicateur"), texte),
                jeton=jeton,
            )
        except services_commentaires.JetonDejaUtilise:
            message = _(
                "La clé Idempotency-Key a déjà servi à un autre commentaire (autre saisie, autre "
                "indicateur ou autre texte) : un nouveau commentaire demande une nouvelle clé. "
                "Rien n'est écrit."
            )
            return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
        return Response(
            CommentaireSerializer(commentaire).data,
            status=status.HTTP_201_CREATED if ecrit else status.HTTP_200_OK,
        )

    @action(detail=True, methods=["post"])
    def retirer(self, request, pk=None, format=None):
        commentaire = self.get_object()
        services_commentaires.retirer_commentaire(auteur=request.user, commentaire=commentaire)
        return Response(CommentaireSerializer(commentaire).data)


ROUTES = [
    ("commentaires", CommentaireViewSet, "commentaires"),
]
