from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.base.internal.flows import delete_dangling_recovery_codes
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from evalpic.admin_entrees import EntreesVerifieesMixin
from quartiers.comptes import (
    aligner_les_courriels,
    aligner_les_statuts,
    auteurs_d_historique,
    courriel_pris_ailleurs,
    retirer_l_acces,
)
from quartiers.forms import COURRIEL_INVALIDE
from quartiers.jetons import revoquer_jeton
from quartiers.models import (
    COURRIEL_DEJA_UTILISE,
    Affectation,
    JetonAPI,
    Partenaire,
    Participation,
    Quartier,
    Secteur,
    TableDeQuartier,
    Utilisateur,
)


class AffectationInline(EntreesVerifieesMixin, admin.TabularInline):
    model = Affectation
    extra = 0
    autocomplete_fields = ["quartier"]


class CourrielSansDoublonMixin:
    """Le courriel d'un autre compte, à la casse près, est refusé à côté du champ : son courriel
    de connexion (la contrainte `utilisateur_courriel_unique_insensible_casse` le refuse aussi,
    mais sans nommer le champ) comme l'un des courriels de sa page « Courriels », avec lesquels
    il peut aussi se connecter et recevoir la réinitialisation du mot de passe."""

    def clean_email(self) -> str:
        courriel = self.cleaned_data.get("email")
        if courriel and courriel_pris_ailleurs(courriel, sauf=self.instance):
            raise ValidationError(COURRIEL_DEJA_UTILISE, code="unique")
        return courriel


