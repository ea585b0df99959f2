"""Intergiciels transversaux : la langue de l'interface et le statut des formulaires invalides."""

from __future__ import annotations

from django.conf import settings
from django.forms import BaseForm, BaseFormSet
from django.utils import translation

LANGUES = {code for code, _nom in settings.LANGUAGES}


class LangueMiddleware:
    """Le français d'abord : la langue vient du choix explicite de la personne (témoin posé par
    le sélecteur de langue), sinon c'est le français. L'en-tête Accept-Language du navigateur
    n'est pas consulté, pour que l'interface soit en français tant qu'on n'a rien choisi."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        langue = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if langue not in LANGUES:
            langue = settings.LANGUAGE_CODE
        translation.activate(langue)
        request.LANGUAGE_CODE = langue
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", langue)
        response.headers.setdefault("Vary", "Cookie")
        translation.deactivate()
        return response


def _formulaire_en_erreur(contexte) -> bool:
    for valeur in (contexte or {}).values():
        if isinstance(valeur, BaseForm | BaseFormSet) and valeur.is_bound and not valeur.is_valid():
            return True
    return False


class FormulaireInvalideMiddleware:
    """Un formulaire soumis avec des erreurs répond 400 et non 200, partout (nos vues comme
    celles d'allauth) : les messages restent à côté des champs, les valeurs saisies sont gardées,
    et un client ou un test voit sans ambiguïté que rien n'a été enregistré."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code == 200
            and _formulaire_en_erreur(getattr(response, "context_data", None))
        ):
            response.status_code = 400
        return response
