"""La double authentification (MFA) exigée de l'évaluation et de l'administration, quand le
réglage `EVALPIC_MFA_OBLIGATOIRE` est vrai.

Ces rôles voient et valident les données de tous les quartiers : un mot de passe volé ne doit
pas suffire. Tant qu'une telle personne n'a pas activé d'authentificateur (application TOTP ou
clé de sécurité), chaque page la renvoie à l'activation, et l'API lui répond 403. Les codes de
récupération seuls ne comptent pas : ils ne servent qu'en secours d'un authentificateur.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from quartiers.models import RoleGlobal

ROLES_AVEC_MFA = {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN}
TYPES_D_AUTHENTIFICATEUR = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# Ce qui reste ouvert sans MFA : de quoi l'activer (toutes les pages d'allauth : connexion,
# déconnexion, réauthentification, MFA), changer de langue, et la sonde de santé.
#: Ouvertes avant la MFA, en plus des pages d'allauth; « account_email » en est une, dont la vue
#: est la nôtre (quartiers.views_courriels).
VUES_OUVERTES = {"changer_langue", "sante", "account_email"}


def role_exige_mfa(utilisateur) -> bool:
    """L'évaluation, l'administration, et quiconque entre dans /admin/."""
    return (
        utilisateur.role_global in ROLES_AVEC_MFA
        or utilisateur.is_staff
        or utilisateur.is_superuser
    )


def mfa_manquante(utilisateur) -> bool:
    """Vrai si le réglage exige la MFA de cette personne connectée et qu'elle n'en a pas."""
    return bool(
        settings.EVALPIC_MFA_OBLIGATOIRE
        and utilisateur.is_authenticated
        and role_exige_mfa(utilisateur)
        and not is_mfa_enabled(utilisateur, types=TYPES_D_AUTHENTIFICATEUR)
    )


def message_mfa() -> str:
    return _(
        "Votre rôle exige la double authentification : activez une application "
        "d'authentification (TOTP) pour continuer."
    )


def _vue_ouverte(request, view_func) -> bool:
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    module = getattr(view_func, "__module__", "") or ""
    if module.startswith("allauth."):
        return True
    correspondance = request.resolver_match
    return correspondance is not None and correspondance.url_name in VUES_OUVERTES


class MfaObligatoireMiddleware:
    """Après `AuthenticationMiddleware` : renvoie à l'activation TOTP (pages) ou répond 403
    en JSON (API, session du navigateur) tant que la MFA exigée manque. Les jetons de l'API
    sont vérifiés par `evalpic.api.auth.JetonAuthentication`, avec la même règle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not mfa_manquante(request.user) or _vue_ouverte(request, view_func):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message_mfa()}, status=403)
        messages.warning(request, message_mfa())
        return redirect("mfa_activate_totp")
