"""Protections transversales : la politique de sécurité du contenu (CSP) de chaque page HTML, la
taille maximale d'une requête et la page d'une requête refusée (400).

La politique elle-même est un réglage (`EVALPIC_CSP`, dans `evalpic/settings.py`, où chaque
exception est justifiée); une vue qui a besoin d'une source de plus la demande avec le
décorateur `politique_de_contenu`, pour elle seule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

ENTETE_CSP = "Content-Security-Policy"
PREFIXE_API = "/api/"


def texte_de_la_politique(directives: dict[str, list[str]]) -> str:
    """`{"default-src": ["'self'"], …}` → `"default-src 'self'; …"`."""
    return "; ".join(" ".join([nom, *sources]) for nom, sources in directives.items())


def politique_de(ajouts: dict[str, list[str]] | None = None) -> str:
    """La politique du réglage `EVALPIC_CSP`, avec les sources ajoutées pour une vue. Une
    directive absente du réglage est créée avec les seules sources ajoutées."""
    directives = {nom: list(sources) for nom, sources in settings.EVALPIC_CSP.items()}
    for nom, sources in (ajouts or {}).items():
        directives[nom] = [*directives.get(nom, []), *sources]
    return texte_de_la_politique(directives)


def politique_de_contenu(**ajouts: list[str]) -> Callable:
    """Décorateur de vue : des sources de plus pour les pages de cette vue seulement, par
    directive (`worker_src=["blob:"]` pour `worker-src blob:`)."""
    ajouts_csp = {nom.replace("_", "-"): sources for nom, sources in ajouts.items()}

    def decorateur(vue: Callable) -> Callable:
        @wraps(vue)
        def vue_decoree(request, *args, **kwargs):
            response = vue(request, *args, **kwargs)
            response.csp_ajouts = ajouts_csp
            return response

        return vue_decoree

    return decorateur


def _est_html(response) -> bool:
    return response.get("Content-Type", "").lower().startswith("text/html")


class PolitiqueDeContenuMiddleware:
    """Pose `Content-Security-Policy` sur chaque réponse HTML : seuls nos scripts (servis depuis
    nos fichiers statiques) s'exécutent; un script injecté dans une page, même par une faille
    d'échappement, est bloqué par le navigateur. Les réponses non HTML (JSON, CSV, PDF…) ne
    sont pas interprétées comme des pages et n'en ont pas besoin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if ENTETE_CSP not in response.headers and _est_html(response):
            response.headers[ENTETE_CSP] = politique_de(getattr(response, "csp_ajouts", None))
        return response


# --- Taille des requêtes ------------------------------------------------------------------------


def taille_max_requete() -> int:
    """Le plus gros envoi légitime : un fichier d'import au maximum, plus les autres champs."""
    return settings.EVALPIC_IMPORT_TAILLE_MAX + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def taille_lisible(octets: int) -> str:
    """5 242 880 → « 5 Mo », 1 572 864 → « 1,5 Mo », 10 000 → « 9,8 Ko », 100 → « 100 octets »."""
    for unite, facteur in ((_("Mo"), 1024 * 1024), (_("Ko"), 1024)):
        if octets >= facteur:
            nombre = round(octets / facteur, 1)
            nombre = int(nombre) if nombre == int(nombre) else nombre
            return f"{number_format(nombre)} {unite}"
    return _("%(n)s octets") % {"n": octets}


class TailleDeRequeteMiddleware:
    """Refuse, sans le lire, un corps de requête plus gros que tout envoi légitime (400, comme
    Django pour `DATA_UPLOAD_MAX_MEMORY_SIZE`). Django ne borne pas les fichiers envoyés : sans
    cette limite, n'importe quel formulaire, ou l'API, écrirait sur disque un envoi énorme
    avant qu'une vue puisse le refuser. Un fichier d'import à peine trop gros passe encore, pour
    que le formulaire d'import dise pourquoi à côté du champ."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            taille = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            taille = 0
        if taille > taille_max_requete():
            raise RequestDataTooBig(f"Corps de requête de {taille} octets refusé.")
        return self.get_response(request)


def message_de_refus(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return _(
            "La requête est trop volumineuse et n'a pas été traitée : un fichier importé fait "
            "au plus %(fichier)s, les autres champs d'un formulaire au plus %(champs)s."
        ) % {
            "fichier": taille_lisible(settings.EVALPIC_IMPORT_TAILLE_MAX),
            "champs": taille_lisible(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        }
    if isinstance(exception, TooManyFieldsSent):
        return _("Le formulaire envoyé contient trop de champs.")
    return _("La requête est invalide : vérifiez l'adresse ou le formulaire, puis réessayez.")


def requete_invalide(request, exception=None):
    """Le `handler400` : une page claire (du JSON sous /api/) au lieu du « Bad Request » nu.
    Rendue sans le contexte de la requête, comme celle de Django : l'erreur a pu survenir avant
    que la session et l'authentification soient chargées."""
    message = message_de_refus(exception)
    if request.path.startswith(PREFIXE_API):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))
