"""Les adresses du catalogue d'indicateurs et du plan de mesure d'un quartier
(`views_catalogue`)."""

from django.urls import path

from indicateurs import views_catalogue

urlpatterns = [
    path("quartiers/<slug:slug>/plan/", views_catalogue.plan, name="plan_de_mesure"),
    path(
        "quartiers/<slug:slug>/plan/proposer/",
        views_catalogue.proposer,
        name="indicateur_proposer",
    ),
    path("quartiers/<slug:slug>/plan/suivre/", views_catalogue.suivre, name="suivi_ajouter"),
    path(
        "quartiers/<slug:slug>/plan/suivis/<int:pk>/modifier/",
        views_catalogue.modifier_suivi,
        name="suivi_modifier",
    ),
    path(
        "quartiers/<slug:slug>/plan/suivis/<int:pk>/desactiver/",
        views_catalogue.desactiver_suivi,
        name="suivi_desactiver",
    ),
    path("catalogue/propositions/", views_catalogue.propositions, name="propositions"),
    path(
        "catalogue/propositions/<int:pk>/",
        views_catalogue.proposition,
        name="proposition",
    ),
]
