"""API de la saisie trimestrielle : `saisies` (lecture, création, circuit de validation, écriture
groupée des valeurs). Les valeurs en lecture sont dans `indicateurs.api_valeurs`.

Mêmes règles que les formulaires : on part du sélecteur d'accès, on appelle les services. Le
verrou optimiste passe par HTTP : chaque réponse porte `ETag: "<version>"`, chaque écriture exige
`If-Match` (428 sans lui, 412 s'il est périmé — et alors rien n'a changé)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from evalpic.api.commun import IntrouvableTraduit
from evalpic.api.schema import ErreurSerializer
from indicateurs import selectors, services
from indicateurs.api_filtres import CodePeriodeField, FiltresParPeriode, QuartierFilter
from indicateurs.models import (
    Indicateur,
    Periode,
    Saisie,
    StatutSaisie,
    TypeEvenement,
)
from indicateurs.validation import DonneeValeur, analyser, verifier_donnee
from quartiers.acces import Droit, quartiers_accessibles
from rapports.csv import texte_decimal

# --- Sérialiseurs -------------------------------------------------------------------------------


class SaisieSerializer(serializers.ModelSerializer):
    quartier = serializers.CharField(source="table.quartier.slug", read_only=True)
    table = serializers.IntegerField(source="table_id", read_only=True)
    periode = serializers.CharField(
        source="periode.code", read_only=True, help_text=gettext_lazy("« 2025-T2 »")
    )

    class Meta:
        model = Saisie
        fields = [
            "id",
            "quartier",
            "table",
            "periode",
            "statut",
            "version",
            "motif_renvoi",
            "soumise_le",
            "validee_le",
        ]
        read_only_fields = fields


class CreationSaisieSerializer(serializers.Serializer):
    quartier = serializers.SlugField(help_text=gettext_lazy("Identifiant (slug) du quartier."))
    periode = CodePeriodeField(
        help_text=gettext_lazy("Code de la période, par exemple « 2025-T2 »."),
    )


class MotifSerializer(serializers.Serializer):
    motif = serializers.CharField(
        allow_blank=True,
        max_length=services.LONGUEUR_MOTIF_MAX,
        help_text=gettext_lazy("Obligatoire."),
    )


class ItemValeurSerializer(serializers.Serializer):
    indicateur = serializers.CharField(
        max_length=40, help_text=gettext_lazy("Code de l'indicateur.")
    )
    valeur = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=gettext_lazy(
            "Texte tel que saisi (« 12 », « 45,5 »), lu selon l'unité; null si absente."
        ),
    )
    non_disponible = serializers.BooleanField(default=False)
    raison = serializers.CharField(allow_blank=True, default="")
    commentaire = serializers.CharField(allow_blank=True, default="")
    preuve_url = serializers.CharField(allow_blank=True, default="")


class EcritureValeursSerializer(serializers.Serializer):
    valeurs = ItemValeurSerializer(many=True, allow_empty=False, max_length=500)
    motif = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=services.LONGUEUR_MOTIF_MAX,
        help_text=gettext_lazy(
            "Pourquoi ces valeurs changent, gardé dans l'historique à côté de chacune. "
            "Obligatoire pour changer une valeur d'une saisie déjà soumise (renvoyée ou "
            "rouverte) : sinon 400 « motif »."
        ),
    )


class EnregistrementSerializer(serializers.Serializer):
    saisie = SaisieSerializer()
    modifications = serializers.IntegerField(help_text=gettext_lazy("Nombre de valeurs changées."))
    avertissements = serializers.DictField(
        child=serializers.CharField(),
        help_text=gettext_lazy(
            "Valeurs inhabituelles, par code d'indicateur : à confirmer d'un commentaire."
        ),
    )


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
)
class MessagesField(serializers.JSONField):
    """Un message (requête illisible) ou une liste de messages (règle refusée)."""


MESSAGES_PAR_CHAMP = {"type": "array", "items": {"type": "string"}}


@extend_schema_serializer(
    description=gettext_lazy(
        "Une liste de messages par champ (ou `detail` pour une erreur d'ensemble)."
    )
)
class ErreursSerializer(serializers.Serializer):
    # Les autres clés sont des noms de champs (ou de filtres), chacun avec ses messages
    # (evalpic.api.schema.SchemaAuto).
    proprietes_supplementaires = MESSAGES_PAR_CHAMP

    detail = MessagesField(required=False)


class ErreursValeursSerializer(serializers.Serializer):
    proprietes_supplementaires = MESSAGES_PAR_CHAMP

    valeurs = serializers.JSONField(
        required=False,
        help_text=gettext_lazy(
            "Par rang de l'élément (« 0 », « 3 »…) : les messages de chaque partie "
            "(`indicateur`, `valeur`, `raison`, `commentaire`, `preuve_url`); ou une liste de "
            "messages si la liste elle-même est invalide."
        ),
    )
    motif = serializers.ListField(child=serializers.CharField(), required=False)
    periode = serializers.ListField(child=serializers.CharField(), required=False)
    detail = MessagesField(required=False)


class ErreursSoumissionSerializer(serializers.Serializer):
    proprietes_supplementaires = MESSAGES_PAR_CHAMP

    valeurs = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        required=False,
        help_text=gettext_lazy(
            "Par code d'indicateur : ce qui empêche de soumettre, sous `valeur` (valeur "
            "manquante et non expliquée, ou valeur inhabituelle sans commentaire)."
        ),
    )
    periode = serializers.ListField(child=serializers.CharField(), required=False)
    detail = MessagesField(required=False)


class DonneeEnregistreeSerializer(serializers.Serializer):
    """Une valeur enregistrée, champ par champ, sous la forme d'un élément de `PUT …/valeurs/`."""

    valeur = serializers.CharField(allow_null=True)
    non_disponible = serializers.BooleanField()
    raison = serializers.CharField(allow_blank=True)
    commentaire = serializers.CharField(allow_blank=True)
    preuve_url = serializers.CharField(allow_blank=True)


