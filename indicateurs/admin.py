from django.contrib import admin

from evalpic.admin_entrees import EntreesVerifieesMixin
from indicateurs.models import (
    Action,
    Apprentissage,
    ChangementVise,
    Cible,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    Periode,
    Saisie,
    StrategieDeChangement,
    Theme,
    Valeur,
)


@admin.register(Theme)
class ThemeAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "nom_fr", "nom_en", "ordre"]


class ChangementInline(EntreesVerifieesMixin, admin.TabularInline):
    model = ChangementVise
    extra = 0
    fields = ["code", "libelle", "horizon", "famille", "theme", "ordre"]


class LienInline(EntreesVerifieesMixin, admin.TabularInline):
    model = LienDeChangement
    extra = 0
    fk_name = "strategie"


@admin.register(StrategieDeChangement)
class StrategieAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "version", "titre", "statut", "adoptee_le"]
    list_filter = ["statut", "quartier"]
    inlines = [ChangementInline, LienInline]


@admin.register(ChangementVise)
class ChangementViseAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "libelle", "strategie", "horizon", "famille"]
    list_filter = ["horizon", "famille", "strategie__quartier"]
    filter_horizontal = ["indicateurs"]
    search_fields = ["code", "libelle"]


@admin.register(Action)
class ActionAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["titre", "quartier", "type_action", "debut", "fin"]
    list_filter = ["type_action", "quartier"]
    filter_horizontal = ["partenaires", "changements"]
    search_fields = ["titre"]


@admin.register(Indicateur)
class IndicateurAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "nom_fr", "famille", "theme", "unite", "mode", "statut"]
    list_filter = ["famille", "theme", "unite", "mode", "statut"]
    search_fields = ["code", "nom_fr", "nom_en"]


class CibleInline(EntreesVerifieesMixin, admin.TabularInline):
    model = Cible
    extra = 0


@admin.register(IndicateurSuivi)
class IndicateurSuiviAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "indicateur", "valeur_reference", "date_reference", "actif"]
    list_filter = ["quartier", "actif"]
    inlines = [CibleInline]


@admin.register(Periode)
class PeriodeAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["__str__", "debut", "fin", "echeance", "statut"]
    list_filter = ["statut", "annee"]


class LectureSeuleMixin:
    """Consultable, jamais modifiable depuis l'admin : les saisies et leurs valeurs changent par
    les services (formulaire, import, API), qui tiennent l'historique et le circuit — une
    modification ici n'en laisserait aucune trace (`verifier_integrite` la signalerait)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ValeurInline(EntreesVerifieesMixin, LectureSeuleMixin, admin.TabularInline):
    model = Valeur
    extra = 0


@admin.register(Saisie)
class SaisieAdmin(EntreesVerifieesMixin, LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["table", "periode", "statut", "version", "soumise_le", "validee_le"]
    list_filter = ["statut", "periode"]
    inlines = [ValeurInline]


@admin.register(Apprentissage)
class ApprentissageAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "periode", "categorie", "auteur", "created_at"]
    list_filter = ["categorie", "quartier"]
    # La saisie d'origine se lit (un apprentissage écrit dans un brouillon n'est publié qu'avec
    # lui) mais ne se change pas ici : c'est le formulaire de saisie qui l'attache.
    readonly_fields = ["saisie"]
