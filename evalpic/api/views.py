"""Les vues de l'API qui ne sont pas des ressources. (Hors de `evalpic.api.commun`, que les
réglages de DRF importent : une vue DRF y serait définie avant la fin de leur lecture.)"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, renderers
from rest_framework.views import APIView


class RessourceIntrouvable(APIView):
    """Toute adresse de l'API qui n'existe pas, quelle que soit la méthode : la requête passe
    par l'authentification, les permissions et les limites de débit de l'API comme une vraie
    ressource (un jeton absent, invalide ou révoqué reçoit le même 401, un jeton sans double
    authentification le même 403), puis un 404 en JSON. Dans la langue de la requête : celle de
    la personne à qui est le jeton quand rien d'autre n'est choisi (evalpic.middleware), que
    l'authentification du jeton active; d'où le message écrit après elle."""

    schema = None  # pas une ressource : hors du schéma OpenAPI

    def perform_content_negotiation(self, request, force=False):
        # Toujours du JSON, même pour un navigateur ou « ?format=csv ».
        rendu = renderers.JSONRenderer()
        return rendu, rendu.media_type

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("Ressource introuvable."))

    options = http_method_not_allowed
