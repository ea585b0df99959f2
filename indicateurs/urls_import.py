from django.urls import path

from indicateurs import views_import

urlpatterns = [
    path("quartiers/<slug:slug>/import/", views_import.import_valeurs, name="import_valeurs"),
    path(
        "quartiers/<slug:slug>/import/modele.<str:format>",
        views_import.modele_import,
        name="modele_import",
    ),
]
