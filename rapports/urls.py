from django.urls import path

from rapports import views

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
]
