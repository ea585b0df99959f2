"""Les adresses de la stratégie de changement d'un quartier (`views_strategie`) : préparer une
version, modifier le brouillon, le soumettre à l'évaluation (ou retirer sa soumission),
l'adopter, le renvoyer ou l'abandonner."""

from django.urls import path

from indicateurs import views_strategie

urlpatterns = [
    path(
        "quartiers/<slug:slug>/strategie/preparer/",
        views_strategie.preparer,
        name="strategie_preparer",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/",
        views_strategie.brouillon,
        name="strategie_brouillon",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/changements/ajouter/",
        views_strategie.ajouter_changement,
        name="strategie_changement_ajouter",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/liens/ajouter/",
        views_strategie.ajouter_lien,
        name="strategie_lien_ajouter",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/adopter/",
        views_strategie.adopter,
        name="strategie_adopter",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/soumettre/",
        views_strategie.soumettre,
        name="strategie_soumettre",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/soumission/retirer/",
        views_strategie.retirer_la_soumission,
        name="strategie_retirer_soumission",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/renvoyer/",
        views_strategie.renvoyer,
        name="strategie_renvoyer",
    ),
    path(
        "quartiers/<slug:slug>/strategie/<int:pk>/abandonner/",
        views_strategie.abandonner,
        name="strategie_abandonner",
    ),
    path(
        "quartiers/<slug:slug>/strategie/changements/<int:pk>/modifier/",
        views_strategie.modifier_changement,
        name="strategie_changement_modifier",
    ),
    path(
        "quartiers/<slug:slug>/strategie/changements/<int:pk>/supprimer/",
        views_strategie.supprimer_changement,
        name="strategie_changement_supprimer",
    ),
    path(
        "quartiers/<slug:slug>/strategie/liens/<int:pk>/supprimer/",
        views_strategie.supprimer_lien,
        name="strategie_lien_supprimer",
    ),
]