class RenvoiSerializer(serializers.Serializer):
    evenement = serializers.ChoiceField(
        choices=[TypeEvenement.RENVOI.value, TypeEvenement.REOUVERTURE.value]
    )
    motif = serializers.CharField()
    le = serializers.DateTimeField()


class ConflitSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(
        help_text=gettext_lazy('La version actuelle (son ETag est « "version" »).')
    )
    valeurs = serializers.DictField(
        child=serializers.CharField(),
        help_text=gettext_lazy("Les valeurs actuellement enregistrées, par code d'indicateur."),
    )
    donnees = serializers.DictField(child=DonneeEnregistreeSerializer())
    renvoi = RenvoiSerializer(allow_null=True)


# --- Filtres ------------------------------------------------------------------------------------


class FiltresSaisie(FiltresParPeriode):
    quartier = QuartierFilter("table__quartier__slug")
    statut = filters.ChoiceFilter(choices=StatutSaisie.choices)

    class Meta:
        model = Saisie
        fields = ["quartier", "periode", "periode_debut", "periode_fin", "statut"]


# --- Verrou optimiste par HTTP ------------------------------------------------------------------


class PreconditionRequise(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = gettext_lazy(
        "En-tête If-Match manquant (ou « * ») : renvoyez l'ETag lu sur la saisie (par exemple "
        "\"3\"), pour qu'aucune écriture n'écrase celle de quelqu'un d'autre."
    )


ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,9})"?\Z')


def etag(version: int) -> str:
    return f'"{version}"'


def versions_annoncees(request) -> set[int]:
    """Les versions que nomme If-Match (« "3" », « W/"3" », plusieurs séparées de virgules);
    428 sans lui."""
    entete = request.headers.get("If-Match", "").strip()
    if not entete or entete == "*":
        raise PreconditionRequise()
    return {int(m[1]) for partie in entete.split(",") if (m := ETAG.match(partie.strip()))}


def version_annoncee(request, saisie: Saisie) -> int:
    """La version que le client a lue : l'actuelle si If-Match la nomme, sinon la plus récente
    qu'il nomme (0 s'il n'en nomme aucune lisible); 428 sans If-Match."""
    versions = versions_annoncees(request)
    return saisie.version if saisie.version in versions else max(versions, default=0)


def version_demandee(request, saisie: Saisie) -> int:
    """La version annoncée par If-Match; 428 sans elle, conflit (412) si ce n'est pas la
    version actuelle."""
    if saisie.version not in versions_annoncees(request):
        actuelles = {v.indicateur_id: services.donnee_de(v) for v in saisie.valeurs.all()}
        raise services.ConflitDeVersion(saisie, actuelles)
    return saisie.version


