"""Authentification par jeton personnel : « Authorization: Bearer <clé> » (ou « Token <clé> »).

Sans choix de langue explicite pour la requête (témoin, Accept-Language), la réponse est dans la
langue préférée de la personne à qui est le jeton (`evalpic.middleware`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from evalpic.mfa import message_mfa, mfa_manquante
from evalpic.middleware import langue_de_la_personne
from quartiers.jetons import authentifier


class JetonAuthentication(authentication.BaseAuthentication):
    mots_cles = ("bearer", "token")

    def authenticate(self, request):
        entete = authentication.get_authorization_header(request).split()
        if not entete or entete[0].lower().decode("latin-1") not in self.mots_cles:
            return None
        if len(entete) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization mal formé."))
        try:
            cle = entete[1].decode("ascii")
        except UnicodeDecodeError as erreur:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from erreur
        jeton = authentifier(cle)
        if jeton is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou révoqué."))
        langue_de_la_personne(request, jeton.utilisateur)
        if mfa_manquante(jeton.utilisateur):  # la même règle que les pages (evalpic.mfa)
            raise exceptions.PermissionDenied(message_mfa())
        return jeton.utilisateur, jeton

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class JetonAuthenticationSchema(OpenApiAuthenticationExtension):
    target_class = "evalpic.api.auth.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": _("Jeton personnel (profil).")}


class SessionAuthentication(authentication.SessionAuthentication):
    """La session du navigateur, comme DRF, mais un refus CSRF dit, dans la langue de la
    réponse, ce qu'il faut envoyer — au lieu de « CSRF Failed: CSRF token missing. »."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refus:
            raise exceptions.PermissionDenied(CSRF_REFUSE) from refus


CSRF_REFUSE = _(
    "Vérification CSRF refusée : une écriture par la session du navigateur doit venir d'une "
    "page du site et porter l'en-tête X-CSRFToken (la valeur du témoin csrftoken). Un outil "
    "s'authentifie plutôt par jeton (Authorization: Bearer …)."
)


class SessionAuthenticationSchema(SessionScheme):
    target_class = "evalpic.api.auth.SessionAuthentication"
