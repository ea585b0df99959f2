from django.urls import path

from quartiers import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("quartiers/<slug:slug>/", views.detail, name="quartier_detail"),
]
