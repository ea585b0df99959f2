from django.contrib import admin

from evalpic.admin_entrees import EntreesVerifieesMixin
from rapports.models import Bilan


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
