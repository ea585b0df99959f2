"""Intergiciels transversaux : la langue de l'interface et le statut des formulaires invalides.

La langue d'une réponse, du choix le plus explicite au plus général :

1. le témoin de langue, partout : posé par le sélecteur de langue et par le profil (qui
   changent aussi la langue préférée de la personne connectée), et à la connexion, où la langue
   préférée de la personne (`Utilisateur.langue`) devient celle du témoin
   (`langue_a_la_connexion`) : le lien d'un courriel anglais ouvert dans un navigateur neuf
   mène, une fois connecté, à des pages en anglais;
2. pour l'API (`/api/…`) seulement, l'en-tête Accept-Language s'il nomme une langue de
   l'interface (« en-CA », « fr;q=0.8 ») : un client par jeton n'a pas de témoin;
3. pour l'API authentifiée par jeton, la langue préférée de la personne à qui est le jeton
   (`Utilisateur.langue`), posée par `evalpic.api.auth.JetonAuthentication` (par
   `langue_de_la_personne`) quand ni 1 ni 2 n'ont rien choisi;
4. le français.

Les pages du site ne lisent pas Accept-Language : elles restent en français tant qu'on n'a rien
choisi, même si le navigateur est réglé en anglais."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.conf import settings
from django.dispatch import receiver
from django.forms import BaseForm, BaseFormSet
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

LANGUES = {code for code, _nom in settings.LANGUAGES}
PREFIXE_API = "/api/"


def _langue_de_l_entete(request) -> str | None:
    """La première langue de l'interface nommée par Accept-Language, dans l'ordre des
    préférences de l'en-tête; None si aucune (en-tête absent, « * », « de »)."""
    for code, _poids in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class LangueMiddleware:
    """Choisit la langue de la requête (voir le docstring du module), l'active, la note dans
    `request.LANGUAGE_CODE` et dit si elle a été choisie explicitement
    (`request.langue_choisie` : témoin ou Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith(PREFIXE_API)
        langue = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if langue not in LANGUES:
            langue = _langue_de_l_entete(request) if api else None
        request.langue_choisie = langue is not None
        langue = langue or settings.LANGUAGE_CODE
        translation.activate(langue)
        request.LANGUAGE_CODE = langue
        response = self.get_response(request)
        # La langue a pu changer en chemin (langue_de_la_personne).
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        translation.deactivate()
        return response


def langue_de_la_personne(request, personne) -> None:
    """Étape 3 : sans choix explicite pour cette requête, la langue préférée de `personne`
    (authentifiée) devient celle de la réponse. `request` est la requête Django (ou celle de
    DRF, qui l'enveloppe)."""
    request = getattr(request, "_request", request)
    if getattr(request, "langue_choisie", True) or personne.langue not in LANGUES:
        return
    translation.activate(personne.langue)
    request.LANGUAGE_CODE = personne.langue


def poser_temoin_de_langue(response, langue: str) -> None:
    """Pose le témoin de langue (étape 1) sur `response`, pour un an."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        langue,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
        secure=not settings.DEBUG,
    )


@receiver(user_logged_in, dispatch_uid="evalpic.langue_a_la_connexion")
def langue_a_la_connexion(sender, request, user, response=None, **kwargs) -> None:
    """À la connexion (toutes passent par allauth, celle de l'admin aussi), dans un navigateur
    sans témoin de langue (le lien d'un courriel ouvert dans un navigateur neuf), la langue
    préférée de la personne, celle de ses courriels, devient celle des pages et du témoin. Elle
    vaut dès cette requête, pour le message « Connexion avec … réussie. » qu'allauth ajoute
    juste après ce signal. Une langue déjà choisie dans ce navigateur (le sélecteur de la page
    de connexion) reste celle des pages, sans changer celle des courriels : le sélecteur, une
    fois connecté, change les deux.

    Écrit ici, avec l'intergiciel qui lit le témoin; branché au démarrage par
    `EvalpicConfig.ready`, qui charge ce module."""
    request = getattr(request, "_request", request)
    if user.langue not in LANGUES or getattr(request, "langue_choisie", False):
        return
    translation.activate(user.langue)
    request.LANGUAGE_CODE = user.langue
    request.langue_choisie = True
    if response is not None:
        poser_temoin_de_langue(response, user.langue)


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
