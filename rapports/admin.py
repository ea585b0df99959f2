from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from evalpic.admin_entrees import EntreesVerifieesMixin
from rapports.models import AvisBilanPret, Bilan


@admin.register(Bilan)
class BilanAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["__str__", "portee", "statut", "planifie", "tentatives", "created_at"]
    list_filter = ["statut", "portee", "planifie", "annee"]
    # Un bilan se demande par le service (pages, API, calendrier) et se produit par le worker :
    # rien ne s'y change à la main. Ni ses fichiers ni son instantané (empreintes vérifiées par
    # `verifier_integrite`), ni son statut (« prêt » sans instantané : sa page en erreur pour qui
    # le lit), ni ce qu'il couvre (portée, quartier, période, langue : changer le quartier d'un
    # bilan produit changerait qui peut l'ouvrir). L'administration le consulte, le supprime, ou
    # en demande un nouveau par les pages des bilans.
    readonly_fields = [champ.name for champ in Bilan._meta.concrete_fields if not champ.primary_key]

    def has_add_permission(self, request) -> bool:
        return False

    def render_change_form(self, request, context, *args, **kwargs):
        # Rien à enregistrer : la page garde « Supprimer », sans boutons d'enregistrement.
        context.update(show_save=False, show_save_and_continue=False)
        return super().render_change_form(request, context, *args, **kwargs)


class EtatAvisFilter(admin.SimpleListFilter):
    """Où en est un avis : parti, en attente (réservé, pas encore parti) ou abandonné."""

    title = _("état")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [
            ("envoye", _("envoyé")),
            ("en_attente", _("en attente")),
            ("abandonne", _("abandonné")),
        ]

    def queryset(self, request, queryset):
        filtres = {
            "envoye": {"envoye_le__isnull": False},
            "en_attente": {"envoye_le__isnull": True, "abandonne_le__isnull": True},
            "abandonne": {"abandonne_le__isnull": False},
        }
        filtre = filtres.get(self.value())
        return queryset if filtre is None else queryset.filter(**filtre)


@admin.register(AvisBilanPret)
class AvisBilanPretAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    """Les avis « bilan prêt », consultés : réservés, partis, ou abandonnés avec leur raison
    (`rapports.avis_bilans`). Rien ne s'y change à la main : l'envoi et le rattrapage les
    tiennent (un avis effacé serait réservé de nouveau, et repartirait)."""

    list_display = [
        "bilan",
        "destinataire",
        "premier_essai_le",
        "envoye_le",
        "abandonne_le",
        "raison_abandon",
    ]
    list_filter = [EtatAvisFilter, "raison_abandon", "abandonne_le"]
    date_hierarchy = "premier_essai_le"
    search_fields = ["destinataire__email"]
    ordering = ["-premier_essai_le", "-pk"]

    def get_queryset(self, request):
        # Chaque ligne se nomme par son bilan (quartier, période) et sa personne; l'instantané
        # du bilan, lourd, n'est pas lu.
        return (
            super()
            .get_queryset(request)
            .select_related("bilan__quartier", "destinataire")
            .defer("bilan__instantane")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
