"""Les adresses du catalogue d'indicateurs et du plan de mesure d'un quartier
(`views_catalogue`, `views_definitions`).

Les pages fixes du catalogue (`nouveau`, `propositions`) passent avant `/catalogue/<code>/` :
un code ne peut pas porter leur nom (`CODES_RESERVES`, règle du modèle)."""

from django.urls import path

from indicateurs import views_catalogue, views_definitions

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
    path("catalogue/", views_definitions.catalogue, name="catalogue"),
    path("catalogue/nouveau/", views_definitions.nouveau, name="catalogue_nouveau"),
    path("catalogue/propositions/", views_catalogue.propositions, name="propositions"),
    path(
        "catalogue/propositions/<int:pk>/",
        views_catalogue.proposition,
        name="proposition",
    ),
    path("catalogue/<slug:code>/", views_definitions.indicateur, name="catalogue_indicateur"),
    path(
        "catalogue/<slug:code>/modifier/",
        views_definitions.modifier,
        name="catalogue_modifier",
    ),
    path("catalogue/<slug:code>/retirer/", views_definitions.retirer, name="catalogue_retirer"),
    path("catalogue/<slug:code>/retablir/", views_definitions.retablir, name="catalogue_retablir"),
]
