from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from evalpic.admin_entrees import EntreesVerifieesMixin
from indicateurs import services_apprentissages
from indicateurs.admin_forms import (
    NOMBRES_LUS_COMME_LA_SAISIE,
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
    CommentaireSaisie,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    Periode,
    Saisie,
    StrategieDeChangement,
    Theme,
    Valeur,
)
from indicateurs.propositions_refusees import lire_les_refus


def figer_les_choix(champ):
    """Les choix d'une liste déroulante lus une fois, quand l'inline construit son formulaire :
    chaque ligne (et la ligne vide à ajouter) les reprend au lieu de relire la table, une
    requête par ligne et par liste sinon. Les valeurs sont les identifiants : se recopier
    d'une ligne à l'autre ne coûte rien."""
    champ.choices = [
        (getattr(valeur, "value", valeur), libelle) for valeur, libelle in champ.choices
    ]
    return champ


class ChoixLusUneFoisMixin:
    """Pour un inline : ses listes déroulantes (ni autocomplétion ni identifiant brut) lisent
    leurs choix une fois par page, quel que soit le nombre de lignes."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        champ = super().formfield_for_foreignkey(db_field, request, **kwargs)
        listes = {*self.get_autocomplete_fields(request), *self.raw_id_fields}
        # Le lien au parent, remplacé dans chaque ligne par l'objet de la page, ne se lit pas.
        if champ is None or db_field.name in listes or db_field.related_model == self.parent_model:
            return champ
        return figer_les_choix(champ)


@admin.register(Theme)
class ThemeAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "nom_fr", "nom_en", "ordre"]


class ChangementInline(EntreesVerifieesMixin, ChoixLusUneFoisMixin, admin.TabularInline):
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

    def get_queryset(self, request):
        # Chaque ligne se nomme par ses deux bouts (`LienDeChangement.__str__`).
        return super().get_queryset(request).select_related("source", "cible")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        changements = ChangementVise.objects.filter(strategie=obj) if obj and obj.pk else None
        for bout in ("source", "cible"):
            champ = formset.form.base_fields[bout]
            champ.queryset = changements if changements is not None else champ.queryset.none()
            figer_les_choix(champ)
        return formset


@admin.register(StrategieDeChangement)
class StrategieAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "version", "titre", "statut", "adoptee_le"]
    list_filter = ["statut", "quartier"]
    inlines = [ChangementInline, LienInline]
    # La soumission d'un brouillon à l'évaluation et son dernier renvoi : écrits par le circuit
    # (`services_strategie` : soumettre, renvoyer, adopter, chacun conditionnel et avisé par
    # courriel), lus ici, jamais changés — une date effacée à la main rendrait à la coordination
    # un brouillon que l'évaluation examine, sans avis ni trace.
    readonly_fields = ["soumise_le", "soumise_par", "renvoyee_le", "renvoyee_par", "motif_renvoi"]


@admin.register(ChangementVise)
class ChangementViseAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["code", "libelle", "strategie", "horizon", "famille"]
    list_filter = ["horizon", "famille", "strategie__quartier"]
    filter_horizontal = ["indicateurs"]
    search_fields = ["code", "libelle"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "strategie":  # chaque choix se nomme par son quartier
            kwargs["queryset"] = StrategieDeChangement.objects.select_related("quartier")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
    # Le thème, facultatif, n'est pas suivi d'office par la liste : une requête par ligne sinon.
    list_select_related = ["theme"]
    search_fields = ["code", "nom_fr", "nom_en"]
    # Les refus d'une proposition proposée de nouveau : des données écrites par le catalogue
    # (`propositions_refusees`), lues ici comme sur la page d'examen, jamais modifiées. De même
    # le retrait du catalogue (`services_definitions` : retirer, rétablir) : pourquoi, par qui,
    # quand.
    readonly_fields = ["refus_lus", "motif_retrait", "retire_par", "retire_le"]

    @admin.display(description=_("refus précédents"))
    def refus_lus(self, indicateur: Indicateur) -> str:
        if not indicateur.refus_precedents:
            return self.get_empty_value_display()
        suivis = list(indicateur.suivis.all()[:2])
        refus = lire_les_refus(indicateur, suivis[0] if len(suivis) == 1 else None)
        return render_to_string(
            "indicateurs/catalogue/_refus_precedents.html", {"refus_precedents": refus}
        )


class CibleInline(EntreesVerifieesMixin, ChoixLusUneFoisMixin, admin.TabularInline):
    model = Cible
    extra = 0
    formfield_overrides = NOMBRES_LUS_COMME_LA_SAISIE

    def get_queryset(self, request):
        # Chaque ligne se nomme par son suivi et sa période (`Cible.__str__`) : la ligne ne
        # reçoit du parent que son identifiant.
        return (
            super()
            .get_queryset(request)
            .select_related("suivi__quartier", "suivi__indicateur", "periode")
        )


@admin.register(IndicateurSuivi)
class IndicateurSuiviAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["quartier", "indicateur", "valeur_reference", "date_reference", "actif"]
    list_filter = ["quartier", "actif"]
    inlines = [CibleInline]
    formfield_overrides = NOMBRES_LUS_COMME_LA_SAISIE


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

    def get_queryset(self, request):
        # Ce que chaque ligne affiche : son indicateur et son nom (`Valeur.__str__`).
        return (
            super()
            .get_queryset(request)
            .select_related("indicateur", "saisie__periode", "saisie__table__quartier")
        )


@admin.register(Saisie)
class SaisieAdmin(EntreesVerifieesMixin, LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["table", "periode", "statut", "version", "soumise_le", "validee_le"]
    list_filter = ["statut", "periode"]
    inlines = [ValeurInline]


@admin.register(Apprentissage)
class ApprentissageAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    form = ApprentissageAdminForm
    list_display = ["quartier", "periode", "categorie", "auteur", "created_at"]
    # L'auteur·e, facultatif, n'est pas dans le select_related automatique de Django (qui ne
    # suit que les clés non nulles) : sans cette liste, une requête par ligne.
    list_select_related = ["quartier", "periode", "auteur"]
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

    # La garde des corrections simultanées (voir `ApprentissageAdminForm`) : la ligne est
    # verrouillée pendant l'envoi (la vue de l'administration est une transaction), puis écrite
    # par la mise à jour conditionnelle de la page de correction. Une correction de la page ou
    # de l'API qui arrive entre-temps attend, puis trouve une autre version (409).

    def get_object(self, request, object_id, from_field=None):
        objet = super().get_object(request, object_id, from_field)
        if objet is not None and request.method == "POST":
            Apprentissage.objects.select_for_update().filter(pk=objet.pk).exists()  # le verrou
            objet.refresh_from_db()
        return objet

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Ce que le formulaire écrit est ce dont sa version est faite (`CHAMPS_ADMINISTRES`).
        champs = services_apprentissages.CHAMPS_ADMINISTRES
        services_apprentissages.ecrire_si_inchange(
            obj,
            form.cleaned_data.get("version") or None,
            lus=champs,
            **{nom: getattr(obj, nom) for nom in champs},
        )
        return None


@admin.register(CommentaireSaisie)
class CommentaireSaisieAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    """Les commentaires des saisies, à consulter (par quartier, période, auteur·e, date; recherche
    dans le texte), jamais à réécrire : un commentaire ne se corrige pas, et ses règles (droit
    de commenter, indicateur de la saisie) sont celles de `services_commentaires`.

    Un commentaire abusif se supprime (confirmation de Django, inscrite au journal de
    l'administration). Pas de « retrait » d'ici : le retrait est celui de l'auteur·e, et les
    pages le disent (« Commentaire retiré par son auteur·e ») — le faire au nom d'une autre
    personne les ferait mentir."""

    list_display = ["created_at", "quartier", "periode", "indicateur", "auteur", "extrait"]
    list_display_links = ["created_at"]
    # Le quartier et la période passent par la saisie et sa table; l'indicateur et l'auteur·e,
    # facultatifs, ne sont pas suivis d'office par Django : une requête par ligne sinon.
    list_select_related = ["saisie__table__quartier", "saisie__periode", "indicateur", "auteur"]
    list_filter = [
        ("saisie__table__quartier", admin.RelatedFieldListFilter),
        ("saisie__periode", admin.RelatedFieldListFilter),
        ("auteur", admin.RelatedOnlyFieldListFilter),
        ("retire_le", admin.EmptyFieldListFilter),
    ]
    date_hierarchy = "created_at"
    search_fields = ["texte"]
    ordering = ["-created_at", "-pk"]
    fields = ["saisie", "indicateur", "auteur", "texte", "created_at", "retire_le"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # on commente depuis la saisie (page ou API), qui vérifie le droit

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("quartier"), ordering="saisie__table__quartier__nom")
    def quartier(self, commentaire: CommentaireSaisie):
        return commentaire.saisie.table.quartier

    @admin.display(description=_("période"), ordering="saisie__periode__debut")
    def periode(self, commentaire: CommentaireSaisie):
        return commentaire.saisie.periode

    @admin.display(description=_("texte"))
    def extrait(self, commentaire: CommentaireSaisie) -> str:
        if commentaire.est_retire:
            return _("Commentaire retiré par son auteur·e le %(date)s.") % {
                "date": date_format(localtime(commentaire.retire_le), "SHORT_DATETIME_FORMAT")
            }
        return Truncator(commentaire.texte).chars(80)
