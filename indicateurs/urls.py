from django.urls import path

from indicateurs import views, views_apprentissages

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
    path(
        "quartiers/<slug:slug>/apprentissages/",
        views_apprentissages.apprentissages,
        name="apprentissages",
    ),
    path(
        "quartiers/<slug:slug>/apprentissages/<int:pk>/modifier/",
        views_apprentissages.apprentissage_modifier,
        name="apprentissage_modifier",
    ),
    path(
        "quartiers/<slug:slug>/apprentissages/<int:pk>/supprimer/",
        views_apprentissages.apprentissage_supprimer,
        name="apprentissage_supprimer",
    ),
]
