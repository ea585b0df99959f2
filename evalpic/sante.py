"""`/sante/` : l'état de chaque dépendance, pour les sondes de l'orchestrateur et l'exploitation.

200 tant que la base répond (la plateforme sert ses pages même sans file de tâches), 503 sinon.

La sonde de santé de docker compose appelle `http://127.0.0.1:8000/sante/` depuis le conteneur :
ni avec un nom d'hôte de DJANGO_ALLOWED_HOSTS, ni en HTTPS. `/sante/` répond donc avant le
contrôle du nom d'hôte (`SondeDeSanteMiddleware`, avant CommonMiddleware) et sans redirection
HTTPS (SECURE_REDIRECT_EXEMPT) : la réponse ne dépend pas de l'hôte demandé (aucun lien, aucun
témoin), l'en-tête Host n'a rien à empoisonner ici. Le reste du site valide l'hôte comme avant.

Le ping des workers est la seule vérification lente (jusqu'à une seconde sans worker) : son
résultat est gardé `DUREE_DU_PING` secondes dans le cache, et le ping s'arrête à la première
réponse (`limit=1`). Des appels anonymes répétés ne retiennent donc pas les processus gunicorn.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from evalpic.celery import app as celery_app

OK, PAS_OK = "ok", "not ok"
CHEMIN = "/sante/"
# Secondes pendant lesquelles le verdict du ping des workers est repris du cache.
DUREE_DU_PING = 10
CLE_DU_PING = "evalpic:sante:worker"


def _verifier_base() -> tuple[str, str]:
    """Deux essais : une connexion persistante coupée par un redémarrage de la base échoue au
    premier, sur une connexion neuve; la base n'est dite en panne que si elle refuse aussi."""
    for essai in range(2):
        try:
            with connection.cursor() as curseur:
                curseur.execute("SELECT 1")
            return OK, connection.vendor
        except Exception as erreur:  # toute panne de la base doit se lire ici, pas en 500
            if essai == 0:
                connection.close()
            derniere = erreur
    return PAS_OK, type(derniere).__name__


def _verifier_broker() -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return OK, "embarqué : tâches exécutées dans le processus web"
    try:
        with celery_app.connection_for_write() as connexion:
            connexion.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return OK, connexion.transport_cls
    except Exception as erreur:  # broker injoignable : on le dit, sans planter
        return PAS_OK, type(erreur).__name__


def _verifier_worker(broker: str) -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return OK, "embarqué"
    if broker != OK:
        return PAS_OK, "broker injoignable"
    verdict = cache.get(CLE_DU_PING)
    if verdict is None:
        verdict = _pinger_les_workers()
        cache.set(CLE_DU_PING, verdict, DUREE_DU_PING)
    return tuple(verdict)


def _pinger_les_workers() -> tuple[str, str]:
    """Une seconde au plus, moins dès qu'un worker répond (`limit=1` : sans lui, le ping attend
    toujours la seconde entière, au cas où d'autres répondraient)."""
    try:
        reponses = celery_app.control.ping(timeout=1.0, limit=1)
    except Exception as erreur:
        return PAS_OK, type(erreur).__name__
    if not reponses:
        return PAS_OK, "aucun worker n'a répondu"
    return OK, "un worker a répondu"


@never_cache
@require_safe
def sante(request):
    base, detail_base = _verifier_base()
    broker, detail_broker = _verifier_broker()
    worker, detail_worker = _verifier_worker(broker)
    corps = {
        "database": base,
        "broker": broker,
        "worker": worker,
        "details": {"database": detail_base, "broker": detail_broker, "worker": detail_worker},
    }
    return JsonResponse(corps, status=200 if base == OK else 503)


class SondeDeSanteMiddleware:
    """Sert `/sante/` avant le contrôle du nom d'hôte (CommonMiddleware) et de tout le reste
    (session, langue, authentification) : la sonde de compose l'appelle par 127.0.0.1, que
    DJANGO_ALLOWED_HOSTS ne nomme pas en production. Placé juste après SecurityMiddleware, dont
    la redirection HTTPS exempte `/sante/` (SECURE_REDIRECT_EXEMPT) et qui pose ses en-têtes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == CHEMIN:
            return sante(request)
        return self.get_response(request)
