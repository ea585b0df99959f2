from django.contrib import admin

from evalpic.admin_entrees import EntreesVerifieesMixin
from indicateurs.admin_forms import (
    ActionAdminForm,
    ApprentissageAdminForm,
    ChangementNommeField,
    ChangementsNommesField,
    changements_nommes,
)
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
    """Les liens d'une stratégie relient ses propres changements : les listes n'offrent
    qu'eux (aucun à l'ajout d'une stratégie, qui n'en a pas encore d'enregistré), et
    `LienDeChangement.clean` refuse ce qui serait envoyé d'ailleurs."""

    model = LienDeChangement
    extra = 0
    fk_name = "strategie"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        changements = ChangementVise.objects.filter(strategie=obj) if obj and obj.pk else None
        for bout in ("source", "cible"):
            champ = formset.form.base_fields[bout]
            champ.queryset = changements if changements is not None else champ.queryset.none()
        return formset


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
    form = ActionAdminForm
    list_display = ["titre", "quartier", "type_action", "debut", "fin"]
    list_filter = ["type_action", "quartier"]
    filter_horizontal = ["partenaires", "changements"]
    search_fields = ["titre"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "changements":
            kwargs["form_class"] = ChangementsNommesField
            kwargs["queryset"] = changements_nommes()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
    form = ApprentissageAdminForm
    list_display = ["quartier", "periode", "categorie", "auteur", "created_at"]
    list_filter = ["categorie", "quartier"]
    # La saisie d'origine se lit (un apprentissage écrit dans un brouillon n'est publié qu'avec
    # lui) mais ne se change pas ici : c'est le formulaire de saisie qui l'attache.
    readonly_fields = ["saisie"]

    def get_readonly_fields(self, request, obj=None):
        # Écrit dans une saisie, il reste du quartier de sa table (comme de sa période).
        if obj is not None and obj.saisie_id:
            return [*self.readonly_fields, "quartier"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "changement":
            kwargs["form_class"] = ChangementNommeField
            kwargs["queryset"] = changements_nommes()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