def donnee_en_json(donnee: DonneeValeur) -> dict:
    """Une donnée enregistrée sous la forme d'un élément de `PUT …/valeurs/` (sans son
    indicateur) : ce qu'un client renverrait pour l'écrire telle quelle."""
    nombre = donnee.valeur
    return {
        "valeur": texte_decimal(nombre) if nombre is not None else (donnee.texte or None),
        "non_disponible": donnee.non_disponible,
        "raison": donnee.raison,
        "commentaire": donnee.commentaire,
        "preuve_url": donnee.preuve_url,
    }


def reponse_conflit(conflit: services.ConflitDeVersion) -> Response:
    ids = list(conflit.valeurs_actuelles)
    codes = dict(Indicateur.objects.filter(pk__in=ids).values_list("pk", "code"))
    actuelles = conflit.valeurs_actuelles
    corps = {
        "detail": str(conflit),
        "version": conflit.saisie.version,
        "valeurs": {codes[pk]: services.decrire(d) for pk, d in actuelles.items()},
        "donnees": {codes[pk]: donnee_en_json(d) for pk, d in actuelles.items()},
        "renvoi": _renvoi_en_json(conflit.renvoi),
    }
    entetes = {"ETag": etag(conflit.saisie.version)}
    return Response(corps, status=status.HTTP_412_PRECONDITION_FAILED, headers=entetes)


def _renvoi_en_json(evenement) -> dict | None:
    if evenement is None:
        return None
    return {
        "evenement": evenement.type_evenement,
        "motif": evenement.motif,
        "le": serializers.DateTimeField().to_representation(evenement.created_at),
    }


def reponse_saisie(saisie: Saisie, statut: int = status.HTTP_200_OK) -> Response:
    return Response(
        SaisieSerializer(saisie).data, status=statut, headers={"ETag": etag(saisie.version)}
    )


# --- Écriture groupée : du JSON aux données du service -----------------------------------------


def _donnee(unite: str, item: dict) -> DonneeValeur:
    # La lecture du formulaire et de l'import, ses règles comprises (un exposant, « 1e3 », est
    # refusé par elle, avec la valeur sans exposant proposée).
    lue = analyser(unite, item["valeur"] or "")
    return DonneeValeur(
        valeur=lue if isinstance(lue, Decimal) else None,
        texte=lue if isinstance(lue, str) else "",
        non_disponible=item["non_disponible"],
        raison=item["raison"],
        commentaire=item["commentaire"],
        preuve_url=item["preuve_url"],
    )


def _lire_item(
    item: dict, indicateur: Indicateur | None, deja: bool
) -> tuple[DonneeValeur | None, dict | None]:
    """(donnée, None) si l'élément est valide, sinon (None, erreurs par partie)."""
    if indicateur is None:
        return None, {"indicateur": [_("Indicateur inconnu, ou que cette table ne saisit pas.")]}
    if deja:
        return None, {"indicateur": [_("Cet indicateur figure deux fois dans la liste.")]}
    try:
        donnee = _donnee(indicateur.unite, item)
    except ValidationError as erreur:
        return None, {"valeur": erreur.messages}
    erreurs = verifier_donnee(indicateur.unite, donnee)
    return (None, erreurs) if erreurs else (donnee, None)


def donnees_des_items(
    items: list[dict], attendus: dict[str, Indicateur]
) -> tuple[dict[int, DonneeValeur], dict[int, int]]:
    """Les données par id d'indicateur et le rang de chaque élément; 400 nommant chaque
    élément fautif s'il y en a un seul."""
    donnees: dict[int, DonneeValeur] = {}
    rangs: dict[int, int] = {}
    erreurs: dict[str, dict] = {}
    for rang, item in enumerate(items):
        indicateur = attendus.get(item["indicateur"])
        deja = indicateur is not None and indicateur.pk in rangs
        donnee, probleme = _lire_item(item, indicateur, deja)
        if probleme:
            erreurs[str(rang)] = probleme
            continue
        donnees[indicateur.pk] = donnee
        rangs[indicateur.pk] = rang
    if erreurs:
        raise exceptions.ValidationError({"valeurs": erreurs})
    return donnees, rangs


