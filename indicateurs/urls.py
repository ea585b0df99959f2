from django.urls import path

from indicateurs import views

urlpatterns = [
    path("saisie/", views.boite, name="boite_de_saisie"),
    path("completude/", views.completude, name="completude"),
    path("quartiers/<slug:slug>/saisies/<str:code>/", views.formulaire, name="saisie_formulaire"),
    path(
        "quartiers/<slug:slug>/saisies/<str:code>/revision/",
        views.revision,
        name="saisie_revision",
    ),
    path(
        "quartiers/<slug:slug>/saisies/<str:code>/historique/",
        views.historique,
        name="saisie_historique",
    ),
    path(
        "quartiers/<slug:slug>/apprentissages/nouveau/",
        views.apprentissage_nouveau,
        name="apprentissage_nouveau",
    ),
]
