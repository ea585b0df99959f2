from django.contrib import admin

from rapports.models import Bilan


@admin.register(Bilan)
class BilanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "portee", "statut", "planifie", "tentatives", "created_at"]
    list_filter = ["statut", "portee", "planifie", "annee"]
    readonly_fields = [
        "instantane",
        "somme_controle",
        "empreintes",
        "version_generateur",
        "debut_generation",
        "fin_generation",
        "tentatives",
    ]