def _par_indicateur(erreur: ValidationError, noms: dict[int, str]) -> Exception:
    """Les clés « <id>.<partie> » du service deviennent {"valeurs": {nom: {partie: …}}}, le nom
    d'un indicateur étant ce que le client connaît de lui : l'API ne montre jamais d'id."""
    if not hasattr(erreur, "error_dict"):
        return erreur
    par_nom: dict[str, dict] = {}
    autres: dict[str, list] = {}
    for cle, messages in erreur.message_dict.items():
        pk, point, partie = cle.partition(".")
        if point and pk.isdigit() and int(pk) in noms:
            par_nom.setdefault(noms[int(pk)], {})[partie] = messages
        else:
            autres[cle] = messages
    return exceptions.ValidationError({**autres, **({"valeurs": par_nom} if par_nom else {})})


def erreurs_par_rang(erreur: ValidationError, rangs: dict[int, int]) -> Exception:
    """Une écriture groupée : chaque élément fautif est nommé par son rang dans la liste."""
    return _par_indicateur(erreur, {pk: str(rang) for pk, rang in rangs.items()})


def erreurs_par_code(erreur: ValidationError) -> Exception:
    """Une soumission refusée : chaque indicateur est nommé par son code (une requête)."""
    ids = {
        int(pk)
        for cle in getattr(erreur, "error_dict", {})
        if (pk := cle.partition(".")[0]).isdigit()
    }
    codes = dict(Indicateur.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}
    return _par_indicateur(erreur, codes)


def periode_du_code(code: str) -> Periode:
    periode = Periode.objects.par_code(code)
    if periode is None:
        raise exceptions.ValidationError({"periode": [_("Période introuvable.")]})
    return periode


# --- Documentation des réponses -----------------------------------------------------------------

SI_CORRESPOND = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=gettext_lazy('L\'ETag lu sur la saisie, par exemple "3" (W/"3" accepté).'),
)
ETAG_REPONSE = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description=gettext_lazy('La version de la saisie, entre guillemets : "3".'),
)
R401 = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Non authentifié, ou jeton révoqué.")
)
R403 = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Quartier visible, mais droit manquant.")
)
R404 = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Introuvable, ou quartier non visible.")
)
R404_LISTE = OpenApiResponse(
    ErreurSerializer, description=gettext_lazy("Page ou curseur inexistant.")
)
R400 = OpenApiResponse(
    ErreursSerializer, description=gettext_lazy("Données invalides : messages par champ.")
)
R412 = OpenApiResponse(
    ConflitSerializer,
    description=gettext_lazy(
        "If-Match périmé : la saisie a changé. Rien n'a été modifié; le corps donne la "
        "version et les valeurs actuelles."
    ),
)
R428 = OpenApiResponse(ErreurSerializer, description=gettext_lazy("En-tête If-Match manquant."))
SAISIE_200 = OpenApiResponse(
    SaisieSerializer, description=gettext_lazy("La saisie, avec son nouvel ETag.")
)


R400_TRANSITION = OpenApiResponse(
    ErreursSerializer, description=gettext_lazy("Statut incompatible, ou motif manquant.")
)
R400_SOUMISSION = OpenApiResponse(
    ErreursSoumissionSerializer,
    description=gettext_lazy(
        "Statut incompatible, période à venir, ou saisie incomplète : chaque indicateur qui "
        "l'empêche est nommé par son code. Rien n'est soumis."
    ),
)


def _schema_transition(resume, corps=None, r400=R400_TRANSITION):
    return extend_schema(
        summary=resume,
        request=corps,
        parameters=[SI_CORRESPOND, ETAG_REPONSE],
        responses={
            200: SAISIE_200,
            400: r400,
            401: R401,
            403: R403,
            404: R404,
            412: R412,
            428: R428,
        },
    )


