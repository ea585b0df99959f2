"""`/api/v1/` : les ressources de chaque application, le schéma OpenAPI et sa documentation."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from evalpic.api.commun import ressource_introuvable
from indicateurs.api import ROUTES as ROUTES_INDICATEURS
from indicateurs.api_saisies import ROUTES as ROUTES_SAISIES
from indicateurs.api_valeurs import ROUTES as ROUTES_VALEURS
from quartiers.api import ROUTES as ROUTES_QUARTIERS
from rapports.api import ROUTES as ROUTES_RAPPORTS

routeur = DefaultRouter()
for prefixe, viewset, nom in [
    *ROUTES_QUARTIERS,
    *ROUTES_INDICATEURS,
    *ROUTES_SAISIES,
    *ROUTES_VALEURS,
    *ROUTES_RAPPORTS,
]:
    routeur.register(prefixe, viewset, basename=nom)

urlpatterns = [
    path("v1/", include(routeur.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    # Toute autre adresse sous /api/ : un 404 en JSON, pas la page HTML du site.
    re_path(r"^.*$", ressource_introuvable),
]
