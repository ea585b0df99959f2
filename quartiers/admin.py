from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evalpic.admin_entrees import EntreesVerifieesMixin
from quartiers.forms import COURRIEL_INVALIDE
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
    """Le courriel d'un autre compte, à la casse près, est refusé à côté du champ. La contrainte
    `utilisateur_courriel_unique_insensible_casse` le refuse aussi, mais sans nommer le champ."""

    def clean_email(self) -> str:
        courriel = self.cleaned_data.get("email")
        autres = Utilisateur.objects.filter(email__iexact=courriel).exclude(pk=self.instance.pk)
        if courriel and autres.exists():
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


@admin.register(Utilisateur)
class UtilisateurAdmin(EntreesVerifieesMixin, UserAdmin):
    form = UtilisateurChangeForm
    add_form = UtilisateurCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role_global", "langue", "is_active"]
    list_filter = ["role_global", "langue", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [AffectationInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "langue"]}),
        (_("Rôles"), {"fields": ["role_global", "is_active", "is_staff", "is_superuser"]}),
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


@admin.register(JetonAPI)
class JetonAPIAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["nom", "utilisateur", "prefixe", "created_at", "dernier_usage", "revoque_le"]
    list_filter = ["revoque_le"]
    search_fields = ["nom", "utilisateur__email", "prefixe"]
    readonly_fields = ["empreinte", "prefixe", "created_at", "dernier_usage"]