# --- Saisies ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Saisies des quartiers visibles"),
        responses={200: SaisieSerializer(many=True), 400: R400, 401: R401, 404: R404_LISTE},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Une saisie"),
        parameters=[ETAG_REPONSE],
        responses={200: SaisieSerializer, 401: R401, 404: R404},
    ),
)
class SaisieViewSet(
    IntrouvableTraduit,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    introuvable = gettext_lazy("Saisie introuvable.")
    description_api = gettext_lazy(
        "Les saisies trimestrielles (table × période) des quartiers visibles."
    )

    serializer_class = SaisieSerializer
    filterset_class = FiltresSaisie
    ordering_fields = ["id", "quartier", "periode", "statut", "version", "soumise_le", "validee_le"]
    ordering = ["periode", "quartier", "id"]

    def get_queryset(self):
        visibles = quartiers_accessibles(self.request.user, Droit.VOIR)
        return (
            Saisie.objects.filter(table__quartier__in=visibles)
            .select_related("table__quartier", "periode")
            .annotate(quartier=F("table__quartier__slug"))
        )

    def handle_exception(self, exc):
        if isinstance(exc, services.ConflitDeVersion):
            return reponse_conflit(exc)
        return super().handle_exception(exc)

    def retrieve(self, request, *args, **kwargs):
        return reponse_saisie(self.get_object())

    @extend_schema(
        summary=gettext_lazy("Ouvrir la saisie d'une table pour une période (créée au besoin)"),
        request=CreationSaisieSerializer,
        parameters=[ETAG_REPONSE],
        responses={
            200: OpenApiResponse(SaisieSerializer, description=gettext_lazy("Elle existait déjà.")),
            201: OpenApiResponse(
                SaisieSerializer, description=gettext_lazy("Créée, en brouillon.")
            ),
            400: R400,
            401: R401,
            403: R403,
            404: R404,
        },
    )
    def create(self, request, *args, **kwargs):
        entree = CreationSaisieSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        quartier = selectors.quartier_et_table(request.user, entree.validated_data["quartier"])
        table = quartier.table
        services.exiger_droit(request.user, Droit.SAISIR, table)
        periode = periode_du_code(entree.validated_data["periode"])
        # 201 seulement pour la requête qui l'a créée : deux envois au même instant (un client
        # qui réessaie) reçoivent 201 et 200, jamais deux 201 pour une ligne.
        saisie, creee = services.ouvrir_saisie(table=table, periode=periode, auteur=request.user)
        return reponse_saisie(saisie, status.HTTP_201_CREATED if creee else status.HTTP_200_OK)

    def _transition(
        self, request, droit: Droit, service, avec_motif: bool = False, deja=None
    ) -> Response:
        """Accès (404, 403), If-Match (428, 412), motif (400), puis le service. `deja` : la
        règle qui dit que la transition demandée depuis la version annoncée est déjà faite
        (`services.deja_soumise`, `services.deja_decidee`), avec le même motif — la réponse est
        alors la saisie, telle quelle (200). Le service la revérifie sous le verrou de la
        saisie, pour deux envois au même instant."""
        saisie = self.get_object()
        services.exiger_droit(request.user, droit, saisie.table)
        arguments = {}
        entree = MotifSerializer(data=request.data) if avec_motif else None
        if entree is not None and entree.is_valid():
            arguments["motif"] = entree.validated_data["motif"]
        if (
            deja
            and (entree is None or arguments)
            and deja(
                saisie=saisie,
                auteur=request.user,
                version=version_annoncee(request, saisie),
                **arguments,
            )
        ):
            return reponse_saisie(saisie)
        version = version_demandee(request, saisie)
        if entree is not None:
            entree.is_valid(raise_exception=True)
        saisie = service(saisie=saisie, auteur=request.user, version=version, **arguments)
        return reponse_saisie(saisie)

    @_schema_transition(
        gettext_lazy("Soumettre pour validation (coordination)"), r400=R400_SOUMISSION
    )
    @action(detail=True, methods=["post"])
    def soumettre(self, request, pk=None, format=None):
        try:
            return self._transition(
                request, Droit.SAISIR, services.soumettre_saisie, deja=services.deja_soumise
            )
        except ValidationError as erreur:
            raise erreurs_par_code(erreur) from erreur

    @_schema_transition(gettext_lazy("Valider : les données sont verrouillées (évaluation)"))
    @action(detail=True, methods=["post"])
    def valider(self, request, pk=None, format=None):
        return self._transition(
            request, Droit.VALIDER, services.valider_saisie, deja=_deja(TypeEvenement.VALIDATION)
        )

    @_schema_transition(
        gettext_lazy("Renvoyer à la table, avec un motif (évaluation)"), MotifSerializer
    )
    @action(detail=True, methods=["post"])
    def renvoyer(self, request, pk=None, format=None):
        return self._transition(
            request,
            Droit.VALIDER,
            services.renvoyer_saisie,
            avec_motif=True,
            deja=_deja(TypeEvenement.RENVOI),
        )

    @_schema_transition(
        gettext_lazy("Rouvrir une saisie validée, avec un motif (évaluation)"), MotifSerializer
    )
    @action(detail=True, methods=["post"])
    def rouvrir(self, request, pk=None, format=None):
        return self._transition(
            request,
            Droit.VALIDER,
            services.rouvrir_saisie,
            avec_motif=True,
            deja=_deja(TypeEvenement.REOUVERTURE),
        )

    @extend_schema(
        summary=gettext_lazy("Écrire plusieurs valeurs d'un coup (tout ou rien)"),
        request=EcritureValeursSerializer,
        parameters=[SI_CORRESPOND, ETAG_REPONSE],
        responses={
            200: OpenApiResponse(
                EnregistrementSerializer,
                description=gettext_lazy(
                    "Tout est écrit, avec l'historique; valeurs inhabituelles signalées."
                ),
            ),
            400: OpenApiResponse(
                ErreursValeursSerializer,
                description=gettext_lazy(
                    "Au moins un élément est invalide (chacun est nommé par son rang), "
                    "ou la saisie n'est plus modifiable : rien n'est écrit."
                ),
            ),
            401: R401,
            403: R403,
            404: R404,
            412: R412,
            428: R428,
        },
    )
    @action(detail=True, methods=["put"], url_path="valeurs", url_name="valeurs")
    def ecrire_valeurs(self, request, pk=None, format=None):
        saisie = self.get_object()
        services.exiger_droit(request.user, Droit.SAISIR, saisie.table)
        annoncee = version_annoncee(request, saisie)
        entree = EcritureValeursSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        attendus = {i.code: i for i in services.indicateurs_a_saisir(saisie.table)}
        codes = {i.pk: code for code, i in attendus.items()}
        donnees, rangs = donnees_des_items(entree.validated_data["valeurs"], attendus)
        if deja := self._deja_enregistre(request, saisie, annoncee, donnees, codes):
            return deja
        version = version_demandee(request, saisie)
        try:
            resultat = services.enregistrer_saisie(
                saisie=saisie,
                auteur=request.user,
                version=version,
                donnees=donnees,
                motif=entree.validated_data["motif"],
            )
        except ValidationError as erreur:
            raise erreurs_par_rang(erreur, rangs) from erreur
        return _reponse_enregistrement(resultat, codes)

    def _deja_enregistre(
        self, request, saisie: Saisie, annoncee: int, donnees: dict, codes: dict[int, str]
    ) -> Response | None:
        """Les données envoyées sont celles enregistrées (`services.rien_a_ecrire`, la règle du
        formulaire) : rien ne s'écrit et la version ne change pas — un client qui réessaie après
        une réponse perdue, avec le même If-Match, reçoit 200 et la version actuelle, et un envoi
        sans changement ne crée pas de faux conflit pour les autres. Sauf si la saisie a été
        renvoyée ou rouverte depuis la version annoncée : 412 avec le motif, rien n'est écrit
        (comme le formulaire). None : il y a à écrire."""
        actuelles = {v.indicateur_id: services.donnee_de(v) for v in saisie.valeurs.all()}
        if not services.rien_a_ecrire(
            saisie=saisie,
            quartier_id=saisie.table.quartier_id,
            auteur=request.user,
            actuelles=actuelles,
            donnees=donnees,
        ):
            return None
        if annoncee != saisie.version and (renvoi := services.renvoi_depuis(saisie, annoncee)):
            raise services.ConflitDeVersion(saisie, actuelles, renvoi=renvoi)
        resultat = services.Enregistrement(
            saisie, 0, services.valeurs_inhabituelles(saisie, donnees)
        )
        return _reponse_enregistrement(resultat, codes)


def _deja(evenement: str):
    """`services.deja_decidee` pour la décision `evenement`, comme `_transition` l'appelle."""
    return partial(services.deja_decidee, evenement=evenement)


def _reponse_enregistrement(resultat: services.Enregistrement, codes: dict[int, str]) -> Response:
    corps = {
        "saisie": SaisieSerializer(resultat.saisie).data,
        "modifications": resultat.modifications,
        "avertissements": {codes[pk]: m for pk, m in resultat.avertissements.items()},
    }
    return Response(corps, headers={"ETag": etag(resultat.saisie.version)})


ROUTES = [
    ("saisies", SaisieViewSet, "saisies"),
]