class UtilisateurCreationForm(CourrielSansDoublonMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Utilisateur
        fields = ["email"]
        field_classes: dict = {}


class UtilisateurChangeForm(CourrielSansDoublonMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Utilisateur


def _refuser_les_auteurs(modele_admin, request, utilisateurs) -> bool:
    """Vrai (et un message) si l'un des `utilisateurs` figure dans l'historique : son compte ne
    se supprime pas (son nom en disparaîtrait, les clés étant SET_NULL), il se désactive."""
    auteurs = [str(personne) for personne in auteurs_d_historique(utilisateurs)]
    if not auteurs:
        return False
    modele_admin.message_user(
        request,
        ngettext(
            "Le compte de %(personnes)s n'est pas supprimé : son nom figure dans l'historique "
            "(saisies, apprentissages, bilans), et la suppression l'effacerait. Pour retirer "
            "l'accès, décochez plutôt « Actif » sur sa fiche.",
            "Les comptes de %(personnes)s ne sont pas supprimés : leurs noms figurent dans "
            "l'historique (saisies, apprentissages, bilans), et la suppression les effacerait. "
            "Pour retirer l'accès, décochez plutôt « Actif » sur leurs fiches.",
            len(auteurs),
        )
        % {"personnes": ", ".join(auteurs)},
        messages.ERROR,
    )
    return True


def _supprimer_les_comptes_sans_historique(modele_admin, request, queryset):
    """L'action « supprimer » de Django, refusée tout entière si un compte coché figure dans
    l'historique (rien n'est supprimé; le message les nomme)."""
    if _refuser_les_auteurs(modele_admin, request, queryset):
        return None
    return delete_selected(modele_admin, request, queryset)


# Les permissions de Django portent un nom écrit une fois pour toutes à la migration, en anglais
# et avec le nom brut du modèle (« Can add cible ») : les listes de permissions de l'administration
# les disent plutôt avec le nom du modèle et l'action dans la langue de qui les lit
# (« Stratégies et indicateurs | cible | peut ajouter »).
ACTIONS_DES_PERMISSIONS = {
    "add": pgettext_lazy("permission", "peut ajouter"),
    "change": pgettext_lazy("permission", "peut modifier"),
    "delete": pgettext_lazy("permission", "peut supprimer"),
    "view": pgettext_lazy("permission", "peut consulter"),
}


def libelle_de_permission(permission) -> str:
    """« application | modèle | action » traduits, pour les quatre permissions que Django crée
    pour chaque modèle; toute autre permission (ou celle d'un modèle disparu) garde son nom."""
    type_ = permission.content_type
    action, _sep, modele = permission.codename.partition("_")
    if modele == type_.model and action in ACTIONS_DES_PERMISSIONS and type_.model_class():
        return f"{type_} | {ACTIONS_DES_PERMISSIONS[action]}"
    return str(permission)


class ChampDesPermissions(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return libelle_de_permission(obj)


class PermissionsTraduitesMixin:
    """Les champs `permissions` (groupe) et `user_permissions` (compte) libellés par
    `libelle_de_permission`."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs.setdefault("form_class", ChampDesPermissions)
            queryset = kwargs.get("queryset", db_field.remote_field.model.objects)
            kwargs["queryset"] = queryset.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupeAdmin(EntreesVerifieesMixin, PermissionsTraduitesMixin, GroupAdmin):
    pass


@admin.register(Utilisateur)
class UtilisateurAdmin(EntreesVerifieesMixin, PermissionsTraduitesMixin, UserAdmin):
    form = UtilisateurChangeForm
    add_form = UtilisateurCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role_global", "langue", "is_active"]
    list_filter = ["role_global", "langue", "is_active", "is_staff"]
    # Aussi par les courriels de la page « Courriels » : celui qu'un ajout refuse comme « déjà
    # utilisé » se retrouve ainsi.
    search_fields = ["email", "first_name", "last_name", "emailaddress__email"]
    inlines = [AffectationInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "langue"]}),
        (
            _("Rôles"),
            {
                "fields": ["role_global", "is_active", "is_staff", "is_superuser"],
                "description": _(
                    "Le rôle « administrateur·trice » ouvre l'administration avec tous les "
                    "droits (statut équipe et superutilisateur); les autres rôles ne l'ouvrent "
                    "pas. Pour retirer l'accès, décochez « Actif »."
                ),
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "role_global"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        champ = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "email":  # « courriel », comme les pages des comptes
            champ.error_messages["invalid"] = COURRIEL_INVALIDE
        return champ

    def delete_view(self, request, object_id, extra_context=None):
        personne = self.get_object(request, unquote(object_id))
        if personne is not None and _refuser_les_auteurs(
            self, request, Utilisateur.objects.filter(pk=personne.pk)
        ):
            return redirect(reverse("admin:quartiers_utilisateur_change", args=[personne.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _fonction, nom, description = actions["delete_selected"]
            actions[nom] = (_supprimer_les_comptes_sans_historique, nom, description)
        return actions

    # Les statuts suivent le rôle (quartiers.comptes.aligner_les_statuts).
    readonly_fields = ["is_staff", "is_superuser"]

    def save_model(self, request, obj, form, change):
        aligner_les_statuts(obj)
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            # L'ancien courriel ne doit plus ouvrir le compte (quartiers.comptes).
            aligner_les_courriels(utilisateur=obj)


# Les courriels des comptes (allauth) : consultables et supprimables, jamais ajoutés ni modifiés
# ici. Le courriel de connexion se change sur la fiche du compte (UtilisateurAdmin), qui retire
# les anciens; « marquer vérifié » d'allauth aurait laissé l'administration valider une adresse
# que la personne a ajoutée sans la prouver.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class CourrielDuCompteAdmin(EntreesVerifieesMixin, EmailAddressAdmin):
    actions: list = []
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Les authentificateurs (allauth.mfa) : on consulte qui a activé quoi, et on retire celui d'un
# téléphone perdu (la personne réactive alors sa MFA). Jamais leurs données : la clé TOTP et
# la graine des codes de récupération, même chiffrées (evalpic.adaptateur_mfa), n'ont rien à
# faire à l'écran. Ni ajout ni modification.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthentificateurAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        # Sans authentificateur, les codes de récupération seuls ne servent plus (comme la
        # désactivation par la personne elle-même, dans allauth).
        delete_dangling_recovery_codes(obj.user)

    def delete_queryset(self, request, queryset) -> None:
        personnes = list(Utilisateur.objects.filter(pk__in=queryset.values("user_id")))
        super().delete_queryset(request, queryset)
        for personne in personnes:
            delete_dangling_recovery_codes(personne)


class TableInline(EntreesVerifieesMixin, admin.StackedInline):
    model = TableDeQuartier
    can_delete = False


@admin.register(Quartier)
class QuartierAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["nom", "niveau_soutien", "arrondissement"]
    list_filter = ["niveau_soutien"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [TableInline]

    def save_related(self, request, form, formsets, change):
        """Chaque quartier a sa table : laissée vide à l'ajout, l'inline n'en créait aucune, et
        les pages de saisie, d'import et du registre répondaient 404 (« Ce quartier n'a pas de
        table. »). Elle est créée sans nom (« nom non établi »), à compléter ici."""
        super().save_related(request, form, formsets, change)
        TableDeQuartier.objects.get_or_create(quartier=form.instance)


@admin.register(Secteur)
class SecteurAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "nom_fr", "nom_en", "ordre"]


class ParticipationInline(EntreesVerifieesMixin, admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["table"]


@admin.register(Partenaire)
class PartenaireAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["nom", "secteur", "acteur_influence", "donnees_fictives"]
    list_filter = ["secteur", "acteur_influence", "donnees_fictives"]
    search_fields = ["nom"]
    inlines = [ParticipationInline]


@admin.register(TableDeQuartier)
class TableDeQuartierAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "nom", "organisme_coordonnateur"]
    search_fields = ["nom", "quartier__nom"]


@admin.register(Affectation)
class AffectationAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["utilisateur", "quartier", "role", "debut", "fin"]
    list_filter = ["role", "quartier"]
    autocomplete_fields = ["utilisateur", "quartier"]
    actions = ["retirer_l_acces_maintenant"]

    @admin.action(description=_("Retirer l'accès maintenant"), permissions=["change"])
    def retirer_l_acces_maintenant(self, request, queryset) -> None:
        terminees, supprimees = retirer_l_acces(affectations=queryset)
        total = terminees + supprimees
        self.message_user(
            request,
            ngettext(
                "%(nombre)d affectation retirée : l'accès cesse maintenant (fin : hier).",
                "%(nombre)d affectations retirées : l'accès cesse maintenant (fin : hier).",
                total,
            )
            % {"nombre": total},
            messages.SUCCESS,
        )
        if supprimees:
            self.message_user(
                request,
                ngettext(
                    "%(nombre)d d'entre elles commençait aujourd'hui ou plus tard : elle est "
                    "supprimée, une fin ne pouvant précéder le début.",
                    "%(nombre)d d'entre elles commençaient aujourd'hui ou plus tard : elles sont "
                    "supprimées, une fin ne pouvant précéder le début.",
                    supprimees,
                )
                % {"nombre": supprimees},
                messages.INFO,
            )


@admin.register(JetonAPI)
class JetonAPIAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    """Consulter les jetons et les révoquer, rien d'autre. Un jeton se crée sur la page du
    profil de sa personne (la clé n'est montrée qu'à elle, une fois) : « Ajouter » ici
    enregistrait un jeton sans empreinte (le second ajout : erreur 500), et changer sa personne
    donnait la clé de l'une avec les droits d'une autre."""

    list_display = [
        "nom",
        "utilisateur",
        "prefixe",
        "created_at",
        "dernier_usage",
        "revoque_le",
        "motif_revocation",
    ]
    list_filter = ["revoque_le", "motif_revocation"]
    list_select_related = ["utilisateur"]
    search_fields = ["nom", "utilisateur__email", "prefixe"]
    fields = [
        "utilisateur",
        "nom",
        "prefixe",
        "created_at",
        "dernier_usage",
        "revoque_le",
        "motif_revocation",
    ]
    readonly_fields = fields
    actions = ["revoquer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Révoquer les jetons choisis"))
    def revoquer(self, request, queryset) -> None:
        actifs = list(queryset.actifs())
        for jeton in actifs:
            revoquer_jeton(jeton=jeton)
        self.message_user(
            request,
            ngettext(
                "%(nombre)d jeton révoqué : la clé ne donne plus accès à l'API.",
                "%(nombre)d jetons révoqués : leurs clés ne donnent plus accès à l'API.",
                len(actifs),
            )
            % {"nombre": len(actifs)},
            messages.SUCCESS,
        )
