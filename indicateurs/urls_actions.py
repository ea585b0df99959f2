"""Les adresses des actions d'un quartier (`views_actions`) : leur liste, inscrire, modifier
et terminer une action."""

from django.urls import path

from indicateurs import views_actions

urlpatterns = [
    path("quartiers/<slug:slug>/actions/", views_actions.actions, name="actions"),
    path("quartiers/<slug:slug>/actions/ajouter/", views_actions.ajouter, name="action_ajouter"),
    path(
        "quartiers/<slug:slug>/actions/<int:pk>/modifier/",
        views_actions.modifier,
        name="action_modifier",
    ),
    path(
        "quartiers/<slug:slug>/actions/<int:pk>/terminer/",
        views_actions.terminer,
        name="action_terminer",
    ),
]
