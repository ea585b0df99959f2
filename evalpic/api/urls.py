"""`/api/v1/` : les ressources de chaque application, le schéma OpenAPI et sa documentation."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from evalpic.api.views import RessourceIntrouvable
from evalpic.securite import politique_de_contenu
from indicateurs.api import ROUTES as ROUTES_INDICATEURS
from indicateurs.api_commentaires import ROUTES as ROUTES_COMMENTAIRES
from indicateurs.api_saisies import ROUTES as ROUTES_SAISIES
from indicateurs.api_valeurs import ROUTES as ROUTES_VALEURS
from quartiers.api import ROUTES as ROUTES_QUARTIERS
from rapports.api import ROUTES as ROUTES_RAPPORTS

routeur = DefaultRouter()
for prefixe, viewset, nom in [
    *ROUTES_QUARTIERS,
    *ROUTES_INDICATEURS,
    *ROUTES_SAISIES,
    *ROUTES_COMMENTAIRES,
    *ROUTES_VALEURS,
    *ROUTES_RAPPORTS,
]:
    routeur.register(prefixe, viewset, basename=nom)

urlpatterns = [
    path("v1/", include(routeur.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Sans script en ligne (politique de sécurité du contenu) : Swagger UI reçoit son script
    # d'initialisation par une seconde requête (?script); ReDoc n'a pas de réglages en ligne, et
    # son gabarit ne charge pas les polices de Google. ReDoc construit son index de recherche
    # dans un Web Worker tiré de son propre code (blob:) et affiche le logo de Redocly : ces
    # deux sources sont permises sur cette page seulement.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path(
        "redoc/",
        politique_de_contenu(worker_src=["blob:"], img_src=["https://cdn.redoc.ly"])(
            SpectacularRedocView.as_view(url_name="api_schema", template_name="api/redoc.html")
        ),
        name="api_redoc",
    ),
    # Toute autre adresse sous /api/ : un 404 en JSON, pas la page HTML du site, après
    # l'authentification de l'API (401 sans jeton valide, comme une vraie ressource).
    re_path(r"^.*$", RessourceIntrouvable.as_view()),
]
