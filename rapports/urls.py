from django.urls import path

from rapports import views, views_bilans, views_export

urlpatterns = [
    path("tableau-de-bord/", views.tableau_pic, name="tableau_pic"),
    path(
        "tableau-de-bord/quartiers/<slug:slug>/",
        views.tableau_quartier,
        name="tableau_quartier",
    ),
    path(
        "tableau-de-bord/quartiers/<slug:slug>/theorie-du-changement/",
        views.theorie_du_changement,
        name="theorie_du_changement",
    ),
    path(
        "tableau-de-bord/indicateurs/<slug:code>/",
        views.indicateur_entre_quartiers,
        name="indicateur_entre_quartiers",
    ),
    path("bilans/", views_bilans.liste, name="bilans"),
    path("bilans/comparer/", views_bilans.comparer, name="bilans_comparer"),
    path("bilans/<int:pk>/", views_bilans.detail, name="bilan_detail"),
    path("bilans/<int:pk>/fichier.<str:format>", views_bilans.telecharger, name="bilan_fichier"),
    path("export/valeurs/", views_export.export_valeurs, name="export_valeurs"),
    path("export/valeurs.csv", views_export.export_valeurs_csv, name="export_valeurs_csv"),
]
