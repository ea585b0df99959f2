from django.urls import path

from indicateurs import views_commentaires

urlpatterns = [
    path(
        "quartiers/<slug:slug>/saisies/<str:code>/commentaires/",
        views_commentaires.commentaires,
        name="saisie_commentaires",
    ),
    path(
        "quartiers/<slug:slug>/saisies/<str:code>/commentaires/<int:pk>/retirer/",
        views_commentaires.commentaire_retirer,
        name="saisie_commentaire_retirer",
    ),
]
