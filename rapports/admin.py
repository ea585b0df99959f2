from django.contrib import admin

from evalpic.admin_entrees import EntreesVerifieesMixin
from rapports.models import Bilan


@admin.register(Bilan)
class BilanAdmin(EntreesVerifieesMixin, admin.ModelAdmin):
    list_display = ["__str__", "portee", "statut", "planifie", "tentatives", "created_at"]
    list_filter = ["statut", "portee", "planifie", "annee"]
    # Un bilan se demande par le service (pages, API, calendrier) et se produit par le worker;
    # ses fichiers et son instantané ne se remplacent pas à la main (empreintes vérifiées par
    # `verifier_integrite`).
    readonly_fields = [
        "fichier_html",
        "fichier_pdf",
        "fichier_xlsx",
        "fichier_csv",
        "instantane",
        "somme_controle",
        "empreintes",
        "version_generateur",
        "debut_generation",
        "fin_generation",
        "tentatives",
    ]

    def has_add_permission(self, request) -> bool:
        return False
