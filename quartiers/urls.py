from django.urls import path

from quartiers import views, views_registre

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("quartiers/<slug:slug>/", views.detail, name="quartier_detail"),
    # Le registre des partenaires de la table, tenu par sa coordination.
    path(
        "quartiers/<slug:slug>/partenaires/inscrire/",
        views_registre.inscrire_partenaire,
        name="partenaire_inscrire",
    ),
    path(
        "quartiers/<slug:slug>/partenaires/participations/<int:pk>/modifier/",
        views_registre.modifier_participation,
        name="participation_modifier",
    ),
    path(
        "quartiers/<slug:slug>/partenaires/<int:pk>/modifier/",
        views_registre.modifier_partenaire,
        name="partenaire_modifier",
    ),
]
